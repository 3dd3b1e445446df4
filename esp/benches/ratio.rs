//! Paired ratio measurement: ESP seal/open time over the raw AEAD's, same provider, same
//! sizes, same run, interleaved batch by batch.
//!
//! The criterion bench (`benches/esp.rs`) gives absolute figures, but on a shared machine
//! the load changes between one benchmark and the next. Here every round times a batch of
//! raw AEAD operations and then a batch of ESP operations back to back, and the reported
//! figure is the median over the rounds of the per-round ratio, so a load change hits both
//! halves of a round alike. Run: `cargo bench -p esp --bench ratio` (add `--features aws-lc`
//! for the fast provider).
#![allow(missing_docs)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use esp::{InboundSa, Mode, OutboundSa, SaParams, SealOptions};
use ikev2_crypto::{AeadKey, CryptoProvider, EncrId, SupportedEncr};

const SIZES: [usize; 4] = [64, 512, 1400, 8192];
const BATCH: usize = 64;
const ROUNDS: usize = 301;

fn providers() -> Vec<(&'static str, &'static CryptoProvider)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, &'static CryptoProvider)> =
        vec![("rustcrypto", &ikev2_crypto::provider::rustcrypto::PROVIDER)];
    #[cfg(feature = "aws-lc")]
    v.push(("aws-lc", &ikev2_crypto::provider::aws_lc::PROVIDER));
    v
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn time(f: impl FnOnce()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

struct Row {
    raw_seal: Duration,
    seal_ratio: f64,
    raw_open: Duration,
    open_ratio: f64,
}

fn measure(
    provider: &CryptoProvider,
    raw: &dyn AeadKey,
    params: &SaParams<'_>,
    size: usize,
) -> Row {
    let aad = [1u8, 2, 3, 4, 0, 0, 0, 1];
    let iv = [7u8; 8];
    let ct_len = size + 2 + (4 - (size + 2) % 4) % 4;
    let opts = SealOptions {
        next_header: Some(17),
        ..SealOptions::default()
    };
    let mut tx = OutboundSa::new(provider, params).unwrap();
    let mut rx_tx = OutboundSa::new(provider, params).unwrap();
    let mut rx = InboundSa::new(provider, params).unwrap();
    let pkt_len = tx.sealed_len(size);
    let mut raw_buf = vec![0u8; ct_len];
    let mut tag = [0u8; 16];
    let mut pkt = vec![0u8; pkt_len];
    let (mut seal_ratios, mut open_ratios) = (vec![], vec![]);
    let (mut raw_seal_t, mut raw_open_t) = (vec![], vec![]);
    for round in 0..ROUNDS {
        // Seal: the same buffer over and over, as a sender would.
        let r = time(|| {
            for _ in 0..BATCH {
                raw.seal_in_place(&iv, &aad, black_box(&mut raw_buf), &mut tag)
                    .unwrap();
            }
        });
        let e = time(|| {
            for _ in 0..BATCH {
                black_box(tx.seal_with(black_box(&mut pkt), size, &opts).unwrap());
            }
        });
        // Open: a batch of fresh ciphertexts each (prepared untimed).
        let mut raw_cts: Vec<(Vec<u8>, [u8; 16])> = (0..BATCH)
            .map(|_| {
                let mut b = vec![0u8; ct_len];
                let mut t = [0u8; 16];
                raw.seal_in_place(&iv, &aad, &mut b, &mut t).unwrap();
                (b, t)
            })
            .collect();
        let mut pkts: Vec<Vec<u8>> = (0..BATCH)
            .map(|_| {
                let mut p = vec![0u8; pkt_len];
                rx_tx.seal_with(&mut p, size, &opts).unwrap();
                p
            })
            .collect();
        let ro = time(|| {
            for (b, t) in &mut raw_cts {
                raw.open_in_place(&iv, &aad, black_box(b), t).unwrap();
            }
        });
        let eo = time(|| {
            for p in &mut pkts {
                black_box(rx.open(black_box(p)).unwrap());
            }
        });
        if round > 0 {
            seal_ratios.push(e.as_secs_f64() / r.as_secs_f64());
            open_ratios.push(eo.as_secs_f64() / ro.as_secs_f64());
            raw_seal_t.push(r.as_secs_f64() / BATCH as f64);
            raw_open_t.push(ro.as_secs_f64() / BATCH as f64);
        }
    }
    Row {
        raw_seal: Duration::from_secs_f64(median(raw_seal_t)),
        seal_ratio: median(seal_ratios),
        raw_open: Duration::from_secs_f64(median(raw_open_t)),
        open_ratio: median(open_ratios),
    }
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let suites: [(&str, EncrId, Option<u16>, usize); 2] = [
        ("aes128gcm16", EncrId::AesGcm16, Some(128), 20),
        ("chacha20poly1305", EncrId::Chacha20Poly1305, None, 36),
    ];
    println!("| provider | suite | size | raw seal | ESP seal / raw | raw open | ESP open / raw |");
    println!("|---|---|---:|---:|---:|---:|---:|");
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
            for size in SIZES {
                let row = measure(provider, raw.as_ref(), &params, size);
                let gbps = |d: Duration| size as f64 / d.as_secs_f64() / 1e9;
                println!(
                    "| {pname} | {sname} | {size} | {:.2} GB/s | {:.1}% | {:.2} GB/s | {:.1}% |",
                    gbps(row.raw_seal),
                    100.0 / row.seal_ratio,
                    gbps(row.raw_open),
                    100.0 / row.open_ratio,
                );
            }
        }
    }
}
