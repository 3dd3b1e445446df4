//! The crate's one error type.

use crate::ids::KeId;

/// Everything that can go wrong in a cryptographic operation.
///
/// Variants carry no secret data and no allocation, so the error is `Copy`
/// and cheap to count and log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A key had the wrong length for the algorithm.
    #[error("invalid key length: expected {expected}, got {got}")]
    InvalidKeyLength {
        /// Octets the algorithm needs.
        expected: usize,
        /// Octets given.
        got: usize,
    },
    /// A nonce, IV or ICV buffer had the wrong length.
    #[error("invalid {what} length: expected {expected}, got {got}")]
    InvalidLength {
        /// Which buffer.
        what: &'static str,
        /// Octets the algorithm needs.
        expected: usize,
        /// Octets given.
        got: usize,
    },
    /// The plaintext or ciphertext is not a multiple of the block size.
    #[error("data length {len} is not a multiple of the block size {block}")]
    NotBlockAligned {
        /// Data length.
        len: usize,
        /// Cipher block size.
        block: usize,
    },
    /// The integrity check value (or AEAD tag) did not verify.
    #[error("integrity check failed")]
    IntegrityCheckFailed,
    /// Decrypted padding is inconsistent (RFC 7296 3.14).
    #[error("invalid padding")]
    InvalidPadding,
    /// A peer's public key-exchange value failed validation (RFC 6989, on-curve).
    #[error("invalid peer public value for key exchange {0:?}")]
    InvalidPeerPublic(KeId),
    /// The key exchange produced a degenerate shared secret (e.g. all-zero X25519).
    #[error("degenerate shared secret for key exchange {0:?}")]
    DegenerateSharedSecret(KeId),
    /// The algorithm is not implemented by this provider.
    #[error("unsupported algorithm")]
    Unsupported,
    /// prf+ was asked for more than 255 blocks (RFC 7296 2.13).
    #[error("prf+ output of {requested} octets exceeds the limit of {max}")]
    PrfPlusTooLong {
        /// Octets requested.
        requested: usize,
        /// 255 * prf output length.
        max: usize,
    },
    /// The random source failed.
    #[error("random source failure")]
    RandomFailure,
    /// A signature did not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// A public or private key could not be parsed.
    #[error("malformed key")]
    MalformedKey,
    /// A message could not be parsed well enough to (de)protect it.
    #[error("malformed message: {0}")]
    Malformed(&'static str),
    /// A buffer given by the caller is too small.
    #[error("output buffer too small: need {need}, have {have}")]
    BufferTooSmall {
        /// Octets needed.
        need: usize,
        /// Octets available.
        have: usize,
    },
    /// A COOKIE did not match any current or previous secret (RFC 7296 2.6).
    #[error("invalid cookie")]
    InvalidCookie,
    /// Peer authentication failed; the inner error names the check.
    #[error("authentication: {0}")]
    Auth(#[from] crate::auth::AuthError),
    /// A certificate was rejected; the inner error names the check.
    #[error("certificate: {0}")]
    Cert(#[from] crate::cert::CertError),
}
