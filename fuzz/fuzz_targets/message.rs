//! Whole-message parse: the zero-copy validator and the repr parser agree,
//! and whatever parses re-emits to exactly the input bytes.
#![no_main]

use ikev2_wire::{Message, MessageRepr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let view = Message::parse(data);
    let repr = MessageRepr::parse(data);
    match (view, repr) {
        (Ok(view), Ok(repr)) => {
            assert_eq!(view.payload_count(), repr.payloads.len());
            assert_eq!(repr.buffer_len(), data.len());
            assert_eq!(repr.to_vec().expect("emit"), data);
            let _ = view.encrypted();
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("view and repr disagree: {a:?} vs {b:?}"),
    }
});
