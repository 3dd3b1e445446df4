//! Secret containers: zeroized on drop, redacted in `Debug`, compared in
//! constant time.

use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Octets of key material (SKEYSEED, SK_*, KEYMAT, PSKs).
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Take ownership of `v` (it is zeroized when this value drops).
    pub fn new(v: Vec<u8>) -> Self {
        Self(v)
    }
    /// Copy `s` into fresh secret storage.
    pub fn from_slice(s: &[u8]) -> Self {
        Self(s.to_vec())
    }
    /// `len` zero octets.
    pub fn zeroed(len: usize) -> Self {
        Self(vec![0; len])
    }
    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// Length in octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Append octets (the old buffer is zeroized if it must grow).
    pub fn extend_from_slice(&mut self, s: &[u8]) {
        if self.0.capacity() - self.0.len() < s.len() {
            let mut bigger = Vec::with_capacity(self.0.len() + s.len());
            bigger.extend_from_slice(&self.0);
            self.0.zeroize();
            self.0 = bigger;
        }
        self.0.extend_from_slice(s);
    }
}

impl AsRef<[u8]> for SecretBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl AsMut<[u8]> for SecretBytes {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} octets, redacted)", self.0.len())
    }
}

impl ConstantTimeEq for SecretBytes {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for SecretBytes {}

/// The result of a key exchange (g^ir, or a KEM shared secret).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret(SecretBytes);

impl SharedSecret {
    /// Wrap the octets of a shared secret.
    pub fn new(v: Vec<u8>) -> Self {
        Self(SecretBytes(v))
    }
    /// Copy the octets of a shared secret.
    pub fn from_slice(s: &[u8]) -> Self {
        Self(SecretBytes::from_slice(s))
    }
    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedSecret({} octets, redacted)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        let d = format!("{s:?}");
        assert!(!d.contains("de") && !d.contains("222"), "{d}");
        assert_eq!(
            format!("{:?}", SharedSecret::from_slice(&[7; 3])),
            "SharedSecret(3 octets, redacted)"
        );
    }

    #[test]
    fn eq_compares_content_and_length() {
        assert_eq!(
            SecretBytes::from_slice(b"abc"),
            SecretBytes::from_slice(b"abc")
        );
        assert_ne!(
            SecretBytes::from_slice(b"abc"),
            SecretBytes::from_slice(b"abd")
        );
        assert_ne!(
            SecretBytes::from_slice(b"abc"),
            SecretBytes::from_slice(b"ab")
        );
    }

    #[test]
    fn extend_keeps_content() {
        let mut s = SecretBytes::from_slice(b"ab");
        s.extend_from_slice(b"cdef");
        assert_eq!(s.as_bytes(), b"abcdef");
    }
}
