//! INFORMATIONAL requests that only a test can craft: authenticated error
//! notifications (sent through the peer's own request queue, so they are
//! protected with the real keys), and the same notifications unauthenticated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_wire::{
    ExchangeType, HeaderRepr, MessageRepr, NotifyRepr, NotifyType, PayloadRepr, ProtocolId,
};

use super::super::queue::Exchange;
use super::super::{Ctx, IkeSa};
use crate::config::{Auth, ChildConfig, Identity, PeerConfig};
use crate::endpoint::{Endpoint, EndpointConfig, Input, Output, SaHandle};
use crate::events::{Event, FailureKind};

fn peer(name: &str, me: &str, them: &str, ts: (&str, &str)) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse(me).unwrap(),
        Identity::parse(them).unwrap(),
    )
    .with_auth(
        Auth::psk(b"0123456789abcdef".to_vec()),
        Auth::psk(b"0123456789abcdef".to_vec()),
    )
    .with_ike_proposals("aes128gcm16-prfsha256-x25519")
    .unwrap()
    .with_child(
        ChildConfig::new("net")
            .with_ts(ts.0, ts.1)
            .unwrap()
            .with_esp_proposals("aes128gcm16")
            .unwrap(),
    )
}

fn endpoint(seed: u64, p: PeerConfig) -> Endpoint {
    Endpoint::new(EndpointConfig::new(
        PROVIDER,
        Arc::new(DeterministicRandom::seed_from_u64(seed)),
        vec![p],
    ))
}

/// Hands `from`'s datagrams to `to`; returns the events `from` emitted.
fn pump(from: &mut Endpoint, to: &mut Endpoint, now: Instant) -> Vec<Event> {
    let mut events = Vec::new();
    loop {
        match from.poll_output() {
            Output::Transmit(t) => to.handle_input(Input::Datagram {
                now,
                src: t.src,
                dst: t.dst,
                bytes: t.bytes,
            }),
            Output::Event { event, .. } => events.push(event),
            Output::Timeout(_) => return events,
            _ => {}
        }
    }
}

fn pair(now: Instant) -> (Endpoint, Endpoint, SaHandle, SaHandle) {
    let mut i = endpoint(
        1,
        peer("gw", "@sun", "@moon", ("10.1.0.0/16", "10.2.0.0/16")),
    );
    let mut r = endpoint(
        2,
        peer("rw", "@moon", "@sun", ("10.2.0.0/16", "10.1.0.0/16")),
    );
    let hi = i
        .initiate(
            now,
            "gw",
            "192.0.2.1:500".parse().unwrap(),
            "198.51.100.1:500".parse().unwrap(),
        )
        .unwrap();
    for _ in 0..3 {
        pump(&mut i, &mut r, now);
        pump(&mut r, &mut i, now);
    }
    let hr = r.handles()[0];
    assert_eq!(i.sa_info(hi).unwrap().state, "established");
    assert_eq!(r.sa_info(hr).unwrap().state, "established");
    assert_eq!(i.sa_info(hi).unwrap().children.len(), 1);
    (i, r, hi, hr)
}

/// An INFORMATIONAL request carrying the given notifications.
struct Notifies(Vec<NotifyType>);

impl Exchange for Notifies {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::Informational
    }
    fn payloads(&mut self, _: &mut Ctx<'_>, _: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        Some(
            self.0
                .iter()
                .map(|t| {
                    PayloadRepr::from(NotifyRepr {
                        protocol_id: ProtocolId::Reserved,
                        notify_type: *t,
                        spi: Vec::new().into(),
                        data: Vec::new().into(),
                    })
                })
                .collect(),
        )
    }
    fn on_response(
        self: Box<Self>,
        _: &mut Ctx<'_>,
        _: &mut IkeSa,
        _: &[PayloadRepr<'static>],
    ) -> bool {
        false
    }
}

fn send_notifies(from: &mut Endpoint, h: SaHandle, now: Instant, types: Vec<NotifyType>) {
    from.command(now, h, |ctx, sa| {
        sa.queue_request(ctx, Box::new(Notifies(types))).unwrap();
        Ok(((), false))
    })
    .unwrap();
}

#[test]
fn authenticated_error_notify_is_reported_and_answered() {
    let now = Instant::now();
    let (mut i, mut r, hi, hr) = pair(now);
    assert_eq!(i.errors().len(), 0, "a clean start");
    send_notifies(
        &mut r,
        hr,
        now,
        vec![NotifyType::InvalidSyntax, NotifyType::InitialContact],
    );
    pump(&mut r, &mut i, now);
    let events = pump(&mut i, &mut r, now);
    assert_eq!(
        events,
        vec![Event::PeerErrorNotify {
            notify: NotifyType::InvalidSyntax,
            in_request: true,
            spi: Vec::new(),
        }],
        "only the error type is reported"
    );
    assert_eq!(i.stats().info.error_notifies_received, 1);
    assert_eq!(i.stats().failures(FailureKind::PeerError), 1);
    let errs: Vec<_> = i.errors().iter().map(|e| e.failure.to_string()).collect();
    assert_eq!(errs, vec!["peer sent INVALID_SYNTAX".to_owned()]);
    // Answered (the peer's window is free again), nothing torn down.
    assert_eq!(r.stats().initiated.informational, 1);
    assert_eq!(i.sa_info(hi).unwrap().state, "established");
    assert_eq!(i.sa_info(hi).unwrap().children.len(), 1);
}

#[test]
fn authentication_failed_in_informational_ends_the_ike_sa() {
    // RFC 7296 §2.21.2: the initiator rejected our AUTH after we thought
    // the SA was up; it tells us so and has already dropped it.
    let now = Instant::now();
    let (mut i, mut r, hi, hr) = pair(now);
    send_notifies(&mut i, hi, now, vec![NotifyType::AuthenticationFailed]);
    pump(&mut i, &mut r, now);
    assert_eq!(r.sa_count(), 0);
    assert!(r.sa_info(hr).is_none());
    assert_eq!(r.stats().ike_sas, 0);
    assert_eq!(r.stats().failures(FailureKind::AuthenticationFailed), 1);
}

#[test]
fn unauthenticated_error_notify_changes_nothing() {
    let now = Instant::now();
    let (mut i, mut r, hi, hr) = pair(now);
    let info = r.sa_info(hr).unwrap();
    let before = i.stats().dropped.invalid_message;
    // Plain (no SK) INFORMATIONAL with AUTHENTICATION_FAILED and a Delete
    // of the IKE SA, with the right SPIs and the next message ID.
    let plain = MessageRepr {
        header: HeaderRepr::new(info.spi_i, info.spi_r, ExchangeType::Informational, 0, 0),
        payloads: vec![
            PayloadRepr::from(NotifyRepr {
                protocol_id: ProtocolId::Reserved,
                notify_type: NotifyType::AuthenticationFailed,
                spi: Vec::new().into(),
                data: Vec::new().into(),
            }),
            ikev2_wire::DeleteRepr::ike_sa().into(),
        ],
    }
    .to_vec()
    .unwrap();
    // And a corrupted protected one: a real request with one bit flipped.
    send_notifies(&mut r, hr, now, vec![NotifyType::AuthenticationFailed]);
    let Output::Transmit(mut t) = r.poll_output() else {
        panic!("no request")
    };
    let n = t.bytes.len();
    t.bytes[n - 1] ^= 1;
    for bytes in [plain, t.bytes] {
        i.handle_input(Input::Datagram {
            now,
            src: t.src,
            dst: t.dst,
            bytes,
        });
    }
    assert!(pump(&mut i, &mut r, now).is_empty(), "no event, no answer");
    assert_eq!(i.stats().dropped.invalid_message, before + 2);
    assert_eq!(i.sa_info(hi).unwrap().state, "established");
    assert_eq!(i.stats().info.error_notifies_received, 0);
}
