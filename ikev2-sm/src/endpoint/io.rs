//! The endpoint's inputs, outputs and read-only views.

use std::net::SocketAddr;
use std::time::Instant;

use ikev2_crypto::auth::SignRequest;
use ikev2_crypto::SecretBytes;
use ikev2_wire::{EncrId, EsnId, IntegId};

use super::SaHandle;
use crate::config::{DataLimits, Identity, Mode};
use crate::events::Event;
use crate::proposal::Proposal;
use crate::ts::TrafficSelector;

/// Something that happened to the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// A UDP datagram arrived.
    Datagram {
        /// Arrival time.
        now: Instant,
        /// Sender.
        src: SocketAddr,
        /// Our address it arrived on.
        dst: SocketAddr,
        /// The IKE message (after the non-ESP marker, if any, was removed).
        bytes: Vec<u8>,
    },
    /// The time last reported by [`Output::Timeout`] was reached.
    Timeout(Instant),
}

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Our address to send from.
    pub src: SocketAddr,
    /// Destination.
    pub dst: SocketAddr,
    /// Prefix the four-octet non-ESP marker (RFC 3948) when sending on port 4500.
    pub non_esp_marker: bool,
    /// The IKE message.
    pub bytes: Vec<u8>,
}

/// A Child SA to install in the data plane (ESP, both directions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSaInstall {
    /// Owning IKE SA.
    pub sa: SaHandle,
    /// Child configuration name.
    pub name: String,
    /// Tunnel or transport.
    pub mode: Mode,
    /// SPI of our inbound SA (chosen by us).
    pub spi_in: u32,
    /// SPI of our outbound SA (chosen by the peer).
    pub spi_out: u32,
    /// Encryption transform and key length.
    pub encr: (EncrId, Option<u16>),
    /// Integrity transform (`None` with an AEAD).
    pub integ: Option<IntegId>,
    /// Extended sequence numbers.
    pub esn: Option<EsnId>,
    /// Inbound encryption key (with salt for AEADs).
    pub encr_key_in: SecretBytes,
    /// Inbound integrity key (empty with an AEAD).
    pub integ_key_in: SecretBytes,
    /// Outbound encryption key.
    pub encr_key_out: SecretBytes,
    /// Outbound integrity key.
    pub integ_key_out: SecretBytes,
    /// Our side's selectors.
    pub local_ts: Vec<TrafficSelector>,
    /// The peer's side's selectors.
    pub remote_ts: Vec<TrafficSelector>,
    /// Our address (tunnel endpoint).
    pub local: SocketAddr,
    /// The peer's address.
    pub remote: SocketAddr,
    /// A NAT was detected: encapsulate ESP in UDP (RFC 3948).
    pub udp_encap: bool,
    /// Volume limits to enforce on both directions (from the child
    /// configuration; report crossings with `Endpoint::child_sa_expired`).
    pub limits: DataLimits,
}

/// A Child SA to remove from the data plane (deleted, rekeyed away or
/// expired). Both directions go: the inbound SA `spi_in` and the outbound
/// SA `spi_out`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSaRemove {
    /// Owning IKE SA.
    pub sa: SaHandle,
    /// Child configuration name.
    pub name: String,
    /// Our inbound SPI.
    pub spi_in: u32,
    /// Our outbound SPI.
    pub spi_out: u32,
}

/// A read-only view of one Child SA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSaInfo {
    /// Child configuration name.
    pub name: String,
    /// Our inbound SPI.
    pub spi_in: u32,
    /// Our outbound SPI.
    pub spi_out: u32,
    /// Tunnel or transport.
    pub mode: Mode,
}

/// What the endpoint wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Send a datagram.
    Transmit(Transmit),
    /// Install a Child SA (before the datagram completing its exchange).
    InstallChildSa(Box<ChildSaInstall>),
    /// Remove a Child SA (both directions) from the data plane.
    RemoveChildSa(Box<ChildSaRemove>),
    /// Our signer deferred (an HSM): sign the request and hand the answer
    /// to [`Endpoint::signature_ready`](crate::Endpoint::signature_ready).
    /// IKE_AUTH waits for it; the half-open timeout still runs.
    NeedSignature(Box<SignatureNeeded>),
    /// Something happened to an SA (`None`: a request refused before any
    /// SA existed, e.g. NO_PROPOSAL_CHOSEN in IKE_SA_INIT).
    Event {
        /// The SA concerned.
        sa: Option<SaHandle>,
        /// What happened.
        event: Event,
    },
    /// Nothing more to do; call [`Endpoint::handle_input`](crate::Endpoint::handle_input) with
    /// [`Input::Timeout`] at this instant (or earlier if a datagram comes).
    Timeout(Option<Instant>),
}

/// A signature our asynchronous signer owes for IKE_AUTH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureNeeded {
    /// The IKE SA waiting for it.
    pub sa: SaHandle,
    /// What to sign (the AUTH octets of RFC 7296 §2.15) and how (the
    /// method and scheme chosen by RFC 7427 negotiation).
    pub request: SignRequest,
}

/// Errors of the caller-facing API (never caused by received data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No peer configuration with this name.
    #[error("no peer configuration named `{0}`")]
    UnknownPeer(String),
    /// The configuration cannot start an exchange (no usable proposal,
    /// unsupported key exchange, randomness failure).
    #[error("cannot initiate with `{0}`: {1}")]
    CannotInitiate(String, &'static str),
    /// The handle names no SA (it was removed, or never existed).
    #[error("no such IKE SA")]
    UnknownSa,
    /// The peer configuration has no child configuration of this name.
    #[error("no child configuration named `{0}`")]
    UnknownChild(String),
    /// The command needs an established IKE SA (or another state).
    #[error("IKE SA is {state}; {command} needs it established")]
    NotEstablished {
        /// The command refused.
        command: &'static str,
        /// The SA's state name.
        state: &'static str,
    },
    /// No Child SA with this inbound SPI under the IKE SA.
    #[error("no Child SA with inbound SPI {spi_in:08x}")]
    UnknownChildSa {
        /// The SPI given.
        spi_in: u32,
    },
    /// Too many requests are already queued on this IKE SA.
    #[error("request queue of the IKE SA is full")]
    QueueFull,
    /// The IKE SA is being deleted; nothing more is started on it.
    #[error("IKE SA is being deleted")]
    Deleting,
    /// [`Endpoint::signature_ready`](crate::Endpoint::signature_ready) for
    /// an SA that waits for no signature (answered already, or gone).
    #[error("the IKE SA waits for no signature")]
    NoSignaturePending,
}

/// A read-only view of one IKE SA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaInfo {
    /// Initiator's SPI.
    pub spi_i: u64,
    /// Responder's SPI.
    pub spi_r: u64,
    /// Whether we initiated it.
    pub initiator: bool,
    /// State name.
    pub state: &'static str,
    /// Peer configuration in use.
    pub peer_config: String,
    /// Authenticated peer identity.
    pub peer_id: Option<Identity>,
    /// NAT detected in front of us.
    pub nat_local: bool,
    /// NAT detected in front of the peer.
    pub nat_remote: bool,
    /// Child SAs installed under this IKE SA.
    pub children: Vec<ChildSaInfo>,
    /// The negotiated IKE proposal, once IKE_SA_INIT completed.
    pub ike_proposal: Option<Proposal>,
    /// Our address for this SA (UDP 4500 after a float).
    pub local: SocketAddr,
    /// The peer's address as last authenticated (follows a NAT's mapping).
    pub remote: SocketAddr,
}
