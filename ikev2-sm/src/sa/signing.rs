//! Asynchronous signers (an HSM, a smart card, a remote signing agent).
//!
//! When our [`AuthSigner`](ikev2_crypto::auth::AuthSigner) answers
//! `Signing::Deferred`, IKE_AUTH stops before anything is sent: the SA waits
//! in [`State::Signing`] and the endpoint emits
//! [`Output::NeedSignature`] with the octets and scheme to sign. The
//! embedder hands the answer to [`Endpoint::signature_ready`], and the same
//! builder runs again with the signature given: the initiator sends its
//! IKE_AUTH request, the responder its IKE_AUTH response. The answer is
//! checked against our public key before use, so a device holding the
//! wrong key is caught here, not by the peer.
//!
//! While the responder waits, retransmissions of the peer's IKE_AUTH
//! request are dropped as in progress (the response window already marks
//! it so); the half-open timeout still runs, so a signer that never answers
//! cannot hold the SA forever.

use ikev2_crypto::auth::SignRequest;
use ikev2_wire::{ExchangeType, PayloadRepr};

use super::auth::{self, Responded};
use super::cert_auth::Signed;
use super::{info, rekey, AuthSent, Ctx, Established, IkeSa, InitDone, State};
use crate::endpoint::{ApiError, Endpoint, Output, SaHandle, SignatureNeeded};
use crate::events::{AuthFailure, Failure};

/// An IKE SA waiting for our signature.
pub(crate) struct Waiting {
    /// What IKE_SA_INIT left (keys, nonces, messages to sign over).
    pub(crate) init: InitDone,
    /// What to build once the signature is there.
    pub(crate) resume: Resume,
}

/// Which message the signature completes.
pub(crate) enum Resume {
    /// Initiator: our IKE_AUTH request.
    Request,
    /// Responder: the answer to the peer's IKE_AUTH request, kept decrypted.
    Response {
        message_id: u32,
        payloads: Vec<PayloadRepr<'static>>,
    },
}

fn need_signature(ctx: &mut Ctx<'_>, sa: &IkeSa, request: SignRequest) {
    ctx.stats.signatures_deferred += 1;
    ctx.out
        .push_back(Output::NeedSignature(Box::new(SignatureNeeded {
            sa: sa.handle,
            request,
        })));
}

/// Initiator, IKE_SA_INIT done: builds and sends the IKE_AUTH request, or
/// waits for the signer. Returns whether to remove the SA.
pub(crate) fn send_auth_request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: InitDone,
    presigned: Option<&[u8]>,
) -> bool {
    match auth::request(ctx, sa, &init, presigned) {
        Ok((req, child_spi, child_offered)) => {
            // The request's retransmissions bound the wait from here on.
            sa.expires = None;
            sa.send_request(ctx, ExchangeType::IkeAuth, req);
            sa.state = State::AuthSent(Box::new(AuthSent {
                init,
                child_spi,
                child_offered,
            }));
            false
        }
        Err(Signed::Deferred(request)) if presigned.is_none() => {
            need_signature(ctx, sa, *request);
            // The responder's half-open timeout bounds its wait; ours too.
            let wait = ctx.peers.get(sa.peer).map(|p| p.half_open.timeout);
            sa.expires = wait.and_then(|w| ctx.now.checked_add(w));
            sa.state = State::Signing(Box::new(Waiting {
                init,
                resume: Resume::Request,
            }));
            false
        }
        Err(Signed::Deferred(_)) => {
            let why = "the signer deferred twice".to_owned();
            initiator_failed(ctx, sa, AuthFailure::LocalSigner(why))
        }
        Err(Signed::Failed(cause)) => initiator_failed(ctx, sa, cause),
    }
}

/// Responder: answers the (decrypted) IKE_AUTH request, or waits for the
/// signer. Returns the SA's next state and whether to remove the SA.
pub(crate) fn answer_auth_request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: InitDone,
    message_id: u32,
    payloads: Vec<PayloadRepr<'static>>,
    presigned: Option<&[u8]>,
) -> (State, bool) {
    match auth::respond(ctx, sa, &init, message_id, &payloads, presigned) {
        Responded::Up => {
            half_open_done(ctx);
            ctx.stats.ike_sas += 1;
            sa.expires = None;
            rekey::on_established(ctx, sa);
            info::on_established(ctx, sa);
            let est = Established::from_auth(init, ctx.now);
            (State::Established(Box::new(est)), false)
        }
        Responded::Failed => {
            half_open_done(ctx);
            (keep_failed(ctx, sa), false)
        }
        Responded::Deferred(request) if presigned.is_none() => {
            need_signature(ctx, sa, *request);
            let resume = Resume::Response {
                message_id,
                payloads,
            };
            (State::Signing(Box::new(Waiting { init, resume })), false)
        }
        Responded::Deferred(_) => {
            let why = "the signer deferred twice".to_owned();
            (refuse(ctx, sa, &init, message_id, why), false)
        }
    }
}

/// A responder's half-open SA is settled (up or refused).
fn half_open_done(ctx: &mut Ctx<'_>) {
    let n = &mut ctx.stats.half_open_responder;
    *n = n.saturating_sub(1);
    ctx.stats.half_open = ctx.stats.half_open.saturating_sub(1);
}

/// The failed state, with the error response kept cached for retransmitted
/// requests for one half-open timeout before the SA is forgotten.
fn keep_failed(ctx: &mut Ctx<'_>, sa: &mut IkeSa) -> State {
    let keep = ctx
        .peers
        .get(sa.peer)
        .map(|p| p.half_open.timeout)
        .unwrap_or_default();
    sa.expires = ctx.now.checked_add(keep);
    State::Failed
}

/// Responder: our signer failed; answer AUTHENTICATION_FAILED and report
/// the signer's reason.
fn refuse(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    init: &InitDone,
    message_id: u32,
    why: String,
) -> State {
    half_open_done(ctx);
    let cfg = ctx.peers.get(sa.peer).map(|p| p.name.clone());
    auth::refuse(
        ctx,
        sa,
        init,
        message_id,
        cfg,
        AuthFailure::LocalSigner(why),
    );
    keep_failed(ctx, sa)
}

/// The SA's half-open time ran out: if it was waiting for our signer, say
/// so (the endpoint then forgets the SA).
pub(crate) fn on_expiry(ctx: &mut Ctx<'_>, sa: &IkeSa) {
    if matches!(sa.state, State::Signing(_)) {
        let why = "no signature from the signer within the half-open timeout".to_owned();
        report(ctx, sa, AuthFailure::LocalSigner(why));
    }
}

/// The initiator cannot make its IKE_AUTH request (our signature failed):
/// it gives up, reporting why. Returns true (remove the SA).
fn initiator_failed(ctx: &mut Ctx<'_>, sa: &mut IkeSa, cause: AuthFailure) -> bool {
    ctx.stats.half_open = ctx.stats.half_open.saturating_sub(1);
    report(ctx, sa, cause);
    true
}

/// Reports an authentication failure of ours on `sa`.
fn report(ctx: &mut Ctx<'_>, sa: &IkeSa, cause: AuthFailure) {
    let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
    ctx.fail(
        Some(sa.handle),
        sa.remote,
        name,
        Failure::AuthenticationFailed { cause },
    );
}

impl Endpoint {
    /// Hands in the answer to an [`Output::NeedSignature`] for the SA
    /// `handle`: the signature over the request's octets with its scheme
    /// (ECDSA as DER or as fixed-width r|s), or why the signer failed.
    /// The signature is checked against our public key, then IKE_AUTH
    /// goes on; a wrong signature or `Err` fails the SA with
    /// `AuthFailure::LocalSigner` (the responder answers
    /// AUTHENTICATION_FAILED).
    ///
    /// # Errors
    /// [`ApiError::UnknownSa`], or [`ApiError::NoSignaturePending`] when
    /// the SA is not waiting for a signature (answered already, or timed
    /// out).
    pub fn signature_ready(
        &mut self,
        now: std::time::Instant,
        handle: SaHandle,
        signature: Result<Vec<u8>, String>,
    ) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            let state = std::mem::replace(&mut sa.state, State::Taken);
            let State::Signing(waiting) = state else {
                sa.state = state;
                return Err(ApiError::NoSignaturePending);
            };
            let Waiting { init, resume } = *waiting;
            let remove = match (resume, signature) {
                (Resume::Request, Ok(sig)) => send_auth_request(ctx, sa, init, Some(&sig)),
                (Resume::Request, Err(why)) => {
                    sa.state = State::Failed;
                    initiator_failed(ctx, sa, AuthFailure::LocalSigner(why))
                }
                (
                    Resume::Response {
                        message_id,
                        payloads,
                    },
                    Ok(sig),
                ) => {
                    let (next, remove) =
                        answer_auth_request(ctx, sa, init, message_id, payloads, Some(&sig));
                    sa.state = next;
                    remove
                }
                (Resume::Response { message_id, .. }, Err(why)) => {
                    sa.state = refuse(ctx, sa, &init, message_id, why);
                    false
                }
            };
            Ok(((), remove))
        })
    }
}
