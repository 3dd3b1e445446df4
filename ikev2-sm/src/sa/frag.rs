//! IKE fragmentation (RFC 7383), both roles.
//!
//! - **Negotiation** (§2.3): IKEV2_FRAGMENTATION_SUPPORTED goes into our
//!   IKE_SA_INIT request when [`FragmentConfig::enabled`]; the responder
//!   answers with it only if the request carried it and its configuration
//!   allows; the result is [`FragState::negotiated`], fixed for the SA.
//! - **Sending** (§2.5): [`IkeSa::protect`] protects the whole message as
//!   before and, when fragmentation was negotiated and the message is larger
//!   than the datagram [`FragmentConfig::fragment_size`] leaves room for,
//!   also protects it as SKF fragments, each encrypted and authenticated on
//!   its own, all with the same message ID. It stages them beside the SA,
//!   and [`IkeSa::send_request`] and [`IkeSa::respond`] send the staged
//!   fragments instead of the whole message they were handed. The request
//!   window then retransmits every fragment and the response cache replays
//!   every fragment (on fragment 1 of a retransmitted request, §2.6.1).
//!   IKE_SA_INIT never goes through `protect`, so it is never fragmented.
//! - **Path MTU** (§2.5.2), a simple form: a request larger than the size
//!   every path must carry (576 octets over IPv4, 1280 over IPv6) is also
//!   protected at that size when sent; after
//!   [`FragmentConfig::pmtu_fallback_after`] retransmissions without an
//!   answer, the remaining retransmissions carry those smaller fragments
//!   and [`FragmentEvent::Refragmented`] says so. Responses are replayed as
//!   cached.
//! - **Receiving** (§2.6): a message whose last payload is SKF is checked
//!   against the windows (a response fragment needs its request outstanding;
//!   a request fragment must be in the window, and fragment 1 of an answered
//!   request replays the cached response), then **authenticated before it is
//!   stored**, so a forged fragment never enters a set. Sets are kept per
//!   (direction, message ID) with limits on fragment count, total size and
//!   age ([`Timer::Reassembly`]); duplicates are ignored, a higher Total
//!   Fragments replaces the set (the sender refragmented), a lower one is
//!   stale. A complete set is sealed again as one SK message with the
//!   peer's keys and dispatched like any unfragmented message, so every
//!   exchange handler has a single input form; this costs one more AEAD
//!   pass per fragmented message, which is rare (IKE_AUTH with
//!   certificates).

use std::cell::Cell;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ikev2_crypto::sk::{decrypt_skf, encrypt_sk, encrypt_skf, Fragment, SkKeys, PAYLOAD_SKF};
use ikev2_wire::{
    ExchangeType, MessageRepr, NotifyData, NotifyRepr, NotifyType, PayloadBody, PayloadRepr,
    FLAG_RESPONSE,
};

use super::{dispatch, Ctx, IkeSa};
use crate::config::{FragmentConfig, PeerConfig};
use crate::endpoint::Output;
use crate::events::{Event, FragmentDrop, FragmentEvent};
use crate::stats::Stats;
use crate::timer::Timer;
use crate::window::RequestVerdict;

/// The IP datagram size every IPv4 path carries (RFC 791 minimum reassembly).
const IPV4_SAFE: u16 = 576;
/// The IPv6 minimum link MTU (RFC 8200).
const IPV6_SAFE: u16 = 1280;
/// Fragment sets kept per SA (both directions); the windows bound it first.
const MAX_SETS: usize = 8;
/// Smaller fallbacks kept for outstanding requests.
const MAX_FALLBACKS: usize = 4;
/// Length of the IKE header.
const IKE_HEADER: usize = 28;

/// The largest IKE message a datagram of `fragment_size` octets carries
/// between `local` and `remote` (strongSwan's reading of `fragment_size`:
/// IP and UDP headers, and the non-ESP marker on port 4500, come off).
pub(crate) fn max_ike_len(fragment_size: u16, local: SocketAddr, remote: SocketAddr) -> usize {
    let ip = if remote.is_ipv4() { 20 } else { 40 };
    let marker = if local.port() == 4500 || remote.port() == 4500 {
        4
    } else {
        0
    };
    usize::from(fragment_size).saturating_sub(ip + 8 + marker)
}

/// True if the IKE message `bytes` is an SKF fragment (first payload SKF).
pub(crate) fn is_fragment(bytes: &[u8]) -> bool {
    bytes.get(16) == Some(&PAYLOAD_SKF)
}

/// The IKEV2_FRAGMENTATION_SUPPORTED notify, if `peer` enables it.
pub(crate) fn supported_notify(peer: Option<&PeerConfig>) -> Option<PayloadRepr<'static>> {
    if !peer.is_some_and(|p| p.fragmentation.enabled) {
        return None;
    }
    NotifyRepr::new(NotifyType::Ikev2FragmentationSupported, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

/// True if `msg` carries IKEV2_FRAGMENTATION_SUPPORTED.
pub(crate) fn announced(msg: &MessageRepr<'_>) -> bool {
    msg.payloads.iter().any(|p| {
        matches!(&p.body, PayloadBody::Notify(n)
            if n.notify_type == NotifyType::Ikev2FragmentationSupported)
    })
}

/// Fragments `protect` made for the message it returned.
struct Staged {
    message_id: u32,
    response: bool,
    whole: Vec<u8>,
    fragments: Option<Vec<Vec<u8>>>,
    /// The path-MTU fallback: (datagram size, fragments).
    fallback: Option<(u16, Vec<Vec<u8>>)>,
}

/// Per-SA fragmentation state.
#[derive(Default)]
pub(crate) struct FragState {
    /// Both sides announced IKEV2_FRAGMENTATION_SUPPORTED.
    pub(crate) negotiated: bool,
    /// Set by `protect` (which borrows the SA immutably, since exchange
    /// handlers often hold the keys through it), taken by the send paths.
    /// (Boxed, like the rest: an SA that never fragments pays a few words.)
    staged: Cell<Option<Box<Staged>>>,
    /// Smaller fragments for outstanding requests: (message ID, size, fragments).
    fallbacks: Vec<(u32, u16, Vec<Vec<u8>>)>,
    reassembly: Reassembler,
}

impl FragState {
    /// State for an SA whose IKE_SA_INIT decided `negotiated`; an IKE SA
    /// that replaces another (rekey, RFC 7296 §2.18) passes the old SA's
    /// `frag.negotiated`, as strongSwan keeps negotiated extensions.
    pub(crate) fn new(negotiated: bool) -> Self {
        Self {
            negotiated,
            ..Self::default()
        }
    }
}

impl IkeSa {
    /// `protect`'s hook: when fragmentation is on and `whole` (the SK
    /// message just built from `header`, `first` and `inner`) is too large,
    /// protect it as fragments too and stage them for the send path.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn stage_fragments(
        &self,
        ctx: &Ctx<'_>,
        keys: &SkKeys,
        exchange: ExchangeType,
        response: bool,
        message_id: u32,
        (header, first, inner): (&[u8], u8, &[u8]),
        whole: &[u8],
    ) {
        self.frag.staged.set(None);
        let Some(cfg) = ctx.peers.get(self.peer).map(|p| p.fragmentation) else {
            return;
        };
        if !self.frag.negotiated || !cfg.enabled || exchange == ExchangeType::IkeSaInit {
            return;
        }
        let split = |size: u16| {
            let max = max_ike_len(size, self.local, self.remote);
            if whole.len() <= max {
                return None;
            }
            encrypt_skf(keys, ctx.rng, header, first, inner, max).ok()
        };
        let fragments = split(cfg.fragment_size);
        let safe = if self.remote.is_ipv4() {
            IPV4_SAFE
        } else {
            IPV6_SAFE
        };
        let fallback = if !response && cfg.pmtu_fallback_after > 0 && safe < cfg.fragment_size {
            split(safe).map(|f| (safe, f))
        } else {
            None
        };
        if fragments.is_some() || fallback.is_some() {
            self.frag.staged.set(Some(Box::new(Staged {
                message_id,
                response,
                whole: whole.to_vec(),
                fragments,
                fallback,
            })));
        }
    }

    /// The datagrams to send for the protected message `bytes`: the
    /// fragments `protect` staged for it, else `bytes` alone. A request's
    /// path-MTU fallback is kept for [`Self::on_retransmit`].
    pub(crate) fn datagrams_for(
        &mut self,
        bytes: Vec<u8>,
        response: bool,
        message_id: u32,
    ) -> Vec<Vec<u8>> {
        let staged = self.frag.staged.take();
        let Some(s) = staged
            .filter(|s| s.whole == bytes && s.response == response && s.message_id == message_id)
        else {
            return vec![bytes];
        };
        if let Some((size, f)) = s.fallback {
            let requests = &self.requests;
            self.frag
                .fallbacks
                .retain(|(id, ..)| requests.is_outstanding(*id));
            if self.frag.fallbacks.len() >= MAX_FALLBACKS {
                self.frag.fallbacks.remove(0);
            }
            self.frag.fallbacks.push((message_id, size, f));
        }
        s.fragments.unwrap_or_else(|| vec![bytes])
    }

    /// The retransmission hook: on the retransmission after
    /// `pmtu_fallback_after` unanswered ones, switch the request to its
    /// smaller fragments (kept by the window for later retransmissions).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_retransmit(
        &mut self,
        peers: &[std::sync::Arc<PeerConfig>],
        out: &mut VecDeque<Output>,
        stats: &mut Stats,
        message_id: u32,
        exchange: ExchangeType,
        attempt: u32,
        datagrams: Vec<Vec<u8>>,
    ) -> Vec<Vec<u8>> {
        let after = peers
            .get(self.peer)
            .map_or(0, |p| p.fragmentation.pmtu_fallback_after);
        if after == 0 || Some(attempt) != after.checked_add(1) {
            return datagrams;
        }
        let Some(i) = self
            .frag
            .fallbacks
            .iter()
            .position(|(id, ..)| *id == message_id)
        else {
            return datagrams;
        };
        let (_, fragment_size, smaller) = self.frag.fallbacks.swap_remove(i);
        self.requests.replace_datagrams(message_id, smaller.clone());
        stats.fragments.refragmented += 1;
        out.push_back(Output::Event {
            sa: Some(self.handle),
            event: Event::Fragmentation(FragmentEvent::Refragmented {
                message_id,
                exchange,
                fragment_size,
                fragments: smaller.len(),
            }),
        });
        smaller
    }

    fn arm_reassembly(&mut self) {
        match self.frag.reassembly.next_deadline() {
            Some(t) => self.timers.set(Timer::Reassembly, t),
            None => self.timers.stop(Timer::Reassembly),
        }
    }
}

/// A received SKF message for `sa` (`number` is its unauthenticated
/// Fragment Number, used only for the window's replay rule). Returns
/// whether to remove the SA (only a reassembled message can ask that).
pub(crate) fn on_fragment(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
    path: (SocketAddr, SocketAddr),
) -> bool {
    let h = msg.header;
    let response = h.flags & FLAG_RESPONSE != 0;
    let drop = |ctx: &mut Ctx<'_>, reason| {
        ctx.stats.fragments.record_drop(reason);
        false
    };
    let number = match msg.payloads.last().map(|p| &p.body) {
        Some(PayloadBody::Skf(s)) => s.fragment_number,
        _ => return drop(ctx, FragmentDrop::Invalid),
    };
    if !sa.frag.negotiated {
        return drop(ctx, FragmentDrop::NotNegotiated);
    }
    if h.exchange_type == ExchangeType::IkeSaInit {
        // RFC 7383 §2.5: IKE_SA_INIT is never fragmented.
        return drop(ctx, FragmentDrop::Invalid);
    }
    if response {
        if !sa.requests.is_outstanding(h.message_id) {
            return drop(ctx, FragmentDrop::Unexpected);
        }
    } else {
        match sa.responses.classify_fragment(h.message_id, number) {
            RequestVerdict::Reassemble => {}
            RequestVerdict::Replay(cached) => {
                // As for whole messages (dispatch.rs): fragment 1 of an
                // answered request replays the response only if it
                // authenticates.
                let cached = cached.to_vec();
                let genuine = sa
                    .state
                    .keys()
                    .is_none_or(|k| decrypt_skf(bytes, &k.inb).is_ok());
                if !genuine {
                    return drop(ctx, FragmentDrop::Invalid);
                }
                ctx.stats.responses_replayed += 1;
                for b in cached {
                    ctx.transmit(sa.local, sa.remote, b);
                }
                return false;
            }
            RequestVerdict::Drop(reason) => {
                ctx.stats.record_request_drop(reason);
                return false;
            }
            _ => return drop(ctx, FragmentDrop::Unexpected),
        }
    }
    let Some(keys) = sa.state.keys() else {
        return drop(ctx, FragmentDrop::Unexpected);
    };
    // Authenticate before anything is stored.
    let Ok(fragment) = decrypt_skf(bytes, &keys.inb) else {
        return drop(ctx, FragmentDrop::Invalid);
    };
    let limits = ctx
        .peers
        .get(sa.peer)
        .map(|p| Limits::from(&p.fragmentation))
        .unwrap_or_default();
    let key = SetKey {
        response,
        message_id: h.message_id,
    };
    let result = sa
        .frag
        .reassembly
        .insert(ctx.now, key, h.exchange_type, fragment, &limits);
    let rebuilt = match result {
        Insert::Dropped(reason) => return drop(ctx, reason),
        Insert::Discarded(d) => {
            discarded(ctx, sa, &d);
            sa.arm_reassembly();
            return false;
        }
        Insert::Stored { superseded } => {
            ctx.stats.fragments.received += 1;
            if let Some(d) = superseded {
                discarded(ctx, sa, &d);
            }
            sa.arm_reassembly();
            return false;
        }
        Insert::Complete { first_inner, inner } => {
            ctx.stats.fragments.received += 1;
            ctx.stats.fragments.reassembled += 1;
            // One SK message, sealed with the peer's keys: the exchange
            // handlers open it like an unfragmented one.
            bytes
                .get(..IKE_HEADER)
                .and_then(|header| encrypt_sk(&keys.inb, ctx.rng, header, first_inner, &inner).ok())
        }
    };
    sa.arm_reassembly();
    let Some(whole) = rebuilt else {
        return drop(ctx, FragmentDrop::Invalid);
    };
    let Ok(msg) = MessageRepr::parse(&whole) else {
        return drop(ctx, FragmentDrop::Invalid);
    };
    if response {
        dispatch::on_response(ctx, sa, &whole, &msg, path)
    } else {
        dispatch::on_request(ctx, sa, &whole, &msg, path)
    }
}

fn discarded(ctx: &mut Ctx<'_>, sa: &IkeSa, d: &Discard) {
    ctx.stats.fragments.record_drop(d.reason);
    ctx.event(
        Some(sa.handle),
        Event::Fragmentation(FragmentEvent::ReassemblyDiscarded {
            message_id: d.key.message_id,
            response: d.key.response,
            received: d.received,
            total: d.total,
            reason: d.reason,
        }),
    );
}

/// [`Timer::Reassembly`] expired: discard the sets that are too old.
pub(crate) fn on_timer(ctx: &mut Ctx<'_>, sa: &mut IkeSa) {
    for d in sa.frag.reassembly.expire(ctx.now) {
        discarded(ctx, sa, &d);
    }
    sa.arm_reassembly();
}

/// Reassembly limits (from [`FragmentConfig`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_fragments: u16,
    pub(crate) max_message: usize,
    pub(crate) timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self::from(&FragmentConfig::default())
    }
}

impl From<&FragmentConfig> for Limits {
    fn from(c: &FragmentConfig) -> Self {
        Self {
            max_fragments: c.max_fragments,
            max_message: c.max_message,
            timeout: c.reassembly_timeout,
        }
    }
}

/// Which message a fragment belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SetKey {
    pub(crate) response: bool,
    pub(crate) message_id: u32,
}

/// A set thrown away before completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Discard {
    pub(crate) key: SetKey,
    pub(crate) received: u16,
    pub(crate) total: u16,
    pub(crate) reason: FragmentDrop,
}

/// What became of an authenticated fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Insert {
    /// Kept; the message is not complete yet. `superseded`: an older set
    /// with fewer fragments was discarded for this one.
    Stored { superseded: Option<Discard> },
    /// The last missing fragment: the whole inner payload chain.
    Complete { first_inner: u8, inner: Vec<u8> },
    /// Ignored; the set (if any) is unchanged.
    Dropped(FragmentDrop),
    /// The set was discarded (size limit).
    Discarded(Discard),
}

struct Set {
    key: SetKey,
    exchange: ExchangeType,
    total: u16,
    parts: Vec<Option<Vec<u8>>>,
    first_inner: u8,
    held: u16,
    size: usize,
    deadline: Instant,
}

impl Set {
    fn discard(&self, reason: FragmentDrop) -> Discard {
        Discard {
            key: self.key,
            received: self.held,
            total: self.total,
            reason,
        }
    }
}

/// Fragment sets of one SA, keyed by direction and message ID; holds only
/// authenticated fragments.
#[derive(Default)]
pub(crate) struct Reassembler {
    sets: Vec<Set>,
}

impl Reassembler {
    /// Adds an authenticated `fragment` of the message `key` (exchange
    /// `exchange`) received at `now`.
    pub(crate) fn insert(
        &mut self,
        now: Instant,
        key: SetKey,
        exchange: ExchangeType,
        fragment: Fragment,
        limits: &Limits,
    ) -> Insert {
        let Fragment {
            number,
            total,
            first_inner,
            data,
        } = fragment;
        if number == 0 || number > total || (number != 1 && first_inner != 0) {
            return Insert::Dropped(FragmentDrop::Invalid);
        }
        if total > limits.max_fragments {
            return Insert::Dropped(FragmentDrop::TooManyFragments);
        }
        let mut superseded = None;
        let i = match self.sets.iter().position(|s| s.key == key) {
            Some(i) => {
                let Some(set) = self.sets.get(i) else {
                    return Insert::Dropped(FragmentDrop::Unexpected);
                };
                if set.exchange != exchange {
                    return Insert::Dropped(FragmentDrop::Invalid);
                }
                if total < set.total {
                    return Insert::Dropped(FragmentDrop::Stale);
                }
                if total > set.total {
                    // RFC 7383 §2.6: the sender refragmented; start over.
                    superseded = Some(set.discard(FragmentDrop::Superseded));
                    self.sets.swap_remove(i);
                    self.start(now, key, exchange, total, limits)
                } else {
                    i
                }
            }
            None if self.sets.len() >= MAX_SETS => {
                return Insert::Dropped(FragmentDrop::Unexpected);
            }
            None => self.start(now, key, exchange, total, limits),
        };
        let Some(set) = self.sets.get_mut(i) else {
            return Insert::Dropped(FragmentDrop::Unexpected);
        };
        let Some(slot) = set.parts.get_mut(usize::from(number) - 1) else {
            return Insert::Dropped(FragmentDrop::Invalid);
        };
        if slot.is_some() {
            return Insert::Dropped(FragmentDrop::Duplicate);
        }
        if set.size.saturating_add(data.len()) > limits.max_message {
            let d = set.discard(FragmentDrop::TooLarge);
            self.sets.swap_remove(i);
            return Insert::Discarded(d);
        }
        set.size += data.len();
        set.held += 1;
        if number == 1 {
            set.first_inner = first_inner;
        }
        *slot = Some(data);
        if set.held < set.total {
            return Insert::Stored { superseded };
        }
        let set = self.sets.swap_remove(i);
        let mut inner = Vec::with_capacity(set.size);
        for part in set.parts.into_iter().flatten() {
            inner.extend_from_slice(&part);
        }
        Insert::Complete {
            first_inner: set.first_inner,
            inner,
        }
    }

    fn start(
        &mut self,
        now: Instant,
        key: SetKey,
        exchange: ExchangeType,
        total: u16,
        limits: &Limits,
    ) -> usize {
        self.sets.push(Set {
            key,
            exchange,
            total,
            parts: vec![None; usize::from(total)],
            first_inner: 0,
            held: 0,
            size: 0,
            deadline: now.checked_add(limits.timeout).unwrap_or(now),
        });
        self.sets.len() - 1
    }

    /// Discards the sets whose deadline passed.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<Discard> {
        let mut gone = Vec::new();
        self.sets.retain(|s| {
            let keep = s.deadline > now;
            if !keep {
                gone.push(s.discard(FragmentDrop::Timeout));
            }
            keep
        });
        gone
    }

    /// The earliest set deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.sets.iter().map(|s| s.deadline).min()
    }

    /// Sets in progress.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.sets.len()
    }
}

#[cfg(test)]
#[path = "frag_tests.rs"]
mod tests;
