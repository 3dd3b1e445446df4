//! `Endpoint::ike_sa_secrets`: both ends of a simulated exchange export the
//! same SK_e/SK_a keys, sized for the negotiated transforms; nothing for an
//! unknown handle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::net::SocketAddr;
use std::time::Instant;

use ikev2_sm::config::PeerConfig;
use ikev2_sm::sim::{EndpointPeer, LinkConfig, Sim};
use ikev2_wire::{EncrId, IntegId};

fn peer(name: &str, local: &str, remote: &str, ike: &str) -> PeerConfig {
    common::psk_peer(name, local, remote, b"key log", ike).with_child(common::child(
        "net",
        ("10.1.0.0/16", "10.2.0.0/16"),
        "aes128gcm16",
    ))
}

/// Runs one exchange with `ike`; returns both endpoints' exported secrets.
fn exchange(ike: &str) -> [ikev2_sm::keylog::IkeSaSecrets; 2] {
    let epoch = Instant::now();
    let ep = common::endpoint;
    let (i, r): (SocketAddr, SocketAddr) = (
        "192.0.2.1:500".parse().unwrap(),
        "198.51.100.1:500".parse().unwrap(),
    );
    let mut a = EndpointPeer::new(ep(1, peer("gw", "@sun.example", "@moon.example", ike)));
    let mut b = ep(2, peer("rw", "@moon.example", "@sun.example", ike));
    a.endpoint.initiate(epoch, "gw", i, r).unwrap();
    a.drain();
    let h = a.endpoint.handles()[0];
    assert!(b.ike_sa_secrets(h).is_none(), "a handle b does not know");
    assert!(
        a.endpoint.ike_sa_secrets(h).is_none(),
        "no keys before IKE_SA_INIT completes"
    );
    b = {
        let mut s = Sim::with_epoch(
            epoch,
            a,
            EndpointPeer::new(b),
            LinkConfig::default(),
            LinkConfig::default(),
            7,
        );
        assert!(s.settle(std::time::Duration::from_secs(600), 10_000));
        a = s.a;
        s.b.endpoint
    };
    let hr = b.handles()[0];
    [
        a.endpoint.ike_sa_secrets(h).unwrap(),
        b.ike_sa_secrets(hr).unwrap(),
    ]
}

#[test]
fn both_ends_export_the_same_aead_keys() {
    let [i, r] = exchange("aes256gcm16-prfsha256-x25519");
    assert_eq!((i.spi_i, i.spi_r), (r.spi_i, r.spi_r));
    assert_ne!(i.spi_r, 0);
    assert_eq!(
        (i.encr, i.key_bits, i.integ),
        (EncrId::AesGcm16, Some(256), None)
    );
    // RFC 5282: 32-octet key and 4-octet salt; no integrity keys
    assert_eq!(i.sk_ei.as_bytes().len(), 36);
    assert!(i.sk_ai.as_bytes().is_empty());
    assert_eq!(i.sk_ei.as_bytes(), r.sk_ei.as_bytes());
    assert_eq!(i.sk_er.as_bytes(), r.sk_er.as_bytes());
    assert_ne!(i.sk_ei.as_bytes(), i.sk_er.as_bytes());
    // secrets never reach Debug output
    let dbg = format!("{i:?}");
    assert!(!dbg.contains("sk_ei") && dbg.contains("AesGcm16"));
}

#[test]
fn both_ends_export_the_same_cbc_and_hmac_keys() {
    let [i, r] = exchange("aes128-sha384-ecp256");
    assert_eq!(
        (i.encr, i.key_bits, i.integ),
        (EncrId::AesCbc, Some(128), Some(IntegId::HmacSha2_384_192))
    );
    assert_eq!(i.sk_ei.as_bytes().len(), 16);
    assert_eq!(i.sk_ai.as_bytes().len(), 48);
    assert_eq!(i.sk_ai.as_bytes(), r.sk_ai.as_bytes());
    assert_eq!(i.sk_ar.as_bytes(), r.sk_ar.as_bytes());
    assert_ne!(i.sk_ai.as_bytes(), i.sk_ar.as_bytes());
}
