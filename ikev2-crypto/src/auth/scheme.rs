//! RFC 7427 signature algorithms: AlgorithmIdentifier encodings and the
//! SIGNATURE_HASH_ALGORITHMS negotiation (RFC 7427 section 4).

use der::asn1::{AnyRef, ObjectIdentifier};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierRef;

use super::{AuthError, HashAlgorithm};
use crate::{EcCurve, EcdsaEncoding, HashAlg, SignatureScheme};

/// OIDs this module knows (RFC 3279, RFC 4055, RFC 5758, RFC 8410).
mod oid {
    use der::asn1::ObjectIdentifier as Oid;
    pub(super) const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub(super) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub(super) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub(super) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub(super) const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub(super) const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    pub(super) const DSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10040.4.3");
    pub(super) const DSA_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.3.2");
    pub(super) const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub(super) const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub(super) const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub(super) const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    pub(super) const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    pub(super) const ED448: Oid = Oid::new_unwrap("1.3.101.113");
    pub(super) const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub(super) const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub(super) const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub(super) const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
}

impl From<HashAlg> for HashAlgorithm {
    fn from(h: HashAlg) -> Self {
        match h {
            HashAlg::Sha1 => Self::Sha1,
            HashAlg::Sha256 => Self::Sha2_256,
            HashAlg::Sha384 => Self::Sha2_384,
            HashAlg::Sha512 => Self::Sha2_512,
        }
    }
}

/// Encode the Notification Data of SIGNATURE_HASH_ALGORITHMS (16403): each
/// algorithm as two octets in network order.
pub fn encode_hash_algorithms(algs: &[HashAlgorithm]) -> Vec<u8> {
    algs.iter()
        .flat_map(|a| u16::from(*a).to_be_bytes())
        .collect()
}

/// Parse the Notification Data of SIGNATURE_HASH_ALGORITHMS. Unknown values
/// are kept (as [`HashAlgorithm::Unknown`]) so they can be logged; an odd
/// length or an empty list is malformed (RFC 7427 section 4 requires at
/// least one algorithm).
pub fn parse_hash_algorithms(data: &[u8]) -> Result<Vec<HashAlgorithm>, AuthError> {
    if data.is_empty() || data.len() % 2 != 0 {
        return Err(AuthError::MalformedHashAlgorithms);
    }
    Ok(data
        .chunks_exact(2)
        .filter_map(|c| <[u8; 2]>::try_from(c).ok())
        .map(|c| HashAlgorithm::from(u16::from_be_bytes(c)))
        .collect())
}

/// The hash to sign with under RFC 7427 section 4: the first of our
/// preferences (`local`, most preferred first) that the peer announced in
/// its SIGNATURE_HASH_ALGORITHMS notify (`peer`). `None` when the
/// intersection is empty: the caller then falls back to a legacy AUTH method
/// or fails the exchange.
pub fn negotiate_hash(local: &[HashAlg], peer: &[HashAlgorithm]) -> Option<HashAlg> {
    local
        .iter()
        .copied()
        .find(|h| peer.contains(&HashAlgorithm::from(*h)))
}

/// A signature algorithm named by an RFC 7427 AlgorithmIdentifier, before
/// the key (and so the ECDSA curve) is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// `sha*WithRSAEncryption` (RFC 7427 A.1).
    RsaPkcs1(HashAlg),
    /// `id-RSASSA-PSS` with MGF1 of the same hash and a salt as long as the
    /// hash (RFC 7427 A.4; the only parameter sets IKE peers send).
    RsaPss(HashAlg),
    /// `ecdsa-with-*` (RFC 7427 A.3); the curve is the key's.
    Ecdsa(HashAlg),
    /// `id-Ed25519` (RFC 8420).
    Ed25519,
    /// `id-Ed448` (RFC 8420): recognised, not implemented.
    Ed448,
    /// `dsa-with-*` (RFC 7427 A.2): recognised, not implemented (DSA is
    /// deprecated for IKEv2 by RFC 8247).
    Dsa(HashAlg),
}

impl SignatureAlgorithm {
    /// Parse an AlgorithmIdentifier (DER, without the one-octet length
    /// prefix of the AUTH payload). Unknown OIDs, PSS parameter sets other
    /// than "MGF1 with the same hash, salt = hash length, trailer 1", and
    /// trailing data are errors.
    pub fn from_der(der: &[u8]) -> Result<Self, AuthError> {
        let ai = AlgorithmIdentifierRef::from_der(der)
            .map_err(|_| AuthError::MalformedAlgorithmIdentifier)?;
        let no_params = |p: Option<AnyRef<'_>>| match p {
            None => Ok(()),
            Some(any) if any.is_null() => Ok(()),
            Some(_) => Err(AuthError::MalformedAlgorithmIdentifier),
        };
        let alg = match ai.oid {
            oid::SHA1_WITH_RSA => Self::RsaPkcs1(HashAlg::Sha1),
            oid::SHA256_WITH_RSA => Self::RsaPkcs1(HashAlg::Sha256),
            oid::SHA384_WITH_RSA => Self::RsaPkcs1(HashAlg::Sha384),
            oid::SHA512_WITH_RSA => Self::RsaPkcs1(HashAlg::Sha512),
            oid::ECDSA_SHA1 => Self::Ecdsa(HashAlg::Sha1),
            oid::ECDSA_SHA256 => Self::Ecdsa(HashAlg::Sha256),
            oid::ECDSA_SHA384 => Self::Ecdsa(HashAlg::Sha384),
            oid::ECDSA_SHA512 => Self::Ecdsa(HashAlg::Sha512),
            oid::DSA_SHA1 => Self::Dsa(HashAlg::Sha1),
            oid::DSA_SHA256 => Self::Dsa(HashAlg::Sha256),
            oid::ED25519 => Self::Ed25519,
            oid::ED448 => Self::Ed448,
            oid::RSASSA_PSS => return parse_pss(ai.parameters),
            _ => return Err(AuthError::UnknownSignatureAlgorithm),
        };
        match alg {
            // RFC 8410 section 3: EdDSA parameters MUST be absent; ECDSA and
            // DSA AlgorithmIdentifiers omit them too (RFC 5758 section 3.2).
            Self::Ed25519 | Self::Ed448 | Self::Ecdsa(_) | Self::Dsa(_) => {
                if ai.parameters.is_some() {
                    return Err(AuthError::MalformedAlgorithmIdentifier);
                }
            }
            _ => no_params(ai.parameters)?,
        }
        Ok(alg)
    }

    /// The canonical DER AlgorithmIdentifier, as RFC 7427 Appendix A prints
    /// it (RSA-PSS in the errata form: hash and MGF1 parameters written out,
    /// salt length written out unless it is the default 20, no trailerField).
    pub fn to_der(&self) -> Vec<u8> {
        match self {
            Self::RsaPkcs1(h) => alg_id(
                match h {
                    HashAlg::Sha1 => oid::SHA1_WITH_RSA,
                    HashAlg::Sha256 => oid::SHA256_WITH_RSA,
                    HashAlg::Sha384 => oid::SHA384_WITH_RSA,
                    HashAlg::Sha512 => oid::SHA512_WITH_RSA,
                },
                Some(&[0x05, 0x00]),
            ),
            Self::Ecdsa(h) => alg_id(
                match h {
                    HashAlg::Sha1 => oid::ECDSA_SHA1,
                    HashAlg::Sha256 => oid::ECDSA_SHA256,
                    HashAlg::Sha384 => oid::ECDSA_SHA384,
                    HashAlg::Sha512 => oid::ECDSA_SHA512,
                },
                None,
            ),
            Self::Dsa(h) => alg_id(
                match h {
                    HashAlg::Sha256 | HashAlg::Sha384 | HashAlg::Sha512 => oid::DSA_SHA256,
                    HashAlg::Sha1 => oid::DSA_SHA1,
                },
                None,
            ),
            Self::Ed25519 => alg_id(oid::ED25519, None),
            Self::Ed448 => alg_id(oid::ED448, None),
            Self::RsaPss(HashAlg::Sha1) => alg_id(oid::RSASSA_PSS, Some(&[0x30, 0x00])),
            Self::RsaPss(h) => {
                let hash_ai = alg_id(hash_oid(*h), Some(&[0x05, 0x00]));
                let mgf_ai = alg_id(oid::MGF1, Some(&hash_ai));
                let mut params = Vec::new();
                params.extend(tlv(0xa0, &hash_ai));
                params.extend(tlv(0xa1, &mgf_ai));
                let salt = u8::try_from(hash_len(*h)).unwrap_or(u8::MAX);
                params.extend(tlv(0xa2, &tlv(0x02, &[salt])));
                alg_id(oid::RSASSA_PSS, Some(&tlv(0x30, &params)))
            }
        }
    }

    /// The hash the algorithm applies to the signed octets (`None` for
    /// EdDSA, which signs the octets themselves: "Identity", RFC 8420).
    pub fn hash(&self) -> Option<HashAlg> {
        match self {
            Self::RsaPkcs1(h) | Self::RsaPss(h) | Self::Ecdsa(h) | Self::Dsa(h) => Some(*h),
            Self::Ed25519 | Self::Ed448 => None,
        }
    }

    /// The hash algorithm identifier this algorithm needs the peer to have
    /// announced in SIGNATURE_HASH_ALGORITHMS.
    pub fn notify_hash(&self) -> HashAlgorithm {
        self.hash()
            .map(HashAlgorithm::from)
            .unwrap_or(HashAlgorithm::Identity)
    }

    /// The concrete scheme for a key on `curve` (only used for ECDSA), with
    /// ECDSA signatures DER-encoded as RFC 7427 section 3 requires.
    pub fn to_scheme(&self, curve: Option<EcCurve>) -> Result<SignatureScheme, AuthError> {
        match (*self, curve) {
            (Self::RsaPkcs1(h), _) => Ok(SignatureScheme::RsaPkcs1(h)),
            (Self::RsaPss(h), _) => Ok(SignatureScheme::RsaPss(h)),
            (Self::Ecdsa(hash), Some(curve)) => Ok(SignatureScheme::Ecdsa {
                curve,
                hash,
                encoding: EcdsaEncoding::Der,
            }),
            (Self::Ecdsa(_), None) => Err(AuthError::KeyMismatch),
            (Self::Ed25519, _) => Ok(SignatureScheme::Ed25519),
            (Self::Ed448 | Self::Dsa(_), _) => Err(AuthError::UnsupportedSignatureAlgorithm),
        }
    }

    /// The algorithm of a concrete scheme (the inverse of [`Self::to_scheme`]).
    pub fn from_scheme(scheme: SignatureScheme) -> Result<Self, AuthError> {
        Ok(match scheme {
            SignatureScheme::RsaPkcs1(h) => Self::RsaPkcs1(h),
            SignatureScheme::RsaPss(h) => Self::RsaPss(h),
            SignatureScheme::Ecdsa { hash, .. } => Self::Ecdsa(hash),
            SignatureScheme::Ed25519 => Self::Ed25519,
            #[allow(unreachable_patterns)]
            _ => return Err(AuthError::UnsupportedSignatureAlgorithm),
        })
    }
}

fn parse_pss(params: Option<AnyRef<'_>>) -> Result<SignatureAlgorithm, AuthError> {
    let bad = AuthError::InvalidPssParameters;
    // Absent parameters are not allowed for id-RSASSA-PSS (RFC 4055 3.1),
    // but an empty SEQUENCE means "all defaults" (SHA-1, MGF1-SHA-1, 20).
    let params = params.ok_or(bad)?;
    let p: pkcs1::RsaPssParams<'_> = params.decode_as().map_err(|_| bad)?;
    let hash = hash_from_ai(&p.hash)?;
    if p.mask_gen.oid != oid::MGF1 {
        return Err(bad);
    }
    let mgf_hash = hash_from_ai(&p.mask_gen.parameters.ok_or(bad)?)?;
    if mgf_hash != hash || usize::from(p.salt_len) != hash_len(hash) {
        // Well-formed but a parameter set no IKE implementation sends and
        // our verifiers do not implement.
        return Err(AuthError::UnsupportedPssParameters);
    }
    Ok(SignatureAlgorithm::RsaPss(hash))
}

fn hash_from_ai(ai: &AlgorithmIdentifierRef<'_>) -> Result<HashAlg, AuthError> {
    if let Some(p) = ai.parameters {
        if !p.is_null() {
            return Err(AuthError::InvalidPssParameters);
        }
    }
    Ok(match ai.oid {
        oid::SHA1 => HashAlg::Sha1,
        oid::SHA256 => HashAlg::Sha256,
        oid::SHA384 => HashAlg::Sha384,
        oid::SHA512 => HashAlg::Sha512,
        _ => return Err(AuthError::InvalidPssParameters),
    })
}

fn hash_oid(h: HashAlg) -> ObjectIdentifier {
    match h {
        HashAlg::Sha1 => oid::SHA1,
        HashAlg::Sha256 => oid::SHA256,
        HashAlg::Sha384 => oid::SHA384,
        HashAlg::Sha512 => oid::SHA512,
    }
}

/// Output length of a hash, in octets.
pub(crate) fn hash_len(h: HashAlg) -> usize {
    match h {
        HashAlg::Sha1 => 20,
        HashAlg::Sha256 => 32,
        HashAlg::Sha384 => 48,
        HashAlg::Sha512 => 64,
    }
}

/// DER SEQUENCE { oid, params? } with `params` already encoded.
fn alg_id(oid: ObjectIdentifier, params: Option<&[u8]>) -> Vec<u8> {
    let mut body = oid.to_der().unwrap_or_default();
    if let Some(p) = params {
        body.extend_from_slice(p);
    }
    tlv(0x30, &body)
}

/// One DER TLV; the lengths here are all far below 64 KiB.
fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 4);
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(value);
    out
}

/// Split the Authentication Data of a Digital Signature (method 14) AUTH
/// payload: one octet giving the AlgorithmIdentifier's length, the
/// AlgorithmIdentifier, then the signature (RFC 7427 section 3).
pub fn split_auth_data(auth_data: &[u8]) -> Result<(SignatureAlgorithm, &[u8]), AuthError> {
    let (&len, rest) = auth_data
        .split_first()
        .ok_or(AuthError::MalformedAuthData)?;
    let len = usize::from(len);
    let ai = rest.get(..len).ok_or(AuthError::MalformedAuthData)?;
    let sig = rest.get(len..).ok_or(AuthError::MalformedAuthData)?;
    if sig.is_empty() {
        return Err(AuthError::MalformedAuthData);
    }
    Ok((SignatureAlgorithm::from_der(ai)?, sig))
}

/// Build the Authentication Data of a Digital Signature (method 14) AUTH
/// payload from the algorithm and the signature.
pub fn join_auth_data(alg: SignatureAlgorithm, signature: &[u8]) -> Vec<u8> {
    let ai = alg.to_der();
    let mut out = Vec::with_capacity(1 + ai.len() + signature.len());
    // Every AlgorithmIdentifier `to_der` builds is shorter than 100 octets.
    out.push(u8::try_from(ai.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&ai);
    out.extend_from_slice(signature);
    out
}
