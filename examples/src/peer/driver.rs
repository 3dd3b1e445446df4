//! The tokio driver: UDP sockets, one [`Endpoint`], a [`DataPlane`], and
//! the event stream.
//!
//! One task owns the endpoint and the data plane and reacts to whichever
//! comes first: a datagram (IKE on the IKE port, or on the NAT-T port
//! behind the non-ESP marker; ESP on the NAT-T port), an IP packet from the
//! local side (TUN), a `--status` request, or the endpoint's next timeout.
//! After each it drains `poll_output`: transmits, Child SAs to install or
//! remove, events.
//!
//! Ports: the state machine thinks in RFC 7296's UDP 500 and 4500. The
//! driver maps those to the configured ports (ours and, per remote
//! address, the peer's), so two peers can share one host without root.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::OsRandom;
use ikev2_crypto::SecureRandom;
use ikev2_sm::events::Event;
use ikev2_sm::{ChildSaInstall, ChildSaRemove, Endpoint, EndpointConfig, Input, Output, SaHandle};
use ikev2_wire::udp::{demux_udp_4500, Udp4500, NON_ESP_MARKER};
use serde_json::{json, Value};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

use super::config::{Config, StartAction};
use super::dataplane::{cidrs, DataPlane, Drop, EspPath};
use super::drops::{self, DropReporter};
use super::events::{self, PeerEvent};

// `start_action = trap` in the kernel and NAT mapping changes.
mod lifecycle;
mod trap;

const IKE_PORT: u16 = 500;
const NAT_T_PORT: u16 = 4500;

/// The IKE and NAT-T sockets bound on one local address.
#[derive(Debug, Clone)]
pub struct SocketPair {
    /// The address.
    pub ip: IpAddr,
    /// The IKE socket (logical port 500).
    pub ike: Arc<UdpSocket>,
    /// The NAT-T socket (logical port 4500): IKE with the marker, ESP, keepalives.
    pub natt: Arc<UdpSocket>,
}

impl SocketPair {
    /// Binds both sockets on `ip` (port 0: any free port).
    ///
    /// # Errors
    /// The bind error, naming the address.
    pub async fn bind(ip: IpAddr, port: u16, port_nat_t: u16) -> io::Result<Self> {
        let bind = |p| async move {
            UdpSocket::bind(SocketAddr::new(ip, p)).await.map_err(|e| {
                io::Error::new(e.kind(), format!("bind {}: {e}", SocketAddr::new(ip, p)))
            })
        };
        Ok(Self {
            ip,
            ike: Arc::new(bind(port).await?),
            natt: Arc::new(bind(port_nat_t).await?),
        })
    }

    fn ports(&self) -> (u16, u16) {
        let p = |s: &UdpSocket| s.local_addr().map_or(0, |a| a.port());
        (p(&self.ike), p(&self.natt))
    }
}

/// A request from the control socket.
#[derive(Debug)]
pub enum ControlRequest {
    /// `--status`: answer with the status document.
    Status(oneshot::Sender<Value>),
}

/// What a [`RouteHook`] is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteChange {
    /// Route these prefixes through the TUN device.
    Add,
    /// No Child SA (and no trap) covers these prefixes any more: remove
    /// their routes, so traffic for them is refused locally rather than
    /// queued into a tunnel that is gone.
    Remove,
}

/// Adds or removes routes towards these prefixes through the TUN device.
pub type RouteHook = Box<dyn FnMut(RouteChange, &[(IpAddr, u8)]) + Send>;

/// The local side of a packet-carrying data plane (a TUN device, or the
/// demo's generators).
#[derive(Debug, Default)]
pub struct LocalPackets {
    /// Inner packets opened from ESP, to deliver locally.
    pub deliver: Option<mpsc::Sender<Vec<u8>>>,
    /// Inner packets to protect.
    pub outgoing: Option<mpsc::Receiver<Vec<u8>>>,
}

struct SaMeta {
    conn: String,
    /// We initiated it: once up, we create the connection's other
    /// `start` children (CREATE_CHILD_SA).
    initiated: bool,
    established: Option<Instant>,
    /// Real peer address and SPIs, kept for events after the SA is gone.
    peer: Option<SocketAddr>,
    spis: Option<(u64, u64)>,
}

struct ChildMeta {
    sa: SaHandle,
    conn: String,
    name: String,
    spi_out: u32,
    /// Prefixes routed for it (released when it goes).
    routes: Vec<(IpAddr, u8)>,
    event: PeerEvent,
    installed: Instant,
}

/// One received datagram.
struct Datagram {
    local: IpAddr,
    natt: bool,
    src: SocketAddr,
    bytes: Vec<u8>,
}

/// Maps RFC ports (500/4500) to real ones and back.
#[derive(Debug, Clone, Default)]
struct PortMap {
    remote: HashMap<IpAddr, (u16, u16)>,
}

impl PortMap {
    fn remote_ports(&self, ip: IpAddr) -> (u16, u16) {
        self.remote
            .get(&ip)
            .copied()
            .unwrap_or((IKE_PORT, NAT_T_PORT))
    }
    fn to_logical(&self, real: SocketAddr) -> SocketAddr {
        let (ike, natt) = self.remote_ports(real.ip());
        match real.port() {
            p if p == ike => SocketAddr::new(real.ip(), IKE_PORT),
            p if p == natt => SocketAddr::new(real.ip(), NAT_T_PORT),
            _ => real,
        }
    }
    fn to_real(&self, logical: SocketAddr) -> SocketAddr {
        let (ike, natt) = self.remote_ports(logical.ip());
        match logical.port() {
            IKE_PORT => SocketAddr::new(logical.ip(), ike),
            NAT_T_PORT => SocketAddr::new(logical.ip(), natt),
            _ => logical,
        }
    }
}

/// The running peer.
pub struct Peer {
    config: Config,
    ep: Endpoint,
    sockets: Vec<SocketPair>,
    ports: PortMap,
    plane: Box<dyn DataPlane>,
    events: mpsc::UnboundedSender<PeerEvent>,
    routes: Option<RouteHook>,
    /// `--key-log`: where each IKE SA's keys are appended.
    key_log: Option<std::path::PathBuf>,
    sas: HashMap<SaHandle, SaMeta>,
    children: BTreeMap<u32, ChildMeta>,
    /// Removed from the data plane, awaiting their `ChildSaDeleted` event.
    gone: HashMap<u32, ChildMeta>,
    /// Connections with an IKE SA being set up or up (for `trap`).
    active: HashMap<String, SaHandle>,
    /// Routes through the TUN device and how many Child SAs (or traps)
    /// need each: a route goes when its count drops to zero.
    routed: HashMap<(IpAddr, u8), usize>,
    drops: BTreeMap<&'static str, u64>,
    /// Rate limiter of `esp_dropped` events.
    drop_reports: DropReporter,
    deliver: Option<mpsc::Sender<Vec<u8>>>,
    started: Instant,
    buf: Vec<u8>,
    /// Traps in the data plane (kernel) and their ACQUIREs.
    traps: trap::Traps,
}

impl std::fmt::Debug for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peer")
            .field("connections", &self.config.connections.len())
            .field("plane", &self.plane.kind())
            .finish_non_exhaustive()
    }
}

impl Peer {
    /// A peer over already bound sockets (see [`SocketPair::bind`]),
    /// reporting events on `events`.
    #[must_use]
    pub fn new(
        config: Config,
        sockets: Vec<SocketPair>,
        plane: Box<dyn DataPlane>,
        events: mpsc::UnboundedSender<PeerEvent>,
    ) -> Self {
        Self::with_random(config, sockets, plane, events, Arc::new(OsRandom))
    }

    /// As [`Self::new`] with a chosen randomness source.
    #[must_use]
    pub fn with_random(
        config: Config,
        sockets: Vec<SocketPair>,
        plane: Box<dyn DataPlane>,
        events: mpsc::UnboundedSender<PeerEvent>,
        random: Arc<dyn SecureRandom>,
    ) -> Self {
        let ep = Endpoint::new(EndpointConfig::new(PROVIDER, random, config.peer_configs()));
        let mut ports = PortMap::default();
        for c in &config.connections {
            for r in &c.remote_addrs {
                ports
                    .remote
                    .insert(*r, (c.remote_port, c.remote_port_nat_t));
            }
        }
        Self {
            config,
            ep,
            sockets,
            ports,
            plane,
            events,
            routes: None,
            key_log: None,
            sas: HashMap::new(),
            children: BTreeMap::new(),
            gone: HashMap::new(),
            active: HashMap::new(),
            routed: HashMap::new(),
            drops: BTreeMap::new(),
            drop_reports: DropReporter::default(),
            deliver: None,
            started: Instant::now(),
            buf: Vec::with_capacity(2048),
            traps: trap::Traps::default(),
        }
    }

    /// Installs routes through the TUN device for negotiated (and trapped)
    /// remote selectors.
    pub fn set_route_hook(&mut self, hook: RouteHook) {
        self.routes = Some(hook);
    }

    fn emit(&self, e: PeerEvent) {
        let _ = self.events.send(e);
    }

    /// Our real address for the state machine's `local` (500/4500 mapped
    /// to the bound ports).
    fn real_local(&self, logical: SocketAddr) -> SocketAddr {
        self.socket(logical.ip(), logical.port() == NAT_T_PORT)
            .and_then(|s| s.local_addr().ok())
            .unwrap_or(logical)
    }

    /// A view of an SA with real addresses in place of the RFC ports.
    fn real_info(&self, h: SaHandle) -> Option<ikev2_sm::SaInfo> {
        let mut i = self.ep.sa_info(h)?;
        i.local = self.real_local(i.local);
        i.remote = self.ports.to_real(i.remote);
        Some(i)
    }

    fn socket(&self, local: IpAddr, natt: bool) -> Option<&Arc<UdpSocket>> {
        let p = self.sockets.iter().find(|p| p.ip == local)?;
        Some(if natt { &p.natt } else { &p.ike })
    }

    /// Runs until `shutdown` completes.
    ///
    /// # Errors
    /// Only when the socket readers all stopped.
    pub async fn run(
        mut self,
        mut local: LocalPackets,
        mut control: mpsc::Receiver<ControlRequest>,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        for pair in &self.sockets {
            self.plane.prepare_socket(&pair.ike, false)?;
            self.plane.prepare_socket(&pair.natt, true)?;
        }
        // Data-plane limits: the kernel's soft/hard expiry is polled; the
        // userspace plane's are also taken right after the packet that
        // crossed them.
        let mut plane_tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let (tx, mut rx) = mpsc::channel::<Datagram>(1024);
        for pair in &self.sockets {
            spawn_reader(pair.ip, false, Arc::clone(&pair.ike), tx.clone());
            spawn_reader(pair.ip, true, Arc::clone(&pair.natt), tx.clone());
        }
        drop(tx);
        self.deliver = local.deliver.take();
        self.route_traps();
        self.install_traps();
        let mut plane_poll = trap::plane_poll(self.plane.event_poll());
        let starts: Vec<String> = self
            .config
            .connections
            .iter()
            .filter(|c| c.start_action == StartAction::Start)
            .map(|c| c.name.clone())
            .collect();
        for name in starts {
            self.initiate(&name);
        }
        self.drain().await;
        tokio::pin!(shutdown);
        loop {
            let wake = self.ep.poll_timeout();
            let timer = async move {
                match wake {
                    Some(t) => tokio::time::sleep_until(t.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                d = rx.recv() => match d {
                    Some(d) => self.on_datagram(d).await,
                    None => return Err(io::Error::other("socket readers stopped")),
                },
                Some(p) = recv_some(&mut local.outgoing) => self.on_local_packet(p).await,
                Some(req) = control.recv() => self.on_control(req),
                () = timer => self.ep.handle_input(Input::Timeout(Instant::now())),
                _ = plane_tick.tick() => self.on_plane_limits(),
                () = trap::plane_poll_tick(plane_poll.as_mut()) => self.on_plane_limits(),
                () = &mut shutdown => break,
            }
            self.drain().await;
        }
        info!("shutting down: deleting IKE SAs");
        self.close(&mut rx, std::time::Duration::from_secs(2)).await;
        self.remove_traps();
        Ok(())
    }

    fn initiate(&mut self, name: &str) {
        let Some(c) = self.config.connections.iter().find(|c| c.name == name) else {
            return;
        };
        let Some((local_ip, remote)) = c.initiate_to() else {
            warn!(
                conn = name,
                "no local/remote address pair of one family to initiate with"
            );
            return;
        };
        let local = SocketAddr::new(local_ip, IKE_PORT);
        let remote = self.ports.to_logical(remote);
        match self.ep.initiate(Instant::now(), name, local, remote) {
            Ok(h) => {
                info!(conn = name, %remote, "initiating");
                self.sas.insert(
                    h,
                    SaMeta {
                        conn: name.to_owned(),
                        initiated: true,
                        established: None,
                        peer: None,
                        spis: None,
                    },
                );
                self.active.insert(name.to_owned(), h);
            }
            Err(e) => warn!(conn = name, "cannot initiate: {e}"),
        }
    }

    /// Routes for the `trap` children's configured remote selectors.
    fn route_traps(&mut self) {
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

    async fn on_datagram(&mut self, d: Datagram) {
        let Datagram {
            local,
            natt,
            src,
            mut bytes,
        } = d;
        if natt {
            match demux_udp_4500(&bytes) {
                Ok(Udp4500::Ike(_)) => {
                    bytes.drain(..NON_ESP_MARKER.len());
                }
                Ok(Udp4500::Esp(_)) => return self.on_esp(bytes, src).await,
                Ok(Udp4500::NatKeepalive) => return,
                Ok(_) | Err(_) => return self.count_drop("udp4500_malformed"),
            }
        }
        let dst = SocketAddr::new(local, if natt { NAT_T_PORT } else { IKE_PORT });
        let src = self.ports.to_logical(src);
        self.ep.handle_input(Input::Datagram {
            now: Instant::now(),
            src,
            dst,
            bytes,
        });
    }

    async fn on_esp(&mut self, mut bytes: Vec<u8>, src: SocketAddr) {
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

    async fn on_local_packet(&mut self, packet: Vec<u8>) {
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

    /// `start_action = trap`: the first packet for a trapped child starts it.
    fn trap(&mut self, src: IpAddr, dst: IpAddr) {
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

    fn count_drop(&mut self, why: &'static str) {
        *self.drops.entry(why).or_default() += 1;
    }

    fn on_control(&mut self, req: ControlRequest) {
        match req {
            ControlRequest::Status(reply) => {
                let _ = reply.send(self.status());
            }
        }
    }

    async fn drain(&mut self) {
        loop {
            match self.ep.poll_output() {
                Output::Transmit(t) => {
                    let natt = t.src.port() == NAT_T_PORT;
                    let dst = self.ports.to_real(t.dst);
                    let Some(sock) = self.socket(t.src.ip(), natt).cloned() else {
                        warn!(src = %t.src, "no socket for source address");
                        continue;
                    };
                    let r = if t.non_esp_marker {
                        let mut b = Vec::with_capacity(t.bytes.len() + 4);
                        b.extend_from_slice(&NON_ESP_MARKER);
                        b.extend_from_slice(&t.bytes);
                        sock.send_to(&b, dst).await
                    } else {
                        sock.send_to(&t.bytes, dst).await
                    };
                    if let Err(e) = r {
                        warn!(%dst, "send: {e}");
                    }
                }
                Output::InstallChildSa(c) => self.install(&c),
                Output::RemoveChildSa(r) => self.remove_child(&r),
                Output::Event { sa, event } => self.on_event(sa, event),
                Output::Timeout(_) => break,
                other => debug!("unhandled output {other:?}"),
            }
        }
    }

    fn conn_of(&self, sa: SaHandle) -> Option<String> {
        self.sas
            .get(&sa)
            .map(|m| m.conn.clone())
            .or_else(|| self.ep.sa_info(sa).map(|i| i.peer_config))
    }

    fn install(&mut self, c: &ChildSaInstall) {
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
    fn on_plane_limits(&mut self) {
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

    fn remove_child(&mut self, r: &ChildSaRemove) {
        self.plane.remove(r);
        if let Some(m) = self.children.remove(&r.spi_in) {
            self.route(RouteChange::Remove, m.routes.clone());
            self.gone.insert(r.spi_in, m);
        }
    }

    fn on_event(&mut self, sa: Option<SaHandle>, event: Event) {
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
    fn forget(&mut self, sa: Option<SaHandle>) {
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
            self.emit(events::child_sa_deleted(
                Some(&m.conn),
                m.event.peer,
                &m.name,
                (spi_in, m.spi_out),
                None,
            ));
        }
        // Removed by the state machine without a `ChildSaDeleted` of their
        // own (a dead peer): reported now.
        let silent = spis_under(&self.gone, h);
        for spi_in in silent {
            if let Some(m) = self.gone.remove(&spi_in) {
                self.emit(events::child_sa_deleted(
                    Some(&m.conn),
                    m.event.peer,
                    &m.name,
                    (spi_in, m.spi_out),
                    None,
                ));
            }
        }
        self.sas.remove(&h);
        self.active.retain(|_, v| *v != h);
    }

    /// Deletes every IKE SA (an INFORMATIONAL Delete each, RFC 7296 §1.4.1)
    /// and waits up to `grace` for the answers, as strongSwan does on shutdown.
    async fn close(&mut self, rx: &mut mpsc::Receiver<Datagram>, grace: std::time::Duration) {
        let now = Instant::now();
        for h in self.ep.handles() {
            if let Err(e) = self.ep.delete_ike_sa(now, h) {
                debug!("delete on shutdown: {e}");
            }
        }
        self.drain().await;
        let until = tokio::time::Instant::now() + grace;
        while self.ep.sa_count() > 0 {
            let wake = self.ep.poll_timeout();
            tokio::select! {
                Some(d) = rx.recv() => self.on_datagram(d).await,
                () = tokio::time::sleep_until(wake.map_or(until, |w| until.min(w.into()))) => {
                    self.ep.handle_input(Input::Timeout(Instant::now()));
                }
            }
            self.drain().await;
            if tokio::time::Instant::now() >= until {
                break;
            }
        }
    }

    /// The `--status` document: IKE SAs with their Child SAs and counters,
    /// endpoint counters and data-plane drops.
    #[must_use]
    pub fn status(&self) -> Value {
        let now = Instant::now();
        let mut ikes = Vec::new();
        for h in self.ep.handles() {
            let Some(i) = self.real_info(h) else { continue };
            let established = self.sas.get(&h).and_then(|m| m.established);
            let children: Vec<Value> = self
                .children
                .iter()
                .filter(|(_, m)| m.sa == h)
                .map(|(spi_in, m)| {
                    let mut v = m.event.to_json();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("event");
                        o.insert(
                            "installed_s".into(),
                            now.duration_since(m.installed).as_secs().into(),
                        );
                        if let Some(c) = self.plane.counters(*spi_in) {
                            o.insert("counters".into(), json!(c));
                        }
                    }
                    v
                })
                .collect();
            ikes.push(json!({
                "conn": i.peer_config,
                "state": i.state,
                "spi_i": events::spi64(i.spi_i),
                "spi_r": events::spi64(i.spi_r),
                "initiator": i.initiator,
                "local": i.local.to_string(),
                "remote": i.remote.to_string(),
                "peer_id": i.peer_id.map(|p| p.to_string()),
                "ike": i.ike_proposal.as_ref().map(events::proposal_text),
                "nat_local": i.nat_local,
                "nat_remote": i.nat_remote,
                "established_s": established.map(|t| now.duration_since(t).as_secs()),
                "children": children,
            }));
        }
        let s = self.ep.stats();
        json!({
            "uptime_s": now.duration_since(self.started).as_secs(),
            "dataplane": self.plane.kind(),
            "listening": self.sockets.iter().map(|p| { let (a, b) = p.ports(); json!({"address": p.ip.to_string(), "port": a, "port_nat_t": b}) }).collect::<Vec<_>>(),
            "ike_sas": ikes,
            "counters": {
                "retransmits": s.retransmits,
                "responses_replayed": s.responses_replayed,
                "ike_sas": s.ike_sas,
                "half_open": s.half_open,
                "dropped_invalid": s.dropped.invalid_message,
                "dropped_unknown_spi": s.dropped.unknown_spi,
                "failures": self.ep.errors().total(),
            },
            "dataplane_drops": self.drops,
            "traps": self.traps_status(),
        })
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

async fn recv_some(rx: &mut Option<mpsc::Receiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match rx {
        Some(r) => r.recv().await,
        None => std::future::pending().await,
    }
}

fn spawn_reader(local: IpAddr, natt: bool, socket: Arc<UdpSocket>, tx: mpsc::Sender<Datagram>) {
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            match socket.recv_from(&mut buf).await {
                Ok((n, src)) => {
                    let bytes = buf.get(..n).unwrap_or_default().to_vec();
                    if tx
                        .send(Datagram {
                            local,
                            natt,
                            src,
                            bytes,
                        })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                // ICMP errors surface as recv errors on some systems: keep reading.
                Err(e) => debug!("recv on {local}: {e}"),
            }
        }
    });
}
