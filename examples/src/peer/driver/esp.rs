//! Data-plane dispatch: ESP from the peer and packets from the local side
//! through the [`DataPlane`](crate::peer::dataplane::DataPlane), Child SAs
//! installed and removed as the endpoint decides, and the plane's volume
//! limits fed back to it.

use std::net::SocketAddr;
use std::time::Instant;

use ikev2_sm::{ChildSaInstall, ChildSaRemove, SaHandle};
use tracing::{debug, info, warn};

use super::{ChildMeta, Peer, RouteChange, IKE_PORT, NAT_T_PORT};
use crate::peer::dataplane::{Drop, EspPath};
use crate::peer::drops;
use crate::peer::events;

impl Peer {
    pub(super) async fn on_esp(&mut self, mut bytes: Vec<u8>, src: SocketAddr) {
        match self.plane.open(&mut bytes) {
            Ok(range) => {
                let Some(deliver) = self.deliver.clone() else {
                    return self.count_drop("no_local_side");
                };
                bytes.truncate(range.end);
                bytes.drain(..range.start);
                if deliver.send(bytes).await.is_err() {
                    self.count_drop("local_closed");
                }
                // A volume limit crossed by this packet: rekey now, not at
                // the next tick.
                self.on_plane_limits();
            }
            Err(e) => {
                debug!("inbound ESP from {src} dropped: {e}");
                self.count_drop(drops::cause(&e));
                let spi = bytes
                    .get(..4)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_be_bytes);
                if let Some(ev) = self.drop_reports.note(Instant::now(), &e, spi, src) {
                    self.emit(ev);
                }
            }
        }
    }

    pub(super) async fn on_local_packet(&mut self, packet: Vec<u8>) {
        let mut out = std::mem::take(&mut self.buf);
        match self.plane.seal(&packet, &mut out) {
            Ok(path) => {
                self.on_plane_limits();
                if let Some(s) = self.socket(path.local.ip(), true) {
                    if let Err(e) = s.send_to(&out, path.remote).await {
                        debug!("ESP send to {}: {e}", path.remote);
                        self.count_drop("send_error");
                    }
                }
            }
            Err(Drop::NoSa { src, dst }) => {
                self.count_drop("no_sa");
                self.trap(src, dst);
            }
            Err(e) => self.count_drop(drops::cause(&e)),
        }
        self.buf = out;
    }

    pub(super) fn count_drop(&mut self, why: &'static str) {
        *self.drops.entry(why).or_default() += 1;
    }

    pub(super) fn conn_of(&self, sa: SaHandle) -> Option<String> {
        self.sas
            .get(&sa)
            .map(|m| m.conn.clone())
            .or_else(|| self.ep.sa_info(sa).map(|i| i.peer_config))
    }

    pub(super) fn install(&mut self, c: &ChildSaInstall) {
        let conn = self.conn_of(c.sa).unwrap_or_default();
        // ESP always travels in UDP on the NAT-T ports.
        let logical = if c.remote.port() == IKE_PORT {
            SocketAddr::new(c.remote.ip(), NAT_T_PORT)
        } else {
            c.remote
        };
        let local = self
            .socket(c.local.ip(), true)
            .and_then(|s| s.local_addr().ok())
            .unwrap_or(c.local);
        let path = EspPath {
            local,
            remote: self.ports.to_real(logical),
        };
        if let Err(e) = self.plane.install(c, path) {
            warn!(conn = %conn, "data plane refused Child SA: {e}");
            self.emit(events::dataplane_error(&conn, c, &e.to_string()));
            return;
        }
        if self.plane.carries_packets() {
            self.route(RouteChange::Add, Self::prefixes(&c.remote_ts));
        }
        self.trap_child_installed(&conn, &c.name);
        let info = self.ep.sa_info(c.sa);
        let mut event = events::child_sa_established(&conn, c, info.as_ref());
        event.peer = Some(path.remote);
        self.children.insert(
            c.spi_in,
            ChildMeta {
                sa: c.sa,
                conn,
                name: c.name.clone(),
                spi_out: c.spi_out,
                routes: if self.plane.carries_packets() {
                    Self::prefixes(&c.remote_ts)
                } else {
                    Vec::new()
                },
                event,
                installed: Instant::now(),
            },
        );
    }

    /// Child SAs the data plane reports at a soft (rekey) or hard (gone)
    /// limit.
    pub(super) fn on_plane_limits(&mut self) {
        for (spi_in, hard) in self.plane.expired() {
            let conn = self.children.get(&spi_in).map(|m| m.conn.clone());
            let limit = if hard { "hard" } else { "soft" };
            info!(conn = ?conn, spi_in = format!("{spi_in:08x}"), "data plane: Child SA reached its {limit} limit");
            // Soft: the state machine rekeys it; hard: deletes it.
            if let Err(e) = self.ep.child_sa_expired(Instant::now(), spi_in, hard) {
                warn!(
                    spi_in = format!("{spi_in:08x}"),
                    "data-plane limit for an unknown Child SA: {e}"
                );
            }
        }
        self.on_plane_signals();
    }

    pub(super) fn remove_child(&mut self, r: &ChildSaRemove) {
        self.plane.remove(r);
        if let Some(m) = self.children.remove(&r.spi_in) {
            self.route(RouteChange::Remove, m.routes.clone());
            self.gone.insert(r.spi_in, m);
        }
    }
}
