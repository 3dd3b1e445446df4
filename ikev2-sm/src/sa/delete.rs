//! The deletes that rekeying adds to INFORMATIONAL (`info.rs`):
//!
//! - [`on_peer_delete`], called by `info.rs` for each Child SA the peer
//!   deletes: a Delete of an SA we hold a rekey successor for is what
//!   switches a rekey responder to the new SA (make-before-break); a
//!   replaced SA keeps its inbound side for the overlap; a redundant SA of
//!   a collision simply goes;
//! - [`DeleteRetired`], our Delete of a replaced, redundant or expired SA:
//!   unlike a user's delete it also names SAs no longer installed here (the
//!   loser of a collision, an SA dropped at its hard limit), and a replaced
//!   SA's inbound side is removed only after the overlap that follows the
//!   answer.

use std::time::Duration;

use ikev2_wire::{DeleteRepr, ExchangeType, PayloadRepr, ProtocolId};

use super::child::{self, Status};
use super::queue::Exchange;
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

/// Marks the replaced SA `spi_in` for removal after the overlap.
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

/// The peer deletes its inbound SA `spi_out` (our outbound). `None`: not a
/// rekeying matter, `info.rs` deletes it as usual. `Some(reply)`: handled
/// here; `reply` is our inbound SPI for the response's Delete, if any.
pub(crate) fn on_peer_delete(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    spi_out: u32,
) -> Option<Option<u32>> {
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
        return Some(Some(c.spi_in));
    }
    match c.status {
        // Both ends delete it (RFC 7296 §1.4.1): not in the response.
        Status::Retiring { remove_at: None } => {
            retire(ctx, sa, c.spi_in);
            Some(None)
        }
        Status::Retiring { .. } => Some(None),
        Status::Redundant => {
            child::remove(ctx, sa, c.spi_in);
            Some(Some(c.spi_in))
        }
        Status::Rekeying { .. } => {
            // RFC 7296 §2.25.1: deleted as usual; what our rekey creates
            // is deleted when its response comes.
            ctx.stats.rekeys.crossed_delete += 1;
            None
        }
        Status::Active | Status::Standby { .. } => None,
    }
}

/// Our Delete of replaced, redundant or expired Child SAs (our inbound
/// SPIs), installed here or not.
pub(crate) struct DeleteRetired {
    pub(crate) spis: Vec<u32>,
}

impl Exchange for DeleteRetired {
    fn exchange_type(&self) -> ExchangeType {
        ExchangeType::Informational
    }

    fn payloads(&mut self, ctx: &mut Ctx<'_>, _sa: &IkeSa) -> Option<Vec<PayloadRepr<'static>>> {
        ctx.stats.info.child_deletes_sent += self.spis.len() as u64;
        Some(vec![
            DeleteRepr::child_sas(ProtocolId::Esp, &self.spis).into()
        ])
    }

    fn on_response(
        self: Box<Self>,
        ctx: &mut Ctx<'_>,
        sa: &mut IkeSa,
        _payloads: &[PayloadRepr<'static>],
    ) -> bool {
        for &spi in &self.spis {
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
        false
    }

    fn deletes_child(&self, spi_in: u32) -> bool {
        self.spis.contains(&spi_in)
    }
}
