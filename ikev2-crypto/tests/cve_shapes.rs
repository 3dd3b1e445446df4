//! CVE-shaped inputs to the AUTH and certificate code, transcribed from the
//! CVE table of the strongSwan and Libreswan advisories (strongSwan `NEWS`,
//! Libreswan `security/CVE-*.txt`; named on each test), plus strongSwan's
//! own fuzzing corpora (`strongswan/fuzzing-corpora`, commit 9df8ca68:
//! `certs-crash`, X.509 inputs that crashed its parser, and `ids`, inputs of
//! its identity parser), committed under `testdata/negative/`.
//! Every one must be refused with a typed error, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::time::Duration;
use std::path::PathBuf;

use ikev2_crypto::auth::{verify_auth, AuthMethod, AuthPolicy};
use ikev2_crypto::cert::{check_identity, CertVerifier, PeerIdentity, UnixTime, ValidationPolicy};
use ikev2_crypto::provider::rustcrypto::VERIFIER;

const CA_ECDSA: &[u8] = include_bytes!("data/strongswan-pki/ca-ecdsa.crt.der");
const EE_ECDSA: &[u8] = include_bytes!("data/strongswan-pki/a-ecdsa.crt.der");
const CA_RSA: &[u8] = include_bytes!("data/strongswan-pki/ca-rsa.crt.der");
const EE_RSA: &[u8] = include_bytes!("data/strongswan-pki/a-rsa.crt.der");

fn corpus(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/negative/strongswan-fuzzing-corpora")
        .join(name);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            (n, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn spki(cert: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    X509Certificate::from_der(cert)
        .unwrap()
        .1
        .public_key()
        .raw
        .to_vec()
}

fn rsa_modulus(cert: &[u8]) -> Vec<u8> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    use x509_parser::public_key::PublicKey;
    let (_, c) = X509Certificate::from_der(cert).unwrap();
    match c.public_key().parsed().unwrap() {
        PublicKey::RSA(k) => {
            let m = k.modulus;
            m.strip_prefix(&[0]).unwrap_or(m).to_vec()
        }
        other => panic!("{other:?}"),
    }
}

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600))
}

/// strongSwan CVE-2017-9023 (ASN.1 CHOICE in X.509 extensions looped
/// forever), CVE-2017-9022 / Libreswan CVE-2026-14957 (unusable RSA public
/// keys) and the rest of strongSwan's `certs-crash` corpus: as an
/// end-entity certificate, as an intermediate and as a trust anchor, each
/// input is refused with a typed error, and identity checks against it
/// fail cleanly.
#[test]
fn strongswan_certs_crash_corpus_is_refused() {
    let files = corpus("certs-crash");
    assert_eq!(files.len(), 26);
    let v = CertVerifier::new(&VERIFIER, &[CA_ECDSA, CA_RSA]).unwrap();
    let policy = ValidationPolicy::default();
    for (name, der) in &files {
        assert!(
            v.validate(der, &[], now(), &policy).is_err(),
            "{name}: accepted as end entity"
        );
        assert!(
            v.validate(EE_RSA, &[der], now(), &policy).is_ok(),
            "{name}: a bad intermediate broke a good chain"
        );
        assert!(v.validate(der, &[der], now(), &policy).is_err(), "{name}");
        // As a trust anchor: refused outright, or never used to accept it.
        if let Ok(v2) = CertVerifier::new(&VERIFIER, &[der]) {
            assert!(
                v2.validate(der, &[], now(), &policy).is_err(),
                "{name}: self-accepted"
            );
        }
        assert!(
            check_identity(der, &PeerIdentity::Fqdn("a.example")).is_err(),
            "{name}"
        );
    }
}

/// strongSwan CVE-2013-6075 (an ID_DER_ASN1_DN with inconsistent lengths
/// passed a short length check), CVE-2013-5018 (data that starts like an
/// ASN.1 SEQUENCE with a bogus length) and strongSwan's `ids` corpus: as ID
/// payload data of every ID type, parsed or refused without panicking, and
/// never matching a certificate that does not carry it.
#[test]
fn strongswan_ids_corpus_and_hostile_dns() {
    let mut inputs = corpus("ids");
    assert_eq!(inputs.len(), 20);
    for (name, bytes) in [
        // SEQUENCE claiming 0x7f octets with 3 present.
        ("truncated DN", vec![0x30, 0x7f, 0x31, 0x01, 0x30]),
        // Long-form length with 0x84 length octets (4 GiB).
        (
            "4 GiB DN",
            vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x31, 0x00],
        ),
        // Indefinite length (BER, not DER).
        ("indefinite DN", vec![0x30, 0x80, 0x31, 0x00, 0x00, 0x00]),
        // A SET inside claiming more than the SEQUENCE holds.
        ("nested overrun", vec![0x30, 0x04, 0x31, 0x10, 0x30, 0x00]),
        ("empty", Vec::new()),
    ] {
        inputs.push((name.to_owned(), bytes));
    }
    let v = CertVerifier::new(&VERIFIER, &[CA_ECDSA]).unwrap();
    let ee = v
        .validate(EE_ECDSA, &[], now(), &ValidationPolicy::default())
        .unwrap();
    for (name, data) in &inputs {
        for id_type in 0..=12u8 {
            if let Ok(id) = PeerIdentity::from_wire(id_type, data) {
                assert!(
                    ee.check_identity(&id).is_err(),
                    "{name} as type {id_type} matched"
                );
            }
        }
        assert!(
            ee.check_identity(&PeerIdentity::DerAsn1Dn(data)).is_err(),
            "{name}"
        );
    }
}

/// An RFC 7427 AUTH body: AlgorithmIdentifier (length-prefixed) then the
/// signature.
fn method14(alg: &[u8], sig: &[u8]) -> Vec<u8> {
    let mut v = vec![u8::try_from(alg.len()).unwrap()];
    v.extend_from_slice(alg);
    v.extend_from_slice(sig);
    v
}

const ECDSA_WITH_SHA256: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
];
const SHA256_WITH_RSA: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
];

/// strongSwan CVE-2013-2944: an empty or zeroed ECDSA signature was
/// accepted (the backend's error code was misread). Empty, all-zero, r = 0,
/// s = 0, r = s = 0 in DER, and r or s equal to the group order n, in the
/// raw r|s form of method 9 and the DER form of method 14.
#[test]
fn cve_2013_2944_empty_and_zero_ecdsa_signatures() {
    let key = spki(EE_ECDSA);
    let policy = AuthPolicy::default();
    let octets = b"signed octets";
    // P-256 group order.
    let n: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let one = {
        let mut o = [0u8; 32];
        o[31] = 1;
        o
    };
    let raw: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0; 64],
        [[0u8; 32], one].concat(),
        [one, [0u8; 32]].concat(),
        [n, one].concat(),
        [one, n].concat(),
        [n, n].concat(),
    ];
    for sig in &raw {
        let r = verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::EcdsaSha256P256,
            sig,
            octets,
            &key,
        );
        assert!(r.is_err(), "method 9 accepted {sig:02x?}");
    }
    let der: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0x30, 0x00],
        vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00],
        vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01],
        vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00],
        vec![0; 72],
    ];
    for sig in &der {
        let body = method14(ECDSA_WITH_SHA256, sig);
        let r = verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::DigitalSignature,
            &body,
            octets,
            &key,
        );
        assert!(r.is_err(), "method 14 accepted {sig:02x?}");
    }
}

/// strongSwan CVE-2017-11185 (an RSA signature equal to the modulus
/// dereferenced NULL), CVE-2018-16151/16152 and Libreswan CVE-2026-50722
/// (lenient PKCS#1 v1.5 checks): signature values 0, 1, n - 1, n, n + 1,
/// all-ones, and ones shorter or longer than the modulus, by method 1 and
/// method 14 with sha256WithRSAEncryption. (Forged DigestInfo shapes need
/// e = 3 keys to build without the private key; the RSA crate's verifier
/// compares the whole encoded block, so any deviation fails.)
#[test]
fn cve_2017_11185_rsa_signature_values_at_and_around_the_modulus() {
    let key = spki(EE_RSA);
    let n = rsa_modulus(EE_RSA);
    let policy = AuthPolicy::default();
    let octets = b"signed octets";
    let len = n.len();
    let add = |v: &[u8], d: i16| {
        // Big-endian +/- a small value.
        let mut out = v.to_vec();
        let mut carry = d;
        for b in out.iter_mut().rev() {
            let x = i16::from(*b) + carry;
            *b = x.rem_euclid(256) as u8;
            carry = x.div_euclid(256);
            if carry == 0 {
                break;
            }
        }
        out
    };
    let mut one = vec![0u8; len];
    one[len - 1] = 1;
    let values: Vec<(&str, Vec<u8>)> = vec![
        ("zero", vec![0; len]),
        ("one", one),
        ("n - 1", add(&n, -1)),
        ("n", n.clone()),
        ("n + 1", add(&n, 1)),
        ("all ones", vec![0xff; len]),
        ("short", vec![0x01; len - 1]),
        ("long", vec![0x01; len + 1]),
        ("empty", Vec::new()),
    ];
    for (what, sig) in &values {
        let r = verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::RsaDigitalSignature,
            sig,
            octets,
            &key,
        );
        assert!(r.is_err(), "method 1 accepted {what}");
        let body = method14(SHA256_WITH_RSA, sig);
        let r = verify_auth(
            &VERIFIER,
            &policy,
            AuthMethod::DigitalSignature,
            &body,
            octets,
            &key,
        );
        assert!(r.is_err(), "method 14 accepted {what}");
    }
}
