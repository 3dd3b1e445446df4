//! The kernel data plane of the ikev2-sm bridge against the running kernel,
//! as root, in a private network namespace. This machine's kernel has XFRM
//! but no ESP: a negotiated Child SA's install is refused with the kernel's
//! own error and leaves nothing behind. (The VM stage proves the success
//! path: `examples/ike_esp.rs`.)
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
#[path = "../examples/support/ike_pair.rs"]
mod ike_pair;

use ikev2_sm::config::Mode;
use ikev2_sm::ChildSaRemove;
use xfrm_sys::bridge::{BridgeConfig, DataPlaneError, KernelDataPlane};
use xfrm_sys::{Error, KernelFeatures};

#[test]
fn negotiated_child_sa_install_refused_or_installed_and_removed_cleanly() {
    let (_link, a, _b) = ike_pair::negotiate(&ike_pair::Pair {
        esp: "aes256gcm16-esn",
        mode: Mode::Tunnel,
        ts: ("10.1.0.0/16", "10.2.0.0/16"),
        a: "10.9.0.1:500".parse().unwrap(),
        b: "10.9.0.2:500".parse().unwrap(),
        force_encap: false,
    })
    .unwrap();
    common::private_netns();
    let mut dp = KernelDataPlane::open(BridgeConfig {
        features: KernelFeatures::detect(),
        ..BridgeConfig::default()
    })
    .unwrap();
    match dp.install(&a) {
        Err(DataPlaneError::Kernel(Error::Kernel(e))) => {
            assert_eq!(e.errno, 38, "ENOSYS: {e}");
            assert_eq!(
                e.message.as_deref(),
                Some("Requested AEAD algorithm not found")
            );
            assert!(dp.bridge().is_empty(), "a refused install is forgotten");
        }
        Ok(()) => {
            assert_eq!(dp.socket().dump_sa().unwrap().len(), 2);
            assert_eq!(dp.socket().dump_policy().unwrap().len(), 3);
            dp.remove(&ChildSaRemove {
                sa: a.sa,
                name: a.name.clone(),
                spi_in: a.spi_in,
                spi_out: a.spi_out,
            })
            .unwrap();
        }
        Err(e) => panic!("unexpected error {e}"),
    }
    assert!(dp.socket().dump_sa().unwrap().is_empty());
    assert!(dp.socket().dump_policy().unwrap().is_empty());
    assert!(dp.poll_inputs().unwrap().is_empty());
}

/// A trap in the running kernel: its policies go in with no SA, the first
/// matching packet comes back as an ACQUIRE naming the trap, and removing
/// the trap leaves nothing behind.
#[test]
fn trap_policies_raise_acquire_named_after_the_trap() {
    use std::time::{Duration, Instant};
    use xfrm_sys::bridge::{KernelInput, TrapInstall};

    common::private_netns();
    let mut dp = KernelDataPlane::open(BridgeConfig {
        features: KernelFeatures::detect(),
        first_reqid: 40,
        ..BridgeConfig::default()
    })
    .unwrap();
    let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
    let port =
        |p| ikev2_sm::ts::TrafficSelector::new(ip("127.0.0.2"), ip("127.0.0.2"), 17, p, p).unwrap();
    let trap = TrapInstall {
        name: "lo/dns".into(),
        local: ip("127.0.0.1"),
        remote: ip("127.0.0.2"),
        mode: Mode::Transport,
        local_ts: vec![ikev2_sm::ts::TrafficSelector::host(ip("127.0.0.1"))],
        remote_ts: vec![port(9953)],
    };
    let reqid = dp.trap(&trap).unwrap();
    assert_eq!(reqid, 40);
    assert_eq!(dp.socket().dump_policy().unwrap().len(), 2, "out and in");
    assert!(dp.socket().dump_sa().unwrap().is_empty(), "no SA");

    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    // EAGAIN while the kernel's larval SA waits for the negotiation.
    let _ = sock.send_to(b"first", "127.0.0.2:9953");
    let deadline = Instant::now() + Duration::from_secs(5);
    let acquire = loop {
        let got = dp.poll_inputs().unwrap().into_iter().find_map(|i| match i {
            KernelInput::Acquire {
                reqid,
                trap,
                packet,
                ..
            } => Some((reqid, trap, packet)),
            _ => None,
        });
        if let Some(a) = got {
            break a;
        }
        assert!(Instant::now() < deadline, "no ACQUIRE within 5 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(acquire.0, 40);
    assert_eq!(acquire.1.as_deref(), Some("lo/dns"));
    assert_eq!(acquire.2.daddr, ip("127.0.0.2").into());
    assert_eq!((acquire.2.proto, acquire.2.dport), (17, 9953));

    dp.untrap("lo/dns").unwrap();
    assert!(dp.socket().dump_policy().unwrap().is_empty());
}
