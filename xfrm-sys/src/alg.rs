//! Algorithms (with the kernel's crypto API names) and key material.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Key material: zeroized on drop, never printed, compared in constant time.
#[derive(Clone, Default)]
pub struct Key(Zeroizing<Vec<u8>>);

impl Key {
    /// Wraps key bytes (copied; zeroize your own copy).
    pub fn new(bytes: &[u8]) -> Self {
        Key(Zeroizing::new(bytes.to_vec()))
    }
    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the key is empty (the null algorithms).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Key {
    fn from(v: Vec<u8>) -> Self {
        Key(Zeroizing::new(v))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(<{} bytes redacted>)", self.0.len())
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}
impl Eq for Key {}

/// Combined-mode (AEAD) ESP algorithms. Keys include the 4-byte salt
/// (RFC 4106 section 8.1, RFC 7634 section 2), as KEYMAT yields them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlg {
    /// AES-GCM with a 16-byte ICV (RFC 4106), key 128/192/256 bits.
    AesGcm16 {
        /// AES key length in bits (128, 192 or 256).
        key_bits: u16,
    },
    /// AES-GCM with a 12-byte ICV.
    AesGcm12 {
        /// AES key length in bits.
        key_bits: u16,
    },
    /// AES-GCM with an 8-byte ICV.
    AesGcm8 {
        /// AES key length in bits.
        key_bits: u16,
    },
    /// AES-CCM with a 16-byte ICV (RFC 4309); key carries a 3-byte salt.
    AesCcm16 {
        /// AES key length in bits.
        key_bits: u16,
    },
    /// ChaCha20-Poly1305 (RFC 7634): 256-bit key + 4-byte salt.
    ChaCha20Poly1305,
}

impl AeadAlg {
    /// The kernel crypto API name (`XFRMA_ALG_AEAD`'s `alg_name`).
    pub fn kernel_name(self) -> &'static str {
        match self {
            AeadAlg::AesGcm16 { .. } | AeadAlg::AesGcm12 { .. } | AeadAlg::AesGcm8 { .. } => {
                "rfc4106(gcm(aes))"
            }
            AeadAlg::AesCcm16 { .. } => "rfc4309(ccm(aes))",
            AeadAlg::ChaCha20Poly1305 => "rfc7539esp(chacha20,poly1305)",
        }
    }
    /// ICV length in bits.
    pub fn icv_bits(self) -> u32 {
        match self {
            AeadAlg::AesGcm16 { .. } | AeadAlg::AesCcm16 { .. } | AeadAlg::ChaCha20Poly1305 => 128,
            AeadAlg::AesGcm12 { .. } => 96,
            AeadAlg::AesGcm8 { .. } => 64,
        }
    }
    /// Key length in bytes, salt included.
    pub fn key_len(self) -> usize {
        match self {
            AeadAlg::AesGcm16 { key_bits }
            | AeadAlg::AesGcm12 { key_bits }
            | AeadAlg::AesGcm8 { key_bits } => usize::from(key_bits / 8) + 4,
            AeadAlg::AesCcm16 { key_bits } => usize::from(key_bits / 8) + 3,
            AeadAlg::ChaCha20Poly1305 => 36,
        }
    }
}

/// Encryption-only ESP algorithms (used with an [`IntegAlg`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncAlg {
    /// AES-CBC (RFC 3602).
    AesCbc {
        /// AES key length in bits.
        key_bits: u16,
    },
    /// AES-CTR (RFC 3686): key carries a 4-byte nonce.
    AesCtr {
        /// AES key length in bits.
        key_bits: u16,
    },
    /// 3DES-CBC (legacy).
    TripleDesCbc,
    /// ENCR_NULL (RFC 2410): integrity only.
    Null,
}

impl EncAlg {
    /// The kernel crypto API name (`XFRMA_ALG_CRYPT`).
    pub fn kernel_name(self) -> &'static str {
        match self {
            EncAlg::AesCbc { .. } => "cbc(aes)",
            EncAlg::AesCtr { .. } => "rfc3686(ctr(aes))",
            EncAlg::TripleDesCbc => "cbc(des3_ede)",
            EncAlg::Null => "ecb(cipher_null)",
        }
    }
    /// Key length in bytes (nonce included).
    pub fn key_len(self) -> usize {
        match self {
            EncAlg::AesCbc { key_bits } => usize::from(key_bits / 8),
            EncAlg::AesCtr { key_bits } => usize::from(key_bits / 8) + 4,
            EncAlg::TripleDesCbc => 24,
            EncAlg::Null => 0,
        }
    }
}

/// Integrity algorithms (`XFRMA_ALG_AUTH_TRUNC`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegAlg {
    /// HMAC-SHA1-96 (RFC 2404).
    HmacSha1_96,
    /// HMAC-SHA-256-128 (RFC 4868).
    HmacSha256_128,
    /// HMAC-SHA-384-192 (RFC 4868).
    HmacSha384_192,
    /// HMAC-SHA-512-256 (RFC 4868).
    HmacSha512_256,
    /// AES-XCBC-MAC-96 (RFC 3566).
    AesXcbc96,
    /// AES-CMAC-96 (RFC 4494).
    AesCmac96,
}

impl IntegAlg {
    /// The kernel crypto API name.
    pub fn kernel_name(self) -> &'static str {
        match self {
            IntegAlg::HmacSha1_96 => "hmac(sha1)",
            IntegAlg::HmacSha256_128 => "hmac(sha256)",
            IntegAlg::HmacSha384_192 => "hmac(sha384)",
            IntegAlg::HmacSha512_256 => "hmac(sha512)",
            IntegAlg::AesXcbc96 => "xcbc(aes)",
            IntegAlg::AesCmac96 => "cmac(aes)",
        }
    }
    /// Truncated ICV length in bits.
    pub fn trunc_bits(self) -> u32 {
        match self {
            IntegAlg::HmacSha1_96 | IntegAlg::AesXcbc96 | IntegAlg::AesCmac96 => 96,
            IntegAlg::HmacSha256_128 => 128,
            IntegAlg::HmacSha384_192 => 192,
            IntegAlg::HmacSha512_256 => 256,
        }
    }
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            IntegAlg::HmacSha1_96 => 20,
            IntegAlg::HmacSha256_128 => 32,
            IntegAlg::HmacSha384_192 => 48,
            IntegAlg::HmacSha512_256 => 64,
            IntegAlg::AesXcbc96 | IntegAlg::AesCmac96 => 16,
        }
    }
}

/// The transforms and keys of one SA direction.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cipher {
    /// A combined-mode algorithm.
    Aead {
        /// Algorithm.
        alg: AeadAlg,
        /// Key (salt included).
        key: Key,
    },
    /// Separate encryption and integrity.
    EncInteg {
        /// Encryption algorithm.
        enc: EncAlg,
        /// Encryption key.
        enc_key: Key,
        /// Integrity algorithm.
        integ: IntegAlg,
        /// Integrity key.
        integ_key: Key,
    },
}

impl Cipher {
    /// Checks key lengths against the algorithms.
    pub fn validate(&self) -> Result<(), crate::Error> {
        let ok = match self {
            Cipher::Aead { alg, key } => key.len() == alg.key_len(),
            Cipher::EncInteg {
                enc,
                enc_key,
                integ,
                integ_key,
            } => enc_key.len() == enc.key_len() && integ_key.len() == integ.key_len(),
        };
        if ok {
            Ok(())
        } else {
            Err(crate::Error::Invalid(
                "key length does not match the algorithm",
            ))
        }
    }
}
