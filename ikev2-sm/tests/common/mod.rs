//! What the simulator tests share: the two endpoints' addresses, an
//! `Endpoint` over the real provider with seeded randomness, and the PSK
//! peer and Child SA configurations most tests start from (each file adds
//! what it is about: its identities, selectors, proposals and options).
#![allow(dead_code)] // each test binary uses a part
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_sm::config::{Auth, ChildConfig, Identity, PeerConfig};
use ikev2_sm::events::{Event, Failure};
use ikev2_sm::sim::{EndpointPeer, LinkConfig, LossModel, Sim};
use ikev2_sm::window::RetransmitConfig;
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

/// A peer configuration `name` between identities `me` and `them`
/// (strongSwan syntax), both sides authenticated with `psk`, offering the
/// IKE proposals `ike`, without children.
pub(crate) fn psk_peer(name: &str, me: &str, them: &str, psk: &[u8], ike: &str) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse(me).unwrap(),
        Identity::parse(them).unwrap(),
    )
    .with_auth(Auth::psk(psk.to_vec()), Auth::psk(psk.to_vec()))
    .with_ike_proposals(ike)
    .unwrap()
}

/// A Child SA configuration `name` with selectors `(local, remote)` and
/// ESP proposals `esp` (strongSwan syntax).
pub(crate) fn child(name: &str, (local, remote): (&str, &str), esp: &str) -> ChildConfig {
    ChildConfig::new(name)
        .with_ts(local, remote)
        .unwrap()
        .with_esp_proposals(esp)
        .unwrap()
}

/// `a` initiates its connection `gw` from [`I_ADDR`] to [`R_ADDR`] at
/// `epoch`; returns the simulation of `a` and `b` over links `ab` and `ba`
/// (the link randomness seeded with `seed`), nothing delivered yet.
pub(crate) fn initiated(
    epoch: Instant,
    a: Endpoint,
    b: Endpoint,
    ab: LinkConfig,
    ba: LinkConfig,
    seed: u64,
) -> Sim<EndpointPeer, EndpointPeer> {
    let mut a = EndpointPeer::new(a);
    a.endpoint
        .initiate(epoch, "gw", addr(I_ADDR), addr(R_ADDR))
        .unwrap();
    a.drain();
    Sim::with_epoch(epoch, a, EndpointPeer::new(b), ab, ba, seed)
}

/// Retransmission for links that lose a third of the datagrams: with 30 %
/// loss each way a round trip fails 51 % of the time, so strongSwan's 6
/// sends would lose an exchange 1.8 % of the time; 16 sends, at most 10 s
/// apart.
pub(crate) fn patient_retransmit() -> RetransmitConfig {
    RetransmitConfig {
        tries: 15,
        limit: Some(Duration::from_secs(10)),
        ..RetransmitConfig::default()
    }
}

/// The failures `p`'s endpoint reported ([`Event::Failed`]), in order.
pub(crate) fn failures(p: &EndpointPeer) -> Vec<Failure> {
    p.event_list()
        .into_iter()
        .filter_map(|e| match e {
            Event::Failed { reason } => Some(reason),
            _ => None,
        })
        .collect()
}

/// 30 ms ± 40 ms, 10% loss, 10% reordered by 80 ms.
pub(crate) fn lossy() -> LinkConfig {
    LinkConfig {
        latency: Duration::from_millis(30),
        jitter: Duration::from_millis(40),
        loss: LossModel::Bernoulli(0.1),
        reorder: 0.1,
        reorder_delay: Duration::from_millis(80),
        ..LinkConfig::default()
    }
}
