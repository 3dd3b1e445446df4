//! The endpoint's side of simultaneous reauthentications
//! (`sa/reauth_collision.rs`): finding the peer's IKE SA that crossed
//! ours, applying the decision, and the fallbacks.

use std::time::Instant;

use super::{live, Endpoint, SaHandle};
use crate::events::Event;
use crate::sa::reauth::{self, Link};
use crate::sa::reauth_collision::{after, candidate, window, Decision, Lost, OldSa, Phase};
use crate::sa::{info, State};
use crate::timer::Timer;

impl Endpoint {
    /// The IKE SAs already there when `link` starts that may be the peer's
    /// reauthentication of the same SA (it may have started first).
    pub(super) fn collision_candidates(&self, link: &Link) -> Vec<SaHandle> {
        let Some(old) = self.get(link.old) else {
            return Vec::new();
        };
        let since = link.started.checked_sub(window(old, &self.peers));
        self.slots
            .iter()
            .filter_map(|s| s.sa.as_ref())
            .filter(|q| candidate(old, link.old, since, q))
            .map(|q| q.handle)
            .collect()
    }

    /// Once our new IKE SA is up, decides against a colliding one of the
    /// peer's, if any.
    pub(super) fn detect_collision(&mut self, now: Instant, link: &mut Link) {
        if !matches!(link.phase, Phase::Building | Phase::Watching { .. })
            || link.candidates.is_empty()
        {
            return;
        }
        let Some(ours) = self.get(link.new) else {
            return;
        };
        if !matches!(ours.state, State::Established(_)) {
            return;
        }
        let since = link.started.checked_sub(window(ours, &self.peers));
        link.candidates.retain(|h| self.get(*h).is_some());
        let decision = link
            .candidates
            .iter()
            .filter_map(|h| self.get(*h))
            .filter(|q| candidate(ours, link.old, since, q))
            .find_map(|q| Decision::take(ours, q));
        let Some(d) = decision else {
            return;
        };
        let deadline = after(now, window(ours, &self.peers));
        match (&link.phase, d.we_won) {
            // Ours completes first; then it deletes the redundant SA.
            (Phase::Building, true) => link.phase = Phase::Won(d),
            // Ours is complete already.
            (_, true) => {
                self.delete_redundant(now, &d);
                link.phase = Phase::Watching { until: now };
            }
            // Recreate nothing more on ours; wait for the peer's delete.
            (phase, false) => {
                let old = match (phase, self.get(link.old).is_some()) {
                    (Phase::Watching { .. }, _) => OldSa::DeletedByUs,
                    (_, true) => OldSa::There,
                    (_, false) => OldSa::DeletedByPeer,
                };
                link.rest.clear();
                // Its reauthentication timer becomes the deadline (a
                // reauthentication of it is refused: `redundant`); Child
                // SAs queued for it are dropped (one in flight completes).
                if let Some(sa) = live(&mut self.slots, d.ours) {
                    sa.timers.set(Timer::Reauth, deadline);
                    crate::sa::queue::RequestQueue::default().adopt_waiting(&mut sa.queue);
                }
                self.reschedule(d.ours.index);
                link.phase = Phase::Lost(Box::new(Lost {
                    decision: d,
                    deadline,
                    old,
                    reported: false,
                }));
            }
        }
    }

    /// Whether `handle` is the redundant IKE SA of a collision (not to be
    /// reauthenticated: it goes).
    pub(super) fn redundant(&self, handle: SaHandle) -> bool {
        self.reauths.iter().any(|l| match &l.phase {
            Phase::Won(d) => d.redundant() == handle,
            Phase::Lost(x) => x.decision.redundant() == handle,
            Phase::Building | Phase::Watching { .. } => false,
        })
    }

    /// Ours won and its Child SAs are all up: reports the collision and
    /// deletes the peer's redundant IKE SA (with its Child SAs).
    pub(super) fn delete_redundant(&mut self, now: Instant, d: &Decision) {
        let redundant = d.redundant();
        let mut ctx = ctx!(self, now);
        ctx.stats.reauth.collisions_won += 1;
        ctx.event(Some(redundant), d.event());
        if let Some(sa) = live(&mut self.slots, redundant) {
            if matches!(sa.state, State::Established(_)) && !sa.queue.deleting_ike_sa() {
                let _ = sa.queue_request(&mut ctx, info::delete_ike());
            }
        }
        self.reschedule(redundant.index);
    }

    /// Ours lost. We stop using it once the survivor is complete on both
    /// ends (the peer deleted the old IKE SA, or ours), or at the deadline,
    /// when we delete it ourselves (one retransmission timeout after the
    /// peer deleted the old SA, a retransmission schedule otherwise); if
    /// the survivor went instead, ours carries on as a plain
    /// reauthentication. False once settled.
    pub(super) fn settle_lost(&mut self, now: Instant, link: &mut Link) -> bool {
        let Phase::Lost(lost) = &link.phase else {
            return true;
        };
        let lost = (**lost).clone();
        let d = &lost.decision;
        let survivor_up = self
            .get(d.survivor())
            .is_some_and(|sa| matches!(sa.state, State::Established(_)));
        let ours_there = self.get(d.ours).is_some();
        if ours_there && !survivor_up {
            let mut ctx = ctx!(self, now);
            if let Some(sa) = live(&mut self.slots, d.ours) {
                reauth::arm(&mut ctx, sa);
            }
            self.reschedule(d.ours.index);
            link.phase = Phase::Building;
            // What ours does not carry yet is recreated after all.
            if let Some(sa) = self.get(d.ours) {
                link.rest = reauth::missing(sa, &link.wanted);
            }
            return self.build_step(now, link);
        }
        let missing = self
            .get(d.survivor())
            .map(|sa| reauth::missing(sa, &link.wanted))
            .unwrap_or_else(|| link.wanted.clone());
        let peer_done = match lost.old {
            OldSa::DeletedByPeer => true,
            OldSa::There => self.get(link.old).is_none(),
            OldSa::DeletedByUs => false,
        };
        let expired = now >= lost.deadline;
        let complete = peer_done && missing.is_empty();
        let stop_using = !ours_there || expired || complete;
        if stop_using && !lost.reported {
            let mut ctx = ctx!(self, now);
            ctx.stats.reauth.collisions_lost += 1;
            ctx.stats.reauth.completed += 1;
            ctx.stats.reauth.children_missing += missing.len() as u64;
            ctx.event(Some(d.ours), d.event());
            ctx.event(
                Some(link.old),
                Event::IkeSaReauthenticated {
                    new: d.survivor(),
                    missing,
                },
            );
            if let Phase::Lost(l) = &mut link.phase {
                l.reported = true;
            }
        }
        if ours_there && complete {
            // The peer's Delete of ours went out with the one of the old
            // SA; a peer that does not settle collisions this way (another
            // implementation) never sends it: wait one retransmission.
            let grace = self
                .get(d.ours)
                .and_then(|sa| self.peers.get(sa.peer))
                .map(|p| p.retransmit.wait(0))
                .unwrap_or_default();
            let soon = after(now, grace);
            if soon < lost.deadline {
                if let Some(sa) = live(&mut self.slots, d.ours) {
                    sa.timers.set(Timer::Reauth, soon);
                }
                self.reschedule(d.ours.index);
                if let Phase::Lost(l) = &mut link.phase {
                    l.deadline = soon;
                }
            }
        }
        if ours_there && !expired {
            return true;
        }
        if let Some(sa) = live(&mut self.slots, d.ours) {
            // The peer did not delete it in time: we do.
            sa.timers.stop(Timer::Reauth);
            let mut ctx = ctx!(self, now);
            ctx.stats.reauth.collisions_unanswered += 1;
            if matches!(sa.state, State::Established(_)) && !sa.queue.deleting_ike_sa() {
                let _ = sa.queue_request(&mut ctx, info::delete_ike());
            }
        }
        self.reschedule(d.ours.index);
        false
    }
}
