//! In-process handshakes: IKE_SA_INIT + IKE_AUTH with one Child SA (PSK,
//! X25519, AES-256-GCM), against the same-run baseline of the raw X25519
//! work both sides must do (two key pairs, two shared secrets).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::KeId;
use ikev2_sm::config::{Auth, ChildConfig, Identity, PeerConfig};
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output};

fn peer(name: &str, me: &str, them: &str, l: &str, r: &str) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse(me).unwrap(),
        Identity::parse(them).unwrap(),
    )
    .with_auth(
        Auth::psk(b"bench-secret".to_vec()),
        Auth::psk(b"bench-secret".to_vec()),
    )
    .with_ike_proposals("aes256gcm16-prfsha256-x25519")
    .unwrap()
    .with_child(
        ChildConfig::new("net")
            .with_ts(l, r)
            .unwrap()
            .with_esp_proposals("aes256gcm16")
            .unwrap(),
    )
}

/// One full handshake; returns the Child SAs installed (2).
fn handshake(seed: u64) -> usize {
    let rng = Arc::new(DeterministicRandom::seed_from_u64(seed));
    let mk = |p| Endpoint::new(EndpointConfig::new(PROVIDER, rng.clone(), vec![p]));
    let mut eps = [
        mk(peer("moon", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16")),
        mk(peer("sun", "@moon", "@sun", "10.2.0.0/16", "10.1.0.0/16")),
    ];
    let now = Instant::now();
    eps[0]
        .initiate(
            now,
            "moon",
            "192.0.2.1:500".parse().unwrap(),
            "198.51.100.1:500".parse().unwrap(),
        )
        .unwrap();
    let mut installed = 0;
    for turn in 0..6 {
        let (from, to) = (turn % 2, 1 - turn % 2);
        loop {
            match eps[from].poll_output() {
                Output::Transmit(t) => eps[to].handle_input(Input::Datagram {
                    now,
                    src: t.src,
                    dst: t.dst,
                    bytes: t.bytes,
                }),
                Output::InstallChildSa(_) => installed += 1,
                Output::Timeout(_) => break,
                _ => {}
            }
        }
    }
    installed
}

fn bench(c: &mut Criterion) {
    assert_eq!(handshake(1), 2);
    let mut g = c.benchmark_group("handshake");
    g.bench_function("baseline: x25519 keygen+dh, both sides", |b| {
        let x = PROVIDER.ke(KeId::Curve25519).unwrap();
        let rng = DeterministicRandom::seed_from_u64(3);
        b.iter(|| {
            let i = x.start(&rng).unwrap();
            let (r_pub, r_shared) = x.respond(&rng, i.public()).unwrap();
            let i_shared = i.complete(&r_pub).unwrap();
            black_box((i_shared, r_shared))
        });
    });
    let mut seed = 0u64;
    g.bench_function("ike_sa_init+ike_auth+child, both sides", |b| {
        b.iter(|| {
            seed += 1;
            black_box(handshake(seed))
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
