//! The peer's requests: the expected message IDs, duplicates answered
//! from the response cache, and drops counted by reason (RFC 7296 §2.1,
//! §2.2).

use core::fmt;
use std::collections::VecDeque;

/// Why a received request was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// Older than the window and no longer cached.
    TooOld,
    /// Beyond the window (the peer violated the window size).
    TooNew,
    /// A retransmission of a request we are still processing (e.g. waiting
    /// for an asynchronous signature); the response will follow.
    InProgress,
    /// A fragment other than number 1 of an answered request: only fragment
    /// 1 triggers a retransmission of the response (RFC 7383 §2.6.1).
    NotFirstFragment,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooOld => "request older than the window",
            Self::TooNew => "request beyond the window",
            Self::InProgress => "retransmitted request still being processed",
            Self::NotFirstFragment => "retransmitted fragment other than the first",
        })
    }
}

/// How to treat a received request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestVerdict<'a> {
    /// A new request: process it, then call [`ResponseWindow::respond`].
    New,
    /// A retransmission of an answered request: send these cached datagrams
    /// again, unchanged, and do nothing else.
    Replay(&'a [Vec<u8>]),
    /// Drop it (counted).
    Drop(DropReason),
    /// A fragment of a request not answered yet: add it to reassembly, then
    /// [`ResponseWindow::classify`] the complete message.
    Reassemble,
}

/// Counters of a [`ResponseWindow`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseStats {
    /// Requests accepted as new.
    pub new: u64,
    /// Retransmitted requests answered from the cache.
    pub replayed: u64,
    /// Dropped: too old.
    pub too_old: u64,
    /// Dropped: too new.
    pub too_new: u64,
    /// Dropped: still in progress.
    pub in_progress: u64,
    /// Dropped: retransmitted fragment other than number 1.
    pub not_first_fragment: u64,
}

/// The peer's requests: expected message IDs and the response cache.
#[derive(Debug, Clone, Default)]
pub struct ResponseWindow {
    /// Lowest message ID not yet answered.
    expected: u32,
    size: u32,
    /// Answered requests, oldest first, at most `size` entries.
    cache: VecDeque<(u32, Vec<Vec<u8>>)>,
    /// Accepted but not yet answered.
    in_progress: Vec<u32>,
    stats: ResponseStats,
}

impl ResponseWindow {
    /// Expects message ID 0 first, window size 1.
    #[must_use]
    pub fn new() -> Self {
        Self {
            size: 1,
            ..Self::default()
        }
    }

    /// Starts at `message_id` (e.g. 1 after a stateless IKE_SA_INIT).
    #[must_use]
    pub fn starting_at(message_id: u32) -> Self {
        Self {
            expected: message_id,
            ..Self::new()
        }
    }

    /// The window size we announced with SET_WINDOW_SIZE (at least 1).
    pub fn set_size(&mut self, size: u32) {
        self.size = size.max(1);
    }

    /// Lowest message ID not yet answered.
    #[must_use]
    pub fn expected(&self) -> u32 {
        self.expected
    }

    /// Counters.
    #[must_use]
    pub fn stats(&self) -> ResponseStats {
        self.stats
    }

    /// Classifies a request by message ID (call only for authenticated
    /// requests, or IKE_SA_INIT); counts the outcome.
    pub fn classify(&mut self, message_id: u32) -> RequestVerdict<'_> {
        if let Some(i) = self.cache.iter().position(|(id, _)| *id == message_id) {
            self.stats.replayed += 1;
            return match self.cache.get(i) {
                Some((_, d)) => RequestVerdict::Replay(d),
                None => RequestVerdict::Drop(DropReason::TooOld),
            };
        }
        if self.in_progress.contains(&message_id) {
            self.stats.in_progress += 1;
            return RequestVerdict::Drop(DropReason::InProgress);
        }
        if let Some(why) = self.out_of_window(message_id) {
            return RequestVerdict::Drop(why);
        }
        self.stats.new += 1;
        self.in_progress.push(message_id);
        RequestVerdict::New
    }

    /// Counts and names the drop of a request outside the window: below it
    /// (answered and forgotten) or beyond it.
    fn out_of_window(&mut self, message_id: u32) -> Option<DropReason> {
        if message_id < self.expected {
            self.stats.too_old += 1;
            Some(DropReason::TooOld)
        } else if message_id - self.expected >= self.size {
            self.stats.too_new += 1;
            Some(DropReason::TooNew)
        } else {
            None
        }
    }

    /// Classifies one fragment (RFC 7383 SKF payload) of a request before
    /// reassembly: fragment 1 of an answered request replays the cached
    /// response (all its fragments), other fragments of an answered request
    /// are dropped, fragments of a request inside the window and not yet
    /// answered go to reassembly; out-of-window ones are dropped as usual.
    pub fn classify_fragment(
        &mut self,
        message_id: u32,
        fragment_number: u16,
    ) -> RequestVerdict<'_> {
        let answered = self.cache.iter().any(|(id, _)| *id == message_id);
        if answered && fragment_number != 1 {
            self.stats.not_first_fragment += 1;
            return RequestVerdict::Drop(DropReason::NotFirstFragment);
        }
        if answered || self.in_progress.contains(&message_id) {
            return self.classify(message_id);
        }
        if let Some(why) = self.out_of_window(message_id) {
            return RequestVerdict::Drop(why);
        }
        RequestVerdict::Reassemble
    }

    /// Forgets a request [`classify`](Self::classify) accepted as new but
    /// that turned out not to be genuine (it failed decryption or does not
    /// belong in this state): the real request with this ID is still
    /// processed when it arrives (RFC 7296 §2.21.2).
    pub fn abandon(&mut self, message_id: u32) {
        if let Some(i) = self.in_progress.iter().position(|m| *m == message_id) {
            self.in_progress.swap_remove(i);
            self.stats.new = self.stats.new.saturating_sub(1);
        }
    }

    /// Stores the response to `message_id` (all its datagrams) for replay and
    /// advances the window. Returns false if that request was not accepted
    /// with [`RequestVerdict::New`].
    pub fn respond(&mut self, message_id: u32, datagrams: Vec<Vec<u8>>) -> bool {
        let Some(i) = self.in_progress.iter().position(|m| *m == message_id) else {
            return false;
        };
        self.in_progress.swap_remove(i);
        self.cache.push_back((message_id, datagrams));
        // Advance past every answered ID.
        while self.cache.iter().any(|(id, _)| *id == self.expected) {
            match self.expected.checked_add(1) {
                Some(n) => self.expected = n,
                None => break,
            }
        }
        // Evict the lowest message IDs below the window, keeping `size`
        // entries: the peer may retransmit any request of its window, and
        // those are the highest IDs answered (answer order does not matter).
        while self.cache.len() > usize::try_from(self.size).unwrap_or(usize::MAX) {
            let expected = self.expected;
            let Some((old, _)) = self
                .cache
                .iter()
                .enumerate()
                .filter(|(_, (id, _))| *id < expected)
                .min_by_key(|(_, (id, _))| *id)
            else {
                break;
            };
            self.cache.remove(old);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn response_cache_replays_identical_bytes() {
        let mut r = ResponseWindow::new();
        assert_eq!(r.classify(1), RequestVerdict::Drop(DropReason::TooNew));
        assert_eq!(r.classify(0), RequestVerdict::New);
        assert_eq!(r.classify(0), RequestVerdict::Drop(DropReason::InProgress));
        assert!(r.respond(0, vec![b"resp-a".to_vec(), b"resp-b".to_vec()]));
        assert!(!r.respond(0, vec![]));
        assert_eq!(r.expected(), 1);
        assert_eq!(
            r.classify(0),
            RequestVerdict::Replay(&[b"resp-a".to_vec(), b"resp-b".to_vec()])
        );
        assert_eq!(r.classify(1), RequestVerdict::New);
        assert!(r.respond(1, vec![b"resp-1".to_vec()]));
        // Window 1: only the last response stays cached.
        assert_eq!(r.classify(0), RequestVerdict::Drop(DropReason::TooOld));
        let s = r.stats();
        assert_eq!(
            (s.new, s.replayed, s.too_old, s.too_new, s.in_progress),
            (2, 1, 1, 1, 1)
        );
        let r = ResponseWindow::starting_at(1);
        assert_eq!(r.expected(), 1);
    }

    #[test]
    fn fragments_replay_only_on_fragment_one() {
        let mut r = ResponseWindow::new();
        // Fragments of a new request go to reassembly, then the whole is classified.
        assert_eq!(r.classify_fragment(0, 2), RequestVerdict::Reassemble);
        assert_eq!(r.classify_fragment(0, 1), RequestVerdict::Reassemble);
        assert_eq!(
            r.classify_fragment(5, 1),
            RequestVerdict::Drop(DropReason::TooNew)
        );
        assert_eq!(r.classify(0), RequestVerdict::New);
        let frags = vec![b"skf-1/2".to_vec(), b"skf-2/2".to_vec()];
        assert!(r.respond(0, frags.clone()));
        // Retransmitted request: fragment 2 ignored, fragment 1 replays all.
        assert_eq!(
            r.classify_fragment(0, 2),
            RequestVerdict::Drop(DropReason::NotFirstFragment)
        );
        assert_eq!(r.classify_fragment(0, 1), RequestVerdict::Replay(&frags));
        assert_eq!(r.stats().not_first_fragment, 1);
        assert!(!r.respond(1, vec![]), "never accepted");
    }

    #[test]
    fn cache_keeps_highest_ids_not_latest_answered() {
        // Found by the simulator: with window 3, requests answered in the
        // order 1, 2, 0 and then 3 must keep 1 cached (the peer may still be
        // retransmitting it), evicting 0.
        let mut r = ResponseWindow::new();
        r.set_size(3);
        for id in [1, 2, 0] {
            assert_eq!(r.classify(id), RequestVerdict::New);
            assert!(r.respond(id, vec![vec![u8::try_from(id).unwrap()]]));
        }
        assert_eq!(r.classify(3), RequestVerdict::New);
        assert!(r.respond(3, vec![vec![3]]));
        assert_eq!(r.classify(1), RequestVerdict::Replay(&[vec![1]]));
        assert_eq!(r.classify(0), RequestVerdict::Drop(DropReason::TooOld));
    }

    proptest! {
        /// The response window against a simple model, window size 1..4,
        /// with the peer behaving (never exceeding the window).
        #[test]
        fn response_window_model(size in 1u32..4, ops in proptest::collection::vec((0u32..12, any::<bool>()), 0..80)) {
            let mut r = ResponseWindow::new();
            r.set_size(size);
            let mut answered: Vec<u32> = Vec::new();
            let mut pending: Vec<u32> = Vec::new();
            for (id, answer_now) in ops {
                let expected_low = (0..).find(|i| !answered.contains(i)).unwrap();
                let verdict = r.classify(id);
                if answered.contains(&id) {
                    // Answered: replayed byte-identical while cached; the
                    // `size` highest answered IDs are always cached.
                    match verdict {
                        RequestVerdict::Replay(d) => prop_assert_eq!(d, [id.to_be_bytes().to_vec()]),
                        RequestVerdict::Drop(DropReason::TooOld) => {
                            let mut top = answered.clone();
                            top.sort_unstable();
                            prop_assert!(!top.iter().rev().take(size as usize).any(|x| *x == id));
                            prop_assert!(id < expected_low);
                        }
                        other => prop_assert!(false, "{:?}", other),
                    }
                } else if pending.contains(&id) {
                    prop_assert_eq!(verdict, RequestVerdict::Drop(DropReason::InProgress));
                } else if answered.contains(&id) || id < expected_low {
                    prop_assert_eq!(verdict, RequestVerdict::Drop(DropReason::TooOld));
                } else if id >= expected_low + size {
                    prop_assert_eq!(verdict, RequestVerdict::Drop(DropReason::TooNew));
                } else {
                    prop_assert_eq!(verdict, RequestVerdict::New);
                    pending.push(id);
                }
                if answer_now {
                    if let Some(p) = pending.pop() {
                        prop_assert!(r.respond(p, vec![p.to_be_bytes().to_vec()]));
                        answered.push(p);
                    }
                }
            }
        }
    }
}
