//! Criterion benchmarks: AEAD/cipher seal and open per provider, key
//! exchange per group, and the whole IKE_SA_INIT + IKE_AUTH key schedule.
//!
//! Run both providers in the same run to compare them:
//! `cargo bench -p ikev2-crypto --features aws-lc`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ikev2_crypto::keys::{self, ChildSaKeys, IkeSaKeys};
use ikev2_crypto::sk::{decrypt_sk, encrypt_sk, SkKeys};
use ikev2_crypto::{CryptoProvider, EncrId, IntegId, KeId, PrfId, SupportedEncr};
use std::hint::black_box;

fn providers() -> Vec<(&'static str, &'static CryptoProvider)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static str, &'static CryptoProvider)> =
        vec![("rustcrypto", &ikev2_crypto::provider::rustcrypto::PROVIDER)];
    #[cfg(feature = "aws-lc")]
    v.push(("aws-lc", &ikev2_crypto::provider::aws_lc::PROVIDER));
    v
}

const SIZES: [usize; 4] = [64, 512, 1400, 8192];

fn aead(c: &mut Criterion) {
    for (label, id, bits) in [
        ("aes128-gcm16", EncrId::AesGcm16, Some(128)),
        ("aes256-gcm16", EncrId::AesGcm16, Some(256)),
        ("chacha20-poly1305", EncrId::Chacha20Poly1305, None),
    ] {
        let mut g = c.benchmark_group(format!("seal/{label}"));
        for (pname, p) in providers() {
            let Some(SupportedEncr::Aead(a)) = p.encr(id, bits) else {
                panic!("{label}")
            };
            let key = a.new_key(&vec![7u8; a.keymat_len()]).unwrap();
            for size in SIZES {
                g.throughput(Throughput::Bytes(size as u64));
                let mut buf = vec![0u8; size];
                let mut tag = [0u8; 16];
                g.bench_with_input(BenchmarkId::new(pname, size), &size, |b, _| {
                    b.iter(|| {
                        key.seal_in_place(&[1; 8], &[2; 8], black_box(&mut buf), &mut tag)
                            .unwrap()
                    })
                });
            }
        }
        g.finish();
        let mut g = c.benchmark_group(format!("open/{label}"));
        for (pname, p) in providers() {
            let Some(SupportedEncr::Aead(a)) = p.encr(id, bits) else {
                panic!("{label}")
            };
            let key = a.new_key(&vec![7u8; a.keymat_len()]).unwrap();
            for size in SIZES {
                g.throughput(Throughput::Bytes(size as u64));
                let mut ct = vec![0u8; size];
                let mut tag = [0u8; 16];
                key.seal_in_place(&[1; 8], &[2; 8], &mut ct, &mut tag)
                    .unwrap();
                let mut buf = ct.clone();
                g.bench_with_input(BenchmarkId::new(pname, size), &size, |b, _| {
                    b.iter(|| {
                        buf.copy_from_slice(&ct);
                        key.open_in_place(&[1; 8], &[2; 8], black_box(&mut buf), &tag)
                            .unwrap()
                    })
                });
            }
        }
        g.finish();
    }
}

fn cbc_hmac(c: &mut Criterion) {
    let mut g = c.benchmark_group("seal/aes128-cbc+hmac-sha256-128");
    for (pname, p) in providers() {
        let Some(SupportedEncr::Cipher(cbc)) = p.encr(EncrId::AesCbc, Some(128)) else {
            panic!()
        };
        let integ = p.integ(IntegId::HmacSha2_256_128).unwrap();
        let ck = cbc.new_key(&[7; 16]).unwrap();
        let ik = integ.new_key(&[9; 32]).unwrap();
        for size in SIZES {
            // CBC needs whole blocks: ESP padding would round 1400 up to 1408.
            let size = size.div_ceil(16) * 16;
            g.throughput(Throughput::Bytes(size as u64));
            let mut buf = vec![0u8; size];
            let mut icv = [0u8; 16];
            g.bench_with_input(BenchmarkId::new(pname, size), &size, |b, _| {
                b.iter(|| {
                    ck.encrypt_in_place(&[3; 16], black_box(&mut buf)).unwrap();
                    ik.sign(&[&buf], &mut icv).unwrap();
                })
            });
        }
    }
    g.finish();
}

fn key_exchange(c: &mut Criterion) {
    let mut g = c.benchmark_group("ke");
    g.sample_size(10);
    for (pname, p) in providers() {
        for ke in p.ke {
            let peer = ke.start(p.secure_random).unwrap();
            let peer_public = peer.public().to_vec();
            // One side's work: generate a key pair and complete the exchange
            // (for a KEM: respond to an encapsulation key).
            g.bench_function(BenchmarkId::new(pname, format!("{:?}", ke.id())), |b| {
                b.iter(|| {
                    if ke.is_kem() {
                        black_box(ke.respond(p.secure_random, &peer_public).unwrap());
                    } else {
                        let a = ke.start(p.secure_random).unwrap();
                        black_box(a.complete(&peer_public).unwrap());
                    }
                })
            });
        }
    }
    g.finish();
}

/// Everything an initiator derives and protects for IKE_SA_INIT + IKE_AUTH
/// except the key exchange itself: SKEYSEED, SK_*, both AUTH octets and PSK
/// AUTH values, the Child SA KEYMAT, and one IKE_AUTH message each way.
fn key_schedule(c: &mut Criterion) {
    let mut g = c.benchmark_group("ike-sa-init+ike-auth-schedule");
    for (pname, p) in providers() {
        let prf = p.prf(PrfId::HmacSha2_256).unwrap();
        let encr = p.encr(EncrId::AesGcm16, Some(256)).unwrap();
        let g_ir = [0x5a; 32];
        let (ni, nr) = ([1u8; 32], [2u8; 32]);
        let init_req = vec![0x11; 300];
        let init_resp = vec![0x22; 300];
        let inner = vec![0x33; 400];
        let mut header = [0u8; 28];
        header[17] = 0x20;
        header[18] = 35;
        g.bench_function(pname, |b| {
            b.iter(|| {
                let seed = keys::skeyseed(prf, &ni, &nr, &[&g_ir]);
                let k =
                    IkeSaKeys::derive(prf, encr, None, &seed, &ni, &nr, &[1; 8], &[2; 8]).unwrap();
                let oi =
                    keys::auth_octets(prf, &init_req, &nr, k.sk_pi.as_bytes(), b"\x02\0\0\0peer-i");
                let or = keys::auth_octets(
                    prf,
                    &init_resp,
                    &ni,
                    k.sk_pr.as_bytes(),
                    b"\x02\0\0\0peer-r",
                );
                black_box(keys::psk::auth(prf, b"a long enough pre-shared key", &oi));
                black_box(keys::psk::auth(prf, b"a long enough pre-shared key", &or));
                black_box(
                    ChildSaKeys::derive(prf, k.sk_d.as_bytes(), &[], &ni, &nr, 36, 0).unwrap(),
                );
                let ir = SkKeys::new(encr, None, k.sk_ei.as_bytes(), &[]).unwrap();
                let ri = SkKeys::new(encr, None, k.sk_er.as_bytes(), &[]).unwrap();
                let m3 = encrypt_sk(&ir, p.secure_random, &header, 35, &inner).unwrap();
                black_box(decrypt_sk(&m3, &ir).unwrap());
                let m4 = encrypt_sk(&ri, p.secure_random, &header, 36, &inner).unwrap();
                black_box(decrypt_sk(&m4, &ri).unwrap());
            })
        });
    }
    g.finish();
    let _ = KeId::Curve25519;
}

criterion_group!(benches, aead, cbc_hmac, key_exchange, key_schedule);
criterion_main!(benches);
