//! The sans-IO [`Endpoint`]: owns every IKE SA, routes datagrams to them by
//! SPI, and reports everything it wants done as [`Output`]s.
//!
//! # Drive loop
//!
//! 1. Feed what happened: [`Endpoint::handle_input`] with a
//!    [`Input::Datagram`] (received bytes with both addresses and `now`) or
//!    [`Input::Timeout`] (the instant last reported was reached); start SAs
//!    with [`Endpoint::initiate`].
//! 2. Drain [`Endpoint::poll_output`] until it returns
//!    [`Output::Timeout`], acting on each output in order
//!    ([`Output::InstallChildSa`] comes before the datagram that lets the
//!    peer use the SA).
//! 3. Sleep until that timeout or the next datagram, whichever is first.
//!
//! Nothing here reads a clock, opens a socket or draws OS randomness: time
//! comes in with every input and randomness from [`EndpointConfig::random`].

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::{CryptoProvider, SecureRandom};
use ikev2_wire::{ExchangeType, Header, MessageRepr, FLAG_INITIATOR, FLAG_RESPONSE};

use crate::config::{CookieSecrets, HalfOpenLimits, PeerConfig};
use crate::events::{Event, Failure};
use crate::sa::{self, init, Ctx, IkeSa, SaRole, State};
use crate::sched::Schedule;
use crate::stats::{ErrorHistory, Stats};
use crate::timer::TimerTable;
use crate::window::{RequestVerdict, RequestWindow, ResponseWindow, TimeoutOutcome};

/// Identifies one IKE SA of an [`Endpoint`] (slab index plus generation, so
/// a stale handle never reaches a reused slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SaHandle {
    index: u32,
    generation: u32,
}

/// Endpoint configuration.
pub struct EndpointConfig {
    /// Algorithms.
    pub provider: CryptoProvider,
    /// Randomness for SPIs, nonces, IVs, key pairs and jitter; pass
    /// `ikev2_crypto::random::DeterministicRandom` for reproducible runs.
    pub random: Arc<dyn SecureRandom>,
    /// Peer configurations. Initiators name one; responders pick one by the
    /// identity received in IKE_AUTH.
    pub peers: Vec<PeerConfig>,
    /// Size of the recent-error history.
    pub error_history: usize,
    /// Endpoint-wide half-open limits: the COOKIE threshold and the
    /// refusal limit (`timeout` is taken from each peer configuration).
    pub half_open: HalfOpenLimits,
    /// Renewal of the COOKIE secret.
    pub cookie_secrets: CookieSecrets,
}

impl EndpointConfig {
    /// A configuration with the given provider, randomness and peers.
    #[must_use]
    pub fn new(
        provider: CryptoProvider,
        random: Arc<dyn SecureRandom>,
        peers: Vec<PeerConfig>,
    ) -> Self {
        Self {
            provider,
            random,
            peers,
            error_history: 64,
            half_open: HalfOpenLimits::default(),
            cookie_secrets: CookieSecrets::default(),
        }
    }

    /// Requires a COOKIE from initiators while at least `threshold` IKE SAs
    /// we answered are half-open (0: always; `u32::MAX`: never).
    #[must_use]
    pub fn with_cookie_threshold(mut self, threshold: u32) -> Self {
        self.half_open.cookie_threshold = threshold;
        self
    }
}

impl std::fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("provider", &self.provider)
            .field(
                "peers",
                &self.peers.iter().map(|p| &p.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

mod io;
pub use io::{
    ApiError, ChildSaInfo, ChildSaInstall, ChildSaRemove, Input, Output, SaInfo, SignatureNeeded,
    Transmit,
};

/// A [`Ctx`] over the endpoint's fields, borrowed one by one so the slab
/// can stay borrowed beside it (a method would borrow the whole endpoint).
macro_rules! ctx {
    ($ep:expr, $now:expr) => {
        $crate::sa::Ctx {
            provider: &$ep.provider,
            rng: $ep.random.as_ref(),
            peers: &$ep.peers,
            out: &mut $ep.out,
            stats: &mut $ep.stats,
            history: &mut $ep.history,
            now: $now,
        }
    };
}

mod commands;
mod handoff;
mod reauth;
mod reauth_collision;

struct Slot {
    generation: u32,
    sa: Option<IkeSa>,
    /// The deadline last pushed to the [`Schedule`] for this slot.
    scheduled: Option<Instant>,
}

/// Owns IKE SAs in a slab and demultiplexes datagrams to them in O(1) by
/// our SPI (and, for retransmitted IKE_SA_INIT requests, by the
/// initiator's address and SPI).
pub struct Endpoint {
    provider: CryptoProvider,
    random: Arc<dyn SecureRandom>,
    peers: Vec<Arc<PeerConfig>>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    by_spi: HashMap<u64, u32>,
    half_open: HashMap<(SocketAddr, u64), u32>,
    out: VecDeque<Output>,
    stats: Stats,
    history: ErrorHistory,
    cookies: sa::cookie::CookieGuard,
    /// Every SA's next deadline in a heap (`sched.rs`): code that changes
    /// an SA's timers must call [`Endpoint::reschedule`] for its slot.
    schedule: Schedule,
    /// Reauthentications under way (`reauth.rs`).
    reauths: Vec<sa::reauth::Link>,
    /// IKE SAs whose reauthentication failed and is to be retried, with
    /// the number of failed attempts (`reauth.rs`, `sa/reauth_retry.rs`).
    reauth_failures: Vec<(SaHandle, u32)>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("sas", &self.by_spi.len())
            .field("queued", &self.out.len())
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// An endpoint with no SAs.
    #[must_use]
    pub fn new(config: EndpointConfig) -> Self {
        Self {
            provider: config.provider,
            random: config.random,
            peers: config.peers.into_iter().map(Arc::new).collect(),
            slots: Vec::new(),
            free: Vec::new(),
            by_spi: HashMap::new(),
            half_open: HashMap::new(),
            out: VecDeque::new(),
            stats: Stats::default(),
            history: ErrorHistory::new(config.error_history),
            cookies: sa::cookie::CookieGuard::new(config.half_open, config.cookie_secrets),
            schedule: Schedule::default(),
            reauths: Vec::new(),
            reauth_failures: Vec::new(),
        }
    }

    /// Endpoint counters.
    #[must_use]
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Recent failures.
    #[must_use]
    pub fn errors(&self) -> &ErrorHistory {
        &self.history
    }

    /// Number of IKE SAs held (any state).
    #[must_use]
    pub fn sa_count(&self) -> usize {
        self.by_spi.len()
    }

    /// Handles of all SAs.
    #[must_use]
    pub fn handles(&self) -> Vec<SaHandle> {
        self.slots
            .iter()
            .filter_map(|s| s.sa.as_ref().map(|sa| sa.handle))
            .collect()
    }

    /// A view of one SA.
    #[must_use]
    pub fn sa_info(&self, handle: SaHandle) -> Option<SaInfo> {
        let sa = self.get(handle)?;
        Some(SaInfo {
            spi_i: sa.spi_i,
            spi_r: sa.spi_r,
            initiator: sa.role == SaRole::Initiator,
            state: sa.state.name(),
            peer_config: self
                .peers
                .get(sa.peer)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            peer_id: sa.peer_id.clone(),
            nat_local: sa.nat_local,
            nat_remote: sa.nat_remote,
            children: sa.children.iter().map(sa::ChildSa::info).collect(),
            ike_proposal: sa.state.ike().cloned(),
            local: sa.local,
            remote: sa.remote,
        })
    }

    pub(crate) fn get(&self, handle: SaHandle) -> Option<&IkeSa> {
        let slot = self.slots.get(handle.index as usize)?;
        if slot.generation != handle.generation {
            return None;
        }
        slot.sa.as_ref()
    }

    fn allocate(&mut self) -> SaHandle {
        if let Some(index) = self.free.pop() {
            if let Some(slot) = self.slots.get_mut(index as usize) {
                slot.generation = slot.generation.wrapping_add(1);
                return SaHandle {
                    index,
                    generation: slot.generation,
                };
            }
        }
        let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Slot {
            generation: 0,
            sa: None,
            scheduled: None,
        });
        SaHandle {
            index,
            generation: 0,
        }
    }

    fn jitter_seed(&self) -> u64 {
        let mut b = [0u8; 8];
        let _ = self.random.fill(&mut b);
        u64::from_le_bytes(b)
    }

    /// Feeds an input. Received data never makes this fail: bad datagrams
    /// are counted in [`Endpoint::stats`] and dropped.
    pub fn handle_input(&mut self, input: Input) {
        let from = self.out.len();
        let now = match input {
            Input::Datagram {
                now,
                src,
                dst,
                bytes,
            } => {
                self.handle_datagram(now, src, dst, &bytes);
                now
            }
            Input::Timeout(now) => {
                self.handle_timeout(now);
                now
            }
        };
        self.progress_reauth(now, from);
        self.settle_schedule();
    }

    /// The next thing to do; [`Output::Timeout`] once nothing is queued.
    pub fn poll_output(&mut self) -> Output {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        Output::Timeout(self.next_timeout())
    }

    /// When [`Input::Timeout`] is next due (what [`Output::Timeout`] reports).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_timeout()
    }

    fn next_timeout(&self) -> Option<Instant> {
        self.schedule.peek()
    }

    /// Pushes slot `index`'s current deadline to the heap if it changed.
    pub(crate) fn reschedule(&mut self, index: u32) {
        let Some(slot) = self.slots.get_mut(index as usize) else {
            return;
        };
        let deadline = slot.sa.as_ref().and_then(sa_deadline);
        self.schedule
            .update(&mut slot.scheduled, index, slot.generation, deadline);
    }

    /// Drops stale entries from the top of the heap (so `next_timeout` is
    /// its top) and rebuilds it when stale entries dominate.
    fn settle_schedule(&mut self) {
        let live = self.by_spi.len();
        if self.schedule.len() > 2 * live + 64 {
            let entries = self.slots.iter().enumerate().filter_map(|(i, s)| {
                let t = s.scheduled?;
                Some((t, u32::try_from(i).ok()?, s.generation))
            });
            self.schedule.compact(entries);
        }
        let slots = &self.slots;
        self.schedule.clean(|i, g, t| slot_valid(slots, i, g, t));
        // Catch an SA whose timers changed without `reschedule` (cheap
        // enough to check in debug builds of small endpoints).
        #[cfg(debug_assertions)]
        if self.slots.len() <= 64 {
            let scan = self
                .slots
                .iter()
                .filter_map(|s| s.sa.as_ref().and_then(sa_deadline))
                .min();
            debug_assert_eq!(self.schedule.peek(), scan, "timer heap out of date");
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        let slots = &self.slots;
        let due = self
            .schedule
            .pop_due(now, |i, g, t| slot_valid(slots, i, g, t));
        // Slot order among the due SAs, as a scan would visit them.
        for i in due {
            if let Some(slot) = self.slots.get_mut(i as usize) {
                slot.scheduled = None;
            }
            self.timeout_slot(i as usize, now);
            self.reschedule(i);
        }
    }

    /// Handles everything due at `now` on slot `i`: expiry, the SA's
    /// timers, retransmissions and giving up.
    fn timeout_slot(&mut self, i: usize, now: Instant) {
        // One block, as the body of the former per-slot loop.
        {
            let Some(slot) = self.slots.get_mut(i) else {
                return;
            };
            let Some(sa) = slot.sa.as_mut() else { return };
            if sa.expires.is_some_and(|t| t <= now) {
                // Half-open too long, or a failed SA whose cached error
                // response is no longer needed: forget it silently (the
                // failure, if any, was reported when it happened; a signer
                // that never answered is reported now).
                let handle = sa.handle;
                sa::signing::on_expiry(&mut ctx!(self, now), sa);
                self.remove(handle);
                return;
            }
            let handle = sa.handle;
            let mut remove = false;
            let mut reauth_due = false;
            while let Some(timer) = sa.timers.take_expired(now) {
                if timer == crate::timer::Timer::Reauth {
                    // Needs a new slab entry: started below (`reauth.rs`).
                    reauth_due = true;
                    continue;
                }
                let mut ctx = ctx!(self, now);
                if sa::dispatch::on_timer(&mut ctx, sa, timer) {
                    remove = true;
                    break;
                }
            }
            self.hand_off(handle, now);
            if remove {
                self.remove(handle);
                return;
            }
            if reauth_due {
                // Refused only when the SA is going anyway.
                let _ = self.start_reauth(now, handle);
            }
            let Some(sa) = self.slots.get_mut(i).and_then(|s| s.sa.as_mut()) else {
                return;
            };
            let mut gave_up = None;
            for outcome in sa.requests.handle_timeout(now) {
                match outcome {
                    TimeoutOutcome::Retransmit {
                        datagrams,
                        message_id,
                        exchange,
                        attempt,
                        ..
                    } => {
                        self.stats.retransmits += 1;
                        let datagrams = sa.on_retransmit(
                            &self.peers,
                            &mut self.out,
                            &mut self.stats,
                            message_id,
                            exchange,
                            attempt,
                            datagrams,
                        );
                        for bytes in datagrams {
                            if sa::frag::is_fragment(&bytes) {
                                self.stats.fragments.sent += 1;
                            }
                            self.out.push_back(Output::Transmit(Transmit {
                                src: sa.local,
                                dst: sa.remote,
                                non_esp_marker: sa.local.port() == 4500 || sa.remote.port() == 4500,
                                bytes,
                            }));
                        }
                    }
                    TimeoutOutcome::GaveUp { exchange, .. } => gave_up = Some(exchange),
                }
            }
            if let Some(exchange) = gave_up {
                let mut ctx = ctx!(self, now);
                // Established: our delete ended, or the peer is dead (info.rs).
                if sa::info::gave_up(&mut ctx, sa, exchange) {
                    self.remove(handle);
                    return;
                }
                let cfg = self.peers.get(sa.peer);
                let retransmit = cfg.map(|c| c.retransmit).unwrap_or_default();
                let failure = Failure::RetransmitTimeout {
                    exchange,
                    retransmits: retransmit.tries,
                    after: retransmit.give_up_after(),
                };
                let (handle, remote, name) = (sa.handle, sa.remote, cfg.map(|c| c.name.clone()));
                let mut ctx = self.ctx(now);
                ctx.fail(Some(handle), remote, name, failure);
                self.remove(handle);
            }
        }
    }

    /// Runs a user command (create child, rekey, delete, liveness check...)
    /// on the SA `handle`, with a context like the one datagrams get; the
    /// SA is removed when `f` returns `Ok((_, true))`.
    pub(crate) fn command<T>(
        &mut self,
        now: Instant,
        handle: SaHandle,
        f: impl FnOnce(&mut Ctx<'_>, &mut IkeSa) -> Result<(T, bool), ApiError>,
    ) -> Result<T, ApiError> {
        let from = self.out.len();
        let mut ctx = ctx!(self, now);
        let sa = live(&mut self.slots, handle).ok_or(ApiError::UnknownSa)?;
        let result = f(&mut ctx, sa);
        self.hand_off(handle, now);
        if let Ok((_, true)) = result {
            self.remove(handle);
        }
        self.reschedule(handle.index);
        self.progress_reauth(now, from);
        self.settle_schedule();
        result.map(|(value, _)| value)
    }

    /// Takes in an IKE SA created by a rekey (`handoff.rs`): a new slab
    /// entry under its new SPI.
    fn adopt(&mut self, mut sa: IkeSa) -> Option<SaHandle> {
        let spi = sa.local_spi();
        if self.by_spi.contains_key(&spi) {
            // 64 random bits collided: the new SA cannot be told apart.
            self.stats.dropped.unknown_spi += 1;
            return None;
        }
        let handle = self.allocate();
        sa.handle = handle;
        self.by_spi.insert(spi, handle.index);
        self.stats.ike_sas += 1;
        if let Some(slot) = self.slots.get_mut(handle.index as usize) {
            slot.sa = Some(sa);
        }
        self.reschedule(handle.index);
        Some(handle)
    }

    fn ctx(&mut self, now: Instant) -> Ctx<'_> {
        ctx!(self, now)
    }

    fn remove(&mut self, handle: SaHandle) {
        let Some(slot) = self.slots.get_mut(handle.index as usize) else {
            return;
        };
        if slot.generation != handle.generation {
            return;
        }
        slot.scheduled = None;
        if let Some(sa) = slot.sa.take() {
            if sa.state.is_half_open() {
                self.stats.half_open = self.stats.half_open.saturating_sub(1);
                if sa.role == SaRole::Responder {
                    let n = &mut self.stats.half_open_responder;
                    *n = n.saturating_sub(1);
                }
            }
            if matches!(sa.state, State::Established(_)) {
                self.stats.ike_sas = self.stats.ike_sas.saturating_sub(1);
            }
            self.by_spi.remove(&sa.local_spi());
            self.half_open.remove(&(sa.init_remote, sa.spi_i));
            self.free.push(handle.index);
        }
    }

    fn handle_datagram(&mut self, now: Instant, src: SocketAddr, dst: SocketAddr, bytes: &[u8]) {
        // Phase one: header and outer chain, no keys, no allocation.
        let Ok(header) = Header::parse(bytes) else {
            self.stats.dropped.invalid_message += 1;
            return;
        };
        let from_initiator = header.flags & FLAG_INITIATOR != 0;
        let response = header.flags & FLAG_RESPONSE != 0;
        let Ok(msg) = MessageRepr::parse(bytes) else {
            self.stats.dropped.invalid_message += 1;
            return;
        };
        let h = msg.header;
        let slot = if from_initiator {
            if h.spi_r == 0 {
                if response || h.exchange_type != ExchangeType::IkeSaInit || h.message_id != 0 {
                    self.stats.dropped.invalid_message += 1;
                    return;
                }
                match self.half_open.get(&(src, h.spi_i)) {
                    Some(&i) => Some(i),
                    None if self.by_spi.contains_key(&h.spi_i) => {
                        self.stats.dropped.reflected_request += 1;
                        return;
                    }
                    None => return self.new_responder(now, src, dst, bytes, &msg),
                }
            } else {
                self.by_spi.get(&h.spi_r).copied()
            }
        } else {
            self.by_spi.get(&h.spi_i).copied()
        };
        let Some(index) = slot else {
            self.stats.dropped.unknown_spi += 1;
            return;
        };
        let queued = self.out.len();
        let mut ctx = ctx!(self, now);
        let Some(sa) = self
            .slots
            .get_mut(index as usize)
            .and_then(|s| s.sa.as_mut())
        else {
            ctx.stats.dropped.unknown_spi += 1;
            return;
        };
        // The SA's role must agree with the I flag, and its SPIs with the header.
        let ours = match sa.role {
            SaRole::Initiator => !from_initiator && h.spi_i == sa.spi_i,
            SaRole::Responder => from_initiator && h.spi_i == sa.spi_i,
        };
        if !ours {
            ctx.stats.dropped.unknown_spi += 1;
            return;
        }
        let remove = if response {
            sa::dispatch::on_response(&mut ctx, sa, bytes, &msg, (src, dst))
        } else {
            sa::dispatch::on_request(&mut ctx, sa, bytes, &msg, (src, dst))
        };
        let handle = sa.handle;
        self.hand_off(handle, now);
        if remove {
            self.remove(handle);
        }
        self.reschedule(index);
        self.apply_initial_contact(queued, now);
    }

    /// INITIAL_CONTACT (`sa/initial_contact.rs`): if the outputs queued
    /// from `from` on report one, removes the other IKE SAs of that peer
    /// identity and configuration and fills in how many (the event is
    /// dropped when there were none).
    fn apply_initial_contact(&mut self, from: usize, now: Instant) {
        let found = self.out.iter().skip(from).find_map(|o| match o {
            Output::Event {
                sa: Some(h),
                event: Event::InitialContact { peer_id, .. },
            } => Some((*h, peer_id.clone())),
            _ => None,
        });
        let Some((keep, peer_id)) = found else { return };
        let Some(config) = self.get(keep).map(|sa| sa.peer) else {
            return;
        };
        let victims: Vec<SaHandle> = self
            .slots
            .iter()
            .filter_map(|s| s.sa.as_ref())
            .filter(|sa| {
                sa.handle != keep && sa.peer == config && sa.peer_id.as_ref() == Some(&peer_id)
            })
            .map(|sa| sa.handle)
            .collect();
        for h in &victims {
            let mut ctx = ctx!(self, now);
            if let Some(sa) = self
                .slots
                .get_mut(h.index as usize)
                .and_then(|s| s.sa.as_mut())
            {
                sa::info::remove_children(&mut ctx, sa, Some(true));
                ctx.event(Some(*h), Event::IkeSaDeleted { by_peer: true });
            }
            self.remove(*h);
        }
        // Reported only when it replaced something.
        let at = self.out.iter().skip(from).position(|o| {
            matches!(o, Output::Event { sa: Some(h), event: Event::InitialContact { .. } } if *h == keep)
        });
        if let Some(at) = at.map(|i| i + from) {
            if victims.is_empty() {
                self.out.remove(at);
            } else if let Some(Output::Event {
                event: Event::InitialContact { replaced, .. },
                ..
            }) = self.out.get_mut(at)
            {
                *replaced = victims.len();
            }
        }
    }

    fn new_responder(
        &mut self,
        now: Instant,
        src: SocketAddr,
        dst: SocketAddr,
        bytes: &[u8],
        msg: &MessageRepr<'_>,
    ) {
        // COOKIE (RFC 7296 §2.6) and the half-open limit, before any state.
        let half_open = self.stats.half_open_responder;
        let mut ctx = ctx!(self, now);
        if self.cookies.admit(&mut ctx, half_open, dst, src, msg) != sa::cookie::Admission::Proceed
        {
            return;
        }
        let handle = self.allocate();
        let seed = self.jitter_seed();
        let mut ctx = self.ctx(now);
        let Some(mut spi_r) = ctx.spi() else { return };
        let result = if ctx.peers.is_empty() {
            None
        } else {
            init::respond(&mut ctx, spi_r, dst, src, bytes, msg)
        };
        let Some(init::Accepted {
            peer,
            done,
            nat: (nat_local, nat_remote),
            response,
            fragmentation,
        }) = result
        else {
            // Stateless answer (or none): give the slot back.
            self.free.push(handle.index);
            return;
        };
        while self.by_spi.contains_key(&spi_r) {
            // A collision would have to re-key; with 64 random bits it does not happen in practice.
            spi_r = spi_r.wrapping_add(1);
        }
        let half_open_timeout = self
            .peers
            .get(peer)
            .map(|p| p.half_open.timeout)
            .unwrap_or_default();
        let retransmit = self
            .peers
            .get(peer)
            .map(|p| p.retransmit)
            .unwrap_or_default();
        let mut sa = IkeSa {
            handle,
            role: SaRole::Responder,
            spi_i: msg.header.spi_i,
            spi_r,
            local: dst,
            remote: src,
            init_remote: src,
            peer,
            state: State::InitResponded(Box::new(done)),
            requests: RequestWindow::new(retransmit, seed),
            responses: ResponseWindow::new(),
            nat_local,
            nat_remote,
            peer_id: None,
            children: Vec::new(),
            timers: TimerTable::default(),
            expires: now.checked_add(half_open_timeout),
            frag: sa::frag::FragState::new(fragmentation),
            queue: sa::queue::RequestQueue::default(),
            info: sa::info::InfoState::default(),
        };
        // Message ID 0 is answered: cache the response for retransmissions.
        let mut ctx = self.ctx(now);
        if matches!(sa.responses.classify(0), RequestVerdict::New) {
            sa.responses.respond(0, vec![response.clone()]);
        }
        ctx.transmit(dst, src, response);
        self.stats.half_open += 1;
        self.stats.half_open_responder += 1;
        self.by_spi.insert(spi_r, handle.index);
        self.half_open.insert((src, sa.spi_i), handle.index);
        if let Some(slot) = self.slots.get_mut(handle.index as usize) {
            slot.sa = Some(sa);
        }
        self.reschedule(handle.index);
    }
}

/// An SA's next deadline: retransmission, `expires` or a timer.
fn sa_deadline(sa: &IkeSa) -> Option<Instant> {
    [
        sa.requests.poll_timeout(),
        sa.expires,
        sa.timers.next_timeout(),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// Whether a heap entry is still slot `i`'s scheduled deadline.
/// The SA `handle` names, if it is still there (a function of the slab
/// alone, so a [`Ctx`] can borrow the endpoint's other fields beside it).
fn live(slots: &mut [Slot], handle: SaHandle) -> Option<&mut IkeSa> {
    slots
        .get_mut(handle.index as usize)
        .filter(|s| s.generation == handle.generation)
        .and_then(|s| s.sa.as_mut())
}

fn slot_valid(slots: &[Slot], i: u32, generation: u32, t: Instant) -> bool {
    slots
        .get(i as usize)
        .is_some_and(|s| s.generation == generation && s.scheduled == Some(t))
}
