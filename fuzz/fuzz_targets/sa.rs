//! One SA payload body: validation and repr parsing agree, and the
//! repr re-emits the body byte for byte.
#![no_main]

use ikev2_wire::PayloadType;
use libfuzzer_sys::fuzz_target;

#[path = "payload_common.rs"]
mod payload_common;

fuzz_target!(|data: &[u8]| {
    payload_common::check_body(PayloadType::SecurityAssociation, data);
});
