//! Where negotiated Child SAs go: the [`DataPlane`] trait and the planes
//! `ikev2-peer` ships.
//!
//! A data plane is sans-IO like the state machine: the driver hands it
//! Child SAs to install and remove, and (for a plane that carries packets
//! in this process) ESP packets received on UDP 4500 to open and IP packets
//! read from the TUN device to seal. The driver owns the sockets and the
//! TUN device; the plane owns keys, sequence numbers and replay windows.
//!
//! - [`NoDataPlane`] (`type = "none"`): negotiate only; SAs are counted,
//!   packets refused.
//! - [`Userspace`] (`type = "userspace"`): ESP in this process with the
//!   `esp` crate, always encapsulated in UDP (RFC 3948) on the NAT-T port,
//!   with the inbound policy check of RFC 4301 §5.2 (the inner addresses
//!   must fall inside the Child SA's selectors).
//! - [`super::kernel::Kernel`] (`type = "kernel"`, Linux): XFRM through
//!   `xfrm-sys`'s bridge, `carries_packets() == false`: install/remove
//!   become netlink requests and the counters come from the kernel; traps
//!   are kernel policies whose ACQUIREs come back as [`PlaneSignal`]s.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;

use esp::{InboundSa, OutboundSa, SaParams};
use ikev2_crypto::{CryptoProvider, IntegId};
use ikev2_sm::config::Mode;
use ikev2_sm::ts::TrafficSelector;
use ikev2_sm::{ChildSaInstall, ChildSaRemove};
pub use xfrm_sys::bridge::TrapInstall;

/// Where a Child SA's ESP travels on the wire: the real socket addresses
/// (after the driver's port mapping), ESP-in-UDP between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EspPath {
    /// Our NAT-T socket.
    pub local: SocketAddr,
    /// The peer's NAT-T address.
    pub remote: SocketAddr,
}

/// Traffic counters of one Child SA.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ChildCounters {
    /// Packets opened.
    pub packets_in: u64,
    /// Payload octets opened.
    pub bytes_in: u64,
    /// Packets sealed.
    pub packets_out: u64,
    /// Payload octets sealed.
    pub bytes_out: u64,
    /// Inbound packets refused (authentication, replay, padding, length, policy).
    pub dropped_in: u64,
}

/// Why a data plane could not take a Child SA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataPlaneError {
    /// The negotiated algorithms or keys were refused by the ESP layer.
    #[error("ESP SA {spi:08x}: {why}")]
    Esp {
        /// The SPI concerned.
        spi: u32,
        /// The ESP layer's reason.
        why: String,
    },
    /// The plane cannot do what the SA needs (e.g. transport mode over TUN).
    #[error("{0}")]
    Unsupported(&'static str),
    /// The kernel (XFRM) refused the SA or its policies.
    #[error("kernel: {0}")]
    Kernel(String),
}

/// Why a packet was not passed on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Drop {
    /// This plane does not carry packets.
    #[error("no data plane in this process")]
    NoDataPlane,
    /// No inbound SA with this SPI.
    #[error("unknown SPI {0:08x}")]
    UnknownSpi(u32),
    /// No outbound SA whose selectors cover the packet.
    #[error("no Child SA for {src} -> {dst}")]
    NoSa {
        /// Inner source.
        src: IpAddr,
        /// Inner destination.
        dst: IpAddr,
    },
    /// The ESP layer refused it (its counters say which check).
    #[error("ESP: {0}")]
    Esp(esp::Error),
    /// The decrypted packet is outside the SA's selectors (RFC 4301 §5.2).
    #[error("inner packet {src} -> {dst} outside the SA's selectors")]
    Policy {
        /// Inner source.
        src: IpAddr,
        /// Inner destination.
        dst: IpAddr,
    },
    /// Not an IP packet.
    #[error("not an IPv4 or IPv6 packet")]
    NotIp,
}

/// What a data plane does with Child SAs (and, if it carries them, packets).
///
/// The driver calls [`DataPlane::install`] for each `Output::InstallChildSa`
/// (before sending the datagram that lets the peer use it) and
/// [`DataPlane::remove`] for each `Output::RemoveChildSa`. A plane that
/// returns `true` from [`DataPlane::carries_packets`] also gets every ESP
/// packet received on the NAT-T port ([`DataPlane::open`]) and every IP
/// packet read from the TUN device ([`DataPlane::seal`]).
pub trait DataPlane: Send {
    /// The configuration keyword (`none`, `userspace`, `kernel`).
    fn kind(&self) -> &'static str;
    /// Installs both directions of a Child SA.
    ///
    /// # Errors
    /// [`DataPlaneError`] when the SA cannot be installed.
    fn install(&mut self, child: &ChildSaInstall, path: EspPath) -> Result<(), DataPlaneError>;
    /// Removes both directions of a Child SA (unknown SPIs are ignored).
    fn remove(&mut self, child: &ChildSaRemove);
    /// A rekey's new Child SA (inbound SPI `new_spi_in`) takes over
    /// outbound traffic from the old one (`Event::ChildSaRekeyed`).
    ///
    /// Make-before-break: [`DataPlane::install`] accepts the new SA's
    /// inbound traffic at once, but a plane that picks the outbound SA
    /// itself must keep sealing with the SA already in use until this call
    /// (the rekey responder's peer may not have the new SA yet). The old SA
    /// stays until its [`DataPlane::remove`].
    fn rekeyed(&mut self, old_spi_in: u32, new_spi_in: u32) {
        let _ = (old_spi_in, new_spi_in);
    }
    /// Counters of the Child SA whose inbound SPI is `spi_in`.
    fn counters(&self, spi_in: u32) -> Option<ChildCounters>;
    /// True when packets pass through this process (TUN + ESP-in-UDP).
    fn carries_packets(&self) -> bool {
        false
    }
    /// Opens an ESP packet (from its SPI on) in place; returns the inner
    /// IP packet's range in `esp`.
    ///
    /// # Errors
    /// [`Drop`] naming why the packet was refused.
    fn open(&mut self, esp: &mut [u8]) -> Result<Range<usize>, Drop> {
        let _ = esp;
        Err(Drop::NoDataPlane)
    }
    /// Seals an IP packet read from the TUN device into `out` (the UDP
    /// payload to send); returns the path to send it on.
    ///
    /// # Errors
    /// [`Drop::NoSa`] when no Child SA covers it (a `trap` may start one).
    fn seal(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<EspPath, Drop> {
        let _ = (packet, out);
        Err(Drop::NoDataPlane)
    }
    /// Prepares one of the driver's UDP sockets (IKE, or NAT-T when `nat_t`)
    /// before any Child SA exists; the kernel plane sets IPsec bypass
    /// policies and the ESP-in-UDP option here.
    ///
    /// # Errors
    /// The socket option was refused.
    fn prepare_socket(
        &mut self,
        socket: &tokio::net::UdpSocket,
        nat_t: bool,
    ) -> std::io::Result<()> {
        let _ = (socket, nat_t);
        Ok(())
    }
    /// Child SAs that reached a data-plane limit since the last call, as
    /// `(inbound SPI, hard)`: soft means rekey, hard means the SA is gone.
    fn expired(&mut self) -> Vec<(u32, bool)> {
        Vec::new()
    }
    /// Traps a configured child (`start_action = trap`) in the data plane:
    /// its policies with no SA, so that matching traffic is reported as
    /// [`PlaneSignal::Acquire`]. `Ok(None)`: this plane does not trap (the
    /// driver watches its packets instead).
    ///
    /// # Errors
    /// [`DataPlaneError`] when the trap cannot be installed.
    fn trap(&mut self, trap: &TrapInstall) -> Result<Option<u32>, DataPlaneError> {
        let _ = trap;
        Ok(None)
    }
    /// Removes the trap `name` (unknown names are ignored).
    fn untrap(&mut self, name: &str) {
        let _ = name;
    }
    /// ACQUIREs and NAT mapping changes seen since the last call (read
    /// together with [`DataPlane::expired`]).
    fn signals(&mut self) -> Vec<PlaneSignal> {
        Vec::new()
    }
    /// Points the Child SA with inbound SPI `spi_in` at the peer's new NAT
    /// address (after [`PlaneSignal::PeerMoved`]).
    ///
    /// # Errors
    /// [`DataPlaneError`] when the SAs cannot follow.
    fn follow_peer(&mut self, spi_in: u32, new_remote: SocketAddr) -> Result<(), DataPlaneError> {
        let _ = (spi_in, new_remote);
        Err(DataPlaneError::Unsupported(
            "this data plane does not report NAT mapping changes",
        ))
    }
    /// How often the driver should read [`DataPlane::expired`] and
    /// [`DataPlane::signals`] besides its one-second tick (the kernel plane:
    /// every 100 ms, so an ACQUIRE starts a negotiation at once; each read
    /// is one non-blocking `recv`).
    fn event_poll(&self) -> Option<std::time::Duration> {
        None
    }
}

/// What a data plane reports besides limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlaneSignal {
    /// Traffic hit a trap with no SA (the kernel's ACQUIRE): negotiate the
    /// trapped child.
    Acquire {
        /// The reqid of the policy's template.
        reqid: u32,
        /// The trap's name, when the plane knows it.
        trap: Option<String>,
        /// The packet's source.
        src: IpAddr,
        /// The packet's destination.
        dst: IpAddr,
    },
    /// ESP-in-UDP of a Child SA arrived from a new NAT address or port (the
    /// kernel's MAPPING).
    PeerMoved {
        /// The Child SA's inbound SPI.
        spi_in: u32,
        /// Where its packets come from now.
        new_remote: SocketAddr,
    },
}

/// `type = "none"`: Child SAs are negotiated and reported, nothing is
/// installed anywhere.
#[derive(Debug, Default)]
pub struct NoDataPlane {
    installed: HashMap<u32, ()>,
}

impl DataPlane for NoDataPlane {
    fn kind(&self) -> &'static str {
        "none"
    }
    fn install(&mut self, child: &ChildSaInstall, _path: EspPath) -> Result<(), DataPlaneError> {
        self.installed.insert(child.spi_in, ());
        Ok(())
    }
    fn remove(&mut self, child: &ChildSaRemove) {
        self.installed.remove(&child.spi_in);
    }
    fn counters(&self, spi_in: u32) -> Option<ChildCounters> {
        self.installed
            .contains_key(&spi_in)
            .then(ChildCounters::default)
    }
}

struct Outbound {
    sa: OutboundSa,
    spi_in: u32,
    local_ts: Vec<TrafficSelector>,
    remote_ts: Vec<TrafficSelector>,
    path: EspPath,
}

struct Inbound {
    sa: InboundSa,
    local_ts: Vec<TrafficSelector>,
    remote_ts: Vec<TrafficSelector>,
    policy_drops: u64,
}

/// `type = "userspace"`: ESP sealed and opened in this process.
pub struct Userspace {
    provider: &'static CryptoProvider,
    inbound: HashMap<u32, Inbound>,
    /// In order of preference: a packet goes out on the first SA whose
    /// selectors cover it. A new SA joins at the end (so an SA in use keeps
    /// carrying its traffic) and moves to the front when a rekey switches
    /// to it ([`DataPlane::rekeyed`]).
    outbound: Vec<Outbound>,
    /// Lifetime events seen since [`DataPlane::expired`] last drained them:
    /// `(inbound SPI, hard)`.
    limits: Vec<(u32, bool)>,
}

impl std::fmt::Debug for Userspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Userspace")
            .field("inbound", &self.inbound.len())
            .field("outbound", &self.outbound.len())
            .finish()
    }
}

impl Userspace {
    /// An empty plane using `provider`'s algorithms.
    #[must_use]
    pub fn new(provider: &'static CryptoProvider) -> Self {
        Self {
            provider,
            inbound: HashMap::new(),
            outbound: Vec::new(),
            limits: Vec::new(),
        }
    }
}

/// The `esp` crate's parameters for one direction of `c`.
fn params<'a>(
    c: &ChildSaInstall,
    spi: u32,
    encr_key: &'a [u8],
    integ_key: &'a [u8],
) -> SaParams<'a> {
    let mut p = SaParams::cipher_integ(
        spi,
        c.encr.0,
        c.encr.1,
        encr_key,
        c.integ.unwrap_or(IntegId::None),
        integ_key,
    );
    p.esn = c.esn.is_some_and(|e| e == ikev2_wire::EsnId::Esn);
    p.lifetime = esp::Lifetime {
        soft_bytes: c.limits.rekey_bytes,
        hard_bytes: c.limits.life_bytes,
        soft_packets: c.limits.rekey_packets,
        hard_packets: c.limits.life_packets,
    };
    p
}

/// Drains an SA's lifetime events: `Some(true)` hard (gone), `Some(false)`
/// soft (rekey), the harder of what was pending.
fn lifetime_events(mut poll: impl FnMut() -> Option<esp::SaEvent>) -> Option<bool> {
    let mut worst = None;
    while let Some(e) = poll() {
        let hard = matches!(
            e,
            esp::SaEvent::HardLifetime | esp::SaEvent::SequenceExhausted
        );
        worst = Some(worst.unwrap_or(false) || hard);
    }
    worst
}

impl DataPlane for Userspace {
    fn kind(&self) -> &'static str {
        "userspace"
    }

    fn install(&mut self, c: &ChildSaInstall, path: EspPath) -> Result<(), DataPlaneError> {
        if c.mode != Mode::Tunnel {
            return Err(DataPlaneError::Unsupported(
                "the userspace data plane carries tunnel mode only",
            ));
        }
        let esp_err = |spi: u32| {
            move |e: esp::Error| DataPlaneError::Esp {
                spi,
                why: e.to_string(),
            }
        };
        let inb = InboundSa::new(
            self.provider,
            &params(
                c,
                c.spi_in,
                c.encr_key_in.as_bytes(),
                c.integ_key_in.as_bytes(),
            ),
        )
        .map_err(esp_err(c.spi_in))?;
        let out = OutboundSa::new(
            self.provider,
            &params(
                c,
                c.spi_out,
                c.encr_key_out.as_bytes(),
                c.integ_key_out.as_bytes(),
            ),
        )
        .map_err(esp_err(c.spi_out))?;
        self.inbound.insert(
            c.spi_in,
            Inbound {
                sa: inb,
                local_ts: c.local_ts.clone(),
                remote_ts: c.remote_ts.clone(),
                policy_drops: 0,
            },
        );
        // Re-installing an SPI replaces it (not expected from the state
        // machine, but never two outbound SAs for one inbound SPI).
        self.outbound.retain(|o| o.spi_in != c.spi_in);
        self.outbound.push(Outbound {
            sa: out,
            spi_in: c.spi_in,
            local_ts: c.local_ts.clone(),
            remote_ts: c.remote_ts.clone(),
            path,
        });
        Ok(())
    }

    fn remove(&mut self, c: &ChildSaRemove) {
        self.inbound.remove(&c.spi_in);
        self.outbound.retain(|o| o.spi_in != c.spi_in);
    }

    fn rekeyed(&mut self, _old_spi_in: u32, new_spi_in: u32) {
        if let Some(at) = self.outbound.iter().position(|o| o.spi_in == new_spi_in) {
            let o = self.outbound.remove(at);
            self.outbound.insert(0, o);
        }
    }

    /// Volume limits (the child's `rekey_*`/`life_*`) crossed in either
    /// direction, and outbound sequence numbers near or at exhaustion, as
    /// `open`/`seal` saw them happen (each SA's event fires once).
    fn expired(&mut self) -> Vec<(u32, bool)> {
        std::mem::take(&mut self.limits)
    }

    fn counters(&self, spi_in: u32) -> Option<ChildCounters> {
        let i = self.inbound.get(&spi_in)?;
        let ic = i.sa.counters();
        let oc = self
            .outbound
            .iter()
            .find(|o| o.spi_in == spi_in)
            .map(|o| *o.sa.counters())
            .unwrap_or_default();
        Some(ChildCounters {
            packets_in: ic.packets,
            bytes_in: ic.bytes,
            packets_out: oc.packets,
            bytes_out: oc.bytes,
            dropped_in: ic.replay_too_old
                + ic.replay_duplicate
                + ic.auth_failures
                + ic.bad_padding
                + ic.bad_length
                + ic.expired
                + i.policy_drops,
        })
    }

    fn carries_packets(&self) -> bool {
        true
    }

    fn open(&mut self, esp: &mut [u8]) -> Result<Range<usize>, Drop> {
        let spi = esp
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or(Drop::Esp(esp::Error::Truncated {
                need: 8,
                have: esp.len(),
            }))?;
        let inb = self.inbound.get_mut(&spi).ok_or(Drop::UnknownSpi(spi))?;
        let opened = inb.sa.open(esp).map_err(Drop::Esp)?;
        if let Some(hard) = lifetime_events(|| inb.sa.poll_event()) {
            self.limits.push((spi, hard));
        }
        let inner = esp.get(opened.payload.clone()).ok_or(Drop::NotIp)?;
        let f = flow(inner).ok_or(Drop::NotIp)?;
        // Inbound policy: from the peer's side to ours.
        if !covers(&inb.remote_ts, f.src, f.proto, f.src_port)
            || !covers(&inb.local_ts, f.dst, f.proto, f.dst_port)
        {
            inb.policy_drops += 1;
            return Err(Drop::Policy {
                src: f.src,
                dst: f.dst,
            });
        }
        Ok(opened.payload)
    }

    fn seal(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<EspPath, Drop> {
        let f = flow(packet).ok_or(Drop::NotIp)?;
        let o = self
            .outbound
            .iter_mut()
            .find(|o| {
                covers(&o.local_ts, f.src, f.proto, f.src_port)
                    && covers(&o.remote_ts, f.dst, f.proto, f.dst_port)
            })
            .ok_or(Drop::NoSa {
                src: f.src,
                dst: f.dst,
            })?;
        let at = o.sa.header_len();
        out.clear();
        out.resize(o.sa.sealed_len(packet.len()), 0);
        out.get_mut(at..at + packet.len())
            .ok_or(Drop::NotIp)?
            .copy_from_slice(packet);
        let sealed = o.sa.seal(out, packet.len()).map_err(Drop::Esp)?;
        if let Some(hard) = lifetime_events(|| o.sa.poll_event()) {
            self.limits.push((o.spi_in, hard));
        }
        out.truncate(sealed.len);
        Ok(o.path)
    }
}

fn covers(ts: &[TrafficSelector], addr: IpAddr, proto: u8, port: u16) -> bool {
    ts.iter().any(|t| t.matches(addr, proto, port))
}

/// The 5-tuple parts selectors look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flow {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IP protocol (IPv6: the first next-header).
    pub proto: u8,
    /// Source port (ICMP: type << 8 | code; 0 when absent).
    pub src_port: u16,
    /// Destination port (0 when absent).
    pub dst_port: u16,
}

/// Reads addresses, protocol and ports from an IP packet header.
#[must_use]
pub fn flow(p: &[u8]) -> Option<Flow> {
    let first = *p.first()?;
    let be16 = |b: &[u8], i: usize| -> u16 {
        b.get(i..i + 2)
            .and_then(|s| <[u8; 2]>::try_from(s).ok())
            .map_or(0, u16::from_be_bytes)
    };
    let (src, dst, proto, l4): (IpAddr, IpAddr, u8, &[u8]) = match first >> 4 {
        4 => {
            let ihl = usize::from(first & 0x0f) * 4;
            let s: [u8; 4] = p.get(12..16)?.try_into().ok()?;
            let d: [u8; 4] = p.get(16..20)?.try_into().ok()?;
            // Later fragments carry no transport header.
            let frag_off = be16(p, 6) & 0x1fff;
            let l4 = if frag_off == 0 {
                p.get(ihl..).unwrap_or(&[])
            } else {
                &[]
            };
            (s.into(), d.into(), *p.get(9)?, l4)
        }
        6 => {
            let s: [u8; 16] = p.get(8..24)?.try_into().ok()?;
            let d: [u8; 16] = p.get(24..40)?.try_into().ok()?;
            (s.into(), d.into(), *p.get(6)?, p.get(40..).unwrap_or(&[]))
        }
        _ => return None,
    };
    let (src_port, dst_port) = match proto {
        6 | 17 | 132 => (be16(l4, 0), be16(l4, 2)),
        1 | 58 => {
            let t = u16::from(l4.first().copied().unwrap_or(0));
            let c = u16::from(l4.get(1).copied().unwrap_or(0));
            ((t << 8) | c, 0)
        }
        _ => (0, 0),
    };
    Some(Flow {
        src,
        dst,
        proto,
        src_port,
        dst_port,
    })
}

/// The smallest list of CIDR prefixes covering `start..=end` (for routes
/// towards a selector's addresses).
#[must_use]
pub fn cidrs(start: IpAddr, end: IpAddr) -> Vec<(IpAddr, u8)> {
    let (bits, v4) = match (start, end) {
        (IpAddr::V4(_), IpAddr::V4(_)) => (32u32, true),
        (IpAddr::V6(_), IpAddr::V6(_)) => (128u32, false),
        _ => return Vec::new(),
    };
    let num = |a: IpAddr| match a {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    };
    let addr = |n: u128| -> IpAddr {
        if v4 {
            IpAddr::V4(u32::try_from(n).unwrap_or(u32::MAX).into())
        } else {
            IpAddr::V6(n.into())
        }
    };
    let (mut lo, hi) = (num(start), num(end));
    let top_of = |lo: u128, size: u32| {
        if size >= 128 {
            u128::MAX
        } else {
            lo | ((1u128 << size) - 1)
        }
    };
    let mut out = Vec::new();
    while lo <= hi {
        // The largest block aligned at `lo` that ends at or before `hi`.
        let mut size = lo.trailing_zeros().min(bits);
        while size > 0 && top_of(lo, size) > hi {
            size -= 1;
        }
        out.push((addr(lo), u8::try_from(bits - size).unwrap_or(0)));
        let top = top_of(lo, size);
        if top >= hi {
            break;
        }
        lo = top + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_cover() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            cidrs(ip("10.2.0.0"), ip("10.2.0.255")),
            vec![(ip("10.2.0.0"), 24)]
        );
        assert_eq!(
            cidrs(ip("0.0.0.0"), ip("255.255.255.255")),
            vec![(ip("0.0.0.0"), 0)]
        );
        assert_eq!(
            cidrs(ip("10.0.0.1"), ip("10.0.0.6")),
            vec![
                (ip("10.0.0.1"), 32),
                (ip("10.0.0.2"), 31),
                (ip("10.0.0.4"), 31),
                (ip("10.0.0.6"), 32)
            ]
        );
        assert_eq!(
            cidrs(ip("::"), ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
            vec![(ip("::"), 0)]
        );
        assert_eq!(
            cidrs(ip("fd00::"), ip("fd00::ffff")),
            vec![(ip("fd00::"), 112)]
        );
    }

    #[test]
    fn flow_of_udp_and_icmp() {
        let mut udp = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 1, 0, 1, 10, 2, 0, 1,
        ];
        udp.extend_from_slice(&[0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0]);
        let f = flow(&udp).unwrap();
        assert_eq!((f.proto, f.src_port, f.dst_port), (17, 5000, 53));
        assert_eq!(f.dst, "10.2.0.1".parse::<IpAddr>().unwrap());
        let mut icmp = udp.clone();
        icmp[9] = 1;
        icmp[20] = 8;
        icmp[21] = 0;
        assert_eq!(flow(&icmp).unwrap().src_port, 8 << 8);
        assert!(flow(&[0x55, 0]).is_none());
        assert!(flow(&udp[..10]).is_none());
    }
}
