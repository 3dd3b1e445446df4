//! Two `Endpoint`s driven through the deterministic simulator: IKE_SA_INIT
//! and IKE_AUTH with PSK, INVALID_KE_PAYLOAD, failures, and loss.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::{addr, endpoint_with as endpoint, failures, initiated, I_ADDR, R_ADDR};

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ikev2_sm::config::{ChildConfig, Identity, PeerConfig};
use ikev2_sm::events::{AuthFailure, Event, Failure, FailureKind};
use ikev2_sm::sim::{EndpointPeer, LinkConfig, LossModel, Sim};
use ikev2_wire::{EncrId, NotifyType};

fn peer(name: &str, local: &str, remote: &str, psk: &[u8], ike: &str, esp: &str) -> PeerConfig {
    common::psk_peer(name, local, remote, psk, ike).with_child(common::child(
        "net",
        ("10.1.0.0/16", "10.2.0.0/16"),
        esp,
    ))
}

fn responder_peer(psk: &[u8], ike: &str, esp: &str) -> PeerConfig {
    let mut p = peer(
        "roadwarrior",
        "@moon.example",
        "@sun.example",
        psk,
        ike,
        esp,
    );
    // The responder's policy is the mirror image; wider on the peer side so
    // narrowing is exercised: the initiator proposes 10.1/16, we allow 10/8.
    p.children[0] = common::child("net", ("10.2.0.0/16", "10.0.0.0/8"), esp);
    p
}

struct Setup {
    sim: Sim<EndpointPeer, EndpointPeer>,
}

fn setup(seed: u64, i: PeerConfig, r: PeerConfig, ab: LinkConfig, ba: LinkConfig) -> Setup {
    let epoch = Instant::now();
    let (a, b) = (
        endpoint(seed.wrapping_mul(2), vec![i]),
        endpoint(seed.wrapping_mul(2) + 1, vec![r]),
    );
    Setup {
        sim: initiated(epoch, a, b, ab, ba, seed),
    }
}

/// Both peers on the default proposals, over links with no impairment.
fn setup_clean(seed: u64, initiator_psk: &[u8], responder_psk: &[u8]) -> Setup {
    setup(
        seed,
        initiator_peer(initiator_psk, IKE, ESP),
        responder_peer(responder_psk, IKE, ESP),
        LinkConfig::default(),
        LinkConfig::default(),
    )
}

fn initiator_peer(psk: &[u8], ike: &str, esp: &str) -> PeerConfig {
    peer("gw", "@sun.example", "@moon.example", psk, ike, esp)
}

/// Long enough for any retransmission, short of the first rekey.
const SETTLE: Duration = Duration::from_secs(600);

const IKE: &str = "aes256gcm16-prfsha256-x25519";
const ESP: &str = "aes256gcm16";

#[test]
fn psk_x25519_aes_gcm_establishes_both_sides_with_matching_keys() {
    let mut s = setup_clean(
        1,
        b"correct horse battery staple",
        b"correct horse battery staple",
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    assert_eq!(
        a.event_list(),
        vec![Event::IkeSaUp, Event::ChildSaUp { name: "net".into() }]
    );
    assert_eq!(
        b.event_list(),
        vec![Event::IkeSaUp, Event::ChildSaUp { name: "net".into() }]
    );
    // Two exchanges, two messages each way, nothing retransmitted.
    assert_eq!((a.sent, b.sent), (2, 2));
    let (ci, cr) = (&a.installs[0], &b.installs[0]);
    assert_eq!(ci.encr, (EncrId::AesGcm16, Some(256)));
    assert_eq!(ci.integ, None);
    assert_eq!(ci.spi_out, cr.spi_in);
    assert_eq!(ci.spi_in, cr.spi_out);
    assert_eq!(ci.encr_key_out, cr.encr_key_in);
    assert_eq!(ci.encr_key_in, cr.encr_key_out);
    assert_ne!(ci.encr_key_in, ci.encr_key_out);
    // 32-octet AES-256 key + 4-octet salt.
    assert_eq!(ci.encr_key_out.len(), 36);
    // Narrowed: the responder allowed 10/8 for the initiator side, the
    // initiator asked for 10.1/16, so 10.1/16 it is.
    assert_eq!(ci.local_ts, cr.remote_ts);
    assert_eq!(ci.remote_ts, cr.local_ts);
    assert_eq!(ci.local_ts[0].to_string(), "10.1.0.0/16");
    assert!(!ci.udp_encap);
    // Both sides agree on the SA and the responder chose its config by IDi.
    let hi = a.endpoint.handles()[0];
    let hr = b.endpoint.handles()[0];
    let (ii, ir) = (
        a.endpoint.sa_info(hi).unwrap(),
        b.endpoint.sa_info(hr).unwrap(),
    );
    assert_eq!((ii.spi_i, ii.spi_r), (ir.spi_i, ir.spi_r));
    assert_eq!(ii.state, "established");
    assert_eq!(ir.state, "established");
    assert_eq!(ir.peer_config, "roadwarrior");
    assert_eq!(ir.peer_id, Some(Identity::parse("@sun.example").unwrap()));
    assert_eq!(ii.peer_id, Some(Identity::parse("@moon.example").unwrap()));
    assert!(!ii.nat_local && !ii.nat_remote && !ir.nat_local && !ir.nat_remote);
    assert_eq!(b.endpoint.stats().ike_sas, 1);
}

#[test]
fn invalid_ke_payload_retry_uses_the_requested_group() {
    // The initiator offers ECP-256 first, the responder only accepts X25519.
    let mut s = setup(
        2,
        initiator_peer(b"secret-secret", "aes128gcm16-prfsha256-ecp256-x25519", ESP),
        responder_peer(b"secret-secret", "aes128gcm16-prfsha256-x25519", ESP),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    assert_eq!(b.endpoint.stats().invalid_ke_sent, 1);
    // IKE_SA_INIT twice, IKE_AUTH once.
    assert_eq!(a.sent, 3);
    assert!(a.event_list().contains(&Event::IkeSaUp));
    assert!(b.event_list().contains(&Event::IkeSaUp));
    let h = a.endpoint.handles()[0];
    let ike = a.endpoint.sa_info(h).unwrap().ike_proposal.unwrap();
    assert_eq!(ike.to_keywords().unwrap(), "aes128gcm16-prfsha256-x25519");
    assert_eq!(
        b.endpoint.sa_count(),
        1,
        "the refused first attempt left no state"
    );
}

#[test]
fn psk_mismatch_fails_authentication_on_both_sides() {
    let mut s = setup_clean(3, b"the initiator's secret", b"the responder's secret");
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    assert_eq!(
        failures(b),
        vec![Failure::AuthenticationFailed {
            cause: AuthFailure::PskMismatch
        }]
    );
    assert_eq!(
        failures(a),
        vec![Failure::AuthenticationFailed {
            cause: AuthFailure::RejectedByPeer
        }]
    );
    assert!(!a.event_list().contains(&Event::IkeSaUp));
    assert!(!b.event_list().contains(&Event::IkeSaUp));
    assert!(a.installs.is_empty() && b.installs.is_empty());
    assert_eq!(
        b.endpoint
            .stats()
            .failures(FailureKind::AuthenticationFailed),
        1
    );
    assert_eq!(b.endpoint.errors().len(), 1);
    assert_eq!(a.endpoint.sa_count(), 0);
    // The failed responder SA kept its cached error response for the
    // half-open timeout, then went away; nothing is left half-open.
    assert_eq!(b.endpoint.sa_count(), 0);
    assert_eq!(b.endpoint.stats().half_open, 0);
    assert_eq!(a.endpoint.stats().half_open, 0);
}

#[test]
fn no_common_proposal_reports_the_diagnostic() {
    let mut s = setup(
        4,
        initiator_peer(b"secret-secret", "aes128-sha256-modp2048", ESP),
        responder_peer(b"secret-secret", IKE, ESP),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    let fb = failures(b);
    assert_eq!(fb.len(), 1);
    let Failure::NoProposalChosen { diagnostic } = &fb[0] else {
        panic!("{fb:?}");
    };
    let text = diagnostic.to_string();
    assert!(
        text.contains("ENCR AES_CBC_128 not in local set {AES_GCM_16_256}"),
        "{text}"
    );
    assert_eq!(
        failures(a),
        vec![Failure::PeerError {
            notify: NotifyType::NoProposalChosen
        }]
    );
    assert_eq!(b.endpoint.sa_count(), 0, "refused statelessly");
    assert_eq!(a.endpoint.sa_count(), 0);
}

#[test]
fn unanswered_initiator_gives_up_naming_the_exchange() {
    let dead = LinkConfig {
        loss: LossModel::Bernoulli(1.0),
        ..LinkConfig::default()
    };
    let mut s = setup(
        5,
        initiator_peer(b"secret-secret", IKE, ESP),
        responder_peer(b"secret-secret", IKE, ESP),
        dead,
        LinkConfig::default(),
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let a = &s.sim.a;
    let f = failures(a);
    assert_eq!(f.len(), 1);
    assert!(
        matches!(
            f[0],
            Failure::RetransmitTimeout {
                exchange: ikev2_wire::ExchangeType::IkeSaInit,
                retransmits: 5,
                ..
            }
        ),
        "{f:?}"
    );
    // strongSwan's schedule: 1 + 5 retransmissions, ~165 s.
    assert_eq!(a.sent, 6);
    assert_eq!(a.endpoint.stats().retransmits, 5);
    assert!(s.sim.elapsed() >= Duration::from_secs(165));
    assert_eq!(a.endpoint.sa_count(), 0);
    assert_eq!(a.endpoint.stats().half_open, 0);
}

#[test]
fn establishes_over_1000_seeds_at_30_percent_loss_each_way() {
    let lossy = LinkConfig {
        loss: LossModel::Bernoulli(0.3),
        duplicate: 0.05,
        latency: Duration::from_millis(20),
        ..LinkConfig::default()
    };
    // More tries than strongSwan's 5: with 30 % loss each way a round trip
    // fails 51 % of the time, so 6 sends fail 1.8 % of the time per exchange.
    let retransmit = common::patient_retransmit();
    let mut retransmitted = 0;
    for seed in 0..1000u64 {
        let mut i = initiator_peer(b"secret-secret", IKE, ESP);
        i.retransmit = retransmit;
        let mut r = responder_peer(b"secret-secret", IKE, ESP);
        r.retransmit = retransmit;
        // A half-open responder SA must outlive the initiator's IKE_AUTH
        // retransmissions (strongSwan's 30 s is shorter than its own
        // schedule at this loss rate).
        r.half_open.timeout = retransmit.give_up_after();
        let mut s = setup(seed + 1000, i, r, lossy, lossy);
        assert!(s.sim.settle(SETTLE, 100_000), "seed {seed}: did not settle");
        let (a, b) = (&s.sim.a, &s.sim.b);
        for (side, p) in [("initiator", a), ("responder", b)] {
            let ev = p.event_list();
            let up = ev.iter().filter(|e| **e == Event::IkeSaUp).count();
            let child = ev
                .iter()
                .filter(|e| matches!(e, Event::ChildSaUp { .. }))
                .count();
            assert_eq!((up, child), (1, 1), "seed {seed}: {side} events {ev:?}");
            assert_eq!(p.installs.len(), 1, "seed {seed}: {side}");
            assert_eq!(p.endpoint.sa_count(), 1, "seed {seed}: {side}");
        }
        let (ci, cr) = (&a.installs[0], &b.installs[0]);
        assert_eq!(ci.encr_key_out, cr.encr_key_in, "seed {seed}");
        assert_eq!(ci.encr_key_in, cr.encr_key_out, "seed {seed}");
        assert_eq!(
            (ci.spi_out, ci.spi_in),
            (cr.spi_in, cr.spi_out),
            "seed {seed}"
        );
        retransmitted += a.endpoint.stats().retransmits;
    }
    assert!(retransmitted > 100, "loss was exercised: {retransmitted}");
}

#[test]
fn disjoint_selectors_fail_the_child_with_ts_unacceptable_but_keep_the_ike_sa() {
    let i = initiator_peer(b"secret-secret", IKE, ESP);
    let mut r = responder_peer(b"secret-secret", IKE, ESP);
    r.children[0] = ChildConfig::new("net")
        .with_ts("10.2.0.0/16", "172.16.0.0/12")
        .unwrap()
        .with_esp_proposals(ESP)
        .unwrap();
    let mut s = setup(6, i, r, LinkConfig::default(), LinkConfig::default());
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    let fb = failures(b);
    assert_eq!(fb.len(), 1, "{fb:?}");
    let Failure::TsUnacceptable { ours, theirs } = &fb[0] else {
        panic!("{fb:?}");
    };
    assert_eq!(ours[0].to_string(), "172.16.0.0/12");
    assert_eq!(theirs[0].to_string(), "10.1.0.0/16");
    assert_eq!(
        failures(a),
        vec![Failure::PeerError {
            notify: NotifyType::TsUnacceptable
        }]
    );
    assert!(a.event_list().contains(&Event::IkeSaUp));
    assert!(b.event_list().contains(&Event::IkeSaUp));
    assert!(a.installs.is_empty() && b.installs.is_empty());
}

#[test]
fn nat_in_front_of_the_initiator_is_detected_by_both() {
    let nat = ikev2_sm::sim::NatConfig {
        public_ip: "203.0.113.7".parse().unwrap(),
        first_port: 40000,
        idle_timeout: Duration::from_secs(120),
    };
    let mut s = setup_clean(7, b"secret-secret", b"secret-secret");
    s.sim = s.sim.with_nat(nat);
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    let ii = a.endpoint.sa_info(a.endpoint.handles()[0]).unwrap();
    let ir = b.endpoint.sa_info(b.endpoint.handles()[0]).unwrap();
    assert!(ii.nat_local && !ii.nat_remote, "{ii:?}");
    assert!(!ir.nat_local && ir.nat_remote, "{ir:?}");
    assert!(a.installs[0].udp_encap && b.installs[0].udp_encap);
    // RFC 7296 §2.23: IKE_SA_INIT on 500, then both sides on 4500 with the
    // non-ESP marker; the responder answers the NAT's mapping it came from.
    let (i, r) = (addr(I_ADDR), addr(R_ADDR));
    let (i4500, r4500) = (SocketAddr::new(i.ip(), 4500), SocketAddr::new(r.ip(), 4500));
    assert_eq!(a.paths, vec![(i, r, false), (i4500, r4500, true)]);
    let public: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(b.paths.len(), 2);
    assert_eq!((b.paths[0].0, b.paths[0].2), (r, false));
    assert_eq!(b.paths[0].1.ip(), public);
    assert_eq!((b.paths[1].0, b.paths[1].2), (r4500, true));
    assert_eq!(b.paths[1].1.ip(), public);
    assert_ne!(b.paths[1].1, b.paths[0].1, "a new NAT mapping for 4500");
}

#[test]
fn float_to_4500_behind_a_nat_survives_loss_and_duplication_over_200_seeds() {
    let lossy = LinkConfig {
        loss: LossModel::Bernoulli(0.2),
        duplicate: 0.1,
        latency: Duration::from_millis(20),
        ..LinkConfig::default()
    };
    let retransmit = common::patient_retransmit();
    let public: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    for seed in 0..200u64 {
        let mut i = initiator_peer(b"secret-secret", IKE, ESP);
        i.retransmit = retransmit;
        let mut r = responder_peer(b"secret-secret", IKE, ESP);
        r.retransmit = retransmit;
        r.half_open.timeout = retransmit.give_up_after();
        let mut s = setup(seed + 5000, i, r, lossy, lossy);
        s.sim = s.sim.with_nat(ikev2_sm::sim::NatConfig {
            public_ip: public,
            first_port: 40000,
            idle_timeout: Duration::from_secs(120),
        });
        assert!(s.sim.settle(SETTLE, 100_000), "seed {seed}: did not settle");
        let (a, b) = (&s.sim.a, &s.sim.b);
        for (side, p) in [("initiator", a), ("responder", b)] {
            assert_eq!(
                p.installs.len(),
                1,
                "seed {seed}: {side} {:?}",
                p.event_list()
            );
            assert!(p.installs[0].udp_encap, "seed {seed}: {side}");
            assert_eq!(p.endpoint.sa_count(), 1, "seed {seed}: {side}");
        }
        // Everything after IKE_SA_INIT is on 4500 with the marker, both ways.
        for (src, dst, marker) in &a.paths {
            let init = src.port() == 500;
            assert_eq!(
                (dst.port() == 500, !marker),
                (init, init),
                "seed {seed}: {src}->{dst}"
            );
        }
        for (src, dst, marker) in &b.paths {
            assert_eq!(dst.ip(), public, "seed {seed}");
            assert_eq!(src.port() == 4500, *marker, "seed {seed}: {src}->{dst}");
        }
        assert!(
            b.paths.iter().any(|p| p.2),
            "seed {seed}: responder floated"
        );
    }
}

#[test]
fn without_a_nat_both_sides_stay_on_port_500() {
    let mut s = setup_clean(8, b"secret-secret", b"secret-secret");
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    let (i, r) = (addr(I_ADDR), addr(R_ADDR));
    assert_eq!(a.paths, vec![(i, r, false), (i, r, false)]);
    assert_eq!(b.paths, vec![(r, i, false), (r, i, false)]);
    assert!(!a.installs[0].udp_encap);
}

#[test]
fn forced_encapsulation_moves_to_4500_without_a_nat() {
    let mut s = setup(
        9,
        initiator_peer(b"secret-secret", IKE, ESP).with_force_encap(true),
        responder_peer(b"secret-secret", IKE, ESP),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    assert_eq!(
        b.event_list(),
        vec![Event::IkeSaUp, Event::ChildSaUp { name: "net".into() }]
    );
    let (i, r) = (addr(I_ADDR), addr(R_ADDR));
    let (i4500, r4500) = (SocketAddr::new(i.ip(), 4500), SocketAddr::new(r.ip(), 4500));
    assert_eq!(a.paths, vec![(i, r, false), (i4500, r4500, true)]);
    // The responder follows the initiator's float.
    assert_eq!(b.paths, vec![(r, i, false), (r4500, i4500, true)]);
    assert!(a.installs[0].udp_encap && b.installs[0].udp_encap);
}

#[test]
fn duplicated_requests_are_replayed_and_stale_replies_dropped() {
    // Every datagram duplicated: the responder answers duplicates from its
    // cache, the initiator drops the second copy of each reply.
    let dup = LinkConfig {
        duplicate: 1.0,
        ..LinkConfig::default()
    };
    let mut s = setup(
        8,
        initiator_peer(b"secret-secret", IKE, ESP),
        responder_peer(b"secret-secret", IKE, ESP),
        dup,
        dup,
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    assert_eq!(b.endpoint.sa_count(), 1);
    assert_eq!(a.endpoint.sa_count(), 1);
    let ups = |p: &EndpointPeer| {
        p.event_list()
            .iter()
            .filter(|e| **e == Event::IkeSaUp)
            .count()
    };
    assert_eq!((ups(a), ups(b)), (1, 1));
    assert_eq!(b.installs.len(), 1);
    assert_eq!(
        b.endpoint.stats().responses_replayed,
        2,
        "IKE_SA_INIT and IKE_AUTH copies"
    );
    assert!(a.endpoint.stats().dropped.unmatched_response >= 2);
    assert_eq!(b.endpoint.stats().ike_sas, 1);
}

#[test]
fn half_open_responder_sa_expires_when_ike_auth_never_comes() {
    // Responses reach the initiator but its IKE_AUTH never arrives.
    let mut s = setup_clean(9, b"secret-secret", b"secret-secret");
    // Deliver IKE_SA_INIT, then cut a -> b.
    assert!(s.sim.drive_until(10_000, |sim| sim.b.sent == 1));
    assert_eq!(s.sim.b.endpoint.sa_count(), 1);
    assert_eq!(s.sim.b.endpoint.stats().half_open, 1);
    s.sim.ab.drop_next(u64::MAX);
    let t0 = s.sim.now();
    assert!(s.sim.run_until(t0 + Duration::from_secs(29), 10_000));
    assert_eq!(
        s.sim.b.endpoint.sa_count(),
        1,
        "still within the half-open timeout"
    );
    assert!(s.sim.run_until(t0 + Duration::from_secs(31), 10_000));
    assert_eq!(s.sim.b.endpoint.sa_count(), 0);
    assert_eq!(s.sim.b.endpoint.stats().half_open, 0);
}

#[test]
fn responder_chooses_the_peer_configuration_by_the_identity_received() {
    let epoch = Instant::now();
    // Listed first, with another PSK and narrower selectors: must not be used.
    let mut other = peer(
        "other",
        "@moon.example",
        "@mars.example",
        b"mars-secret-1",
        IKE,
        ESP,
    );
    other.children[0] = ChildConfig::new("mars")
        .with_ts("10.9.0.0/16", "10.8.0.0/16")
        .unwrap();
    let mut sim = initiated(
        epoch,
        endpoint(20, vec![initiator_peer(b"sun-secret-22", IKE, ESP)]),
        endpoint(21, vec![other, responder_peer(b"sun-secret-22", IKE, ESP)]),
        LinkConfig::default(),
        LinkConfig::default(),
        20,
    );
    assert!(sim.settle(SETTLE, 10_000));
    let b = &sim.b;
    assert_eq!(
        b.event_list(),
        vec![Event::IkeSaUp, Event::ChildSaUp { name: "net".into() }]
    );
    let info = b.endpoint.sa_info(b.endpoint.handles()[0]).unwrap();
    assert_eq!(info.peer_config, "roadwarrior");
}

#[test]
fn no_common_esp_proposal_refuses_the_child_but_keeps_the_ike_sa() {
    let mut s = setup(
        10,
        initiator_peer(b"secret-secret", IKE, "aes128-sha256"),
        responder_peer(b"secret-secret", IKE, "chacha20poly1305"),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim.settle(SETTLE, 10_000));
    let (a, b) = (&s.sim.a, &s.sim.b);
    let fb = failures(b);
    let [Failure::NoProposalChosen { diagnostic }] = fb.as_slice() else {
        panic!("{fb:?}");
    };
    let text = diagnostic.to_string();
    assert!(text.contains("CHACHA20_POLY1305"), "{text}");
    assert_eq!(
        failures(a),
        vec![Failure::PeerError {
            notify: NotifyType::NoProposalChosen
        }]
    );
    assert!(a.event_list().contains(&Event::IkeSaUp));
    assert!(b.event_list().contains(&Event::IkeSaUp));
    assert!(a.installs.is_empty() && b.installs.is_empty());
}

#[test]
fn configuration_named_by_idi_must_accept_the_negotiated_ike_proposal() {
    let epoch = Instant::now();
    // "other" accepts the offer in IKE_SA_INIT; the configuration for
    // @sun.example only allows AES-128-GCM, so IKE_AUTH must fail.
    let other = peer(
        "other",
        "@moon.example",
        "@mars.example",
        b"mars-secret-1",
        IKE,
        ESP,
    );
    let strict = responder_peer(b"sun-secret-22", "aes128gcm16-prfsha256-x25519", ESP);
    let mut sim = initiated(
        epoch,
        endpoint(30, vec![initiator_peer(b"sun-secret-22", IKE, ESP)]),
        endpoint(31, vec![other, strict]),
        LinkConfig::default(),
        LinkConfig::default(),
        30,
    );
    assert!(sim.settle(SETTLE, 10_000));
    let fb = failures(&sim.b);
    let [Failure::AuthenticationFailed {
        cause: AuthFailure::IdentityMismatch { expected, received },
    }] = fb.as_slice()
    else {
        panic!("{fb:?}");
    };
    assert_eq!(received, "sun.example");
    assert!(expected.contains("AES_GCM_16_256"), "{expected}");
    assert_eq!(
        failures(&sim.a),
        vec![Failure::AuthenticationFailed {
            cause: AuthFailure::RejectedByPeer
        }]
    );
}

/// Every datagram `e` has queued (other outputs dropped).
fn datagrams(e: &mut ikev2_sm::Endpoint) -> Vec<ikev2_sm::Transmit> {
    let mut tx = Vec::new();
    loop {
        match e.poll_output() {
            ikev2_sm::Output::Timeout(_) => return tx,
            ikev2_sm::Output::Transmit(t) => tx.push(t),
            _ => {}
        }
    }
}

#[test]
fn reflected_ike_sa_init_is_dropped_but_a_simultaneous_initiation_is_served() {
    // Found by the sm_initiator fuzz target: our own IKE_SA_INIT request,
    // sent back to us from the peer's address, made the endpoint answer it
    // as a responder, under the SPI of its own half-open SA.
    let now = Instant::now();
    let mut a = endpoint(31, vec![initiator_peer(b"secret-secret", IKE, ESP)]);
    a.initiate(now, "gw", addr(I_ADDR), addr(R_ADDR)).unwrap();
    let ours = datagrams(&mut a);
    assert_eq!(ours.len(), 1);
    let reflect = |e: &mut ikev2_sm::Endpoint, bytes: Vec<u8>| {
        e.handle_input(ikev2_sm::Input::Datagram {
            now,
            src: addr(R_ADDR),
            dst: addr(I_ADDR),
            bytes,
        })
    };
    reflect(&mut a, ours[0].bytes.clone());
    assert!(datagrams(&mut a).is_empty(), "answered its own request");
    assert_eq!(a.sa_count(), 1);
    assert_eq!(a.stats().dropped.reflected_request, 1);
    assert_eq!(a.stats().half_open_responder, 0);

    // The peer initiating at the same time, with an SPI of its own, is still
    // answered: both ends may start the same tunnel at once.
    let mut b = endpoint(
        32,
        vec![peer(
            "gw",
            "@moon.example",
            "@sun.example",
            b"secret-secret",
            IKE,
            ESP,
        )],
    );
    b.initiate(now, "gw", addr(R_ADDR), addr(I_ADDR)).unwrap();
    let theirs = datagrams(&mut b);
    assert_eq!(theirs.len(), 1);
    reflect(&mut a, theirs[0].bytes.clone());
    let answer = datagrams(&mut a);
    assert_eq!(answer.len(), 1, "the peer's own request is answered");
    assert_eq!(answer[0].dst, addr(R_ADDR));
    assert_eq!(a.sa_count(), 2);
    assert_eq!(a.stats().dropped.reflected_request, 1);
}
