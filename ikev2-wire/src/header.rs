//! The fixed IKE header (RFC 7296 §3.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! |                       IKE SA Initiator's SPI                  |
//! |                       IKE SA Responder's SPI                  |
//! |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
//! |                          Message ID                           |
//! |                            Length                             |
//! ```

use crate::codec::{Reader, Writer};
use crate::enums::{ExchangeType, PayloadType};
use crate::error::{Error, Part};

/// Length of the IKE header.
pub const HEADER_LEN: usize = 28;

/// Header flag: the sender is the original initiator of the IKE SA.
pub const FLAG_INITIATOR: u8 = 0x08;
/// Header flag: the sender can speak a higher major version.
pub const FLAG_VERSION: u8 = 0x10;
/// Header flag: this message is a response.
pub const FLAG_RESPONSE: u8 = 0x20;

/// A decoded IKE header, every field as on the wire. `Copy`, no borrowing.
///
/// [`HeaderRepr`] is the same less `next_payload` and `length`, which
/// [`MessageRepr::emit`](crate::MessageRepr::emit) derives from the payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// IKE SA Initiator's SPI.
    pub spi_i: u64,
    /// IKE SA Responder's SPI (zero in the first IKE_SA_INIT request).
    pub spi_r: u64,
    /// Type of the first payload.
    pub next_payload: PayloadType,
    /// The version octet: major in the high nibble, minor in the low one.
    pub version: u8,
    /// Exchange type.
    pub exchange_type: ExchangeType,
    /// The flags octet, reserved bits included.
    pub flags: u8,
    /// Message ID.
    pub message_id: u32,
    /// Total message length, header included.
    pub length: u32,
}

impl Header {
    /// Major version 2, minor version 0.
    pub const VERSION_2_0: u8 = 0x20;

    /// The representation: every field but `next_payload` and `length`.
    #[must_use]
    pub const fn repr(&self) -> HeaderRepr {
        HeaderRepr {
            spi_i: self.spi_i,
            spi_r: self.spi_r,
            version: self.version,
            exchange_type: self.exchange_type,
            flags: self.flags,
            message_id: self.message_id,
        }
    }

    /// Decodes the first 28 octets of `buf` (anything after them is ignored).
    ///
    /// This alone is enough to route a datagram by SPI before anything else
    /// is checked.
    ///
    /// # Errors
    /// [`Error::Truncated`] if `buf` is shorter than 28 octets,
    /// [`Error::UnsupportedVersion`] if the major version is not 2.
    #[inline]
    pub fn parse(buf: &[u8]) -> Result<Self, Error> {
        if buf.len() < HEADER_LEN {
            let have = buf.len();
            return Err(Error::Truncated {
                part: Part::Header,
                offset: 0,
                need: HEADER_LEN,
                have,
            });
        }
        let mut r = Reader::new(buf, 0, Part::Header);
        let spi_i = u64::from_be_bytes(r.array()?);
        let spi_r = u64::from_be_bytes(r.array()?);
        let next_payload = PayloadType::from(r.u8()?);
        let version = r.u8()?;
        let exchange_type = ExchangeType::from(r.u8()?);
        let flags = r.u8()?;
        let message_id = r.u32()?;
        let length = r.u32()?;
        let header = Self {
            spi_i,
            spi_r,
            next_payload,
            version,
            exchange_type,
            flags,
            message_id,
            length,
        };
        if header.major_version() != 2 {
            return Err(Error::UnsupportedVersion {
                major: header.major_version(),
            });
        }
        Ok(header)
    }

    /// Major version (high nibble of the version octet).
    #[must_use]
    pub const fn major_version(&self) -> u8 {
        self.version >> 4
    }

    /// Minor version (low nibble of the version octet).
    #[must_use]
    pub const fn minor_version(&self) -> u8 {
        self.version & 0x0F
    }

    /// The Initiator flag.
    #[must_use]
    pub const fn is_initiator(&self) -> bool {
        self.flags & FLAG_INITIATOR != 0
    }

    /// The Response flag.
    #[must_use]
    pub const fn is_response(&self) -> bool {
        self.flags & FLAG_RESPONSE != 0
    }

    /// The Version flag.
    #[must_use]
    pub const fn higher_version(&self) -> bool {
        self.flags & FLAG_VERSION != 0
    }

    /// Writes the header as it stands into the first 28 octets of `buf`.
    ///
    /// # Errors
    /// [`Error::Truncated`] ([`Part::OutputBuffer`]) if `buf` is too short.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        self.write(&mut w)?;
        Ok(HEADER_LEN)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.bytes(&self.spi_i.to_be_bytes())?;
        w.bytes(&self.spi_r.to_be_bytes())?;
        w.u8(self.next_payload.value())?;
        w.u8(self.version)?;
        w.u8(self.exchange_type.value())?;
        w.u8(self.flags)?;
        w.u32(self.message_id)?;
        w.u32(self.length)
    }
}

/// The IKE header of a [`MessageRepr`](crate::MessageRepr): the fields a
/// sender chooses (Next Payload and Length follow from the payloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderRepr {
    /// IKE SA Initiator's SPI.
    pub spi_i: u64,
    /// IKE SA Responder's SPI.
    pub spi_r: u64,
    /// The version octet (0x20 for 2.0).
    pub version: u8,
    /// Exchange type.
    pub exchange_type: ExchangeType,
    /// The flags octet ([`FLAG_INITIATOR`], [`FLAG_RESPONSE`], [`FLAG_VERSION`] and reserved bits).
    pub flags: u8,
    /// Message ID.
    pub message_id: u32,
}

impl HeaderRepr {
    /// A version 2.0 header.
    #[must_use]
    pub const fn new(
        spi_i: u64,
        spi_r: u64,
        exchange_type: ExchangeType,
        flags: u8,
        message_id: u32,
    ) -> Self {
        Self {
            spi_i,
            spi_r,
            version: Header::VERSION_2_0,
            exchange_type,
            flags,
            message_id,
        }
    }

    /// The full header for a message with the given first payload and length.
    #[must_use]
    pub const fn to_header(&self, next_payload: PayloadType, length: u32) -> Header {
        Header {
            spi_i: self.spi_i,
            spi_r: self.spi_r,
            next_payload,
            version: self.version,
            exchange_type: self.exchange_type,
            flags: self.flags,
            message_id: self.message_id,
            length,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First IKE_SA_INIT request of tcpdump's `ikev2four.pcap` (frame 1), header only.
    const IKEV2FOUR_HDR: [u8; 28] = [
        0xa8, 0x88, 0x75, 0xa8, 0x19, 0x89, 0x92, 0xa6, 0, 0, 0, 0, 0, 0, 0, 0, 0x21, 0x20, 0x22,
        0x08, 0, 0, 0, 0, 0, 0, 0x01, 0x78,
    ];

    #[test]
    fn parse_and_emit() {
        let h = Header::parse(&IKEV2FOUR_HDR).unwrap();
        assert_eq!(h.spi_i, 0xa888_75a8_1989_92a6);
        assert_eq!(h.spi_r, 0);
        assert_eq!(h.next_payload, PayloadType::SecurityAssociation);
        assert_eq!(h.exchange_type, ExchangeType::IkeSaInit);
        assert!(h.is_initiator() && !h.is_response());
        assert_eq!(h.length, 376);
        let mut out = [0u8; 28];
        assert_eq!(h.emit(&mut out), Ok(28));
        assert_eq!(out, IKEV2FOUR_HDR);
    }

    #[test]
    fn rejects_short_and_wrong_version() {
        assert!(matches!(
            Header::parse(&IKEV2FOUR_HDR[..27]),
            Err(Error::Truncated {
                part: Part::Header,
                need: 28,
                have: 27,
                ..
            })
        ));
        let mut v1 = IKEV2FOUR_HDR;
        v1[17] = 0x10;
        assert_eq!(
            Header::parse(&v1),
            Err(Error::UnsupportedVersion { major: 1 })
        );
        assert!(Header::parse(&[]).is_err());
    }
}
