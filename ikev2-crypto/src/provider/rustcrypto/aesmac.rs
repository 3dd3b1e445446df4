//! AES-XCBC (RFC 3566 MAC, RFC 4434 PRF) and AES-CMAC (RFC 4493 MAC,
//! RFC 4494 truncation, RFC 4615 PRF) on AES-128.
//!
//! Both are CBC-MAC with a final-block tweak; they share one small core here
//! rather than pulling two crates (RustCrypto has CMAC but not XCBC).

use crate::{CryptoError, IntegId, IntegKey, PrfId, SupportedInteg, SupportedPrf};
use aes::cipher::{BlockEncrypt, KeyInit};
use aes::Aes128;
use cipher::generic_array::GenericArray;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Xcbc,
    Cmac,
}

/// An AES-128 MAC key with its derived subkeys.
struct MacKey {
    cipher: Aes128,
    /// Tweak for a complete last block.
    complete: Zeroizing<[u8; 16]>,
    /// Tweak for a padded last block.
    padded: Zeroizing<[u8; 16]>,
}

fn encrypt(c: &Aes128, block: &mut [u8; 16]) {
    c.encrypt_block(GenericArray::from_mut_slice(block));
}

/// Doubling in GF(2^128) (RFC 4493 2.3).
fn dbl(x: &[u8; 16]) -> [u8; 16] {
    let v = u128::from_be_bytes(*x);
    let carry = (v >> 127) as u8;
    let mut out = (v << 1).to_be_bytes();
    if let Some(last) = out.last_mut() {
        *last ^= 0x87 & carry.wrapping_neg();
    }
    out
}

impl MacKey {
    fn new(mode: Mode, key: &[u8; 16]) -> Self {
        let k = Aes128::new(GenericArray::from_slice(key));
        match mode {
            Mode::Xcbc => {
                let derive = |b: u8| {
                    let mut blk = [b; 16];
                    encrypt(&k, &mut blk);
                    blk
                };
                let k1 = Zeroizing::new(derive(1));
                let cipher = Aes128::new(GenericArray::from_slice(k1.as_ref()));
                Self {
                    cipher,
                    complete: Zeroizing::new(derive(2)),
                    padded: Zeroizing::new(derive(3)),
                }
            }
            Mode::Cmac => {
                let mut l = Zeroizing::new([0u8; 16]);
                encrypt(&k, &mut l);
                let k1 = dbl(&l);
                let k2 = dbl(&k1);
                Self {
                    cipher: k,
                    complete: Zeroizing::new(k1),
                    padded: Zeroizing::new(k2),
                }
            }
        }
    }

    fn mac(&self, data: &[&[u8]]) -> [u8; 16] {
        let msg = Zeroizing::new(data.concat());
        let mut state = [0u8; 16];
        let complete = !msg.is_empty() && msg.len() % 16 == 0;
        let full_blocks = if complete {
            msg.len() / 16 - 1
        } else {
            msg.len() / 16
        };
        let mut chunks = msg.chunks(16);
        for block in chunks.by_ref().take(full_blocks) {
            state.iter_mut().zip(block).for_each(|(s, m)| *s ^= m);
            encrypt(&self.cipher, &mut state);
        }
        let rest = chunks.next().unwrap_or_default();
        let mut last = [0u8; 16];
        last.iter_mut().zip(rest).for_each(|(d, s)| *d = *s);
        let tweak = if complete {
            &self.complete
        } else {
            if let Some(b) = last.get_mut(rest.len()) {
                *b = 0x80;
            }
            &self.padded
        };
        state
            .iter_mut()
            .zip(last.iter().zip(tweak.iter()))
            .for_each(|(s, (m, t))| *s ^= m ^ t);
        encrypt(&self.cipher, &mut state);
        state
    }
}

/// The PRF key rules: 16 octets are used as they are; otherwise RFC 4434
/// (XCBC) pads shorter keys with zeros and replaces longer ones by their MAC
/// under the zero key, while RFC 4615 (CMAC) replaces every other length by
/// its MAC under the zero key.
fn prf_key(mode: Mode, key: &[u8]) -> Zeroizing<[u8; 16]> {
    let mut k = Zeroizing::new([0u8; 16]);
    if key.len() == 16 || (mode == Mode::Xcbc && key.len() < 16) {
        k.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    } else {
        *k = MacKey::new(mode, &[0; 16]).mac(&[key]);
    }
    k
}

macro_rules! aes_prf {
    ($(#[$m:meta])* $name:ident, $id:expr, $mode:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl SupportedPrf for $name {
            fn id(&self) -> PrfId {
                $id
            }
            fn output_len(&self) -> usize {
                16
            }
            fn fixed_key_len(&self) -> Option<usize> {
                Some(16)
            }
            fn compute(&self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), CryptoError> {
                if out.len() != 16 {
                    return Err(CryptoError::InvalidLength { what: "PRF output", expected: 16, got: out.len() });
                }
                out.copy_from_slice(&MacKey::new($mode, &prf_key($mode, key)).mac(data));
                Ok(())
            }
        }
    };
}

aes_prf!(
    /// PRF_AES128_XCBC (RFC 4434).
    PrfAesXcbc, PrfId::Aes128Xcbc, Mode::Xcbc);
aes_prf!(
    /// PRF_AES128_CMAC (RFC 4615).
    PrfAesCmac, PrfId::Aes128Cmac, Mode::Cmac);

struct Integ(MacKey);

impl IntegKey for Integ {
    fn sign(&self, data: &[&[u8]], icv_out: &mut [u8]) -> Result<(), CryptoError> {
        let full = self.0.mac(data);
        let t = full.get(..12).ok_or(CryptoError::Unsupported)?;
        if icv_out.len() != 12 {
            return Err(CryptoError::InvalidLength {
                what: "ICV",
                expected: 12,
                got: icv_out.len(),
            });
        }
        icv_out.copy_from_slice(t);
        Ok(())
    }
    fn verify(&self, data: &[&[u8]], icv: &[u8]) -> Result<(), CryptoError> {
        let full = self.0.mac(data);
        match full.get(..12) {
            Some(t) if icv.len() == 12 && bool::from(t.ct_eq(icv)) => Ok(()),
            _ => Err(CryptoError::IntegrityCheckFailed),
        }
    }
}

macro_rules! aes_integ {
    ($(#[$m:meta])* $name:ident, $id:expr, $mode:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl SupportedInteg for $name {
            fn id(&self) -> IntegId {
                $id
            }
            fn key_len(&self) -> usize {
                16
            }
            fn icv_len(&self) -> usize {
                12
            }
            fn new_key(&self, key: &[u8]) -> Result<Box<dyn IntegKey>, CryptoError> {
                let k: &[u8; 16] =
                    key.try_into().map_err(|_| CryptoError::InvalidKeyLength { expected: 16, got: key.len() })?;
                Ok(Box::new(Integ(MacKey::new($mode, k))))
            }
        }
    };
}

aes_integ!(
    /// AUTH_AES_XCBC_96 (RFC 3566).
    AuthAesXcbc96, IntegId::AesXcbc96, Mode::Xcbc);
aes_integ!(
    /// AUTH_AES_CMAC_96 (RFC 4494).
    AuthAesCmac96, IntegId::AesCmac96, Mode::Cmac);
