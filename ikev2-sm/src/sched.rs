//! The endpoint-wide deadline heap: which IKE SA needs
//! [`Input::Timeout`](crate::Input::Timeout) next, in O(log n).
//!
//! Each SA's deadline is the minimum of its request window's
//! retransmission, its `expires` and its [`TimerTable`](crate::timer::TimerTable).
//! The endpoint records the deadline it last scheduled for every slab slot
//! and pushes `(deadline, slot, generation)` only when it changes
//! ([`Schedule::update`]). Entries are invalidated lazily: an entry counts
//! only while the slot has the same generation and the same scheduled
//! deadline, so moving or cancelling a deadline costs nothing but a push,
//! and stale entries are discarded when they reach the top. When stale
//! entries outnumber live ones the heap is rebuilt ([`Schedule::compact`]),
//! so memory stays proportional to the number of SAs.
//!
//! Invariant kept by the endpoint: after every public call, the top of the
//! heap is a valid entry (or the heap is empty), so [`Schedule::peek`] is
//! the next deadline without a scan.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

/// One heap entry: deadline, slot index, slot generation.
type Entry = Reverse<(Instant, u32, u32)>;

/// A min-heap of per-slot deadlines with lazy invalidation.
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    heap: BinaryHeap<Entry>,
}

impl Schedule {
    /// Sets the deadline of slot `index` (generation `generation`) to
    /// `deadline`, where `current` is what was scheduled for it so far.
    pub(crate) fn update(
        &mut self,
        current: &mut Option<Instant>,
        index: u32,
        generation: u32,
        deadline: Option<Instant>,
    ) {
        if *current == deadline {
            return;
        }
        *current = deadline;
        if let Some(t) = deadline {
            self.heap.push(Reverse((t, index, generation)));
        }
    }

    /// The earliest deadline at the top (valid once [`Self::clean`] ran).
    pub(crate) fn peek(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Discards stale entries from the top; `valid(index, generation,
    /// deadline)` says whether an entry is still the slot's deadline.
    pub(crate) fn clean(&mut self, valid: impl Fn(u32, u32, Instant) -> bool) {
        while let Some(Reverse((t, i, g))) = self.heap.peek() {
            if valid(*i, *g, *t) {
                return;
            }
            self.heap.pop();
        }
    }

    /// Pops every valid entry due at `now`; returns their slot indices in
    /// ascending order, without duplicates.
    pub(crate) fn pop_due(
        &mut self,
        now: Instant,
        valid: impl Fn(u32, u32, Instant) -> bool,
    ) -> Vec<u32> {
        let mut due = Vec::new();
        while let Some(Reverse((t, i, g))) = self.heap.peek() {
            if *t > now {
                break;
            }
            if valid(*i, *g, *t) {
                due.push(*i);
            }
            self.heap.pop();
        }
        due.sort_unstable();
        due.dedup();
        due
    }

    /// Entries held (live and stale).
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Rebuilds the heap from the live deadlines (O(n)).
    pub(crate) fn compact(&mut self, live: impl Iterator<Item = (Instant, u32, u32)>) {
        self.heap = live.map(Reverse).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    /// A model: per slot (generation, scheduled deadline).
    struct Model {
        sched: Schedule,
        slots: Vec<(u32, Option<Instant>)>,
    }

    impl Model {
        fn set(&mut self, i: usize, d: Option<Instant>) {
            let (g, cur) = &mut self.slots[i];
            self.sched.update(cur, i as u32, *g, d);
        }
        fn clean(&mut self) {
            let slots = &self.slots;
            self.sched.clean(|i, g, t| {
                slots
                    .get(i as usize)
                    .is_some_and(|(sg, d)| *sg == g && *d == Some(t))
            });
        }
        fn scan(&self) -> Option<Instant> {
            self.slots.iter().filter_map(|(_, d)| *d).min()
        }
    }

    #[test]
    fn next_deadline_of_100k_slots_follows_updates_and_removals() {
        let t0 = Instant::now();
        let n = 100_000usize;
        let mut m = Model {
            sched: Schedule::default(),
            slots: vec![(0, None); n],
        };
        for i in 0..n {
            // Scrambled deadlines, a millisecond apart.
            let ms = (i as u64 * 7919) % n as u64;
            m.set(i, Some(t0 + Duration::from_millis(ms)));
        }
        m.clean();
        assert_eq!(m.sched.peek(), Some(t0));
        // Remove the earliest half in a scrambled order, moving some later.
        for k in 0..n / 2 {
            let i = (k * 104_729) % n;
            if k % 3 == 0 {
                m.set(i, Some(t0 + Duration::from_secs(1000)));
            } else {
                m.slots[i].0 += 1; // slot reused: a new generation
                m.slots[i].1 = None;
            }
            m.clean();
            if k % 997 == 0 {
                assert_eq!(m.sched.peek(), m.scan(), "after {k} changes");
            }
        }
        m.clean();
        assert_eq!(m.sched.peek(), m.scan());
        let live: Vec<_> = m
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, (g, d))| d.map(|t| (t, i as u32, *g)))
            .collect();
        m.sched.compact(live.into_iter());
        assert_eq!(m.sched.peek(), m.scan());
    }

    proptest! {
        #[test]
        fn pop_due_returns_exactly_the_due_slots(
            ops in proptest::collection::vec((0usize..16, proptest::option::of(0u64..100)), 0..80),
            now in 0u64..100,
        ) {
            let t0 = Instant::now();
            let mut m = Model { sched: Schedule::default(), slots: vec![(0, None); 16] };
            for (i, ms) in ops {
                m.set(i, ms.map(|ms| t0 + Duration::from_millis(ms)));
                m.clean();
                prop_assert_eq!(m.sched.peek(), m.scan());
            }
            let now = t0 + Duration::from_millis(now);
            let expect: Vec<u32> = m.slots.iter().enumerate()
                .filter(|(_, (_, d))| d.is_some_and(|t| t <= now))
                .map(|(i, _)| i as u32).collect();
            let slots = &m.slots;
            let due = m.sched.pop_due(now, |i, g, t| {
                slots.get(i as usize).is_some_and(|(sg, d)| *sg == g && *d == Some(t))
            });
            prop_assert_eq!(due, expect);
        }
    }
}
