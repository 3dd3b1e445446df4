//! Distinguished Names as IKE identities (ID_DER_ASN1_DN, RFC 7296 §3.5).
//!
//! An ID_DER_ASN1_DN payload carries the DER encoding of an X.501 `Name`
//! (RFC 5280 §4.1.2.4), never its text. [`DistinguishedName`] holds that
//! DER, builds it from the text operators write (strongSwan's syntax,
//! `C=CH, O=strongSwan, CN=moon.strongswan.org`), prints it back as such
//! text for events and logs, and compares two names as RFC 4945 §3.1.5 asks
//! (the same RDNs in the same order).
//!
//! ```
//! use ikev2_crypto::cert::DistinguishedName;
//! let dn: DistinguishedName = "C=CH, O=strongSwan, CN=moon.strongswan.org".parse()?;
//! assert_eq!(&dn.as_der()[..2], &[0x30, 0x40]); // SEQUENCE of three RDNs, 64 octets
//! assert_eq!(dn.to_string(), "C=CH, O=strongSwan, CN=moon.strongswan.org");
//! let pattern: DistinguishedName = "C=CH, O=strongSwan, CN=*".parse()?;
//! assert!(pattern.matches(&dn));
//! # Ok::<(), ikev2_crypto::cert::DnError>(())
//! ```

use core::fmt;
use core::str::FromStr;

use der::asn1::ObjectIdentifier;
use der::{Encode, Header, Tag};
use x509_parser::prelude::{FromDer, X509Name};
use x509_parser::x509::AttributeTypeAndValue;

/// Why a text or DER Distinguished Name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnError {
    /// The text holds no RDN.
    #[error("empty distinguished name")]
    Empty,
    /// An RDN without `=`, or with an empty type.
    #[error("RDN {0:?} is not TYPE=VALUE")]
    Syntax(String),
    /// An attribute type that is neither a known keyword nor a dotted OID.
    #[error("unknown RDN attribute type {0:?}")]
    UnknownAttribute(String),
    /// A `#hex` value that is not hex or not one DER element, or a value
    /// DER cannot carry.
    #[error("bad RDN value for {0}")]
    BadValue(String),
    /// The DER is not a `Name` (or has trailing octets).
    #[error("malformed DER distinguished name")]
    MalformedDer,
}

/// The DER encoding of an X.501 `Name`, checked to parse as one.
///
/// `Debug` and `Display` print the text form; `==` and `Hash` use the DER.
///
/// # Text syntax
///
/// What [`DistinguishedName::parse`] reads:
///
/// * RDNs in DER order (the first written is the first in the SEQUENCE, as
///   strongSwan and OpenSSL's `/C=../O=..` form do; RFC 4514 strings are
///   written the other way round), separated by `,`, or by `/` when the
///   text starts with `/`. White space around types and values is dropped.
/// * Attribute types by strongSwan's keywords (case-insensitive): `C`,
///   `ST`, `L`, `O`, `OU`, `CN`, `SN`/`serialNumber`, `S` (surname), `G`,
///   `I`, `T`, `D`, `N`, `dnQualifier`, `ID`, `E`/`Email`/`emailAddress`,
///   `UN`/`unstructuredName`, `UA`/`unstructuredAddress`, `DC`, `UID`,
///   `ND`, `EN`/`employeeNumber`; or a dotted OID (`2.5.4.3=...`).
/// * Values are encoded as strongSwan encodes them, so that its binary
///   comparison succeeds: PrintableString when every character is
///   printable (RFC 5280 Appendix A), else UTF8String; e-mail and
///   unstructuredName as IA5String.
/// * A backslash takes the next character literally (`O=Acme\, Inc.`);
///   a value `#hex` is the DER of the value itself (RFC 4514 §2.4), for
///   types that are not strings.
/// * Each RDN holds one attribute (`+` is an ordinary character, as in
///   strongSwan). Received names with multi-valued RDNs are kept, compared
///   and printed (`+` between the attributes).
///
/// # Comparison
///
/// [`DistinguishedName`]'s `==` compares DER bytes. [`DistinguishedName::equivalent`]
/// is what identity checks use: equal DER, or the same number of RDNs, each
/// with the same attribute types in the same order and string values equal
/// after collapsing white space and ignoring case (a simplified RFC 4518
/// preparation, across PrintableString/UTF8String/IA5String). Non-string
/// values must be equal as DER. [`DistinguishedName::matches`] is the same
/// with `*` in a configured value standing for any value of that attribute.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DistinguishedName {
    der: Vec<u8>,
}

/// An attribute type strongSwan's DN syntax names: keyword, OID, and the
/// string type of its values (IA5String for e-mail style attributes).
struct Keyword {
    name: &'static str,
    oid: &'static str,
    ia5: bool,
}

const fn kw(name: &'static str, oid: &'static str) -> Keyword {
    Keyword {
        name,
        oid,
        ia5: false,
    }
}

const PKCS9_EMAIL: &str = "1.2.840.113549.1.9.1";
const PKCS9_UNSTRUCTURED_NAME: &str = "1.2.840.113549.1.9.2";

/// The first keyword of each OID is the one printed.
const KEYWORDS: &[Keyword] = &[
    kw("C", "2.5.4.6"),
    kw("ST", "2.5.4.8"),
    kw("L", "2.5.4.7"),
    kw("O", "2.5.4.10"),
    kw("OU", "2.5.4.11"),
    kw("CN", "2.5.4.3"),
    kw("SN", "2.5.4.5"),
    kw("serialNumber", "2.5.4.5"),
    kw("S", "2.5.4.4"),
    kw("G", "2.5.4.42"),
    kw("I", "2.5.4.43"),
    kw("T", "2.5.4.12"),
    kw("D", "2.5.4.13"),
    kw("N", "2.5.4.41"),
    kw("dnQualifier", "2.5.4.46"),
    kw("ID", "2.5.4.45"),
    Keyword {
        name: "E",
        oid: PKCS9_EMAIL,
        ia5: true,
    },
    Keyword {
        name: "Email",
        oid: PKCS9_EMAIL,
        ia5: true,
    },
    Keyword {
        name: "emailAddress",
        oid: PKCS9_EMAIL,
        ia5: true,
    },
    Keyword {
        name: "UN",
        oid: PKCS9_UNSTRUCTURED_NAME,
        ia5: true,
    },
    Keyword {
        name: "unstructuredName",
        oid: PKCS9_UNSTRUCTURED_NAME,
        ia5: true,
    },
    kw("UA", "1.2.840.113549.1.9.8"),
    kw("unstructuredAddress", "1.2.840.113549.1.9.8"),
    kw("DC", "0.9.2342.19200300.100.1.25"),
    kw("UID", "0.9.2342.19200300.100.1.1"),
    kw("ND", "0.2.262.1.10.7.20"),
    kw("EN", "2.16.840.1.113730.3.1.3"),
    kw("employeeNumber", "2.16.840.1.113730.3.1.3"),
];

/// At most this many RDNs in a configured name (strongSwan allows 20).
const MAX_RDNS: usize = 64;

impl DistinguishedName {
    /// Parses the text form described under [Text syntax](DistinguishedName#text-syntax).
    ///
    /// # Errors
    /// [`DnError`] naming the RDN at fault.
    pub fn parse(text: &str) -> Result<Self, DnError> {
        let text = text.trim();
        let (sep, body) = match text.strip_prefix('/') {
            Some(rest) => ('/', rest),
            None => (',', text),
        };
        let mut rdns = Vec::new();
        for part in split_unescaped(body, sep) {
            if part.trim().is_empty() {
                continue;
            }
            if rdns.len() == MAX_RDNS {
                return Err(DnError::Syntax(part));
            }
            rdns.push(encode_rdn(&part)?);
        }
        if rdns.is_empty() {
            return Err(DnError::Empty);
        }
        let der = tlv(Tag::Sequence, &rdns.concat()).ok_or(DnError::MalformedDer)?;
        Ok(Self { der })
    }

    /// Wraps a received DER `Name`, checking that it parses as one with no
    /// trailing octets.
    ///
    /// # Errors
    /// [`DnError::MalformedDer`].
    pub fn from_der(der: &[u8]) -> Result<Self, DnError> {
        match X509Name::from_der(der) {
            Ok(([], _)) => Ok(Self { der: der.to_vec() }),
            _ => Err(DnError::MalformedDer),
        }
    }

    /// The DER `Name`: the body of an ID_DER_ASN1_DN payload.
    #[must_use]
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// Same name: equal DER, or RDN by RDN equal as described under
    /// [Comparison](DistinguishedName#comparison).
    #[must_use]
    pub fn equivalent(&self, other: &Self) -> bool {
        self.der == other.der || self.compare(other, false)
    }

    /// `self` (configured, may hold `*` values) accepts `received`.
    #[must_use]
    pub fn matches(&self, received: &Self) -> bool {
        self.der == received.der || self.compare(received, true)
    }

    /// True if some value is exactly `*` (a pattern, not a name).
    #[must_use]
    pub fn has_wildcards(&self) -> bool {
        self.with_name(|n| n.iter_attributes().any(|a| a.as_str().ok() == Some("*")))
            .unwrap_or(false)
    }

    fn with_name<T>(&self, f: impl FnOnce(&X509Name<'_>) -> T) -> Option<T> {
        X509Name::from_der(&self.der).ok().map(|(_, n)| f(&n))
    }

    fn compare(&self, other: &Self, wildcards: bool) -> bool {
        self.with_name(|a| {
            other
                .with_name(|b| names_equal(a, b, wildcards))
                .unwrap_or(false)
        })
        .unwrap_or(false)
    }
}

/// RDN by RDN comparison of two parsed names; `*` values of `a` match any
/// value when `wildcards` is set.
pub(crate) fn names_equal(a: &X509Name<'_>, b: &X509Name<'_>, wildcards: bool) -> bool {
    if a.as_raw() == b.as_raw() {
        return true;
    }
    let (ra, rb): (Vec<_>, Vec<_>) = (a.iter().collect(), b.iter().collect());
    ra.len() == rb.len()
        && ra.iter().zip(&rb).all(|(x, y)| {
            let (ax, ay): (Vec<_>, Vec<_>) = (x.iter().collect(), y.iter().collect());
            ax.len() == ay.len()
                && ax
                    .iter()
                    .zip(&ay)
                    .all(|(p, q)| attribute_equal(p, q, wildcards))
        })
}

fn attribute_equal(
    p: &AttributeTypeAndValue<'_>,
    q: &AttributeTypeAndValue<'_>,
    wildcards: bool,
) -> bool {
    if p.attr_type() != q.attr_type() {
        return false;
    }
    match (p.as_str(), q.as_str()) {
        (Ok("*"), _) if wildcards => true,
        (Ok(s), Ok(t)) => normalize(s) == normalize(t),
        _ => {
            p.attr_value().tag() == q.attr_value().tag()
                && p.attr_value().as_bytes() == q.attr_value().as_bytes()
        }
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Splits at `sep` not preceded by a backslash, keeping the escapes.
fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        let cur = parts.last_mut();
        match (c, cur) {
            ('\\', Some(cur)) => {
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (c, Some(_)) if c == sep => parts.push(String::new()),
            (c, Some(cur)) => cur.push(c),
            (_, None) => {}
        }
    }
    parts
}

/// Removes escapes and the white space around the value (escaped white
/// space is kept).
fn unescape(raw: &str) -> String {
    let raw = raw.trim_start();
    let mut out = String::with_capacity(raw.len());
    let mut keep = 0; // length of `out` up to the last escaped character
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
                keep = out.len();
            }
        } else {
            out.push(c);
        }
    }
    let trimmed = out.trim_end().len().max(keep);
    out.truncate(trimmed);
    out
}

/// One `TYPE=VALUE` as a DER `SET { SEQUENCE { OID, value } }`.
fn encode_rdn(part: &str) -> Result<Vec<u8>, DnError> {
    let syntax = || DnError::Syntax(part.trim().to_owned());
    let (ty, raw) = part.split_once('=').ok_or_else(syntax)?;
    let ty = ty.trim();
    if ty.is_empty() {
        return Err(syntax());
    }
    let (oid, ia5) = match KEYWORDS.iter().find(|k| k.name.eq_ignore_ascii_case(ty)) {
        Some(k) => (k.oid, k.ia5),
        None if ty.starts_with(|c: char| c.is_ascii_digit()) => (ty, false),
        None => return Err(DnError::UnknownAttribute(ty.to_owned())),
    };
    // const-oid's parser overflows (a panic with overflow checks on) on an
    // arc beyond 32 bits: check the dotted form before handing it over.
    let arcs_fit = oid.split('.').all(|a| {
        !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) && a.parse::<u32>().is_ok()
    });
    if !arcs_fit {
        return Err(DnError::UnknownAttribute(ty.to_owned()));
    }
    let oid = ObjectIdentifier::new(oid).map_err(|_| DnError::UnknownAttribute(ty.to_owned()))?;
    let bad = || DnError::BadValue(ty.to_owned());
    let raw = raw.trim_start();
    let value = if let Some(hex) = raw.strip_prefix('#') {
        let der = decode_hex(hex.trim()).ok_or_else(bad)?;
        // exactly one DER element
        let any = der::asn1::AnyRef::try_from(der.as_slice()).map_err(|_| bad())?;
        any.to_der().map_err(|_| bad())?
    } else {
        let v = unescape(raw);
        let tag = if ia5 {
            if !v.is_ascii() {
                return Err(bad());
            }
            Tag::Ia5String
        } else if v.chars().all(printable) {
            Tag::PrintableString
        } else {
            Tag::Utf8String
        };
        tlv(tag, v.as_bytes()).ok_or_else(bad)?
    };
    let oid = oid.to_der().map_err(|_| bad())?;
    let atv = tlv(Tag::Sequence, &[oid, value].concat()).ok_or_else(bad)?;
    tlv(Tag::Set, &atv).ok_or_else(bad)
}

/// PrintableString's alphabet (RFC 5280 Appendix A / X.680 §41.4).
fn printable(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

fn tlv(tag: Tag, content: &[u8]) -> Option<Vec<u8>> {
    let mut out = Header::new(tag, content.len()).ok()?.to_der().ok()?;
    out.extend_from_slice(content);
    Some(out)
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl FromStr for DistinguishedName {
    type Err = DnError;
    fn from_str(s: &str) -> Result<Self, DnError> {
        Self::parse(s)
    }
}

impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok((_, name)) = X509Name::from_der(&self.der) else {
            return f.write_str("(invalid ID_DER_ASN1_DN)");
        };
        for (i, rdn) in name.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            for (j, atv) in rdn.iter().enumerate() {
                if j > 0 {
                    f.write_str(" + ")?;
                }
                write_attribute(f, atv)?;
            }
        }
        Ok(())
    }
}

fn write_attribute(f: &mut fmt::Formatter<'_>, atv: &AttributeTypeAndValue<'_>) -> fmt::Result {
    let oid = atv.attr_type().to_id_string();
    match KEYWORDS.iter().find(|k| k.oid == oid) {
        Some(k) => f.write_str(k.name)?,
        None => f.write_str(&oid)?,
    }
    f.write_str("=")?;
    match atv.as_str() {
        Ok(s) => {
            let last = s.chars().count().saturating_sub(1);
            for (i, c) in s.chars().enumerate() {
                // what `parse` would otherwise read differently
                if matches!(c, ',' | '\\')
                    || (c == '#' && i == 0)
                    || (c == ' ' && (i == 0 || i == last))
                {
                    f.write_str("\\")?;
                }
                if c.is_control() {
                    f.write_str("?")?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            Ok(())
        }
        Err(_) => match any_der(atv.attr_value()) {
            Some(der) => {
                f.write_str("#")?;
                der.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
            None => f.write_str("?"),
        },
    }
}

/// The DER of a parsed value (low tag numbers only, as in X.501 names).
fn any_der(v: &x509_parser::der_parser::asn1_rs::Any<'_>) -> Option<Vec<u8>> {
    let number = u8::try_from(v.tag().0).ok().filter(|n| *n < 31)?;
    let class = (v.header.class() as u8) << 6;
    let constructed = if v.header.is_constructed() { 0x20 } else { 0 };
    let mut out = vec![class | constructed | number];
    out.extend(der::Length::try_from(v.data.len()).ok()?.to_der().ok()?);
    out.extend_from_slice(v.data);
    Some(out)
}

impl fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DistinguishedName(\"{self}\")")
    }
}
