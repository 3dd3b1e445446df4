//! A `ChildSaInstall` as the state machine hands it over, for the bridge
//! tests (`bridge.rs`, `bridge_trap.rs`).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::OsRandom;
use ikev2_crypto::SecretBytes;
use ikev2_sm::config::{Auth, ChildConfig, Identity, Mode as IkeMode, PeerConfig};
use ikev2_sm::ts::TrafficSelector;
use ikev2_sm::{ChildSaInstall, Endpoint, EndpointConfig, SaHandle};
use ikev2_wire::{EncrId, EsnId};
use xfrm_sys::bridge::BridgeConfig;
use xfrm_sys::{Lifetime, Mark, XfrmMessage};

use crate::fixture::{hex, GCM};

/// A real handle (SaHandle has no public constructor): the endpoint's first SA.
pub(crate) fn handle() -> SaHandle {
    let peer = PeerConfig::new(
        "p",
        Identity::parse("@a").unwrap(),
        Identity::parse("@b").unwrap(),
    )
    .with_auth(Auth::psk(b"k".to_vec()), Auth::psk(b"k".to_vec()))
    .with_child(ChildConfig::new("c"));
    let mut ep = Endpoint::new(EndpointConfig::new(
        PROVIDER,
        Arc::new(OsRandom),
        vec![peer],
    ));
    ep.initiate(
        Instant::now(),
        "p",
        "192.0.2.1:500".parse().unwrap(),
        "192.0.2.2:500".parse().unwrap(),
    )
    .unwrap()
}

pub(crate) fn sock(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(crate) fn host(s: &str) -> TrafficSelector {
    TrafficSelector::host(s.parse().unwrap())
}

/// An install from `local` to `remote` whose outbound SA is `spi_out` with
/// `key_out` (and `integ_key_out`), host selectors, transport mode.
pub(crate) fn install(
    local: &str,
    remote: &str,
    spi_out: u32,
    encr: (EncrId, Option<u16>),
) -> ChildSaInstall {
    let (l, r) = (sock(local), sock(remote));
    ChildSaInstall {
        sa: handle(),
        name: "net".into(),
        mode: IkeMode::Transport,
        spi_in: 0xc1c1_c1c1,
        spi_out,
        encr,
        integ: None,
        esn: Some(EsnId::NoEsn),
        encr_key_in: SecretBytes::from_slice(&hex(GCM)),
        integ_key_in: SecretBytes::from_slice(&[]),
        encr_key_out: SecretBytes::from_slice(&hex(GCM)),
        integ_key_out: SecretBytes::from_slice(&[]),
        local_ts: vec![host(&l.ip().to_string())],
        remote_ts: vec![host(&r.ip().to_string())],
        local: l,
        remote: r,
        udp_encap: false,
        limits: Default::default(),
    }
}

/// `ip xfrm` sends replay window 0 and knows nothing of XFRMA_SA_DIR.
pub(crate) fn iproute_like(first_reqid: u32) -> BridgeConfig {
    BridgeConfig {
        replay_window: 0,
        first_reqid,
        ..BridgeConfig::default()
    }
}

pub(crate) fn out_sa(msgs: &[XfrmMessage]) -> &XfrmMessage {
    assert!(matches!(msgs[0], XfrmMessage::NewSa(_)), "inbound SA first");
    &msgs[1]
}

/// The SA of fixture `sa_add_esn_encap_mark`: tunnel, AES-GCM-256 with ESN,
/// ESP-in-UDP 4500 -> 4501, 4096-packet window, mark, `if_id`, lifetimes.
pub(crate) fn esn_encap_mark() -> (ChildSaInstall, BridgeConfig) {
    let mut c = install(
        "192.0.2.1:4500",
        "198.51.100.7:4501",
        0xc0ff_ee01,
        (EncrId::AesGcm16, Some(256)),
    );
    c.mode = IkeMode::Tunnel;
    c.esn = Some(EsnId::Esn);
    c.udp_encap = true;
    let cfg = BridgeConfig {
        replay_window: 4096,
        first_reqid: 9,
        mark_out: Some(Mark { v: 0x10, m: 0xff }),
        if_id: Some(0x2a),
        lifetime: Lifetime {
            soft_seconds: Some(30),
            hard_seconds: Some(60),
            soft_bytes: Some(1_000_000),
            hard_packets: Some(5000),
            ..Lifetime::default()
        },
        ..BridgeConfig::default()
    };
    (c, cfg)
}
