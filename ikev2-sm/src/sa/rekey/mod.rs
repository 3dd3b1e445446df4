//! CREATE_CHILD_SA on an established IKE SA: the queue of our requests,
//! routing of requests and responses, IKE SA rekeying (RFC 7296 §2.18),
//! lifetimes and the collision rules of §2.8 and §2.25.
//!
//! Our requests go through the per-SA request queue (`queue.rs`) as
//! [`Exchange`]s: [`CreateChild`] (a new Child SA or a Child SA rekey) and
//! `IkeRekey` (`ike.rs`), both [`CreateChildSa`] requests that [`Request`]
//! puts in the queue; retries after TEMPORARY_FAILURE wait in [`Exchanges`]
//! until their jittered time ([`Timer::Queue`]). The IKE SA rekey creates a
//! new [`IkeSa`] (new SPIs, so a new slab entry and handle); it is left in
//! [`Exchanges`] for the endpoint to adopt, which reports
//! `Event::IkeSaRekeyed { new }` on the old handle. Child SAs and queued
//! requests move to it; the old SA only deletes itself.
//!
//! Collisions (RFC 7296 §2.25): a rekey or new Child SA requested while we
//! rekey the IKE SA, and an IKE rekey requested while we create, rekey or
//! delete a Child SA, or after our own IKE rekey completed, are refused
//! with TEMPORARY_FAILURE; the refused side retries after 1-5 s of jitter.
//! Simultaneous Child SA rekeys are both answered and resolved by nonces
//! (§2.8.1, in `child/`); so are simultaneous IKE SA rekeys (§2.8.2, in
//! `ike_collision.rs`).

use std::time::{Duration, Instant};

use ikev2_wire::{ExchangeType, KeId, NotifyData, NotifyRepr, NotifyType, PayloadRepr, ProtocolId};

use super::child::{self, CreateSent, Next, Status};
use super::delete::DeleteRetired;
use super::ike_collision::{self, Handoff, Passive};
use super::queue::{Exchange, QueueError};
use super::{Ctx, Established, IkeSa, State};
use crate::endpoint::ApiError;
use crate::events::{Collision, Event};
use crate::proposal::Proposal;
use crate::timer::Timer;

mod ike;
mod lifetime;

use ike::{ike_respond, IkeRekey};
pub(crate) use lifetime::{child_expired, on_established, on_timer, rearm};

/// A request we want to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// A new Child SA of this child configuration.
    NewChild(String),
    /// Rekey the Child SA with this inbound SPI.
    RekeyChild(u32),
    /// Rekey the IKE SA.
    RekeyIke,
}

/// Per established IKE SA: allocated only while a retry waits or the SA
/// was replaced (most SAs sit idle for hours).
#[derive(Default)]
pub(crate) struct Exchanges(pub(super) Option<Box<Busy>>);

/// What [`Exchanges`] holds while busy.
#[derive(Default)]
pub(crate) struct Busy {
    /// Retries waiting for their time.
    pub(super) delayed: Vec<(Want, Instant)>,
    /// Rekeyed: only the delete of this IKE SA is left.
    pub(super) superseded: bool,
    /// IKE SAs and Child SAs for the endpoint to take over (in order).
    pub(super) handoffs: Vec<Handoff>,
    /// The peer's IKE SA rekey we answered while ours was in flight
    /// (RFC 7296 §2.8.2, `ike_collision.rs`).
    pub(super) passive: Option<Passive>,
    /// This SA is such a peer's rekey, not yet settled: the old IKE SA.
    pub(super) parent: Option<crate::endpoint::SaHandle>,
}

impl Exchanges {
    pub(super) fn get(&mut self) -> &mut Busy {
        self.0.get_or_insert_with(Box::default)
    }

    pub(super) fn peek(&self) -> Option<&Busy> {
        self.0.as_deref()
    }

    pub(crate) fn superseded(&self) -> bool {
        self.peek().is_some_and(|b| b.superseded)
    }

    /// Frees the state once idle.
    fn tidy(&mut self) {
        let idle = self.peek().is_some_and(|b| {
            b.delayed.is_empty()
                && !b.superseded
                && b.handoffs.is_empty()
                && b.passive.is_none()
                && b.parent.is_none()
        });
        if idle {
            self.0 = None;
        }
    }
}

fn superseded(sa: &IkeSa) -> bool {
    match &sa.state {
        State::Established(e) => e.cc.superseded(),
        _ => false,
    }
}

/// What `sa` hands over to the endpoint after a call: the IKE SA that
/// replaced it, SAs of a collision, Child SAs moving to another IKE SA.
pub(crate) fn take_handoffs(sa: &mut IkeSa) -> Vec<Handoff> {
    match &mut sa.state {
        State::Established(est) => est
            .cc
            .0
            .as_mut()
            .map(|b| std::mem::take(&mut b.handoffs))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Removes every Child SA of `sa` from the data plane.
pub(crate) fn remove_all_children(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    let spis: Vec<u32> = sa.children.iter().map(|c| c.spi_in).collect();
    for s in spis {
        child::remove(ctx, sa, s);
    }
}

/// Runs `f` on the established state of `sa` (taken out and put back).
pub(super) fn with_est<T>(
    sa: &mut IkeSa,
    f: impl FnOnce(&mut IkeSa, &mut Established) -> T,
) -> Option<T> {
    match std::mem::replace(&mut sa.state, State::Taken) {
        State::Established(mut est) => {
            let v = f(sa, &mut est);
            est.cc.tidy();
            sa.state = State::Established(est);
            Some(v)
        }
        other => {
            sa.state = other;
            None
        }
    }
}

fn api(r: Result<(), QueueError>) -> Result<(), ApiError> {
    match r {
        Ok(()) => Ok(()),
        Err(QueueError::Full) => Err(ApiError::QueueFull),
        Err(QueueError::Deleting) => Err(ApiError::Deleting),
    }
}

/// A user command: queues `w` on the established SA.
pub(crate) fn command(ctx: &mut Ctx<'_>, sa: &mut IkeSa, w: Want) -> Result<(), ApiError> {
    if !matches!(sa.state, State::Established(_)) {
        return Err(ApiError::NotEstablished {
            command: match w {
                Want::NewChild(_) => "create_child_sa",
                Want::RekeyChild(_) => "rekey_child_sa",
                Want::RekeyIke => "rekey_ike_sa",
            },
            state: sa.state.name(),
        });
    }
    if superseded(sa) {
        return Err(ApiError::Deleting);
    }
    api(queue_want(ctx, sa, w))
}

/// Queues the exchange for `w` (state established). A rekey of a Child SA
/// that is not active, or already being replaced, is skipped.
fn queue_want(ctx: &mut Ctx<'_>, sa: &mut IkeSa, w: Want) -> Result<(), QueueError> {
    let exchange: Box<dyn Exchange> = match w {
        Want::NewChild(name) => Request::boxed(CreateChild::new(name, None)),
        Want::RekeyChild(spi) => {
            let replaced = sa
                .children
                .iter()
                .any(|c| c.status == Status::Standby { old_spi_in: spi });
            let Some(c) = sa
                .children
                .iter_mut()
                .find(|c| c.spi_in == spi && c.status == Status::Active)
                .filter(|_| !replaced)
            else {
                return Ok(());
            };
            c.status = Status::Rekeying { collision: None };
            c.rekey_at = None;
            let name = c.name.clone();
            rearm(sa);
            Request::boxed(CreateChild::new(name, Some(spi)))
        }
        Want::RekeyIke => {
            if sa.queue.in_flight().is_some_and(Exchange::rekeys_ike_sa) {
                return Ok(());
            }
            Request::boxed(IkeRekey::new(None, 0))
        }
    };
    sa.queue_request(ctx, exchange)
}

/// What an exchange's response leaves to do once the state is back.
pub(super) enum Followup {
    None,
    Queue(Box<dyn Exchange>),
    Delay(Want, Duration),
}

fn follow(ctx: &mut Ctx<'_>, sa: &mut IkeSa, f: Followup) {
    match f {
        Followup::None => {}
        Followup::Queue(e) => {
            let _ = sa.queue_request(ctx, e);
        }
        Followup::Delay(w, after) => {
            if let Some(at) = ctx.now.checked_add(after) {
                let _ = with_est(sa, |sa, est| {
                    est.cc.get().delayed.push((w, at));
                    let next = est.cc.get().delayed.iter().map(|(_, t)| *t).min();
                    if let Some(t) = next {
                        sa.timers.set(Timer::Queue, t);
                    }
                });
            }
        }
    }
}

fn error_payload(n: NotifyType, g: Option<KeId>) -> Vec<PayloadRepr<'static>> {
    let data = match g {
        Some(g) => NotifyData::InvalidKePayload(g),
        None => NotifyData::None,
    };
    NotifyRepr::new(n, &data)
        .ok()
        .map(PayloadRepr::from)
        .into_iter()
        .collect()
}

/// A CREATE_CHILD_SA request on an established SA (already past the
/// response window, decrypted). Returns whether to remove the SA.
pub(crate) fn on_request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    message_id: u32,
    payloads: &[PayloadRepr<'_>],
) -> bool {
    let exchange = ExchangeType::CreateChildSa;
    if ike_collision::defer(est) {
        // Answered once the Child SAs are here (the peer retransmits).
        sa.responses.abandon(message_id);
        return false;
    }
    super::info::touch(sa, ctx.now);
    let p = child::scan(payloads);
    let ike =
        p.sa.as_ref()
            .and_then(|s| s.first())
            .is_some_and(|s| s.protocol == ProtocolId::Ike);
    let ike_rekey_running = sa.queue.in_flight().is_some_and(Exchange::rekeys_ike_sa);
    let out = if ike {
        ike_respond(ctx, sa, est, &p)
    } else if est.cc.superseded() || ike_rekey_running || sa.queue.deleting_ike_sa() {
        // RFC 7296 §2.25.2: no Child SA work while the IKE SA is being
        // rekeyed; nor while we delete it (a Child SA set up now would go
        // with it, after the embedder started sending on it).
        refused_temporarily(ctx, sa);
        error_payload(NotifyType::TemporaryFailure, None)
    } else {
        match child::respond(ctx, sa, &est.keys, &p) {
            child::Answer::Payloads(out) => out,
            child::Answer::Error(n, g) => error_payload(n, g),
        }
    };
    if let Some(b) = sa.protect(ctx, &est.keys, exchange, true, message_id, &out) {
        sa.respond(ctx, message_id, exchange, b);
    }
    false
}

fn refused_temporarily(ctx: &mut Ctx<'_>, sa: &IkeSa) {
    ctx.stats.rekeys.temporary_failures_sent += 1;
    ctx.event(
        Some(sa.handle),
        Event::RekeyCollision {
            child: None,
            collision: Collision::RefusedTemporarily,
        },
    );
}

/// One of our CREATE_CHILD_SA requests (RFC 7296 §1.3): its payloads when
/// the queue sends it, what it must remember until the response, and what
/// the response leaves to do. [`Request`] is the [`Exchange`] plumbing they
/// share.
trait CreateChildSa: Send + 'static {
    /// What the response is checked against (our SPI, nonce, KE, offer).
    type Sent: Send;

    /// The request's payloads at the moment it is sent, and what to
    /// remember; `None` drops the request (what it was about is gone).
    fn start(
        &mut self,
        ctx: &mut Ctx<'_>,
        sa: &IkeSa,
    ) -> Option<(Vec<PayloadRepr<'static>>, Self::Sent)>;

    /// The authenticated response, handled on the established state.
    fn finish(
        self,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        est: &mut Established,
        sent: Self::Sent,
        payloads: &[PayloadRepr<'static>],
    ) -> Followup;

    /// True for a rekey of the IKE SA (RFC 7296 §2.25.2 collisions).
    fn rekeys_ike_sa(&self) -> bool {
        false
    }
}

/// A [`CreateChildSa`] request in the request queue: remembers what
/// [`CreateChildSa::start`] returned and hands it to
/// [`CreateChildSa::finish`] with the response, then runs the
/// [`Followup`] once the state is back.
struct Request<R: CreateChildSa> {
    req: R,
    sent: Option<R::Sent>,
}

impl<R: CreateChildSa> Request<R> {
    fn boxed(req: R) -> Box<dyn Exchange> {
        Box::new(Self { req, sent: None })
    }
}

impl<R: CreateChildSa> Exchange for Request<R> {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::CreateChildSa
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        let (payloads, sent) = self.req.start(ctx, sa)?;
        self.sent = Some(sent);
        Some(payloads)
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        payloads: &[PayloadRepr<'static>],
    ) -> bool {
        let Self { req, sent } = *self;
        let Some(sent) = sent else {
            return false;
        };
        let f = with_est(sa, |sa, est| req.finish(ctx, sa, est, sent, payloads));
        follow(ctx, sa, f.unwrap_or(Followup::None));
        false
    }

    fn rekeys_ike_sa(&self) -> bool {
        self.req.rekeys_ike_sa()
    }
}

/// CREATE_CHILD_SA for a new Child SA or a Child SA rekey.
struct CreateChild {
    name: String,
    rekey: Option<u32>,
    /// Proposals for an INVALID_KE_PAYLOAD retry.
    offered: Option<Vec<Proposal>>,
    ke_retries: u8,
}

impl CreateChild {
    fn new(name: String, rekey: Option<u32>) -> Self {
        Self {
            name,
            rekey,
            offered: None,
            ke_retries: 0,
        }
    }
}

impl CreateChildSa for CreateChild {
    type Sent = CreateSent;

    fn start(
        &mut self,
        ctx: &mut Ctx<'_>,
        sa: &IkeSa,
    ) -> Option<(Vec<PayloadRepr<'static>>, CreateSent)> {
        if let Some(old) = self.rekey {
            // Replaced, deleted or collided meanwhile: nothing to do.
            sa.children
                .iter()
                .find(|c| c.spi_in == old && c.status == Status::Rekeying { collision: None })?;
        }
        let peer = ctx.peers.get(sa.peer)?.clone();
        child::start(
            ctx,
            sa,
            &peer,
            &self.name,
            self.rekey,
            self.offered.take(),
            self.ke_retries,
        )
    }

    fn finish(
        self,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        est: &mut Established,
        sent: CreateSent,
        payloads: &[PayloadRepr<'static>],
    ) -> Followup {
        let p = child::scan(payloads);
        match child::on_response(ctx, sa, &est.keys, sent, &p) {
            Next::Nothing => Followup::None,
            Next::Resend(offered, ke_retries) => Followup::Queue(Request::boxed(CreateChild {
                offered: Some(offered),
                ke_retries,
                ..CreateChild::new(self.name, self.rekey)
            })),
            Next::Retry(after) => Followup::Delay(
                self.rekey
                    .map_or(Want::NewChild(self.name), Want::RekeyChild),
                after,
            ),
            Next::Delete(spis) => Followup::Queue(Box::new(DeleteRetired { spis })),
        }
    }
}
