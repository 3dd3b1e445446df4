//! Per-IKE-SA timers as one table of deadlines (quinn's `TimerTable`).
//!
//! Every timer an IKE SA runs is a variant of [`Timer`]; the table holds at
//! most one deadline per variant, and [`TimerTable::next_timeout`] is the
//! minimum over them, which is what the SA reports as its wake-up time. The
//! caller passes the current time in; nothing here reads a clock.
//!
//! Time is [`std::time::Instant`]: it is what embedders' event loops use
//! (tokio's `Instant` converts into it), it is monotonic, and it keeps the
//! API free of a project-specific clock type. The simulator stays
//! deterministic because it takes one `Instant` as its epoch and only ever
//! adds durations to it; nothing depends on the absolute value.

use std::time::Instant;

/// The timers of an IKE SA.
///
/// Used so far by the message-ID window (`Retransmit`); the others are
/// reserved for the exchanges that arm them and are documented with their
/// meaning so those exchanges fit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Timer {
    /// Retransmit the outstanding request (or give up): see `window`.
    Retransmit,
    /// Give up on an SA that has not reached ESTABLISHED (half-open limit).
    Establish,
    /// Liveness check (DPD) if nothing was received for the interval.
    Liveness,
    /// NAT keepalive (RFC 3948) when behind a NAT.
    NatKeepalive,
    /// Soft lifetime: start rekeying the IKE SA.
    Rekey,
    /// Reauthenticate instead of rekeying (make-before-break).
    Reauth,
    /// Hard lifetime: delete the IKE SA.
    Expire,
    /// Discard an incomplete set of IKE fragments (RFC 7383).
    Reassembly,
    /// The earliest Child SA deadline: soft lifetime (rekey), hard
    /// lifetime (delete), or the end of a replaced SA's overlap.
    ChildSa,
    /// Send a queued request whose time has come (a retry after
    /// TEMPORARY_FAILURE, or one waiting for the window).
    Queue,
}

impl Timer {
    /// Every timer, in table order.
    pub const ALL: [Self; 10] = [
        Self::Retransmit,
        Self::Establish,
        Self::Liveness,
        Self::NatKeepalive,
        Self::Rekey,
        Self::Reauth,
        Self::Expire,
        Self::Reassembly,
        Self::ChildSa,
        Self::Queue,
    ];

    const fn index(self) -> usize {
        match self {
            Self::Retransmit => 0,
            Self::Establish => 1,
            Self::Liveness => 2,
            Self::NatKeepalive => 3,
            Self::Rekey => 4,
            Self::Reauth => 5,
            Self::Expire => 6,
            Self::Reassembly => 7,
            Self::ChildSa => 8,
            Self::Queue => 9,
        }
    }
}

/// One optional deadline per [`Timer`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimerTable {
    data: [Option<Instant>; Timer::ALL.len()],
}

impl TimerTable {
    /// Arms (or re-arms) `timer` for `deadline`.
    pub fn set(&mut self, timer: Timer, deadline: Instant) {
        if let Some(slot) = self.data.get_mut(timer.index()) {
            *slot = Some(deadline);
        }
    }

    /// The deadline of `timer`, if armed.
    #[must_use]
    pub fn get(&self, timer: Timer) -> Option<Instant> {
        self.data.get(timer.index()).copied().flatten()
    }

    /// Disarms `timer`.
    pub fn stop(&mut self, timer: Timer) {
        if let Some(slot) = self.data.get_mut(timer.index()) {
            *slot = None;
        }
    }

    /// Disarms every timer (SA deleted).
    pub fn stop_all(&mut self) {
        self.data = Default::default();
    }

    /// True if `timer` is armed and its deadline is not after `now`.
    #[must_use]
    pub fn is_expired(&self, timer: Timer, now: Instant) -> bool {
        self.get(timer).is_some_and(|t| t <= now)
    }

    /// The earliest deadline of any armed timer.
    #[must_use]
    pub fn next_timeout(&self) -> Option<Instant> {
        self.data.iter().flatten().min().copied()
    }

    /// Disarms and returns the expired timer with the earliest deadline
    /// (ties in table order); call repeatedly until `None`.
    pub fn take_expired(&mut self, now: Instant) -> Option<Timer> {
        let (timer, _) = Timer::ALL
            .iter()
            .filter_map(|t| self.get(*t).filter(|d| *d <= now).map(|d| (*t, d)))
            .min_by_key(|(t, d)| (*d, t.index()))?;
        self.stop(timer);
        Some(timer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    #[test]
    fn min_over_armed_timers() {
        let t0 = Instant::now();
        let mut tt = TimerTable::default();
        assert_eq!(tt.next_timeout(), None);
        tt.set(Timer::Liveness, t0 + Duration::from_secs(30));
        tt.set(Timer::Retransmit, t0 + Duration::from_secs(4));
        assert_eq!(tt.next_timeout(), Some(t0 + Duration::from_secs(4)));
        tt.stop(Timer::Retransmit);
        assert_eq!(tt.next_timeout(), Some(t0 + Duration::from_secs(30)));
        assert!(!tt.is_expired(Timer::Liveness, t0));
        assert!(tt.is_expired(Timer::Liveness, t0 + Duration::from_secs(30)));
        tt.stop_all();
        assert_eq!(tt.next_timeout(), None);
    }

    #[test]
    fn take_expired_in_deadline_order() {
        let t0 = Instant::now();
        let mut tt = TimerTable::default();
        tt.set(Timer::Expire, t0 + Duration::from_secs(1));
        tt.set(Timer::Rekey, t0 + Duration::from_secs(2));
        tt.set(Timer::Retransmit, t0 + Duration::from_secs(2));
        tt.set(Timer::Reassembly, t0 + Duration::from_secs(9));
        let now = t0 + Duration::from_secs(5);
        assert_eq!(tt.take_expired(now), Some(Timer::Expire));
        assert_eq!(tt.take_expired(now), Some(Timer::Retransmit));
        assert_eq!(tt.take_expired(now), Some(Timer::Rekey));
        assert_eq!(tt.take_expired(now), None);
        assert_eq!(tt.next_timeout(), Some(t0 + Duration::from_secs(9)));
    }

    proptest! {
        #[test]
        fn next_timeout_is_min(ops in proptest::collection::vec((0usize..10, proptest::option::of(0u64..1000)), 0..40)) {
            let t0 = Instant::now();
            let mut tt = TimerTable::default();
            let mut model = [None::<u64>; 10];
            for (i, v) in ops {
                let timer = Timer::ALL[i];
                match v {
                    Some(ms) => { tt.set(timer, t0 + Duration::from_millis(ms)); model[i] = Some(ms); }
                    None => { tt.stop(timer); model[i] = None; }
                }
                let expect = model.iter().flatten().min().map(|ms| t0 + Duration::from_millis(*ms));
                prop_assert_eq!(tt.next_timeout(), expect);
            }
        }
    }
}
