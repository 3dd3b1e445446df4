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
    answers_to_initiator, create_child_requests, encode, established_pair, established_pair_with,
    responder_ike_rekey, run_established, run_initiator, run_responder, small_fragments,
};

/// The first datagram `e` sends after `f` runs a command on its SA.
fn request(
    mut f: impl FnMut(&mut ikev2_sm::Endpoint, ikev2_sm::SaHandle, u32, Instant),
    responder: bool,
) -> Vec<u8> {
    let now = Instant::now();
    let (mut i, mut r, _, _) = established_pair(now);
    let e = if responder { &mut r } else { &mut i };
    let h = e.handles()[0];
    let spi_in = e.sa_info(h).unwrap().children[0].spi_in;
    f(e, h, spi_in, now);
    loop {
        match e.poll_output() {
            ikev2_sm::Output::Transmit(t) => return t.bytes,
            ikev2_sm::Output::Timeout(_) => panic!("no request"),
            _ => {}
        }
    }
}

/// The INFORMATIONAL requests of an established pair (INSECURE leaves the
/// SK payload in clear, so a mutation reaches the payloads inside).
struct Info {
    delete_child: Vec<u8>,
    delete_ike: Vec<u8>,
    liveness_from_i: Vec<u8>,
    liveness_from_r: Vec<u8>,
    /// Our delete of the IKE SA turned into an AUTHENTICATION_FAILED notify
    /// (same length: an 8-octet payload either way).
    notify: Vec<u8>,
}

fn info_requests() -> Info {
    let delete_child = request(
        |e, h, spi, now| e.delete_child_sa(now, h, spi).unwrap(),
        false,
    );
    let delete_ike = request(|e, h, _, now| e.delete_ike_sa(now, h).unwrap(), false);
    let liveness_from_i = request(|e, h, _, now| e.liveness_check(now, h).unwrap(), false);
    let liveness_from_r = request(|e, h, _, now| e.liveness_check(now, h).unwrap(), true);
    let mut notify = delete_ike.clone();
    // SK's generic header follows the 28-octet IKE header: its Next Payload
    // names the first inner payload, Delete (42) becomes Notify (41).
    assert_eq!(notify[28], 42);
    notify[28] = 41;
    let at = notify
        .windows(8)
        .position(|w| w == [0, 0, 0, 8, 1, 0, 0, 0])
        .expect("Delete(IKE) in clear");
    notify[at..at + 8].copy_from_slice(&[0, 0, 0, 8, 0, 0, 0, 24]);
    Info {
        delete_child,
        delete_ike,
        liveness_from_i,
        liveness_from_r,
        notify,
    }
}

/// The responder's default COOKIE threshold (`HalfOpenLimits`).
const COOKIE_THRESHOLD: usize = 10;

/// `sm_responder` through its COOKIE path: `COOKIE_THRESHOLD` IKE_SA_INIT
/// requests (distinct SPIs) fill the half-open table, the next one is
/// answered with `N(COOKIE)`, and comes back with the cookie first.
fn cookie_seed(init_req: &[u8]) -> Vec<u8> {
    let with_spi = |n: u64| {
        let mut m = init_req.to_vec();
        m[..8].copy_from_slice(&(0xC00C_1E00_0000_0000 | n).to_be_bytes());
        m
    };
    let flood: Vec<Vec<u8>> = (0..=COOKIE_THRESHOLD as u64).map(with_spi).collect();
    let recs: Vec<(u8, &[u8])> = flood.iter().map(|m| (0u8, m.as_slice())).collect();
    let report = run_responder(&encode(&recs));
    let answer = ikev2_wire::MessageRepr::parse(report.sent.last().unwrap()).unwrap();
    let cookie = match &answer.payloads[0].body {
        ikev2_wire::PayloadBody::Notify(n) if n.notify_type == ikev2_wire::NotifyType::Cookie => {
            n.data.to_vec()
        }
        other => panic!("expected a COOKIE answer, got {other:?}"),
    };
    let last = ikev2_wire::MessageRepr::parse(flood.last().unwrap()).unwrap();
    let mut payloads = vec![ikev2_wire::NotifyRepr::new(
        ikev2_wire::NotifyType::Cookie,
        &ikev2_wire::NotifyData::Cookie(&cookie),
    )
    .unwrap()
    .into()];
    payloads.extend(
        last.payloads
            .into_iter()
            .map(ikev2_wire::PayloadRepr::into_owned),
    );
    let retry = ikev2_wire::MessageRepr {
        header: last.header,
        payloads,
    }
    .to_vec()
    .unwrap();
    let mut recs = recs;
    recs.push((0, &retry));
    encode(&recs)
}

fn seeds() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let info = info_requests();
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
    let cc = create_child_requests(Instant::now());
    let ike_collision = responder_ike_rekey(Instant::now());
    let (new_child, rekey_child, rekey_ike) = (&cc[0][..], &cc[1][..], &cc[2][..]);
    // The responder's answers to the initiator's own requests, fed to the
    // initiator after the same command (its response handlers).
    let answer = |ctl: u8, name: &'static str| {
        let a = answers_to_initiator(Instant::now(), ctl);
        assert_eq!(a.len(), 1, "{name}: one answer");
        ("sm_established", name, encode(&[(ctl, &a[0])]))
    };
    let mut v = vec![
        answer(0x40, "seed-answer-liveness"),
        answer(0x80, "seed-answer-delete-child"),
        answer(0xc0, "seed-answer-create-child"),
        answer(0xc2, "seed-answer-rekey-child"),
        answer(0xc4, "seed-answer-rekey-ike"),
        // The IKE_SA_INIT response to a reauthentication (a second IKE SA).
        answer(0xce, "seed-answer-reauth"),
    ];
    v.extend([
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
        ("sm_responder", "seed-cookie", cookie_seed(init_req)),
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
        // INFORMATIONAL requests from the initiator to the responder.
        (
            "sm_established",
            "seed-info-delete-child",
            encode(&[(0x20, &info.delete_child)]),
        ),
        (
            "sm_established",
            "seed-info-delete-ike",
            encode(&[(0x20, &info.delete_ike)]),
        ),
        (
            "sm_established",
            "seed-info-notify",
            encode(&[(0x20, &info.notify)]),
        ),
        // Liveness checks each way, the second delivered to an initiator
        // that has just started its own (bit 6), then the check's answer
        // path: the responder's check, replayed, is answered from the cache.
        (
            "sm_established",
            "seed-info-liveness",
            encode(&[
                (0x20, &info.liveness_from_i),
                (0x40, &info.liveness_from_r),
                (0x00, &info.liveness_from_r),
            ]),
        ),
        // The responder deletes its Child SA (bit 7) and receives the
        // initiator's crossing delete.
        (
            "sm_established",
            "seed-info-crossing-delete",
            encode(&[(0xa0, &info.delete_child)]),
        ),
        // Simultaneous IKE SA rekeys (RFC 7296 §2.8.2): the responder
        // starts its own (bits 6 and 7, exchange 2), receives the
        // initiator's, then the answer to its own, and the nonces decide.
        (
            "sm_established",
            "seed-ike-rekey-collision",
            encode(&[(0xe4, &cc[2]), (0x20, &ike_collision.1)]),
        ),
    ]);
    v
}

#[test]
fn recorded_messages_replayed_through_the_fuzz_driver_establish() {
    let s = seeds();
    let find = |name: &str| s.iter().find(|x| x.1 == name).unwrap().2.clone();
    // The responder accepts a replayed IKE_AUTH: the fuzzer reaches past AUTH.
    // The COOKIE path: the retry with the cookie creates the SA the
    // plain request could not.
    let r = run_responder(&find("seed-cookie"));
    assert_eq!(r.states.len(), COOKIE_THRESHOLD + 1);
    assert_eq!(r.sent.len(), COOKIE_THRESHOLD + 2);
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
    // The INFORMATIONAL seeds reach the handlers: a delete of the Child SA
    // removes it and is answered with a Delete, a delete of the IKE SA or
    // AUTHENTICATION_FAILED ends the responder's SA, liveness checks are
    // answered (twice: the replay from the cache).
    let e = run_established(&find("seed-info-delete-child"));
    assert_eq!((e.states.len(), e.removed, e.sent.len()), (1, 1, 1));
    for name in ["seed-info-delete-ike", "seed-info-notify"] {
        let e = run_established(&find(name));
        assert!(e.states.is_empty(), "{name}: {:?}", e.states);
        assert_eq!((e.removed, e.sent.len()), (1, 1), "{name}");
    }
    let e = run_established(&find("seed-info-liveness"));
    assert_eq!(e.states, ["established"]);
    // Answer to the initiator's check; the initiator's own check; its
    // answers to the responder's check and to the replay.
    assert_eq!(e.sent.len(), 4);
    assert_eq!(e.sent[2], e.sent[3]);
    // The IKE SA collision: the responder keeps the old SA, the SA of the
    // initiator's rekey and the one its own created (the redundant one is
    // being deleted, or the old one is); it sent its request (and a
    // retransmission after the clock moved), its answer and that Delete.
    let e = run_established(&find("seed-ike-rekey-collision"));
    assert_eq!(e.states, ["established"; 3]);
    assert!(e.sent.len() >= 3, "{} sent", e.sent.len());
    // The answer seeds reach the initiator's response handlers: its
    // liveness check completes (nothing more sent), its Child SA delete
    // removes the SA, the new and the rekeyed Child SA are installed (the
    // rekey then deletes the old one), the IKE SA rekey completes.
    let e = run_established(&find("seed-answer-liveness"));
    assert_eq!((e.sent.len(), e.installed, e.removed), (1, 0, 0));
    let e = run_established(&find("seed-answer-delete-child"));
    assert_eq!((e.sent.len(), e.removed), (1, 1));
    let e = run_established(&find("seed-answer-create-child"));
    assert_eq!((e.sent.len(), e.installed), (1, 1));
    let e = run_established(&find("seed-answer-rekey-child"));
    assert_eq!(e.installed, 1);
    assert!(
        e.sent.len() >= 2,
        "the rekey, then the delete of the old SA: {}",
        e.sent.len()
    );
    let e = run_established(&find("seed-answer-rekey-ike"));
    assert!(
        e.sent.len() >= 2,
        "the rekey, then the delete of the old IKE SA"
    );
    // The reauthentication's IKE_SA_INIT (retransmitted: bits 1-3 also
    // advance the clock 49 s) is answered: its IKE_AUTH follows.
    let e = run_established(&find("seed-answer-reauth"));
    let exchanges: Vec<u8> = e.sent.iter().map(|d| d[18]).collect();
    assert_eq!(exchanges.first(), Some(&34), "IKE_SA_INIT first");
    assert_eq!(exchanges.last(), Some(&35), "then IKE_AUTH: {exchanges:?}");
    let e = run_established(&find("seed-info-crossing-delete"));
    // The responder's own delete goes out, the crossing one is answered
    // without a Delete, and the Child SA is removed once.
    assert_eq!((e.removed, e.sent.len()), (1, 2));
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
