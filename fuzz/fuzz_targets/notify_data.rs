//! Notification data: first two bytes = notify type, rest = data. Whatever
//! parses re-emits to the same bytes.
#![no_main]

use ikev2_wire::{NotifyData, NotifyType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else { return };
    let ty = NotifyType::from(u16::from_be_bytes([*a, *b]));
    if let Ok(parsed) = NotifyData::parse(ty, rest, 0) {
        assert_eq!(parsed.buffer_len(), rest.len());
        let mut out = vec![0u8; rest.len()];
        assert_eq!(parsed.emit(&mut out).expect("emit"), rest.len());
        assert_eq!(out, rest);
    }
});
