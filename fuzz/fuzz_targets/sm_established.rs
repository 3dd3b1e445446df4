//! `ikev2-sm` established fuzzing with the NO SECURITY provider; the input
//! format, what it reaches and the invariants checked are in `sm_common.rs`.
//! Seeds (`corpus/sm_established/seed-*`) come from `ikev2-sm/tests/fuzz_seeds.rs`.
#![no_main]

#[path = "sm_common.rs"]
mod sm_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sm_common::run_established(data);
});
