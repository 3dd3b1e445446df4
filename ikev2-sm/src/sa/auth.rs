//! IKE_AUTH with PSK, both roles (RFC 7296 §1.2, §2.15), and the first
//! Child SA (§1.2, §2.9 narrowing, §2.17 KEYMAT).
//!
//! Certificates are a branch next to the PSK one (`cert_auth.rs`: CERT and
//! CERTREQ payloads, RFC 7427 signatures). A signer that defers (an HSM)
//! stops either role before anything is sent; `signing.rs` resumes it with
//! the signature, running the same builder again with the signature given
//! (`presigned`). Childless IKE SAs (RFC 6023) and USE_TRANSPORT_MODE are
//! flags on the Child part below.

use std::borrow::Cow;

use ikev2_crypto::keys::{auth_octets, psk};
use ikev2_wire::{
    AuthMethod, AuthRepr, ExchangeType, IdRepr, NotifyData, NotifyRepr, NotifyType, PayloadBody,
    PayloadRepr,
};

use ikev2_crypto::auth::SignRequest;

use super::cert_auth::Signed;
use super::child::{child_spi, host, install, negotiate_child, NewChild, Status};
use super::{id_body, id_data, identity_from, Ctx, IkeSa, InitDone, SaRole};
use crate::config::{Auth, PeerConfig};
use crate::events::{AuthFailure, Event, Failure};
use crate::proposal::{check_response, select, Proposal};
use crate::ts::{narrow, TrafficSelector};
use crate::wire::{proposals_from_sa, sa_from_proposals, selectors_from_ts, ts_from_selectors};

/// The payloads of an IKE_AUTH message.
#[derive(Default)]
struct AuthPayloads<'a> {
    id: Option<&'a IdRepr<'a>>,
    id_r: Option<&'a IdRepr<'a>>,
    auth: Option<&'a AuthRepr<'a>>,
    sa: Option<Vec<Proposal>>,
    tsi: Option<Vec<TrafficSelector>>,
    tsr: Option<Vec<TrafficSelector>>,
    error: Option<NotifyType>,
}

fn scan<'a>(payloads: &'a [PayloadRepr<'a>], initiator_id: bool) -> AuthPayloads<'a> {
    let mut p = AuthPayloads::default();
    for pl in payloads {
        match &pl.body {
            PayloadBody::IdI(id) if initiator_id => p.id = Some(id),
            PayloadBody::IdR(id) if !initiator_id => p.id = Some(id),
            PayloadBody::IdR(id) => p.id_r = Some(id),
            PayloadBody::Auth(a) => p.auth = Some(a),
            PayloadBody::Sa(sa) => p.sa = Some(proposals_from_sa(sa)),
            PayloadBody::TsI(ts) => p.tsi = Some(selectors_from_ts(ts)),
            PayloadBody::TsR(ts) => p.tsr = Some(selectors_from_ts(ts)),
            PayloadBody::Notify(n) if n.notify_type.is_error() && p.error.is_none() => {
                p.error = Some(n.notify_type);
            }
            _ => {}
        }
    }
    p
}

fn err_notify(ty: NotifyType) -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(ty, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

fn our_id(peer: &PeerConfig) -> IdRepr<'static> {
    IdRepr::new(
        peer.local_id.id_type().unwrap_or(ikev2_wire::IdType::Fqdn),
        id_data(&peer.local_id),
    )
}

/// Our AUTH payload over `init` for the ID body `id`: a PSK MAC, or a
/// signature (`cert_auth.rs`; `presigned` is an asynchronous signer's
/// answer).
fn make_auth(
    ctx: &Ctx<'_>,
    role: SaRole,
    init: &InitDone,
    peer: &PeerConfig,
    id: &IdRepr<'_>,
    presigned: Option<&[u8]>,
) -> Result<AuthRepr<'static>, Signed> {
    let (peer_nonce, sk_p) = match role {
        SaRole::Initiator => (&init.nr, &init.keys.sk.sk_pi),
        SaRole::Responder => (&init.ni, &init.keys.sk.sk_pr),
    };
    let octets = auth_octets(
        init.keys.prf,
        &init.our_init,
        peer_nonce,
        sk_p.as_bytes(),
        &id_body(id),
    );
    let secret = match &peer.local_auth {
        Auth::Psk(secret) => secret,
        Auth::Signature(cred) => {
            return super::cert_auth::sign(ctx, cred, octets.to_vec(), &init.peer_init, presigned)
        }
        other => {
            return Err(Signed::Failed(AuthFailure::LocalSigner(format!(
                "{other:?} is not a usable local credential"
            ))))
        }
    };
    let mac = psk::auth(init.keys.prf, secret.secret(), &octets);
    Ok(AuthRepr {
        method: AuthMethod::SharedKeyMessageIntegrityCode,
        reserved: [0; 3],
        data: Cow::Owned(mac.as_bytes().to_vec()),
    })
}

/// Checks the peer's AUTH payload.
fn verify_auth(
    ctx: &Ctx<'_>,
    role: SaRole,
    init: &InitDone,
    peer: &PeerConfig,
    (id, auth): (&IdRepr<'_>, &AuthRepr<'_>),
    payloads: &[PayloadRepr<'_>],
) -> Result<(), AuthFailure> {
    let (our_nonce, sk_p) = match role {
        SaRole::Initiator => (&init.ni, &init.keys.sk.sk_pr),
        SaRole::Responder => (&init.nr, &init.keys.sk.sk_pi),
    };
    let octets = || {
        auth_octets(
            init.keys.prf,
            &init.peer_init,
            our_nonce,
            sk_p.as_bytes(),
            &id_body(id),
        )
    };
    let secret = match &peer.remote_auth {
        Auth::Psk(secret) => secret,
        Auth::TrustedCa(trust) if auth.method != AuthMethod::SharedKeyMessageIntegrityCode => {
            let certs = super::cert_auth::peer_certs(payloads);
            return super::cert_auth::verify(ctx, trust, &octets(), id, auth, &certs);
        }
        _ => {
            return Err(AuthFailure::MethodMismatch {
                expected: "certificate",
                received: format!("{}", auth.method),
            })
        }
    };
    if auth.method != AuthMethod::SharedKeyMessageIntegrityCode {
        return Err(AuthFailure::MethodMismatch {
            expected: "PSK",
            received: format!("{}", auth.method),
        });
    }
    if psk::verify(init.keys.prf, secret.secret(), &octets(), &auth.data) {
        Ok(())
    } else {
        Err(AuthFailure::PskMismatch)
    }
}

/// Initiator: builds the IKE_AUTH request after IKE_SA_INIT completed
/// (`presigned`: an asynchronous signer's answer, see `signing.rs`).
pub(crate) fn request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: &InitDone,
    presigned: Option<&[u8]>,
) -> Result<(Vec<u8>, u32, Vec<Proposal>), Signed> {
    let internal = || {
        Signed::Failed(AuthFailure::LocalSigner(
            "cannot build the IKE_AUTH request".to_owned(),
        ))
    };
    let peer = ctx.peers.get(sa.peer).ok_or_else(internal)?.clone();
    let id = our_id(&peer);
    let auth = make_auth(ctx, SaRole::Initiator, init, &peer, &id, presigned)?;
    // RFC 7296 §1.2 order: IDi, [CERT+], [CERTREQ], [IDr], AUTH.
    let mut payloads: Vec<PayloadRepr<'static>> = vec![PayloadRepr::new(PayloadBody::IdI(id))];
    if let Auth::Signature(cred) = &peer.local_auth {
        let asked = super::cert_auth::requested_cas_in(&init.peer_init);
        payloads.extend(super::cert_auth::cert_payloads(cred, &asked));
    }
    payloads.extend(super::cert_auth::certreq(&peer));
    // IDr names the responder only when the configuration names one
    // identity, not a pattern (`%any`, `*.domain`, `CN=*`), as strongSwan.
    if !peer.remote_id.is_pattern() {
        payloads.push(PayloadRepr::new(PayloadBody::IdR(IdRepr::new(
            peer.remote_id.id_type().ok_or_else(internal)?,
            id_data(&peer.remote_id),
        ))));
    }
    payloads.push(auth.into());
    if init.initial_contact {
        payloads.extend(super::initial_contact::notify());
    }
    let mut spi = 0;
    let mut offered = Vec::new();
    let first_child = super::reauth::auth_child(&peer, init.auth_child)
        .filter(|_| !super::child_opts::skip_child(&peer, &init.peer_init));
    if let Some(child) = first_child {
        spi = child_spi(ctx).ok_or_else(internal)?;
        offered = child.esp_proposals.clone();
        for p in &mut offered {
            p.spi = spi.to_be_bytes().to_vec();
        }
        let (l, r) = child
            .resolve_ts(host(sa.local), host(sa.remote))
            .map_err(|_| internal())?;
        payloads.extend(super::child_opts::request_notifies(child));
        payloads.push(sa_from_proposals(&offered).into());
        payloads.push(PayloadRepr::new(PayloadBody::TsI(ts_from_selectors(&l))));
        payloads.push(PayloadRepr::new(PayloadBody::TsR(ts_from_selectors(&r))));
    }
    let mid = sa.requests.next_message_id();
    let bytes = sa
        .protect(
            ctx,
            &init.keys,
            ExchangeType::IkeAuth,
            false,
            mid,
            &payloads,
        )
        .ok_or_else(internal)?;
    Ok((bytes, spi, offered))
}

/// What the initiator's IKE_AUTH response handling decided.
pub(crate) enum AuthOutcome {
    Up,
    Failed(Failure),
}

/// Initiator: the (decrypted) IKE_AUTH response.
pub(crate) fn handle_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    st: &super::AuthSent,
    payloads: &[PayloadRepr<'_>],
) -> AuthOutcome {
    let p = scan(payloads, false);
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return AuthOutcome::Failed(Failure::PeerError {
            notify: NotifyType::InvalidSyntax,
        });
    };
    let (Some(id), Some(auth)) = (p.id, p.auth) else {
        let notify = p.error.unwrap_or(NotifyType::InvalidSyntax);
        return AuthOutcome::Failed(match notify {
            NotifyType::AuthenticationFailed => Failure::AuthenticationFailed {
                cause: AuthFailure::RejectedByPeer,
            },
            _ => Failure::PeerError { notify },
        });
    };
    let received = identity_from(id);
    if !received.as_ref().is_some_and(|r| peer.remote_id.matches(r)) {
        return AuthOutcome::Failed(Failure::AuthenticationFailed {
            cause: AuthFailure::IdentityMismatch {
                expected: peer.remote_id.to_string(),
                received: received.map_or_else(|| "(unparsable)".to_owned(), |r| r.to_string()),
            },
        });
    }
    if let Err(cause) = verify_auth(
        ctx,
        SaRole::Initiator,
        &st.init,
        &peer,
        (id, auth),
        payloads,
    ) {
        return AuthOutcome::Failed(Failure::AuthenticationFailed { cause });
    }
    sa.peer_id = received;
    ctx.event(Some(sa.handle), Event::IkeSaUp);
    // Childless (nothing offered, RFC 6023) or no child configured.
    let Some(child) = super::reauth::auth_child(&peer, st.init.auth_child)
        .filter(|_| !st.child_offered.is_empty())
    else {
        return AuthOutcome::Up;
    };
    let mut child = child.clone();
    child.mode = super::child_opts::initiator_mode(&child, payloads);
    let child = &child;
    // The IKE SA is up; a Child SA failure is reported but keeps it.
    let child_result = (|| {
        if let Some(n) = p.error {
            return Err(Failure::PeerError { notify: n });
        }
        let bad = || Failure::PeerError {
            notify: NotifyType::InvalidSyntax,
        };
        let (Some(sa_p), Some(tsi), Some(tsr)) = (p.sa.as_ref(), p.tsi, p.tsr) else {
            return Err(bad());
        };
        let esp = check_response(&st.child_offered, sa_p).map_err(|_| bad())?;
        let spi_out = esp
            .proposal()
            .spi
            .as_slice()
            .try_into()
            .map(u32::from_be_bytes)
            .map_err(|_| bad())?;
        // The responder may only narrow what we proposed.
        let (l, r) = child
            .resolve_ts(host(sa.local), host(sa.remote))
            .map_err(|_| bad())?;
        let tsi = narrow(&tsi, &l).map_err(Failure::from)?;
        let tsr = narrow(&tsr, &r).map_err(Failure::from)?;
        Ok((esp, spi_out, tsi, tsr))
    })();
    match child_result {
        Ok((esp, spi_out, tsi, tsr)) => {
            let keys = &st.init.keys;
            let installed = install(
                ctx,
                sa,
                keys,
                NewChild {
                    cfg: child,
                    esp: &esp,
                    spi_in: st.child_spi,
                    spi_out,
                    local_ts: tsi,
                    remote_ts: tsr,
                    ni: &st.init.ni,
                    nr: &st.init.nr,
                    requester: true,
                    shared: None,
                    status: Status::Active,
                },
            );
            if installed.is_some() {
                ctx.event(
                    Some(sa.handle),
                    Event::ChildSaUp {
                        name: child.name.clone(),
                    },
                );
            }
        }
        Err(f) => ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f),
    }
    AuthOutcome::Up
}

/// Responder: answers the IKE_AUTH request `message_id` with
/// AUTHENTICATION_FAILED and reports `cause` for configuration `cfg`.
pub(crate) fn refuse(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: &InitDone,
    message_id: u32,
    cfg: Option<String>,
    cause: AuthFailure,
) {
    let out: Vec<_> = err_notify(NotifyType::AuthenticationFailed)
        .into_iter()
        .collect();
    send_response(ctx, sa, init, message_id, &out);
    ctx.fail(
        Some(sa.handle),
        sa.remote,
        cfg,
        Failure::AuthenticationFailed { cause },
    );
}

/// Responder: protects and sends the IKE_AUTH response `out`.
fn send_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: &InitDone,
    message_id: u32,
    out: &[PayloadRepr<'static>],
) {
    if let Some(b) = sa.protect(
        ctx,
        &init.keys,
        ExchangeType::IkeAuth,
        true,
        message_id,
        out,
    ) {
        sa.respond(ctx, message_id, ExchangeType::IkeAuth, b);
    }
}

/// What the responder's IKE_AUTH handling decided.
pub(crate) enum Responded {
    /// The IKE SA is established (the response is sent).
    Up,
    /// Refused (the error response is sent, the failure reported).
    Failed,
    /// Our signer deferred: nothing is sent yet; hand the request out and
    /// call [`respond`] again with the signature.
    Deferred(Box<SignRequest>),
}

/// Responder: a (decrypted) IKE_AUTH request (`presigned`: an asynchronous
/// signer's answer, see `signing.rs`).
pub(crate) fn respond(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: &InitDone,
    message_id: u32,
    payloads: &[PayloadRepr<'_>],
    presigned: Option<&[u8]>,
) -> Responded {
    let p = scan(payloads, true);
    let auth_failed =
        |ctx: &mut Ctx<'_>, sa: &mut IkeSa, cfg: Option<String>, cause: AuthFailure| {
            refuse(ctx, sa, init, message_id, cfg, cause);
            Responded::Failed
        };
    let (Some(id), Some(auth)) = (p.id, p.auth) else {
        return auth_failed(
            ctx,
            sa,
            None,
            AuthFailure::IdentityMismatch {
                expected: "IDi and AUTH".to_owned(),
                received: "missing".to_owned(),
            },
        );
    };
    let Some(received) = identity_from(id) else {
        return auth_failed(
            ctx,
            sa,
            None,
            AuthFailure::IdentityMismatch {
                expected: "a supported ID type".to_owned(),
                received: format!("{}", id.id_type),
            },
        );
    };
    // Responders choose the configuration by the identity received (and
    // by IDr when the initiator named us).
    let wanted_us = p.id_r.and_then(identity_from);
    // The configuration must also accept the IKE proposal negotiated in
    // IKE_SA_INIT (which another configuration may have chosen).
    let negotiated = std::slice::from_ref(init.ike.proposal());
    let by_id = |c: &PeerConfig| {
        c.remote_id.matches(&received) && wanted_us.as_ref().is_none_or(|w| c.local_id.matches(w))
    };
    let found = ctx
        .peers
        .iter()
        .position(|c| by_id(c) && select(&c.ike_proposals, negotiated, &c.selection).is_ok());
    let Some(idx) = found else {
        let why = if ctx.peers.iter().any(|c| by_id(c)) {
            format!(
                "a configuration for {received} that accepts the IKE proposal {}",
                init.ike.proposal()
            )
        } else {
            "an identity some peer configuration accepts".to_owned()
        };
        return auth_failed(
            ctx,
            sa,
            None,
            AuthFailure::IdentityMismatch {
                expected: why,
                received: received.to_string(),
            },
        );
    };
    let Some(peer) = ctx.peers.get(idx).cloned() else {
        return Responded::Failed;
    };
    sa.peer = idx;
    if let Err(cause) = verify_auth(ctx, SaRole::Responder, init, &peer, (id, auth), payloads) {
        return auth_failed(ctx, sa, Some(peer.name.clone()), cause);
    }
    let our = our_id(&peer);
    let our_auth = match make_auth(ctx, SaRole::Responder, init, &peer, &our, presigned) {
        Ok(a) => a,
        Err(Signed::Deferred(req)) => return Responded::Deferred(req),
        Err(Signed::Failed(cause)) => return auth_failed(ctx, sa, Some(peer.name.clone()), cause),
    };
    if super::initial_contact::received(payloads) {
        ctx.event(
            Some(sa.handle),
            Event::InitialContact {
                peer_id: received.clone(),
                replaced: 0,
            },
        );
    }
    sa.peer_id = Some(received);
    // IDr, [CERT+], AUTH.
    let mut out: Vec<PayloadRepr<'static>> = vec![PayloadRepr::new(PayloadBody::IdR(our))];
    if let Auth::Signature(cred) = &peer.local_auth {
        let asked = super::cert_auth::requested_cas(payloads);
        out.extend(super::cert_auth::cert_payloads(cred, &asked));
    }
    out.push(our_auth.into());
    let mut child_up = None;
    if let (Some(sa_p), Some(tsi), Some(tsr)) = (p.sa.as_ref(), p.tsi.as_ref(), p.tsr.as_ref()) {
        match negotiate_child(sa, &peer, None, sa_p, tsi, tsr) {
            Ok((mut child, esp, spi_out, n_tsi, n_tsr)) => {
                let Some(spi_in) = child_spi(ctx) else {
                    return Responded::Failed;
                };
                let (mode, accepted) = super::child_opts::responder_mode(&child, payloads);
                child.mode = mode;
                out.extend(accepted);
                let mut prop = esp.proposal().clone();
                prop.spi = spi_in.to_be_bytes().to_vec();
                out.push(sa_from_proposals(std::slice::from_ref(&prop)).into());
                out.push(PayloadRepr::new(PayloadBody::TsI(ts_from_selectors(
                    &n_tsi,
                ))));
                out.push(PayloadRepr::new(PayloadBody::TsR(ts_from_selectors(
                    &n_tsr,
                ))));
                // Our inbound selectors are the initiator's TSi as remote.
                let installed = install(
                    ctx,
                    sa,
                    &init.keys,
                    NewChild {
                        cfg: &child,
                        esp: &esp,
                        spi_in,
                        spi_out,
                        local_ts: n_tsr,
                        remote_ts: n_tsi,
                        ni: &init.ni,
                        nr: &init.nr,
                        requester: false,
                        shared: None,
                        status: Status::Active,
                    },
                );
                if installed.is_some() {
                    child_up = Some(child.name.clone());
                }
            }
            Err(f) => {
                if let Some(n) = f.notify().and_then(err_notify) {
                    out.push(n);
                }
                ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
            }
        }
    } else if p.sa.is_some() || p.tsi.is_some() || p.tsr.is_some() {
        // Some of SAi2, TSi, TSr but not all: neither a Child SA request
        // nor a childless IKE SA (RFC 6023). The IKE SA comes up; the
        // Child SA part is refused as malformed.
        out.extend(super::malformed::invalid_syntax());
        let detail = "SAi2, TSi and TSr not all present";
        super::malformed::report(ctx, sa, ExchangeType::IkeAuth, detail);
    }
    send_response(ctx, sa, init, message_id, &out);
    ctx.event(Some(sa.handle), Event::IkeSaUp);
    if let Some(name) = child_up {
        ctx.event(Some(sa.handle), Event::ChildSaUp { name });
    }
    Responded::Up
}
