//! The initiator's side of CREATE_CHILD_SA for a Child SA (RFC 7296
//! §1.3.1, §1.3.3): the request, and the response with its outcomes —
//! install, INVALID_KE_PAYLOAD retry, TEMPORARY_FAILURE retry, and the
//! §2.8.1 collision and §2.25.1 crossed-delete rules.

use std::borrow::Cow;
use std::time::Duration;

use ikev2_crypto::ActiveKe;
use ikev2_wire::{KeRepr, NonceRepr, NotifyRepr, NotifyType, PayloadBody, PayloadRepr, ProtocolId};

use super::{
    child_spi, host, install, notify, pfs, random_u64, remove, spi_of, CcPayloads, NewChild,
    Status, NONCE_LEN,
};
use crate::config::{Mode, PeerConfig};
use crate::events::{Event, Failure};
use crate::proposal::{check_response, initial_ke, retry_with_ke, Proposal};
use crate::sa::{Ctx, IkeSa, Keys};
use crate::ts::{narrow, TrafficSelector};
use crate::wire::{sa_from_proposals, ts_from_selectors};

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
