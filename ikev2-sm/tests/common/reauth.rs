//! What the reauthentication simulator tests share (`reauth_sim.rs`,
//! `reauth_collision_sim.rs`): a `net` child (in IKE_AUTH) and an `extra`
//! child (CREATE_CHILD_SA) mirrored for the responder, a pair of endpoints
//! with both up, and queries on their events. Included with `#[path]`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ikev2_sm::config::{Lifetimes, PeerConfig};

use ikev2_sm::sim::{EndpointPeer, LinkConfig, LossModel, Sim};
use ikev2_sm::SaHandle;

pub(crate) use crate::common::failures;
use crate::common::{addr, child, endpoint, psk_peer, I_ADDR, R_ADDR};

pub(crate) const IKE: &str = "aes256gcm16-prfsha256-x25519";
pub(crate) const SETTLE: Duration = Duration::from_secs(600);

pub(crate) type Pair = Sim<EndpointPeer, EndpointPeer>;

/// IKE lifetimes that never rekey within a test, jitter 20 s.
pub(crate) fn ike_life() -> Lifetimes {
    Lifetimes {
        rekey_time: Duration::from_secs(36_000),
        life_time: Duration::from_secs(39_600),
        rand_time: Duration::from_secs(20),
    }
}

/// `net` (first, in IKE_AUTH) and `extra` (CREATE_CHILD_SA), mirrored
/// for the responder.
pub(crate) fn config(initiator: bool, reauth: Duration) -> PeerConfig {
    let (name, me, them) = if initiator {
        ("gw", "@sun", "@moon")
    } else {
        ("sun", "@moon", "@sun")
    };
    let ts = |a: &'static str, b: &'static str| if initiator { (a, b) } else { (b, a) };
    let net = ts("10.1.0.0/16", "10.2.0.0/16");
    let extra = ts("10.11.0.0/16", "10.12.0.0/16");
    let mut p = psk_peer(name, me, them, b"shared secret", IKE)
        .with_child(child("net", net, "aes256gcm16"))
        .with_child(child("extra", extra, "aes256gcm16"))
        .with_reauth_time(reauth);
    p.lifetimes = ike_life();
    p.validate().unwrap();
    p
}

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

/// A and B with both children up; A reauthenticates after `reauth_a`
/// (zero: never), B after `reauth_b`.
pub(crate) fn up(seed: u64, reauth_a: Duration, reauth_b: Duration, link: LinkConfig) -> Pair {
    up_with(seed, config(true, reauth_a), config(false, reauth_b), link)
}

/// A (`ca`) and B (`cb`) with both children up.
pub(crate) fn up_with(seed: u64, ca: PeerConfig, cb: PeerConfig, link: LinkConfig) -> Pair {
    let epoch = Instant::now();
    let mut a = EndpointPeer::new(endpoint(seed.wrapping_mul(2), ca));
    let b = EndpointPeer::new(endpoint(seed.wrapping_mul(2) + 1, cb));
    let h = a
        .endpoint
        .initiate(epoch, "gw", addr(I_ADDR), addr(R_ADDR))
        .unwrap();
    a.drain();
    let mut sim = Sim::with_epoch(epoch, a, b, link, link, seed);
    assert!(sim.drive_until(100_000, |s| s.a.outbound.len() == 1
        && s.b.outbound.len() == 1));
    let now = sim.now();
    sim.a.endpoint.create_child_sa(now, h, "extra").unwrap();
    sim.a.drain();
    assert!(
        sim.drive_until(100_000, |s| s.a.outbound.len() == 2
            && s.b.outbound.len() == 2),
        "seed {seed}: both children up"
    );
    sim
}

pub(crate) fn established(p: &EndpointPeer) -> Vec<SaHandle> {
    p.endpoint
        .handles()
        .into_iter()
        .filter(|h| p.endpoint.sa_info(*h).unwrap().state == "established")
        .collect()
}
