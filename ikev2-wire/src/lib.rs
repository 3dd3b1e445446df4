//! ikev2-wire (work in progress)
