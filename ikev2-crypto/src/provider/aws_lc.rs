//! The fast provider, on aws-lc-rs (feature `aws-lc`).
//!
//! AES-GCM, ChaCha20-Poly1305, AES-CBC, AES-CTR, HMAC, the NIST ECP groups
//! and Curve25519 come from AWS-LC (assembly for AES-NI/CLMUL/AVX). MODP,
//! Curve448, ML-KEM and signature verification are taken from
//! [`rustcrypto`]: aws-lc-rs either lacks them or only
//! offers them with its own internal randomness.
//!
//! AES-CTR: AWS-LC increments the whole 128-bit counter block while
//! RFC 3686 increments the low 32 bits; starting at 1 the two agree for
//! every message shorter than 2^32 blocks, far beyond any IP packet.

use super::rustcrypto;
use crate::{
    ActiveKe, AeadKey, CipherKey, CryptoError, CryptoProvider, EncrId, IntegId, IntegKey, KeId,
    PrfId, SecureRandom, SharedSecret, SupportedAead, SupportedCipher, SupportedEncr,
    SupportedInteg, SupportedKe, SupportedPrf,
};
use aws_lc_rs::{aead, agreement, cipher, hmac};
use zeroize::Zeroizing;

const SALT_LEN: usize = 4;
const IV_LEN: usize = 8;
const TAG_LEN: usize = 16;

/// An AEAD on aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcAead {
    id: EncrId,
    key_bits: Option<u16>,
    alg: &'static aead::Algorithm,
}

struct AeadKeyImpl {
    key: aead::LessSafeKey,
    salt: [u8; SALT_LEN],
}

impl AeadKeyImpl {
    fn nonce(&self, iv: &[u8]) -> Result<aead::Nonce, CryptoError> {
        let iv: &[u8; IV_LEN] = iv.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "IV",
            expected: IV_LEN,
            got: iv.len(),
        })?;
        let mut n = [0u8; aead::NONCE_LEN];
        for (d, s) in n.iter_mut().zip(self.salt.iter().chain(iv)) {
            *d = *s;
        }
        Ok(aead::Nonce::assume_unique_for_key(n))
    }
}

fn check_tag(tag: &[u8]) -> Result<(), CryptoError> {
    if tag.len() != TAG_LEN {
        return Err(CryptoError::InvalidLength {
            what: "ICV",
            expected: TAG_LEN,
            got: tag.len(),
        });
    }
    Ok(())
}

impl AeadKey for AeadKeyImpl {
    fn seal_in_place(
        &self,
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag_out: &mut [u8],
    ) -> Result<(), CryptoError> {
        check_tag(tag_out)?;
        let tag = self
            .key
            .seal_in_place_separate_tag(self.nonce(iv)?, aead::Aad::from(aad), buf)
            .map_err(|_| CryptoError::InvalidLength {
                what: "plaintext",
                expected: 0,
                got: buf.len(),
            })?;
        tag_out.copy_from_slice(tag.as_ref());
        Ok(())
    }

    fn open_in_place(
        &self,
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        check_tag(tag)?;
        self.key
            .open_in_place_separate_tag(self.nonce(iv)?, aead::Aad::from(aad), tag, buf)
            .map(|_| ())
            .map_err(|_| CryptoError::IntegrityCheckFailed)
    }
}

impl SupportedAead for AwsLcAead {
    fn id(&self) -> EncrId {
        self.id
    }
    fn key_bits(&self) -> Option<u16> {
        self.key_bits
    }
    fn keymat_len(&self) -> usize {
        self.alg.key_len() + SALT_LEN
    }
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn AeadKey>, CryptoError> {
        let expected = self.keymat_len();
        let (key, salt) = match (
            keymat.len() == expected,
            keymat.split_at_checked(self.alg.key_len()),
        ) {
            (true, Some(parts)) => parts,
            _ => {
                return Err(CryptoError::InvalidKeyLength {
                    expected,
                    got: keymat.len(),
                })
            }
        };
        let unbound =
            aead::UnboundKey::new(self.alg, key).map_err(|_| CryptoError::InvalidKeyLength {
                expected,
                got: keymat.len(),
            })?;
        let mut s = [0u8; SALT_LEN];
        s.copy_from_slice(salt);
        Ok(Box::new(AeadKeyImpl {
            key: aead::LessSafeKey::new(unbound),
            salt: s,
        }))
    }
}

/// AES-CBC or AES-CTR on aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcCipher {
    id: EncrId,
    key_bits: u16,
    alg: &'static cipher::Algorithm,
}

struct CbcKey {
    enc: cipher::EncryptingKey,
    dec: cipher::DecryptingKey,
}

struct CtrKey {
    enc: cipher::EncryptingKey,
    nonce: [u8; 4],
}

fn iv16(iv: &[u8]) -> Result<[u8; 16], CryptoError> {
    iv.try_into().map_err(|_| CryptoError::InvalidLength {
        what: "IV",
        expected: 16,
        got: iv.len(),
    })
}

impl CipherKey for CbcKey {
    fn encrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        if buf.len() % 16 != 0 {
            return Err(CryptoError::NotBlockAligned {
                len: buf.len(),
                block: 16,
            });
        }
        let ctx = cipher::EncryptionContext::Iv128(iv16(iv)?.into());
        self.enc
            .less_safe_encrypt(buf, ctx)
            .map(|_| ())
            .map_err(|_| CryptoError::Unsupported)
    }
    fn decrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        if buf.len() % 16 != 0 {
            return Err(CryptoError::NotBlockAligned {
                len: buf.len(),
                block: 16,
            });
        }
        let ctx = cipher::DecryptionContext::Iv128(iv16(iv)?.into());
        self.dec
            .decrypt(buf, ctx)
            .map(|_| ())
            .map_err(|_| CryptoError::Unsupported)
    }
}

impl CtrKey {
    fn apply(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        if iv.len() != IV_LEN {
            return Err(CryptoError::InvalidLength {
                what: "IV",
                expected: IV_LEN,
                got: iv.len(),
            });
        }
        let mut block = [0u8; 16];
        for (d, s) in block
            .iter_mut()
            .zip(self.nonce.iter().chain(iv).chain(&[0, 0, 0, 1]))
        {
            *d = *s;
        }
        let ctx = cipher::EncryptionContext::Iv128(block.into());
        self.enc
            .less_safe_encrypt(buf, ctx)
            .map(|_| ())
            .map_err(|_| CryptoError::Unsupported)
    }
}

impl CipherKey for CtrKey {
    fn encrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        self.apply(iv, buf)
    }
    fn decrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        self.apply(iv, buf)
    }
}

impl SupportedCipher for AwsLcCipher {
    fn id(&self) -> EncrId {
        self.id
    }
    fn key_bits(&self) -> Option<u16> {
        Some(self.key_bits)
    }
    fn keymat_len(&self) -> usize {
        let key = usize::from(self.key_bits / 8);
        if self.id == EncrId::AesCtr {
            key + 4
        } else {
            key
        }
    }
    fn iv_len(&self) -> usize {
        if self.id == EncrId::AesCtr {
            IV_LEN
        } else {
            16
        }
    }
    fn block_len(&self) -> usize {
        if self.id == EncrId::AesCtr {
            1
        } else {
            16
        }
    }
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn CipherKey>, CryptoError> {
        let expected = self.keymat_len();
        let bad = CryptoError::InvalidKeyLength {
            expected,
            got: keymat.len(),
        };
        if keymat.len() != expected {
            return Err(bad);
        }
        let klen = usize::from(self.key_bits / 8);
        let key = keymat.get(..klen).ok_or(bad)?;
        let unbound = || cipher::UnboundCipherKey::new(self.alg, key).map_err(|_| bad);
        if self.id == EncrId::AesCtr {
            let mut nonce = [0u8; 4];
            nonce.copy_from_slice(keymat.get(klen..).ok_or(bad)?);
            let enc = cipher::EncryptingKey::ctr(unbound()?).map_err(|_| bad)?;
            Ok(Box::new(CtrKey { enc, nonce }))
        } else {
            let enc = cipher::EncryptingKey::cbc(unbound()?).map_err(|_| bad)?;
            let dec = cipher::DecryptingKey::cbc(unbound()?).map_err(|_| bad)?;
            Ok(Box::new(CbcKey { enc, dec }))
        }
    }
}

/// HMAC on aws-lc-rs, as a PRF and as truncated integrity.
#[derive(Debug)]
pub struct AwsLcHmac {
    prf: PrfId,
    integ: IntegId,
    alg: hmac::Algorithm,
    /// Output length of the PRF / key length of the integrity transform.
    len: usize,
    icv_len: usize,
}

struct HmacKey {
    key: hmac::Key,
    icv_len: usize,
}

impl HmacKey {
    fn full(&self, data: &[&[u8]]) -> hmac::Tag {
        let mut ctx = hmac::Context::with_key(&self.key);
        for d in data {
            ctx.update(d);
        }
        ctx.sign()
    }
}

impl IntegKey for HmacKey {
    fn sign(&self, data: &[&[u8]], icv_out: &mut [u8]) -> Result<(), CryptoError> {
        if icv_out.len() != self.icv_len {
            return Err(CryptoError::InvalidLength {
                what: "ICV",
                expected: self.icv_len,
                got: icv_out.len(),
            });
        }
        let tag = self.full(data);
        icv_out.copy_from_slice(
            tag.as_ref()
                .get(..self.icv_len)
                .ok_or(CryptoError::Unsupported)?,
        );
        Ok(())
    }
    fn verify(&self, data: &[&[u8]], icv: &[u8]) -> Result<(), CryptoError> {
        if icv.len() != self.icv_len {
            return Err(CryptoError::InvalidLength {
                what: "ICV",
                expected: self.icv_len,
                got: icv.len(),
            });
        }
        let tag = self.full(data);
        let t = tag
            .as_ref()
            .get(..self.icv_len)
            .ok_or(CryptoError::Unsupported)?;
        if bool::from(subtle::ConstantTimeEq::ct_eq(t, icv)) {
            Ok(())
        } else {
            Err(CryptoError::IntegrityCheckFailed)
        }
    }
}

impl SupportedPrf for AwsLcHmac {
    fn id(&self) -> PrfId {
        self.prf
    }
    fn output_len(&self) -> usize {
        self.len
    }
    fn compute(&self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), CryptoError> {
        if out.len() != self.len {
            return Err(CryptoError::InvalidLength {
                what: "PRF output",
                expected: self.len,
                got: out.len(),
            });
        }
        let k = HmacKey {
            key: hmac::Key::new(self.alg, key),
            icv_len: self.len,
        };
        out.copy_from_slice(k.full(data).as_ref());
        Ok(())
    }
}

/// The integrity view of an [`AwsLcHmac`].
#[derive(Debug)]
pub struct AwsLcInteg(&'static AwsLcHmac);

impl SupportedInteg for AwsLcInteg {
    fn id(&self) -> IntegId {
        self.0.integ
    }
    fn key_len(&self) -> usize {
        self.0.len
    }
    fn icv_len(&self) -> usize {
        self.0.icv_len
    }
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn IntegKey>, CryptoError> {
        if key.len() != self.0.len {
            return Err(CryptoError::InvalidKeyLength {
                expected: self.0.len,
                got: key.len(),
            });
        }
        Ok(Box::new(HmacKey {
            key: hmac::Key::new(self.0.alg, key),
            icv_len: self.0.icv_len,
        }))
    }
}

/// ECDH (groups 19-21) or X25519 (31) on aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcKe {
    id: KeId,
    alg: &'static agreement::Algorithm,
    scalar_len: usize,
    first_mask: u8,
}

struct ActiveAwsLcKe {
    id: KeId,
    alg: &'static agreement::Algorithm,
    private: agreement::PrivateKey,
    public: Vec<u8>,
}

impl SupportedKe for AwsLcKe {
    fn id(&self) -> KeId {
        self.id
    }
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
        let mut buf = Zeroizing::new(vec![0u8; self.scalar_len]);
        for _ in 0..64 {
            rng.fill(&mut buf)?;
            if let Some(b) = buf.first_mut() {
                *b &= self.first_mask;
            }
            let Ok(private) = agreement::PrivateKey::from_private_key(self.alg, &buf) else {
                continue;
            };
            let public = private
                .compute_public_key()
                .map_err(|_| CryptoError::RandomFailure)?;
            let public = if self.id == KeId::Curve25519 {
                public.as_ref().to_vec()
            } else {
                // RFC 5903: x | y without the SEC1 0x04 octet.
                public.as_ref().get(1..).unwrap_or_default().to_vec()
            };
            return Ok(Box::new(ActiveAwsLcKe {
                id: self.id,
                alg: self.alg,
                private,
                public,
            }));
        }
        Err(CryptoError::RandomFailure)
    }
}

impl ActiveKe for ActiveAwsLcKe {
    fn id(&self) -> KeId {
        self.id
    }
    fn public(&self) -> &[u8] {
        &self.public
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        let bad = CryptoError::InvalidPeerPublic(self.id);
        let peer_bytes = if self.id == KeId::Curve25519 {
            if peer.len() != 32 {
                return Err(bad);
            }
            peer.to_vec()
        } else {
            if peer.len() != self.public.len() {
                return Err(bad);
            }
            let mut v = Vec::with_capacity(peer.len() + 1);
            v.push(4);
            v.extend_from_slice(peer);
            v
        };
        let peer_key = agreement::UnparsedPublicKey::new(self.alg, &peer_bytes);
        // AWS-LC checks that ECP points are on the curve.
        let shared = agreement::agree(&self.private, peer_key, bad, |k| {
            Ok(SharedSecret::from_slice(k))
        })?;
        if shared.as_bytes().iter().all(|b| *b == 0) {
            return Err(CryptoError::DegenerateSharedSecret(self.id));
        }
        Ok(shared)
    }
}

macro_rules! aead_static {
    ($(#[$m:meta])* $name:ident, $id:expr, $bits:expr, $alg:expr) => {
        $(#[$m])*
        pub static $name: AwsLcAead = AwsLcAead { id: $id, key_bits: $bits, alg: &$alg };
    };
}

aead_static!(
    /// ENCR_AES_GCM_16, 128-bit key.
    AES128_GCM16, EncrId::AesGcm16, Some(128), aead::AES_128_GCM);
aead_static!(
    /// ENCR_AES_GCM_16, 256-bit key.
    AES256_GCM16, EncrId::AesGcm16, Some(256), aead::AES_256_GCM);
aead_static!(
    /// ENCR_CHACHA20_POLY1305.
    CHACHA20_POLY1305, EncrId::Chacha20Poly1305, None, aead::CHACHA20_POLY1305);

/// ENCR_AES_CBC, 128-bit key.
pub static AES128_CBC: AwsLcCipher = AwsLcCipher {
    id: EncrId::AesCbc,
    key_bits: 128,
    alg: &cipher::AES_128,
};
/// ENCR_AES_CBC, 192-bit key.
pub static AES192_CBC: AwsLcCipher = AwsLcCipher {
    id: EncrId::AesCbc,
    key_bits: 192,
    alg: &cipher::AES_192,
};
/// ENCR_AES_CBC, 256-bit key.
pub static AES256_CBC: AwsLcCipher = AwsLcCipher {
    id: EncrId::AesCbc,
    key_bits: 256,
    alg: &cipher::AES_256,
};
/// ENCR_AES_CTR, 128-bit key.
pub static AES128_CTR: AwsLcCipher = AwsLcCipher {
    id: EncrId::AesCtr,
    key_bits: 128,
    alg: &cipher::AES_128,
};
/// ENCR_AES_CTR, 192-bit key.
pub static AES192_CTR: AwsLcCipher = AwsLcCipher {
    id: EncrId::AesCtr,
    key_bits: 192,
    alg: &cipher::AES_192,
};
/// ENCR_AES_CTR, 256-bit key.
pub static AES256_CTR: AwsLcCipher = AwsLcCipher {
    id: EncrId::AesCtr,
    key_bits: 256,
    alg: &cipher::AES_256,
};

/// HMAC-SHA1: PRF_HMAC_SHA1 and AUTH_HMAC_SHA1_96 (legacy).
pub static HMAC_SHA1: AwsLcHmac = AwsLcHmac {
    prf: PrfId::HmacSha1,
    integ: IntegId::HmacSha1_96,
    alg: hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
    len: 20,
    icv_len: 12,
};
/// HMAC-SHA2-256: PRF_HMAC_SHA2_256 and AUTH_HMAC_SHA2_256_128.
pub static HMAC_SHA256: AwsLcHmac = AwsLcHmac {
    prf: PrfId::HmacSha2_256,
    integ: IntegId::HmacSha2_256_128,
    alg: hmac::HMAC_SHA256,
    len: 32,
    icv_len: 16,
};
/// HMAC-SHA2-384: PRF_HMAC_SHA2_384 and AUTH_HMAC_SHA2_384_192.
pub static HMAC_SHA384: AwsLcHmac = AwsLcHmac {
    prf: PrfId::HmacSha2_384,
    integ: IntegId::HmacSha2_384_192,
    alg: hmac::HMAC_SHA384,
    len: 48,
    icv_len: 24,
};
/// HMAC-SHA2-512: PRF_HMAC_SHA2_512 and AUTH_HMAC_SHA2_512_256.
pub static HMAC_SHA512: AwsLcHmac = AwsLcHmac {
    prf: PrfId::HmacSha2_512,
    integ: IntegId::HmacSha2_512_256,
    alg: hmac::HMAC_SHA512,
    len: 64,
    icv_len: 32,
};
/// AUTH_HMAC_SHA1_96 (legacy).
pub static AUTH_HMAC_SHA1_96: AwsLcInteg = AwsLcInteg(&HMAC_SHA1);
/// AUTH_HMAC_SHA2_256_128.
pub static AUTH_HMAC_SHA2_256_128: AwsLcInteg = AwsLcInteg(&HMAC_SHA256);
/// AUTH_HMAC_SHA2_384_192.
pub static AUTH_HMAC_SHA2_384_192: AwsLcInteg = AwsLcInteg(&HMAC_SHA384);
/// AUTH_HMAC_SHA2_512_256.
pub static AUTH_HMAC_SHA2_512_256: AwsLcInteg = AwsLcInteg(&HMAC_SHA512);

/// ECP group 19.
pub static ECP256: AwsLcKe = AwsLcKe {
    id: KeId::Ecp256,
    alg: &agreement::ECDH_P256,
    scalar_len: 32,
    first_mask: 0xff,
};
/// ECP group 20.
pub static ECP384: AwsLcKe = AwsLcKe {
    id: KeId::Ecp384,
    alg: &agreement::ECDH_P384,
    scalar_len: 48,
    first_mask: 0xff,
};
/// ECP group 21.
pub static ECP521: AwsLcKe = AwsLcKe {
    id: KeId::Ecp521,
    alg: &agreement::ECDH_P521,
    scalar_len: 66,
    first_mask: 0x01,
};
/// Curve25519 (31).
pub static X25519: AwsLcKe = AwsLcKe {
    id: KeId::Curve25519,
    alg: &agreement::X25519,
    scalar_len: 32,
    first_mask: 0xff,
};

/// Every non-legacy encryption transform, AEADs first.
pub static ENCR: [SupportedEncr; 9] = [
    SupportedEncr::Aead(&AES256_GCM16),
    SupportedEncr::Aead(&AES128_GCM16),
    SupportedEncr::Aead(&CHACHA20_POLY1305),
    SupportedEncr::Cipher(&AES256_CBC),
    SupportedEncr::Cipher(&AES192_CBC),
    SupportedEncr::Cipher(&AES128_CBC),
    SupportedEncr::Cipher(&AES256_CTR),
    SupportedEncr::Cipher(&AES192_CTR),
    SupportedEncr::Cipher(&AES128_CTR),
];

/// The fast provider: same algorithm set as
/// [`rustcrypto::PROVIDER`].
pub static PROVIDER: CryptoProvider = CryptoProvider {
    encr: &ENCR,
    prf: &[&HMAC_SHA256, &HMAC_SHA384, &HMAC_SHA512],
    integ: &[
        &AUTH_HMAC_SHA2_256_128,
        &AUTH_HMAC_SHA2_384_192,
        &AUTH_HMAC_SHA2_512_256,
    ],
    ke: &[
        &X25519,
        &ECP256,
        &ECP384,
        &ECP521,
        &rustcrypto::X448,
        &rustcrypto::MODP2048,
        &rustcrypto::MODP3072,
        &rustcrypto::MODP4096,
        &rustcrypto::MODP6144,
        &rustcrypto::MODP8192,
        &rustcrypto::MLKEM768,
        &rustcrypto::MLKEM1024,
    ],
    verify: &rustcrypto::VERIFIER,
    secure_random: &rustcrypto::OS_RANDOM,
};

/// [`PROVIDER`] plus PRF_HMAC_SHA1, AUTH_HMAC_SHA1_96 and MODP-1024, and the
/// AES-XCBC/AES-CMAC transforms (from the RustCrypto provider).
pub static PROVIDER_WITH_LEGACY: CryptoProvider = CryptoProvider {
    prf: &[
        &HMAC_SHA256,
        &HMAC_SHA384,
        &HMAC_SHA512,
        &HMAC_SHA1,
        &rustcrypto::PRF_AES128_XCBC,
        &rustcrypto::PRF_AES128_CMAC,
    ],
    integ: &[
        &AUTH_HMAC_SHA2_256_128,
        &AUTH_HMAC_SHA2_384_192,
        &AUTH_HMAC_SHA2_512_256,
        &AUTH_HMAC_SHA1_96,
        &rustcrypto::AUTH_AES_XCBC_96,
        &rustcrypto::AUTH_AES_CMAC_96,
    ],
    ke: &[
        &X25519,
        &ECP256,
        &ECP384,
        &ECP521,
        &rustcrypto::X448,
        &rustcrypto::MODP2048,
        &rustcrypto::MODP3072,
        &rustcrypto::MODP4096,
        &rustcrypto::MODP6144,
        &rustcrypto::MODP8192,
        &rustcrypto::MLKEM768,
        &rustcrypto::MLKEM1024,
        &rustcrypto::MODP1024,
    ],
    ..PROVIDER
};
