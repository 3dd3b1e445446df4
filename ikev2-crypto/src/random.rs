//! Random sources.

use crate::{CryptoError, SecureRandom};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::sync::Mutex;

/// The operating system's random source (`getrandom`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl SecureRandom for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), CryptoError> {
        getrandom::getrandom(buf).map_err(|_| CryptoError::RandomFailure)
    }
}

/// A seeded ChaCha20 stream: the same seed gives the same octets.
///
/// For tests and deterministic simulation only: never use a guessable seed
/// in production.
#[derive(Debug)]
pub struct DeterministicRandom {
    rng: Mutex<ChaCha20Rng>,
}

impl DeterministicRandom {
    /// A stream from a 32-octet seed.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            rng: Mutex::new(ChaCha20Rng::from_seed(seed)),
        }
    }
    /// A stream from a small integer seed.
    pub fn seed_from_u64(seed: u64) -> Self {
        Self {
            rng: Mutex::new(ChaCha20Rng::seed_from_u64(seed)),
        }
    }
}

impl SecureRandom for DeterministicRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), CryptoError> {
        let mut rng = self.rng.lock().map_err(|_| CryptoError::RandomFailure)?;
        rng.fill_bytes(buf);
        Ok(())
    }
}

/// Returns the given octets, in order, then fails: lets a test replay a
/// recorded private key or nonce exactly.
#[derive(Debug)]
pub struct FixedRandom {
    data: Mutex<(Vec<u8>, usize)>,
}

impl FixedRandom {
    /// A source that yields `data` once.
    pub fn new(data: &[u8]) -> Self {
        Self {
            data: Mutex::new((data.to_vec(), 0)),
        }
    }
}

impl SecureRandom for FixedRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), CryptoError> {
        let mut guard = self.data.lock().map_err(|_| CryptoError::RandomFailure)?;
        let (data, pos) = &mut *guard;
        let end = pos
            .checked_add(buf.len())
            .ok_or(CryptoError::RandomFailure)?;
        let src = data.get(*pos..end).ok_or(CryptoError::RandomFailure)?;
        buf.copy_from_slice(src);
        *pos = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_repeats_and_seeds_differ() {
        let (a, b, c) = (
            DeterministicRandom::seed_from_u64(7),
            DeterministicRandom::seed_from_u64(7),
            DeterministicRandom::seed_from_u64(8),
        );
        let (mut x, mut y, mut z) = ([0u8; 32], [0u8; 32], [0u8; 32]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        c.fill(&mut z).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn fixed_yields_then_fails() {
        let r = FixedRandom::new(&[1, 2, 3]);
        let mut b = [0u8; 2];
        r.fill(&mut b).unwrap();
        assert_eq!(b, [1, 2]);
        assert_eq!(r.fill(&mut b), Err(CryptoError::RandomFailure));
    }
}
