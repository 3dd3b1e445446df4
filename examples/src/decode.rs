//! From captured frames to printable records: one per IKE message, ESP
//! packet, NAT-keepalive or undecodable datagram on UDP 500/4500.
//!
//! IKEv2 messages are parsed with `ikev2-wire` (header, then the payload
//! chain); IKEv1 messages (major version 1 in the header) are recognised and
//! reported with their header fields only, never parsed as IKEv2.
//!
//! # Decryption hooks
//! Without a back end an SK or SKF payload is shown as its envelope (inner
//! next-payload type, length, fragment number/total). Two traits let a
//! crypto back end go further; [`crate::openers`] implements both over
//! `ikev2-crypto` and `esp`, and `ikev2-decode` plugs them in whenever
//! `--ikev2-keys` / `--esp-keys` are given:
//! - [`SkOpener`]: handed each SK/SKF payload ([`SealedPayload`]: the whole
//!   message, the payload's offset, SPIs, direction), it returns the
//!   plaintext ([`Opened`]). SK plaintext is parsed and shown under the SK
//!   payload; SKF fragments are collected per IKE SA, message ID and
//!   direction and the reassembled chain is shown under the fragment that
//!   completes the set. The back end looks the SA up in the
//!   [`Ikev2KeyTable`] it was built from (`ikev2_crypto::sk::decrypt_sk` /
//!   `decrypt_skf` fit directly).
//! - [`EspOpener`]: handed the matching [`EspKeyTable`] entry and the ESP
//!   packet, it returns the inner packet ([`EspInner`]) or why it did not
//!   open (`esp::describe` fits directly).
use std::net::SocketAddr;

use ikev2_wire::udp::{demux_udp_4500, Udp4500, IKE_PORT, NAT_T_PORT};
use serde::Serialize;

use crate::capture::{Frame, Frames};
use crate::keys::{EspKeyTable, Ikev2KeyTable};
use crate::net::{Extracted, UdpExtractor};
use crate::Error;

mod fragments;
mod ikev2;
mod summary;
mod text;

use fragments::FragmentStore;
pub use fragments::{MAX_PENDING, MAX_TOTAL};
pub use summary::{
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
    /// The inner packet, when an [`EspOpener`] opened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner: Option<EspInner>,
    /// Why the packet was not opened, when opening was attempted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decrypt: Option<String>,
}

/// What an opened ESP packet carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EspInner {
    /// ESP Next Header (4 IPv4, 41 IPv6, 59 dummy, else the transport protocol).
    pub next_header: u8,
    /// Inner packet's protocol (tunnel mode), or the next header again.
    pub protocol: u8,
    /// Inner source address (tunnel mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// Inner destination address (tunnel mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst: Option<String>,
    /// Inner packet (or transport payload) length.
    pub len: usize,
}

/// The ESP decryption hook: a matching `esp_sa` entry and the packet (from
/// the SPI on) in, the inner packet (or the reason it did not open) out.
///
/// The `esp` crate implements it; without one, ESP packets are shown with
/// SPI, sequence number and whether keys are known.
pub trait EspOpener {
    /// Opens one ESP packet with the keys of `sa`.
    fn open(&self, sa: &crate::keys::EspSaKeys, packet: &[u8]) -> Result<EspInner, String>;
}

/// Plaintext of an SK/SKF payload, produced by a decryption back end.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Opened {
    /// The decrypted octets: for SK the inner payload chain (its first type
    /// is the SK payload's Next Payload); for SKF this fragment's share of
    /// the chain, which the decoder reassembles once every fragment is in.
    Plaintext(Vec<u8>),
    /// The ICV did not verify, but (non-AEAD cipher) the payload could still
    /// be decrypted: shown for diagnosis, marked `icv: failed`.
    Unauthenticated(Vec<u8>),
    /// Keys were found but the ICV did not verify (or padding was bad).
    IntegrityFailure,
    /// No keys for this IKE SA.
    NoKeys,
    /// Keys were found but could not be used (unsupported algorithm, wrong
    /// key length, malformed payload): the reason.
    Failed(String),
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
    esp_opener: Option<Box<dyn EspOpener>>,
    fragments: FragmentStore,
}

impl core::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decoder")
            .field("ikev2_keys", &self.ikev2_keys.as_ref().map(|t| t.sas.len()))
            .field("esp_keys", &self.esp_keys.as_ref().map(|t| t.sas.len()))
            .field("opener", &self.opener.is_some())
            .field("esp_opener", &self.esp_opener.is_some())
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

    /// Uses this back end to open ESP packets that have an `esp_sa` entry.
    #[must_use]
    pub fn with_esp_opener(mut self, opener: Box<dyn EspOpener>) -> Self {
        self.esp_opener = Some(opener);
        self
    }

    /// Decodes every frame of a pcap/pcapng capture.
    pub fn decode_capture(&mut self, file: &[u8]) -> Result<Vec<Record>, Error> {
        let mut out = Vec::new();
        // IP and IKE fragments never span files.
        self.extractor = UdpExtractor::new();
        self.fragments = FragmentStore::default();
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
    /// SKF fragments opened by the [`SkOpener`] are not reassembled here
    /// (that needs the other fragments: see [`Decoder::decode_frame`]).
    #[must_use]
    pub fn decode_ike_message(&self, msg: &[u8], non_esp_marker: bool) -> Body {
        ikev2::summarize(msg, non_esp_marker, self.opener.as_deref()).0
    }

    fn ike(&mut self, msg: &[u8], non_esp_marker: bool) -> Body {
        let (mut body, fragment) = ikev2::summarize(msg, non_esp_marker, self.opener.as_deref());
        if let Body::Ikev2(m) = &mut body {
            if let Some(table) = &self.ikev2_keys {
                if m.is_encrypted() {
                    let spi = |s: &str| u64::from_str_radix(s, 16).map(u64::to_be_bytes);
                    if let (Ok(i), Ok(r)) = (spi(&m.spi_i), spi(&m.spi_r)) {
                        m.keys = Some(table.find(&i, &r).is_some());
                    }
                }
            }
            if let Some(f) = fragment {
                self.fragments.add(m, f);
            }
        }
        body
    }

    fn esp(&self, pkt: &[u8], src: SocketAddr, dst: SocketAddr) -> EspSummary {
        let word = |i: usize| be32(pkt, i).unwrap_or(0);
        let spi = word(0);
        let sa = self
            .esp_keys
            .as_ref()
            .and_then(|t| t.find(src.ip(), dst.ip(), spi));
        let mut summary = EspSummary {
            spi: format!("0x{spi:08x}"),
            seq: word(4),
            len: pkt.len().saturating_sub(8),
            keys: self.esp_keys.as_ref().map(|_| sa.is_some()),
            inner: None,
            decrypt: None,
        };
        if let (Some(sa), Some(opener)) = (sa, &self.esp_opener) {
            match opener.open(sa, pkt) {
                Ok(inner) => summary.inner = Some(inner),
                Err(e) => summary.decrypt = Some(e),
            }
        }
        summary
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
