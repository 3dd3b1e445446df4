//! Certificate authentication in IKE_AUTH (RFC 7296 §2.15, §3.6, §3.7;
//! RFC 7427 signatures; RFC 4945 identity rules), both roles.
//!
//! Signing: the AUTH payload signs the same octets as the PSK MAC
//! (`RealMessage | Nonce | prf(SK_p, ID')`); the scheme is chosen from our
//! key and the peer's SIGNATURE_HASH_ALGORITHMS (method 14), else the
//! legacy method of the key type. The chain sent is the one the peer's
//! CERTREQ asks for, cut below the CA it named
//! ([`ikev2_crypto::cert::certreq::select_chain`]).
//!
//! Verifying: the peer's end-entity CERT and intermediates are validated
//! with [`CertVerifier`] against the configured CAs at the configured wall
//! clock, then Key Usage / Extended Key Usage, then the peer's ID payload
//! against the certificate's subjectAltName or subject, then the AUTH
//! signature with the certificate's key. Each refusal becomes a typed
//! [`AuthFailure`] (`Certificate(CertFailure::...)` or `SignatureInvalid`).

use std::borrow::Cow;

use ikev2_crypto::auth::scheme::parse_hash_algorithms;
use ikev2_crypto::auth::{
    sign_auth, verify_auth, AuthPolicy, HashAlgorithm, PendingAuth, SignRequest,
};
use ikev2_crypto::cert::certreq::{select_chain, LocalChain};
use ikev2_crypto::cert::{CertError, CertVerifier, PeerIdentity, UnixTime, ValidationPolicy};
use ikev2_crypto::CryptoError;
use ikev2_wire::{
    AuthRepr, CertEncoding, CertRepr, IdRepr, MessageRepr, NotifyType, PayloadBody, PayloadRepr,
};

use super::Ctx;
use crate::config::{Auth, CertCredential, CertTrust, PeerConfig};
use crate::events::{AuthFailure, CertFailure};

/// The peer's SIGNATURE_HASH_ALGORITHMS from its IKE_SA_INIT message.
pub(crate) fn peer_hashes(peer_init: &[u8]) -> Option<Vec<HashAlgorithm>> {
    let msg = MessageRepr::parse(peer_init).ok()?;
    msg.payloads.iter().find_map(|p| match &p.body {
        PayloadBody::Notify(n) if n.notify_type == NotifyType::SignatureHashAlgorithms => {
            parse_hash_algorithms(&n.data).ok()
        }
        _ => None,
    })
}

/// CERTREQ authority hashes in `payloads` (encoding 4 only).
pub(crate) fn requested_cas(payloads: &[PayloadRepr<'_>]) -> Vec<[u8; 20]> {
    payloads
        .iter()
        .filter_map(|p| match &p.body {
            PayloadBody::CertReq(c) if c.encoding == CertEncoding::X509CertificateSignature => {
                ikev2_crypto::cert::certreq::parse_authority_hashes(&c.data).ok()
            }
            _ => None,
        })
        .flatten()
        .collect()
}

/// The CERTREQ hashes of a raw message (the peer's IKE_SA_INIT).
pub(crate) fn requested_cas_in(message: &[u8]) -> Vec<[u8; 20]> {
    MessageRepr::parse(message)
        .map(|m| requested_cas(&m.payloads))
        .unwrap_or_default()
}

/// The X.509 certificates the peer sent, end entity first.
pub(crate) fn peer_certs<'a>(payloads: &'a [PayloadRepr<'a>]) -> Vec<&'a [u8]> {
    payloads
        .iter()
        .filter_map(|p| match &p.body {
            PayloadBody::Cert(c) if c.encoding == CertEncoding::X509CertificateSignature => {
                Some(c.data.as_ref())
            }
            _ => None,
        })
        .collect()
}

/// A CERTREQ naming `cas` (none if empty).
fn certreq_for<'a>(cas: impl Iterator<Item = &'a Vec<u8>>) -> Option<PayloadRepr<'static>> {
    // A chain of just a root yields that root's authority hash.
    let data: Vec<u8> = cas
        .filter_map(|ca| {
            LocalChain {
                certs: Vec::new(),
                root: Some(ca.clone()),
            }
            .authority_hashes()
            .ok()
        })
        .flatten()
        .flatten()
        .collect();
    if data.is_empty() {
        return None;
    }
    Some(PayloadRepr::new(PayloadBody::CertReq(CertRepr {
        encoding: CertEncoding::X509CertificateSignature,
        data: Cow::Owned(data),
    })))
}

/// Our CERTREQ for one peer configuration (initiator, in IKE_AUTH).
pub(crate) fn certreq(peer: &PeerConfig) -> Option<PayloadRepr<'static>> {
    match &peer.remote_auth {
        Auth::TrustedCa(t) => certreq_for(t.ca_certs.iter()),
        _ => None,
    }
}

/// Our CERTREQ in an IKE_SA_INIT response: every CA any configuration
/// trusts (the configuration is chosen only in IKE_AUTH).
pub(crate) fn init_certreq(peers: &[std::sync::Arc<PeerConfig>]) -> Option<PayloadRepr<'static>> {
    let mut cas: Vec<&Vec<u8>> = Vec::new();
    for p in peers {
        if let Auth::TrustedCa(t) = &p.remote_auth {
            for c in &t.ca_certs {
                if !cas.contains(&c) {
                    cas.push(c);
                }
            }
        }
    }
    certreq_for(cas.into_iter())
}

/// CERT payloads for our chain, honouring the peer's CERTREQ.
pub(crate) fn cert_payloads(
    cred: &CertCredential,
    requested: &[[u8; 20]],
) -> Vec<PayloadRepr<'static>> {
    let chain = LocalChain {
        certs: cred.chain.clone(),
        root: cred.root.clone(),
    };
    let send = match select_chain(std::slice::from_ref(&chain), requested) {
        Ok(Some(c)) => c.send,
        _ => cred.chain.len(),
    };
    cred.chain
        .iter()
        .take(send.max(1))
        .map(|der| {
            PayloadRepr::new(PayloadBody::Cert(CertRepr {
                encoding: CertEncoding::X509CertificateSignature,
                data: Cow::Owned(der.clone()),
            }))
        })
        .collect()
}

/// Our signature AUTH payload over `octets`. With `presigned` (the
/// embedder's answer to an `Output::NeedSignature`), that signature is
/// checked against our public key and used; otherwise the signer is asked,
/// and a signer that defers yields [`Signed::Deferred`] with the request to
/// hand out.
pub(crate) fn sign(
    ctx: &Ctx<'_>,
    cred: &CertCredential,
    octets: Vec<u8>,
    peer_init: &[u8],
    presigned: Option<&[u8]>,
) -> Result<AuthRepr<'static>, Signed> {
    let fail = |e: CryptoError| Signed::Failed(AuthFailure::LocalSigner(e.to_string()));
    let hashes = peer_hashes(peer_init);
    let spki = cred.signer.public_key_spki();
    let (method, scheme) =
        ikev2_crypto::auth::choose_scheme(&cred.prefs, spki, hashes.as_deref()).map_err(fail)?;
    let done = match presigned {
        Some(sig) => {
            let (_, pending) = PendingAuth::start(method, scheme, spki, octets).map_err(fail)?;
            Ok(pending.complete(ctx.provider.verify, sig).map_err(fail)?)
        }
        None => sign_auth(
            cred.signer.as_ref(),
            ctx.provider.verify,
            method,
            scheme,
            octets,
        )
        .map_err(fail)?,
    };
    match done {
        Ok((method, data)) => Ok(AuthRepr {
            method,
            reserved: [0; 3],
            data: Cow::Owned(data),
        }),
        Err(pending) => Err(Signed::Deferred(Box::new(pending.request().clone()))),
    }
}

/// Why [`sign`] gave no AUTH payload.
#[derive(Debug)]
pub(crate) enum Signed {
    /// The signature cannot be made.
    Failed(AuthFailure),
    /// The signer will answer later (an HSM): hand this request out.
    Deferred(Box<SignRequest>),
}

fn cert_failure(e: &CryptoError) -> CertFailure {
    match e {
        CryptoError::Cert(c) => match c {
            CertError::Expired | CertError::NotYetValid => CertFailure::Expired,
            CertError::KeyUsage => CertFailure::KeyUsage,
            CertError::ExtendedKeyUsage(_) => CertFailure::ExtendedKeyUsage,
            CertError::IdentityMismatch | CertError::UnsupportedIdentityType(_) => {
                CertFailure::IdentityNotInCertificate
            }
            CertError::Revoked => CertFailure::Revoked,
            CertError::NoCertificate => CertFailure::NotSent,
            _ => CertFailure::Untrusted,
        },
        _ => CertFailure::Untrusted,
    }
}

/// Checks the peer's certificates and signature AUTH over `octets`.
pub(crate) fn verify(
    ctx: &Ctx<'_>,
    trust: &CertTrust,
    octets: &[u8],
    id: &IdRepr<'_>,
    auth: &AuthRepr<'_>,
    certs: &[&[u8]],
) -> Result<(), AuthFailure> {
    let cert = |f| AuthFailure::Certificate(f);
    let Some((ee, inters)) = certs.split_first() else {
        return Err(cert(CertFailure::NotSent));
    };
    let Some((at, unix)) = trust.clock else {
        return Err(AuthFailure::NoWallClock);
    };
    let now =
        UnixTime::since_unix_epoch(unix.saturating_add(ctx.now.saturating_duration_since(at)));
    let anchors: Vec<&[u8]> = trust.ca_certs.iter().map(Vec::as_slice).collect();
    let verifier = CertVerifier::new(ctx.provider.verify, &anchors)
        .map_err(|_| cert(CertFailure::Untrusted))?;
    let policy = ValidationPolicy {
        eku: trust.eku,
        ..ValidationPolicy::default()
    };
    let validated = verifier
        .validate(ee, inters, now, &policy)
        .map_err(|e| cert(cert_failure(&e)))?;
    let who = PeerIdentity::from_wire(id.id_type.value(), &id.data)
        .map_err(|_| cert(CertFailure::IdentityNotInCertificate))?;
    validated
        .check_identity(&who)
        .map_err(|_| cert(CertFailure::IdentityNotInCertificate))?;
    verify_auth(
        ctx.provider.verify,
        &AuthPolicy::default(),
        auth.method,
        &auth.data,
        octets,
        validated.public_key_spki(),
    )
    .map(|_| ())
    .map_err(|_| AuthFailure::SignatureInvalid)
}
