//! The INFORMATIONAL exchange (RFC 7296 §1.4, §2.4, §3.11) in both roles,
//! liveness checks (DPD) and dead-peer detection.
//!
//! As responder ([`on_request`], only inside an authenticated SK payload):
//!
//! - a Delete of Child SAs removes each one we have (by the peer's inbound
//!   SPI, which is our outbound SPI), emits [`Output::RemoveChildSa`] and
//!   [`Event::ChildSaDeleted`], and answers with Deletes for our inbound
//!   twins; SPIs we do not know are ignored (§1.4.1). If we are deleting the
//!   same Child SA ourselves (the two requests crossed), it is removed now
//!   and left out of the answer, as §1.4.1 requires;
//! - a Delete of the IKE SA is answered with an empty INFORMATIONAL, then
//!   every Child SA and the IKE SA are removed ([`Event::IkeSaDeleted`]
//!   with `by_peer: true`);
//! - an empty request (a liveness check) is answered empty;
//! - error notifications are reported as [`Event::PeerErrorNotify`] and kept
//!   in the error history; AUTHENTICATION_FAILED also ends the IKE SA
//!   (RFC 7296 §2.21.2: the peer has already dropped it). Error notifies
//!   that are not authenticated never reach this code: a message that does
//!   not decrypt is dropped and counted.
//!
//! As initiator the user commands [`Endpoint::delete_child_sa`],
//! [`Endpoint::delete_ike_sa`] and [`Endpoint::liveness_check`] queue an
//! [`Exchange`] on the SA's request queue (`queue.rs`): one request at a
//! time, retransmitted on the configured schedule. A delete of the IKE SA
//! removes it when answered or, unanswered, when the schedule runs out.
//! Any other request that exhausts the schedule declares the peer dead
//! ([`Event::PeerDead`]).
//!
//! Liveness (`PeerConfig::dpd_delay`, strongSwan's `dpd_delay`): when
//! nothing authenticated was received from the peer for that long and no
//! exchange is under way, an empty INFORMATIONAL request is sent.
//! [`Timer::Liveness`] is re-armed lazily: receiving only records the time
//! ([`touch`]); the timer, when it fires early, moves itself to
//! `last_received + dpd_delay`.

use std::time::{Duration, Instant};

use ikev2_wire::{
    DeleteRepr, ExchangeType, MessageRepr, NotifyType, PayloadBody, PayloadRepr, ProtocolId,
};

use super::queue::{Exchange, GiveUp, QueueError};
use super::{Ctx, IkeSa, State};
use crate::endpoint::{ApiError, ChildSaRemove, Endpoint, Output, SaHandle};
use crate::events::{AuthFailure, Event, Failure};
use crate::stats::ErrorRecord;
use crate::timer::Timer;

/// Per-SA liveness bookkeeping.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct InfoState {
    /// When the last authenticated message from the peer arrived.
    pub(crate) last_received: Option<Instant>,
}

/// An authenticated message from the peer arrived at `now` (call it from
/// every exchange handler of an established SA).
pub(crate) fn touch(sa: &mut IkeSa, now: Instant) {
    sa.info.last_received = Some(now);
}

fn dpd_delay(ctx: &Ctx<'_>, sa: &IkeSa) -> Option<Duration> {
    ctx.peers
        .get(sa.peer)
        .map(|p| p.dpd_delay)
        .filter(|d| !d.is_zero())
}

/// The IKE SA just became established: start the liveness clock.
pub(crate) fn on_established(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    touch(sa, ctx.now);
    if let Some(delay) = dpd_delay(ctx, sa) {
        if let Some(t) = ctx.now.checked_add(delay) {
            sa.timers.set(Timer::Liveness, t);
        }
    }
}

/// [`Timer::Liveness`] fired. Never removes the SA (a check that goes
/// unanswered does, through the request window).
pub(crate) fn on_liveness_timer(ctx: &mut Ctx<'_>, sa: &mut IkeSa) -> bool {
    let Some(delay) = dpd_delay(ctx, sa) else {
        return false;
    };
    if !matches!(sa.state, State::Established(_)) {
        return false;
    }
    let last = sa.info.last_received.unwrap_or(ctx.now);
    let due = last.checked_add(delay).unwrap_or(ctx.now);
    if due > ctx.now {
        sa.timers.set(Timer::Liveness, due);
        return false;
    }
    // An exchange under way proves liveness (or its retransmissions
    // detect the dead peer); only an idle SA needs a check.
    if sa.queue.is_idle() {
        let _ = sa.queue_request(ctx, Box::new(Liveness));
    }
    if let Some(t) = ctx.now.checked_add(delay) {
        sa.timers.set(Timer::Liveness, t);
    }
    false
}

/// An INFORMATIONAL request on an established SA, already classified as
/// new by the response window. Returns whether to remove the SA.
pub(crate) fn on_request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
    path: (std::net::SocketAddr, std::net::SocketAddr),
) -> bool {
    let mid = msg.header.message_id;
    let opened = match &sa.state {
        State::Established(e) => super::malformed::open(&e.keys, bytes),
        _ => super::malformed::Opened::Forged,
    };
    let payloads = match opened {
        super::malformed::Opened::Payloads(p) => p,
        super::malformed::Opened::Forged => {
            // Forged, corrupt or unauthenticated: no state change.
            sa.responses.abandon(mid);
            ctx.stats.dropped.invalid_message += 1;
            return false;
        }
        super::malformed::Opened::Malformed => {
            let state = std::mem::replace(&mut sa.state, State::Taken);
            if let State::Established(e) = &state {
                let exchange = ExchangeType::Informational;
                let detail = "inner payloads do not parse";
                super::malformed::answer(ctx, sa, &e.keys, exchange, mid, detail);
            }
            sa.state = state;
            return false;
        }
    };
    sa.accept_path(path);
    touch(sa, ctx.now);
    let mut delete_ike = false;
    let mut child_spis = Vec::new();
    for p in &payloads {
        if let PayloadBody::Delete(d) = &p.body {
            match d.protocol_id {
                ProtocolId::Ike => delete_ike = true,
                ProtocolId::Esp | ProtocolId::Ah if d.spi_size == 4 => {
                    child_spis.extend(
                        d.spis()
                            .filter_map(|s| <[u8; 4]>::try_from(s).ok())
                            .map(u32::from_be_bytes),
                    );
                }
                _ => ctx.stats.info.delete_spis_unknown += 1,
            }
        }
    }
    let defer = !delete_ike
        && !child_spis.is_empty()
        && match &mut sa.state {
            State::Established(e) => super::ike_collision::defer(e),
            _ => false,
        };
    if defer {
        // The peer's rekey that collided with ours: answered once the
        // Child SAs moved here (the peer retransmits).
        sa.responses.abandon(mid);
        return false;
    }
    let auth_failed = record_error_notifies(ctx, sa, &payloads, true);
    if delete_ike || auth_failed {
        respond(ctx, sa, mid, &[]);
        if delete_ike {
            // A rekey of ours collided with the peer's: its SA takes over.
            super::ike_collision::concede(ctx, sa);
        }
        let by_peer = Some(true);
        remove_children(ctx, sa, by_peer);
        if delete_ike {
            ctx.stats.info.ike_deletes_received += 1;
            ctx.event(Some(sa.handle), Event::IkeSaDeleted { by_peer: true });
        } else {
            let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
            ctx.fail(
                Some(sa.handle),
                sa.remote,
                name,
                Failure::AuthenticationFailed {
                    cause: AuthFailure::RejectedByPeer,
                },
            );
        }
        return true;
    }
    let mut ours = Vec::new();
    for spi_out in child_spis {
        // Rekeying's part (make-before-break switch, replaced and
        // redundant SAs): `delete.rs`.
        if let Some(reply) = super::delete::on_peer_delete(ctx, sa, spi_out) {
            ours.extend(reply);
            continue;
        }
        let Some(i) = sa.children.iter().position(|c| c.spi_out == spi_out) else {
            ctx.stats.info.delete_spis_unknown += 1;
            continue;
        };
        let child = sa.children.remove(i);
        ctx.stats.info.child_deletes_received += 1;
        // Crossing deletes: ours is in flight, so no Delete for it in the answer.
        if !sa
            .queue
            .in_flight()
            .is_some_and(|e| e.deletes_child(child.spi_in))
        {
            ours.push(child.spi_in);
        }
        child_removed(ctx, sa.handle, &child, Some(true));
    }
    if payloads.is_empty() {
        ctx.stats.info.liveness_answered += 1;
    }
    if ours.is_empty() {
        respond(ctx, sa, mid, &[]);
    } else {
        respond(
            ctx,
            sa,
            mid,
            &[DeleteRepr::child_sas(ProtocolId::Esp, &ours).into()],
        );
    }
    false
}

fn respond(ctx: &mut Ctx<'_>, sa: &mut IkeSa, mid: u32, payloads: &[PayloadRepr<'_>]) {
    let bytes = match &sa.state {
        State::Established(e) => sa.protect(
            ctx,
            &e.keys,
            ExchangeType::Informational,
            true,
            mid,
            payloads,
        ),
        _ => None,
    };
    match bytes {
        Some(b) => sa.respond(ctx, mid, ExchangeType::Informational, b),
        None => sa.responses.abandon(mid),
    }
}

/// Reports the error notifications among `payloads` (authenticated);
/// returns true if one was AUTHENTICATION_FAILED.
fn record_error_notifies(
    ctx: &mut Ctx<'_>,
    sa: &IkeSa,
    payloads: &[PayloadRepr<'_>],
    in_request: bool,
) -> bool {
    let mut auth_failed = false;
    for p in payloads {
        let PayloadBody::Notify(n) = &p.body else {
            continue;
        };
        if !n.notify_type.is_error() {
            continue;
        }
        auth_failed |= n.notify_type == NotifyType::AuthenticationFailed;
        ctx.stats.info.error_notifies_received += 1;
        let failure = Failure::PeerError {
            notify: n.notify_type,
        };
        ctx.stats.record_failure(&failure);
        ctx.history.push(ErrorRecord {
            at: ctx.now,
            peer: Some(sa.remote),
            config: ctx.peers.get(sa.peer).map(|c| c.name.clone()),
            failure,
        });
        ctx.event(
            Some(sa.handle),
            Event::PeerErrorNotify {
                notify: n.notify_type,
                in_request,
                spi: n.spi.to_vec(),
            },
        );
    }
    auth_failed
}

/// Emits the removal of one Child SA; `by_peer` `None` (the peer is dead)
/// emits no [`Event::ChildSaDeleted`].
pub(crate) fn child_removed(
    ctx: &mut Ctx<'_>,
    sa: SaHandle,
    child: &super::ChildSa,
    by_peer: Option<bool>,
) {
    ctx.out
        .push_back(Output::RemoveChildSa(Box::new(ChildSaRemove {
            sa,
            name: child.name.clone(),
            spi_in: child.spi_in,
            spi_out: child.spi_out,
        })));
    if let Some(by_peer) = by_peer {
        ctx.event(
            Some(sa),
            Event::ChildSaDeleted {
                name: child.name.clone(),
                spi_in: child.spi_in,
                spi_out: child.spi_out,
                by_peer,
            },
        );
    }
}

/// Removes every Child SA of `sa` (the IKE SA is going).
pub(crate) fn remove_children(ctx: &mut Ctx<'_>, sa: &mut IkeSa, by_peer: Option<bool>) {
    for child in std::mem::take(&mut sa.children) {
        child_removed(ctx, sa.handle, &child, by_peer);
    }
}

/// The request window gave up on `exchange`. On an established SA this
/// ends it: quietly after our own delete of the IKE SA, otherwise the peer
/// is declared dead. Returns true if handled (the SA is to be removed),
/// false for SAs that are not established (the caller reports those).
pub(crate) fn gave_up(ctx: &mut Ctx<'_>, sa: &mut IkeSa, exchange: ExchangeType) -> bool {
    if !matches!(sa.state, State::Established(_)) {
        return false;
    }
    if sa
        .queue
        .in_flight()
        .is_some_and(|e| e.on_give_up() == GiveUp::Quietly)
    {
        ctx.stats.info.ike_deletes_unanswered += 1;
        remove_children(ctx, sa, Some(false));
        ctx.event(Some(sa.handle), Event::IkeSaDeleted { by_peer: false });
        return true;
    }
    let cfg = ctx.peers.get(sa.peer);
    let retransmit = cfg.map(|c| c.retransmit).unwrap_or_default();
    let config = cfg.map(|c| c.name.clone()).unwrap_or_default();
    let after = sa.queue.in_flight_since().map_or_else(
        || retransmit.give_up_after(),
        |t| ctx.now.saturating_duration_since(t),
    );
    remove_children(ctx, sa, None);
    ctx.stats.info.dead_peers += 1;
    let failure = Failure::RetransmitTimeout {
        exchange,
        retransmits: retransmit.tries,
        after,
    };
    ctx.stats.record_failure(&failure);
    ctx.history.push(ErrorRecord {
        at: ctx.now,
        peer: Some(sa.remote),
        config: Some(config.clone()),
        failure,
    });
    ctx.event(
        Some(sa.handle),
        Event::PeerDead {
            peer: sa.remote,
            peer_id: sa.peer_id.clone(),
            config,
            exchange,
            retransmits: retransmit.tries,
            after,
        },
    );
    true
}

/// INFORMATIONAL with a Delete of one of our Child SAs.
struct DeleteChild {
    spi_in: u32,
}

impl Exchange for DeleteChild {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::Informational
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        // Deleted by the peer while queued: nothing left to do.
        sa.children.iter().find(|c| c.spi_in == self.spi_in)?;
        ctx.stats.info.child_deletes_sent += 1;
        Some(vec![
            DeleteRepr::child_sas(ProtocolId::Esp, &[self.spi_in]).into()
        ])
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        payloads: &[PayloadRepr<'static>],
    ) -> bool {
        record_error_notifies(ctx, sa, payloads, false);
        // The answer's Delete names the peer's twin; ours goes either way
        // (if the peer's own delete crossed ours it is gone already).
        if let Some(i) = sa.children.iter().position(|c| c.spi_in == self.spi_in) {
            let child = sa.children.remove(i);
            child_removed(ctx, sa.handle, &child, Some(false));
        }
        false
    }

    fn deletes_child(&self, spi_in: u32) -> bool {
        self.spi_in == spi_in
    }
}

/// A delete of the IKE SA, for other exchanges to queue (the old SA after
/// an IKE SA rekey).
pub(crate) fn delete_ike() -> Box<dyn Exchange> {
    Box::new(DeleteIke)
}

/// INFORMATIONAL with a Delete of the IKE SA.
struct DeleteIke;

impl Exchange for DeleteIke {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::Informational
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, _sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        ctx.stats.info.ike_deletes_sent += 1;
        Some(vec![DeleteRepr::ike_sa().into()])
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        _payloads: &[PayloadRepr<'static>],
    ) -> bool {
        remove_children(ctx, sa, Some(false));
        ctx.event(Some(sa.handle), Event::IkeSaDeleted { by_peer: false });
        true
    }

    fn on_give_up(&self) -> GiveUp {
        GiveUp::Quietly
    }

    fn deletes_ike_sa(&self) -> bool {
        true
    }
}

/// An empty INFORMATIONAL request: a liveness check (DPD).
struct Liveness;

impl Exchange for Liveness {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::Informational
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, _sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        ctx.stats.info.liveness_sent += 1;
        Some(Vec::new())
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        payloads: &[PayloadRepr<'static>],
    ) -> bool {
        record_error_notifies(ctx, sa, payloads, false);
        false
    }

    fn is_liveness_check(&self) -> bool {
        true
    }
}

fn established(sa: &IkeSa, command: &'static str) -> Result<(), ApiError> {
    match sa.state {
        State::Established(_) => Ok(()),
        ref other => Err(ApiError::NotEstablished {
            command,
            state: other.name(),
        }),
    }
}

fn queued(r: Result<(), QueueError>) -> Result<((), bool), ApiError> {
    match r {
        Ok(()) => Ok(((), false)),
        Err(QueueError::Full) => Err(ApiError::QueueFull),
        Err(QueueError::Deleting) => Err(ApiError::Deleting),
    }
}

/// User commands of the INFORMATIONAL exchange (see `sa/info.rs`).
impl Endpoint {
    /// Deletes the Child SA whose inbound SPI is `spi_in` (RFC 7296 §1.4.1):
    /// an INFORMATIONAL request with a Delete payload goes out when the
    /// request window is free; when it is answered,
    /// [`Output::RemoveChildSa`] and [`Event::ChildSaDeleted`] (`by_peer:
    /// false`) follow.
    ///
    /// # Errors
    /// [`ApiError::UnknownSa`], [`ApiError::NotEstablished`],
    /// [`ApiError::UnknownChildSa`], [`ApiError::QueueFull`],
    /// [`ApiError::Deleting`] (the IKE SA is being deleted).
    pub fn delete_child_sa(
        &mut self,
        now: Instant,
        handle: SaHandle,
        spi_in: u32,
    ) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            established(sa, "delete_child_sa")?;
            if !sa.children.iter().any(|c| c.spi_in == spi_in) {
                return Err(ApiError::UnknownChildSa { spi_in });
            }
            queued(sa.queue_request(ctx, Box::new(DeleteChild { spi_in })))
        })
    }

    /// Deletes the IKE SA and with it every Child SA (RFC 7296 §1.4.1).
    /// Established: a Delete goes out ahead of anything queued; the SA is
    /// removed when it is answered, or when the retransmission schedule
    /// runs out, with [`Event::IkeSaDeleted`] (`by_peer: false`) after the
    /// Child SAs' removals. Not yet established: the SA is abandoned at once
    /// (nothing is sent).
    /// A second call while the delete is under way does nothing.
    ///
    /// # Errors
    /// [`ApiError::UnknownSa`].
    pub fn delete_ike_sa(&mut self, now: Instant, handle: SaHandle) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            if established(sa, "delete_ike_sa").is_err() {
                remove_children(ctx, sa, Some(false));
                ctx.event(Some(sa.handle), Event::IkeSaDeleted { by_peer: false });
                return Ok(((), true));
            }
            if sa.queue.deleting_ike_sa() {
                return Ok(((), false));
            }
            queued(sa.queue_request(ctx, Box::new(DeleteIke)))
        })
    }

    /// Sends a liveness check (an empty INFORMATIONAL request, "DPD") when
    /// the request window is free. If the peer does not answer within the
    /// retransmission schedule it is declared dead ([`Event::PeerDead`]).
    /// A check already queued or in flight is not duplicated.
    ///
    /// # Errors
    /// [`ApiError::UnknownSa`], [`ApiError::NotEstablished`],
    /// [`ApiError::QueueFull`], [`ApiError::Deleting`].
    pub fn liveness_check(&mut self, now: Instant, handle: SaHandle) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            established(sa, "liveness_check")?;
            if sa.queue.has_liveness_check() {
                return Ok(((), false));
            }
            queued(sa.queue_request(ctx, Box::new(Liveness)))
        })
    }
}

#[cfg(test)]
#[path = "info_tests.rs"]
mod tests;
