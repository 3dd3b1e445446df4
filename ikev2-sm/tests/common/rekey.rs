//! What the CREATE_CHILD_SA simulator tests share (`rekey_sim.rs`,
//! `ike_collision_sim.rs`): two configurations with a `net` and an `extra`
//! child, a pair of endpoints brought up over a link, and the data-plane
//! invariant checked at every step (each side's outbound SAs have their
//! inbound twin on the other side; once settled nothing installed is
//! unused). Included with `#[path]` by the files that use it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use ikev2_sm::config::{ChildConfig, Lifetimes, PeerConfig};
use ikev2_sm::events::Event;
use ikev2_sm::sim::{EndpointPeer, LinkConfig, Sim};
use ikev2_sm::SaHandle;

use crate::common::{addr, child, endpoint, psk_peer, I_ADDR, R_ADDR};
pub(crate) use crate::common::{failures, lossy};

pub(crate) const IKE: &str = "aes256gcm16-prfsha256-x25519";
pub(crate) const SETTLE: Duration = Duration::from_secs(600);

pub(crate) struct Side {
    pub(crate) name: &'static str,
    pub(crate) local: &'static str,
    pub(crate) remote: &'static str,
    pub(crate) ts: (&'static str, &'static str),
}

pub(crate) const SUN: Side = Side {
    name: "gw",
    local: "@sun",
    remote: "@moon",
    ts: ("10.1.0.0/16", "10.2.0.0/16"),
};
pub(crate) const MOON: Side = Side {
    name: "sun",
    local: "@moon",
    remote: "@sun",
    ts: ("10.2.0.0/16", "10.1.0.0/16"),
};

pub(crate) fn config(
    side: &Side,
    esp: &str,
    child_life: Lifetimes,
    ike_life: Lifetimes,
) -> PeerConfig {
    let mut p = psk_peer(side.name, side.local, side.remote, b"shared secret", IKE)
        .with_child(child("net", side.ts, esp).with_lifetimes(child_life))
        .with_child(child("extra", ("10.11.0.0/16", "10.12.0.0/16"), esp));
    p.lifetimes = ike_life;
    p
}

/// `extra` mirrored for the responder.
pub(crate) fn mirror(mut p: PeerConfig) -> PeerConfig {
    let esp = p.children[1].esp_proposals.clone();
    p.children[1] = ChildConfig::new("extra")
        .with_ts("10.12.0.0/16", "10.11.0.0/16")
        .unwrap();
    p.children[1].esp_proposals = esp;
    p
}

pub(crate) type Pair = Sim<EndpointPeer, EndpointPeer>;

pub(crate) fn long() -> Lifetimes {
    Lifetimes::from_rekey(Duration::from_secs(36_000))
}

pub(crate) fn pair(seed: u64, i: PeerConfig, r: PeerConfig, link: LinkConfig) -> Pair {
    let epoch = Instant::now();
    let mut a = EndpointPeer::new(endpoint(seed.wrapping_mul(2), i));
    let b = EndpointPeer::new(endpoint(seed.wrapping_mul(2) + 1, mirror(r)));
    a.endpoint
        .initiate(epoch, "gw", addr(I_ADDR), addr(R_ADDR))
        .unwrap();
    a.drain();
    Sim::with_epoch(epoch, a, b, link, link, seed)
}

pub(crate) fn up(seed: u64, esp: &str) -> Pair {
    let mut sim = pair(
        seed,
        config(&SUN, esp, long(), long()),
        config(&MOON, esp, long(), long()),
        LinkConfig::with_latency(Duration::from_millis(10)),
    );
    assert!(sim.settle(SETTLE, 10_000));
    assert_eq!(sim.a.outbound.len(), 1);
    sim
}

/// The live IKE SA of a side (the last one that is established).
pub(crate) fn ike(p: &EndpointPeer) -> SaHandle {
    let hs = p.endpoint.handles();
    *hs.iter()
        .rev()
        .find(|h| p.endpoint.sa_info(**h).unwrap().state == "established")
        .expect("an established IKE SA")
}

/// The data-plane invariant at one instant.
pub(crate) fn check_twins(sim: &Pair, what: &str) {
    check_twins_except(sim, what, &BTreeSet::new());
}

/// The invariant, except for SAs one side's data plane dropped on its own
/// (a hard limit): the peer sends on those until their Delete arrives.
pub(crate) fn check_twins_except(sim: &Pair, what: &str, dropped: &BTreeSet<u32>) {
    for (x, y, n) in [(&sim.a, &sim.b, "A"), (&sim.b, &sim.a, "B")] {
        let twins = y.installed_in();
        for spi in x.outbound.difference(dropped) {
            assert!(
                twins.contains(spi),
                "{what}: {n} sends on {spi:#x} but the peer has no such inbound SA (at {:?})",
                sim.elapsed()
            );
        }
    }
}

/// After settling: nothing installed that is not in use, both sides agree.
pub(crate) fn check_clean(sim: &Pair, children: usize, what: &str) {
    for (x, y, n) in [(&sim.a, &sim.b, "A"), (&sim.b, &sim.a, "B")] {
        assert_eq!(
            x.installed_out(),
            x.outbound,
            "{what}: {n} has installed SAs it does not send on"
        );
        assert_eq!(x.outbound.len(), children, "{what}: {n} outbound SAs");
        assert_eq!(
            x.installed_in(),
            y.installed_out(),
            "{what}: {n} in vs peer out"
        );
    }
}

/// Steps until `until`, checking the invariant after every step.
pub(crate) fn run_checked(sim: &mut Pair, until: Instant, what: &str) {
    run_checked_except(sim, until, what, &BTreeSet::new());
}

pub(crate) fn run_checked_except(
    sim: &mut Pair,
    until: Instant,
    what: &str,
    dropped: &BTreeSet<u32>,
) {
    run_checked_with(sim, until, what, |_| dropped.clone());
}

/// Steps until `until`, checking the invariant after every step except for
/// the outbound SPIs `skip` names at that step (SAs whose two ends are
/// installed or removed one round trip apart: a new Child SA's responder
/// sends before the initiator has the response, a deleting side stops
/// sending only when answered).
pub(crate) fn run_checked_with(
    sim: &mut Pair,
    until: Instant,
    what: &str,
    skip: impl Fn(&Pair) -> BTreeSet<u32>,
) {
    for _ in 0..200_000 {
        check_twins_except(sim, what, &skip(sim));
        match sim.next_event() {
            Some(t) if t <= until => {
                sim.step();
            }
            _ => return,
        }
    }
    panic!("{what}: too many steps");
}

pub(crate) fn rekeyed(p: &EndpointPeer) -> Vec<(u32, u32)> {
    p.event_list()
        .into_iter()
        .filter_map(|e| match e {
            Event::ChildSaRekeyed {
                old_spi_in,
                new_spi_in,
                ..
            } => Some((old_spi_in, new_spi_in)),
            _ => None,
        })
        .collect()
}
