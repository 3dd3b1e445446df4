//! Certificates and keys made by strongSwan's `pki` tool (the project's
//! interop lab PKI, copied into tests/data/strongswan-pki): they validate,
//! match their identities, and their keys sign AUTH payloads that verify
//! against the certificates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::time::Duration;

use ikev2_crypto::auth::signer::{choose_scheme, sign_auth, SchemePreferences};
use ikev2_crypto::auth::{verify_auth, AuthPolicy, AuthSigner, HashAlgorithm, SoftwareSigner};
use ikev2_crypto::cert::certreq::{authority_hash, select_chain, LocalChain};
use ikev2_crypto::cert::{
    CertError, CertVerifier, EkuPolicy, PeerIdentity, UnixTime, ValidationPolicy,
};
use ikev2_crypto::provider::rustcrypto::VERIFIER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::CryptoError;
use rcgen::{
    date_time_ymd, CertificateRevocationListParams, Issuer, KeyIdMethod, KeyPair,
    RevokedCertParams, SerialNumber, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
};

const CA_RSA: &[u8] = include_bytes!("data/strongswan-pki/ca-rsa.crt.der");
const CA_ECDSA: &[u8] = include_bytes!("data/strongswan-pki/ca-ecdsa.crt.der");
const A_RSA: &[u8] = include_bytes!("data/strongswan-pki/a-rsa.crt.der");
const B_RSA: &[u8] = include_bytes!("data/strongswan-pki/b-rsa.crt.der");
const A_ECDSA: &[u8] = include_bytes!("data/strongswan-pki/a-ecdsa.crt.der");

/// 2027-01-01T00:00:00Z, inside every lab certificate's validity.
fn t2027() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600))
}

static RNG: std::sync::LazyLock<DeterministicRandom> =
    std::sync::LazyLock::new(|| DeterministicRandom::seed_from_u64(1));

fn lab() -> CertVerifier {
    CertVerifier::new(&VERIFIER, &[CA_RSA, CA_ECDSA]).unwrap()
}

#[test]
fn lab_certificates_validate_and_match_their_names() {
    let v = lab();
    for (cert, name) in [
        (A_RSA, "a.rsa.lab"),
        (B_RSA, "b.rsa.lab"),
        (A_ECDSA, "a.ecdsa.lab"),
    ] {
        for eku in [
            EkuPolicy::Any,
            EkuPolicy::ServerAuth,
            EkuPolicy::ClientAuth,
            EkuPolicy::WindowsStrict,
        ] {
            let ok = v
                .validate(
                    cert,
                    &[],
                    t2027(),
                    &ValidationPolicy {
                        eku,
                        ..Default::default()
                    },
                )
                .unwrap_or_else(|e| panic!("{name} {eku:?}: {e}"));
            ok.check_identity(&PeerIdentity::Fqdn(name)).unwrap();
        }
        let ok = v
            .validate(cert, &[], t2027(), &ValidationPolicy::default())
            .unwrap();
        assert_eq!(
            ok.check_identity(&PeerIdentity::Fqdn("c.rsa.lab"))
                .unwrap_err(),
            CryptoError::Cert(CertError::IdentityMismatch)
        );
        // No Key Usage extension: AnyConnect's strict mode refuses them.
        assert_eq!(
            v.validate(
                cert,
                &[],
                t2027(),
                &ValidationPolicy {
                    eku: EkuPolicy::AnyConnectStrict,
                    ..Default::default()
                }
            )
            .unwrap_err(),
            CryptoError::Cert(CertError::KeyUsage)
        );
        // The lab certificates carry no ipsecIKE/iKEIntermediate EKU.
        assert_eq!(
            v.validate(
                cert,
                &[],
                t2027(),
                &ValidationPolicy {
                    eku: EkuPolicy::IkeIntermediate,
                    ..Default::default()
                }
            )
            .unwrap_err(),
            CryptoError::Cert(CertError::ExtendedKeyUsage(EkuPolicy::IkeIntermediate))
        );
    }
    // Each end entity needs its own CA.
    let only_ecdsa = CertVerifier::new(&VERIFIER, &[CA_ECDSA]).unwrap();
    assert_eq!(
        only_ecdsa
            .validate(A_RSA, &[], t2027(), &ValidationPolicy::default())
            .unwrap_err(),
        CryptoError::Cert(CertError::UntrustedIssuer)
    );
    // Before 2026-11-22 11:27:20 they are not valid yet, after 2031-11-21 expired.
    let early = UnixTime::since_unix_epoch(Duration::from_secs(1_795_000_000));
    assert_eq!(
        v.validate(A_RSA, &[], early, &ValidationPolicy::default())
            .unwrap_err(),
        CryptoError::Cert(CertError::NotYetValid)
    );
    let late = UnixTime::since_unix_epoch(Duration::from_secs(1_960_000_000));
    assert_eq!(
        v.validate(A_ECDSA, &[], late, &ValidationPolicy::default())
            .unwrap_err(),
        CryptoError::Cert(CertError::Expired)
    );
}

#[test]
fn lab_keys_sign_auth_that_verifies_against_the_certificates() {
    let v = lab();
    let octets = b"signed octets of an IKE_AUTH exchange";
    let peer_hashes = [
        HashAlgorithm::Sha2_256,
        HashAlgorithm::Sha2_384,
        HashAlgorithm::Sha2_512,
    ];
    for (cert, key) in [
        (
            A_RSA,
            &include_bytes!("data/strongswan-pki/a-rsa.pk8.pem")[..],
        ),
        (
            A_ECDSA,
            &include_bytes!("data/strongswan-pki/a-ecdsa.key.pem")[..],
        ),
    ] {
        let signer = SoftwareSigner::from_pem_or_der(key, &*RNG).unwrap();
        let validated = v
            .validate(cert, &[], t2027(), &ValidationPolicy::default())
            .unwrap();
        assert_eq!(validated.public_key_spki(), signer.public_key_spki());
        for peer in [Some(&peer_hashes[..]), None] {
            let (method, scheme) = choose_scheme(
                &SchemePreferences::default(),
                signer.public_key_spki(),
                peer,
            )
            .unwrap();
            let (m, data) = sign_auth(&signer, &VERIFIER, method, scheme, octets.to_vec())
                .unwrap()
                .unwrap();
            verify_auth(
                &VERIFIER,
                &AuthPolicy::default(),
                m,
                &data,
                octets,
                validated.public_key_spki(),
            )
            .unwrap();
        }
    }
}

fn crl_from_lab_ca(
    key_pem: &str,
    alg: &'static rcgen::SignatureAlgorithm,
    ca_der: &[u8],
    serial: &[u8],
) -> Vec<u8> {
    let key = KeyPair::from_pem_and_sign_algo(key_pem, alg).unwrap();
    let ca = rustls_pki_types::CertificateDer::from(ca_der);
    let issuer = Issuer::from_ca_cert_der(&ca, key).unwrap();
    CertificateRevocationListParams {
        this_update: date_time_ymd(2026, 12, 1),
        next_update: date_time_ymd(2027, 6, 1),
        crl_number: SerialNumber::from(2u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from_slice(serial),
            revocation_time: date_time_ymd(2026, 12, 1),
            reason_code: None,
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap()
    .der()
    .to_vec()
}

fn serial(cert: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    X509Certificate::from_der(cert)
        .unwrap()
        .1
        .raw_serial()
        .to_vec()
}

#[test]
fn crl_signed_by_the_lab_ca_revokes_b_only() {
    let crl = crl_from_lab_ca(
        include_str!("data/strongswan-pki/ca-rsa.pk8.pem"),
        &PKCS_RSA_SHA256,
        CA_RSA,
        &serial(B_RSA),
    );
    let mut v = lab();
    v.add_crl(&crl).unwrap();
    assert_eq!(
        v.validate(B_RSA, &[], t2027(), &ValidationPolicy::default())
            .unwrap_err(),
        CryptoError::Cert(CertError::Revoked)
    );
    v.validate(A_RSA, &[], t2027(), &ValidationPolicy::default())
        .unwrap();
    // A CRL from the ECDSA CA does not speak for RSA-CA certificates.
    let ec_crl = crl_from_lab_ca(
        include_str!("data/strongswan-pki/ca-ecdsa.pk8.pem"),
        &PKCS_ECDSA_P256_SHA256,
        CA_ECDSA,
        &serial(A_RSA),
    );
    let mut v = lab();
    v.add_crl(&ec_crl).unwrap();
    v.validate(A_RSA, &[], t2027(), &ValidationPolicy::default())
        .unwrap();
}

#[test]
fn certreq_for_the_lab_cas() {
    let v = lab();
    let data = v.certreq_data();
    assert_eq!(data.len(), 40);
    let chains = [
        LocalChain {
            certs: vec![A_ECDSA.to_vec()],
            root: Some(CA_ECDSA.to_vec()),
        },
        LocalChain {
            certs: vec![A_RSA.to_vec()],
            root: Some(CA_RSA.to_vec()),
        },
    ];
    // The first hash is the RSA CA's: the RSA credential is chosen.
    let choice = select_chain(&chains, &[<[u8; 20]>::try_from(&data[..20]).unwrap()])
        .unwrap()
        .unwrap();
    assert_eq!((choice.index, choice.send, choice.matched), (1, 1, true));
    use x509_parser::prelude::{FromDer, X509Certificate};
    let ca = X509Certificate::from_der(CA_RSA).unwrap().1;
    assert_eq!(&data[..20], authority_hash(ca.public_key().raw));
}

#[test]
fn pem_files_as_strongswan_writes_them() {
    use ikev2_crypto::cert::{certs_from_pem, crl_from_pem};
    let ca = certs_from_pem(include_bytes!("data/strongswan-pki/ca-rsa.crt.pem")).unwrap();
    assert_eq!(ca, vec![CA_RSA.to_vec()]);
    let mut bundle = include_bytes!("data/strongswan-pki/a-rsa.crt.pem").to_vec();
    bundle.extend_from_slice(include_bytes!("data/strongswan-pki/ca-rsa.crt.pem"));
    let both = certs_from_pem(&bundle).unwrap();
    assert_eq!(both, vec![A_RSA.to_vec(), CA_RSA.to_vec()]);
    // A key file holds no certificate; garbage inside a block is an error.
    assert!(
        certs_from_pem(include_bytes!("data/strongswan-pki/a-rsa.pk8.pem"))
            .unwrap()
            .is_empty()
    );
    assert!(
        certs_from_pem(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n").is_err()
    );
    assert_eq!(
        crl_from_pem(b"nothing").unwrap_err(),
        CryptoError::Cert(CertError::CrlInvalid)
    );
}
