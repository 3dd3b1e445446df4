//! Requests waiting for the request window, and the one in flight.
//!
//! RFC 7296 §2.3 lets an endpoint have as many requests outstanding as the
//! peer's window allows, which is 1 unless SET_WINDOW_SIZE said otherwise.
//! Every exchange we start on an established IKE SA (INFORMATIONAL deletes
//! and liveness checks, CREATE_CHILD_SA for new or rekeyed Child SAs, IKE
//! rekeying) therefore goes through one per-SA FIFO:
//!
//! - [`IkeSa::queue_request`] appends a [`Exchange`] and starts it at once
//!   if the window is free;
//! - the request's payloads are built by [`Exchange::payloads`] only when it
//!   is started, so the message ID in its header is the one the window
//!   assigns and the state it describes is current (a Child SA deleted in
//!   the meantime is simply skipped);
//! - when the response is authenticated, [`on_response`] hands the
//!   decrypted payloads to [`Exchange::on_response`] and starts the next
//!   queued request ([`IkeSa::start_next`]).
//!
//! A new exchange type implements [`Exchange`] in its own file and calls
//! `sa.queue_request(ctx, Box::new(MyRequest { .. }))`; nothing here needs to
//! change. If the retransmission schedule of the request in flight runs
//! out, the endpoint asks [`Exchange::on_give_up`] first: a delete of the
//! IKE SA then ends quietly, anything else declares the peer dead (see
//! `info.rs`).
//!
//! The queue is bounded ([`MAX_QUEUED`]); user commands beyond it are
//! refused rather than growing memory without limit.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use ikev2_wire::{ExchangeType, MessageRepr, PayloadRepr};

use super::{Ctx, IkeSa, State};

/// At most this many requests wait per IKE SA.
pub(crate) const MAX_QUEUED: usize = 32;

/// What the endpoint does when the request in flight got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUp {
    /// The peer is dead: remove the IKE SA and say so ([`crate::events::Event::PeerDead`]).
    PeerDead,
    /// Remove the IKE SA without declaring the peer dead (our own delete
    /// of the IKE SA went unanswered: the SA is gone either way).
    Quietly,
}

/// An exchange we initiate on an established IKE SA.
pub(crate) trait Exchange: Send {
    /// The exchange type (header, counters, diagnostics).
    fn exchange_type(&self) -> ExchangeType;

    /// Builds the request's payloads (inside SK) at the moment it is sent;
    /// `None` drops the request (what it was about is gone).
    fn payloads(&mut self, ctx: &mut Ctx<'_>, sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>>;

    /// The authenticated response arrived. Returns whether to remove the
    /// IKE SA.
    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        payloads: &[PayloadRepr<'static>],
    ) -> bool;

    /// The retransmission schedule ran out.
    fn on_give_up(&self) -> GiveUp {
        GiveUp::PeerDead
    }

    /// True for a delete of the IKE SA (it jumps the queue, and nothing
    /// queued after it is started).
    fn deletes_ike_sa(&self) -> bool {
        false
    }

    /// True for a delete of the Child SA whose inbound SPI is `spi_in`
    /// (crossing deletes, RFC 7296 §1.4.1).
    fn deletes_child(&self, spi_in: u32) -> bool {
        let _ = spi_in;
        false
    }

    /// True for a liveness check (never queued twice).
    fn is_liveness_check(&self) -> bool {
        false
    }

    /// True for a rekey of the IKE SA (RFC 7296 §2.25.2 collisions).
    fn rekeys_ike_sa(&self) -> bool {
        false
    }
}

/// The per-SA queue: waiting requests and the one in flight.
#[derive(Default)]
pub(crate) struct RequestQueue {
    waiting: VecDeque<Box<dyn Exchange>>,
    in_flight: Option<InFlight>,
}

/// The request the window is waiting on.
struct InFlight {
    message_id: u32,
    /// When it was first sent (for the dead-peer diagnostic).
    sent_at: Instant,
    exchange: Box<dyn Exchange>,
}

impl RequestQueue {
    /// The exchange in flight.
    pub(crate) fn in_flight(&self) -> Option<&dyn Exchange> {
        self.in_flight.as_ref().map(|f| f.exchange.as_ref())
    }

    /// When the request in flight was first sent.
    pub(crate) fn in_flight_since(&self) -> Option<Instant> {
        self.in_flight.as_ref().map(|f| f.sent_at)
    }

    /// True if a delete of the IKE SA is queued or in flight.
    pub(crate) fn deleting_ike_sa(&self) -> bool {
        self.in_flight().is_some_and(Exchange::deletes_ike_sa)
            || self.waiting.iter().any(|e| e.deletes_ike_sa())
    }

    /// True if a liveness check is queued or in flight.
    pub(crate) fn has_liveness_check(&self) -> bool {
        self.in_flight().is_some_and(Exchange::is_liveness_check)
            || self.waiting.iter().any(|e| e.is_liveness_check())
    }

    /// Takes over the requests waiting in `old` (an IKE SA rekey moves them
    /// to the new SA; a delete of the old IKE SA stays behind, a queued
    /// rekey of it is dropped: the new SA has fresh keys).
    pub(crate) fn adopt_waiting(&mut self, old: &mut Self) {
        let (ike_deletes, rest): (VecDeque<_>, VecDeque<_>) =
            old.waiting.drain(..).partition(|e| e.deletes_ike_sa());
        old.waiting = ike_deletes;
        self.waiting
            .extend(rest.into_iter().filter(|e| !e.rekeys_ike_sa()));
    }

    /// True if nothing is queued or in flight.
    pub(crate) fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.waiting.is_empty()
    }
}

/// Why a request was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueError {
    /// [`MAX_QUEUED`] requests are already waiting.
    Full,
    /// The IKE SA is being deleted: nothing more is started on it.
    Deleting,
}

impl IkeSa {
    /// Queues `request` and starts it if the request window is free. A
    /// delete of the IKE SA goes to the front of the queue.
    pub(crate) fn queue_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        request: Box<dyn Exchange>,
    ) -> Result<(), QueueError> {
        if self.queue.deleting_ike_sa() {
            return Err(QueueError::Deleting);
        }
        if self.queue.waiting.len() >= MAX_QUEUED {
            return Err(QueueError::Full);
        }
        if request.deletes_ike_sa() {
            self.queue.waiting.push_front(request);
        } else {
            self.queue.waiting.push_back(request);
        }
        self.start_next(ctx);
        Ok(())
    }

    /// Starts queued requests while the window has room (size 1: one at a
    /// time) and the SA is established. Called after each completed exchange.
    pub(crate) fn start_next(&mut self, ctx: &mut Ctx<'_>) {
        while self.queue.in_flight.is_none() && self.requests.can_send() {
            let Some(mut next) = self.queue.waiting.pop_front() else {
                return;
            };
            let Some(payloads) = next.payloads(ctx, self) else {
                continue;
            };
            let exchange = next.exchange_type();
            let message_id = self.requests.next_message_id();
            let State::Established(e) = &self.state else {
                return;
            };
            let Some(bytes) = self.protect(ctx, &e.keys, exchange, false, message_id, &payloads)
            else {
                continue;
            };
            if next.deletes_ike_sa() {
                // Nothing queued after a delete of the IKE SA is started.
                self.queue.waiting.clear();
            }
            self.send_request(ctx, exchange, bytes);
            self.queue.in_flight = Some(InFlight {
                message_id,
                sent_at: ctx.now,
                exchange: next,
            });
        }
    }
}

/// A response on an established SA: authenticated, matched to the request
/// in flight, handed to its [`Exchange`]. Returns whether to remove the SA.
pub(crate) fn on_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
    path: (SocketAddr, SocketAddr),
) -> bool {
    let h = msg.header;
    let matches = sa.queue.in_flight.as_ref().is_some_and(|f| {
        f.message_id == h.message_id && f.exchange.exchange_type() == h.exchange_type
    });
    if !matches {
        ctx.stats.dropped.unmatched_response += 1;
        return false;
    }
    let State::Established(e) = &sa.state else {
        ctx.stats.dropped.unmatched_response += 1;
        return false;
    };
    let Some(payloads) = super::unprotect(&e.keys, bytes) else {
        ctx.stats.dropped.invalid_message += 1;
        return false;
    };
    sa.accept_path(path);
    super::info::touch(sa, ctx.now);
    let _ = sa.requests.on_response(h.message_id);
    ctx.stats
        .record_exchange(crate::stats::Role::Initiated, h.exchange_type);
    let Some(InFlight { exchange, .. }) = sa.queue.in_flight.take() else {
        return false;
    };
    if exchange.on_response(ctx, sa, &payloads) {
        return true;
    }
    sa.start_next(ctx);
    false
}
