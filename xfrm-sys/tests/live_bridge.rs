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
