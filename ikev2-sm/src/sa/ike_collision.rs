//! Simultaneous IKE SA rekeys (RFC 7296 §2.8.2) and the hand-over of an
//! IKE SA's Child SAs and queued requests to the IKE SA that replaces it
//! (§2.18).
//!
//! An ordinary rekey ([`spawn`]) builds the new IKE SA, moves the Child
//! SAs, the requests queued but not yet sent and the delayed retries to
//! it, and leaves it for the endpoint to adopt ([`Handoff::Rekeyed`]); the
//! old SA keeps only what is in flight on its own window and its delete.
//! A queued rekey of the IKE SA itself is dropped (the new SA has fresh
//! keys), and so is a queued delete of it (it stays with the old SA).
//!
//! When the peer's rekey request arrives while ours is in flight, both are
//! answered. The peer's new SA is built and adopted by the endpoint at once
//! ([`Handoff::Passive`], reachable by its SPI, with no Child SAs) and
//! remembered with the lower of its two nonces ([`hold`]). When our
//! response arrives ([`completed`]) the lowest of the four nonces decides,
//! the same way on both ends with no extra round trip:
//!
//! - our exchange has it: our new SA is redundant; we created it, so we
//!   delete it ([`Handoff::Redundant`], a Delete under its own keys); the
//!   Child SAs go to the peer's SA ([`Handoff::Transfer`]) and the peer,
//!   whose SA won, deletes the old one;
//! - the peer's has it: ours takes the Child SAs as in an ordinary rekey
//!   and we delete the old SA; the peer deletes its own redundant SA (it
//!   expires here after the retransmission schedule if it never does).
//!
//! If the peer finished its rekey before it saw ours (RFC 7296 §2.8.2's
//! undetected case) it answers ours with an error (TEMPORARY_FAILURE) or
//! deletes the old SA while ours is outstanding: the peer's SA then takes
//! over ([`conclude`], [`concede`]), as in strongSwan. Either way an
//! `Event::RekeyCollision` on the old handle names the outcome and, for a
//! real collision, the two nonces compared; `Event::IkeSaRekeyed` names the
//! handle that carries on.

use std::time::Instant;

use super::info::{self, InfoState};
use super::queue::RequestQueue;
use super::rekey::{self, Followup, Want};
use super::{child, ChildSa, Ctx, Established, IkeSa, Keys, SaRole, State};
use crate::endpoint::SaHandle;
use crate::events::{Collision, Event};
use crate::proposal::Selected;
use crate::timer::{Timer, TimerTable};
use crate::window::{RequestWindow, ResponseWindow};

/// What an IKE SA leaves for the endpoint after a call (taken by
/// [`rekey::take_handoffs`], in order).
pub(crate) enum Handoff {
    /// The IKE SA that replaces this one, with its Child SAs: adopt it and
    /// report `Event::IkeSaRekeyed` on the old handle.
    Rekeyed(Box<IkeSa>),
    /// The IKE SA of the peer's rekey that collided with ours: adopt it
    /// quietly and tell the old SA its handle ([`adopted`]).
    Passive(Box<IkeSa>),
    /// Our own new IKE SA that lost a collision, its Delete under way:
    /// adopt it quietly so the Delete's response reaches it.
    Redundant(Box<IkeSa>),
    /// The Child SAs and requests of this SA go to the adopted SA `.0`
    /// ([`receive`]; the event was reported already).
    Transfer(SaHandle, Box<Transfer>),
    /// The peer uses this SA (the peer's side of a collision, not yet
    /// settled here) for its Child SAs: it regards it as the survivor, so
    /// the old SA `.0` concedes ([`concede`]) and hands them over.
    Settle(SaHandle),
}

/// The peer's IKE SA rekey that we answered while ours was in flight.
pub(crate) struct Passive {
    /// The handle of the SA it created, once the endpoint adopted it.
    handle: Option<SaHandle>,
    /// The lower of that exchange's two nonces.
    low: Vec<u8>,
}

/// What moves from an old IKE SA to the one that replaces it.
pub(crate) struct Transfer {
    children: Vec<ChildSa>,
    /// Requests queued but not yet sent (only its waiting part is used).
    queue: RequestQueue,
    /// Retries waiting for their time.
    delayed: Vec<(Want, Instant)>,
}

/// True if the exchange whose lower nonce is `ours` created the redundant
/// SA: the smaller one over their common length, as strongSwan compares.
pub(crate) fn lowest(ours: &[u8], theirs: &[u8]) -> bool {
    let n = ours.len().min(theirs.len());
    ours.get(..n) < theirs.get(..n)
}

/// A new established IKE SA that replaces `sa`: same peer, addresses and
/// extensions, no Child SAs yet, lifetimes and liveness armed.
fn build(
    ctx: &mut Ctx<'_>,
    sa: &IkeSa,
    role: SaRole,
    (spi_i, spi_r): (u64, u64),
    keys: Keys,
    ike: Selected,
) -> IkeSa {
    let retransmit = ctx
        .peers
        .get(sa.peer)
        .map(|p| p.retransmit)
        .unwrap_or_default();
    let mut new = IkeSa {
        handle: sa.handle,
        role,
        spi_i,
        spi_r,
        local: sa.local,
        remote: sa.remote,
        init_remote: sa.init_remote,
        peer: sa.peer,
        state: State::Established(Box::new(Established::new(keys, ike))),
        requests: RequestWindow::new(retransmit, child::random_u64(ctx)),
        responses: ResponseWindow::new(),
        nat_local: sa.nat_local,
        nat_remote: sa.nat_remote,
        peer_id: sa.peer_id.clone(),
        children: Vec::new(),
        timers: TimerTable::default(),
        expires: None,
        queue: RequestQueue::default(),
        info: InfoState::default(),
        frag: super::frag::FragState::new(sa.frag.negotiated),
    };
    rekey::on_established(ctx, &mut new);
    super::reauth::inherit(ctx, sa, &mut new);
    info::on_established(ctx, &mut new);
    new
}

/// Takes from `sa` what its successor carries on with.
fn carry(sa: &mut IkeSa, est: &mut Established) -> Transfer {
    let mut queue = RequestQueue::default();
    queue.adopt_waiting(&mut sa.queue);
    let mut delayed = std::mem::take(&mut est.cc.get().delayed);
    delayed.retain(|(w, _)| *w != Want::RekeyIke);
    Transfer {
        children: std::mem::take(&mut sa.children),
        queue,
        delayed,
    }
}

/// `sa` was replaced: only its delete (by whichever side owes it) is left;
/// if that never comes, it is forgotten after the time a Delete could take.
fn retire(ctx: &mut Ctx<'_>, sa: &mut IkeSa, est: &mut Established) {
    est.cc.get().superseded = true;
    sa.timers.stop_all();
    let retransmit = ctx
        .peers
        .get(sa.peer)
        .map(|p| p.retransmit)
        .unwrap_or_default();
    sa.expires = ctx.now.checked_add(retransmit.give_up_after());
}

/// `new` takes over `t`: the Child SAs, the queued requests (started now,
/// or with `start_now` false at its next timer, after the response that
/// created it went out) and the delayed retries.
pub(crate) fn receive(ctx: &mut Ctx<'_>, new: &mut IkeSa, t: Transfer, start_now: bool) {
    let Transfer {
        children,
        mut queue,
        delayed,
    } = t;
    new.children.extend(children);
    new.expires = None;
    if let State::Established(e) = &mut new.state {
        if let Some(b) = e.cc.0.as_mut() {
            b.parent = None;
        }
    }
    rekey::rearm(new);
    new.queue.adopt_waiting(&mut queue);
    let mut due = None;
    if let State::Established(e) = &mut new.state {
        if !delayed.is_empty() {
            let b = e.cc.get();
            b.delayed.extend(delayed);
            due = b.delayed.iter().map(|(_, t)| *t).min();
        }
    }
    if start_now {
        new.start_next(ctx);
    } else {
        due = Some(due.map_or(ctx.now, |d| d.min(ctx.now)));
    }
    if let Some(t) = due {
        let t = new.timers.get(Timer::Queue).map_or(t, |q| q.min(t));
        new.timers.set(Timer::Queue, t);
    }
}

/// The adopted SA a [`Transfer`] was meant for is gone (the peer deleted
/// the SA that won): the Child SAs go from the data plane.
pub(crate) fn orphan(ctx: &mut Ctx<'_>, old: SaHandle, t: Transfer) {
    for c in &t.children {
        info::child_removed(ctx, old, c, Some(true));
    }
}

/// An ordinary rekey completed (either role): `sa` is replaced by a new
/// IKE SA that takes everything over.
pub(super) fn spawn(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    role: SaRole,
    spis: (u64, u64),
    keys: Keys,
    ike: Selected,
) {
    let mut new = build(ctx, sa, role, spis, keys, ike);
    let t = carry(sa, est);
    // As responder, queued requests wait until our response went out.
    receive(ctx, &mut new, t, role == SaRole::Initiator);
    retire(ctx, sa, est);
    est.cc.get().handoffs.push(Handoff::Rekeyed(Box::new(new)));
}

/// Responder while our own rekey of `sa` is in flight: the peer's new SA
/// is built and handed to the endpoint, but nothing moves until our
/// response says which SA survives.
pub(super) fn hold(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    spis: (u64, u64),
    keys: Keys,
    ike: Selected,
    low: Vec<u8>,
) {
    let mut new = build(ctx, sa, SaRole::Responder, spis, keys, ike);
    // Forgotten after the retransmission schedule unless it wins.
    let retransmit = ctx
        .peers
        .get(sa.peer)
        .map(|p| p.retransmit)
        .unwrap_or_default();
    new.expires = ctx.now.checked_add(retransmit.give_up_after());
    if let State::Established(e) = &mut new.state {
        e.cc.get().parent = Some(sa.handle);
    }
    let b = est.cc.get();
    b.passive = Some(Passive { handle: None, low });
    b.handoffs.push(Handoff::Passive(Box::new(new)));
}

/// A request about Child SAs arrived on `est`'s SA: if it is the peer's
/// side of a collision not settled here yet, the peer treats it as the
/// survivor (it only does once its nonces won or its own rekey completed
/// first), so the old SA is asked to hand the Child SAs over and the
/// request waits for the peer's retransmission. Returns true if so.
pub(crate) fn defer(est: &mut Established) -> bool {
    let Some(b) = est.cc.0.as_mut() else {
        return false;
    };
    match b.parent.take() {
        Some(parent) => {
            b.handoffs.push(Handoff::Settle(parent));
            true
        }
        None => false,
    }
}

/// The endpoint adopted the peer's SA [`hold`] handed over, as `handle`.
pub(crate) fn adopted(sa: &mut IkeSa, handle: SaHandle) {
    if let State::Established(e) = &mut sa.state {
        if let Some(p) = e.cc.get().passive.as_mut() {
            p.handle = Some(handle);
        }
    }
}

/// The peer's SA takes over from `sa`. False if there is none (or it was
/// never adopted).
fn adopt_passive(ctx: &mut Ctx<'_>, sa: &mut IkeSa, est: &mut Established, p: &Passive) -> bool {
    let Some(to) = p.handle else {
        return false;
    };
    let t = carry(sa, est);
    retire(ctx, sa, est);
    ctx.event(Some(sa.handle), Event::IkeSaRekeyed { new: to });
    est.cc
        .get()
        .handoffs
        .push(Handoff::Transfer(to, Box::new(t)));
    true
}

/// Our IKE SA rekey completed with keys for the SA `spis`; `low` is the
/// lower of its two nonces. Without a collision, or if ours won, it takes
/// over and we delete `sa`; if ours lost, we delete it and the peer's
/// takes over.
pub(super) fn completed(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    low: Vec<u8>,
    spis: (u64, u64),
    keys: Keys,
    ike: Selected,
) -> Followup {
    if est.cc.superseded() {
        // The peer's SA took over meanwhile (it used it): ours is redundant.
        ctx.stats.rekeys.ike_collisions_lost += 1;
        redundant(ctx, sa, est, spis, keys, ike);
        return Followup::None;
    }
    let passive = est.cc.get().passive.take();
    if let Some(p) = passive.filter(|p| p.handle.is_some()) {
        let we_lost = lowest(&low, &p.low);
        ctx.event(
            Some(sa.handle),
            Event::RekeyCollision {
                child: None,
                collision: Collision::SimultaneousIkeRekey {
                    we_won: !we_lost,
                    ours_lowest: low,
                    theirs_lowest: p.low.clone(),
                },
            },
        );
        if we_lost {
            ctx.stats.rekeys.ike_collisions_lost += 1;
            redundant(ctx, sa, est, spis, keys, ike);
            adopt_passive(ctx, sa, est, &p);
            return Followup::None;
        }
        // The peer deletes its redundant SA (it expires here otherwise).
        ctx.stats.rekeys.ike_collisions_won += 1;
    }
    spawn(ctx, sa, est, SaRole::Initiator, spis, keys, ike);
    // The initiator of the surviving rekey deletes the old IKE SA.
    Followup::Queue(info::delete_ike())
}

/// Our new SA `spis` is redundant: we created it, so we delete it (RFC
/// 7296 §2.8.2) with a Delete under its own keys.
fn redundant(
    ctx: &mut Ctx<'_>,
    sa: &IkeSa,
    est: &mut Established,
    spis: (u64, u64),
    keys: Keys,
    ike: Selected,
) {
    let mut new = build(ctx, sa, SaRole::Initiator, spis, keys, ike);
    let _ = new.queue_request(ctx, info::delete_ike());
    est.cc
        .get()
        .handoffs
        .push(Handoff::Redundant(Box::new(new)));
}

/// Our rekey of `sa` failed (an error response) while the peer's
/// completed: the peer's SA takes over (it did not see the collision, or
/// refused ours because its own was done). Returns true if so.
pub(super) fn conclude(ctx: &mut Ctx<'_>, sa: &mut IkeSa, est: &mut Established) -> bool {
    let Some(p) = est.cc.get().passive.take() else {
        return false;
    };
    if p.handle.is_none() {
        return false;
    }
    ctx.stats.rekeys.ike_collisions_conceded += 1;
    ctx.event(
        Some(sa.handle),
        Event::RekeyCollision {
            child: None,
            collision: Collision::PeerRekeyWins,
        },
    );
    adopt_passive(ctx, sa, est, &p)
}

/// The peer deletes `sa` (established), or uses the SA of its rekey that
/// collided with ours: if that rekey is pending here, its SA takes the
/// Child SAs over.
pub(crate) fn concede(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    let _ = rekey::with_est(sa, |sa, est| conclude(ctx, sa, est));
}

#[cfg(test)]
mod tests {
    use super::lowest;
    use proptest::prelude::*;

    proptest! {
        /// Both ends run `lowest` with the roles swapped: for nonces that
        /// differ within their common length exactly one side loses, so
        /// they agree on the survivor with no extra round trip.
        #[test]
        fn exactly_one_side_loses(
            a in proptest::collection::vec(any::<u8>(), 16..64),
            b in proptest::collection::vec(any::<u8>(), 16..64),
        ) {
            let n = a.len().min(b.len());
            prop_assume!(a[..n] != b[..n]);
            prop_assert!(lowest(&a, &b) != lowest(&b, &a));
        }
    }

    #[test]
    fn the_lowest_nonce_compares_over_the_common_length() {
        assert!(lowest(&[1, 2, 3], &[1, 2, 4]));
        assert!(!lowest(&[1, 2, 4], &[1, 2, 3]));
        assert!(lowest(&[0, 0xff], &[1]));
        // Equal prefixes: neither side calls its own SA the loser, as in
        // strongSwan (2^-128 for random nonces).
        assert!(!lowest(&[1, 2], &[1, 2, 0]));
        assert!(!lowest(&[1, 2, 0], &[1, 2]));
    }
}
