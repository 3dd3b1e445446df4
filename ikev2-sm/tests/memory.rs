//! Memory per established IKE SA with one Child SA (issue 5 item 8: under
//! 4 KiB excluding key material), measured with a counting global
//! allocator (`stats_alloc`), no test harness (`harness = false`) so
//! nothing else allocates concurrently.
//!
//! A responder `Endpoint` establishes `N` IKE SAs (IKE_SA_INIT + IKE_AUTH,
//! PSK, X25519, AES-256-GCM, one Child SA) with initiators in the same
//! process. The figure is the responder's live-heap growth divided by `N`,
//! taken after the initiators and every transient buffer are dropped. The
//! same run with the NO SECURITY provider (`ikev2_crypto::testing::INSECURE`,
//! whose AEAD keeps no key schedule) shows how much of it is expanded key
//! material; the cached response datagrams are measured from the wire.
//!
//! Run: `cargo test -p ikev2-sm --test memory` (prints the figures).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::alloc::System;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::{AES256_GCM16, PROVIDER};
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::sk::SkKeys;
use ikev2_crypto::testing::INSECURE;
use ikev2_crypto::{CryptoProvider, SupportedEncr};
use ikev2_sm::config::PeerConfig;
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output, Transmit};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// SAs established per measurement.
const N: usize = 1000;

/// Upper bound asserted for bytes per SA with the real provider: the
/// measurement (3665 bytes when written, of which 2184 are key material:
/// two expanded AES-256-GCM key schedules and the raw SK_* octets) plus
/// about 12% headroom, so a regression fails here. It is also issue 5's
/// goal (under 4 KiB excluding key material), met with key material included.
/// Raised to 4608 when each SA gained its Child SA records (name, SPIs,
/// mode and narrowed selectors, kept for delete and rekey) and a timer
/// table: 4100 bytes measured then.
const MAX_BYTES_PER_SA: isize = 4608;

/// Upper bound for the same without expanded key schedules (INSECURE):
/// 1649 bytes when written; 2084 after the Child SA records and timer table;
/// 2514 once the request queue, fragmentation, the timer heap and each Child
/// SA's rekey state (status, soft and hard deadlines) were in.
const MAX_BYTES_PER_SA_NO_KEY_SCHEDULE: isize = 2700;

const IKE: &str = "aes256gcm16-prfsha256-x25519";

fn peer(name: &str, me: &str, them: &str, l: &str, r: &str) -> PeerConfig {
    common::psk_peer(name, me, them, b"memory-test-secret", IKE).with_child(common::child(
        "net",
        (l, r),
        "aes256gcm16",
    ))
}

fn live(region: &Region<'_, System>) -> isize {
    let c = region.change();
    // stats_alloc folds realloc growth and shrinkage into these two already
    // (bytes_reallocated repeats it and must not be added).
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

struct Measured {
    bytes_per_sa: isize,
    /// Live heap blocks per SA.
    blocks_per_sa: isize,
    /// Responder datagram sizes for one SA: IKE_SA_INIT and IKE_AUTH responses.
    init_resp: usize,
    auth_resp: usize,
}

/// Establishes `N` SAs on one responder; returns its live heap growth per SA.
fn measure(provider: CryptoProvider) -> Measured {
    let responder = Endpoint::new(EndpointConfig::new(
        provider,
        Arc::new(DeterministicRandom::seed_from_u64(2)),
        vec![peer("rw", "@moon", "%any", "10.2.0.0/16", "10.0.0.0/8")],
    ));
    let mut responder = Box::new(responder);
    let region = Region::new(GLOBAL);
    let (mut init_resp, mut auth_resp) = (0, 0);
    {
        let mut initiator = Endpoint::new(EndpointConfig::new(
            provider,
            Arc::new(DeterministicRandom::seed_from_u64(1)),
            vec![peer("gw", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16")],
        ));
        let dst: SocketAddr = "198.51.100.1:500".parse().unwrap();
        let now = Instant::now();
        for k in 0..N {
            // One address per initiator, as many road warriors would be.
            let src = SocketAddr::from(([10, 9, (k >> 8) as u8, k as u8], 500));
            initiator.initiate(now, "gw", src, dst).unwrap();
            let mut responses = Vec::new();
            for _turn in 0..3 {
                pump(&mut initiator, &mut responder, now, &mut Vec::new());
                pump(&mut responder, &mut initiator, now, &mut responses);
            }
            assert_eq!(responses.len(), 2, "SA {k}: two responses");
            (init_resp, auth_resp) = (responses[0].bytes.len(), responses[1].bytes.len());
        }
        assert_eq!(responder.sa_count(), N);
        assert_eq!(initiator.sa_count(), N);
        for h in responder.handles() {
            let info = responder.sa_info(h).unwrap();
            assert_eq!(info.state, "established");
            assert_eq!(info.children.len(), 1);
        }
    }
    let bytes = live(&region);
    let c = region.change();
    let blocks = c.allocations as isize - c.deallocations as isize;
    drop(responder);
    Measured {
        bytes_per_sa: bytes / N as isize,
        blocks_per_sa: blocks / N as isize,
        init_resp,
        auth_resp,
    }
}

/// Hands every datagram `from` emits to `to` until `from` reports its
/// next timeout; records the datagram sizes.
fn pump(from: &mut Endpoint, to: &mut Endpoint, now: Instant, log: &mut Vec<Transmit>) {
    loop {
        match from.poll_output() {
            Output::Transmit(t) => {
                log.push(t.clone());
                to.handle_input(Input::Datagram {
                    now,
                    src: t.src,
                    dst: t.dst,
                    bytes: t.bytes,
                });
            }
            Output::Timeout(_) => return,
            _ => {}
        }
    }
}

/// Which SA [`steady`] measures: between two capacity doublings of the
/// endpoint's slab and index, so no container grows while it is set up.
const STEADY_SA: usize = 600;

/// Heap a responder keeps for one SA beyond its slab slot and index entry,
/// after IKE_SA_INIT (half-open) and after IKE_AUTH (established): the
/// initiators' requests are recorded first, then replayed on a fresh
/// responder with the same seed (so its answers, and the recorded
/// IKE_AUTH requests, are the same), measuring the responder alone.
fn steady(provider: CryptoProvider) -> (isize, isize) {
    let mk = |seed, p| {
        Endpoint::new(EndpointConfig::new(
            provider,
            Arc::new(DeterministicRandom::seed_from_u64(seed)),
            vec![p],
        ))
    };
    let responder = || mk(2, peer("rw", "@moon", "%any", "10.2.0.0/16", "10.0.0.0/8"));
    let now = Instant::now();
    let dst: SocketAddr = "198.51.100.1:500".parse().unwrap();
    let mut recorded = Vec::new();
    {
        let mut r = responder();
        let mut i = mk(1, peer("gw", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16"));
        for k in 0..=STEADY_SA {
            let src = SocketAddr::from(([10, 9, (k >> 8) as u8, k as u8], 500));
            i.initiate(now, "gw", src, dst).unwrap();
            let mut reqs = Vec::new();
            for _turn in 0..3 {
                pump(&mut i, &mut r, now, &mut reqs);
                pump(&mut r, &mut i, now, &mut Vec::new());
            }
            assert_eq!(reqs.len(), 2);
            recorded.push(reqs);
        }
    }
    let mut r = responder();
    let feed = |r: &mut Endpoint, t: Transmit| -> isize {
        let moved = t.bytes.capacity() as isize;
        let region = Region::new(GLOBAL);
        r.handle_input(Input::Datagram {
            now,
            src: t.src,
            dst: t.dst,
            bytes: t.bytes,
        });
        while !matches!(r.poll_output(), Output::Timeout(_)) {}
        live(&region) + moved
    };
    let mut phases = (0, 0);
    for (k, reqs) in recorded.into_iter().enumerate() {
        let mut it = reqs.into_iter();
        let init = feed(&mut r, it.next().unwrap());
        let auth = feed(&mut r, it.next().unwrap());
        if k == STEADY_SA {
            phases = (init, auth);
        }
    }
    assert_eq!(r.sa_count(), STEADY_SA + 1);
    let h = r.handles()[STEADY_SA];
    assert_eq!(r.sa_info(h).unwrap().state, "established");
    phases
}

/// Heap taken by the two expanded AES-256-GCM SK keys (SK_e out and in).
fn sk_key_schedule_bytes() -> isize {
    let region = Region::new(GLOBAL);
    let a = SkKeys::new(SupportedEncr::Aead(&AES256_GCM16), None, &[7; 36], &[]).unwrap();
    let b = SkKeys::new(SupportedEncr::Aead(&AES256_GCM16), None, &[8; 36], &[]).unwrap();
    let n = live(&region);
    drop((a, b));
    n
}

fn main() {
    let real = measure(PROVIDER);
    let insecure = measure(INSECURE);
    let sk = sk_key_schedule_bytes();
    let (half_open, auth) = steady(PROVIDER);
    // SK_d + SK_ei/er (32+4 each) + SK_pi/pr with PRF-HMAC-SHA2-256.
    let raw_keys = 32 + 2 * 36 + 2 * 32;
    println!("memory per established IKE SA + 1 Child SA, responder, N = {N}:");
    println!(
        "  rustcrypto provider:           {} bytes in {} live heap blocks",
        real.bytes_per_sa, real.blocks_per_sa
    );
    println!(
        "  INSECURE (no key schedule):    {} bytes",
        insecure.bytes_per_sa
    );
    println!("  two expanded AES-256-GCM keys: {sk} bytes (measured alone)");
    println!("  raw SK_d/SK_e/SK_p octets:     {raw_keys} bytes");
    println!(
        "  cached responses on the wire:  IKE_SA_INIT {} + IKE_AUTH {} bytes",
        real.init_resp, real.auth_resp
    );
    println!(
        "  one SA outside the slab/index: {} bytes after IKE_SA_INIT, {} after IKE_AUTH",
        half_open,
        half_open + auth
    );
    println!(
        "  slab slot + index, amortized:  {} bytes",
        real.bytes_per_sa - half_open - auth
    );
    println!(
        "  excluding key material:        {} bytes",
        real.bytes_per_sa - sk - raw_keys
    );
    assert!(real.bytes_per_sa > 0 && insecure.bytes_per_sa > 0);
    assert!(
        real.bytes_per_sa <= MAX_BYTES_PER_SA,
        "{} bytes per SA, bound {MAX_BYTES_PER_SA}",
        real.bytes_per_sa
    );
    assert!(
        insecure.bytes_per_sa <= MAX_BYTES_PER_SA_NO_KEY_SCHEDULE,
        "{} bytes per SA without key schedule, bound {MAX_BYTES_PER_SA_NO_KEY_SCHEDULE}",
        insecure.bytes_per_sa
    );
    println!("memory: PASS");
}
