//! A deterministic network simulator for sans-IO peers (feature `sim`).
//!
//! Two peers, A and B, exchange datagrams over two independent [`Link`]s
//! (A→B and B→A), each with seeded loss (Bernoulli or Gilbert-Elliott),
//! duplication, reordering, latency with jitter and an MTU. Optionally A sits
//! behind a [`Nat`]. Time is virtual: [`Sim::step`] jumps to the earliest of
//! the peers' timeouts and the links' next deliveries, like quinn's test
//! `Pair::step` and str0m's `progress()`. Everything random comes from the
//! seed, so a failing run is reproduced by its seed alone.
//!
//! Peers implement [`SimPeer`], the sans-IO surface the IKE `Endpoint` will
//! also offer, so the full state machine plugs in unchanged.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::{Duration, Instant};
//! use ikev2_sm::sim::{Datagram, LinkConfig, Sim, SimPeer};
//!
//! /// Echoes every datagram back to its sender.
//! #[derive(Default)]
//! struct Echo { out: Vec<Datagram>, got: usize }
//! impl SimPeer for Echo {
//!     fn handle_datagram(&mut self, _now: Instant, src: SocketAddr, dst: SocketAddr, bytes: Vec<u8>) {
//!         self.got += 1;
//!         if bytes != b"pong" {
//!             self.out.push(Datagram { src: dst, dst: src, bytes: b"pong".to_vec() });
//!         }
//!     }
//!     fn handle_timeout(&mut self, _now: Instant) {}
//!     fn poll_transmit(&mut self) -> Option<Datagram> { self.out.pop() }
//!     fn poll_timeout(&self) -> Option<Instant> { None }
//! }
//!
//! let (a_addr, b_addr): (SocketAddr, SocketAddr) = ("10.0.0.2:500".parse()?, "192.0.2.1:500".parse()?);
//! let mut a = Echo::default();
//! a.out.push(Datagram { src: a_addr, dst: b_addr, bytes: b"ping".to_vec() });
//! let link = LinkConfig::with_latency(Duration::from_millis(20));
//! let mut sim = Sim::new(a, Echo::default(), link, link, 42);
//! sim.drive(100);
//! assert_eq!((sim.a.got, sim.b.got), (1, 1));
//! assert_eq!(sim.elapsed(), Duration::from_millis(40));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod endpoint_peer;
mod link;
mod nat;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub use endpoint_peer::EndpointPeer;
pub use link::{Link, LinkConfig, LinkStats, LossModel, Tamper};
pub use nat::{Nat, NatConfig, NatStats};

/// A UDP datagram with its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Source address.
    pub src: SocketAddr,
    /// Destination address.
    pub dst: SocketAddr,
    /// Payload.
    pub bytes: Vec<u8>,
}

/// The sans-IO surface the simulator drives.
pub trait SimPeer {
    /// A datagram arrived at `now`.
    fn handle_datagram(&mut self, now: Instant, src: SocketAddr, dst: SocketAddr, bytes: Vec<u8>);
    /// The time reported by [`SimPeer::poll_timeout`] was reached (or passed).
    fn handle_timeout(&mut self, now: Instant);
    /// The next datagram to send, if any (drained after every input).
    fn poll_transmit(&mut self) -> Option<Datagram>;
    /// When the peer next wants [`SimPeer::handle_timeout`].
    fn poll_timeout(&self) -> Option<Instant>;
}

/// Two peers, two links, an optional NAT in front of A, and virtual time.
#[derive(Debug)]
pub struct Sim<A, B> {
    epoch: Instant,
    now: Instant,
    /// Peer A (behind the NAT, if any).
    pub a: A,
    /// Peer B.
    pub b: B,
    /// A → B.
    pub ab: Link,
    /// B → A.
    pub ba: Link,
    /// NAT in front of A.
    pub nat: Option<Nat>,
    steps: u64,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<A: SimPeer, B: SimPeer> Sim<A, B> {
    /// A simulation starting now (virtual time; the epoch's absolute value
    /// never matters), with per-direction seeds derived from `seed`.
    #[must_use]
    pub fn new(a: A, b: B, ab: LinkConfig, ba: LinkConfig, seed: u64) -> Self {
        Self::with_epoch(Instant::now(), a, b, ab, ba, seed)
    }

    /// Like [`Sim::new`] with an explicit epoch (the peers may have been
    /// created with it).
    #[must_use]
    pub fn with_epoch(
        epoch: Instant,
        a: A,
        b: B,
        ab: LinkConfig,
        ba: LinkConfig,
        seed: u64,
    ) -> Self {
        Self {
            epoch,
            now: epoch,
            a,
            b,
            ab: Link::new(ab, mix(seed ^ 0xA0A0)),
            ba: Link::new(ba, mix(seed ^ 0xB0B0)),
            nat: None,
            steps: 0,
        }
    }

    /// Puts a NAT in front of A.
    #[must_use]
    pub fn with_nat(mut self, config: NatConfig) -> Self {
        self.nat = Some(Nat::new(config));
        self
    }

    /// Current virtual time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The start of virtual time.
    #[must_use]
    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Virtual time elapsed since the epoch.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.now.duration_since(self.epoch)
    }

    /// Steps taken.
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.steps
    }

    fn flush(&mut self) {
        let now = self.now;
        while let Some(d) = self.a.poll_transmit() {
            let d = match self.nat.as_mut() {
                Some(nat) => nat.outbound(now, d),
                None => d,
            };
            self.ab.send(now, d);
        }
        while let Some(d) = self.b.poll_transmit() {
            self.ba.send(now, d);
        }
    }

    /// The next instant anything happens.
    #[must_use]
    pub fn next_event(&self) -> Option<Instant> {
        [
            self.a.poll_timeout(),
            self.b.poll_timeout(),
            self.ab.next_delivery(),
            self.ba.next_delivery(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Advances to the earliest pending event and processes everything due
    /// then. Returns false when nothing is pending (the system is idle).
    pub fn step(&mut self) -> bool {
        self.flush();
        let Some(t) = self.next_event() else {
            return false;
        };
        self.steps += 1;
        self.now = self.now.max(t);
        let now = self.now;
        while let Some(d) = self.ab.pop_due(now) {
            self.b.handle_datagram(now, d.src, d.dst, d.bytes);
            self.flush();
        }
        while let Some(d) = self.ba.pop_due(now) {
            let d = match self.nat.as_mut() {
                Some(nat) => nat.inbound(now, d),
                None => Some(d),
            };
            if let Some(d) = d {
                self.a.handle_datagram(now, d.src, d.dst, d.bytes);
                self.flush();
            }
        }
        if self.a.poll_timeout().is_some_and(|t| t <= now) {
            self.a.handle_timeout(now);
        }
        if self.b.poll_timeout().is_some_and(|t| t <= now) {
            self.b.handle_timeout(now);
        }
        self.flush();
        true
    }

    /// Steps until idle or `max_steps` steps; returns true if idle.
    pub fn drive(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps {
            if !self.step() {
                return true;
            }
        }
        false
    }

    /// Steps while the next event is no later than `deadline`, then sets the
    /// clock to `deadline` (if it is later). Returns false if `max_steps` ran out.
    pub fn run_until(&mut self, deadline: Instant, max_steps: u64) -> bool {
        for _ in 0..max_steps {
            self.flush();
            match self.next_event() {
                Some(t) if t <= deadline => {
                    self.step();
                }
                _ => {
                    self.now = self.now.max(deadline);
                    return true;
                }
            }
        }
        false
    }

    /// Steps until nothing is in flight on either link and neither peer
    /// wants a timeout within `horizon` of now (long-lived timers such as
    /// rekeying stay armed). Returns false if `max_steps` ran out first.
    pub fn settle(&mut self, horizon: Duration, max_steps: u64) -> bool {
        for _ in 0..max_steps {
            self.flush();
            let in_flight = self.ab.next_delivery().is_some() || self.ba.next_delivery().is_some();
            let limit = self.now.checked_add(horizon);
            let soon = [self.a.poll_timeout(), self.b.poll_timeout()]
                .into_iter()
                .flatten()
                .any(|t| limit.is_none_or(|l| t <= l));
            if !in_flight && !soon {
                return true;
            }
            self.step();
        }
        false
    }

    /// Steps until `done(self)` holds, idle, or `max_steps`; returns `done`.
    pub fn drive_until(&mut self, max_steps: u64, mut done: impl FnMut(&Self) -> bool) -> bool {
        for _ in 0..max_steps {
            if done(self) {
                return true;
            }
            if !self.step() {
                break;
            }
        }
        done(self)
    }
}
