//! The `ikev2-udp` driver's command line: every refusal happens before a
//! socket is bound, exits 1 and says what was wrong. (Establishment over
//! real UDP needs ports 500/4500 and is proven against strongSwan in
//! `scripts/test.d/50-strongswan.sh`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

const GOOD: &[&str] = &[
    "--local",
    "192.0.2.1",
    "--psk",
    "a long shared secret",
    "--local-id",
    "a.lab",
    "--remote-id",
    "b.lab",
];

fn run(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ikev2-udp"))
        .args(GOOD)
        .args(extra)
        .output()
        .unwrap()
}

fn refused(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        out.stdout.is_empty(),
        "no event before a valid configuration"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_missing_remote_is_a_usage_error() {
    let err = refused(&run(&[]));
    assert!(err.contains("--remote") && err.contains("usage:"), "{err}");
}

#[test]
fn initiating_needs_a_remote_address() {
    let err = refused(&run(&["--remote", "%any", "--initiate"]));
    assert!(err.contains("--remote"), "{err}");
}

#[test]
fn a_bad_remote_address_is_named() {
    let err = refused(&run(&["--remote", "10.0.0.300"]));
    assert!(err.contains("10.0.0.300"), "{err}");
}

#[test]
fn a_bad_ike_proposal_is_refused_before_any_socket() {
    // 192.0.2.1 is not ours: had the program tried to bind, the error would
    // be an address error, not the proposal's.
    let err = refused(&run(&["--remote", "%any", "--ike", "aes256-sha999-x25519"]));
    assert!(err.contains("sha999"), "{err}");
}

#[test]
fn a_bad_traffic_selector_is_refused() {
    let err = refused(&run(&["--remote", "%any", "--local-ts", "10.1.0.0/99"]));
    assert!(err.contains("10.1.0.0/99"), "{err}");
}

#[test]
fn a_fragment_size_too_small_to_carry_data_is_refused() {
    // IKE fragmentation (RFC 7383): 120 octets cannot hold the headers.
    let err = refused(&run(&["--remote", "%any", "--fragment-size", "120"]));
    assert!(err.contains("fragment_size below 200"), "{err}");
    let err = refused(&run(&["--remote", "%any", "--fragment-size", "big"]));
    assert!(err.contains("big"), "{err}");
}

#[test]
fn a_bad_scripted_command_is_refused_before_any_socket() {
    // INFORMATIONAL flags (ikev2_examples::udp_info).
    let err = refused(&run(&["--remote", "%any", "--after", "2", "reboot"]));
    assert!(
        err.contains("reboot") && err.contains("delete-child"),
        "{err}"
    );
}
