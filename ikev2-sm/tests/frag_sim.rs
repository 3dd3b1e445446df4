//! IKE fragmentation (RFC 7383) between two `Endpoint`s in the simulator:
//! links with an MTU that drops an unfragmented IKE_AUTH, fragment loss,
//! duplication, reordering, forged fragments and the path-MTU fallback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::initiated;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ikev2_sm::config::{FragmentConfig, PeerConfig};
use ikev2_sm::events::{Event, FailureKind, FragmentEvent};
use ikev2_sm::sim::{EndpointPeer, LinkConfig, LossModel, Sim};
use ikev2_sm::window::RetransmitConfig;
use ikev2_sm::Endpoint;
use ikev2_wire::{MessageRepr, NotifyType, PayloadBody};

const IKE: &str = "aes256gcm16-prfsha256-x25519";
/// Several proposals and selectors make IKE_AUTH a few hundred octets, as
/// certificates would make it a few thousand.
const ESP: &str = "aes256gcm16, aes128gcm16, chacha20poly1305, aes256-sha256, aes128-sha256";
const I_TS: (&str, &str) = (
    "10.1.0.0/16, 10.3.0.0/16, 10.5.0.0/16, 192.168.1.0/24",
    "10.2.0.0/16, 10.4.0.0/16, 10.6.0.0/16, 192.168.2.0/24",
);
/// `fragment_size` of the small-fragment scenarios, and the largest IKE
/// message such a datagram holds over IPv4 (minus 20 + 8 octets): the
/// links drop anything longer.
const SMALL: u16 = 300;
const SMALL_MTU: usize = 272;

fn peer(name: &str, me: &str, them: &str, ts: (&str, &str), frag: FragmentConfig) -> PeerConfig {
    common::psk_peer(name, me, them, b"fragmented secret", IKE)
        .with_child(common::child("net", ts, ESP))
        .with_fragmentation(frag)
}

fn small() -> FragmentConfig {
    FragmentConfig {
        fragment_size: SMALL,
        ..FragmentConfig::default()
    }
}

fn endpoint(seed: u64, p: PeerConfig) -> Endpoint {
    p.validate().unwrap();
    common::endpoint(seed, p)
}

fn sim(
    seed: u64,
    fi: FragmentConfig,
    fr: FragmentConfig,
    link: LinkConfig,
    retransmit: RetransmitConfig,
) -> Sim<EndpointPeer, EndpointPeer> {
    let epoch = Instant::now();
    let mut i = peer("gw", "@sun.example", "@moon.example", I_TS, fi);
    let mut r = peer("rw", "@moon.example", "@sun.example", (I_TS.1, I_TS.0), fr);
    i.retransmit = retransmit;
    r.retransmit = retransmit;
    r.half_open.timeout = retransmit.give_up_after();
    initiated(
        epoch,
        endpoint(seed.wrapping_mul(2), i),
        endpoint(seed.wrapping_mul(2) + 1, r),
        link,
        link,
        seed,
    )
}

fn mtu(mtu: usize) -> LinkConfig {
    LinkConfig {
        mtu: Some(mtu),
        ..LinkConfig::default()
    }
}

fn assert_up(s: &Sim<EndpointPeer, EndpointPeer>, what: &str) {
    for (side, p) in [("initiator", &s.a), ("responder", &s.b)] {
        let ev = p.event_list();
        assert_eq!(
            ev.iter().filter(|e| **e == Event::IkeSaUp).count(),
            1,
            "{what}: {side} {ev:?}"
        );
        assert_eq!(p.installs.len(), 1, "{what}: {side}");
    }
    let (ci, cr) = (&s.a.installs[0], &s.b.installs[0]);
    assert_eq!(ci.encr_key_out, cr.encr_key_in, "{what}");
    assert_eq!(ci.encr_key_in, cr.encr_key_out, "{what}");
}

fn announces_fragmentation(bytes: &[u8]) -> bool {
    MessageRepr::parse(bytes).unwrap().payloads.iter().any(|p| {
        matches!(&p.body, PayloadBody::Notify(n)
            if n.notify_type == NotifyType::Ikev2FragmentationSupported)
    })
}

#[test]
fn fragmented_ike_auth_passes_a_link_that_drops_it_whole() {
    let mut s = sim(
        1,
        small(),
        small(),
        mtu(SMALL_MTU),
        RetransmitConfig::default(),
    );
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert_up(&s, "fragmented");
    let (fa, fb) = (
        s.a.endpoint.stats().fragments,
        s.b.endpoint.stats().fragments,
    );
    assert!(fa.sent >= 2 && fb.sent >= 2, "{fa:?} {fb:?}");
    assert_eq!((fa.reassembled, fb.reassembled), (1, 1));
    assert_eq!(fa.received, fb.sent);
    assert_eq!(fb.received, fa.sent);
    assert_eq!(s.ab.stats().mtu_dropped + s.ba.stats().mtu_dropped, 0);
    assert_eq!(s.a.endpoint.stats().retransmits, 0);
    let text = s.a.endpoint.stats().to_string();
    assert!(text.contains("messages reassembled"), "{text}");

    // Control: without fragmentation the same link drops IKE_AUTH.
    let off = FragmentConfig {
        enabled: false,
        ..small()
    };
    let retransmit = RetransmitConfig {
        tries: 2,
        ..RetransmitConfig::default()
    };
    let mut s = sim(1, off, small(), mtu(SMALL_MTU), retransmit);
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert_eq!(
        s.ab.stats().mtu_dropped,
        3,
        "IKE_AUTH and 2 retransmissions"
    );
    assert_eq!(
        s.a.endpoint
            .stats()
            .failures(FailureKind::RetransmitTimeout),
        1
    );
    assert_eq!(s.b.endpoint.stats().fragments.sent, 0);
}

#[test]
fn negotiated_only_when_both_announce() {
    let off = FragmentConfig {
        enabled: false,
        ..small()
    };
    for (fi, fr, expect) in [
        (small(), small(), true),
        (small(), off, false),
        (off, small(), false),
    ] {
        let mut s = sim(
            2,
            fi,
            fr,
            LinkConfig::default(),
            RetransmitConfig::default(),
        );
        // Record what each side sends first: its IKE_SA_INIT message.
        let seen: Vec<Arc<Mutex<Vec<Vec<u8>>>>> = vec![Arc::default(), Arc::default()];
        for (link, log) in [(&mut s.ab, &seen[0]), (&mut s.ba, &seen[1])] {
            let log = Arc::clone(log);
            link.set_tamper(Some(Box::new(move |d| {
                log.lock().unwrap().push(d.bytes.clone());
                true
            })));
        }
        assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
        let (req, resp) = (
            seen[0].lock().unwrap()[0].clone(),
            seen[1].lock().unwrap()[0].clone(),
        );
        assert_eq!(announces_fragmentation(&req), fi.enabled);
        assert_eq!(announces_fragmentation(&resp), expect, "only in answer");
        assert_up(&s, "negotiation");
        let sent = s.a.endpoint.stats().fragments.sent + s.b.endpoint.stats().fragments.sent;
        assert_eq!(sent > 0, expect, "{fi:?} {fr:?}");
    }
}

#[test]
fn establishes_over_300_seeds_with_fragment_loss_duplication_and_reordering() {
    let link = LinkConfig {
        loss: LossModel::Bernoulli(0.1),
        duplicate: 0.1,
        reorder: 0.3,
        jitter: Duration::from_millis(15),
        latency: Duration::from_millis(20),
        mtu: Some(SMALL_MTU),
        ..LinkConfig::default()
    };
    let retransmit = common::patient_retransmit();
    let (mut duplicates, mut retransmits, mut reordered) = (0, 0, 0);
    for seed in 0..300u64 {
        let mut s = sim(seed + 7000, small(), small(), link, retransmit);
        assert!(
            s.settle(std::time::Duration::from_secs(600), 100_000),
            "seed {seed}: did not settle"
        );
        assert_up(&s, &format!("seed {seed}"));
        for p in [&s.a, &s.b] {
            let f = p.endpoint.stats().fragments;
            assert_eq!(f.reassembled, 1, "seed {seed}: {f:?}");
            assert_eq!(f.dropped_invalid, 0, "seed {seed}");
            duplicates += f.dropped_duplicate;
        }
        retransmits += s.a.endpoint.stats().retransmits;
        reordered += s.ab.stats().reordered + s.ba.stats().reordered;
        assert_eq!(s.ab.stats().mtu_dropped, 0, "seed {seed}");
    }
    assert!(duplicates > 50, "duplicates exercised: {duplicates}");
    assert!(retransmits > 50, "loss exercised: {retransmits}");
    assert!(reordered > 300, "reordering exercised: {reordered}");
}

/// Flips one octet of the first `n` SKF datagrams numbered `fragment` that
/// enter the link (offset `at` from the start of the SKF payload).
fn forge(fragment: u16, at: usize, n: u32) -> ikev2_sm::sim::Tamper {
    let mut left = n;
    Box::new(move |d| {
        let b = &mut d.bytes;
        if left > 0 && b[16] == 53 && u16::from_be_bytes([b[32], b[33]]) == fragment {
            left -= 1;
            b[28 + at] ^= 0x40;
        }
        true
    })
}

#[test]
fn forged_fragments_never_poison_a_set() {
    let fast = RetransmitConfig {
        timeout: Duration::from_secs(1),
        ..RetransmitConfig::default()
    };
    // A corrupted ciphertext octet in fragment 2, then a forged higher
    // Total Fragments in fragment 1 (which would replace the set if it were
    // believed before authentication).
    for (fragment, at) in [(2u16, 20usize), (1, 7)] {
        let mut s = sim(3, small(), small(), mtu(SMALL_MTU), fast);
        s.ab.set_tamper(Some(forge(fragment, at, 1)));
        assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
        assert_up(&s, "forged");
        let f = s.b.endpoint.stats().fragments;
        assert_eq!(f.dropped_invalid, 1, "{f:?}");
        assert_eq!(f.sets_superseded, 0, "{f:?}");
        assert_eq!(f.reassembled, 1);
        // The retransmission filled the gap; its other fragment was a
        // duplicate (or, arriving after completion, a non-first fragment
        // of an answered request).
        let late = s.b.endpoint.stats().dropped.fragment_not_first;
        assert_eq!(f.dropped_duplicate + late, 1, "{f:?}");
        assert_eq!(s.a.endpoint.stats().retransmits, 1);
    }
}

#[test]
fn pmtu_fallback_refragments_after_two_retransmissions() {
    // Default fragment_size 1280 over a path that carries 576-octet
    // datagrams only: IKE_AUTH (above 548 octets) is dropped whole until
    // the third retransmission, which goes in 576-octet fragments.
    let many = "aes256gcm16, aes128gcm16, chacha20poly1305, aes256-sha256, aes128-sha256, aes256-sha384, aes128-sha384, aes256-sha512, aes192gcm16, aes192-sha256, aes256ctr-sha256, aes128ctr-sha256";
    let mut i = peer(
        "gw",
        "@sun.example",
        "@moon.example",
        I_TS,
        FragmentConfig::default(),
    );
    i.children[0] = i.children[0].clone().with_esp_proposals(many).unwrap();
    let r = peer(
        "rw",
        "@moon.example",
        "@sun.example",
        (I_TS.1, I_TS.0),
        FragmentConfig::default(),
    );
    let epoch = Instant::now();
    let mut s = initiated(epoch, endpoint(8, i), endpoint(9, r), mtu(548), mtu(548), 4);
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert_up(&s, "pmtu");
    assert_eq!(
        s.ab.stats().mtu_dropped,
        3,
        "original and 2 retransmissions"
    );
    assert_eq!(s.a.endpoint.stats().retransmits, 3);
    let f = s.a.endpoint.stats().fragments;
    assert_eq!(f.refragmented, 1);
    let refrag: Vec<_> =
        s.a.event_list()
            .into_iter()
            .filter_map(|e| match e {
                Event::Fragmentation(FragmentEvent::Refragmented {
                    fragment_size,
                    fragments,
                    ..
                }) => Some((fragment_size, fragments)),
                _ => None,
            })
            .collect();
    assert_eq!(refrag.len(), 1);
    assert_eq!(refrag[0].0, 576);
    assert!(refrag[0].1 >= 2);
    assert_eq!(s.b.endpoint.stats().fragments.reassembled, 1);
}

#[test]
fn an_incomplete_set_is_discarded_at_the_reassembly_timeout() {
    // Fragment 2 of IKE_AUTH is lost every time: the responder holds the
    // rest of each transmission (original, one retransmission) until the
    // reassembly timeout and reports it; the initiator finally gives up.
    let retransmit = RetransmitConfig {
        tries: 1,
        timeout: Duration::from_secs(2),
        ..RetransmitConfig::default()
    };
    let quick = FragmentConfig {
        reassembly_timeout: Duration::from_secs(1),
        ..small()
    };
    let mut s = sim(5, small(), quick, mtu(SMALL_MTU), retransmit);
    let mut drop2: ikev2_sm::sim::Tamper =
        Box::new(|d| !(d.bytes[16] == 53 && u16::from_be_bytes([d.bytes[32], d.bytes[33]]) == 2));
    s.ab.set_tamper(Some(Box::new(move |d| drop2(d))));
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    let f = s.b.endpoint.stats().fragments;
    assert_eq!(f.sets_timed_out, 2, "{f:?}");
    assert_eq!(f.reassembled, 0);
    let discarded: Vec<_> =
        s.b.event_list()
            .into_iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::Fragmentation(FragmentEvent::ReassemblyDiscarded { .. })
                )
            })
            .collect();
    assert_eq!(discarded.len(), 2, "{discarded:?}");
    let Event::Fragmentation(ev) = &discarded[0] else {
        unreachable!()
    };
    assert!(ev.to_string().contains("reassembly timed out"), "{ev}");
    assert_eq!(
        s.a.endpoint
            .stats()
            .failures(FailureKind::RetransmitTimeout),
        1
    );
}

#[test]
fn unfragmented_informational_after_a_fragmented_ike_auth() {
    // IKE_AUTH needed fragments; the INFORMATIONAL exchanges after it are
    // small and go whole over the same SA, in both directions.
    let mut s = sim(
        6,
        small(),
        small(),
        mtu(SMALL_MTU),
        RetransmitConfig::default(),
    );
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert_up(&s, "fragmented");
    let before = (
        s.a.endpoint.stats().fragments,
        s.b.endpoint.stats().fragments,
    );
    let (ha, hb) = (s.a.endpoint.handles()[0], s.b.endpoint.handles()[0]);
    let now = s.now();
    s.a.endpoint.liveness_check(now, ha).unwrap();
    s.a.drain();
    s.b.endpoint.liveness_check(now, hb).unwrap();
    s.b.drain();
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert_eq!(s.a.endpoint.stats().info.liveness_answered, 1);
    assert_eq!(s.b.endpoint.stats().info.liveness_answered, 1);
    let spi = s.b.installs[0].spi_in;
    let now = s.now();
    s.b.endpoint.delete_child_sa(now, hb, spi).unwrap();
    s.b.drain();
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    let now = s.now();
    s.a.endpoint.delete_ike_sa(now, ha).unwrap();
    s.a.drain();
    assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
    assert!(s
        .b
        .event_list()
        .contains(&Event::IkeSaDeleted { by_peer: true }));
    assert_eq!((s.a.endpoint.sa_count(), s.b.endpoint.sa_count()), (0, 0));
    let after = (
        s.a.endpoint.stats().fragments,
        s.b.endpoint.stats().fragments,
    );
    assert_eq!(before, after, "nothing after IKE_AUTH was fragmented");
    assert_eq!(s.ab.stats().mtu_dropped + s.ba.stats().mtu_dropped, 0);
}

/// Turns the first IKE_AUTH request (an SK message) into a one-fragment
/// SKF message, overwriting IV octets with Fragment Number 1 of 1: what an
/// attacker can send without keys.
fn sk_to_skf() -> ikev2_sm::sim::Tamper {
    let mut done = false;
    Box::new(move |d| {
        let b = &mut d.bytes;
        if !done && b[18] == 35 && b[16] == 46 {
            done = true;
            b[16] = 53;
            b[32..36].copy_from_slice(&[0, 1, 0, 1]);
        }
        true
    })
}

#[test]
fn unauthenticated_or_unnegotiated_skf_is_dropped_and_counted() {
    let fast = RetransmitConfig {
        timeout: Duration::from_secs(1),
        ..RetransmitConfig::default()
    };
    let off = FragmentConfig {
        enabled: false,
        ..small()
    };
    // Negotiated, IKE_AUTH small enough to go whole: the forged SKF fails
    // authentication. Not negotiated: it is not even opened.
    let on = FragmentConfig::default();
    for (fr, not_negotiated, invalid) in [(off, 1, 0), (on, 0, 1)] {
        let mut s = sim(7, on, fr, LinkConfig::default(), fast);
        s.ab.set_tamper(Some(sk_to_skf()));
        assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
        // The retransmission, untouched, completes the exchange.
        assert_up(&s, "after a forged SKF");
        let f = s.b.endpoint.stats().fragments;
        assert_eq!(
            (f.dropped_not_negotiated, f.dropped_invalid, f.received),
            (not_negotiated, invalid, 0),
            "{f:?}"
        );
        assert_eq!(s.a.endpoint.stats().retransmits, 1);
    }
}
