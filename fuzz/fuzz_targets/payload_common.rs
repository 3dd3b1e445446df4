//! Shared by the `cp`, `sa` and `ts` targets: one payload body, validated and
//! parsed to a repr; both must agree, and the repr must re-emit the body byte
//! for byte.

use ikev2_wire::{emit_chain, PayloadType, RawPayload};

pub fn check_body(payload_type: PayloadType, body: &[u8]) {
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
