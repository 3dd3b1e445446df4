//! Verifying a peer's signature AUTH payload.

use der::Decode;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{DecodePublicKey, ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::scheme::{split_auth_data, SignatureAlgorithm};
use super::{legacy_scheme, AuthError, AuthMethod, HashAlgorithm};
use crate::{CryptoError, EcCurve, HashAlg, SignatureScheme, SignatureVerifier};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// A peer's public key, parsed from a DER SubjectPublicKeyInfo (from its
/// certificate or a raw public key, RFC 7670).
#[derive(Clone)]
#[non_exhaustive]
pub enum PublicKey {
    /// RSA.
    Rsa(rsa::RsaPublicKey),
    /// ECDSA on P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA on P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// ECDSA on P-521.
    P521(p521::ecdsa::VerifyingKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Rsa(_) => write!(f, "PublicKey(RSA {} bits)", self.rsa_bits().unwrap_or(0)),
            Self::Ed25519(_) => f.write_str("PublicKey(Ed25519)"),
            _ => write!(f, "PublicKey(ECDSA {:?})", self.curve()),
        }
    }
}

impl PublicKey {
    /// Parse a DER SubjectPublicKeyInfo. Keys other than RSA, EC on
    /// P-256/384/521 and Ed25519 are [`AuthError::UnsupportedKey`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        let bad = || CryptoError::from(AuthError::UnsupportedKey);
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| bad())?;
        match spki.algorithm.oid {
            RSA_ENCRYPTION => rsa::RsaPublicKey::from_public_key_der(der)
                .map(Self::Rsa)
                .map_err(|_| bad()),
            ED25519 => ed25519_dalek::VerifyingKey::from_public_key_der(der)
                .map(Self::Ed25519)
                .map_err(|_| bad()),
            EC_PUBLIC_KEY => {
                let curve: ObjectIdentifier = spki
                    .algorithm
                    .parameters
                    .ok_or_else(bad)?
                    .decode_as()
                    .map_err(|_| bad())?;
                let point = spki.subject_public_key.as_bytes().ok_or_else(bad)?;
                match curve {
                    SECP256R1 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(Self::P256)
                        .map_err(|_| bad()),
                    SECP384R1 => p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(Self::P384)
                        .map_err(|_| bad()),
                    SECP521R1 => p521::ecdsa::VerifyingKey::from_sec1_bytes(point)
                        .map(Self::P521)
                        .map_err(|_| bad()),
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }

    /// The curve of an EC key.
    pub fn curve(&self) -> Option<EcCurve> {
        match self {
            Self::P256(_) => Some(EcCurve::P256),
            Self::P384(_) => Some(EcCurve::P384),
            Self::P521(_) => Some(EcCurve::P521),
            Self::Rsa(_) | Self::Ed25519(_) => None,
        }
    }

    /// RSA modulus size in bits (`None` for other keys).
    pub fn rsa_bits(&self) -> Option<usize> {
        use rsa::traits::PublicKeyParts;
        match self {
            Self::Rsa(k) => Some(k.n().bits()),
            _ => None,
        }
    }

    /// Whether `scheme` can be used with this key.
    pub fn fits(&self, scheme: SignatureScheme) -> bool {
        match (self, scheme) {
            (Self::Rsa(_), SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_)) => true,
            (Self::Ed25519(_), SignatureScheme::Ed25519) => true,
            (_, SignatureScheme::Ecdsa { curve, .. }) => self.curve() == Some(curve),
            _ => false,
        }
    }
}

/// Hash `message` with `h`.
pub(crate) fn digest(h: HashAlg, message: &[u8]) -> Vec<u8> {
    match h {
        HashAlg::Sha1 => Sha1::digest(message).to_vec(),
        HashAlg::Sha256 => Sha256::digest(message).to_vec(),
        HashAlg::Sha384 => Sha384::digest(message).to_vec(),
        HashAlg::Sha512 => Sha512::digest(message).to_vec(),
    }
}

/// Verify `signature` over `message` with a key given as DER
/// SubjectPublicKeyInfo, through the provider's verifier.
pub fn verify_signature(
    verifier: &dyn SignatureVerifier,
    scheme: SignatureScheme,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    if !verifier.supports(scheme) {
        return Err(AuthError::UnsupportedSignatureAlgorithm.into());
    }
    // Report provider errors as the authentication check that failed.
    verifier
        .verify(scheme, spki_der, message, signature)
        .map_err(|e| match e {
            CryptoError::BadSignature => AuthError::BadSignature.into(),
            CryptoError::MalformedKey => AuthError::UnsupportedKey.into(),
            other => other,
        })
}

/// What a responder or initiator accepts from its peer's signature AUTH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthPolicy {
    /// Hashes accepted in method 14 signatures, normally the list we sent in
    /// SIGNATURE_HASH_ALGORITHMS. EdDSA needs [`HashAlgorithm::Identity`].
    pub hashes: Vec<HashAlgorithm>,
    /// Accept the legacy methods 1 (RSA with SHA-1), 9, 10 and 11. RFC 7427
    /// section 4 still lets a peer use them; method 1 uses SHA-1.
    pub allow_legacy_methods: bool,
    /// Smallest RSA modulus accepted, in bits.
    pub min_rsa_bits: usize,
}

impl Default for AuthPolicy {
    /// SHA2-256/384/512 and Identity in method 14, legacy methods allowed
    /// (strongSwan's and libreswan's default behaviour), RSA keys of at
    /// least 2048 bits (RFC 8247 section 3.2).
    fn default() -> Self {
        Self {
            hashes: vec![
                HashAlgorithm::Sha2_256,
                HashAlgorithm::Sha2_384,
                HashAlgorithm::Sha2_512,
                HashAlgorithm::Identity,
            ],
            allow_legacy_methods: true,
            min_rsa_bits: 2048,
        }
    }
}

/// Verify a peer's signature-based AUTH payload.
///
/// `method` and `auth_data` are the AUTH payload's fields, `signed_octets`
/// the peer's octets from the key schedule, `spki_der` the peer's public key
/// (from its validated end-entity certificate). Returns the scheme the peer
/// used. The key must fit the scheme (method 9 needs a P-256 key, an RSA
/// scheme an RSA key, and so on) and the scheme must pass `policy`.
pub fn verify_auth(
    verifier: &dyn SignatureVerifier,
    policy: &AuthPolicy,
    method: AuthMethod,
    auth_data: &[u8],
    signed_octets: &[u8],
    spki_der: &[u8],
) -> Result<SignatureScheme, CryptoError> {
    let key = PublicKey::from_spki_der(spki_der)?;
    if let Some(bits) = key.rsa_bits() {
        if bits < policy.min_rsa_bits {
            return Err(AuthError::UnsupportedKey.into());
        }
    }
    let (scheme, signature) = match method {
        AuthMethod::DigitalSignature => {
            let (alg, sig) = split_auth_data(auth_data)?;
            let needed = alg.notify_hash();
            if !policy.hashes.contains(&needed) {
                return Err(AuthError::HashNotAllowed(needed).into());
            }
            (alg.to_scheme(key.curve())?, sig)
        }
        m => {
            let scheme = legacy_scheme(m).ok_or(AuthError::UnsupportedMethod(u8::from(m)))?;
            if !policy.allow_legacy_methods {
                return Err(AuthError::LegacyMethodNotAllowed.into());
            }
            (scheme, auth_data)
        }
    };
    if !key.fits(scheme) {
        return Err(AuthError::KeyMismatch.into());
    }
    verify_signature(verifier, scheme, spki_der, signed_octets, signature)?;
    Ok(scheme)
}

/// The algorithm a scheme is announced as in method 14.
pub(crate) fn algorithm_of(scheme: SignatureScheme) -> Result<SignatureAlgorithm, CryptoError> {
    Ok(SignatureAlgorithm::from_scheme(scheme)?)
}
