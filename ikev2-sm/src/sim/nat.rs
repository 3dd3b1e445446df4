//! A NAPT in front of peer A: endpoint-independent mapping, address- and
//! port-dependent filtering (RFC 4787), mappings refreshed by outbound
//! traffic only and expired after an idle timeout, and rebinding (the
//! mapping changes, as after a NAT reboot or a carrier-grade NAT's port
//! reassignment).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::Datagram;

/// NAT settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatConfig {
    /// The NAT's public address.
    pub public_ip: IpAddr,
    /// First public port handed out; later mappings count up from it.
    pub first_port: u16,
    /// A mapping without outbound traffic for this long is removed.
    pub idle_timeout: Duration,
}

/// NAT counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NatStats {
    /// Mappings created.
    pub mappings_created: u64,
    /// Mappings removed by the idle timeout.
    pub mappings_expired: u64,
    /// Rebinding events.
    pub rebinds: u64,
    /// Outbound datagrams translated.
    pub outbound: u64,
    /// Inbound datagrams translated.
    pub inbound: u64,
    /// Inbound datagrams dropped: no mapping, or from a remote never contacted.
    pub dropped_unsolicited: u64,
}

#[derive(Debug, Clone)]
struct Mapping {
    public_port: u16,
    last_outbound: Instant,
    remotes: Vec<SocketAddr>,
}

/// The NAT state.
#[derive(Debug, Clone)]
pub struct Nat {
    /// Settings.
    pub config: NatConfig,
    by_private: HashMap<SocketAddr, Mapping>,
    next_port: u16,
    rebind_at: Vec<Instant>,
    stats: NatStats,
}

impl Nat {
    /// A NAT with no mappings.
    #[must_use]
    pub fn new(config: NatConfig) -> Self {
        Self {
            next_port: config.first_port,
            config,
            by_private: HashMap::new(),
            rebind_at: Vec::new(),
            stats: NatStats::default(),
        }
    }

    /// Counters.
    #[must_use]
    pub fn stats(&self) -> NatStats {
        self.stats
    }

    /// The public address currently mapped for `private`, if any.
    #[must_use]
    pub fn mapping(&self, private: SocketAddr) -> Option<SocketAddr> {
        self.by_private
            .get(&private)
            .map(|m| SocketAddr::new(self.config.public_ip, m.public_port))
    }

    /// Schedules a rebinding at `at`.
    pub fn rebind_at(&mut self, at: Instant) {
        self.rebind_at.push(at);
    }

    /// Drops every mapping now; the next outbound datagram gets a new port.
    pub fn rebind(&mut self) {
        self.stats.rebinds += 1;
        self.by_private.clear();
    }

    /// Applies scheduled rebinds and idle expiry up to `now`.
    pub fn advance(&mut self, now: Instant) {
        let due = self.rebind_at.iter().filter(|t| **t <= now).count();
        if due > 0 {
            self.rebind_at.retain(|t| *t > now);
            for _ in 0..due {
                self.rebind();
            }
        }
        let idle = self.config.idle_timeout;
        let before = self.by_private.len();
        self.by_private
            .retain(|_, m| now.saturating_duration_since(m.last_outbound) < idle);
        self.stats.mappings_expired += (before - self.by_private.len()) as u64;
    }

    /// The next instant at which NAT state changes by itself.
    #[must_use]
    pub fn next_event(&self) -> Option<Instant> {
        let expiry = self
            .by_private
            .values()
            .map(|m| m.last_outbound + self.config.idle_timeout)
            .min();
        let rebind = self.rebind_at.iter().min().copied();
        match (expiry, rebind) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn allocate_port(&mut self) -> u16 {
        let port = self.next_port;
        self.next_port = self
            .next_port
            .checked_add(1)
            .unwrap_or(self.config.first_port);
        port
    }

    /// Translates a datagram leaving the private side: source becomes the
    /// public address of its (new or refreshed) mapping.
    pub fn outbound(&mut self, now: Instant, mut d: Datagram) -> Datagram {
        self.advance(now);
        let port = match self.by_private.get_mut(&d.src) {
            Some(m) => {
                m.last_outbound = now;
                if !m.remotes.contains(&d.dst) {
                    m.remotes.push(d.dst);
                }
                m.public_port
            }
            None => {
                let public_port = self.allocate_port();
                self.stats.mappings_created += 1;
                self.by_private.insert(
                    d.src,
                    Mapping {
                        public_port,
                        last_outbound: now,
                        remotes: vec![d.dst],
                    },
                );
                public_port
            }
        };
        self.stats.outbound += 1;
        d.src = SocketAddr::new(self.config.public_ip, port);
        d
    }

    /// Translates a datagram arriving from the public side, or drops it
    /// (`None`) if no mapping exists or its source was never contacted.
    pub fn inbound(&mut self, now: Instant, mut d: Datagram) -> Option<Datagram> {
        self.advance(now);
        let found = (d.dst.ip() == self.config.public_ip)
            .then(|| {
                self.by_private
                    .iter()
                    .find(|(_, m)| m.public_port == d.dst.port() && m.remotes.contains(&d.src))
                    .map(|(private, _)| *private)
            })
            .flatten();
        match found {
            Some(private) => {
                self.stats.inbound += 1;
                d.dst = private;
                Some(d)
            }
            None => {
                self.stats.dropped_unsolicited += 1;
                None
            }
        }
    }
}
