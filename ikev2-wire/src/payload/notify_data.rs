//! Typed Notification Data for the notify types later layers act on.
//!
//! Shapes (RFC 7296 §3.10.1 unless noted): COOKIE 1–64 octets; INVALID_KE_PAYLOAD
//! a 2-octet group; NAT_DETECTION_* a 20-octet SHA-1 digest; SET_WINDOW_SIZE
//! and INVALID_MESSAGE_ID 4 octets; UNSUPPORTED_CRITICAL_PAYLOAD 1 octet;
//! ADDITIONAL_IP4/IP6_ADDRESS 4/16 octets (RFC 4555); SIGNATURE_HASH_ALGORITHMS
//! a list of 2-octet IDs (RFC 7427); REDIRECT/REDIRECTED_FROM a gateway
//! identity (RFC 5685); flag notifies (INITIAL_CONTACT, MOBIKE_SUPPORTED,
//! IKEV2_FRAGMENTATION_SUPPORTED, …) no data. Other types stay opaque.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::codec::{Reader, Writer};
use crate::enums::{HashAlgorithm, KeId, NotifyType, PayloadType};
use crate::error::{Error, Part};

/// Longest COOKIE RFC 7296 allows.
pub const MAX_COOKIE_LEN: usize = 64;
/// Length of a NAT_DETECTION_* digest (SHA-1).
pub const NAT_DETECTION_LEN: usize = 20;

/// A gateway identity in REDIRECT / REDIRECTED_FROM (RFC 5685 §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayIdentity<'a> {
    /// Gateway Identity Type 1.
    Ipv4(Ipv4Addr),
    /// Gateway Identity Type 2.
    Ipv6(Ipv6Addr),
    /// Gateway Identity Type 3.
    Fqdn(&'a [u8]),
    /// Another type, kept verbatim.
    Other {
        /// Gateway Identity Type.
        gw_type: u8,
        /// New Responder GW Identity.
        data: &'a [u8],
    },
}

impl<'a> GatewayIdentity<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let gw_type = r.u8()?;
        let len = usize::from(r.u8()?);
        let data = r.take(len)?;
        let wrong = |expected| Error::WrongSize {
            part: Part::NotifyData(NotifyType::Redirect),
            offset: r.offset(),
            expected,
            actual: len,
        };
        Ok(match gw_type {
            1 => Self::Ipv4(Ipv4Addr::from(
                <[u8; 4]>::try_from(data).map_err(|_| wrong(4))?,
            )),
            2 => Self::Ipv6(Ipv6Addr::from(
                <[u8; 16]>::try_from(data).map_err(|_| wrong(16))?,
            )),
            3 => Self::Fqdn(data),
            gw_type => Self::Other { gw_type, data },
        })
    }

    fn len(&self) -> usize {
        2 + match self {
            Self::Ipv4(_) => 4,
            Self::Ipv6(_) => 16,
            Self::Fqdn(d) | Self::Other { data: d, .. } => d.len(),
        }
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let (v4, v6);
        let (ty, bytes): (u8, &[u8]) = match self {
            Self::Ipv4(a) => {
                v4 = a.octets();
                (1, &v4)
            }
            Self::Ipv6(a) => {
                v6 = a.octets();
                (2, &v6)
            }
            Self::Fqdn(d) => (3, d),
            Self::Other { gw_type, data } => (*gw_type, data),
        };
        let len = u8::try_from(bytes.len()).map_err(|_| Error::BadLength {
            part: Part::NotifyData(NotifyType::Redirect),
            offset: w.position(),
            len: bytes.len(),
            min: 0,
            max: 255,
        })?;
        w.u8(ty)?;
        w.u8(len)?;
        w.bytes(bytes)
    }
}

/// The list of RFC 7427 hash algorithm IDs in SIGNATURE_HASH_ALGORITHMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashAlgorithms<'a>(&'a [u8]);

impl<'a> HashAlgorithms<'a> {
    /// Wraps raw data of even length.
    #[must_use]
    pub const fn from_bytes(data: &'a [u8]) -> Option<Self> {
        if data.len() % 2 == 0 {
            Some(Self(data))
        } else {
            None
        }
    }

    /// The algorithms, in order.
    pub fn iter(&self) -> impl Iterator<Item = HashAlgorithm> + 'a {
        self.0
            .chunks_exact(2)
            .map(|c| HashAlgorithm::from(c.iter().fold(0u16, |acc, b| acc << 8 | u16::from(*b))))
    }

    /// The raw octets.
    #[must_use]
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

/// Notification Data decoded by notify type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotifyData<'a> {
    /// A type whose data is empty by definition (flag notifies).
    None,
    /// A type without a typed form here; the raw data.
    Opaque(&'a [u8]),
    /// UNSUPPORTED_CRITICAL_PAYLOAD: the payload type.
    UnsupportedCriticalPayload(PayloadType),
    /// INVALID_SPI: the offending SPI.
    InvalidSpi(&'a [u8]),
    /// INVALID_MESSAGE_ID: the offending message ID.
    InvalidMessageId(u32),
    /// INVALID_KE_PAYLOAD: the group the responder wants.
    InvalidKePayload(KeId),
    /// INVALID_SELECTORS: the start of the offending packet.
    InvalidSelectors(&'a [u8]),
    /// SET_WINDOW_SIZE: the window size.
    SetWindowSize(u32),
    /// NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP: the SHA-1 digest.
    NatDetection(&'a [u8; NAT_DETECTION_LEN]),
    /// COOKIE (1–64 octets).
    Cookie(&'a [u8]),
    /// ADDITIONAL_IP4_ADDRESS / ADDITIONAL_IP6_ADDRESS (RFC 4555).
    AdditionalAddress(IpAddr),
    /// SIGNATURE_HASH_ALGORITHMS (RFC 7427).
    SignatureHashAlgorithms(HashAlgorithms<'a>),
    /// REDIRECT (RFC 5685): new gateway and, in IKE_SA_INIT, the initiator's nonce.
    Redirect {
        /// The new gateway.
        gateway: GatewayIdentity<'a>,
        /// Nonce Data (empty outside IKE_SA_INIT).
        nonce: &'a [u8],
    },
    /// REDIRECTED_FROM (RFC 5685): the original gateway.
    RedirectedFrom(GatewayIdentity<'a>),
}

impl<'a> NotifyData<'a> {
    /// Decodes `data` as the Notification Data of a `ty` notify; `offset` is
    /// the data's position (for error reports).
    ///
    /// # Errors
    /// [`Error::WrongSize`], [`Error::BadLength`], [`Error::Truncated`] or
    /// [`Error::TrailingData`] naming [`Part::NotifyData`].
    #[inline]
    pub fn parse(ty: NotifyType, data: &'a [u8], offset: usize) -> Result<Self, Error> {
        use NotifyType as T;
        let part = Part::NotifyData(ty);
        let exact = |n: usize| {
            if data.len() == n {
                Ok(())
            } else {
                Err(Error::WrongSize {
                    part,
                    offset,
                    expected: n,
                    actual: data.len(),
                })
            }
        };
        let mut r = Reader::new(data, offset, part);
        let parsed = match ty {
            T::InitialContact
            | T::UseTransportMode
            | T::EspTfcPaddingNotSupported
            | T::NonFirstFragmentsAlso
            | T::MobikeSupported
            | T::NoAdditionalAddresses
            | T::UpdateSaAddresses
            | T::RedirectSupported
            | T::ChildlessIkev2Supported
            | T::Ikev2FragmentationSupported
            | T::IntermediateExchangeSupported
            | T::MultipleAuthSupported
            | T::AnotherAuthFollows
            | T::EapOnlyAuthentication
            | T::RekeySa => {
                exact(0)?;
                Self::None
            }
            T::UnsupportedCriticalPayload => {
                exact(1)?;
                Self::UnsupportedCriticalPayload(PayloadType::from(r.u8()?))
            }
            T::InvalidSpi => Self::InvalidSpi(data),
            T::InvalidMessageId => {
                exact(4)?;
                Self::InvalidMessageId(r.u32()?)
            }
            T::InvalidKePayload => {
                exact(2)?;
                Self::InvalidKePayload(KeId::from(r.u16()?))
            }
            T::InvalidSelectors => Self::InvalidSelectors(data),
            T::SetWindowSize => {
                exact(4)?;
                Self::SetWindowSize(r.u32()?)
            }
            T::NatDetectionSourceIp | T::NatDetectionDestinationIp => {
                let d = <&[u8; NAT_DETECTION_LEN]>::try_from(data);
                let actual = data.len();
                let expected = NAT_DETECTION_LEN;
                Self::NatDetection(d.map_err(|_| Error::WrongSize {
                    part,
                    offset,
                    expected,
                    actual,
                })?)
            }
            T::Cookie => {
                super::check_size(part, offset, data.len(), 1, MAX_COOKIE_LEN)?;
                Self::Cookie(data)
            }
            T::AdditionalIp4Address => {
                exact(4)?;
                Self::AdditionalAddress(IpAddr::V4(Ipv4Addr::from(r.array::<4>()?)))
            }
            T::AdditionalIp6Address => {
                exact(16)?;
                Self::AdditionalAddress(IpAddr::V6(Ipv6Addr::from(r.array::<16>()?)))
            }
            T::SignatureHashAlgorithms => match HashAlgorithms::from_bytes(data) {
                Some(h) => Self::SignatureHashAlgorithms(h),
                None => {
                    let (expected, actual) = (data.len() + 1, data.len());
                    return Err(Error::WrongSize {
                        part,
                        offset,
                        expected,
                        actual,
                    });
                }
            },
            T::Redirect => {
                let gateway = GatewayIdentity::read(&mut r)?;
                Self::Redirect {
                    gateway,
                    nonce: r.rest(),
                }
            }
            T::RedirectedFrom => {
                let gateway = GatewayIdentity::read(&mut r)?;
                super::finish(&r, part)?;
                Self::RedirectedFrom(gateway)
            }
            _ => Self::Opaque(data),
        };
        Ok(parsed)
    }

    /// Encoded length.
    #[must_use]
    pub fn buffer_len(&self) -> usize {
        match self {
            Self::None => 0,
            Self::Opaque(d) | Self::InvalidSpi(d) | Self::InvalidSelectors(d) | Self::Cookie(d) => {
                d.len()
            }
            Self::UnsupportedCriticalPayload(_) => 1,
            Self::InvalidKePayload(_) => 2,
            Self::InvalidMessageId(_) | Self::SetWindowSize(_) => 4,
            Self::NatDetection(_) => NAT_DETECTION_LEN,
            Self::AdditionalAddress(IpAddr::V4(_)) => 4,
            Self::AdditionalAddress(IpAddr::V6(_)) => 16,
            Self::SignatureHashAlgorithms(h) => h.0.len(),
            Self::Redirect { gateway, nonce } => gateway.len() + nonce.len(),
            Self::RedirectedFrom(g) => g.len(),
        }
    }

    /// Writes the data into `buf`, returning its length.
    ///
    /// # Errors
    /// [`Error::Truncated`] for a short `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        match self {
            Self::None => {}
            Self::Opaque(d) | Self::InvalidSpi(d) | Self::InvalidSelectors(d) | Self::Cookie(d) => {
                w.bytes(d)?;
            }
            Self::UnsupportedCriticalPayload(p) => w.u8(p.value())?,
            Self::InvalidKePayload(g) => w.u16(g.value())?,
            Self::InvalidMessageId(v) | Self::SetWindowSize(v) => w.u32(*v)?,
            Self::NatDetection(d) => w.bytes(&d[..])?,
            Self::AdditionalAddress(IpAddr::V4(a)) => w.bytes(&a.octets())?,
            Self::AdditionalAddress(IpAddr::V6(a)) => w.bytes(&a.octets())?,
            Self::SignatureHashAlgorithms(h) => w.bytes(h.0)?,
            Self::Redirect { gateway, nonce } => {
                gateway.write(&mut w)?;
                w.bytes(nonce)?;
            }
            Self::RedirectedFrom(g) => g.write(&mut w)?,
        }
        Ok(w.position())
    }
}
