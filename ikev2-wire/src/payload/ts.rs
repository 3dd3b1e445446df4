//! Traffic Selector payloads, TSi and TSr (RFC 7296 §3.13).
//!
//! ```text
//! Number of TSs | RESERVED(24) | Traffic Selectors...
//! TS Type | IP Protocol ID | Selector Length(16) | Start Port | End Port |
//! Starting Address | Ending Address          (4 + 4 octets, or 16 + 16)
//! ```
//! Selectors of other types (TS_FC_ADDR_RANGE, TS_SECLABEL) are kept opaque.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::{Body, RawPayload, MAX_TRAFFIC_SELECTORS};
use crate::codec::{split_len, Reader, Writer};
use crate::enums::TsType;
use crate::error::{Error, Part};

const TS_HEADER_LEN: usize = 4;
const IPV4_LEN: usize = 16;
const IPV6_LEN: usize = 40;

/// One traffic selector.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrafficSelector<'a> {
    /// TS_IPV4_ADDR_RANGE.
    Ipv4 {
        /// IP Protocol ID (0 = any).
        ip_protocol: u8,
        /// Start Port.
        start_port: u16,
        /// End Port.
        end_port: u16,
        /// Starting Address.
        start: Ipv4Addr,
        /// Ending Address.
        end: Ipv4Addr,
    },
    /// TS_IPV6_ADDR_RANGE.
    Ipv6 {
        /// IP Protocol ID (0 = any).
        ip_protocol: u8,
        /// Start Port.
        start_port: u16,
        /// End Port.
        end_port: u16,
        /// Starting Address.
        start: Ipv6Addr,
        /// Ending Address.
        end: Ipv6Addr,
    },
    /// Another selector type, kept verbatim (never type 7 or 8).
    Other {
        /// TS Type.
        ts_type: TsType,
        /// The octet after TS Type (IP Protocol ID or reserved).
        second: u8,
        /// Everything after Selector Length.
        data: Cow<'a, [u8]>,
    },
}

impl TrafficSelector<'_> {
    /// TS Type.
    #[must_use]
    pub const fn ts_type(&self) -> TsType {
        match self {
            Self::Ipv4 { .. } => TsType::Ipv4AddrRange,
            Self::Ipv6 { .. } => TsType::Ipv6AddrRange,
            Self::Other { ts_type, .. } => *ts_type,
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Ipv4 { .. } => IPV4_LEN,
            Self::Ipv6 { .. } => IPV6_LEN,
            Self::Other { data, .. } => TS_HEADER_LEN.saturating_add(data.len()),
        }
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.ts_type().value())?;
        match self {
            Self::Ipv4 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            } => {
                w.u8(*ip_protocol)?;
                w.u16(IPV4_LEN as u16)?;
                w.u16(*start_port)?;
                w.u16(*end_port)?;
                w.bytes(&start.octets())?;
                w.bytes(&end.octets())
            }
            Self::Ipv6 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            } => {
                w.u8(*ip_protocol)?;
                w.u16(IPV6_LEN as u16)?;
                w.u16(*start_port)?;
                w.u16(*end_port)?;
                w.bytes(&start.octets())?;
                w.bytes(&end.octets())
            }
            Self::Other { second, data, .. } => {
                w.u8(*second)?;
                w.len16(Part::TrafficSelector, self.len())?;
                w.bytes(data)
            }
        }
    }
}

/// Iterator over the selectors of a TSi/TSr body; checks Number of TSs.
#[derive(Debug, Clone)]
pub struct TrafficSelectors<'a> {
    rest: &'a [u8],
    offset: usize,
    left: usize,
    payload_offset: usize,
}

impl<'a> TrafficSelectors<'a> {
    /// Reads the TS payload header of `raw` and iterates its selectors.
    ///
    /// # Errors
    /// Truncated header or more than [`MAX_TRAFFIC_SELECTORS`].
    #[inline]
    pub fn new(raw: &RawPayload<'a>) -> Result<(Self, [u8; 3]), Error> {
        let mut r = raw.reader();
        let count = usize::from(r.u8()?);
        let reserved = r.array()?;
        if count > MAX_TRAFFIC_SELECTORS {
            let (part, offset) = (raw.part(), raw.offset);
            return Err(Error::TooMany {
                part,
                offset,
                limit: MAX_TRAFFIC_SELECTORS,
            });
        }
        let offset = r.offset();
        let iter = Self {
            rest: r.rest(),
            offset,
            left: count,
            payload_offset: raw.offset,
        };
        Ok((iter, reserved))
    }

    #[inline]
    fn step(&mut self) -> Result<TrafficSelector<'a>, Error> {
        let part = Part::TrafficSelector;
        let offset = self.offset;
        let mut r = Reader::new(self.rest, offset, part);
        let ts_type = TsType::from(r.u8()?);
        let second = r.u8()?;
        let len = usize::from(r.u16()?);
        let (this, tail) = split_len(self.rest, len, TS_HEADER_LEN, part, offset)?;
        let mut r = Reader::new(this, offset, part);
        r.take(TS_HEADER_LEN)?;
        let fixed = match ts_type {
            TsType::Ipv4AddrRange => Some(IPV4_LEN),
            TsType::Ipv6AddrRange => Some(IPV6_LEN),
            _ => None,
        };
        if let Some(expected) = fixed.filter(|e| *e != len) {
            return Err(Error::WrongSize {
                part,
                offset,
                expected,
                actual: len,
            });
        }
        let ts = match ts_type {
            TsType::Ipv4AddrRange => TrafficSelector::Ipv4 {
                ip_protocol: second,
                start_port: r.u16()?,
                end_port: r.u16()?,
                start: Ipv4Addr::from(r.array::<4>()?),
                end: Ipv4Addr::from(r.array::<4>()?),
            },
            TsType::Ipv6AddrRange => TrafficSelector::Ipv6 {
                ip_protocol: second,
                start_port: r.u16()?,
                end_port: r.u16()?,
                start: Ipv6Addr::from(r.array::<16>()?),
                end: Ipv6Addr::from(r.array::<16>()?),
            },
            _ => TrafficSelector::Other {
                ts_type,
                second,
                data: Cow::Borrowed(r.rest()),
            },
        };
        self.rest = tail;
        self.offset += len;
        self.left -= 1;
        Ok(ts)
    }
}

impl<'a> Iterator for TrafficSelectors<'a> {
    type Item = Result<TrafficSelector<'a>, Error>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            if self.rest.is_empty() {
                return None;
            }
            // More bytes than Number of TSs announced.
            let err = Error::InvalidField {
                part: Part::TrafficSelector,
                offset: self.payload_offset,
                field: "Number of TSs",
            };
            self.rest = &[];
            return Some(Err(err));
        }
        let item = if self.rest.is_empty() {
            Err(Error::InvalidField {
                part: Part::TrafficSelector,
                offset: self.payload_offset,
                field: "Number of TSs",
            })
        } else {
            self.step()
        };
        if item.is_err() {
            self.rest = &[];
            self.left = 0;
        }
        Some(item)
    }
}

/// Traffic Selector payload body, TSi or TSr (RFC 7296 §3.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsRepr<'a> {
    /// The three reserved octets, kept as received.
    pub reserved: [u8; 3],
    /// The selectors (their count is the Number of TSs field).
    pub selectors: Vec<TrafficSelector<'a>>,
}

impl TsRepr<'_> {
    #[inline]
    pub(crate) fn validate(raw: &RawPayload<'_>) -> Result<(), Error> {
        TrafficSelectors::new(raw)?.0.try_for_each(|t| t.map(drop))
    }
}

impl<'a> Body<'a> for TsRepr<'a> {
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let (iter, reserved) = TrafficSelectors::new(raw)?;
        let selectors = iter.collect::<Result<_, _>>()?;
        Ok(Self {
            reserved,
            selectors,
        })
    }
    fn body_len(&self) -> usize {
        self.selectors
            .iter()
            .map(TrafficSelector::len)
            .fold(TS_HEADER_LEN, usize::saturating_add)
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let count = u8::try_from(self.selectors.len()).map_err(|_| Error::InvalidField {
            part: Part::TrafficSelector,
            offset: w.position(),
            field: "Number of TSs",
        })?;
        w.u8(count)?;
        w.bytes(&self.reserved)?;
        self.selectors.iter().try_for_each(|s| s.write(w))
    }
}
