//! Sans-IO IKEv2 state machine: an [`Endpoint`] that owns IKE SAs and
//! turns received datagrams and elapsed time into datagrams to send, Child
//! SAs to install and events, plus the parts every exchange stands on.
//!
//! Two endpoints in memory, PSK, X25519, AES-GCM, seeded randomness, no
//! sockets and no clock (time is passed in):
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//! use ikev2_crypto::{provider::rustcrypto::PROVIDER, random::DeterministicRandom};
//! use ikev2_sm::config::{Auth, ChildConfig, Identity, PeerConfig};
//! use ikev2_sm::events::Event;
//! use ikev2_sm::{Endpoint, EndpointConfig, Input, Output};
//!
//! let peer = |name: &str, me: &str, them: &str, local_ts: &str, remote_ts: &str| -> Result<PeerConfig, ikev2_sm::Error> {
//!     Ok(PeerConfig::new(name, Identity::parse(me)?, Identity::parse(them)?)
//!         .with_auth(Auth::psk(b"a long shared secret".to_vec()), Auth::psk(b"a long shared secret".to_vec()))
//!         .with_ike_proposals("aes256gcm16-prfsha256-x25519")?
//!         .with_child(ChildConfig::new("net").with_ts(local_ts, remote_ts)?.with_esp_proposals("aes256gcm16")?))
//! };
//! let endpoint = |seed, p| Endpoint::new(EndpointConfig::new(
//!     PROVIDER, Arc::new(DeterministicRandom::seed_from_u64(seed)), vec![p]));
//! let mut sun = endpoint(1, peer("moon", "@sun", "@moon", "10.1.0.0/16", "10.2.0.0/16")?);
//! let mut moon = endpoint(2, peer("sun", "@moon", "@sun", "10.2.0.0/16", "10.1.0.0/16")?);
//! let (sun_addr, moon_addr) = ("192.0.2.1:500".parse()?, "198.51.100.1:500".parse()?);
//!
//! let now = Instant::now();
//! sun.initiate(now, "moon", sun_addr, moon_addr)?;
//! let mut up = 0;
//! let mut installed = Vec::new();
//! let mut sides = [sun, moon];
//! // Drain each endpoint until it reports its next timeout, handing the
//! // datagrams to the other one.
//! for turn in 0..6 {
//!     let (from, to) = (turn % 2, 1 - turn % 2);
//!     loop {
//!         match sides[from].poll_output() {
//!             Output::Transmit(t) => sides[to].handle_input(Input::Datagram {
//!                 now, src: t.src, dst: t.dst, bytes: t.bytes,
//!             }),
//!             Output::InstallChildSa(child) => installed.push(child),
//!             Output::Event { event: Event::IkeSaUp, .. } => up += 1,
//!             Output::Timeout(_) => break,
//!             _ => {}
//!         }
//!     }
//! }
//! assert_eq!(up, 2, "IKE SA established on both sides");
//! assert_eq!(installed.len(), 2, "one Child SA per side");
//! assert_eq!(installed[0].encr_key_in, installed[1].encr_key_out);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Modules
//!
//! - [`endpoint`]: the [`Endpoint`], its inputs and outputs, and the drive
//!   loop contract.
//! - [`proposal`]: proposals in strongSwan's keyword syntax
//!   (`aes256gcm16-prfsha384-ecp384`, `ke1_mlkem768`, `default`), responder
//!   selection with strongSwan's rules, the INVALID_KE_PAYLOAD decision and
//!   a NO_PROPOSAL_CHOSEN diagnostic that explains every refusal.
//! - [`ts`]: traffic selectors, strongSwan's `local_ts`/`remote_ts` syntax,
//!   RFC 7296 §2.9 narrowing and the TS_UNACCEPTABLE diagnostic.
//! - [`window`]: message IDs, retransmission on strongSwan's schedule, and
//!   the response cache that answers retransmitted requests byte for byte.
//! - [`timer`]: one table of per-SA deadlines; `next_timeout()` is their minimum.
//!   Across SAs the endpoint keeps a binary heap of (deadline, slot,
//!   generation) with lazy invalidation (`sched.rs`): the next wake-up is
//!   its top and a timer costs O(log n), whatever the number of SAs.
//! - [`config`]: peer and child configuration with validation.
//! - [`events`]: the typed failures later exchanges report, with evidence.
//! - [`stats`]: endpoint counters and a bounded history of recent errors.
//! - [`wire`]: conversions to and from `ikev2-wire`'s SA and TS payloads.
//! - `sim` (feature `sim`): a deterministic lossy, duplicating, reordering
//!   network with a NAT, driving any `SimPeer`.
//!
//! # Design
//!
//! Nothing here reads a clock, touches a socket or keeps global state: the
//! caller passes `now` ([`std::time::Instant`], see [`timer`] for why) and
//! randomness comes from the [`EndpointConfig::random`] source (seedable).
//! The [`Endpoint`] follows str0m: `handle_input(Input)` then
//! `poll_output() -> Output` until `Output::Timeout`; one queue keeps effect
//! order (a Child SA is installed before the datagram that lets the peer
//! use it). IKE SAs live in a slab indexed by our SPI (a `HashMap` from SPI
//! to slot, O(1)); retransmitted IKE_SA_INIT requests, which carry no
//! responder SPI, are found by (source address, SPIi). Per-SA state is an
//! enum (`InitSent`, `InitResponded`, `AuthSent`, `Established`, `Failed`)
//! whose variants own exactly what the next step needs; each exchange lives
//! in its own file (`sa/init.rs`, `sa/auth.rs`). `sim::EndpointPeer` plugs
//! an `Endpoint` into the simulator unchanged.
//!
//! # Status
//!
//! Working and tested: IKE_SA_INIT in both roles (proposal selection, KE,
//! nonces, INVALID_KE_PAYLOAD and the retry with the requested group,
//! NAT_DETECTION computed and checked, SIGNATURE_HASH_ALGORITHMS announced),
//! IKE_AUTH with PSK in both roles (IDi/IDr, the responder choosing its
//! peer configuration by the identity received, AUTH, the first Child SA
//! with ESP selection, TS narrowing and KEYMAT), retransmission,
//! duplicate requests answered from the response cache, unmatched replies
//! dropped and counted, typed failure events. COOKIE (RFC 7296 §2.6,
//! `sa/cookie.rs`) in both roles: the responder turns stateless at
//! [`config::HalfOpenLimits::cookie_threshold`] half-open SAs
//! ([`EndpointConfig::half_open`], endpoint-wide; 0 = always) with a random
//! secret that rotates and keeps the previous one for a grace period
//! ([`config::CookieSecrets`]), and refuses at `max_half_open`; the
//! initiator restarts with the cookie, also after INVALID_KE_PAYLOAD;
//! counters `cookies_sent`, `cookies_verified`, `cookies_invalid`,
//! `cookie_restarts`, `init_refused`. Tested by `tests/cookie_sim.rs`,
//! `tests/cookie_flood.rs` (4000 spoofed requests: SA count and heap stay
//! bounded while a real initiator gets through) and against charon in both
//! roles (`interop/cases/auth.sh`).
//!
//! Certificate authentication in IKE_AUTH (`sa/cert_auth.rs`), both roles:
//! [`config::Auth::Signature`] (our chain and an `AuthSigner`) and
//! [`config::Auth::TrustedCa`] (CAs, EKU policy, wall clock passed in);
//! CERTREQ sent (IKE_SA_INIT response, IKE_AUTH request) and honoured when
//! choosing how much of our chain to send; AUTH method 14 (RFC 7427) with
//! ECDSA or RSASSA-PSS/PKCS#1 v1.5 chosen from the peer's
//! SIGNATURE_HASH_ALGORITHMS (legacy methods otherwise), verified with
//! `ikev2_crypto`'s `CertVerifier` (path, validity, KU/EKU, IDi/IDr in the
//! certificate); each refusal a typed
//! [`events::AuthFailure::Certificate`] cause. Tested by
//! `tests/cert_sim.rs` (certificates made at test time) and against charon
//! with ECDSA and RSA in both roles. A signer that defers (a key in an HSM,
//! a smart card or a remote agent: `Signing::Deferred`) makes IKE_AUTH wait,
//! in either role, for the embedder: [`Output::NeedSignature`] hands out the
//! octets and scheme, [`Endpoint::signature_ready`] takes the answer, which
//! is checked against our public key before it is sent (`sa/signing.rs`).
//!
//! USE_TRANSPORT_MODE and childless IKE SAs (RFC 6023) in IKE_AUTH
//! (`sa/child_opts.rs`), both roles: transport mode when the initiator's
//! child asks for it and the responder's selected child allows it (the
//! agreed mode in [`ChildSaInstall::mode`]), tunnel otherwise;
//! CHILDLESS_IKEV2_SUPPORTED in IKE_SA_INIT, IKE_AUTH without SA/TS when no
//! child is configured or [`config::PeerConfig::childless`] is set and the
//! peer supports it. Tested by `tests/child_opts_sim.rs` and against charon
//! (the transport-mode case proves the negotiation; charon's
//! kernel-libipsec in the lab cannot install transport mode).
//!
//! INITIAL_CONTACT (`sa/initial_contact.rs`): sent in IKE_AUTH when no
//! other IKE SA with that peer configuration is up; on receipt the endpoint
//! removes the other IKE SAs of the authenticated identity (their Child SAs
//! with `Output::RemoveChildSa`) and reports
//! [`events::Event::InitialContact`] with the count
//! (`tests/initial_contact_sim.rs`).
//!
//! IKE fragmentation (RFC 7383, `sa/frag.rs`), both roles:
//! IKEV2_FRAGMENTATION_SUPPORTED negotiated in IKE_SA_INIT
//! ([`config::FragmentConfig`], on by default like strongSwan); encrypted
//! messages above `fragment_size` (strongSwan's meaning: the IP datagram,
//! default 1280) sent as SKF fragments each protected on its own, resent
//! and replayed as a whole set; after two unanswered retransmissions a
//! request is refragmented at 576 (IPv4) or 1280 (IPv6) octets (RFC 7383
//! §2.5.2); fragments authenticated before they are stored, reassembled per
//! message ID with limits on count, size and age, duplicates ignored and
//! Total Fragments changes handled per §2.6; counted in
//! [`stats::FragmentCounts`], reported as [`events::FragmentEvent`]s.
//! Tested by unit and property tests of the reassembler, simulator
//! scenarios over links whose MTU drops an unfragmented IKE_AUTH (loss,
//! duplication, reordering, forgery, the path-MTU fallback, timeouts),
//! fuzz seeds reaching SKF, and against strongSwan (`interop/cases/frag.sh`).
//!
//! INFORMATIONAL (`sa/info.rs`), both roles: [`Endpoint::delete_child_sa`],
//! [`Endpoint::delete_ike_sa`] and [`Endpoint::liveness_check`]; Deletes of
//! Child SAs answered with our twins' Deletes (unknown SPIs ignored,
//! crossing deletes per RFC 7296 §1.4.1), Deletes of the IKE SA answered
//! empty and everything removed, liveness checks answered, authenticated
//! error notifies reported ([`events::Event::PeerErrorNotify`]);
//! `PeerConfig::dpd_delay` liveness and dead-peer detection when any
//! request's retransmissions run out ([`events::Event::PeerDead`]). Every
//! request on an established SA goes through one per-SA queue
//! (`sa/queue.rs`, window size 1) that other exchanges plug into.
//!
//! CREATE_CHILD_SA (`sa/child/`, `sa/rekey/`, `sa/delete.rs`), both
//! roles: additional Child SAs ([`Endpoint::create_child_sa`], PFS,
//! INVALID_KE_PAYLOAD retry, typed refusals), Child SA rekeys
//! make-before-break ([`events::Event::ChildSaRekeyed`] between the new
//! SA's install and the old one's removal; the responder switches when the
//! old SA is deleted), IKE SA rekeys ([`events::Event::IkeSaRekeyed`]: a
//! new handle takes over the Child SAs and queued requests), jittered soft
//! and hard lifetimes and data-plane limits
//! ([`Endpoint::child_sa_expired`]), and the collisions of RFC 7296 §2.8
//! and §2.25 ([`events::Event::RekeyCollision`]; simultaneous IKE SA rekeys
//! are both completed and settled by the lowest nonce, §2.8.2, in
//! `sa/ike_collision.rs`).
//!
//! Reauthentication, make-before-break (`sa/reauth.rs`), as strongSwan's
//! `reauth_time` with `make_before_break = yes`:
//! [`config::PeerConfig::reauth_time`] (jittered like the rekey, kept
//! across IKE SA rekeys) or [`Endpoint::reauthenticate`] starts a new IKE
//! SA with full authentication and no INITIAL_CONTACT, recreates every
//! Child SA on it (the first in IKE_AUTH), then reports
//! [`events::Event::IkeSaReauthenticated`] and deletes the old IKE SA; a
//! failed attempt leaves the old one up with
//! [`events::Failure::ReauthFailed`] (`tests/reauth_sim.rs`). When both
//! ends reauthenticate at once (`sa/reauth_collision.rs`), the new IKE SA
//! with the lowest of the four IKE_SA_INIT nonces is redundant: the
//! initiator of the other one deletes it, and the old one, once its Child
//! SAs are all up; both ends report
//! [`events::Event::SimultaneousReauth`] and keep exactly one IKE SA
//! (`tests/reauth_collision_sim.rs`).
//!
//! Port 4500 (RFC 7296 §2.23): after IKE_SA_INIT the initiator moves to
//! UDP 4500 when a NAT was detected (or `PeerConfig::force_encap`); every
//! later datagram is on 4500 with [`Transmit::non_esp_marker`] set, and
//! both sides follow the peer's address and port from authenticated
//! messages once a NAT is involved.
#![forbid(unsafe_code)]

pub mod config;
pub mod endpoint;
mod error;
pub mod events;
pub mod keylog;
pub mod proposal;
mod sa;
mod sched;
#[cfg(feature = "sim")]
pub mod sim;
pub mod stats;
pub mod timer;
pub mod ts;
pub mod window;
pub mod wire;

pub use endpoint::{
    ApiError, ChildSaInfo, ChildSaInstall, ChildSaRemove, Endpoint, EndpointConfig, Input, Output,
    SaHandle, SaInfo, SignatureNeeded, Transmit,
};
pub use error::Error;
