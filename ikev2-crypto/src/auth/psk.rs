//! Pre-shared keys and the Shared Key Message Integrity Code (AUTH method 2).
//!
//! ```text
//! AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <signed octets> )
//! ```
//! (RFC 7296 section 2.15). The same computation with the EAP MSK in place
//! of the shared secret authenticates after EAP (section 2.16): build that
//! key with [`Psk::from_bytes`] and a minimum of 0.
//!
//! A configuration names keys as text: `0x` (or `0X`) introduces hexadecimal
//! octets (whitespace and `:` separators ignored); anything else is taken as
//! its ASCII/UTF-8 octets. Local and remote keys may differ ([`PskPair`]):
//! our AUTH is computed with the local key, the peer's checked with the
//! remote one, as strongSwan and libreswan allow.

use core::fmt;

use subtle::ConstantTimeEq;

use super::AuthError;
use crate::{CryptoError, SecretBytes, SupportedPrf};

/// The key pad of RFC 7296 section 2.15 (17 ASCII octets, no terminator).
pub const KEY_PAD: &[u8] = b"Key Pad for IKEv2";

/// A pre-shared key: zeroized on drop, redacted in `Debug`.
#[derive(Clone)]
pub struct Psk(SecretBytes);

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk({} octets, redacted)", self.0.len())
    }
}

impl Psk {
    /// A conservative default minimum: 16 octets. RFC 7296 section 2.15 asks
    /// for keys with as much entropy as the strongest key negotiated; short
    /// passwords are open to offline dictionary attacks by anyone who sees
    /// one AUTH payload (a responder's AUTH reaches any initiator).
    pub const DEFAULT_MIN_LEN: usize = 16;

    /// Parse a configured key: `0x`-hex or ASCII (see the module docs), then
    /// check it is at least `min_len` octets long.
    pub fn parse(text: &str, min_len: usize) -> Result<Self, CryptoError> {
        let bytes = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => decode_hex(hex)?,
            None => SecretBytes::from_slice(text.as_bytes()),
        };
        Self::check(bytes, min_len)
    }

    /// Take raw key octets, checking the minimum length.
    pub fn from_bytes(bytes: &[u8], min_len: usize) -> Result<Self, CryptoError> {
        Self::check(SecretBytes::from_slice(bytes), min_len)
    }

    fn check(bytes: SecretBytes, min_len: usize) -> Result<Self, CryptoError> {
        if bytes.len() < min_len || bytes.is_empty() {
            return Err(AuthError::PskTooShort {
                min: min_len.max(1),
                got: bytes.len(),
            }
            .into());
        }
        Ok(Self(bytes))
    }

    /// The key octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// `prf(prf(PSK, "Key Pad for IKEv2"), signed_octets)`.
    pub fn auth(
        &self,
        prf: &dyn SupportedPrf,
        signed_octets: &[u8],
    ) -> Result<SecretBytes, CryptoError> {
        let mut padded = SecretBytes::zeroed(prf.output_len());
        prf.compute(self.0.as_bytes(), &[KEY_PAD], padded.as_mut())?;
        let mut auth = SecretBytes::zeroed(prf.output_len());
        prf.compute(padded.as_bytes(), &[signed_octets], auth.as_mut())?;
        Ok(auth)
    }

    /// Check a peer's AUTH value in constant time.
    pub fn verify(
        &self,
        prf: &dyn SupportedPrf,
        signed_octets: &[u8],
        received: &[u8],
    ) -> Result<(), CryptoError> {
        let expected = self.auth(prf, signed_octets)?;
        if bool::from(expected.as_bytes().ct_eq(received)) {
            Ok(())
        } else {
            Err(AuthError::PskMismatch.into())
        }
    }
}

/// The keys for one peer: ours signs our AUTH, the remote one checks theirs.
#[derive(Clone, Debug)]
pub struct PskPair {
    /// Key for the AUTH payload we send.
    pub local: Psk,
    /// Key for the AUTH payload the peer sends.
    pub remote: Psk,
}

impl PskPair {
    /// The usual case: one key for both directions.
    pub fn symmetric(psk: Psk) -> Self {
        Self {
            local: psk.clone(),
            remote: psk,
        }
    }
}

fn decode_hex(text: &str) -> Result<SecretBytes, CryptoError> {
    // Capacity for the whole key up front: the buffer never reallocates, so
    // no partial copy of the key is left behind; zeroized on every path.
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(text.len() / 2 + 1));
    let mut high: Option<u8> = None;
    for c in text.chars() {
        if c.is_ascii_whitespace() || c == ':' {
            continue;
        }
        let nibble = c
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
            .ok_or(AuthError::PskInvalidHex)?;
        match high.take() {
            None => high = Some(nibble),
            Some(h) => out.push((h << 4) | nibble),
        }
    }
    if high.is_some() {
        return Err(AuthError::PskInvalidHex.into());
    }
    Ok(SecretBytes::from_slice(&out))
}
