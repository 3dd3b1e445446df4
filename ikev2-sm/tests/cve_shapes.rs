//! CVE-shaped inputs to the state machine. Each test transcribes the input
//! shape of one entry of the CVE table collected from the implementations'
//! advisories (strongSwan `NEWS`, Libreswan `security/CVE-*.txt`; the
//! source is named on each test) and asserts what RFC 7296 asks of us: no
//! panic, a typed answer or a counted drop, no state change where the
//! message must not act, and an SA that still works afterwards.
//!
//! Messages after IKE_SA_INIT are forged with the SA's real keys (exported
//! with `Endpoint::ike_sa_secrets`), so they pass the integrity check and
//! reach the handler the advisory is about: the hostile peer is an
//! authenticated one (or one that completed IKE_SA_INIT).
//!
//! The property tests at the end state the general rule the advisories
//! break: a datagram that fails authentication (any mutation of a genuine
//! one, any forged SKF fragment) is counted once and changes nothing
//! observable, and the genuine message is processed afterwards.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::{addr, endpoint, I_ADDR, R_ADDR};

use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::AES256_GCM16;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::sk::{decrypt_sk, encrypt_sk, SkKeys};
use ikev2_crypto::SupportedEncr;
use ikev2_sm::config::{Auth, ChildConfig, FragmentConfig, Identity, PeerConfig};
use ikev2_sm::events::{Event, Failure, FailureKind};
use ikev2_sm::{Endpoint, Input, Output, SaHandle, Transmit};
use ikev2_wire::{MessageRepr, NotifyType, PayloadBody};

const PSK: &[u8] = b"a long shared secret";

// Exchange types and payload types (RFC 7296 §3.1, §3.2).
const IKE_AUTH: u8 = 35;
const CREATE_CHILD_SA: u8 = 36;
const INFORMATIONAL: u8 = 37;
const P_SA: u8 = 33;
const P_KE: u8 = 34;
const P_TSI: u8 = 44;
const P_TSR: u8 = 45;
const P_NONCE: u8 = 40;
const P_NOTIFY: u8 = 41;
const P_DELETE: u8 = 42;
const FLAG_INITIATOR: u8 = 0x08;

fn peer(name: &str, me: &str, them: &str, l: &str, r: &str) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse(me).unwrap(),
        Identity::parse(them).unwrap(),
    )
    .with_auth(Auth::psk(PSK.to_vec()), Auth::psk(PSK.to_vec()))
    .with_ike_proposals("aes256gcm16-prfsha256-x25519")
    .unwrap()
    .with_child(
        ChildConfig::new("net")
            .with_ts(l, r)
            .unwrap()
            .with_esp_proposals("aes256gcm16")
            .unwrap(),
    )
}

fn responder() -> Endpoint {
    responder_with(FragmentConfig::default())
}

fn initiator_with(frag: FragmentConfig) -> Endpoint {
    let p = peer("gw", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16");
    endpoint(11, p.with_fragmentation(frag))
}

fn responder_with(frag: FragmentConfig) -> Endpoint {
    let p = peer("rw", "@moon", "@sun", "10.2.0.0/16", "10.1.0.0/16");
    endpoint(12, p.with_fragmentation(frag))
}

/// Everything `e` has queued: datagrams and events.
fn drain(e: &mut Endpoint) -> (Vec<Transmit>, Vec<Event>) {
    let (mut tx, mut ev) = (Vec::new(), Vec::new());
    loop {
        match e.poll_output() {
            Output::Timeout(_) => return (tx, ev),
            Output::Transmit(t) => tx.push(t),
            Output::Event { event, .. } => ev.push(event),
            _ => {}
        }
    }
}

fn deliver(e: &mut Endpoint, now: Instant, t: Transmit) {
    e.handle_input(Input::Datagram {
        now,
        src: t.src,
        dst: t.dst,
        bytes: t.bytes,
    });
}

fn to_r(r: &mut Endpoint, now: Instant, bytes: Vec<u8>) {
    r.handle_input(Input::Datagram {
        now,
        src: addr(I_ADDR),
        dst: addr(R_ADDR),
        bytes,
    });
}

/// Hands every datagram `from` has queued to `to`; returns `from`'s events.
fn pump(from: &mut Endpoint, to: &mut Endpoint, now: Instant) -> Vec<Event> {
    let (tx, ev) = drain(from);
    for t in tx {
        deliver(to, now, t);
    }
    ev
}

/// The responder has answered IKE_SA_INIT and the initiator has its
/// IKE_AUTH request ready (returned, not delivered).
struct HalfOpen {
    i: Endpoint,
    r: Endpoint,
    now: Instant,
    init_req: Vec<u8>,
    auth_req: Transmit,
}

fn half_open() -> HalfOpen {
    half_open_with(FragmentConfig::default()).0
}

/// [`half_open`] with fragmentation set to `frag` on both ends; also
/// returns every datagram of the IKE_AUTH request (its SKF fragments).
fn half_open_with(frag: FragmentConfig) -> (HalfOpen, Vec<Vec<u8>>) {
    let now = Instant::now();
    let (mut i, mut r) = (initiator_with(frag), responder_with(frag));
    i.initiate(now, "gw", addr(I_ADDR), addr(R_ADDR)).unwrap();
    let (mut tx, _) = drain(&mut i);
    let init = tx.pop().unwrap();
    let init_req = init.bytes.clone();
    deliver(&mut r, now, init);
    pump(&mut r, &mut i, now);
    let (mut tx, _) = drain(&mut i);
    let all = tx.iter().map(|t| t.bytes.clone()).collect();
    let auth_req = tx.pop().unwrap();
    (
        HalfOpen {
            i,
            r,
            now,
            init_req,
            auth_req,
        },
        all,
    )
}

struct Pair {
    i: Endpoint,
    r: Endpoint,
    now: Instant,
    /// The next message ID of the initiator's requests: the real
    /// initiator's window falls behind once we forge requests in its name,
    /// so after that only forged requests go that way.
    next_mid: u32,
}

fn established() -> Pair {
    let HalfOpen {
        mut i,
        mut r,
        now,
        auth_req,
        ..
    } = half_open();
    deliver(&mut r, now, auth_req);
    pump(&mut r, &mut i, now);
    drain(&mut i);
    for e in [&i, &r] {
        let h = e.handles()[0];
        let info = e.sa_info(h).unwrap();
        assert_eq!(info.state, "established");
        assert_eq!(info.children.len(), 1);
    }
    Pair {
        i,
        r,
        now,
        next_mid: 2,
    }
}

fn handle(e: &Endpoint) -> SaHandle {
    e.handles()[0]
}

/// The SK keys `e`'s SA uses for messages from the initiator (`true`) or
/// the responder.
fn keys(e: &Endpoint, from_initiator: bool) -> SkKeys {
    let s = e.ike_sa_secrets(handle(e)).unwrap();
    let sk_e = if from_initiator { &s.sk_ei } else { &s.sk_er };
    SkKeys::new(
        SupportedEncr::Aead(&AES256_GCM16),
        None,
        sk_e.as_bytes(),
        &[],
    )
    .unwrap()
}

/// An SK message of `e`'s SA as its initiator would send it (a request:
/// Initiator flag set), with `inner` (first payload type `first`) inside.
fn forge_from_initiator(e: &Endpoint, exchange: u8, mid: u32, first: u8, inner: &[u8]) -> Vec<u8> {
    let info = e.sa_info(handle(e)).unwrap();
    let mut header = Vec::with_capacity(28);
    header.extend_from_slice(&info.spi_i.to_be_bytes());
    header.extend_from_slice(&info.spi_r.to_be_bytes());
    header.extend_from_slice(&[0, 0x20, exchange, FLAG_INITIATOR]);
    header.extend_from_slice(&mid.to_be_bytes());
    header.extend_from_slice(&[0; 4]);
    let rng = DeterministicRandom::seed_from_u64(99);
    encrypt_sk(&keys(e, true), &rng, &header, first, inner).unwrap()
}

/// A generic payload header and body.
fn payload(next: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![next, 0];
    v.extend_from_slice(&u16::try_from(body.len() + 4).unwrap().to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A Notify body: Protocol ID, SPI, type, data.
fn notify(protocol: u8, spi: &[u8], ty: u16, data: &[u8]) -> Vec<u8> {
    let mut v = vec![protocol, u8::try_from(spi.len()).unwrap()];
    v.extend_from_slice(&ty.to_be_bytes());
    v.extend_from_slice(spi);
    v.extend_from_slice(data);
    v
}

/// The responder's answer to a forged request: (Next Payload of the
/// first inner payload, notify types inside).
fn open_response(r: &Endpoint, bytes: &[u8]) -> Vec<NotifyType> {
    open_with(&keys(r, false), bytes)
}

/// [`open_response`] with the keys given (the SA may be gone).
fn open_with(keys: &SkKeys, bytes: &[u8]) -> Vec<NotifyType> {
    let (first, inner) = decrypt_sk(bytes, keys).unwrap();
    // Rebuild a plain message to parse the inner chain with the codecs.
    let mut msg = bytes[..28].to_vec();
    msg[16] = first;
    let len = u32::try_from(28 + inner.len()).unwrap();
    msg[24..28].copy_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(&inner);
    let m = MessageRepr::parse(&msg).unwrap();
    m.payloads
        .iter()
        .filter_map(|p| match &p.body {
            PayloadBody::Notify(n) => Some(n.notify_type),
            _ => None,
        })
        .collect()
}

/// The SA still works both ways: the responder's own liveness check is
/// answered by the initiator, and an empty INFORMATIONAL request in the
/// initiator's name (the next message ID) is answered by the responder.
fn assert_alive(p: &mut Pair, what: &str) {
    let before = p.r.stats().initiated.informational;
    let h = handle(&p.r);
    p.r.liveness_check(p.now, h).unwrap();
    pump(&mut p.r, &mut p.i, p.now);
    pump(&mut p.i, &mut p.r, p.now);
    drain(&mut p.r);
    assert_eq!(
        p.r.stats().initiated.informational,
        before + 1,
        "{what}: the responder's liveness check went unanswered"
    );
    let answered = p.r.stats().info.liveness_answered;
    let forged = forge_from_initiator(&p.r, INFORMATIONAL, p.next_mid, 0, &[]);
    p.next_mid += 1;
    to_r(&mut p.r, p.now, forged);
    let (tx, _) = drain(&mut p.r);
    assert_eq!(tx.len(), 1, "{what}: liveness check unanswered");
    assert!(open_response(&p.r, &tx[0].bytes).is_empty());
    assert_eq!(p.r.stats().info.liveness_answered, answered + 1, "{what}");
}

fn children(e: &Endpoint) -> Vec<u32> {
    e.sa_info(handle(e))
        .unwrap()
        .children
        .iter()
        .map(|c| c.spi_in)
        .collect()
}

/// strongSwan CVE-2014-2338 (`NEWS`): an IKE SA rekey (CREATE_CHILD_SA)
/// received while IKE_AUTH was in progress set the SA established without
/// authentication. Here: CREATE_CHILD_SA and (Libreswan CVE-2019-12312,
/// `security/CVE-2019-12312.txt`) INFORMATIONAL with message ID 1 right
/// after IKE_SA_INIT, integrity-protected with the new SA's real keys.
#[test]
fn cve_2014_2338_and_2019_12312_exchanges_before_ike_auth_are_dropped() {
    for (exchange, first, inner) in [
        // An IKE SA rekey: SA, Nonce, KE (contents do not matter: the
        // exchange must not be processed at all).
        (
            CREATE_CHILD_SA,
            P_SA,
            [payload(P_NONCE, &[0; 8]), payload(P_KE, &[0; 16])].concat(),
        ),
        (INFORMATIONAL, 0, Vec::new()),
        (
            INFORMATIONAL,
            P_DELETE,
            // Delete of the IKE SA (Protocol 1, no SPIs).
            payload(0, &[1, 0, 0, 0]),
        ),
    ] {
        let mut h = half_open();
        let sa = handle(&h.r);
        let before = h.r.sa_info(sa).unwrap();
        assert_eq!(before.state, "IKE_SA_INIT answered");
        let dropped = h.r.stats().dropped.invalid_message;
        let forged = forge_from_initiator(&h.r, exchange, 1, first, &inner);
        to_r(&mut h.r, h.now, forged);
        let (tx, ev) = drain(&mut h.r);
        assert!(tx.is_empty(), "exchange {exchange} answered: {ev:?}");
        assert_eq!(h.r.sa_info(sa).unwrap(), before, "exchange {exchange}");
        assert_eq!(h.r.stats().dropped.invalid_message, dropped + 1);
        // The genuine IKE_AUTH (same message ID) still establishes.
        deliver(&mut h.r, h.now, h.auth_req);
        pump(&mut h.r, &mut h.i, h.now);
        assert_eq!(h.r.sa_info(sa).unwrap().state, "established");
        assert_eq!(h.i.sa_info(handle(&h.i)).unwrap().state, "established");
    }
}

/// strongSwan/Openswan CVE-2009-0790 (`NEWS`): a notify for which no state
/// exists crashed pluto. An INFORMATIONAL request (unprotected, and
/// SK-shaped) naming SPIs we never issued is counted and ignored.
#[test]
fn cve_2009_0790_informational_for_a_nonexistent_sa_is_ignored() {
    let mut p = established();
    let stats = p.r.stats().clone();
    let before = p.r.sa_info(handle(&p.r)).unwrap();
    let mut m = Vec::new();
    m.extend_from_slice(&0x1111_2222_3333_4444u64.to_be_bytes());
    m.extend_from_slice(&0x5555_6666_7777_8888u64.to_be_bytes());
    m.extend_from_slice(&[P_NOTIFY, 0x20, INFORMATIONAL, FLAG_INITIATOR, 0, 0, 0, 0]);
    // R_U_THERE's IKEv2 counterpart is an empty INFORMATIONAL; carry a
    // notify (status 16393, a type we do not know) to be sure.
    let body = payload(0, &notify(1, &[], 36136, &[]));
    m.extend_from_slice(&u32::try_from(28 + body.len()).unwrap().to_be_bytes());
    m.extend_from_slice(&body);
    to_r(&mut p.r, p.now, m.clone());
    // And as an SK message under unknown SPIs.
    m[16] = 46;
    to_r(&mut p.r, p.now, m);
    let (tx, ev) = drain(&mut p.r);
    assert!(tx.is_empty() && ev.is_empty(), "{ev:?}");
    assert_eq!(
        p.r.stats().dropped.unknown_spi,
        stats.dropped.unknown_spi + 2
    );
    assert_eq!(p.r.sa_info(handle(&p.r)).unwrap(), before);
    assert_alive(&mut p, "CVE-2009-0790");
}

/// Libreswan CVE-2013-6467 (`security/CVE-2013-6467.txt`): withholding
/// mandatory IKEv2 payloads crashed pluto. IKE_SA_INIT without SA, KE or
/// Ni, and with each duplicated: no SA is kept, nothing panics.
#[test]
fn cve_2013_6467_ike_sa_init_missing_or_duplicated_payloads() {
    let h = half_open();
    let init = MessageRepr::parse(&h.init_req).unwrap();
    let types: Vec<u8> = init
        .payloads
        .iter()
        .map(|p| u8::from(p.body.payload_type()))
        .collect();
    for ty in [P_SA, P_KE, P_NONCE] {
        assert!(types.contains(&ty));
        // Without it.
        let mut m = init.clone();
        m.payloads.retain(|p| u8::from(p.body.payload_type()) != ty);
        // With it twice.
        let mut d = init.clone();
        let at = d
            .payloads
            .iter()
            .position(|p| u8::from(p.body.payload_type()) == ty)
            .unwrap();
        let dup = d.payloads[at].clone();
        d.payloads.insert(at, dup);
        // Without it: no SA, at most an error notify.
        let mut r = responder();
        to_r(&mut r, h.now, m.to_vec().unwrap());
        let (tx, _) = drain(&mut r);
        assert_eq!(r.sa_count(), 0, "payload {ty} missing: SA kept");
        assert!(tx.len() <= 1, "payload {ty} missing");
        if let Some(t) = tx.first() {
            let a = MessageRepr::parse(&t.bytes).unwrap();
            assert!(
                matches!(&a.payloads[0].body, PayloadBody::Notify(n) if n.notify_type.is_error()),
                "payload {ty} missing: {:?}",
                a.payloads
            );
        }
        // Twice: the first one counts (as strongSwan's parser rules allow
        // one, we allow the first); never more than one SA, and the answer
        // carries exactly one SA, KE and Nonce of its own.
        let mut r = responder();
        to_r(&mut r, h.now, d.to_vec().unwrap());
        let (tx, _) = drain(&mut r);
        assert!(r.sa_count() <= 1, "payload {ty} duplicated");
        assert_eq!(tx.len(), 1, "payload {ty} duplicated");
        let a = MessageRepr::parse(&tx[0].bytes).unwrap();
        let count = |t: u8| {
            a.payloads
                .iter()
                .filter(|p| u8::from(p.body.payload_type()) == t)
                .count()
        };
        if r.sa_count() == 1 {
            assert_eq!(
                (count(P_SA), count(P_KE), count(P_NONCE)),
                (1, 1, 1),
                "payload {ty} duplicated"
            );
        }
    }
}

/// Libreswan CVE-2013-6467, IKE_AUTH half: a request without IDi, AUTH,
/// SA or TSi/TSr (integrity-protected with the real keys) fails the SA
/// with a typed failure and installs nothing.
#[test]
fn cve_2013_6467_ike_auth_missing_payloads() {
    let h = half_open();
    let auth = {
        let keys = keys(&h.r, true);
        let (first, inner) = decrypt_sk(&h.auth_req.bytes, &keys).unwrap();
        (first, inner)
    };
    // The genuine inner chain, as payloads.
    let mut plain = h.auth_req.bytes[..28].to_vec();
    plain[16] = auth.0;
    plain[24..28].copy_from_slice(&u32::try_from(28 + auth.1.len()).unwrap().to_be_bytes());
    plain.extend_from_slice(&auth.1);
    let genuine = MessageRepr::parse(&plain).unwrap();
    let types: Vec<u8> = genuine
        .payloads
        .iter()
        .map(|p| u8::from(p.body.payload_type()))
        .collect();
    for ty in [35u8, 39, P_SA, P_TSI, P_TSR] {
        assert!(types.contains(&ty), "{ty} in {types:?}");
        let mut h = half_open();
        let mut m = genuine.clone();
        m.payloads.retain(|p| u8::from(p.body.payload_type()) != ty);
        let v = m.to_vec().unwrap();
        let forged = forge_from_initiator(&h.r, IKE_AUTH, 1, v[16], &v[28..]);
        let answer_keys = keys(&h.r, false);
        to_r(&mut h.r, h.now, forged);
        let (tx, ev) = drain(&mut h.r);
        let sa = handle(&h.r);
        let info = h.r.sa_info(sa).unwrap();
        // Never a Child SA; answered once, with an error notify.
        assert!(info.children.is_empty(), "without {ty}");
        assert_eq!(tx.len(), 1, "without {ty}");
        let notes = open_with(&answer_keys, &tx[0].bytes);
        assert!(
            notes.iter().any(|n| n.is_error()),
            "without {ty}: {notes:?}"
        );
        if ty == 35 || ty == 39 {
            // Without IDi or AUTH there is no authentication: a typed failure.
            assert_ne!(info.state, "established", "without {ty}");
            assert!(
                ev.iter().any(|e| matches!(e, Event::Failed { .. })),
                "without {ty}: no typed failure in {ev:?}"
            );
        }
    }
}

/// Replaces the SA payload of the initiator's IKE_SA_INIT with one
/// proposal of `transforms` (type, id, optional key length).
fn init_with_proposal(init_req: &[u8], transforms: &[(u8, u16, Option<u16>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (n, (ty, id, key)) in transforms.iter().enumerate() {
        let attrs = key.map_or_else(Vec::new, |k| {
            let mut a = vec![0x80, 14];
            a.extend_from_slice(&k.to_be_bytes());
            a
        });
        let last = n + 1 == transforms.len();
        body.push(if last { 0 } else { 3 });
        body.push(0);
        body.extend_from_slice(&u16::try_from(8 + attrs.len()).unwrap().to_be_bytes());
        body.extend_from_slice(&[*ty, 0]);
        body.extend_from_slice(&id.to_be_bytes());
        body.extend_from_slice(&attrs);
    }
    let mut prop = vec![0, 0];
    prop.extend_from_slice(&u16::try_from(8 + body.len()).unwrap().to_be_bytes());
    prop.extend_from_slice(&[1, 1, 0, u8::try_from(transforms.len()).unwrap()]);
    prop.extend_from_slice(&body);
    let mut m = MessageRepr::parse(init_req).unwrap().into_owned();
    let sa_raw = payload(0, &prop);
    // Parse the new SA payload through a one-payload message.
    let mut one = init_req[..28].to_vec();
    one[16] = P_SA;
    one[24..28].copy_from_slice(&u32::try_from(28 + sa_raw.len()).unwrap().to_be_bytes());
    one.extend_from_slice(&sa_raw);
    let sa = MessageRepr::parse(&one)
        .unwrap()
        .into_owned()
        .payloads
        .remove(0);
    let at = m
        .payloads
        .iter()
        .position(|p| u8::from(p.body.payload_type()) == P_SA)
        .unwrap();
    m.payloads[at] = sa;
    m.to_vec().unwrap()
}

/// The only notify of an unprotected IKE_SA_INIT answer.
fn init_answer(tx: &[Transmit]) -> Option<NotifyType> {
    let t = tx.first()?;
    let a = MessageRepr::parse(&t.bytes).unwrap();
    match &a.payloads.first()?.body {
        PayloadBody::Notify(n) => Some(n.notify_type),
        _ => None,
    }
}

/// Libreswan CVE-2016-5391 (no D-H transform in an IKE proposal), CVE-2016-3071
/// and strongSwan CVE-2018-10811 (a transform the crypto backend cannot
/// instantiate: AES-XCBC, PRF_HMAC_MD5): NO_PROPOSAL_CHOSEN, no SA, and a
/// typed NoProposalChosen failure naming the offer.
#[test]
fn cve_2016_5391_2016_3071_2018_10811_unusable_ike_proposals() {
    let h = half_open();
    let gcm = (1, 20, Some(256));
    let prf = (2, 5, None);
    let dh = (4, 31, None);
    for (what, t) in [
        ("no D-H transform", vec![gcm, prf]),
        ("PRF_HMAC_MD5 only", vec![gcm, (2, 1, None), dh]),
        ("AES-XCBC PRF", vec![gcm, (2, 4, None), dh]),
        (
            "AES-CBC with AUTH_AES_XCBC_96",
            vec![(1, 12, Some(256)), prf, (3, 5, None), dh],
        ),
        (
            "AES-CBC without integrity",
            vec![(1, 12, Some(256)), prf, dh],
        ),
        ("no encryption", vec![prf, dh]),
    ] {
        let mut r = responder();
        let errors_before = r.errors().total();
        to_r(&mut r, h.now, init_with_proposal(&h.init_req, &t));
        let (tx, ev) = drain(&mut r);
        assert_eq!(r.sa_count(), 0, "{what}");
        assert_eq!(
            init_answer(&tx),
            Some(NotifyType::NoProposalChosen),
            "{what}"
        );
        assert!(
            ev.iter().any(|e| matches!(
                e,
                Event::Failed {
                    reason: Failure::NoProposalChosen { .. }
                }
            )),
            "{what}: {ev:?}"
        );
        assert!(
            r.errors().total() > errors_before,
            "{what}: not in the error history"
        );
    }
}

/// strongSwan CVE-2014-9221 (`NEWS`): a KE payload naming DH group 1025
/// (a private-use number) dereferenced an invalid pointer. Libreswan
/// CVE-2015-3240: g^x = 0. strongSwan CVE-2023-41913: KE data longer than
/// the group's. None may create an SA.
#[test]
fn cve_2014_9221_2015_3240_2023_41913_hostile_ke_payloads() {
    let h = half_open();
    let init = MessageRepr::parse(&h.init_req).unwrap();
    let at = init
        .payloads
        .iter()
        .position(|p| u8::from(p.body.payload_type()) == P_KE)
        .unwrap();
    type Mutate = fn(&mut ikev2_wire::KeRepr<'static>);
    let cases: [(&str, Mutate, Option<NotifyType>); 5] = [
        (
            "group 1025",
            |k| k.group = ikev2_wire::KeId::from(1025),
            Some(NotifyType::InvalidKePayload),
        ),
        (
            "all-zero X25519 value",
            |k| k.data = vec![0; 32].into(),
            None,
        ),
        (
            "65 octets for X25519",
            |k| k.data = vec![9; 65].into(),
            None,
        ),
        ("empty KE data", |k| k.data = Vec::new().into(), None),
        ("4000 octets", |k| k.data = vec![0xff; 4000].into(), None),
    ];
    for (what, f, want) in cases {
        let mut m = init.clone().into_owned();
        match &mut m.payloads[at].body {
            PayloadBody::Ke(k) => f(k),
            other => panic!("{other:?}"),
        }
        let mut r = responder();
        to_r(&mut r, h.now, m.to_vec().unwrap());
        let (tx, _) = drain(&mut r);
        assert_eq!(r.sa_count(), 0, "{what}: SA kept");
        let answer = init_answer(&tx);
        if let Some(want) = want {
            assert_eq!(answer, Some(want), "{what}");
        } else {
            // An error notify or silence; never a successful IKE_SA_INIT.
            assert!(answer.is_none_or(|n| n.is_error()), "{what}: {answer:?}");
            assert!(tx.len() <= 1, "{what}");
            if let Some(t) = tx.first() {
                let a = MessageRepr::parse(&t.bytes).unwrap();
                assert!(
                    a.payloads
                        .iter()
                        .all(|p| u8::from(p.body.payload_type()) != P_KE),
                    "{what}: answered with a KE"
                );
            }
        }
    }
}

/// A CREATE_CHILD_SA request forged on the established pair; returns the
/// responder's notify types.
fn create_child(p: &mut Pair, what: &str, first: u8, inner: &[u8]) -> Vec<NotifyType> {
    let forged = forge_from_initiator(&p.r, CREATE_CHILD_SA, p.next_mid, first, inner);
    p.next_mid += 1;
    to_r(&mut p.r, p.now, forged);
    let (tx, ev) = drain(&mut p.r);
    assert_eq!(
        tx.len(),
        1,
        "{what}: one answer ({ev:?}, {:?})",
        p.r.stats().dropped
    );
    open_response(&p.r, &tx[0].bytes)
}

/// An ESP proposal body of `transforms` with a 4-octet SPI.
fn esp_sa(transforms: &[(u8, u16, Option<u16>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (n, (ty, id, key)) in transforms.iter().enumerate() {
        let attrs = key.map_or_else(Vec::new, |k| {
            let mut a = vec![0x80, 14];
            a.extend_from_slice(&k.to_be_bytes());
            a
        });
        body.push(if n + 1 == transforms.len() { 0 } else { 3 });
        body.push(0);
        body.extend_from_slice(&u16::try_from(8 + attrs.len()).unwrap().to_be_bytes());
        body.extend_from_slice(&[*ty, 0]);
        body.extend_from_slice(&id.to_be_bytes());
        body.extend_from_slice(&attrs);
    }
    let mut prop = vec![0, 0];
    prop.extend_from_slice(&u16::try_from(12 + body.len()).unwrap().to_be_bytes());
    prop.extend_from_slice(&[1, 3, 4, u8::try_from(transforms.len()).unwrap()]);
    prop.extend_from_slice(&[0x0a, 0xbc, 0xde, 0xf1]);
    prop.extend_from_slice(&body);
    prop
}

/// A TS payload body with one IPv4 selector.
fn ts_v4(lo: [u8; 4], hi: [u8; 4]) -> Vec<u8> {
    let mut v = vec![1, 0, 0, 0, 7, 0, 0, 16, 0, 0, 0xff, 0xff];
    v.extend_from_slice(&lo);
    v.extend_from_slice(&hi);
    v
}

/// A CREATE_CHILD_SA (new Child SA) chain: SA, Ni, TSi, TSr.
fn new_child_chain(sa: &[u8], tsi: &[u8], tsr: &[u8]) -> Vec<u8> {
    [
        payload(P_NONCE, sa),
        payload(P_TSI, &[7; 32]),
        payload(P_TSR, tsi),
        payload(0, tsr),
    ]
    .concat()
}

/// Libreswan CVE-2023-38710 (`security/CVE-2023-38710.txt`): a rekey whose
/// REKEY_SA notify has Protocol ID 0 or 1 made the INVALID_SPI answer
/// assert. Libreswan CVE-2024-3652: a Child SA proposal with AES-GMAC
/// (zero-length encryption keying material). Libreswan CVE-2023-23009:
/// malformed traffic selectors from an authenticated peer. Each gets an
/// error answer; the Child SA set is unchanged and the SA keeps working.
#[test]
fn cve_2023_38710_2024_3652_2023_23009_hostile_create_child_sa() {
    let mut p = established();
    let child = children(&p.r);
    let gcm = esp_sa(&[(1, 20, Some(256)), (5, 0, None)]);
    let net_i = ts_v4([10, 1, 0, 0], [10, 1, 255, 255]);
    let net_r = ts_v4([10, 2, 0, 0], [10, 2, 255, 255]);
    let spi = child[0].to_be_bytes();
    let mut cases: Vec<(&str, u8, Vec<u8>)> = Vec::new();
    for proto in [0u8, 1, 4, 255] {
        // N(REKEY_SA) (16393) with a bad Protocol ID, first in the chain.
        let n = payload(P_SA, &notify(proto, &spi, 16393, &[]));
        cases.push((
            "REKEY_SA with a bad Protocol ID",
            P_NOTIFY,
            [n, new_child_chain(&gcm, &net_i, &net_r)].concat(),
        ));
    }
    // REKEY_SA for an SPI we do not have.
    cases.push((
        "REKEY_SA of an unknown SPI",
        P_NOTIFY,
        [
            payload(P_SA, &notify(3, &[1, 2, 3, 4], 16393, &[])),
            new_child_chain(&gcm, &net_i, &net_r),
        ]
        .concat(),
    ));
    // AES-GMAC (ENCR_NULL_AUTH_AES_GMAC, 21) and ENCR_NULL with no integrity.
    for t in [
        vec![(1u8, 21u16, Some(256u16)), (5, 0, None)],
        vec![(1, 11, None), (5, 0, None)],
        vec![(1, 20, Some(0)), (5, 0, None)],
    ] {
        cases.push((
            "unusable ESP proposal",
            P_SA,
            new_child_chain(&esp_sa(&t), &net_i, &net_r),
        ));
    }
    // CVE-2023-23009 shapes: Number of TSs larger than the payload, a
    // selector length below 16, start above end, unknown TS type.
    let mut count = net_i.clone();
    count[0] = 3;
    let mut short = net_i.clone();
    short[6..8].copy_from_slice(&8u16.to_be_bytes());
    let backwards = ts_v4([10, 1, 255, 255], [10, 1, 0, 0]);
    let mut unknown = net_i.clone();
    unknown[4] = 99;
    for (what, ts) in [
        ("unparsable TSi", count),
        ("unparsable TSi", short),
        ("unacceptable TSi", backwards),
        ("unacceptable TSi", unknown),
    ] {
        cases.push((what, P_SA, new_child_chain(&gcm, &ts, &net_r)));
    }
    for (what, first, chain) in cases {
        let malformed = p.r.stats().failures(FailureKind::Malformed);
        let notes = create_child(&mut p, what, first, &chain);
        if what == "unparsable TSi" {
            // These do not parse: INVALID_SYNTAX (RFC 7296 §3.10.1),
            // reported, where they used to be dropped unanswered.
            assert_eq!(notes, [NotifyType::InvalidSyntax], "{what}");
            assert_eq!(p.r.stats().failures(FailureKind::Malformed), malformed + 1);
        }
        assert!(
            notes.iter().any(|n| n.is_error()),
            "{what}: answered without an error: {notes:?}"
        );
        assert_eq!(children(&p.r), child, "{what}: Child SAs changed");
        assert_eq!(p.r.sa_info(handle(&p.r)).unwrap().state, "established");
    }
    assert_alive(&mut p, "after hostile CREATE_CHILD_SA");
}

/// Libreswan CVE-2023-38712 (`security/CVE-2023-38712.txt`), its IKEv2
/// analogue: a Delete of the IKE SA followed by more payloads acting on it
/// (a Delete of its Child SA, the same Delete again, a notify). The IKE SA
/// goes once, its Child SA is removed once, the answer is sent once.
#[test]
fn cve_2023_38712_delete_of_the_ike_sa_followed_by_more_payloads() {
    let mut p = established();
    let spi = children(&p.r)[0];
    // The Child SA's outbound SPI is what the peer names in its Delete.
    let out = p.r.sa_info(handle(&p.r)).unwrap().children[0].spi_out;
    let mut del_esp = vec![3, 4, 0, 1];
    del_esp.extend_from_slice(&out.to_be_bytes());
    let chain = [
        payload(P_DELETE, &[1, 0, 0, 0]),
        payload(P_DELETE, &[1, 0, 0, 0]),
        payload(P_NOTIFY, &del_esp),
        payload(P_DELETE, &notify(1, &[], 24, &[])),
        payload(0, &del_esp),
    ]
    .concat();
    let forged = forge_from_initiator(&p.r, INFORMATIONAL, 2, P_DELETE, &chain);
    let mut removed = 0;
    to_r(&mut p.r, p.now, forged);
    let mut tx = Vec::new();
    let mut deleted = 0;
    loop {
        match p.r.poll_output() {
            Output::Timeout(_) => break,
            Output::Transmit(t) => tx.push(t),
            Output::RemoveChildSa(c) => {
                assert_eq!(c.spi_in, spi);
                removed += 1;
            }
            Output::Event {
                event: Event::IkeSaDeleted { .. },
                ..
            } => deleted += 1,
            _ => {}
        }
    }
    assert_eq!((removed, deleted, tx.len()), (1, 1, 1));
    assert_eq!(p.r.sa_count(), 0);
}

/// RFC 7296 §3.10.1: an INFORMATIONAL request that passes the integrity
/// check but does not parse (a Delete whose SPI count overruns it) is
/// answered with INVALID_SYNTAX and reported as `Failure::Malformed`; it
/// used to be dropped unanswered, leaving the peer to retransmit until it
/// declared us dead. Nothing else changes.
#[test]
fn authenticated_malformed_informational_is_answered_with_invalid_syntax() {
    let mut p = established();
    let before = p.r.sa_info(handle(&p.r)).unwrap();
    // Delete: Protocol ESP, SPI size 4, 3 SPIs, one SPI present.
    let chain = payload(0, &[3, 4, 0, 3, 1, 2, 3, 4]);
    let forged = forge_from_initiator(&p.r, INFORMATIONAL, p.next_mid, P_DELETE, &chain);
    p.next_mid += 1;
    to_r(&mut p.r, p.now, forged.clone());
    let (tx, ev) = drain(&mut p.r);
    assert_eq!(tx.len(), 1);
    assert_eq!(
        open_response(&p.r, &tx[0].bytes),
        [NotifyType::InvalidSyntax]
    );
    assert!(
        ev.iter().any(|e| matches!(
            e,
            Event::Failed {
                reason: Failure::Malformed { .. }
            }
        )),
        "{ev:?}"
    );
    assert_eq!(p.r.stats().failures(FailureKind::Malformed), 1);
    assert_eq!(p.r.sa_info(handle(&p.r)).unwrap(), before);
    // Its retransmission gets the cached answer, not a second report.
    to_r(&mut p.r, p.now, forged);
    let (again, _) = drain(&mut p.r);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].bytes, tx[0].bytes);
    assert_eq!(p.r.stats().failures(FailureKind::Malformed), 1);
    assert_alive(&mut p, "after a malformed INFORMATIONAL");
}

// --- Property: a datagram that fails authentication changes nothing. ---

/// Every drop counter, and the replays answered from the cache.
fn refusals(e: &Endpoint) -> u64 {
    let s = e.stats();
    let (d, f) = (&s.dropped, &s.fragments);
    d.invalid_message
        + d.unknown_spi
        + d.request_too_old
        + d.request_too_new
        + d.request_in_progress
        + d.fragment_not_first
        + d.unmatched_response
        + f.dropped_not_negotiated
        + f.dropped_unexpected
        + f.dropped_invalid
        + f.dropped_duplicate
        + f.dropped_stale
        + s.responses_replayed
}

/// What a refused datagram may not change: every SA's observable state
/// (children included), the SA count, the next timer.
fn observable(e: &Endpoint) -> (Vec<ikev2_sm::SaInfo>, Option<Instant>) {
    let infos = e
        .handles()
        .into_iter()
        .filter_map(|h| e.sa_info(h))
        .collect();
    (infos, e.poll_timeout())
}

#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one octet with a non-zero value.
    Flip(usize, u8),
    /// Keep a prefix.
    Truncate(usize),
    /// Append octets.
    Append(Vec<u8>),
}

fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
    use proptest::prelude::*;
    prop_oneof![
        3 => (any::<usize>(), 1u8..=255).prop_map(|(a, x)| Mutation::Flip(a, x)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => proptest::collection::vec(any::<u8>(), 1..40).prop_map(Mutation::Append),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Flip(at, x) => {
            let at = at % bytes.len();
            bytes[at] ^= x;
        }
        Mutation::Truncate(n) => bytes.truncate(n % bytes.len()),
        Mutation::Append(v) => bytes.extend_from_slice(v),
    }
}

/// The genuine datagram of `kind`, started on `p` but not delivered, and
/// whether it goes to the responder (else: to the initiator).
fn genuine(p: &mut Pair, kind: usize) -> (Vec<u8>, bool) {
    let (h, now) = (handle(&p.i), p.now);
    let spi = children(&p.i)[0];
    match kind {
        0 => p.i.liveness_check(now, h).unwrap(),
        1 => p.i.delete_child_sa(now, h, spi).unwrap(),
        2 => p.i.create_child_sa(now, h, "net").unwrap(),
        3 => p.i.rekey_child_sa(now, h, spi).unwrap(),
        4 => p.i.rekey_ike_sa(now, h).unwrap(),
        _ => {
            // The responder's answer to the initiator's liveness check,
            // while the check is outstanding.
            p.i.liveness_check(now, h).unwrap();
            pump(&mut p.i, &mut p.r, now);
            let (mut tx, _) = drain(&mut p.r);
            return (tx.pop().unwrap().bytes, false);
        }
    }
    let (mut tx, _) = drain(&mut p.i);
    (tx.pop().unwrap().bytes, true)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

    /// Mutations of each kind of genuine post-IKE_AUTH datagram (requests
    /// of every exchange to the responder, a response to the initiator):
    /// each is refused and counted without any observable change, and the
    /// genuine datagram is processed afterwards as if nothing had come.
    #[test]
    fn forged_datagrams_change_no_state(kind in 0usize..6,
                                        rounds in proptest::collection::vec(
                                            proptest::collection::vec(mutation(), 1..4), 1..6)) {
        let mut p = established();
        let (good, to_responder) = genuine(&mut p, kind);
        for muts in &rounds {
            let mut bad = good.clone();
            for m in muts {
                mutate(&mut bad, m);
            }
            if bad == good {
                continue;
            }
            let e = if to_responder { &mut p.r } else { &mut p.i };
            let (before, counted) = (observable(e), refusals(e));
            let replayed = e.stats().responses_replayed;
            if to_responder { to_r(e, p.now, bad.clone()) } else {
                e.handle_input(Input::Datagram { now: p.now, src: addr(R_ADDR), dst: addr(I_ADDR), bytes: bad.clone() });
            }
            let (tx, ev) = drain(e);
            proptest::prop_assert_eq!(observable(e), before, "{:?}", muts);
            proptest::prop_assert_eq!(refusals(e), counted + 1, "{:?}: not counted once", muts);
            proptest::prop_assert!(ev.is_empty(), "{:?}: {:?}", muts, ev);
            // Nothing answers, not even the response cache: a mutated
            // message ID naming an answered request does not authenticate,
            // so the cached response is not resent (no amplification).
            proptest::prop_assert!(tx.is_empty(), "{:?} answered", muts);
            proptest::prop_assert_eq!(e.stats().responses_replayed, replayed);
        }
        // The genuine datagram still works.
        if to_responder {
            let answered = p.r.stats().responded;
            to_r(&mut p.r, p.now, good);
            let (tx, _) = drain(&mut p.r);
            proptest::prop_assert_eq!(tx.len(), 1, "genuine request unanswered");
            proptest::prop_assert_ne!(p.r.stats().responded, answered);
            for t in tx {
                deliver(&mut p.i, p.now, t);
            }
            drain(&mut p.i);
        } else {
            let done = p.i.stats().initiated.informational;
            p.i.handle_input(Input::Datagram { now: p.now, src: addr(R_ADDR), dst: addr(I_ADDR), bytes: good });
            drain(&mut p.i);
            proptest::prop_assert_eq!(p.i.stats().initiated.informational, done + 1);
        }
        if kind != 4 {
            // (After an IKE SA rekey the old SA is on its way out.)
            p.next_mid = 3;
            assert_alive(&mut p, "after forged datagrams");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// RFC 7383 reassembly under forged fragments: IKE_AUTH in SKF
    /// fragments, the first `k` delivered, then mutations of any fragment
    /// (its number, total, data or ICV): each is refused and counted, no
    /// stored fragment is evicted, no set replaced (a forged higher Total
    /// Fragments must not supersede the genuine set), and the remaining
    /// genuine fragments complete the exchange.
    #[test]
    fn forged_fragments_never_evict_a_genuine_partial_set(k in 1usize..8,
                                                          forgeries in proptest::collection::vec(
                                                              (0usize..16, proptest::collection::vec(mutation(), 1..3)), 1..8)) {
        let frag = FragmentConfig {
            fragment_size: ikev2_sm::config::MIN_FRAGMENT_SIZE,
            ..FragmentConfig::default()
        };
        let (mut h, frags) = half_open_with(frag);
        proptest::prop_assert!(frags.len() >= 2, "IKE_AUTH not fragmented");
        let k = k % (frags.len() - 1) + 1;
        for f in &frags[..k] {
            to_r(&mut h.r, h.now, f.clone());
        }
        let stored = h.r.stats().fragments.received;
        proptest::prop_assert_eq!(stored, k as u64);
        for (which, muts) in &forgeries {
            let mut bad = frags[which % frags.len()].clone();
            for m in muts {
                mutate(&mut bad, m);
            }
            if frags.contains(&bad) {
                continue;
            }
            let (before, counted) = (observable(&h.r), refusals(&h.r));
            let fr = h.r.stats().fragments;
            to_r(&mut h.r, h.now, bad);
            let (tx, ev) = drain(&mut h.r);
            proptest::prop_assert!(tx.is_empty() && ev.is_empty(), "{:?}", ev);
            proptest::prop_assert_eq!(observable(&h.r), before);
            proptest::prop_assert_eq!(refusals(&h.r), counted + 1);
            let after = h.r.stats().fragments;
            proptest::prop_assert_eq!((after.received, after.sets_superseded), (fr.received, fr.sets_superseded));
        }
        for f in &frags[k..] {
            to_r(&mut h.r, h.now, f.clone());
        }
        proptest::prop_assert_eq!(h.r.stats().fragments.reassembled, 1);
        proptest::prop_assert_eq!(h.r.sa_info(handle(&h.r)).unwrap().state, "established");
    }
}

/// Libreswan CVE-2026-12413 (`security/CVE-2026-12413.txt`): SKF messages
/// preceded by more unknown non-critical payloads than the implementation's
/// payload table held hit an off-by-one assertion. Fragment 1 of a genuine
/// IKE_AUTH with 10, 100 and 1000 unknown payloads (type 200, Critical bit
/// clear) put in front of SKF: refused and counted, nothing stored, and the
/// genuine fragments still complete the exchange.
#[test]
fn cve_2026_12413_skf_after_many_unknown_payloads() {
    let frag = FragmentConfig {
        fragment_size: ikev2_sm::config::MIN_FRAGMENT_SIZE,
        ..FragmentConfig::default()
    };
    let (mut h, frags) = half_open_with(frag);
    assert!(frags.len() >= 2);
    for n in [10usize, 100, 1000] {
        let genuine = &frags[0];
        let mut m = genuine[..28].to_vec();
        m[16] = 200;
        for k in 0..n {
            let next = if k + 1 == n { 53 } else { 200 };
            m.extend_from_slice(&[next, 0, 0, 4]);
        }
        m.extend_from_slice(&genuine[28..]);
        let len = u32::try_from(m.len()).unwrap();
        m[24..28].copy_from_slice(&len.to_be_bytes());
        let (before, counted) = (observable(&h.r), refusals(&h.r));
        to_r(&mut h.r, h.now, m);
        let (tx, ev) = drain(&mut h.r);
        assert!(tx.is_empty() && ev.is_empty(), "{n}: {ev:?}");
        assert_eq!(observable(&h.r), before, "{n}");
        assert_eq!(refusals(&h.r), counted + 1, "{n}: not counted");
        assert_eq!(h.r.stats().fragments.received, 0, "{n}: stored");
    }
    for f in &frags {
        to_r(&mut h.r, h.now, f.clone());
    }
    assert_eq!(h.r.sa_info(handle(&h.r)).unwrap().state, "established");
}
