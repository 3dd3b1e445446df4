//! ECDSA AUTH methods 9, 10 and 11 (RFC 4754 section 8 test vectors,
//! message "abc"), and the same signatures in RFC 7427 form.
//!
//! Values: RFC 4754 sections 8.1-8.3 as transcribed in nettle
//! `testsuite/ecdsa-sign-test.c` (commit 0e1d3111); the P-521 public key
//! was derived from w by the vector collector and checked against the
//! signature.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_crypto::auth::scheme::{join_auth_data, split_auth_data};
use ikev2_crypto::auth::{
    verify_auth, AuthError, AuthMethod, AuthPolicy, HashAlgorithm, PublicKey, SignatureAlgorithm,
};
use ikev2_crypto::provider::rustcrypto::VERIFIER;
use ikev2_crypto::{CryptoError, EcCurve, EcdsaEncoding, HashAlg, SignatureScheme};
use pkcs8::EncodePublicKey;

struct Vector {
    method: AuthMethod,
    curve: EcCurve,
    hash: HashAlg,
    x: &'static str,
    y: &'static str,
    rs: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        method: AuthMethod::EcdsaSha256P256,
        curve: EcCurve::P256,
        hash: HashAlg::Sha256,
        x: "2442a5cc0ecd015fa3ca31dc8e2bbc70bf42d60cbca20085e0822cb04235e970",
        y: "6fc98bd7e50211a4a27102fa3549df79ebcb4bf246b80945cddfe7d509bbfd7d",
        rs: "cb28e0999b9c7715fd0a80d8e47a77079716cbbf917dd72e97566ea1c066957c86fa3bb4e26cad5bf90b7f81899256ce7594bb1ea0c89212748bff3b3d5b0315",
    },
    Vector {
        method: AuthMethod::EcdsaSha384P384,
        curve: EcCurve::P384,
        hash: HashAlg::Sha384,
        x: "96281bf8dd5e0525ca049c048d345d3082968d10fedf5c5aca0c64e6465a97ea5ce10c9dfec21797415710721f437922",
        y: "447688ba94708eb6e2e4d59f6ab6d7edff9301d249fe49c33096655f5d502fad3d383b91c5e7edaa2b714cc99d5743ca",
        rs: "fb017b914e29149432d8bac29a514640b46f53ddab2c69948084e2930f1c8f7e08e07c9c63f2d21a07dcb56a6af56eb3b263a1305e057f984d38726a1b46874109f417bca112674c528262a40a629af1cbb9f516ce0fa7d2ff630863a00e8b9f",
    },
    Vector {
        method: AuthMethod::EcdsaSha512P521,
        curve: EcCurve::P521,
        hash: HashAlg::Sha512,
        x: "0151518f1af0f563517edd5485190df95a4bf57b5cba4cf2a9a3f6474725a35f7afe0a6ddeb8bedbcd6a197e592d40188901cecd650699c9b5e456aea5add19052a8",
        y: "006f3b142ea1bfff7e2837ad44c9e4ff6d2d34c73184bbad90026dd5e6e85317d9df45cad7803c6c20035b2f3ff63aff4e1ba64d1c077577da3f4286c58f0aeae643",
        rs: "0154fd3836af92d0dca57dd5341d3053988534fde8318fc6aaaab68e2e6f4339b19f2f281a7e0b22c269d93cf8794a9278880ed7dbb8d9362caeacee544320552251017705a7030290d1ceb605a9a1bb03ff9cdd521e87a696ec926c8c10c8362df4975367101f67d1cf9bccbf2f3d239534fa509e70aac851ae01aac68d62f866472660",
    },
];

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// SubjectPublicKeyInfo for the uncompressed point (x, y).
fn spki(v: &Vector) -> Vec<u8> {
    let mut point = vec![4u8];
    point.extend(h(v.x));
    point.extend(h(v.y));
    match v.curve {
        EcCurve::P256 => p256::PublicKey::from_sec1_bytes(&point)
            .unwrap()
            .to_public_key_der(),
        EcCurve::P384 => p384::PublicKey::from_sec1_bytes(&point)
            .unwrap()
            .to_public_key_der(),
        _ => p521::PublicKey::from_sec1_bytes(&point)
            .unwrap()
            .to_public_key_der(),
    }
    .unwrap()
    .into_vec()
}

fn der_signature(v: &Vector) -> Vec<u8> {
    let rs = h(v.rs);
    match v.curve {
        EcCurve::P256 => p256::ecdsa::Signature::from_slice(&rs)
            .unwrap()
            .to_der()
            .as_bytes()
            .to_vec(),
        EcCurve::P384 => p384::ecdsa::Signature::from_slice(&rs)
            .unwrap()
            .to_der()
            .as_bytes()
            .to_vec(),
        _ => p521::ecdsa::Signature::from_slice(&rs)
            .unwrap()
            .to_der()
            .as_bytes()
            .to_vec(),
    }
}

#[test]
fn rfc4754_signatures_verify_as_methods_9_10_11() {
    let policy = AuthPolicy::default();
    for v in VECTORS {
        let key = spki(v);
        assert_eq!(
            PublicKey::from_spki_der(&key).unwrap().curve(),
            Some(v.curve)
        );
        let scheme = verify_auth(&VERIFIER, &policy, v.method, &h(v.rs), b"abc", &key).unwrap();
        assert_eq!(
            scheme,
            SignatureScheme::Ecdsa {
                curve: v.curve,
                hash: v.hash,
                encoding: EcdsaEncoding::Fixed
            }
        );
    }
}

#[test]
fn rfc4754_signatures_fail_on_any_change() {
    let policy = AuthPolicy::default();
    for v in VECTORS {
        let key = spki(v);
        let mut rs = h(v.rs);
        let last = rs.len() - 1;
        rs[last] ^= 1;
        let bad = CryptoError::Auth(AuthError::BadSignature);
        assert_eq!(
            verify_auth(&VERIFIER, &policy, v.method, &rs, b"abc", &key).unwrap_err(),
            bad
        );
        assert_eq!(
            verify_auth(&VERIFIER, &policy, v.method, &h(v.rs), b"abd", &key).unwrap_err(),
            bad
        );
        // r|s must be exactly twice the field size.
        let short = &h(v.rs)[1..];
        assert!(verify_auth(&VERIFIER, &policy, v.method, short, b"abc", &key).is_err());
    }
}

#[test]
fn method_must_match_the_curve() {
    let policy = AuthPolicy::default();
    let p256 = &VECTORS[0];
    let p384_key = spki(&VECTORS[1]);
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::EcdsaSha256P256,
            &h(p256.rs),
            b"abc",
            &p384_key
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::KeyMismatch)
    );
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::RsaDigitalSignature,
            &h(p256.rs),
            b"abc",
            &spki(p256)
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::KeyMismatch)
    );
    let strict = AuthPolicy {
        allow_legacy_methods: false,
        ..AuthPolicy::default()
    };
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &strict,
            p256.method,
            &h(p256.rs),
            b"abc",
            &spki(p256)
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::LegacyMethodNotAllowed)
    );
}

#[test]
fn same_signatures_as_rfc7427_digital_signature() {
    let policy = AuthPolicy::default();
    for v in VECTORS {
        let key = spki(v);
        let data = join_auth_data(SignatureAlgorithm::Ecdsa(v.hash), &der_signature(v));
        let scheme = verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::DigitalSignature,
            &data,
            b"abc",
            &key,
        )
        .unwrap();
        assert_eq!(
            scheme,
            SignatureScheme::Ecdsa {
                curve: v.curve,
                hash: v.hash,
                encoding: EcdsaEncoding::Der
            }
        );
        // Method 14 carries DER, not r|s.
        let raw = join_auth_data(SignatureAlgorithm::Ecdsa(v.hash), &h(v.rs));
        assert!(verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::DigitalSignature,
            &raw,
            b"abc",
            &key
        )
        .is_err());
        let (alg, _) = split_auth_data(&data).unwrap();
        assert_eq!(alg.notify_hash(), HashAlgorithm::from(v.hash));
    }
    // A hash we did not announce is refused before any signature check.
    let only_256 = AuthPolicy {
        hashes: vec![HashAlgorithm::Sha2_256],
        ..AuthPolicy::default()
    };
    let v = &VECTORS[1];
    let data = join_auth_data(SignatureAlgorithm::Ecdsa(v.hash), &der_signature(v));
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &only_256,
            AuthMethod::DigitalSignature,
            &data,
            b"abc",
            &spki(v)
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::HashNotAllowed(HashAlgorithm::Sha2_384))
    );
}
