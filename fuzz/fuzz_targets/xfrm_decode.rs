//! Fuzzes the XFRM netlink decoder (xfrm-sys): arbitrary datagrams must
//! decode to messages or typed errors without panicking, and every message
//! that decodes must re-encode to bytes that decode to the same message.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use libfuzzer_sys::fuzz_target;
use xfrm_sys::{NetlinkMessage, Payload};

fuzz_target!(|data: &[u8]| {
    for m in NetlinkMessage::parse_all(data) {
        let Ok(m) = m else { continue };
        if let Payload::Xfrm(x) = &m.payload {
            let _ = xfrm_sys::Event::from_message(x);
            let mut wire = Vec::new();
            m.emit(&mut wire).expect("XFRM payloads encode");
            let again: Vec<_> = NetlinkMessage::parse_all(&wire).collect();
            assert_eq!(again.len(), 1);
            assert_eq!(again[0].as_ref().expect("re-encoded message decodes"), &m);
        }
    }
});
