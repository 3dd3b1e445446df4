//! HMAC as PRF (RFC 2104, RFC 4868) and as truncated integrity (RFC 2404,
//! RFC 4868).

use crate::{CryptoError, IntegId, IntegKey, PrfId, SupportedInteg, SupportedPrf};
use hmac::{Hmac, Mac};
use subtle::ConstantTimeEq;

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), CryptoError> {
    if expected != got {
        return Err(CryptoError::InvalidLength {
            what,
            expected,
            got,
        });
    }
    Ok(())
}

macro_rules! hmac_prf {
    ($(#[$m:meta])* $name:ident, $hash:ty, $id:expr, $len:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl SupportedPrf for $name {
            fn id(&self) -> PrfId {
                $id
            }
            fn output_len(&self) -> usize {
                $len
            }
            fn compute(&self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), CryptoError> {
                check_len("PRF output", $len, out.len())?;
                let mut mac = <Hmac<$hash> as Mac>::new_from_slice(key)
                    .map_err(|_| CryptoError::InvalidKeyLength { expected: $len, got: key.len() })?;
                for d in data {
                    mac.update(d);
                }
                out.copy_from_slice(&mac.finalize().into_bytes());
                Ok(())
            }
        }
    };
}

hmac_prf!(
    /// PRF_HMAC_SHA1 (legacy interoperability only).
    PrfHmacSha1, sha1::Sha1, PrfId::HmacSha1, 20);
hmac_prf!(
    /// PRF_HMAC_SHA2_256.
    PrfHmacSha256, sha2::Sha256, PrfId::HmacSha2_256, 32);
hmac_prf!(
    /// PRF_HMAC_SHA2_384.
    PrfHmacSha384, sha2::Sha384, PrfId::HmacSha2_384, 48);
hmac_prf!(
    /// PRF_HMAC_SHA2_512.
    PrfHmacSha512, sha2::Sha512, PrfId::HmacSha2_512, 64);

macro_rules! hmac_integ {
    ($(#[$m:meta])* $name:ident, $hash:ty, $id:expr, $key:expr, $icv:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl SupportedInteg for $name {
            fn id(&self) -> IntegId {
                $id
            }
            fn key_len(&self) -> usize {
                $key
            }
            fn icv_len(&self) -> usize {
                $icv
            }
            fn new_key(&self, key: &[u8]) -> Result<Box<dyn IntegKey>, CryptoError> {
                if key.len() != $key {
                    return Err(CryptoError::InvalidKeyLength { expected: $key, got: key.len() });
                }
                let mac = <Hmac<$hash> as Mac>::new_from_slice(key)
                    .map_err(|_| CryptoError::InvalidKeyLength { expected: $key, got: key.len() })?;
                Ok(Box::new(HmacKey { mac, icv_len: $icv }))
            }
        }
    };
}

/// An HMAC keyed once; each call clones the keyed state (no allocation).
struct HmacKey<M> {
    mac: M,
    icv_len: usize,
}

impl<M: Mac + Clone + Send + Sync> HmacKey<M> {
    fn full(&self, data: &[&[u8]]) -> digest::Output<M> {
        let mut mac = self.mac.clone();
        for d in data {
            mac.update(d);
        }
        mac.finalize().into_bytes()
    }
}

impl<M: Mac + Clone + Send + Sync> IntegKey for HmacKey<M> {
    fn sign(&self, data: &[&[u8]], icv_out: &mut [u8]) -> Result<(), CryptoError> {
        check_len("ICV", self.icv_len, icv_out.len())?;
        let full = self.full(data);
        let t = full.get(..self.icv_len).ok_or(CryptoError::Unsupported)?;
        icv_out.copy_from_slice(t);
        Ok(())
    }
    fn verify(&self, data: &[&[u8]], icv: &[u8]) -> Result<(), CryptoError> {
        check_len("ICV", self.icv_len, icv.len())?;
        let full = self.full(data);
        let t = full.get(..self.icv_len).ok_or(CryptoError::Unsupported)?;
        if bool::from(t.ct_eq(icv)) {
            Ok(())
        } else {
            Err(CryptoError::IntegrityCheckFailed)
        }
    }
}

hmac_integ!(
    /// AUTH_HMAC_SHA1_96 (legacy interoperability only).
    HmacSha1_96, sha1::Sha1, IntegId::HmacSha1_96, 20, 12);
hmac_integ!(
    /// AUTH_HMAC_SHA2_256_128.
    HmacSha256_128, sha2::Sha256, IntegId::HmacSha2_256_128, 32, 16);
hmac_integ!(
    /// AUTH_HMAC_SHA2_384_192.
    HmacSha384_192, sha2::Sha384, IntegId::HmacSha2_384_192, 48, 24);
hmac_integ!(
    /// AUTH_HMAC_SHA2_512_256.
    HmacSha512_256, sha2::Sha512, IntegId::HmacSha2_512_256, 64, 32);
