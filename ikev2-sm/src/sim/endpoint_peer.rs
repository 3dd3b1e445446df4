//! [`EndpointPeer`]: an [`Endpoint`] as a [`SimPeer`], keeping the outputs
//! that are not datagrams for the test to inspect.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use super::{Datagram, SimPeer};
use crate::endpoint::{
    ChildSaInstall, ChildSaRemove, Endpoint, Input, Output, SaHandle, SignatureNeeded,
};
use crate::events::Event;

/// An endpoint driven by the simulator.
#[derive(Debug)]
pub struct EndpointPeer {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Events, in order.
    pub events: Vec<(Option<SaHandle>, Event)>,
    /// Child SAs installed, in order.
    pub installs: Vec<ChildSaInstall>,
    /// Child SAs removed, in order.
    pub removals: Vec<ChildSaRemove>,
    /// Signatures asked of the embedder (`Output::NeedSignature`), in
    /// order; the test answers them with `Endpoint::signature_ready`.
    pub signature_requests: Vec<SignatureNeeded>,
    /// The embedder's view of its data plane: the outbound SPIs it sends
    /// on (a Child SA's `spi_out` from its `ChildSaUp` until a
    /// `ChildSaRekeyed` switches away from it or it is removed).
    pub outbound: BTreeSet<u32>,
    last_install: BTreeMap<String, u32>,
    /// The IKE SA each outbound SPI belongs to (follows IKE SA rekeys).
    owner: BTreeMap<u32, SaHandle>,
    /// Datagrams sent so far.
    pub sent: u64,
    /// Every datagram's `(src, dst, non_esp_marker)`, in order.
    pub paths: Vec<(SocketAddr, SocketAddr, bool)>,
    queue: VecDeque<Datagram>,
}

impl EndpointPeer {
    /// Wraps `endpoint`.
    #[must_use]
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            events: Vec::new(),
            installs: Vec::new(),
            removals: Vec::new(),
            signature_requests: Vec::new(),
            outbound: BTreeSet::new(),
            last_install: BTreeMap::new(),
            owner: BTreeMap::new(),
            sent: 0,
            paths: Vec::new(),
            queue: VecDeque::new(),
        }
    }

    /// Drains the endpoint's outputs into the queues (call after driving
    /// the endpoint directly, e.g. after `initiate`).
    pub fn drain(&mut self) {
        loop {
            match self.endpoint.poll_output() {
                Output::Transmit(t) => {
                    self.sent += 1;
                    self.paths.push((t.src, t.dst, t.non_esp_marker));
                    self.queue.push_back(Datagram {
                        src: t.src,
                        dst: t.dst,
                        bytes: t.bytes,
                    });
                }
                Output::InstallChildSa(c) => {
                    self.last_install.insert(c.name.clone(), c.spi_out);
                    self.owner.insert(c.spi_out, c.sa);
                    self.installs.push(*c);
                }
                Output::RemoveChildSa(c) => {
                    self.outbound.remove(&c.spi_out);
                    self.removals.push(*c);
                }
                Output::NeedSignature(n) => self.signature_requests.push(*n),
                Output::Event { sa, event } => {
                    match &event {
                        Event::ChildSaUp { name } => {
                            if let Some(spi) = self.last_install.get(name) {
                                self.outbound.insert(*spi);
                            }
                        }
                        Event::ChildSaRekeyed {
                            old_spi_out,
                            new_spi_out,
                            ..
                        } => {
                            self.outbound.remove(old_spi_out);
                            self.outbound.insert(*new_spi_out);
                        }
                        Event::IkeSaRekeyed { new } => {
                            for h in self.owner.values_mut() {
                                if Some(*h) == sa {
                                    *h = *new;
                                }
                            }
                        }
                        // The old IKE SA's Child SAs stop carrying traffic:
                        // the new IKE SA's replace them.
                        Event::IkeSaReauthenticated { .. } => {
                            let owner = &self.owner;
                            self.outbound.retain(|spi| owner.get(spi).copied() != sa);
                        }
                        // Likewise the redundant IKE SA's of a simultaneous
                        // reauthentication: the survivor's carry the traffic.
                        Event::SimultaneousReauth { redundant, .. } => {
                            let owner = &self.owner;
                            self.outbound
                                .retain(|spi| owner.get(spi).copied() != Some(*redundant));
                        }
                        _ => {}
                    }
                    self.events.push((sa, event));
                }
                Output::Timeout(_) => break,
            }
        }
    }

    /// Inbound SPIs installed and not removed (the data plane's inbound SAs).
    #[must_use]
    pub fn installed_in(&self) -> BTreeSet<u32> {
        let mut s: BTreeSet<u32> = self.installs.iter().map(|c| c.spi_in).collect();
        for r in &self.removals {
            s.remove(&r.spi_in);
        }
        s
    }

    /// Outbound SPIs installed and not removed.
    #[must_use]
    pub fn installed_out(&self) -> BTreeSet<u32> {
        let mut s: BTreeSet<u32> = self.installs.iter().map(|c| c.spi_out).collect();
        for r in &self.removals {
            s.remove(&r.spi_out);
        }
        s
    }

    /// Events without their SA handle.
    #[must_use]
    pub fn event_list(&self) -> Vec<Event> {
        self.events.iter().map(|(_, e)| e.clone()).collect()
    }
}

impl SimPeer for EndpointPeer {
    fn handle_datagram(&mut self, now: Instant, src: SocketAddr, dst: SocketAddr, bytes: Vec<u8>) {
        self.endpoint.handle_input(Input::Datagram {
            now,
            src,
            dst,
            bytes,
        });
        self.drain();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.endpoint.handle_input(Input::Timeout(now));
        self.drain();
    }

    fn poll_transmit(&mut self) -> Option<Datagram> {
        self.queue.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.endpoint.poll_timeout()
    }
}
