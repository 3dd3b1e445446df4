//! The netlink envelope around XFRM messages: ACKs and errors (with the
//! kernel's extended ACK attributes), dump ends, and datagram splitting.

use crate::error::KernelError;
use crate::msg::XfrmMessage;
use crate::nl::{self, align, flags, split_messages, NlHeader, Reader, NLMSG_HDRLEN};
use crate::Error;

/// `NLMSG_ERROR` with code 0 is an ACK; otherwise an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorMsg {
    /// 0 for an ACK, else the negative errno.
    pub code: i32,
    /// Header of the request being answered.
    pub request: NlHeader,
    /// `NLMSGERR_ATTR_MSG`.
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`.
    pub offset: Option<u32>,
}

impl ErrorMsg {
    /// `Ok(())` for an ACK, the decoded error otherwise.
    pub fn into_result(self) -> Result<(), KernelError> {
        if self.code == 0 {
            return Ok(());
        }
        Err(KernelError {
            errno: self.code.saturating_neg(),
            message: self.message,
            offset: self.offset,
            request_type: self.request.ty,
            request_seq: self.request.seq,
        })
    }

    fn parse(nl_flags: u16, body: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body, "nlmsgerr");
        let code = r.i32()?;
        let req_len = r.u32()? as usize;
        let request = NlHeader {
            ty: r.u16()?,
            flags: r.u16()?,
            seq: r.u32()?,
            pid: r.u32()?,
        };
        if nl_flags & flags::CAPPED == 0 {
            // The request's payload is echoed back; skip it.
            r.skip(align(req_len.saturating_sub(NLMSG_HDRLEN)))?;
        }
        let mut e = ErrorMsg {
            code,
            request,
            message: None,
            offset: None,
        };
        if nl_flags & flags::ACK_TLVS != 0 {
            for a in nl::attrs(r.rest()) {
                let a = a?;
                match a.ty {
                    1 => {
                        let s = a.value.split(|&c| c == 0).next().unwrap_or_default();
                        e.message = Some(String::from_utf8_lossy(s).into_owned());
                    }
                    2 => e.offset = Some(Reader::new(a.value, "NLMSGERR_ATTR_OFFS").u32()?),
                    _ => {}
                }
            }
        }
        Ok(e)
    }
}

/// What one netlink message carries.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // messages are short-lived; boxing would cost an allocation each
pub enum Payload {
    /// An XFRM message.
    Xfrm(XfrmMessage),
    /// An ACK or an error.
    Error(ErrorMsg),
    /// `NLMSG_DONE`: end of a dump.
    Done,
    /// `NLMSG_NOOP`.
    Noop,
    /// `NLMSG_OVERRUN`.
    Overrun,
}

/// A decoded netlink message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetlinkMessage {
    /// The header.
    pub header: NlHeader,
    /// The payload.
    pub payload: Payload,
}

impl NetlinkMessage {
    /// Decodes one message from its header and body.
    pub fn parse(header: NlHeader, body: &[u8]) -> Result<Self, Error> {
        let payload = match header.ty {
            nl::NLMSG_NOOP => Payload::Noop,
            nl::NLMSG_ERROR => Payload::Error(ErrorMsg::parse(header.flags, body)?),
            nl::NLMSG_DONE => Payload::Done,
            nl::NLMSG_OVERRUN => Payload::Overrun,
            ty => Payload::Xfrm(XfrmMessage::parse(ty, header.flags, body)?),
        };
        Ok(NetlinkMessage { header, payload })
    }

    /// Decodes every message in a datagram. One bad message does not hide the
    /// others; a bad length ends the walk.
    pub fn parse_all(buf: &[u8]) -> impl Iterator<Item = Result<NetlinkMessage, Error>> + '_ {
        split_messages(buf).map(|m| m.and_then(|(h, b)| NetlinkMessage::parse(h, b)))
    }

    /// Encodes (XFRM payloads only; ACKs and errors are kernel-to-user).
    pub fn emit(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        match &self.payload {
            Payload::Xfrm(m) => {
                m.emit(self.header.flags, self.header.seq, self.header.pid, out);
                Ok(())
            }
            _ => Err(Error::Invalid("only XFRM payloads are encoded")),
        }
    }
}
