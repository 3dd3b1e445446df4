//! Lifetimes (soft and hard limits on octets and packets) and per-SA counters.

/// Soft and hard limits of one SA. `None` means no limit. Soft means "rekey now", hard
/// means "stop using the SA" (RFC 4301 section 4.4.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lifetime {
    /// Octets of protected payload after which a rekey should start.
    pub soft_bytes: Option<u64>,
    /// Octets of protected payload after which the SA is dead.
    pub hard_bytes: Option<u64>,
    /// Packets after which a rekey should start.
    pub soft_packets: Option<u64>,
    /// Packets after which the SA is dead.
    pub hard_packets: Option<u64>,
}

/// Something the owner of an SA must act upon, drained with `poll_event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaEvent {
    /// A soft lifetime (octets or packets) was crossed: negotiate a replacement SA now.
    SoftLifetime,
    /// A hard lifetime was crossed: the SA refuses further packets; delete it.
    HardLifetime,
    /// The outbound sequence counter passed its rekey threshold, well before exhaustion.
    RekeyRequired,
    /// The outbound sequence counter is exhausted: the SA refuses further packets.
    SequenceExhausted,
}

const ALL_EVENTS: [SaEvent; 4] = [
    SaEvent::SoftLifetime,
    SaEvent::HardLifetime,
    SaEvent::RekeyRequired,
    SaEvent::SequenceExhausted,
];

fn bit(e: SaEvent) -> u8 {
    match e {
        SaEvent::SoftLifetime => 1,
        SaEvent::HardLifetime => 2,
        SaEvent::RekeyRequired => 4,
        SaEvent::SequenceExhausted => 8,
    }
}

/// Tracks usage against a [`Lifetime`] and queues each event once, without allocating.
#[derive(Debug, Clone, Default)]
pub(crate) struct LifetimeTracker {
    pub(crate) limits: Lifetime,
    raised: u8,
    pending: u8,
}

fn crossed(limit: Option<u64>, value: u64) -> bool {
    limit.is_some_and(|l| value >= l)
}

impl LifetimeTracker {
    pub(crate) fn new(limits: Lifetime) -> Self {
        Self {
            limits,
            raised: 0,
            pending: 0,
        }
    }

    /// Whether the SA may still carry traffic.
    pub(crate) fn hard_expired(&self) -> bool {
        self.raised & bit(SaEvent::HardLifetime) != 0
    }

    /// Raises an event once.
    pub(crate) fn raise(&mut self, e: SaEvent) {
        let b = bit(e);
        if self.raised & b == 0 {
            self.raised |= b;
            self.pending |= b;
        }
    }

    /// Re-evaluates the limits after usage grew to `packets` / `bytes`.
    pub(crate) fn account(&mut self, packets: u64, bytes: u64) {
        let l = self.limits;
        if crossed(l.soft_packets, packets) || crossed(l.soft_bytes, bytes) {
            self.raise(SaEvent::SoftLifetime);
        }
        if crossed(l.hard_packets, packets) || crossed(l.hard_bytes, bytes) {
            self.raise(SaEvent::HardLifetime);
        }
    }

    pub(crate) fn poll(&mut self) -> Option<SaEvent> {
        let e = ALL_EVENTS
            .into_iter()
            .find(|&e| self.pending & bit(e) != 0)?;
        self.pending &= !bit(e);
        Some(e)
    }
}

/// Counters of an inbound SA, as operators read them in `ip -s xfrm state`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboundCounters {
    /// Packets that opened (dummy packets included).
    pub packets: u64,
    /// Octets of inner payload delivered (after padding removal).
    pub bytes: u64,
    /// Dummy packets (next header 59) received and dropped.
    pub dummy_packets: u64,
    /// Packets left of the anti-replay window.
    pub replay_too_old: u64,
    /// Packets whose sequence number was already seen.
    pub replay_duplicate: u64,
    /// Packets whose ICV did not verify.
    pub auth_failures: u64,
    /// Packets with malformed padding.
    pub bad_padding: u64,
    /// Packets truncated or with inconsistent lengths.
    pub bad_length: u64,
    /// Packets for another SPI.
    pub wrong_spi: u64,
    /// Packets refused because the SA's hard lifetime had passed.
    pub expired: u64,
}

/// Counters of an outbound SA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutboundCounters {
    /// Packets sealed (dummy packets included).
    pub packets: u64,
    /// Octets of inner payload sealed (before padding).
    pub bytes: u64,
    /// Seal attempts refused because the sequence space was exhausted.
    pub sequence_overflow: u64,
    /// Seal attempts refused because the SA's hard lifetime had passed.
    pub expired: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fire_once_in_order() {
        let mut t = LifetimeTracker::new(Lifetime {
            soft_packets: Some(2),
            hard_bytes: Some(100),
            ..Lifetime::default()
        });
        t.account(1, 10);
        assert_eq!(t.poll(), None);
        t.account(2, 20);
        t.account(3, 30);
        assert_eq!(t.poll(), Some(SaEvent::SoftLifetime));
        assert_eq!(t.poll(), None);
        assert!(!t.hard_expired());
        t.account(4, 100);
        assert!(t.hard_expired());
        assert_eq!(t.poll(), Some(SaEvent::HardLifetime));
        assert_eq!(t.poll(), None);
    }
}
