//! The `ikev2-sm` fuzz targets' driver (`fuzz/fuzz_targets/sm_common.rs`)
//! run on real messages: proves the NO SECURITY provider lets a recorded
//! (and so a fuzzer-built) IKE_AUTH be accepted, and that the committed seed
//! corpora (`fuzz/corpus/sm_*/seed-*`) are exactly what the endpoints emit.
//!
//! Regenerate the seeds after a deliberate change to the messages:
//! `WRITE_FUZZ_SEEDS=1 cargo test -p ikev2-sm --test fuzz_seeds`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../fuzz/fuzz_targets/sm_common.rs"]
mod sm_common;

use std::path::PathBuf;
use std::time::Instant;

use sm_common::{
    create_child_requests, encode, established_pair, run_established, run_initiator, run_responder,
};

fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let (_, _, to_r, to_i) = established_pair(Instant::now());
    assert_eq!(
        (to_r.len(), to_i.len()),
        (2, 2),
        "two requests, two responses"
    );
    let (init_req, auth_req) = (&to_r[0][..], &to_r[1][..]);
    let (init_resp, auth_resp) = (&to_i[0][..], &to_i[1][..]);
    let cc = create_child_requests(Instant::now());
    let (new_child, rekey_child, rekey_ike) = (&cc[0][..], &cc[1][..], &cc[2][..]);
    vec![
        // CREATE_CHILD_SA requests to the responder: a new Child SA, a
        // Child SA rekey (then its retransmission, replayed), an IKE SA
        // rekey.
        (
            "sm_established",
            "seed-create-child",
            encode(&[(0x20, new_child)]),
        ),
        (
            "sm_established",
            "seed-rekey-child",
            encode(&[(0x20, rekey_child), (0x22, rekey_child)]),
        ),
        (
            "sm_established",
            "seed-rekey-ike",
            encode(&[(0x20, rekey_ike)]),
        ),
        ("sm_responder", "seed-init", encode(&[(0, init_req)])),
        (
            "sm_responder",
            "seed-init-auth",
            encode(&[(0, init_req), (0, auth_req)]),
        ),
        // A retransmitted IKE_AUTH after 14 s, answered from the cache.
        (
            "sm_responder",
            "seed-init-auth-retransmit",
            encode(&[(0, init_req), (0, auth_req), (4, auth_req)]),
        ),
        ("sm_initiator", "seed-init-resp", encode(&[(0, init_resp)])),
        (
            "sm_initiator",
            "seed-init-resp-auth-resp",
            encode(&[(0, init_resp), (0, auth_resp)]),
        ),
        // Duplicates of what each side already saw, to each side.
        (
            "sm_established",
            "seed-duplicates",
            encode(&[
                (0, init_resp),
                (0, auth_resp),
                (0x20, init_req),
                (0x20, auth_req),
            ]),
        ),
        // The IKE_AUTH request with the SPIs patched in and time passing.
        (
            "sm_established",
            "seed-auth-late",
            encode(&[(0x21 | 0x0e, auth_req), (0x01 | 0x0e, auth_resp)]),
        ),
    ]
}

#[test]
fn recorded_messages_replayed_through_the_fuzz_driver_establish() {
    let s = seeds();
    let find = |name: &str| s.iter().find(|x| x.1 == name).unwrap().2.clone();
    // The responder accepts a replayed IKE_AUTH: the fuzzer reaches past AUTH.
    let r = run_responder(&find("seed-init-auth"));
    assert_eq!(r.states, ["established"]);
    assert_eq!(r.installed, 1);
    assert_eq!(r.sent.len(), 2);
    // ... and answers its retransmission byte for byte from the cache.
    let r = run_responder(&find("seed-init-auth-retransmit"));
    assert_eq!(r.sent.len(), 3);
    assert_eq!(r.sent[1], r.sent[2]);
    // The initiator accepts the replayed responses.
    let i = run_initiator(&find("seed-init-resp-auth-resp"));
    assert_eq!(i.states, ["established"]);
    assert_eq!(i.installed, 1);
    // One response only: still waiting for IKE_AUTH's.
    let i = run_initiator(&find("seed-init-resp"));
    assert_eq!(i.states, ["IKE_AUTH sent"]);
    // Garbage after establishment leaves the SA up and installs nothing new.
    for name in ["seed-duplicates", "seed-auth-late"] {
        let e = run_established(&find(name));
        assert_eq!(e.states, ["established"], "{name}");
        assert_eq!(e.installed, 0, "{name}");
    }
    // The CREATE_CHILD_SA seeds reach the responder's handlers.
    let e = run_established(&find("seed-create-child"));
    assert_eq!((e.installed, e.sent.len()), (1, 1));
    let e = run_established(&find("seed-rekey-child"));
    assert_eq!(e.installed, 1, "the new SA of the rekey");
    assert_eq!(e.sent.len(), 2);
    assert_eq!(
        e.sent[0], e.sent[1],
        "retransmission answered from the cache"
    );
    let e = run_established(&find("seed-rekey-ike"));
    assert_eq!(
        e.states,
        ["established", "established"],
        "old and new IKE SA"
    );
    // A mutated AUTH octet is refused (the PRF is real): the fuzzer must
    // find its way past AUTH through the seeds, not by luck.
    let (_, _, to_r, _) = established_pair(Instant::now());
    let mut auth = to_r[1].clone();
    // INSECURE leaves SK in clear: find the AUTH payload (length 40,
    // method 2 = shared key MIC) and flip an octet of its data.
    let at = auth
        .windows(6)
        .position(|w| w == [0, 40, 2, 0, 0, 0])
        .expect("AUTH payload in clear");
    auth[at + 10] ^= 1;
    let r = run_responder(&encode(&[(0, &to_r[0]), (0, &auth)]));
    assert_ne!(r.states, ["established"]);
    assert_eq!(r.installed, 0);
}

#[test]
fn committed_seed_corpora_match_what_the_endpoints_emit() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let write = std::env::var_os("WRITE_FUZZ_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = root.join(target).join(name);
        if write {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (WRITE_FUZZ_SEEDS=1 regenerates)", path.display()));
        assert_eq!(
            committed,
            bytes,
            "{} is stale (WRITE_FUZZ_SEEDS=1 regenerates)",
            path.display()
        );
    }
}
