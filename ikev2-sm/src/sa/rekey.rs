//! CREATE_CHILD_SA on an established IKE SA: the queue of our requests,
//! routing of requests and responses, IKE SA rekeying (RFC 7296 §2.18),
//! lifetimes and the collision rules of §2.8 and §2.25.
//!
//! Our requests go through the per-SA request queue (`queue.rs`) as
//! [`Exchange`]s: [`CreateChild`] (a new Child SA or a Child SA rekey) and
//! [`IkeRekey`]; retries after TEMPORARY_FAILURE wait in [`Exchanges`]
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
//! (§2.8.1, in `child.rs`); so are simultaneous IKE SA rekeys (§2.8.2, in
//! `ike_collision.rs`).

use std::borrow::Cow;
use std::time::{Duration, Instant};

use ikev2_crypto::keys::skeyseed_from_sk_d;
use ikev2_crypto::ActiveKe;
use ikev2_wire::{
    ExchangeType, KeId, KeRepr, NonceRepr, NotifyData, NotifyRepr, NotifyType, PayloadRepr,
    ProtocolId,
};

use super::child::{self, CreateSent, Next, Status};
use super::delete::DeleteRetired;
use super::ike_collision::{self, Handoff, Passive};
use super::queue::{Exchange, QueueError};
use super::{init, Ctx, Established, IkeSa, Keys, SaRole, State};
use crate::endpoint::ApiError;
use crate::events::{Collision, Event, Failure};
use crate::proposal::{
    check_response, initial_ke, retry_with_ke, select_with_ke, KeDecision, Proposal,
};
use crate::timer::Timer;
use crate::wire::sa_from_proposals;

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

/// Our IKE SA rekey request, as sent.
pub(crate) struct IkeRekeySent {
    spi_i: u64,
    ni: Vec<u8>,
    ke: Box<dyn ActiveKe>,
    offered: Vec<Proposal>,
    ke_retries: u8,
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

/// Re-arms [`Timer::ChildSa`] to the earliest Child SA deadline.
pub(crate) fn rearm(sa: &mut IkeSa) {
    let next = sa
        .children
        .iter()
        .flat_map(|c| {
            let remove = match c.status {
                Status::Retiring { remove_at } => remove_at,
                _ => None,
            };
            let rekey = match c.status {
                Status::Active => c.rekey_at,
                _ => None,
            };
            [rekey, c.expire_at, remove]
        })
        .flatten()
        .min();
    match next {
        Some(t) => sa.timers.set(Timer::ChildSa, t),
        None => sa.timers.stop(Timer::ChildSa),
    }
}

/// Removes every Child SA of `sa` from the data plane.
pub(crate) fn remove_all_children(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    let spis: Vec<u32> = sa.children.iter().map(|c| c.spi_in).collect();
    for s in spis {
        child::remove(ctx, sa, s);
    }
}

/// Arms the IKE SA's soft and hard lifetimes (on establishment).
pub(crate) fn on_established(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    let Some(peer) = ctx.peers.get(sa.peer) else {
        return;
    };
    let life = peer.lifetimes;
    let jitter = child::random_u64(ctx);
    if let Some(t) = ctx.now.checked_add(life.rekey_after(jitter)) {
        sa.timers.set(Timer::Rekey, t);
    }
    if let Some(t) = ctx.now.checked_add(life.life_time) {
        sa.timers.set(Timer::Expire, t);
    }
    super::reauth::arm(ctx, sa);
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
        Want::NewChild(name) => Box::new(CreateChild {
            name,
            rekey: None,
            offered: None,
            ke_retries: 0,
            sent: None,
        }),
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
            Box::new(CreateChild {
                name,
                rekey: Some(spi),
                offered: None,
                ke_retries: 0,
                sent: None,
            })
        }
        Want::RekeyIke => {
            if sa.queue.in_flight().is_some_and(Exchange::rekeys_ike_sa) {
                return Ok(());
            }
            Box::new(IkeRekey {
                proposals: None,
                ke_retries: 0,
                sent: None,
            })
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

/// The data plane reports a Child SA's soft or hard limit (bytes, packets).
pub(crate) fn child_expired(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spi_in: u32, hard: bool) -> bool {
    if !matches!(sa.state, State::Established(_)) {
        return false;
    }
    let Some(c) = sa.children.iter().find(|c| c.spi_in == spi_in).cloned() else {
        return false;
    };
    if hard {
        expire_child(ctx, sa, &c);
    } else {
        let _ = queue_want(ctx, sa, Want::RekeyChild(spi_in));
    }
    true
}

/// Hard limit: the SA goes from the data plane now; the peer is told.
fn expire_child(ctx: &mut Ctx<'_>, sa: &mut IkeSa, c: &super::ChildSa) {
    child::remove(ctx, sa, c.spi_in);
    if matches!(c.status, Status::Retiring { .. }) {
        return;
    }
    let _ = sa.queue_request(
        ctx,
        Box::new(DeleteRetired {
            spis: vec![c.spi_in],
        }),
    );
    if !matches!(c.status, Status::Redundant | Status::Standby { .. }) {
        ctx.event(
            Some(sa.handle),
            Event::ChildSaDeleted {
                name: c.name.clone(),
                spi_in: c.spi_in,
                spi_out: c.spi_out,
                by_peer: false,
            },
        );
    }
}

/// A timer of ours expired. Returns whether to remove the SA.
pub(crate) fn on_timer(ctx: &mut Ctx<'_>, sa: &mut IkeSa, timer: Timer) -> bool {
    if !matches!(sa.state, State::Established(_)) || superseded(sa) {
        return false;
    }
    match timer {
        Timer::Rekey => {
            let _ = queue_want(ctx, sa, Want::RekeyIke);
        }
        Timer::Expire => {
            // Hard lifetime: tell the peer once, then forget the SA.
            let mid = sa.requests.next_message_id();
            let bytes = match &sa.state {
                State::Established(e) => sa.protect(
                    ctx,
                    &e.keys,
                    ExchangeType::Informational,
                    false,
                    mid,
                    &[ikev2_wire::DeleteRepr::ike_sa().into()],
                ),
                _ => None,
            };
            if let Some(b) = bytes {
                ctx.transmit(sa.local, sa.remote, b);
            }
            remove_all_children(ctx, sa);
            let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
            ctx.fail(Some(sa.handle), sa.remote, name, Failure::Expired);
            return true;
        }
        Timer::ChildSa => {
            let now = ctx.now;
            for c in sa.children.clone() {
                if c.expire_at.is_some_and(|t| t <= now) {
                    expire_child(ctx, sa, &c);
                } else if let Status::Retiring { remove_at: Some(t) } = c.status {
                    if t <= now {
                        child::remove(ctx, sa, c.spi_in);
                    }
                } else if c.status == Status::Active && c.rekey_at.is_some_and(|t| t <= now) {
                    // Due once: a rekey that is skipped (a successor is
                    // already waiting) must not re-arm the past.
                    if let Some(x) = sa.children.iter_mut().find(|x| x.spi_in == c.spi_in) {
                        x.rekey_at = None;
                    }
                    let _ = queue_want(ctx, sa, Want::RekeyChild(c.spi_in));
                }
            }
            rearm(sa);
        }
        Timer::Queue => {
            let now = ctx.now;
            let due = with_est(sa, |sa, est| {
                let b = est.cc.get();
                let (due, later): (Vec<_>, Vec<_>) =
                    b.delayed.drain(..).partition(|(_, t)| *t <= now);
                b.delayed = later;
                if let Some(t) = b.delayed.iter().map(|(_, t)| *t).min() {
                    sa.timers.set(Timer::Queue, t);
                }
                due
            })
            .unwrap_or_default();
            for (w, _) in due {
                let _ = queue_want(ctx, sa, w);
            }
            sa.start_next(ctx);
        }
        _ => {}
    }
    false
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

/// CREATE_CHILD_SA for a new Child SA or a Child SA rekey.
struct CreateChild {
    name: String,
    rekey: Option<u32>,
    /// Proposals for an INVALID_KE_PAYLOAD retry.
    offered: Option<Vec<Proposal>>,
    ke_retries: u8,
    sent: Option<CreateSent>,
}

impl Exchange for CreateChild {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::CreateChildSa
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        if let Some(old) = self.rekey {
            // Replaced, deleted or collided meanwhile: nothing to do.
            sa.children
                .iter()
                .find(|c| c.spi_in == old && c.status == Status::Rekeying { collision: None })?;
        }
        let peer = ctx.peers.get(sa.peer)?.clone();
        let (payloads, sent) = child::start(
            ctx,
            sa,
            &peer,
            &self.name,
            self.rekey,
            self.offered.take(),
            self.ke_retries,
        )?;
        self.sent = Some(sent);
        Some(payloads)
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        payloads: &[PayloadRepr<'static>],
    ) -> bool {
        let Some(sent) = self.sent else {
            return false;
        };
        let (rekey, name) = (self.rekey, self.name.clone());
        let p = child::scan(payloads);
        let next = with_est(sa, |sa, est| {
            child::on_response(ctx, sa, &est.keys, sent, &p)
        });
        let f = match next {
            None | Some(Next::Nothing) => Followup::None,
            Some(Next::Resend(offered, ke_retries)) => Followup::Queue(Box::new(CreateChild {
                name,
                rekey,
                offered: Some(offered),
                ke_retries,
                sent: None,
            })),
            Some(Next::Retry(after)) => {
                Followup::Delay(rekey.map_or(Want::NewChild(name), Want::RekeyChild), after)
            }
            Some(Next::Delete(spis)) => Followup::Queue(Box::new(DeleteRetired { spis })),
        };
        follow(ctx, sa, f);
        false
    }
}

/// CREATE_CHILD_SA rekeying the IKE SA.
struct IkeRekey {
    proposals: Option<Vec<Proposal>>,
    ke_retries: u8,
    sent: Option<IkeRekeySent>,
}

impl Exchange for IkeRekey {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::CreateChildSa
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        if superseded(sa) {
            return None;
        }
        let proposals = match self.proposals.take() {
            Some(p) => p,
            None => ctx.peers.get(sa.peer)?.ike_proposals.clone(),
        };
        let (payloads, sent) = ike_start(ctx, &proposals, self.ke_retries)?;
        self.sent = Some(sent);
        Some(payloads)
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        payloads: &[PayloadRepr<'static>],
    ) -> bool {
        let Some(sent) = self.sent else {
            return false;
        };
        let f = with_est(sa, |sa, est| ike_on_response(ctx, sa, est, sent, payloads));
        follow(ctx, sa, f.unwrap_or(Followup::None));
        false
    }

    fn rekeys_ike_sa(&self) -> bool {
        true
    }
}

/// Initiator: the payloads of an IKE SA rekey request (SA with our new
/// SPI, Ni, KEi).
fn ike_start(
    ctx: &mut Ctx<'_>,
    proposals: &[Proposal],
    ke_retries: u8,
) -> Option<(Vec<PayloadRepr<'static>>, IkeRekeySent)> {
    let spi_i = ctx.spi()?;
    let mut offered = proposals.to_vec();
    for p in &mut offered {
        p.spi = spi_i.to_be_bytes().to_vec();
    }
    let group = initial_ke(&offered)?;
    let ke = ctx.provider.ke(group)?.start(ctx.rng).ok()?;
    let ni = ctx.random(child::NONCE_LEN)?;
    let payloads = vec![
        sa_from_proposals(&offered).into(),
        NonceRepr {
            data: Cow::Owned(ni.clone()),
        }
        .into(),
        KeRepr {
            group,
            reserved: 0,
            data: Cow::Owned(ke.public().to_vec()),
        }
        .into(),
    ];
    Some((
        payloads,
        IkeRekeySent {
            spi_i,
            ni,
            ke,
            offered,
            ke_retries,
        },
    ))
}

/// The new IKE SA's keys: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
/// with the old SA's PRF, then the usual expansion with the new SPIs
/// (RFC 7296 §2.18).
#[allow(clippy::too_many_arguments)]
pub(super) fn new_keys(
    ctx: &Ctx<'_>,
    old: &Keys,
    role: SaRole,
    ike: &crate::proposal::Selected,
    shared: &[u8],
    ni: &[u8],
    nr: &[u8],
    spi_i: u64,
    spi_r: u64,
) -> Option<Keys> {
    let seed = skeyseed_from_sk_d(old.prf, old.sk.sk_d.as_bytes(), &[shared], ni, nr);
    init::keys_from_seed(ctx, role, ike, &seed, ni, nr, spi_i, spi_r)
}

/// Responder: an IKE SA rekey request.
fn ike_respond(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    p: &child::CcPayloads,
) -> Vec<PayloadRepr<'static>> {
    // RFC 7296 §2.25.2: not while we create, rekey or delete a Child SA,
    // nor once this IKE SA is being replaced or deleted (§2.8.2: also when
    // our own rekey of it already completed). While our own rekey of it is
    // in flight, both are answered and the nonces decide (§2.8.2).
    let busy = sa
        .queue
        .in_flight()
        .is_some_and(|e| !e.is_liveness_check() && !e.rekeys_ike_sa());
    let ours_in_flight = sa.queue.in_flight().is_some_and(Exchange::rekeys_ike_sa);
    if est.cc.superseded() || busy || est.cc.peek().is_some_and(|b| b.passive.is_some()) {
        refused_temporarily(ctx, sa);
        return error_payload(NotifyType::TemporaryFailure, None);
    }
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return error_payload(NotifyType::NoProposalChosen, None);
    };
    let (Some(offered), Some(ni), Some((g, data))) =
        (p.sa.as_ref(), p.nonce.as_ref(), p.ke.as_ref())
    else {
        return error_payload(NotifyType::InvalidSyntax, None);
    };
    let (sel, decision) =
        match select_with_ke(&peer.ike_proposals, offered, Some(*g), &peer.selection) {
            Ok(s) => s,
            Err(d) => {
                ctx.fail(
                    Some(sa.handle),
                    sa.remote,
                    Some(peer.name.clone()),
                    Failure::from(d),
                );
                return error_payload(NotifyType::NoProposalChosen, None);
            }
        };
    let group = match decision {
        KeDecision::Accept(Some(group)) => group,
        KeDecision::InvalidKe { request, .. } => {
            ctx.stats.invalid_ke_sent += 1;
            return error_payload(NotifyType::InvalidKePayload, Some(request));
        }
        _ => return error_payload(NotifyType::NoProposalChosen, None),
    };
    let Ok(spi_i) = <[u8; 8]>::try_from(sel.proposal().spi.as_slice()).map(u64::from_be_bytes)
    else {
        return error_payload(NotifyType::InvalidSyntax, None);
    };
    let Some(ke) = ctx.provider.ke(group) else {
        return error_payload(NotifyType::NoProposalChosen, None);
    };
    let Ok((public, shared)) = ke.respond(ctx.rng, data) else {
        return error_payload(NotifyType::InvalidSyntax, None);
    };
    let (Some(spi_r), Some(nr)) = (ctx.spi(), ctx.random(child::NONCE_LEN)) else {
        return error_payload(NotifyType::TemporaryFailure, None);
    };
    let Some(keys) = new_keys(
        ctx,
        &est.keys,
        SaRole::Responder,
        &sel,
        shared.as_bytes(),
        ni,
        &nr,
        spi_i,
        spi_r,
    ) else {
        return error_payload(NotifyType::NoProposalChosen, None);
    };
    let mut prop = sel.proposal().clone();
    prop.spi = spi_r.to_be_bytes().to_vec();
    ctx.stats.rekeys.ike_responded += 1;
    let low = ni.as_slice().min(nr.as_slice()).to_vec();
    if ours_in_flight {
        ike_collision::hold(ctx, sa, est, (spi_i, spi_r), keys, sel, low);
    } else {
        ike_collision::spawn(ctx, sa, est, SaRole::Responder, (spi_i, spi_r), keys, sel);
    }
    vec![
        sa_from_proposals(std::slice::from_ref(&prop)).into(),
        NonceRepr {
            data: Cow::Owned(nr),
        }
        .into(),
        KeRepr {
            group,
            reserved: 0,
            data: Cow::Owned(public),
        }
        .into(),
    ]
}

/// Initiator: the response to our IKE SA rekey. Returns whether to remove
/// the SA.
fn ike_on_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    sent: IkeRekeySent,
    payloads: &[PayloadRepr<'_>],
) -> Followup {
    let p = child::scan(payloads);
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return Followup::None;
    };
    let fail = |ctx: &mut Ctx<'_>, sa: &IkeSa, f: Failure| {
        ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
        Followup::None
    };
    // The peer's rekey of this SA completed meanwhile (§2.8.2): it wins
    // unless ours completes too and has the higher nonces.
    let failed = p.invalid_ke.is_some() || p.error.is_some();
    if failed && (est.cc.superseded() || ike_collision::conclude(ctx, sa, est)) {
        return Followup::None;
    }
    if let Some(group) = p.invalid_ke {
        let retry = retry_with_ke(&sent.offered, group)
            .filter(|_| sent.ke_retries < 2 && initial_ke(&sent.offered) != Some(group));
        let Some(proposals) = retry else {
            return fail(ctx, sa, Failure::InvalidKe { requested: group });
        };
        return Followup::Queue(Box::new(IkeRekey {
            proposals: Some(proposals),
            ke_retries: sent.ke_retries + 1,
            sent: None,
        }));
    }
    match p.error {
        Some(NotifyType::TemporaryFailure) => {
            ctx.stats.rekeys.temporary_failures_received += 1;
            let after = child::retry_jitter(ctx);
            ctx.event(
                Some(sa.handle),
                Event::RekeyCollision {
                    child: None,
                    collision: Collision::RetryAfter { after },
                },
            );
            return Followup::Delay(Want::RekeyIke, after);
        }
        Some(notify) => return fail(ctx, sa, Failure::IkeRekeyRefused { notify }),
        None => {}
    }
    let bad = Failure::IkeRekeyRefused {
        notify: NotifyType::InvalidSyntax,
    };
    let (Some(sa_p), Some(nr), Some((g, data))) = (p.sa.as_ref(), p.nonce.as_ref(), p.ke.as_ref())
    else {
        return fail(ctx, sa, bad);
    };
    let Ok(sel) = check_response(&sent.offered, sa_p) else {
        return fail(ctx, sa, bad);
    };
    let Ok(spi_r) = <[u8; 8]>::try_from(sel.proposal().spi.as_slice()).map(u64::from_be_bytes)
    else {
        return fail(ctx, sa, bad);
    };
    if sel.ke() != Some(*g) || sent.ke.id() != *g {
        return fail(ctx, sa, bad);
    }
    let Ok(shared) = sent.ke.complete(data) else {
        return fail(ctx, sa, bad);
    };
    let Some(keys) = new_keys(
        ctx,
        &est.keys,
        SaRole::Initiator,
        &sel,
        shared.as_bytes(),
        &sent.ni,
        nr,
        sent.spi_i,
        spi_r,
    ) else {
        return fail(ctx, sa, bad);
    };
    ctx.stats.rekeys.ike_initiated += 1;
    let low = sent.ni.as_slice().min(nr.as_slice()).to_vec();
    ike_collision::completed(ctx, sa, est, low, (sent.spi_i, spi_r), keys, sel)
}
