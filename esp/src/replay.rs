//! The anti-replay window (RFC 4303 section 3.4.3), in the style of RFC 6479.
//!
//! The window is a ring of 64-bit bitmap blocks. RFC 6479 clears the blocks that the right
//! edge passes when it moves; here every block also remembers which block number it
//! currently holds, so a block left over from an older lap of the ring reads as empty and
//! nothing ever needs clearing. Check and update therefore touch one block each: the cost
//! per packet is the same for a window of 64 and of 1,048,576, and for in-order traffic as
//! for a jump of a billion.
//!
//! The receiver calls [`ReplayWindow::check`] before decrypting and
//! [`ReplayWindow::update`] only once the ICV has verified, as RFC 4303 requires.

use alloc::vec;
use alloc::vec::Vec;

use crate::Error;

/// Largest window accepted: 2^20 packets (the ring then takes 256 KiB).
pub const MAX_WINDOW: u32 = 1 << 20;

const BLOCK_BITS: u64 = 64;

#[derive(Debug, Clone, Copy, Default)]
struct Block {
    /// Which block number (`seq / 64`) the bits belong to.
    number: u64,
    bits: u64,
}

/// A sliding anti-replay window over 64-bit sequence numbers.
#[derive(Debug, Clone)]
pub struct ReplayWindow {
    size: u32,
    top: u64,
    mask: u64,
    ring: Vec<Block>,
}

impl ReplayWindow {
    /// A window of `size` packets; 0 disables replay protection (every number is accepted,
    /// the highest one is still tracked for ESN inference). At most [`MAX_WINDOW`].
    pub fn new(size: u32) -> Result<Self, Error> {
        if size > MAX_WINDOW {
            return Err(Error::InvalidConfig("anti-replay window larger than 2^20"));
        }
        // The window spans at most ceil(size / 64) + 1 blocks; the ring holds a power of two
        // at least that large so the slot is a mask away.
        let blocks = u64::from(size).div_ceil(BLOCK_BITS) + 1;
        let slots = if size == 0 {
            1
        } else {
            blocks.next_power_of_two()
        };
        let len = usize::try_from(slots).map_err(|_| Error::InvalidConfig("window too large"))?;
        Ok(Self {
            size,
            top: 0,
            mask: slots - 1,
            ring: vec![
                Block {
                    number: u64::MAX,
                    bits: 0
                };
                len
            ],
        })
    }

    /// The configured size (0 = disabled).
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The highest sequence number accepted so far (0 if none).
    pub fn top(&self) -> u64 {
        self.top
    }

    fn slot(&self, block_number: u64) -> Option<&Block> {
        usize::try_from(block_number & self.mask)
            .ok()
            .and_then(|i| self.ring.get(i))
    }

    /// Whether `seq` would be accepted; does not change the window.
    pub fn check(&self, seq: u64) -> Result<(), Error> {
        if self.size == 0 {
            return Ok(());
        }
        if seq == 0 {
            // Sequence number 0 is never sent (RFC 4303 section 3.3.3).
            return Err(Error::ReplayTooOld { seq });
        }
        if seq > self.top {
            return Ok(());
        }
        if self.top - seq >= u64::from(self.size) {
            return Err(Error::ReplayTooOld { seq });
        }
        let number = seq / BLOCK_BITS;
        let bit = 1u64 << (seq % BLOCK_BITS);
        match self.slot(number) {
            Some(b) if b.number == number && b.bits & bit != 0 => {
                Err(Error::ReplayDuplicate { seq })
            }
            _ => Ok(()),
        }
    }

    /// Records `seq` as received. Call only after [`Self::check`] passed and the packet
    /// authenticated; a number left of the window is ignored.
    pub fn update(&mut self, seq: u64) {
        if self.size != 0 {
            if seq <= self.top && self.top - seq >= u64::from(self.size) {
                return;
            }
            let number = seq / BLOCK_BITS;
            let bit = 1u64 << (seq % BLOCK_BITS);
            if let Some(b) = usize::try_from(number & self.mask)
                .ok()
                .and_then(|i| self.ring.get_mut(i))
            {
                if b.number != number {
                    *b = Block { number, bits: 0 };
                }
                b.bits |= bit;
            }
        }
        if seq > self.top {
            self.top = seq;
        }
    }

    /// [`Self::check`] then [`Self::update`], for callers that authenticate by other means.
    pub fn check_and_update(&mut self, seq: u64) -> Result<(), Error> {
        self.check(seq)?;
        self.update(seq);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic() {
        let mut w = ReplayWindow::new(64).unwrap();
        assert_eq!(w.check(0), Err(Error::ReplayTooOld { seq: 0 }));
        w.check_and_update(1).unwrap();
        assert_eq!(w.check(1), Err(Error::ReplayDuplicate { seq: 1 }));
        w.check_and_update(100).unwrap();
        assert_eq!(w.check(36), Err(Error::ReplayTooOld { seq: 36 }));
        w.check_and_update(37).unwrap();
        assert_eq!(w.check(37), Err(Error::ReplayDuplicate { seq: 37 }));
        // A huge jump leaves nothing behind that could be confused with the new range.
        w.check_and_update(100 + 64 * 1000).unwrap();
        w.check_and_update(100 + 64 * 1000 - 27).unwrap();
        assert!(w.check(100 + 64 * 1000 - 1).is_ok());
        assert_eq!(
            w.check(100 + 64 * 1000 - 27),
            Err(Error::ReplayDuplicate { seq: 64_073 })
        );
    }

    #[test]
    fn disabled_accepts_everything() {
        let mut w = ReplayWindow::new(0).unwrap();
        for s in [5, 5, 1, 0, 5] {
            w.check_and_update(s).unwrap();
        }
        assert_eq!(w.top(), 5);
    }

    #[test]
    fn sizes() {
        assert!(ReplayWindow::new(MAX_WINDOW + 1).is_err());
        let w = ReplayWindow::new(65536).unwrap();
        assert_eq!(w.ring.len(), 2048);
        let w = ReplayWindow::new(1).unwrap();
        assert_eq!(w.ring.len(), 2);
    }
}
