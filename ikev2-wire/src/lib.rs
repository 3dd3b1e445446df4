//! IKEv2 (RFC 7296) wire codecs: zero-copy views and owned/borrowed
//! representations for the IKE header and every payload, `no_std` + `alloc`.
//!
//! ```
//! use std::borrow::Cow;
//! use ikev2_wire::*;
//!
//! // Build an IKE_SA_INIT request: SA, KE (group 19), Ni, N(NAT_DETECTION_SOURCE_IP).
//! let proposal = ProposalRepr {
//!     reserved: 0,
//!     number: 1,
//!     protocol_id: ProtocolId::Ike,
//!     spi: Cow::Borrowed(&[]),
//!     transforms: vec![
//!         TransformRepr::new(TransformType::Encr, EncrId::AesGcm16.into()).with_key_length(256),
//!         TransformRepr::new(TransformType::Prf, PrfId::HmacSha2_256.into()),
//!         TransformRepr::new(TransformType::Ke, KeId::Ecp256.into()),
//!     ],
//! };
//! let nat_d = [0x11u8; 20];
//! let msg = MessageRepr {
//!     header: HeaderRepr::new(0x0102_0304_0506_0708, 0, ExchangeType::IkeSaInit, FLAG_INITIATOR, 0),
//!     payloads: vec![
//!         SaRepr { proposals: vec![proposal] }.into(),
//!         KeRepr { group: KeId::Ecp256, reserved: 0, data: Cow::Owned(vec![7; 64]) }.into(),
//!         NonceRepr { data: Cow::Owned(vec![9; 32]) }.into(),
//!         NotifyRepr::new(NotifyType::NatDetectionSourceIp, &NotifyData::NatDetection(&nat_d))?.into(),
//!     ],
//! };
//! let bytes = msg.to_vec()?;
//! assert_eq!(bytes.len(), msg.buffer_len());
//!
//! // Phase one: validate without allocating, route by SPI, walk the payloads.
//! let view = Message::parse(&bytes)?;
//! assert_eq!(view.header().spi_i, 0x0102_0304_0506_0708);
//! let types: Vec<_> = view.payloads().map(|p| p.payload_type.abbreviation().unwrap()).collect();
//! assert_eq!(types, ["SA", "KE", "Nonce", "N"]);
//!
//! // Or decode to representations; emitting reproduces the input exactly.
//! let parsed = MessageRepr::parse(&bytes)?;
//! assert_eq!(parsed, msg);
//! assert_eq!(parsed.to_vec()?, bytes);
//!
//! // `into_owned` detaches a parsed message from the datagram buffer.
//! let kept: MessageRepr<'static> = parsed.into_owned();
//! drop(bytes);
//! assert_eq!(kept.payloads.len(), 4);
//! # Ok::<(), ikev2_wire::Error>(())
//! ```
//!
//! # Layers
//! - [`Header::parse`]: the 28-octet header alone, enough to route by SPI.
//! - [`Message::parse`]: phase one. Validates the header and the whole outer
//!   chain (every length against its container, every nested structure,
//!   typed notify data) with no heap allocation. [`Message::encrypted`] then
//!   gives the SK/SKF envelope ([`Encrypted`]): first inner payload type,
//!   the authenticated octets and the IV‥ICV data.
//! - Phase two, after decryption: [`Payloads::inner`] (view, validate with
//!   [`Payloads::validate`]) or [`parse_inner_chain`] (representations);
//!   [`emit_chain`] builds a plaintext chain for encryption.
//! - [`MessageRepr`] / [`PayloadRepr`]: `parse`, `buffer_len`, `emit`. Byte
//!   strings are `Cow<[u8]>`, so parsed values borrow and built values own.
//!   Reserved bits, attribute formats, unknown payloads and order are kept, so
//!   emitting a parsed message reproduces its bytes exactly.
//! - [`udp`]: port-4500 demultiplexing (non-ESP marker, ESP, NAT-keepalive).
//! - [`enums`]: every IANA IKEv2 registry as an enum keeping unknown values.
//!
//! # Strictness and limits
//! Errors are [`Error`]: `Copy`, allocation-free, naming the structure
//! ([`Part`]) and its byte offset. Nothing panics and no allocation is sized
//! by a length field that was not first checked against its container.
//! - The header's Length must equal the buffer length; major version must be 2.
//! - Each payload length is at least 4 and within what remains; at most
//!   [`MAX_PAYLOADS`] payloads per chain; SK/SKF end a chain (bytes after them
//!   are [`Error::TrailingData`]); SK/SKF inside a decrypted chain are errors.
//!   A chain cannot loop: every payload advances at least four octets.
//! - A payload type this crate does not model is kept as
//!   [`PayloadBody::Unknown`] when its Critical bit is clear, and is
//!   [`Error::UnsupportedCriticalPayload`] (carrying its type) when set.
//! - SA: at most [`MAX_PROPOSALS`] proposals, [`MAX_TRANSFORMS`] transforms
//!   per proposal, [`MAX_ATTRIBUTES`] attributes per transform; the Last
//!   Substructure markers (0/2, 0/3) and Num Transforms must match what is present.
//! - TS: Number of TSs must match and be at most [`MAX_TRAFFIC_SELECTORS`];
//!   IPv4/IPv6 selectors must be 16/40 octets. CP: at most [`MAX_CFG_ATTRIBUTES`].
//! - Fixed sizes: KE data for fixed-size groups (e.g. 64 octets for group 19),
//!   ID_IPV4_ADDR 4 / ID_IPV6_ADDR 16 octets, Nonce 16–256 octets, Delete
//!   SPIs = Num × Size, EAP Length = body length, SKF 1 ≤ number ≤ total, and
//!   the notify data shapes listed in [`NotifyData`].
//! - Not checked here (state-machine policy): proposal numbering, SPI sizes
//!   per protocol, which payloads an exchange must carry.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod codec;
pub mod enums;
mod error;
mod header;
mod message;
mod owned;
pub mod payload;
pub mod udp;

pub use enums::*;
pub use error::{Error, Part};
pub use header::{Header, HeaderRepr, FLAG_INITIATOR, FLAG_RESPONSE, FLAG_VERSION, HEADER_LEN};
pub use message::{Encrypted, Message, MessageRepr};
pub use payload::*;
