//! X.509 certificates for IKEv2 (RFC 7296 section 3.6/3.7, RFC 4945).
//!
//! [`CertVerifier`] validates a peer's end-entity certificate and the
//! intermediates it sent against configured trust anchors, at a time the
//! caller passes in, with rustls-webpki doing path building and signature,
//! validity, basic-constraints, name-constraints and CRL checks; this module
//! adds the checks IKE needs and webpki does not make. [`ValidatedCert`]
//! then matches the peer's IDi/IDr and yields the public key that verifies
//! its AUTH payload ([`crate::auth::verify_auth`]). [`certreq`] computes and
//! reads the CERTREQ authority hashes and picks the chain to send.
//!
//! # Example
//!
//! ```
//! use core::time::Duration;
//! use ikev2_crypto::cert::{CertVerifier, EkuPolicy, PeerIdentity, UnixTime, ValidationPolicy};
//! use ikev2_crypto::provider::rustcrypto::VERIFIER;
//!
//! let ca = include_bytes!("../../tests/data/strongswan-pki/ca-ecdsa.crt.der");
//! let peer = include_bytes!("../../tests/data/strongswan-pki/a-ecdsa.crt.der");
//! let verifier = CertVerifier::new(&VERIFIER, &[ca])?;
//! let now = UnixTime::since_unix_epoch(Duration::from_secs(1_798_761_600)); // 2027-01-01
//! let policy = ValidationPolicy { eku: EkuPolicy::ServerAuth, ..Default::default() };
//! let cert = verifier.validate(peer, &[], now, &policy)?;
//! cert.check_identity(&PeerIdentity::Fqdn("a.ecdsa.lab"))?;
//! assert!(cert.check_identity(&PeerIdentity::Fqdn("b.ecdsa.lab")).is_err());
//! assert_eq!(verifier.certreq_data().len(), 20); // one SHA-1 authority hash
//! # Ok::<(), ikev2_crypto::CryptoError>(())
//! ```
//!
//! # Checks, in order, and the error each failure gives
//!
//! | check | error |
//! |---|---|
//! | DER structure of the certificates | [`CertError::Malformed`] |
//! | validity period of every certificate in the path at the given time (notAfter skipped with [`ValidationPolicy::allow_expired`]) | [`CertError::Expired`], [`CertError::NotYetValid`] |
//! | a path to a configured trust anchor exists | [`CertError::UntrustedIssuer`] |
//! | each signature in the path verifies (RSA PKCS#1 v1.5 / PSS with SHA-2, ECDSA P-256/384/521, Ed25519) | [`CertError::BadSignature`], [`CertError::UnsupportedSignatureAlgorithm`] |
//! | basicConstraints (CA flag, pathLen) | [`CertError::BasicConstraints`] |
//! | nameConstraints of the CAs | [`CertError::NameConstraints`] |
//! | revocation, against the configured CRLs (end entity or whole chain) | [`CertError::Revoked`], [`CertError::RevocationUnknown`], [`CertError::CrlExpired`], [`CertError::CrlInvalid`] |
//! | Key Usage of the end entity, when present, allows digitalSignature or nonRepudiation (RFC 4945 section 5.1.3.2) | [`CertError::KeyUsage`] |
//! | Extended Key Usage of the end entity against the peer's [`EkuPolicy`] | [`CertError::ExtendedKeyUsage`] |
//! | the peer's ID payload against subjectAltName or subject ([`ValidatedCert::check_identity`]) | [`CertError::IdentityMismatch`], [`CertError::UnsupportedIdentityType`] |
//!
//! # Extended Key Usage policies
//!
//! RFC 4945 section 5.1.3.12 lets IKE ignore EKU; deployments differ, so the
//! policy is chosen per peer. "anyEKU" below is anyExtendedKeyUsage
//! (2.5.29.37.0). EKU in intermediates is not constrained.
//!
//! * [`EkuPolicy::Any`]: EKU is not looked at (RFC 4945; strongSwan's
//!   behaviour).
//! * [`EkuPolicy::ServerAuth`]: if EKU is present it must contain
//!   id-kp-serverAuth (1.3.6.1.5.5.7.3.1) or anyEKU. Absent EKU passes
//!   (RFC 5280 section 4.2.1.12). For checking a gateway.
//! * [`EkuPolicy::ClientAuth`]: the same with id-kp-clientAuth
//!   (1.3.6.1.5.5.7.3.2). For checking a remote-access client.
//! * [`EkuPolicy::IkeIntermediate`]: if EKU is present it must contain
//!   id-kp-ipsecIKE (1.3.6.1.5.5.7.3.17, RFC 4945), Microsoft's "IP security
//!   IKE intermediate" (1.3.6.1.5.5.8.2.2, the OID strongSwan's
//!   `pki --flag ikeIntermediate` writes) or anyEKU.
//! * [`EkuPolicy::WindowsStrict`]: what the Windows Agile VPN (IKEv2) client
//!   demands of a gateway certificate: EKU present and containing
//!   serverAuth (IP security IKE intermediate may be there too, it is not
//!   enough alone). Without it Windows fails with error 13806/13801.
//! * [`EkuPolicy::AnyConnectStrict`]: what Cisco AnyConnect's strict
//!   certificate checking demands of a gateway certificate: EKU present and
//!   containing serverAuth or IKE intermediate (1.3.6.1.5.5.8.2.2), and Key
//!   Usage present with digitalSignature and one of keyEncipherment or
//!   keyAgreement.
//!
//! The two strict modes let a gateway check its own certificate before
//! offering it to such clients, and let tests behave like those clients.

pub mod certreq;
mod dn;
mod identity;
mod verify;
mod webpki_algs;

pub use dn::{DistinguishedName, DnError};
pub use identity::{check_identity, PeerIdentity};
pub use rustls_pki_types::UnixTime;
pub use verify::{CertVerifier, RevocationPolicy, ValidatedCert, ValidationPolicy};
pub use webpki_algs::signature_algorithms;

/// Read every `CERTIFICATE` block of a PEM file (a CA bundle, a chain) as
/// DER, in file order; other blocks are skipped.
pub fn certs_from_pem(pem: &[u8]) -> Result<Vec<Vec<u8>>, crate::CryptoError> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_slice_iter(pem)
        .map(|c| {
            c.map(|c| c.to_vec())
                .map_err(|_| CertError::Malformed.into())
        })
        .collect()
}

/// Read a CRL from PEM (`X509 CRL`) as DER, for [`CertVerifier::add_crl`].
pub fn crl_from_pem(pem: &[u8]) -> Result<Vec<u8>, crate::CryptoError> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateRevocationListDer::from_pem_slice(pem)
        .map(|c| c.as_ref().to_vec())
        .map_err(|_| CertError::CrlInvalid.into())
}

/// Extended Key Usage policy for a peer's end-entity certificate (see the
/// module docs for what each requires).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EkuPolicy {
    /// EKU is not checked.
    #[default]
    Any,
    /// serverAuth or anyEKU when EKU is present.
    ServerAuth,
    /// clientAuth or anyEKU when EKU is present.
    ClientAuth,
    /// ipsecIKE (1.3.6.1.5.5.7.3.17), iKEIntermediate (1.3.6.1.5.5.8.2.2) or
    /// anyEKU when EKU is present.
    IkeIntermediate,
    /// EKU required, with serverAuth (Windows IKEv2 client).
    WindowsStrict,
    /// EKU required with serverAuth or iKEIntermediate, KU required with
    /// digitalSignature and keyEncipherment or keyAgreement (AnyConnect).
    AnyConnectStrict,
}

/// Why a certificate was rejected. Each variant names the failed check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// A certificate, CRL or name is not valid DER or not valid X.509.
    #[error("malformed certificate")]
    Malformed,
    /// A certificate in the path has expired (notAfter is before the time).
    #[error("certificate expired")]
    Expired,
    /// A certificate in the path is not valid yet (notBefore is after the time).
    #[error("certificate not yet valid")]
    NotYetValid,
    /// No path leads to a configured trust anchor.
    #[error("untrusted issuer")]
    UntrustedIssuer,
    /// A signature in the path does not verify.
    #[error("bad certificate signature")]
    BadSignature,
    /// A signature algorithm in the path is not supported (e.g. SHA-1 RSA).
    #[error("unsupported certificate signature algorithm")]
    UnsupportedSignatureAlgorithm,
    /// basicConstraints violated: a CA used as end entity, an end entity
    /// used as CA, or pathLenConstraint exceeded.
    #[error("basic constraints violated")]
    BasicConstraints,
    /// A CA's nameConstraints exclude the certificate.
    #[error("name constraints violated")]
    NameConstraints,
    /// A certificate in the path is revoked by a configured CRL.
    #[error("certificate revoked")]
    Revoked,
    /// Revocation status could not be determined and the policy requires it.
    #[error("revocation status unknown")]
    RevocationUnknown,
    /// A CRL's nextUpdate has passed.
    #[error("CRL expired")]
    CrlExpired,
    /// A CRL is malformed, badly signed, unsupported, or its issuer may not
    /// sign CRLs.
    #[error("invalid CRL")]
    CrlInvalid,
    /// Key Usage is present without digitalSignature or nonRepudiation
    /// (RFC 4945), or lacks what a strict EKU policy needs.
    #[error("key usage does not allow signing")]
    KeyUsage,
    /// Extended Key Usage does not satisfy the peer's policy.
    #[error("extended key usage not allowed by policy {0:?}")]
    ExtendedKeyUsage(EkuPolicy),
    /// The peer's identity is not in the certificate.
    #[error("identity does not match the certificate")]
    IdentityMismatch,
    /// The ID type cannot be matched against a certificate (e.g. ID_KEY_ID),
    /// or its data is malformed for its type.
    #[error("identity type {0} cannot be matched against a certificate")]
    UnsupportedIdentityType(u8),
    /// Path building gave up (too many candidate paths or signatures).
    #[error("path building limit exceeded")]
    PathBuildingLimit,
    /// No certificate was given.
    #[error("no certificate")]
    NoCertificate,
    /// Any other rejection by the path validator.
    #[error("certificate rejected: {0}")]
    Other(&'static str),
}
