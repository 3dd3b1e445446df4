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
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output, SaHandle};
use ikev2_wire::udp::NON_ESP_MARKER;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

use super::config::{Config, StartAction};
use super::dataplane::{cidrs, DataPlane};
use super::drops::DropReporter;
use super::events::{self, PeerEvent};

// `start_action = trap` in the kernel and NAT mapping changes.
mod esp;
mod lifecycle;
mod sa_events;
mod status;
mod trap;
mod udp;

pub use udp::SocketPair;
use udp::{spawn_reader, Datagram, PortMap};

const IKE_PORT: u16 = 500;
const NAT_T_PORT: u16 = 4500;

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

    /// A view of an SA with real addresses in place of the RFC ports.
    fn real_info(&self, h: SaHandle) -> Option<ikev2_sm::SaInfo> {
        let mut i = self.ep.sa_info(h)?;
        i.local = self.real_local(i.local);
        i.remote = self.ports.to_real(i.remote);
        Some(i)
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
}

async fn recv_some(rx: &mut Option<mpsc::Receiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match rx {
        Some(r) => r.recv().await,
        None => std::future::pending().await,
    }
}
