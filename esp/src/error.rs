//! The one error type of this crate.

/// Why a packet could not be sealed or opened, or why a configuration was refused.
///
/// Every variant is `Copy` and allocation-free: errors are produced on the data path for
/// hostile input and must cost nothing more than the counter they increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The packet is shorter than the SA's header, IV, minimal trailer and ICV.
    #[error("ESP packet truncated: need at least {need} octets, have {have}")]
    Truncated {
        /// Octets needed.
        need: usize,
        /// Octets present.
        have: usize,
    },
    /// The packet's SPI is not the SA's.
    #[error("ESP packet for SPI {got:#010x}, SA has SPI {expected:#010x}")]
    WrongSpi {
        /// SPI of the SA.
        expected: u32,
        /// SPI in the packet.
        got: u32,
    },
    /// The sequence number lies left of the anti-replay window (RFC 4303 section 3.4.3).
    #[error("ESP sequence number {seq} is older than the anti-replay window")]
    ReplayTooOld {
        /// The (inferred, for ESN) 64-bit sequence number.
        seq: u64,
    },
    /// The sequence number was already received inside the anti-replay window.
    #[error("ESP sequence number {seq} was already received")]
    ReplayDuplicate {
        /// The (inferred, for ESN) 64-bit sequence number.
        seq: u64,
    },
    /// The integrity check value (or AEAD tag) did not verify.
    #[error("ESP integrity check failed")]
    AuthenticationFailed,
    /// The decrypted trailer's padding is not the RFC 4303 monotonic sequence, or the pad
    /// length exceeds the payload.
    #[error("ESP padding is malformed")]
    BadPadding,
    /// A length does not fit: the ciphertext is not a multiple of the cipher block, or the
    /// inner IP packet claims more octets than the payload carries.
    #[error("ESP length is invalid")]
    BadLength,
    /// The sender's sequence number space is exhausted; the SA must be replaced (RFC 4303
    /// section 3.3.3: the counter never cycles).
    #[error("ESP sequence number space exhausted; the SA must be rekeyed")]
    SequenceOverflow,
    /// The SA has reached a hard lifetime and may no longer be used.
    #[error("ESP SA hard lifetime reached")]
    HardLifetimeExpired,
    /// The caller's buffer cannot hold the sealed packet.
    #[error("buffer too small: need {need} octets, have {have}")]
    BufferTooSmall {
        /// Octets needed.
        need: usize,
        /// Octets available.
        have: usize,
    },
    /// The SA configuration is invalid (key length, window size, missing integrity,
    /// NULL encryption without opt-in, ...).
    #[error("invalid ESP SA configuration: {0}")]
    InvalidConfig(&'static str),
    /// The crypto provider refused an operation other than a failed authentication.
    #[error("crypto provider failure")]
    Crypto,
}
