//! UDP demultiplexing for IKE and ESP on port 4500 (RFC 3948, RFC 7296 §2.23).
//!
//! On port 4500 one socket carries three things: IKE messages prefixed with a
//! four-octet all-zero *non-ESP marker*, UDP-encapsulated ESP (whose first four
//! octets are the non-zero SPI), and the one-octet `0xFF` NAT-keepalive.
//! [`demux_udp_4500`] tells them apart without copying. Port 500 carries IKE
//! only, with no marker.

use crate::error::{Error, Part};

/// IKE's own UDP port.
pub const IKE_PORT: u16 = 500;
/// The NAT-traversal UDP port (RFC 3948).
pub const NAT_T_PORT: u16 = 4500;
/// The non-ESP marker that precedes IKE messages on port 4500.
pub const NON_ESP_MARKER: [u8; 4] = [0; 4];
/// The single octet of a NAT-keepalive packet (RFC 3948 §2.3).
pub const NAT_KEEPALIVE: u8 = 0xFF;
/// Smallest ESP packet that can be told apart: SPI and sequence number.
pub const MIN_ESP_LEN: usize = 8;

/// What a UDP payload received on port 4500 contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Udp4500<'a> {
    /// An IKE message; the slice starts at the IKE header (marker removed).
    Ike(&'a [u8]),
    /// A UDP-encapsulated ESP packet; the slice starts at the SPI.
    Esp(&'a [u8]),
    /// A NAT-keepalive (to be ignored by the receiver).
    NatKeepalive,
}

/// Classifies the UDP payload of a datagram received on port 4500.
///
/// # Errors
/// [`Error::Truncated`] with [`Part::UdpEncapsulation`] when the payload is
/// neither a keepalive nor long enough for an ESP header (or is empty).
///
/// ```
/// use ikev2_wire::udp::{demux_udp_4500, Udp4500};
/// assert_eq!(demux_udp_4500(&[0xFF]), Ok(Udp4500::NatKeepalive));
/// let ike = [0, 0, 0, 0, 0x11, 0x22];
/// assert_eq!(demux_udp_4500(&ike), Ok(Udp4500::Ike(&ike[4..])));
/// let esp = [0, 0, 1, 0, 0, 0, 0, 1, 0xAA];
/// assert_eq!(demux_udp_4500(&esp), Ok(Udp4500::Esp(&esp)));
/// ```
pub fn demux_udp_4500(payload: &[u8]) -> Result<Udp4500<'_>, Error> {
    match payload {
        [NAT_KEEPALIVE] => Ok(Udp4500::NatKeepalive),
        [0, 0, 0, 0, ike @ ..] => Ok(Udp4500::Ike(ike)),
        esp if esp.len() >= MIN_ESP_LEN => Ok(Udp4500::Esp(esp)),
        short => Err(Error::Truncated {
            part: Part::UdpEncapsulation,
            offset: 0,
            need: MIN_ESP_LEN,
            have: short.len(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalive_is_exactly_one_ff() {
        assert_eq!(demux_udp_4500(&[0xFF]), Ok(Udp4500::NatKeepalive));
        // Two octets starting with 0xFF are neither keepalive nor a full ESP header.
        assert!(matches!(
            demux_udp_4500(&[0xFF, 0xFF]),
            Err(Error::Truncated {
                need: 8,
                have: 2,
                ..
            })
        ));
    }

    #[test]
    fn marker_strips_four_zero_octets() {
        let d = [0u8, 0, 0, 0, 1, 2, 3];
        assert_eq!(demux_udp_4500(&d), Ok(Udp4500::Ike(&[1, 2, 3])));
        assert_eq!(demux_udp_4500(&[0, 0, 0, 0]), Ok(Udp4500::Ike(&[])));
    }

    #[test]
    fn esp_needs_spi_and_sequence() {
        let d = [0xc0u8, 0x01, 0x02, 0x03, 0, 0, 0, 1];
        assert_eq!(demux_udp_4500(&d), Ok(Udp4500::Esp(&d)));
        assert!(demux_udp_4500(&d[..7]).is_err());
        assert!(demux_udp_4500(&[]).is_err());
        // Three zero octets are not a marker (too short for one).
        assert!(demux_udp_4500(&[0, 0, 0]).is_err());
    }
}
