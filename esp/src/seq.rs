//! Sequence numbers: the sender's counter and the receiver's ESN inference.
//!
//! RFC 4303 section 2.2: a sender starts at 1 and never lets the counter cycle; with
//! Extended Sequence Numbers (ESN) the counter is 64 bits wide but only the low 32 bits
//! travel in the packet, and the receiver infers the high 32 bits (Appendix A).

use crate::Error;

/// Default share of the sequence space after which [`SeqCounter`] asks for a rekey: when
/// fewer than `limit / 2^REKEY_MARGIN_SHIFT` numbers remain (1/16 of the space).
const REKEY_MARGIN_SHIFT: u32 = 4;

/// The outbound sequence number counter of one SA.
#[derive(Debug, Clone)]
pub struct SeqCounter {
    last: u64,
    limit: u64,
    rekey_at: u64,
}

impl SeqCounter {
    /// A fresh counter (the first number handed out is 1). `esn` selects the 64-bit space.
    pub fn new(esn: bool) -> Self {
        let limit = if esn { u64::MAX } else { u64::from(u32::MAX) };
        Self {
            last: 0,
            limit,
            rekey_at: limit - (limit >> REKEY_MARGIN_SHIFT),
        }
    }

    /// Overrides the number after which [`Self::rekey_required`] turns true (it is clamped
    /// to the space's limit). Useful to test rekey handling or for operators who want it earlier.
    pub fn set_rekey_threshold(&mut self, at: u64) {
        self.rekey_at = at.min(self.limit);
    }

    /// The last number handed out (0 before the first packet).
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Skips ahead so the next number handed out is `next` (for tests and for resuming a
    /// persisted SA). Refuses to go backwards.
    pub fn resume_at(&mut self, next: u64) -> Result<(), Error> {
        let last = next
            .checked_sub(1)
            .ok_or(Error::InvalidConfig("sequence numbers start at 1"))?;
        if last < self.last || last > self.limit {
            return Err(Error::InvalidConfig(
                "sequence counter may not go backwards or past its limit",
            ));
        }
        self.last = last;
        Ok(())
    }

    /// Whether the counter has passed the rekey threshold.
    pub fn rekey_required(&self) -> bool {
        self.last >= self.rekey_at
    }

    /// Whether the space is exhausted.
    pub fn exhausted(&self) -> bool {
        self.last >= self.limit
    }

    /// The number the next packet would carry, without taking it.
    pub(crate) fn peek(&self) -> Result<u64, Error> {
        if self.last >= self.limit {
            return Err(Error::SequenceOverflow);
        }
        Ok(self.last + 1)
    }

    /// Commits `seq` (the value returned by [`Self::peek`]) as sent.
    pub(crate) fn commit(&mut self, seq: u64) {
        self.last = seq;
    }
}

/// Infers the 64-bit sequence number of a received packet from its low 32 bits, RFC 4303
/// Appendix A.2.
///
/// `top` is the highest authenticated sequence number seen so far (0 if none) and `window`
/// the anti-replay window size (at least 1). Returns `None` when the inference would put the
/// packet before sequence number 0, which only a forged or hopelessly old packet can be.
pub fn infer_esn(top: u64, window: u32, seq_low: u32) -> Option<u64> {
    let w = window.max(1);
    let tl = top as u32; // low half: truncation intended
    let th = (top >> 32) as u32;
    let bottom = tl.wrapping_sub(w - 1);
    let seq_high = if tl >= w - 1 {
        // Case A: the window lies within one 2^32 subspace.
        if seq_low >= bottom {
            th
        } else {
            th.checked_add(1)?
        }
    } else if seq_low >= bottom {
        // Case B: the window spans two subspaces and this packet is in the lower one.
        th.checked_sub(1)?
    } else {
        th
    };
    Some((u64::from(seq_high) << 32) | u64::from(seq_low))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_starts_at_one_and_never_wraps() {
        let mut c = SeqCounter::new(false);
        assert_eq!(c.peek(), Ok(1));
        c.resume_at(u64::from(u32::MAX)).unwrap();
        let s = c.peek().unwrap();
        assert_eq!(s, u64::from(u32::MAX));
        c.commit(s);
        assert!(c.exhausted());
        assert_eq!(c.peek(), Err(Error::SequenceOverflow));
        assert!(c.rekey_required());
    }

    #[test]
    fn rekey_well_before_exhaustion() {
        let mut c = SeqCounter::new(false);
        c.resume_at(0xF000_0000).unwrap();
        assert!(!c.rekey_required());
        c.commit(0xF000_0000);
        assert!(c.rekey_required());
        assert!(!c.exhausted());
        let e = SeqCounter::new(true);
        assert_eq!(e.limit, u64::MAX);
        assert!(c.resume_at(5).is_err(), "cannot go backwards");
    }

    #[test]
    fn esn_inference_appendix_a() {
        // Case A, same subspace.
        assert_eq!(infer_esn(0x1_0000_1000, 64, 0x1001), Some(0x1_0000_1001));
        assert_eq!(infer_esn(0x1_0000_1000, 64, 0x0FC1), Some(0x1_0000_0FC1));
        // Case A, below the window: the packet must belong to the next subspace.
        assert_eq!(infer_esn(0x1_0000_1000, 64, 0x10), Some(0x2_0000_0010));
        // Case B, window spans the boundary.
        assert_eq!(
            infer_esn(0x2_0000_0010, 64, 0xFFFF_FFF0),
            Some(0x1_FFFF_FFF0)
        );
        assert_eq!(infer_esn(0x2_0000_0010, 64, 0x20), Some(0x2_0000_0020));
        // Nothing before 0.
        assert_eq!(infer_esn(0, 64, 0xFFFF_FFF0), None);
        assert_eq!(infer_esn(0, 64, 1), Some(1));
        assert_eq!(infer_esn(u64::MAX, 64, 3), None);
    }
}
