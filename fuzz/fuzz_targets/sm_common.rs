//! Shared driver for the `ikev2-sm` fuzz targets (`sm_responder`,
//! `sm_initiator`, `sm_established`), also compiled into
//! `ikev2-sm/tests/fuzz_seeds.rs`, which regenerates the seed corpora and
//! proves that they reach an established SA.
//!
//! Every endpoint uses `ikev2_crypto::testing::INSECURE` (NO SECURITY: the
//! AEAD neither encrypts nor checks tags, every key exchange yields the same
//! secret) and a fixed-seed `DeterministicRandom`, so a fresh endpoint
//! behaves identically in every run: SPIs, nonces and KE values repeat, the
//! keys repeat, and a recorded IKE_AUTH (whose AUTH payload is a real
//! PRF-HMAC-SHA2-256 over those values) is accepted again when replayed.
//! A mutated message therefore reaches payload parsing inside SK, identity
//! selection, AUTH checking, Child SA negotiation and traffic selectors.
//!
//! Input format: a sequence of records `ctl: u8, len: u16 (BE), bytes[len]`
//! (a short tail is taken as is). `ctl` bits:
//! - bit 0: overwrite the first 16 octets with the SPIs of the endpoint's
//!   first SA (so mutations keep reaching it);
//! - bits 1-3: advance the clock by that many times 7 s before the datagram
//!   and deliver `Input::Timeout` when due (retransmission, half-open
//!   expiry);
//! - bit 4: deliver on port 4500 (both ends) instead of 500;
//! - bit 5 (`sm_established` only): deliver to the responder rather than
//!   the initiator;
//! - bit 6 (`sm_established` only): the receiving endpoint first starts a
//!   liveness check (an empty INFORMATIONAL request), so the datagram can
//!   be a response to it;
//! - bit 7 (`sm_established` only): the receiving endpoint first starts a
//!   delete of its first Child SA;
//! - bits 6 and 7 together (`sm_established` only): instead, it first
//!   starts a CREATE_CHILD_SA exchange chosen by bits 1-2 (0: a new Child
//!   SA, 1: a rekey of its first Child SA, 2: a rekey of the IKE SA, 3:
//!   both commands above, or with bit 3 also set a reauthentication of its
//!   first IKE SA, a new IKE_SA_INIT), so the datagram can be the response.
//!
//! After every record it asserts: no panic, outputs drained (bounded count),
//! the number of SAs bounded by the records fed so far (for `sm_initiator`:
//! never a second SA in the initiator role), `poll_timeout`
//! after a due timeout strictly in the future and within a day.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::testing::INSECURE;
use ikev2_sm::config::{Auth, ChildConfig, FragmentConfig, Identity, PeerConfig};
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output};

/// Initiator and responder addresses (port replaced by 4500 on bit 4).
pub(crate) const I_ADDR: ([u8; 4], u16) = ([192, 0, 2, 1], 500);
pub(crate) const R_ADDR: ([u8; 4], u16) = ([198, 51, 100, 1], 500);
/// Records taken from one input; more are ignored.
pub(crate) const MAX_RECORDS: usize = 32;
/// Outputs one input may cause (a response, a Child SA, a few events).
const MAX_OUTPUTS_PER_INPUT: usize = 16;

fn addr(a: ([u8; 4], u16), nat_t: bool) -> SocketAddr {
    SocketAddr::from((a.0, if nat_t { 4500 } else { a.1 }))
}

fn peer(name: &str, me: &str, them: &str, l: &str, r: &str) -> PeerConfig {
    let id = |s: &str| Identity::parse(s).unwrap_or(Identity::Any);
    PeerConfig::new(name, id(me), id(them))
        .with_auth(
            Auth::psk(b"fuzzing-secret".to_vec()),
            Auth::psk(b"fuzzing-secret".to_vec()),
        )
        .with_ike_proposals("aes256gcm16-prfsha256-x25519")
        .expect("IKE proposal")
        .with_child(
            ChildConfig::new("net")
                .with_ts(l, r)
                .expect("traffic selectors")
                .with_esp_proposals("aes256gcm16")
                .expect("ESP proposal"),
        )
}

/// The responder every target uses (fixed seed 2).
pub(crate) fn responder() -> Endpoint {
    responder_with(FragmentConfig::default())
}

/// The initiator every target uses (fixed seed 1), configured for "gw".
pub(crate) fn initiator() -> Endpoint {
    initiator_with(FragmentConfig::default())
}

/// IKE fragmentation (RFC 7383) small enough that IKE_AUTH is split into
/// SKF fragments: what the fragment seeds are recorded with.
pub(crate) fn small_fragments() -> FragmentConfig {
    FragmentConfig {
        fragment_size: ikev2_sm::config::MIN_FRAGMENT_SIZE,
        ..FragmentConfig::default()
    }
}

fn responder_with(frag: FragmentConfig) -> Endpoint {
    Endpoint::new(EndpointConfig::new(
        INSECURE,
        Arc::new(DeterministicRandom::seed_from_u64(2)),
        vec![peer("rw", "@moon", "%any", "10.2.0.0/16", "10.0.0.0/8").with_fragmentation(frag)],
    ))
}

fn initiator_with(frag: FragmentConfig) -> Endpoint {
    Endpoint::new(EndpointConfig::new(
        INSECURE,
        Arc::new(DeterministicRandom::seed_from_u64(1)),
        vec![peer("gw", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16").with_fragmentation(frag)],
    ))
}

/// One decoded record.
pub(crate) struct Record<'a> {
    pub(crate) ctl: u8,
    pub(crate) bytes: &'a [u8],
}

/// Splits a fuzz input into records (see the module docs).
pub(crate) fn records(mut data: &[u8]) -> Vec<Record<'_>> {
    let mut v = Vec::new();
    while v.len() < MAX_RECORDS {
        let Some((&ctl, rest)) = data.split_first() else {
            break;
        };
        let (len, rest) = match rest {
            [a, b, rest @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), rest),
            _ => (rest.len(), &[][..]),
        };
        let len = len.min(rest.len());
        let (bytes, tail) = rest.split_at(len);
        v.push(Record { ctl, bytes });
        data = tail;
    }
    v
}

/// Encodes datagrams as records (for seeds).
pub(crate) fn encode(records: &[(u8, &[u8])]) -> Vec<u8> {
    let mut v = Vec::new();
    for (ctl, bytes) in records {
        v.push(*ctl);
        let len = u16::try_from(bytes.len()).expect("datagram under 64 KiB");
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(bytes);
    }
    v
}

/// What a run saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    /// Datagrams the fed endpoint(s) sent.
    pub(crate) sent: Vec<Vec<u8>>,
    /// Child SAs installed.
    pub(crate) installed: usize,
    /// Child SAs removed.
    pub(crate) removed: usize,
    /// States of the fed endpoint's SAs at the end.
    pub(crate) states: Vec<&'static str>,
}

/// Drains `e`, checking the output count; records what it sent.
fn drain(e: &mut Endpoint, report: &mut Report) -> Vec<ikev2_sm::Transmit> {
    let mut tx = Vec::new();
    for _ in 0..=MAX_OUTPUTS_PER_INPUT {
        match e.poll_output() {
            Output::Timeout(_) => return tx,
            Output::Transmit(t) => {
                report.sent.push(t.bytes.clone());
                tx.push(t);
            }
            Output::InstallChildSa(_) => report.installed += 1,
            Output::RemoveChildSa(_) => report.removed += 1,
            _ => {}
        }
    }
    panic!("more than {MAX_OUTPUTS_PER_INPUT} outputs for one input");
}

/// Our and the peer's SPIs of `e`'s first SA, as the header carries them.
fn first_spis(e: &Endpoint) -> Option<(u64, u64)> {
    let h = *e.handles().first()?;
    let i = e.sa_info(h)?;
    Some((i.spi_i, i.spi_r))
}

/// Feeds one record to `e` (as coming from `from` to `to`), advancing
/// `now`; checks the invariants that do not depend on the target.
fn feed(
    e: &mut Endpoint,
    now: &mut Instant,
    rec: &Record<'_>,
    from: ([u8; 4], u16),
    to: ([u8; 4], u16),
    report: &mut Report,
) -> Vec<ikev2_sm::Transmit> {
    let mut out = Vec::new();
    let advance = u64::from((rec.ctl >> 1) & 7) * 7;
    if advance > 0 {
        *now += Duration::from_secs(advance);
        if e.poll_timeout().is_some_and(|t| t <= *now) {
            e.handle_input(Input::Timeout(*now));
            out.extend(drain(e, report));
            check_timeout(e, *now);
        }
    }
    let mut bytes = rec.bytes.to_vec();
    if rec.ctl & 1 != 0 {
        if let (Some((i, r)), Some(head)) = (first_spis(e), bytes.get_mut(..16)) {
            head[..8].copy_from_slice(&i.to_be_bytes());
            head[8..].copy_from_slice(&r.to_be_bytes());
        }
    }
    let nat_t = rec.ctl & 0x10 != 0;
    e.handle_input(Input::Datagram {
        now: *now,
        src: addr(from, nat_t),
        dst: addr(to, nat_t),
        bytes,
    });
    out.extend(drain(e, report));
    if let Some(t) = e.poll_timeout() {
        assert!(
            t <= *now + Duration::from_secs(86_400),
            "timeout {t:?} over a day away"
        );
    }
    out
}

/// After a due `Input::Timeout(now)`, the next one must lie in the future.
fn check_timeout(e: &Endpoint, now: Instant) {
    if let Some(t) = e.poll_timeout() {
        assert!(
            t > now,
            "poll_timeout {t:?} not after the timeout just handled ({now:?})"
        );
    }
}

fn states(e: &Endpoint) -> Vec<&'static str> {
    e.handles()
        .into_iter()
        .filter_map(|h| e.sa_info(h).map(|i| i.state))
        .collect()
}

/// `sm_responder`: records are datagrams from initiators to a fresh responder.
pub(crate) fn run_responder(data: &[u8]) -> Report {
    let mut r = responder();
    let mut now = Instant::now();
    let mut report = Report::default();
    for (n, rec) in records(data).iter().enumerate() {
        feed(&mut r, &mut now, rec, I_ADDR, R_ADDR, &mut report);
        assert!(
            r.sa_count() <= n + 1,
            "{} SAs after {} datagrams",
            r.sa_count(),
            n + 1
        );
    }
    report.states = states(&r);
    report
}

/// `sm_initiator`: a fresh initiator has sent IKE_SA_INIT; records are the
/// replies it receives.
pub(crate) fn run_initiator(data: &[u8]) -> Report {
    let mut i = initiator();
    let mut now = Instant::now();
    let mut report = Report::default();
    i.initiate(now, "gw", addr(I_ADDR, false), addr(R_ADDR, false))
        .expect("initiate");
    drain(&mut i, &mut report);
    for (n, rec) in records(data).iter().enumerate() {
        feed(&mut i, &mut now, rec, R_ADDR, I_ADDR, &mut report);
        // Replies never create an SA of ours. A record that is an
        // IKE_SA_INIT request may create a responder SA (both ends may
        // initiate at once), one per record at most; our own request
        // reflected back creates none.
        let ours = i
            .handles()
            .into_iter()
            .filter(|&h| i.sa_info(h).is_some_and(|s| s.initiator))
            .count();
        assert!(ours <= 1, "replies created SAs of ours: {ours}");
        assert!(
            i.sa_count() <= n + 2,
            "{} SAs after {} datagrams",
            i.sa_count(),
            n + 1
        );
    }
    report.states = states(&i);
    report
}

/// Runs a real exchange between a fresh initiator and responder; returns
/// both, established, and the datagrams each sent.
pub(crate) fn established_pair(now: Instant) -> (Endpoint, Endpoint, Vec<Vec<u8>>, Vec<Vec<u8>>) {
    established_pair_with(now, FragmentConfig::default())
}

/// [`established_pair`] with both sides on `frag`.
pub(crate) fn established_pair_with(
    now: Instant,
    frag: FragmentConfig,
) -> (Endpoint, Endpoint, Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let (mut i, mut r) = (initiator_with(frag), responder_with(frag));
    let (mut to_r, mut to_i) = (Vec::new(), Vec::new());
    i.initiate(now, "gw", addr(I_ADDR, false), addr(R_ADDR, false))
        .expect("initiate");
    for _ in 0..3 {
        pump(&mut i, &mut r, now, &mut to_r);
        pump(&mut r, &mut i, now, &mut to_i);
    }
    (i, r, to_r, to_i)
}

/// Hands every datagram `from` emits to `to` until `from` has nothing
/// more; logs the datagrams.
fn pump(from: &mut Endpoint, to: &mut Endpoint, now: Instant, log: &mut Vec<Vec<u8>>) {
    loop {
        match from.poll_output() {
            Output::Transmit(t) => {
                log.push(t.bytes.clone());
                to.handle_input(Input::Datagram {
                    now,
                    src: t.src,
                    dst: t.dst,
                    bytes: t.bytes,
                });
            }
            Output::Timeout(_) => return,
            _ => {}
        }
    }
}

/// The responder of [`established_pair`] rekeys the IKE SA: its request,
/// and the initiator's answer to it.
pub(crate) fn responder_ike_rekey(now: Instant) -> (Vec<u8>, Vec<u8>) {
    let (mut i, mut r, _, _) = established_pair(now);
    let h = *r.handles().first().expect("SA");
    r.rekey_ike_sa(now, h).expect("rekey IKE");
    let (mut req, mut resp) = (Vec::new(), Vec::new());
    pump(&mut r, &mut i, now, &mut req);
    pump(&mut i, &mut r, now, &mut resp);
    (
        req.into_iter().next().expect("request"),
        resp.into_iter().next().expect("response"),
    )
}

/// The CREATE_CHILD_SA requests the initiator of [`established_pair`]
/// sends first for: a new Child SA, a rekey of its Child SA, a rekey of
/// the IKE SA (each as the first request after IKE_AUTH, message ID 2).
pub(crate) fn create_child_requests(now: Instant) -> Vec<Vec<u8>> {
    type Cmd = fn(&mut Endpoint, Instant, ikev2_sm::SaHandle, u32);
    let cmds: [Cmd; 3] = [
        |e, now, h, _| e.create_child_sa(now, h, "net").expect("create"),
        |e, now, h, spi| e.rekey_child_sa(now, h, spi).expect("rekey child"),
        |e, now, h, _| e.rekey_ike_sa(now, h).expect("rekey IKE"),
    ];
    cmds.iter()
        .map(|cmd| {
            let (mut i, _, _, _) = established_pair(now);
            let h = *i.handles().first().expect("SA");
            let spi = i
                .sa_info(h)
                .and_then(|s| s.children.first().map(|c| c.spi_in))
                .expect("child");
            cmd(&mut i, now, h, spi);
            loop {
                match i.poll_output() {
                    Output::Transmit(t) => return t.bytes,
                    Output::Timeout(_) => panic!("no request"),
                    _ => {}
                }
            }
        })
        .collect()
}

/// The responder's answers to requests the initiator of
/// [`established_pair`] starts on its fresh SA with the `ctl` bits 6-7 (and
/// 1-3) of [`command`]: what `sm_established` must feed the initiator (bit 5
/// clear, same `ctl`) to reach its response handlers.
pub(crate) fn answers_to_initiator(now: Instant, ctl: u8) -> Vec<Vec<u8>> {
    let (mut i, mut r, _, _) = established_pair(now);
    let mut report = Report::default();
    command(&mut i, now, ctl & 0xce, &mut report);
    let mut answers = Vec::new();
    for req in report.sent {
        r.handle_input(Input::Datagram {
            now,
            src: addr(I_ADDR, false),
            dst: addr(R_ADDR, false),
            bytes: req,
        });
        loop {
            match r.poll_output() {
                Output::Transmit(t) => answers.push(t.bytes),
                Output::Timeout(_) => break,
                _ => {}
            }
        }
    }
    answers
}

/// `sm_established`: a real exchange first, then records go to the
/// initiator (bit 5 clear) or the responder (bit 5 set).
pub(crate) fn run_established(data: &[u8]) -> Report {
    let mut now = Instant::now();
    let (mut i, mut r, _, _) = established_pair(now);
    assert_eq!(states(&i), ["established"]);
    assert_eq!(states(&r), ["established"]);
    let mut report = Report::default();
    for (n, rec) in records(data).iter().enumerate() {
        let target = if rec.ctl & 0x20 != 0 { &mut r } else { &mut i };
        command(target, now, rec.ctl, &mut report);
        if rec.ctl & 0x20 != 0 {
            feed(&mut r, &mut now, rec, I_ADDR, R_ADDR, &mut report);
        } else {
            feed(&mut i, &mut now, rec, R_ADDR, I_ADDR, &mut report);
        }
        // Each record adds at most three SAs: one by its datagram (an IKE
        // SA rekey request or response, or an IKE_SA_INIT request; the old
        // SA stays until its Delete), one by its command (a
        // reauthentication starts a new IKE SA at once) and one by the
        // timers its clock advance fires (a reauthentication retry).
        let bound = 1 + 3 * (n + 1);
        assert!(r.sa_count() <= bound, "{} responder SAs", r.sa_count());
        assert!(i.sa_count() <= bound, "{} initiator SAs", i.sa_count());
    }
    for e in [&i, &r] {
        for h in e.handles() {
            // The first Child SA plus one per install seen (CREATE_CHILD_SA).
            let children = e.sa_info(h).map_or(0, |s| s.children.len());
            assert!(
                children <= 1 + report.installed,
                "{children} Child SAs, {} installed",
                report.installed
            );
        }
    }
    assert!(
        report.removed <= report.installed + 2,
        "{} Child SAs removed, {} installed",
        report.removed,
        report.installed
    );
    report.states = states(&r);
    report
}

/// Bits 6 and 7 of `ctl`: user commands on `e`'s first SA before the
/// datagram (their refusals are part of the API, not failures).
fn command(e: &mut Endpoint, now: Instant, ctl: u8, report: &mut Report) {
    let Some(h) = e.handles().first().copied() else {
        return;
    };
    let child = e.sa_info(h).and_then(|s| s.children.first().cloned());
    if ctl & 0xce == 0xce {
        let _ = e.reauthenticate(now, h);
        drain(e, report);
        return;
    }
    if ctl & 0xc0 == 0xc0 && (ctl >> 1) & 3 != 3 {
        let _ = match (ctl >> 1) & 3 {
            0 => e.create_child_sa(now, h, "net"),
            1 => match child {
                Some(c) => e.rekey_child_sa(now, h, c.spi_in),
                None => Ok(()),
            },
            _ => e.rekey_ike_sa(now, h),
        };
        drain(e, report);
        return;
    }
    if ctl & 0x40 != 0 {
        let _ = e.liveness_check(now, h);
    }
    if ctl & 0x80 != 0 {
        if let Some(c) = child {
            let _ = e.delete_child_sa(now, h, c.spi_in);
        }
    }
    drain(e, report);
}
