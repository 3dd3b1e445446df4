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
        let twins = y.installed_in();
        for child in ["net", "extra"] {
            let usable = x.outbound.iter().any(|spi| {
                twins.contains(spi)
                    && x.installs
                        .iter()
                        .any(|c| c.spi_out == *spi && c.name == child)
            });
            assert!(
                usable,
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
    run_checked(&mut sim, until, "no answer", true);
    let reason = sim.a.events.iter().find_map(|(h, e)| match e {
        Event::Failed { reason } if *h == Some(old) => Some(reason.clone()),
        _ => None,
    });
    let Some(Failure::ReauthFailed { cause: Some(cause) }) = reason else {
        panic!("expected ReauthFailed on the old handle, got {reason:?}");
    };
    assert!(
        matches!(
            *cause,
            Failure::RetransmitTimeout {
                exchange: ExchangeType::IkeSaInit,
                ..
            }
        ),
        "{cause:?}"
    );
    assert!(sim.a.endpoint.sa_info(new).is_none(), "new SA gone");
    assert_eq!(sim.a.endpoint.stats().reauth.failed, 1);
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
