//! Inbound ESP drops as events an operator can read: each refused packet is
//! counted, and the first drop of each cause on each SPI is reported as an
//! `esp_dropped` event naming the cause, the SPI and the sender, followed by
//! at most one summary per [`DropReporter::INTERVAL`] while drops of that
//! kind continue. A flood of forged packets therefore costs a counter, not a
//! log line each.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::dataplane::Drop;
use super::events::{self, PeerEvent};

/// The stable, machine-readable name of a drop's cause (also the key of the
/// `dataplane_drops` counters in `--status`).
pub fn cause(e: &Drop) -> &'static str {
    match e {
        Drop::NoDataPlane => "no_dataplane",
        Drop::UnknownSpi(_) => "unknown_spi",
        Drop::NoSa { .. } => "no_sa",
        Drop::Policy { .. } => "policy",
        Drop::NotIp => "not_ip",
        Drop::Esp(e) => match e {
            esp::Error::ReplayDuplicate { .. } => "replay_duplicate",
            esp::Error::ReplayTooOld { .. } => "replay_too_old",
            esp::Error::AuthenticationFailed => "authentication_failed",
            esp::Error::BadPadding => "bad_padding",
            esp::Error::BadLength => "bad_length",
            esp::Error::Truncated { .. } => "truncated",
            esp::Error::HardLifetimeExpired => "hard_lifetime_expired",
            _ => "esp_refused",
        },
    }
}

#[derive(Debug)]
struct Seen {
    last_report: Instant,
    suppressed: u64,
}

/// Rate limiter for `esp_dropped` events, keyed by (cause, SPI).
#[derive(Debug, Default)]
pub struct DropReporter {
    seen: HashMap<(&'static str, u32), Seen>,
}

impl DropReporter {
    /// Least time between two reports of the same cause on the same SPI.
    pub const INTERVAL: Duration = Duration::from_secs(10);
    /// Keys remembered at most; beyond, the table starts again (a flood of
    /// random SPIs must not grow memory).
    pub const MAX_KEYS: usize = 1024;

    /// Notes a drop of an ESP packet with SPI `spi` received from `peer`;
    /// returns the event to emit, if one is due.
    pub fn note(
        &mut self,
        now: Instant,
        e: &Drop,
        spi: Option<u32>,
        peer: SocketAddr,
    ) -> Option<PeerEvent> {
        let why = cause(e);
        let key = (why, spi.unwrap_or(0));
        if !self.seen.contains_key(&key) && self.seen.len() >= Self::MAX_KEYS {
            self.seen.clear();
        }
        let report =
            |suppressed: u64| events::esp_dropped(peer, spi, why, &e.to_string(), suppressed);
        match self.seen.get_mut(&key) {
            None => {
                self.seen.insert(
                    key,
                    Seen {
                        last_report: now,
                        suppressed: 0,
                    },
                );
                Some(report(0))
            }
            Some(s) if now.saturating_duration_since(s.last_report) >= Self::INTERVAL => {
                let n = s.suppressed;
                s.last_report = now;
                s.suppressed = 0;
                Some(report(n))
            }
            Some(s) => {
                s.suppressed += 1;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], 4500))
    }

    #[test]
    fn causes_name_the_esp_check_that_refused() {
        let dup = Drop::Esp(esp::Error::ReplayDuplicate { seq: 7 });
        assert_eq!(cause(&dup), "replay_duplicate");
        assert_eq!(
            cause(&Drop::Esp(esp::Error::AuthenticationFailed)),
            "authentication_failed"
        );
        assert_eq!(cause(&Drop::UnknownSpi(1)), "unknown_spi");
    }

    #[test]
    fn first_drop_reported_then_one_summary_per_interval() {
        let mut r = DropReporter::default();
        let t0 = Instant::now();
        let e = Drop::Esp(esp::Error::ReplayDuplicate { seq: 9 });
        let first = r.note(t0, &e, Some(0xc0de), peer()).map(|e| e.to_json());
        let first = first.expect("first drop is reported");
        assert_eq!(first["event"], "esp_dropped");
        assert_eq!(first["cause"], "replay_duplicate");
        assert_eq!(first["peer"], "192.0.2.1:4500");
        assert_eq!(first["spi"], events::spi32(0xc0de));
        for i in 1..=5 {
            assert!(r
                .note(t0 + Duration::from_secs(i), &e, Some(0xc0de), peer())
                .is_none());
        }
        // Another cause on the same SPI is reported on its own.
        let auth = Drop::Esp(esp::Error::AuthenticationFailed);
        assert!(r.note(t0, &auth, Some(0xc0de), peer()).is_some());
        let later = r
            .note(t0 + DropReporter::INTERVAL, &e, Some(0xc0de), peer())
            .expect("summary after the interval");
        assert_eq!(later.to_json()["suppressed_since_last"], 5);
    }

    #[test]
    fn random_spis_do_not_grow_the_table_without_bound() {
        let mut r = DropReporter::default();
        let t0 = Instant::now();
        for spi in 0..(3 * DropReporter::MAX_KEYS as u32) {
            r.note(t0, &Drop::UnknownSpi(spi), Some(spi), peer());
            assert!(r.seen.len() <= DropReporter::MAX_KEYS);
        }
    }
}
