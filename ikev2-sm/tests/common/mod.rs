//! What the simulator tests share: the two endpoints' addresses and an
//! `Endpoint` over the real provider with seeded randomness. Each test file
//! builds its own peer configurations (they differ on purpose).
#![allow(dead_code)] // each test binary uses a part
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_sm::config::PeerConfig;
use ikev2_sm::{Endpoint, EndpointConfig};

/// The initiator's address.
pub(crate) const I_ADDR: &str = "192.0.2.1:500";
/// The responder's address.
pub(crate) const R_ADDR: &str = "198.51.100.1:500";

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// An endpoint with several peer configurations, randomness seeded by `seed`.
pub(crate) fn endpoint_with(seed: u64, peers: Vec<PeerConfig>) -> Endpoint {
    Endpoint::new(EndpointConfig::new(
        PROVIDER,
        Arc::new(DeterministicRandom::seed_from_u64(seed)),
        peers,
    ))
}

/// An endpoint with one peer configuration.
pub(crate) fn endpoint(seed: u64, p: PeerConfig) -> Endpoint {
    endpoint_with(seed, vec![p])
}
