//! Security Association payload (RFC 7296 §3.3): proposals, transforms and
//! transform attributes, as zero-copy iterators and as representations.
//!
//! ```text
//! Proposal:  Last(0|2) | RESERVED | Proposal Length(16) | Proposal Num | Protocol ID |
//!            SPI Size | Num Transforms | SPI | Transforms...
//! Transform: Last(0|3) | RESERVED | Transform Length(16) | Transform Type | RESERVED |
//!            Transform ID(16) | Attributes...
//! Attribute: A|Type(15) | Value (TV, A=1) or Length(16) + Value (TLV, A=0)
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::{Body, RawPayload, MAX_ATTRIBUTES, MAX_PROPOSALS, MAX_TRANSFORMS};
use crate::codec::{fixed, split_len, Reader, Writer};
use crate::enums::{ProtocolId, TransformAttributeType, TransformId, TransformType};
use crate::error::{Error, Part};

const PROPOSAL_HEADER_LEN: usize = 8;
const TRANSFORM_HEADER_LEN: usize = 8;
const MORE_PROPOSALS: u8 = 2;
const MORE_TRANSFORMS: u8 = 3;
const ATTR_FORMAT_TV: u16 = 0x8000;

/// A substructure's fixed header, its bytes, and the bytes after it.
type Split<'a, const N: usize> = ([u8; N], &'a [u8], &'a [u8]);

/// Splits one substructure with a `Last | RESERVED | Length(16) | ...`
/// header of `N` octets off `rest`, checking the Last marker against whether
/// anything follows. Returns the header, the substructure and the tail.
#[inline]
fn substructure<const N: usize>(
    rest: &[u8],
    base: usize,
    part: Part,
    more_marker: u8,
) -> Result<Split<'_, N>, Error> {
    let header = fixed::<N>(rest, part, base)?;
    let [last, _, l0, l1, ..] = *header.first_chunk::<4>().unwrap_or(&[0; 4]);
    let len = usize::from(u16::from_be_bytes([l0, l1]));
    let (this, tail) = split_len(rest, len, N, part, base)?;
    let expected = if tail.is_empty() { 0 } else { more_marker };
    if last != expected {
        return Err(Error::InvalidField {
            part,
            offset: base,
            field: "Last Substructure",
        });
    }
    Ok((header, this, tail))
}

/// Iterator over the proposals of an SA payload body.
#[derive(Debug, Clone)]
pub struct Proposals<'a> {
    rest: &'a [u8],
    offset: usize,
    count: usize,
}

impl<'a> Proposals<'a> {
    /// Iterates the proposals in `body`, which starts at `offset`.
    #[must_use]
    pub const fn new(body: &'a [u8], offset: usize) -> Self {
        Self {
            rest: body,
            offset,
            count: 0,
        }
    }

    #[inline]
    fn step(&mut self) -> Result<ProposalView<'a>, Error> {
        let offset = self.offset;
        if self.count >= MAX_PROPOSALS {
            return Err(Error::TooMany {
                part: Part::Proposal,
                offset,
                limit: MAX_PROPOSALS,
            });
        }
        let (header, this, tail) =
            substructure::<PROPOSAL_HEADER_LEN>(self.rest, offset, Part::Proposal, MORE_PROPOSALS)?;
        let [_, reserved, _, _, number, protocol, spi_size, num_transforms] = header;
        let protocol_id = ProtocolId::from(protocol);
        let mut r = Reader::new(this, offset, Part::Proposal);
        r.take(PROPOSAL_HEADER_LEN)?;
        let spi = r.take(usize::from(spi_size))?;
        let transforms_offset = r.offset();
        let transforms = Transforms::new(r.rest(), transforms_offset);
        self.offset += self.rest.len() - tail.len();
        self.rest = tail;
        self.count += 1;
        Ok(ProposalView {
            reserved,
            number,
            protocol_id,
            spi,
            num_transforms,
            transforms,
            offset,
        })
    }
}

cursor_iterator!(Proposals => ProposalView);

/// One proposal, borrowed.
#[derive(Debug, Clone)]
pub struct ProposalView<'a> {
    /// The reserved octet.
    pub reserved: u8,
    /// Proposal Num.
    pub number: u8,
    /// Protocol ID.
    pub protocol_id: ProtocolId,
    /// SPI (empty for the IKE SA in IKE_SA_INIT).
    pub spi: &'a [u8],
    /// The Num Transforms field (checked against the transforms present by [`ProposalView::validate`]).
    pub num_transforms: u8,
    /// The transforms.
    pub transforms: Transforms<'a>,
    /// Offset of the proposal.
    pub offset: usize,
}

impl ProposalView<'_> {
    /// Checks every transform and attribute and the Num Transforms field.
    ///
    /// # Errors
    /// The first error found.
    #[inline]
    pub fn validate(&self) -> Result<(), Error> {
        let mut n = 0usize;
        for t in self.transforms.clone() {
            for a in t?.attributes {
                a?;
            }
            n += 1;
        }
        self.check_count(n)
    }

    #[inline]
    fn check_count(&self, n: usize) -> Result<(), Error> {
        if n != usize::from(self.num_transforms) {
            return Err(Error::InvalidField {
                part: Part::Proposal,
                offset: self.offset,
                field: "Num Transforms",
            });
        }
        Ok(())
    }
}

/// Iterator over the transforms of a proposal.
#[derive(Debug, Clone)]
pub struct Transforms<'a> {
    rest: &'a [u8],
    offset: usize,
    count: usize,
}

impl<'a> Transforms<'a> {
    #[inline]
    const fn new(rest: &'a [u8], offset: usize) -> Self {
        Self {
            rest,
            offset,
            count: 0,
        }
    }

    #[inline]
    fn step(&mut self) -> Result<TransformView<'a>, Error> {
        let offset = self.offset;
        if self.count >= MAX_TRANSFORMS {
            return Err(Error::TooMany {
                part: Part::Transform,
                offset,
                limit: MAX_TRANSFORMS,
            });
        }
        let (header, this, tail) = substructure::<TRANSFORM_HEADER_LEN>(
            self.rest,
            offset,
            Part::Transform,
            MORE_TRANSFORMS,
        )?;
        let [_, reserved1, _, _, ty, reserved2, i0, i1] = header;
        let transform_type = TransformType::from(ty);
        let transform_id = u16::from_be_bytes([i0, i1]);
        let rest = this.get(TRANSFORM_HEADER_LEN..).unwrap_or_default();
        let attributes = Attributes {
            rest,
            offset: offset + TRANSFORM_HEADER_LEN,
            count: 0,
        };
        self.offset += self.rest.len() - tail.len();
        self.rest = tail;
        self.count += 1;
        Ok(TransformView {
            reserved1,
            transform_type,
            reserved2,
            transform_id,
            attributes,
            offset,
        })
    }
}

cursor_iterator!(Transforms => TransformView);

/// One transform, borrowed.
#[derive(Debug, Clone)]
pub struct TransformView<'a> {
    /// The reserved octet after Last Substructure.
    pub reserved1: u8,
    /// Transform Type.
    pub transform_type: TransformType,
    /// The reserved octet after Transform Type.
    pub reserved2: u8,
    /// Transform ID, raw.
    pub transform_id: u16,
    /// The attributes.
    pub attributes: Attributes<'a>,
    /// Offset of the transform.
    pub offset: usize,
}

impl TransformView<'_> {
    /// The Transform ID in the registry of its type.
    #[must_use]
    pub const fn id(&self) -> TransformId {
        TransformId::new(self.transform_type, self.transform_id)
    }
}

/// Iterator over transform attributes.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    rest: &'a [u8],
    offset: usize,
    count: usize,
}

impl<'a> Attributes<'a> {
    #[inline]
    fn step(&mut self) -> Result<Attribute<'a>, Error> {
        let part = Part::TransformAttribute;
        if self.count >= MAX_ATTRIBUTES {
            return Err(Error::TooMany {
                part,
                offset: self.offset,
                limit: MAX_ATTRIBUTES,
            });
        }
        let [t0, t1, v0, v1] = fixed::<4>(self.rest, part, self.offset)?;
        let raw_type = u16::from_be_bytes([t0, t1]);
        let attribute_type = TransformAttributeType::from(raw_type & !ATTR_FORMAT_TV);
        let field = u16::from_be_bytes([v0, v1]);
        let (value, used) = if raw_type & ATTR_FORMAT_TV != 0 {
            (AttributeValue::Tv(field), 4)
        } else {
            let mut r = Reader::new(self.rest, self.offset, part);
            r.take(4)?;
            let len = usize::from(field);
            (AttributeValue::Tlv(Cow::Borrowed(r.take(len)?)), 4 + len)
        };
        self.rest = self.rest.get(used..).unwrap_or_default();
        self.offset += used;
        self.count += 1;
        Ok(Attribute {
            attribute_type,
            value,
        })
    }
}

cursor_iterator!(Attributes => Attribute);

/// A transform attribute value in its wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue<'a> {
    /// Type/Value format (AF = 1): a 16-bit value.
    Tv(u16),
    /// Type/Length/Value format (AF = 0).
    Tlv(Cow<'a, [u8]>),
}

/// One transform attribute (RFC 7296 §3.3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Attribute Type (15 bits; the format bit lives in [`AttributeValue`]).
    pub attribute_type: TransformAttributeType,
    /// The value and its format.
    pub value: AttributeValue<'a>,
}

impl Attribute<'_> {
    fn len(&self) -> usize {
        match &self.value {
            AttributeValue::Tv(_) => 4,
            AttributeValue::Tlv(v) => 4 + v.len(),
        }
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let ty = self.attribute_type.value();
        if ty & ATTR_FORMAT_TV != 0 {
            let (part, offset) = (Part::TransformAttribute, w.position());
            return Err(Error::InvalidField {
                part,
                offset,
                field: "Attribute Type (over 15 bits)",
            });
        }
        match &self.value {
            AttributeValue::Tv(v) => {
                w.u16(ty | ATTR_FORMAT_TV)?;
                w.u16(*v)
            }
            AttributeValue::Tlv(v) => {
                w.u16(ty)?;
                w.len16(Part::TransformAttribute, v.len())?;
                w.bytes(v)
            }
        }
    }
}

/// One transform (RFC 7296 §3.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformRepr<'a> {
    /// The reserved octet after Last Substructure.
    pub reserved1: u8,
    /// Transform Type.
    pub transform_type: TransformType,
    /// The reserved octet after Transform Type.
    pub reserved2: u8,
    /// Transform ID, raw (see [`TransformRepr::id`]).
    pub transform_id: u16,
    /// Transform attributes.
    pub attributes: Vec<Attribute<'a>>,
}

impl<'a> TransformRepr<'a> {
    /// A transform without attributes.
    #[must_use]
    pub const fn new(transform_type: TransformType, transform_id: u16) -> Self {
        Self {
            reserved1: 0,
            transform_type,
            reserved2: 0,
            transform_id,
            attributes: Vec::new(),
        }
    }

    /// Adds a Key Length attribute (TV format), in bits.
    #[must_use]
    pub fn with_key_length(mut self, bits: u16) -> Self {
        self.attributes.push(Attribute {
            attribute_type: TransformAttributeType::KeyLength,
            value: AttributeValue::Tv(bits),
        });
        self
    }

    /// The Transform ID in the registry of its type.
    #[must_use]
    pub const fn id(&self) -> TransformId {
        TransformId::new(self.transform_type, self.transform_id)
    }

    /// The Key Length attribute, if present in TV format.
    #[must_use]
    pub fn key_length(&self) -> Option<u16> {
        self.attributes.iter().find_map(|a| match a.value {
            AttributeValue::Tv(v) if a.attribute_type == TransformAttributeType::KeyLength => {
                Some(v)
            }
            _ => None,
        })
    }

    fn len(&self) -> usize {
        self.attributes
            .iter()
            .map(Attribute::len)
            .fold(TRANSFORM_HEADER_LEN, usize::saturating_add)
    }

    fn from_view(v: TransformView<'a>) -> Result<Self, Error> {
        Ok(Self {
            reserved1: v.reserved1,
            transform_type: v.transform_type,
            reserved2: v.reserved2,
            transform_id: v.transform_id,
            attributes: v.attributes.collect::<Result<_, _>>()?,
        })
    }

    fn write(&self, w: &mut Writer<'_>, last: bool) -> Result<(), Error> {
        w.u8(if last { 0 } else { MORE_TRANSFORMS })?;
        w.u8(self.reserved1)?;
        w.len16(Part::Transform, self.len())?;
        w.u8(self.transform_type.value())?;
        w.u8(self.reserved2)?;
        w.u16(self.transform_id)?;
        self.attributes.iter().try_for_each(|a| a.write(w))
    }
}

/// One proposal (RFC 7296 §3.3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRepr<'a> {
    /// The reserved octet.
    pub reserved: u8,
    /// Proposal Num.
    pub number: u8,
    /// Protocol ID.
    pub protocol_id: ProtocolId,
    /// SPI (its length is the SPI Size field).
    pub spi: Cow<'a, [u8]>,
    /// Transforms (their count is the Num Transforms field).
    pub transforms: Vec<TransformRepr<'a>>,
}

impl ProposalRepr<'_> {
    fn len(&self) -> usize {
        self.transforms.iter().map(TransformRepr::len).fold(
            PROPOSAL_HEADER_LEN.saturating_add(self.spi.len()),
            usize::saturating_add,
        )
    }

    fn write(&self, w: &mut Writer<'_>, last: bool) -> Result<(), Error> {
        let count_err = |field| Error::InvalidField {
            part: Part::Proposal,
            offset: w.position(),
            field,
        };
        let spi_size = u8::try_from(self.spi.len()).map_err(|_| count_err("SPI Size"))?;
        let num = u8::try_from(self.transforms.len()).map_err(|_| count_err("Num Transforms"))?;
        w.u8(if last { 0 } else { MORE_PROPOSALS })?;
        w.u8(self.reserved)?;
        w.len16(Part::Proposal, self.len())?;
        w.u8(self.number)?;
        w.u8(self.protocol_id.value())?;
        w.u8(spi_size)?;
        w.u8(num)?;
        w.bytes(&self.spi)?;
        let n = self.transforms.len();
        self.transforms
            .iter()
            .enumerate()
            .try_for_each(|(i, t)| t.write(w, i + 1 == n))
    }
}

/// Security Association payload body (RFC 7296 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaRepr<'a> {
    /// Proposals, in order of preference.
    pub proposals: Vec<ProposalRepr<'a>>,
}

impl SaRepr<'_> {
    /// Validates an SA body without allocating.
    #[inline]
    pub(crate) fn validate(raw: &RawPayload<'_>) -> Result<(), Error> {
        Proposals::new(raw.body, raw.body_offset()).try_for_each(|p| p?.validate())
    }
}

impl<'a> Body<'a> for SaRepr<'a> {
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let proposals = Proposals::new(raw.body, raw.body_offset())
            .map(|p| {
                let p = p?;
                let transforms: Vec<_> = p
                    .transforms
                    .clone()
                    .map(|t| TransformRepr::from_view(t?))
                    .collect::<Result<_, _>>()?;
                p.check_count(transforms.len())?;
                Ok(ProposalRepr {
                    reserved: p.reserved,
                    number: p.number,
                    protocol_id: p.protocol_id,
                    spi: Cow::Borrowed(p.spi),
                    transforms,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Self { proposals })
    }
    fn body_len(&self) -> usize {
        self.proposals
            .iter()
            .map(ProposalRepr::len)
            .fold(0, usize::saturating_add)
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let n = self.proposals.len();
        self.proposals
            .iter()
            .enumerate()
            .try_for_each(|(i, p)| p.write(w, i + 1 == n))
    }
}
