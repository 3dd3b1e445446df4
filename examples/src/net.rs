//! From a captured frame to the UDP datagram it carries.
//!
//! Link layers: Ethernet (with VLAN tags), Linux cooked capture v1 and v2,
//! raw IPv4/IPv6, BSD/OpenBSD loopback. IPv4 and IPv6 (with extension
//! headers) are parsed by `etherparse`, which also reassembles IP fragments
//! (IKE_AUTH messages with certificates are often IP-fragmented when the
//! peers do not use RFC 7383 fragmentation).

use std::net::{IpAddr, SocketAddr};

use etherparse::defrag::IpDefragPool;
use etherparse::{
    EtherType, LaxNetSlice, LaxSlicedPacket, NetSlice, SlicedPacket, TransportSlice, UdpSlice,
};

use crate::capture::{
    Frame, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW,
};

/// A UDP datagram found in a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpDatagram {
    /// Source address and port.
    pub src: SocketAddr,
    /// Destination address and port.
    pub dst: SocketAddr,
    /// The UDP payload.
    pub payload: Vec<u8>,
    /// True when the datagram was rebuilt from IP fragments.
    pub reassembled: bool,
    /// True when the capture holds less than the IP or UDP header announces
    /// (snap length, or a damaged length field): `payload` is what there is.
    pub truncated: bool,
}

/// Why a frame yields no UDP datagram.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The capture's link type is not one this decoder reads.
    #[error("unsupported link type {0}")]
    UnsupportedLinkType(i32),
    /// A header is malformed or cut short (the text is etherparse's description).
    #[error("malformed packet: {0}")]
    Malformed(String),
}

/// Turns frames into UDP datagrams, keeping IP fragments until they complete.
#[derive(Debug, Default)]
pub struct UdpExtractor {
    defrag: IpDefragPool<(), ()>,
}

/// What a frame held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    /// A complete UDP datagram.
    Udp(UdpDatagram),
    /// An IP fragment kept until its datagram completes.
    Fragment,
    /// Some other packet (TCP, ICMP, ARP, plain ESP, ...), with its IP protocol number if IP.
    Other(Option<u8>),
}

impl UdpExtractor {
    /// A new extractor with an empty fragment pool.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Finds the UDP datagram of one frame.
    ///
    /// A frame whose IP or UDP length fields claim more than was captured is
    /// read leniently (as Wireshark does): the datagram comes back with
    /// `truncated` set and the bytes that are there.
    pub fn extract(&mut self, frame: &Frame<'_>) -> Result<Extracted, NetError> {
        let linktype = linktype_of(frame.linktype);
        let data = strip_fcs(frame.linktype, frame.data);
        let sliced = match slice_frame(linktype, data) {
            Ok(s) => s,
            Err(e @ NetError::UnsupportedLinkType(_)) => return Err(e),
            Err(e) => return lax_udp(linktype, data).map(Extracted::Udp).ok_or(e),
        };
        let Some(net) = &sliced.net else {
            return Ok(Extracted::Other(None));
        };
        let (src_ip, dst_ip, ip_payload) = match net {
            NetSlice::Ipv4(v4) => (
                IpAddr::V4(v4.header().source_addr()),
                IpAddr::V4(v4.header().destination_addr()),
                v4.payload(),
            ),
            NetSlice::Ipv6(v6) => (
                IpAddr::V6(v6.header().source_addr()),
                IpAddr::V6(v6.header().destination_addr()),
                v6.payload(),
            ),
            NetSlice::Arp(_) => return Ok(Extracted::Other(None)),
        };
        let proto = ip_payload.ip_number.0;
        if ip_payload.fragmented {
            let done = self
                .defrag
                .process_sliced_packet(&sliced, (), ())
                .map_err(|e| NetError::Malformed(e.to_string()))?;
            let Some(whole) = done else {
                return Ok(Extracted::Fragment);
            };
            if whole.ip_number != etherparse::IpNumber::UDP {
                return Ok(Extracted::Other(Some(whole.ip_number.0)));
            }
            let udp = UdpSlice::from_slice(&whole.payload)
                .map_err(|e| NetError::Malformed(e.to_string()))?;
            let d = UdpDatagram {
                src: SocketAddr::new(src_ip, udp.source_port()),
                dst: SocketAddr::new(dst_ip, udp.destination_port()),
                payload: udp.payload().to_vec(),
                reassembled: true,
                truncated: false,
            };
            return Ok(Extracted::Udp(d));
        }
        match &sliced.transport {
            Some(TransportSlice::Udp(udp)) => Ok(Extracted::Udp(UdpDatagram {
                src: SocketAddr::new(src_ip, udp.source_port()),
                dst: SocketAddr::new(dst_ip, udp.destination_port()),
                payload: udp.payload().to_vec(),
                reassembled: false,
                truncated: false,
            })),
            _ => Ok(Extracted::Other(Some(proto))),
        }
    }
}

/// The link type proper: the low 16 bits of the pcap LinkType field (the
/// upper bits carry FCS information).
fn linktype_of(field: i32) -> i32 {
    field & 0xffff
}

/// Drops the frame check sequence when the pcap LinkType field says each
/// packet carries one (F bit 0x0400_0000, length in 16-bit words in bits 28-31).
fn strip_fcs(field: i32, data: &[u8]) -> &[u8] {
    if field & 0x0400_0000 == 0 {
        return data;
    }
    let words = usize::try_from((field >> 28) & 0xf).unwrap_or(0);
    data.get(..data.len().saturating_sub(words * 2))
        .unwrap_or(data)
}

/// Lenient parse of a frame whose length fields overrun the capture.
fn lax_udp(linktype: i32, data: &[u8]) -> Option<UdpDatagram> {
    let sliced = match linktype {
        LINKTYPE_ETHERNET => LaxSlicedPacket::from_ethernet(data).ok()?,
        LINKTYPE_RAW | LINKTYPE_IPV4 | LINKTYPE_IPV6 => LaxSlicedPacket::from_ip(data).ok()?,
        LINKTYPE_NULL | LINKTYPE_LOOP => LaxSlicedPacket::from_ip(data.get(4..)?).ok()?,
        _ => return None,
    };
    // A first fragment (offset 0) still starts with the UDP header; later
    // fragments do not.
    let (src_ip, dst_ip, payload, first_part) = match sliced.net? {
        LaxNetSlice::Ipv4(v4) => (
            IpAddr::V4(v4.header().source_addr()),
            IpAddr::V4(v4.header().destination_addr()),
            v4.payload().clone(),
            v4.header().fragments_offset().value() == 0,
        ),
        LaxNetSlice::Ipv6(v6) => (
            IpAddr::V6(v6.header().source_addr()),
            IpAddr::V6(v6.header().destination_addr()),
            v6.payload().clone(),
            false,
        ),
        LaxNetSlice::Arp(_) => return None,
    };
    if payload.ip_number != etherparse::IpNumber::UDP || (payload.fragmented && !first_part) {
        return None;
    }
    let udp = UdpSlice::from_slice_lax(payload.payload).ok()?;
    Some(UdpDatagram {
        src: SocketAddr::new(src_ip, udp.source_port()),
        dst: SocketAddr::new(dst_ip, udp.destination_port()),
        payload: udp.payload().to_vec(),
        reassembled: false,
        truncated: true,
    })
}

fn slice_frame(linktype: i32, data: &[u8]) -> Result<SlicedPacket<'_>, NetError> {
    let malformed = |e: etherparse::err::packet::SliceError| NetError::Malformed(e.to_string());
    match linktype {
        LINKTYPE_ETHERNET => SlicedPacket::from_ethernet(data).map_err(malformed),
        LINKTYPE_LINUX_SLL => SlicedPacket::from_linux_sll(data).map_err(malformed),
        LINKTYPE_RAW | LINKTYPE_IPV4 | LINKTYPE_IPV6 => {
            SlicedPacket::from_ip(data).map_err(malformed)
        }
        LINKTYPE_LINUX_SLL2 => {
            // 20-byte header; protocol type (an EtherType) in its first two bytes.
            let proto = data
                .get(..2)
                .and_then(|b| <[u8; 2]>::try_from(b).ok())
                .map(u16::from_be_bytes)
                .ok_or_else(|| NetError::Malformed("SLL2 header truncated".into()))?;
            let rest = data
                .get(20..)
                .ok_or_else(|| NetError::Malformed("SLL2 header truncated".into()))?;
            SlicedPacket::from_ether_type(EtherType(proto), rest).map_err(malformed)
        }
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            // 4-byte address family, then the IP packet (version read from the packet).
            let rest = data
                .get(4..)
                .ok_or_else(|| NetError::Malformed("loopback header truncated".into()))?;
            SlicedPacket::from_ip(rest).map_err(malformed)
        }
        other => Err(NetError::UnsupportedLinkType(other)),
    }
}
