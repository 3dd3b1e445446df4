//! Pluggable cryptography for IKEv2 and IPsec.
//!
//! A [`CryptoProvider`] is a plain struct of `&'static dyn` parts (encryption,
//! PRF, integrity, key exchange, signature verification, secure random), in
//! the style of rustls. It is always passed explicitly: there is no
//! process-global default. Two providers ship:
//!
//! * [`provider::rustcrypto::PROVIDER`], on the RustCrypto crates (default);
//! * `provider::aws_lc::PROVIDER`, on aws-lc-rs, behind the `aws-lc` feature
//!   (several times faster for AEAD on x86-64 with AES-NI).
//!
//! On top of the primitives this crate holds the IKEv2 key schedule
//! ([`keys`]: prf+, SKEYSEED, SK_* split, rekey, Child SA KEYMAT, AUTH octets,
//! PSK AUTH, NAT_DETECTION hashes), the COOKIE generator ([`cookie`]) and the
//! SK / SKF payload protection ([`sk`]).
//!
//! # Example
//!
//! A Curve25519 key exchange between two parties, then AES-GCM-16-128
//! protecting a buffer in place:
//!
//! ```
//! use ikev2_crypto::provider::rustcrypto::PROVIDER;
//! use ikev2_crypto::{EncrId, KeId, SupportedEncr};
//!
//! let p = &PROVIDER;
//! let x25519 = p.ke(KeId::Curve25519).unwrap();
//! let initiator = x25519.start(p.secure_random).unwrap();
//! let (responder_public, shared_r) = x25519.respond(p.secure_random, initiator.public()).unwrap();
//! let shared_i = initiator.complete(&responder_public).unwrap();
//! assert_eq!(shared_i, shared_r);
//!
//! let Some(SupportedEncr::Aead(gcm)) = p.encr(EncrId::AesGcm16, Some(128)) else { panic!() };
//! let key = gcm.new_key(&shared_i.as_bytes()[..20]).unwrap(); // 16 key + 4 salt
//! let mut buf = *b"attack at dawn";
//! let mut tag = [0u8; 16];
//! key.seal_in_place(&[0; 8], b"header", &mut buf, &mut tag).unwrap();
//! key.open_in_place(&[0; 8], b"header", &mut buf, &tag).unwrap();
//! assert_eq!(&buf, b"attack at dawn");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod auth;
pub mod cert;
pub mod cookie;
mod error;
mod ids;
pub mod keys;
pub mod provider;
pub mod random;
mod secret;
pub mod sk;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::CryptoError;
pub use ids::{EncrId, IntegId, KeId, PrfId};
pub use secret::{SecretBytes, SharedSecret};

use core::fmt;

/// A cryptography provider: the algorithms IKEv2 and ESP may use.
///
/// Build your own by overriding parts of a shipped one:
///
/// ```
/// use ikev2_crypto::{provider::rustcrypto, CryptoProvider};
/// static MINE: CryptoProvider = CryptoProvider {
///     ke: &[&rustcrypto::X25519, &rustcrypto::ECP256],
///     ..rustcrypto::PROVIDER
/// };
/// assert_eq!(MINE.ke.len(), 2);
/// ```
#[derive(Clone, Copy)]
pub struct CryptoProvider {
    /// Encryption algorithms, in order of preference.
    pub encr: &'static [SupportedEncr],
    /// Pseudorandom functions, in order of preference.
    pub prf: &'static [&'static dyn SupportedPrf],
    /// Integrity algorithms, in order of preference.
    pub integ: &'static [&'static dyn SupportedInteg],
    /// Key exchange methods (DH groups and KEMs), in order of preference.
    pub ke: &'static [&'static dyn SupportedKe],
    /// Signature verification for AUTH payloads and certificates.
    pub verify: &'static dyn SignatureVerifier,
    /// The random source for nonces, SPIs, IVs and key generation.
    pub secure_random: &'static dyn SecureRandom,
}

impl fmt::Debug for CryptoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoProvider")
            .field(
                "encr",
                &self
                    .encr
                    .iter()
                    .map(|e| (e.id(), e.key_bits()))
                    .collect::<Vec<_>>(),
            )
            .field("prf", &self.prf.iter().map(|p| p.id()).collect::<Vec<_>>())
            .field(
                "integ",
                &self.integ.iter().map(|i| i.id()).collect::<Vec<_>>(),
            )
            .field("ke", &self.ke.iter().map(|k| k.id()).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl CryptoProvider {
    /// The encryption algorithm with this transform ID and Key Length
    /// attribute (in bits; `None` for fixed-length ciphers like ChaCha20).
    pub fn encr(&self, id: EncrId, key_bits: Option<u16>) -> Option<SupportedEncr> {
        self.encr
            .iter()
            .copied()
            .find(|e| e.id() == id && e.key_bits() == key_bits)
    }

    /// The PRF with this transform ID.
    pub fn prf(&self, id: PrfId) -> Option<&'static dyn SupportedPrf> {
        self.prf.iter().copied().find(|p| p.id() == id)
    }

    /// The integrity algorithm with this transform ID.
    pub fn integ(&self, id: IntegId) -> Option<&'static dyn SupportedInteg> {
        self.integ.iter().copied().find(|i| i.id() == id)
    }

    /// The key exchange method with this transform ID.
    pub fn ke(&self, id: KeId) -> Option<&'static dyn SupportedKe> {
        self.ke.iter().copied().find(|k| k.id() == id)
    }
}

/// One encryption transform: either an AEAD or a cipher that needs a
/// separate integrity algorithm.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum SupportedEncr {
    /// Combined-mode cipher (AES-GCM, ChaCha20-Poly1305).
    Aead(&'static dyn SupportedAead),
    /// Plain cipher (AES-CBC, AES-CTR, NULL) used with an integrity transform.
    Cipher(&'static dyn SupportedCipher),
}

impl fmt::Debug for SupportedEncr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}/{:?}", self.id(), self.key_bits())
    }
}

impl SupportedEncr {
    /// IANA transform ID.
    pub fn id(&self) -> EncrId {
        match self {
            Self::Aead(a) => a.id(),
            Self::Cipher(c) => c.id(),
        }
    }
    /// Value of the Key Length attribute, in bits, or `None` when the
    /// transform has a fixed key length and carries no attribute.
    pub fn key_bits(&self) -> Option<u16> {
        match self {
            Self::Aead(a) => a.key_bits(),
            Self::Cipher(c) => c.key_bits(),
        }
    }
    /// Octets of keying material the key schedule takes for this transform
    /// (including the salt or nonce of RFC 5282 / RFC 3686 / RFC 7634).
    pub fn keymat_len(&self) -> usize {
        match self {
            Self::Aead(a) => a.keymat_len(),
            Self::Cipher(c) => c.keymat_len(),
        }
    }
    /// Whether the transform may protect IKE messages (ENCR_NULL may not).
    pub fn ike_allowed(&self) -> bool {
        match self {
            Self::Aead(_) => true,
            Self::Cipher(c) => c.id() != EncrId::Null,
        }
    }
}

/// An AEAD algorithm (RFC 4106/5282 AES-GCM, RFC 7634 ChaCha20-Poly1305).
pub trait SupportedAead: Send + Sync {
    /// IANA transform ID.
    fn id(&self) -> EncrId;
    /// Key Length attribute in bits, `None` if the transform has none.
    fn key_bits(&self) -> Option<u16>;
    /// Keying material: cipher key plus the 4-octet salt.
    fn keymat_len(&self) -> usize;
    /// Length of the explicit IV carried in each message (8).
    fn iv_len(&self) -> usize {
        8
    }
    /// Length of the ICV (authentication tag).
    fn icv_len(&self) -> usize {
        16
    }
    /// Expand `keymat` (key followed by salt) once into a per-SA key object.
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn AeadKey>, CryptoError>;
}

/// An expanded AEAD key, kept for the lifetime of an SA.
///
/// Every call works in place on the caller's buffer and does not allocate.
/// The nonce is `salt | iv` (RFC 4106 / RFC 7634), with the salt taken from
/// the keying material.
pub trait AeadKey: Send + Sync {
    /// Encrypt `buf` in place and write the ICV to `tag_out`.
    fn seal_in_place(
        &self,
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag_out: &mut [u8],
    ) -> Result<(), CryptoError>;
    /// Check `tag` and decrypt `buf` in place. On failure `buf` contents are
    /// unspecified and must be discarded.
    fn open_in_place(
        &self,
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError>;
}

/// A non-AEAD cipher (AES-CBC, AES-CTR, NULL).
pub trait SupportedCipher: Send + Sync {
    /// IANA transform ID.
    fn id(&self) -> EncrId;
    /// Key Length attribute in bits, `None` if the transform has none.
    fn key_bits(&self) -> Option<u16>;
    /// Keying material (for AES-CTR: key plus the 4-octet nonce, RFC 3686).
    fn keymat_len(&self) -> usize;
    /// Length of the IV carried in each message.
    fn iv_len(&self) -> usize;
    /// Data must be a multiple of this (16 for CBC, 1 for CTR and NULL).
    fn block_len(&self) -> usize;
    /// Expand `keymat` once into a per-SA key object.
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn CipherKey>, CryptoError>;
}

/// An expanded cipher key; in place, no allocation.
pub trait CipherKey: Send + Sync {
    /// Encrypt `buf` in place under `iv`.
    fn encrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError>;
    /// Decrypt `buf` in place under `iv`.
    fn decrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError>;
}

/// An integrity algorithm (truncated HMAC).
pub trait SupportedInteg: Send + Sync {
    /// IANA transform ID.
    fn id(&self) -> IntegId;
    /// Key length in octets.
    fn key_len(&self) -> usize;
    /// Length of the truncated ICV.
    fn icv_len(&self) -> usize;
    /// Expand `key` once into a per-SA key object.
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn IntegKey>, CryptoError>;
}

/// An expanded integrity key.
pub trait IntegKey: Send + Sync {
    /// Compute the truncated ICV over the concatenation of `data` into
    /// `icv_out` (exactly `icv_len` octets).
    fn sign(&self, data: &[&[u8]], icv_out: &mut [u8]) -> Result<(), CryptoError>;
    /// Check `icv` over the concatenation of `data`, in constant time.
    fn verify(&self, data: &[&[u8]], icv: &[u8]) -> Result<(), CryptoError>;
}

/// A pseudorandom function (HMAC).
pub trait SupportedPrf: Send + Sync {
    /// IANA transform ID.
    fn id(&self) -> PrfId;
    /// Output length in octets (also the preferred key length).
    fn output_len(&self) -> usize;
    /// For PRFs with a fixed key length (AES-XCBC, AES-CMAC), that length:
    /// SKEYSEED then keys the PRF with the first half of Ni and of Nr
    /// (RFC 7296 2.14).
    fn fixed_key_len(&self) -> Option<usize> {
        None
    }
    /// Compute `prf(key, data[0] | data[1] | ...)` into `out`
    /// (exactly `output_len` octets).
    fn compute(&self, key: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<(), CryptoError>;
}

impl dyn SupportedPrf + '_ {
    /// `prf(key, data...)` into fresh secret storage.
    pub fn prf(&self, key: &[u8], data: &[&[u8]]) -> SecretBytes {
        let mut out = SecretBytes::zeroed(self.output_len());
        // `out` has exactly output_len octets, the only error compute can report.
        if self.compute(key, data, out.as_mut()).is_err() {
            out.as_mut().iter_mut().for_each(|b| *b = 0);
        }
        out
    }
}

/// A key exchange method: a Diffie-Hellman group or a KEM.
pub trait SupportedKe: Send + Sync {
    /// IANA transform ID.
    fn id(&self) -> KeId;
    /// Whether this is a KEM (the responder's value is a ciphertext).
    fn is_kem(&self) -> bool {
        false
    }
    /// Start an exchange as the initiator: generate a key pair.
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError>;
    /// Answer a peer's public value as the responder; returns our public
    /// value (DH share or KEM ciphertext) and the shared secret.
    fn respond(
        &self,
        rng: &dyn SecureRandom,
        peer: &[u8],
    ) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
        let active = self.start(rng)?;
        let public = active.public().to_vec();
        Ok((public, active.complete(peer)?))
    }
}

/// An exchange in progress, holding the private key.
pub trait ActiveKe: Send {
    /// Transform ID of the method.
    fn id(&self) -> KeId;
    /// Our public value, as carried in the KE payload.
    fn public(&self) -> &[u8];
    /// Validate the peer's value and compute the shared secret.
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError>;
}

/// Hash functions used by signature schemes (RFC 7427 / RFC 8420).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-1 (legacy).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// Elliptic curves for ECDSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
}

/// How an ECDSA signature is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcdsaEncoding {
    /// Fixed-size `r | s` (IKEv2 auth methods 9, 10, 11; RFC 4754).
    Fixed,
    /// DER `ECDSA-Sig-Value` (RFC 7427 Digital Signature, X.509).
    Der,
}

/// A signature scheme, as named by an AUTH method or an RFC 7427
/// AlgorithmIdentifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 with this hash.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS with MGF1 of the same hash and salt length = hash length.
    RsaPss(HashAlg),
    /// ECDSA on a curve with a hash.
    Ecdsa {
        /// Curve of the key.
        curve: EcCurve,
        /// Hash of the message.
        hash: HashAlg,
        /// Signature encoding.
        encoding: EcdsaEncoding,
    },
    /// Ed25519 (RFC 8420) over the message itself.
    Ed25519,
}

/// Verifies signatures with a public key given as DER SubjectPublicKeyInfo.
pub trait SignatureVerifier: Send + Sync {
    /// Whether `scheme` is supported.
    fn supports(&self, scheme: SignatureScheme) -> bool;
    /// Verify `signature` over `message`.
    fn verify(
        &self,
        scheme: SignatureScheme,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError>;
}

/// The answer of an [`auth::AuthSigner`]: a signature now, or later.
#[derive(Debug)]
#[non_exhaustive]
pub enum Signing {
    /// The signature, ready.
    Ready(Vec<u8>),
    /// The key lives elsewhere (an HSM, a remote agent): the embedder will
    /// hand the signature to the state machine later, for these same octets.
    Deferred,
}

/// A cryptographically secure random source.
///
/// Implementations: [`random::OsRandom`] (the operating system) and
/// [`random::DeterministicRandom`] (seeded ChaCha20, for tests and
/// simulation).
pub trait SecureRandom: Send + Sync {
    /// Fill `buf` with random octets.
    fn fill(&self, buf: &mut [u8]) -> Result<(), CryptoError>;
}
