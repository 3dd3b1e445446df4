//! ikev2-crypto (work in progress)
