//! INITIAL_CONTACT (RFC 7296 §2.4): a restarted initiator (no state, a new
//! endpoint) sends it in IKE_AUTH, and the responder removes the IKE SA and
//! Child SA it still held for that identity; a second IKE SA set up while
//! the first is up does not send it and replaces nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::endpoint;

use std::net::SocketAddr;
use std::time::Instant;

use ikev2_sm::config::{Identity, PeerConfig};
use ikev2_sm::events::Event;
use ikev2_sm::{Endpoint, Input, Output};

const PSK: &[u8] = b"initial contact shared secret";

fn peer(name: &str, me: &str, them: &str) -> PeerConfig {
    common::psk_peer(name, me, them, PSK, "aes256gcm16-prfsha256-x25519").with_child(common::child(
        "net",
        ("dynamic", "dynamic"),
        "aes256gcm16",
    ))
}

/// Runs `i` (which just initiated) against `r` until quiet; returns the
/// responder's outputs other than datagrams.
fn exchange(i: &mut Endpoint, r: &mut Endpoint, now: Instant) -> Vec<Output> {
    let mut seen = Vec::new();
    for _ in 0..8 {
        let a = pump(i, r, now, &mut Vec::new());
        let b = pump(r, i, now, &mut seen);
        if !a && !b {
            break;
        }
    }
    seen
}

/// Hands `from`'s datagrams to `to`, keeping its other outputs in `log`;
/// returns whether anything was sent.
fn pump(from: &mut Endpoint, to: &mut Endpoint, now: Instant, log: &mut Vec<Output>) -> bool {
    let mut moved = false;
    loop {
        match from.poll_output() {
            Output::Transmit(t) => {
                moved = true;
                to.handle_input(Input::Datagram {
                    now,
                    src: t.src,
                    dst: t.dst,
                    bytes: t.bytes,
                });
            }
            Output::Timeout(_) => return moved,
            o => log.push(o),
        }
    }
}

fn addrs() -> (SocketAddr, SocketAddr) {
    (
        "192.0.2.1:500".parse().unwrap(),
        "198.51.100.1:500".parse().unwrap(),
    )
}

#[test]
fn restarted_initiator_replaces_the_stale_ike_sa_and_its_child() {
    let now = Instant::now();
    let (ia, ra) = addrs();
    let mut r = endpoint(2, peer("rw", "@moon", "@sun"));
    let mut first = endpoint(1, peer("gw", "@sun", "@moon"));
    first.initiate(now, "gw", ia, ra).unwrap();
    let seen = exchange(&mut first, &mut r, now);
    // Nothing to replace: no event.
    assert!(!seen.iter().any(|o| matches!(
        o,
        Output::Event {
            event: Event::InitialContact { .. },
            ..
        }
    )));
    assert_eq!(r.sa_count(), 1);
    let old = r.handles()[0];
    let old_child = r.sa_info(old).unwrap().children[0].clone();

    // The initiator restarts without state and comes back.
    let mut again = endpoint(3, peer("gw", "@sun", "@moon"));
    again.initiate(now, "gw", ia, ra).unwrap();
    let seen = exchange(&mut again, &mut r, now);
    assert!(seen.iter().any(|o| matches!(o,
        Output::Event { event: Event::InitialContact { peer_id, replaced: 1 }, .. }
            if *peer_id == Identity::Fqdn("sun".into()))));
    assert!(seen.iter().any(|o| matches!(o,
        Output::RemoveChildSa(c) if c.spi_in == old_child.spi_in && c.sa == old)));
    assert!(seen.iter().any(|o| matches!(o,
        Output::Event { sa: Some(h), event: Event::IkeSaDeleted { by_peer: true } } if *h == old)));
    assert_eq!(r.sa_count(), 1, "only the new IKE SA is left");
    assert!(r.sa_info(old).is_none());
    assert_eq!(r.stats().ike_sas, 1);
}

#[test]
fn a_second_sa_while_the_first_is_up_sends_no_initial_contact() {
    let now = Instant::now();
    let (ia, ra) = addrs();
    let mut r = endpoint(2, peer("rw", "@moon", "@sun"));
    let mut i = endpoint(1, peer("gw", "@sun", "@moon"));
    i.initiate(now, "gw", ia, ra).unwrap();
    exchange(&mut i, &mut r, now);
    i.initiate(now, "gw", ia, ra).unwrap();
    let seen = exchange(&mut i, &mut r, now);
    assert!(seen.iter().any(|o| matches!(
        o,
        Output::Event {
            event: Event::IkeSaUp,
            ..
        }
    )));
    assert!(!seen.iter().any(|o| matches!(
        o,
        Output::Event {
            event: Event::InitialContact { .. },
            ..
        }
    )));
    assert_eq!(r.sa_count(), 2, "both IKE SAs stay");
}
