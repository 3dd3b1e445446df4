//! The tunnel demo's core: two `ikev2-peer` drivers over loopback UDP with
//! the userspace ESP plane; every packet must arrive intact both ways and
//! both peers' ESP counters must agree with what was sent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use ikev2_examples::peer::demo::{self, check_packet, test_packet, DemoOptions};
use serde_json::Value;

fn child(st: &Value) -> &Value {
    &st["ike_sas"][0]["children"][0]
}

async fn run_and_check(ike: &str, esp: &str, keyword: &str) {
    let o = DemoOptions {
        ike: ike.into(),
        esp: esp.into(),
        packets: 400,
        size: 300,
        ..DemoOptions::default()
    };
    let r = demo::run(&o, |_, _| {}).await.unwrap();
    for d in &r.directions {
        assert_eq!(d.sent, 400);
        assert_eq!(d.received, 400);
        assert_eq!(d.intact, 400);
        assert_eq!(d.duplicates, 0);
        assert_eq!(d.bytes, 400 * 300);
    }
    let (a, b) = (child(&r.status[0]), child(&r.status[1]));
    // One SA pair: alice's outbound SPI is bob's inbound one and back.
    assert_eq!(a["spi_out"], b["spi_in"]);
    assert_eq!(a["spi_in"], b["spi_out"]);
    assert_eq!(a["esp"], keyword);
    assert_eq!(b["esp"], keyword);
    for (tx, rx) in [(a, b), (b, a)] {
        let (tc, rc) = (&tx["counters"], &rx["counters"]);
        assert_eq!(tc["packets_out"], 400);
        assert_eq!(rc["packets_in"], 400);
        assert_eq!(tc["bytes_out"], rc["bytes_in"]);
        assert_eq!(rc["bytes_in"], 400 * 300);
        assert_eq!(rc["dropped_in"], 0);
    }
    // Events: each side reports the IKE SA, then the Child SA, with the same SPIs.
    for (side, evs) in r.events.iter().enumerate() {
        let names: Vec<&str> = evs.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(
            names,
            ["ike_sa_established", "child_sa_established"],
            "side {side}"
        );
        assert_eq!(evs[0].conn.as_deref(), Some("demo"));
        assert_eq!(evs[0].get("spi_i"), evs[1].get("ike_spi_i"));
        assert_eq!(evs[1].get("esp").unwrap(), keyword);
        assert_eq!(evs[0].get("initiator").unwrap(), side == 0);
    }
    assert_eq!(r.events[0][0].get("spi_r"), r.events[1][0].get("spi_r"));
    assert_eq!(
        r.status[0]["ike_sas"][0]["ike"],
        r.events[0][0].get("ike").unwrap().clone()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aes_gcm_both_ways() {
    run_and_check("aes256gcm16-prfsha256-x25519", "aes256gcm16", "aes256gcm16").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbc_hmac_and_chacha_both_ways() {
    run_and_check("aes128-sha256-ecp256", "aes128-sha256", "aes128-sha256").await;
    run_and_check(
        "chacha20poly1305-prfsha256-x25519",
        "chacha20poly1305",
        "chacha20poly1305",
    )
    .await;
}

fn conf(me: &str, them: &str, ports: (u16, u16), secret: &str, start: bool) -> String {
    format!(
        r#"[connections.c]
local_addrs = "127.0.0.1"
remote_addrs = "127.0.0.1"
remote_port = {}
remote_port_nat_t = {}
local = {{ auth = "psk", id = "{me}" }}
remote = {{ auth = "psk", id = "{them}" }}
[connections.c.children.net]
start_action = "{}"
[secrets.ike-1]
id = "{me}"
secret = "{secret}"
"#,
        ports.0,
        ports.1,
        if start { "start" } else { "none" }
    )
}

/// Two drivers with different PSKs and no data plane: both report a typed
/// authentication failure naming the connection and the peer, and the
/// responder's status lists no usable SA afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_psk_mismatch_is_reported_with_cause_on_both_sides() {
    use ikev2_examples::peer::config::parse;
    use ikev2_examples::peer::dataplane::NoDataPlane;
    use ikev2_examples::peer::driver::{ControlRequest, LocalPackets, Peer, SocketPair};
    use std::path::Path;
    use tokio::sync::{mpsc, oneshot};

    let lo = "127.0.0.1".parse().unwrap();
    let (a, b) = (
        SocketPair::bind(lo, 0, 0).await.unwrap(),
        SocketPair::bind(lo, 0, 0).await.unwrap(),
    );
    let ports = |p: &SocketPair| {
        (
            p.ike.local_addr().unwrap().port(),
            p.natt.local_addr().unwrap().port(),
        )
    };
    let a_ports = ports(&a);
    let ca = parse(
        Path::new("a"),
        &conf("a.lab", "b.lab", ports(&b), "one secret", true),
    )
    .unwrap();
    let cb = parse(
        Path::new("b"),
        &conf("b.lab", "a.lab", ports(&a), "another secret", false),
    )
    .unwrap();
    let mut rxs = Vec::new();
    let mut controls = Vec::new();
    for (cfg, sock) in [(cb, b), (ca, a)] {
        let (etx, erx) = mpsc::unbounded_channel();
        let (ctx, crx) = mpsc::channel(1);
        let peer = Peer::new(cfg, vec![sock], Box::new(NoDataPlane::default()), etx);
        tokio::spawn(peer.run(LocalPackets::default(), crx, std::future::pending()));
        rxs.push(erx);
        controls.push(ctx);
    }
    let wait = std::time::Duration::from_secs(20);
    let responder = tokio::time::timeout(wait, rxs[0].recv())
        .await
        .unwrap()
        .unwrap();
    let initiator = tokio::time::timeout(wait, rxs[1].recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(responder.event, "ike_sa_failed", "{responder:?}");
    assert_eq!(responder.get("cause").unwrap(), "AuthenticationFailed");
    assert_eq!(responder.get("auth").unwrap(), "pre-shared key mismatch");
    assert_eq!(responder.conn.as_deref(), Some("c"));
    // Named by its real address (the driver maps RFC ports back).
    let (a_ike, _) = a_ports;
    assert_eq!(responder.peer, Some(std::net::SocketAddr::new(lo, a_ike)));
    assert_eq!(initiator.event, "ike_sa_failed", "{initiator:?}");
    assert_eq!(
        initiator.get("auth").unwrap(),
        "peer rejected our authentication"
    );
    let (tx, rx) = oneshot::channel();
    controls[0].send(ControlRequest::Status(tx)).await.unwrap();
    let st = rx.await.unwrap();
    // The failed SA stays only to answer retransmissions with the cached
    // error: no Child SA, state `failed`.
    for sa in st["ike_sas"].as_array().unwrap() {
        assert_eq!(sa["state"], "failed", "{st}");
        assert_eq!(sa["children"].as_array().map(Vec::len), Some(0));
    }
    assert_eq!(st["counters"]["failures"], 1);
}

#[test]
fn test_packets_are_checked_byte_for_byte() {
    let p = test_packet([10, 1, 0, 1], [10, 2, 0, 1], 7, 100);
    assert_eq!(p.len(), 100);
    assert_eq!(check_packet(&p, [10, 1, 0, 1], [10, 2, 0, 1], 100), Some(7));
    let mut bad = p.clone();
    bad[60] ^= 1;
    assert_eq!(check_packet(&bad, [10, 1, 0, 1], [10, 2, 0, 1], 100), None);
    assert_eq!(check_packet(&p, [10, 1, 0, 2], [10, 2, 0, 1], 100), None);
    // A valid IPv4 header checksum.
    let sum: u32 = p[..20]
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    assert_eq!((sum & 0xffff) + (sum >> 16), 0xffff);
}
