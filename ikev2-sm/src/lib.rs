//! Sans-IO IKEv2 state-machine foundations.
//!
//! ```
//! use ikev2_sm::proposal::{parse_proposals, select, SelectionPolicy};
//! use ikev2_wire::{EncrId, KeId, ProtocolId};
//!
//! let local = parse_proposals(ProtocolId::Ike, "aes256gcm16-prfsha384-ecp384, aes128-sha256-x25519")?;
//! let offered = parse_proposals(ProtocolId::Ike, "aes128-sha256-x25519")?;
//! let chosen = select(&local, &offered, &SelectionPolicy::default()).map_err(|e| e.to_string())?;
//! assert_eq!(chosen.encr(), Some((EncrId::AesCbc, Some(128))));
//! assert_eq!(chosen.ke(), Some(KeId::Curve25519));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod config;
mod error;
pub mod events;
pub mod proposal;
#[cfg(feature = "sim")]
pub mod sim;
pub mod stats;
pub mod timer;
pub mod ts;
pub mod window;
pub mod wire;

pub use error::Error;
