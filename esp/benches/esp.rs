//! ESP throughput against the raw AEAD of the same provider, and the replay window's cost.
//!
//! For every payload size the group measures, in the same run and on buffers of the same
//! size: the provider's bare AEAD seal/open (`raw_seal`, `raw_open`), and the full ESP
//! `seal`/`open` (header, IV, padding, trailer, sequence number, replay window, counters,
//! lifetime). The ratio seal/raw_seal is the cost of ESP itself. Ciphertexts for the open
//! benches are prepared outside the timed routine (`iter_batched_ref`).
#![allow(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use esp::{InboundSa, Mode, OutboundSa, ReplayWindow, SaParams, SealOptions};
use ikev2_crypto::{CryptoProvider, EncrId, SupportedEncr};

const SIZES: [usize; 4] = [64, 512, 1400, 8192];

fn providers() -> Vec<(&'static str, &'static CryptoProvider)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, &'static CryptoProvider)> =
        vec![("rustcrypto", &ikev2_crypto::provider::rustcrypto::PROVIDER)];
    #[cfg(feature = "aws-lc")]
    v.push(("aws-lc", &ikev2_crypto::provider::aws_lc::PROVIDER));
    v
}

fn throughput(c: &mut Criterion) {
    let suites: [(&str, EncrId, Option<u16>, usize); 2] = [
        ("aes128gcm16", EncrId::AesGcm16, Some(128), 20),
        ("chacha20poly1305", EncrId::Chacha20Poly1305, None, 36),
    ];
    for (pname, provider) in providers() {
        for &(sname, encr, bits, keylen) in &suites {
            let Some(SupportedEncr::Aead(aead)) = provider.encr(encr, bits) else {
                continue;
            };
            let keymat = vec![0x42u8; keylen];
            let raw = aead.new_key(&keymat).unwrap();
            let params = SaParams {
                mode: Mode::Transport,
                replay_window: 1024,
                ..SaParams::aead(0x1000_0001, encr, bits, &keymat)
            };
            let mut g = c.benchmark_group(format!("{sname}/{pname}"));
            for size in SIZES {
                g.throughput(Throughput::Bytes(size as u64));
                let aad = [1u8, 2, 3, 4, 0, 0, 0, 1];
                let iv = [7u8; 8];
                // The raw AEAD works on what ESP encrypts: payload plus trailer.
                let ct_len = size + 2 + (4 - (size + 2) % 4) % 4;
                let mut buf = vec![0u8; ct_len];
                let mut tag = [0u8; 16];
                g.bench_function(BenchmarkId::new("raw_seal", size), |b| {
                    b.iter(|| raw.seal_in_place(&iv, &aad, &mut buf, &mut tag).unwrap())
                });

                let mut tx = OutboundSa::new(provider, &params).unwrap();
                let mut pkt = vec![0u8; tx.sealed_len(size)];
                let opts = SealOptions {
                    next_header: Some(17),
                    ..SealOptions::default()
                };
                g.bench_function(BenchmarkId::new("seal", size), |b| {
                    b.iter(|| tx.seal_with(&mut pkt, size, &opts).unwrap())
                });

                raw.seal_in_place(&iv, &aad, &mut buf, &mut tag).unwrap();
                let (sealed_ct, sealed_tag) = (buf.clone(), tag);
                g.bench_function(BenchmarkId::new("raw_open", size), |b| {
                    b.iter_batched_ref(
                        || sealed_ct.clone(),
                        |ct| raw.open_in_place(&iv, &aad, ct, &sealed_tag).unwrap(),
                        BatchSize::SmallInput,
                    )
                });

                let mut tx = OutboundSa::new(provider, &params).unwrap();
                let mut rx = InboundSa::new(provider, &params).unwrap();
                let len = tx.sealed_len(size);
                g.bench_function(BenchmarkId::new("open", size), |b| {
                    b.iter_batched_ref(
                        || {
                            let mut p = vec![0u8; len];
                            tx.seal_with(&mut p, size, &opts).unwrap();
                            p
                        },
                        |p| rx.open(p).unwrap(),
                        BatchSize::SmallInput,
                    )
                });
            }
            g.finish();
        }
    }
}

fn replay(c: &mut Criterion) {
    let mut g = c.benchmark_group("replay_check_update");
    for size in [64u32, 1024, 4096, 65536] {
        // In order: every packet advances the window by one.
        g.throughput(Throughput::Elements(1));
        let mut w = ReplayWindow::new(size).unwrap();
        let mut seq = 0u64;
        g.bench_function(BenchmarkId::new("in_order", size), |b| {
            b.iter(|| {
                seq += 1;
                w.check_and_update(std::hint::black_box(seq)).unwrap();
            })
        });
        // Reordered: pairs swapped and a late packet 40 behind, all inside the window
        // (four packets per iteration).
        g.throughput(Throughput::Elements(4));
        let mut w = ReplayWindow::new(size).unwrap();
        let mut n = 64u64;
        g.bench_function(BenchmarkId::new("reordered", size), |b| {
            b.iter(|| {
                n += 4;
                for s in [n + 1, n, n + 2, n - 40] {
                    let _ = w.check_and_update(std::hint::black_box(s));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, throughput, replay);
criterion_main!(benches);
