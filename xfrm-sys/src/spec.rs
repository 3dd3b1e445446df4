//! A plain description of one negotiated Child SA (both directions) and its
//! translation into kernel SA and policy messages.
//!
//! This is the seam between an IKE state machine and the kernel: whatever the
//! negotiation produced (SPIs, addresses, mode, algorithms and KEYMAT, NAT-T
//! ports, lifetimes, replay window and ESN, marks/interface ids) is written into
//! a [`ChildSaSpec`]; [`ChildSaSpec::install`] and [`ChildSaSpec::remove`] give
//! the messages to send.

use std::net::IpAddr;

use crate::alg::Cipher;
use crate::attr::{Algo, AlgoLen, Attr, SaDir};
use crate::msg::{sa_flags, Mode, PolicyInfo, SaIdMsg, SaInfo, XfrmMessage};
use crate::policy::PolicySpec;
use crate::types::{
    family_of, EncapTmpl, LifetimeCfg, Mark, ReplayStateEsn, Selector, XfrmId, IPPROTO_ESP,
    REPLAY_ESN_MAX_WINDOW, UDP_ENCAP_ESPINUDP, XFRM_INF,
};
use crate::Error;

/// Which way an SA carries traffic, seen from this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Peer to us: we decrypt. The SPI is the one *we* chose.
    In,
    /// Us to peer: we encrypt. The SPI is the one the *peer* chose.
    Out,
}

/// What the running kernel accepts. Some rules changed between versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelFeatures {
    /// `XFRMA_SA_DIR` is understood (Linux 6.10+). When set, SAs carry their
    /// direction and outbound SAs must have replay window 0 (and an ESN replay
    /// state with an empty bitmap). Older kernels reject ESN with window 0, so
    /// outbound SAs then get the same window as inbound ones.
    pub sa_dir: bool,
}

impl KernelFeatures {
    /// Features of a kernel release string such as `6.1.0-28-amd64`.
    pub fn from_release(release: &str) -> Self {
        let mut it = release
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        let major: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let minor: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        KernelFeatures {
            sa_dir: (major, minor) >= (6, 10),
        }
    }

    /// Features of the running kernel (`/proc/sys/kernel/osrelease`); the
    /// oldest behaviour if it cannot be read.
    pub fn detect() -> Self {
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|r| Self::from_release(r.trim()))
            .unwrap_or(KernelFeatures { sa_dir: false })
    }
}

/// One traffic selector as a prefix (IKEv2 ranges convert with
/// [`range_to_prefixes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TsPrefix {
    /// Network address.
    pub addr: IpAddr,
    /// Prefix length.
    pub prefix_len: u8,
    /// Upper-layer protocol (0 = any).
    pub proto: u8,
    /// A single port, or `None` for any.
    pub port: Option<u16>,
}

impl TsPrefix {
    /// The single host `addr`, any protocol and port.
    pub fn host(addr: IpAddr) -> Self {
        let prefix_len = if addr.is_ipv4() { 32 } else { 128 };
        TsPrefix {
            addr,
            prefix_len,
            proto: 0,
            port: None,
        }
    }
    /// `addr/prefix_len`, any protocol and port.
    pub fn net(addr: IpAddr, prefix_len: u8) -> Self {
        TsPrefix {
            addr,
            prefix_len,
            proto: 0,
            port: None,
        }
    }
}

/// Splits the inclusive address range `[start, end]` (an IKEv2 traffic
/// selector) into the fewest prefixes that cover it exactly. Empty if the
/// families differ or `start > end`.
pub fn range_to_prefixes(start: IpAddr, end: IpAddr) -> Vec<(IpAddr, u8)> {
    let (s, e, bits, v4) = match (start, end) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (
            u128::from(u32::from(a)),
            u128::from(u32::from(b)),
            32u32,
            true,
        ),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128u32, false),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut cur = s;
    while cur <= e {
        // Largest block aligned at `cur` that fits in [cur, e].
        let mut size_bits = if cur == 0 {
            bits
        } else {
            cur.trailing_zeros().min(bits)
        };
        loop {
            let last = if size_bits >= 128 {
                u128::MAX
            } else {
                cur | ((1u128 << size_bits) - 1)
            };
            if last <= e {
                break;
            }
            size_bits -= 1;
        }
        let addr = if v4 {
            IpAddr::V4(std::net::Ipv4Addr::from(u32::try_from(cur).unwrap_or(0)))
        } else {
            IpAddr::V6(std::net::Ipv6Addr::from(cur))
        };
        out.push((addr, u8::try_from(bits - size_bits).unwrap_or(0)));
        let step = if size_bits >= 128 {
            None
        } else {
            cur.checked_add(1u128 << size_bits)
        };
        match step {
            Some(n) => cur = n,
            None => break,
        }
    }
    out
}

/// SPI and keys of one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaKeys {
    /// SPI (host order).
    pub spi: u32,
    /// Algorithms and keys.
    pub cipher: Cipher,
}

/// UDP encapsulation ports (RFC 3948), normally 4500 on both sides unless a
/// NAT rewrote them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpEncap {
    /// Our port.
    pub local_port: u16,
    /// The peer's port.
    pub remote_port: u16,
}

/// Soft and hard limits. `None` means no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lifetime {
    /// Soft byte limit.
    pub soft_bytes: Option<u64>,
    /// Hard byte limit.
    pub hard_bytes: Option<u64>,
    /// Soft packet limit.
    pub soft_packets: Option<u64>,
    /// Hard packet limit.
    pub hard_packets: Option<u64>,
    /// Soft limit, seconds after install.
    pub soft_seconds: Option<u64>,
    /// Hard limit, seconds after install.
    pub hard_seconds: Option<u64>,
}

impl Lifetime {
    fn to_cfg(self) -> LifetimeCfg {
        LifetimeCfg {
            soft_byte_limit: self.soft_bytes.unwrap_or(XFRM_INF),
            hard_byte_limit: self.hard_bytes.unwrap_or(XFRM_INF),
            soft_packet_limit: self.soft_packets.unwrap_or(XFRM_INF),
            hard_packet_limit: self.hard_packets.unwrap_or(XFRM_INF),
            soft_add_expires_seconds: self.soft_seconds.unwrap_or(0),
            hard_add_expires_seconds: self.hard_seconds.unwrap_or(0),
            ..LifetimeCfg::default()
        }
    }
}

/// Everything the kernel needs for one Child SA pair and its policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildSaSpec {
    /// Our outer (IKE) address.
    pub local: IpAddr,
    /// The peer's outer address.
    pub remote: IpAddr,
    /// Transport or tunnel.
    pub mode: Mode,
    /// IPsec protocol (50 = ESP).
    pub proto: u8,
    /// Request id tying SAs to policies; unique per Child SA.
    pub reqid: u32,
    /// The inbound SA (our SPI).
    pub inbound: SaKeys,
    /// The outbound SA (the peer's SPI).
    pub outbound: SaKeys,
    /// Our traffic selectors.
    pub local_ts: Vec<TsPrefix>,
    /// The peer's traffic selectors.
    pub remote_ts: Vec<TsPrefix>,
    /// UDP encapsulation (NAT-T).
    pub encap: Option<UdpEncap>,
    /// Lifetimes (applied to both SAs).
    pub lifetime: Lifetime,
    /// Anti-replay window in packets (0 disables; at most 4096).
    pub replay_window: u32,
    /// Extended sequence numbers (RFC 4303).
    pub esn: bool,
    /// Mark on the inbound SA and policies.
    pub mark_in: Option<Mark>,
    /// Mark on the outbound SA and policy.
    pub mark_out: Option<Mark>,
    /// XFRM interface id (route-based VPN), on SAs and policies.
    pub if_id: Option<u32>,
    /// Policy priority (lower wins).
    pub priority: u32,
    /// NAT keepalive interval in seconds for the outbound SA (Linux 6.9+; needs `encap`).
    pub nat_keepalive_interval: Option<u32>,
    /// TFC padding length for the outbound SA.
    pub tfc_pad: Option<u32>,
}

impl ChildSaSpec {
    /// A spec with no selectors beyond the two hosts, no lifetimes, a 32-packet
    /// window, no ESN, no marks.
    pub fn new(
        local: IpAddr,
        remote: IpAddr,
        mode: Mode,
        reqid: u32,
        inbound: SaKeys,
        outbound: SaKeys,
    ) -> Self {
        ChildSaSpec {
            local,
            remote,
            mode,
            proto: IPPROTO_ESP,
            reqid,
            inbound,
            outbound,
            local_ts: vec![TsPrefix::host(local)],
            remote_ts: vec![TsPrefix::host(remote)],
            encap: None,
            lifetime: Lifetime::default(),
            replay_window: 32,
            esn: false,
            mark_in: None,
            mark_out: None,
            if_id: None,
            priority: 0,
            nat_keepalive_interval: None,
            tfc_pad: None,
        }
    }

    /// The same Child SA as the peer sees it: addresses, SPIs, keys,
    /// selectors, ports and marks swapped. Handy for tests that install both
    /// ends on one machine.
    pub fn peer_view(&self) -> ChildSaSpec {
        ChildSaSpec {
            local: self.remote,
            remote: self.local,
            inbound: self.outbound.clone(),
            outbound: self.inbound.clone(),
            local_ts: self.remote_ts.clone(),
            remote_ts: self.local_ts.clone(),
            encap: self.encap.map(|e| UdpEncap {
                local_port: e.remote_port,
                remote_port: e.local_port,
            }),
            mark_in: self.mark_out,
            mark_out: self.mark_in,
            ..self.clone()
        }
    }

    fn validate(&self) -> Result<(), Error> {
        if family_of(&self.local) != family_of(&self.remote) {
            return Err(Error::Invalid(
                "local and remote addresses differ in family",
            ));
        }
        if self.replay_window > REPLAY_ESN_MAX_WINDOW {
            return Err(Error::Invalid(
                "replay window above the kernel's 4096-packet cap",
            ));
        }
        if self.nat_keepalive_interval.is_some() && self.encap.is_none() {
            return Err(Error::Invalid("NAT keepalive needs UDP encapsulation"));
        }
        self.inbound.cipher.validate()?;
        self.outbound.cipher.validate()
    }

    fn addrs(&self, dir: Direction) -> (IpAddr, IpAddr) {
        match dir {
            Direction::In => (self.remote, self.local),
            Direction::Out => (self.local, self.remote),
        }
    }

    /// The kernel SA for one direction (`XFRM_MSG_NEWSA` body).
    pub fn sa(&self, dir: Direction, k: KernelFeatures) -> Result<SaInfo, Error> {
        self.validate()?;
        let (src, dst) = self.addrs(dir);
        let keys = match dir {
            Direction::In => &self.inbound,
            Direction::Out => &self.outbound,
        };
        let family = family_of(&dst);
        let mut sa = SaInfo {
            // Zero selector, as iproute2 sends: the kernel fills in the family.
            sel: Selector::default(),
            id: XfrmId {
                daddr: dst.into(),
                spi: keys.spi,
                proto: self.proto,
            },
            saddr: src.into(),
            lft: self.lifetime.to_cfg(),
            reqid: self.reqid,
            family,
            mode: self.mode.into(),
            ..SaInfo::default()
        };
        match &keys.cipher {
            Cipher::Aead { alg, key } => sa.attrs.push(Attr::AlgAead(AlgoLen {
                name: alg.kernel_name().into(),
                key: key.clone(),
                len_bits: alg.icv_bits(),
            })),
            Cipher::EncInteg {
                enc,
                enc_key,
                integ,
                integ_key,
            } => {
                sa.attrs.push(Attr::AlgCrypt(Algo {
                    name: enc.kernel_name().into(),
                    key: enc_key.clone(),
                }));
                sa.attrs.push(Attr::AlgAuthTrunc(AlgoLen {
                    name: integ.kernel_name().into(),
                    key: integ_key.clone(),
                    len_bits: integ.trunc_bits(),
                }));
            }
        }
        if let Some(e) = self.encap {
            let (sport, dport) = match dir {
                Direction::In => (e.remote_port, e.local_port),
                Direction::Out => (e.local_port, e.remote_port),
            };
            sa.attrs.push(Attr::Encap(EncapTmpl {
                encap_type: UDP_ENCAP_ESPINUDP,
                sport,
                dport,
                ..EncapTmpl::default()
            }));
        }
        // Replay protection. Linux 6.10+ (with XFRMA_SA_DIR) wants window 0 on
        // outbound SAs; older kernels want a non-zero window with ESN.
        let out_zero = dir == Direction::Out && k.sa_dir;
        let window = if out_zero { 0 } else { self.replay_window };
        if self.esn || window > 32 {
            if self.esn {
                sa.flags |= sa_flags::ESN;
            }
            let rs = if out_zero {
                ReplayStateEsn::default()
            } else {
                ReplayStateEsn::with_window(window)
            };
            sa.attrs.push(Attr::ReplayEsnVal(rs));
        } else {
            sa.replay_window = u8::try_from(window).unwrap_or(u8::MAX);
        }
        let mark = match dir {
            Direction::In => self.mark_in,
            Direction::Out => self.mark_out,
        };
        if let Some(m) = mark {
            sa.attrs.push(Attr::Mark(m));
        }
        if let Some(id) = self.if_id {
            sa.attrs.push(Attr::IfId(id));
        }
        if k.sa_dir {
            sa.attrs.push(Attr::SaDir(match dir {
                Direction::In => SaDir::In,
                Direction::Out => SaDir::Out,
            }));
        }
        if dir == Direction::Out {
            if let Some(i) = self.nat_keepalive_interval {
                sa.attrs.push(Attr::NatKeepaliveInterval(i));
            }
            if let Some(p) = self.tfc_pad {
                sa.attrs.push(Attr::TfcPad(p));
            }
        }
        Ok(sa)
    }

    /// The policy part of this Child SA: selectors, outer addresses, mode,
    /// reqid, marks, interface id and priority.
    pub fn policy_spec(&self) -> PolicySpec {
        PolicySpec {
            local: self.local,
            remote: self.remote,
            mode: self.mode,
            proto: self.proto,
            reqid: self.reqid,
            local_ts: self.local_ts.clone(),
            remote_ts: self.remote_ts.clone(),
            mark_in: self.mark_in,
            mark_out: self.mark_out,
            if_id: self.if_id,
            priority: self.priority,
        }
    }

    /// The policies: for each (local TS, remote TS) pair of the same family,
    /// `out` (local to remote), `in` (remote to local) and, in tunnel mode,
    /// `fwd` (remote to local, for routed traffic).
    pub fn policies(&self) -> Vec<PolicyInfo> {
        self.policy_spec().policies()
    }

    /// Messages installing the SAs only (a rekey: policies stay).
    pub fn install_sas(&self, k: KernelFeatures) -> Result<Vec<XfrmMessage>, Error> {
        Ok(vec![
            XfrmMessage::NewSa(self.sa(Direction::In, k)?),
            XfrmMessage::NewSa(self.sa(Direction::Out, k)?),
        ])
    }

    /// Messages installing the Child SA: inbound SA first (so nothing is
    /// dropped when the peer starts sending), outbound SA, then the policies.
    pub fn install(&self, k: KernelFeatures) -> Result<Vec<XfrmMessage>, Error> {
        let mut v = self.install_sas(k)?;
        v.extend(self.policies().into_iter().map(XfrmMessage::NewPolicy));
        Ok(v)
    }

    /// Like [`Self::install`], but the inbound SA completes the larval SA an
    /// earlier [`crate::AllocSpi`] created for `inbound.spi`
    /// (`XFRM_MSG_UPDSA` instead of `XFRM_MSG_NEWSA`).
    pub fn install_after_alloc(&self, k: KernelFeatures) -> Result<Vec<XfrmMessage>, Error> {
        let mut v = self.install(k)?;
        if let Some(XfrmMessage::NewSa(sa)) = v.first().cloned() {
            if let Some(first) = v.first_mut() {
                *first = XfrmMessage::UpdateSa(sa);
            }
        }
        Ok(v)
    }

    /// The kernel's key for one direction's SA, for `XFRM_MSG_GETSA`
    /// (counters, replay state) or `XFRM_MSG_DELSA`.
    pub fn sa_id(&self, dir: Direction) -> SaIdMsg {
        let (src, dst) = self.addrs(dir);
        let (spi, mark) = match dir {
            Direction::In => (self.inbound.spi, self.mark_in),
            Direction::Out => (self.outbound.spi, self.mark_out),
        };
        let mut attrs = vec![Attr::SrcAddr(src.into())];
        if let Some(m) = mark {
            attrs.push(Attr::Mark(m));
        }
        if let Some(id) = self.if_id {
            attrs.push(Attr::IfId(id));
        }
        SaIdMsg {
            id: crate::types::SaId {
                daddr: dst.into(),
                spi,
                family: family_of(&dst),
                proto: self.proto,
            },
            attrs,
        }
    }

    /// Messages deleting both SAs (keeps the policies, for rekeying).
    pub fn remove_sas(&self) -> Vec<XfrmMessage> {
        [Direction::In, Direction::Out]
            .into_iter()
            .map(|d| XfrmMessage::DeleteSa(self.sa_id(d)))
            .collect()
    }

    /// Messages removing the Child SA: policies first, then the SAs, so no
    /// policy is ever left pointing at a missing SA (which would trigger
    /// ACQUIREs).
    pub fn remove(&self) -> Vec<XfrmMessage> {
        let mut v = self.policy_spec().remove();
        v.extend(self.remove_sas());
        v
    }
}
