//! The shipped providers.

pub mod rustcrypto;
