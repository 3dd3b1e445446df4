//! What keeps tunnels carrying traffic over their lifetime: routes counted
//! per Child SA (and removed with the last one), the connection's further
//! children created once we have initiated its IKE SA, an IKE SA rekey
//! moving every Child SA to the new IKE SA, and the `--key-log` key table.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use ikev2_sm::SaHandle;
use tracing::{info, warn};

use super::{cidrs, events, Peer, RouteChange, SaMeta, StartAction};

impl Peer {
    /// Appends every IKE SA's keys (the first and each rekeyed one) to
    /// `path` as Wireshark's `ikev2_decryption_table` rows, so captures can
    /// be decrypted. Secrets on disk: for test labs.
    pub fn set_key_log(&mut self, path: std::path::PathBuf) {
        self.key_log = Some(path);
    }

    pub(super) fn log_keys(&self, h: SaHandle) {
        use std::io::Write;
        let Some(path) = &self.key_log else { return };
        let Some(row) = self
            .ep
            .ike_sa_secrets(h)
            .and_then(|s| crate::keys::ikev2_table_row(&s))
        else {
            return;
        };
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| writeln!(f, "{row}"));
        if let Err(e) = written {
            warn!(path = %path.display(), "key log: {e}");
        }
    }

    /// Counts route users of `prefixes` up or down, and asks the hook for
    /// the routes that appear (first user) or disappear (last user gone).
    pub(super) fn route(&mut self, change: RouteChange, prefixes: Vec<(IpAddr, u8)>) {
        let mut todo = Vec::new();
        for p in prefixes {
            match change {
                RouteChange::Add => {
                    let n = self.routed.entry(p).or_default();
                    *n += 1;
                    if *n == 1 {
                        todo.push(p);
                    }
                }
                RouteChange::Remove => {
                    if let Some(n) = self.routed.get_mut(&p) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            self.routed.remove(&p);
                            todo.push(p);
                        }
                    }
                }
            }
        }
        if let (Some(hook), false) = (self.routes.as_mut(), todo.is_empty()) {
            hook(change, &todo);
        }
    }

    /// The prefixes covering a Child SA's remote selectors.
    pub(super) fn prefixes(remote_ts: &[ikev2_sm::ts::TrafficSelector]) -> Vec<(IpAddr, u8)> {
        remote_ts
            .iter()
            .flat_map(|t| {
                let (s, e) = t.addresses();
                cidrs(s, e)
            })
            .collect()
    }

    /// The connection's children after the first (which IKE_AUTH carried)
    /// with `start_action = start`: one CREATE_CHILD_SA each, queued on
    /// the new IKE SA `h`.
    pub(super) fn start_more_children(&mut self, h: SaHandle, conn: &str) {
        let Some(c) = self.config.connections.iter().find(|c| c.name == conn) else {
            return;
        };
        let more: Vec<String> = c
            .child_actions
            .iter()
            .skip(1)
            .filter(|(_, a)| *a == StartAction::Start)
            .map(|(n, _)| n.clone())
            .collect();
        for name in more {
            info!(conn, child = %name, "creating a further Child SA");
            if let Err(e) = self.ep.create_child_sa(Instant::now(), h, &name) {
                warn!(conn, child = %name, "cannot create Child SA: {e}");
            }
        }
    }

    /// The IKE SA `old` was rekeyed and continues as `new`, with every
    /// Child SA: they stay installed and move to the new handle (the old
    /// one only deletes itself, and must not take them along).
    pub(super) fn on_ike_rekeyed(
        &mut self,
        old: Option<SaHandle>,
        new: SaHandle,
        conn: Option<&str>,
        peer: Option<SocketAddr>,
    ) {
        let Some(old) = old else { return };
        self.log_keys(new);
        let old_spis = self.sas.get(&old).and_then(|m| m.spis);
        let new_info = self.real_info(new);
        for m in self.children.values_mut().chain(self.gone.values_mut()) {
            if m.sa == old {
                m.sa = new;
                if let (Some(i), Some(o)) = (new_info.as_ref(), m.event.fields.get_mut("ike_spi_i"))
                {
                    *o = events::spi64(i.spi_i).into();
                }
                if let (Some(i), Some(o)) = (new_info.as_ref(), m.event.fields.get_mut("ike_spi_r"))
                {
                    *o = events::spi64(i.spi_r).into();
                }
            }
        }
        if let Some(m) = self.sas.get(&old) {
            let meta = SaMeta {
                conn: m.conn.clone(),
                initiated: m.initiated,
                established: m.established,
                peer: new_info.as_ref().map(|i| i.remote).or(m.peer),
                spis: new_info.as_ref().map(|i| (i.spi_i, i.spi_r)),
            };
            self.sas.insert(new, meta);
        }
        for h in self.active.values_mut() {
            if *h == old {
                *h = new;
            }
        }
        self.emit(events::ike_sa_rekeyed(
            conn,
            peer,
            old_spis,
            new_info.as_ref().map(|i| (i.spi_i, i.spi_r)),
        ));
    }
}
