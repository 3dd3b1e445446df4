//! A deterministic provider with NO SECURITY, for fuzzers and simulations
//! (feature `testing`).
//!
//! Everything it does is predictable: the "AEAD" leaves plaintext as is and
//! accepts any tag, integrity accepts any ICV, every key exchange yields the
//! same shared secret, every signature verifies and the random source is a
//! counter. A fuzzer driving the state machine with [`INSECURE`] reaches the
//! code behind decryption and authentication. Never use it to protect
//! anything.
//!
//! ```
//! use ikev2_crypto::testing::INSECURE;
//! use ikev2_crypto::KeId;
//! let ke = INSECURE.ke(KeId::Curve25519).unwrap();
//! let a = ke.start(INSECURE.secure_random).unwrap();
//! let (b_pub, b_secret) = ke.respond(INSECURE.secure_random, a.public()).unwrap();
//! assert_eq!(a.complete(&b_pub).unwrap(), b_secret);
//! ```

use crate::provider::rustcrypto;
use crate::{
    ActiveKe, AeadKey, CryptoError, CryptoProvider, EncrId, IntegId, IntegKey, KeId, SecureRandom,
    SharedSecret, SignatureScheme, SignatureVerifier, SupportedAead, SupportedEncr, SupportedInteg,
    SupportedKe,
};
use core::sync::atomic::{AtomicU64, Ordering};

/// "AEAD" that claims ENCR_AES_GCM_16 with a 256-bit key, does not encrypt
/// and accepts any tag.
#[derive(Debug)]
pub struct InsecureAead;

struct NoAead;

impl AeadKey for NoAead {
    fn seal_in_place(
        &self,
        _iv: &[u8],
        _aad: &[u8],
        _buf: &mut [u8],
        tag_out: &mut [u8],
    ) -> Result<(), CryptoError> {
        tag_out.iter_mut().for_each(|b| *b = 0);
        Ok(())
    }
    fn open_in_place(
        &self,
        _iv: &[u8],
        _aad: &[u8],
        _buf: &mut [u8],
        _tag: &[u8],
    ) -> Result<(), CryptoError> {
        Ok(())
    }
}

impl SupportedAead for InsecureAead {
    fn id(&self) -> EncrId {
        EncrId::AesGcm16
    }
    fn key_bits(&self) -> Option<u16> {
        Some(256)
    }
    fn keymat_len(&self) -> usize {
        36
    }
    fn new_key(&self, _keymat: &[u8]) -> Result<Box<dyn AeadKey>, CryptoError> {
        Ok(Box::new(NoAead))
    }
}

/// Integrity that claims AUTH_HMAC_SHA2_256_128 and accepts any ICV.
#[derive(Debug)]
pub struct InsecureInteg;

struct NoInteg;

impl IntegKey for NoInteg {
    fn sign(&self, _data: &[&[u8]], icv_out: &mut [u8]) -> Result<(), CryptoError> {
        icv_out.iter_mut().for_each(|b| *b = 0);
        Ok(())
    }
    fn verify(&self, _data: &[&[u8]], _icv: &[u8]) -> Result<(), CryptoError> {
        Ok(())
    }
}

impl SupportedInteg for InsecureInteg {
    fn id(&self) -> IntegId {
        IntegId::HmacSha2_256_128
    }
    fn key_len(&self) -> usize {
        32
    }
    fn icv_len(&self) -> usize {
        16
    }
    fn new_key(&self, _key: &[u8]) -> Result<Box<dyn IntegKey>, CryptoError> {
        Ok(Box::new(NoInteg))
    }
}

/// Key exchange that claims Curve25519: any 32-octet peer value gives the
/// same shared secret.
#[derive(Debug)]
pub struct InsecureKe;

struct NoKe([u8; 32]);

impl SupportedKe for InsecureKe {
    fn id(&self) -> KeId {
        KeId::Curve25519
    }
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
        let mut public = [0u8; 32];
        rng.fill(&mut public)?;
        Ok(Box::new(NoKe(public)))
    }
}

impl ActiveKe for NoKe {
    fn id(&self) -> KeId {
        KeId::Curve25519
    }
    fn public(&self) -> &[u8] {
        &self.0
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        if peer.len() != 32 {
            return Err(CryptoError::InvalidPeerPublic(KeId::Curve25519));
        }
        Ok(SharedSecret::from_slice(&[0x42; 32]))
    }
}

/// Accepts every signature.
#[derive(Debug)]
pub struct AcceptAll;

impl SignatureVerifier for AcceptAll {
    fn supports(&self, _scheme: SignatureScheme) -> bool {
        true
    }
    fn verify(
        &self,
        _s: SignatureScheme,
        _k: &[u8],
        _m: &[u8],
        _sig: &[u8],
    ) -> Result<(), CryptoError> {
        Ok(())
    }
}

/// A counter, spread over the output: deterministic across runs.
#[derive(Debug)]
pub struct CounterRandom(AtomicU64);

impl CounterRandom {
    /// A counter starting at `start`.
    pub const fn new(start: u64) -> Self {
        Self(AtomicU64::new(start))
    }
}

impl SecureRandom for CounterRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), CryptoError> {
        for chunk in buf.chunks_mut(8) {
            let n = self.0.fetch_add(1, Ordering::Relaxed).to_be_bytes();
            chunk.copy_from_slice(n.get(..chunk.len()).unwrap_or_default());
        }
        Ok(())
    }
}

static AEAD: InsecureAead = InsecureAead;
static INTEG: InsecureInteg = InsecureInteg;
static KE: InsecureKe = InsecureKe;
static VERIFY: AcceptAll = AcceptAll;
static RANDOM: CounterRandom = CounterRandom::new(1);
static ENCR: [SupportedEncr; 1] = [SupportedEncr::Aead(&AEAD)];

/// The NO SECURITY provider: AES-GCM-16-256 / HMAC-SHA2-256 / Curve25519 by
/// name only (the PRF is real HMAC-SHA2-256, so key derivation still runs).
pub static INSECURE: CryptoProvider = CryptoProvider {
    encr: &ENCR,
    prf: &[&rustcrypto::PRF_HMAC_SHA2_256],
    integ: &[&INTEG],
    ke: &[&KE],
    verify: &VERIFY,
    secure_random: &RANDOM,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sk::{decrypt_sk, encrypt_sk, SkKeys};

    #[test]
    fn insecure_sk_round_trips_and_accepts_forgeries() {
        let keys = SkKeys::new(INSECURE.encr[0], None, &[0; 36], &[]).unwrap();
        let mut header = [0u8; 28];
        header[17] = 0x20;
        let mut msg = encrypt_sk(&keys, INSECURE.secure_random, &header, 41, b"plain").unwrap();
        assert!(
            msg.windows(5).any(|w| w == b"plain"),
            "NO SECURITY: plaintext stays visible"
        );
        let n = msg.len();
        msg[n - 1] ^= 0xff; // forge the tag
        assert_eq!(decrypt_sk(&msg, &keys).unwrap(), (41, b"plain".to_vec()));
    }
}
