//! CREATE_CHILD_SA through the simulator: additional Child SAs, Child SA
//! and IKE SA rekeys in both roles, lifetimes, and the collision scenarios
//! of RFC 7296 §2.8.1 and §2.25 over many seeds (the IKE SA ones are in
//! `ike_collision_sim.rs`) with loss and reordering,
//! checking the data-plane invariant at every step: each side's outbound
//! SAs have their inbound twin installed on the other side, and when the
//! dust settles no SA is installed that is not in use.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
#[path = "common/rekey.rs"]
mod rekey;
use rekey::*;

use std::collections::BTreeSet;
use std::time::Duration;

use ikev2_sm::config::Lifetimes;
use ikev2_sm::events::{Collision, Event, Failure};
use ikev2_sm::sim::{LinkConfig, SimPeer};
use ikev2_wire::NotifyType;

#[test]
fn additional_child_sa_with_pfs_both_sides_agree_on_keys() {
    let mut sim = up(1, "aes128gcm16-x25519");
    let now = sim.now();
    let h = ike(&sim.a);
    sim.a.endpoint.create_child_sa(now, h, "extra").unwrap();
    sim.a.drain();
    assert!(sim.settle(SETTLE, 10_000));
    let (a, b) = (&sim.a, &sim.b);
    assert_eq!(a.installs.len(), 2);
    let (ci, cr) = (&a.installs[1], &b.installs[1]);
    assert_eq!(ci.name, "extra");
    assert_eq!(ci.spi_out, cr.spi_in);
    assert_eq!(ci.encr_key_out, cr.encr_key_in);
    assert_eq!(ci.encr_key_in, cr.encr_key_out);
    // PFS: the new KEYMAT differs from what SK_d and nonces alone give;
    // at least the keys differ from the first child's.
    assert_ne!(ci.encr_key_out, a.installs[0].encr_key_out);
    assert_eq!(ci.local_ts[0].to_string(), "10.11.0.0/16");
    assert!(b.event_list().contains(&Event::ChildSaUp {
        name: "extra".into()
    }));
    assert!(a.event_list().contains(&Event::ChildSaUp {
        name: "extra".into()
    }));
    check_clean(&sim, 2, "additional child");
    assert_eq!(sim.a.endpoint.stats().initiated.create_child_sa, 1);
    assert_eq!(sim.b.endpoint.stats().responded.create_child_sa, 1);
}

#[test]
fn unknown_child_and_handle_are_api_errors() {
    let mut sim = up(2, "aes256gcm16");
    let now = sim.now();
    let h = ike(&sim.a);
    assert!(sim.a.endpoint.create_child_sa(now, h, "nope").is_err());
    assert!(sim.a.endpoint.rekey_child_sa(now, h, 7).is_err());
    assert!(sim.a.endpoint.child_sa_expired(now, 7, true).is_err());
}

#[test]
fn refused_child_is_typed_and_keeps_the_ike_sa() {
    let mut sim = pair(
        3,
        config(&SUN, "aes256gcm16", long(), long()),
        config(&MOON, "aes128-sha256", long(), long()),
        LinkConfig::default(),
    );
    // The first child fails in IKE_AUTH already; the extra one fails too.
    assert!(sim.settle(SETTLE, 10_000));
    let now = sim.now();
    let h = ike(&sim.a);
    sim.a.endpoint.create_child_sa(now, h, "extra").unwrap();
    sim.a.drain();
    assert!(sim.settle(SETTLE, 10_000));
    let f = failures(&sim.a);
    assert!(
        f.contains(&Failure::ChildSaRefused {
            name: "extra".into(),
            rekey: false,
            notify: NotifyType::NoProposalChosen
        }),
        "{f:?}"
    );
    assert!(failures(&sim.b)
        .iter()
        .any(|f| matches!(f, Failure::NoProposalChosen { .. })));
    assert_eq!(sim.a.endpoint.sa_info(h).unwrap().state, "established");
    assert!(sim.a.installs.is_empty() && sim.b.installs.is_empty());
}

#[test]
fn invalid_ke_in_create_child_sa_is_retried_with_the_requested_group() {
    let mut sim = pair(
        4,
        config(&SUN, "aes256gcm16-x25519-ecp256", long(), long()),
        config(&MOON, "aes256gcm16-ecp256", long(), long()),
        LinkConfig::default(),
    );
    assert!(sim.settle(SETTLE, 10_000));
    let now = sim.now();
    let h = ike(&sim.a);
    sim.a.endpoint.create_child_sa(now, h, "extra").unwrap();
    sim.a.drain();
    assert!(sim.settle(SETTLE, 10_000));
    assert_eq!(sim.b.endpoint.stats().invalid_ke_sent, 1);
    assert!(sim.a.event_list().contains(&Event::ChildSaUp {
        name: "extra".into()
    }));
    check_clean(&sim, 2, "invalid KE retry");
}

fn child_rekey(seed: u64, esp: &str, by_initiator: bool) {
    let mut sim = up(seed, esp);
    let now = sim.now();
    let old_in_a = sim.a.installs[0].spi_in;
    let old_in_b = sim.b.installs[0].spi_in;
    if by_initiator {
        let h = ike(&sim.a);
        sim.a.endpoint.rekey_child_sa(now, h, old_in_a).unwrap();
        sim.a.drain();
    } else {
        let h = ike(&sim.b);
        sim.b.endpoint.rekey_child_sa(now, h, old_in_b).unwrap();
        sim.b.drain();
    }
    let until = now + SETTLE;
    run_checked(&mut sim, until, "child rekey");
    check_clean(&sim, 1, "child rekey");
    for (p, old) in [(&sim.a, old_in_a), (&sim.b, old_in_b)] {
        // install (new), switch, remove (old): in that order.
        assert_eq!(p.installs.len(), 2);
        assert_eq!(p.removals.len(), 1);
        assert_eq!(p.removals[0].spi_in, old);
        assert_eq!(rekeyed(p), vec![(old, p.installs[1].spi_in)]);
    }
    let (ci, cr) = (&sim.a.installs[1], &sim.b.installs[1]);
    assert_eq!(ci.encr_key_out, cr.encr_key_in);
    assert_ne!(ci.encr_key_out, sim.a.installs[0].encr_key_out);
    let (sa, sb) = (sim.a.endpoint.stats(), sim.b.endpoint.stats());
    let (ini, resp) = if by_initiator { (sa, sb) } else { (sb, sa) };
    assert_eq!(ini.rekeys.child_initiated, 1);
    assert_eq!(resp.rekeys.child_responded, 1);
}

#[test]
fn child_rekey_by_the_initiator_without_pfs() {
    child_rekey(5, "aes256gcm16", true);
}

#[test]
fn child_rekey_by_the_responder_with_pfs() {
    child_rekey(6, "aes256gcm16-x25519", false);
}

#[test]
fn responder_switches_only_when_the_old_sa_is_deleted() {
    let mut sim = up(7, "aes256gcm16");
    let now = sim.now();
    let old_out_b = sim.b.installs[0].spi_out;
    let h = ike(&sim.a);
    sim.a
        .endpoint
        .rekey_child_sa(now, h, sim.a.installs[0].spi_in)
        .unwrap();
    sim.a.drain();
    // Deliver the request only: B installs the new SA before answering
    // but keeps sending on the old one.
    assert!(sim.drive_until(100, |s| s.b.installs.len() == 2));
    assert!(sim.b.outbound.contains(&old_out_b));
    assert!(sim.b.installed_in().contains(&sim.b.installs[1].spi_in));
    run_checked(&mut sim, now + SETTLE, "switch");
    assert!(!sim.b.outbound.contains(&old_out_b));
}

#[test]
fn ike_rekey_both_ways_moves_children_and_deletes_the_old_sa() {
    for by_initiator in [true, false] {
        let mut sim = up(8, "aes256gcm16");
        let now = sim.now();
        let (old_a, old_b) = (ike(&sim.a), ike(&sim.b));
        let old_spis = sim.a.endpoint.sa_info(old_a).unwrap();
        if by_initiator {
            sim.a.endpoint.rekey_ike_sa(now, old_a).unwrap();
            sim.a.drain();
        } else {
            sim.b.endpoint.rekey_ike_sa(now, old_b).unwrap();
            sim.b.drain();
        }
        run_checked(&mut sim, now + SETTLE, "IKE rekey");
        for (p, old) in [(&sim.a, old_a), (&sim.b, old_b)] {
            assert_eq!(p.endpoint.sa_count(), 1, "old IKE SA deleted");
            let new = p
                .events
                .iter()
                .find_map(|(h, e)| match e {
                    Event::IkeSaRekeyed { new } if *h == Some(old) => Some(*new),
                    _ => None,
                })
                .expect("IkeSaRekeyed on the old handle");
            let info = p.endpoint.sa_info(new).unwrap();
            assert_eq!(info.children.len(), 1, "the Child SA moved");
            assert_ne!((info.spi_i, info.spi_r), (old_spis.spi_i, old_spis.spi_r));
            assert!(p.endpoint.sa_info(old).is_none());
            // The old handle reports its own deletion; the new one none.
            assert!(p
                .events
                .iter()
                .all(|(h, e)| !matches!(e, Event::IkeSaDeleted { .. }) || *h == Some(old)));
        }
        // The new IKE SA works: a Child SA rekey over it.
        check_clean(&sim, 1, "after IKE rekey");
        let now = sim.now();
        let h = ike(&sim.a);
        let spi = sim.a.installs[0].spi_in;
        sim.a.endpoint.rekey_child_sa(now, h, spi).unwrap();
        sim.a.drain();
        run_checked(&mut sim, now + SETTLE, "child rekey after IKE rekey");
        check_clean(&sim, 1, "child rekey after IKE rekey");
        assert_eq!(sim.a.installs.len(), 2);
        let ini = if by_initiator { &sim.a } else { &sim.b };
        assert_eq!(ini.endpoint.stats().rekeys.ike_initiated, 1);
    }
}

/// Child SAs rekey every ~60 s and the IKE SA every ~200 s, with jitter,
/// for 10 minutes.
#[test]
fn lifetimes_rekey_children_and_ike_sa_repeatedly_over_seeds() {
    for seed in 0..16 {
        let child = Lifetimes {
            rekey_time: Duration::from_secs(60),
            life_time: Duration::from_secs(120),
            rand_time: Duration::from_secs(10),
        };
        let ike_life = Lifetimes {
            rekey_time: Duration::from_secs(200),
            life_time: Duration::from_secs(400),
            rand_time: Duration::from_secs(30),
        };
        let mut sim = pair(
            seed,
            config(&SUN, "aes256gcm16", child, ike_life),
            config(&MOON, "aes256gcm16", child, ike_life),
            lossy(),
        );
        // The invariant holds from establishment on (IKE_AUTH's responder
        // uses its Child SA as soon as it answers).
        assert!(sim.drive_until(100_000, |s| s.a.outbound.len() == 1
            && s.b.outbound.len() == 1));
        let end = sim.epoch() + Duration::from_secs(600);
        run_checked(&mut sim, end, &format!("seed {seed}"));
        for p in [&sim.a, &sim.b] {
            assert!(failures(p).is_empty(), "seed {seed}: {:?}", failures(p));
            assert!(
                p.removals.len() >= 6,
                "seed {seed}: {} child rekeys",
                p.removals.len()
            );
        }
        let ikes = sim.a.endpoint.stats().rekeys.ike_initiated
            + sim.a.endpoint.stats().rekeys.ike_responded;
        assert!(ikes >= 2, "seed {seed}: {ikes} IKE rekeys");
        assert_eq!(sim.a.outbound.len(), 1, "seed {seed}");
        check_twins(&sim, &format!("seed {seed}"));
    }
}

fn collide_children(seed: u64, link: LinkConfig) -> Pair {
    let mut sim = up(seed, "aes256gcm16-x25519");
    sim.ab = ikev2_sm::sim::Link::new(link, seed ^ 0x55);
    sim.ba = ikev2_sm::sim::Link::new(link, seed ^ 0xAA);
    let now = sim.now();
    let (ha, hb) = (ike(&sim.a), ike(&sim.b));
    let (sa, sb) = (sim.a.installs[0].spi_in, sim.b.installs[0].spi_in);
    sim.a.endpoint.rekey_child_sa(now, ha, sa).unwrap();
    sim.b.endpoint.rekey_child_sa(now, hb, sb).unwrap();
    sim.a.drain();
    sim.b.drain();
    sim
}

#[test]
fn simultaneous_child_rekeys_resolve_by_the_lowest_nonce_over_300_seeds() {
    let mut outcomes = [0u32; 2];
    for seed in 0..300 {
        let mut sim = collide_children(seed, lossy());
        let what = format!("seed {seed}");
        let until = sim.now() + SETTLE;
        run_checked(&mut sim, until, &what);
        check_clean(&sim, 1, &what);
        for p in [&sim.a, &sim.b] {
            assert!(failures(p).is_empty(), "{what}: {:?}", failures(p));
            assert_eq!(rekeyed(p).len(), 1, "{what}: exactly one switch");
        }
        // Both sides ended on the same SA.
        assert_eq!(
            sim.a.installed_in(),
            sim.b.installed_out(),
            "{what}: same surviving SA"
        );
        let collided = sim.a.event_list().iter().any(|e| {
            matches!(
                e,
                Event::RekeyCollision {
                    collision: Collision::SimultaneousRekey { .. },
                    ..
                }
            )
        });
        outcomes[usize::from(collided)] += 1;
    }
    assert!(
        outcomes[1] > 50,
        "collisions resolved by nonces: {outcomes:?}"
    );
}

#[test]
fn child_rekey_crossing_a_delete_over_200_seeds() {
    for seed in 0..200 {
        let mut sim = up(seed, "aes256gcm16");
        sim.ab = ikev2_sm::sim::Link::new(lossy(), seed ^ 0x55);
        sim.ba = ikev2_sm::sim::Link::new(lossy(), seed ^ 0xAA);
        let now = sim.now();
        let ha = ike(&sim.a);
        let (sa, sb) = (sim.a.installs[0].spi_in, sim.b.installs[0].spi_in);
        sim.a.endpoint.rekey_child_sa(now, ha, sa).unwrap();
        // B's data plane hits the hard limit at the same moment.
        sim.b.endpoint.child_sa_expired(now, sb, true).unwrap();
        sim.a.drain();
        sim.b.drain();
        let what = format!("seed {seed}");
        let dropped = BTreeSet::from([sim.b.installs[0].spi_in]);
        run_checked_except(&mut sim, now + SETTLE, &what, &dropped);
        check_clean(&sim, 0, &what);
        assert!(
            sim.a
                .event_list()
                .iter()
                .any(|e| matches!(e, Event::ChildSaDeleted { .. })),
            "{what}"
        );
    }
}

#[test]
fn rekey_of_an_unknown_child_sa_gets_child_sa_not_found() {
    let mut sim = up(9, "aes256gcm16");
    let now = sim.now();
    let h = ike(&sim.b);
    let spi = sim.b.installs[0].spi_in;
    // B silently loses the SA (no Delete reaches A): A's rekey of it is
    // answered CHILD_SA_NOT_FOUND and A drops it too.
    sim.b.endpoint.child_sa_expired(now, spi, true).unwrap();
    sim.b.drain();
    // The Delete is lost (its retransmission comes later).
    while sim.b.poll_transmit().is_some() {}
    let ha = ike(&sim.a);
    let spi_a = sim.a.installs[0].spi_in;
    sim.a.endpoint.rekey_child_sa(now, ha, spi_a).unwrap();
    sim.a.drain();
    let _ = h;
    assert!(sim.settle(SETTLE, 10_000));
    assert_eq!(sim.b.endpoint.stats().rekeys.child_not_found_sent, 1);
    assert!(failures(&sim.a).contains(&Failure::ChildSaRefused {
        name: "net".into(),
        rekey: true,
        notify: NotifyType::ChildSaNotFound,
    }));
    check_clean(&sim, 0, "not found");
}
