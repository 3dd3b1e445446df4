//! The IKE SA rekey (RFC 7296 §1.3.2, §2.18): our request and its
//! response, the peer's request, and the new SA's keys. What happens when
//! both ends rekey at once is `ike_collision.rs` (§2.8.2).

use std::borrow::Cow;

use ikev2_crypto::keys::skeyseed_from_sk_d;
use ikev2_crypto::ActiveKe;
use ikev2_wire::{KeRepr, NonceRepr, NotifyType, PayloadRepr};

use super::{
    error_payload, refused_temporarily, superseded, CreateChildSa, Followup, Request, Want,
};
use crate::events::{Collision, Event, Failure};
use crate::proposal::{
    check_response, initial_ke, retry_with_ke, select_with_ke, KeDecision, Proposal,
};
use crate::sa::child;
use crate::sa::ike_collision;
use crate::sa::queue::Exchange;
use crate::sa::{init, Ctx, Established, IkeSa, Keys, SaRole};
use crate::wire::sa_from_proposals;

/// Our IKE SA rekey request, as sent.
pub(super) struct IkeRekeySent {
    spi_i: u64,
    ni: Vec<u8>,
    ke: Box<dyn ActiveKe>,
    offered: Vec<Proposal>,
    ke_retries: u8,
}

/// CREATE_CHILD_SA rekeying the IKE SA.
pub(super) struct IkeRekey {
    /// The proposals to offer (`None`: the configured ones); set for an
    /// INVALID_KE_PAYLOAD retry.
    proposals: Option<Vec<Proposal>>,
    ke_retries: u8,
}

impl IkeRekey {
    pub(super) fn new(proposals: Option<Vec<Proposal>>, ke_retries: u8) -> Self {
        Self {
            proposals,
            ke_retries,
        }
    }
}

impl CreateChildSa for IkeRekey {
    type Sent = IkeRekeySent;

    fn start(
        &mut self,
        ctx: &mut Ctx<'_>,
        sa: &IkeSa,
    ) -> Option<(Vec<PayloadRepr<'static>>, IkeRekeySent)> {
        if superseded(sa) {
            return None;
        }
        let proposals = match self.proposals.take() {
            Some(p) => p,
            None => ctx.peers.get(sa.peer)?.ike_proposals.clone(),
        };
        ike_start(ctx, &proposals, self.ke_retries)
    }

    fn finish(
        self,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        est: &mut Established,
        sent: IkeRekeySent,
        payloads: &[PayloadRepr<'static>],
    ) -> Followup {
        ike_on_response(ctx, sa, est, sent, payloads)
    }

    fn rekeys_ike_sa(&self) -> bool {
        true
    }
}

/// Initiator: the payloads of an IKE SA rekey request (SA with our new
/// SPI, Ni, KEi).
fn ike_start(
    ctx: &mut Ctx<'_>,
    proposals: &[Proposal],
    ke_retries: u8,
) -> Option<(Vec<PayloadRepr<'static>>, IkeRekeySent)> {
    let spi_i = ctx.spi()?;
    let mut offered = proposals.to_vec();
    for p in &mut offered {
        p.spi = spi_i.to_be_bytes().to_vec();
    }
    let group = initial_ke(&offered)?;
    let ke = ctx.provider.ke(group)?.start(ctx.rng).ok()?;
    let ni = ctx.random(child::NONCE_LEN)?;
    let payloads = vec![
        sa_from_proposals(&offered).into(),
        NonceRepr {
            data: Cow::Owned(ni.clone()),
        }
        .into(),
        KeRepr {
            group,
            reserved: 0,
            data: Cow::Owned(ke.public().to_vec()),
        }
        .into(),
    ];
    Some((
        payloads,
        IkeRekeySent {
            spi_i,
            ni,
            ke,
            offered,
            ke_retries,
        },
    ))
}

/// The new IKE SA's keys: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
/// with the old SA's PRF, then the usual expansion with the new SPIs
/// (RFC 7296 §2.18).
#[allow(clippy::too_many_arguments)]
pub(in crate::sa) fn new_keys(
    ctx: &Ctx<'_>,
    old: &Keys,
    role: SaRole,
    ike: &crate::proposal::Selected,
    shared: &[u8],
    ni: &[u8],
    nr: &[u8],
    spi_i: u64,
    spi_r: u64,
) -> Option<Keys> {
    let seed = skeyseed_from_sk_d(old.prf, old.sk.sk_d.as_bytes(), &[shared], ni, nr);
    init::keys_from_seed(ctx, role, ike, &seed, ni, nr, spi_i, spi_r)
}

/// Responder: an IKE SA rekey request.
pub(super) fn ike_respond(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    p: &child::CcPayloads,
) -> Vec<PayloadRepr<'static>> {
    // RFC 7296 §2.25.2: not while we create, rekey or delete a Child SA,
    // nor once this IKE SA is being replaced or deleted (§2.8.2: also when
    // our own rekey of it already completed). While our own rekey of it is
    // in flight, both are answered and the nonces decide (§2.8.2).
    let busy = sa
        .queue
        .in_flight()
        .is_some_and(|e| !e.is_liveness_check() && !e.rekeys_ike_sa());
    let ours_in_flight = sa.queue.in_flight().is_some_and(Exchange::rekeys_ike_sa);
    if est.cc.superseded() || busy || est.cc.peek().is_some_and(|b| b.passive.is_some()) {
        refused_temporarily(ctx, sa);
        return error_payload(NotifyType::TemporaryFailure, None);
    }
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return error_payload(NotifyType::NoProposalChosen, None);
    };
    let (Some(offered), Some(ni), Some((g, data))) =
        (p.sa.as_ref(), p.nonce.as_ref(), p.ke.as_ref())
    else {
        return error_payload(NotifyType::InvalidSyntax, None);
    };
    let (sel, decision) =
        match select_with_ke(&peer.ike_proposals, offered, Some(*g), &peer.selection) {
            Ok(s) => s,
            Err(d) => {
                ctx.fail(
                    Some(sa.handle),
                    sa.remote,
                    Some(peer.name.clone()),
                    Failure::from(d),
                );
                return error_payload(NotifyType::NoProposalChosen, None);
            }
        };
    let group = match decision {
        KeDecision::Accept(Some(group)) => group,
        KeDecision::InvalidKe { request, .. } => {
            ctx.stats.invalid_ke_sent += 1;
            return error_payload(NotifyType::InvalidKePayload, Some(request));
        }
        _ => return error_payload(NotifyType::NoProposalChosen, None),
    };
    let Ok(spi_i) = <[u8; 8]>::try_from(sel.proposal().spi.as_slice()).map(u64::from_be_bytes)
    else {
        return error_payload(NotifyType::InvalidSyntax, None);
    };
    let Some(ke) = ctx.provider.ke(group) else {
        return error_payload(NotifyType::NoProposalChosen, None);
    };
    let Ok((public, shared)) = ke.respond(ctx.rng, data) else {
        return error_payload(NotifyType::InvalidSyntax, None);
    };
    let (Some(spi_r), Some(nr)) = (ctx.spi(), ctx.random(child::NONCE_LEN)) else {
        return error_payload(NotifyType::TemporaryFailure, None);
    };
    let Some(keys) = new_keys(
        ctx,
        &est.keys,
        SaRole::Responder,
        &sel,
        shared.as_bytes(),
        ni,
        &nr,
        spi_i,
        spi_r,
    ) else {
        return error_payload(NotifyType::NoProposalChosen, None);
    };
    let mut prop = sel.proposal().clone();
    prop.spi = spi_r.to_be_bytes().to_vec();
    ctx.stats.rekeys.ike_responded += 1;
    let low = ni.as_slice().min(nr.as_slice()).to_vec();
    if ours_in_flight {
        ike_collision::hold(ctx, sa, est, (spi_i, spi_r), keys, sel, low);
    } else {
        ike_collision::spawn(ctx, sa, est, SaRole::Responder, (spi_i, spi_r), keys, sel);
    }
    vec![
        sa_from_proposals(std::slice::from_ref(&prop)).into(),
        NonceRepr {
            data: Cow::Owned(nr),
        }
        .into(),
        KeRepr {
            group,
            reserved: 0,
            data: Cow::Owned(public),
        }
        .into(),
    ]
}

/// Initiator: the response to our IKE SA rekey. Returns whether to remove
/// the SA.
fn ike_on_response(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    est: &mut Established,
    sent: IkeRekeySent,
    payloads: &[PayloadRepr<'_>],
) -> Followup {
    let p = child::scan(payloads);
    let Some(peer) = ctx.peers.get(sa.peer).cloned() else {
        return Followup::None;
    };
    let fail = |ctx: &mut Ctx<'_>, sa: &IkeSa, f: Failure| {
        ctx.fail(Some(sa.handle), sa.remote, Some(peer.name.clone()), f);
        Followup::None
    };
    // The peer's rekey of this SA completed meanwhile (§2.8.2): it wins
    // unless ours completes too and has the higher nonces.
    let failed = p.invalid_ke.is_some() || p.error.is_some();
    if failed && (est.cc.superseded() || ike_collision::conclude(ctx, sa, est)) {
        return Followup::None;
    }
    if let Some(group) = p.invalid_ke {
        let retry = retry_with_ke(&sent.offered, group)
            .filter(|_| sent.ke_retries < 2 && initial_ke(&sent.offered) != Some(group));
        let Some(proposals) = retry else {
            return fail(ctx, sa, Failure::InvalidKe { requested: group });
        };
        return Followup::Queue(Request::boxed(IkeRekey::new(
            Some(proposals),
            sent.ke_retries + 1,
        )));
    }
    match p.error {
        Some(NotifyType::TemporaryFailure) => {
            ctx.stats.rekeys.temporary_failures_received += 1;
            let after = child::retry_jitter(ctx);
            ctx.event(
                Some(sa.handle),
                Event::RekeyCollision {
                    child: None,
                    collision: Collision::RetryAfter { after },
                },
            );
            return Followup::Delay(Want::RekeyIke, after);
        }
        Some(notify) => return fail(ctx, sa, Failure::IkeRekeyRefused { notify }),
        None => {}
    }
    let bad = Failure::IkeRekeyRefused {
        notify: NotifyType::InvalidSyntax,
    };
    let (Some(sa_p), Some(nr), Some((g, data))) = (p.sa.as_ref(), p.nonce.as_ref(), p.ke.as_ref())
    else {
        return fail(ctx, sa, bad);
    };
    let Ok(sel) = check_response(&sent.offered, sa_p) else {
        return fail(ctx, sa, bad);
    };
    let Ok(spi_r) = <[u8; 8]>::try_from(sel.proposal().spi.as_slice()).map(u64::from_be_bytes)
    else {
        return fail(ctx, sa, bad);
    };
    if sel.ke() != Some(*g) || sent.ke.id() != *g {
        return fail(ctx, sa, bad);
    }
    let Ok(shared) = sent.ke.complete(data) else {
        return fail(ctx, sa, bad);
    };
    let Some(keys) = new_keys(
        ctx,
        &est.keys,
        SaRole::Initiator,
        &sel,
        shared.as_bytes(),
        &sent.ni,
        nr,
        sent.spi_i,
        spi_r,
    ) else {
        return fail(ctx, sa, bad);
    };
    ctx.stats.rekeys.ike_initiated += 1;
    let low = sent.ni.as_slice().min(nr.as_slice()).to_vec();
    ike_collision::completed(ctx, sa, est, low, (sent.spi_i, spi_r), keys, sel)
}
