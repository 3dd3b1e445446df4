//! IKEv2 (RFC 7296) wire codecs.
//!
//! ```
//! use ikev2_wire::{ExchangeType, PayloadType};
//! assert_eq!(ExchangeType::from(34u8), ExchangeType::IkeSaInit);
//! assert_eq!(PayloadType::from(53u8).abbreviation(), Some("SKF"));
//! ```
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod enums;
mod error;
pub mod udp;

pub use enums::*;
pub use error::{Error, Part};
