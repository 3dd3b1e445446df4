//! Routing a message to its exchange by SA state: requests through the
//! response window (replays answered from the cache), responses through the
//! request window (unmatched ones dropped and counted).

use std::net::SocketAddr;

use ikev2_crypto::sk::decrypt_sk;
use ikev2_wire::{ExchangeType, MessageRepr};

use super::{auth, init, rekey, Ctx, IkeSa, State};
use crate::stats::Role;
use crate::timer::Timer;
use crate::window::{RequestVerdict, RequestWindow};

/// A request for an existing SA. Returns whether to remove the SA.
pub(crate) fn on_request(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    _bytes: &[u8],
    msg: &MessageRepr<'_>,
    path: (SocketAddr, SocketAddr),
) -> bool {
    if super::frag::is_fragment(_bytes) {
        return super::frag::on_fragment(ctx, sa, _bytes, msg, path);
    }
    let h = msg.header;
    match sa.responses.classify(h.message_id) {
        RequestVerdict::Replay(cached) => {
            let cached = cached.to_vec();
            // Only a retransmission that authenticates gets the cached
            // response again: anyone who saw the SPIs and the message ID
            // could otherwise make us resend it (an IKE_AUTH response with
            // certificates is large), unauthenticated amplification toward
            // the peer. A failed SA keeps no keys: its short error response
            // is replayed as before.
            let genuine = h.exchange_type == ExchangeType::IkeSaInit
                || sa
                    .state
                    .keys()
                    .is_none_or(|k| decrypt_sk(_bytes, &k.inb).is_ok());
            if !genuine {
                ctx.stats.dropped.invalid_message += 1;
                return false;
            }
            ctx.stats.responses_replayed += 1;
            for b in cached {
                ctx.transmit(sa.local, sa.remote, b);
            }
            return false;
        }
        RequestVerdict::New => {}
        RequestVerdict::Drop(reason) => {
            ctx.stats.record_request_drop(reason);
            return false;
        }
        _ => return false,
    }
    let state = std::mem::replace(&mut sa.state, State::Taken);
    let (next, remove) = match (state, h.exchange_type) {
        (State::InitResponded(done), ExchangeType::IkeAuth) => {
            let Some(payloads) = super::unprotect(&done.keys, _bytes) else {
                // Forged or corrupt: forget we saw it so the real one is processed.
                sa.responses.abandon(h.message_id);
                ctx.stats.dropped.invalid_message += 1;
                sa.state = State::InitResponded(done);
                return false;
            };
            sa.accept_path(path);
            super::signing::answer_auth_request(ctx, sa, *done, h.message_id, payloads, None)
        }
        (State::Established(e), ExchangeType::Informational) => {
            sa.state = State::Established(e);
            return super::info::on_request(ctx, sa, _bytes, msg, path);
        }
        (State::Established(mut est), ExchangeType::CreateChildSa) => {
            let payloads = match super::malformed::open(&est.keys, _bytes) {
                super::malformed::Opened::Payloads(p) => p,
                super::malformed::Opened::Forged => {
                    sa.responses.abandon(h.message_id);
                    ctx.stats.dropped.invalid_message += 1;
                    sa.state = State::Established(est);
                    return false;
                }
                super::malformed::Opened::Malformed => {
                    let exchange = ExchangeType::CreateChildSa;
                    let detail = "inner payloads do not parse";
                    super::malformed::answer(ctx, sa, &est.keys, exchange, h.message_id, detail);
                    sa.state = State::Established(est);
                    return false;
                }
            };
            sa.accept_path(path);
            let remove = rekey::on_request(ctx, sa, &mut est, h.message_id, &payloads);
            (State::Established(est), remove)
        }
        (state, _) => {
            // Not expected in this state: drop without answering.
            sa.responses.abandon(h.message_id);
            ctx.stats.dropped.invalid_message += 1;
            (state, false)
        }
    };
    sa.state = next;
    remove
}

/// A response for an existing SA. Returns whether to remove the SA.
pub(crate) fn on_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
    path: (SocketAddr, SocketAddr),
) -> bool {
    if super::frag::is_fragment(bytes) {
        return super::frag::on_fragment(ctx, sa, bytes, msg, path);
    }
    let h = msg.header;
    if matches!(sa.state, State::Established(_)) {
        // Exchanges started through the request queue (queue.rs).
        return super::queue::on_response(ctx, sa, bytes, msg, path);
    }
    // Only a response to an outstanding request, and only once authenticated
    // where keys exist; otherwise drop and count.
    let outstanding = match &sa.state {
        State::InitSent(_) => h.exchange_type == ExchangeType::IkeSaInit && h.message_id == 0,
        State::AuthSent(_) => h.exchange_type == ExchangeType::IkeAuth,
        _ => false,
    };
    if !outstanding || sa.requests.next_message_id() <= h.message_id {
        ctx.stats.dropped.unmatched_response += 1;
        return false;
    }
    let state = std::mem::replace(&mut sa.state, State::Taken);
    match state {
        State::InitSent(st) => match init::handle_response(ctx, sa, st, bytes, msg) {
            init::InitOutcome::Ignore(st) => {
                ctx.stats.dropped.invalid_message += 1;
                sa.state = State::InitSent(st);
                false
            }
            init::InitOutcome::Failed(f) => {
                let _ = sa.requests.on_response(0);
                let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
                ctx.fail(Some(sa.handle), sa.remote, name, f);
                ctx.stats.half_open = ctx.stats.half_open.saturating_sub(1);
                true
            }
            init::InitOutcome::Restart(request, st) => {
                let _ = sa.requests.on_response(0);
                let retransmit = ctx
                    .peers
                    .get(sa.peer)
                    .map(|p| p.retransmit)
                    .unwrap_or_default();
                let mut seed = [0u8; 8];
                let _ = ctx.rng.fill(&mut seed);
                sa.requests = RequestWindow::new(retransmit, u64::from_le_bytes(seed));
                sa.state = State::InitSent(st);
                sa.send_request(ctx, ExchangeType::IkeSaInit, request);
                false
            }
            init::InitOutcome::Done(done) => {
                let _ = sa.requests.on_response(0);
                ctx.stats
                    .record_exchange(Role::Initiated, ExchangeType::IkeSaInit);
                // Re-key the slab entry? Our SPI (SPIi) is unchanged.
                super::signing::send_auth_request(ctx, sa, *done, None)
            }
        },
        State::AuthSent(st) => {
            let Some(payloads) = super::unprotect(&st.init.keys, bytes) else {
                ctx.stats.dropped.invalid_message += 1;
                sa.state = State::AuthSent(st);
                return false;
            };
            sa.accept_path(path);
            let _ = sa.requests.on_response(h.message_id);
            ctx.stats
                .record_exchange(Role::Initiated, ExchangeType::IkeAuth);
            ctx.stats.half_open = ctx.stats.half_open.saturating_sub(1);
            match auth::handle_response(ctx, sa, &st, &payloads) {
                auth::AuthOutcome::Up => {
                    ctx.stats.ike_sas += 1;
                    rekey::on_established(ctx, sa);
                    let super::AuthSent { init, .. } = *st;
                    let est = super::Established::from_auth(init, ctx.now);
                    sa.state = State::Established(Box::new(est));
                    super::info::on_established(ctx, sa);
                    false
                }
                auth::AuthOutcome::Failed(f) => {
                    let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
                    ctx.fail(Some(sa.handle), sa.remote, name, f);
                    true
                }
            }
        }
        other => {
            sa.state = other;
            false
        }
    }
}

/// A timer of the SA's [`TimerTable`](crate::timer::TimerTable) expired
/// (the request window's retransmissions are handled by the endpoint).
/// Returns whether to remove the SA.
pub(crate) fn on_timer(ctx: &mut Ctx<'_>, sa: &mut IkeSa, timer: Timer) -> bool {
    // Each exchange that arms a timer handles it here.
    match timer {
        Timer::Rekey | Timer::Expire | Timer::ChildSa | Timer::Queue => {
            rekey::on_timer(ctx, sa, timer)
        }
        Timer::Reassembly => {
            super::frag::on_timer(ctx, sa);
            false
        }
        Timer::Liveness => super::info::on_liveness_timer(ctx, sa),
        Timer::Retransmit | Timer::Establish | Timer::NatKeepalive | Timer::Reauth => false,
    }
}
