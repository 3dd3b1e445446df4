//! CERTREQ authority hashes (RFC 7296 section 3.7) and choosing which of
//! our certificate chains to send.
//!
//! For encoding 4 (X.509 Certificate - Signature) the Certification
//! Authority field is a concatenation of 20-octet SHA-1 hashes of the
//! trust anchors' SubjectPublicKeyInfo. [`super::CertVerifier::certreq_data`]
//! writes ours; [`parse_authority_hashes`] reads the peer's and
//! [`select_chain`] picks the chain that leads to one of those CAs.

use sha1::{Digest, Sha1};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::CertError;
use crate::CryptoError;

/// CERTREQ/CERT encoding 4: X.509 Certificate - Signature.
pub const ENCODING_X509_SIGNATURE: u8 = 4;

/// SHA-1 of a DER SubjectPublicKeyInfo: one CERTREQ authority hash.
pub fn authority_hash(spki_der: &[u8]) -> [u8; 20] {
    Sha1::digest(spki_der).into()
}

/// Split the Certification Authority field of a CERTREQ payload into
/// hashes. An empty field is valid (the peer asks for any certificate); a
/// length that is not a multiple of 20 is malformed.
pub fn parse_authority_hashes(data: &[u8]) -> Result<Vec<[u8; 20]>, CryptoError> {
    if data.len() % 20 != 0 {
        return Err(CertError::Malformed.into());
    }
    Ok(data
        .chunks_exact(20)
        .filter_map(|c| <[u8; 20]>::try_from(c).ok())
        .collect())
}

/// One of our credentials: the certificates we can send and the CA that
/// issued the top one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalChain {
    /// End entity first, then intermediates, each DER.
    pub certs: Vec<Vec<u8>>,
    /// The root the chain ends at (DER), not sent; needed to match a
    /// CERTREQ for the root when intermediates are present.
    pub root: Option<Vec<u8>>,
}

impl LocalChain {
    /// Authority hashes of every CA in the chain above the end entity
    /// (intermediates, then the root), in that order.
    pub fn authority_hashes(&self) -> Result<Vec<[u8; 20]>, CryptoError> {
        self.certs
            .iter()
            .skip(1)
            .chain(self.root.iter())
            .map(|der| {
                let (_, c) = X509Certificate::from_der(der).map_err(|_| CertError::Malformed)?;
                Ok(authority_hash(c.public_key().raw))
            })
            .collect()
    }
}

/// Which chain to send and how much of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainChoice {
    /// Index into the chains given to [`select_chain`].
    pub index: usize,
    /// How many certificates of that chain to send (end entity first):
    /// intermediates above the CA the peer asked for are left out.
    pub send: usize,
    /// Whether the choice answers one of the peer's hashes (false: no
    /// CERTREQ, or nothing matched and the first chain is sent anyway, as
    /// RFC 7296 section 3.7 allows).
    pub matched: bool,
}

/// Pick the chain to send for the peer's CERTREQ hashes (`requested`, in
/// the peer's order of preference). The first chain that reaches a
/// requested CA wins, cut just below that CA. With no CERTREQ or no match,
/// the first chain is sent whole. `None` only when `chains` is empty.
pub fn select_chain(
    chains: &[LocalChain],
    requested: &[[u8; 20]],
) -> Result<Option<ChainChoice>, CryptoError> {
    if chains.is_empty() {
        return Ok(None);
    }
    for want in requested {
        for (index, chain) in chains.iter().enumerate() {
            if let Some(pos) = chain.authority_hashes()?.iter().position(|h| h == want) {
                // pos 0 is the issuer of the end entity: send only the EE.
                let send = (pos + 1).min(chain.certs.len());
                return Ok(Some(ChainChoice {
                    index,
                    send,
                    matched: true,
                }));
            }
        }
    }
    Ok(chains.first().map(|c| ChainChoice {
        index: 0,
        send: c.certs.len(),
        matched: false,
    }))
}
