//! `start_action = trap` on a data plane that traps (the kernel), and the
//! NAT mapping changes it reports; the way strongSwan's kernel-netlink
//! plugin and trap manager behave.
//!
//! At start every child of a `trap` connection becomes a trap in the data
//! plane ([`DataPlane::trap`](super::DataPlane::trap)): its policies, with
//! its configured selectors (`dynamic` resolved to the outer addresses, as
//! the initiator proposes them) and no SA. An ACQUIRE names the trap by its
//! reqid (or, for a reqid that is not ours, by the packet's addresses
//! against the trapped selectors); the driver then initiates the
//! connection, or creates the child on its established IKE SA. ACQUIREs
//! while that negotiation runs are counted and ignored. The trap's
//! policies stay under the Child SA and after it: the next packet after a
//! delete raises a new ACQUIRE.
//!
//! A MAPPING (ESP-in-UDP of a Child SA from a new NAT port) is followed
//! only when the IKE SA found the peer behind a NAT (RFC 7296 §2.23): both
//! SAs are updated to the new port. The IKE SA itself follows when the
//! peer's next IKE message arrives from there (the state machine's own
//! NAT float); nothing is sent to the peer for it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use ikev2_sm::ts::{TrafficSelector, TsSpec};
use ikev2_sm::SaHandle;
use serde_json::{json, Value};
use tracing::{debug, info, warn};

use super::{cidrs, Peer, RouteChange, StartAction};
use crate::peer::dataplane::{PlaneSignal, TrapInstall};
use crate::peer::events;

/// How long an ACQUIRE-started negotiation counts as in progress: the
/// kernel's own hold on a trap after an ACQUIRE (`xfrm_acq_expires`, 30 s).
const ACQUIRE_HOLD: Duration = Duration::from_secs(30);

/// One trapped child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrapEntry {
    /// Connection.
    pub(crate) conn: String,
    /// Child configuration.
    pub(crate) child: String,
    /// The reqid of its policies in the data plane.
    pub(crate) reqid: u32,
    /// Our selectors, resolved.
    pub(crate) local_ts: Vec<TrafficSelector>,
    /// The peer's selectors, resolved.
    pub(crate) remote_ts: Vec<TrafficSelector>,
}

/// Counters of the trap and mapping paths (in `--status` as `traps`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct TrapStats {
    /// ACQUIREs received.
    pub(crate) acquires: u64,
    /// ACQUIREs that started an IKE SA.
    pub(crate) initiated: u64,
    /// ACQUIREs that created a Child SA on an established IKE SA.
    pub(crate) children_created: u64,
    /// ACQUIREs ignored: a negotiation for that child is in progress, or
    /// it is up already (packets queued before its SA was installed).
    pub(crate) ignored_in_progress: u64,
    /// ACQUIREs for no trap of ours.
    pub(crate) ignored_unknown: u64,
    /// NAT mapping changes reported.
    pub(crate) mappings: u64,
    /// Mapping changes the SAs followed.
    pub(crate) mappings_followed: u64,
    /// Mapping changes refused (peer not behind a NAT, address change,
    /// unknown Child SA, data plane refusal).
    pub(crate) mappings_refused: u64,
}

/// The driver's trap state.
#[derive(Debug, Default)]
pub(crate) struct Traps {
    entries: Vec<TrapEntry>,
    /// Negotiations an ACQUIRE started, by (connection, child): since when,
    /// on which IKE SA.
    pending: HashMap<(String, String), (Instant, SaHandle)>,
    stats: TrapStats,
}

fn covers(ts: &[TrafficSelector], a: IpAddr) -> bool {
    ts.iter().any(|t| {
        let (lo, hi) = t.addresses();
        lo.is_ipv4() == a.is_ipv4() && lo <= a && a <= hi
    })
}

/// The trapped child an ACQUIRE is for: the trap with its reqid, else the
/// first whose selectors cover the packet's addresses.
pub(crate) fn acquire_target(
    entries: &[TrapEntry],
    reqid: u32,
    src: IpAddr,
    dst: IpAddr,
) -> Option<&TrapEntry> {
    entries.iter().find(|e| e.reqid == reqid).or_else(|| {
        entries
            .iter()
            .find(|e| covers(&e.local_ts, src) && covers(&e.remote_ts, dst))
    })
}

fn resolve(specs: &[TsSpec], host: IpAddr) -> Vec<TrafficSelector> {
    specs
        .iter()
        .filter_map(|s| s.resolve(Some(host)).ok())
        .collect()
}

/// The data plane's event poll (its [`DataPlane::event_poll`] period), if
/// it has one.
///
/// [`DataPlane::event_poll`]: crate::peer::dataplane::DataPlane::event_poll
pub(super) fn plane_poll(period: Option<Duration>) -> Option<tokio::time::Interval> {
    let mut i = tokio::time::interval(period?);
    i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    Some(i)
}

/// The next tick of the data plane's event poll (never without one).
pub(super) async fn plane_poll_tick(i: Option<&mut tokio::time::Interval>) {
    match i {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}

impl Peer {
    /// Routes for the `trap` children's configured remote selectors.
    pub(super) fn route_traps(&mut self) {
        let mut prefixes = Vec::new();
        for c in &self.config.connections {
            if c.start_action != StartAction::Trap {
                continue;
            }
            for child in &c.peer.children {
                for spec in &child.remote_ts {
                    if let Ok(ts) = spec.resolve(None) {
                        let (s, e) = ts.addresses();
                        prefixes.extend(cidrs(s, e));
                    }
                }
            }
        }
        // Trapped prefixes keep their routes for the process's lifetime.
        self.route(RouteChange::Add, prefixes);
    }

    /// `start_action = trap`: the first packet for a trapped child starts it.
    pub(super) fn trap(&mut self, src: IpAddr, dst: IpAddr) {
        // A `dynamic` side (no address until negotiated) matches anything.
        let covers = |specs: &[ikev2_sm::ts::TsSpec], a: IpAddr| {
            specs.iter().any(|s| match s.resolve(None) {
                Ok(t) => {
                    let (lo, hi) = t.addresses();
                    lo.is_ipv4() == a.is_ipv4() && lo <= a && a <= hi
                }
                Err(_) => true,
            })
        };
        let hit = self.config.connections.iter().find(|c| {
            c.start_action == StartAction::Trap
                && !self.active.contains_key(&c.name)
                && c.peer
                    .children
                    .iter()
                    .any(|ch| covers(&ch.remote_ts, dst) && covers(&ch.local_ts, src))
        });
        if let Some(name) = hit.map(|c| c.name.clone()) {
            info!(conn = %name, %src, %dst, "trap: packet triggers initiation");
            self.initiate(&name);
        }
    }

    /// Installs a trap in the data plane for every child of each `trap`
    /// connection. Planes that do not trap leave it to the driver's
    /// packet path (packets from the TUN device).
    pub(super) fn install_traps(&mut self) {
        let mut wanted = Vec::new();
        for c in &self.config.connections {
            if c.start_action != StartAction::Trap {
                continue;
            }
            let Some((local, remote)) = c.initiate_to() else {
                continue;
            };
            for ch in &c.peer.children {
                let t = TrapInstall {
                    name: format!("{}/{}", c.name, ch.name),
                    local,
                    remote: remote.ip(),
                    mode: ch.mode,
                    local_ts: resolve(&ch.local_ts, local),
                    remote_ts: resolve(&ch.remote_ts, remote.ip()),
                };
                wanted.push((c.name.clone(), ch.name.clone(), t));
            }
        }
        for (conn, child, t) in wanted {
            match self.plane.trap(&t) {
                Ok(Some(reqid)) => {
                    info!(conn = %conn, child = %child, reqid, "trap installed");
                    self.emit(events::trap_installed(&conn, &child, reqid, &t));
                    self.traps.entries.push(TrapEntry {
                        conn,
                        child,
                        reqid,
                        local_ts: t.local_ts,
                        remote_ts: t.remote_ts,
                    });
                }
                Ok(None) => {}
                Err(e) => {
                    warn!(conn = %conn, child = %child, "data plane refused the trap: {e}");
                    self.emit(events::trap_failed(&conn, &child, &e.to_string()));
                }
            }
        }
    }

    /// Removes the traps (on shutdown).
    pub(super) fn remove_traps(&mut self) {
        for e in std::mem::take(&mut self.traps.entries) {
            self.plane.untrap(&format!("{}/{}", e.conn, e.child));
        }
    }

    /// Reacts to what the data plane reported with its limits.
    pub(super) fn on_plane_signals(&mut self) {
        for s in self.plane.signals() {
            match s {
                PlaneSignal::Acquire {
                    reqid,
                    trap,
                    src,
                    dst,
                } => self.on_acquire(reqid, trap.as_deref(), src, dst),
                PlaneSignal::PeerMoved { spi_in, new_remote } => {
                    self.on_peer_moved(spi_in, new_remote);
                }
            }
        }
    }

    fn on_acquire(&mut self, reqid: u32, trap: Option<&str>, src: IpAddr, dst: IpAddr) {
        self.traps.stats.acquires += 1;
        let Some(t) = acquire_target(&self.traps.entries, reqid, src, dst).cloned() else {
            self.traps.stats.ignored_unknown += 1;
            debug!(reqid, ?trap, %src, %dst, "ACQUIRE for no trap of ours");
            return;
        };
        let now = Instant::now();
        let key = (t.conn.clone(), t.child.clone());
        let action = match self.acquire_action(&t, now) {
            Some(action) => action,
            None => {
                self.traps.stats.ignored_in_progress += 1;
                "ignored_in_progress"
            }
        };
        info!(conn = %t.conn, child = %t.child, reqid, %src, %dst, action, "ACQUIRE");
        if matches!(action, "initiate" | "create_child") {
            if let Some(h) = self.active.get(&t.conn) {
                self.traps.pending.insert(key, (now, *h));
            }
        }
        self.emit(events::acquire(
            &t.conn,
            &t.child,
            reqid,
            (src, dst),
            action,
        ));
    }

    /// Starts what an ACQUIRE for `t` asks for; `None` when a negotiation
    /// for it is in progress (or it is up).
    fn acquire_action(&mut self, t: &TrapEntry, now: Instant) -> Option<&'static str> {
        let key = (t.conn.clone(), t.child.clone());
        if let Some((since, _)) = self.traps.pending.get(&key) {
            if now.duration_since(*since) < ACQUIRE_HOLD {
                return None;
            }
        }
        let Some(&h) = self.active.get(&t.conn) else {
            self.initiate(&t.conn);
            self.traps.stats.initiated += 1;
            return Some("initiate");
        };
        let established = self.sas.get(&h).is_some_and(|m| m.established.is_some());
        let up = self
            .children
            .values()
            .any(|m| m.sa == h && m.name == t.child);
        if !established || up {
            // The IKE SA being set up brings its first child; a later one
            // is created when it is up (`trap_ike_up`).
            return None;
        }
        match self.ep.create_child_sa(now, h, &t.child) {
            Ok(()) => {
                self.traps.stats.children_created += 1;
                Some("create_child")
            }
            Err(e) => {
                warn!(conn = %t.conn, child = %t.child, "cannot create the trapped child: {e}");
                Some("create_child_failed")
            }
        }
    }

    /// The IKE SA `h` is up: trapped children other than the first that an
    /// ACQUIRE asked for on it are created now.
    pub(super) fn trap_ike_up(&mut self, h: SaHandle) {
        let wanted: Vec<String> = self
            .traps
            .pending
            .iter()
            .filter(|(_, (_, sa))| *sa == h)
            .map(|((_, child), _)| child.clone())
            .collect();
        let first = self
            .sas
            .get(&h)
            .and_then(|m| self.config.connections.iter().find(|c| c.name == m.conn))
            .and_then(|c| c.peer.children.first())
            .map(|c| c.name.clone());
        for child in wanted {
            if Some(&child) != first.as_ref() {
                if let Err(e) = self.ep.create_child_sa(Instant::now(), h, &child) {
                    warn!(child = %child, "cannot create the trapped child: {e}");
                }
            }
        }
    }

    /// A Child SA was installed: an ACQUIRE for it is satisfied.
    pub(super) fn trap_child_installed(&mut self, conn: &str, child: &str) {
        self.traps
            .pending
            .remove(&(conn.to_owned(), child.to_owned()));
    }

    fn on_peer_moved(&mut self, spi_in: u32, new_remote: SocketAddr) {
        self.traps.stats.mappings += 1;
        let Some(m) = self.children.get(&spi_in) else {
            self.traps.stats.mappings_refused += 1;
            debug!(
                spi_in = format!("{spi_in:08x}"),
                "MAPPING for no Child SA of ours"
            );
            return;
        };
        let (conn, child, old) = (m.conn.clone(), m.name.clone(), m.event.peer);
        let behind_nat = self.ep.sa_info(m.sa).is_some_and(|i| i.nat_remote);
        let outcome = if behind_nat {
            self.plane
                .follow_peer(spi_in, new_remote)
                .map_err(|e| e.to_string())
        } else {
            Err("the peer is not behind a NAT (RFC 7296 §2.23)".to_owned())
        };
        let result = match &outcome {
            Ok(()) => {
                self.traps.stats.mappings_followed += 1;
                if let Some(m) = self.children.get_mut(&spi_in) {
                    m.event.peer = Some(new_remote);
                }
                info!(conn = %conn, child = %child, ?old, %new_remote, "NAT mapping changed: SAs follow");
                "followed".to_owned()
            }
            Err(why) => {
                self.traps.stats.mappings_refused += 1;
                warn!(conn = %conn, child = %child, ?old, %new_remote, "NAT mapping change not followed: {why}");
                format!("refused: {why}")
            }
        };
        self.emit(events::nat_mapping_changed(
            &conn,
            &child,
            spi_in,
            (old, new_remote),
            &result,
        ));
    }

    /// The `traps` part of `--status`.
    pub(super) fn traps_status(&self) -> Value {
        json!({
            "installed": self.traps.entries.iter().map(|e| json!({
                "conn": e.conn,
                "child": e.child,
                "reqid": e.reqid,
                "local_ts": e.local_ts.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "remote_ts": e.remote_ts.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "counters": self.traps.stats,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> TrafficSelector {
        let (a, l) = s.split_once('/').unwrap();
        TrafficSelector::from_prefix(a.parse().unwrap(), l.parse().unwrap()).unwrap()
    }

    fn entry(conn: &str, reqid: u32, local: &str, remote: &str) -> TrapEntry {
        TrapEntry {
            conn: conn.into(),
            child: "net".into(),
            reqid,
            local_ts: vec![net(local)],
            remote_ts: vec![net(remote)],
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn acquire_maps_by_reqid_first_then_by_selectors() {
        let traps = [
            entry("a", 1, "10.1.0.0/16", "10.2.0.0/16"),
            entry("b", 2, "10.1.0.0/16", "10.3.0.0/16"),
            entry("v6", 3, "fd01::/64", "fd02::/64"),
        ];
        // By reqid, even when the packet would match another trap.
        let t = acquire_target(&traps, 2, ip("10.1.0.1"), ip("10.2.0.1")).unwrap();
        assert_eq!(t.conn, "b");
        // Unknown reqid: by the packet's addresses.
        let t = acquire_target(&traps, 99, ip("10.1.4.4"), ip("10.3.9.9")).unwrap();
        assert_eq!(t.conn, "b");
        let t = acquire_target(&traps, 99, ip("fd01::5"), ip("fd02::7")).unwrap();
        assert_eq!(t.conn, "v6");
        // Source outside our selectors, or families crossed: no trap.
        assert!(acquire_target(&traps, 99, ip("10.9.0.1"), ip("10.2.0.1")).is_none());
        assert!(acquire_target(&traps, 99, ip("10.1.0.1"), ip("fd02::7")).is_none());
        assert!(acquire_target(&[], 1, ip("10.1.0.1"), ip("10.2.0.1")).is_none());
    }

    #[test]
    fn dynamic_selectors_resolve_to_the_outer_addresses() {
        let specs = ikev2_sm::ts::parse_ts_list("dynamic, 10.5.0.0/24").unwrap();
        let ts = resolve(&specs, ip("192.0.2.1"));
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].addresses(), (ip("192.0.2.1"), ip("192.0.2.1")));
        assert_eq!(ts[1], net("10.5.0.0/24"));
    }
}
