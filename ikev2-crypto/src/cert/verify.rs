//! Path validation with rustls-webpki plus the IKE-specific checks.

use core::fmt;
use core::time::Duration;

use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{
    EndEntityCert, ExpirationPolicy, ExtendedKeyUsageValidator, KeyPurposeIdIter,
    OwnedCertRevocationList, RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::identity::{check_identity, PeerIdentity};
use super::webpki_algs::signature_algorithms;
use super::{CertError, EkuPolicy};
use crate::{CryptoError, SignatureVerifier};

/// How revocation is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationPolicy {
    /// Check intermediates too, not only the end entity.
    pub whole_chain: bool,
    /// Reject a certificate for which no configured CRL is authoritative.
    pub require_status: bool,
    /// Reject when a CRL's nextUpdate has passed.
    pub enforce_crl_expiry: bool,
}

impl Default for RevocationPolicy {
    /// Whole chain, unknown status allowed (most deployments publish CRLs
    /// only for some CAs), expired CRLs rejected.
    fn default() -> Self {
        Self {
            whole_chain: true,
            require_status: false,
            enforce_crl_expiry: true,
        }
    }
}

/// Per-peer validation policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValidationPolicy {
    /// Extended Key Usage policy for the end entity.
    pub eku: EkuPolicy,
    /// Accept certificates whose notAfter has passed (notBefore is still
    /// checked). Validation then runs at the earliest notAfter in the
    /// presented chain if that is before the given time; a chain whose
    /// certificates' validity periods do not overlap is then reported as not
    /// yet valid.
    pub allow_expired: bool,
    /// Revocation checking, used when CRLs are configured.
    pub revocation: RevocationPolicy,
}

/// Trust anchors, CRLs and the signature algorithms to validate with.
pub struct CertVerifier {
    anchors: Vec<TrustAnchor<'static>>,
    anchor_spkis: Vec<Vec<u8>>,
    crls: Vec<webpki::CertRevocationList<'static>>,
    algs: Vec<Box<dyn SignatureVerificationAlgorithm>>,
}

impl fmt::Debug for CertVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertVerifier")
            .field("anchors", &self.anchors.len())
            .field("crls", &self.crls.len())
            .finish_non_exhaustive()
    }
}

impl CertVerifier {
    /// Trust the given CA certificates (DER), verifying signatures with
    /// `verifier` (normally the provider's `verify` part).
    pub fn new(
        verifier: &'static dyn SignatureVerifier,
        ca_certs: &[&[u8]],
    ) -> Result<Self, CryptoError> {
        let mut anchors = Vec::with_capacity(ca_certs.len());
        let mut anchor_spkis = Vec::with_capacity(ca_certs.len());
        for der in ca_certs {
            let cert = CertificateDer::from(*der);
            let anchor = webpki::anchor_from_trusted_cert(&cert)
                .map_err(|_| CertError::Malformed)?
                .to_owned();
            anchor_spkis.push(webpki::spki_for_anchor(&anchor).as_ref().to_vec());
            anchors.push(anchor);
        }
        Ok(Self {
            anchors,
            anchor_spkis,
            crls: Vec::new(),
            algs: signature_algorithms(verifier),
        })
    }

    /// Add a CRL (DER). Its signature is checked when it is used, against
    /// the issuer found during path building.
    pub fn add_crl(&mut self, der: &[u8]) -> Result<(), CryptoError> {
        let crl = OwnedCertRevocationList::from_der(der).map_err(|_| CertError::CrlInvalid)?;
        self.crls.push(crl.into());
        Ok(())
    }

    /// DER SubjectPublicKeyInfo of each trust anchor, in configuration
    /// order (the input of CERTREQ authority hashes).
    pub fn anchor_spkis(&self) -> &[Vec<u8>] {
        &self.anchor_spkis
    }

    /// The Certification Authority field of our CERTREQ payload (encoding
    /// 4, X.509 Certificate - Signature): SHA-1 of each anchor's
    /// SubjectPublicKeyInfo, concatenated (RFC 7296 section 3.7).
    pub fn certreq_data(&self) -> Vec<u8> {
        self.anchor_spkis
            .iter()
            .flat_map(|s| super::certreq::authority_hash(s))
            .collect()
    }

    /// Validate `end_entity` (DER) with the `intermediates` the peer sent,
    /// at time `now`, under `policy`. See the module docs for the checks.
    pub fn validate(
        &self,
        end_entity: &[u8],
        intermediates: &[&[u8]],
        now: UnixTime,
        policy: &ValidationPolicy,
    ) -> Result<ValidatedCert, CryptoError> {
        let ee_der = CertificateDer::from(end_entity);
        let ee = EndEntityCert::try_from(&ee_der).map_err(map_webpki)?;
        let (_, parsed) =
            X509Certificate::from_der(end_entity).map_err(|_| CertError::Malformed)?;
        let inters: Vec<CertificateDer<'_>> = intermediates
            .iter()
            .map(|d| CertificateDer::from(*d))
            .collect();

        let mut time = now;
        if policy.allow_expired {
            let mut earliest = not_after(&parsed)?;
            for d in intermediates {
                let (_, c) = X509Certificate::from_der(d).map_err(|_| CertError::Malformed)?;
                earliest = earliest.min(not_after(&c)?);
            }
            if earliest < now.as_secs() {
                time = UnixTime::since_unix_epoch(Duration::from_secs(earliest));
            }
        }

        let crl_refs: Vec<&webpki::CertRevocationList<'_>> = self.crls.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
            let r = policy.revocation;
            b.with_depth(if r.whole_chain {
                RevocationCheckDepth::Chain
            } else {
                RevocationCheckDepth::EndEntity
            })
            .with_status_policy(if r.require_status {
                UnknownStatusPolicy::Deny
            } else {
                UnknownStatusPolicy::Allow
            })
            .with_expiration_policy(if r.enforce_crl_expiry {
                ExpirationPolicy::Enforce
            } else {
                ExpirationPolicy::Ignore
            })
            .build()
        });
        let algs: Vec<&dyn SignatureVerificationAlgorithm> =
            self.algs.iter().map(|a| &**a).collect();

        let path = ee
            .verify_for_usage(
                &algs,
                &self.anchors,
                &inters,
                time,
                AnyEku,
                revocation,
                None,
            )
            .map_err(map_webpki)?;
        let chain: Vec<Vec<u8>> = core::iter::once(end_entity.to_vec())
            .chain(
                path.intermediate_certificates()
                    .map(|c| c.der().as_ref().to_vec()),
            )
            .collect();
        let anchor_spki = webpki::spki_for_anchor(path.anchor()).as_ref().to_vec();

        check_key_usage(&parsed, policy.eku)?;
        check_eku(&parsed, policy.eku)?;

        Ok(ValidatedCert {
            der: end_entity.to_vec(),
            spki: parsed.public_key().raw.to_vec(),
            chain,
            anchor_spki,
        })
    }
}

fn not_after(c: &X509Certificate<'_>) -> Result<u64, CryptoError> {
    u64::try_from(c.validity().not_after.timestamp()).map_err(|_| CertError::Malformed.into())
}

/// webpki's EKU hook: accept everything; the IKE policy is applied to the
/// end entity afterwards (webpki would apply one rule to every certificate
/// of the path).
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for id in iter {
            id?;
        }
        Ok(())
    }
}

const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
const OID_IPSEC_IKE: &str = "1.3.6.1.5.5.7.3.17";
const OID_IKE_INTERMEDIATE: &str = "1.3.6.1.5.5.8.2.2";

fn check_key_usage(c: &X509Certificate<'_>, eku: EkuPolicy) -> Result<(), CryptoError> {
    let ku = c.key_usage().map_err(|_| CertError::Malformed)?;
    match (ku, eku) {
        (None, EkuPolicy::AnyConnectStrict) => Err(CertError::KeyUsage.into()),
        (None, _) => Ok(()),
        (Some(ku), policy) => {
            let ku = ku.value;
            if !(ku.digital_signature() || ku.non_repudiation()) {
                return Err(CertError::KeyUsage.into());
            }
            if policy == EkuPolicy::AnyConnectStrict
                && !(ku.digital_signature() && (ku.key_encipherment() || ku.key_agreement()))
            {
                return Err(CertError::KeyUsage.into());
            }
            Ok(())
        }
    }
}

fn check_eku(c: &X509Certificate<'_>, policy: EkuPolicy) -> Result<(), CryptoError> {
    if policy == EkuPolicy::Any {
        return Ok(());
    }
    let fail = || CryptoError::from(CertError::ExtendedKeyUsage(policy));
    let Some(eku) = c.extended_key_usage().map_err(|_| CertError::Malformed)? else {
        return match policy {
            EkuPolicy::WindowsStrict | EkuPolicy::AnyConnectStrict => Err(fail()),
            _ => Ok(()),
        };
    };
    let eku = eku.value;
    let has = |oid: &str| match oid {
        OID_SERVER_AUTH => eku.server_auth,
        OID_CLIENT_AUTH => eku.client_auth,
        _ => eku.other.iter().any(|o| o.to_id_string() == oid),
    };
    let ok = match policy {
        EkuPolicy::Any => true,
        EkuPolicy::ServerAuth => eku.any || has(OID_SERVER_AUTH),
        EkuPolicy::ClientAuth => eku.any || has(OID_CLIENT_AUTH),
        EkuPolicy::IkeIntermediate => eku.any || has(OID_IPSEC_IKE) || has(OID_IKE_INTERMEDIATE),
        EkuPolicy::WindowsStrict => has(OID_SERVER_AUTH),
        EkuPolicy::AnyConnectStrict => has(OID_SERVER_AUTH) || has(OID_IKE_INTERMEDIATE),
    };
    if ok {
        Ok(())
    } else {
        Err(fail())
    }
}

fn map_webpki(e: webpki::Error) -> CryptoError {
    use webpki::Error as W;
    let c = match e {
        W::CertExpired { .. } => CertError::Expired,
        W::CertNotValidYet { .. } => CertError::NotYetValid,
        W::UnknownIssuer | W::CertDistrusted => CertError::UntrustedIssuer,
        W::InvalidSignatureForPublicKey => CertError::BadSignature,
        W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | W::SignatureAlgorithmMismatch => CertError::UnsupportedSignatureAlgorithm,
        W::CaUsedAsEndEntity | W::EndEntityUsedAsCa | W::PathLenConstraintViolated => {
            CertError::BasicConstraints
        }
        W::NameConstraintViolation | W::MalformedNameConstraint => CertError::NameConstraints,
        W::CertRevoked => CertError::Revoked,
        W::UnknownRevocationStatus => CertError::RevocationUnknown,
        W::CrlExpired { .. } => CertError::CrlExpired,
        W::InvalidCrlSignatureForPublicKey
        | W::IssuerNotCrlSigner
        | W::UnsupportedCrlSignatureAlgorithmContext(_)
        | W::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_)
        | W::UnsupportedCrlVersion
        | W::UnsupportedDeltaCrl
        | W::UnsupportedIndirectCrl
        | W::UnsupportedRevocationReason
        | W::UnsupportedRevocationReasonsPartitioning
        | W::UnsupportedCrlIssuingDistributionPoint
        | W::InvalidCrlNumber => CertError::CrlInvalid,
        W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
            CertError::ExtendedKeyUsage(EkuPolicy::Any)
        }
        W::MaximumPathBuildCallsExceeded
        | W::MaximumSignatureChecksExceeded
        | W::MaximumPathDepthExceeded
        | W::MaximumNameConstraintComparisonsExceeded => CertError::PathBuildingLimit,
        W::BadDer
        | W::BadDerTime
        | W::TrailingData(_)
        | W::MalformedExtensions
        | W::ExtensionValueInvalid
        | W::InvalidCertValidity
        | W::InvalidSerialNumber
        | W::UnsupportedCertVersion
        | W::UnsupportedCriticalExtension => CertError::Malformed,
        _ => CertError::Other("rejected by path validation"),
    };
    c.into()
}

/// A peer certificate that passed [`CertVerifier::validate`].
#[derive(Clone, PartialEq, Eq)]
pub struct ValidatedCert {
    der: Vec<u8>,
    spki: Vec<u8>,
    chain: Vec<Vec<u8>>,
    anchor_spki: Vec<u8>,
}

impl fmt::Debug for ValidatedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidatedCert")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl ValidatedCert {
    /// The end-entity certificate (DER).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The end entity's SubjectPublicKeyInfo (DER), which verifies the
    /// peer's AUTH payload.
    pub fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }

    /// The validated path, end entity first, trust anchor excluded.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// SubjectPublicKeyInfo (DER) of the trust anchor the path ends at.
    pub fn anchor_spki(&self) -> &[u8] {
        &self.anchor_spki
    }

    /// Check that the peer's ID payload names this certificate's subject
    /// (RFC 4945 section 3.1; rules in [`PeerIdentity`]).
    pub fn check_identity(&self, id: &PeerIdentity<'_>) -> Result<(), CryptoError> {
        check_identity(&self.der, id)
    }
}
