//! Cost of the responder's negotiation steps, against decoding the same SA
//! payload as the same-run baseline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use ikev2_sm::proposal::{parse_proposals, select, select_with_ke, SelectionPolicy};
use ikev2_sm::window::{RequestVerdict, ResponseWindow};
use ikev2_sm::wire::{proposals_from_sa, sa_from_proposals};
use ikev2_wire::{KeId, ProtocolId};

fn bench(c: &mut Criterion) {
    let local = parse_proposals(ProtocolId::Ike, "default").unwrap();
    // A typical strongSwan-style offer: AEAD first, classic second.
    let offer = parse_proposals(
        ProtocolId::Ike,
        "aes256gcm16-aes128gcm16-prfsha256-prfsha384-ecp256-x25519, aes256-sha256-sha384-ecp256-modp2048",
    )
    .unwrap();
    let sa = sa_from_proposals(&offer);
    let hopeless = parse_proposals(
        ProtocolId::Ike,
        "3des-md5-modp1024, aes128-sha1-modp1536, camellia128-sha1-modp1024, aes128ctr-aesxcbc-ecp192",
    )
    .unwrap();
    let policy = SelectionPolicy::default();

    let mut g = c.benchmark_group("negotiation");
    g.bench_function("baseline: SA payload to proposals", |b| {
        b.iter(|| proposals_from_sa(black_box(&sa)))
    });
    g.bench_function("select + KE decision (match)", |b| {
        b.iter(|| {
            select_with_ke(
                black_box(&local),
                black_box(&offer),
                Some(KeId::Ecp256),
                &policy,
            )
            .unwrap()
        })
    });
    g.bench_function("select, no match, with diagnostic", |b| {
        b.iter(|| select(black_box(&local), black_box(&hopeless), &policy).unwrap_err())
    });
    g.bench_function("parse proposal string", |b| {
        b.iter(|| {
            parse_proposals(
                ProtocolId::Ike,
                black_box("aes256gcm16-prfsha384-ecp384-ke1_mlkem768"),
            )
            .unwrap()
        })
    });
    g.bench_function("response window: new + respond + replay", |b| {
        let resp = vec![vec![0u8; 300]];
        b.iter_batched(
            ResponseWindow::new,
            |mut w| {
                assert_eq!(w.classify(0), RequestVerdict::New);
                w.respond(0, resp.clone());
                matches!(w.classify(0), RequestVerdict::Replay(_))
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
