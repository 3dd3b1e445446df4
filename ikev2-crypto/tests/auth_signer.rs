//! Producing AUTH payloads: scheme choice, the software signer on every key
//! type, and the deferred (HSM-style) path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Mutex;

use ikev2_crypto::auth::signer::{choose_scheme, sign_auth, SchemePreferences};
use ikev2_crypto::auth::{
    verify_auth, AuthError, AuthMethod, AuthPolicy, AuthSigner, HashAlgorithm, PendingAuth,
    SignRequest, SoftwareSigner,
};
use ikev2_crypto::provider::rustcrypto::VERIFIER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::{CryptoError, EcCurve, EcdsaEncoding, HashAlg, SignatureScheme, Signing};
use pkcs8::EncodePrivateKey;

const RSA_PK8: &[u8] = include_bytes!("data/strongswan-pki/a-rsa.pk8.pem");
const RSA_PKCS1: &[u8] = include_bytes!("data/strongswan-pki/a-rsa.key.pem");
const EC_PK8: &[u8] = include_bytes!("data/strongswan-pki/a-ecdsa.pk8.pem");
const EC_SEC1: &[u8] = include_bytes!("data/strongswan-pki/a-ecdsa.key.pem");

static RNG: std::sync::LazyLock<DeterministicRandom> =
    std::sync::LazyLock::new(|| DeterministicRandom::seed_from_u64(7));

fn rng() -> &'static DeterministicRandom {
    &RNG
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// RFC 4754 private keys (sections 8.2 and 8.3) and a fixed Ed25519 seed.
fn p384_signer() -> SoftwareSigner {
    let w = h("0beb646634ba87735d77ae4809a0ebea865535de4c1e1dcb692e84708e81a5af62e528c38b2a81b35309668d73524d9f");
    let der = p384::SecretKey::from_slice(&w)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    SoftwareSigner::from_pem_or_der(der.as_bytes(), rng()).unwrap()
}

fn p521_signer() -> SoftwareSigner {
    let w = h("0065fda3409451dcab0a0ead45495112a3d813c17bfd34bdf8c1209d7df5849120597779060a7ff9d704adf78b570ffad6f062e95c7e0c5d5481c5b153b48b375fa1");
    let der = p521::SecretKey::from_slice(&w)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    SoftwareSigner::from_pem_or_der(der.as_bytes(), rng()).unwrap()
}

fn ed25519_signer() -> SoftwareSigner {
    let der = ed25519_dalek::SigningKey::from_bytes(&[9; 32])
        .to_pkcs8_der()
        .unwrap();
    SoftwareSigner::from_pem_or_der(der.as_bytes(), rng()).unwrap()
}

fn all_signers() -> Vec<(&'static str, SoftwareSigner)> {
    vec![
        (
            "rsa",
            SoftwareSigner::from_pem_or_der(RSA_PK8, rng()).unwrap(),
        ),
        (
            "p256",
            SoftwareSigner::from_pem_or_der(EC_PK8, rng()).unwrap(),
        ),
        ("p384", p384_signer()),
        ("p521", p521_signer()),
        ("ed25519", ed25519_signer()),
    ]
}

const OCTETS: &[u8] = b"RealMessage1 | NonceRData | prf(SK_pi, IDi')";

#[test]
fn strongswan_keys_load_in_every_form() {
    let pk8 = SoftwareSigner::from_pem_or_der(RSA_PK8, rng()).unwrap();
    let pkcs1 = SoftwareSigner::from_pem_or_der(RSA_PKCS1, rng()).unwrap();
    assert_eq!(pk8.public_key_spki(), pkcs1.public_key_spki());
    let ec8 = SoftwareSigner::from_pem_or_der(EC_PK8, rng()).unwrap();
    let sec1 = SoftwareSigner::from_pem_or_der(EC_SEC1, rng()).unwrap();
    assert_eq!(ec8.public_key_spki(), sec1.public_key_spki());
    // The key matches the certificate strongSwan issued for it.
    use x509_parser::prelude::{FromDer, X509Certificate};
    for (key, cert) in [
        (
            &pk8,
            &include_bytes!("data/strongswan-pki/a-rsa.crt.der")[..],
        ),
        (
            &ec8,
            &include_bytes!("data/strongswan-pki/a-ecdsa.crt.der")[..],
        ),
    ] {
        let (_, c) = X509Certificate::from_der(cert).unwrap();
        assert_eq!(key.public_key_spki(), c.public_key().raw);
    }
    // Debug shows the key type only.
    assert_eq!(
        format!("{pk8:?}"),
        "SoftwareSigner(RSA, private key redacted)"
    );
    for junk in [
        &b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"[..],
        b"\x30\x03\x02\x01\x00",
        b"",
    ] {
        assert_eq!(
            SoftwareSigner::from_pem_or_der(junk, rng()).unwrap_err(),
            CryptoError::Auth(AuthError::MalformedPrivateKey)
        );
    }
}

#[test]
fn every_key_and_scheme_round_trips_through_verify_auth() {
    let everything = AuthPolicy {
        hashes: vec![
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha2_256,
            HashAlgorithm::Sha2_384,
            HashAlgorithm::Sha2_512,
            HashAlgorithm::Identity,
        ],
        allow_legacy_methods: true,
        min_rsa_bits: 2048,
    };
    let peer_all = [
        HashAlgorithm::Sha2_256,
        HashAlgorithm::Sha2_384,
        HashAlgorithm::Sha2_512,
        HashAlgorithm::Identity,
    ];
    for (name, signer) in all_signers() {
        let mut cases = vec![];
        for hash in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            for rsa_pss in [true, false] {
                let prefs = SchemePreferences {
                    hashes: vec![hash],
                    rsa_pss,
                    allow_legacy_methods: false,
                };
                match choose_scheme(&prefs, signer.public_key_spki(), Some(&peer_all)) {
                    Ok(c) => cases.push(c),
                    // P-521 cannot sign a SHA-256 digest here (shorter than
                    // half the group order): refused at choice time.
                    Err(e) => {
                        assert_eq!((name, hash), ("p521", HashAlg::Sha256), "{e}");
                        assert_eq!(e, CryptoError::Auth(AuthError::NoCommonHash));
                    }
                }
            }
        }
        if name != "ed25519" {
            cases.push(
                choose_scheme(
                    &SchemePreferences::default(),
                    signer.public_key_spki(),
                    None,
                )
                .unwrap(),
            );
        }
        for (method, scheme) in cases {
            let (m, data) = sign_auth(&signer, &VERIFIER, method, scheme, OCTETS.to_vec())
                .unwrap_or_else(|e| panic!("{name} {scheme:?}: {e}"))
                .unwrap();
            assert_eq!(m, method);
            let got = verify_auth(
                &VERIFIER,
                &everything,
                m,
                &data,
                OCTETS,
                signer.public_key_spki(),
            )
            .unwrap_or_else(|e| panic!("{name} {scheme:?}: {e}"));
            assert_eq!(got, scheme, "{name}");
            let mut bad = OCTETS.to_vec();
            bad[0] ^= 1;
            assert_eq!(
                verify_auth(
                    &VERIFIER,
                    &everything,
                    m,
                    &data,
                    &bad,
                    signer.public_key_spki()
                )
                .unwrap_err(),
                CryptoError::Auth(AuthError::BadSignature),
                "{name} {scheme:?}"
            );
        }
    }
}

#[test]
fn scheme_choice_follows_rfc7427_section_4() {
    let rsa = SoftwareSigner::from_pem_or_der(RSA_PK8, rng()).unwrap();
    let p256 = SoftwareSigner::from_pem_or_der(EC_PK8, rng()).unwrap();
    let ed = ed25519_signer();
    let prefs = SchemePreferences::default();
    let peer = [HashAlgorithm::Sha2_512, HashAlgorithm::Sha2_384];
    // Our first preference the peer supports: SHA-384.
    assert_eq!(
        choose_scheme(&prefs, rsa.public_key_spki(), Some(&peer)).unwrap(),
        (
            AuthMethod::DigitalSignature,
            SignatureScheme::RsaPss(HashAlg::Sha384)
        )
    );
    assert_eq!(
        choose_scheme(&prefs, p256.public_key_spki(), Some(&peer)).unwrap(),
        (
            AuthMethod::DigitalSignature,
            SignatureScheme::Ecdsa {
                curve: EcCurve::P256,
                hash: HashAlg::Sha384,
                encoding: EcdsaEncoding::Der
            }
        )
    );
    // P-521 skips SHA-256 (shorter than half its order) for SHA-512.
    assert_eq!(
        choose_scheme(
            &prefs,
            p521_signer().public_key_spki(),
            Some(&[HashAlgorithm::Sha2_256, HashAlgorithm::Sha2_512])
        )
        .unwrap()
        .1,
        SignatureScheme::Ecdsa {
            curve: EcCurve::P521,
            hash: HashAlg::Sha512,
            encoding: EcdsaEncoding::Der
        }
    );
    // No notify from the peer: legacy methods.
    assert_eq!(
        choose_scheme(&prefs, rsa.public_key_spki(), None).unwrap(),
        (
            AuthMethod::RsaDigitalSignature,
            SignatureScheme::RsaPkcs1(HashAlg::Sha1)
        )
    );
    assert_eq!(
        choose_scheme(&prefs, p521_signer().public_key_spki(), None)
            .unwrap()
            .0,
        AuthMethod::EcdsaSha512P521
    );
    // Ed25519 needs Identity and has no legacy method.
    assert_eq!(
        choose_scheme(
            &prefs,
            ed.public_key_spki(),
            Some(&[HashAlgorithm::Identity])
        )
        .unwrap(),
        (AuthMethod::DigitalSignature, SignatureScheme::Ed25519)
    );
    assert_eq!(
        choose_scheme(&prefs, ed.public_key_spki(), Some(&peer)).unwrap_err(),
        CryptoError::Auth(AuthError::NoCommonHash)
    );
    // Only SHA-1 in common and legacy off: no scheme.
    let strict = SchemePreferences {
        allow_legacy_methods: false,
        ..SchemePreferences::default()
    };
    assert_eq!(
        choose_scheme(&strict, rsa.public_key_spki(), Some(&[HashAlgorithm::Sha1])).unwrap_err(),
        CryptoError::Auth(AuthError::NoCommonHash)
    );
    // With legacy allowed, the fallback is method 1.
    assert_eq!(
        choose_scheme(&prefs, rsa.public_key_spki(), Some(&[HashAlgorithm::Sha1]))
            .unwrap()
            .0,
        AuthMethod::RsaDigitalSignature
    );
}

/// A key that signs "later": requests queue up; the test answers them.
struct Hsm {
    spki: Vec<u8>,
    queue: Mutex<Vec<SignRequest>>,
}

impl AuthSigner for Hsm {
    fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }
    fn sign(&self, request: &SignRequest) -> Result<Signing, CryptoError> {
        self.queue.lock().unwrap().push(request.clone());
        Ok(Signing::Deferred)
    }
}

#[test]
fn deferred_signing_completes_later() {
    let device_key = SoftwareSigner::from_pem_or_der(EC_PK8, rng()).unwrap();
    let hsm = Hsm {
        spki: device_key.public_key_spki().to_vec(),
        queue: Mutex::new(vec![]),
    };
    let scheme = SignatureScheme::Ecdsa {
        curve: EcCurve::P256,
        hash: HashAlg::Sha256,
        encoding: EcdsaEncoding::Der,
    };
    let pending = sign_auth(
        &hsm,
        &VERIFIER,
        AuthMethod::DigitalSignature,
        scheme,
        OCTETS.to_vec(),
    )
    .unwrap()
    .unwrap_err();
    let request = hsm.queue.lock().unwrap().pop().unwrap();
    assert_eq!(&request, pending.request());
    assert_eq!(request.octets, OCTETS);
    // The digest an HSM's raw ECDSA mechanism takes.
    assert_eq!(request.digest().unwrap().len(), 32);
    // The device answers with r|s, as PKCS#11 CKM_ECDSA does; method 14 needs DER.
    let fixed = SignatureScheme::Ecdsa {
        curve: EcCurve::P256,
        hash: HashAlg::Sha256,
        encoding: EcdsaEncoding::Fixed,
    };
    let raw = device_key.sign_now(fixed, &request.octets).unwrap();
    assert_eq!(raw.len(), 64);
    let (method, data) = pending.complete(&VERIFIER, &raw).unwrap();
    verify_auth(
        &VERIFIER,
        &AuthPolicy::default(),
        method,
        &data,
        OCTETS,
        &hsm.spki,
    )
    .unwrap();
    // A device holding another key is caught before anything is sent.
    let other = p384_signer();
    let wrong = other
        .sign_now(
            SignatureScheme::Ecdsa {
                curve: EcCurve::P384,
                hash: HashAlg::Sha256,
                encoding: EcdsaEncoding::Fixed,
            },
            &request.octets,
        )
        .unwrap();
    assert!(pending.complete(&VERIFIER, &wrong).is_err());
    let mut flipped = raw.clone();
    flipped[10] ^= 1;
    assert_eq!(
        pending.complete(&VERIFIER, &flipped).unwrap_err(),
        CryptoError::Auth(AuthError::SignerFailed)
    );
}

#[test]
fn request_and_key_must_agree() {
    let rsa = SoftwareSigner::from_pem_or_der(RSA_PK8, rng()).unwrap();
    let p256_scheme = SignatureScheme::Ecdsa {
        curve: EcCurve::P256,
        hash: HashAlg::Sha256,
        encoding: EcdsaEncoding::Fixed,
    };
    assert_eq!(
        PendingAuth::start(
            AuthMethod::EcdsaSha256P256,
            p256_scheme,
            rsa.public_key_spki(),
            vec![]
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::KeyMismatch)
    );
    // Method 1 is PKCS#1 v1.5 with SHA-1 and nothing else.
    assert_eq!(
        PendingAuth::start(
            AuthMethod::RsaDigitalSignature,
            SignatureScheme::RsaPss(HashAlg::Sha256),
            rsa.public_key_spki(),
            vec![]
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::UnsupportedMethod(1))
    );
    assert_eq!(
        sign_auth(
            &rsa,
            &VERIFIER,
            AuthMethod::EcdsaSha256P256,
            p256_scheme,
            vec![]
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::SchemeNotSupportedBySigner)
    );
}
