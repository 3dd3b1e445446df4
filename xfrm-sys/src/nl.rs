//! Netlink framing: the `nlmsghdr`, attributes (TLVs), and the byte reader and
//! writer every fixed structure uses. Everything here is bounds-checked: a
//! short or inconsistent buffer is an [`Error`], never a panic.

use crate::Error;

/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error or an ACK.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a multipart dump.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`.
pub const NLMSG_OVERRUN: u16 = 4;

/// `nlmsg_flags` bits.
pub mod flags {
    /// `NLM_F_REQUEST`.
    pub const REQUEST: u16 = 0x1;
    /// `NLM_F_MULTI`: part of a multipart answer.
    pub const MULTI: u16 = 0x2;
    /// `NLM_F_ACK`: ask for an ACK.
    pub const ACK: u16 = 0x4;
    /// `NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`).
    pub const DUMP: u16 = 0x300;
    /// `NLM_F_REPLACE`.
    pub const REPLACE: u16 = 0x100;
    /// `NLM_F_EXCL`.
    pub const EXCL: u16 = 0x200;
    /// `NLM_F_CREATE`.
    pub const CREATE: u16 = 0x400;
    /// `NLM_F_CAPPED` on an ACK: the request was not echoed.
    pub const CAPPED: u16 = 0x100;
    /// `NLM_F_ACK_TLVS` on an ACK: extended ACK attributes follow.
    pub const ACK_TLVS: u16 = 0x200;
}

/// Length of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// Length of `struct nlattr`.
pub const NLA_HDRLEN: usize = 4;

/// Rounds up to the 4-byte netlink alignment.
pub(crate) const fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// `struct nlmsghdr` (without its length, which is computed on emit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NlHeader {
    /// `nlmsg_type`.
    pub ty: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid` (port id).
    pub pid: u32,
}

/// Splits a datagram into `(header, body)` pairs, one per netlink message.
pub fn split_messages(buf: &[u8]) -> impl Iterator<Item = Result<(NlHeader, &[u8]), Error>> + '_ {
    let mut rest = buf;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut r = Reader::new(rest, "nlmsghdr");
        let parsed = (|| {
            let len = r.u32()? as usize;
            let hdr = NlHeader {
                ty: r.u16()?,
                flags: r.u16()?,
                seq: r.u32()?,
                pid: r.u32()?,
            };
            if len < NLMSG_HDRLEN || len > rest.len() {
                return Err(Error::BadLength {
                    what: "nlmsghdr",
                    len,
                });
            }
            Ok((hdr, len))
        })();
        match parsed {
            Ok((hdr, len)) => {
                let body = rest.get(NLMSG_HDRLEN..len).unwrap_or_default();
                rest = rest.get(align(len)..).unwrap_or_default();
                Some(Ok((hdr, body)))
            }
            Err(e) => {
                rest = &[];
                Some(Err(e))
            }
        }
    })
}

/// One netlink attribute, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawAttr<'a> {
    /// `nla_type` with the `NLA_F_NESTED`/`NLA_F_NET_BYTEORDER` bits cleared.
    pub ty: u16,
    /// The payload (without padding).
    pub value: &'a [u8],
}

/// Iterates over the attributes in `buf`.
pub fn attrs(buf: &[u8]) -> impl Iterator<Item = Result<RawAttr<'_>, Error>> + '_ {
    let mut rest = buf;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut r = Reader::new(rest, "nlattr");
        let parsed = (|| {
            let len = usize::from(r.u16()?);
            let ty = r.u16()? & 0x3fff;
            if len < NLA_HDRLEN || len > rest.len() {
                return Err(Error::BadLength {
                    what: "nlattr",
                    len,
                });
            }
            Ok((ty, len))
        })();
        match parsed {
            Ok((ty, len)) => {
                let value = rest.get(NLA_HDRLEN..len).unwrap_or_default();
                rest = rest.get(align(len)..).unwrap_or_default();
                Some(Ok(RawAttr { ty, value }))
            }
            Err(e) => {
                rest = &[];
                Some(Err(e))
            }
        }
    })
}

/// A bounds-checked little cursor over a byte slice. Netlink fields are in
/// host byte order; the `be*` readers are for the network-order ones (SPI,
/// ports).
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Self { buf, pos: 0, what }
    }

    /// Fails unless at least `n` bytes are left from the start.
    pub(crate) fn need(buf: &[u8], n: usize, what: &'static str) -> Result<(), Error> {
        if buf.len() < n {
            return Err(Error::Truncated {
                what,
                need: n,
                have: buf.len(),
            });
        }
        Ok(())
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).ok_or(Error::BadLength {
            what: self.what,
            len: n,
        })?;
        let s = self.buf.get(self.pos..end).ok_or(Error::Truncated {
            what: self.what,
            need: end,
            have: self.buf.len(),
        })?;
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Result<(), Error> {
        self.bytes(n).map(|_| ())
    }

    /// Skips to the next multiple of `n` (C struct padding).
    pub(crate) fn pad_to(&mut self, n: usize) -> Result<(), Error> {
        let rem = self.pos % n;
        if rem != 0 {
            self.skip(n - rem)?;
        }
        Ok(())
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        Ok(u8::from_ne_bytes(self.array()?))
    }
    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_ne_bytes(self.array()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_ne_bytes(self.array()?))
    }
    pub(crate) fn i32(&mut self) -> Result<i32, Error> {
        Ok(i32::from_ne_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_ne_bytes(self.array()?))
    }
    pub(crate) fn be16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    pub(crate) fn be32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    pub(crate) fn rest_is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        s
    }
}

/// Appends host-order and network-order fields to a `Vec`. Emitting never
/// fails and never panics.
pub(crate) trait Writer {
    fn put(&mut self, b: &[u8]);
    fn u8(&mut self, v: u8) {
        self.put(&[v]);
    }
    fn u16(&mut self, v: u16) {
        self.put(&v.to_ne_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_ne_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.put(&v.to_ne_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.put(&v.to_ne_bytes());
    }
    fn be16(&mut self, v: u16) {
        self.put(&v.to_be_bytes());
    }
    fn be32(&mut self, v: u32) {
        self.put(&v.to_be_bytes());
    }
    fn zeros(&mut self, n: usize) {
        for _ in 0..n {
            self.put(&[0]);
        }
    }
}

impl Writer for Vec<u8> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
    fn zeros(&mut self, n: usize) {
        self.resize(self.len() + n, 0);
    }
}

/// Pads `out` (which started at `start`) to a multiple of `n`.
pub(crate) fn pad_vec(out: &mut Vec<u8>, start: usize, n: usize) {
    let rem = (out.len() - start) % n;
    if rem != 0 {
        out.zeros(n - rem);
    }
}

/// Emits one attribute whose payload `f` appends.
pub(crate) fn put_attr(out: &mut Vec<u8>, ty: u16, f: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.zeros(NLA_HDRLEN);
    f(out);
    let len = out.len() - start;
    let len16 = u16::try_from(len).unwrap_or(u16::MAX);
    let mut hdr = [0u8; NLA_HDRLEN];
    let (l, t) = hdr.split_at_mut(2);
    l.copy_from_slice(&len16.to_ne_bytes());
    t.copy_from_slice(&ty.to_ne_bytes());
    if let Some(h) = out.get_mut(start..start + NLA_HDRLEN) {
        h.copy_from_slice(&hdr);
    }
    pad_vec(out, start, 4);
}
