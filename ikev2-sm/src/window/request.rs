//! Our requests: message IDs, the outstanding messages and their
//! retransmission (RFC 7296 §2.1, §2.2).

use std::collections::VecDeque;
use std::time::Instant;

use ikev2_wire::ExchangeType;

use super::{far, RetransmitConfig, SplitMix64};

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const INFO: ExchangeType = ExchangeType::Informational;

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
}
