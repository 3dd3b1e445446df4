//! Matching an IKE identity (IDi/IDr) against a certificate (RFC 4945 3.1).

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};

use super::CertError;
use crate::CryptoError;

/// A peer identity as carried in an ID payload.
///
/// Matching rules:
/// * `Fqdn`: a subjectAltName dNSName, compared case-insensitively with a
///   trailing dot ignored. A SAN may use a wildcard only as its whole
///   left-most label (`*.example.com`), matching exactly one non-empty
///   label: `a.example.com` matches, `a.b.example.com` and `example.com` do
///   not. Partial-label wildcards (`a*.example.com`, `*a.example.com`),
///   wildcards elsewhere, and wildcards directly over a single label
///   (`*.com`) never match. An ID containing `*` never matches. The subject
///   CN is not consulted (RFC 4945 section 3.1.2 ties FQDN IDs to dNSName).
/// * `Rfc822`: a subjectAltName rfc822Name; local part exact, domain
///   case-insensitive.
/// * `Ipv4`/`Ipv6`: a subjectAltName iPAddress with the same octets.
/// * `DerAsn1Dn`: the subject DN (or a directoryName SAN), equal as DER or,
///   failing that, RDN by RDN with string values compared case-insensitively
///   after collapsing white space (RFC 5280 section 7.1, simplified).
/// * `KeyId` and other types cannot be matched against a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerIdentity<'a> {
    /// ID_IPV4_ADDR (1).
    Ipv4([u8; 4]),
    /// ID_FQDN (2).
    Fqdn(&'a str),
    /// ID_RFC822_ADDR (3).
    Rfc822(&'a str),
    /// ID_IPV6_ADDR (5).
    Ipv6([u8; 16]),
    /// ID_DER_ASN1_DN (9): the DER Name.
    DerAsn1Dn(&'a [u8]),
    /// ID_KEY_ID (11): opaque octets.
    KeyId(&'a [u8]),
}

impl<'a> PeerIdentity<'a> {
    /// Build from an ID payload's type and data.
    pub fn from_wire(id_type: u8, data: &'a [u8]) -> Result<Self, CryptoError> {
        let bad = || CryptoError::from(CertError::UnsupportedIdentityType(id_type));
        Ok(match id_type {
            1 => Self::Ipv4(data.try_into().map_err(|_| bad())?),
            2 => Self::Fqdn(core::str::from_utf8(data).map_err(|_| bad())?),
            3 => Self::Rfc822(core::str::from_utf8(data).map_err(|_| bad())?),
            5 => Self::Ipv6(data.try_into().map_err(|_| bad())?),
            9 => Self::DerAsn1Dn(data),
            11 => Self::KeyId(data),
            _ => return Err(bad()),
        })
    }
}

/// Check that `id` names the subject of the certificate `cert_der` (DER),
/// without validating the certificate: the same rules as
/// [`ValidatedCert::check_identity`](super::ValidatedCert::check_identity),
/// for callers that validate separately or inspect a peer's certificate.
pub fn check_identity(cert_der: &[u8], id: &PeerIdentity<'_>) -> Result<(), CryptoError> {
    let (_, c) = X509Certificate::from_der(cert_der).map_err(|_| CertError::Malformed)?;
    match_identity(&c, id)
}

pub(super) fn match_identity(
    c: &X509Certificate<'_>,
    id: &PeerIdentity<'_>,
) -> Result<(), CryptoError> {
    let sans: Vec<GeneralName<'_>> = match c.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.clone(),
        Ok(None) => Vec::new(),
        Err(_) => return Err(CertError::Malformed.into()),
    };
    let found = match id {
        PeerIdentity::Fqdn(name) => sans.iter().any(|g| match g {
            GeneralName::DNSName(pattern) => dns_matches(pattern, name),
            _ => false,
        }),
        PeerIdentity::Rfc822(addr) => sans.iter().any(|g| match g {
            GeneralName::RFC822Name(san) => email_matches(san, addr),
            _ => false,
        }),
        PeerIdentity::Ipv4(ip) => sans
            .iter()
            .any(|g| matches!(g, GeneralName::IPAddress(a) if *a == ip.as_slice())),
        PeerIdentity::Ipv6(ip) => sans
            .iter()
            .any(|g| matches!(g, GeneralName::IPAddress(a) if *a == ip.as_slice())),
        PeerIdentity::DerAsn1Dn(dn) => {
            let (rest, want) =
                X509Name::from_der(dn).map_err(|_| CertError::UnsupportedIdentityType(9))?;
            if !rest.is_empty() {
                return Err(CertError::UnsupportedIdentityType(9).into());
            }
            dn_equal(c.subject(), &want)
                || sans.iter().any(|g| match g {
                    GeneralName::DirectoryName(n) => dn_equal(n, &want),
                    _ => false,
                })
        }
        PeerIdentity::KeyId(_) => return Err(CertError::UnsupportedIdentityType(11).into()),
    };
    if found {
        Ok(())
    } else {
        Err(CertError::IdentityMismatch.into())
    }
}

fn trim_dot(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

/// RFC 6125 section 6.4.3 as restricted above.
pub(crate) fn dns_matches(pattern: &str, name: &str) -> bool {
    let pattern = trim_dot(pattern);
    let name = trim_dot(name);
    if name.is_empty() || name.contains('*') || pattern.is_empty() {
        return false;
    }
    match pattern.split_once('.') {
        Some(("*", rest)) => {
            // The wildcard must sit over at least two labels, none wild.
            if !rest.contains('.') || rest.contains('*') {
                return false;
            }
            match name.split_once('.') {
                Some((label, name_rest)) => {
                    !label.is_empty() && name_rest.eq_ignore_ascii_case(rest)
                }
                None => false,
            }
        }
        _ if pattern.contains('*') => false,
        _ => pattern.eq_ignore_ascii_case(name),
    }
}

fn email_matches(san: &str, addr: &str) -> bool {
    match (san.rsplit_once('@'), addr.rsplit_once('@')) {
        (Some((l1, d1)), Some((l2, d2))) => {
            l1 == l2 && trim_dot(d1).eq_ignore_ascii_case(trim_dot(d2))
        }
        _ => false,
    }
}

fn dn_equal(a: &X509Name<'_>, b: &X509Name<'_>) -> bool {
    super::dn::names_equal(a, b, false)
}

#[cfg(test)]
mod tests {
    use super::dns_matches;

    #[test]
    fn wildcards() {
        assert!(dns_matches("*.example.com", "a.example.com"));
        assert!(dns_matches("*.example.com", "A.EXAMPLE.com."));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("*.example.com", ".example.com"));
        assert!(!dns_matches("a*.example.com", "ab.example.com"));
        assert!(!dns_matches("*a.example.com", "ba.example.com"));
        assert!(!dns_matches("a.*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(!dns_matches("*.example.com", "*.example.com"));
        assert!(dns_matches("vpn.example.com", "VPN.example.com"));
        assert!(!dns_matches("vpn.example.com", "vpn.example.org"));
    }
}
