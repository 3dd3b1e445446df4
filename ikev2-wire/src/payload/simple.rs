//! Payloads whose body is a few fixed fields followed by opaque data:
//! KE (§3.4), IDi/IDr (§3.5), CERT (§3.6), CERTREQ (§3.7), AUTH (§3.8),
//! Nonce (§3.9), Vendor ID (§3.12) and EAP (§3.16).

use alloc::borrow::Cow;

use super::{check_size, Body, RawPayload};
use crate::codec::Writer;
use crate::enums::{AuthMethod, CertEncoding, IdType, KeId};
use crate::error::Error;

/// Key Exchange payload body (RFC 7296 §3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeRepr<'a> {
    /// Key Exchange Method (DH group) number.
    pub group: KeId,
    /// The reserved 16 bits, kept as received.
    pub reserved: u16,
    /// Key Exchange Data (public value, KEM key or ciphertext).
    pub data: Cow<'a, [u8]>,
}

impl KeId {
    /// Length of the Key Exchange Data for groups whose public value has one
    /// fixed size (RFC 7296 §3.4, RFC 5903 §7, RFC 6954, RFC 8031). `None`
    /// for ML-KEM (sizes differ by direction) and unknown groups.
    #[must_use]
    #[inline]
    pub const fn public_len(self) -> Option<usize> {
        Some(match self {
            Self::Modp768 => 96,
            Self::Modp1024 | Self::Modp1024S160 => 128,
            Self::Modp1536 => 192,
            Self::Modp2048 | Self::Modp2048S224 | Self::Modp2048S256 => 256,
            Self::Modp3072 => 384,
            Self::Modp4096 => 512,
            Self::Modp6144 => 768,
            Self::Modp8192 => 1024,
            Self::Ecp256 | Self::BrainpoolP256r1 => 64,
            Self::Ecp384 | Self::BrainpoolP384r1 => 96,
            Self::Ecp521 => 132,
            Self::Ecp192 => 48,
            Self::Ecp224 | Self::BrainpoolP224r1 | Self::Curve448 => 56,
            Self::BrainpoolP512r1 => 128,
            Self::Curve25519 => 32,
            _ => return None,
        })
    }
}

impl<'a> Body<'a> for KeRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let group = KeId::from(r.u16()?);
        let reserved = r.u16()?;
        let data = r.rest();
        raw.check_size(group.public_len(), data.len())?;
        Ok(Self {
            group,
            reserved,
            data: Cow::Borrowed(data),
        })
    }
    fn body_len(&self) -> usize {
        4 + self.data.len()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u16(self.group.value())?;
        w.u16(self.reserved)?;
        w.bytes(&self.data)
    }
}

/// Identification payload body, IDi or IDr (RFC 7296 §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdRepr<'a> {
    /// ID Type.
    pub id_type: IdType,
    /// The three reserved octets, kept as received.
    pub reserved: [u8; 3],
    /// Identification Data.
    pub data: Cow<'a, [u8]>,
}

impl<'a> IdRepr<'a> {
    /// An identity with clear reserved octets.
    #[must_use]
    pub const fn new(id_type: IdType, data: Cow<'a, [u8]>) -> Self {
        Self {
            id_type,
            reserved: [0; 3],
            data,
        }
    }
}

impl<'a> Body<'a> for IdRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let id_type = IdType::from(r.u8()?);
        let reserved = r.array()?;
        let data = r.rest();
        let expected = match id_type {
            IdType::Ipv4Addr => Some(4),
            IdType::Ipv6Addr => Some(16),
            _ => None,
        };
        raw.check_size(expected, data.len())?;
        Ok(Self {
            id_type,
            reserved,
            data: Cow::Borrowed(data),
        })
    }
    fn body_len(&self) -> usize {
        4 + self.data.len()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.id_type.value())?;
        w.bytes(&self.reserved)?;
        w.bytes(&self.data)
    }
}

/// Certificate or Certificate Request payload body (RFC 7296 §3.6, §3.7).
///
/// For CERTREQ, `data` is the Certification Authority field (for X.509,
/// concatenated 20-octet SHA-1 hashes of CA public keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRepr<'a> {
    /// Certificate Encoding.
    pub encoding: CertEncoding,
    /// Certificate Data / Certification Authority.
    pub data: Cow<'a, [u8]>,
}

impl<'a> Body<'a> for CertRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let encoding = CertEncoding::from(r.u8()?);
        Ok(Self {
            encoding,
            data: Cow::Borrowed(r.rest()),
        })
    }
    fn body_len(&self) -> usize {
        1 + self.data.len()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.encoding.value())?;
        w.bytes(&self.data)
    }
}

/// Authentication payload body (RFC 7296 §3.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRepr<'a> {
    /// Auth Method.
    pub method: AuthMethod,
    /// The three reserved octets, kept as received.
    pub reserved: [u8; 3],
    /// Authentication Data.
    pub data: Cow<'a, [u8]>,
}

impl<'a> Body<'a> for AuthRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let method = AuthMethod::from(r.u8()?);
        let reserved = r.array()?;
        Ok(Self {
            method,
            reserved,
            data: Cow::Borrowed(r.rest()),
        })
    }
    fn body_len(&self) -> usize {
        4 + self.data.len()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.method.value())?;
        w.bytes(&self.reserved)?;
        w.bytes(&self.data)
    }
}

/// Nonce payload body (RFC 7296 §3.9): 16 to 256 octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceRepr<'a> {
    /// Nonce Data.
    pub data: Cow<'a, [u8]>,
}

impl NonceRepr<'_> {
    /// Shortest nonce RFC 7296 allows.
    pub const MIN_LEN: usize = 16;
    /// Longest nonce RFC 7296 allows.
    pub const MAX_LEN: usize = 256;
}

impl<'a> Body<'a> for NonceRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        check_size(
            raw.part(),
            raw.offset,
            raw.body.len(),
            Self::MIN_LEN,
            Self::MAX_LEN,
        )?;
        Ok(Self {
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

/// Vendor ID payload body (RFC 7296 §3.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorIdRepr<'a> {
    /// Vendor ID.
    pub data: Cow<'a, [u8]>,
}

impl<'a> Body<'a> for VendorIdRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        Ok(Self {
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

/// EAP payload body (RFC 7296 §3.16): one EAP message (RFC 3748).
///
/// Parsing checks that the EAP header's Length equals the body length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EapRepr<'a> {
    /// The whole EAP message (Code, Identifier, Length, Type, Data).
    pub data: Cow<'a, [u8]>,
}

impl EapRepr<'_> {
    /// EAP Code (1 Request, 2 Response, 3 Success, 4 Failure).
    #[must_use]
    pub fn code(&self) -> u8 {
        self.data.first().copied().unwrap_or(0)
    }

    /// EAP Identifier.
    #[must_use]
    pub fn identifier(&self) -> u8 {
        self.data.get(1).copied().unwrap_or(0)
    }

    /// EAP Type, present in Requests and Responses.
    #[must_use]
    pub fn eap_type(&self) -> Option<u8> {
        self.data.get(4).copied()
    }
}

impl<'a> Body<'a> for EapRepr<'a> {
    #[inline]
    fn parse(raw: &RawPayload<'a>) -> Result<Self, Error> {
        let mut r = raw.reader();
        let _code = r.u8()?;
        let _id = r.u8()?;
        let len = usize::from(r.u16()?);
        if len != raw.body.len() {
            return Err(Error::BadLength {
                part: raw.part(),
                offset: raw.body_offset(),
                len,
                min: raw.body.len(),
                max: raw.body.len(),
            });
        }
        Ok(Self {
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
