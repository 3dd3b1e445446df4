//! Reauthentication (make-before-break) through the simulator: a new IKE SA
//! with full authentication replaces the old one, every Child SA is
//! recreated on it before the old IKE SA and its Child SAs are deleted.
//! Checked over many seeds with loss and reordering, at every step: each
//! side's outbound Child SAs have their inbound twin installed on the
//! other side, and the reauthenticating side always has an outbound SA for
//! every child; afterwards exactly one IKE SA per side and nothing stale.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
#[path = "common/reauth.rs"]
mod reauth;
use reauth::*;

use std::time::{Duration, Instant};

use ikev2_sm::events::{Event, Failure};
use ikev2_sm::sim::{EndpointPeer, LinkConfig, LossModel};
use ikev2_sm::{ApiError, SaHandle};
use ikev2_wire::ExchangeType;

/// At one instant, for the side `who` that reauthenticates: every
/// outbound SA has its inbound twin on the other side. For both sides:
/// each child has an outbound SA with its twin installed (the responder of
/// the new IKE SA may start on a new SA half a round trip before the
/// initiator has installed it, as with any IKE_AUTH or CREATE_CHILD_SA
/// responder, but keeps its old SA meanwhile).
fn check(sim: &Pair, what: &str, who_is_a: bool) {
    let (who, other) = if who_is_a {
        (&sim.a, &sim.b)
    } else {
        (&sim.b, &sim.a)
    };
    let twins = other.installed_in();
    for spi in &who.outbound {
        assert!(
            twins.contains(spi),
            "{what}: the reauthenticating side sends on {spi:#x} but the peer has no such inbound SA (at {:?})",
            sim.elapsed()
        );
    }
    for (x, y, n) in [(&sim.a, &sim.b, "A"), (&sim.b, &sim.a, "B")] {
        for child in ["net", "extra"] {
            assert!(
                usable_outbound(x, y, child),
                "{what}: {n} has no usable outbound `{child}` SA at {:?}",
                sim.elapsed()
            );
        }
    }
}

fn run_checked(sim: &mut Pair, until: Instant, what: &str, who_is_a: bool) {
    run_checked_until(sim, until, what, who_is_a, |_| false);
}

/// Steps until `until` or until `done`, checking the invariant after
/// every step; returns whether `done` became true.
fn run_checked_until(
    sim: &mut Pair,
    until: Instant,
    what: &str,
    who_is_a: bool,
    done: impl Fn(&Pair) -> bool,
) -> bool {
    for _ in 0..400_000 {
        check(sim, what, who_is_a);
        if done(sim) {
            return true;
        }
        match sim.next_event() {
            Some(t) if t <= until => {
                sim.step();
            }
            _ => return false,
        }
    }
    panic!("{what}: too many steps");
}

/// The reauthenticating side completed one reauthentication and the old
/// IKE SA is gone on both sides.
fn reauthed_once(p: &Pair, who_is_a: bool) -> bool {
    let (x, y) = if who_is_a { (&p.a, &p.b) } else { (&p.b, &p.a) };
    x.endpoint.stats().reauth.completed == 1
        && x.endpoint.sa_count() == 1
        && y.endpoint.sa_count() == 1
}

/// The position of the first event matching `f` in `p`'s event log.
fn pos(p: &EndpointPeer, f: impl Fn(&(Option<SaHandle>, Event)) -> bool) -> Option<usize> {
    p.events.iter().position(f)
}

/// After a completed reauthentication by `ini` (the other side `resp`):
/// one IKE SA each, new SPIs, the old Child SAs removed, no stale SA, and
/// the embedder saw install-new before remove-old.
fn check_done(ini: &EndpointPeer, resp: &EndpointPeer, old: SaHandle, what: &str) {
    for p in [ini, resp] {
        assert!(failures(p).is_empty(), "{what}: {:?}", failures(p));
        assert_eq!(p.endpoint.sa_count(), 1, "{what}: one IKE SA each side");
        assert_eq!(p.outbound.len(), 2, "{what}: two children");
        assert_eq!(p.installs.len(), 4, "{what}: two per IKE SA");
        assert_eq!(p.removals.len(), 2, "{what}: the old two removed");
        assert_eq!(p.installed_out(), p.outbound, "{what}: nothing stale");
        for r in &p.removals {
            assert!(
                p.installs[..2].iter().any(|c| c.spi_in == r.spi_in),
                "{what}: an old SA was removed"
            );
        }
        // A second IKE_SA_INIT and IKE_AUTH: full authentication.
        let st = p.endpoint.stats();
        assert_eq!(
            st.initiated.ike_auth + st.responded.ike_auth,
            2,
            "{what}: two IKE_AUTH"
        );
    }
    assert_eq!(resp.installed_in(), ini.installed_out(), "{what}");
    let new = established(ini)[0];
    assert_ne!(new, old);
    let reported = ini.events.iter().find_map(|(h, e)| match e {
        Event::IkeSaReauthenticated { new, missing } if *h == Some(old) => {
            Some((*new, missing.clone()))
        }
        _ => None,
    });
    assert_eq!(reported, Some((new, Vec::new())), "{what}: event names new");
    // Order seen by the embedder: new children up, then the event, then
    // the old children and IKE SA deleted.
    let up = pos(ini, |(h, e)| {
        *h == Some(new) && matches!(e, Event::ChildSaUp { name } if name == "extra")
    })
    .expect("extra recreated");
    let reauthed = pos(ini, |(_, e)| {
        matches!(e, Event::IkeSaReauthenticated { .. })
    })
    .unwrap();
    let deleted = pos(ini, |(h, e)| {
        *h == Some(old) && matches!(e, Event::IkeSaDeleted { by_peer: false })
    })
    .expect("old deleted");
    assert!(up < reauthed && reauthed < deleted, "{what}: order");
    // The responder: no INITIAL_CONTACT, old deleted by the peer after the
    // new children were up.
    assert!(
        !resp
            .event_list()
            .iter()
            .any(|e| matches!(e, Event::InitialContact { .. })),
        "{what}: no INITIAL_CONTACT on a reauthentication"
    );
    assert!(resp
        .event_list()
        .contains(&Event::IkeSaDeleted { by_peer: true }));
    let st = ini.endpoint.stats();
    assert_eq!((st.reauth.started, st.reauth.completed), (1, 1), "{what}");
    assert_eq!(st.rekeys.ike_initiated + st.rekeys.ike_responded, 0);
}

#[test]
fn reauth_by_lifetime_over_seeds_with_loss_keeps_traffic_flowing() {
    for seed in 0..24 {
        let what = format!("seed {seed}");
        let mut sim = up(seed, Duration::from_secs(300), Duration::ZERO, lossy());
        let old = established(&sim.a)[0];
        let spis = sim.a.endpoint.sa_info(old).unwrap();
        // The next one comes ~280 s after the new SA is up.
        let end = sim.epoch() + Duration::from_secs(550);
        assert!(
            run_checked_until(&mut sim, end, &what, true, |s| reauthed_once(s, true)),
            "{what}: reauthenticated"
        );
        let at = sim.elapsed();
        assert!(
            at >= Duration::from_secs(280),
            "{what}: not before the jittered time ({at:?})"
        );
        check_done(&sim.a, &sim.b, old, &what);
        // Reauthenticated within the jittered window, and fresh SPIs.
        let new = established(&sim.a)[0];
        let info = sim.a.endpoint.sa_info(new).unwrap();
        assert_ne!((info.spi_i, info.spi_r), (spis.spi_i, spis.spi_r), "{what}");
        assert!(
            info.initiator,
            "{what}: the reauthenticating side initiates"
        );
    }
}

#[test]
fn responder_of_the_original_sa_can_reauthenticate() {
    for seed in 0..8 {
        let what = format!("seed {seed}");
        let mut sim = up(seed, Duration::ZERO, Duration::from_secs(300), lossy());
        let old = established(&sim.b)[0];
        let end = sim.epoch() + Duration::from_secs(550);
        assert!(
            run_checked_until(&mut sim, end, &what, false, |s| reauthed_once(s, false)),
            "{what}: reauthenticated"
        );
        check_done(&sim.b, &sim.a, old, &what);
        // A, the original initiator, is now the responder of the new SA.
        let new = established(&sim.a)[0];
        assert!(!sim.a.endpoint.sa_info(new).unwrap().initiator, "{what}");
    }
}

#[test]
fn reauthenticate_command_and_its_errors() {
    let mut sim = up(3, Duration::ZERO, Duration::ZERO, LinkConfig::default());
    let now = sim.now();
    let old = established(&sim.a)[0];
    let new = sim.a.endpoint.reauthenticate(now, old).unwrap();
    // Called again while under way: the same new SA.
    assert_eq!(sim.a.endpoint.reauthenticate(now, old).unwrap(), new);
    // The new SA is not established yet.
    assert!(matches!(
        sim.a.endpoint.reauthenticate(now, new),
        Err(ApiError::NotEstablished { .. })
    ));
    sim.a.drain();
    let until = now + SETTLE;
    assert!(run_checked_until(&mut sim, until, "command", true, |s| {
        reauthed_once(s, true)
    }));
    check_done(&sim.a, &sim.b, old, "command");
    assert_eq!(
        sim.a.endpoint.reauthenticate(sim.now(), old),
        Err(ApiError::UnknownSa)
    );
}

#[test]
fn reauth_without_answer_keeps_the_old_sa_and_says_why() {
    let mut sim = up(5, Duration::ZERO, Duration::ZERO, LinkConfig::default());
    let now = sim.now();
    let old = established(&sim.a)[0];
    let before = (sim.a.outbound.clone(), sim.b.outbound.clone());
    // The peer stops answering.
    sim.ba.config.loss = LossModel::Bernoulli(1.0);
    let new = sim.a.endpoint.reauthenticate(now, old).unwrap();
    sim.a.drain();
    let until = now + SETTLE;
    assert!(run_checked_until(&mut sim, until, "no answer", true, |s| {
        s.a.endpoint.stats().reauth.failed == 1
    }));
    let reasons = reauth_failures(&sim.a, old);
    let [(cause, 1, Some(retry_in))] = reasons.as_slice() else {
        panic!("expected one ReauthFailed (attempt 1, a retry) on the old handle: {reasons:?}");
    };
    assert!(
        matches!(
            cause.as_deref(),
            Some(Failure::RetransmitTimeout {
                exchange: ExchangeType::IkeSaInit,
                ..
            })
        ),
        "{cause:?}"
    );
    // The first retry: 15 s less up to a third.
    assert!(
        (Duration::from_secs(10)..=Duration::from_secs(15)).contains(retry_in),
        "{retry_in:?}"
    );
    assert!(sim.a.endpoint.sa_info(new).is_none(), "new SA gone");
    // The old IKE SA and its Child SAs are untouched and still work.
    assert_eq!(established(&sim.a), vec![old]);
    assert_eq!((sim.a.outbound.clone(), sim.b.outbound.clone()), before);
    assert!(sim.a.removals.is_empty() && sim.b.removals.is_empty());
    sim.ba.config.loss = LossModel::None;
    let now = sim.now();
    sim.a.endpoint.liveness_check(now, old).unwrap();
    sim.a.drain();
    assert!(sim.settle(SETTLE, 10_000));
    assert!(!sim
        .a
        .event_list()
        .iter()
        .any(|e| matches!(e, Event::PeerDead { .. })));
    assert_eq!(sim.a.endpoint.stats().info.liveness_sent, 1);
    assert_eq!(sim.b.endpoint.stats().info.liveness_answered, 1);
    // The peer answers again: the retry replaced the old IKE SA.
    let st = sim.a.endpoint.stats().reauth;
    assert_eq!(
        (st.started, st.retried, st.failed, st.completed),
        (2, 1, 1, 1)
    );
    assert_eq!(sim.a.endpoint.sa_count(), 1);
    assert_eq!(sim.b.endpoint.sa_count(), 1);
    assert!(sim.a.endpoint.sa_info(old).is_none());
}

/// The `Failure::ReauthFailed` reported on `old`: cause, attempt, retry.
type Reported = (Option<Box<Failure>>, u32, Option<Duration>);

fn reauth_failures(p: &EndpointPeer, old: SaHandle) -> Vec<Reported> {
    p.events
        .iter()
        .filter_map(|(h, e)| match e {
            Event::Failed {
                reason:
                    Failure::ReauthFailed {
                        cause,
                        attempt,
                        retry_in,
                    },
            } if *h == Some(old) => Some((cause.clone(), *attempt, *retry_in)),
            _ => None,
        })
        .collect()
}

/// The link drops everything in both directions (`true`) or is `lossy`.
fn outage(sim: &mut Pair, down: bool) {
    let loss = if down {
        LossModel::Bernoulli(1.0)
    } else {
        lossy().loss
    };
    sim.ab.config.loss = loss;
    sim.ba.config.loss = loss;
}

#[test]
fn reauth_retried_after_an_outage_over_seeds_until_it_succeeds() {
    for seed in 0..24 {
        let what = format!("seed {seed}");
        let mut sim = up(seed, Duration::from_secs(300), Duration::ZERO, lossy());
        let old = established(&sim.a)[0];
        let before = (sim.a.outbound.clone(), sim.b.outbound.clone());
        // The link goes down before the reauthentication deadline
        // (280-300 s) and stays down through two failed attempts.
        let down = sim.epoch() + Duration::from_secs(250);
        run_checked(&mut sim, down, &what, true);
        assert_eq!(sim.a.endpoint.stats().reauth.started, 0, "{what}");
        outage(&mut sim, true);
        let limit = sim.epoch() + Duration::from_secs(1500);
        assert!(
            run_checked_until(&mut sim, limit, &what, true, |s| {
                s.a.endpoint.stats().reauth.failed == 2
            }),
            "{what}: two attempts failed"
        );
        // Nothing changed on either side meanwhile.
        assert_eq!(
            (sim.a.outbound.clone(), sim.b.outbound.clone()),
            before,
            "{what}"
        );
        assert_eq!(established(&sim.a), vec![old], "{what}");
        let reported = reauth_failures(&sim.a, old);
        let attempts: Vec<u32> = reported.iter().map(|r| r.1).collect();
        assert_eq!(attempts, [1, 2], "{what}");
        for (cause, n, retry) in &reported {
            assert!(
                matches!(
                    cause.as_deref(),
                    Some(Failure::RetransmitTimeout {
                        exchange: ExchangeType::IkeSaInit,
                        ..
                    })
                ),
                "{what}: attempt {n}: {cause:?}"
            );
            // Backing off: 15 s then 30 s, less up to a third.
            let max = Duration::from_secs(15 * u64::from(*n));
            let r = retry.expect("a retry");
            assert!(r <= max && r >= max * 2 / 3, "{what}: {r:?}");
        }
        // The link heals well before the hard lifetime (~3900 s): the
        // third attempt replaces the old IKE SA.
        outage(&mut sim, false);
        let healed = sim.elapsed();
        // The retry (within 30 s) completes promptly; the old IKE SA's
        // Delete may need its retransmissions (given up within 165 s).
        assert!(
            run_checked_until(&mut sim, limit, &what, true, |s| {
                s.a.endpoint.stats().reauth.completed == 1
            }),
            "{what}: the retry succeeded"
        );
        assert!(
            sim.elapsed() - healed < Duration::from_secs(60),
            "{what}: healed at {healed:?}, done at {:?}",
            sim.elapsed()
        );
        let done_at = sim.now();
        assert!(
            run_checked_until(&mut sim, limit, &what, true, |s| reauthed_once(s, true)),
            "{what}: the old IKE SA went"
        );
        let st = sim.a.endpoint.stats().reauth;
        assert_eq!(
            (st.started, st.retried, st.failed, st.completed),
            (3, 2, 2, 1),
            "{what}"
        );
        // One IKE SA each, the new Child SAs installed before the old
        // ones went, installs and removals balanced, nothing stale.
        let new = established(&sim.a)[0];
        assert_ne!(new, old, "{what}");
        assert!(sim.a.events.iter().any(|(h, e)| *h == Some(old)
            && *e
                == Event::IkeSaReauthenticated {
                    new,
                    missing: Vec::new()
                }));
        for p in [&sim.a, &sim.b] {
            assert_eq!(p.endpoint.sa_count(), 1, "{what}");
            assert_eq!(p.installs.len(), 4, "{what}: two per IKE SA");
            assert_eq!(p.removals.len(), 2, "{what}: the old two removed");
            assert_eq!(p.installed_out(), p.outbound, "{what}: nothing stale");
            assert_eq!(p.outbound.len(), 2, "{what}");
        }
        assert_eq!(sim.b.installed_in(), sim.a.installed_out(), "{what}");
        // After success, no further retry is pending: the next
        // reauthentication is the regular one, 280-300 s after the new
        // IKE SA came up.
        let quiet = done_at + Duration::from_secs(270);
        run_checked(&mut sim, quiet, &what, true);
        assert_eq!(sim.a.endpoint.stats().reauth.started, 3, "{what}");
    }
}

#[test]
fn permanently_failing_reauth_retries_then_the_sa_goes_at_its_hard_lifetime() {
    for seed in 0..6 {
        let what = format!("seed {seed}");
        // Reauthentication at 280-300 s, hard lifetime 400 s later.
        let mut ca = config(true, Duration::from_secs(300));
        ca.lifetimes.life_time = ca.lifetimes.rekey_time + Duration::from_secs(400);
        let mut sim = up_with(seed, ca, config(false, Duration::ZERO), lossy());
        let old = established(&sim.a)[0];
        let t0 = sim.elapsed();
        outage(&mut sim, true);
        let limit = sim.epoch() + Duration::from_secs(3000);
        assert!(
            sim.drive_until(1_000_000, |s| s.a.endpoint.sa_info(old).is_none()
                || s.now() > limit),
            "{what}"
        );
        assert!(sim.now() <= limit, "{what}: the old SA went");
        let gone = sim.elapsed() - t0;
        assert!(
            gone >= Duration::from_secs(680) && gone <= Duration::from_secs(700),
            "{what}: at its hard lifetime ({gone:?})"
        );
        let expired = sim.a.events.iter().any(|(h, e)| {
            *h == Some(old)
                && matches!(
                    e,
                    Event::Failed {
                        reason: Failure::Expired
                    }
                )
        });
        assert!(expired, "{what}: went by its hard lifetime");
        // It retried: attempts 1, 2, ... each with a retry before the end.
        let reported = reauth_failures(&sim.a, old);
        assert!(reported.len() >= 2, "{what}: {reported:?}");
        for (i, (_, n, retry)) in reported.iter().enumerate() {
            assert_eq!(*n as usize, i + 1, "{what}");
            assert!(retry.is_some(), "{what}: attempt {n}");
        }
        let started = sim.a.endpoint.stats().reauth.started;
        assert_eq!(started, reported.len() as u64 + 1, "{what}");
        assert_eq!(sim.a.endpoint.stats().reauth.retried, started - 1);
        // Nothing after the hard lifetime: the attempt under way then is
        // given up, and no retry starts.
        let end = sim.now() + Duration::from_secs(1200);
        sim.drive_until(1_000_000, |s| s.now() > end);
        let st = sim.a.endpoint.stats().reauth;
        assert_eq!(st.started, started, "{what}: no retry after the SA went");
        assert_eq!(st.failed, started, "{what}: the last attempt failed too");
        assert_eq!(st.completed, 0);
        assert_eq!(sim.a.endpoint.sa_count(), 0, "{what}");
        assert_eq!(
            reauth_failures(&sim.a, old).len(),
            reported.len(),
            "{what}: not reported on a gone SA"
        );
        assert_eq!(sim.a.installs.len(), sim.a.removals.len(), "{what}");
    }
}

#[test]
fn reauth_replaces_the_ike_rekey_and_repeats() {
    // Rekey at 36000 s, reauthentication at ~300 s: only reauthentications
    // happen, and they repeat on the new SA.
    let mut sim = up(7, Duration::from_secs(300), Duration::ZERO, lossy());
    // The third reauthentication starts by ~900 s, the fourth not before
    // ~1120 s; an old SA whose Delete answer was lost is given up within
    // 165 s.
    let end = sim.epoch() + Duration::from_secs(1100);
    run_checked(&mut sim, end, "repeat", true);
    let st = sim.a.endpoint.stats();
    assert!(st.reauth.completed >= 3, "{:?}", st.reauth);
    assert_eq!(st.rekeys.ike_initiated + st.rekeys.ike_responded, 0);
    assert_eq!(sim.a.endpoint.sa_count(), 1);
    assert_eq!(sim.b.endpoint.sa_count(), 1);
    assert!(failures(&sim.a).is_empty() && failures(&sim.b).is_empty());
}

#[test]
fn no_retry_once_the_user_deletes_the_old_sa() {
    let mut sim = up(11, Duration::ZERO, Duration::ZERO, LinkConfig::default());
    let now = sim.now();
    let old = established(&sim.a)[0];
    outage(&mut sim, true);
    sim.a.endpoint.reauthenticate(now, old).unwrap();
    sim.a.drain();
    assert!(sim.drive_until(1_000_000, |s| s.a.endpoint.stats().reauth.failed == 1));
    let [(_, 1, Some(_))] = reauth_failures(&sim.a, old).as_slice() else {
        panic!("a retry is armed");
    };
    // The user deletes the old SA while its retry is pending and the peer
    // is still unreachable: the Delete is retransmitted past the retry's
    // time, which then starts nothing.
    let now = sim.now();
    sim.a.endpoint.delete_ike_sa(now, old).unwrap();
    sim.a.drain();
    let end = now + Duration::from_secs(600);
    sim.drive_until(1_000_000, |s| s.now() > end);
    let st = sim.a.endpoint.stats().reauth;
    assert_eq!((st.started, st.retried, st.failed), (1, 0, 1), "{st:?}");
    assert_eq!(sim.a.endpoint.sa_count(), 0);
    assert_eq!(reauth_failures(&sim.a, old).len(), 1);
}
