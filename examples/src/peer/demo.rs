//! The tunnel demo: two peers in one process on loopback UDP, no root and
//! no configuration files.
//!
//! Each peer is a full [`Peer`] (the same driver `ikev2-peer` runs) with the
//! userspace ESP data plane; instead of a TUN device, a generator feeds it
//! IPv4/UDP packets and a checker receives what the other side opened.
//! Alice initiates; once both report the Child SA, a stream of numbered
//! packets goes through ESP-in-UDP both ways at once, each checked byte for
//! byte on arrival, and both peers' ESP counters are read back through
//! their status documents.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::config;
use super::dataplane::Userspace;
use super::driver::{ControlRequest, LocalPackets, Peer, SocketPair};
use super::events::PeerEvent;

/// What to run.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// IKE proposal (strongSwan keywords).
    pub ike: String,
    /// ESP proposal.
    pub esp: String,
    /// Packets per direction.
    pub packets: u32,
    /// Size of each inner IP packet in octets (at least 32).
    pub size: usize,
    /// Packets in flight per direction (loopback UDP drops when its socket
    /// buffer overflows; a window keeps the stream lossless).
    pub window: usize,
    /// Give up after this long.
    pub timeout: Duration,
    /// Pause between two packets of one direction (`None`: as fast as the
    /// window allows), to spread the stream over rekeys.
    pub interval: Option<Duration>,
    /// Short lifetimes on one side, so SAs are rekeyed under the stream.
    pub rekey: Option<DemoRekey>,
}

/// Rekeys during the demo's stream: one side's `rekey_time`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoRekey {
    /// The side that rekeys: 0 alice (the IKE SA's initiator), 1 bob.
    pub by: usize,
    /// The Child SA's `rekey_time` in seconds (0: strongSwan's default).
    pub child_secs: u64,
    /// The IKE SA's `rekey_time` in seconds (0: strongSwan's default).
    pub ike_secs: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            ike: "aes256gcm16-prfsha256-x25519".into(),
            esp: "aes256gcm16".into(),
            packets: 20_000,
            size: 1400,
            window: 64,
            timeout: Duration::from_secs(60),
            interval: None,
            rekey: None,
        }
    }
}

/// One direction's traffic.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Direction {
    /// Packets handed to the sending peer.
    pub sent: u64,
    /// Packets delivered by the receiving peer.
    pub received: u64,
    /// Of those, identical to what was sent.
    pub intact: u64,
    /// Delivered more than once.
    pub duplicates: u64,
    /// Inner octets delivered intact.
    pub bytes: u64,
    /// First packet sent to last packet received, in microseconds.
    pub micros: u64,
}

impl Direction {
    /// Inner-packet throughput in Mbit/s.
    #[must_use]
    pub fn mbit_per_s(&self) -> f64 {
        if self.micros == 0 {
            return 0.0;
        }
        self.bytes as f64 * 8.0 / self.micros as f64
    }
}

/// Everything the demo observed.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// Events of the initiator (alice) and responder (bob), in order.
    pub events: [Vec<PeerEvent>; 2],
    /// alice → bob and bob → alice.
    pub directions: [Direction; 2],
    /// Status documents of alice and bob after the traffic.
    pub status: [Value; 2],
    /// Time from initiation to both Child SAs reported.
    pub setup: Duration,
}

const ALICE_NET: [u8; 4] = [10, 1, 0, 1];
const BOB_NET: [u8; 4] = [10, 2, 0, 1];

fn peer_toml(
    me: &str,
    them: &str,
    remote_ports: (u16, u16),
    o: &DemoOptions,
    start: bool,
    psk: &str,
) -> String {
    let side = usize::from(me != "alice");
    let (child_secs, ike_secs) = o
        .rekey
        .filter(|r| r.by == side)
        .map_or((0, 0), |r| (r.child_secs, r.ike_secs));
    let line = |secs: u64| {
        if secs == 0 {
            String::new()
        } else {
            format!("rekey_time = {secs}")
        }
    };
    let (lts, rts) = if me == "alice" {
        ("10.1.0.0/24", "10.2.0.0/24")
    } else {
        ("10.2.0.0/24", "10.1.0.0/24")
    };
    format!(
        r#"
[dataplane]
type = "userspace"

[connections.demo]
local_addrs = ["127.0.0.1"]
remote_addrs = ["127.0.0.1"]
remote_port = {rp}
remote_port_nat_t = {rpn}
proposals = "{ike}"
local = {{ auth = "psk", id = "{me}.demo" }}
remote = {{ auth = "psk", id = "{them}.demo" }}
{ike_rekey}

[connections.demo.children.net]
local_ts = "{lts}"
remote_ts = "{rts}"
esp_proposals = "{esp}"
start_action = "{action}"
{child_rekey}

[secrets.ike-demo]
id = ["alice.demo", "bob.demo"]
secret = "0x{psk}"
"#,
        rp = remote_ports.0,
        rpn = remote_ports.1,
        ike = o.ike,
        esp = o.esp,
        action = if start { "start" } else { "none" },
        ike_rekey = line(ike_secs),
        child_rekey = line(child_secs),
    )
}

/// An IPv4/UDP packet of `size` octets carrying `seq` and a pattern
/// derived from it (the checksum is left zero: UDP over IPv4 allows it).
#[must_use]
pub fn test_packet(src: [u8; 4], dst: [u8; 4], seq: u32, size: usize) -> Vec<u8> {
    let size = size.clamp(32, usize::from(u16::MAX));
    let [t0, t1] = u16::try_from(size).unwrap_or(u16::MAX).to_be_bytes();
    let [u0, u1] = u16::try_from(size - 20).unwrap_or(u16::MAX).to_be_bytes();
    let mut p = Vec::with_capacity(size);
    p.extend_from_slice(&[0x45, 0, t0, t1, 0, 0, 0x40, 0, 64, 17, 0, 0]);
    p.extend_from_slice(&src);
    p.extend_from_slice(&dst);
    let mut sum: u32 = p
        .chunks(2)
        .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    let ck = !u16::try_from(sum).unwrap_or(0);
    if let Some(field) = p.get_mut(10..12) {
        field.copy_from_slice(&ck.to_be_bytes());
    }
    p.extend_from_slice(&[0x13, 0x88, 0x13, 0x89, u0, u1, 0, 0]);
    p.extend_from_slice(&seq.to_be_bytes());
    let base = (seq as usize).wrapping_mul(31);
    p.extend((0..size - 32).map(|i| base.wrapping_add(i) as u8));
    p
}

/// The sequence number of a demo packet if it is exactly what
/// [`test_packet`] built for it.
#[must_use]
pub fn check_packet(p: &[u8], src: [u8; 4], dst: [u8; 4], size: usize) -> Option<u32> {
    let seq = u32::from_be_bytes(p.get(28..32)?.try_into().ok()?);
    (p == test_packet(src, dst, seq, size).as_slice()).then_some(seq)
}

struct Side {
    events: mpsc::UnboundedReceiver<PeerEvent>,
    control: mpsc::Sender<ControlRequest>,
    outgoing: mpsc::Sender<Vec<u8>>,
    delivered: mpsc::Receiver<Vec<u8>>,
    stop: oneshot::Sender<()>,
    seen: Vec<PeerEvent>,
}

async fn start_side(cfg: config::Config, sockets: SocketPair) -> Side {
    let (etx, events) = mpsc::unbounded_channel();
    let (ctx, crx) = mpsc::channel(4);
    let (otx, orx) = mpsc::channel(1024);
    let (dtx, drx) = mpsc::channel(1024);
    let (stop, stopped) = oneshot::channel::<()>();
    let plane = Box::new(Userspace::new(
        &ikev2_crypto::provider::rustcrypto::PROVIDER,
    ));
    let peer = Peer::new(cfg, vec![sockets], plane, etx);
    let local = LocalPackets {
        deliver: Some(dtx),
        outgoing: Some(orx),
    };
    tokio::spawn(peer.run(local, crx, async move {
        let _ = stopped.await;
    }));
    Side {
        events,
        control: ctx,
        outgoing: otx,
        delivered: drx,
        stop,
        seen: Vec::new(),
    }
}

impl Side {
    async fn status(&self) -> Value {
        let (tx, rx) = oneshot::channel();
        if self.control.send(ControlRequest::Status(tx)).await.is_err() {
            return Value::Null;
        }
        rx.await.unwrap_or(Value::Null)
    }
}

/// Why the demo stopped short.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Sockets could not be bound, or the generated configuration was refused.
    #[error("setup: {0}")]
    Setup(String),
    /// A peer reported a failure instead of a Child SA.
    #[error("negotiation failed: {0}")]
    Failed(String),
    /// Nothing happened in time.
    #[error("timed out: {0}")]
    Timeout(&'static str),
}

/// Runs the demo; `on_event` sees each event as it happens (`0` alice, `1` bob).
///
/// # Errors
/// [`DemoError`] when the tunnel did not come up.
pub async fn run(
    o: &DemoOptions,
    mut on_event: impl FnMut(usize, &PeerEvent),
) -> Result<DemoReport, DemoError> {
    let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let setup_err = |e: std::io::Error| DemoError::Setup(e.to_string());
    let a_sock = SocketPair::bind(lo, 0, 0).await.map_err(setup_err)?;
    let b_sock = SocketPair::bind(lo, 0, 0).await.map_err(setup_err)?;
    let ports = |p: &SocketPair| {
        let port = |s: &tokio::net::UdpSocket| s.local_addr().map_or(0, |a| a.port());
        (port(&p.ike), port(&p.natt))
    };
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| DemoError::Setup(e.to_string()))?;
    let psk: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let parse = |name: &str, text: String| {
        config::parse(Path::new(name), &text).map_err(|e| DemoError::Setup(e.to_string()))
    };
    let a_cfg = parse(
        "alice (generated)",
        peer_toml("alice", "bob", ports(&b_sock), o, true, &psk),
    )?;
    let b_cfg = parse(
        "bob (generated)",
        peer_toml("bob", "alice", ports(&a_sock), o, false, &psk),
    )?;
    let t0 = Instant::now();
    let deadline = tokio::time::Instant::now() + o.timeout;
    // Responder first, so alice's first datagram finds it listening.
    let mut bob = start_side(b_cfg, b_sock).await;
    let mut alice = start_side(a_cfg, a_sock).await;

    // Both Child SAs up.
    let (mut alice_up, mut bob_up) = (false, false);
    while !(alice_up && bob_up) {
        let (i, ev) = tokio::select! {
            e = alice.events.recv() => (0, e),
            e = bob.events.recv() => (1, e),
            () = tokio::time::sleep_until(deadline) => return Err(DemoError::Timeout("waiting for the Child SAs")),
        };
        let Some(ev) = ev else {
            return Err(DemoError::Failed("a peer stopped".into()));
        };
        on_event(i, &ev);
        let side = if i == 0 { &mut alice } else { &mut bob };
        if ev.event == "child_sa_established" {
            *(if i == 0 { &mut alice_up } else { &mut bob_up }) = true;
        }
        if ev.event.ends_with("_failed") || ev.event == "dataplane_error" {
            return Err(DemoError::Failed(ev.to_text()));
        }
        side.seen.push(ev);
    }
    let setup = t0.elapsed();

    // Traffic both ways at once.
    let (a_to_b, b_to_a) = tokio::join!(
        stream(
            &alice.outgoing,
            &mut bob.delivered,
            ALICE_NET,
            BOB_NET,
            o,
            deadline
        ),
        stream(
            &bob.outgoing,
            &mut alice.delivered,
            BOB_NET,
            ALICE_NET,
            o,
            deadline
        ),
    );
    let status = [alice.status().await, bob.status().await];
    for (i, side) in [&mut alice, &mut bob].into_iter().enumerate() {
        while let Ok(ev) = side.events.try_recv() {
            on_event(i, &ev);
            side.seen.push(ev);
        }
    }
    let _ = alice.stop.send(());
    let _ = bob.stop.send(());
    Ok(DemoReport {
        events: [alice.seen, bob.seen],
        directions: [a_to_b, b_to_a],
        status,
        setup,
    })
}

async fn stream(
    tx: &mpsc::Sender<Vec<u8>>,
    rx: &mut mpsc::Receiver<Vec<u8>>,
    src: [u8; 4],
    dst: [u8; 4],
    o: &DemoOptions,
    deadline: tokio::time::Instant,
) -> Direction {
    let window = Arc::new(Semaphore::new(o.window.max(1)));
    let n = o.packets;
    let start = Instant::now();
    let sender = {
        let (tx, window, size, interval) = (tx.clone(), Arc::clone(&window), o.size, o.interval);
        async move {
            let mut sent = 0u64;
            for seq in 0..n {
                let Ok(permit) = window.acquire().await else {
                    break;
                };
                permit.forget();
                if tx.send(test_packet(src, dst, seq, size)).await.is_err() {
                    break;
                }
                sent += 1;
                if let Some(pause) = interval {
                    tokio::time::sleep(pause).await;
                }
            }
            sent
        }
    };
    let receiver = async {
        let mut d = Direction::default();
        let mut seen = vec![false; n as usize];
        while d.received < u64::from(n) {
            let p = tokio::select! {
                p = rx.recv() => p,
                () = tokio::time::sleep_until(deadline) => None,
                // Nothing for 2 s: the rest was lost.
                () = tokio::time::sleep(Duration::from_secs(2)) => None,
            };
            let Some(p) = p else { break };
            d.received += 1;
            window.add_permits(1);
            if let Some(seq) = check_packet(&p, src, dst, o.size) {
                match seen.get_mut(seq as usize) {
                    Some(s) if *s => d.duplicates += 1,
                    Some(s) => {
                        *s = true;
                        d.intact += 1;
                        d.bytes += p.len() as u64;
                    }
                    None => {}
                }
            }
        }
        d.micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        d
    };
    let (sent, mut d) = tokio::join!(sender, receiver);
    d.sent = sent;
    d
}
