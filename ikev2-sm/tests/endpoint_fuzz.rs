//! Arbitrary datagrams fed to a responder and to an initiator waiting for
//! its IKE_SA_INIT response: no panic, no state change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_sm::config::{Auth, ChildConfig, Identity, PeerConfig};
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output};
use proptest::prelude::*;

fn peer(name: &str) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse("@a").unwrap(),
        Identity::parse("%any").unwrap(),
    )
    .with_auth(
        Auth::psk(b"secret-secret".to_vec()),
        Auth::psk(b"secret-secret".to_vec()),
    )
    .with_ike_proposals("aes128gcm16-prfsha256-x25519")
    .unwrap()
    .with_child(
        ChildConfig::new("c")
            .with_ts("10.1.0.0/16", "10.2.0.0/16")
            .unwrap(),
    )
}

fn ep() -> Endpoint {
    Endpoint::new(EndpointConfig::new(
        PROVIDER,
        Arc::new(DeterministicRandom::seed_from_u64(9)),
        vec![peer("p")],
    ))
}

fn drain(e: &mut Endpoint) -> Vec<Output> {
    let mut v = Vec::new();
    loop {
        match e.poll_output() {
            Output::Timeout(_) => return v,
            o => v.push(o),
        }
    }
}

const I: &str = "192.0.2.1:500";
const R: &str = "198.51.100.1:500";

/// An IKE header (28 octets) with the given SPIs, exchange and flags,
/// followed by arbitrary payload bytes, so the fuzz reaches past routing.
fn with_header(
    spi_i: u64,
    spi_r: u64,
    exchange: u8,
    flags: u8,
    mid: u32,
    body: &[u8],
    next: u8,
) -> Vec<u8> {
    let mut v = Vec::with_capacity(28 + body.len());
    v.extend_from_slice(&spi_i.to_be_bytes());
    v.extend_from_slice(&spi_r.to_be_bytes());
    v.push(next);
    v.push(0x20);
    v.push(exchange);
    v.push(flags);
    v.extend_from_slice(&mid.to_be_bytes());
    v.extend_from_slice(&u32::try_from(28 + body.len()).unwrap().to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn datagram(bytes: Vec<u8>, src: &str, dst: &str) -> Input {
    Input::Datagram {
        now: Instant::now(),
        src: src.parse::<SocketAddr>().unwrap(),
        dst: dst.parse::<SocketAddr>().unwrap(),
        bytes,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn responder_survives_arbitrary_datagrams(raw in proptest::collection::vec(any::<u8>(), 0..600),
                                              framed in any::<bool>(), next in 0u8..60, exchange in 32u8..38,
                                              spi_i in 1u64.., spi_r in any::<u64>(), flags in any::<u8>()) {
        let mut r = ep();
        let bytes = if framed { with_header(spi_i, spi_r, exchange, flags & !0x20, 0, &raw, next) } else { raw };
        r.handle_input(datagram(bytes, I, R));
        let out = drain(&mut r);
        // Whatever it was, no SA may survive unless it was a well-formed
        // IKE_SA_INIT the configuration accepts (arbitrary bytes are not).
        prop_assert_eq!(r.sa_count(), 0);
        let ok = out.iter().all(|o| matches!(o, Output::Transmit(_) | Output::Event { .. }));
        prop_assert!(ok);
    }

    #[test]
    fn initiator_in_init_sent_ignores_arbitrary_datagrams(raw in proptest::collection::vec(any::<u8>(), 0..600),
                                                           framed in any::<bool>(), next in 0u8..60,
                                                           spi_r in any::<u64>(), flags in any::<u8>()) {
        let mut i = ep();
        let h = i.initiate(Instant::now(), "p", I.parse().unwrap(), R.parse().unwrap()).unwrap();
        let first = drain(&mut i);
        prop_assert_eq!(first.len(), 1);
        let before = i.sa_info(h).unwrap();
        let timeout = i.poll_timeout();
        let spi_i = before.spi_i;
        // Responses to our SPI (the hard case) or raw bytes.
        let bytes = if framed { with_header(spi_i, spi_r, 34, (flags | 0x20) & !0x08, 0, &raw, next) } else { raw };
        i.handle_input(datagram(bytes, R, I));
        let out = drain(&mut i);
        prop_assert!(out.is_empty(), "{:?}", out);
        prop_assert_eq!(i.sa_info(h).unwrap(), before);
        prop_assert_eq!(i.poll_timeout(), timeout);
    }

    #[test]
    fn responder_after_init_ignores_arbitrary_ike_auth(raw in proptest::collection::vec(any::<u8>(), 0..600),
                                                       next in 0u8..60, mid in 0u32..3, exchange in 34u8..38) {
        // A real IKE_SA_INIT brings the responder to "IKE_SA_INIT answered".
        let mut i = ep();
        i.initiate(Instant::now(), "p", I.parse().unwrap(), R.parse().unwrap()).unwrap();
        let Some(Output::Transmit(req)) = drain(&mut i).pop() else { panic!() };
        let mut r = ep();
        r.handle_input(datagram(req.bytes, I, R));
        let first = drain(&mut r);
        prop_assert_eq!(first.len(), 1);
        let h = r.handles()[0];
        let before = r.sa_info(h).unwrap();
        prop_assert_eq!(before.state, "IKE_SA_INIT answered");
        let bytes = with_header(before.spi_i, before.spi_r, exchange, 0x08, mid, &raw, next);
        r.handle_input(datagram(bytes, I, R));
        let out = drain(&mut r);
        // Message ID 0 is IKE_SA_INIT's: a copy gets the cached response
        // (byte-identical to the first), anything else gets nothing.
        if mid == 0 {
            prop_assert!(out.len() <= 1);
            if let Some(o) = out.first() {
                prop_assert_eq!(o, &first[0]);
            }
        } else {
            prop_assert!(out.is_empty(), "{:?}", out);
        }
        prop_assert_eq!(r.sa_info(h).unwrap(), before);
        prop_assert_eq!(r.sa_count(), 1);
    }
}
