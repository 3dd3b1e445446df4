//! One CP payload body: validation and repr parsing agree, and the
//! repr re-emits the body byte for byte.
#![no_main]

use ikev2_wire::{emit_chain, PayloadType, RawPayload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ikev2_fuzz_common(PayloadType::Configuration, data);
});

fn ikev2_fuzz_common(payload_type: PayloadType, body: &[u8]) {
    if body.len() > usize::from(u16::MAX) - 4 {
        return;
    }
    let raw = RawPayload {
        payload_type,
        next_payload: PayloadType::NoNextPayload,
        flags: 0,
        body,
        offset: 0,
    };
    match (raw.validate(), raw.repr()) {
        (Ok(()), Ok(repr)) => {
            let mut out = vec![0u8; body.len() + 4];
            assert_eq!(emit_chain(&[repr], &mut out).expect("emit"), out.len());
            assert_eq!(&out[4..], body);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("validate and repr disagree: {a:?} vs {b:?}"),
    }
}
