//! The responder's side of CREATE_CHILD_SA for a Child SA (RFC 7296
//! §1.3.1, §1.3.3): ESP proposal selection and TS narrowing (shared with
//! IKE_AUTH), and the answer to a new Child SA or a rekey request.

use std::borrow::Cow;

use ikev2_wire::{KeId, KeRepr, NonceRepr, NotifyType, PayloadBody, PayloadRepr, ProtocolId};

use super::{
    child_spi, host, install, notify, pfs, spi_of, CcPayloads, Collision, NewChild, Status,
    NONCE_LEN,
};
use crate::config::{ChildConfig, Mode, PeerConfig};
use crate::events::{Event, Failure};
use crate::proposal::{decide_ke, select, KeDecision, Proposal, Selected};
use crate::sa::{Ctx, IkeSa, Keys};
use crate::ts::{narrow, TrafficSelector};
use crate::wire::{sa_from_proposals, ts_from_selectors};

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
