//! Signature AUTH and certificate validation throughput.
//!
//! Baseline in the same run: `hmac_sha256_psk_auth` (the PSK AUTH
//! computation), so results read as "a signature costs N PSK AUTHs".
//! `cargo bench -p ikev2-crypto --bench auth -- --warm-up-time 1 --measurement-time 2`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use core::time::Duration;
use std::sync::LazyLock;

use criterion::{criterion_group, criterion_main, Criterion};
use ikev2_crypto::auth::signer::sign_auth;
use ikev2_crypto::auth::{verify_auth, AuthMethod, AuthPolicy, AuthSigner, Psk, SoftwareSigner};
use ikev2_crypto::cert::{CertVerifier, UnixTime, ValidationPolicy};
use ikev2_crypto::provider::rustcrypto::{PRF_HMAC_SHA2_256, VERIFIER};
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::{EcCurve, EcdsaEncoding, HashAlg, SignatureScheme};
use pkcs8::EncodePrivateKey;

static RNG: LazyLock<DeterministicRandom> = LazyLock::new(|| DeterministicRandom::seed_from_u64(3));

fn keys() -> Vec<(&'static str, SoftwareSigner, SignatureScheme)> {
    let ecdsa = |curve| SignatureScheme::Ecdsa {
        curve,
        hash: match curve {
            EcCurve::P384 => HashAlg::Sha384,
            EcCurve::P521 => HashAlg::Sha512,
            _ => HashAlg::Sha256,
        },
        encoding: EcdsaEncoding::Der,
    };
    let p384 = p384::SecretKey::from_slice(&[7; 48])
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let mut w521 = [7u8; 66];
    w521[0] = 1;
    let p521 = p521::SecretKey::from_slice(&w521)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let ed = ed25519_dalek::SigningKey::from_bytes(&[9; 32])
        .to_pkcs8_der()
        .unwrap();
    let load = |b: &[u8]| SoftwareSigner::from_pem_or_der(b, &*RNG).unwrap();
    vec![
        (
            "rsa2048_pss_sha256",
            load(include_bytes!("../tests/data/strongswan-pki/a-rsa.pk8.pem")),
            SignatureScheme::RsaPss(HashAlg::Sha256),
        ),
        (
            "rsa2048_pkcs1_sha256",
            load(include_bytes!("../tests/data/strongswan-pki/a-rsa.pk8.pem")),
            SignatureScheme::RsaPkcs1(HashAlg::Sha256),
        ),
        (
            "ecdsa_p256_sha256",
            load(include_bytes!(
                "../tests/data/strongswan-pki/a-ecdsa.pk8.pem"
            )),
            ecdsa(EcCurve::P256),
        ),
        (
            "ecdsa_p384_sha384",
            load(p384.as_bytes()),
            ecdsa(EcCurve::P384),
        ),
        (
            "ecdsa_p521_sha512",
            load(p521.as_bytes()),
            ecdsa(EcCurve::P521),
        ),
        ("ed25519", load(ed.as_bytes()), SignatureScheme::Ed25519),
    ]
}

fn bench(c: &mut Criterion) {
    let octets = vec![0x5a; 600]; // a typical IKE_SA_INIT plus nonce and MAC
    let psk = Psk::parse("a pre-shared key of some length", 16).unwrap();
    let mut g = c.benchmark_group("auth");
    g.bench_function("hmac_sha256_psk_auth (baseline)", |b| {
        b.iter(|| psk.auth(&PRF_HMAC_SHA2_256, &octets).unwrap())
    });
    let policy = AuthPolicy::default();
    for (name, key, scheme) in keys() {
        g.bench_function(format!("sign/{name}"), |b| {
            b.iter(|| {
                sign_auth(
                    &key,
                    &VERIFIER,
                    AuthMethod::DigitalSignature,
                    scheme,
                    octets.clone(),
                )
                .unwrap()
                .unwrap()
            })
        });
        let (m, data) = sign_auth(
            &key,
            &VERIFIER,
            AuthMethod::DigitalSignature,
            scheme,
            octets.clone(),
        )
        .unwrap()
        .unwrap();
        g.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| {
                verify_auth(&VERIFIER, &policy, m, &data, &octets, key.public_key_spki()).unwrap()
            })
        });
    }
    let cas: [&[u8]; 2] = [
        include_bytes!("../tests/data/strongswan-pki/ca-rsa.crt.der"),
        include_bytes!("../tests/data/strongswan-pki/ca-ecdsa.crt.der"),
    ];
    let v = CertVerifier::new(&VERIFIER, &cas).unwrap();
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600));
    for (name, cert) in [
        (
            "rsa2048",
            &include_bytes!("../tests/data/strongswan-pki/a-rsa.crt.der")[..],
        ),
        (
            "ecdsa_p256",
            &include_bytes!("../tests/data/strongswan-pki/a-ecdsa.crt.der")[..],
        ),
    ] {
        g.bench_function(format!("validate_cert/{name}"), |b| {
            b.iter(|| {
                v.validate(cert, &[], now, &ValidationPolicy::default())
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
