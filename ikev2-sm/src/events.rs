//! What the state machine reports to the embedder, and why SAs fail.
//!
//! Every failure is a typed [`Failure`] that names the cause and carries the
//! evidence an operator needs (both proposal lists, both selector sets, the
//! exchange that timed out), so a user can tell why without a capture.
//! [`Failure::notify`] gives the error notification a responder sends for it
//! (like rustls's `AlertDescription` mapping).
//!
//! Status: the exchanges that emit these are not written yet. The selection
//! and narrowing code already produces the diagnostics carried here
//! ([`NoProposalChosen`], [`TsUnacceptable`]), and the request window
//! produces the retransmit timeout.

use core::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use ikev2_wire::{ExchangeType, KeId, NotifyType};

use crate::config::Identity;
use crate::proposal::NoProposalChosen;
use crate::ts::{TrafficSelector, TsUnacceptable};

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The peer's PSK-based AUTH value did not verify: the keys differ.
    PskMismatch,
    /// A signature did not verify with the certificate's key.
    SignatureInvalid,
    /// The peer used another method than configured.
    MethodMismatch {
        /// What we require (as configured).
        expected: &'static str,
        /// What the peer used (AUTH method name).
        received: String,
    },
    /// The authenticated identity is not the one configured.
    IdentityMismatch {
        /// Configured remote identity.
        expected: String,
        /// Identity in IDi/IDr.
        received: String,
    },
    /// The peer's certificate was rejected.
    Certificate(CertFailure),
    /// The peer told us our authentication failed (AUTHENTICATION_FAILED).
    RejectedByPeer,
    /// Certificates cannot be checked: no wall clock configured
    /// ([`CertTrust::clock`](crate::config::CertTrust::clock)).
    NoWallClock,
    /// Our own signature could not be made: key and scheme do not fit, the
    /// signer failed (an asynchronous signer's error text), its answer does
    /// not verify with our public key, or it did not answer within the
    /// half-open timeout.
    LocalSigner(String),
}

/// Why a certificate was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertFailure {
    /// Outside its validity period.
    Expired,
    /// Key usage does not allow signing.
    KeyUsage,
    /// Extended key usage excludes IKE (RFC 4945 §5.1.3.12).
    ExtendedKeyUsage,
    /// The identity is not in the certificate's subject or SAN.
    IdentityNotInCertificate,
    /// No chain to a trusted anchor.
    Untrusted,
    /// Revoked.
    Revoked,
    /// The peer sent no certificate (no CERT payload of encoding 4).
    NotSent,
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PskMismatch => f.write_str("pre-shared key mismatch"),
            Self::SignatureInvalid => f.write_str("signature invalid"),
            Self::MethodMismatch { expected, received } => {
                write!(
                    f,
                    "peer authenticated with {received}, configured {expected}"
                )
            }
            Self::IdentityMismatch { expected, received } => {
                write!(
                    f,
                    "peer identity {received} does not match configured {expected}"
                )
            }
            Self::Certificate(c) => write!(f, "certificate rejected: {c}"),
            Self::RejectedByPeer => f.write_str("peer rejected our authentication"),
            Self::NoWallClock => f.write_str("no wall clock to check certificate validity"),
            Self::LocalSigner(why) => write!(f, "cannot sign our AUTH payload: {why}"),
        }
    }
}

impl fmt::Display for CertFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Expired => "expired or not yet valid",
            Self::KeyUsage => "key usage does not permit digital signatures",
            Self::ExtendedKeyUsage => "extended key usage does not permit IKE",
            Self::IdentityNotInCertificate => "identity not in subject or subjectAltName",
            Self::Untrusted => "no path to a trusted CA",
            Self::Revoked => "revoked",
            Self::NotSent => "peer sent no certificate",
        })
    }
}

/// Why an IKE or Child SA could not be set up or was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No proposal acceptable, with what each side offered and why each
    /// received proposal was refused.
    NoProposalChosen {
        /// Diagnostic from proposal selection.
        diagnostic: Box<NoProposalChosen>,
    },
    /// The peer asked for a different key exchange method more times than
    /// allowed, or for one we do not offer.
    InvalidKe {
        /// The group the peer requested.
        requested: KeId,
    },
    /// Authentication failed.
    AuthenticationFailed {
        /// The cause.
        cause: AuthFailure,
    },
    /// Traffic selectors could not be agreed.
    TsUnacceptable {
        /// Our policy's selectors.
        ours: Vec<TrafficSelector>,
        /// The peer's selectors.
        theirs: Vec<TrafficSelector>,
    },
    /// A request was retransmitted until the schedule ran out: the peer is
    /// unreachable or dead.
    RetransmitTimeout {
        /// The exchange that got no answer.
        exchange: ExchangeType,
        /// Retransmissions sent.
        retransmits: u32,
        /// Time from the first send to giving up.
        after: Duration,
    },
    /// An authenticated peer answered with an error notification.
    PeerError {
        /// The notification.
        notify: NotifyType,
    },
    /// The peer refused our CREATE_CHILD_SA for a new Child SA or a Child
    /// SA rekey (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, CHILD_SA_NOT_FOUND...);
    /// the IKE SA is unaffected.
    ChildSaRefused {
        /// Child configuration name.
        name: String,
        /// Whether it was a rekey.
        rekey: bool,
        /// The peer's error notification.
        notify: NotifyType,
    },
    /// The peer refused our IKE SA rekey; the IKE SA keeps going until its
    /// hard lifetime.
    IkeRekeyRefused {
        /// The peer's error notification.
        notify: NotifyType,
    },
    /// The IKE SA reached its hard lifetime (`life_time`) without being
    /// rekeyed and was deleted.
    Expired,
    /// An authenticated request from the peer was malformed: its inner
    /// payloads did not parse, or it lacked a payload its exchange needs
    /// (RFC 7296 §3.10.1); answered with INVALID_SYNTAX. The IKE SA is
    /// unaffected (in IKE_AUTH: it comes up without a Child SA).
    Malformed {
        /// The request's exchange.
        exchange: ExchangeType,
        /// What was wrong with it.
        detail: &'static str,
    },
    /// A reauthentication of this IKE SA did not complete: the new IKE SA
    /// failed or was removed before it was up. This IKE SA and its Child SAs
    /// stay as they are, and a fresh reauthentication is tried after
    /// `retry_in` (backing off from about 15 s, always before the hard
    /// lifetime); without a retry they stay until their hard lifetime.
    ReauthFailed {
        /// Why the new IKE SA failed (also reported on its own handle);
        /// `None` when it was deleted (by a command or the peer) before it
        /// was up.
        cause: Option<Box<Failure>>,
        /// Which attempt failed: 1 for the first reauthentication, then
        /// one more per retry.
        attempt: u32,
        /// When the next attempt starts; `None`: no retry (the IKE SA is
        /// being deleted or rekeyed, or its hard lifetime is too close).
        retry_in: Option<Duration>,
    },
}

impl Failure {
    /// The error notification a responder sends for this failure, if any
    /// (RFC 7296 §3.10.1); `None` for failures that are not reported to
    /// the peer.
    #[must_use]
    pub fn notify(&self) -> Option<NotifyType> {
        Some(match self {
            Self::NoProposalChosen { .. } => NotifyType::NoProposalChosen,
            Self::InvalidKe { .. } => NotifyType::InvalidKePayload,
            Self::AuthenticationFailed {
                cause: AuthFailure::RejectedByPeer,
            } => return None,
            Self::AuthenticationFailed { .. } => NotifyType::AuthenticationFailed,
            Self::TsUnacceptable { .. } => NotifyType::TsUnacceptable,
            Self::RetransmitTimeout { .. }
            | Self::PeerError { .. }
            | Self::ChildSaRefused { .. }
            | Self::IkeRekeyRefused { .. }
            | Self::Expired
            | Self::ReauthFailed { .. } => return None,
            Self::Malformed { .. } => NotifyType::InvalidSyntax,
        })
    }

    /// A short stable name for counting (`show crypto ikev2 stats` style).
    #[must_use]
    pub fn kind(&self) -> FailureKind {
        match self {
            Self::NoProposalChosen { .. } => FailureKind::NoProposalChosen,
            Self::InvalidKe { .. } => FailureKind::InvalidKe,
            Self::AuthenticationFailed { .. } => FailureKind::AuthenticationFailed,
            Self::TsUnacceptable { .. } => FailureKind::TsUnacceptable,
            Self::RetransmitTimeout { .. } => FailureKind::RetransmitTimeout,
            Self::PeerError { .. } => FailureKind::PeerError,
            Self::ChildSaRefused { .. } => FailureKind::ChildSaRefused,
            Self::IkeRekeyRefused { .. } => FailureKind::IkeRekeyRefused,
            Self::Expired => FailureKind::Expired,
            Self::Malformed { .. } => FailureKind::Malformed,
            Self::ReauthFailed { .. } => FailureKind::ReauthFailed,
        }
    }
}

impl From<Box<NoProposalChosen>> for Failure {
    fn from(diagnostic: Box<NoProposalChosen>) -> Self {
        Self::NoProposalChosen { diagnostic }
    }
}

impl From<TsUnacceptable> for Failure {
    fn from(e: TsUnacceptable) -> Self {
        Self::TsUnacceptable {
            ours: e.ours,
            theirs: e.theirs,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoProposalChosen { diagnostic } => write!(f, "NO_PROPOSAL_CHOSEN: {diagnostic}"),
            Self::InvalidKe { requested } => {
                write!(f, "INVALID_KE_PAYLOAD: peer requires {requested}")
            }
            Self::AuthenticationFailed { cause } => write!(f, "AUTHENTICATION_FAILED: {cause}"),
            Self::TsUnacceptable { ours, theirs } => write!(
                f,
                "TS_UNACCEPTABLE: {}",
                TsUnacceptable {
                    ours: ours.clone(),
                    theirs: theirs.clone()
                }
            ),
            Self::RetransmitTimeout {
                exchange,
                retransmits,
                after,
            } => write!(
                f,
                "{exchange} request unanswered after {retransmits} retransmissions ({:.1} s): peer unreachable",
                after.as_secs_f64()
            ),
            Self::PeerError { notify } => write!(f, "peer sent {notify}"),
            Self::ChildSaRefused {
                name,
                rekey,
                notify,
            } => write!(
                f,
                "peer refused {} Child SA `{name}`: {notify}",
                if *rekey { "to rekey" } else { "to create" }
            ),
            Self::IkeRekeyRefused { notify } => write!(f, "peer refused to rekey the IKE SA: {notify}"),
            Self::Expired => f.write_str("IKE SA hard lifetime reached without a rekey"),
            Self::Malformed { exchange, detail } => {
                write!(f, "malformed {exchange} request from the peer: {detail} (sent INVALID_SYNTAX)")
            }
            Self::ReauthFailed {
                cause,
                attempt,
                retry_in,
            } => {
                write!(f, "reauthentication attempt {attempt} failed, old IKE SA kept")?;
                match retry_in {
                    Some(d) => write!(f, ", retry in {:.1} s", d.as_secs_f64())?,
                    None => f.write_str(", no retry before its hard lifetime")?,
                }
                match cause {
                    Some(c) => write!(f, ": {c}"),
                    None => f.write_str(": new IKE SA deleted before it was up"),
                }
            }
        }
    }
}

/// [`Failure`] without its evidence, for counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FailureKind {
    /// [`Failure::NoProposalChosen`].
    NoProposalChosen,
    /// [`Failure::InvalidKe`].
    InvalidKe,
    /// [`Failure::AuthenticationFailed`].
    AuthenticationFailed,
    /// [`Failure::TsUnacceptable`].
    TsUnacceptable,
    /// [`Failure::RetransmitTimeout`].
    RetransmitTimeout,
    /// [`Failure::PeerError`].
    PeerError,
    /// [`Failure::ChildSaRefused`].
    ChildSaRefused,
    /// [`Failure::IkeRekeyRefused`].
    IkeRekeyRefused,
    /// [`Failure::Expired`].
    Expired,
    /// [`Failure::Malformed`].
    Malformed,
    /// [`Failure::ReauthFailed`].
    ReauthFailed,
}

impl FailureKind {
    /// Every kind, in counter order.
    pub const ALL: [Self; 11] = [
        Self::NoProposalChosen,
        Self::InvalidKe,
        Self::AuthenticationFailed,
        Self::TsUnacceptable,
        Self::RetransmitTimeout,
        Self::PeerError,
        Self::ChildSaRefused,
        Self::IkeRekeyRefused,
        Self::Expired,
        Self::Malformed,
        Self::ReauthFailed,
    ];

    /// Counter label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::NoProposalChosen => "no proposal chosen",
            Self::InvalidKe => "invalid KE",
            Self::AuthenticationFailed => "authentication failed",
            Self::TsUnacceptable => "TS unacceptable",
            Self::RetransmitTimeout => "retransmit timeout",
            Self::PeerError => "peer error notify",
            Self::ChildSaRefused => "child SA refused",
            Self::IkeRekeyRefused => "IKE rekey refused",
            Self::Expired => "IKE SA expired",
            Self::Malformed => "malformed request",
            Self::ReauthFailed => "reauthentication failed",
        }
    }
}

/// What happened to an SA, as the [`Endpoint`](crate::Endpoint) reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The IKE SA is established.
    IkeSaUp,
    /// A Child SA is established (installed before this event).
    ChildSaUp {
        /// Child configuration name.
        name: String,
    },
    /// The SA was deleted (by us, by the peer, or expired).
    Deleted,
    /// A Child SA was rekeyed: the new SA is installed (an
    /// `InstallChildSa` came before) and outbound traffic switches to it
    /// now; the old one follows as `RemoveChildSa` after the overlap.
    ChildSaRekeyed {
        /// Child configuration name.
        name: String,
        /// The old SA's inbound SPI.
        old_spi_in: u32,
        /// The old SA's outbound SPI.
        old_spi_out: u32,
        /// The new SA's inbound SPI.
        new_spi_in: u32,
        /// The new SA's outbound SPI.
        new_spi_out: u32,
    },
    /// The IKE SA was rekeyed: it continues as `new` (new SPIs and keys,
    /// with every Child SA and every queued request); this handle only
    /// deletes itself from now on (an `IkeSaDeleted` follows for it).
    IkeSaRekeyed {
        /// The handle of the new IKE SA.
        new: crate::SaHandle,
    },
    /// The IKE SA was reauthenticated, make-before-break: the IKE SA `new`
    /// (fresh IKE_SA_INIT and IKE_AUTH) is up and carries new Child SAs for
    /// this one's (their `InstallChildSa` and `ChildSaUp` came before, on
    /// `new`). From now on outbound traffic goes on the new Child SAs, not
    /// on this IKE SA's, which the peer may remove any moment: this IKE SA
    /// now deletes itself, so its Child SAs' `RemoveChildSa` and
    /// `IkeSaDeleted` follow. Reported on the old handle by the side that
    /// started the reauthentication.
    IkeSaReauthenticated {
        /// The handle of the new IKE SA.
        new: crate::SaHandle,
        /// Child configurations whose Child SA the new IKE SA could not
        /// recreate (each refusal reported as `Failed` on `new`); empty
        /// when every Child SA was recreated.
        missing: Vec<String>,
    },
    /// Both ends reauthenticated the same IKE SA at about the same time
    /// and each built a new IKE SA with a copy of the Child SAs
    /// (`sa/reauth_collision.rs`). The one whose IKE_SA_INIT carried the
    /// lowest of the four nonces, `redundant`, goes; `survivor` carries
    /// on. Reported on `redundant` once, when this side stops sending on
    /// its Child SAs because the survivor's are up on both ends: the side
    /// that initiated the survivor when its reauthentication completes (it
    /// then deletes `redundant` and the old IKE SA); the other side when
    /// the peer deleted the old IKE SA or `redundant`, or after a
    /// retransmission schedule (then it deletes `redundant` itself). From
    /// then on outbound traffic goes on the survivor's Child SAs; the
    /// redundant SA's are removed by its delete (one that still comes up on
    /// it, a CREATE_CHILD_SA that was in flight, is installed for inbound
    /// traffic only). `IkeSaReauthenticated` on the old handle names the
    /// survivor.
    SimultaneousReauth {
        /// The IKE SA we initiated survives.
        we_won: bool,
        /// The IKE SA that carries on.
        survivor: crate::SaHandle,
        /// The IKE SA that goes (this event's handle).
        redundant: crate::SaHandle,
        /// The survivor's SPIs (initiator's, responder's).
        survivor_spis: (u64, u64),
        /// The redundant SA's SPIs (initiator's, responder's).
        redundant_spis: (u64, u64),
        /// The lowest of the four nonces, the lower of the redundant SA's
        /// IKE_SA_INIT nonces (its first 16 octets, what is compared).
        lowest_nonce: Vec<u8>,
        /// The lower of the survivor's IKE_SA_INIT nonces (first 16
        /// octets).
        survivor_nonce: Vec<u8>,
    },
    /// Two exchanges collided (RFC 7296 §2.8, §2.25) and this is how it
    /// was resolved.
    RekeyCollision {
        /// The Child SA's configuration name (`None`: the IKE SA).
        child: Option<String>,
        /// What happened.
        collision: Collision,
    },
    /// Setting up or keeping the SA failed.
    Failed {
        /// Why.
        reason: Failure,
    },
    /// A Child SA was deleted (RFC 7296 §1.4.1); its
    /// [`Output::RemoveChildSa`](crate::Output::RemoveChildSa) came just
    /// before. Also reported for every Child SA of a deleted IKE SA.
    ChildSaDeleted {
        /// Child configuration name.
        name: String,
        /// Our inbound SPI.
        spi_in: u32,
        /// Our outbound SPI.
        spi_out: u32,
        /// True if the peer asked for it, false if we did.
        by_peer: bool,
    },
    /// The peer authenticated with INITIAL_CONTACT (RFC 7296 §2.4): it
    /// holds no other IKE SA with us, so the endpoint removed the other IKE
    /// SAs of this identity and configuration (their Child SAs with
    /// `Output::RemoveChildSa`, then `IkeSaDeleted { by_peer: true }`).
    /// Reported only when there were some.
    InitialContact {
        /// The peer's authenticated identity.
        peer_id: crate::config::Identity,
        /// How many IKE SAs were removed.
        replaced: usize,
    },
    /// The IKE SA was deleted and is gone, with all its Child SAs (each
    /// reported first). `by_peer: false` also when our Delete went
    /// unanswered: the SA is removed either way.
    IkeSaDeleted {
        /// True if the peer sent the Delete, false if we did.
        by_peer: bool,
    },
    /// A request on an established IKE SA (a liveness check, a delete, a
    /// CREATE_CHILD_SA) was retransmitted until the schedule ran out: the
    /// peer is considered dead. Every Child SA was removed
    /// ([`Output::RemoveChildSa`](crate::Output::RemoveChildSa) before
    /// this event) and the IKE SA is gone.
    PeerDead {
        /// The peer's address.
        peer: SocketAddr,
        /// The peer's authenticated identity.
        peer_id: Option<Identity>,
        /// Our peer configuration's name.
        config: String,
        /// The exchange left unanswered.
        exchange: ExchangeType,
        /// Retransmissions sent.
        retransmits: u32,
        /// Time from the first send of that request until giving up.
        after: Duration,
    },
    /// The authenticated peer sent an error notification in an
    /// INFORMATIONAL exchange (RFC 7296 §3.10.1). Kept in the error
    /// history too. AUTHENTICATION_FAILED also ends the IKE SA
    /// ([`Event::Failed`] follows); other errors change nothing.
    PeerErrorNotify {
        /// The notification type.
        notify: NotifyType,
        /// True if it came in a request, false in a response to ours.
        in_request: bool,
        /// The SPI field of the notification (empty if none).
        spi: Vec<u8>,
    },
    /// IKE fragmentation (RFC 7383) did something an operator should see.
    Fragmentation(FragmentEvent),
}

/// Why a received IKE fragment (SKF payload), or a whole set of them, was
/// dropped; counted per reason in [`Stats::fragments`](crate::stats::Stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FragmentDrop {
    /// Fragmentation was not negotiated for this IKE SA (RFC 7383 §2.3).
    NotNegotiated,
    /// No exchange it could belong to: a response fragment with no request
    /// outstanding, a request fragment outside the window, or an SA state
    /// without keys.
    Unexpected,
    /// Failed authentication or malformed (Next Payload set in a fragment
    /// other than the first, exchange type differing within a set).
    Invalid,
    /// A fragment already stored (retransmission or network duplicate).
    Duplicate,
    /// Total Fragments lower than the set being reassembled: a fragment of
    /// an older transmission (RFC 7383 §2.6).
    Stale,
    /// The set was discarded because the peer refragmented the message
    /// into more fragments (RFC 7383 §2.6; counted per set).
    Superseded,
    /// More fragments announced than `FragmentConfig::max_fragments`.
    TooManyFragments,
    /// The set grew beyond `FragmentConfig::max_message` (per set).
    TooLarge,
    /// The set was incomplete after `FragmentConfig::reassembly_timeout`
    /// (per set).
    Timeout,
}

impl fmt::Display for FragmentDrop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotNegotiated => "fragmentation not negotiated",
            Self::Unexpected => "no exchange expects it",
            Self::Invalid => "failed authentication or malformed",
            Self::Duplicate => "duplicate",
            Self::Stale => "older fragmentation of the message",
            Self::Superseded => "set replaced by a refragmented message",
            Self::TooManyFragments => "too many fragments",
            Self::TooLarge => "reassembled message too large",
            Self::Timeout => "reassembly timed out",
        })
    }
}

/// What IKE fragmentation reports through [`Event::Fragmentation`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FragmentEvent {
    /// A request went unanswered for `FragmentConfig::pmtu_fallback_after`
    /// retransmissions: a path-MTU problem is suspected and the remaining
    /// retransmissions carry smaller fragments (RFC 7383 §2.5.2).
    Refragmented {
        /// The request's message ID.
        message_id: u32,
        /// Its exchange.
        exchange: ExchangeType,
        /// The IP datagram size now used for its fragments.
        fragment_size: u16,
        /// The number of fragments it now has.
        fragments: usize,
    },
    /// An incomplete set of fragments was thrown away; the peer's
    /// retransmission may still complete the message.
    ReassemblyDiscarded {
        /// The message ID of the set.
        message_id: u32,
        /// Whether it was a response.
        response: bool,
        /// Fragments held when it was discarded.
        received: u16,
        /// Total Fragments announced.
        total: u16,
        /// Why.
        reason: FragmentDrop,
    },
}

impl fmt::Display for FragmentEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refragmented {
                message_id,
                exchange,
                fragment_size,
                fragments,
            } => write!(
                f,
                "{exchange} request #{message_id} unanswered: path MTU suspected, resending as {fragments} fragments of at most {fragment_size} octets"
            ),
            Self::ReassemblyDiscarded {
                message_id,
                response,
                received,
                total,
                reason,
            } => write!(
                f,
                "{} #{message_id}: {received} of {total} fragments discarded: {reason}",
                if *response { "response" } else { "request" }
            ),
        }
    }
}

/// How a rekey collision was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Collision {
    /// Both ends rekeyed the same Child SA at once; both exchanges
    /// completed and the one with the lowest nonce lost (RFC 7296 §2.8.1):
    /// its initiator deletes the SA it created.
    SimultaneousRekey {
        /// Our rekey's SA survives.
        we_won: bool,
    },
    /// Both ends rekeyed the IKE SA at once and both exchanges completed
    /// (RFC 7296 §2.8.2). The new IKE SA created with the lowest of the
    /// four nonces is redundant and deleted by the side that created it;
    /// the other one inherits the Child SAs, and its initiator deletes the
    /// old IKE SA. `Event::IkeSaRekeyed` follows with the survivor.
    SimultaneousIkeRekey {
        /// The IKE SA our rekey created survives.
        we_won: bool,
        /// The lower of our exchange's nonces (our Ni, the peer's Nr).
        ours_lowest: Vec<u8>,
        /// The lower of the peer's exchange's nonces (its Ni, our Nr).
        theirs_lowest: Vec<u8>,
    },
    /// The peer refused our rekey with TEMPORARY_FAILURE because it was
    /// rekeying the same SA; its new SA takes over. For the IKE SA (`child`
    /// `None`): the peer completed its rekey before it saw ours (it refused
    /// ours or deleted the old IKE SA meanwhile), so the IKE SA its rekey
    /// created takes over.
    PeerRekeyWins,
    /// The peer deleted the SA while our rekey was outstanding; the SA our
    /// rekey created is deleted too (RFC 7296 §2.25.1).
    RekeyCrossedDelete,
    /// We refused the peer's request with TEMPORARY_FAILURE: it conflicted
    /// with an exchange of ours (RFC 7296 §2.25).
    RefusedTemporarily,
    /// The peer refused ours with TEMPORARY_FAILURE; we retry after `after`
    /// (random, 1-5 s).
    RetryAfter {
        /// The delay.
        after: Duration,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::{parse_proposals, select, SelectionPolicy};
    use crate::ts::{narrow, TsSpec};
    use crate::window::RetransmitConfig;
    use ikev2_wire::ProtocolId;

    #[test]
    fn selection_failure_becomes_no_proposal_chosen() {
        let local = parse_proposals(ProtocolId::Ike, "aes256gcm16-prfsha256-x25519").unwrap();
        let received = parse_proposals(ProtocolId::Ike, "aes256-sha256-modp1024").unwrap();
        let f = Failure::from(select(&local, &received, &SelectionPolicy::default()).unwrap_err());
        assert_eq!(f.notify(), Some(NotifyType::NoProposalChosen));
        assert_eq!(f.kind(), FailureKind::NoProposalChosen);
        let text = f.to_string();
        assert!(
            text.starts_with("NO_PROPOSAL_CHOSEN: no acceptable proposal"),
            "{text}"
        );
        assert!(
            text.contains("KE MODP_1024 not in local set {CURVE_25519}"),
            "{text}"
        );
    }

    #[test]
    fn narrowing_failure_becomes_ts_unacceptable() {
        let ts = |s| TsSpec::parse(s).unwrap().resolve(None).unwrap();
        let f = Failure::from(narrow(&[ts("10.9.0.0/16")], &[ts("10.1.0.0/16")]).unwrap_err());
        assert_eq!(f.notify(), Some(NotifyType::TsUnacceptable));
        assert_eq!(
            f.to_string(),
            "TS_UNACCEPTABLE: traffic selectors unacceptable: proposed {10.9.0.0/16} but local policy allows {10.1.0.0/16}"
        );
    }

    #[test]
    fn timeout_names_exchange_and_is_not_notified() {
        let c = RetransmitConfig::default();
        let f = Failure::RetransmitTimeout {
            exchange: ExchangeType::IkeAuth,
            retransmits: c.tries,
            after: c.give_up_after(),
        };
        assert_eq!(f.notify(), None);
        assert_eq!(
            f.to_string(),
            "IKE_AUTH request unanswered after 5 retransmissions (165.1 s): peer unreachable"
        );
    }

    #[test]
    fn auth_causes_are_distinguished() {
        let psk = Failure::AuthenticationFailed {
            cause: AuthFailure::PskMismatch,
        };
        let cert = Failure::AuthenticationFailed {
            cause: AuthFailure::Certificate(CertFailure::ExtendedKeyUsage),
        };
        assert_eq!(
            psk.to_string(),
            "AUTHENTICATION_FAILED: pre-shared key mismatch"
        );
        assert_eq!(
            cert.to_string(),
            "AUTHENTICATION_FAILED: certificate rejected: extended key usage does not permit IKE"
        );
        assert_eq!(cert.notify(), Some(NotifyType::AuthenticationFailed));
        let rejected = Failure::AuthenticationFailed {
            cause: AuthFailure::RejectedByPeer,
        };
        assert_eq!(
            rejected.notify(),
            None,
            "never answer a notify with a notify"
        );
        assert_eq!(FailureKind::ALL.len(), 11);
        let reauth = Failure::ReauthFailed {
            cause: Some(Box::new(Failure::Expired)),
            attempt: 2,
            retry_in: Some(Duration::from_millis(12_500)),
        };
        assert_eq!(reauth.kind(), FailureKind::ReauthFailed);
        assert_eq!(reauth.notify(), None);
        assert_eq!(
            reauth.to_string(),
            "reauthentication attempt 2 failed, old IKE SA kept, retry in 12.5 s: \
             IKE SA hard lifetime reached without a rekey"
        );
        let last = Failure::ReauthFailed {
            cause: None,
            attempt: 1,
            retry_in: None,
        };
        assert!(last.to_string().contains("no retry"), "{last}");
    }
}
