//! The fixed C structures of `<linux/xfrm.h>`, with their exact layout
//! (including the compiler's padding) on Linux's 64-bit and 32-bit ABIs with
//! 8-byte `__u64` alignment (x86-64, arm64, riscv64, ...).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::nl::{Reader, Writer};
use crate::Error;

/// `AF_INET`.
pub const AF_INET: u16 = 2;
/// `AF_INET6`.
pub const AF_INET6: u16 = 10;

/// `IPPROTO_ESP`.
pub const IPPROTO_ESP: u8 = 50;
/// `IPPROTO_AH`.
pub const IPPROTO_AH: u8 = 51;
/// `IPPROTO_COMP`.
pub const IPPROTO_COMP: u8 = 108;

/// Fixed-layout structures: decode from and encode to their C layout.
pub(crate) trait Fixed: Sized {
    /// `sizeof(struct ...)`.
    const LEN: usize;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error>;
    fn write(&self, out: &mut Vec<u8>);
    fn parse(b: &[u8]) -> Result<Self, Error> {
        Reader::need(b, Self::LEN, std::any::type_name::<Self>())?;
        Self::read(&mut Reader::new(b, "xfrm struct"))
    }
}

/// `xfrm_address_t`: 16 bytes, an IPv4 address uses the first 4.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Address(pub [u8; 16]);

impl Address {
    /// The address as an [`IpAddr`] of the given family (`None` for other families).
    pub fn to_ip(&self, family: u16) -> Option<IpAddr> {
        match family {
            AF_INET => {
                let [a, b, c, d, ..] = self.0;
                Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
            }
            AF_INET6 => Some(IpAddr::V6(Ipv6Addr::from(self.0))),
            _ => None,
        }
    }
}

impl From<IpAddr> for Address {
    fn from(ip: IpAddr) -> Self {
        let mut a = [0u8; 16];
        match ip {
            IpAddr::V4(v4) => {
                for (d, s) in a.iter_mut().zip(v4.octets()) {
                    *d = s;
                }
            }
            IpAddr::V6(v6) => a = v6.octets(),
        }
        Address(a)
    }
}

/// The address family of an [`IpAddr`].
pub fn family_of(ip: &IpAddr) -> u16 {
    match ip {
        IpAddr::V4(_) => AF_INET,
        IpAddr::V6(_) => AF_INET6,
    }
}

impl Fixed for Address {
    const LEN: usize = 16;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Address(r.array()?))
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.put(&self.0);
    }
}

/// `struct xfrm_selector`: which packets a policy or SA applies to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// Destination address.
    pub daddr: Address,
    /// Source address.
    pub saddr: Address,
    /// Destination port (host order here; network order on the wire).
    pub dport: u16,
    /// Destination port mask.
    pub dport_mask: u16,
    /// Source port.
    pub sport: u16,
    /// Source port mask.
    pub sport_mask: u16,
    /// Address family.
    pub family: u16,
    /// Destination prefix length.
    pub prefixlen_d: u8,
    /// Source prefix length.
    pub prefixlen_s: u8,
    /// Upper-layer protocol (0 = any).
    pub proto: u8,
    /// Interface index (0 = any).
    pub ifindex: i32,
    /// User id.
    pub user: u32,
}

impl Selector {
    /// A selector matching `src/plen_s -> dst/plen_d`, any protocol and port.
    /// Both addresses must be of the same family (the destination's wins).
    pub fn new(src: IpAddr, prefixlen_s: u8, dst: IpAddr, prefixlen_d: u8) -> Self {
        Selector {
            daddr: dst.into(),
            saddr: src.into(),
            family: family_of(&dst),
            prefixlen_d,
            prefixlen_s,
            ..Selector::default()
        }
    }
}

impl Fixed for Selector {
    const LEN: usize = 56;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let s = Selector {
            daddr: Address::read(r)?,
            saddr: Address::read(r)?,
            dport: r.be16()?,
            dport_mask: r.be16()?,
            sport: r.be16()?,
            sport_mask: r.be16()?,
            family: r.u16()?,
            prefixlen_d: r.u8()?,
            prefixlen_s: r.u8()?,
            proto: r.u8()?,
            ifindex: {
                r.skip(3)?;
                r.i32()?
            },
            user: r.u32()?,
        };
        Ok(s)
    }
    fn write(&self, out: &mut Vec<u8>) {
        self.daddr.write(out);
        self.saddr.write(out);
        out.be16(self.dport);
        out.be16(self.dport_mask);
        out.be16(self.sport);
        out.be16(self.sport_mask);
        out.u16(self.family);
        out.u8(self.prefixlen_d);
        out.u8(self.prefixlen_s);
        out.u8(self.proto);
        out.zeros(3);
        out.i32(self.ifindex);
        out.u32(self.user);
    }
}

/// `struct xfrm_id`: destination, SPI and protocol, the kernel's SA key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XfrmId {
    /// Destination address.
    pub daddr: Address,
    /// SPI (host order here).
    pub spi: u32,
    /// `IPPROTO_ESP`, `IPPROTO_AH` or `IPPROTO_COMP`.
    pub proto: u8,
}

impl Fixed for XfrmId {
    const LEN: usize = 24;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let id = XfrmId {
            daddr: Address::read(r)?,
            spi: r.be32()?,
            proto: r.u8()?,
        };
        r.skip(3)?;
        Ok(id)
    }
    fn write(&self, out: &mut Vec<u8>) {
        self.daddr.write(out);
        out.be32(self.spi);
        out.u8(self.proto);
        out.zeros(3);
    }
}

/// `XFRM_INF`: "no limit" for lifetimes.
pub const XFRM_INF: u64 = u64::MAX;

/// `struct xfrm_lifetime_cfg`: soft and hard limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LifetimeCfg {
    /// Soft byte limit (triggers a soft EXPIRE).
    pub soft_byte_limit: u64,
    /// Hard byte limit (the SA dies).
    pub hard_byte_limit: u64,
    /// Soft packet limit.
    pub soft_packet_limit: u64,
    /// Hard packet limit.
    pub hard_packet_limit: u64,
    /// Soft limit in seconds after the SA was added.
    pub soft_add_expires_seconds: u64,
    /// Hard limit in seconds after the SA was added.
    pub hard_add_expires_seconds: u64,
    /// Soft limit in seconds after first use.
    pub soft_use_expires_seconds: u64,
    /// Hard limit in seconds after first use.
    pub hard_use_expires_seconds: u64,
}

impl Default for LifetimeCfg {
    /// No limits (what `ip xfrm` sends): byte and packet limits are
    /// `XFRM_INF`, times are 0 (= never).
    fn default() -> Self {
        LifetimeCfg {
            soft_byte_limit: XFRM_INF,
            hard_byte_limit: XFRM_INF,
            soft_packet_limit: XFRM_INF,
            hard_packet_limit: XFRM_INF,
            soft_add_expires_seconds: 0,
            hard_add_expires_seconds: 0,
            soft_use_expires_seconds: 0,
            hard_use_expires_seconds: 0,
        }
    }
}

impl Fixed for LifetimeCfg {
    const LEN: usize = 64;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(LifetimeCfg {
            soft_byte_limit: r.u64()?,
            hard_byte_limit: r.u64()?,
            soft_packet_limit: r.u64()?,
            hard_packet_limit: r.u64()?,
            soft_add_expires_seconds: r.u64()?,
            hard_add_expires_seconds: r.u64()?,
            soft_use_expires_seconds: r.u64()?,
            hard_use_expires_seconds: r.u64()?,
        })
    }
    fn write(&self, out: &mut Vec<u8>) {
        for v in [
            self.soft_byte_limit,
            self.hard_byte_limit,
            self.soft_packet_limit,
            self.hard_packet_limit,
            self.soft_add_expires_seconds,
            self.hard_add_expires_seconds,
            self.soft_use_expires_seconds,
            self.hard_use_expires_seconds,
        ] {
            out.u64(v);
        }
    }
}

/// `struct xfrm_lifetime_cur`: what an SA or policy has used so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LifetimeCur {
    /// Bytes processed.
    pub bytes: u64,
    /// Packets processed.
    pub packets: u64,
    /// When it was added (seconds since the epoch).
    pub add_time: u64,
    /// When it was first used (0 = never).
    pub use_time: u64,
}

impl Fixed for LifetimeCur {
    const LEN: usize = 32;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(LifetimeCur {
            bytes: r.u64()?,
            packets: r.u64()?,
            add_time: r.u64()?,
            use_time: r.u64()?,
        })
    }
    fn write(&self, out: &mut Vec<u8>) {
        for v in [self.bytes, self.packets, self.add_time, self.use_time] {
            out.u64(v);
        }
    }
}

/// `struct xfrm_stats`: per-SA error counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets outside the replay window.
    pub replay_window: u32,
    /// Replayed packets.
    pub replay: u32,
    /// Packets that failed the integrity check.
    pub integrity_failed: u32,
}

impl Fixed for Stats {
    const LEN: usize = 12;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Stats {
            replay_window: r.u32()?,
            replay: r.u32()?,
            integrity_failed: r.u32()?,
        })
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.u32(self.replay_window);
        out.u32(self.replay);
        out.u32(self.integrity_failed);
    }
}

/// `struct xfrm_usersa_id`: names one SA (for delete and get).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SaId {
    /// Destination address.
    pub daddr: Address,
    /// SPI.
    pub spi: u32,
    /// Address family.
    pub family: u16,
    /// IPsec protocol.
    pub proto: u8,
}

impl Fixed for SaId {
    const LEN: usize = 24;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let id = SaId {
            daddr: Address::read(r)?,
            spi: r.be32()?,
            family: r.u16()?,
            proto: r.u8()?,
        };
        r.skip(1)?;
        Ok(id)
    }
    fn write(&self, out: &mut Vec<u8>) {
        self.daddr.write(out);
        out.be32(self.spi);
        out.u16(self.family);
        out.u8(self.proto);
        out.zeros(1);
    }
}

/// `struct xfrm_user_tmpl`: one transform a policy requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserTmpl {
    /// Destination (tunnel end), SPI (0 = any) and protocol.
    pub id: XfrmId,
    /// Family of the template addresses.
    pub family: u16,
    /// Source (tunnel start).
    pub saddr: Address,
    /// Request id linking the policy to its SAs.
    pub reqid: u32,
    /// Mode (see [`crate::Mode`]).
    pub mode: u8,
    /// Sharing (0 = any).
    pub share: u8,
    /// Optional transform (1) or required (0).
    pub optional: u8,
    /// Allowed authentication algorithms (bitmap, `!0` = any).
    pub aalgos: u32,
    /// Allowed encryption algorithms.
    pub ealgos: u32,
    /// Allowed compression algorithms.
    pub calgos: u32,
}

impl Default for UserTmpl {
    fn default() -> Self {
        UserTmpl {
            id: XfrmId::default(),
            family: 0,
            saddr: Address::default(),
            reqid: 0,
            mode: 0,
            share: 0,
            optional: 0,
            aalgos: !0,
            ealgos: !0,
            calgos: !0,
        }
    }
}

impl Fixed for UserTmpl {
    const LEN: usize = 64;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let id = XfrmId::read(r)?;
        let family = r.u16()?;
        r.skip(2)?;
        let t = UserTmpl {
            id,
            family,
            saddr: Address::read(r)?,
            reqid: r.u32()?,
            mode: r.u8()?,
            share: r.u8()?,
            optional: r.u8()?,
            aalgos: {
                r.skip(1)?;
                r.u32()?
            },
            ealgos: r.u32()?,
            calgos: r.u32()?,
        };
        Ok(t)
    }
    fn write(&self, out: &mut Vec<u8>) {
        self.id.write(out);
        out.u16(self.family);
        out.zeros(2);
        self.saddr.write(out);
        out.u32(self.reqid);
        out.u8(self.mode);
        out.u8(self.share);
        out.u8(self.optional);
        out.zeros(1);
        out.u32(self.aalgos);
        out.u32(self.ealgos);
        out.u32(self.calgos);
    }
}

/// `UDP_ENCAP_ESPINUDP` (RFC 3948).
pub const UDP_ENCAP_ESPINUDP: u16 = 2;

/// `struct xfrm_encap_tmpl`: UDP encapsulation for NAT traversal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncapTmpl {
    /// `UDP_ENCAP_ESPINUDP` (2) for RFC 3948.
    pub encap_type: u16,
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// Original address (for NAT-OA checksum fixing; usually unset).
    pub oa: Address,
}

impl Fixed for EncapTmpl {
    const LEN: usize = 24;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        let e = EncapTmpl {
            encap_type: r.u16()?,
            sport: r.be16()?,
            dport: r.be16()?,
            oa: {
                r.skip(2)?;
                Address::read(r)?
            },
        };
        Ok(e)
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.u16(self.encap_type);
        out.be16(self.sport);
        out.be16(self.dport);
        out.zeros(2);
        self.oa.write(out);
    }
}

/// `struct xfrm_replay_state`: legacy 32-bit replay state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayState {
    /// Outbound sequence number.
    pub oseq: u32,
    /// Highest inbound sequence number seen.
    pub seq: u32,
    /// Replay bitmap.
    pub bitmap: u32,
}

impl Fixed for ReplayState {
    const LEN: usize = 12;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(ReplayState {
            oseq: r.u32()?,
            seq: r.u32()?,
            bitmap: r.u32()?,
        })
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.u32(self.oseq);
        out.u32(self.seq);
        out.u32(self.bitmap);
    }
}

/// The kernel caps the ESN replay bitmap at 4096 packets
/// (`XFRMA_REPLAY_ESN_MAX`).
pub const REPLAY_ESN_MAX_WINDOW: u32 = 4096;

/// `struct xfrm_replay_state_esn`: 64-bit sequence numbers and a replay
/// window of up to [`REPLAY_ESN_MAX_WINDOW`] packets.
///
/// The kernel takes it in two forms: with the whole bitmap (`bmp_len` words
/// after the header, what it sends back) or header only, the bitmap then
/// starting all zero (what iproute2 sends for a new SA). `bmp` holds the words
/// actually present, so both forms round-trip exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplayStateEsn {
    /// Bitmap length in 32-bit words.
    pub bmp_len: u32,
    /// Outbound sequence number, low half.
    pub oseq: u32,
    /// Inbound sequence number, low half.
    pub seq: u32,
    /// Outbound sequence number, high half.
    pub oseq_hi: u32,
    /// Inbound sequence number, high half.
    pub seq_hi: u32,
    /// Replay window in packets.
    pub replay_window: u32,
    /// The bitmap words present on the wire: empty or `bmp_len` words.
    pub bmp: Vec<u32>,
}

impl ReplayStateEsn {
    /// A fresh state for a window of `window` packets, header-only form.
    pub fn with_window(window: u32) -> Self {
        ReplayStateEsn {
            bmp_len: window.div_ceil(32),
            replay_window: window,
            ..Self::default()
        }
    }

    pub(crate) fn parse(b: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(b, "xfrm_replay_state_esn");
        let mut s = ReplayStateEsn {
            bmp_len: r.u32()?,
            oseq: r.u32()?,
            seq: r.u32()?,
            oseq_hi: r.u32()?,
            seq_hi: r.u32()?,
            replay_window: r.u32()?,
            bmp: Vec::new(),
        };
        if s.bmp_len > REPLAY_ESN_MAX_WINDOW / 32 {
            return Err(Error::BadLength {
                what: "xfrm_replay_state_esn.bmp_len",
                len: s.bmp_len as usize,
            });
        }
        if !r.rest_is_empty() {
            for _ in 0..s.bmp_len {
                s.bmp.push(r.u32()?);
            }
        }
        Ok(s)
    }

    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        for v in [
            self.bmp_len,
            self.oseq,
            self.seq,
            self.oseq_hi,
            self.seq_hi,
            self.replay_window,
        ] {
            out.u32(v);
        }
        for w in &self.bmp {
            out.u32(*w);
        }
    }
}

/// `struct xfrm_mark`: value and mask matched against `skb->mark`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mark {
    /// Value.
    pub v: u32,
    /// Mask.
    pub m: u32,
}

impl Fixed for Mark {
    const LEN: usize = 8;
    fn read(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Mark {
            v: r.u32()?,
            m: r.u32()?,
        })
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.u32(self.v);
        out.u32(self.m);
    }
}
