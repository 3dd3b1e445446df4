//! The endpoint's events: the driver's book-keeping of IKE and Child SAs
//! (what is up, which connection, which routes) and the peer's event
//! stream.

use ikev2_sm::events::Event;
use ikev2_sm::{ChildSaRemove, SaHandle};
use std::time::Instant;

use super::{ChildMeta, Peer, RouteChange, SaMeta};
use crate::peer::events;

impl Peer {
    pub(super) fn on_event(&mut self, sa: Option<SaHandle>, event: Event) {
        let info = sa.and_then(|h| self.real_info(h));
        let meta = sa.and_then(|h| self.sas.get(&h));
        let conn = meta
            .map(|m| m.conn.clone())
            .or_else(|| info.as_ref().map(|i| i.peer_config.clone()));
        let peer = info
            .as_ref()
            .map(|i| i.remote)
            .or_else(|| meta.and_then(|m| m.peer));
        let spis = info
            .as_ref()
            .map(|i| (i.spi_i, i.spi_r))
            .or_else(|| meta.and_then(|m| m.spis));
        let established = meta.is_some_and(|m| m.established.is_some());
        match &event {
            Event::IkeSaUp => {
                if let (Some(h), Some(i)) = (sa, info.as_ref()) {
                    let initiated = meta.is_some_and(|m| m.initiated);
                    self.sas.insert(
                        h,
                        SaMeta {
                            conn: i.peer_config.clone(),
                            initiated,
                            established: Some(Instant::now()),
                            peer: Some(i.remote),
                            spis: Some((i.spi_i, i.spi_r)),
                        },
                    );
                    self.active.insert(i.peer_config.clone(), h);
                    self.emit(events::ike_sa_established(i));
                    self.log_keys(h);
                    self.trap_ike_up(h);
                    if initiated {
                        self.start_more_children(h, &i.peer_config);
                    }
                }
            }
            Event::IkeSaRekeyed { new } => self.on_ike_rekeyed(sa, *new, conn.as_deref(), peer),
            Event::ChildSaRekeyed {
                name,
                old_spi_in,
                old_spi_out,
                new_spi_in,
                new_spi_out,
            } => {
                self.plane.rekeyed(*old_spi_in, *new_spi_in);
                self.emit(events::child_sa_rekeyed(
                    conn.as_deref(),
                    peer,
                    name,
                    (*old_spi_in, *old_spi_out),
                    (*new_spi_in, *new_spi_out),
                    spis,
                ));
            }
            Event::ChildSaUp { name } => {
                let found = self
                    .children
                    .values()
                    .rev()
                    .find(|m| Some(m.sa) == sa && &m.name == name)
                    .map(|m| m.event.clone());
                match found {
                    Some(e) => self.emit(e),
                    None => self.emit(events::other(conn.as_deref(), peer, &event)),
                }
            }
            Event::ChildSaDeleted {
                name,
                spi_in,
                spi_out,
                by_peer,
            } => {
                let m = self.gone.remove(spi_in);
                let conn = m.as_ref().map(|m| m.conn.clone()).or(conn);
                let peer = m.as_ref().and_then(|m| m.event.peer).or(peer);
                self.emit(events::child_sa_deleted(
                    conn.as_deref(),
                    peer,
                    name,
                    (*spi_in, *spi_out),
                    Some(*by_peer),
                ));
            }
            Event::IkeSaDeleted { by_peer } => {
                self.emit(events::ike_sa_deleted(
                    conn.as_deref(),
                    peer,
                    spis,
                    Some(*by_peer),
                ));
                self.forget(sa);
            }
            Event::Deleted => {
                self.emit(events::ike_sa_deleted(conn.as_deref(), peer, spis, None));
                self.forget(sa);
            }
            Event::PeerDead {
                peer: dead,
                peer_id,
                config,
                exchange,
                retransmits,
                after,
            } => {
                self.emit(events::peer_dead(
                    config,
                    peer.unwrap_or_else(|| self.ports.to_real(*dead)),
                    peer_id.as_ref(),
                    spis,
                    (*exchange, *retransmits, *after),
                ));
                self.forget(sa);
            }
            Event::Failed { reason } => {
                let last = self.ep.errors().iter().next();
                let conn = conn.or_else(|| last.and_then(|r| r.config.clone()));
                let peer =
                    peer.or_else(|| last.and_then(|r| r.peer).map(|p| self.ports.to_real(p)));
                self.emit(events::failed(
                    conn.as_deref(),
                    peer,
                    spis,
                    established,
                    reason,
                ));
                self.forget(sa);
            }
            Event::PeerErrorNotify {
                notify,
                in_request,
                spi,
            } => self.emit(events::peer_error_notify(
                conn.as_deref(),
                peer,
                *notify,
                *in_request,
                spi,
            )),
            other => self.emit(events::other(conn.as_deref(), peer, other)),
        }
    }

    /// An IKE SA is gone: Child SAs the state machine did not remove one by
    /// one leave the data plane too, and are reported.
    pub(super) fn forget(&mut self, sa: Option<SaHandle>) {
        let Some(h) = sa else { return };
        let left = spis_under(&self.children, h);
        for spi_in in left {
            let Some(m) = self.children.remove(&spi_in) else {
                continue;
            };
            self.route(RouteChange::Remove, m.routes.clone());
            self.plane.remove(&ChildSaRemove {
                sa: h,
                name: m.name.clone(),
                spi_in,
                spi_out: m.spi_out,
            });
            self.report_gone(spi_in, &m);
        }
        // Removed by the state machine without a `ChildSaDeleted` of their
        // own (a dead peer): reported now.
        let silent = spis_under(&self.gone, h);
        for spi_in in silent {
            if let Some(m) = self.gone.remove(&spi_in) {
                self.report_gone(spi_in, &m);
            }
        }
        self.sas.remove(&h);
        self.active.retain(|_, v| *v != h);
    }

    /// `child_sa_deleted` for a Child SA that went with its IKE SA.
    fn report_gone(&self, spi_in: u32, m: &ChildMeta) {
        self.emit(events::child_sa_deleted(
            Some(&m.conn),
            m.event.peer,
            &m.name,
            (spi_in, m.spi_out),
            None,
        ));
    }
}

/// The inbound SPIs of `map`'s Child SAs under the IKE SA `h`.
fn spis_under<'a>(
    map: impl IntoIterator<Item = (&'a u32, &'a ChildMeta)>,
    h: SaHandle,
) -> Vec<u32> {
    map.into_iter()
        .filter(|(_, m)| m.sa == h)
        .map(|(s, _)| *s)
        .collect()
}
