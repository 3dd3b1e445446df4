//! Child SAs: KEYMAT and install (shared by IKE_AUTH and CREATE_CHILD_SA),
//! and CREATE_CHILD_SA for a new Child SA or a Child SA rekey, both roles
//! (RFC 7296 §1.3.1, §1.3.3, §2.8, §2.17).
//!
//! Make-before-break, in the order the embedder sees it:
//! - rekey initiator: on the response, [`Output::InstallChildSa`] (new),
//!   [`Event::ChildSaRekeyed`] (switch outbound now), a Delete for the old
//!   SA, and after the Delete's response plus the overlap,
//!   [`Output::RemoveChildSa`] (old);
//! - rekey responder: `InstallChildSa` (new) before the response is sent,
//!   but it keeps sending on the old SA (the initiator may not have the new
//!   one yet) until the peer's Delete of the old SA arrives: then
//!   `ChildSaRekeyed` (switch) and, after the overlap, `RemoveChildSa` (old).
//!
//! [`Output::InstallChildSa`]: crate::Output::InstallChildSa
//! [`Output::RemoveChildSa`]: crate::Output::RemoveChildSa
//! [`Event::ChildSaRekeyed`]: crate::events::Event::ChildSaRekeyed

use std::borrow::Cow;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use ikev2_crypto::keys::ChildSaKeys;
use ikev2_crypto::{ActiveKe, SupportedEncr};
use ikev2_wire::{
    KeId, KeRepr, NonceRepr, NotifyData, NotifyRepr, NotifyType, PayloadBody, PayloadRepr,
    ProtocolId,
};

use super::{ChildSa, Ctx, IkeSa, Keys};
use crate::config::{ChildConfig, Mode, PeerConfig};
use crate::endpoint::{ChildSaInstall, ChildSaRemove, Output};
use crate::events::{Event, Failure};
use crate::proposal::{check_response, decide_ke, initial_ke, select, KeDecision, Proposal};
use crate::proposal::{retry_with_ke, Selected};
use crate::ts::{narrow, TrafficSelector};
use crate::wire::{proposals_from_sa, sa_from_proposals, selectors_from_ts, ts_from_selectors};

/// Nonce length we send.
pub(crate) use super::init::NONCE_LEN;

/// Where a Child SA is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Carries our outbound traffic.
    Active,
    /// Active, and our rekey of it is outstanding. `collision` is set when
    /// the peer rekeyed it meanwhile (RFC 7296 §2.8.1).
    Rekeying { collision: Option<Box<Collision>> },
    /// Installed as responder to the peer's rekey of `old_spi_in`; outbound
    /// switches to it when the peer deletes the old SA.
    Standby { old_spi_in: u32 },
    /// Replaced by a rekey and no longer sent on; the inbound SA stays until
    /// `remove_at` (`None`: its Delete exchange is still running).
    Retiring { remove_at: Option<Instant> },
    /// Never used for outbound: the redundant SA of a collision or one being
    /// deleted; removed when its Delete exchange completes.
    Redundant,
}

/// The SA the peer's rekey created while ours was outstanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Collision {
    /// Our inbound SPI of the SA the peer's rekey created.
    pub(crate) spi_in: u32,
    /// The lowest nonce of the peer's exchange.
    pub(crate) low: Vec<u8>,
}

/// Our outstanding CREATE_CHILD_SA for a Child SA.
pub(crate) struct CreateSent {
    pub(crate) rekey: Option<u32>,
    pub(crate) name: String,
    pub(crate) spi_in: u32,
    pub(crate) ni: Vec<u8>,
    pub(crate) ke: Option<Box<dyn ActiveKe>>,
    pub(crate) offered: Vec<Proposal>,
    pub(crate) local_ts: Vec<TrafficSelector>,
    pub(crate) remote_ts: Vec<TrafficSelector>,
    pub(crate) ke_retries: u8,
}

/// The payloads of a CREATE_CHILD_SA message.
#[derive(Default)]
pub(crate) struct CcPayloads {
    pub(crate) sa: Option<Vec<Proposal>>,
    pub(crate) nonce: Option<Vec<u8>>,
    pub(crate) ke: Option<(KeId, Vec<u8>)>,
    pub(crate) tsi: Option<Vec<TrafficSelector>>,
    pub(crate) tsr: Option<Vec<TrafficSelector>>,
    /// REKEY_SA: protocol and SPI of the SA being rekeyed.
    pub(crate) rekey: Option<(ProtocolId, Vec<u8>)>,
    pub(crate) transport: bool,
    pub(crate) invalid_ke: Option<KeId>,
    pub(crate) error: Option<NotifyType>,
}

pub(crate) fn scan(payloads: &[PayloadRepr<'_>]) -> CcPayloads {
    let mut p = CcPayloads::default();
    for pl in payloads {
        match &pl.body {
            PayloadBody::Sa(sa) if p.sa.is_none() => p.sa = Some(proposals_from_sa(sa)),
            PayloadBody::Nonce(n) if p.nonce.is_none() => p.nonce = Some(n.data.to_vec()),
            PayloadBody::Ke(k) if p.ke.is_none() => p.ke = Some((k.group, k.data.to_vec())),
            PayloadBody::TsI(ts) => p.tsi = Some(selectors_from_ts(ts)),
            PayloadBody::TsR(ts) => p.tsr = Some(selectors_from_ts(ts)),
            PayloadBody::Notify(n) => match n.notify_type {
                NotifyType::RekeySa => p.rekey = Some((n.protocol_id, n.spi.to_vec())),
                NotifyType::UseTransportMode => p.transport = true,
                NotifyType::InvalidKePayload => {
                    if let Ok(NotifyData::InvalidKePayload(g)) = n.data() {
                        p.invalid_ke = Some(g);
                    }
                }
                t if t.is_error() && p.error.is_none() => p.error = Some(t),
                _ => {}
            },
            _ => {}
        }
    }
    p
}

pub(crate) fn notify(ty: NotifyType) -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(ty, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

pub(crate) fn host(addr: std::net::SocketAddr) -> Option<IpAddr> {
    Some(addr.ip())
}

/// A random inbound SPI (not 0-255, reserved by RFC 4303 §2.1).
pub(crate) fn child_spi(ctx: &Ctx<'_>) -> Option<u32> {
    for _ in 0..16 {
        let b = ctx.random(4)?;
        let v = u32::from_be_bytes(b.try_into().ok()?);
        if v > 255 {
            return Some(v);
        }
    }
    None
}

/// A uniformly random `u64` from the endpoint's source (0 if it fails).
pub(crate) fn random_u64(ctx: &Ctx<'_>) -> u64 {
    ctx.random(8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_be_bytes)
}

/// What [`install`] needs: the negotiated SA and its keying inputs.
pub(crate) struct NewChild<'a> {
    pub(crate) cfg: &'a ChildConfig,
    pub(crate) esp: &'a Selected,
    pub(crate) spi_in: u32,
    pub(crate) spi_out: u32,
    pub(crate) local_ts: Vec<TrafficSelector>,
    pub(crate) remote_ts: Vec<TrafficSelector>,
    pub(crate) ni: &'a [u8],
    pub(crate) nr: &'a [u8],
    /// We sent the request of the exchange that creates it. KEYMAT's
    /// "initiator to responder" keys (RFC 7296 §2.17) follow the roles in
    /// that exchange, not in IKE_SA_INIT: when the IKE SA's responder
    /// creates or rekeys a Child SA, it takes the initiator's keys for its
    /// outbound SA.
    pub(crate) requester: bool,
    /// g^ir of a PFS key exchange.
    pub(crate) shared: Option<&'a [u8]>,
    pub(crate) status: Status,
}

/// `KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr)` (RFC 7296 §2.17), the Child SA
/// record with its jittered lifetimes, and the install output.
pub(crate) fn install(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    keys: &Keys,
    c: NewChild<'_>,
) -> Option<()> {
    let (encr_id, bits) = c.esp.encr()?;
    let encr = ctx.provider.encr(encr_id, bits)?;
    let integ = match encr {
        SupportedEncr::Aead(_) => None,
        _ => c.esp.integ().and_then(|i| ctx.provider.integ(i)),
    };
    let integ_len = integ.map_or(0, |i| i.key_len());
    let shared: Vec<&[u8]> = c.shared.into_iter().collect();
    let k = ChildSaKeys::derive(
        keys.prf,
        keys.sk.sk_d.as_bytes(),
        &shared,
        c.ni,
        c.nr,
        encr.keymat_len(),
        integ_len,
    )
    .ok()?;
    let (out_e, out_a, in_e, in_a) = if c.requester {
        (k.encr_i, k.integ_i, k.encr_r, k.integ_r)
    } else {
        (k.encr_r, k.integ_r, k.encr_i, k.integ_i)
    };
    let life = c.cfg.lifetimes;
    let jitter = random_u64(ctx);
    sa.children.push(ChildSa {
        name: c.cfg.name.clone(),
        spi_in: c.spi_in,
        spi_out: c.spi_out,
        mode: c.cfg.mode,
        local_ts: c.local_ts.clone(),
        remote_ts: c.remote_ts.clone(),
        status: c.status,
        rekey_at: ctx.now.checked_add(life.rekey_after(jitter)),
        expire_at: ctx.now.checked_add(life.life_time),
    });
    ctx.out
        .push_back(Output::InstallChildSa(Box::new(ChildSaInstall {
            sa: sa.handle,
            name: c.cfg.name.clone(),
            mode: c.cfg.mode,
            spi_in: c.spi_in,
            spi_out: c.spi_out,
            encr: (encr_id, bits),
            integ: c.esp.integ(),
            esn: c.esp.esn(),
            encr_key_in: in_e,
            integ_key_in: in_a,
            encr_key_out: out_e,
            integ_key_out: out_a,
            local_ts: c.local_ts,
            remote_ts: c.remote_ts,
            local: sa.local,
            remote: sa.remote,
            udp_encap: sa.nat_local || sa.nat_remote || sa.local.port() == super::init::NAT_T_PORT,
            limits: c.cfg.limits,
        })));
    super::rekey::rearm(sa);
    Some(())
}

/// Removes the Child SA with inbound SPI `spi_in` from the data plane and
/// the record. Returns it.
pub(crate) fn remove(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spi_in: u32) -> Option<ChildSa> {
    let i = sa.children.iter().position(|c| c.spi_in == spi_in)?;
    let c = sa.children.remove(i);
    ctx.out
        .push_back(Output::RemoveChildSa(Box::new(ChildSaRemove {
            sa: sa.handle,
            name: c.name.clone(),
            spi_in: c.spi_in,
            spi_out: c.spi_out,
        })));
    super::rekey::rearm(sa);
    Some(c)
}

/// The SA payload's SPI as a Child SA SPI.
fn spi_of(p: &Proposal) -> Option<u32> {
    p.spi.as_slice().try_into().ok().map(u32::from_be_bytes)
}

/// A PFS group other than NONE.
fn pfs(g: Option<KeId>) -> Option<KeId> {
    g.filter(|g| *g != KeId::None)
}

/// Initiator: the payloads of a CREATE_CHILD_SA request for the child
/// configuration `name` (a rekey of our inbound SPI `rekey` if set), and
/// what to remember. `offered` overrides the configured proposals (the
/// INVALID_KE_PAYLOAD retry).
pub(crate) fn start(
    ctx: &mut Ctx<'_>,
    sa: &IkeSa,
    peer: &PeerConfig,
    name: &str,
    rekey: Option<u32>,
    offered: Option<Vec<Proposal>>,
    ke_retries: u8,
) -> Option<(Vec<PayloadRepr<'static>>, CreateSent)> {
    let cfg = peer.children.iter().find(|c| c.name == name)?;
    let spi_in = child_spi(ctx)?;
    let mut offered = offered.unwrap_or_else(|| cfg.esp_proposals.clone());
    for p in &mut offered {
        p.spi = spi_in.to_be_bytes().to_vec();
    }
    let (local_ts, remote_ts) = match rekey.and_then(|s| sa.children.iter().find(|c| c.spi_in == s))
    {
        Some(old) => (old.local_ts.clone(), old.remote_ts.clone()),
        None if rekey.is_some() => return None,
        None => cfg.resolve_ts(host(sa.local), host(sa.remote)).ok()?,
    };
    let ni = ctx.random(NONCE_LEN)?;
    let ke = match pfs(initial_ke(&offered)) {
        Some(g) => Some(ctx.provider.ke(g)?.start(ctx.rng).ok()?),
        None => None,
    };
    let mut payloads: Vec<PayloadRepr<'static>> = Vec::new();
    if let Some(old) = rekey {
        payloads.push(PayloadRepr::from(NotifyRepr {
            protocol_id: ProtocolId::Esp,
            notify_type: NotifyType::RekeySa,
            spi: Cow::Owned(old.to_be_bytes().to_vec()),
            data: Cow::Borrowed(&[]),
        }));
    }
    if cfg.mode == Mode::Transport {
        payloads.extend(notify(NotifyType::UseTransportMode));
    }
    payloads.push(sa_from_proposals(&offered).into());
    payloads.push(
        NonceRepr {
            data: Cow::Owned(ni.clone()),
        }
        .into(),
    );
    if let Some(ke) = &ke {
        payloads.push(
            KeRepr {
                group: ke.id(),
                reserved: 0,
                data: Cow::Owned(ke.public().to_vec()),
            }
            .into(),
        );
    }
    payloads.push(PayloadRepr::new(PayloadBody::TsI(ts_from_selectors(
        &local_ts,
    ))));
    payloads.push(PayloadRepr::new(PayloadBody::TsR(ts_from_selectors(
        &remote_ts,
    ))));
    Some((
        payloads,
        CreateSent {
            rekey,
            name: name.to_owned(),
            spi_in,
            ni,
            ke,
            offered,
            local_ts,
            remote_ts,
            ke_retries,
        },
    ))
}

type ChildChoice = (
    ChildConfig,
    Selected,
    u32,
    Vec<TrafficSelector>,
    Vec<TrafficSelector>,
);

/// Responder: ESP proposal selection and TS narrowing against the first
/// child of `peer` (or the one named `only`) that accepts both.
pub(crate) fn negotiate_child(
    sa: &IkeSa,
    peer: &PeerConfig,
    only: Option<&str>,
    offered: &[Proposal],
    tsi: &[TrafficSelector],
    tsr: &[TrafficSelector],
) -> Result<ChildChoice, Failure> {
    let mut last = None;
    for child in &peer.children {
        if only.is_some_and(|n| n != child.name) {
            continue;
        }
        let esp = match select(&child.esp_proposals, offered, &peer.selection) {
            Ok(s) => s,
            Err(d) => {
                last = Some(Failure::from(d));
                continue;
            }
        };
        if esp.proposal().protocol != ProtocolId::Esp {
            continue;
        }
        let Some(spi_out) = spi_of(esp.proposal()) else {
            last = Some(Failure::PeerError {
                notify: NotifyType::InvalidSyntax,
            });
            continue;
        };
        let Ok((local, remote)) = child.resolve_ts(host(sa.local), host(sa.remote)) else {
            continue;
        };
        let n_tsi = match narrow(tsi, &remote) {
            Ok(t) => t,
            Err(e) => {
                last = Some(Failure::from(e));
                continue;
            }
        };
        let n_tsr = match narrow(tsr, &local) {
            Ok(t) => t,
            Err(e) => {
                last = Some(Failure::from(e));
                continue;
            }
        };
        return Ok((child.clone(), esp, spi_out, n_tsi, n_tsr));
    }
    Err(last.unwrap_or(Failure::TsUnacceptable {
        ours: Vec::new(),
        theirs: tsi.to_vec(),
    }))
}

/// What the responder answers.
pub(crate) enum Answer {
    /// The response payloads.
    Payloads(Vec<PayloadRepr<'static>>),
    /// An error notify (with data for INVALID_KE_PAYLOAD).
    Error(NotifyType, Option<KeId>),
}

/// Responder: a CREATE_CHILD_SA request for a new Child SA or a Child SA
/// rekey (REKEY_SA names our outbound SPI of the old SA).
pub(crate) fn respond(ctx: &mut Ctx<'_>, sa: &mut IkeSa, keys: &Keys, p: &CcPayloads) -> Answer {
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return Answer::Error(NotifyType::NoProposalChosen, None);
    };
    let (Some(offered), Some(ni), Some(tsi), Some(tsr)) = (
        p.sa.as_ref(),
        p.nonce.as_ref(),
        p.tsi.as_ref(),
        p.tsr.as_ref(),
    ) else {
        return Answer::Error(NotifyType::InvalidSyntax, None);
    };
    // A rekey: the old SA by our outbound SPI.
    let old = match &p.rekey {
        Some((_, spi)) => {
            let found = <[u8; 4]>::try_from(spi.as_slice())
                .ok()
                .map(u32::from_be_bytes)
                .and_then(|s| sa.children.iter().find(|c| c.spi_out == s));
            match found {
                None => {
                    ctx.stats.rekeys.child_not_found_sent += 1;
                    return Answer::Error(NotifyType::ChildSaNotFound, None);
                }
                Some(c) if matches!(c.status, Status::Retiring { .. } | Status::Redundant) => {
                    // RFC 7296 §2.25: a rekey of an SA we are closing.
                    ctx.stats.rekeys.temporary_failures_sent += 1;
                    ctx.event(
                        Some(sa.handle),
                        Event::RekeyCollision {
                            child: Some(c.name.clone()),
                            collision: crate::events::Collision::RefusedTemporarily,
                        },
                    );
                    return Answer::Error(NotifyType::TemporaryFailure, None);
                }
                Some(c) => Some(c.clone()),
            }
        }
        None => None,
    };
    let only = old.as_ref().map(|c| c.name.as_str());
    let (cfg, esp, spi_out, n_tsi, n_tsr) =
        match negotiate_child(sa, &peer, only, offered, tsi, tsr) {
            Ok(c) => c,
            Err(f) => {
                let n = f.notify().unwrap_or(NotifyType::NoProposalChosen);
                ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
                return Answer::Error(n, None);
            }
        };
    let received_ke = p.ke.as_ref().map(|(g, _)| *g);
    let (ke_public, shared) = match decide_ke(&esp, received_ke) {
        KeDecision::InvalidKe { request, .. } if pfs(Some(request)).is_some() => {
            ctx.stats.invalid_ke_sent += 1;
            return Answer::Error(NotifyType::InvalidKePayload, Some(request));
        }
        KeDecision::Accept(Some(g)) if pfs(Some(g)).is_some() => {
            let data = p.ke.as_ref().map(|(_, d)| d.as_slice()).unwrap_or_default();
            let Some(ke) = ctx.provider.ke(g) else {
                return Answer::Error(NotifyType::NoProposalChosen, None);
            };
            match ke.respond(ctx.rng, data) {
                Ok((public, shared)) => (Some((g, public)), Some(shared)),
                Err(_) => return Answer::Error(NotifyType::InvalidSyntax, None),
            }
        }
        _ => (None, None),
    };
    let (Some(spi_in), Some(nr)) = (child_spi(ctx), ctx.random(NONCE_LEN)) else {
        return Answer::Error(NotifyType::TemporaryFailure, None);
    };
    let status = match &old {
        Some(o) => Status::Standby {
            old_spi_in: o.spi_in,
        },
        None => Status::Active,
    };
    // Our inbound selectors are the initiator's TSi as remote.
    let installed = install(
        ctx,
        sa,
        keys,
        NewChild {
            cfg: &cfg,
            esp: &esp,
            spi_in,
            spi_out,
            local_ts: n_tsr.clone(),
            remote_ts: n_tsi.clone(),
            ni,
            nr: &nr,
            requester: false,
            shared: shared.as_ref().map(|s| s.as_bytes()),
            status,
        },
    );
    if installed.is_none() {
        return Answer::Error(NotifyType::NoProposalChosen, None);
    }
    match &old {
        Some(o) => {
            ctx.stats.rekeys.child_responded += 1;
            // Our own rekey of it is outstanding: remember the peer's SA
            // and its lowest nonce (RFC 7296 §2.8.1).
            if let Some(c) = sa.children.iter_mut().find(|c| c.spi_in == o.spi_in) {
                if let Status::Rekeying { collision } = &mut c.status {
                    *collision = Some(Box::new(Collision {
                        spi_in,
                        low: ni.min(&nr).clone(),
                    }));
                }
            }
        }
        None => ctx.event(
            Some(sa.handle),
            Event::ChildSaUp {
                name: cfg.name.clone(),
            },
        ),
    }
    let mut prop = esp.proposal().clone();
    prop.spi = spi_in.to_be_bytes().to_vec();
    let mut out: Vec<PayloadRepr<'static>> = Vec::new();
    if p.transport && cfg.mode == Mode::Transport {
        out.extend(notify(NotifyType::UseTransportMode));
    }
    out.push(sa_from_proposals(std::slice::from_ref(&prop)).into());
    out.push(
        NonceRepr {
            data: Cow::Owned(nr),
        }
        .into(),
    );
    if let Some((group, public)) = ke_public {
        out.push(
            KeRepr {
                group,
                reserved: 0,
                data: Cow::Owned(public),
            }
            .into(),
        );
    }
    out.push(PayloadRepr::new(PayloadBody::TsI(ts_from_selectors(
        &n_tsi,
    ))));
    out.push(PayloadRepr::new(PayloadBody::TsR(ts_from_selectors(
        &n_tsr,
    ))));
    Answer::Payloads(out)
}

/// What to do after the response to our CREATE_CHILD_SA.
pub(crate) enum Next {
    /// Done (or failed and reported).
    Nothing,
    /// Send the request again with these proposals (the requested group
    /// first) after INVALID_KE_PAYLOAD; the count of retries so far.
    Resend(Vec<Proposal>, u8),
    /// Try again after this long (TEMPORARY_FAILURE).
    Retry(Duration),
    /// Delete these inbound SPIs of ours (an SA the peer created that we do
    /// not keep).
    Delete(Vec<u32>),
}

/// How long to wait before retrying after TEMPORARY_FAILURE: 1 to 5 s,
/// uniformly, so two peers that refused each other do not collide again.
pub(crate) fn retry_jitter(ctx: &Ctx<'_>) -> Duration {
    Duration::from_millis(1000 + random_u64(ctx) % 4001)
}

/// Initiator: the (decrypted) response to our CREATE_CHILD_SA.
pub(crate) fn on_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    keys: &Keys,
    sent: CreateSent,
    p: &CcPayloads,
) -> Next {
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return Next::Nothing;
    };
    let name = sent.name.clone();
    // Our rekey is over, one way or another: the old SA is Active again
    // unless something below says otherwise.
    let mut replaced_meanwhile = false;
    let collision = sent.rekey.and_then(|old| {
        let c = sa.children.iter_mut().find(|c| c.spi_in == old)?;
        match std::mem::replace(&mut c.status, Status::Active) {
            Status::Rekeying { collision } => collision,
            other => {
                // The peer's rekey of it completed first (its Delete came
                // before our response).
                replaced_meanwhile = true;
                c.status = other;
                None
            }
        }
    });
    let old_gone = sent
        .rekey
        .is_some_and(|o| !sa.children.iter().any(|c| c.spi_in == o));
    if replaced_meanwhile || old_gone {
        // The peer's rekey replaced the old SA first, or the peer deleted
        // it (RFC 7296 §2.25.1): whatever our rekey created is not wanted.
        let collision = if old_gone {
            ctx.stats.rekeys.crossed_delete += 1;
            crate::events::Collision::RekeyCrossedDelete
        } else {
            ctx.stats.rekeys.collisions_lost += 1;
            crate::events::Collision::PeerRekeyWins
        };
        ctx.event(
            Some(sa.handle),
            Event::RekeyCollision {
                child: Some(name),
                collision,
            },
        );
        let created = p.error.is_none() && p.invalid_ke.is_none() && p.sa.is_some();
        return if created {
            Next::Delete(vec![sent.spi_in])
        } else {
            Next::Nothing
        };
    }
    let refused = |ctx: &mut Ctx<'_>, sa: &IkeSa, notify| {
        ctx.fail(
            Some(sa.handle),
            sa.remote,
            Some(peer.name.clone()),
            Failure::ChildSaRefused {
                name: name.clone(),
                rekey: sent.rekey.is_some(),
                notify,
            },
        );
    };
    if let Some(group) = p.invalid_ke {
        // RFC 7296 §1.3: retry with the group the responder asked for,
        // if we offered it, once per group.
        let retry = retry_with_ke(&sent.offered, group);
        let usable =
            retry.is_some() && sent.ke_retries < 2 && initial_ke(&sent.offered) != Some(group);
        if let (true, Some(rekey_old)) = (usable, sent.rekey) {
            if let Some(c) = sa.children.iter_mut().find(|c| c.spi_in == rekey_old) {
                c.status = Status::Rekeying { collision };
            }
        }
        return match (usable, retry) {
            (true, Some(offered)) => Next::Resend(offered, sent.ke_retries + 1),
            _ => {
                let f = Failure::InvalidKe { requested: group };
                ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
                Next::Nothing
            }
        };
    }
    if let Some(n) = p.error {
        return match (n, sent.rekey, collision) {
            (NotifyType::TemporaryFailure, _, Some(_)) => {
                // The peer is rekeying the same SA and refused ours: its
                // SA (in standby here) takes over when it deletes the old.
                ctx.stats.rekeys.temporary_failures_received += 1;
                ctx.event(
                    Some(sa.handle),
                    Event::RekeyCollision {
                        child: Some(name),
                        collision: crate::events::Collision::PeerRekeyWins,
                    },
                );
                Next::Nothing
            }
            (NotifyType::TemporaryFailure, _, None) => {
                ctx.stats.rekeys.temporary_failures_received += 1;
                let after = retry_jitter(ctx);
                ctx.event(
                    Some(sa.handle),
                    Event::RekeyCollision {
                        child: Some(name),
                        collision: crate::events::Collision::RetryAfter { after },
                    },
                );
                Next::Retry(after)
            }
            (NotifyType::ChildSaNotFound, Some(old), _) => {
                // The peer no longer has it (its Delete may be on the way):
                // drop it here too.
                ctx.stats.rekeys.child_not_found_received += 1;
                if let Some(c) = remove(ctx, sa, old) {
                    ctx.event(
                        Some(sa.handle),
                        Event::ChildSaDeleted {
                            name: c.name,
                            spi_in: c.spi_in,
                            spi_out: c.spi_out,
                            by_peer: true,
                        },
                    );
                }
                refused(ctx, sa, n);
                Next::Nothing
            }
            _ => {
                refused(ctx, sa, n);
                Next::Nothing
            }
        };
    }
    let bad = |ctx: &mut Ctx<'_>, sa: &IkeSa| {
        refused(ctx, sa, NotifyType::InvalidSyntax);
        Next::Nothing
    };
    let (Some(sa_p), Some(nr), Some(tsi), Some(tsr)) = (
        p.sa.as_ref(),
        p.nonce.as_ref(),
        p.tsi.as_ref(),
        p.tsr.as_ref(),
    ) else {
        return bad(ctx, sa);
    };
    let Ok(esp) = check_response(&sent.offered, sa_p) else {
        return bad(ctx, sa);
    };
    let Some(spi_out) = spi_of(esp.proposal()) else {
        return bad(ctx, sa);
    };
    let (Ok(tsi), Ok(tsr)) = (narrow(tsi, &sent.local_ts), narrow(tsr, &sent.remote_ts)) else {
        let f = Failure::TsUnacceptable {
            ours: sent.local_ts.clone(),
            theirs: tsi.clone(),
        };
        ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
        return Next::Delete(vec![sent.spi_in]);
    };
    let shared = match (pfs(esp.ke()), sent.ke, p.ke.as_ref()) {
        (Some(g), Some(ke), Some((rg, data))) if ke.id() == g && *rg == g => {
            match ke.complete(data) {
                Ok(s) => Some(s),
                Err(_) => return bad(ctx, sa),
            }
        }
        (None, _, _) => None,
        _ => return bad(ctx, sa),
    };
    let Some(cfg) = peer.children.iter().find(|c| c.name == sent.name) else {
        return Next::Delete(vec![sent.spi_in]);
    };
    let old = match sent.rekey {
        None => None,
        Some(old_spi) => match sa.children.iter().find(|c| c.spi_in == old_spi) {
            Some(o) => Some(o.clone()),
            None => {
                // RFC 7296 §2.25.1: the peer deleted the old SA while our
                // rekey was outstanding; the new one is not wanted either.
                ctx.stats.rekeys.crossed_delete += 1;
                ctx.event(
                    Some(sa.handle),
                    Event::RekeyCollision {
                        child: Some(sent.name.clone()),
                        collision: crate::events::Collision::RekeyCrossedDelete,
                    },
                );
                return Next::Delete(vec![sent.spi_in]);
            }
        },
    };
    // A simultaneous rekey: the exchange with the lowest nonce lost, and
    // its initiator deletes what it created (RFC 7296 §2.8.1).
    if let (Some(o), Some(c)) = (&old, &collision) {
        let ours_low = sent.ni.as_slice().min(nr.as_slice());
        let we_lost = ours_low < c.low.as_slice();
        if we_lost {
            ctx.stats.rekeys.collisions_lost += 1;
        } else {
            ctx.stats.rekeys.collisions_won += 1;
        }
        ctx.event(
            Some(sa.handle),
            Event::RekeyCollision {
                child: Some(o.name.clone()),
                collision: crate::events::Collision::SimultaneousRekey { we_won: !we_lost },
            },
        );
        if we_lost {
            // Not installed here; the peer's SA (standby) takes over when
            // the peer deletes the old one.
            return Next::Delete(vec![sent.spi_in]);
        }
        // We won: the peer's SA is redundant; the peer deletes it.
        if let Some(theirs) = sa.children.iter_mut().find(|x| x.spi_in == c.spi_in) {
            theirs.status = Status::Redundant;
        }
    }
    let installed = install(
        ctx,
        sa,
        keys,
        NewChild {
            cfg,
            esp: &esp,
            spi_in: sent.spi_in,
            spi_out,
            local_ts: tsi,
            remote_ts: tsr,
            ni: &sent.ni,
            nr,
            requester: true,
            shared: shared.as_ref().map(|s| s.as_bytes()),
            status: Status::Active,
        },
    );
    if installed.is_none() {
        return Next::Delete(vec![sent.spi_in]);
    }
    match old {
        None => {
            ctx.event(Some(sa.handle), Event::ChildSaUp { name: sent.name });
            Next::Nothing
        }
        Some(o) => {
            ctx.stats.rekeys.child_initiated += 1;
            if let Some(c) = sa.children.iter_mut().find(|c| c.spi_in == o.spi_in) {
                c.status = Status::Retiring { remove_at: None };
            }
            ctx.event(
                Some(sa.handle),
                Event::ChildSaRekeyed {
                    name: o.name.clone(),
                    old_spi_in: o.spi_in,
                    old_spi_out: o.spi_out,
                    new_spi_in: sent.spi_in,
                    new_spi_out: spi_out,
                },
            );
            Next::Delete(vec![o.spi_in])
        }
    }
}
