//! IKE SA rekeys that collide with something (RFC 7296 §2.8.2, §2.18,
//! §2.25) between two `Endpoint`s in the simulator, over many seeds with
//! loss and reordering: simultaneous IKE SA rekeys (resolved by the lowest
//! nonce, both sides agreeing without extra round trips), an IKE SA rekey
//! crossing a Child SA rekey or a Child SA delete (TEMPORARY_FAILURE and a
//! jittered retry), and requests queued behind an IKE SA rekey (moved to
//! the IKE SA that survives). At every step each side's outbound SAs have
//! their inbound twin on the other side; once settled each side has exactly
//! one established IKE SA, both the same one, and nothing installed that is
//! not in use. Failing assertions name the seed.
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
use std::time::{Duration, Instant};

use ikev2_sm::events::{Collision, Event};
use ikev2_sm::sim::{EndpointPeer, Link, LinkConfig};
use ikev2_sm::{Endpoint, SaHandle};

/// Both links of `sim` become `link` (seeded per direction).
fn relink(sim: &mut Pair, link: LinkConfig, seed: u64) {
    sim.ab = Link::new(link, seed ^ 0x55);
    sim.ba = Link::new(link, seed ^ 0xAA);
}

/// The handle `start` continues as, following `IkeSaRekeyed` events.
fn follow(p: &EndpointPeer, start: SaHandle) -> SaHandle {
    let mut cur = start;
    while let Some(next) = p.events.iter().find_map(|(h, e)| match e {
        Event::IkeSaRekeyed { new } if *h == Some(cur) => Some(*new),
        _ => None,
    }) {
        cur = next;
    }
    cur
}

/// After settling: no failure, exactly one IKE SA on each side, both the
/// same, carrying `children` Child SAs, reached from each side's original
/// handle through its `IkeSaRekeyed` events; nothing installed unused.
/// Returns the number of IKE SA rekeys each side reported.
fn settled(sim: &Pair, start: (SaHandle, SaHandle), children: usize, what: &str) -> usize {
    check_clean(sim, children, what);
    let mut spis = Vec::new();
    let mut rekeys = Vec::new();
    for (p, h, n) in [(&sim.a, start.0, "A"), (&sim.b, start.1, "B")] {
        assert!(failures(p).is_empty(), "{what}: {n}: {:?}", failures(p));
        assert_eq!(p.endpoint.sa_count(), 1, "{what}: {n}: one IKE SA left");
        let live = ike(p);
        assert_eq!(follow(p, h), live, "{what}: {n}: IkeSaRekeyed leads to it");
        let info = p.endpoint.sa_info(live).unwrap();
        assert_eq!(info.children.len(), children, "{what}: {n}: Child SAs");
        spis.push((info.spi_i, info.spi_r));
        rekeys.push(
            p.event_list()
                .iter()
                .filter(|e| matches!(e, Event::IkeSaRekeyed { .. }))
                .count(),
        );
    }
    assert_eq!(spis[0], spis[1], "{what}: both kept the same IKE SA");
    assert_eq!(rekeys[0], rekeys[1], "{what}: as many IKE SA rekeys");
    rekeys[0]
}

/// The IKE SA collision `p` reported, if any.
fn ike_collision(p: &EndpointPeer) -> Option<Collision> {
    p.event_list().into_iter().find_map(|e| match e {
        Event::RekeyCollision {
            child: None,
            collision: c @ (Collision::SimultaneousIkeRekey { .. } | Collision::PeerRekeyWins),
        } => Some(c),
        _ => None,
    })
}

fn retried(p: &EndpointPeer) -> bool {
    p.event_list().iter().any(|e| {
        matches!(
            e,
            Event::RekeyCollision {
                collision: Collision::RetryAfter { .. },
                ..
            }
        )
    })
}

/// How a simultaneous rekey ended: both sides compared nonces (`true`), or
/// one side settled it first and the other conceded (`false`); checks that
/// both agree and that the winner's SA is the one left.
fn outcome(sim: &Pair, what: &str) -> Option<bool> {
    match (ike_collision(&sim.a), ike_collision(&sim.b)) {
        (
            Some(Collision::SimultaneousIkeRekey {
                we_won: wa,
                ours_lowest: oa,
                theirs_lowest: ta,
            }),
            Some(Collision::SimultaneousIkeRekey {
                we_won: wb,
                ours_lowest: ob,
                theirs_lowest: tb,
            }),
        ) => {
            assert_ne!(wa, wb, "{what}: exactly one side won");
            assert_eq!((&oa, &ta), (&tb, &ob), "{what}: the same nonces compared");
            assert_eq!(wa, ta < oa, "{what}: the lowest nonce lost");
            let (winner, loser) = if wa {
                (&sim.a, &sim.b)
            } else {
                (&sim.b, &sim.a)
            };
            // The survivor is the one the winner initiated.
            assert!(
                winner.endpoint.sa_info(ike(winner)).unwrap().initiator,
                "{what}"
            );
            assert!(
                !loser.endpoint.sa_info(ike(loser)).unwrap().initiator,
                "{what}"
            );
            let (w, l) = (
                winner.endpoint.stats().rekeys,
                loser.endpoint.stats().rekeys,
            );
            assert_eq!(
                (w.ike_collisions_won, l.ike_collisions_lost),
                (1, 1),
                "{what}"
            );
            Some(true)
        }
        (Some(Collision::PeerRekeyWins), _) | (_, Some(Collision::PeerRekeyWins)) => Some(false),
        (None, None) => None,
        other => panic!("{what}: one-sided outcome {other:?}"),
    }
}

/// Both sides rekey the IKE SA at the same instant.
fn simultaneous(seed: u64, link: LinkConfig) -> (Pair, (SaHandle, SaHandle)) {
    let mut sim = up(seed, "aes256gcm16");
    relink(&mut sim, link, seed);
    let now = sim.now();
    let (ha, hb) = (ike(&sim.a), ike(&sim.b));
    sim.a.endpoint.rekey_ike_sa(now, ha).unwrap();
    sim.b.endpoint.rekey_ike_sa(now, hb).unwrap();
    sim.a.drain();
    sim.b.drain();
    (sim, (ha, hb))
}

#[test]
fn simultaneous_ike_rekeys_on_a_clean_link_resolve_by_nonces_without_retry() {
    let mut won = [0u32; 2];
    for seed in 0..40 {
        let what = format!("seed {seed}");
        let latency = Duration::from_millis(5 + seed % 40);
        let (mut sim, start) = simultaneous(seed, LinkConfig::with_latency(latency));
        let until = sim.now() + SETTLE;
        run_checked(&mut sim, until, &what);
        assert_eq!(settled(&sim, start, 1, &what), 1, "{what}: one rekey each");
        assert_eq!(outcome(&sim, &what), Some(true), "{what}: nonces compared");
        for p in [&sim.a, &sim.b] {
            assert!(!retried(p), "{what}: no TEMPORARY_FAILURE retry");
            let r = p.endpoint.stats().rekeys;
            assert_eq!(r.temporary_failures_sent, 0, "{what}");
        }
        if let Some(Collision::SimultaneousIkeRekey { we_won, .. }) = ike_collision(&sim.a) {
            won[usize::from(we_won)] += 1;
        }
    }
    // Random nonces: each side wins some.
    assert!(won[0] > 5 && won[1] > 5, "A lost/won: {won:?}");
}

#[test]
fn simultaneous_ike_rekeys_over_a_lossy_link_agree_over_200_seeds() {
    let mut by = [0u32; 3];
    for seed in 0..200 {
        let what = format!("seed {seed}");
        let (mut sim, start) = simultaneous(seed, lossy());
        let until = sim.now() + SETTLE;
        run_checked(&mut sim, until, &what);
        let rekeys = settled(&sim, start, 1, &what);
        assert!((1..=2).contains(&rekeys), "{what}: {rekeys} IKE SA rekeys");
        match outcome(&sim, &what) {
            Some(true) => by[0] += 1,
            Some(false) => by[1] += 1,
            None => by[2] += 1,
        }
    }
    // Most collisions are seen by both sides and settled by nonces.
    assert!(by[0] > 100, "nonces / conceded / retried: {by:?}");
}

/// Over a lossy link, A rekeys the IKE SA while B runs `b` (on its IKE SA
/// and the inbound SPI of its Child SA) at the same instant.
fn crossing(seed: u64, b: impl FnOnce(&mut Endpoint, Instant, SaHandle, u32)) -> (Pair, Start) {
    let mut sim = up(seed, "aes256gcm16");
    relink(&mut sim, lossy(), seed);
    let now = sim.now();
    let (ha, hb) = (ike(&sim.a), ike(&sim.b));
    sim.a.endpoint.rekey_ike_sa(now, ha).unwrap();
    let spi = sim.b.installs[0].spi_in;
    b(&mut sim.b.endpoint, now, hb, spi);
    sim.a.drain();
    sim.b.drain();
    (sim, (ha, hb))
}

/// Each side's IKE SA handle before the scenario.
type Start = (SaHandle, SaHandle);

#[test]
fn ike_rekey_crossing_a_child_rekey_gets_temporary_failure_and_retries() {
    for seed in 0..100 {
        let (mut sim, (ha, hb)) = crossing(seed, |e, now, h, spi| {
            e.rekey_child_sa(now, h, spi).unwrap();
        });
        let now = sim.now();
        let what = format!("seed {seed}");
        run_checked(&mut sim, now + SETTLE, &what);
        assert_eq!(settled(&sim, (ha, hb), 1, &what), 1, "{what}");
        for p in [&sim.a, &sim.b] {
            assert_eq!(rekeyed(p).len(), 1, "{what}: the child was rekeyed once");
        }
    }
}

#[test]
fn ike_rekey_crossing_a_child_delete_over_100_seeds() {
    for seed in 0..100 {
        let (mut sim, (ha, hb)) = crossing(seed, |e, now, h, spi| {
            e.delete_child_sa(now, h, spi).unwrap();
        });
        let now = sim.now();
        let what = format!("seed {seed}");
        // B stops sending on the SA when its Delete is answered.
        let deleted = BTreeSet::from([sim.a.installs[0].spi_in]);
        run_checked_except(&mut sim, now + SETTLE, &what, &deleted);
        assert_eq!(settled(&sim, (ha, hb), 0, &what), 1, "{what}");
        assert!(
            sim.a
                .event_list()
                .iter()
                .any(|e| matches!(e, Event::ChildSaDeleted { by_peer: true, .. })),
            "{what}: A saw the peer's delete"
        );
    }
}

/// What A queues behind its own IKE SA rekey while B rekeys too.
#[derive(Clone, Copy, Debug)]
enum Queued {
    CreateChild,
    DeleteChild,
}

#[test]
fn requests_queued_behind_an_ike_rekey_move_to_the_surviving_sa() {
    for seed in 0..120 {
        let queued = if seed % 2 == 0 {
            Queued::CreateChild
        } else {
            Queued::DeleteChild
        };
        let what = format!("seed {seed} ({queued:?})");
        let mut sim = up(seed, "aes256gcm16");
        relink(&mut sim, lossy(), seed);
        let now = sim.now();
        let (ha, hb) = (ike(&sim.a), ike(&sim.b));
        let before = sim.a.sent;
        sim.a.endpoint.rekey_ike_sa(now, ha).unwrap();
        match queued {
            Queued::CreateChild => sim.a.endpoint.create_child_sa(now, ha, "extra").unwrap(),
            Queued::DeleteChild => {
                let spi = sim.a.installs[0].spi_in;
                sim.a.endpoint.delete_child_sa(now, ha, spi).unwrap();
            }
        }
        // Only the rekey went out; the other waits in the queue.
        sim.a.drain();
        assert_eq!(sim.a.sent, before + 1, "{what}");
        sim.b.endpoint.rekey_ike_sa(now, hb).unwrap();
        sim.b.drain();
        // The SA being deleted, and the new one's responder side before
        // the initiator has it, are not yet twins.
        let deleted = [sim.a.installs[0].spi_in, sim.b.installs[0].spi_in];
        run_checked_with(&mut sim, now + SETTLE, &what, |s| {
            let mut skip: BTreeSet<u32> = [&s.a, &s.b]
                .iter()
                .flat_map(|p| p.installs.iter())
                .filter(|c| c.name == "extra")
                .map(|c| c.spi_out)
                .collect();
            skip.extend(deleted);
            skip
        });
        let children = match queued {
            Queued::CreateChild => 2,
            Queued::DeleteChild => 0,
        };
        settled(&sim, (ha, hb), children, &what);
        // The queued request ran on the IKE SA that survived.
        let survivor = ike(&sim.a);
        let ran_on = sim.a.events.iter().find_map(|(h, e)| match e {
            Event::ChildSaUp { name } if name == "extra" => *h,
            Event::ChildSaDeleted { by_peer: false, .. } => *h,
            _ => None,
        });
        assert_eq!(ran_on, Some(survivor), "{what}");
    }
}
