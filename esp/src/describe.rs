//! One-shot opening of a captured ESP packet, for decoders and diagnostics.
//!
//! A decoder that reads keys from a file (Wireshark's `esp_sa`, say) has no SA state: no
//! replay window, no ESN history. [`describe`] builds a throw-away inbound SA with the
//! window disabled, opens a copy of the packet and reports what it carries.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use alloc::vec::Vec;
use ikev2_crypto::CryptoProvider;

use crate::packet::{EspPacket, NEXT_HEADER_IPV4, NEXT_HEADER_IPV6, NEXT_HEADER_NONE};
use crate::sa::{InboundSa, Mode, SaParams};
use crate::Error;

/// The inner packet of an opened ESP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Inner {
    /// Tunnel mode: an inner IP packet.
    Ip {
        /// Upper-layer protocol of the inner packet (its IPv4 protocol / IPv6 next header).
        protocol: u8,
        /// Inner source address.
        src: IpAddr,
        /// Inner destination address.
        dst: IpAddr,
        /// Inner packet length from its own header.
        len: usize,
    },
    /// Transport mode (or a non-IP next header): the upper-layer protocol and payload length.
    Upper {
        /// ESP next header.
        protocol: u8,
        /// Payload length (TFC padding, if any, included).
        len: usize,
    },
    /// A dummy packet (next header 59).
    Dummy,
}

/// What [`describe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// SPI from the packet.
    pub spi: u32,
    /// Sequence number from the packet (low 32 bits).
    pub seq: u32,
    /// The opened inner packet, or why it did not open.
    pub inner: Result<Inner, Error>,
}

fn ip_of(next_header: u8, p: &[u8]) -> Option<Inner> {
    match next_header {
        NEXT_HEADER_IPV4 => {
            let h: [u8; 20] = p.get(..20)?.try_into().ok()?;
            let [_, _, l0, l1, _, _, _, _, _, protocol, _, _, s0, s1, s2, s3, d0, d1, d2, d3] = h;
            Some(Inner::Ip {
                protocol,
                src: Ipv4Addr::new(s0, s1, s2, s3).into(),
                dst: Ipv4Addr::new(d0, d1, d2, d3).into(),
                len: usize::from(u16::from_be_bytes([l0, l1])),
            })
        }
        NEXT_HEADER_IPV6 => {
            let len = p.get(4..6)?;
            let src: [u8; 16] = p.get(8..24)?.try_into().ok()?;
            let dst: [u8; 16] = p.get(24..40)?.try_into().ok()?;
            Some(Inner::Ip {
                protocol: *p.get(6)?,
                src: Ipv6Addr::from(src).into(),
                dst: Ipv6Addr::from(dst).into(),
                len: 40 + usize::from(u16::from_be_bytes([*len.first()?, *len.get(1)?])),
            })
        }
        _ => None,
    }
}

/// Opens a copy of `packet` (starting at the SPI) with the keys in `params` and describes
/// the inner packet. `params.spi` must match the packet's; the replay window is ignored.
pub fn describe(provider: &CryptoProvider, packet: &[u8], params: &SaParams<'_>) -> Description {
    let view = EspPacket::new_unchecked(packet);
    let (spi, seq) = (view.security_parameters_index(), view.sequence_number());
    let inner = (|| {
        let mut sa = InboundSa::new(
            provider,
            &SaParams {
                replay_window: 0,
                mode: Mode::Transport,
                ..*params
            },
        )?;
        let mut buf: Vec<u8> = packet.to_vec();
        let opened = sa.open(&mut buf)?;
        let payload = buf.get(opened.payload).unwrap_or(&[]);
        Ok(match opened.next_header {
            NEXT_HEADER_NONE => Inner::Dummy,
            nh => ip_of(nh, payload).unwrap_or(Inner::Upper {
                protocol: nh,
                len: payload.len(),
            }),
        })
    })();
    Description { spi, seq, inner }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ESP spi={:#010x} seq={}", self.spi, self.seq)?;
        match &self.inner {
            Ok(Inner::Ip {
                protocol,
                src,
                dst,
                len,
            }) => write!(f, ": IP proto {protocol} {src} > {dst} len {len}"),
            Ok(Inner::Upper { protocol, len }) => write!(f, ": next header {protocol} len {len}"),
            Ok(Inner::Dummy) => write!(f, ": dummy packet"),
            Err(e) => write!(f, ": not opened: {e}"),
        }
    }
}
