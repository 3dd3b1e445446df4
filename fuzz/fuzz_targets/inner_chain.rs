//! Decrypted inner chain: first byte = first payload type, rest = plaintext.
#![no_main]

use ikev2_wire::{emit_chain, parse_inner_chain, PayloadType, Payloads};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, chain)) = data.split_first() else {
        return;
    };
    let first = PayloadType::from(*first);
    let view = Payloads::inner(first, chain).validate();
    match (view, parse_inner_chain(first, chain)) {
        (Ok(n), Ok(payloads)) => {
            assert_eq!(n, payloads.len());
            let mut out = vec![0u8; chain.len()];
            assert_eq!(emit_chain(&payloads, &mut out).expect("emit"), chain.len());
            assert_eq!(out, chain);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("view and repr disagree: {a:?} vs {b:?}"),
    }
});
