//! Encrypted and Authenticated payload, SK (RFC 7296 §3.14), and its
//! fragment, SKF (RFC 7383 §2.5).
//!
//! Without keys only the envelope can be read: the SK body (IV, ciphertext,
//! padding, ICV) stays opaque here; its Next Payload field names the first
//! inner payload, to be parsed with [`Payloads::inner`](super::Payloads::inner)
//! once the crypto layer has decrypted it.

use alloc::borrow::Cow;

use super::{Body, RawPayload};
use crate::codec::Writer;
use crate::enums::PayloadType;
use crate::error::Error;

/// Encrypted and Authenticated payload body (RFC 7296 §3.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkRepr<'a> {
    /// Type of the first inner payload (the SK payload's Next Payload field).
    pub first_inner: PayloadType,
    /// Initialization Vector, encrypted payloads, padding and ICV.
    pub data: Cow<'a, [u8]>,
}

impl<'a> Body<'a> for SkRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        Ok(Self {
            first_inner: raw.next_payload,
            data: Cow::Borrowed(raw.body),
        })
    }
    fn body_len(&self) -> usize {
        self.data.len()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.bytes(&self.data)
    }
}

/// Encrypted and Authenticated Fragment payload body (RFC 7383 §2.5).
///
/// Parsing checks `1 <= fragment_number <= total_fragments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkfRepr<'a> {
    /// Next Payload field: the first inner payload's type in fragment 1, else 0.
    pub first_inner: PayloadType,
    /// Fragment Number (from 1).
    pub fragment_number: u16,
    /// Total Fragments.
    pub total_fragments: u16,
    /// Initialization Vector, encrypted content, padding and ICV.
    pub data: Cow<'a, [u8]>,
}

impl<'a> Body<'a> for SkfRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let fragment_number = r.u16()?;
        let total_fragments = r.u16()?;
        if fragment_number == 0 || fragment_number > total_fragments {
            return Err(Error::InvalidField {
                part: raw.part(),
                offset: raw.body_offset(),
                field: "Fragment Number",
            });
        }
        Ok(Self {
            first_inner: raw.next_payload,
            fragment_number,
            total_fragments,
            data: Cow::Borrowed(r.rest()),
        })
    }
    fn body_len(&self) -> usize {
        4usize.saturating_add(self.data.len())
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u16(self.fragment_number)?;
        w.u16(self.total_fragments)?;
        w.bytes(&self.data)
    }
}
