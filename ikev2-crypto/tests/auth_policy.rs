//! Local policy on peers' signatures: RSA key size floor, SHA-1 and legacy
//! methods.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_crypto::auth::signer::sign_auth;
use ikev2_crypto::auth::{
    verify_auth, AuthError, AuthMethod, AuthPolicy, AuthSigner, HashAlgorithm, SoftwareSigner,
};
use ikev2_crypto::provider::rustcrypto::{OS_RANDOM, VERIFIER};
use ikev2_crypto::{CryptoError, HashAlg, SignatureScheme};
use pkcs8::EncodePrivateKey;
use rand_core::SeedableRng;

const OCTETS: &[u8] = b"signed octets";

#[test]
fn short_rsa_keys_are_refused_by_default() {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
    let small = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let der = small.to_pkcs8_der().unwrap();
    let key = SoftwareSigner::from_pem_or_der(der.as_bytes(), &OS_RANDOM).unwrap();
    let scheme = SignatureScheme::RsaPkcs1(HashAlg::Sha256);
    let (m, data) = sign_auth(
        &key,
        &VERIFIER,
        AuthMethod::DigitalSignature,
        scheme,
        OCTETS.to_vec(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &AuthPolicy::default(),
            m,
            &data,
            OCTETS,
            key.public_key_spki()
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::UnsupportedKey)
    );
    let lenient = AuthPolicy {
        min_rsa_bits: 1024,
        ..AuthPolicy::default()
    };
    verify_auth(&VERIFIER, &lenient, m, &data, OCTETS, key.public_key_spki()).unwrap();
}

#[test]
fn sha1_in_method_14_needs_to_be_announced() {
    let key = SoftwareSigner::from_pem_or_der(
        include_bytes!("data/strongswan-pki/a-rsa.pk8.pem"),
        &OS_RANDOM,
    )
    .unwrap();
    let scheme = SignatureScheme::RsaPkcs1(HashAlg::Sha1);
    let (m, data) = sign_auth(
        &key,
        &VERIFIER,
        AuthMethod::DigitalSignature,
        scheme,
        OCTETS.to_vec(),
    )
    .unwrap()
    .unwrap();
    // Our default announcement has no SHA-1.
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &AuthPolicy::default(),
            m,
            &data,
            OCTETS,
            key.public_key_spki()
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::HashNotAllowed(HashAlgorithm::Sha1))
    );
    let legacy = AuthPolicy {
        hashes: vec![HashAlgorithm::Sha1, HashAlgorithm::Sha2_256],
        ..AuthPolicy::default()
    };
    verify_auth(&VERIFIER, &legacy, m, &data, OCTETS, key.public_key_spki()).unwrap();
    // Method 1 (RSA with SHA-1) is the legacy switch, not the hash list.
    let (m1, data1) = sign_auth(
        &key,
        &VERIFIER,
        AuthMethod::RsaDigitalSignature,
        scheme,
        OCTETS.to_vec(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(m1, AuthMethod::RsaDigitalSignature);
    verify_auth(
        &VERIFIER,
        &AuthPolicy::default(),
        m1,
        &data1,
        OCTETS,
        key.public_key_spki(),
    )
    .unwrap();
    let no_legacy = AuthPolicy {
        allow_legacy_methods: false,
        ..AuthPolicy::default()
    };
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &no_legacy,
            m1,
            &data1,
            OCTETS,
            key.public_key_spki()
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::LegacyMethodNotAllowed)
    );
    // PSK and other non-signature methods are not signatures.
    assert_eq!(
        verify_auth(
            &VERIFIER,
            &AuthPolicy::default(),
            AuthMethod::SharedKeyMessageIntegrityCode,
            &data1,
            OCTETS,
            key.public_key_spki()
        )
        .unwrap_err(),
        CryptoError::Auth(AuthError::UnsupportedMethod(2))
    );
}
