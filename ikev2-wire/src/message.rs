//! Whole IKE messages: the validated zero-copy view ([`Message`]), the keyless
//! SK/SKF envelope ([`Encrypted`]) and the representation ([`MessageRepr`]).

use alloc::vec::Vec;

use crate::codec::Writer;
use crate::enums::PayloadType;
use crate::error::{Error, Part};
use crate::header::{Header, HeaderRepr, HEADER_LEN};
use crate::payload::{
    chain_len, first_type, write_chain, PayloadRepr, Payloads, RawPayload, GENERIC_HEADER_LEN,
};

/// A validated IKE message borrowed from a datagram: phase one of decoding.
///
/// [`Message::parse`] checks the header, that the Length field equals the
/// buffer length, and every payload of the outer chain down to each
/// attribute, selector and typed notify data, without allocating. The SK or
/// SKF payload, if any, is checked as an envelope only; see
/// [`Message::encrypted`].
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    bytes: &'a [u8],
    header: Header,
    payload_count: usize,
}

impl<'a> Message<'a> {
    /// Validates `bytes` as one IKE message (the UDP payload, non-ESP marker removed).
    ///
    /// # Errors
    /// The first structural error, with the offset from the start of `bytes`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let header = Header::parse(bytes)?;
        let len = usize::try_from(header.length).unwrap_or(usize::MAX);
        if len != bytes.len() || len < HEADER_LEN {
            return Err(Error::BadLength {
                part: Part::Header,
                offset: 24,
                len,
                min: HEADER_LEN,
                max: bytes.len(),
            });
        }
        let chain = bytes.get(HEADER_LEN..).unwrap_or_default();
        let payload_count = Payloads::new(header.next_payload, chain, HEADER_LEN).validate()?;
        Ok(Self {
            bytes,
            header,
            payload_count,
        })
    }

    /// The header.
    #[must_use]
    pub const fn header(&self) -> &Header {
        &self.header
    }

    /// The whole message.
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of payloads in the outer chain.
    #[must_use]
    pub const fn payload_count(&self) -> usize {
        self.payload_count
    }

    /// The outer payloads (already validated, so the iterator yields no errors).
    pub fn payloads(&self) -> impl Iterator<Item = RawPayload<'a>> + 'a {
        let chain = self.bytes.get(HEADER_LEN..).unwrap_or_default();
        Payloads::new(self.header.next_payload, chain, HEADER_LEN).filter_map(Result::ok)
    }

    /// The SK or SKF envelope, if the message has one (it is always last).
    #[must_use]
    pub fn encrypted(&self) -> Option<Encrypted<'a>> {
        let last = self.payloads().last()?;
        let fragment = match last.payload_type {
            PayloadType::EncryptedAndAuthenticated => None,
            PayloadType::EncryptedAndAuthenticatedFragment => {
                let b = last.body;
                let num = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
                let total = u16::from_be_bytes([*b.get(2)?, *b.get(3)?]);
                Some((num, total))
            }
            _ => return None,
        };
        let data_start = last.body_offset() + if fragment.is_some() { 4 } else { 0 };
        Some(Encrypted {
            payload_type: last.payload_type,
            first_inner: last.next_payload,
            fragment,
            offset: last.offset,
            authenticated: self.bytes.get(..data_start)?,
            data: self.bytes.get(data_start..)?,
        })
    }

    /// Decodes every payload into a [`MessageRepr`] (allocates).
    ///
    /// # Errors
    /// None in practice (the message is validated); kept for uniformity.
    pub fn to_repr(&self) -> Result<MessageRepr<'a>, Error> {
        let payloads = self
            .payloads()
            .map(|p| p.repr())
            .collect::<Result<_, _>>()?;
        Ok(MessageRepr {
            header: self.header.repr(),
            payloads,
        })
    }
}

/// The SK or SKF envelope of a message, located without keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encrypted<'a> {
    /// SK or SKF.
    pub payload_type: PayloadType,
    /// Type of the first inner payload (0 in SKF fragments after the first).
    pub first_inner: PayloadType,
    /// `(Fragment Number, Total Fragments)` for SKF.
    pub fragment: Option<(u16, u16)>,
    /// Offset of the SK/SKF generic header in the message.
    pub offset: usize,
    /// The message up to the start of `data`: the octets an AEAD takes as
    /// associated data (header, unencrypted payloads, SK/SKF header); the
    /// integrity check of a non-AEAD cipher covers these plus `data` minus the ICV.
    pub authenticated: &'a [u8],
    /// IV, ciphertext, padding and ICV.
    pub data: &'a [u8],
}

/// An IKE message: header plus payload representations. Phase one of
/// decoding leaves any SK payload opaque ([`SkRepr`](crate::SkRepr));
/// decrypt it and parse the plaintext with
/// [`parse_inner_chain`](crate::parse_inner_chain) for phase two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRepr<'a> {
    /// The header (Next Payload and Length are derived on emit).
    pub header: HeaderRepr,
    /// The outer payload chain.
    pub payloads: Vec<PayloadRepr<'a>>,
}

impl<'a> MessageRepr<'a> {
    /// Parses and validates `bytes` (see [`Message::parse`]).
    ///
    /// # Errors
    /// The first structural error.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        Message::parse(bytes)?.to_repr()
    }

    /// Encoded length.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN.saturating_add(chain_len(&self.payloads))
    }

    /// Emits the message into `buf`, returning its length (= `buffer_len()`).
    /// The header's Next Payload and Length fields are filled in.
    ///
    /// # Errors
    /// [`Error::Truncated`] if `buf` is short, [`Error::BadLength`] if a
    /// payload exceeds 65535 octets, [`Error::InvalidField`] for counts that
    /// do not fit their fields.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        let length = u32::try_from(len).map_err(|_| Error::BadLength {
            part: Part::Header,
            offset: 24,
            len,
            min: HEADER_LEN,
            max: u32::MAX as usize,
        })?;
        let header = self.header.to_header(first_type(&self.payloads), length);
        let mut w = Writer::new(buf);
        header.write(&mut w)?;
        write_chain(&mut w, &self.payloads)?;
        Ok(w.position())
    }

    /// Emits into a new vector.
    ///
    /// # Errors
    /// As [`MessageRepr::emit`], less the short-buffer case.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut buf = alloc::vec![0u8; self.buffer_len()];
        self.emit(&mut buf)?;
        Ok(buf)
    }
}

const _: () = assert!(GENERIC_HEADER_LEN == 4);
