//! Stateless COOKIE generation (RFC 7296 2.6) with secret rotation.
//!
//! `Cookie = <VersionIDofSecret> | SHA-256(Ni | IPi | SPIi | <secret>)`.
//! The responder keeps the current and the previous secret, so cookies
//! issued just before a rotation still verify.
//!
//! ```
//! use ikev2_crypto::cookie::CookieGenerator;
//! use ikev2_crypto::random::DeterministicRandom;
//! let rng = DeterministicRandom::seed_from_u64(1);
//! let mut gen = CookieGenerator::new(&rng).unwrap();
//! let ip = "192.0.2.1".parse().unwrap();
//! let c = gen.generate(b"nonce-i", ip, &[1; 8]);
//! assert!(gen.verify(&c, b"nonce-i", ip, &[1; 8]).is_ok());
//! gen.rotate(&rng).unwrap();
//! assert!(gen.verify(&c, b"nonce-i", ip, &[1; 8]).is_ok()); // previous secret
//! gen.forget_previous(); // grace period over
//! assert!(gen.verify(&c, b"nonce-i", ip, &[1; 8]).is_err());
//! let c = gen.generate(b"nonce-i", ip, &[1; 8]);
//! gen.rotate(&rng).unwrap();
//! gen.rotate(&rng).unwrap();
//! assert!(gen.verify(&c, b"nonce-i", ip, &[1; 8]).is_err()); // too old
//! ```

use crate::{CryptoError, SecureRandom};
use core::fmt;
use core::net::IpAddr;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Octets in a cookie: 4 of secret version plus a SHA-256 digest.
pub const COOKIE_LEN: usize = 4 + 32;

struct Secret {
    version: u32,
    key: Zeroizing<[u8; 32]>,
}

/// Generates and verifies COOKIE notify data without per-request state.
pub struct CookieGenerator {
    current: Secret,
    previous: Option<Secret>,
}

impl fmt::Debug for CookieGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieGenerator")
            .field("version", &self.current.version)
            .finish_non_exhaustive()
    }
}

fn fresh(rng: &dyn SecureRandom, version: u32) -> Result<Secret, CryptoError> {
    let mut key = Zeroizing::new([0u8; 32]);
    rng.fill(key.as_mut())?;
    Ok(Secret { version, key })
}

fn digest(secret: &Secret, ni: &[u8], ip: IpAddr, spii: &[u8; 8]) -> [u8; COOKIE_LEN] {
    let mut h = Sha256::new();
    h.update(ni);
    match ip {
        IpAddr::V4(a) => h.update(a.octets()),
        IpAddr::V6(a) => h.update(a.octets()),
    }
    h.update(spii);
    h.update(*secret.key);
    let mut out = [0u8; COOKIE_LEN];
    let (v, d) = out.split_at_mut(4);
    v.copy_from_slice(&secret.version.to_be_bytes());
    d.copy_from_slice(&h.finalize());
    out
}

impl CookieGenerator {
    /// A generator with a fresh random secret.
    pub fn new(rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        Ok(Self {
            current: fresh(rng, 0)?,
            previous: None,
        })
    }

    /// Replace the secret; the old one stays valid until the next rotation.
    /// Call it periodically (RFC 7296 suggests regenerating often).
    pub fn rotate(&mut self, rng: &dyn SecureRandom) -> Result<(), CryptoError> {
        let next = fresh(rng, self.current.version.wrapping_add(1))?;
        self.previous = Some(core::mem::replace(&mut self.current, next));
        Ok(())
    }

    /// End the grace period of the previous secret: from now on only cookies
    /// made with the current one verify.
    pub fn forget_previous(&mut self) {
        self.previous = None;
    }

    /// Whether a previous secret is still accepted.
    pub fn has_previous(&self) -> bool {
        self.previous.is_some()
    }

    /// The cookie for an initiator's nonce, address and SPI.
    pub fn generate(&self, ni: &[u8], ip: IpAddr, spii: &[u8; 8]) -> [u8; COOKIE_LEN] {
        digest(&self.current, ni, ip, spii)
    }

    /// Check a cookie returned by the initiator.
    pub fn verify(
        &self,
        cookie: &[u8],
        ni: &[u8],
        ip: IpAddr,
        spii: &[u8; 8],
    ) -> Result<(), CryptoError> {
        let version = cookie
            .get(..4)
            .and_then(|v| <[u8; 4]>::try_from(v).ok())
            .map(u32::from_be_bytes)
            .ok_or(CryptoError::InvalidCookie)?;
        let secret = core::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .find(|s| s.version == version)
            .ok_or(CryptoError::InvalidCookie)?;
        if bool::from(digest(secret, ni, ip, spii).as_slice().ct_eq(cookie)) {
            Ok(())
        } else {
            Err(CryptoError::InvalidCookie)
        }
    }
}
