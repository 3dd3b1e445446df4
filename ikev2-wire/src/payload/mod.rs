//! Payloads (RFC 7296 §3.2–§3.16, RFC 7383 §2.5): the generic payload header,
//! the payload chain, and one module per payload body.
//!
//! Two layers, as in smoltcp:
//! - **views**: [`RawPayload`] (one payload's generic header and body, borrowed)
//!   and [`Payloads`] (an iterator over a chain). Validating a whole chain with
//!   [`Payloads::validate`] checks every length and every nested structure
//!   without allocating;
//! - **representations**: [`PayloadRepr`] (generic-header flags plus a typed
//!   [`PayloadBody`]) with `parse`, `buffer_len` and `emit`. Byte strings are
//!   `Cow<'a, [u8]>`: borrowed when parsed, owned when built.
//!
//! Every body type implements the same internal trait (parse from a
//! [`RawPayload`], length, write), and one macro table maps payload types to
//! body types, so adding a payload is one line plus its module.

/// `Iterator` for a cursor over a length-checked list whose `step()` parses
/// one element from `self.rest`: it ends when `rest` is empty, and the first
/// error ends it too (no element after a malformed one is trusted).
macro_rules! cursor_iterator {
    ($cursor:ident => $item:ident) => {
        impl<'a> Iterator for $cursor<'a> {
            type Item = Result<$item<'a>, Error>;
            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                if self.rest.is_empty() {
                    return None;
                }
                let item = self.step();
                if item.is_err() {
                    self.rest = &[];
                }
                Some(item)
            }
        }
    };
}

mod cp;
mod notify;
mod notify_data;
mod sa;
mod simple;
mod sk;
mod ts;

use alloc::borrow::Cow;

pub use cp::{CfgAttribute, CfgAttributes, CpRepr};
pub use notify::{DeleteRepr, NotifyRepr};
pub use notify_data::{
    GatewayIdentity, HashAlgorithms, NotifyData, MAX_COOKIE_LEN, NAT_DETECTION_LEN,
};
pub use sa::{
    Attribute, AttributeValue, Attributes, ProposalRepr, ProposalView, Proposals, SaRepr,
    TransformRepr, TransformView, Transforms,
};
pub use simple::{AuthRepr, CertRepr, EapRepr, IdRepr, KeRepr, NonceRepr, VendorIdRepr};
pub use sk::{SkRepr, SkfRepr};
pub use ts::{TrafficSelector, TrafficSelectors, TsRepr};

use crate::codec::{Reader, Writer};
use crate::enums::PayloadType;
use crate::error::{Error, Part};

/// Length of the generic payload header.
pub const GENERIC_HEADER_LEN: usize = 4;
/// The Critical bit in the generic payload header's flags octet.
pub const FLAG_CRITICAL: u8 = 0x80;

/// Most payloads accepted in one chain (outer or inner).
pub const MAX_PAYLOADS: usize = 64;
/// Most proposals accepted in one SA payload.
pub const MAX_PROPOSALS: usize = 64;
/// Most transforms accepted in one proposal.
pub const MAX_TRANSFORMS: usize = 64;
/// Most attributes accepted in one transform.
pub const MAX_ATTRIBUTES: usize = 16;
/// Most traffic selectors accepted in one TSi/TSr payload.
pub const MAX_TRAFFIC_SELECTORS: usize = 64;
/// Most configuration attributes accepted in one CP payload.
pub const MAX_CFG_ATTRIBUTES: usize = 128;

/// One payload as it sits in a chain: generic header fields plus the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPayload<'a> {
    /// This payload's type (from the previous header's Next Payload field).
    pub payload_type: PayloadType,
    /// The Next Payload field (for SK/SKF: the first inner payload's type).
    pub next_payload: PayloadType,
    /// The flags octet: Critical bit and seven reserved bits.
    pub flags: u8,
    /// The body (after the 4-octet generic header).
    pub body: &'a [u8],
    /// Offset of the generic header in the parsed buffer.
    pub offset: usize,
}

impl<'a> RawPayload<'a> {
    /// The Critical bit.
    #[must_use]
    pub const fn is_critical(&self) -> bool {
        self.flags & FLAG_CRITICAL != 0
    }

    /// Offset of the body in the parsed buffer.
    #[must_use]
    pub const fn body_offset(&self) -> usize {
        self.offset + GENERIC_HEADER_LEN
    }

    #[inline]
    pub(crate) const fn reader(&self) -> Reader<'a> {
        Reader::new(
            self.body,
            self.body_offset(),
            Part::Payload(self.payload_type),
        )
    }

    pub(crate) const fn part(&self) -> Part {
        Part::Payload(self.payload_type)
    }

    /// `WrongSize` for this payload unless `actual` is `expected` (no
    /// check when the size is not fixed).
    pub(crate) fn check_size(&self, expected: Option<usize>, actual: usize) -> Result<(), Error> {
        match expected {
            Some(expected) if expected != actual => Err(Error::WrongSize {
                part: self.part(),
                offset: self.offset,
                expected,
                actual,
            }),
            _ => Ok(()),
        }
    }

    /// Checks the body's internal structure without allocating.
    ///
    /// # Errors
    /// The first structural error in the body.
    #[inline]
    pub fn validate(&self) -> Result<(), Error> {
        match self.payload_type {
            PayloadType::SecurityAssociation => SaRepr::validate(self),
            PayloadType::TrafficSelectorInitiator | PayloadType::TrafficSelectorResponder => {
                TsRepr::validate(self)
            }
            PayloadType::Configuration => CpRepr::validate(self),
            // NotifyRepr::parse also validates the typed notification data.
            PayloadType::Notify => NotifyRepr::parse(self).map(drop),
            _ => PayloadBody::parse(self).map(drop),
        }
    }

    /// Decodes the body into its typed representation.
    ///
    /// # Errors
    /// The first structural error in the body.
    pub fn repr(&self) -> Result<PayloadRepr<'a>, Error> {
        Ok(PayloadRepr {
            flags: self.flags,
            body: PayloadBody::parse(self)?,
        })
    }
}

/// The interface every payload body implements.
pub(crate) trait Body<'a>: Sized {
    /// Decodes the body of `raw` (whose type selected this body type).
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error>;
    /// Encoded body length (without the generic header).
    fn body_len(&self) -> usize;
    /// Writes exactly `body_len()` octets.
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error>;
}

/// Fails with [`Error::TrailingData`] if `r` has bytes left.
#[inline]
pub(crate) fn finish(r: &Reader<'_>, part: Part) -> Result<(), Error> {
    match r.remaining() {
        0 => Ok(()),
        len => Err(Error::TrailingData {
            part,
            offset: r.offset(),
            len,
        }),
    }
}

/// Byte-string length check helper for bodies with a size range.
#[inline]
pub(crate) fn check_size(
    part: Part,
    offset: usize,
    actual: usize,
    min: usize,
    max: usize,
) -> Result<(), Error> {
    if actual < min || actual > max {
        return Err(Error::BadLength {
            part,
            offset,
            len: actual,
            min,
            max,
        });
    }
    Ok(())
}

macro_rules! payload_bodies {
    (
        $( $(#[$doc:meta])* $variant:ident($repr:ident) = $pt:ident, )+
        ; from: $( $fvariant:ident($frepr:ident) ),+
    ) => {
        /// A typed payload body.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum PayloadBody<'a> {
            $( $(#[$doc])* $variant($repr<'a>), )+
            /// A payload type this crate does not model (kept verbatim; only
            /// reachable when its Critical bit is clear).
            Unknown {
                /// Its payload type.
                payload_type: PayloadType,
                /// Its body.
                data: Cow<'a, [u8]>,
            },
        }

        impl<'a> PayloadBody<'a> {
            /// The payload type that goes into the previous Next Payload field.
            #[must_use]
            pub const fn payload_type(&self) -> PayloadType {
                match self {
                    $( Self::$variant(_) => PayloadType::$pt, )+
                    Self::Unknown { payload_type, .. } => *payload_type,
                }
            }

            /// True if this crate decodes bodies of type `ty`.
            #[must_use]
            pub const fn is_modelled(ty: PayloadType) -> bool {
                matches!(ty, $( PayloadType::$pt )|+)
            }

            pub(crate) fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
                Ok(match raw.payload_type {
                    $( PayloadType::$pt => Self::$variant($repr::parse(raw)?), )+
                    payload_type => Self::Unknown { payload_type, data: Cow::Borrowed(raw.body) },
                })
            }

            /// Encoded body length (without the generic header).
            #[must_use]
            pub fn body_len(&self) -> usize {
                match self {
                    $( Self::$variant(b) => b.body_len(), )+
                    Self::Unknown { data, .. } => data.len(),
                }
            }

            /// Converts into a value that owns all its bytes.
            #[must_use]
            pub fn into_owned(self) -> PayloadBody<'static> {
                match self {
                    $( Self::$variant(b) => PayloadBody::$variant(b.into_owned()), )+
                    Self::Unknown { payload_type, data } => PayloadBody::Unknown {
                        payload_type,
                        data: Cow::Owned(data.into_owned()),
                    },
                }
            }

            pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
                match self {
                    $( Self::$variant(b) => b.write(w), )+
                    Self::Unknown { data, .. } => w.bytes(data),
                }
            }
        }

        $(
            impl<'a> From<$frepr<'a>> for PayloadRepr<'a> {
                fn from(body: $frepr<'a>) -> Self {
                    PayloadRepr::new(PayloadBody::$fvariant(body))
                }
            }
        )+
    };
}

payload_bodies! {
    /// Security Association (SA).
    Sa(SaRepr) = SecurityAssociation,
    /// Key Exchange (KE).
    Ke(KeRepr) = KeyExchange,
    /// Identification - Initiator (IDi).
    IdI(IdRepr) = IdentificationInitiator,
    /// Identification - Responder (IDr).
    IdR(IdRepr) = IdentificationResponder,
    /// Certificate (CERT).
    Cert(CertRepr) = Certificate,
    /// Certificate Request (CERTREQ).
    CertReq(CertRepr) = CertificateRequest,
    /// Authentication (AUTH).
    Auth(AuthRepr) = Authentication,
    /// Nonce (Ni, Nr).
    Nonce(NonceRepr) = Nonce,
    /// Notify (N).
    Notify(NotifyRepr) = Notify,
    /// Delete (D).
    Delete(DeleteRepr) = Delete,
    /// Vendor ID (V).
    VendorId(VendorIdRepr) = VendorId,
    /// Traffic Selector - Initiator (TSi).
    TsI(TsRepr) = TrafficSelectorInitiator,
    /// Traffic Selector - Responder (TSr).
    TsR(TsRepr) = TrafficSelectorResponder,
    /// Encrypted and Authenticated (SK).
    Sk(SkRepr) = EncryptedAndAuthenticated,
    /// Configuration (CP).
    Cp(CpRepr) = Configuration,
    /// Extensible Authentication (EAP).
    Eap(EapRepr) = ExtensibleAuthentication,
    /// Encrypted and Authenticated Fragment (SKF, RFC 7383).
    Skf(SkfRepr) = EncryptedAndAuthenticatedFragment,
    // IDi/IDr, CERT/CERTREQ and TSi/TSr share a body type, so `From` is only
    // generated for the unambiguous ones.
    ; from: Sa(SaRepr), Ke(KeRepr), Auth(AuthRepr), Nonce(NonceRepr), Notify(NotifyRepr),
    Delete(DeleteRepr), VendorId(VendorIdRepr), Sk(SkRepr), Cp(CpRepr), Eap(EapRepr),
    Skf(SkfRepr)
}

/// One payload: the generic header's flags octet plus a typed body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadRepr<'a> {
    /// Critical bit and reserved bits, kept as received.
    pub flags: u8,
    /// The body.
    pub body: PayloadBody<'a>,
}

impl<'a> PayloadRepr<'a> {
    /// A payload with a clear flags octet.
    #[must_use]
    pub const fn new(body: PayloadBody<'a>) -> Self {
        Self { flags: 0, body }
    }

    /// This payload's type.
    #[must_use]
    pub const fn payload_type(&self) -> PayloadType {
        self.body.payload_type()
    }

    /// Encoded length including the generic header.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        GENERIC_HEADER_LEN.saturating_add(self.body.body_len())
    }

    /// The Next Payload value this payload forces (SK/SKF: the first inner payload).
    pub(crate) const fn next_override(&self) -> Option<PayloadType> {
        match &self.body {
            PayloadBody::Sk(sk) => Some(sk.first_inner),
            PayloadBody::Skf(skf) => Some(skf.first_inner),
            _ => None,
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>, next: PayloadType) -> Result<(), Error> {
        let next = self.next_override().unwrap_or(next);
        w.u8(next.value())?;
        w.u8(self.flags)?;
        w.len16(Part::Payload(self.payload_type()), self.buffer_len())?;
        let start = w.position();
        self.body.write(w)?;
        debug_assert_eq!(w.position() - start, self.body.body_len());
        Ok(())
    }
}

/// An iterator over a payload chain, yielding each payload's [`RawPayload`].
///
/// It checks each generic header (length at least 4 and within the chain's
/// container, at most [`MAX_PAYLOADS`] payloads, no unknown critical payload)
/// and stops after SK/SKF, which end a chain. After the last payload it
/// reports bytes left over as [`Error::TrailingData`]. It yields at most one
/// error and then ends. Since every payload advances by at least four octets
/// inside a bounded buffer, a chain cannot loop.
#[derive(Debug, Clone)]
pub struct Payloads<'a> {
    buf: &'a [u8],
    base: usize,
    pos: usize,
    next: PayloadType,
    count: usize,
    inner: bool,
    done: bool,
}

impl<'a> Payloads<'a> {
    /// Iterates a chain starting with type `first` over `buf`, whose first byte
    /// is at offset `base` of the caller's buffer (for error reports).
    ///
    /// Use [`Payloads::inner`] for a decrypted chain, where SK/SKF may not appear.
    #[must_use]
    pub const fn new(first: PayloadType, buf: &'a [u8], base: usize) -> Self {
        Self {
            buf,
            base,
            pos: 0,
            next: first,
            count: 0,
            inner: false,
            done: false,
        }
    }

    /// Iterates a decrypted inner chain (SK/SKF inside it are errors).
    #[must_use]
    pub const fn inner(first: PayloadType, buf: &'a [u8]) -> Self {
        Self {
            buf,
            base: 0,
            pos: 0,
            next: first,
            count: 0,
            inner: true,
            done: false,
        }
    }

    /// Walks the whole chain and validates every payload body, allocation-free.
    ///
    /// # Errors
    /// The first error found.
    #[inline]
    pub fn validate(mut self) -> Result<usize, Error> {
        let mut n = 0;
        if self.done {
            return Ok(0);
        }
        while let Some(p) = self.step()? {
            p.validate()?;
            n += 1;
        }
        Ok(n)
    }

    #[inline(always)]
    fn step(&mut self) -> Result<Option<RawPayload<'a>>, Error> {
        let offset = self.base + self.pos;
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let ty = self.next;
        if ty == PayloadType::NoNextPayload {
            if !rest.is_empty() {
                let part = Part::Payload(ty);
                return Err(Error::TrailingData {
                    part,
                    offset,
                    len: rest.len(),
                });
            }
            return Ok(None);
        }
        let part = Part::Payload(ty);
        if self.count >= MAX_PAYLOADS {
            return Err(Error::TooMany {
                part,
                offset,
                limit: MAX_PAYLOADS,
            });
        }
        let [next, flags, l0, l1] = crate::codec::fixed::<4>(rest, part, offset)?;
        let next_payload = PayloadType::from(next);
        let len = usize::from(u16::from_be_bytes([l0, l1]));
        let (this, _) = crate::codec::split_len(rest, len, GENERIC_HEADER_LEN, part, offset)?;
        let raw = RawPayload {
            payload_type: ty,
            next_payload,
            flags,
            body: this.get(GENERIC_HEADER_LEN..).unwrap_or_default(),
            offset,
        };
        if raw.is_critical() && !PayloadBody::is_modelled(ty) {
            return Err(Error::UnsupportedCriticalPayload {
                payload: ty,
                offset,
            });
        }
        let ends_chain = matches!(
            ty,
            PayloadType::EncryptedAndAuthenticated | PayloadType::EncryptedAndAuthenticatedFragment
        );
        if ends_chain && self.inner {
            return Err(Error::InvalidField {
                part,
                offset,
                field: "Next Payload (SK inside SK)",
            });
        }
        self.count += 1;
        self.pos += len;
        self.next = if ends_chain {
            PayloadType::NoNextPayload
        } else {
            next_payload
        };
        Ok(Some(raw))
    }
}

impl<'a> Iterator for Payloads<'a> {
    type Item = Result<RawPayload<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Encoded length of a payload chain.
#[must_use]
pub fn chain_len(payloads: &[PayloadRepr<'_>]) -> usize {
    payloads
        .iter()
        .map(PayloadRepr::buffer_len)
        .fold(0, usize::saturating_add)
}

/// The type to put in the Next Payload field before `payloads`.
#[must_use]
pub fn first_type(payloads: &[PayloadRepr<'_>]) -> PayloadType {
    payloads
        .first()
        .map_or(PayloadType::NoNextPayload, PayloadRepr::payload_type)
}

pub(crate) fn write_chain(w: &mut Writer<'_>, payloads: &[PayloadRepr<'_>]) -> Result<(), Error> {
    let mut iter = payloads.iter().peekable();
    while let Some(p) = iter.next() {
        let next = iter
            .peek()
            .map_or(PayloadType::NoNextPayload, |n| n.payload_type());
        p.write(w, next)?;
    }
    Ok(())
}

/// Emits a payload chain (e.g. the plaintext of an SK payload) into `buf`.
///
/// Put [`first_type`] of the same slice in the enclosing Next Payload field.
///
/// # Errors
/// [`Error::Truncated`] for a short `buf`; [`Error::BadLength`] if a payload
/// is longer than 65535 octets.
pub fn emit_chain(payloads: &[PayloadRepr<'_>], buf: &mut [u8]) -> Result<usize, Error> {
    let mut w = Writer::new(buf);
    write_chain(&mut w, payloads)?;
    Ok(w.position())
}

/// Parses a decrypted inner payload chain into representations.
///
/// # Errors
/// The first structural error; offsets count from the start of `buf`.
pub fn parse_inner_chain(
    first: PayloadType,
    buf: &[u8],
) -> Result<alloc::vec::Vec<PayloadRepr<'_>>, Error> {
    Payloads::inner(first, buf).map(|p| p?.repr()).collect()
}
