//! Signature verification with RustCrypto: RSA PKCS#1 v1.5 and PSS, ECDSA
//! on P-256/384/521 with any SHA-2 (or SHA-1) hash, Ed25519.

use crate::{CryptoError, EcCurve, EcdsaEncoding, HashAlg, SignatureScheme, SignatureVerifier};
use digest::Digest;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;

/// Verifies with the RustCrypto crates.
#[derive(Debug, Clone, Copy)]
pub struct RustCryptoVerifier;

fn hash(alg: HashAlg, msg: &[u8]) -> Vec<u8> {
    match alg {
        HashAlg::Sha1 => sha1::Sha1::digest(msg).to_vec(),
        HashAlg::Sha256 => sha2::Sha256::digest(msg).to_vec(),
        HashAlg::Sha384 => sha2::Sha384::digest(msg).to_vec(),
        HashAlg::Sha512 => sha2::Sha512::digest(msg).to_vec(),
    }
}

fn bad<E>(_: E) -> CryptoError {
    CryptoError::BadSignature
}

fn key<E>(_: E) -> CryptoError {
    CryptoError::MalformedKey
}

macro_rules! ecdsa_verify {
    ($curve:ident, $spki:expr, $digest:expr, $sig:expr, $enc:expr) => {{
        let vk = $curve::ecdsa::VerifyingKey::from_public_key_der($spki).map_err(key)?;
        let sig = match $enc {
            EcdsaEncoding::Der => $curve::ecdsa::Signature::from_der($sig).map_err(bad)?,
            _ => $curve::ecdsa::Signature::from_slice($sig).map_err(bad)?,
        };
        vk.verify_prehash($digest, &sig).map_err(bad)
    }};
}

fn rsa_pkcs1(
    hash: HashAlg,
    pk: rsa::RsaPublicKey,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), CryptoError> {
    let sig = rsa::pkcs1v15::Signature::try_from(sig).map_err(bad)?;
    match hash {
        HashAlg::Sha1 => rsa::pkcs1v15::VerifyingKey::<sha1::Sha1>::new(pk).verify(msg, &sig),
        HashAlg::Sha256 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(pk).verify(msg, &sig),
        HashAlg::Sha384 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha384>::new(pk).verify(msg, &sig),
        HashAlg::Sha512 => rsa::pkcs1v15::VerifyingKey::<sha2::Sha512>::new(pk).verify(msg, &sig),
    }
    .map_err(bad)
}

fn rsa_pss(
    hash: HashAlg,
    pk: rsa::RsaPublicKey,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), CryptoError> {
    let sig = rsa::pss::Signature::try_from(sig).map_err(bad)?;
    match hash {
        HashAlg::Sha1 => rsa::pss::VerifyingKey::<sha1::Sha1>::new(pk).verify(msg, &sig),
        HashAlg::Sha256 => rsa::pss::VerifyingKey::<sha2::Sha256>::new(pk).verify(msg, &sig),
        HashAlg::Sha384 => rsa::pss::VerifyingKey::<sha2::Sha384>::new(pk).verify(msg, &sig),
        HashAlg::Sha512 => rsa::pss::VerifyingKey::<sha2::Sha512>::new(pk).verify(msg, &sig),
    }
    .map_err(bad)
}

impl SignatureVerifier for RustCryptoVerifier {
    fn supports(&self, _scheme: SignatureScheme) -> bool {
        true
    }

    fn verify(
        &self,
        scheme: SignatureScheme,
        spki: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), CryptoError> {
        match scheme {
            SignatureScheme::RsaPkcs1(h) => rsa_pkcs1(
                h,
                rsa::RsaPublicKey::from_public_key_der(spki).map_err(key)?,
                msg,
                sig,
            ),
            SignatureScheme::RsaPss(h) => rsa_pss(
                h,
                rsa::RsaPublicKey::from_public_key_der(spki).map_err(key)?,
                msg,
                sig,
            ),
            SignatureScheme::Ecdsa {
                curve,
                hash: h,
                encoding,
            } => {
                let digest = hash(h, msg);
                match curve {
                    EcCurve::P256 => ecdsa_verify!(p256, spki, &digest, sig, encoding),
                    EcCurve::P384 => ecdsa_verify!(p384, spki, &digest, sig, encoding),
                    EcCurve::P521 => {
                        let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(&p521_point(spki)?)
                            .map_err(key)?;
                        let sig = match encoding {
                            EcdsaEncoding::Der => {
                                p521::ecdsa::Signature::from_der(sig).map_err(bad)?
                            }
                            _ => p521::ecdsa::Signature::from_slice(sig).map_err(bad)?,
                        };
                        vk.verify_prehash(&digest, &sig).map_err(bad)
                    }
                }
            }
            SignatureScheme::Ed25519 => {
                let vk = ed25519_dalek::VerifyingKey::from_public_key_der(spki).map_err(key)?;
                let sig = ed25519_dalek::Signature::from_slice(sig).map_err(bad)?;
                vk.verify_strict(msg, &sig).map_err(bad)
            }
        }
    }
}

/// p521's VerifyingKey has no SPKI decoder; take the point out of the SPKI.
fn p521_point(spki: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let info = spki::SubjectPublicKeyInfoRef::try_from(spki).map_err(key)?;
    Ok(info.subject_public_key.raw_bytes().to_vec())
}
