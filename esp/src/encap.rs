//! UDP encapsulation of ESP (RFC 3948) for peers behind NAT.
//!
//! On port 4500 one socket carries IKE (behind the four-octet non-ESP marker), ESP, and
//! one-octet NAT-keepalives. The classification is [`ikev2_wire::udp::demux_udp_4500`],
//! shared with the IKE side; this module adds the in-place, mutable variant the ESP receive
//! path needs, and the framing for sending.

use core::ops::Range;

pub use ikev2_wire::udp::{demux_udp_4500, Udp4500, NAT_KEEPALIVE, NAT_T_PORT, NON_ESP_MARKER};

use crate::sa::{OutboundSa, Sealed};
use crate::Error;

/// Octets of a UDP header.
pub const UDP_HEADER_LEN: usize = 8;

/// The payload of a NAT-keepalive datagram (RFC 3948 section 2.3), sent every 20 seconds
/// or so by the peer behind the NAT.
pub const KEEPALIVE: [u8; 1] = [NAT_KEEPALIVE];

/// What a port-4500 UDP payload holds, as ranges into the caller's buffer so the ESP packet
/// can then be opened in place.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Demuxed {
    /// An IKE message (non-ESP marker removed).
    Ike(Range<usize>),
    /// An ESP packet, starting at the SPI.
    Esp(Range<usize>),
    /// A NAT-keepalive, to be ignored.
    NatKeepalive,
}

/// Classifies a UDP payload received on port 4500 (see [`demux_udp_4500`]).
pub fn demux(payload: &[u8]) -> Result<Demuxed, Error> {
    let len = payload.len();
    match demux_udp_4500(payload) {
        Ok(Udp4500::Ike(ike)) => Ok(Demuxed::Ike(len - ike.len()..len)),
        Ok(Udp4500::Esp(_)) => Ok(Demuxed::Esp(0..len)),
        Ok(Udp4500::NatKeepalive) => Ok(Demuxed::NatKeepalive),
        Ok(_) | Err(_) => Err(Error::Truncated {
            need: ikev2_wire::udp::MIN_ESP_LEN,
            have: len,
        }),
    }
}

/// Writes a UDP header for a datagram whose UDP payload is `payload_len` octets.
///
/// The checksum is zero, as RFC 3948 section 2.1 prescribes for ESP-in-UDP over IPv4 (ESP
/// carries its own integrity). Over IPv6 a zero checksum needs RFC 6935/6936 support from
/// the path; compute it over the pseudo-header instead where that is not given.
pub fn write_udp_header(
    header: &mut [u8],
    src_port: u16,
    dst_port: u16,
    payload_len: usize,
) -> Result<(), Error> {
    let len = u16::try_from(payload_len + UDP_HEADER_LEN).map_err(|_| Error::BadLength)?;
    let have = header.len();
    let h = header
        .get_mut(..UDP_HEADER_LEN)
        .ok_or(Error::BufferTooSmall {
            need: UDP_HEADER_LEN,
            have,
        })?;
    let [s0, s1] = src_port.to_be_bytes();
    let [d0, d1] = dst_port.to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    h.copy_from_slice(&[s0, s1, d0, d1, l0, l1, 0, 0]);
    Ok(())
}

/// Seals an ESP-in-UDP datagram: the payload sits at
/// `buf[UDP_HEADER_LEN + sa.header_len()..]`, the UDP header is written at the start of
/// `buf`, and the returned length covers UDP header and ESP packet.
pub fn seal_udp(
    sa: &mut OutboundSa,
    buf: &mut [u8],
    payload_len: usize,
    src_port: u16,
    dst_port: u16,
) -> Result<Sealed, Error> {
    let have = buf.len();
    let (udp, esp) = buf
        .split_at_mut_checked(UDP_HEADER_LEN)
        .ok_or(Error::BufferTooSmall {
            need: UDP_HEADER_LEN,
            have,
        })?;
    if sa.sealed_len(payload_len) + UDP_HEADER_LEN > usize::from(u16::MAX) {
        return Err(Error::BadLength);
    }
    let sealed = sa.seal(esp, payload_len)?;
    write_udp_header(udp, src_port, dst_port, sealed.len)?;
    Ok(Sealed {
        len: sealed.len + UDP_HEADER_LEN,
        seq: sealed.seq,
    })
}
