//! ID_DER_ASN1_DN: received DER (`DistinguishedName::from_der`, what an ID
//! payload of type 9 goes through) and configured text
//! (`DistinguishedName::parse`). Either a typed refusal or a name that
//! prints, compares equal to itself and re-wraps its own DER.
#![no_main]

use ikev2_crypto::cert::DistinguishedName;
use libfuzzer_sys::fuzz_target;

fn check(dn: &DistinguishedName) {
    let _ = dn.to_string();
    assert!(dn.equivalent(dn) && dn.matches(dn));
    let again = DistinguishedName::from_der(dn.as_der()).expect("own DER parses");
    assert_eq!(&again, dn);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(dn) = DistinguishedName::from_der(data) {
        check(&dn);
    }
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(dn) = DistinguishedName::parse(text) {
            check(&dn);
        }
    }
});
