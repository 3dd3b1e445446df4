//! IKEv2 peer authentication: the AUTH payload (RFC 7296 section 2.15).
//!
//! * [`psk`]: Shared Key Message Integrity Code (method 2). Keys are
//!   configured as ASCII or `0x`-hex, may differ per direction, and are
//!   checked against a configurable minimum length.
//!   `AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <signed octets>)`.
//! * Signatures: RSA PKCS#1 v1.5 with SHA-1 (method 1), ECDSA with r|s
//!   fixed-width signatures (methods 9, 10, 11; RFC 4754) and the generic
//!   Digital Signature method (14; RFC 7427) with RSASSA-PSS, RSASSA-PKCS1-v1_5
//!   with SHA-2, ECDSA (DER signature) and Ed25519 (RFC 8420).
//!   [`scheme`] parses and writes the RFC 7427 AlgorithmIdentifiers and
//!   negotiates the hash from SIGNATURE_HASH_ALGORITHMS; [`verify_auth`]
//!   checks a peer's AUTH payload; [`signer`] produces ours, synchronously
//!   or through an asynchronous (HSM) key.
//!
//! The signed octets themselves (`RealMessage | Nonce | prf(SK_p, ID')`)
//! come from the key schedule ([`crate::keys`]).
//!
//! Every failure is an [`AuthError`], carried in
//! [`CryptoError::Auth`](crate::CryptoError::Auth).
//!
//! # Example
//!
//! Sign our AUTH with a key from strongSwan's `pki`, choosing the scheme from
//! the peer's SIGNATURE_HASH_ALGORITHMS, and verify it as the peer would:
//!
//! ```
//! use ikev2_crypto::auth::signer::{choose_scheme, sign_auth, SchemePreferences};
//! use ikev2_crypto::auth::{verify_auth, AuthPolicy, AuthSigner, HashAlgorithm, SoftwareSigner};
//! use ikev2_crypto::provider::rustcrypto::{OS_RANDOM, VERIFIER};
//!
//! let pem = include_bytes!("../../tests/data/strongswan-pki/a-ecdsa.pk8.pem");
//! let key = SoftwareSigner::from_pem_or_der(pem, &OS_RANDOM)?;
//! let peer_hashes = [HashAlgorithm::Sha2_256, HashAlgorithm::Sha2_512];
//! let (method, scheme) =
//!     choose_scheme(&SchemePreferences::default(), key.public_key_spki(), Some(&peer_hashes))?;
//! let octets = b"RealMessage | Nonce | prf(SK_p, ID')".to_vec();
//! let Ok((method, auth_data)) = sign_auth(&key, &VERIFIER, method, scheme, octets.clone())? else {
//!     unreachable!("a software key signs at once")
//! };
//! let used = verify_auth(&VERIFIER, &AuthPolicy::default(), method, &auth_data, &octets, key.public_key_spki())?;
//! assert_eq!(used, scheme);
//! # Ok::<(), ikev2_crypto::CryptoError>(())
//! ```

pub mod psk;
pub mod scheme;
pub mod signer;
mod verify;

pub use psk::Psk;
pub use scheme::SignatureAlgorithm;
pub use signer::{
    choose_scheme, sign_auth, AuthSigner, PendingAuth, SchemePreferences, SignRequest,
    SoftwareSigner,
};
pub use verify::{verify_auth, verify_signature, AuthPolicy, PublicKey};

use crate::{EcCurve, EcdsaEncoding, HashAlg, SignatureScheme};

pub use ikev2_wire::AuthMethod;
pub use ikev2_wire::HashAlgorithm;

/// The fixed scheme of a legacy signature method (1, 9, 10, 11); `None`
/// for method 14, whose scheme is in the AUTH data, and for non-signature
/// methods.
pub fn legacy_scheme(method: AuthMethod) -> Option<SignatureScheme> {
    let ecdsa = |curve, hash| SignatureScheme::Ecdsa {
        curve,
        hash,
        encoding: EcdsaEncoding::Fixed,
    };
    match method {
        AuthMethod::RsaDigitalSignature => Some(SignatureScheme::RsaPkcs1(HashAlg::Sha1)),
        AuthMethod::EcdsaSha256P256 => Some(ecdsa(EcCurve::P256, HashAlg::Sha256)),
        AuthMethod::EcdsaSha384P384 => Some(ecdsa(EcCurve::P384, HashAlg::Sha384)),
        AuthMethod::EcdsaSha512P521 => Some(ecdsa(EcCurve::P521, HashAlg::Sha512)),
        _ => None,
    }
}

/// Why authentication failed. Each variant names the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A pre-shared key is shorter than the configured minimum.
    #[error("pre-shared key too short: {got} octets, minimum {min}")]
    PskTooShort {
        /// Configured minimum, in octets.
        min: usize,
        /// Length of the key given.
        got: usize,
    },
    /// A `0x`-prefixed pre-shared key is not valid hexadecimal.
    #[error("pre-shared key: invalid hexadecimal")]
    PskInvalidHex,
    /// The peer's PSK AUTH value does not match (wrong key or tampering).
    #[error("shared key MIC mismatch")]
    PskMismatch,
    /// An AUTH method this crate does not implement, or not the one expected.
    #[error("unsupported authentication method {0}")]
    UnsupportedMethod(u8),
    /// The Authentication Data of a method 14 AUTH payload is malformed.
    #[error("malformed authentication data")]
    MalformedAuthData,
    /// An RFC 7427 AlgorithmIdentifier is not valid DER or has bad parameters.
    #[error("malformed AlgorithmIdentifier")]
    MalformedAlgorithmIdentifier,
    /// An AlgorithmIdentifier names an OID this crate does not know.
    #[error("unknown signature algorithm")]
    UnknownSignatureAlgorithm,
    /// A known algorithm this crate does not implement (DSA, Ed448).
    #[error("unsupported signature algorithm")]
    UnsupportedSignatureAlgorithm,
    /// RSASSA-PSS parameters are malformed (unknown hash or MGF, bad salt
    /// or trailer field).
    #[error("invalid RSASSA-PSS parameters")]
    InvalidPssParameters,
    /// Valid RSASSA-PSS parameters other than MGF1 with the message hash
    /// and salt length equal to the hash length.
    #[error("unsupported RSASSA-PSS parameters")]
    UnsupportedPssParameters,
    /// The signature scheme does not fit the peer's key (e.g. an RSA scheme
    /// with an EC key, or method 9 with a P-384 key).
    #[error("signature scheme does not match the key")]
    KeyMismatch,
    /// The peer signed with a hash our policy does not accept (not in our
    /// SIGNATURE_HASH_ALGORITHMS, or SHA-1 while legacy is off).
    #[error("hash algorithm {0:?} not allowed")]
    HashNotAllowed(HashAlgorithm),
    /// The peer used a legacy method although both sides announced
    /// SIGNATURE_HASH_ALGORITHMS and the policy requires method 14.
    #[error("legacy signature method not allowed")]
    LegacyMethodNotAllowed,
    /// No hash algorithm in common (RFC 7427 section 4).
    #[error("no common signature hash algorithm")]
    NoCommonHash,
    /// The SIGNATURE_HASH_ALGORITHMS notify data is malformed.
    #[error("malformed SIGNATURE_HASH_ALGORITHMS")]
    MalformedHashAlgorithms,
    /// A signature has the wrong length or encoding for its scheme.
    #[error("malformed signature")]
    MalformedSignature,
    /// The signature does not verify under the peer's key.
    #[error("bad signature")]
    BadSignature,
    /// A public key could not be parsed or uses an unsupported algorithm.
    #[error("unsupported or malformed public key")]
    UnsupportedKey,
    /// A private key could not be loaded.
    #[error("malformed private key")]
    MalformedPrivateKey,
    /// The local key cannot produce the requested scheme.
    #[error("signer cannot use this scheme")]
    SchemeNotSupportedBySigner,
    /// The signer (for example an HSM) reported a failure.
    #[error("signer failed")]
    SignerFailed,
}
