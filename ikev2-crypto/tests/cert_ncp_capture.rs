//! A real third-party peer: the certificate-based IKE_AUTH of the Wireshark
//! wiki "IPsec Example 2" capture (Matthias St. Pierre, 2021; an NCP client
//! and gateway, IKE SA with AES-GCM-256), first session, decrypted with the
//! capture's own `ikev2_decryption_table`. The capture is in the repository
//! (`testdata/wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.pcapng`, see
//! `testdata/SOURCES.md`); the payload bodies below were transcribed from it.
//!
//! The capture carries no SK_p keys, so the signatures themselves cannot be
//! checked here (the strongSwan lab test does that); this test checks that a
//! real peer's ID_DER_ASN1_DN, CERT, CERTREQ and RFC 7427 AUTH encodings are
//! read as they should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::time::Duration;

use ikev2_crypto::auth::scheme::split_auth_data;
use ikev2_crypto::auth::{
    verify_auth, AuthError, AuthMethod, AuthPolicy, PublicKey, SignatureAlgorithm,
};
use ikev2_crypto::cert::certreq::parse_authority_hashes;
use ikev2_crypto::cert::{
    check_identity, CertError, CertVerifier, PeerIdentity, UnixTime, ValidationPolicy,
};
use ikev2_crypto::provider::rustcrypto::VERIFIER;
use ikev2_crypto::{CryptoError, EcCurve, HashAlg};

fn h(parts: &[&str]) -> Vec<u8> {
    hex::decode(parts.concat()).unwrap()
}

/// IDI payload body.
const IDI: &[&str] = &["03000000696b6576322d63657274"];

/// CERT_I payload body.
const CERT_I: &[&str] = &[
    "04308202d330820279a003020102020401000013300a06082a8648ce3d040302304b310b300906035504061302444531",
    "0f300d0603550408130642617965726e310c300a060355040a13034e4350311d301b060355040313144e43502044656d",
    "6f2043412045434320323035303022180f32303136303830343038303031335a180f3230353030383035303830303133",
    "5a3074310b3009060355040613024445311a3018060355040a0c1144656d6f204f7267616e697a6174696f6e3110300e",
    "060355040b0c0744656d6f204f553110300e06035504030c07436c69656e74313125302306092a864886f70d01090116",
    "16636c69656e74314064656d6f2e6e63702d652e636f6d3059301306072a8648ce3d020106082a8648ce3d0301070342",
    "0004b74572a1b5dd1c4cafdab7f06a92913cab7ee2a55106efa4056e2dc17369600510553454e37e69e9a08c5abae5a0",
    "5a77e01ebb04e4b272fe349f12a34088ceeaa382011c3082011830090603551d1304023000300b0603551d0f04040302",
    "05a0301d0603551d250416301406082b0601050507030206082b06010505070307301d0603551d0e041604145a5e6aa2",
    "9f89959131c17018ef64dc2a8a4a4a6a30750603551d23046e306c801425db6d44dec7a03eb5f8623ab18784546a0f04",
    "09a14fa44d304b310b3009060355040613024445310f300d0603550408130642617965726e310c300a060355040a1303",
    "4e4350311d301b060355040313144e43502044656d6f204341204543432032303530820302000230490603551d110442",
    "3040a026060a2b060104018237140203a0180c16436c69656e74314064656d6f2e6e63702d652e636f6d8116436c6965",
    "6e74314064656d6f2e6e63702d652e636f6d300a06082a8648ce3d04030203480030450220602d766db7e07b70d88e38",
    "10acc6cd350ccdda1e60d77bd36ed6e60f869ef371022100d1e3d278fcacf41cd8380691363ad3933d6bc293fae9c847",
    "ddf6187bb0f06f49",
];

/// CERTREQ_I payload body.
const CERTREQ_I: &[&str] = &[
    "0491c1dc0f2a8f0e3bd7da991a43a39226355e4229bcb62a0e9de979fda864e3f06460dcaaff850759f4895623386521",
    "4e9a10e6376f4c59b5c02f366d",
];

/// AUTH_I payload body.
const AUTH_I: &[&str] = &[
    "0e0000000c300a06082a8648ce3d0403023045022100c1486ab5b3db4c8b08f3ae061320104c826fb0803ba1e6e30d58",
    "c8000bac514202205865ea41bc99e0adfa2856770efaff530f2e8550da1d86f8504df004025fb12d",
];

/// IDR payload body.
const IDR: &[&str] = &[
    "090000003074310b3009060355040613024445311a3018060355040a0c1144656d6f204f7267616e697a6174696f6e31",
    "10300e060355040b0c0744656d6f204f553110300e06035504030c07536572766572313125302306092a864886f70d01",
    "09011616736572766572314064656d6f2e6e63702d652e636f6d",
];

/// CERT_R payload body.
const CERT_R: &[&str] = &[
    "04308202dd30820283a003020102020401000016300a06082a8648ce3d040302304b310b300906035504061302444531",
    "0f300d0603550408130642617965726e310c300a060355040a13034e4350311d301b060355040313144e43502044656d",
    "6f2043412045434320323035303022180f32303136303830343038303031355a180f3230353030383035303830303135",
    "5a3074310b3009060355040613024445311a3018060355040a0c1144656d6f204f7267616e697a6174696f6e3110300e",
    "060355040b0c0744656d6f204f553110300e06035504030c07536572766572313125302306092a864886f70d01090116",
    "16736572766572314064656d6f2e6e63702d652e636f6d3059301306072a8648ce3d020106082a8648ce3d0301070342",
    "0004dec7f4b2c8b2dc4d6345ea1bc875c1076b55d9dbc87d069d189b3fd6bdffec3ec40afc74a88583cc541b46ada5e4",
    "040ce77d6ab7745987296ec1d236a878f394a38201263082012230090603551d1304023000300b0603551d0f04040302",
    "05a030270603551d250420301e06082b0601050507030106082b0601050507030206082b06010505070306301d060355",
    "1d0e04160414a54698574719a02a49f01a2c9484d482d94c272330750603551d23046e306c801425db6d44dec7a03eb5",
    "f8623ab18784546a0f0409a14fa44d304b310b3009060355040613024445310f300d0603550408130642617965726e31",
    "0c300a060355040a13034e4350311d301b060355040313144e43502044656d6f20434120454343203230353082030200",
    "0230490603551d1104423040a026060a2b060104018237140203a0180c16536572766572314064656d6f2e6e63702d65",
    "2e636f6d8116536572766572314064656d6f2e6e63702d652e636f6d300a06082a8648ce3d0403020348003045022053",
    "87d21afa1bab56fc406f81768ae73fe18b93b4cff191fd01cda6fd92020e95022100ee5f6735a9f6d6b377e713cacddd",
    "d72fc7fba5d48258479ee1edf2af2da84850",
];

/// AUTH_R payload body.
const AUTH_R: &[&str] = &[
    "0e0000000c300a06082a8648ce3d0403023045022078d6a7e8b366bde8f9c12f269f2bf641169511ce621a90059aed0f",
    "ea47538b0e0221008cf30813d135aafe8e4dc0fdf2fd595a9867f1a6083d1e01a149c905ecf9bfe6",
];

#[test]
fn gateway_dn_identity_matches_its_certificate() {
    let idr = h(IDR);
    let cert_r = h(CERT_R);
    let cert_i = h(CERT_I);
    assert_eq!(
        (idr[0], cert_r[0]),
        (9, 4),
        "ID_DER_ASN1_DN, X.509 Certificate - Signature"
    );
    let id = PeerIdentity::from_wire(idr[0], &idr[4..]).unwrap();
    check_identity(&cert_r[1..], &id).unwrap();
    assert_eq!(
        check_identity(&cert_i[1..], &id).unwrap_err(),
        CryptoError::Cert(CertError::IdentityMismatch)
    );
}

#[test]
fn client_identity_and_email_san() {
    let idi = h(IDI);
    let cert_i = &h(CERT_I)[1..];
    // The client sends ID_RFC822_ADDR "ikev2-cert", which is not in its
    // certificate (the gateway maps it by other means): no match.
    assert_eq!(idi[0], 3);
    assert_eq!(&idi[4..], b"ikev2-cert");
    let id = PeerIdentity::from_wire(idi[0], &idi[4..]).unwrap();
    assert_eq!(
        check_identity(cert_i, &id).unwrap_err(),
        CryptoError::Cert(CertError::IdentityMismatch)
    );
    // Its rfc822Name SAN does match, with the domain in any case.
    check_identity(cert_i, &PeerIdentity::Rfc822("Client1@DEMO.ncp-e.com")).unwrap();
    assert!(check_identity(cert_i, &PeerIdentity::Rfc822("client1@demo.ncp-e.com")).is_err());
}

#[test]
fn real_auth_payloads_parse_to_ecdsa_p256_sha256() {
    for (auth, cert) in [(h(AUTH_I), h(CERT_I)), (h(AUTH_R), h(CERT_R))] {
        assert_eq!(AuthMethod::from(auth[0]), AuthMethod::DigitalSignature);
        let (alg, sig) = split_auth_data(&auth[4..]).unwrap();
        assert_eq!(alg, SignatureAlgorithm::Ecdsa(HashAlg::Sha256));
        assert!(p256::ecdsa::Signature::from_der(sig).is_ok());
        let spki = {
            use x509_parser::prelude::{FromDer, X509Certificate};
            X509Certificate::from_der(&cert[1..])
                .unwrap()
                .1
                .public_key()
                .raw
                .to_vec()
        };
        assert_eq!(
            PublicKey::from_spki_der(&spki).unwrap().curve(),
            Some(EcCurve::P256)
        );
        // Everything is read; only the signed octets (unknown here) differ.
        assert_eq!(
            verify_auth(
                &VERIFIER,
                &AuthPolicy::default(),
                AuthMethod::DigitalSignature,
                &auth[4..],
                b"not the octets",
                &spki
            )
            .unwrap_err(),
            CryptoError::Auth(AuthError::BadSignature)
        );
    }
}

#[test]
fn certreq_and_untrusted_ca() {
    let certreq = h(CERTREQ_I);
    assert_eq!(certreq[0], 4);
    assert_eq!(parse_authority_hashes(&certreq[1..]).unwrap().len(), 3);
    // Issued by "NCP Demo CA ECC 2050", which we do not trust.
    let lab = CertVerifier::new(
        &VERIFIER,
        &[include_bytes!("data/strongswan-pki/ca-ecdsa.crt.der")],
    )
    .unwrap();
    let t2027 = UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600));
    assert_eq!(
        lab.validate(&h(CERT_R)[1..], &[], t2027, &ValidationPolicy::default())
            .unwrap_err(),
        CryptoError::Cert(CertError::UntrustedIssuer)
    );
}
