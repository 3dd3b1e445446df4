//! IKE_SA_INIT, both roles (RFC 7296 §1.2): proposal selection, KE,
//! nonces, INVALID_KE_PAYLOAD and the initiator's retry, NAT detection
//! (§2.23) and SIGNATURE_HASH_ALGORITHMS (RFC 7427).
//!
//! COOKIE (§2.6) lives in `cookie.rs`: the responder's check runs before
//! [`respond`] (no state is allocated for a request without a valid cookie
//! while under load), and [`handle_response`] restarts with the cookie.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use ikev2_crypto::keys::{nat_detection_hash, skeyseed, IkeSaKeys};
use ikev2_crypto::sk::SkKeys;
use ikev2_wire::{
    ExchangeType, HeaderRepr, KeId, KeRepr, MessageRepr, NonceRepr, NotifyData, NotifyRepr,
    NotifyType, PayloadBody, PayloadRepr, ProtocolId, FLAG_RESPONSE,
};

use super::{ike_algorithms, Ctx, InitDone, InitSent, Keys, SaRole};
use crate::events::Failure;
use crate::proposal::{
    check_response, initial_ke, retry_with_ke, select_with_ke, KeDecision, Proposal,
};
use crate::stats::Role;
use crate::wire::{proposals_from_sa, sa_from_proposals};

/// Nonce length we send (RFC 7296 §2.10: at least half the PRF key size).
pub(crate) const NONCE_LEN: usize = 32;

/// The NAT traversal port (RFC 3948, RFC 7296 §2.23).
pub(crate) const NAT_T_PORT: u16 = 4500;

/// SIGNATURE_HASH_ALGORITHMS data: SHA2-256, SHA2-384, SHA2-512, Identity.
const HASH_ALGORITHMS: [u8; 8] = [0, 2, 0, 3, 0, 4, 0, 5];

/// The payloads of an IKE_SA_INIT message, found by type.
#[derive(Default)]
pub(crate) struct InitPayloads<'a> {
    pub(crate) sa: Option<Vec<Proposal>>,
    pub(crate) ke: Option<(KeId, &'a [u8])>,
    pub(crate) nonce: Option<&'a [u8]>,
    pub(crate) nat_src: Vec<[u8; 20]>,
    pub(crate) nat_dst: Option<[u8; 20]>,
    pub(crate) invalid_ke: Option<KeId>,
    /// An error notify (type < 16384).
    pub(crate) error: Option<NotifyType>,
}

pub(crate) fn scan<'a>(msg: &'a MessageRepr<'a>) -> InitPayloads<'a> {
    let mut p = InitPayloads::default();
    for pl in &msg.payloads {
        match &pl.body {
            PayloadBody::Sa(sa) if p.sa.is_none() => p.sa = Some(proposals_from_sa(sa)),
            PayloadBody::Ke(ke) if p.ke.is_none() => p.ke = Some((ke.group, &ke.data)),
            PayloadBody::Nonce(n) if p.nonce.is_none() => p.nonce = Some(&n.data),
            PayloadBody::Notify(n) => match n.data() {
                Ok(NotifyData::NatDetection(h))
                    if n.notify_type == NotifyType::NatDetectionSourceIp =>
                {
                    p.nat_src.push(*h);
                }
                Ok(NotifyData::NatDetection(h)) => p.nat_dst = Some(*h),
                Ok(NotifyData::InvalidKePayload(g)) => p.invalid_ke = Some(g),
                _ if n.notify_type.value() < 16384 && p.error.is_none() => {
                    p.error = Some(n.notify_type);
                }
                _ => {}
            },
            _ => {}
        }
    }
    p
}

fn notify(ty: NotifyType, data: &NotifyData<'_>) -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(ty, data).ok().map(PayloadRepr::from)
}

fn nat_notifies(
    spi_i: u64,
    spi_r: u64,
    local: SocketAddr,
    remote: SocketAddr,
) -> Vec<PayloadRepr<'static>> {
    let (i, r) = (spi_i.to_be_bytes(), spi_r.to_be_bytes());
    let src = nat_detection_hash(&i, &r, local);
    let dst = nat_detection_hash(&i, &r, remote);
    let sig = NotifyRepr {
        protocol_id: ProtocolId::Reserved,
        notify_type: NotifyType::SignatureHashAlgorithms,
        spi: Cow::Borrowed(&[]),
        data: Cow::Owned(HASH_ALGORITHMS.to_vec()),
    };
    [
        notify(
            NotifyType::NatDetectionSourceIp,
            &NotifyData::NatDetection(&src),
        ),
        notify(
            NotifyType::NatDetectionDestinationIp,
            &NotifyData::NatDetection(&dst),
        ),
        Some(sig.into()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// NAT detection result `(nat in front of us, nat in front of the peer)`;
/// `None` when the peer sent no NAT_DETECTION notifies.
fn nat_check(
    p: &InitPayloads<'_>,
    spi_i: u64,
    spi_r: u64,
    local: SocketAddr,
    remote: SocketAddr,
) -> Option<(bool, bool)> {
    let (i, r) = (spi_i.to_be_bytes(), spi_r.to_be_bytes());
    let dst = p.nat_dst?;
    let local_nat = dst != nat_detection_hash(&i, &r, local);
    let theirs = nat_detection_hash(&i, &r, remote);
    let remote_nat = !p.nat_src.contains(&theirs);
    Some((local_nat, remote_nat))
}

/// Builds the initiator's IKE_SA_INIT request and its state.
pub(crate) fn start(
    ctx: &mut Ctx<'_>,
    spi_i: u64,
    local: SocketAddr,
    remote: SocketAddr,
    offered: Vec<Proposal>,
    ke_retries: u8,
    fragmentation: Option<PayloadRepr<'static>>,
) -> Option<(Vec<u8>, InitSent)> {
    let group = initial_ke(&offered)?;
    let ke = ctx.provider.ke(group)?.start(ctx.rng).ok()?;
    let ni = ctx.random(NONCE_LEN)?;
    let mut payloads: Vec<PayloadRepr<'static>> = vec![
        sa_from_proposals(&offered).into(),
        KeRepr {
            group,
            reserved: 0,
            data: Cow::Owned(ke.public().to_vec()),
        }
        .into(),
        NonceRepr {
            data: Cow::Owned(ni.clone()),
        }
        .into(),
    ];
    payloads.extend(nat_notifies(spi_i, 0, local, remote));
    payloads.extend(super::child_opts::childless_supported());
    payloads.extend(fragmentation);
    let request = MessageRepr {
        header: HeaderRepr::new(
            spi_i,
            0,
            ExchangeType::IkeSaInit,
            ikev2_wire::FLAG_INITIATOR,
            0,
        ),
        payloads,
    }
    .to_vec()
    .ok()?;
    Some((
        request.clone(),
        InitSent {
            ke,
            ni,
            offered,
            request,
            ke_retries,
            cookie_restarts: 0,
            initial_contact: false,
            auth_child: super::reauth::AuthChild::default(),
        },
    ))
}

#[allow(clippy::too_many_arguments)]
fn derive(
    ctx: &Ctx<'_>,
    role: SaRole,
    ike: &crate::proposal::Selected,
    shared: &[u8],
    ni: &[u8],
    nr: &[u8],
    spi_i: u64,
    spi_r: u64,
) -> Option<Keys> {
    let (_, _, prf) = ike_algorithms(ctx.provider, ike)?;
    let seed = skeyseed(prf, ni, nr, &[shared]);
    keys_from_seed(ctx, role, ike, &seed, ni, nr, spi_i, spi_r)
}

/// The IKE SA keys from SKEYSEED (RFC 7296 §2.14); shared with the IKE SA
/// rekey, whose SKEYSEED comes from the old SK_d (§2.18).
#[allow(clippy::too_many_arguments)]
pub(crate) fn keys_from_seed(
    ctx: &Ctx<'_>,
    role: SaRole,
    ike: &crate::proposal::Selected,
    seed: &ikev2_crypto::SecretBytes,
    ni: &[u8],
    nr: &[u8],
    spi_i: u64,
    spi_r: u64,
) -> Option<Keys> {
    let (encr, integ, prf) = ike_algorithms(ctx.provider, ike)?;
    let sk = IkeSaKeys::derive(
        prf,
        encr,
        integ,
        seed,
        ni,
        nr,
        &spi_i.to_be_bytes(),
        &spi_r.to_be_bytes(),
    )
    .ok()?;
    let ei = SkKeys::new(encr, integ, sk.sk_ei.as_bytes(), sk.sk_ai.as_bytes()).ok()?;
    let er = SkKeys::new(encr, integ, sk.sk_er.as_bytes(), sk.sk_ar.as_bytes()).ok()?;
    let (out, inb) = match role {
        SaRole::Initiator => (ei, er),
        SaRole::Responder => (er, ei),
    };
    Some(Keys { prf, sk, out, inb })
}

/// What the initiator does with an IKE_SA_INIT response.
pub(crate) enum InitOutcome {
    /// Keys derived: go on to IKE_AUTH.
    Done(Box<InitDone>),
    /// Restart IKE_SA_INIT with this state (INVALID_KE_PAYLOAD, COOKIE).
    Restart(Vec<u8>, Box<InitSent>),
    /// Give up.
    Failed(Failure),
    /// Not a usable response: drop it, keep waiting in this state.
    Ignore(Box<InitSent>),
}

/// Initiator: the response to our IKE_SA_INIT.
pub(crate) fn handle_response(
    ctx: &mut Ctx<'_>,
    sa: &mut super::IkeSa,
    st: Box<InitSent>,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
) -> InitOutcome {
    if let Some(cookie) = super::cookie::find_cookie(msg) {
        return super::cookie::restart(ctx, st, cookie);
    }
    let p = scan(msg);
    if let Some(group) = p.invalid_ke {
        // RFC 7296 §1.3: only a group we offered; restart once per group.
        let Some(retry) = retry_with_ke(&st.offered, group) else {
            return InitOutcome::Failed(Failure::InvalidKe { requested: group });
        };
        if st.ke_retries >= 2 || initial_ke(&st.offered) == Some(group) {
            return InitOutcome::Failed(Failure::InvalidKe { requested: group });
        }
        let frag = super::frag::supported_notify(ctx.peers.get(sa.peer).map(AsRef::as_ref));
        return match start(
            ctx,
            sa.spi_i,
            sa.local,
            sa.remote,
            retry,
            st.ke_retries + 1,
            frag,
        ) {
            Some((req, mut next)) => {
                next.initial_contact = st.initial_contact;
                next.auth_child = st.auth_child;
                InitOutcome::Restart(req, Box::new(next))
            }
            None => InitOutcome::Failed(Failure::InvalidKe { requested: group }),
        };
    }
    if let Some(n) = p.error {
        // Unauthenticated: reported as what the peer said, nothing more.
        return InitOutcome::Failed(Failure::PeerError { notify: n });
    }
    let (Some(sa_p), Some((group, ke_data)), Some(nr)) = (p.sa.as_ref(), p.ke, p.nonce) else {
        return InitOutcome::Ignore(st);
    };
    if msg.header.spi_r == 0 || group != st.ke.id() {
        return InitOutcome::Ignore(st);
    }
    let Ok(ike) = check_response(&st.offered, sa_p) else {
        return InitOutcome::Ignore(st);
    };
    if ike.ke() != Some(group) {
        return InitOutcome::Ignore(st);
    }
    // `ActiveKe::complete` consumes the private key: everything that can
    // be checked is checked before. A peer value the group rejects (e.g. a
    // low-order point) after that point ends the SA.
    let InitSent {
        ke,
        ni,
        request,
        initial_contact,
        auth_child,
        ..
    } = *st;
    let Ok(shared) = ke.complete(ke_data) else {
        return InitOutcome::Failed(Failure::PeerError {
            notify: NotifyType::InvalidSyntax,
        });
    };
    let spi_r = msg.header.spi_r;
    let Some(keys) = derive(
        ctx,
        SaRole::Initiator,
        &ike,
        shared.as_bytes(),
        &ni,
        nr,
        sa.spi_i,
        spi_r,
    ) else {
        return InitOutcome::Failed(Failure::PeerError {
            notify: NotifyType::NoProposalChosen,
        });
    };
    sa.spi_r = spi_r;
    // RFC 7383 §2.3: fragmentation once both announced it.
    sa.frag.negotiated = super::frag::announced(msg)
        && ctx
            .peers
            .get(sa.peer)
            .is_some_and(|c| c.fragmentation.enabled);
    if let Some((l, r)) = nat_check(&p, sa.spi_i, spi_r, sa.local, sa.remote) {
        sa.nat_local = l;
        sa.nat_remote = r;
    }
    // RFC 7296 §2.23: with a NAT on the path (or when configured to), every
    // later message goes to and from UDP 4500 with the non-ESP marker.
    let force = ctx.peers.get(sa.peer).is_some_and(|c| c.force_encap);
    if sa.nat_local || sa.nat_remote || force {
        sa.local.set_port(NAT_T_PORT);
        sa.remote.set_port(NAT_T_PORT);
    }
    InitOutcome::Done(Box::new(InitDone {
        keys,
        ni,
        nr: nr.to_vec(),
        our_init: request,
        peer_init: bytes.to_vec(),
        ike,
        initial_contact,
        auth_child,
    }))
}

/// A new responder SA's IKE_SA_INIT result.
pub(crate) struct Accepted {
    /// Index of the peer configuration whose proposals matched.
    pub(crate) peer: usize,
    pub(crate) done: InitDone,
    /// `(NAT in front of us, NAT in front of the peer)`.
    pub(crate) nat: (bool, bool),
    /// The response as sent (cached for retransmissions).
    pub(crate) response: Vec<u8>,
    /// IKE fragmentation negotiated (RFC 7383 §2.3).
    pub(crate) fragmentation: bool,
}

/// Responder: a new IKE_SA_INIT request. Returns the new SA's state if one
/// was created (otherwise a stateless error response was sent).
pub(crate) fn respond(
    ctx: &mut Ctx<'_>,
    spi_r: u64,
    local: SocketAddr,
    remote: SocketAddr,
    bytes: &[u8],
    msg: &MessageRepr<'_>,
) -> Option<Accepted> {
    let h = msg.header;
    let p = scan(msg);
    let (Some(received), Some(ni)) = (p.sa.as_ref(), p.nonce) else {
        ctx.stats.dropped.invalid_message += 1;
        return None;
    };
    let received_ke = p.ke.map(|(g, _)| g);
    // The peer configuration is not known before IKE_AUTH: the first whose
    // IKE proposals accept the offer serves IKE_SA_INIT.
    let mut first_err = None;
    let mut chosen = None;
    for (i, peer) in ctx.peers.iter().enumerate() {
        match select_with_ke(&peer.ike_proposals, received, received_ke, &peer.selection) {
            Ok((sel, dec)) => {
                chosen = Some((i, Arc::clone(peer), sel, dec));
                break;
            }
            Err(diag) => {
                first_err.get_or_insert(diag);
            }
        }
    }
    let reply = |ctx: &mut Ctx<'_>, n: PayloadRepr<'static>| {
        let m = MessageRepr {
            header: HeaderRepr::new(h.spi_i, 0, ExchangeType::IkeSaInit, FLAG_RESPONSE, 0),
            payloads: vec![n],
        };
        if let Ok(b) = m.to_vec() {
            ctx.transmit(local, remote, b);
        }
    };
    let Some((idx, peer, ike, decision)) = chosen else {
        if let Some(n) = notify(NotifyType::NoProposalChosen, &NotifyData::None) {
            reply(ctx, n);
        }
        let failure = match first_err {
            Some(d) => Failure::from(d),
            None => Failure::PeerError {
                notify: NotifyType::NoProposalChosen,
            },
        };
        ctx.fail(None, remote, None, failure);
        return None;
    };
    let group = match decision {
        KeDecision::Accept(Some(g)) => g,
        KeDecision::InvalidKe { request, .. } => {
            if let Some(n) = notify(
                NotifyType::InvalidKePayload,
                &NotifyData::InvalidKePayload(request),
            ) {
                reply(ctx, n);
            }
            ctx.stats.invalid_ke_sent += 1;
            return None;
        }
        _ => {
            ctx.stats.dropped.invalid_message += 1;
            return None;
        }
    };
    let ke_data = p.ke.map(|(_, d)| d)?;
    let (ke_public, shared) = ctx.provider.ke(group)?.respond(ctx.rng, ke_data).ok()?;
    let nr = ctx.random(NONCE_LEN)?;
    let keys = derive(
        ctx,
        SaRole::Responder,
        &ike,
        shared.as_bytes(),
        ni,
        &nr,
        h.spi_i,
        spi_r,
    )?;
    let nat = nat_check(&p, h.spi_i, h.spi_r, local, remote).unwrap_or((false, false));
    let mut payloads: Vec<PayloadRepr<'static>> = vec![
        sa_from_proposals(std::slice::from_ref(ike.proposal())).into(),
        KeRepr {
            group,
            reserved: 0,
            data: Cow::Owned(ke_public),
        }
        .into(),
        NonceRepr {
            data: Cow::Owned(nr.clone()),
        }
        .into(),
    ];
    // [CERTREQ] for every CA a configuration trusts (RFC 7296 §1.2).
    payloads.extend(super::cert_auth::init_certreq(ctx.peers));
    payloads.extend(nat_notifies(h.spi_i, spi_r, local, remote));
    payloads.extend(super::child_opts::childless_supported());
    // RFC 7383 §2.3: answer IKEV2_FRAGMENTATION_SUPPORTED only to an initiator that sent it.
    let fragmentation = super::frag::announced(msg)
        && super::frag::supported_notify(Some(&peer))
            .map(|n| payloads.push(n))
            .is_some();
    let response = MessageRepr {
        header: HeaderRepr::new(h.spi_i, spi_r, ExchangeType::IkeSaInit, FLAG_RESPONSE, 0),
        payloads,
    }
    .to_vec()
    .ok()?;
    let _ = &peer;
    ctx.stats
        .record_exchange(Role::Responded, ExchangeType::IkeSaInit);
    Some(Accepted {
        peer: idx,
        done: InitDone {
            keys,
            ni: ni.to_vec(),
            nr,
            our_init: response.clone(),
            peer_init: bytes.to_vec(),
            ike,
            initial_contact: false,
            auth_child: super::reauth::AuthChild::default(),
        },
        nat,
        response,
        fragmentation,
    })
}
