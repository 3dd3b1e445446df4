//! USE_TRANSPORT_MODE (RFC 7296 §1.3.1) and childless IKE SAs (RFC 6023)
//! between two `Endpoint`s through the simulator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Instant;

use ikev2_sm::config::{Mode, PeerConfig};
use ikev2_sm::events::Event;
use ikev2_sm::sim::{EndpointPeer, LinkConfig, Sim};

const PSK: &[u8] = b"transport and childless secret";

fn peer(name: &str, me: &str, them: &str, child: Option<(Mode, &str, &str)>) -> PeerConfig {
    let p = common::psk_peer(name, me, them, PSK, "aes256gcm16-prfsha256-x25519");
    match child {
        Some((mode, l, r)) => {
            let mut c = common::child("net", (l, r), "aes256gcm16");
            c.mode = mode;
            p.with_child(c)
        }
        None => p,
    }
}

fn run(i: PeerConfig, r: PeerConfig) -> Sim<EndpointPeer, EndpointPeer> {
    let epoch = Instant::now();
    let (a, b) = (common::endpoint(1, i), common::endpoint(2, r));
    let link = LinkConfig::default();
    let mut s = common::initiated(epoch, a, b, link, link, 5);
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    s
}

/// Host-to-host selectors (transport mode protects the hosts themselves).
fn pair(i_mode: Mode, r_mode: Mode) -> Sim<EndpointPeer, EndpointPeer> {
    run(
        peer("gw", "@sun", "@moon", Some((i_mode, "dynamic", "dynamic"))),
        peer("rw", "@moon", "@sun", Some((r_mode, "dynamic", "dynamic"))),
    )
}

fn modes(s: &Sim<EndpointPeer, EndpointPeer>) -> (Mode, Mode) {
    assert_eq!((s.a.installs.len(), s.b.installs.len()), (1, 1));
    (s.a.installs[0].mode, s.b.installs[0].mode)
}

#[test]
fn transport_mode_when_both_want_it() {
    let s = pair(Mode::Transport, Mode::Transport);
    assert_eq!(modes(&s), (Mode::Transport, Mode::Transport));
    let h = s.b.endpoint.handles()[0];
    assert_eq!(
        s.b.endpoint.sa_info(h).unwrap().children[0].mode,
        Mode::Transport
    );
    assert_eq!(s.a.installs[0].local_ts[0].to_string(), "192.0.2.1/32");
}

#[test]
fn responder_configured_for_tunnel_answers_in_tunnel_mode() {
    assert_eq!(
        modes(&pair(Mode::Transport, Mode::Tunnel)),
        (Mode::Tunnel, Mode::Tunnel)
    );
}

#[test]
fn initiator_not_asking_gets_tunnel_mode() {
    assert_eq!(
        modes(&pair(Mode::Tunnel, Mode::Transport)),
        (Mode::Tunnel, Mode::Tunnel)
    );
}

fn childless(s: &Sim<EndpointPeer, EndpointPeer>) {
    for p in [&s.a, &s.b] {
        let events = p.event_list();
        assert!(events.contains(&Event::IkeSaUp), "{events:?}");
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, Event::ChildSaUp { .. } | Event::Failed { .. })),
            "IKE SA only: {events:?}"
        );
        assert!(p.installs.is_empty());
        let h = p.endpoint.handles()[0];
        let info = p.endpoint.sa_info(h).unwrap();
        assert_eq!(info.state, "established");
        assert!(info.children.is_empty());
    }
}

#[test]
fn childless_option_skips_the_first_child_with_a_supporting_peer() {
    let i = peer(
        "gw",
        "@sun",
        "@moon",
        Some((Mode::Tunnel, "dynamic", "dynamic")),
    )
    .with_childless(true);
    let r = peer(
        "rw",
        "@moon",
        "@sun",
        Some((Mode::Tunnel, "dynamic", "dynamic")),
    );
    childless(&run(i, r));
}

#[test]
fn no_child_configured_is_childless() {
    let r = peer(
        "rw",
        "@moon",
        "@sun",
        Some((Mode::Tunnel, "dynamic", "dynamic")),
    );
    childless(&run(peer("gw", "@sun", "@moon", None), r));
}
