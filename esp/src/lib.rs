//! A sans-IO ESP data plane (RFC 4303): seal and open packets in place on caller-owned
//! buffers, with the anti-replay window, Extended Sequence Numbers, UDP encapsulation
//! (RFC 3948), lifetimes and per-SA counters an IPsec gateway needs.
//!
//! Nothing here touches sockets, clocks or threads: an [`OutboundSa`] turns a payload into an
//! ESP packet in the same buffer, an [`InboundSa`] turns an ESP packet back into its payload,
//! and both report what the owner must act on through counters and [`SaEvent`]s. The
//! cryptography comes from an [`ikev2_crypto::CryptoProvider`]: keys are expanded once per
//! SA and no packet allocates.
//!
//! Algorithms: AES-GCM-16 (RFC 4106), ChaCha20-Poly1305 (RFC 7634), AES-CBC (RFC 3602) and
//! AES-CTR (RFC 3686) with HMAC-SHA2 (RFC 4868) or HMAC-SHA1-96, and ENCR_NULL with
//! integrity on explicit opt-in. Tunnel and transport mode, TFC padding, dummy packets.
//!
//! # Example
//!
//! ```
//! use esp::{InboundSa, OutboundSa, SaParams};
//! use ikev2_crypto::{provider::rustcrypto::PROVIDER, EncrId};
//!
//! // 16 octets of AES key and 4 of salt, as KEYMAT hands them out (RFC 4106 section 8.1).
//! let keymat = [7u8; 20];
//! let params = SaParams::aead(0x1234_5678, EncrId::AesGcm16, Some(128), &keymat);
//! let mut tx = OutboundSa::new(&PROVIDER, &params)?;
//! let mut rx = InboundSa::new(&PROVIDER, &params)?;
//!
//! // A minimal IPv4 header (total length 20) as the tunnelled packet.
//! let inner = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
//! let mut buf = vec![0u8; tx.sealed_len(inner.len())];
//! let at = tx.header_len();
//! buf[at..at + inner.len()].copy_from_slice(&inner);
//! let sealed = tx.seal(&mut buf, inner.len())?;
//!
//! let opened = rx.open(&mut buf[..sealed.len])?;
//! assert_eq!(&buf[opened.payload], &inner);
//! assert_eq!(opened.next_header, 4); // IPv4, inferred from the inner packet
//! // The same packet again is a replay: refused, counted, nothing else changes.
//! assert!(rx.open(&mut buf[..sealed.len]).is_err());
//! assert_eq!(rx.counters().packets, 1);
//! # Ok::<(), esp::Error>(())
//! ```
//!
//! # Contract
//!
//! * [`InboundSa::open`] checks length, SPI and the replay window before any cryptography,
//!   moves the window only after the ICV verified and the trailer parsed, and on any error
//!   increments exactly one counter and changes nothing else. It never panics.
//! * [`OutboundSa::seal`] never reuses or wraps a sequence number: it raises
//!   [`SaEvent::RekeyRequired`] when 15/16 of the space is used and refuses with
//!   [`Error::SequenceOverflow`] at the end.
//! * IVs: the 64-bit sequence number for GCM, ChaCha20-Poly1305 and CTR (unique per key);
//!   for CBC the sequence number enciphered under the SA key (unpredictable, no RNG needed).
#![forbid(unsafe_code)]

extern crate alloc;

pub mod describe;
pub mod encap;
mod error;
pub mod lifetime;
pub mod packet;
pub mod replay;
mod sa;
pub mod seq;

pub use error::Error;
pub use lifetime::{InboundCounters, Lifetime, OutboundCounters, SaEvent};
pub use packet::EspPacket;
pub use replay::ReplayWindow;
pub use sa::{InboundSa, Mode, Opened, OutboundSa, SaParams, SealOptions, Sealed};
