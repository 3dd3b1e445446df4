//! Reauthentication (RFC 7296 §2.8.3), make-before-break: instead of
//! rekeying an IKE SA, a new one is set up from scratch with the same peer
//! (IKE_SA_INIT and IKE_AUTH with full authentication, PSK or
//! certificates), every Child SA of the old one is recreated on it (the
//! first in IKE_AUTH, the others by CREATE_CHILD_SA), and only then is the
//! old IKE SA deleted, which removes its Child SAs. This is strongSwan's
//! `reauth_time` with `make_before_break = yes`.
//!
//! Pieces:
//! - [`arm`] / [`inherit`]: the jittered [`Timer::Reauth`] deadline from
//!   [`PeerConfig::reauth_time`], armed on establishment and kept across
//!   IKE SA rekeys (as strongSwan does); when it comes first the IKE rekey
//!   is not armed and the hard lifetime follows it.
//! - [`plan`]: what the new IKE SA recreates (one Child SA per live one of
//!   the old SA, by child configuration) and which child IKE_AUTH carries
//!   ([`AuthChild`]).
//! - [`Link`] and [`progress`]: one reauthentication under way, kept by the
//!   endpoint (`endpoint/reauth.rs`) and advanced after every input: when
//!   the new IKE SA is up the other Child SAs are queued on it; when its
//!   request queue is idle, the old SA reports
//!   [`Event::IkeSaReauthenticated`] and deletes itself; if the new SA
//!   fails or goes away first, the old one reports
//!   [`Failure::ReauthFailed`], stays, and retries later
//!   (`reauth_retry.rs`).
//!
//! No INITIAL_CONTACT is sent on a reauthentication: it would make the peer
//! drop the old IKE SA, and its Child SAs, before the new ones are up. The
//! responder needs nothing special: its old IKE SA (and only its Child SAs)
//! go when the peer's Delete arrives; Child SAs with the same selectors
//! coexist meanwhile, told apart by SPI.
//!
//! Both ends reauthenticating the same IKE SA at once is settled in
//! `reauth_collision.rs` (the [`Link`]'s phase).

use std::time::Instant;

use super::child::Status;
use super::{Ctx, IkeSa, State};
use crate::config::{ChildConfig, Lifetimes, PeerConfig};
use crate::endpoint::SaHandle;
use crate::events::{Event, Failure};
use crate::timer::Timer;

/// The child configuration an initiator's IKE_AUTH carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum AuthChild {
    /// The configuration's first child (a normal initiation).
    #[default]
    First,
    /// The child configuration at this index (a reauthentication whose old
    /// IKE SA carries one of its Child SAs).
    Config(usize),
    /// None (a reauthentication of an IKE SA without Child SAs).
    Nothing,
}

/// The child configuration `pick` names in `peer`.
pub(crate) fn auth_child(peer: &PeerConfig, pick: AuthChild) -> Option<&ChildConfig> {
    match pick {
        AuthChild::First => peer.children.first(),
        AuthChild::Config(i) => peer.children.get(i),
        AuthChild::Nothing => None,
    }
}

/// Arms [`Timer::Reauth`] on an IKE SA just established (both roles), if
/// its configuration asks for reauthentication.
pub(crate) fn arm(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    let Some(peer) = ctx.peers.get(sa.peer) else {
        return;
    };
    let reauth = peer.reauth_time;
    if reauth.is_zero() {
        return;
    }
    // The same jitter rule as the rekey: up to `rand_time` earlier.
    let jitter = Lifetimes {
        rekey_time: reauth,
        life_time: reauth,
        rand_time: peer.lifetimes.rand_time.min(reauth),
    };
    let lifetimes = peer.lifetimes;
    let after = jitter.rekey_after(super::child::random_u64(ctx));
    if let Some(at) = ctx.now.checked_add(after) {
        schedule(sa, &lifetimes, at);
    }
}

/// An IKE SA rekey replaced `old` by `new`: the reauthentication deadline
/// carries over (it is about the authentication, which a rekey does not
/// renew).
pub(crate) fn inherit(ctx: &Ctx<'_>, old: &IkeSa, new: &mut IkeSa) {
    let Some(peer) = ctx.peers.get(new.peer) else {
        return;
    };
    if peer.reauth_time.is_zero() {
        return;
    }
    match old.timers.get(Timer::Reauth) {
        Some(at) => schedule(new, &peer.lifetimes, at),
        // A reauthentication is under way on the old SA: it replaces this
        // one too.
        None => new.timers.stop(Timer::Reauth),
    }
}

/// Sets the reauthentication deadline `at`; the rekey, if later, is
/// dropped, and the hard lifetime is at most `at` plus strongSwan's
/// `over_time` (`life_time - rekey_time`).
fn schedule(sa: &mut IkeSa, lifetimes: &Lifetimes, at: Instant) {
    sa.timers.set(Timer::Reauth, at);
    if sa.timers.get(Timer::Rekey).is_some_and(|r| r >= at) {
        sa.timers.stop(Timer::Rekey);
    }
    let over = lifetimes.life_time.saturating_sub(lifetimes.rekey_time);
    if let Some(hard) = at.checked_add(over) {
        if sa.timers.get(Timer::Expire).is_none_or(|e| hard < e) {
            sa.timers.set(Timer::Expire, hard);
        }
    }
}

/// Whether a Child SA is one the old IKE SA "has" for the purpose of
/// recreating it: carrying traffic, or about to (a responder's rekey
/// result whose predecessor is gone). Replaced, redundant and standby SAs
/// whose predecessor is still there are not counted twice.
fn live(sa: &IkeSa, status: &Status) -> bool {
    match status {
        Status::Active | Status::Rekeying { .. } => true,
        Status::Standby { old_spi_in } => !sa.children.iter().any(|c| c.spi_in == *old_spi_in),
        Status::Retiring { .. } | Status::Redundant => false,
    }
}

/// What a reauthentication of `sa` recreates: the child configuration
/// names of its live Child SAs (one per Child SA) and the one IKE_AUTH
/// carries (the configuration's first child if among them, else the first
/// of them).
pub(crate) fn plan(peer: &PeerConfig, sa: &IkeSa) -> (AuthChild, Vec<String>) {
    let wanted: Vec<String> = sa
        .children
        .iter()
        .filter(|c| live(sa, &c.status))
        .map(|c| c.name.clone())
        .filter(|n| peer.children.iter().any(|c| &c.name == n))
        .collect();
    let index = |name: &str| peer.children.iter().position(|c| c.name == name);
    let first = peer
        .children
        .first()
        .filter(|c| wanted.contains(&c.name))
        .map(|_| 0)
        .or_else(|| wanted.first().and_then(|n| index(n)));
    let pick = first.map_or(AuthChild::Nothing, AuthChild::Config);
    (pick, wanted)
}

/// One reauthentication under way: the old IKE SA, its replacement, and
/// what the replacement is to carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// The IKE SA being replaced.
    pub(crate) old: SaHandle,
    /// The new IKE SA.
    pub(crate) new: SaHandle,
    /// Child configuration names to recreate, one per old Child SA.
    pub(crate) wanted: Vec<String>,
    /// The ones left for CREATE_CHILD_SA, queued once `new` is up.
    pub(crate) rest: Vec<String>,
    /// When it started.
    pub(crate) started: Instant,
    /// Where it stands with respect to a simultaneous reauthentication
    /// by the peer (`reauth_collision.rs`).
    pub(crate) phase: super::reauth_collision::Phase,
    /// IKE SAs set up since it started that may be the peer's colliding
    /// reauthentication (checked once `new` is up).
    pub(crate) candidates: Vec<SaHandle>,
    /// Which attempt this is (1, then one more per retry).
    pub(crate) attempt: u32,
}

impl Link {
    /// A link for `old` replaced by `new` from `started` on, IKE_AUTH
    /// carrying `pick`.
    pub(crate) fn new(
        peer: &PeerConfig,
        (old, new): (SaHandle, SaHandle),
        started: Instant,
        pick: AuthChild,
        wanted: Vec<String>,
    ) -> Self {
        let mut rest = wanted.clone();
        if let Some(c) = auth_child(peer, pick) {
            if let Some(i) = rest.iter().position(|n| *n == c.name) {
                rest.remove(i);
            }
        }
        Self {
            old,
            new,
            wanted,
            rest,
            started,
            phase: super::reauth_collision::Phase::Building,
            candidates: Vec::new(),
            attempt: 1,
        }
    }
}

/// Where a reauthentication stands after [`progress`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Still setting up.
    Wait,
    /// The new IKE SA is gone before it was complete.
    Failed,
    /// Done; these child configurations could not be recreated.
    Done(Vec<String>),
}

/// Advances `link` given the new IKE SA as it is now (`None`: removed).
pub(crate) fn progress(ctx: &mut Ctx<'_>, link: &mut Link, new: Option<&mut IkeSa>) -> Progress {
    let Some(sa) = new else {
        return Progress::Failed;
    };
    if !matches!(sa.state, State::Established(_)) {
        return Progress::Wait;
    }
    for name in std::mem::take(&mut link.rest) {
        // A refusal (queue full, deleting) shows up as a missing child.
        let _ = super::rekey::command(ctx, sa, super::rekey::Want::NewChild(name));
    }
    // Done once nothing is queued, in flight or waiting for a retry.
    if !sa.queue.is_idle() || sa.timers.get(Timer::Queue).is_some() {
        return Progress::Wait;
    }
    Progress::Done(missing(sa, &link.wanted))
}

/// The child configurations of `wanted` (one per Child SA) that `sa` does
/// not carry.
pub(crate) fn missing(sa: &IkeSa, wanted: &[String]) -> Vec<String> {
    let mut have: Vec<&str> = sa
        .children
        .iter()
        .filter(|c| live(sa, &c.status))
        .map(|c| c.name.as_str())
        .collect();
    let mut missing = Vec::new();
    for name in wanted {
        match have.iter().position(|n| n == name) {
            Some(i) => {
                have.swap_remove(i);
            }
            None => missing.push(name.clone()),
        }
    }
    missing
}

/// The reauthentication of `old` completed with `new`: reports it and
/// starts the delete of the old IKE SA (its Child SAs go when the delete
/// is answered or given up).
pub(crate) fn finish(ctx: &mut Ctx<'_>, old: &mut IkeSa, new: SaHandle, missing: Vec<String>) {
    ctx.stats.reauth.completed += 1;
    ctx.stats.reauth.children_missing += missing.len() as u64;
    ctx.event(
        Some(old.handle),
        Event::IkeSaReauthenticated { new, missing },
    );
    if matches!(old.state, State::Established(_)) && !old.queue.deleting_ike_sa() {
        let _ = old.queue_request(ctx, super::info::delete_ike());
    }
}

/// The `attempt`-th reauthentication of `old` failed: the old IKE SA
/// stays (up to its hard lifetime), arms a retry if it can
/// (`reauth_retry.rs`), and says why. Returns whether a retry is armed.
pub(crate) fn failed(
    ctx: &mut Ctx<'_>,
    old: &mut IkeSa,
    cause: Option<Failure>,
    attempt: u32,
) -> bool {
    ctx.stats.reauth.failed += 1;
    let retry_in = super::reauth_retry::arm(ctx, old, attempt);
    let name = ctx.peers.get(old.peer).map(|p| p.name.clone());
    ctx.fail(
        Some(old.handle),
        old.remote,
        name,
        Failure::ReauthFailed {
            cause: cause.map(Box::new),
            attempt,
            retry_in,
        },
    );
    retry_in.is_some()
}
