//! COOKIE (RFC 7296 §2.6), both roles.
//!
//! Responder: [`CookieGuard::admit`] runs on every new IKE_SA_INIT request
//! before any state is allocated. While fewer than
//! [`HalfOpenLimits::cookie_threshold`] responder SAs are half-open the
//! request goes through; at or above it, a request without a valid COOKIE
//! is answered statelessly with `N(COOKIE)` computed by
//! [`ikev2_crypto::cookie::CookieGenerator`] over `Ni | IPi | SPIi | secret`.
//! The secret comes from the endpoint's randomness, is replaced every
//! [`CookieSecrets::rotate_every`] (checked lazily when a cookie is made or
//! verified, so no timer is needed) and the previous one keeps verifying for
//! [`CookieSecrets::grace`] after a rotation. Above
//! [`HalfOpenLimits::max_half_open`] (when not 0) requests are dropped.
//!
//! Initiator: a response carrying `N(COOKIE)` restarts IKE_SA_INIT with the
//! same request, the notify put first ([`with_cookie`]); KE and nonce are
//! unchanged (the cookie covers Ni). After an INVALID_KE_PAYLOAD restart a
//! responder may ask again, since the new request has a new nonce.
//! [`MAX_COOKIE_RESTARTS`] bounds the loop a forged or broken responder
//! could cause.

use std::net::SocketAddr;
use std::time::Instant;

use ikev2_crypto::cookie::CookieGenerator;
use ikev2_wire::{
    ExchangeType, HeaderRepr, MessageRepr, NotifyData, NotifyRepr, NotifyType, PayloadBody,
    PayloadRepr, FLAG_RESPONSE,
};

use super::init::InitOutcome;
use super::{Ctx, InitSent};
use crate::config::{CookieSecrets, HalfOpenLimits};
use crate::events::Failure;

/// COOKIE restarts allowed per IKE_SA_INIT attempt (per KE group tried).
pub(crate) const MAX_COOKIE_RESTARTS: u8 = 2;

/// What to do with a new IKE_SA_INIT request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Go on and create the SA.
    Proceed,
    /// Answered with `N(COOKIE)` or dropped: create nothing.
    Refused,
}

/// The responder's stateless COOKIE check and its rotating secret.
pub(crate) struct CookieGuard {
    limits: HalfOpenLimits,
    secrets: CookieSecrets,
    generator: Option<CookieGenerator>,
    /// When the current secret was made.
    born: Option<Instant>,
}

impl std::fmt::Debug for CookieGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieGuard")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The first COOKIE notify of a message, if any.
pub(crate) fn find_cookie<'a>(msg: &'a MessageRepr<'a>) -> Option<&'a [u8]> {
    msg.payloads.iter().find_map(|p| match &p.body {
        PayloadBody::Notify(n) if n.notify_type == NotifyType::Cookie => Some(n.data.as_ref()),
        _ => None,
    })
}

fn nonce<'a>(msg: &'a MessageRepr<'a>) -> Option<&'a [u8]> {
    msg.payloads.iter().find_map(|p| match &p.body {
        PayloadBody::Nonce(n) => Some(n.data.as_ref()),
        _ => None,
    })
}

fn cookie_notify(data: &[u8]) -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(NotifyType::Cookie, &NotifyData::Cookie(data))
        .ok()
        .map(PayloadRepr::from)
}

/// Our IKE_SA_INIT `request` again with `N(COOKIE)` first (replacing a
/// cookie from an earlier round), everything else unchanged.
pub(crate) fn with_cookie(request: &[u8], cookie: &[u8]) -> Option<Vec<u8>> {
    let msg = MessageRepr::parse(request).ok()?;
    let mut payloads = Vec::with_capacity(msg.payloads.len() + 1);
    payloads.push(cookie_notify(cookie)?);
    payloads.extend(
        msg.payloads
            .into_iter()
            .filter(|p| {
                !matches!(&p.body, PayloadBody::Notify(n) if n.notify_type == NotifyType::Cookie)
            })
            .map(PayloadRepr::into_owned),
    );
    MessageRepr {
        header: msg.header,
        payloads,
    }
    .to_vec()
    .ok()
}

impl CookieGuard {
    pub(crate) fn new(limits: HalfOpenLimits, secrets: CookieSecrets) -> Self {
        Self {
            limits,
            secrets,
            generator: None,
            born: None,
        }
    }

    /// The generator, made on first use and rotated when due.
    fn generator(&mut self, ctx: &Ctx<'_>) -> Option<&mut CookieGenerator> {
        let now = ctx.now;
        match (&mut self.generator, self.born) {
            (Some(g), Some(born)) => {
                let age = now.saturating_duration_since(born);
                if age >= self.secrets.rotate_every {
                    g.rotate(ctx.rng).ok()?;
                    self.born = Some(now);
                } else if age >= self.secrets.grace && g.has_previous() {
                    g.forget_previous();
                }
            }
            _ => {
                self.generator = Some(CookieGenerator::new(ctx.rng).ok()?);
                self.born = Some(now);
            }
        }
        self.generator.as_mut()
    }

    /// Decides on a new IKE_SA_INIT request from `remote` to `local`, given
    /// how many responder SAs are half-open now.
    pub(crate) fn admit(
        &mut self,
        ctx: &mut Ctx<'_>,
        half_open: u64,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &MessageRepr<'_>,
    ) -> Admission {
        let max = u64::from(self.limits.max_half_open);
        if max != 0 && half_open >= max {
            ctx.stats.init_refused += 1;
            return Admission::Refused;
        }
        if half_open < u64::from(self.limits.cookie_threshold) {
            return Admission::Proceed;
        }
        let h = msg.header;
        let Some(ni) = nonce(msg) else {
            ctx.stats.dropped.invalid_message += 1;
            return Admission::Refused;
        };
        let spi = h.spi_i.to_be_bytes();
        let Some(generator) = self.generator(ctx) else {
            // No randomness for a secret: refuse rather than go stateful.
            ctx.stats.init_refused += 1;
            return Admission::Refused;
        };
        if let Some(cookie) = find_cookie(msg) {
            if generator.verify(cookie, ni, remote.ip(), &spi).is_ok() {
                ctx.stats.cookies_verified += 1;
                return Admission::Proceed;
            }
            ctx.stats.cookies_invalid += 1;
        }
        // Stateless answer: a fresh cookie (also for an invalid one, so an
        // initiator whose cookie predates a rotation recovers).
        let cookie = generator.generate(ni, remote.ip(), &spi);
        let Some(notify) = cookie_notify(&cookie) else {
            return Admission::Refused;
        };
        let reply = MessageRepr {
            header: HeaderRepr::new(h.spi_i, 0, ExchangeType::IkeSaInit, FLAG_RESPONSE, 0),
            payloads: vec![notify],
        };
        if let Ok(bytes) = reply.to_vec() {
            ctx.stats.cookies_sent += 1;
            ctx.transmit(local, remote, bytes);
        }
        Admission::Refused
    }
}

/// Initiator: the responder answered our IKE_SA_INIT with `N(COOKIE)`.
pub(crate) fn restart(ctx: &mut Ctx<'_>, mut st: Box<InitSent>, cookie: &[u8]) -> InitOutcome {
    // RFC 7296 §3.10.1: 1 to 64 octets; anything else is not a usable answer.
    if cookie.is_empty() || cookie.len() > 64 {
        return InitOutcome::Ignore(st);
    }
    // A duplicate of the answer we already followed (the network copied it,
    // or it answers a retransmission of the cookie-less request).
    if MessageRepr::parse(&st.request)
        .ok()
        .is_some_and(|m| find_cookie(&m) == Some(cookie))
    {
        return InitOutcome::Ignore(st);
    }
    if st.cookie_restarts >= MAX_COOKIE_RESTARTS {
        return InitOutcome::Failed(Failure::PeerError {
            notify: NotifyType::Cookie,
        });
    }
    let Some(request) = with_cookie(&st.request, cookie) else {
        return InitOutcome::Ignore(st);
    };
    st.request.clone_from(&request);
    st.cookie_restarts += 1;
    ctx.stats.cookie_restarts += 1;
    InitOutcome::Restart(request, st)
}
