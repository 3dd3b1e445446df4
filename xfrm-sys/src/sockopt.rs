//! Socket options an IKE daemon sets when the kernel carries ESP (Linux
//! only): a per-socket bypass policy on its IKE sockets, so IKE messages
//! never match the IPsec policies it installs, and ESP-in-UDP decapsulation
//! on its port-4500 socket (RFC 3948).

use std::os::fd::AsFd;

use nix::libc;

use crate::msg::{PolicyDir, PolicyInfo, XfrmMessage};
use crate::Error;

/// `UDP_ENCAP` (`linux/udp.h`).
const UDP_ENCAP: libc::c_int = 100;
/// `UDP_ENCAP_ESPINUDP`.
const UDP_ENCAP_ESPINUDP: usize = 2;
/// `IP_XFRM_POLICY` (`linux/in.h`).
const IP_XFRM_POLICY: libc::c_int = 17;
/// `IPV6_XFRM_POLICY` (`linux/in6.h`).
const IPV6_XFRM_POLICY: libc::c_int = 35;

/// `struct xfrm_userpolicy_info` as the kernel reads it.
type UserPolicy = [u8; 168];

// nix's documented way to add socket options it does not ship; it passes
// the value's address and size to setsockopt(2), so no unsafe code here.
#[allow(unreachable_pub)]
mod opts {
    use super::{UserPolicy, IPV6_XFRM_POLICY, IP_XFRM_POLICY, UDP_ENCAP};
    use nix::libc;
    use nix::{getsockopt_impl, setsockopt_impl, sockopt_impl};

    sockopt_impl!(
        /// `UDP_ENCAP`.
        UdpEncap, Both, libc::SOL_UDP, UDP_ENCAP, usize
    );
    sockopt_impl!(
        /// `IP_XFRM_POLICY`.
        IpXfrmPolicy, SetOnly, libc::SOL_IP, IP_XFRM_POLICY, UserPolicy
    );
    sockopt_impl!(
        /// `IPV6_XFRM_POLICY`.
        Ipv6XfrmPolicy, SetOnly, libc::SOL_IPV6, IPV6_XFRM_POLICY, UserPolicy
    );
}
use opts::{IpXfrmPolicy, Ipv6XfrmPolicy, UdpEncap};

fn allow(dir: PolicyDir, ipv6: bool) -> UserPolicy {
    let mut p = PolicyInfo {
        dir: dir.into(),
        // XFRM_POLICY_ALLOW, no templates: traffic of this socket bypasses
        // every IPsec policy.
        action: 0,
        ..PolicyInfo::default()
    };
    // The kernel wants the socket's family in the (otherwise empty) selector.
    p.sel.family = if ipv6 { 10 } else { 2 };
    let mut v = Vec::with_capacity(168);
    XfrmMessage::NewPolicy(p).emit_body(&mut v);
    let mut out = [0u8; 168];
    for (o, b) in out.iter_mut().zip(v) {
        *o = b;
    }
    out
}

/// Sets inbound and outbound bypass policies on an IKE socket (as IKE
/// daemons do before installing policies): its datagrams are neither
/// encrypted by, nor required to arrive through, any SA. `ipv6` selects
/// the IPv6 option (for sockets bound to IPv6 addresses).
pub fn bypass_ipsec(sock: &impl AsFd, ipv6: bool) -> Result<(), Error> {
    for dir in [PolicyDir::In, PolicyDir::Out] {
        let p = allow(dir, ipv6);
        let r = if ipv6 {
            nix::sys::socket::setsockopt(sock, Ipv6XfrmPolicy, &p)
        } else {
            nix::sys::socket::setsockopt(sock, IpXfrmPolicy, &p)
        };
        r.map_err(|e| Error::Io(e.into()))?;
    }
    Ok(())
}

/// Makes a UDP socket (normally IKE's port 4500) hand ESP-in-UDP packets
/// (RFC 3948) to the kernel's ESP, keeping only IKE messages (with the
/// non-ESP marker) and keepalives for the application.
pub fn enable_esp_in_udp(sock: &impl AsFd) -> Result<(), Error> {
    nix::sys::socket::setsockopt(sock, UdpEncap, &UDP_ENCAP_ESPINUDP)
        .map_err(|e| Error::Io(e.into()))?;
    let got = nix::sys::socket::getsockopt(sock, UdpEncap).map_err(|e| Error::Io(e.into()))?;
    if got == UDP_ENCAP_ESPINUDP {
        Ok(())
    } else {
        Err(Error::Invalid("UDP_ENCAP did not read back as ESP-in-UDP"))
    }
}
