//! rustls-webpki signature algorithms on top of a provider's
//! [`SignatureVerifier`], so certificate paths are checked by the same code
//! (RustCrypto or a faster provider) that checks AUTH payloads.

use core::fmt;

use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm,
};

use crate::{EcCurve, EcdsaEncoding, HashAlg, SignatureScheme, SignatureVerifier};

/// One (public key algorithm, signature algorithm) pair webpki may use.
pub(crate) struct Alg {
    verifier: &'static dyn SignatureVerifier,
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    scheme: SignatureScheme,
}

impl fmt::Debug for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alg({:?})", self.scheme)
    }
}

impl SignatureVerificationAlgorithm for Alg {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let spki = spki_der(&self.public_key, public_key);
        self.verifier
            .verify(self.scheme, &spki, message, signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }
}

/// Rebuild `SubjectPublicKeyInfo ::= SEQUENCE { algorithm, BIT STRING }`
/// from webpki's pieces (the AlgorithmIdentifier contents and the key bits).
fn spki_der(alg: &AlgorithmIdentifier, key: &[u8]) -> Vec<u8> {
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0);
    bits.extend_from_slice(key);
    let mut body = tlv(0x30, alg.as_ref());
    body.extend(tlv(0x03, &bits));
    tlv(0x30, &body)
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(tag);
    let len = value.len();
    let len_octets = len.to_be_bytes();
    let first = len_octets
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(len_octets.len());
    let significant = len_octets.get(first..).unwrap_or_default();
    if len < 0x80 {
        out.extend_from_slice(significant);
        if significant.is_empty() {
            out.push(0);
        }
    } else {
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(value);
    out
}

/// The webpki algorithm table for `verifier`: RSA PKCS#1 v1.5 and PSS with
/// SHA-256/384/512, ECDSA on P-256/384/521 with SHA-256/384/512, Ed25519.
/// SHA-1 certificate signatures are not accepted (as in webpki's own tables).
pub fn signature_algorithms(
    verifier: &'static dyn SignatureVerifier,
) -> Vec<Box<dyn SignatureVerificationAlgorithm>> {
    let mut v: Vec<Box<dyn SignatureVerificationAlgorithm>> = Vec::new();
    let mut push = |public_key, signature, scheme| {
        if verifier.supports(scheme) {
            v.push(Box::new(Alg {
                verifier,
                public_key,
                signature,
                scheme,
            }));
        }
    };
    for (sig, pss, h) in [
        (
            alg_id::RSA_PKCS1_SHA256,
            alg_id::RSA_PSS_SHA256,
            HashAlg::Sha256,
        ),
        (
            alg_id::RSA_PKCS1_SHA384,
            alg_id::RSA_PSS_SHA384,
            HashAlg::Sha384,
        ),
        (
            alg_id::RSA_PKCS1_SHA512,
            alg_id::RSA_PSS_SHA512,
            HashAlg::Sha512,
        ),
    ] {
        push(alg_id::RSA_ENCRYPTION, sig, SignatureScheme::RsaPkcs1(h));
        push(alg_id::RSA_ENCRYPTION, pss, SignatureScheme::RsaPss(h));
    }
    for (key, curve) in [
        (alg_id::ECDSA_P256, EcCurve::P256),
        (alg_id::ECDSA_P384, EcCurve::P384),
        (alg_id::ECDSA_P521, EcCurve::P521),
    ] {
        for (sig, hash) in [
            (alg_id::ECDSA_SHA256, HashAlg::Sha256),
            (alg_id::ECDSA_SHA384, HashAlg::Sha384),
            (alg_id::ECDSA_SHA512, HashAlg::Sha512),
        ] {
            let scheme = SignatureScheme::Ecdsa {
                curve,
                hash,
                encoding: EcdsaEncoding::Der,
            };
            push(key, sig, scheme);
        }
    }
    push(alg_id::ED25519, alg_id::ED25519, SignatureScheme::Ed25519);
    v
}

#[cfg(test)]
mod tests {
    use super::tlv;

    #[test]
    fn der_lengths() {
        assert_eq!(tlv(0x04, &[]), [0x04, 0x00]);
        assert_eq!(tlv(0x04, &[7; 0x7f])[..2], [0x04, 0x7f]);
        assert_eq!(tlv(0x04, &[7; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(0x04, &[7; 0x1234])[..4], [0x04, 0x82, 0x12, 0x34]);
    }
}
