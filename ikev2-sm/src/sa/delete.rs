//! The part of INFORMATIONAL (RFC 7296 §1.4.1) that rekeying needs:
//! deleting a replaced or redundant Child SA, deleting the old IKE SA after
//! an IKE rekey, and answering the peer's Delete (which is what switches
//! a rekey responder to the new SA). Empty INFORMATIONAL requests
//! (liveness checks) are answered empty.

use std::time::Duration;

use ikev2_wire::{DeleteRepr, PayloadBody, PayloadRepr, ProtocolId};

use super::child::{self, Status};
use super::{Ctx, IkeSa};
use crate::events::Event;

/// How long a replaced Child SA's inbound SA stays installed after its
/// Delete exchange (the child configuration's `rekeyed_overlap`).
fn overlap(ctx: &Ctx<'_>, sa: &IkeSa, name: &str) -> Duration {
    ctx.peers
        .get(sa.peer)
        .and_then(|p| p.children.iter().find(|c| c.name == name))
        .map_or(Duration::from_secs(5), |c| c.rekeyed_overlap)
}

/// A Delete payload for our inbound SPIs.
pub(crate) fn child_request(spis: &[u32]) -> Vec<PayloadRepr<'static>> {
    vec![PayloadRepr::new(PayloadBody::Delete(
        DeleteRepr::child_sas(ProtocolId::Esp, spis),
    ))]
}

/// A Delete payload for the IKE SA.
pub(crate) fn ike_request() -> Vec<PayloadRepr<'static>> {
    vec![PayloadRepr::new(PayloadBody::Delete(DeleteRepr::ike_sa()))]
}

fn retire(ctx: &Ctx<'_>, sa: &mut IkeSa, spi_in: u32) {
    let at = sa
        .children
        .iter()
        .find(|c| c.spi_in == spi_in)
        .map(|c| overlap(ctx, sa, &c.name))
        .and_then(|d| ctx.now.checked_add(d));
    if let Some(c) = sa.children.iter_mut().find(|c| c.spi_in == spi_in) {
        c.status = Status::Retiring { remove_at: at };
    }
    super::rekey::rearm(sa);
}

/// Initiator: the peer answered our Delete of `spis` (our inbound SPIs).
pub(crate) fn on_child_response(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spis: &[u32]) {
    for &spi in spis {
        let status = sa
            .children
            .iter()
            .find(|c| c.spi_in == spi)
            .map(|c| c.status.clone());
        match status {
            // The peer has switched to the new SA: keep the old inbound
            // for the overlap, for packets still in flight.
            Some(Status::Retiring { remove_at: None }) => retire(ctx, sa, spi),
            Some(Status::Retiring { .. }) | None => {}
            Some(_) => {
                child::remove(ctx, sa, spi);
            }
        }
    }
}

/// Responder: an INFORMATIONAL request. Returns the response payloads and
/// whether the IKE SA is deleted.
pub(crate) fn respond(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    payloads: &[PayloadRepr<'_>],
    superseded: bool,
) -> (Vec<PayloadRepr<'static>>, bool) {
    let mut ours = Vec::new();
    for pl in payloads {
        let PayloadBody::Delete(d) = &pl.body else {
            continue;
        };
        if d.protocol_id == ProtocolId::Ike {
            super::rekey::remove_all_children(ctx, sa);
            if !superseded {
                ctx.event(Some(sa.handle), Event::Deleted);
            }
            return (Vec::new(), true);
        }
        if d.protocol_id != ProtocolId::Esp {
            continue;
        }
        for spi in d.spis() {
            let Ok(spi) = <[u8; 4]>::try_from(spi).map(u32::from_be_bytes) else {
                continue;
            };
            if let Some(reply) = delete_one(ctx, sa, spi) {
                ours.push(reply);
            }
        }
    }
    let out = if ours.is_empty() {
        Vec::new()
    } else {
        child_request(&ours)
    };
    (out, false)
}

/// The peer deletes its inbound SA `spi_out` (our outbound). Returns our
/// inbound SPI to put in the response, if any.
fn delete_one(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spi_out: u32) -> Option<u32> {
    let c = sa.children.iter().find(|c| c.spi_out == spi_out)?.clone();
    let successor = sa.children.iter().position(|s| {
        s.status
            == Status::Standby {
                old_spi_in: c.spi_in,
            }
    });
    if let Some(i) = successor {
        // The rekey's initiator switched to the new SA and deletes the old
        // one: switch too (make-before-break, responder side).
        let s = sa.children.get_mut(i)?;
        s.status = Status::Active;
        let (new_spi_in, new_spi_out) = (s.spi_in, s.spi_out);
        ctx.event(
            Some(sa.handle),
            Event::ChildSaRekeyed {
                name: c.name.clone(),
                old_spi_in: c.spi_in,
                old_spi_out: c.spi_out,
                new_spi_in,
                new_spi_out,
            },
        );
        retire(ctx, sa, c.spi_in);
        return Some(c.spi_in);
    }
    match c.status {
        // Both ends deleted it (RFC 7296 §1.4.1): not in the response.
        Status::Retiring { remove_at: None } => {
            retire(ctx, sa, c.spi_in);
            None
        }
        Status::Retiring { .. } => None,
        Status::Redundant => {
            child::remove(ctx, sa, c.spi_in);
            Some(c.spi_in)
        }
        Status::Active | Status::Rekeying { .. } | Status::Standby { .. } => {
            if matches!(c.status, Status::Rekeying { .. }) {
                // RFC 7296 §2.25.1: our rekey's result will be deleted
                // when its response comes.
                ctx.stats.rekeys.crossed_delete += 1;
            }
            child::remove(ctx, sa, c.spi_in);
            ctx.event(
                Some(sa.handle),
                Event::ChildSaDeleted {
                    name: c.name,
                    spi_in: c.spi_in,
                    spi_out: c.spi_out,
                },
            );
            Some(c.spi_in)
        }
    }
}
