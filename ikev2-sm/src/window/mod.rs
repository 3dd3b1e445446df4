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

use std::time::{Duration, Instant};

mod request;
mod response;

pub use request::{RequestWindow, TimeoutOutcome, UnmatchedResponse, WindowError};
pub use response::{DropReason, RequestVerdict, ResponseStats, ResponseWindow};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
