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
    encode, established_pair, established_pair_with, run_established, run_initiator, run_responder,
    small_fragments,
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
    // The same exchange with IKE_AUTH in SKF fragments both ways (RFC 7383):
    // IKE_SA_INIT is identical, so the default endpoints accept them.
    let (_, _, frag_r, frag_i) = established_pair_with(Instant::now(), small_fragments());
    assert_eq!(frag_r[0], to_r[0]);
    assert!(
        frag_r.len() > 2 && frag_i.len() > 2,
        "IKE_AUTH fragmented both ways: {:?} {:?}",
        frag_r.iter().map(Vec::len).collect::<Vec<_>>(),
        frag_i.iter().map(Vec::len).collect::<Vec<_>>()
    );
    let frags_req: Vec<&[u8]> = frag_r[1..].iter().map(Vec::as_slice).collect();
    let frags_resp: Vec<&[u8]> = frag_i[1..].iter().map(Vec::as_slice).collect();
    // Reversed, with the last one duplicated first.
    let mut shuffled = vec![(0u8, *frags_req.last().unwrap())];
    shuffled.extend(frags_req.iter().rev().map(|f| (0u8, *f)));
    let mut fragmented_auth = vec![(0u8, init_req)];
    fragmented_auth.extend(shuffled.iter().copied());
    let mut fragmented_resp = vec![(0u8, init_resp)];
    fragmented_resp.extend(frags_resp.iter().map(|f| (0u8, *f)));
    // Fragments after establishment, to the responder (bit 5) and initiator.
    let mut late: Vec<(u8, &[u8])> = frags_req.iter().map(|f| (0x21u8, *f)).collect();
    late.extend(frags_resp.iter().map(|f| (0x01u8, *f)));
    vec![
        (
            "sm_responder",
            "seed-init-auth-fragments",
            encode(&fragmented_auth),
        ),
        (
            "sm_initiator",
            "seed-init-resp-auth-fragments",
            encode(&fragmented_resp),
        ),
        ("sm_established", "seed-fragments-late", encode(&late)),
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
    // IKE_AUTH reassembled from out-of-order, duplicated SKF fragments.
    let r = run_responder(&find("seed-init-auth-fragments"));
    assert_eq!(r.states, ["established"]);
    assert_eq!(r.installed, 1);
    let i = run_initiator(&find("seed-init-resp-auth-fragments"));
    assert_eq!(i.states, ["established"]);
    assert_eq!(i.installed, 1);
    // Garbage after establishment leaves the SA up and installs nothing new.
    for name in ["seed-duplicates", "seed-auth-late", "seed-fragments-late"] {
        let e = run_established(&find(name));
        assert_eq!(e.states, ["established"], "{name}");
        assert_eq!(e.installed, 0, "{name}");
    }
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
