//! CREATE_CHILD_SA on an established IKE SA: the queue of our requests,
//! routing of requests and responses, IKE SA rekeying (RFC 7296 §2.18),
//! lifetimes and the collision rules of §2.8 and §2.25.
//!
//! Our requests go out one at a time (the window has size 1): commands and
//! timers queue a [`Want`], and [`kick`] sends the first one whose time has
//! come whenever the window is free. The IKE SA rekey creates a new
//! [`IkeSa`] (new SPIs, so a new slab entry and handle); it is left in
//! [`Exchanges::spawned`] for the endpoint to adopt, which reports
//! `Event::IkeSaRekeyed { new }` on the old handle. Child SAs and queued
//! requests move to it; the old SA only deletes itself.
//!
//! Collisions (RFC 7296 §2.25): a rekey or new Child SA requested while we
//! rekey the IKE SA, and an IKE rekey requested while we create, rekey or
//! delete a Child SA or rekey the IKE SA ourselves, are refused with
//! TEMPORARY_FAILURE; the refused side retries after 1-5 s of jitter.
//! Simultaneous Child SA rekeys are both answered and resolved by nonces
//! (§2.8.1, in `child.rs`).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use ikev2_crypto::keys::skeyseed_from_sk_d;
use ikev2_crypto::ActiveKe;
use ikev2_wire::{
    ExchangeType, KeId, KeRepr, MessageRepr, NonceRepr, NotifyData, NotifyRepr, NotifyType,
    PayloadRepr, ProtocolId,
};

use super::child::{self, CreateSent, Next, Status};
use super::{delete, init, Ctx, Established, IkeSa, Keys, SaRole, State};
use crate::events::{Collision, Event, Failure};
use crate::proposal::{
    check_response, initial_ke, retry_with_ke, select_with_ke, KeDecision, Proposal,
};
use crate::timer::{Timer, TimerTable};
use crate::window::{RequestWindow, ResponseWindow};
use crate::wire::sa_from_proposals;

/// A request we want to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// A new Child SA of this child configuration.
    NewChild(String),
    /// Rekey the Child SA with this inbound SPI.
    RekeyChild(u32),
    /// Rekey the IKE SA.
    RekeyIke,
    /// Delete these inbound SPIs of ours.
    DeleteChild(Vec<u32>),
    /// Delete the IKE SA.
    DeleteIke,
}

/// Our outstanding request.
pub(crate) enum Pending {
    Child(Box<CreateSent>),
    Ike(Box<IkeRekeySent>),
    DeleteChild(Vec<u32>),
    DeleteIke,
}

/// Our outstanding IKE SA rekey.
pub(crate) struct IkeRekeySent {
    spi_i: u64,
    ni: Vec<u8>,
    ke: Box<dyn ActiveKe>,
    offered: Vec<Proposal>,
    ke_retries: u8,
}

/// Per established IKE SA: allocated only while something is queued,
/// outstanding or replaced (most SAs sit idle for hours).
#[derive(Default)]
pub(crate) struct Exchanges(Option<Box<Busy>>);

/// What [`Exchanges`] holds while busy.
#[derive(Default)]
pub(crate) struct Busy {
    /// Queued requests and the earliest time each may go.
    pub(crate) wants: VecDeque<(Want, Option<Instant>)>,
    /// Our outstanding request and its message ID.
    pub(crate) pending: Option<(u32, Pending)>,
    /// Rekeyed: only the delete of this IKE SA is left.
    pub(crate) superseded: bool,
    /// The IKE SA that replaces this one, for the endpoint to adopt.
    pub(crate) spawned: Option<Box<IkeSa>>,
}

impl Exchanges {
    fn get(&mut self) -> &mut Busy {
        self.0.get_or_insert_with(Box::default)
    }

    fn peek(&self) -> Option<&Busy> {
        self.0.as_deref()
    }

    fn superseded(&self) -> bool {
        self.peek().is_some_and(|b| b.superseded)
    }

    /// Frees the state once idle.
    fn tidy(&mut self) {
        let idle = self.peek().is_some_and(|b| {
            b.wants.is_empty() && b.pending.is_none() && !b.superseded && b.spawned.is_none()
        });
        if idle {
            self.0 = None;
        }
    }
}

impl Busy {
    fn want(&mut self, w: Want, not_before: Option<Instant>) {
        if !self.wants.iter().any(|(x, _)| *x == w) {
            self.wants.push_back((w, not_before));
        }
    }
}

/// The IKE SA that replaced `sa` in a rekey, once (the endpoint adopts it).
pub(crate) fn take_spawned(sa: &mut IkeSa) -> Option<IkeSa> {
    match &mut sa.state {
        State::Established(est) => est.cc.0.as_mut()?.spawned.take().map(|b| *b),
        _ => None,
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
}

/// Runs `f` on the established state of `sa` (taken out and put back).
fn with_est<T>(sa: &mut IkeSa, f: impl FnOnce(&mut IkeSa, &mut Established) -> T) -> Option<T> {
    match std::mem::replace(&mut sa.state, State::Taken) {
        State::Established(mut est) => {
            let v = f(sa, &mut est);
            sa.state = State::Established(est);
            Some(v)
        }
        other => {
            sa.state = other;
            None
        }
    }
}

/// Queues `w` and sends what can be sent. `None` if the SA is not established.
pub(crate) fn command(ctx: &mut Ctx<'_>, sa: &mut IkeSa, w: Want) -> Option<()> {
    with_est(sa, |sa, est| {
        est.cc.get().want(w, None);
        kick(ctx, sa, est);
    })
}

/// The data plane reports a Child SA's soft or hard limit (bytes, packets).
pub(crate) fn child_expired(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spi_in: u32, hard: bool) -> bool {
    with_est(sa, |sa, est| {
        let Some(c) = sa.children.iter().find(|c| c.spi_in == spi_in).cloned() else {
            return false;
        };
        if hard {
            expire_child(ctx, sa, est, &c);
        } else if c.status == Status::Active {
            est.cc.get().want(Want::RekeyChild(spi_in), None);
        }
        kick(ctx, sa, est);
        true
    })
    .unwrap_or(false)
}

fn expire_child(ctx: &mut Ctx<'_>, sa: &mut IkeSa, est: &mut Established, c: &super::ChildSa) {
    child::remove(ctx, sa, c.spi_in);
    if !matches!(c.status, Status::Retiring { .. }) {
        est.cc.get().want(Want::DeleteChild(vec![c.spi_in]), None);
        ctx.event(
            Some(sa.handle),
            Event::ChildSaDeleted {
                name: c.name.clone(),
                spi_in: c.spi_in,
                spi_out: c.spi_out,
            },
        );
    }
}

/// A timer of ours expired. Returns whether to remove the SA.
pub(crate) fn on_timer(ctx: &mut Ctx<'_>, sa: &mut IkeSa, timer: Timer) -> bool {
    with_est(sa, |sa, est| {
        match timer {
            Timer::Rekey => est.cc.get().want(Want::RekeyIke, None),
            Timer::Expire => {
                // Hard lifetime: tell the peer once, then forget the SA.
                let mid = sa.requests.next_message_id();
                if let Some(b) = sa.protect(
                    ctx,
                    &est.keys,
                    ExchangeType::Informational,
                    false,
                    mid,
                    &delete::ike_request(),
                ) {
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
                        expire_child(ctx, sa, est, &c);
                    } else if let Status::Retiring { remove_at: Some(t) } = c.status {
                        if t <= now {
                            child::remove(ctx, sa, c.spi_in);
                        }
                    } else if c.status == Status::Active && c.rekey_at.is_some_and(|t| t <= now) {
                        if let Some(x) = sa.children.iter_mut().find(|x| x.spi_in == c.spi_in) {
                            x.rekey_at = None;
                        }
                        est.cc.get().want(Want::RekeyChild(c.spi_in), None);
                    }
                }
                rearm(sa);
            }
            _ => {}
        }
        kick(ctx, sa, est);
        false
    })
    .unwrap_or(false)
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

fn busy_with_child(est: &Established) -> bool {
    est.cc.peek().is_some_and(|b| {
        matches!(
            b.pending,
            Some((_, Pending::Child(_) | Pending::DeleteChild(_)))
        )
    })
}

/// Sends the first queued request whose time has come, if the window is free.
pub(crate) fn kick(ctx: &mut Ctx<'_>, sa: &mut IkeSa, est: &mut Established) {
    let now = ctx.now;
    let superseded = est.cc.superseded();
    while est.cc.get().pending.is_none() && sa.requests.can_send() {
        let Some(i) = est.cc.get().wants.iter().position(|(w, t)| {
            t.is_none_or(|t| t <= now) && (!superseded || *w == Want::DeleteIke)
        }) else {
            break;
        };
        let Some((w, _)) = est.cc.get().wants.remove(i) else {
            break;
        };
        let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
            break;
        };
        let built: Option<(Vec<PayloadRepr<'static>>, Pending)> = match w {
            Want::NewChild(name) => child::start(ctx, sa, &peer, &name, None, None, 0)
                .map(|(p, s)| (p, Pending::Child(Box::new(s)))),
            Want::RekeyChild(spi) => {
                let ok = sa
                    .children
                    .iter()
                    .any(|c| c.spi_in == spi && c.status == Status::Active)
                    && !sa
                        .children
                        .iter()
                        .any(|c| c.status == Status::Standby { old_spi_in: spi });
                let name = sa
                    .children
                    .iter()
                    .find(|c| c.spi_in == spi)
                    .map(|c| c.name.clone());
                match (ok, name) {
                    (true, Some(name)) => child::start(ctx, sa, &peer, &name, Some(spi), None, 0)
                        .map(|(p, s)| {
                            if let Some(c) = sa.children.iter_mut().find(|c| c.spi_in == spi) {
                                c.status = Status::Rekeying { collision: None };
                            }
                            (p, Pending::Child(Box::new(s)))
                        }),
                    _ => None,
                }
            }
            Want::RekeyIke => {
                ike_start(ctx, &peer.ike_proposals, 0).map(|(p, s)| (p, Pending::Ike(Box::new(s))))
            }
            Want::DeleteChild(spis) => {
                Some((delete::child_request(&spis), Pending::DeleteChild(spis)))
            }
            Want::DeleteIke => Some((delete::ike_request(), Pending::DeleteIke)),
        };
        let Some((payloads, pending)) = built else {
            continue;
        };
        send(ctx, sa, est, payloads, pending);
    }
    let b = est.cc.get();
    let next = b.wants.iter().filter_map(|(_, t)| *t).min();
    let waiting = !b.wants.is_empty() && b.pending.is_none() && !sa.requests.can_send();
    match next {
        // Something is waiting for the window: look again shortly even if
        // the request in flight is not ours.
        _ if waiting => {
            if let Some(t) = now.checked_add(std::time::Duration::from_secs(1)) {
                sa.timers.set(Timer::Queue, next.map_or(t, |n| n.max(t)));
            }
        }
        Some(t) => sa.timers.set(Timer::Queue, t),
        None => sa.timers.stop(Timer::Queue),
    }
    est.cc.tidy();
}

fn send(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    payloads: Vec<PayloadRepr<'static>>,
    pending: Pending,
) {
    let exchange = match pending {
        Pending::Child(_) | Pending::Ike(_) => ExchangeType::CreateChildSa,
        Pending::DeleteChild(_) | Pending::DeleteIke => ExchangeType::Informational,
    };
    let mid = sa.requests.next_message_id();
    if let Some(bytes) = sa.protect(ctx, &est.keys, exchange, false, mid, &payloads) {
        sa.send_request(ctx, exchange, bytes);
        est.cc.get().pending = Some((mid, pending));
    }
}

/// A request on an established SA (already past the response window).
/// Returns whether to remove the SA.
pub(crate) fn on_request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    message_id: u32,
    exchange: ExchangeType,
    payloads: &[PayloadRepr<'_>],
) -> bool {
    let (out, remove) = match exchange {
        ExchangeType::CreateChildSa => {
            let p = child::scan(payloads);
            let ike =
                p.sa.as_ref()
                    .and_then(|s| s.first())
                    .is_some_and(|s| s.protocol == ProtocolId::Ike);
            let out = if ike {
                ike_respond(ctx, sa, est, &p)
            } else if est.cc.get().superseded
                || matches!(est.cc.get().pending, Some((_, Pending::Ike(_))))
            {
                // RFC 7296 §2.25.2: no Child SA work while the IKE SA is
                // being rekeyed.
                refused_temporarily(ctx, sa, "Child SA during IKE SA rekey");
                error_payload(NotifyType::TemporaryFailure, None)
            } else {
                match child::respond(ctx, sa, &est.keys, &p) {
                    child::Answer::Payloads(out) => out,
                    child::Answer::Error(n, g) => error_payload(n, g),
                }
            };
            (out, false)
        }
        ExchangeType::Informational => delete::respond(ctx, sa, payloads, est.cc.superseded()),
        _ => (error_payload(NotifyType::InvalidSyntax, None), false),
    };
    if let Some(b) = sa.protect(ctx, &est.keys, exchange, true, message_id, &out) {
        sa.respond(ctx, message_id, exchange, b);
    }
    if !remove {
        kick(ctx, sa, est);
    }
    remove
}

fn refused_temporarily(ctx: &mut Ctx<'_>, sa: &IkeSa, what: &'static str) {
    let _ = what;
    ctx.stats.rekeys.temporary_failures_sent += 1;
    ctx.event(
        Some(sa.handle),
        Event::RekeyCollision {
            child: None,
            collision: Collision::RefusedTemporarily,
        },
    );
}

/// A response on an established SA. Returns whether to remove the SA.
pub(crate) fn on_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
    path: (SocketAddr, SocketAddr),
) -> bool {
    let h = msg.header;
    let Some(payloads) = super::unprotect(&est.keys, bytes) else {
        ctx.stats.dropped.invalid_message += 1;
        return false;
    };
    match sa.requests.on_response(h.message_id) {
        Ok(ex) if ex == h.exchange_type => {}
        _ => {
            ctx.stats.dropped.unmatched_response += 1;
            return false;
        }
    }
    sa.accept_path(path);
    let mine = est
        .cc
        .peek()
        .and_then(|b| b.pending.as_ref())
        .is_some_and(|(m, _)| *m == h.message_id);
    let mut remove = false;
    if mine {
        if let Some((_, pending)) = est.cc.get().pending.take() {
            remove = on_our_response(ctx, sa, est, pending, &payloads);
        }
    }
    if !remove {
        kick(ctx, sa, est);
    }
    remove
}

fn on_our_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    pending: Pending,
    payloads: &[PayloadRepr<'_>],
) -> bool {
    match pending {
        Pending::DeleteIke => {
            ctx.stats
                .record_exchange(crate::stats::Role::Initiated, ExchangeType::Informational);
            remove_all_children(ctx, sa);
            if !est.cc.get().superseded {
                ctx.event(Some(sa.handle), Event::Deleted);
            }
            true
        }
        Pending::DeleteChild(spis) => {
            ctx.stats
                .record_exchange(crate::stats::Role::Initiated, ExchangeType::Informational);
            delete::on_child_response(ctx, sa, &spis);
            false
        }
        Pending::Child(sent) => {
            let p = child::scan(payloads);
            let (rekey, name) = (sent.rekey, sent.name.clone());
            match child::on_response(ctx, sa, &est.keys, *sent, &p) {
                Next::Nothing => {}
                Next::Resend(payloads, next) => {
                    if let Some(old) = rekey {
                        if let Some(c) = sa.children.iter_mut().find(|c| c.spi_in == old) {
                            c.status = Status::Rekeying { collision: None };
                        }
                    }
                    send(ctx, sa, est, payloads, Pending::Child(next));
                }
                Next::Retry(after) => {
                    let w = rekey.map_or(Want::NewChild(name), Want::RekeyChild);
                    est.cc.get().want(w, ctx.now.checked_add(after));
                }
                Next::Delete(spis) => {
                    est.cc
                        .get()
                        .wants
                        .push_front((Want::DeleteChild(spis), None));
                }
            }
            false
        }
        Pending::Ike(sent) => ike_on_response(ctx, sa, est, *sent, payloads),
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
fn new_keys(
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

/// Builds the IKE SA that replaces `sa` and moves the Child SAs and the
/// queued requests to it.
fn spawn(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    role: SaRole,
    (spi_i, spi_r): (u64, u64),
    keys: Keys,
    ike: crate::proposal::Selected,
) {
    let retransmit = ctx
        .peers
        .get(sa.peer)
        .map(|p| p.retransmit)
        .unwrap_or_default();
    let mut next = Established::new(keys, ike);
    next.cc.get().wants = std::mem::take(&mut est.cc.get().wants);
    let mut new = IkeSa {
        handle: sa.handle,
        role,
        spi_i,
        spi_r,
        local: sa.local,
        remote: sa.remote,
        init_remote: sa.init_remote,
        peer: sa.peer,
        state: State::Established(Box::new(next)),
        requests: RequestWindow::new(retransmit, child::random_u64(ctx)),
        responses: ResponseWindow::new(),
        nat_local: sa.nat_local,
        nat_remote: sa.nat_remote,
        peer_id: sa.peer_id.clone(),
        children: std::mem::take(&mut sa.children),
        timers: TimerTable::default(),
        expires: None,
    };
    on_established(ctx, &mut new);
    rearm(&mut new);
    if let State::Established(n) = &mut new.state {
        // Whatever was queued waits for its time on the new SA.
        let t =
            n.cc.peek()
                .and_then(|b| b.wants.iter().map(|(_, t)| t.unwrap_or(ctx.now)).min());
        if let Some(t) = t {
            new.timers.set(Timer::Queue, t);
        }
    }
    est.cc.get().superseded = true;
    est.cc.get().spawned = Some(Box::new(new));
    sa.timers.stop_all();
    // If the peer never deletes the old SA, forget it after the time its
    // Delete could take to arrive.
    sa.expires = ctx.now.checked_add(retransmit.give_up_after());
}

/// Responder: an IKE SA rekey request.
fn ike_respond(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    p: &child::CcPayloads,
) -> Vec<PayloadRepr<'static>> {
    // RFC 7296 §2.25.2: not while we create, rekey or delete a Child SA;
    // and (a simplification of §2.8.2) not while we rekey the IKE SA: both
    // sides then retry after a random delay.
    if est.cc.superseded()
        || busy_with_child(est)
        || est.cc.peek().is_some_and(|b| b.pending.is_some())
    {
        refused_temporarily(ctx, sa, "IKE SA rekey while busy");
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
    spawn(ctx, sa, est, SaRole::Responder, (spi_i, spi_r), keys, sel);
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
) -> bool {
    let p = child::scan(payloads);
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return false;
    };
    let fail = |ctx: &mut Ctx<'_>, sa: &IkeSa, f: Failure| {
        ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
        false
    };
    if let Some(group) = p.invalid_ke {
        let retry = retry_with_ke(&sent.offered, group)
            .filter(|_| sent.ke_retries < 2 && initial_ke(&sent.offered) != Some(group));
        let Some((payloads, next)) = retry.and_then(|o| ike_start(ctx, &o, sent.ke_retries + 1))
        else {
            return fail(ctx, sa, Failure::InvalidKe { requested: group });
        };
        send(ctx, sa, est, payloads, Pending::Ike(Box::new(next)));
        return false;
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
            est.cc
                .get()
                .want(Want::RekeyIke, ctx.now.checked_add(after));
            return false;
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
    ctx.stats
        .record_exchange(crate::stats::Role::Initiated, ExchangeType::CreateChildSa);
    ctx.stats.rekeys.ike_initiated += 1;
    spawn(
        ctx,
        sa,
        est,
        SaRole::Initiator,
        (sent.spi_i, spi_r),
        keys,
        sel,
    );
    // The rekey's initiator deletes the old IKE SA.
    est.cc.get().want(Want::DeleteIke, None);
    false
}
