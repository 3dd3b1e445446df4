//! Zero-copy view of an ESP packet (RFC 4303 section 2) and the ESP trailer.
//!
//! ```text
//!  0                   1                   2                   3
//! +---------------------------------------------------------------+
//! |               Security Parameters Index (SPI)                 |
//! +---------------------------------------------------------------+
//! |                      Sequence Number                          |
//! +---------------------------------------------------------------+
//! |  IV (per algorithm) | Payload Data ... | Padding | PadLen | NH  |
//! +---------------------------------------------------------------+
//! |                 Integrity Check Value (ICV)                   |
//! +---------------------------------------------------------------+
//! ```
//!
//! As in smoltcp, after [`EspPacket::new_checked`] no accessor panics.

use crate::Error;

/// Octets of SPI plus sequence number.
pub const HEADER_LEN: usize = 8;

/// Next-header value for a dummy packet (RFC 4303 section 2.6, "no next header").
pub const NEXT_HEADER_NONE: u8 = 59;
/// Next-header value for an inner IPv4 packet (tunnel mode).
pub const NEXT_HEADER_IPV4: u8 = 4;
/// Next-header value for an inner IPv6 packet (tunnel mode).
pub const NEXT_HEADER_IPV6: u8 = 41;

/// A read (and, for `AsMut` buffers, write) view of an ESP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EspPacket<T> {
    buffer: T,
}

impl<T: AsRef<[u8]>> EspPacket<T> {
    /// Wraps a buffer without checking its length; accessors then may return 0.
    pub fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wraps a buffer after checking it holds at least the SPI and sequence number.
    pub fn new_checked(buffer: T) -> Result<Self, Error> {
        let p = Self { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks the buffer holds the fixed header.
    pub fn check_len(&self) -> Result<(), Error> {
        let have = self.buffer.as_ref().len();
        if have < HEADER_LEN {
            return Err(Error::Truncated {
                need: HEADER_LEN,
                have,
            });
        }
        Ok(())
    }

    fn word(&self, at: usize) -> u32 {
        self.buffer
            .as_ref()
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes)
    }

    /// The Security Parameters Index.
    pub fn security_parameters_index(&self) -> u32 {
        self.word(0)
    }

    /// The (low 32 bits of the) sequence number.
    pub fn sequence_number(&self) -> u32 {
        self.word(4)
    }

    /// Everything after the fixed header: IV, ciphertext and ICV.
    pub fn payload(&self) -> &[u8] {
        self.buffer.as_ref().get(HEADER_LEN..).unwrap_or(&[])
    }

    /// Unwraps the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> EspPacket<T> {
    fn set_word(&mut self, at: usize, v: u32) {
        if let Some(b) = self.buffer.as_mut().get_mut(at..at + 4) {
            b.copy_from_slice(&v.to_be_bytes());
        }
    }

    /// Sets the SPI.
    pub fn set_security_parameters_index(&mut self, spi: u32) {
        self.set_word(0, spi);
    }

    /// Sets the (low 32 bits of the) sequence number.
    pub fn set_sequence_number(&mut self, seq: u32) {
        self.set_word(4, seq);
    }

    /// Mutable access to everything after the fixed header.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(HEADER_LEN..)
            .unwrap_or(&mut [])
    }
}

/// Number of padding octets RFC 4303 section 2.4 needs so that payload, padding and the two
/// trailer octets end on an `align` boundary (`align` is a power of two, at least 4).
pub(crate) fn pad_len(payload_len: usize, align: usize) -> usize {
    let used = payload_len.wrapping_add(2);
    (align - (used & (align - 1))) & (align - 1)
}

/// Writes the RFC 4303 default padding (1, 2, 3, ...), pad length and next header into `tail`,
/// which must be exactly `pad + 2` octets long.
pub(crate) fn write_trailer(tail: &mut [u8], next_header: u8) {
    let n = tail.len().saturating_sub(2);
    let mut v: u8 = 0;
    for b in tail.iter_mut().take(n) {
        v = v.wrapping_add(1);
        *b = v;
    }
    if let Some(b) = tail.get_mut(n) {
        *b = n as u8; // n <= 255 by construction of the caller
    }
    if let Some(b) = tail.get_mut(n + 1) {
        *b = next_header;
    }
}

/// Parses the trailer at the end of a decrypted `plaintext`: returns the payload length
/// and the next header after checking the padding is 1, 2, 3, ...
pub(crate) fn parse_trailer(plaintext: &[u8]) -> Result<(usize, u8), Error> {
    let len = plaintext.len();
    let (&next_header, rest) = plaintext.split_last().ok_or(Error::BadLength)?;
    let (&pad, rest) = rest.split_last().ok_or(Error::BadLength)?;
    let pad = usize::from(pad);
    let payload_len = rest.len().checked_sub(pad).ok_or(Error::BadPadding)?;
    let padding = rest.get(payload_len..).ok_or(Error::BadPadding)?;
    // Branch-free comparison so timing does not reveal where the padding went wrong.
    let mut diff = 0u8;
    for (i, &b) in padding.iter().enumerate() {
        diff |= b ^ ((i + 1) as u8);
    }
    if diff != 0 {
        return Err(Error::BadPadding);
    }
    debug_assert!(payload_len + pad + 2 == len);
    Ok((payload_len, next_header))
}

/// Length of the inner IP packet at the start of `payload` (tunnel mode), from its own
/// header, so TFC padding after it can be removed (RFC 4303 section 2.7). `None` when the
/// next header is not IPv4/IPv6 or the packet's version field disagrees with it.
pub(crate) fn inner_ip_len(next_header: u8, payload: &[u8]) -> Option<usize> {
    let version = payload.first()? >> 4;
    match next_header {
        NEXT_HEADER_IPV4 if version == 4 => {
            let b = payload.get(2..4)?;
            Some(usize::from(u16::from_be_bytes([*b.first()?, *b.get(1)?])))
        }
        NEXT_HEADER_IPV6 if version == 6 => {
            let b = payload.get(4..6)?;
            Some(40 + usize::from(u16::from_be_bytes([*b.first()?, *b.get(1)?])))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The first ESP packet of RFC 3602 section 4, case 5 (header and first IV octets).
    const CASE5_HEAD: [u8; 12] = [0, 0, 0x43, 0x21, 0, 0, 0, 1, 0xe9, 0x6e, 0x8c, 0x08];

    #[test]
    fn deconstruct() {
        let p = EspPacket::new_checked(&CASE5_HEAD[..]).unwrap();
        assert_eq!(p.security_parameters_index(), 0x4321);
        assert_eq!(p.sequence_number(), 1);
        assert_eq!(p.payload(), &[0xe9, 0x6e, 0x8c, 0x08]);
    }

    #[test]
    fn construct() {
        let mut buf = [0u8; 12];
        let mut p = EspPacket::new_unchecked(&mut buf[..]);
        p.set_security_parameters_index(0x4321);
        p.set_sequence_number(1);
        p.payload_mut().copy_from_slice(&[0xe9, 0x6e, 0x8c, 0x08]);
        assert_eq!(buf, CASE5_HEAD);
    }

    #[test]
    fn check_len() {
        assert_eq!(
            EspPacket::new_checked(&CASE5_HEAD[..7]),
            Err(Error::Truncated { need: 8, have: 7 })
        );
        let p = EspPacket::new_unchecked(&CASE5_HEAD[..3]);
        assert_eq!(p.security_parameters_index(), 0);
        assert!(p.payload().is_empty());
    }

    #[test]
    fn padding() {
        assert_eq!(pad_len(64, 16), 14); // RFC 3602 case 5
        assert_eq!(pad_len(84, 16), 10); // RFC 3602 case 7
        assert_eq!(pad_len(2, 4), 0);
        let mut t = [0u8; 5];
        write_trailer(&mut t, 4);
        assert_eq!(t, [1, 2, 3, 3, 4]);
        let mut pt = [9u8, 9, 1, 2, 3, 3, 4];
        assert_eq!(parse_trailer(&pt), Ok((2, 4)));
        pt[3] = 7;
        assert_eq!(parse_trailer(&pt), Err(Error::BadPadding));
        assert_eq!(parse_trailer(&[1, 2, 9, 4]), Err(Error::BadPadding));
        assert_eq!(parse_trailer(&[4]), Err(Error::BadLength));
        assert_eq!(parse_trailer(&[0, 59]), Ok((0, 59)));
    }

    #[test]
    fn inner_length() {
        let v4 = [0x45, 0, 0, 28, 0, 0];
        assert_eq!(inner_ip_len(4, &v4), Some(28));
        assert_eq!(
            inner_ip_len(41, &v4),
            None,
            "version 4 under next header 41"
        );
        let v6 = [0x60, 0, 0, 0, 0, 8, 17, 64];
        assert_eq!(inner_ip_len(41, &v6), Some(48));
        assert_eq!(inner_ip_len(4, &v6), None);
        assert_eq!(inner_ip_len(6, &v4), None);
        assert_eq!(inner_ip_len(4, &[0x45]), None);
    }
}
