//! Per-IKE-SA state and the helpers every exchange shares.
//!
//! One [`IkeSa`] per slab slot of the [`Endpoint`](crate::endpoint::Endpoint).
//! Its [`State`] is an enum whose variants hold exactly what the next step
//! needs; exchanges live in their own files (`init.rs`, `auth.rs`) and take a
//! [`Ctx`] with the endpoint's provider, randomness, configuration, output
//! queue and counters, so an SA never reaches back into the endpoint.
//!
//! Extension points: COOKIE fits in `init.rs` (a responder check before any
//! state is created, an initiator restart like the INVALID_KE_PAYLOAD one);
//! CREATE_CHILD_SA and INFORMATIONAL become new `State::Established`
//! request/response handlers in their own files, reusing [`IkeSa::send_request`],
//! [`IkeSa::respond`] and the SK helpers below; certificates replace the PSK
//! branch of `auth.rs` (with `NeedSignature` outputs for asynchronous signers).

pub(crate) mod auth;
pub(crate) mod cert_auth;
pub(crate) mod child;
pub(crate) mod child_opts;
pub(crate) mod cookie;
pub(crate) mod delete;
pub(crate) mod dispatch;
pub(crate) mod frag;
pub(crate) mod ike_collision;
pub(crate) mod info;
pub(crate) mod init;
pub(crate) mod initial_contact;
pub(crate) mod malformed;
pub(crate) mod queue;
pub(crate) mod reauth;
pub(crate) mod reauth_collision;
pub(crate) mod reauth_retry;
pub(crate) mod rekey;
pub(crate) mod signing;

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::keys::IkeSaKeys;
use ikev2_crypto::sk::{decrypt_sk, encrypt_sk, SkKeys};
use ikev2_crypto::{ActiveKe, CryptoProvider, SecureRandom, SupportedEncr, SupportedPrf};
use ikev2_wire::{
    emit_chain, first_type, parse_inner_chain, ExchangeType, HeaderRepr, MessageRepr, PayloadRepr,
    PayloadType, FLAG_INITIATOR, FLAG_RESPONSE,
};

use crate::config::{Identity, PeerConfig};
use crate::endpoint::{Output, SaHandle, Transmit};
use crate::events::{Event, Failure};
use crate::proposal::{Proposal, Selected};
use crate::stats::{ErrorHistory, ErrorRecord, Stats};
use crate::timer::TimerTable;
use crate::window::{RequestWindow, ResponseWindow};

/// Everything an exchange handler may touch outside its SA.
pub(crate) struct Ctx<'a> {
    pub(crate) provider: &'a CryptoProvider,
    pub(crate) rng: &'a dyn SecureRandom,
    pub(crate) peers: &'a [Arc<PeerConfig>],
    pub(crate) out: &'a mut VecDeque<Output>,
    pub(crate) stats: &'a mut Stats,
    pub(crate) history: &'a mut ErrorHistory,
    pub(crate) now: Instant,
}

impl Ctx<'_> {
    pub(crate) fn random(&self, len: usize) -> Option<Vec<u8>> {
        let mut v = vec![0u8; len];
        self.rng.fill(&mut v).ok()?;
        Some(v)
    }

    pub(crate) fn spi(&self) -> Option<u64> {
        let mut b = [0u8; 8];
        // A broken source that keeps yielding zero must not hang us.
        for _ in 0..16 {
            self.rng.fill(&mut b).ok()?;
            let v = u64::from_be_bytes(b);
            if v != 0 {
                return Some(v);
            }
        }
        None
    }

    pub(crate) fn transmit(&mut self, local: SocketAddr, remote: SocketAddr, bytes: Vec<u8>) {
        if frag::is_fragment(&bytes) {
            self.stats.fragments.sent += 1;
        }
        self.out.push_back(Output::Transmit(Transmit {
            src: local,
            dst: remote,
            non_esp_marker: local.port() == 4500 || remote.port() == 4500,
            bytes,
        }));
    }

    pub(crate) fn event(&mut self, sa: Option<SaHandle>, event: Event) {
        self.out.push_back(Output::Event { sa, event });
    }

    pub(crate) fn fail(
        &mut self,
        sa: Option<SaHandle>,
        peer: SocketAddr,
        config: Option<String>,
        failure: Failure,
    ) {
        self.stats.record_failure(&failure);
        self.history.push(ErrorRecord {
            at: self.now,
            peer: Some(peer),
            config,
            failure: failure.clone(),
        });
        self.event(sa, Event::Failed { reason: failure });
    }
}

/// Which end of the IKE SA we are (RFC 7296 "original initiator").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaRole {
    Initiator,
    Responder,
}

/// The negotiated IKE SA transforms and keys.
pub(crate) struct Keys {
    pub(crate) prf: &'static dyn SupportedPrf,
    pub(crate) sk: IkeSaKeys,
    /// Protects what we send.
    pub(crate) out: SkKeys,
    /// Opens what we receive.
    pub(crate) inb: SkKeys,
}

/// What IKE_SA_INIT leaves for IKE_AUTH.
pub(crate) struct InitDone {
    pub(crate) keys: Keys,
    pub(crate) ni: Vec<u8>,
    pub(crate) nr: Vec<u8>,
    /// Our IKE_SA_INIT message as sent (request or response): signed in AUTH.
    pub(crate) our_init: Vec<u8>,
    /// The peer's IKE_SA_INIT message.
    pub(crate) peer_init: Vec<u8>,
    pub(crate) ike: Selected,
    /// Initiator: send INITIAL_CONTACT in IKE_AUTH.
    pub(crate) initial_contact: bool,
    /// Initiator: the child configuration IKE_AUTH carries (`reauth.rs`).
    pub(crate) auth_child: reauth::AuthChild,
}

/// Initiator: IKE_SA_INIT sent, waiting for the response.
pub(crate) struct InitSent {
    pub(crate) ke: Box<dyn ActiveKe>,
    pub(crate) ni: Vec<u8>,
    pub(crate) offered: Vec<Proposal>,
    pub(crate) request: Vec<u8>,
    /// INVALID_KE_PAYLOAD restarts so far.
    pub(crate) ke_retries: u8,
    /// COOKIE restarts of this request so far (see `cookie.rs`).
    pub(crate) cookie_restarts: u8,
    /// Send INITIAL_CONTACT in IKE_AUTH (see `initial_contact.rs`).
    pub(crate) initial_contact: bool,
    /// The child configuration IKE_AUTH carries (see `reauth.rs`).
    pub(crate) auth_child: reauth::AuthChild,
}

/// Initiator: IKE_AUTH sent.
pub(crate) struct AuthSent {
    pub(crate) init: InitDone,
    pub(crate) child_spi: u32,
    pub(crate) child_offered: Vec<Proposal>,
}

/// Established IKE SA.
pub(crate) struct Established {
    /// Kept for CREATE_CHILD_SA, INFORMATIONAL and rekeying (SK_d, SK_e/a).
    pub(crate) keys: Keys,
    /// The negotiated IKE proposal.
    pub(crate) ike: Selected,
    /// CREATE_CHILD_SA and delete bookkeeping: queued and outstanding
    /// requests, rekey state (`rekey/`).
    pub(crate) cc: rekey::Exchanges,
    /// Set up by IKE_SA_INIT and IKE_AUTH (not a rekey): its nonces and
    /// when, for simultaneous reauthentications (`reauth_collision.rs`).
    pub(crate) born: Option<reauth_collision::Birth>,
}

impl Established {
    pub(crate) fn new(keys: Keys, ike: Selected) -> Self {
        Self {
            keys,
            ike,
            cc: rekey::Exchanges::default(),
            born: None,
        }
    }

    /// Established by IKE_AUTH after the IKE_SA_INIT `init`, at `now`.
    pub(crate) fn from_auth(init: InitDone, now: Instant) -> Self {
        let born = reauth_collision::Birth::new(&init.ni, &init.nr, now);
        let mut e = Self::new(init.keys, init.ike);
        e.born = Some(born);
        e
    }
}

/// Per-SA state (RFC 7296 exchanges in order).
pub(crate) enum State {
    /// Initiator after IKE_SA_INIT request.
    InitSent(Box<InitSent>),
    /// Responder after IKE_SA_INIT response, waiting for IKE_AUTH.
    InitResponded(Box<InitDone>),
    /// Initiator after IKE_AUTH request.
    AuthSent(Box<AuthSent>),
    /// Either role, IKE_AUTH waiting for our asynchronous signer.
    Signing(Box<signing::Waiting>),
    /// IKE SA up.
    Established(Box<Established>),
    /// Failed; kept until its retransmission cache is no longer needed, so
    /// a retransmitted request still gets the same error response.
    Failed,
    /// Transient placeholder while a handler owns the previous state.
    Taken,
}

impl State {
    /// The negotiated IKE proposal, once known.
    pub(crate) fn ike(&self) -> Option<&Proposal> {
        match self {
            Self::InitResponded(d) => Some(d.ike.proposal()),
            Self::AuthSent(a) => Some(a.init.ike.proposal()),
            Self::Signing(w) => Some(w.init.ike.proposal()),
            Self::Established(e) => {
                let _ = &e.keys;
                Some(e.ike.proposal())
            }
            _ => None,
        }
    }

    /// The IKE SA keys, in the states that have them (what received SKF
    /// fragments are authenticated with).
    pub(crate) fn keys(&self) -> Option<&Keys> {
        match self {
            Self::InitResponded(d) => Some(&d.keys),
            Self::AuthSent(a) => Some(&a.init.keys),
            Self::Signing(w) => Some(&w.init.keys),
            Self::Established(e) => Some(&e.keys),
            _ => None,
        }
    }

    /// Half-open: IKE_SA_INIT started, IKE_AUTH not done.
    pub(crate) fn is_half_open(&self) -> bool {
        matches!(
            self,
            Self::InitSent(_) | Self::InitResponded(_) | Self::AuthSent(_) | Self::Signing(_)
        )
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::InitSent(_) => "IKE_SA_INIT sent",
            Self::InitResponded(_) => "IKE_SA_INIT answered",
            Self::AuthSent(_) => "IKE_AUTH sent",
            Self::Signing(_) => "IKE_AUTH waiting for our signature",
            Self::Established(_) => "established",
            Self::Failed => "failed",
            Self::Taken => "in transition",
        }
    }
}

/// One installed Child SA: what delete, rekey and lifetimes work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChildSa {
    /// Child configuration name.
    pub(crate) name: String,
    /// Our inbound SPI (chosen by us).
    pub(crate) spi_in: u32,
    /// Our outbound SPI (chosen by the peer).
    pub(crate) spi_out: u32,
    /// Tunnel or transport.
    pub(crate) mode: crate::config::Mode,
    /// Our side's selectors, as narrowed.
    pub(crate) local_ts: Vec<crate::ts::TrafficSelector>,
    /// The peer's side's selectors, as narrowed.
    pub(crate) remote_ts: Vec<crate::ts::TrafficSelector>,
    /// Where it is in its life (active, replaced, being deleted...).
    pub(crate) status: child::Status,
    /// Soft lifetime (jittered): start a rekey.
    pub(crate) rekey_at: Option<Instant>,
    /// Hard lifetime: delete.
    pub(crate) expire_at: Option<Instant>,
}

impl ChildSa {
    /// The public view.
    pub(crate) fn info(&self) -> crate::endpoint::ChildSaInfo {
        crate::endpoint::ChildSaInfo {
            name: self.name.clone(),
            spi_in: self.spi_in,
            spi_out: self.spi_out,
            mode: self.mode,
        }
    }
}

/// One IKE SA.
pub(crate) struct IkeSa {
    pub(crate) handle: SaHandle,
    pub(crate) role: SaRole,
    pub(crate) spi_i: u64,
    pub(crate) spi_r: u64,
    pub(crate) local: SocketAddr,
    pub(crate) remote: SocketAddr,
    /// The peer's address of IKE_SA_INIT (the half-open lookup key), kept
    /// when `remote` floats.
    pub(crate) init_remote: SocketAddr,
    /// Index into the endpoint's peers (initiator: chosen by the caller;
    /// responder: first the IKE_SA_INIT match, then the one IDi selects).
    pub(crate) peer: usize,
    pub(crate) state: State,
    pub(crate) requests: RequestWindow,
    pub(crate) responses: ResponseWindow,
    /// NAT detected in front of us / in front of the peer.
    pub(crate) nat_local: bool,
    pub(crate) nat_remote: bool,
    pub(crate) peer_id: Option<Identity>,
    /// Child SAs installed under this IKE SA.
    pub(crate) children: Vec<ChildSa>,
    /// Per-SA deadlines other than the request window's retransmissions
    /// (liveness, rekey, lifetimes, reassembly): see [`dispatch::on_timer`].
    pub(crate) timers: TimerTable,
    /// Responder: when this SA is dropped if IKE_AUTH has not completed
    /// (half-open timeout), or, after a failure, when the cached error
    /// response is no longer needed.
    pub(crate) expires: Option<std::time::Instant>,
    /// IKE fragmentation (RFC 7383): negotiation, staged fragments, reassembly.
    pub(crate) frag: frag::FragState,
    /// Requests waiting for the request window and the one in flight
    /// (`queue.rs`: INFORMATIONAL, CREATE_CHILD_SA, rekeying).
    pub(crate) queue: queue::RequestQueue,
    /// Liveness bookkeeping (`info.rs`).
    pub(crate) info: info::InfoState,
}

impl IkeSa {
    /// Our SPI (the slab key).
    pub(crate) fn local_spi(&self) -> u64 {
        match self.role {
            SaRole::Initiator => self.spi_i,
            SaRole::Responder => self.spi_r,
        }
    }

    fn flags(&self, response: bool) -> u8 {
        let mut f = 0;
        if self.role == SaRole::Initiator {
            f |= FLAG_INITIATOR;
        }
        if response {
            f |= FLAG_RESPONSE;
        }
        f
    }

    pub(crate) fn header(
        &self,
        exchange: ExchangeType,
        response: bool,
        message_id: u32,
    ) -> HeaderRepr {
        HeaderRepr::new(
            self.spi_i,
            self.spi_r,
            exchange,
            self.flags(response),
            message_id,
        )
    }

    /// Emits `payloads` inside an SK payload with `keys`.
    pub(crate) fn protect(
        &self,
        ctx: &Ctx<'_>,
        keys: &Keys,
        exchange: ExchangeType,
        response: bool,
        message_id: u32,
        payloads: &[PayloadRepr<'_>],
    ) -> Option<Vec<u8>> {
        let header = MessageRepr {
            header: self.header(exchange, response, message_id),
            payloads: Vec::new(),
        }
        .to_vec()
        .ok()?;
        let len = payloads.iter().map(PayloadRepr::buffer_len).sum();
        let mut inner = vec![0u8; len];
        emit_chain(payloads, &mut inner).ok()?;
        let first = first_type(payloads).value();
        let whole = encrypt_sk(&keys.out, ctx.rng, &header, first, &inner).ok()?;
        self.stage_fragments(
            ctx,
            &keys.out,
            exchange,
            response,
            message_id,
            (&header, first, &inner),
            &whole,
        );
        Some(whole)
    }

    /// An authenticated message came over `(src, dst)`: follow the peer's
    /// float (RFC 7296 §2.23). Only once a NAT was detected or the message
    /// came to UDP 4500; answers go back the way the request came.
    pub(crate) fn accept_path(&mut self, (src, dst): (SocketAddr, SocketAddr)) {
        let natted = self.nat_local || self.nat_remote || dst.port() == init::NAT_T_PORT;
        if natted && (src, dst) != (self.remote, self.local) {
            self.remote = src;
            self.local = dst;
        }
    }

    /// Sends a new request through the request window (as fragments when
    /// `protect` staged them).
    pub(crate) fn send_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        exchange: ExchangeType,
        bytes: Vec<u8>,
    ) {
        let message_id = self.requests.next_message_id();
        let datagrams = self.datagrams_for(bytes, false, message_id);
        if self
            .requests
            .send(ctx.now, exchange, datagrams.clone())
            .is_ok()
        {
            for b in datagrams {
                ctx.transmit(self.local, self.remote, b);
            }
        }
    }

    /// Caches and sends the response to request `message_id` (as fragments
    /// when `protect` staged them).
    pub(crate) fn respond(
        &mut self,
        ctx: &mut Ctx<'_>,
        message_id: u32,
        exchange: ExchangeType,
        bytes: Vec<u8>,
    ) {
        let datagrams = self.datagrams_for(bytes, true, message_id);
        self.responses.respond(message_id, datagrams.clone());
        ctx.stats
            .record_exchange(crate::stats::Role::Responded, exchange);
        for b in datagrams {
            ctx.transmit(self.local, self.remote, b);
        }
    }
}

/// Decrypts the SK payload of `bytes` and parses the inner chain (owned).
pub(crate) fn unprotect(keys: &Keys, bytes: &[u8]) -> Option<Vec<PayloadRepr<'static>>> {
    let (first, plain) = decrypt_sk(bytes, &keys.inb).ok()?;
    let chain = parse_inner_chain(PayloadType::from(first), &plain).ok()?;
    Some(chain.into_iter().map(PayloadRepr::into_owned).collect())
}

/// The negotiated encryption transform and integrity of a selected IKE proposal.
pub(crate) fn ike_algorithms(
    provider: &CryptoProvider,
    sel: &Selected,
) -> Option<(
    SupportedEncr,
    Option<&'static dyn ikev2_crypto::SupportedInteg>,
    &'static dyn SupportedPrf,
)> {
    let (encr_id, bits) = sel.encr()?;
    let encr = provider.encr(encr_id, bits)?;
    let integ = match encr {
        SupportedEncr::Aead(_) => None,
        _ => Some(provider.integ(sel.integ()?)?),
    };
    let prf = provider.prf(sel.prf()?)?;
    Some((encr, integ, prf))
}

/// Identity → ID payload body data.
pub(crate) fn id_data(id: &Identity) -> Cow<'static, [u8]> {
    Cow::Owned(match id {
        Identity::Any => Vec::new(),
        Identity::Addr(std::net::IpAddr::V4(a)) => a.octets().to_vec(),
        Identity::Addr(std::net::IpAddr::V6(a)) => a.octets().to_vec(),
        Identity::Fqdn(s) | Identity::Rfc822(s) => s.as_bytes().to_vec(),
        Identity::Dn(dn) => dn.as_der().to_vec(),
        Identity::KeyId(k) => k.clone(),
    })
}

/// ID payload → Identity.
pub(crate) fn identity_from(id: &ikev2_wire::IdRepr<'_>) -> Option<Identity> {
    use ikev2_wire::IdType;
    let text = || String::from_utf8(id.data.to_vec()).ok();
    Some(match id.id_type {
        IdType::Ipv4Addr => {
            let o: [u8; 4] = id.data.as_ref().try_into().ok()?;
            Identity::Addr(o.into())
        }
        IdType::Ipv6Addr => {
            let o: [u8; 16] = id.data.as_ref().try_into().ok()?;
            Identity::Addr(o.into())
        }
        IdType::Fqdn => Identity::Fqdn(text()?),
        IdType::Rfc822Addr => Identity::Rfc822(text()?),
        IdType::DerAsn1Dn => {
            Identity::Dn(ikev2_crypto::cert::DistinguishedName::from_der(&id.data).ok()?)
        }
        IdType::KeyId => Identity::KeyId(id.data.to_vec()),
        _ => return None,
    })
}

/// The ID payload body as AUTH MACs it: type, reserved, data.
pub(crate) fn id_body(id: &ikev2_wire::IdRepr<'_>) -> Vec<u8> {
    let mut v = Vec::with_capacity(4 + id.data.len());
    v.push(id.id_type.value());
    v.extend_from_slice(&id.reserved);
    v.extend_from_slice(&id.data);
    v
}
