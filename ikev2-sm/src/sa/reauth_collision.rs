//! Simultaneous reauthentication: both ends reauthenticate the same IKE SA
//! at about the same time (both have a reauthentication lifetime, or both
//! users called `reauthenticate`). RFC 7296 does not define this
//! collision; left alone, each side would build a new IKE SA with its own
//! copy of every Child SA and both would stay up.
//!
//! # The rule
//!
//! Both ends hold both new IKE SAs, so both know the four IKE_SA_INIT
//! nonces. As for simultaneous IKE SA rekeys (RFC 7296 §2.8.2, the same
//! comparison as `ike_collision.rs`), the new IKE SA whose IKE_SA_INIT
//! carried the lowest of the four nonces is **redundant**; the other one
//! **survives**. Each side reaches this on its own, with no extra message.
//!
//! Unlike §2.8.2, the redundant SA is deleted by the initiator of the
//! **surviving** one, when its reauthentication is complete (every Child
//! SA recreated, the last CREATE_CHILD_SA answered): that is the one
//! moment at which one end knows the survivor's Child SAs are installed on
//! both ends, so deleting the redundant SA then never leaves traffic
//! without an SA. That initiator deletes the old IKE SA too (exactly as a
//! plain reauthentication does); the initiator of the redundant SA stops
//! recreating Child SAs on it and deletes neither, it waits. The Child SAs
//! of the two new IKE SAs have the same selectors and coexist until then,
//! told apart by SPI; deleting one IKE SA removes only its own.
//!
//! # Detection
//!
//! A reauthentication under way (or completed less than a retransmission
//! schedule ago, [`window`]) collides with an IKE SA the peer set up by
//! IKE_AUTH ([`Birth`]) for the same peer configuration and the same
//! authenticated peer identity, born no earlier than a [`window`] before
//! ours started (the peer may have started first), other than the IKE SA
//! being replaced. The decision is taken once both are established.
//!
//! # When the two ends do not agree
//!
//! An end that does not see the collision (the windows are measured on
//! two clocks; a peer that is not this library) behaves as a plain
//! reauthentication. Fallbacks keep the outcome at one IKE SA:
//! - the loser's initiator deletes its redundant SA itself if the peer
//!   has not a retransmission timeout after it deleted the old IKE SA
//!   (the winner sends both Deletes together), or a [`window`] after the
//!   decision otherwise;
//! - if the survivor goes away first, the loser's initiator resumes its
//!   own reauthentication as if nothing had collided.
//!
//! Each side reports [`Event::SimultaneousReauth`] on the redundant IKE SA
//! when it stops sending on its Child SAs: the winner when it deletes it,
//! the loser once the survivor is complete on both ends (the peer deleted
//! the old IKE SA, or the redundant one) or at its deadline. Then
//! `Event::IkeSaReauthenticated` names the survivor on the old handle.

use std::time::{Duration, Instant};

use super::{IkeSa, SaRole, State};
use crate::endpoint::SaHandle;
use crate::events::Event;

/// Octets of the lower nonce kept per IKE SA (RFC 7296 nonces are at
/// least 16 octets): the comparison is over this prefix, a tie (2^-128)
/// decides nothing.
pub(crate) const NONCE_PREFIX: usize = 16;

/// How an IKE SA set up by IKE_SA_INIT and IKE_AUTH came to be (none for
/// one created by a rekey).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Birth {
    /// The first octets of the lower of its IKE_SA_INIT nonces (zero
    /// padded if shorter, which a peer cannot make us accept).
    pub(crate) low: [u8; NONCE_PREFIX],
    /// When IKE_AUTH completed here.
    pub(crate) at: Instant,
}

impl Birth {
    pub(crate) fn new(ni: &[u8], nr: &[u8], at: Instant) -> Self {
        let mut low = [0u8; NONCE_PREFIX];
        for (d, s) in low.iter_mut().zip(ni.min(nr)) {
            *d = *s;
        }
        Self { low, at }
    }
}

/// How long a reauthentication may take to reach the other end, both
/// before ours started and after it completed: the retransmission
/// schedule of the peer configuration.
pub(crate) fn window(sa: &IkeSa, peers: &[std::sync::Arc<crate::config::PeerConfig>]) -> Duration {
    peers
        .get(sa.peer)
        .map(|p| p.retransmit)
        .unwrap_or_default()
        .give_up_after()
}

/// `at` plus `d`, or `at` if that is not representable (an absurd
/// retransmission configuration).
pub(crate) fn after(at: Instant, d: Duration) -> Instant {
    at.checked_add(d).unwrap_or(at)
}

fn birth(sa: &IkeSa) -> Option<&Birth> {
    match &sa.state {
        State::Established(e) => e.born.as_ref(),
        _ => None,
    }
}

/// Whether `q` could be the peer's reauthentication colliding with ours
/// (`ours` the IKE SA we started, or the old one `old` while ours is not
/// up): set up by the peer through IKE_AUTH no earlier than `since` (if
/// representable), for the same configuration and authenticated
/// identity, not being deleted.
pub(crate) fn candidate(ours: &IkeSa, old: SaHandle, since: Option<Instant>, q: &IkeSa) -> bool {
    let going = match &q.state {
        State::Established(e) => e.cc.superseded() || q.queue.deleting_ike_sa(),
        _ => true,
    };
    q.handle != ours.handle
        && q.handle != old
        && q.role == SaRole::Responder
        && q.peer == ours.peer
        && q.peer_id.is_some()
        && q.peer_id == ours.peer_id
        && !going
        && birth(q).is_some_and(|b| since.is_none_or(|t| b.at >= t))
}

/// The decision between our new IKE SA and the peer's, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Our IKE SA survives.
    pub(crate) we_won: bool,
    /// The IKE SA we initiated.
    pub(crate) ours: SaHandle,
    /// The IKE SA the peer initiated.
    pub(crate) theirs: SaHandle,
    ours_spis: (u64, u64),
    theirs_spis: (u64, u64),
    ours_low: [u8; NONCE_PREFIX],
    theirs_low: [u8; NONCE_PREFIX],
}

impl Decision {
    /// Compares `ours` and `theirs` (both established by IKE_AUTH); `None`
    /// if either has no birth or the nonces tie over their common length
    /// (then neither side calls its SA redundant: 2^-128 for real nonces).
    pub(crate) fn take(ours: &IkeSa, theirs: &IkeSa) -> Option<Self> {
        let (a, b) = (birth(ours)?, birth(theirs)?);
        let ours_lost = super::ike_collision::lowest(&a.low, &b.low);
        if !ours_lost && !super::ike_collision::lowest(&b.low, &a.low) {
            return None;
        }
        Some(Self {
            we_won: !ours_lost,
            ours: ours.handle,
            theirs: theirs.handle,
            ours_spis: (ours.spi_i, ours.spi_r),
            theirs_spis: (theirs.spi_i, theirs.spi_r),
            ours_low: a.low,
            theirs_low: b.low,
        })
    }

    /// The IKE SA that carries on.
    pub(crate) fn survivor(&self) -> SaHandle {
        if self.we_won {
            self.ours
        } else {
            self.theirs
        }
    }

    /// The IKE SA that goes.
    pub(crate) fn redundant(&self) -> SaHandle {
        if self.we_won {
            self.theirs
        } else {
            self.ours
        }
    }

    /// An IKE SA rekey replaced `old` by `new`.
    pub(crate) fn follow(&mut self, old: SaHandle, new: SaHandle) {
        for h in [&mut self.ours, &mut self.theirs] {
            if *h == old {
                *h = new;
            }
        }
    }

    /// The event.
    pub(crate) fn event(&self) -> Event {
        let (survivor_spis, redundant_spis, lowest, survivor_lowest) = if self.we_won {
            (
                self.ours_spis,
                self.theirs_spis,
                &self.theirs_low,
                &self.ours_low,
            )
        } else {
            (
                self.theirs_spis,
                self.ours_spis,
                &self.ours_low,
                &self.theirs_low,
            )
        };
        Event::SimultaneousReauth {
            we_won: self.we_won,
            survivor: self.survivor(),
            redundant: self.redundant(),
            survivor_spis,
            redundant_spis,
            lowest_nonce: lowest.to_vec(),
            survivor_nonce: survivor_lowest.to_vec(),
        }
    }
}

/// What the loser knows of the old IKE SA, which tells when the peer's
/// reauthentication is complete (the survivor's initiator deletes the old
/// IKE SA only then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OldSa {
    /// Still there at the decision: its delete by the peer will say so.
    There,
    /// The peer deleted it before the decision: it is complete.
    DeletedByPeer,
    /// We deleted it (ours completed before the decision): no signal.
    DeletedByUs,
}

/// Ours lost: what we wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lost {
    /// The decision.
    pub(crate) decision: Decision,
    /// When we stop waiting for the peer to delete ours.
    pub(crate) deadline: Instant,
    /// The old IKE SA, as it was at the decision.
    pub(crate) old: OldSa,
    /// `Event::SimultaneousReauth` was reported (we stopped using ours).
    pub(crate) reported: bool,
}

/// Where one reauthentication stands with respect to a collision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Setting up our new IKE SA; no collision seen.
    Building,
    /// Setting up, and ours won: once complete, we delete the redundant
    /// SA as well as the old one.
    Won(Decision),
    /// Complete; watching until `until` for a peer reauthentication that
    /// crossed ours.
    Watching {
        /// End of the watch.
        until: Instant,
    },
    /// Ours lost: the peer deletes it once the survivor is complete; at
    /// the deadline we delete it ourselves.
    Lost(Box<Lost>),
}

#[cfg(test)]
mod tests {
    use super::Birth;
    use std::time::Instant;

    #[test]
    fn birth_keeps_the_lower_nonce() {
        let now = Instant::now();
        let (a, b) = ([2u8; 32], [1u8; 32]);
        assert_eq!(Birth::new(&a, &b, now).low, [1u8; 16]);
        let mut c = b;
        c[20] = 0;
        // The lower of the whole nonces, then its prefix.
        assert_eq!(Birth::new(&b, &c, now).low, [1u8; 16]);
        assert_eq!(Birth::new(&[1, 0], &[1, 9], now).low[..3], [1, 0, 0]);
    }
}
