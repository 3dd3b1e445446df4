//! Retrying a failed reauthentication (issue 6). When the new IKE SA of a
//! reauthentication fails (no answer, AUTHENTICATION_FAILED,
//! NO_PROPOSAL_CHOSEN, deleted before it was up, ...), the old IKE SA is
//! still up until its hard lifetime ([`Timer::Expire`]). Instead of letting
//! the tunnel drop then, the old SA re-arms [`Timer::Reauth`] and a fresh
//! reauthentication starts when it fires, as strongSwan retries a failed
//! rekey or reauthentication.
//!
//! The delay before attempt `n + 1` (after `n` failures) is
//! [`FIRST_RETRY`] doubled per earlier failure (15, 30, 60, 120, then
//! 240 s), capped at half the time left before the hard lifetime, and
//! jittered down by up to a third (so two peers that failed together do
//! not retry in lockstep). The retry is thus always before the hard
//! lifetime, and a peer that refuses us is not hammered. Every failure is
//! retried, AUTHENTICATION_FAILED included: it is most often a
//! configuration or credential problem, but one that an operator may fix
//! before the hard lifetime, and a few exchanges spaced minutes apart cost
//! little. There is no retry when the old IKE SA is no longer established,
//! is being deleted (by the user or the peer), was rekeyed, or when too
//! little time is left (under [`MIN_RETRY`]); the SA then goes at its hard
//! lifetime as before.
//!
//! The attempt count lives in the endpoint, only for IKE SAs whose
//! reauthentication failed (no memory per SA).

use std::time::Duration;

use super::{Ctx, IkeSa, State};
use crate::timer::Timer;

/// The delay before the first retry, before jitter.
pub(crate) const FIRST_RETRY: Duration = Duration::from_secs(15);

/// Doublings of [`FIRST_RETRY`] at most (15 s up to 240 s).
const MAX_DOUBLINGS: u32 = 4;

/// No retry is armed when less than this would be left of the delay
/// (the hard lifetime is too close for a reauthentication to help).
pub(crate) const MIN_RETRY: Duration = Duration::from_millis(500);

/// Whether the reauthentication of `old` may be retried at all.
pub(crate) fn may_retry(old: &IkeSa) -> bool {
    match &old.state {
        State::Established(e) => !e.cc.superseded() && !old.queue.deleting_ike_sa(),
        _ => false,
    }
}

/// The delay before the retry that follows `failures` failed attempts,
/// given the time `left` before the hard lifetime (`None`: no hard
/// lifetime) and a random value for the jitter; `None` when no retry fits.
pub(crate) fn delay(failures: u32, left: Option<Duration>, random: u64) -> Option<Duration> {
    let doublings = failures.saturating_sub(1).min(MAX_DOUBLINGS);
    let mut base = FIRST_RETRY.saturating_mul(1 << doublings);
    if let Some(left) = left {
        base = base.min(left / 2);
    }
    let third = u64::try_from((base / 3).as_millis()).unwrap_or(u64::MAX);
    let cut = if third == 0 {
        0
    } else {
        random % third.saturating_add(1)
    };
    let d = base.saturating_sub(Duration::from_millis(cut));
    (d >= MIN_RETRY).then_some(d)
}

/// Arms the retry on `old` after its `failures`-th failed
/// reauthentication; returns the delay, `None` when none is armed.
pub(crate) fn arm(ctx: &mut Ctx<'_>, old: &mut IkeSa, failures: u32) -> Option<Duration> {
    if !may_retry(old) {
        return None;
    }
    let left = old
        .timers
        .get(Timer::Expire)
        .map(|e| e.saturating_duration_since(ctx.now));
    let d = delay(failures, left, super::child::random_u64(ctx))?;
    let at = ctx.now.checked_add(d)?;
    old.timers.set(Timer::Reauth, at);
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_and_stays_before_the_hard_lifetime() {
        let s = Duration::from_secs;
        // No jitter (random 0): 15, 30, 60, 120, 240, 240 s.
        let plain: Vec<_> = (1..=6).map(|n| delay(n, None, 0).unwrap()).collect();
        assert_eq!(plain, [s(15), s(30), s(60), s(120), s(240), s(240)]);
        // Jitter takes up to a third off, never more.
        for r in [1, 4_999, 5_000, 5_001, u64::MAX] {
            let d = delay(1, None, r).unwrap();
            assert!(d >= s(10) && d <= s(15), "{d:?}");
        }
        assert_eq!(delay(1, None, 5_000), Some(s(10)));
        // Capped at half the time left.
        assert_eq!(delay(5, Some(s(100)), 0), Some(s(50)));
        assert!(delay(5, Some(s(100)), u64::MAX).unwrap() < s(100));
        // Too close to the hard lifetime: none.
        assert_eq!(delay(1, Some(Duration::from_millis(900)), 0), None);
        assert_eq!(delay(1, Some(Duration::ZERO), 0), None);
        // A huge count does not overflow.
        assert_eq!(delay(u32::MAX, None, 0), Some(s(240)));
    }

    proptest::proptest! {
        #[test]
        fn never_past_the_hard_lifetime(
            failures in 0u32..100,
            left_ms in proptest::option::of(0u64..10_000_000),
            random: u64,
        ) {
            let left = left_ms.map(Duration::from_millis);
            match delay(failures, left, random) {
                Some(d) => {
                    proptest::prop_assert!(d >= MIN_RETRY);
                    proptest::prop_assert!(d <= FIRST_RETRY * 16);
                    if let Some(l) = left {
                        proptest::prop_assert!(d <= l / 2 && d < l);
                    }
                }
                // Only when the hard lifetime is too close.
                None => proptest::prop_assert!(left.is_some_and(|l| l / 2 < MIN_RETRY * 3 / 2)),
            }
        }
    }
}
