//! Message IDs, retransmission and the response cache (RFC 7296 §2.1-2.3).
//!
//! Each IKE SA has two independent halves:
//!
//! - [`RequestWindow`], for exchanges *we* start: assigns message IDs, keeps
//!   every outstanding request (as the exact datagrams sent, so a fragmented
//!   message is retransmitted fragment for fragment), retransmits on
//!   strongSwan's schedule and reports [`TimeoutOutcome::GaveUp`] naming the
//!   exchange once the tries are exhausted.
//! - [`ResponseWindow`], for exchanges the *peer* starts: classifies each
//!   request by message ID as new, a retransmission (answered from the cache
//!   with the byte-identical response datagrams), or to be dropped (too old,
//!   too new, or still being worked on), and counts every drop by reason.
//!
//! Both are built for the SET_WINDOW_SIZE extension (RFC 7296 §2.3); the
//! default window is 1.

use core::fmt;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ikev2_wire::ExchangeType;

/// Retransmission policy, with strongSwan's settings and defaults
/// (`charon.retransmit_*`): attempt `n` (0 = the original send) waits
/// `timeout * base^n`, capped by `limit`, reduced by a random fraction of up
/// to `jitter`; after `tries` retransmissions the final wait ends the exchange.
/// With the defaults the request is sent 6 times over about 165 s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetransmitConfig {
    /// Wait after the first send (`retransmit_timeout`, 4 s).
    pub timeout: Duration,
    /// Exponential base (`retransmit_base`, 1.8).
    pub base: f64,
    /// Number of retransmissions (`retransmit_tries`, 5).
    pub tries: u32,
    /// Maximum random reduction of each wait, as a fraction in `0.0..=1.0`
    /// (`retransmit_jitter` in percent / 100; default 0).
    pub jitter: f64,
    /// Upper bound for any single wait (`retransmit_limit`; default none).
    pub limit: Option<Duration>,
}

impl Default for RetransmitConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(4),
            base: 1.8,
            tries: 5,
            jitter: 0.0,
            limit: None,
        }
    }
}

impl RetransmitConfig {
    /// The wait after send number `attempt` (0 = original) before jitter.
    #[must_use]
    pub fn wait(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
        let secs = self.timeout.as_secs_f64() * self.base.max(1.0).powi(exp);
        let d = Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX);
        match self.limit {
            Some(l) => d.min(l),
            None => d,
        }
    }

    /// Total time from the first send until the exchange is given up.
    #[must_use]
    pub fn give_up_after(&self) -> Duration {
        (0..=self.tries)
            .map(|n| self.wait(n))
            .fold(Duration::ZERO, Duration::saturating_add)
    }

    fn jittered(&self, attempt: u32, rng: &mut SplitMix64) -> Duration {
        // Cap absurd configurations at ~136 years so deadlines stay representable.
        let d = self
            .wait(attempt)
            .min(Duration::from_secs(u64::from(u32::MAX)));
        // NaN or non-positive jitter means none.
        if self.jitter.is_nan() || self.jitter <= 0.0 {
            return d;
        }
        let j = self.jitter.min(1.0);
        // Uniform in [0, 1) from the top 53 bits.
        #[allow(clippy::cast_precision_loss)]
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        d.mul_f64(1.0 - j * u)
    }
}

/// `now + wait`, or a day later if that is not representable (never `now`,
/// which would retransmit in a tight loop).
fn far(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait)
        .or_else(|| now.checked_add(Duration::from_secs(86_400)))
        .unwrap_or(now)
}

/// A small deterministic PRNG for retransmission jitter (not for secrets).
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Why a request could not be started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// As many requests are outstanding as the window allows; queue it.
    #[error("request window full")]
    Full,
    /// Message IDs are used up (RFC 7296 §2.2: rekey the IKE SA instead).
    #[error("message IDs exhausted")]
    Exhausted,
}

#[derive(Debug, Clone)]
struct Outstanding {
    message_id: u32,
    exchange: ExchangeType,
    datagrams: Vec<Vec<u8>>,
    attempt: u32,
    deadline: Instant,
}

/// What a timeout did to an outstanding request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutOutcome {
    /// Send these datagrams again, byte for byte.
    Retransmit {
        /// Message ID of the request.
        message_id: u32,
        /// Which exchange it is.
        exchange: ExchangeType,
        /// 1 for the first retransmission.
        attempt: u32,
        /// The datagrams (all fragments) of the request.
        datagrams: Vec<Vec<u8>>,
    },
    /// The schedule is exhausted: the exchange failed (for an IKE SA this
    /// means the peer is considered dead).
    GaveUp {
        /// Message ID of the request.
        message_id: u32,
        /// Which exchange it was.
        exchange: ExchangeType,
    },
}

/// Why a received response was not matched to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnmatchedResponse {
    /// A response to a request already answered (a duplicate).
    AlreadyAnswered,
    /// A response to a message ID we never used.
    NeverSent,
}

/// Our requests: message IDs, outstanding messages and their retransmission.
#[derive(Debug, Clone)]
pub struct RequestWindow {
    next_id: u32,
    size: u32,
    config: RetransmitConfig,
    outstanding: VecDeque<Outstanding>,
    rng: SplitMix64,
    retransmits: u64,
}

impl RequestWindow {
    /// A window starting at message ID 0 with size 1. `jitter_seed` seeds
    /// the jitter PRNG (any value; pass provider randomness in production).
    #[must_use]
    pub fn new(config: RetransmitConfig, jitter_seed: u64) -> Self {
        Self {
            next_id: 0,
            size: 1,
            config,
            outstanding: VecDeque::new(),
            rng: SplitMix64(jitter_seed),
            retransmits: 0,
        }
    }

    /// Applies a SET_WINDOW_SIZE from the peer (at least 1).
    pub fn set_size(&mut self, size: u32) {
        self.size = size.max(1);
    }

    /// The message ID the next request gets.
    #[must_use]
    pub fn next_message_id(&self) -> u32 {
        self.next_id
    }

    /// True if a new request may be sent now.
    #[must_use]
    pub fn can_send(&self) -> bool {
        let oldest = self
            .outstanding
            .front()
            .map_or(self.next_id, |o| o.message_id);
        self.next_id.wrapping_sub(oldest) < self.size && self.next_id != u32::MAX
    }

    /// Number of requests awaiting a response.
    #[must_use]
    pub fn outstanding(&self) -> usize {
        self.outstanding.len()
    }

    /// True if the request `message_id` awaits its response.
    #[must_use]
    pub fn is_outstanding(&self, message_id: u32) -> bool {
        self.outstanding.iter().any(|o| o.message_id == message_id)
    }

    /// Retransmissions performed so far.
    #[must_use]
    pub fn retransmits(&self) -> u64 {
        self.retransmits
    }

    /// Records a request as sent now (the caller transmits `datagrams`) and
    /// returns its message ID.
    ///
    /// # Errors
    /// [`WindowError::Full`] while the window is full, [`WindowError::Exhausted`]
    /// when message IDs ran out.
    pub fn send(
        &mut self,
        now: Instant,
        exchange: ExchangeType,
        datagrams: Vec<Vec<u8>>,
    ) -> Result<u32, WindowError> {
        if self.next_id == u32::MAX {
            return Err(WindowError::Exhausted);
        }
        if !self.can_send() {
            return Err(WindowError::Full);
        }
        let message_id = self.next_id;
        self.next_id += 1;
        let wait = self.config.jittered(0, &mut self.rng);
        self.outstanding.push_back(Outstanding {
            message_id,
            exchange,
            datagrams,
            attempt: 0,
            deadline: far(now, wait),
        });
        Ok(message_id)
    }

    /// Matches a response; on success the request is no longer outstanding
    /// and its exchange type is returned.
    ///
    /// # Errors
    /// [`UnmatchedResponse`] saying why the response is to be dropped.
    pub fn on_response(&mut self, message_id: u32) -> Result<ExchangeType, UnmatchedResponse> {
        match self
            .outstanding
            .iter()
            .position(|o| o.message_id == message_id)
        {
            Some(i) => Ok(self
                .outstanding
                .remove(i)
                .map_or(ExchangeType::Unknown(0), |o| o.exchange)),
            None if message_id < self.next_id => Err(UnmatchedResponse::AlreadyAnswered),
            None => Err(UnmatchedResponse::NeverSent),
        }
    }

    /// Replaces the datagrams of an outstanding request, e.g. with smaller
    /// fragments after a suspected path-MTU problem (RFC 7383 §2.5.2).
    /// Returns false if the request is not outstanding.
    pub fn replace_datagrams(&mut self, message_id: u32, datagrams: Vec<Vec<u8>>) -> bool {
        match self
            .outstanding
            .iter_mut()
            .find(|o| o.message_id == message_id)
        {
            Some(o) => {
                o.datagrams = datagrams;
                true
            }
            None => false,
        }
    }

    /// The earliest retransmission deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.outstanding.iter().map(|o| o.deadline).min()
    }

    /// Handles every deadline that has passed at `now`.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<TimeoutOutcome> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(o) = self.outstanding.get_mut(i) {
            if o.deadline > now {
                i += 1;
                continue;
            }
            if o.attempt >= self.config.tries {
                out.push(TimeoutOutcome::GaveUp {
                    message_id: o.message_id,
                    exchange: o.exchange,
                });
                self.outstanding.remove(i);
                continue;
            }
            o.attempt += 1;
            let wait = self.config.jittered(o.attempt, &mut self.rng);
            o.deadline = far(now, wait);
            self.retransmits += 1;
            out.push(TimeoutOutcome::Retransmit {
                message_id: o.message_id,
                exchange: o.exchange,
                attempt: o.attempt,
                datagrams: o.datagrams.clone(),
            });
            i += 1;
        }
        out
    }
}

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
        if message_id < self.expected {
            self.stats.too_old += 1;
            return RequestVerdict::Drop(DropReason::TooOld);
        }
        if message_id - self.expected >= self.size {
            self.stats.too_new += 1;
            return RequestVerdict::Drop(DropReason::TooNew);
        }
        self.stats.new += 1;
        self.in_progress.push(message_id);
        RequestVerdict::New
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
        if message_id < self.expected {
            self.stats.too_old += 1;
            return RequestVerdict::Drop(DropReason::TooOld);
        }
        if message_id - self.expected >= self.size {
            self.stats.too_new += 1;
            return RequestVerdict::Drop(DropReason::TooNew);
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

    const INFO: ExchangeType = ExchangeType::Informational;

    #[test]
    fn strongswan_default_schedule() {
        let c = RetransmitConfig::default();
        let ms: Vec<u128> = (0..=5).map(|n| c.wait(n).as_millis()).collect();
        // strongSwan's documented schedule: 4, 7.2, 12.96, 23.33, 41.99, 75.58 s.
        assert_eq!(ms, vec![4000, 7200, 12960, 23328, 41990, 75582]);
        assert_eq!(c.give_up_after().as_secs(), 165);
        let capped = RetransmitConfig {
            limit: Some(Duration::from_secs(20)),
            ..c
        };
        assert_eq!(capped.wait(4), Duration::from_secs(20));
    }

    #[test]
    fn retransmit_then_give_up_naming_exchange() {
        let t0 = Instant::now();
        let mut w = RequestWindow::new(RetransmitConfig::default(), 1);
        let id = w
            .send(
                t0,
                ExchangeType::IkeAuth,
                vec![b"frag1".to_vec(), b"frag2".to_vec()],
            )
            .unwrap();
        assert_eq!(id, 0);
        assert_eq!(w.send(t0, INFO, vec![]), Err(WindowError::Full));
        for attempt in 1..=5 {
            let now = w.poll_timeout().unwrap();
            let out = w.handle_timeout(now);
            assert_eq!(
                out,
                vec![TimeoutOutcome::Retransmit {
                    message_id: 0,
                    exchange: ExchangeType::IkeAuth,
                    attempt,
                    datagrams: vec![b"frag1".to_vec(), b"frag2".to_vec()],
                }]
            );
        }
        let now = w.poll_timeout().unwrap();
        assert_eq!(now.duration_since(t0).as_secs(), 165);
        assert_eq!(
            w.handle_timeout(now),
            vec![TimeoutOutcome::GaveUp {
                message_id: 0,
                exchange: ExchangeType::IkeAuth
            }]
        );
        assert_eq!(w.poll_timeout(), None);
        assert_eq!(w.retransmits(), 5);
    }

    #[test]
    fn responses_match_once() {
        let t0 = Instant::now();
        let mut w = RequestWindow::new(RetransmitConfig::default(), 1);
        assert!(w.handle_timeout(t0).is_empty());
        let id = w.send(t0, INFO, vec![vec![1]]).unwrap();
        assert_eq!(w.on_response(id + 1), Err(UnmatchedResponse::NeverSent));
        assert_eq!(w.on_response(id), Ok(INFO));
        assert_eq!(w.on_response(id), Err(UnmatchedResponse::AlreadyAnswered));
        assert_eq!(w.send(t0, INFO, vec![]).unwrap(), 1);
        assert!(!w.replace_datagrams(0, vec![]));
        assert!(w.replace_datagrams(1, vec![vec![9]]));
    }

    #[test]
    fn larger_window_and_exhaustion() {
        let t0 = Instant::now();
        let mut w = RequestWindow::new(RetransmitConfig::default(), 1);
        w.set_size(3);
        for i in 0..3 {
            assert_eq!(w.send(t0, INFO, vec![]).unwrap(), i);
        }
        assert_eq!(w.send(t0, INFO, vec![]), Err(WindowError::Full));
        // Answering a later one does not slide past the oldest.
        assert!(w.on_response(2).is_ok());
        assert_eq!(w.send(t0, INFO, vec![]), Err(WindowError::Full));
        assert!(w.on_response(0).is_ok());
        assert_eq!(w.send(t0, INFO, vec![]).unwrap(), 3);
        w.next_id = u32::MAX;
        assert_eq!(w.send(t0, INFO, vec![]), Err(WindowError::Exhausted));
    }

    #[test]
    fn absurd_configs_do_not_panic_or_spin() {
        let t0 = Instant::now();
        for c in [
            RetransmitConfig {
                base: f64::NAN,
                jitter: f64::NAN,
                ..RetransmitConfig::default()
            },
            RetransmitConfig {
                base: 1e300,
                tries: 50,
                jitter: 7.0,
                ..RetransmitConfig::default()
            },
            RetransmitConfig {
                timeout: Duration::MAX,
                ..RetransmitConfig::default()
            },
        ] {
            let mut w = RequestWindow::new(c, 3);
            w.send(t0, INFO, vec![]).unwrap();
            let d = w.poll_timeout().unwrap();
            assert!(d > t0 || c.jitter >= 1.0, "{c:?}");
            let _ = c.give_up_after();
        }
    }

    #[test]
    fn jitter_only_shortens_and_is_seeded() {
        let c = RetransmitConfig {
            jitter: 0.5,
            ..RetransmitConfig::default()
        };
        let t0 = Instant::now();
        let deadlines = |seed| {
            let mut w = RequestWindow::new(c, seed);
            w.send(t0, INFO, vec![]).unwrap();
            w.poll_timeout().unwrap()
        };
        assert_eq!(deadlines(7), deadlines(7));
        for seed in 0..50 {
            let d = deadlines(seed).duration_since(t0);
            assert!(
                d <= Duration::from_secs(4) && d >= Duration::from_secs(2),
                "{d:?}"
            );
        }
    }

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
