//! IANA transform identifiers, shared with `ikev2-wire`.

pub use ikev2_wire::{EncrId, IntegId, KeId, PrfId};
