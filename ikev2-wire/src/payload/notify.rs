//! Notify (RFC 7296 §3.10) and Delete (§3.11) payloads.
//!
//! ```text
//! Notify: Protocol ID | SPI Size | Notify Message Type(16) | SPI | Notification Data
//! Delete: Protocol ID | SPI Size | Num of SPIs(16) | SPIs
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::{Body, NotifyData, RawPayload};
use crate::codec::{fixed, Writer};
use crate::enums::{NotifyType, ProtocolId};
use crate::error::{Error, Part};

/// Notify payload body (RFC 7296 §3.10).
///
/// The data is kept as bytes (so re-emission is exact); [`NotifyRepr::data`]
/// decodes it by notify type. Parsing a message validates that decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyRepr<'a> {
    /// Protocol ID (0 when no SA is concerned).
    pub protocol_id: ProtocolId,
    /// Notify Message Type.
    pub notify_type: NotifyType,
    /// SPI (its length is the SPI Size field).
    pub spi: Cow<'a, [u8]>,
    /// Notification Data.
    pub data: Cow<'a, [u8]>,
}

impl<'a> NotifyRepr<'a> {
    /// A notify with no SPI, its data encoded from `data`.
    ///
    /// # Errors
    /// [`Error::BadLength`] if the data cannot be encoded (e.g. a too-long FQDN).
    pub fn new(
        notify_type: NotifyType,
        data: &NotifyData<'_>,
    ) -> Result<NotifyRepr<'static>, Error> {
        let mut buf = alloc::vec![0u8; data.buffer_len()];
        data.emit(&mut buf)?;
        Ok(NotifyRepr {
            protocol_id: ProtocolId::Reserved,
            notify_type,
            spi: Cow::Borrowed(&[]),
            data: Cow::Owned(buf),
        })
    }

    /// The notification data decoded according to the notify type.
    ///
    /// # Errors
    /// The data does not have the shape its type requires.
    pub fn data(&self) -> Result<NotifyData<'_>, Error> {
        NotifyData::parse(self.notify_type, &self.data, 0)
    }

    /// Like [`NotifyRepr::data`], reporting errors at the data's offset in `raw`.
    #[inline]
    pub(crate) fn parse_data(&self, data_offset: usize) -> Result<NotifyData<'_>, Error> {
        NotifyData::parse(self.notify_type, &self.data, data_offset)
    }
}

impl<'a> Body<'a> for NotifyRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let [protocol, spi_size, t0, t1] = fixed::<4>(raw.body, raw.part(), raw.body_offset())?;
        let protocol_id = ProtocolId::from(protocol);
        let notify_type = NotifyType::from(u16::from_be_bytes([t0, t1]));
        let mut r = raw.reader();
        r.take(4)?;
        let spi = r.take(usize::from(spi_size))?;
        let data_offset = r.offset();
        let n = Self {
            protocol_id,
            notify_type,
            spi: Cow::Borrowed(spi),
            data: Cow::Borrowed(r.rest()),
        };
        n.parse_data(data_offset)?;
        Ok(n)
    }
    fn body_len(&self) -> usize {
        4usize
            .saturating_add(self.spi.len())
            .saturating_add(self.data.len())
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let spi_size = u8::try_from(self.spi.len()).map_err(|_| Error::InvalidField {
            part: Part::Payload(crate::PayloadType::Notify),
            offset: w.position(),
            field: "SPI Size",
        })?;
        w.u8(self.protocol_id.value())?;
        w.u8(spi_size)?;
        w.u16(self.notify_type.value())?;
        w.bytes(&self.spi)?;
        w.bytes(&self.data)
    }
}

/// Delete payload body (RFC 7296 §3.11).
///
/// The SPIs are kept as one byte string of `Num of SPIs × SPI Size` octets
/// (validated on parse); [`DeleteRepr::spis`] iterates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRepr<'a> {
    /// Protocol ID (IKE: SPI Size 0, no SPIs; AH/ESP: SPI Size 4).
    pub protocol_id: ProtocolId,
    /// SPI Size.
    pub spi_size: u8,
    /// The Num of SPIs field.
    pub num_spis: u16,
    /// The SPIs, concatenated.
    pub spis: Cow<'a, [u8]>,
}

impl<'a> DeleteRepr<'a> {
    /// A Delete for the given child SA SPIs (4 octets each).
    #[must_use]
    pub fn child_sas(protocol_id: ProtocolId, spis: &[u32]) -> DeleteRepr<'static> {
        let bytes: Vec<u8> = spis.iter().flat_map(|s| s.to_be_bytes()).collect();
        DeleteRepr {
            protocol_id,
            spi_size: 4,
            num_spis: u16::try_from(spis.len()).unwrap_or(u16::MAX),
            spis: Cow::Owned(bytes),
        }
    }

    /// A Delete for the IKE SA itself.
    #[must_use]
    pub const fn ike_sa() -> DeleteRepr<'static> {
        DeleteRepr {
            protocol_id: ProtocolId::Ike,
            spi_size: 0,
            num_spis: 0,
            spis: Cow::Borrowed(&[]),
        }
    }

    /// Iterates the SPIs.
    pub fn spis(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let size = usize::from(self.spi_size).max(1);
        self.spis.chunks(size).filter(move |_| self.spi_size != 0)
    }
}

impl<'a> Body<'a> for DeleteRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let protocol_id = ProtocolId::from(r.u8()?);
        let spi_size = r.u8()?;
        let num_spis = r.u16()?;
        let spis = r.rest();
        // The whole body: the 4-octet fixed part, then the SPIs.
        let expected = 4 + usize::from(spi_size) * usize::from(num_spis);
        raw.check_size(Some(expected), raw.body.len())?;
        Ok(Self {
            protocol_id,
            spi_size,
            num_spis,
            spis: Cow::Borrowed(spis),
        })
    }
    fn body_len(&self) -> usize {
        4usize.saturating_add(self.spis.len())
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        if usize::from(self.spi_size) * usize::from(self.num_spis) != self.spis.len() {
            return Err(Error::WrongSize {
                part: Part::Payload(crate::PayloadType::Delete),
                offset: w.position(),
                expected: usize::from(self.spi_size) * usize::from(self.num_spis),
                actual: self.spis.len(),
            });
        }
        w.u8(self.protocol_id.value())?;
        w.u8(self.spi_size)?;
        w.u16(self.num_spis)?;
        w.bytes(&self.spis)
    }
}
