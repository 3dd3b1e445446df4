//! Producing our signature AUTH payload, with local or asynchronous keys.
//!
//! The flow, as the state machine drives it:
//!
//! 1. [`choose_scheme`] picks the AUTH method and signature scheme from the
//!    key and the peer's SIGNATURE_HASH_ALGORITHMS (RFC 7427 section 4).
//! 2. [`PendingAuth::start`] builds the [`SignRequest`] (the signed octets
//!    and the scheme) and a [`PendingAuth`] that remembers how to finish.
//! 3. [`AuthSigner::sign`] answers [`Signing::Ready`] (a software key) or
//!    [`Signing::Deferred`] (an HSM, a smart card, a remote agent): the state
//!    machine then hands the request to the embedder and waits; the embedder
//!    returns the signature later as an input.
//! 4. [`PendingAuth::complete`] checks the signature against the public key
//!    (catching an HSM holding the wrong key before the peer does), converts
//!    the ECDSA encoding if needed (HSMs usually return r|s, method 14 wants
//!    DER) and returns the AUTH method and Authentication Data.
//!
//! [`SoftwareSigner`] is the local implementation: RSA (`rsa`), ECDSA on
//! P-256/P-384/P-521 (`p256`/`p384`/`p521`) and Ed25519 (`ed25519-dalek`),
//! loaded from PKCS#8 (PEM or DER), PKCS#1 `RSA PRIVATE KEY` or SEC1
//! `EC PRIVATE KEY`, the forms strongSwan's `pki` and OpenSSL write.

use core::fmt;

use der::Decode;
use pkcs1::DecodeRsaPrivateKey;
use pkcs8::{DecodePrivateKey, EncodePublicKey};
use rand_core::SeedableRng;
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::{PrehashSigner, RandomizedPrehashSigner};
use signature::{RandomizedSigner, SignatureEncoding, Signer as _};

use super::scheme::{hash_len, join_auth_data, negotiate_hash};
use super::verify::{algorithm_of, digest, PublicKey};
use super::{legacy_scheme, AuthError, AuthMethod, HashAlgorithm};
use crate::{
    CryptoError, EcCurve, EcdsaEncoding, HashAlg, SecureRandom, SignatureScheme, SignatureVerifier,
    Signing,
};

/// What the state machine asks a signer: sign these octets with this scheme.
#[derive(Clone, PartialEq, Eq)]
pub struct SignRequest {
    /// The AUTH method the signature goes into.
    pub method: AuthMethod,
    /// The scheme to sign with (hash, padding, curve, encoding).
    pub scheme: SignatureScheme,
    /// The signed octets (RFC 7296 section 2.15).
    pub octets: Vec<u8>,
}

impl fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignRequest")
            .field("method", &self.method)
            .field("scheme", &self.scheme)
            .field("octets_len", &self.octets.len())
            .finish()
    }
}

impl SignRequest {
    /// The hash of the octets, for keys that sign a digest (PKCS#11
    /// `CKM_ECDSA`, `CKM_RSA_PKCS` with a DigestInfo, ...). `None` for
    /// Ed25519, which signs the octets themselves.
    pub fn digest(&self) -> Option<Vec<u8>> {
        scheme_hash(self.scheme).map(|h| digest(h, &self.octets))
    }
}

/// A local private key for signature authentication.
///
/// Implement this for keys held outside the process: return
/// [`Signing::Deferred`] from [`sign`](Self::sign), pass the
/// [`SignRequest`] to the device, and give its answer to
/// [`PendingAuth::complete`]. ECDSA signatures may come back either as
/// r|s (fixed width) or DER.
pub trait AuthSigner: Send + Sync {
    /// The key's DER SubjectPublicKeyInfo.
    fn public_key_spki(&self) -> &[u8];
    /// Whether the key can sign with `scheme` (default: whether the scheme
    /// fits the key type).
    fn supports(&self, scheme: SignatureScheme) -> bool {
        PublicKey::from_spki_der(self.public_key_spki())
            .map(|k| k.fits(scheme))
            .unwrap_or(false)
    }
    /// Sign now, or promise a signature later.
    fn sign(&self, request: &SignRequest) -> Result<Signing, CryptoError>;
}

/// Local preferences for [`choose_scheme`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemePreferences {
    /// Hashes we are willing to sign with, most preferred first.
    pub hashes: Vec<HashAlg>,
    /// With an RSA key under method 14: RSASSA-PSS (true, the RFC 8247
    /// recommendation and libreswan's default) or PKCS#1 v1.5 (false,
    /// strongSwan's default unless `rsa_pss` is set).
    pub rsa_pss: bool,
    /// Fall back to methods 1/9/10/11 when the peer sent no
    /// SIGNATURE_HASH_ALGORITHMS or we share no hash with it.
    pub allow_legacy_methods: bool,
}

impl Default for SchemePreferences {
    fn default() -> Self {
        Self {
            hashes: vec![HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512],
            rsa_pss: true,
            allow_legacy_methods: true,
        }
    }
}

/// Choose the AUTH method and scheme for our key (RFC 7427 section 4).
///
/// `peer_hashes` is the content of the peer's SIGNATURE_HASH_ALGORITHMS
/// notify, `None` if it sent none. With a common hash we use method 14
/// (Ed25519 needs the peer to announce Identity); otherwise the legacy
/// method of the key type if allowed (RSA: method 1, RSASSA-PKCS1-v1_5 with
/// SHA-1; ECDSA: method 9, 10 or 11 by curve); Ed25519 has no legacy method.
pub fn choose_scheme(
    prefs: &SchemePreferences,
    spki_der: &[u8],
    peer_hashes: Option<&[HashAlgorithm]>,
) -> Result<(AuthMethod, SignatureScheme), CryptoError> {
    let key = PublicKey::from_spki_der(spki_der)?;
    if let Some(peer) = peer_hashes {
        let scheme = match &key {
            PublicKey::Ed25519(_) => peer
                .contains(&HashAlgorithm::Identity)
                .then_some(SignatureScheme::Ed25519),
            PublicKey::Rsa(_) => negotiate_hash(&prefs.hashes, peer).map(|h| {
                if prefs.rsa_pss {
                    SignatureScheme::RsaPss(h)
                } else {
                    SignatureScheme::RsaPkcs1(h)
                }
            }),
            k => match (
                k.curve(),
                negotiate_hash(&ecdsa_hashes(prefs, k.curve()), peer),
            ) {
                (Some(curve), Some(hash)) => Some(SignatureScheme::Ecdsa {
                    curve,
                    hash,
                    encoding: EcdsaEncoding::Der,
                }),
                _ => None,
            },
        };
        if let Some(s) = scheme {
            return Ok((AuthMethod::DigitalSignature, s));
        }
    }
    if !prefs.allow_legacy_methods {
        return Err(AuthError::NoCommonHash.into());
    }
    let method = match key.curve() {
        Some(EcCurve::P256) => AuthMethod::EcdsaSha256P256,
        Some(EcCurve::P384) => AuthMethod::EcdsaSha384P384,
        Some(EcCurve::P521) => AuthMethod::EcdsaSha512P521,
        _ if matches!(key, PublicKey::Rsa(_)) => AuthMethod::RsaDigitalSignature,
        _ => return Err(AuthError::NoCommonHash.into()),
    };
    let scheme = legacy_scheme(method).ok_or(AuthError::UnsupportedMethod(u8::from(method)))?;
    Ok((method, scheme))
}

/// An AUTH payload waiting for its signature.
#[derive(Clone)]
pub struct PendingAuth {
    request: SignRequest,
    spki: Vec<u8>,
}

impl fmt::Debug for PendingAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuth")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl PendingAuth {
    /// Prepare to sign `octets` under `method`/`scheme` with the key whose
    /// SubjectPublicKeyInfo is `spki_der`. Returns the request for the signer.
    pub fn start(
        method: AuthMethod,
        scheme: SignatureScheme,
        spki_der: &[u8],
        octets: Vec<u8>,
    ) -> Result<(SignRequest, Self), CryptoError> {
        let key = PublicKey::from_spki_der(spki_der)?;
        if !key.fits(scheme) {
            return Err(AuthError::KeyMismatch.into());
        }
        match method {
            AuthMethod::DigitalSignature => {
                algorithm_of(scheme)?;
            }
            m if legacy_scheme(m).map(strip_encoding) == Some(strip_encoding(scheme)) => {}
            m => return Err(AuthError::UnsupportedMethod(u8::from(m)).into()),
        }
        let request = SignRequest {
            method,
            scheme,
            octets,
        };
        Ok((
            request.clone(),
            Self {
                request,
                spki: spki_der.to_vec(),
            },
        ))
    }

    /// The request this payload waits for.
    pub fn request(&self) -> &SignRequest {
        &self.request
    }

    /// Finish with the signer's answer: verify it, normalise the ECDSA
    /// encoding, and return the AUTH method and Authentication Data.
    pub fn complete(
        &self,
        verifier: &dyn SignatureVerifier,
        signature: &[u8],
    ) -> Result<(AuthMethod, Vec<u8>), CryptoError> {
        let req = &self.request;
        let sig = match req.scheme {
            SignatureScheme::Ecdsa {
                curve, encoding, ..
            } => reencode_ecdsa(curve, signature, encoding)?,
            _ => signature.to_vec(),
        };
        verifier
            .verify(req.scheme, &self.spki, &req.octets, &sig)
            .map_err(|_| CryptoError::from(AuthError::SignerFailed))?;
        let data = match req.method {
            AuthMethod::DigitalSignature => join_auth_data(algorithm_of(req.scheme)?, &sig),
            _ => sig,
        };
        Ok((req.method, data))
    }
}

/// Sign synchronously when the signer can: `Ok(Ok(auth))` with the AUTH
/// method and data, or `Ok(Err(pending))` when the signer deferred.
pub fn sign_auth(
    signer: &dyn AuthSigner,
    verifier: &dyn SignatureVerifier,
    method: AuthMethod,
    scheme: SignatureScheme,
    octets: Vec<u8>,
) -> Result<Result<(AuthMethod, Vec<u8>), PendingAuth>, CryptoError> {
    if !signer.supports(scheme) {
        return Err(AuthError::SchemeNotSupportedBySigner.into());
    }
    let (request, pending) = PendingAuth::start(method, scheme, signer.public_key_spki(), octets)?;
    match signer.sign(&request)? {
        Signing::Ready(sig) => pending.complete(verifier, &sig).map(Ok),
        Signing::Deferred => Ok(Err(pending)),
        #[allow(unreachable_patterns)]
        _ => Err(AuthError::SignerFailed.into()),
    }
}

/// Our hash preferences usable with ECDSA on `curve`: hashes shorter than
/// half the group order (SHA-256 with P-521, SHA-1 with P-384/P-521) are
/// left out, as the RustCrypto ECDSA implementation refuses them.
fn ecdsa_hashes(prefs: &SchemePreferences, curve: Option<EcCurve>) -> Vec<HashAlg> {
    let order_len = match curve {
        Some(EcCurve::P384) => 48,
        Some(EcCurve::P521) => 66,
        _ => 32,
    };
    prefs
        .hashes
        .iter()
        .copied()
        .filter(|h| 2 * hash_len(*h) >= order_len)
        .collect()
}

fn strip_encoding(s: SignatureScheme) -> SignatureScheme {
    match s {
        SignatureScheme::Ecdsa { curve, hash, .. } => SignatureScheme::Ecdsa {
            curve,
            hash,
            encoding: EcdsaEncoding::Fixed,
        },
        other => other,
    }
}

fn scheme_hash(s: SignatureScheme) -> Option<HashAlg> {
    match s {
        SignatureScheme::RsaPkcs1(h) | SignatureScheme::RsaPss(h) => Some(h),
        SignatureScheme::Ecdsa { hash, .. } => Some(hash),
        _ => None,
    }
}

/// Accept an ECDSA signature as r|s or DER; return it in `want` encoding.
fn reencode_ecdsa(curve: EcCurve, sig: &[u8], want: EcdsaEncoding) -> Result<Vec<u8>, CryptoError> {
    let bad = || CryptoError::from(AuthError::MalformedSignature);
    macro_rules! conv {
        ($m:ident) => {{
            let s = $m::ecdsa::Signature::from_slice(sig)
                .or_else(|_| $m::ecdsa::Signature::from_der(sig))
                .map_err(|_| bad())?;
            Ok(match want {
                EcdsaEncoding::Der => s.to_der().as_bytes().to_vec(),
                _ => s.to_bytes().to_vec(),
            })
        }};
    }
    match curve {
        EcCurve::P256 => conv!(p256),
        EcCurve::P384 => conv!(p384),
        EcCurve::P521 => conv!(p521),
        #[allow(unreachable_patterns)]
        _ => Err(bad()),
    }
}

enum KeyInner {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A private key in memory. Every key type zeroizes its secret on drop;
/// `Debug` shows only the key type.
pub struct SoftwareSigner {
    key: KeyInner,
    spki: Vec<u8>,
    rng: &'static dyn SecureRandom,
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.key {
            KeyInner::Rsa(_) => "RSA",
            KeyInner::P256(_) => "ECDSA P-256",
            KeyInner::P384(_) => "ECDSA P-384",
            KeyInner::P521(_) => "ECDSA P-521",
            KeyInner::Ed25519(_) => "Ed25519",
        };
        write!(f, "SoftwareSigner({kind}, private key redacted)")
    }
}

impl SoftwareSigner {
    /// Load a private key from PEM (`PRIVATE KEY`, `RSA PRIVATE KEY` or
    /// `EC PRIVATE KEY`) or DER (PKCS#8, PKCS#1 or SEC1). `rng` supplies the
    /// RSA blinding factors, RSASSA-PSS salts and P-521 nonces (P-256 and
    /// P-384 use RFC 6979 deterministic nonces; Ed25519 is deterministic).
    pub fn from_pem_or_der(
        data: &[u8],
        rng: &'static dyn SecureRandom,
    ) -> Result<Self, CryptoError> {
        let bad = || CryptoError::from(AuthError::MalformedPrivateKey);
        if data.starts_with(b"-----BEGIN") {
            let (label, der) = der::pem::decode_vec(data).map_err(|_| bad())?;
            let der = zeroize::Zeroizing::new(der);
            match label {
                "PRIVATE KEY" => Self::from_pkcs8_der(&der, rng),
                "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(&der)
                    .map_err(|_| bad())
                    .and_then(|k| Self::new(KeyInner::Rsa(Box::new(k)), rng)),
                "EC PRIVATE KEY" => Self::from_sec1_der(&der, rng),
                _ => Err(bad()),
            }
        } else {
            Self::from_pkcs8_der(data, rng)
                .or_else(|_| {
                    rsa::RsaPrivateKey::from_pkcs1_der(data)
                        .map_err(|_| bad())
                        .and_then(|k| Self::new(KeyInner::Rsa(Box::new(k)), rng))
                })
                .or_else(|_| Self::from_sec1_der(data, rng))
        }
    }

    /// Load a PKCS#8 PrivateKeyInfo (DER).
    pub fn from_pkcs8_der(der: &[u8], rng: &'static dyn SecureRandom) -> Result<Self, CryptoError> {
        let bad = || CryptoError::from(AuthError::MalformedPrivateKey);
        let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|_| bad())?;
        let oid = info.algorithm.oid.to_string();
        let key = match oid.as_str() {
            "1.2.840.113549.1.1.1" => rsa::RsaPrivateKey::from_pkcs8_der(der)
                .map(|k| KeyInner::Rsa(Box::new(k)))
                .map_err(|_| bad())?,
            "1.3.101.112" => ed25519_dalek::SigningKey::from_pkcs8_der(der)
                .map(|k| KeyInner::Ed25519(Box::new(k)))
                .map_err(|_| bad())?,
            "1.2.840.10045.2.1" => {
                if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
                    KeyInner::P256(k.into())
                } else if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
                    KeyInner::P384(k.into())
                } else {
                    let k = p521::SecretKey::from_pkcs8_der(der).map_err(|_| bad())?;
                    KeyInner::P521(
                        p521::ecdsa::SigningKey::from_bytes(&k.to_bytes()).map_err(|_| bad())?,
                    )
                }
            }
            _ => return Err(AuthError::UnsupportedKey.into()),
        };
        Self::new(key, rng)
    }

    fn from_sec1_der(der: &[u8], rng: &'static dyn SecureRandom) -> Result<Self, CryptoError> {
        let bad = || CryptoError::from(AuthError::MalformedPrivateKey);
        let key = if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
            KeyInner::P256(k.into())
        } else if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
            KeyInner::P384(k.into())
        } else {
            let k = p521::SecretKey::from_sec1_der(der).map_err(|_| bad())?;
            KeyInner::P521(p521::ecdsa::SigningKey::from_bytes(&k.to_bytes()).map_err(|_| bad())?)
        };
        Self::new(key, rng)
    }

    fn new(key: KeyInner, rng: &'static dyn SecureRandom) -> Result<Self, CryptoError> {
        let bad = || CryptoError::from(AuthError::MalformedPrivateKey);
        let spki = match &key {
            KeyInner::Rsa(k) => k.to_public_key().to_public_key_der(),
            KeyInner::P256(k) => p256::PublicKey::from(k.verifying_key()).to_public_key_der(),
            KeyInner::P384(k) => p384::PublicKey::from(k.verifying_key()).to_public_key_der(),
            KeyInner::P521(k) => {
                p521::PublicKey::from_secret_scalar(k.as_nonzero_scalar()).to_public_key_der()
            }
            KeyInner::Ed25519(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|_| bad())?
        .into_vec();
        Ok(Self { key, spki, rng })
    }

    /// Sign `message` with `scheme` now. ECDSA output uses the scheme's
    /// encoding.
    pub fn sign_now(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let fail = || CryptoError::from(AuthError::SignerFailed);
        let mut seed = [0u8; 32];
        self.rng.fill(&mut seed)?;
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed);
        zeroize::Zeroize::zeroize(&mut seed);
        match (&self.key, scheme) {
            (KeyInner::Rsa(k), SignatureScheme::RsaPkcs1(h)) => {
                let k = (**k).clone();
                Ok(match h {
                    HashAlg::Sha1 => rsa::pkcs1v15::SigningKey::<Sha1>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                    HashAlg::Sha256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                    HashAlg::Sha384 => rsa::pkcs1v15::SigningKey::<Sha384>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                    HashAlg::Sha512 => rsa::pkcs1v15::SigningKey::<Sha512>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                }
                .map_err(|_| fail())?)
            }
            (KeyInner::Rsa(k), SignatureScheme::RsaPss(h)) => {
                let k = (**k).clone();
                Ok(match h {
                    HashAlg::Sha1 => rsa::pss::BlindedSigningKey::<Sha1>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                    HashAlg::Sha256 => rsa::pss::BlindedSigningKey::<Sha256>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                    HashAlg::Sha384 => rsa::pss::BlindedSigningKey::<Sha384>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                    HashAlg::Sha512 => rsa::pss::BlindedSigningKey::<Sha512>::new(k)
                        .try_sign_with_rng(&mut rng, message)
                        .map(|s| s.to_vec()),
                }
                .map_err(|_| fail())?)
            }
            (KeyInner::Ed25519(k), SignatureScheme::Ed25519) => {
                Ok(k.sign(message).to_bytes().to_vec())
            }
            (
                key,
                SignatureScheme::Ecdsa {
                    curve,
                    hash,
                    encoding,
                },
            ) => {
                let d = digest(hash, message);
                macro_rules! out {
                    ($sig:expr) => {{
                        let s = $sig.map_err(|_| fail())?;
                        Ok(match encoding {
                            EcdsaEncoding::Der => s.to_der().as_bytes().to_vec(),
                            _ => s.to_bytes().to_vec(),
                        })
                    }};
                }
                match (key, curve) {
                    (KeyInner::P256(k), EcCurve::P256) => {
                        out!(PrehashSigner::<p256::ecdsa::Signature>::sign_prehash(k, &d))
                    }
                    (KeyInner::P384(k), EcCurve::P384) => {
                        out!(PrehashSigner::<p384::ecdsa::Signature>::sign_prehash(k, &d))
                    }
                    (KeyInner::P521(k), EcCurve::P521) => {
                        out!(k.sign_prehash_with_rng(&mut rng, &d))
                    }
                    _ => Err(AuthError::SchemeNotSupportedBySigner.into()),
                }
            }
            _ => Err(AuthError::SchemeNotSupportedBySigner.into()),
        }
    }
}

impl AuthSigner for SoftwareSigner {
    fn public_key_spki(&self) -> &[u8] {
        &self.spki
    }

    fn sign(&self, request: &SignRequest) -> Result<Signing, CryptoError> {
        self.sign_now(request.scheme, &request.octets)
            .map(Signing::Ready)
    }
}
