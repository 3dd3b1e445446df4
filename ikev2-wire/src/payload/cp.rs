//! Configuration payload (RFC 7296 §3.15).
//!
//! ```text
//! CFG Type | RESERVED(24) | Configuration Attributes...
//! R|Attribute Type(15) | Length(16) | Value
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::{Body, RawPayload, MAX_CFG_ATTRIBUTES};
use crate::codec::{Reader, Writer};
use crate::enums::{CfgAttributeType, CfgType};
use crate::error::{Error, Part};

const RESERVED_BIT: u16 = 0x8000;

/// One configuration attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfgAttribute<'a> {
    /// The reserved top bit of the type field, kept as received.
    pub reserved_bit: bool,
    /// Attribute Type (15 bits).
    pub attribute_type: CfgAttributeType,
    /// Value (may be empty, e.g. in a CFG_REQUEST).
    pub value: Cow<'a, [u8]>,
}

impl<'a> CfgAttribute<'a> {
    /// An attribute with the reserved bit clear.
    #[must_use]
    pub const fn new(attribute_type: CfgAttributeType, value: Cow<'a, [u8]>) -> Self {
        Self {
            reserved_bit: false,
            attribute_type,
            value,
        }
    }

    /// The value as an IPv4 address, if it is one (4 octets, or 8 for
    /// address + netmask as in INTERNAL_IP4_SUBNET: the address part).
    #[must_use]
    pub fn ipv4(&self) -> Option<Ipv4Addr> {
        let b: [u8; 4] = self.value.get(..4)?.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    }

    /// The value as an IPv6 address, if at least 16 octets (the prefix
    /// length octet of INTERNAL_IP6_ADDRESS/SUBNET follows it).
    #[must_use]
    pub fn ipv6(&self) -> Option<Ipv6Addr> {
        let b: [u8; 16] = self.value.get(..16)?.try_into().ok()?;
        Some(Ipv6Addr::from(b))
    }

    fn len(&self) -> usize {
        4usize.saturating_add(self.value.len())
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let ty = self.attribute_type.value();
        if ty & RESERVED_BIT != 0 {
            let (part, offset) = (Part::CfgAttribute, w.position());
            return Err(Error::InvalidField {
                part,
                offset,
                field: "Attribute Type (over 15 bits)",
            });
        }
        w.u16(ty | if self.reserved_bit { RESERVED_BIT } else { 0 })?;
        w.len16(Part::CfgAttribute, self.value.len())?;
        w.bytes(&self.value)
    }
}

/// Iterator over configuration attributes.
#[derive(Debug, Clone)]
pub struct CfgAttributes<'a> {
    rest: &'a [u8],
    offset: usize,
    count: usize,
}

impl<'a> CfgAttributes<'a> {
    /// Reads the CP header of `raw` and iterates its attributes.
    ///
    /// # Errors
    /// A truncated CP header.
    #[inline]
    pub fn new(raw: &RawPayload<'a>) -> Result<(CfgType, [u8; 3], Self), Error> {
        let mut r = raw.reader();
        let cfg_type = CfgType::from(r.u8()?);
        let reserved = r.array()?;
        let offset = r.offset();
        Ok((
            cfg_type,
            reserved,
            Self {
                rest: r.rest(),
                offset,
                count: 0,
            },
        ))
    }

    #[inline]
    fn step(&mut self) -> Result<CfgAttribute<'a>, Error> {
        let part = Part::CfgAttribute;
        if self.count >= MAX_CFG_ATTRIBUTES {
            return Err(Error::TooMany {
                part,
                offset: self.offset,
                limit: MAX_CFG_ATTRIBUTES,
            });
        }
        let mut r = Reader::new(self.rest, self.offset, part);
        let raw_type = r.u16()?;
        let len = usize::from(r.u16()?);
        let value = r.take(len)?;
        let used = 4 + len;
        self.rest = self.rest.get(used..).unwrap_or_default();
        self.offset += used;
        self.count += 1;
        Ok(CfgAttribute {
            reserved_bit: raw_type & RESERVED_BIT != 0,
            attribute_type: CfgAttributeType::from(raw_type & !RESERVED_BIT),
            value: Cow::Borrowed(value),
        })
    }
}

cursor_iterator!(CfgAttributes => CfgAttribute);

/// Configuration payload body (RFC 7296 §3.15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpRepr<'a> {
    /// CFG Type.
    pub cfg_type: CfgType,
    /// The three reserved octets, kept as received.
    pub reserved: [u8; 3],
    /// Configuration attributes.
    pub attributes: Vec<CfgAttribute<'a>>,
}

impl CpRepr<'_> {
    #[inline]
    pub(crate) fn validate(raw: &RawPayload<'_>) -> Result<(), Error> {
        CfgAttributes::new(raw)?.2.try_for_each(|a| a.map(drop))
    }
}

impl<'a> Body<'a> for CpRepr<'a> {
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let (cfg_type, reserved, iter) = CfgAttributes::new(raw)?;
        Ok(Self {
            cfg_type,
            reserved,
            attributes: iter.collect::<Result<_, _>>()?,
        })
    }
    fn body_len(&self) -> usize {
        self.attributes
            .iter()
            .map(CfgAttribute::len)
            .fold(4, usize::saturating_add)
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.cfg_type.value())?;
        w.bytes(&self.reserved)?;
        self.attributes.iter().try_for_each(|a| a.write(w))
    }
}
