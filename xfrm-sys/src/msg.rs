//! XFRM netlink messages: the fixed header of each `XFRM_MSG_*` type plus its
//! attributes, and the netlink envelope (ACKs, errors, dump ends).

use crate::attr::{xfrma, Attr};
use crate::nl::{align, flags, Reader, Writer, NLMSG_HDRLEN};
use crate::types::{Address, Fixed, LifetimeCfg, LifetimeCur, SaId, Selector, Stats, XfrmId};
use crate::Error;

/// `XFRM_MSG_*` message types.
#[allow(missing_docs)]
pub mod msg_type {
    pub const NEWSA: u16 = 0x10;
    pub const DELSA: u16 = 0x11;
    pub const GETSA: u16 = 0x12;
    pub const NEWPOLICY: u16 = 0x13;
    pub const DELPOLICY: u16 = 0x14;
    pub const GETPOLICY: u16 = 0x15;
    pub const ALLOCSPI: u16 = 0x16;
    pub const ACQUIRE: u16 = 0x17;
    pub const EXPIRE: u16 = 0x18;
    pub const UPDPOLICY: u16 = 0x19;
    pub const UPDSA: u16 = 0x1a;
    pub const POLEXPIRE: u16 = 0x1b;
    pub const FLUSHSA: u16 = 0x1c;
    pub const FLUSHPOLICY: u16 = 0x1d;
    pub const MAPPING: u16 = 0x26;
}

/// `XFRM_MODE_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// `XFRM_MODE_TRANSPORT` (0).
    Transport,
    /// `XFRM_MODE_TUNNEL` (1).
    Tunnel,
    /// `XFRM_MODE_BEET` (4).
    Beet,
    /// `XFRM_MODE_IPTFS` (5, Linux 6.14+).
    IpTfs,
    /// Another value.
    Unknown(u8),
}

impl From<u8> for Mode {
    fn from(v: u8) -> Self {
        match v {
            0 => Mode::Transport,
            1 => Mode::Tunnel,
            4 => Mode::Beet,
            5 => Mode::IpTfs,
            o => Mode::Unknown(o),
        }
    }
}
impl From<Mode> for u8 {
    fn from(m: Mode) -> u8 {
        match m {
            Mode::Transport => 0,
            Mode::Tunnel => 1,
            Mode::Beet => 4,
            Mode::IpTfs => 5,
            Mode::Unknown(o) => o,
        }
    }
}

/// `XFRM_STATE_*` SA flags (`xfrm_usersa_info.flags`).
#[allow(missing_docs)]
pub mod sa_flags {
    pub const NOECN: u8 = 1;
    pub const DECAP_DSCP: u8 = 2;
    pub const NOPMTUDISC: u8 = 4;
    pub const WILDRECV: u8 = 8;
    pub const ICMP: u8 = 16;
    pub const AF_UNSPEC: u8 = 32;
    pub const ALIGN4: u8 = 64;
    pub const ESN: u8 = 128;
}

/// `XFRM_POLICY_IN`/`OUT`/`FWD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyDir {
    /// Inbound (0).
    In,
    /// Outbound (1).
    Out,
    /// Forwarded (2).
    Fwd,
    /// Another value.
    Unknown(u8),
}
impl From<u8> for PolicyDir {
    fn from(v: u8) -> Self {
        match v {
            0 => PolicyDir::In,
            1 => PolicyDir::Out,
            2 => PolicyDir::Fwd,
            o => PolicyDir::Unknown(o),
        }
    }
}
impl From<PolicyDir> for u8 {
    fn from(d: PolicyDir) -> u8 {
        match d {
            PolicyDir::In => 0,
            PolicyDir::Out => 1,
            PolicyDir::Fwd => 2,
            PolicyDir::Unknown(o) => o,
        }
    }
}

/// `XFRM_POLICY_ALLOW` (0) / `XFRM_POLICY_BLOCK` (1).
pub const XFRM_POLICY_ALLOW: u8 = 0;
/// `XFRM_POLICY_BLOCK`.
pub const XFRM_POLICY_BLOCK: u8 = 1;

/// `struct xfrm_usersa_info` plus attributes: an SA (NEWSA, UPDSA, dump and
/// GETSA answers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaInfo {
    /// Traffic the SA applies to.
    pub sel: Selector,
    /// Destination, SPI, protocol.
    pub id: XfrmId,
    /// Source address.
    pub saddr: Address,
    /// Limits.
    pub lft: LifetimeCfg,
    /// Current usage (counters).
    pub curlft: LifetimeCur,
    /// Error counters.
    pub stats: Stats,
    /// Sequence number of the ACQUIRE this SA answers.
    pub seq: u32,
    /// Request id (links SAs to policy templates).
    pub reqid: u32,
    /// Address family of `id.daddr`/`saddr`.
    pub family: u16,
    /// Mode (see [`Mode`]).
    pub mode: u8,
    /// Legacy replay window (0-255 packets).
    pub replay_window: u8,
    /// `XFRM_STATE_*` flags.
    pub flags: u8,
    /// Attributes.
    pub attrs: Vec<Attr>,
}

impl SaInfo {
    const LEN: usize = 224;

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let s = SaInfo {
            sel: Selector::read(r)?,
            id: XfrmId::read(r)?,
            saddr: Address::read(r)?,
            lft: LifetimeCfg::read(r)?,
            curlft: LifetimeCur::read(r)?,
            stats: Stats::read(r)?,
            seq: r.u32()?,
            reqid: r.u32()?,
            family: r.u16()?,
            mode: r.u8()?,
            replay_window: r.u8()?,
            flags: r.u8()?,
            attrs: Vec::new(),
        };
        r.skip(7)?;
        Ok(s)
    }

    fn write(&self, out: &mut Vec<u8>) {
        self.sel.write(out);
        self.id.write(out);
        self.saddr.write(out);
        self.lft.write(out);
        self.curlft.write(out);
        self.stats.write(out);
        out.u32(self.seq);
        out.u32(self.reqid);
        out.u16(self.family);
        out.u8(self.mode);
        out.u8(self.replay_window);
        out.u8(self.flags);
        out.zeros(7);
    }

    /// The SA's id as used by DELSA/GETSA.
    pub fn sa_id(&self) -> SaId {
        SaId {
            daddr: self.id.daddr,
            spi: self.id.spi,
            family: self.family,
            proto: self.id.proto,
        }
    }
}

/// `struct xfrm_userpolicy_info` plus attributes: a policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyInfo {
    /// Traffic the policy applies to.
    pub sel: Selector,
    /// Limits.
    pub lft: LifetimeCfg,
    /// Current usage.
    pub curlft: LifetimeCur,
    /// Priority (lower wins).
    pub priority: u32,
    /// Kernel-assigned index (0 on add = let the kernel choose).
    pub index: u32,
    /// Direction (see [`PolicyDir`]).
    pub dir: u8,
    /// `XFRM_POLICY_ALLOW` or `XFRM_POLICY_BLOCK`.
    pub action: u8,
    /// `XFRM_POLICY_LOCALOK` (1), `XFRM_POLICY_ICMP` (2).
    pub flags: u8,
    /// Sharing.
    pub share: u8,
    /// Attributes (templates in `XFRMA_TMPL`).
    pub attrs: Vec<Attr>,
}

impl PolicyInfo {
    const LEN: usize = 168;

    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let p = PolicyInfo {
            sel: Selector::read(r)?,
            lft: LifetimeCfg::read(r)?,
            curlft: LifetimeCur::read(r)?,
            priority: r.u32()?,
            index: r.u32()?,
            dir: r.u8()?,
            action: r.u8()?,
            flags: r.u8()?,
            share: r.u8()?,
            attrs: Vec::new(),
        };
        r.skip(4)?;
        Ok(p)
    }

    fn write(&self, out: &mut Vec<u8>) {
        self.sel.write(out);
        self.lft.write(out);
        self.curlft.write(out);
        out.u32(self.priority);
        out.u32(self.index);
        out.u8(self.dir);
        out.u8(self.action);
        out.u8(self.flags);
        out.u8(self.share);
        out.zeros(4);
    }

    /// The id used by DELPOLICY/GETPOLICY.
    pub fn policy_id(&self) -> PolicyId {
        PolicyId {
            sel: self.sel,
            index: 0,
            dir: self.dir,
            attrs: Vec::new(),
        }
    }
}

/// `struct xfrm_userpolicy_id` plus attributes: names a policy by selector and
/// direction, or by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyId {
    /// Selector (ignored when `index` is set).
    pub sel: Selector,
    /// Index (0 = use the selector).
    pub index: u32,
    /// Direction.
    pub dir: u8,
    /// Attributes (`XFRMA_MARK`, `XFRMA_IF_ID`, `XFRMA_POLICY_TYPE`, or in
    /// delete notifications `XFRMA_POLICY`).
    pub attrs: Vec<Attr>,
}

/// `struct xfrm_usersa_id` plus attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaIdMsg {
    /// The SA.
    pub id: SaId,
    /// Attributes (`XFRMA_SRCADDR`, `XFRMA_MARK`, `XFRMA_IF_ID`, or in delete
    /// notifications `XFRMA_SA`).
    pub attrs: Vec<Attr>,
}

/// `struct xfrm_userspi_info`: ask the kernel for a free SPI in `[min, max]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllocSpi {
    /// The larval SA's addresses, family, mode, reqid (only some fields count).
    pub info: SaInfo,
    /// Smallest acceptable SPI.
    pub min: u32,
    /// Largest acceptable SPI.
    pub max: u32,
}

impl AllocSpi {
    /// Reserves an SPI in `min..=max` for the SA `remote -> local` (our inbound
    /// SA), before its keys are known. The kernel creates a larval SA that
    /// [`XfrmMessage::UpdateSa`] later completes (see
    /// [`crate::ChildSaSpec::install_after_alloc`]); it expires by itself if
    /// never completed.
    pub fn inbound(
        local: std::net::IpAddr,
        remote: std::net::IpAddr,
        proto: u8,
        mode: Mode,
        reqid: u32,
        min: u32,
        max: u32,
    ) -> Self {
        AllocSpi {
            info: SaInfo {
                id: XfrmId {
                    daddr: local.into(),
                    spi: 0,
                    proto,
                },
                saddr: remote.into(),
                lft: LifetimeCfg::default(),
                reqid,
                family: crate::types::family_of(&local),
                mode: mode.into(),
                ..SaInfo::default()
            },
            min,
            max,
        }
    }
}

/// `struct xfrm_user_acquire`: the kernel wants an SA for a packet that hit a
/// policy without one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Acquire {
    /// Template destination, SPI 0, protocol.
    pub id: XfrmId,
    /// Template source.
    pub saddr: Address,
    /// The packet's selector (traffic selectors for the new Child SA).
    pub sel: Selector,
    /// The policy that triggered it.
    pub policy: PolicyInfo,
    /// Allowed auth algorithms.
    pub aalgos: u32,
    /// Allowed encryption algorithms.
    pub ealgos: u32,
    /// Allowed compression algorithms.
    pub calgos: u32,
    /// Sequence number to copy into the resulting SA's `seq`.
    pub seq: u32,
    /// Attributes (templates, policy type, mark, if_id, sec ctx).
    pub attrs: Vec<Attr>,
}

/// `struct xfrm_user_expire`: an SA reached a soft or hard limit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expire {
    /// The SA.
    pub state: SaInfo,
    /// 1 = hard (SA is gone), 0 = soft (rekey now).
    pub hard: u8,
}

/// `struct xfrm_user_polexpire`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyExpire {
    /// The policy.
    pub pol: PolicyInfo,
    /// Hard or soft.
    pub hard: u8,
}

/// `struct xfrm_user_mapping`: the NAT in front of a peer rebound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The SA.
    pub id: SaId,
    /// Its request id.
    pub reqid: u32,
    /// Previous peer address.
    pub old_saddr: Address,
    /// New peer address.
    pub new_saddr: Address,
    /// Previous peer port.
    pub old_sport: u16,
    /// New peer port.
    pub new_sport: u16,
}

/// One XFRM message (the payload of a netlink message of an `XFRM_MSG_*` type).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XfrmMessage {
    /// `XFRM_MSG_NEWSA`: add an SA (or an SA in a dump/get answer).
    NewSa(SaInfo),
    /// `XFRM_MSG_UPDSA`: update an SA (completes an SPI allocation).
    UpdateSa(SaInfo),
    /// `XFRM_MSG_DELSA`.
    DeleteSa(SaIdMsg),
    /// `XFRM_MSG_GETSA` for one SA.
    GetSa(SaIdMsg),
    /// `XFRM_MSG_GETSA` with `NLM_F_DUMP`: list SAs. Attributes may filter
    /// (`XFRMA_ADDRESS_FILTER`, `XFRMA_PROTO`).
    DumpSa(Vec<Attr>),
    /// `XFRM_MSG_FLUSHSA` for a protocol (0 = all IPsec protocols).
    FlushSa(u8),
    /// `XFRM_MSG_ALLOCSPI`.
    AllocSpi(AllocSpi),
    /// `XFRM_MSG_NEWPOLICY`.
    NewPolicy(PolicyInfo),
    /// `XFRM_MSG_UPDPOLICY`.
    UpdatePolicy(PolicyInfo),
    /// `XFRM_MSG_DELPOLICY`.
    DeletePolicy(PolicyId),
    /// `XFRM_MSG_GETPOLICY` for one policy.
    GetPolicy(PolicyId),
    /// `XFRM_MSG_GETPOLICY` with `NLM_F_DUMP`.
    DumpPolicy,
    /// `XFRM_MSG_FLUSHPOLICY` (attributes: `XFRMA_POLICY_TYPE`).
    FlushPolicy(Vec<Attr>),
    /// `XFRM_MSG_ACQUIRE`.
    Acquire(Acquire),
    /// `XFRM_MSG_EXPIRE`.
    Expire(Expire),
    /// `XFRM_MSG_POLEXPIRE`.
    PolicyExpire(PolicyExpire),
    /// `XFRM_MSG_MAPPING`.
    Mapping(Mapping),
    /// Another XFRM message type, kept verbatim.
    Other {
        /// `nlmsg_type`.
        ty: u16,
        /// Body.
        body: Vec<u8>,
    },
}

fn read_attrs(r: &mut Reader<'_>) -> Result<Vec<Attr>, Error> {
    r.pad_to(4)?;
    Attr::parse_all(r.rest())
}

impl XfrmMessage {
    /// The `nlmsg_type`.
    pub fn message_type(&self) -> u16 {
        use msg_type::*;
        match self {
            XfrmMessage::NewSa(_) => NEWSA,
            XfrmMessage::UpdateSa(_) => UPDSA,
            XfrmMessage::DeleteSa(_) => DELSA,
            XfrmMessage::GetSa(_) | XfrmMessage::DumpSa(_) => GETSA,
            XfrmMessage::FlushSa(_) => FLUSHSA,
            XfrmMessage::AllocSpi(_) => ALLOCSPI,
            XfrmMessage::NewPolicy(_) => NEWPOLICY,
            XfrmMessage::UpdatePolicy(_) => UPDPOLICY,
            XfrmMessage::DeletePolicy(_) => DELPOLICY,
            XfrmMessage::GetPolicy(_) | XfrmMessage::DumpPolicy => GETPOLICY,
            XfrmMessage::FlushPolicy(_) => FLUSHPOLICY,
            XfrmMessage::Acquire(_) => ACQUIRE,
            XfrmMessage::Expire(_) => EXPIRE,
            XfrmMessage::PolicyExpire(_) => POLEXPIRE,
            XfrmMessage::Mapping(_) => MAPPING,
            XfrmMessage::Other { ty, .. } => *ty,
        }
    }

    /// The `nlmsg_flags` a request of this kind carries, the same as
    /// iproute2's `ip xfrm` (ACK requested for commands without an answer).
    pub fn request_flags(&self) -> u16 {
        use flags::*;
        match self {
            XfrmMessage::DumpSa(_) | XfrmMessage::DumpPolicy => REQUEST | DUMP,
            XfrmMessage::GetSa(_) | XfrmMessage::GetPolicy(_) | XfrmMessage::AllocSpi(_) => REQUEST,
            _ => REQUEST | ACK,
        }
    }

    /// Decodes a message body of type `ty`. `nlmsg_flags` tells a GETSA dump
    /// from a single GETSA.
    pub fn parse(ty: u16, nl_flags: u16, body: &[u8]) -> Result<Self, Error> {
        use msg_type::*;
        let mut r = Reader::new(body, "xfrm message");
        let dump = nl_flags & flags::DUMP == flags::DUMP && nl_flags & flags::REQUEST != 0;
        Ok(match ty {
            NEWSA | UPDSA => {
                Reader::need(body, SaInfo::LEN, "xfrm_usersa_info")?;
                let mut s = SaInfo::read(&mut r)?;
                s.attrs = read_attrs(&mut r)?;
                if ty == NEWSA {
                    XfrmMessage::NewSa(s)
                } else {
                    XfrmMessage::UpdateSa(s)
                }
            }
            GETSA if dump => XfrmMessage::DumpSa(Attr::parse_all(body)?),
            DELSA | GETSA => {
                Reader::need(body, SaId::LEN, "xfrm_usersa_id")?;
                let id = SaId::read(&mut r)?;
                let m = SaIdMsg {
                    id,
                    attrs: read_attrs(&mut r)?,
                };
                if ty == DELSA {
                    XfrmMessage::DeleteSa(m)
                } else {
                    XfrmMessage::GetSa(m)
                }
            }
            FLUSHSA => XfrmMessage::FlushSa(r.u8()?),
            ALLOCSPI => {
                Reader::need(body, SaInfo::LEN + 8, "xfrm_userspi_info")?;
                let mut info = SaInfo::read(&mut r)?;
                let min = r.u32()?;
                let max = r.u32()?;
                info.attrs = read_attrs(&mut r)?;
                XfrmMessage::AllocSpi(AllocSpi { info, min, max })
            }
            NEWPOLICY | UPDPOLICY => {
                Reader::need(body, PolicyInfo::LEN, "xfrm_userpolicy_info")?;
                let mut p = PolicyInfo::read(&mut r)?;
                p.attrs = read_attrs(&mut r)?;
                if ty == NEWPOLICY {
                    XfrmMessage::NewPolicy(p)
                } else {
                    XfrmMessage::UpdatePolicy(p)
                }
            }
            GETPOLICY if dump => XfrmMessage::DumpPolicy,
            DELPOLICY | GETPOLICY => {
                Reader::need(body, 64, "xfrm_userpolicy_id")?;
                let sel = Selector::read(&mut r)?;
                let index = r.u32()?;
                let dir = r.u8()?;
                r.skip(3)?;
                let id = PolicyId {
                    sel,
                    index,
                    dir,
                    attrs: read_attrs(&mut r)?,
                };
                if ty == DELPOLICY {
                    XfrmMessage::DeletePolicy(id)
                } else {
                    XfrmMessage::GetPolicy(id)
                }
            }
            FLUSHPOLICY => XfrmMessage::FlushPolicy(Attr::parse_all(body)?),
            ACQUIRE => {
                Reader::need(body, 280, "xfrm_user_acquire")?;
                let mut a = Acquire {
                    id: XfrmId::read(&mut r)?,
                    saddr: Address::read(&mut r)?,
                    sel: Selector::read(&mut r)?,
                    policy: PolicyInfo::read(&mut r)?,
                    aalgos: r.u32()?,
                    ealgos: r.u32()?,
                    calgos: r.u32()?,
                    seq: r.u32()?,
                    attrs: Vec::new(),
                };
                a.attrs = read_attrs(&mut r)?;
                XfrmMessage::Acquire(a)
            }
            EXPIRE => {
                Reader::need(body, 232, "xfrm_user_expire")?;
                let mut state = SaInfo::read(&mut r)?;
                let hard = r.u8()?;
                r.skip(7)?;
                state.attrs = read_attrs(&mut r)?;
                XfrmMessage::Expire(Expire { state, hard })
            }
            POLEXPIRE => {
                Reader::need(body, 176, "xfrm_user_polexpire")?;
                let mut pol = PolicyInfo::read(&mut r)?;
                let hard = r.u8()?;
                r.skip(7)?;
                pol.attrs = read_attrs(&mut r)?;
                XfrmMessage::PolicyExpire(PolicyExpire { pol, hard })
            }
            MAPPING => {
                Reader::need(body, 64, "xfrm_user_mapping")?;
                XfrmMessage::Mapping(Mapping {
                    id: SaId::read(&mut r)?,
                    reqid: r.u32()?,
                    old_saddr: Address::read(&mut r)?,
                    new_saddr: Address::read(&mut r)?,
                    old_sport: r.be16()?,
                    new_sport: r.be16()?,
                })
            }
            ty => XfrmMessage::Other {
                ty,
                body: body.to_vec(),
            },
        })
    }

    /// Appends the body (fixed header, padding, attributes).
    pub fn emit_body(&self, out: &mut Vec<u8>) {
        match self {
            XfrmMessage::NewSa(s) | XfrmMessage::UpdateSa(s) => {
                s.write(out);
                Attr::emit_all(&s.attrs, out);
            }
            XfrmMessage::DeleteSa(m) | XfrmMessage::GetSa(m) => {
                m.id.write(out);
                Attr::emit_all(&m.attrs, out);
            }
            XfrmMessage::DumpSa(a) | XfrmMessage::FlushPolicy(a) => Attr::emit_all(a, out),
            XfrmMessage::DumpPolicy => {}
            XfrmMessage::FlushSa(p) => out.u8(*p),
            XfrmMessage::AllocSpi(a) => {
                a.info.write(out);
                out.u32(a.min);
                out.u32(a.max);
                Attr::emit_all(&a.info.attrs, out);
            }
            XfrmMessage::NewPolicy(p) | XfrmMessage::UpdatePolicy(p) => {
                p.write(out);
                Attr::emit_all(&p.attrs, out);
            }
            XfrmMessage::DeletePolicy(p) | XfrmMessage::GetPolicy(p) => {
                p.sel.write(out);
                out.u32(p.index);
                out.u8(p.dir);
                out.zeros(3);
                Attr::emit_all(&p.attrs, out);
            }
            XfrmMessage::Acquire(a) => {
                a.id.write(out);
                a.saddr.write(out);
                a.sel.write(out);
                a.policy.write(out);
                for v in [a.aalgos, a.ealgos, a.calgos, a.seq] {
                    out.u32(v);
                }
                Attr::emit_all(&a.attrs, out);
            }
            XfrmMessage::Expire(e) => {
                e.state.write(out);
                out.u8(e.hard);
                out.zeros(7);
                Attr::emit_all(&e.state.attrs, out);
            }
            XfrmMessage::PolicyExpire(e) => {
                e.pol.write(out);
                out.u8(e.hard);
                out.zeros(7);
                Attr::emit_all(&e.pol.attrs, out);
            }
            XfrmMessage::Mapping(m) => {
                m.id.write(out);
                out.u32(m.reqid);
                m.old_saddr.write(out);
                m.new_saddr.write(out);
                out.be16(m.old_sport);
                out.be16(m.new_sport);
            }
            XfrmMessage::Other { body, .. } => out.put(body),
        }
    }

    /// Appends a complete netlink message (`nlmsghdr` + body) with the given
    /// flags, sequence number and port id.
    pub fn emit(&self, nl_flags: u16, seq: u32, pid: u32, out: &mut Vec<u8>) {
        let start = out.len();
        out.zeros(NLMSG_HDRLEN);
        self.emit_body(out);
        let len = u32::try_from(out.len() - start).unwrap_or(u32::MAX);
        let mut hdr = Vec::with_capacity(NLMSG_HDRLEN);
        hdr.u32(len);
        hdr.u16(self.message_type());
        hdr.u16(nl_flags);
        hdr.u32(seq);
        hdr.u32(pid);
        if let Some(h) = out.get_mut(start..start + NLMSG_HDRLEN) {
            h.copy_from_slice(&hdr);
        }
        // The next message in a batch starts 4-byte aligned.
        let pad = align(out.len() - start) - (out.len() - start);
        out.zeros(pad);
    }

    /// Encodes as a standalone request with [`Self::request_flags`].
    pub fn to_request(&self, seq: u32) -> Vec<u8> {
        let mut v = Vec::new();
        self.emit(self.request_flags(), seq, 0, &mut v);
        v
    }
}

/// Returns the first attribute of type `XFRMA_SA` decoded as an SA (found in
/// DELSA notifications).
pub fn embedded_sa(attrs: &[Attr]) -> Option<SaInfo> {
    attrs.iter().find_map(|a| match a {
        Attr::Other {
            ty: xfrma::SA,
            value,
        } if value.len() >= SaInfo::LEN => SaInfo::read(&mut Reader::new(value, "XFRMA_SA")).ok(),
        _ => None,
    })
}
