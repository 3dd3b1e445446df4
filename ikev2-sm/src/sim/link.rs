//! One direction of a simulated path: loss, duplication, reordering,
//! latency with jitter, and an MTU, all driven by a seeded RNG.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

use super::Datagram;

/// How datagrams are lost.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum LossModel {
    /// Nothing is lost.
    #[default]
    None,
    /// Each datagram is lost independently with this probability.
    Bernoulli(f64),
    /// Gilbert-Elliott two-state bursty loss: per datagram, the chain moves
    /// good→bad with `p` and bad→good with `r`, then the datagram is lost
    /// with `loss_good` or `loss_bad` depending on the state.
    GilbertElliott {
        /// P(good → bad) per datagram.
        p: f64,
        /// P(bad → good) per datagram.
        r: f64,
        /// Loss probability in the good state.
        loss_good: f64,
        /// Loss probability in the bad state.
        loss_bad: f64,
    },
}

/// Impairments of one direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkConfig {
    /// Base one-way delay.
    pub latency: Duration,
    /// Extra delay, uniform in `0..=jitter`, per datagram (may reorder).
    pub jitter: Duration,
    /// Loss model.
    pub loss: LossModel,
    /// Probability that a datagram is delivered twice.
    pub duplicate: f64,
    /// Probability that a datagram is held back by `reorder_delay`, letting
    /// later ones overtake it.
    pub reorder: f64,
    /// Extra delay of a reordered datagram.
    pub reorder_delay: Duration,
    /// Datagrams longer than this many bytes are dropped (no fragmentation,
    /// as with DF set or a broken PMTUD path).
    pub mtu: Option<usize>,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            latency: Duration::from_millis(10),
            jitter: Duration::ZERO,
            loss: LossModel::None,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::from_millis(50),
            mtu: None,
        }
    }
}

impl LinkConfig {
    /// Ideal link with `latency`.
    #[must_use]
    pub fn with_latency(latency: Duration) -> Self {
        Self {
            latency,
            ..Self::default()
        }
    }
}

/// What a link did, by count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Datagrams handed to the link.
    pub sent: u64,
    /// Lost by the loss model (or scripted drops).
    pub lost: u64,
    /// Dropped for exceeding the MTU.
    pub mtu_dropped: u64,
    /// Extra copies made.
    pub duplicated: u64,
    /// Datagrams held back for reordering.
    pub reordered: u64,
    /// Datagrams that came out of the link.
    pub delivered: u64,
}

#[derive(Debug)]
struct Queued {
    at: Instant,
    seq: u64,
    datagram: Datagram,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    // Reversed: BinaryHeap is a max-heap, we want the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Rewrites (or drops, by returning false) a datagram entering a link.
pub type Tamper = Box<dyn FnMut(&mut Datagram) -> bool + Send>;

/// One direction of the path.
pub struct Link {
    /// Impairments; may be changed between steps.
    pub config: LinkConfig,
    rng: ChaCha20Rng,
    bad_state: bool,
    queue: BinaryHeap<Queued>,
    seq: u64,
    drop_next: u64,
    held: Option<Vec<Datagram>>,
    tamper: Option<Tamper>,
    stats: LinkStats,
}

impl core::fmt::Debug for Link {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Link")
            .field("config", &self.config)
            .field("in_flight", &self.queue.len())
            .field("held", &self.held.as_ref().map(Vec::len))
            .field("tamper", &self.tamper.is_some())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Link {
    /// A link with its own RNG seed (so changes to one direction never
    /// disturb the other's random sequence).
    #[must_use]
    pub fn new(config: LinkConfig, seed: u64) -> Self {
        Self {
            config,
            rng: ChaCha20Rng::seed_from_u64(seed),
            bad_state: false,
            queue: BinaryHeap::new(),
            seq: 0,
            drop_next: 0,
            held: None,
            tamper: None,
            stats: LinkStats::default(),
        }
    }

    /// Holds every datagram sent from now on until [`Link::release`].
    pub fn hold(&mut self) {
        self.held.get_or_insert_with(Vec::new);
    }

    /// Stops holding; the held datagrams enter the link at `now`, in order,
    /// subject to the configured impairments.
    pub fn release(&mut self, now: Instant) {
        for d in self.held.take().unwrap_or_default() {
            self.admit(now, d);
        }
    }

    /// Installs a function that sees (and may rewrite, or drop by returning
    /// false) every datagram entering the link; `None` removes it.
    pub fn set_tamper(&mut self, tamper: Option<Tamper>) {
        self.tamper = tamper;
    }

    /// Counters.
    #[must_use]
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// Drops the next `n` datagrams sent (scripted loss).
    pub fn drop_next(&mut self, n: u64) {
        self.drop_next = self.drop_next.saturating_add(n);
    }

    /// Datagrams in flight.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        #[allow(clippy::cast_precision_loss)]
        let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        u < p
    }

    fn lost(&mut self) -> bool {
        match self.config.loss {
            LossModel::None => false,
            LossModel::Bernoulli(p) => self.chance(p),
            LossModel::GilbertElliott {
                p,
                r,
                loss_good,
                loss_bad,
            } => {
                let flip = if self.bad_state { r } else { p };
                if self.chance(flip) {
                    self.bad_state = !self.bad_state;
                }
                let l = if self.bad_state { loss_bad } else { loss_good };
                self.chance(l)
            }
        }
    }

    fn delay(&mut self) -> Duration {
        let j = self.config.jitter;
        let extra = if j.is_zero() {
            Duration::ZERO
        } else {
            let nanos = u64::try_from(j.as_nanos()).unwrap_or(u64::MAX);
            Duration::from_nanos(self.rng.next_u64() % nanos.saturating_add(1))
        };
        let mut d = self.config.latency + extra;
        if self.chance(self.config.reorder) {
            self.stats.reordered += 1;
            d += self.config.reorder_delay;
        }
        d
    }

    /// Hands a datagram to the link at `now`.
    pub fn send(&mut self, now: Instant, mut datagram: Datagram) {
        self.stats.sent += 1;
        if let Some(t) = self.tamper.as_mut() {
            if !t(&mut datagram) {
                self.stats.lost += 1;
                return;
            }
        }
        if let Some(held) = self.held.as_mut() {
            held.push(datagram);
            return;
        }
        self.admit(now, datagram);
    }

    fn admit(&mut self, now: Instant, datagram: Datagram) {
        if self.drop_next > 0 {
            self.drop_next -= 1;
            self.stats.lost += 1;
            return;
        }
        if self
            .config
            .mtu
            .is_some_and(|mtu| datagram.bytes.len() > mtu)
        {
            self.stats.mtu_dropped += 1;
            return;
        }
        if self.lost() {
            self.stats.lost += 1;
            return;
        }
        if self.chance(self.config.duplicate) {
            self.stats.duplicated += 1;
            let d = self.delay();
            self.push(now + d, datagram.clone());
        }
        let d = self.delay();
        self.push(now + d, datagram);
    }

    fn push(&mut self, at: Instant, datagram: Datagram) {
        self.seq += 1;
        self.queue.push(Queued {
            at,
            seq: self.seq,
            datagram,
        });
    }

    /// When the next datagram comes out.
    #[must_use]
    pub fn next_delivery(&self) -> Option<Instant> {
        self.queue.peek().map(|q| q.at)
    }

    /// Takes the next datagram due at or before `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<Datagram> {
        if self.queue.peek()?.at > now {
            return None;
        }
        self.stats.delivered += 1;
        self.queue.pop().map(|q| q.datagram)
    }
}
