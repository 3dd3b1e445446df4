//! The shipped providers.

#[cfg(feature = "aws-lc")]
pub mod aws_lc;
pub mod rustcrypto;
