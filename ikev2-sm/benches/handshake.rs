//! In-process exchanges between two endpoints (PSK, X25519, AES-256-GCM),
//! against the same-run baseline of the raw X25519 work both sides must do
//! (two key pairs, two shared secrets):
//!
//! * group `handshake`: IKE_SA_INIT + IKE_AUTH with one Child SA;
//! * group `rekey`: from an established pair (made outside the measured
//!   time, fresh for each iteration), a Child SA rekey without PFS, one
//!   with PFS (X25519), and an IKE SA rekey (X25519, RFC 7296 §2.18), each
//!   from the request to the deletion of what it replaces.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::KeId;
use ikev2_sm::config::{Auth, ChildConfig, Identity, PeerConfig};
use ikev2_sm::events::Event;
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output, SaHandle};

fn peer(name: &str, me: &str, them: &str, ts: (&str, &str), esp: &str) -> PeerConfig {
    PeerConfig::new(
        name,
        Identity::parse(me).unwrap(),
        Identity::parse(them).unwrap(),
    )
    .with_auth(
        Auth::psk(b"bench-secret".to_vec()),
        Auth::psk(b"bench-secret".to_vec()),
    )
    .with_ike_proposals("aes256gcm16-prfsha256-x25519")
    .unwrap()
    .with_child(
        ChildConfig::new("net")
            .with_ts(ts.0, ts.1)
            .unwrap()
            .with_esp_proposals(esp)
            .unwrap(),
    )
}

/// Two endpoints with one IKE SA and one Child SA between them.
struct Pair {
    eps: [Endpoint; 2],
    now: Instant,
}

/// What one exchange sequence produced.
#[derive(Default, Debug, PartialEq, Eq)]
struct Done {
    /// Datagrams sent by both sides.
    sent: usize,
    installed: usize,
    ike_rekeyed: usize,
}

impl Pair {
    /// Endpoints made and the handshake started, nothing sent yet.
    fn new(seed: u64, esp: &str) -> Self {
        let rng = Arc::new(DeterministicRandom::seed_from_u64(seed));
        let mk = |p| Endpoint::new(EndpointConfig::new(PROVIDER, rng.clone(), vec![p]));
        let ts = ("10.1.0.0/16", "10.2.0.0/16");
        let mut p = Self {
            eps: [
                mk(peer("moon", "@sun", "@moon", ts, esp)),
                mk(peer("sun", "@moon", "@sun", (ts.1, ts.0), esp)),
            ],
            now: Instant::now(),
        };
        p.eps[0]
            .initiate(
                p.now,
                "moon",
                "192.0.2.1:500".parse().unwrap(),
                "198.51.100.1:500".parse().unwrap(),
            )
            .unwrap();
        p
    }

    fn established(seed: u64, esp: &str) -> Self {
        let mut p = Self::new(seed, esp);
        assert_eq!(p.pump().installed, 2);
        p
    }

    fn handle(&self, side: usize) -> SaHandle {
        self.eps[side].handles()[0]
    }

    /// Moves datagrams both ways until neither side has anything to send.
    fn pump(&mut self) -> Done {
        let mut done = Done::default();
        loop {
            let mut sent = false;
            for from in 0..2 {
                loop {
                    match self.eps[from].poll_output() {
                        Output::Transmit(t) => {
                            sent = true;
                            done.sent += 1;
                            self.eps[1 - from].handle_input(Input::Datagram {
                                now: self.now,
                                src: t.src,
                                dst: t.dst,
                                bytes: t.bytes,
                            });
                        }
                        Output::InstallChildSa(_) => done.installed += 1,
                        Output::Event {
                            event: Event::IkeSaRekeyed { .. },
                            ..
                        } => done.ike_rekeyed += 1,
                        Output::Timeout(_) => break,
                        _ => {}
                    }
                }
            }
            if !sent {
                return done;
            }
        }
    }

    fn rekey_child(&mut self) -> Done {
        let h = self.handle(0);
        let spi = self.eps[0].sa_info(h).unwrap().children[0].spi_in;
        self.eps[0].rekey_child_sa(self.now, h, spi).unwrap();
        self.pump()
    }

    fn rekey_ike(&mut self) -> Done {
        let h = self.handle(0);
        self.eps[0].rekey_ike_sa(self.now, h).unwrap();
        self.pump()
    }
}

/// One rekey, started and driven to completion.
type Rekey = fn(&mut Pair) -> Done;

/// One full handshake; returns the Child SAs installed (2).
fn handshake(seed: u64) -> usize {
    Pair::new(seed, "aes256gcm16").pump().installed
}

fn baseline(c: &mut Criterion, group: &str) {
    c.benchmark_group(group)
        .bench_function("baseline: x25519 keygen+dh, both sides", |b| {
            let x = PROVIDER.ke(KeId::Curve25519).unwrap();
            let rng = DeterministicRandom::seed_from_u64(3);
            b.iter(|| {
                let i = x.start(&rng).unwrap();
                let (r_pub, r_shared) = x.respond(&rng, i.public()).unwrap();
                let i_shared = i.complete(&r_pub).unwrap();
                black_box((i_shared, r_shared))
            });
        });
}

fn bench_handshake(c: &mut Criterion) {
    assert_eq!(handshake(1), 2);
    baseline(c, "handshake");
    let mut seed = 0u64;
    c.benchmark_group("handshake")
        .bench_function("ike_sa_init+ike_auth+child, both sides", |b| {
            b.iter(|| {
                seed += 1;
                black_box(handshake(seed))
            });
        });
}

fn bench_rekey(c: &mut Criterion) {
    // each rekey completes as it should before it is timed: CREATE_CHILD_SA
    // and the INFORMATIONAL deleting what it replaced (two exchanges, four
    // datagrams), with a new Child SA installed on both sides or the IKE SA
    // continued under a new handle on both sides. (The replaced Child SA's
    // inbound side is removed later, after `rekeyed_overlap`.)
    let child = Done {
        sent: 4,
        installed: 2,
        ike_rekeyed: 0,
    };
    assert_eq!(Pair::established(1, "aes256gcm16").rekey_child(), child);
    assert_eq!(
        Pair::established(2, "aes256gcm16-x25519").rekey_child(),
        child
    );
    let ike = Pair::established(3, "aes256gcm16").rekey_ike();
    let ike_done = Done {
        sent: 4,
        installed: 0,
        ike_rekeyed: 2,
    };
    assert_eq!(ike, ike_done);

    baseline(c, "rekey");
    let mut g = c.benchmark_group("rekey");
    let cases: [(&str, &str, Rekey); 3] = [
        (
            "child sa, no pfs, both sides",
            "aes256gcm16",
            Pair::rekey_child,
        ),
        (
            "child sa, pfs x25519, both sides",
            "aes256gcm16-x25519",
            Pair::rekey_child,
        ),
        (
            "ike sa (x25519), both sides",
            "aes256gcm16",
            Pair::rekey_ike,
        ),
    ];
    for (name, esp, rekey) in cases {
        let mut seed = 10u64;
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || {
                    seed += 1;
                    Pair::established(seed, esp)
                },
                |p| black_box(rekey(p)),
                BatchSize::SmallInput,
            );
        });
    }
    g.finish();
}

criterion_group!(benches, bench_handshake, bench_rekey);
criterion_main!(benches);
