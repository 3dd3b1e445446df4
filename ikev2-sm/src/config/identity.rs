//! IKE identities (RFC 7296 §3.5): strongSwan's syntax, wire types and
//! the matching rules a responder uses to pick a configuration.

use core::fmt;
use std::net::IpAddr;

use ikev2_crypto::cert::DistinguishedName;
use ikev2_wire::IdType;

use crate::Error;

/// An IKE identity (RFC 7296 §3.5), written as strongSwan writes them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Identity {
    /// `%any`: accept any identity (remote side only).
    Any,
    /// ID_IPV4_ADDR / ID_IPV6_ADDR.
    Addr(IpAddr),
    /// ID_FQDN; a leading `*.` matches any subdomain.
    Fqdn(String),
    /// ID_RFC822_ADDR; `*@domain` matches any user.
    Rfc822(String),
    /// ID_DER_ASN1_DN: a Distinguished Name, carried as DER on the wire
    /// (RFC 7296 §3.5) and written and printed as strongSwan writes it
    /// (`C=CH, O=Example, CN=moon`); see [`DistinguishedName`] for the
    /// syntax and how names compare (`CN=*` in a configured remote
    /// identity accepts any common name).
    Dn(DistinguishedName),
    /// ID_KEY_ID, opaque bytes.
    KeyId(Vec<u8>),
}

impl Identity {
    /// Parses strongSwan's identity syntax: `%any`; an IP address; `@fqdn`
    /// or a bare name (FQDN); `user@domain` (RFC 822); text containing `=`
    /// (DN, encoded to DER here); `@#hex` or `keyid:#hex` (key ID);
    /// `asn1dn:#hex` (a DN given as DER); prefixes `fqdn:`, `email:`,
    /// `keyid:` force a type.
    ///
    /// # Errors
    /// [`Error::Identity`] for empty input, bad hex or a DN that cannot be
    /// encoded (unknown attribute type, missing `=`).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let bad = || Error::Identity(s.to_owned());
        if s == "%any" {
            return Ok(Self::Any);
        }
        if s.is_empty() {
            return Err(bad());
        }
        if let Some(hex) = s.strip_prefix("@#").or_else(|| s.strip_prefix("keyid:#")) {
            return decode_hex(hex).map(Self::KeyId).ok_or_else(bad);
        }
        if let Some(hex) = s.strip_prefix("asn1dn:#") {
            return decode_hex(hex)
                .and_then(|der| DistinguishedName::from_der(&der).ok())
                .map(Self::Dn)
                .ok_or_else(bad);
        }
        if let Some(raw) = s.strip_prefix("keyid:") {
            return Ok(Self::KeyId(raw.as_bytes().to_vec()));
        }
        if let Some(f) = s.strip_prefix("fqdn:").or_else(|| s.strip_prefix('@')) {
            if let Some(mail) = f.strip_prefix('@') {
                return Ok(Self::Rfc822(mail.to_owned()));
            }
            return Ok(Self::Fqdn(f.to_owned()));
        }
        if let Some(m) = s.strip_prefix("email:") {
            return Ok(Self::Rfc822(m.to_owned()));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Self::Addr(ip));
        }
        if s.contains('=') {
            return DistinguishedName::parse(s)
                .map(Self::Dn)
                .map_err(|e| Error::Identity(format!("{s}: {e}")));
        }
        if s.contains('@') {
            return Ok(Self::Rfc822(s.to_owned()));
        }
        Ok(Self::Fqdn(s.to_owned()))
    }

    /// The ID Type for an ID payload (`None` for `%any`).
    #[must_use]
    pub fn id_type(&self) -> Option<IdType> {
        Some(match self {
            Self::Any => return None,
            Self::Addr(IpAddr::V4(_)) => IdType::Ipv4Addr,
            Self::Addr(IpAddr::V6(_)) => IdType::Ipv6Addr,
            Self::Fqdn(_) => IdType::Fqdn,
            Self::Rfc822(_) => IdType::Rfc822Addr,
            Self::Dn(_) => IdType::DerAsn1Dn,
            Self::KeyId(_) => IdType::KeyId,
        })
    }

    /// True for `%any` and for identities holding wildcards (`*.domain`,
    /// `*@domain`, a DN with `*` values): these accept a peer's identity
    /// but name none, so no IDr is sent for them.
    #[must_use]
    pub fn is_pattern(&self) -> bool {
        match self {
            Self::Any => true,
            Self::Fqdn(s) => s.starts_with("*."),
            Self::Rfc822(s) => s.starts_with("*@"),
            Self::Dn(dn) => dn.has_wildcards(),
            Self::Addr(_) | Self::KeyId(_) => false,
        }
    }

    /// True if a received identity satisfies this configured one: equal
    /// (FQDN and e-mail case-insensitively, DNs RDN by RDN), or matched by
    /// `%any`, `*.domain`, `*@domain` or a DN with `*` values.
    #[must_use]
    pub fn matches(&self, received: &Self) -> bool {
        match (self, received) {
            (Self::Any, _) => true,
            (Self::Fqdn(pat), Self::Fqdn(name)) => match pat.strip_prefix("*.") {
                Some(domain) => name
                    .len()
                    .checked_sub(domain.len() + 1)
                    .and_then(|i| name.get(i..))
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(&format!(".{domain}"))),
                None => pat.eq_ignore_ascii_case(name),
            },
            (Self::Rfc822(pat), Self::Rfc822(addr)) => match pat.strip_prefix("*@") {
                Some(domain) => addr
                    .rsplit_once('@')
                    .is_some_and(|(_, d)| d.eq_ignore_ascii_case(domain)),
                None => pat.eq_ignore_ascii_case(addr),
            },
            (Self::Dn(pat), Self::Dn(name)) => pat.matches(name),
            (a, b) => a == b,
        }
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("%any"),
            Self::Addr(a) => write!(f, "{a}"),
            Self::Fqdn(s) | Self::Rfc822(s) => f.write_str(s),
            Self::Dn(dn) => write!(f, "{dn}"),
            Self::KeyId(k) => {
                f.write_str("@#")?;
                k.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_as_strongswan_reads_them() {
        assert_eq!(Identity::parse("%any").unwrap(), Identity::Any);
        assert_eq!(
            Identity::parse("192.0.2.1").unwrap(),
            Identity::Addr("192.0.2.1".parse().unwrap())
        );
        assert_eq!(
            Identity::parse("moon.example.org").unwrap(),
            Identity::Fqdn("moon.example.org".into())
        );
        assert_eq!(
            Identity::parse("@moon").unwrap(),
            Identity::Fqdn("moon".into())
        );
        assert_eq!(
            Identity::parse("carol@example.org").unwrap(),
            Identity::Rfc822("carol@example.org".into())
        );
        assert_eq!(
            Identity::parse("@@carol").unwrap(),
            Identity::Rfc822("carol".into())
        );
        assert_eq!(
            Identity::parse("C=CH, O=Example, CN=moon")
                .unwrap()
                .id_type(),
            Some(IdType::DerAsn1Dn)
        );
        assert_eq!(
            Identity::parse("@#0a0B").unwrap(),
            Identity::KeyId(vec![0x0a, 0x0b])
        );
        assert_eq!(Identity::parse("@#0a0B").unwrap().to_string(), "@#0a0b");
        assert!(Identity::parse("@#0g").is_err());
        assert!(Identity::parse(" ").is_err());
        assert_eq!(
            Identity::parse("fec0::1").unwrap().id_type(),
            Some(IdType::Ipv6Addr)
        );
    }

    #[test]
    fn identity_matching() {
        let id = |s| Identity::parse(s).unwrap();
        assert!(id("%any").matches(&id("anything.example")));
        assert!(id("*.example.org").matches(&id("Moon.EXAMPLE.org")));
        assert!(!id("*.example.org").matches(&id("example.org")));
        assert!(!id("*.example.org").matches(&id("evilexample.org")));
        assert!(id("*@example.org").matches(&id("carol@example.org")));
        assert!(!id("*@example.org").matches(&id("carol@example.com")));
        assert!(id("moon.example.org").matches(&id("MOON.example.org")));
        assert!(!id("192.0.2.1").matches(&id("192.0.2.2")));
        assert!(!id("moon.example.org").matches(&id("192.0.2.1")));
        // DNs: by RDN, case-insensitively, `*` values in the configured one
        let moon = id("C=CH, O=strongSwan, CN=moon.strongswan.org");
        assert!(id("c=ch, o=strongswan, cn=MOON.strongswan.org").matches(&moon));
        assert!(id("C=CH, O=strongSwan, CN=*").matches(&moon));
        assert!(!id("C=CH, O=strongSwan, CN=sun.strongswan.org").matches(&moon));
        assert!(!id("C=CH, O=strongSwan").matches(&moon));
        assert!(!moon.matches(&id("moon.strongswan.org")));
        assert_eq!(
            moon.to_string(),
            "C=CH, O=strongSwan, CN=moon.strongswan.org"
        );
    }

    #[test]
    fn dn_identity_is_der() {
        // the DER strongSwan's pki writes for this text (PrintableStrings)
        let Identity::Dn(dn) = Identity::parse("C=XX, CN=a").unwrap() else {
            panic!("not a DN");
        };
        assert_eq!(
            dn.as_der(),
            [
                0x30, 0x19, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, b'X',
                b'X', 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, b'a'
            ]
            .as_slice()
        );
        let hex: String = dn.as_der().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            Identity::parse(&format!("asn1dn:#{hex}")).unwrap(),
            Identity::Dn(dn)
        );
        assert!(Identity::parse("asn1dn:#3003").is_err());
        assert!(Identity::parse("C=CH, FOO=bar").is_err());
    }
}
