//! COOKIE (RFC 7296 §2.6) between two `Endpoint`s: the responder's
//! stateless mode, the initiator's restart, INVALID_KE_PAYLOAD combined
//! with COOKIE, secret rotation with its grace period, forged cookies, and
//! the exchange under loss and duplication. The flood test is
//! `tests/cookie_flood.rs` (own binary: it measures the heap).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::{addr, initiated, I_ADDR, R_ADDR};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_sm::config::{CookieSecrets, PeerConfig};
use ikev2_sm::events::{Event, Failure};
use ikev2_sm::sim::{EndpointPeer, LinkConfig, LossModel, Sim};
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output};
use ikev2_wire::{MessageRepr, NotifyType, PayloadBody};

const PSK: &[u8] = b"a cookie-eating shared secret";

fn peer(name: &str, me: &str, them: &str, ike: &str, l: &str, r: &str) -> PeerConfig {
    common::psk_peer(name, me, them, PSK, ike).with_child(common::child(
        "net",
        (l, r),
        "aes256gcm16",
    ))
}

fn initiator(seed: u64, ike: &str) -> Endpoint {
    initiator_tuned(seed, ike, |_| {})
}

fn initiator_tuned(seed: u64, ike: &str, tune: impl Fn(&mut PeerConfig)) -> Endpoint {
    let mut p = peer("gw", "@sun", "@moon", ike, "10.1.0.0/16", "10.2.0.0/16");
    tune(&mut p);
    common::endpoint(seed, p)
}

fn responder(seed: u64, ike: &str, threshold: u32, secrets: CookieSecrets) -> Endpoint {
    responder_tuned(seed, ike, threshold, secrets, |_| {})
}

fn responder_tuned(
    seed: u64,
    ike: &str,
    threshold: u32,
    secrets: CookieSecrets,
    tune: impl Fn(&mut PeerConfig),
) -> Endpoint {
    let mut p = peer("rw", "@moon", "@sun", ike, "10.2.0.0/16", "10.1.0.0/16");
    tune(&mut p);
    let mut c = EndpointConfig::new(
        PROVIDER,
        Arc::new(DeterministicRandom::seed_from_u64(seed)),
        vec![p],
    )
    .with_cookie_threshold(threshold);
    c.cookie_secrets = secrets;
    Endpoint::new(c)
}

const IKE: &str = "aes256gcm16-prfsha256-x25519";

fn sim(
    seed: u64,
    i: Endpoint,
    r: Endpoint,
    ab: LinkConfig,
    ba: LinkConfig,
) -> Sim<EndpointPeer, EndpointPeer> {
    let epoch = Instant::now();
    initiated(epoch, i, r, ab, ba, seed)
}

fn up(p: &EndpointPeer) -> bool {
    let e = p.event_list();
    e.contains(&Event::IkeSaUp) && e.contains(&Event::ChildSaUp { name: "net".into() })
}

#[test]
fn threshold_zero_demands_a_cookie_and_the_initiator_restarts_with_it() {
    let r = responder(2, IKE, 0, CookieSecrets::default());
    let mut s = sim(
        1,
        initiator(1, IKE),
        r,
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim_drive());
    let (a, b) = (&s.a, &s.b);
    assert!(
        up(a) && up(b),
        "{:?} / {:?}",
        a.event_list(),
        b.event_list()
    );
    let (sa, sb) = (a.endpoint.stats(), b.endpoint.stats());
    assert_eq!(
        (sb.cookies_sent, sb.cookies_verified, sb.cookies_invalid),
        (1, 1, 0)
    );
    assert_eq!(sa.cookie_restarts, 1);
    // IKE_SA_INIT, IKE_SA_INIT with the cookie, IKE_AUTH.
    assert_eq!(a.sent, 3);
    assert_eq!(b.endpoint.sa_count(), 1, "the cookie round left no state");
    assert_eq!(sb.half_open_responder, 0);
    // The keys agree: AUTH signed the IKE_SA_INIT carrying the cookie.
    assert_eq!(a.installs[0].encr_key_out, b.installs[0].encr_key_in);
}

/// A forgiving `drive` for the tests here.
trait Drive {
    fn sim_drive(&mut self) -> bool;
}
impl Drive for Sim<EndpointPeer, EndpointPeer> {
    fn sim_drive(&mut self) -> bool {
        self.settle(std::time::Duration::from_secs(600), 10_000)
    }
}

#[test]
fn below_the_threshold_no_cookie_is_asked() {
    let mut s = sim(
        3,
        initiator(3, IKE),
        responder(4, IKE, 1, CookieSecrets::default()),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim_drive());
    assert!(up(&s.a) && up(&s.b));
    assert_eq!(s.b.endpoint.stats().cookies_sent, 0);
    assert_eq!(s.a.sent, 2);
}

#[test]
fn invalid_ke_then_cookie_then_established() {
    // The initiator guesses ECP-256, the responder takes only X25519 and
    // always wants a cookie: cookie, INVALID_KE_PAYLOAD, then a new
    // request (new nonce) that needs a new cookie.
    let mut s = sim(
        5,
        initiator(5, "aes128gcm16-prfsha256-ecp256-x25519"),
        responder(
            6,
            "aes128gcm16-prfsha256-x25519",
            0,
            CookieSecrets::default(),
        ),
        LinkConfig::default(),
        LinkConfig::default(),
    );
    assert!(s.sim_drive());
    assert!(up(&s.a) && up(&s.b), "{:?}", s.a.event_list());
    let (sa, sb) = (s.a.endpoint.stats(), s.b.endpoint.stats());
    assert_eq!(sb.invalid_ke_sent, 1);
    assert_eq!((sb.cookies_sent, sb.cookies_verified), (2, 2));
    assert_eq!(sa.cookie_restarts, 2);
    // 4 IKE_SA_INIT requests and IKE_AUTH.
    assert_eq!(s.a.sent, 5);
    let h = s.a.endpoint.handles()[0];
    let ike = s.a.endpoint.sa_info(h).unwrap().ike_proposal.unwrap();
    assert_eq!(ike.to_keywords().unwrap(), "aes128gcm16-prfsha256-x25519");
    assert_eq!(s.b.endpoint.sa_count(), 1);
}

#[test]
fn establishes_through_the_cookie_exchange_over_300_seeds_with_loss_and_duplicates() {
    let link = LinkConfig {
        loss: LossModel::Bernoulli(0.2),
        duplicate: 0.1,
        jitter: Duration::from_millis(15),
        ..LinkConfig::default()
    };
    // As in endpoint_sim's loss test: more tries than strongSwan's 5, and a
    // half-open responder SA that outlives the IKE_AUTH retransmissions.
    let retransmit = common::patient_retransmit();
    let tune = |p: &mut PeerConfig| {
        p.retransmit = retransmit;
        p.half_open.timeout = retransmit.give_up_after();
    };
    for seed in 0..300 {
        let mut s = sim(
            seed,
            initiator_tuned(seed * 2 + 100, IKE, tune),
            responder_tuned(seed * 2 + 101, IKE, 0, CookieSecrets::default(), tune),
            link,
            link,
        );
        s.settle(std::time::Duration::from_secs(600), 100_000);
        assert!(
            up(&s.a) && up(&s.b),
            "seed {seed}: {:?} / {:?}",
            s.a.event_list(),
            s.b.event_list()
        );
        assert!(s.b.endpoint.stats().cookies_verified >= 1, "seed {seed}");
        let established =
            s.b.endpoint
                .handles()
                .into_iter()
                .filter(|h| s.b.endpoint.sa_info(*h).unwrap().state == "established")
                .count();
        assert_eq!(established, 1, "seed {seed}: exactly one IKE SA");
    }
}

/// Drains `ep`, returning the datagrams it sent.
fn sent(ep: &mut Endpoint) -> Vec<(SocketAddr, SocketAddr, Vec<u8>)> {
    let mut v = Vec::new();
    loop {
        match ep.poll_output() {
            Output::Transmit(t) => v.push((t.src, t.dst, t.bytes)),
            Output::Timeout(_) => return v,
            _ => {}
        }
    }
}

fn deliver(ep: &mut Endpoint, now: Instant, d: &(SocketAddr, SocketAddr, Vec<u8>)) {
    ep.handle_input(Input::Datagram {
        now,
        src: d.0,
        dst: d.1,
        bytes: d.2.clone(),
    });
}

fn carries_cookie(bytes: &[u8]) -> bool {
    let m = MessageRepr::parse(bytes).unwrap();
    matches!(&m.payloads[0].body, PayloadBody::Notify(n) if n.notify_type == NotifyType::Cookie)
}

/// One initiator's IKE_SA_INIT carrying a cookie issued at `t0` by `r`.
fn cookie_request(seed: u64, r: &mut Endpoint, t0: Instant) -> (SocketAddr, SocketAddr, Vec<u8>) {
    let mut i = initiator(seed, IKE);
    i.initiate(t0, "gw", addr(I_ADDR), addr(R_ADDR)).unwrap();
    let first = sent(&mut i).remove(0);
    deliver(r, t0, &first);
    let answer = sent(r).remove(0);
    assert!(
        carries_cookie(&answer.2),
        "a COOKIE notify and nothing else"
    );
    deliver(&mut i, t0, &answer);
    let retry = sent(&mut i).remove(0);
    assert!(carries_cookie(&retry.2), "the cookie comes first");
    retry
}

#[test]
fn rotated_secret_honours_old_cookies_for_the_grace_period_only() {
    let secrets = CookieSecrets {
        rotate_every: Duration::from_secs(60),
        grace: Duration::from_secs(5),
    };
    let t0 = Instant::now();
    let mut r = responder(9, IKE, 0, secrets);
    let early = cookie_request(10, &mut r, t0);
    let late = cookie_request(11, &mut r, t0);
    // 61 s later the secret rotates on use; the old cookie still verifies.
    let t1 = t0 + Duration::from_secs(61);
    deliver(&mut r, t1, &early);
    let out = sent(&mut r);
    assert!(
        !carries_cookie(&out[0].2),
        "accepted: a full IKE_SA_INIT response"
    );
    assert_eq!(r.stats().cookies_verified, 1);
    assert_eq!(r.sa_count(), 1);
    // After the grace period the previous secret is gone: a fresh cookie.
    deliver(&mut r, t1 + Duration::from_secs(6), &late);
    let out = sent(&mut r);
    assert!(carries_cookie(&out[0].2));
    assert_eq!(
        (r.stats().cookies_verified, r.stats().cookies_invalid),
        (1, 1)
    );
    assert_eq!(r.sa_count(), 1, "no state for the stale cookie");
}

#[test]
fn forged_cookie_is_counted_and_answered_with_a_real_one() {
    let t0 = Instant::now();
    let mut r = responder(12, IKE, 0, CookieSecrets::default());
    let mut req = cookie_request(13, &mut r, t0);
    // Flip a bit of the cookie's digest (the notify data starts at offset
    // 28 + 8: generic header 4, protocol/SPI size/type 4).
    let at = 28 + 8 + 10;
    req.2[at] ^= 1;
    deliver(&mut r, t0, &req);
    let out = sent(&mut r);
    assert_eq!(out.len(), 1);
    assert!(carries_cookie(&out[0].2));
    assert_eq!(r.stats().cookies_invalid, 1);
    assert_eq!(r.sa_count(), 0);
}

#[test]
fn a_responder_that_keeps_asking_ends_the_attempt_with_a_typed_failure() {
    // Each answer carries a different cookie (a broken or hostile
    // responder): after MAX restarts the initiator gives up.
    let t0 = Instant::now();
    let mut i = initiator(14, IKE);
    i.initiate(t0, "gw", addr(I_ADDR), addr(R_ADDR)).unwrap();
    let mut req = sent(&mut i).remove(0);
    let mut failed = None;
    for n in 0..4u8 {
        let spi_i = MessageRepr::parse(&req.2).unwrap().header.spi_i;
        let reply = MessageRepr {
            header: ikev2_wire::HeaderRepr::new(
                spi_i,
                0,
                ikev2_wire::ExchangeType::IkeSaInit,
                ikev2_wire::FLAG_RESPONSE,
                0,
            ),
            payloads: vec![ikev2_wire::NotifyRepr::new(
                NotifyType::Cookie,
                &ikev2_wire::NotifyData::Cookie(&[n + 1; 16]),
            )
            .unwrap()
            .into()],
        }
        .to_vec()
        .unwrap();
        i.handle_input(Input::Datagram {
            now: t0,
            src: addr(R_ADDR),
            dst: addr(I_ADDR),
            bytes: reply,
        });
        let mut next = None;
        loop {
            match i.poll_output() {
                Output::Transmit(t) => next = Some((t.src, t.dst, t.bytes)),
                Output::Event {
                    event: Event::Failed { reason },
                    ..
                } => failed = Some(reason),
                Output::Timeout(_) => break,
                _ => {}
            }
        }
        match next {
            Some(r) => req = r,
            None => break,
        }
    }
    assert_eq!(i.stats().cookie_restarts, 2);
    assert_eq!(
        failed,
        Some(Failure::PeerError {
            notify: NotifyType::Cookie
        })
    );
    assert_eq!(i.sa_count(), 0);
}
