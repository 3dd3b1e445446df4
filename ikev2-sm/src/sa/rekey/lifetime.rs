//! Lifetimes and volume limits (RFC 7296 §2.8): the IKE SA's soft and
//! hard deadlines, the Child SAs' rekey, expiry and retirement deadlines
//! behind one timer, and the data plane's limits.

use ikev2_wire::ExchangeType;

use super::{queue_want, remove_all_children, superseded, with_est, Want};
use crate::events::{Event, Failure};
use crate::sa::child::{self, Status};
use crate::sa::delete::DeleteRetired;
use crate::sa::{Ctx, IkeSa, State};
use crate::timer::Timer;

/// Re-arms [`Timer::ChildSa`] to the earliest Child SA deadline.
pub(crate) fn rearm(sa: &mut IkeSa) {
    let next = sa
        .children
        .iter()
        .flat_map(|c| {
            let remove = match c.status {
                Status::Retiring { remove_at } => remove_at,
                _ => None,
            };
            let rekey = match c.status {
                Status::Active => c.rekey_at,
                _ => None,
            };
            [rekey, c.expire_at, remove]
        })
        .flatten()
        .min();
    match next {
        Some(t) => sa.timers.set(Timer::ChildSa, t),
        None => sa.timers.stop(Timer::ChildSa),
    }
}

/// Arms the IKE SA's soft and hard lifetimes (on establishment).
pub(crate) fn on_established(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    let Some(peer) = ctx.peers.get(sa.peer) else {
        return;
    };
    let life = peer.lifetimes;
    let jitter = child::random_u64(ctx);
    if let Some(t) = ctx.now.checked_add(life.rekey_after(jitter)) {
        sa.timers.set(Timer::Rekey, t);
    }
    if let Some(t) = ctx.now.checked_add(life.life_time) {
        sa.timers.set(Timer::Expire, t);
    }
    crate::sa::reauth::arm(ctx, sa);
}

/// The data plane reports a Child SA's soft or hard limit (bytes, packets).
pub(crate) fn child_expired(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spi_in: u32, hard: bool) -> bool {
    if !matches!(sa.state, State::Established(_)) {
        return false;
    }
    let Some(c) = sa.children.iter().find(|c| c.spi_in == spi_in).cloned() else {
        return false;
    };
    if hard {
        expire_child(ctx, sa, &c);
    } else {
        let _ = queue_want(ctx, sa, Want::RekeyChild(spi_in));
    }
    true
}

/// Hard limit: the SA goes from the data plane now; the peer is told.
fn expire_child(ctx: &mut Ctx<'_>, sa: &mut IkeSa, c: &crate::sa::ChildSa) {
    child::remove(ctx, sa, c.spi_in);
    if matches!(c.status, Status::Retiring { .. }) {
        return;
    }
    let _ = sa.queue_request(
        ctx,
        Box::new(DeleteRetired {
            spis: vec![c.spi_in],
        }),
    );
    if !matches!(c.status, Status::Redundant | Status::Standby { .. }) {
        ctx.event(
            Some(sa.handle),
            Event::ChildSaDeleted {
                name: c.name.clone(),
                spi_in: c.spi_in,
                spi_out: c.spi_out,
                by_peer: false,
            },
        );
    }
}

/// A timer of ours expired. Returns whether to remove the SA.
pub(crate) fn on_timer(ctx: &mut Ctx<'_>, sa: &mut IkeSa, timer: Timer) -> bool {
    if !matches!(sa.state, State::Established(_)) || superseded(sa) {
        return false;
    }
    match timer {
        Timer::Rekey => {
            let _ = queue_want(ctx, sa, Want::RekeyIke);
        }
        Timer::Expire => {
            // Hard lifetime: tell the peer once, then forget the SA.
            let mid = sa.requests.next_message_id();
            let bytes = match &sa.state {
                State::Established(e) => sa.protect(
                    ctx,
                    &e.keys,
                    ExchangeType::Informational,
                    false,
                    mid,
                    &[ikev2_wire::DeleteRepr::ike_sa().into()],
                ),
                _ => None,
            };
            if let Some(b) = bytes {
                ctx.transmit(sa.local, sa.remote, b);
            }
            remove_all_children(ctx, sa);
            let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
            ctx.fail(Some(sa.handle), sa.remote, name, Failure::Expired);
            return true;
        }
        Timer::ChildSa => {
            let now = ctx.now;
            for c in sa.children.clone() {
                if c.expire_at.is_some_and(|t| t <= now) {
                    expire_child(ctx, sa, &c);
                } else if let Status::Retiring { remove_at: Some(t) } = c.status {
                    if t <= now {
                        child::remove(ctx, sa, c.spi_in);
                    }
                } else if c.status == Status::Active && c.rekey_at.is_some_and(|t| t <= now) {
                    // Due once: a rekey that is skipped (a successor is
                    // already waiting) must not re-arm the past.
                    if let Some(x) = sa.children.iter_mut().find(|x| x.spi_in == c.spi_in) {
                        x.rekey_at = None;
                    }
                    let _ = queue_want(ctx, sa, Want::RekeyChild(c.spi_in));
                }
            }
            rearm(sa);
        }
        Timer::Queue => {
            let now = ctx.now;
            let due = with_est(sa, |sa, est| {
                let b = est.cc.get();
                let (due, later): (Vec<_>, Vec<_>) =
                    b.delayed.drain(..).partition(|(_, t)| *t <= now);
                b.delayed = later;
                if let Some(t) = b.delayed.iter().map(|(_, t)| *t).min() {
                    sa.timers.set(Timer::Queue, t);
                }
                due
            })
            .unwrap_or_default();
            for (w, _) in due {
                let _ = queue_want(ctx, sa, w);
            }
            sa.start_next(ctx);
        }
        _ => {}
    }
    false
}
