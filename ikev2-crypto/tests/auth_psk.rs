//! Shared Key MIC (AUTH method 2).
//!
//! Vector: the IKE_SA_INIT + IKE_AUTH exchange recorded by RUB-NDS
//! IPsec-StateMachineExtractor (`IKEv2HandshakeIT.java`, commit 7f2b9693)
//! against a real responder: PSK "AAAA", PRF_HMAC_SHA1; the signed octets are
//! the collector's reconstruction, proven by the responder's own AUTH.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_crypto::auth::psk::PskPair;
use ikev2_crypto::auth::{AuthError, Psk};
use ikev2_crypto::provider::rustcrypto::{PRF_HMAC_SHA1, PRF_HMAC_SHA2_256};
use ikev2_crypto::CryptoError;

const AUTH_I_OCTETS: &str = "a150f12f598f9a0e00000000000000002120220800000000000000e8220000300000002c010100040300000c0100000c800e00800300000802000002030000080300000200000008040000022800008800020000fb7f97f9f4eca31f7ac9ba0516f8e616977bf606ab295295e6615ef91e8a15b4ad18940a448248ddf31c95415e5525050ee8803a084a0707733f8833eb9c5cdf1ad55062f06c234856d7a580ba883bc8d7a864175708d59bec0c3bcd21acc495ca5b311167be6245222c168417d4a613b3ca04f961d7335ad13073e2279f542e00000014828755ecab3d7b8c1a20126dbcb078b3f03a7ef00422adb77cecd38214ee50bb9cde6519639c3faa63d3345a1b82e1f1d793fc74d98a99be598655e25ce41e742af24d89";
const AUTH_I: &str = "708985b9fcc1861ad1bbc25e2188cf724b798e09";
const AUTH_R_OCTETS: &str = "a150f12f598f9a0e9fb14c9c853ad1b2212022200000000000000100220000300000002c010100040300000c0100000c800e00800300000803000002030000080200000200000008040000022800008800020000c581b93b78222b7ed4b70cf36f0c1016d010695beedee8ceb55ead79380f20b3692ee6ca7ea33a4a89b0976bed9b829f92a81d2d68a07992b52f2bf7f58968b3b064e9ba588259766db1dcf266f6563a81b364853d916ec3d22d4e9391ece402fb68b5cbd6aa8297cf747116a2bdcfb6029c9a192928062925269bcd50d3d64f29000024f03a7ef00422adb77cecd38214ee50bb9cde6519639c3faa63d3345a1b82e1f10000000800004014828755ecab3d7b8c1a20126dbcb078b3b08e511c96fa6edf84406e9723804264a5c11825";
const AUTH_R: &str = "0a2bce7559cedd58b53626f7af4ad8bfd1becae1";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn recorded_exchange_both_auth_values() {
    let psk = Psk::parse("AAAA", 4).unwrap();
    let auth_i = psk.auth(&PRF_HMAC_SHA1, &h(AUTH_I_OCTETS)).unwrap();
    assert_eq!(hex::encode(auth_i.as_bytes()), AUTH_I);
    psk.verify(&PRF_HMAC_SHA1, &h(AUTH_R_OCTETS), &h(AUTH_R))
        .unwrap();
    // The same key written in hex gives the same key.
    let hex_form = Psk::parse("0x41414141", 4).unwrap();
    assert_eq!(hex_form.as_bytes(), b"AAAA");
    hex_form
        .verify(&PRF_HMAC_SHA1, &h(AUTH_I_OCTETS), &h(AUTH_I))
        .unwrap();
}

#[test]
fn tampering_and_wrong_keys_fail() {
    let psk = Psk::parse("AAAA", 0).unwrap();
    let mut octets = h(AUTH_R_OCTETS);
    octets[40] ^= 1;
    let mismatch = CryptoError::Auth(AuthError::PskMismatch);
    assert_eq!(
        psk.verify(&PRF_HMAC_SHA1, &octets, &h(AUTH_R)).unwrap_err(),
        mismatch
    );
    let other = Psk::parse("AAAB", 0).unwrap();
    assert_eq!(
        other
            .verify(&PRF_HMAC_SHA1, &h(AUTH_R_OCTETS), &h(AUTH_R))
            .unwrap_err(),
        mismatch
    );
    // Truncated AUTH values never verify.
    assert_eq!(
        psk.verify(&PRF_HMAC_SHA1, &h(AUTH_R_OCTETS), &h(AUTH_R)[..19])
            .unwrap_err(),
        mismatch
    );
    assert_eq!(
        psk.verify(&PRF_HMAC_SHA1, &h(AUTH_R_OCTETS), &[])
            .unwrap_err(),
        mismatch
    );
}

#[test]
fn distinct_local_and_remote_keys() {
    let pair = PskPair {
        local: Psk::parse("initiator-to-responder secret", 16).unwrap(),
        remote: Psk::parse("0x00112233445566778899aabbccddeeff", 16).unwrap(),
    };
    let octets = b"signed octets";
    let ours = pair.local.auth(&PRF_HMAC_SHA2_256, octets).unwrap();
    assert_eq!(ours.len(), 32);
    // The peer's AUTH is checked with the remote key only.
    assert!(pair
        .remote
        .verify(&PRF_HMAC_SHA2_256, octets, ours.as_bytes())
        .is_err());
    let theirs = pair.remote.auth(&PRF_HMAC_SHA2_256, octets).unwrap();
    pair.remote
        .verify(&PRF_HMAC_SHA2_256, octets, theirs.as_bytes())
        .unwrap();
    let sym = PskPair::symmetric(Psk::parse("same both ways, long enough", 16).unwrap());
    assert_eq!(sym.local.as_bytes(), sym.remote.as_bytes());
}

#[test]
fn key_forms_and_minimum_length() {
    assert_eq!(
        Psk::parse("0X0a:0B 0c", 0).unwrap().as_bytes(),
        [10, 11, 12]
    );
    assert_eq!(
        Psk::parse("0x123", 0).unwrap_err(),
        CryptoError::Auth(AuthError::PskInvalidHex)
    );
    assert_eq!(
        Psk::parse("0xzz", 0).unwrap_err(),
        CryptoError::Auth(AuthError::PskInvalidHex)
    );
    assert_eq!(
        Psk::parse("short", Psk::DEFAULT_MIN_LEN).unwrap_err(),
        CryptoError::Auth(AuthError::PskTooShort { min: 16, got: 5 })
    );
    // The minimum counts decoded octets, not hex digits.
    assert!(Psk::parse("0x00112233", 5).is_err());
    assert!(Psk::parse("0x0011223344", 5).is_ok());
    // An empty key is refused whatever the minimum.
    assert!(Psk::parse("", 0).is_err());
    assert!(Psk::parse("0x", 0).is_err());
    // Debug never shows the key.
    let dbg = format!("{:?}", Psk::parse("hunter2hunter2hunter2", 0).unwrap());
    assert!(!dbg.contains("hunter2"), "{dbg}");
}
