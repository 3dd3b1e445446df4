//! Helpers for live tests: a private network namespace per test thread.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use nix::sched::{unshare, CloneFlags};

/// Moves the calling thread into a fresh network namespace (Linux network
/// namespaces are per thread), so nothing a test does touches the host's
/// XFRM state. Every socket the thread opens afterwards lives there. Then
/// brings `lo` up. Fails loudly when not root: these tests must run.
pub(crate) fn private_netns() {
    if let Err(e) = unshare(CloneFlags::CLONE_NEWNET) {
        panic!(
            "live XFRM tests need root (CAP_SYS_ADMIN) to create a network namespace: unshare: {e}"
        );
    }
    link_up(1);
    // Loopback skips IPsec by default (disable_xfrm); tests that need
    // policies to apply to local traffic turn that off. /proc/sys/net is
    // resolved against the opening thread's namespace.
    std::fs::write("/proc/sys/net/ipv4/conf/lo/disable_xfrm", "0").unwrap();
}

/// `ip link set dev <ifindex> up` via rtnetlink.
pub(crate) fn link_up(ifindex: i32) {
    let mut s = Socket::new(NETLINK_ROUTE).unwrap();
    s.bind_auto().unwrap();
    s.connect(&SocketAddr::new(0, 0)).unwrap();
    let mut m = Vec::new();
    m.extend_from_slice(&32u32.to_ne_bytes()); // nlmsg_len
    m.extend_from_slice(&16u16.to_ne_bytes()); // RTM_NEWLINK
    m.extend_from_slice(&5u16.to_ne_bytes()); // NLM_F_REQUEST | NLM_F_ACK
    m.extend_from_slice(&1u32.to_ne_bytes()); // seq
    m.extend_from_slice(&0u32.to_ne_bytes()); // pid
    m.extend_from_slice(&[0, 0, 0, 0]); // ifi_family, pad, ifi_type
    m.extend_from_slice(&ifindex.to_ne_bytes());
    m.extend_from_slice(&1u32.to_ne_bytes()); // ifi_flags = IFF_UP
    m.extend_from_slice(&1u32.to_ne_bytes()); // ifi_change
    s.send(&m, 0).unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.recv(&mut &mut buf[..], 0).unwrap();
    assert!(n >= 20);
    let code = i32::from_ne_bytes(buf[16..20].try_into().unwrap());
    assert_eq!(code, 0, "RTM_NEWLINK up failed");
}
