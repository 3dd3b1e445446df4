//! From captured frames to printable records: one per IKE message, ESP
//! packet, NAT-keepalive or undecodable datagram on UDP 500/4500.
//!
//! IKEv2 messages are parsed with `ikev2-wire` (header, then the payload
//! chain); IKEv1 messages (major version 1 in the header) are recognised and
//! reported with their header fields only, never parsed as IKEv2.
//!
//! Decrypted inner payloads: an SK or SKF payload is shown as its envelope
//! (inner next-payload type, length, fragment number/total). A [`SkOpener`]
//! given to the decoder is asked for the plaintext of each SK/SKF payload;
//! the inner chain it returns is parsed and shown under the payload. The
//! crypto crate supplies the opener built from an [`Ikev2KeyTable`]; ESP
//! records likewise carry the matching [`EspKeyTable`] entry for an ESP
//! opener to use.

use std::net::SocketAddr;

use ikev2_wire::udp::{demux_udp_4500, Udp4500, IKE_PORT, NAT_T_PORT};
use serde::Serialize;

use crate::capture::{Frame, Frames};
use crate::keys::{EspKeyTable, Ikev2KeyTable};
use crate::net::{Extracted, UdpExtractor};
use crate::Error;

mod ikev2;
mod text;

pub use ikev2::{
    CfgAttrSummary, Detail, Ikev2Summary, PayloadSummary, ProposalSummary, TransformSummary,
    TsSummary,
};
pub use text::render_text;

/// One decoded item of a capture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// Frame number (from 1, as Wireshark counts).
    pub frame: u64,
    /// Source `address:port`.
    pub src: String,
    /// Destination `address:port`.
    pub dst: String,
    /// The capture holds less of the datagram than its IP/UDP headers announce.
    #[serde(skip_serializing_if = "core::ops::Not::not")]
    pub truncated: bool,
    /// What the datagram held.
    #[serde(flatten)]
    pub body: Body,
}

/// The content of a [`Record`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Body {
    /// An IKEv2 message.
    Ikev2(Box<Ikev2Summary>),
    /// An IKEv1 (ISAKMP) message: recognised by its version, not parsed further.
    Ikev1(Ikev1Summary),
    /// An ESP packet in UDP (port 4500).
    Esp(EspSummary),
    /// A NAT-keepalive (one 0xFF octet on port 4500).
    NatKeepalive,
    /// A datagram on an IKE port that is not a decodable message.
    Error {
        /// What is wrong (the typed error's text).
        error: String,
    },
}

/// The header fields of an IKEv1 message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ikev1Summary {
    /// Whether the message came after a non-ESP marker on port 4500.
    pub non_esp_marker: bool,
    /// Version as `major.minor`.
    pub version: String,
    /// Initiator cookie in hex.
    pub spi_i: String,
    /// Responder cookie in hex.
    pub spi_r: String,
    /// ISAKMP exchange type number.
    pub exchange_type: u8,
    /// Message ID.
    pub message_id: u32,
}

/// An ESP packet carried in UDP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EspSummary {
    /// SPI in hex (`0x` prefixed, as Wireshark writes it).
    pub spi: String,
    /// Sequence number.
    pub seq: u32,
    /// Bytes after SPI and sequence number (IV, payload, padding, ICV).
    pub len: usize,
    /// Whether an `esp_sa` entry matches this packet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<bool>,
}

/// Plaintext of an SK/SKF payload, produced by a decryption back end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The inner payload chain (its first payload type is the SK payload's
    /// next-payload field; for SKF fragments after the first it is 0).
    Plaintext(Vec<u8>),
    /// Keys were found but the ICV did not verify (or padding was bad).
    IntegrityFailure,
    /// No keys for this IKE SA.
    NoKeys,
}

/// What a decryption back end is handed for one SK or SKF payload.
#[derive(Debug, Clone, Copy)]
pub struct SealedPayload<'a> {
    /// The whole IKE message (header included): the AAD for AEAD ciphers and
    /// the integrity-protected range for others.
    pub message: &'a [u8],
    /// Offset of the SK/SKF payload's generic header in `message`.
    pub payload_offset: usize,
    /// Initiator's SPI.
    pub spi_i: [u8; 8],
    /// Responder's SPI.
    pub spi_r: [u8; 8],
    /// True when the initiator sent the message (use SK_ei/SK_ai).
    pub from_initiator: bool,
}

/// The decryption hook: SK/SKF payload in, inner plaintext out.
///
/// `ikev2-crypto` implements it over an [`Ikev2KeyTable`]; the decoder works
/// without one (SK payloads are then shown as envelopes only).
pub trait SkOpener {
    /// Decrypts and authenticates one SK or SKF payload.
    fn open(&self, sealed: &SealedPayload<'_>) -> Opened;
}

/// Turns frames into [`Record`]s.
#[derive(Default)]
pub struct Decoder {
    extractor: UdpExtractor,
    ikev2_keys: Option<Ikev2KeyTable>,
    esp_keys: Option<EspKeyTable>,
    opener: Option<Box<dyn SkOpener>>,
}

impl core::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decoder")
            .field("ikev2_keys", &self.ikev2_keys.as_ref().map(|t| t.sas.len()))
            .field("esp_keys", &self.esp_keys.as_ref().map(|t| t.sas.len()))
            .field("opener", &self.opener.is_some())
            .finish_non_exhaustive()
    }
}

impl Decoder {
    /// A decoder without keys.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses these IKEv2 SA keys (`--ikev2-keys`).
    #[must_use]
    pub fn with_ikev2_keys(mut self, keys: Ikev2KeyTable) -> Self {
        self.ikev2_keys = Some(keys);
        self
    }

    /// Uses these ESP SA keys (`--esp-keys`).
    #[must_use]
    pub fn with_esp_keys(mut self, keys: EspKeyTable) -> Self {
        self.esp_keys = Some(keys);
        self
    }

    /// Uses this back end to decrypt SK/SKF payloads.
    #[must_use]
    pub fn with_opener(mut self, opener: Box<dyn SkOpener>) -> Self {
        self.opener = Some(opener);
        self
    }

    /// Decodes every frame of a pcap/pcapng capture.
    pub fn decode_capture(&mut self, file: &[u8]) -> Result<Vec<Record>, Error> {
        let mut out = Vec::new();
        // IP fragments never span files.
        self.extractor = UdpExtractor::new();
        for frame in Frames::new(file)? {
            out.extend(self.decode_frame(&frame?));
        }
        Ok(out)
    }

    /// Decodes one frame: no record when it holds nothing on UDP 500/4500.
    pub fn decode_frame(&mut self, frame: &Frame<'_>) -> Option<Record> {
        let udp = match self.extractor.extract(frame) {
            Ok(Extracted::Udp(d)) => d,
            Ok(Extracted::Fragment | Extracted::Other(_)) => return None,
            Err(e) => {
                return Some(Record {
                    frame: frame.number,
                    src: String::new(),
                    dst: String::new(),
                    truncated: false,
                    body: Body::Error {
                        error: e.to_string(),
                    },
                })
            }
        };
        let ports = [udp.src.port(), udp.dst.port()];
        let body = if ports.contains(&NAT_T_PORT) {
            match demux_udp_4500(&udp.payload) {
                Ok(Udp4500::Ike(ike)) => self.ike(ike, true),
                Ok(Udp4500::Esp(esp)) => Body::Esp(self.esp(esp, udp.src, udp.dst)),
                Ok(Udp4500::NatKeepalive) => Body::NatKeepalive,
                Ok(_) => return None,
                Err(e) => Body::Error {
                    error: e.to_string(),
                },
            }
        } else if ports.contains(&IKE_PORT) {
            self.ike(&udp.payload, false)
        } else {
            return None;
        };
        Some(Record {
            frame: frame.number,
            src: udp.src.to_string(),
            dst: udp.dst.to_string(),
            truncated: udp.truncated,
            body,
        })
    }

    /// Decodes one IKE message (a UDP payload, non-ESP marker already
    /// removed): IKEv2 parsed, IKEv1 recognised, anything else an error.
    #[must_use]
    pub fn decode_ike_message(&self, msg: &[u8], non_esp_marker: bool) -> Body {
        ikev2::summarize(msg, non_esp_marker, self.opener.as_deref())
    }

    fn ike(&self, msg: &[u8], non_esp_marker: bool) -> Body {
        let mut body = self.decode_ike_message(msg, non_esp_marker);
        if let (Body::Ikev2(m), Some(table)) = (&mut body, &self.ikev2_keys) {
            if m.is_encrypted() {
                let spi = |s: &str| u64::from_str_radix(s, 16).map(u64::to_be_bytes);
                if let (Ok(i), Ok(r)) = (spi(&m.spi_i), spi(&m.spi_r)) {
                    m.keys = Some(table.find(&i, &r).is_some());
                }
            }
        }
        body
    }

    fn esp(&self, pkt: &[u8], src: SocketAddr, dst: SocketAddr) -> EspSummary {
        let word = |i: usize| be32(pkt, i).unwrap_or(0);
        let spi = word(0);
        EspSummary {
            spi: format!("0x{spi:08x}"),
            seq: word(4),
            len: pkt.len().saturating_sub(8),
            keys: self
                .esp_keys
                .as_ref()
                .map(|t| t.find(src.ip(), dst.ip(), spi).is_some()),
        }
    }
}

/// Lower-case hex of a byte string.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The big-endian `u32` at `at`, if the bytes are there.
fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}
