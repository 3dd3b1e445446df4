//! `XFRMA_*` attributes.

use crate::alg::Key;
use crate::nl::{attrs, put_attr, Reader, Writer};
use crate::types::{
    Address, EncapTmpl, Fixed, LifetimeCur, Mark, ReplayState, ReplayStateEsn, UserTmpl,
};
use crate::Error;

/// `XFRMA_*` attribute type numbers (`enum xfrm_attr_type_t`).
#[allow(missing_docs)]
pub mod xfrma {
    pub const ALG_AUTH: u16 = 1;
    pub const ALG_CRYPT: u16 = 2;
    pub const ALG_COMP: u16 = 3;
    pub const ENCAP: u16 = 4;
    pub const TMPL: u16 = 5;
    pub const SA: u16 = 6;
    pub const POLICY: u16 = 7;
    pub const SEC_CTX: u16 = 8;
    pub const LTIME_VAL: u16 = 9;
    pub const REPLAY_VAL: u16 = 10;
    pub const REPLAY_THRESH: u16 = 11;
    pub const ETIMER_THRESH: u16 = 12;
    pub const SRCADDR: u16 = 13;
    pub const COADDR: u16 = 14;
    pub const LASTUSED: u16 = 15;
    pub const POLICY_TYPE: u16 = 16;
    pub const MIGRATE: u16 = 17;
    pub const ALG_AEAD: u16 = 18;
    pub const KMADDRESS: u16 = 19;
    pub const ALG_AUTH_TRUNC: u16 = 20;
    pub const MARK: u16 = 21;
    pub const TFCPAD: u16 = 22;
    pub const REPLAY_ESN_VAL: u16 = 23;
    pub const SA_EXTRA_FLAGS: u16 = 24;
    pub const PROTO: u16 = 25;
    pub const ADDRESS_FILTER: u16 = 26;
    pub const PAD: u16 = 27;
    pub const OFFLOAD_DEV: u16 = 28;
    pub const SET_MARK: u16 = 29;
    pub const SET_MARK_MASK: u16 = 30;
    pub const IF_ID: u16 = 31;
    pub const MTIMER_THRESH: u16 = 32;
    pub const SA_DIR: u16 = 33;
    pub const NAT_KEEPALIVE_INTERVAL: u16 = 34;
    pub const SA_PCPU: u16 = 35;
}

/// `XFRM_SA_DIR_*`: the direction an SA is for (Linux 6.10+).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SaDir {
    /// `XFRM_SA_DIR_IN` (1).
    In,
    /// `XFRM_SA_DIR_OUT` (2).
    Out,
    /// Any other value the kernel may define later.
    Unknown(u8),
}

impl From<u8> for SaDir {
    fn from(v: u8) -> Self {
        match v {
            1 => SaDir::In,
            2 => SaDir::Out,
            o => SaDir::Unknown(o),
        }
    }
}
impl From<SaDir> for u8 {
    fn from(d: SaDir) -> u8 {
        match d {
            SaDir::In => 1,
            SaDir::Out => 2,
            SaDir::Unknown(o) => o,
        }
    }
}

/// `struct xfrm_algo` (encryption, compression, untruncated auth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Algo {
    /// Kernel crypto API name, at most 63 bytes.
    pub name: String,
    /// Key.
    pub key: Key,
}

/// `struct xfrm_algo_auth` / `struct xfrm_algo_aead`: an algorithm with a
/// truncation or ICV length in bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgoLen {
    /// Kernel crypto API name.
    pub name: String,
    /// Key.
    pub key: Key,
    /// `alg_trunc_len` or `alg_icv_len`, in bits.
    pub len_bits: u32,
}

/// One `XFRMA_*` attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attr {
    /// `XFRMA_ALG_AUTH`: untruncated (96-bit) integrity.
    AlgAuth(Algo),
    /// `XFRMA_ALG_CRYPT`.
    AlgCrypt(Algo),
    /// `XFRMA_ALG_COMP`.
    AlgComp(Algo),
    /// `XFRMA_ALG_AEAD`.
    AlgAead(AlgoLen),
    /// `XFRMA_ALG_AUTH_TRUNC`.
    AlgAuthTrunc(AlgoLen),
    /// `XFRMA_ENCAP`: UDP encapsulation.
    Encap(EncapTmpl),
    /// `XFRMA_TMPL`: a policy's templates.
    Tmpl(Vec<UserTmpl>),
    /// `XFRMA_LTIME_VAL`: current lifetime.
    LtimeVal(LifetimeCur),
    /// `XFRMA_REPLAY_VAL`: legacy replay state.
    ReplayVal(ReplayState),
    /// `XFRMA_REPLAY_THRESH`.
    ReplayThresh(u32),
    /// `XFRMA_ETIMER_THRESH`.
    EtimerThresh(u32),
    /// `XFRMA_SRCADDR`.
    SrcAddr(Address),
    /// `XFRMA_COADDR`.
    CoAddr(Address),
    /// `XFRMA_LASTUSED`.
    LastUsed(u64),
    /// `XFRMA_POLICY_TYPE`: `XFRM_POLICY_TYPE_MAIN` (0) or `SUB` (1).
    PolicyType(u8),
    /// `XFRMA_MARK`.
    Mark(Mark),
    /// `XFRMA_TFCPAD`.
    TfcPad(u32),
    /// `XFRMA_REPLAY_ESN_VAL`.
    ReplayEsnVal(ReplayStateEsn),
    /// `XFRMA_SA_EXTRA_FLAGS`.
    SaExtraFlags(u32),
    /// `XFRMA_PROTO`.
    Proto(u8),
    /// `XFRMA_OFFLOAD_DEV`: hardware offload (`struct xfrm_user_offload`).
    OffloadDev {
        /// Interface index.
        ifindex: i32,
        /// `XFRM_OFFLOAD_*` flags.
        flags: u8,
    },
    /// `XFRMA_SET_MARK`: mark set on packets after transformation.
    SetMark(u32),
    /// `XFRMA_SET_MARK_MASK`.
    SetMarkMask(u32),
    /// `XFRMA_IF_ID`: XFRM interface id.
    IfId(u32),
    /// `XFRMA_MTIMER_THRESH`: mapping change timer threshold (seconds).
    MtimerThresh(u32),
    /// `XFRMA_SA_DIR` (Linux 6.10+).
    SaDir(SaDir),
    /// `XFRMA_NAT_KEEPALIVE_INTERVAL` in seconds (Linux 6.9+).
    NatKeepaliveInterval(u32),
    /// `XFRMA_SA_PCPU`: the CPU a per-CPU SA serves (Linux 6.13+).
    SaPcpu(u32),
    /// Any other attribute, kept verbatim (including `XFRMA_SA`/`XFRMA_POLICY`
    /// in ACQUIRE and EXPIRE-related messages, security contexts, ...).
    Other {
        /// Attribute type.
        ty: u16,
        /// Payload.
        value: Vec<u8>,
    },
}

fn parse_name(b: &[u8]) -> Result<String, Error> {
    let nul = b
        .iter()
        .position(|&c| c == 0)
        .ok_or(Error::BadAlgorithmName)?;
    let s = std::str::from_utf8(b.get(..nul).unwrap_or_default())
        .map_err(|_| Error::BadAlgorithmName)?;
    Ok(s.to_owned())
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    let n = name.as_bytes();
    let take = n.len().min(63);
    out.put(n.get(..take).unwrap_or_default());
    out.zeros(64 - take);
}

fn key_bytes(bits: u32) -> usize {
    (bits as usize).div_ceil(8)
}

fn parse_algo(b: &[u8]) -> Result<Algo, Error> {
    let mut r = Reader::new(b, "xfrm_algo");
    let name = parse_name(r.bytes(64)?)?;
    let bits = r.u32()?;
    let key = Key::new(r.bytes(key_bytes(bits))?);
    Ok(Algo { name, key })
}

fn parse_algo_len(b: &[u8]) -> Result<AlgoLen, Error> {
    let mut r = Reader::new(b, "xfrm_algo_aead");
    let name = parse_name(r.bytes(64)?)?;
    let bits = r.u32()?;
    let len_bits = r.u32()?;
    let key = Key::new(r.bytes(key_bytes(bits))?);
    Ok(AlgoLen {
        name,
        key,
        len_bits,
    })
}

fn key_bits(key: &Key) -> u32 {
    u32::try_from(key.len().saturating_mul(8)).unwrap_or(u32::MAX)
}

fn u32_of(b: &[u8]) -> Result<u32, Error> {
    Reader::new(b, "u32 attribute").u32()
}

fn u8_of(b: &[u8]) -> Result<u8, Error> {
    Reader::new(b, "u8 attribute").u8()
}

impl Attr {
    /// The `XFRMA_*` type number.
    pub fn kind(&self) -> u16 {
        match self {
            Attr::AlgAuth(_) => xfrma::ALG_AUTH,
            Attr::AlgCrypt(_) => xfrma::ALG_CRYPT,
            Attr::AlgComp(_) => xfrma::ALG_COMP,
            Attr::AlgAead(_) => xfrma::ALG_AEAD,
            Attr::AlgAuthTrunc(_) => xfrma::ALG_AUTH_TRUNC,
            Attr::Encap(_) => xfrma::ENCAP,
            Attr::Tmpl(_) => xfrma::TMPL,
            Attr::LtimeVal(_) => xfrma::LTIME_VAL,
            Attr::ReplayVal(_) => xfrma::REPLAY_VAL,
            Attr::ReplayThresh(_) => xfrma::REPLAY_THRESH,
            Attr::EtimerThresh(_) => xfrma::ETIMER_THRESH,
            Attr::SrcAddr(_) => xfrma::SRCADDR,
            Attr::CoAddr(_) => xfrma::COADDR,
            Attr::LastUsed(_) => xfrma::LASTUSED,
            Attr::PolicyType(_) => xfrma::POLICY_TYPE,
            Attr::Mark(_) => xfrma::MARK,
            Attr::TfcPad(_) => xfrma::TFCPAD,
            Attr::ReplayEsnVal(_) => xfrma::REPLAY_ESN_VAL,
            Attr::SaExtraFlags(_) => xfrma::SA_EXTRA_FLAGS,
            Attr::Proto(_) => xfrma::PROTO,
            Attr::OffloadDev { .. } => xfrma::OFFLOAD_DEV,
            Attr::SetMark(_) => xfrma::SET_MARK,
            Attr::SetMarkMask(_) => xfrma::SET_MARK_MASK,
            Attr::IfId(_) => xfrma::IF_ID,
            Attr::MtimerThresh(_) => xfrma::MTIMER_THRESH,
            Attr::SaDir(_) => xfrma::SA_DIR,
            Attr::NatKeepaliveInterval(_) => xfrma::NAT_KEEPALIVE_INTERVAL,
            Attr::SaPcpu(_) => xfrma::SA_PCPU,
            Attr::Other { ty, .. } => *ty,
        }
    }

    /// Decodes one attribute from its type and payload.
    pub fn parse(ty: u16, v: &[u8]) -> Result<Attr, Error> {
        Ok(match ty {
            xfrma::ALG_AUTH => Attr::AlgAuth(parse_algo(v)?),
            xfrma::ALG_CRYPT => Attr::AlgCrypt(parse_algo(v)?),
            xfrma::ALG_COMP => Attr::AlgComp(parse_algo(v)?),
            xfrma::ALG_AEAD => Attr::AlgAead(parse_algo_len(v)?),
            xfrma::ALG_AUTH_TRUNC => Attr::AlgAuthTrunc(parse_algo_len(v)?),
            xfrma::ENCAP => Attr::Encap(EncapTmpl::parse(v)?),
            xfrma::TMPL => {
                if v.len() % UserTmpl::LEN != 0 {
                    return Err(Error::BadLength {
                        what: "XFRMA_TMPL",
                        len: v.len(),
                    });
                }
                Attr::Tmpl(
                    v.chunks_exact(UserTmpl::LEN)
                        .map(UserTmpl::parse)
                        .collect::<Result<_, _>>()?,
                )
            }
            xfrma::LTIME_VAL => Attr::LtimeVal(LifetimeCur::parse(v)?),
            xfrma::REPLAY_VAL => Attr::ReplayVal(ReplayState::parse(v)?),
            xfrma::REPLAY_THRESH => Attr::ReplayThresh(u32_of(v)?),
            xfrma::ETIMER_THRESH => Attr::EtimerThresh(u32_of(v)?),
            xfrma::SRCADDR => Attr::SrcAddr(Address::parse(v)?),
            xfrma::COADDR => Attr::CoAddr(Address::parse(v)?),
            xfrma::LASTUSED => Attr::LastUsed(Reader::new(v, "XFRMA_LASTUSED").u64()?),
            xfrma::POLICY_TYPE => Attr::PolicyType(u8_of(v)?),
            xfrma::MARK => Attr::Mark(Mark::parse(v)?),
            xfrma::TFCPAD => Attr::TfcPad(u32_of(v)?),
            xfrma::REPLAY_ESN_VAL => Attr::ReplayEsnVal(ReplayStateEsn::parse(v)?),
            xfrma::SA_EXTRA_FLAGS => Attr::SaExtraFlags(u32_of(v)?),
            xfrma::PROTO => Attr::Proto(u8_of(v)?),
            xfrma::OFFLOAD_DEV => {
                let mut r = Reader::new(v, "xfrm_user_offload");
                Attr::OffloadDev {
                    ifindex: r.i32()?,
                    flags: r.u8()?,
                }
            }
            xfrma::SET_MARK => Attr::SetMark(u32_of(v)?),
            xfrma::SET_MARK_MASK => Attr::SetMarkMask(u32_of(v)?),
            xfrma::IF_ID => Attr::IfId(u32_of(v)?),
            xfrma::MTIMER_THRESH => Attr::MtimerThresh(u32_of(v)?),
            xfrma::SA_DIR => Attr::SaDir(SaDir::from(u8_of(v)?)),
            xfrma::NAT_KEEPALIVE_INTERVAL => Attr::NatKeepaliveInterval(u32_of(v)?),
            xfrma::SA_PCPU => Attr::SaPcpu(u32_of(v)?),
            ty => Attr::Other {
                ty,
                value: v.to_vec(),
            },
        })
    }

    /// Decodes every attribute in `buf`.
    pub fn parse_all(buf: &[u8]) -> Result<Vec<Attr>, Error> {
        attrs(buf)
            .map(|a| a.and_then(|a| Attr::parse(a.ty, a.value)))
            .collect()
    }

    /// Appends the attribute (header, payload, padding).
    pub fn emit(&self, out: &mut Vec<u8>) {
        put_attr(out, self.kind(), |out| match self {
            Attr::AlgAuth(a) | Attr::AlgCrypt(a) | Attr::AlgComp(a) => {
                write_name(out, &a.name);
                out.u32(key_bits(&a.key));
                out.put(a.key.as_bytes());
            }
            Attr::AlgAead(a) | Attr::AlgAuthTrunc(a) => {
                write_name(out, &a.name);
                out.u32(key_bits(&a.key));
                out.u32(a.len_bits);
                out.put(a.key.as_bytes());
            }
            Attr::Encap(e) => e.write(out),
            Attr::Tmpl(ts) => ts.iter().for_each(|t| t.write(out)),
            Attr::LtimeVal(l) => l.write(out),
            Attr::ReplayVal(r) => r.write(out),
            Attr::SrcAddr(a) | Attr::CoAddr(a) => a.write(out),
            Attr::LastUsed(v) => out.u64(*v),
            Attr::PolicyType(t) => {
                // struct xfrm_userpolicy_type { __u8 type; __u16 reserved1; __u8 reserved2; }
                out.u8(*t);
                out.zeros(5);
            }
            Attr::Mark(m) => m.write(out),
            Attr::ReplayEsnVal(r) => r.write(out),
            Attr::Proto(v) => out.u8(*v),
            Attr::SaDir(d) => out.u8(u8::from(*d)),
            Attr::OffloadDev { ifindex, flags } => {
                out.i32(*ifindex);
                out.u8(*flags);
                out.zeros(3);
            }
            Attr::ReplayThresh(v)
            | Attr::EtimerThresh(v)
            | Attr::TfcPad(v)
            | Attr::SaExtraFlags(v)
            | Attr::SetMark(v)
            | Attr::SetMarkMask(v)
            | Attr::IfId(v)
            | Attr::MtimerThresh(v)
            | Attr::NatKeepaliveInterval(v)
            | Attr::SaPcpu(v) => out.u32(*v),
            Attr::Other { value, .. } => out.put(value),
        });
    }

    /// Appends every attribute in order.
    pub fn emit_all(list: &[Attr], out: &mut Vec<u8>) {
        list.iter().for_each(|a| a.emit(out));
    }
}

/// Convenience lookups over an attribute list.
pub trait AttrList {
    /// The first attribute `f` maps to `Some`.
    fn find_map<'a, T>(&'a self, f: impl FnMut(&'a Attr) -> Option<T>) -> Option<T>;
}

impl AttrList for [Attr] {
    fn find_map<'a, T>(&'a self, f: impl FnMut(&'a Attr) -> Option<T>) -> Option<T> {
        self.iter().find_map(f)
    }
}
