//! Issue 5 item 5: a responder under a flood of IKE_SA_INIT requests from
//! thousands of spoofed addresses keeps its SA count and its memory
//! bounded, and a legitimate initiator on the same link still gets through
//! by the COOKIE exchange (RFC 7296 §2.6).
//!
//! Side A of the simulator is an attacker sharing the link with a real
//! initiator: every millisecond it sends a burst of valid IKE_SA_INIT
//! requests, each from another source address and SPI (replies to those
//! addresses are never seen by anyone). The same flood is then sent to a
//! responder that never asks for cookies, to show what the bound prevents.
//!
//! Memory is the process's live-heap growth over the run, measured with a
//! counting global allocator; hence its own binary without the test harness
//! (`harness = false`), so nothing else allocates concurrently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    missing_docs
)]

mod common;

use std::alloc::System;
use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_sm::config::PeerConfig;
use ikev2_sm::events::Event;
use ikev2_sm::sim::{Datagram, EndpointPeer, LinkConfig, Sim, SimPeer};
use ikev2_sm::{Endpoint, EndpointConfig, Output};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const I_ADDR: &str = "192.0.2.1:500";
const R_ADDR: &str = "198.51.100.1:500";
const IKE: &str = "aes256gcm16-prfsha256-x25519";
const PSK: &[u8] = b"flood-proof shared secret";

/// Spoofed requests in the flood, and per millisecond.
const FLOOD: u32 = 4000;
const PER_MS: u32 = 40;
/// The responder asks for cookies from this many half-open SAs on.
const THRESHOLD: u32 = 16;
/// Live-heap growth allowed with cookies on: the threshold's half-open SAs
/// (about 3 KiB each), the legitimate SA on both sides, the link's
/// in-flight datagrams and the test's own records.
const MAX_GROWTH: i64 = 256 * 1024;

fn peer(name: &str, me: &str, them: &str, l: &str, r: &str) -> PeerConfig {
    common::psk_peer(name, me, them, PSK, IKE).with_child(common::child(
        "net",
        (l, r),
        "aes256gcm16",
    ))
}

fn initiator(seed: u64) -> Endpoint {
    common::endpoint(
        seed,
        peer("gw", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16"),
    )
}

fn responder(threshold: u32) -> Endpoint {
    Endpoint::new(
        EndpointConfig::new(
            PROVIDER,
            Arc::new(DeterministicRandom::seed_from_u64(7)),
            vec![peer("rw", "@moon", "@sun", "10.2.0.0/16", "10.1.0.0/16")],
        )
        .with_cookie_threshold(threshold),
    )
}

/// The legitimate initiator plus the attacker, on one side of the link.
struct Flooder {
    legit: EndpointPeer,
    legit_at: Option<Instant>,
    template: Vec<u8>,
    flood: u32,
    sent: u32,
    next_burst: Option<Instant>,
    queue: VecDeque<Datagram>,
    /// Replies addressed to spoofed sources (nobody receives them).
    lost_replies: u64,
}

impl Flooder {
    fn burst(&mut self) {
        for _ in 0..PER_MS {
            if self.sent >= self.flood {
                self.next_burst = None;
                return;
            }
            self.sent += 1;
            let n = self.sent;
            let mut bytes = self.template.clone();
            // A fresh SPIi per request (octets 0..8 of the header).
            bytes[..8].copy_from_slice(&(u64::from(n) << 20 | 0xA77AC).to_be_bytes());
            let ip = Ipv4Addr::from(0x0a00_0000 | n);
            self.queue.push_back(Datagram {
                src: SocketAddr::new(ip.into(), 500),
                dst: R_ADDR.parse().unwrap(),
                bytes,
            });
        }
    }
}

impl SimPeer for Flooder {
    fn handle_datagram(&mut self, now: Instant, src: SocketAddr, dst: SocketAddr, bytes: Vec<u8>) {
        if dst == I_ADDR.parse().unwrap() {
            self.legit.handle_datagram(now, src, dst, bytes);
        } else {
            self.lost_replies += 1;
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        if self.legit_at.is_some_and(|t| t <= now) {
            self.legit_at = None;
            self.legit
                .endpoint
                .initiate(now, "gw", I_ADDR.parse().unwrap(), R_ADDR.parse().unwrap())
                .unwrap();
            self.legit.drain();
        }
        while let Some(t) = self.next_burst.filter(|t| *t <= now) {
            self.burst();
            self.next_burst = self.next_burst.map(|_| t + Duration::from_millis(1));
        }
        if self.legit.poll_timeout().is_some_and(|t| t <= now) {
            self.legit.handle_timeout(now);
        }
    }

    fn poll_transmit(&mut self) -> Option<Datagram> {
        self.legit
            .poll_transmit()
            .or_else(|| self.queue.pop_front())
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [self.legit.poll_timeout(), self.legit_at, self.next_burst]
            .into_iter()
            .flatten()
            .min()
    }
}

/// The responder as a simulator peer that keeps no record of its own (an
/// `EndpointPeer` logs every datagram's path, which would grow with the
/// flood and hide what the endpoint itself holds).
struct Bare {
    endpoint: Endpoint,
    queue: VecDeque<Datagram>,
}

impl Bare {
    fn drain(&mut self) {
        loop {
            match self.endpoint.poll_output() {
                Output::Transmit(t) => self.queue.push_back(Datagram {
                    src: t.src,
                    dst: t.dst,
                    bytes: t.bytes,
                }),
                Output::Timeout(_) => return,
                _ => {}
            }
        }
    }
}

impl SimPeer for Bare {
    fn handle_datagram(&mut self, now: Instant, src: SocketAddr, dst: SocketAddr, bytes: Vec<u8>) {
        self.endpoint.handle_input(ikev2_sm::Input::Datagram {
            now,
            src,
            dst,
            bytes,
        });
        self.drain();
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.endpoint.handle_input(ikev2_sm::Input::Timeout(now));
        self.drain();
    }
    fn poll_transmit(&mut self) -> Option<Datagram> {
        self.queue.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.endpoint.poll_timeout()
    }
}

struct Outcome {
    growth: i64,
    max_sas: usize,
    legit_up: bool,
    responder: ikev2_sm::stats::Stats,
}

fn run(threshold: u32, flood: u32) -> Outcome {
    let epoch = Instant::now();
    // A valid IKE_SA_INIT request to copy (from a throwaway initiator).
    let mut scout = initiator(99);
    scout
        .initiate(
            epoch,
            "gw",
            I_ADDR.parse().unwrap(),
            R_ADDR.parse().unwrap(),
        )
        .unwrap();
    let Output::Transmit(t) = scout.poll_output() else {
        panic!("no request")
    };
    drop(scout);
    let a = Flooder {
        legit: EndpointPeer::new(initiator(1)),
        // Once the flood has filled the half-open table.
        legit_at: Some(epoch + Duration::from_millis(30)),
        template: t.bytes,
        flood,
        sent: 0,
        next_burst: Some(epoch),
        queue: VecDeque::with_capacity(PER_MS as usize),
        lost_replies: 0,
    };
    let b = Bare {
        endpoint: responder(threshold),
        queue: VecDeque::new(),
    };
    let link = LinkConfig::default();
    let mut sim = Sim::with_epoch(epoch, a, b, link, link, 1);
    let region = Region::new(GLOBAL);
    let mut max_sas = 0;
    sim.drive_until(1_000_000, |s| {
        max_sas = max_sas.max(s.b.endpoint.sa_count());
        s.a.sent >= flood
            && s.a.queue.is_empty()
            && s.a.legit.event_list().contains(&Event::IkeSaUp)
            && s.ab.in_flight() == 0
            && s.ba.in_flight() == 0
    });
    let change = region.change();
    let growth = change.bytes_allocated as i64 - change.bytes_deallocated as i64;
    let legit_up = sim.a.legit.event_list().contains(&Event::IkeSaUp)
        && sim
            .a
            .legit
            .event_list()
            .contains(&Event::ChildSaUp { name: "net".into() });
    assert!(sim.a.lost_replies > 0);
    Outcome {
        growth,
        max_sas,
        legit_up,
        responder: sim.b.endpoint.stats().clone(),
    }
}

fn main() {
    let guarded = run(THRESHOLD, FLOOD);
    println!(
        "cookie threshold {THRESHOLD}: {FLOOD} spoofed IKE_SA_INIT, at most {} SAs, heap +{} bytes, \
         {} cookies sent, {} verified",
        guarded.max_sas,
        guarded.growth,
        guarded.responder.cookies_sent,
        guarded.responder.cookies_verified
    );
    assert!(guarded.legit_up, "the legitimate initiator got through");
    assert_eq!(
        guarded.responder.cookies_verified, 1,
        "the legitimate initiator came back with its cookie"
    );
    // THRESHOLD spoofed half-open SAs and the legitimate one.
    assert!(
        guarded.max_sas <= THRESHOLD as usize + 1,
        "SA count bounded: {}",
        guarded.max_sas
    );
    assert!(
        guarded.responder.cookies_sent >= u64::from(FLOOD - THRESHOLD),
        "every spoofed request past the threshold got a cookie, not state"
    );
    assert!(
        guarded.growth < MAX_GROWTH,
        "memory bounded: {} bytes",
        guarded.growth
    );

    // Twice the flood costs no more memory: nothing is kept per request
    // (what remains is the simulator's buffers and the threshold's SAs).
    let double = run(THRESHOLD, 2 * FLOOD);
    println!(
        "cookie threshold {THRESHOLD}: {} spoofed, at most {} SAs, heap +{} bytes",
        2 * FLOOD,
        double.max_sas,
        double.growth
    );
    assert!(double.legit_up && double.max_sas <= THRESHOLD as usize + 1);
    assert!(
        double.growth < guarded.growth + 32 * 1024,
        "growth does not follow the flood: {} then {}",
        guarded.growth,
        double.growth
    );

    // A quarter of the flood without cookies: one SA per spoofed request.
    let open = run(u32::MAX, FLOOD / 4);
    println!(
        "no cookies: {} spoofed, at most {} SAs, heap +{} bytes",
        FLOOD / 4,
        open.max_sas,
        open.growth
    );
    assert_eq!(open.responder.cookies_sent, 0);
    assert!(open.max_sas > (FLOOD / 4) as usize);
    assert!(
        open.growth > 10 * MAX_GROWTH,
        "the bound above is meaningful: {}",
        open.growth
    );
    println!("cookie_flood: PASS");
}
