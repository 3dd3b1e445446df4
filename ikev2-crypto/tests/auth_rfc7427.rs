//! RFC 7427 AlgorithmIdentifier encodings and SIGNATURE_HASH_ALGORITHMS.
//!
//! Vectors: RFC 7427 Appendix A (with its errata for A.4.3) as transcribed
//! by libreswan `include/ietf_constants.h` (commit 0c4e3ecc) and strongSwan
//! `src/libstrongswan/tests/suites/test_signature_params.c` (commit
//! 3b902ea5), including strongSwan's invalid RSASSA-PSS parameter sets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_crypto::auth::scheme::{
    encode_hash_algorithms, join_auth_data, negotiate_hash, parse_hash_algorithms, split_auth_data,
};
use ikev2_crypto::auth::{AuthError, HashAlgorithm, SignatureAlgorithm};
use ikev2_crypto::{CryptoError, HashAlg};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// (source, DER, expected algorithm, whether `to_der` writes exactly these bytes)
const VALID: &[(&str, &str, SignatureAlgorithm, bool)] = &[
    ("A.1.1 sha1WithRSAEncryption", "300d06092a864886f70d0101050500", SignatureAlgorithm::RsaPkcs1(HashAlg::Sha1), true),
    ("A.1.2 sha256WithRSAEncryption", "300d06092a864886f70d01010b0500", SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256), true),
    ("A.1.3 sha384WithRSAEncryption", "300d06092a864886f70d01010c0500", SignatureAlgorithm::RsaPkcs1(HashAlg::Sha384), true),
    ("A.1.4 sha512WithRSAEncryption", "300d06092a864886f70d01010d0500", SignatureAlgorithm::RsaPkcs1(HashAlg::Sha512), true),
    ("A.2.1 dsa-with-sha1", "300906072a8648ce380403", SignatureAlgorithm::Dsa(HashAlg::Sha1), true),
    ("A.3.1 ecdsa-with-sha1", "300906072a8648ce3d0401", SignatureAlgorithm::Ecdsa(HashAlg::Sha1), true),
    ("A.3.2 ecdsa-with-sha256", "300a06082a8648ce3d040302", SignatureAlgorithm::Ecdsa(HashAlg::Sha256), true),
    ("A.3.3 ecdsa-with-sha384", "300a06082a8648ce3d040303", SignatureAlgorithm::Ecdsa(HashAlg::Sha384), true),
    ("A.3.4 ecdsa-with-sha512", "300a06082a8648ce3d040304", SignatureAlgorithm::Ecdsa(HashAlg::Sha512), true),
    ("A.4.3 libreswan RSASSA-PSS SHA-256", "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120", SignatureAlgorithm::RsaPss(HashAlg::Sha256), true),
    ("A.2.2 dsa-with-sha256", "300b0609608648016503040302", SignatureAlgorithm::Dsa(HashAlg::Sha256), true),
    ("A.4.1 RSASSA-PSS empty parameters", "300d06092a864886f70d01010a3000", SignatureAlgorithm::RsaPss(HashAlg::Sha1), true),
    ("A.4.2 RSASSA-PSS defaults written out", "303e06092a864886f70d01010a3031a00b300906052b0e03021a0500a118301606092a864886f70d010108300906052b0e03021a0500a203020114a303020101", SignatureAlgorithm::RsaPss(HashAlg::Sha1), false),
    ("A.4.3 as published, trailerField 1", "304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120a303020101", SignatureAlgorithm::RsaPss(HashAlg::Sha256), false),
    ("A.4.3 errata", "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120", SignatureAlgorithm::RsaPss(HashAlg::Sha256), true),
    ("id-Ed25519", "300506032b6570", SignatureAlgorithm::Ed25519, true),
    ("id-Ed448", "300506032b6571", SignatureAlgorithm::Ed448, true),
    ("libreswan RSASSA-PSS SHA-384", "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130", SignatureAlgorithm::RsaPss(HashAlg::Sha384), true),
    ("libreswan RSASSA-PSS SHA-512", "304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020140", SignatureAlgorithm::RsaPss(HashAlg::Sha512), true),
];

/// strongSwan rsa_pss_parse_invalid_tests, then the shapes of strongSwan
/// CVE-2018-6459 (MGF1 without its hash parameter) and CVE-2021-41990
/// (a salt length near 2^31, which overflowed) from its `NEWS`.
const INVALID: &[(&str, &str)] = &[
    ("CVE-2018-6459 mgf-1 without parameters", "301c06092a864886f70d01010a300fa10d300b06092a864886f70d010108"),
    ("CVE-2021-41990 huge salt", "304406092a864886f70d01010a3037a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a20602047fffffff"),
    ("unknown hash", "301e06092a864886f70d01010a3011a00f300d06096086480165030402000500"),
    ("unknown mgf", "302b06092a864886f70d01010a301ea11c301a06092a864886f70d010100300d06096086480165030402010500"),
    ("unknown mgf-1 hash", "302b06092a864886f70d01010a301ea11c301a06092a864886f70d010108300d06096086480165030402000500"),
    ("incorrect trailer", "301206092a864886f70d01010a3005a303020102"),
    ("too long trailer", "301306092a864886f70d01010a3006a30402020101"),
    ("negative salt", "304d06092a864886f70d01010a3040a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a20a0208ffffffffffffffffa303020101"),
];

#[test]
fn all_19_appendix_a_encodings_parse() {
    assert_eq!(VALID.len(), 19);
    for (name, der, want, _) in VALID {
        let got = SignatureAlgorithm::from_der(&h(der)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, *want, "{name}");
    }
}

#[test]
fn canonical_encodings_are_written_byte_for_byte() {
    for (name, der, alg, canonical) in VALID {
        if *canonical {
            assert_eq!(hex::encode(alg.to_der()), *der, "{name}");
        } else {
            // Non-canonical forms still re-parse to the same algorithm.
            assert_eq!(
                SignatureAlgorithm::from_der(&alg.to_der()).unwrap(),
                *alg,
                "{name}"
            );
        }
    }
}

#[test]
fn invalid_pss_parameters_are_rejected() {
    for (name, der) in INVALID {
        let err = SignatureAlgorithm::from_der(&h(der)).expect_err(name);
        assert!(
            matches!(
                err,
                AuthError::InvalidPssParameters | AuthError::UnsupportedPssParameters
            ),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn other_malformed_identifiers() {
    // Unknown OID (1.2.3.4).
    assert_eq!(
        SignatureAlgorithm::from_der(&h("300506032a0304")).unwrap_err(),
        AuthError::UnknownSignatureAlgorithm
    );
    // Truncated, trailing data, parameters on ECDSA.
    assert_eq!(
        SignatureAlgorithm::from_der(&h("300a06082a8648ce3d0403")).unwrap_err(),
        AuthError::MalformedAlgorithmIdentifier
    );
    assert_eq!(
        SignatureAlgorithm::from_der(&h("300a06082a8648ce3d04030200")).unwrap_err(),
        AuthError::MalformedAlgorithmIdentifier
    );
    assert_eq!(
        SignatureAlgorithm::from_der(&h("300c06082a8648ce3d0403020500")).unwrap_err(),
        AuthError::MalformedAlgorithmIdentifier
    );
    // PSS with SHA-256 but salt 20: well-formed, not a set we implement.
    let pss_salt20 = "303c06092a864886f70d01010a302fa00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500";
    assert_eq!(
        SignatureAlgorithm::from_der(&h(pss_salt20)).unwrap_err(),
        AuthError::UnsupportedPssParameters
    );
    // Recognised but unimplemented algorithms parse, then refuse a scheme.
    assert_eq!(
        SignatureAlgorithm::Ed448.to_scheme(None).unwrap_err(),
        AuthError::UnsupportedSignatureAlgorithm
    );
}

#[test]
fn auth_data_framing() {
    let sig = [0xaa; 64];
    let data = join_auth_data(SignatureAlgorithm::Ecdsa(HashAlg::Sha256), &sig);
    // RFC 7427 section 3: length octet 12, A.3.2, signature.
    assert_eq!(data[0], 12);
    assert_eq!(hex::encode(&data[1..13]), "300a06082a8648ce3d040302");
    let (alg, s) = split_auth_data(&data).unwrap();
    assert_eq!(alg, SignatureAlgorithm::Ecdsa(HashAlg::Sha256));
    assert_eq!(s, sig);
    for bad in [&[][..], &[12][..], &data[..13], &data[..5]] {
        assert!(split_auth_data(bad).is_err());
    }
    // The length octet must cover exactly the AlgorithmIdentifier.
    let mut off = data.clone();
    off[0] = 13;
    assert!(split_auth_data(&off).is_err());
}

#[test]
fn hash_negotiation_rfc7427_section_4() {
    // strongSwan announces SHA2-256/384/512 and Identity.
    let notify = h("0002000300040005");
    let peer = parse_hash_algorithms(&notify).unwrap();
    assert_eq!(
        peer,
        [
            HashAlgorithm::Sha2_256,
            HashAlgorithm::Sha2_384,
            HashAlgorithm::Sha2_512,
            HashAlgorithm::Identity
        ]
    );
    assert_eq!(encode_hash_algorithms(&peer), notify);
    // Our preference order decides within the intersection.
    assert_eq!(
        negotiate_hash(&[HashAlg::Sha512, HashAlg::Sha256], &peer),
        Some(HashAlg::Sha512)
    );
    assert_eq!(
        negotiate_hash(&[HashAlg::Sha1, HashAlg::Sha384], &peer),
        Some(HashAlg::Sha384)
    );
    assert_eq!(negotiate_hash(&[HashAlg::Sha1], &peer), None);
    // Unknown values are kept, odd length and empty data are malformed.
    assert_eq!(
        parse_hash_algorithms(&h("0001ffff")).unwrap()[1],
        HashAlgorithm::from(0xffff)
    );
    assert_eq!(
        parse_hash_algorithms(&h("000200")).unwrap_err(),
        AuthError::MalformedHashAlgorithms
    );
    assert_eq!(
        parse_hash_algorithms(&[]).unwrap_err(),
        AuthError::MalformedHashAlgorithms
    );
    let e: CryptoError = AuthError::NoCommonHash.into();
    assert!(e.to_string().contains("no common"));
}
