//! The endpoint's side of reauthentication (`sa/reauth.rs`): starting the
//! new IKE SA, following both SAs through rekeys, and advancing every
//! reauthentication under way after each input.

use std::time::Instant;

use super::{live, ApiError, Endpoint, Output, SaHandle};
use crate::events::Event;
use crate::sa::reauth::{self, Link, Progress};
use crate::sa::reauth_collision::{self, Phase};
use crate::sa::{IkeSa, State};
use crate::timer::Timer;

impl Endpoint {
    /// Reauthenticates the IKE SA `handle` now, make-before-break (as
    /// [`PeerConfig::reauth_time`](crate::config::PeerConfig::reauth_time)
    /// would): a new IKE SA with the same peer (IKE_SA_INIT, IKE_AUTH with
    /// full authentication and no INITIAL_CONTACT) recreates every Child SA
    /// of this one, the first in IKE_AUTH and the others by
    /// CREATE_CHILD_SA; then this IKE SA reports
    /// [`Event::IkeSaReauthenticated`] and is deleted with its Child SAs.
    /// If the new IKE SA fails, this one reports
    /// [`Failure::ReauthFailed`](crate::events::Failure::ReauthFailed) and
    /// stays up. Returns the new IKE SA's
    /// handle (the one already under way if called again).
    ///
    /// # Errors
    /// [`ApiError::UnknownSa`], [`ApiError::NotEstablished`],
    /// [`ApiError::Deleting`] (the IKE SA is being deleted, was rekeyed, or
    /// is the redundant one of a simultaneous reauthentication),
    /// [`ApiError::CannotInitiate`].
    pub fn reauthenticate(&mut self, now: Instant, handle: SaHandle) -> Result<SaHandle, ApiError> {
        let from = self.out.len();
        let new = self.start_reauth(now, handle);
        self.progress_reauth(now, from);
        self.settle_schedule();
        new
    }

    /// Starts the reauthentication of `old` (a command or its
    /// [`Timer::Reauth`]).
    pub(super) fn start_reauth(
        &mut self,
        now: Instant,
        old: SaHandle,
    ) -> Result<SaHandle, ApiError> {
        // One under way: its new IKE SA (the peer's, if it won a collision).
        for l in self.reauths.iter().filter(|l| l.old == old) {
            match &l.phase {
                Phase::Building | Phase::Won(_) => return Ok(l.new),
                Phase::Lost(x) => return Ok(x.decision.survivor()),
                Phase::Watching { .. } => {}
            }
        }
        if self.redundant(old) {
            return Err(ApiError::Deleting);
        }
        let sa = self.get(old).ok_or(ApiError::UnknownSa)?;
        match &sa.state {
            State::Established(e) if e.cc.superseded() || sa.queue.deleting_ike_sa() => {
                return Err(ApiError::Deleting)
            }
            State::Established(_) => {}
            other => {
                return Err(ApiError::NotEstablished {
                    command: "reauthenticate",
                    state: other.name(),
                })
            }
        }
        let peer = self
            .peers
            .get(sa.peer)
            .cloned()
            .ok_or(ApiError::UnknownSa)?;
        let (pick, wanted) = reauth::plan(&peer, sa);
        let (idx, path) = (sa.peer, (sa.local, sa.remote));
        // No INITIAL_CONTACT: the peer must keep the old SA until we delete it.
        let new = self.initiate_with(now, idx, path, false, pick)?;
        if let Some(sa) = self.sa_mut(old) {
            // The reauthentication replaces the rekey (and itself).
            sa.timers.stop(Timer::Rekey);
            sa.timers.stop(Timer::Reauth);
        }
        self.reschedule(old.index);
        self.stats.reauth.started += 1;
        let mut link = Link::new(&peer, (old, new), now, pick, wanted);
        if let Some((_, failures)) = self.reauth_failures.iter().find(|(h, _)| *h == old) {
            link.attempt = failures.saturating_add(1);
            self.stats.reauth.retried += 1;
        }
        link.candidates = self.collision_candidates(&link);
        self.reauths.push(link);
        Ok(new)
    }

    fn sa_mut(&mut self, handle: SaHandle) -> Option<&mut IkeSa> {
        live(&mut self.slots, handle)
    }

    /// An IKE SA rekey replaced `old` by `new`: reauthentications follow.
    pub(super) fn reauth_follow(&mut self, old: SaHandle, new: SaHandle) {
        for (h, _) in &mut self.reauth_failures {
            if *h == old {
                *h = new;
            }
        }
        for l in &mut self.reauths {
            if l.old == old {
                l.old = new;
            }
            if l.new == old {
                l.new = new;
            }
            for c in &mut l.candidates {
                if *c == old {
                    *c = new;
                }
            }
            match &mut l.phase {
                Phase::Won(d) => d.follow(old, new),
                Phase::Lost(l) => l.decision.follow(old, new),
                Phase::Building | Phase::Watching { .. } => {}
            }
        }
    }

    /// Advances every reauthentication under way (after each input and
    /// command, whose outputs start at `from`; nothing to do when none is).
    pub(super) fn progress_reauth(&mut self, now: Instant, from: usize) {
        if self.reauths.is_empty() {
            return;
        }
        // IKE SAs that came up during this input: maybe the peer's
        // reauthentication crossing ours.
        let up: Vec<SaHandle> = self
            .out
            .iter()
            .skip(from)
            .filter_map(|o| match o {
                Output::Event {
                    sa: Some(h),
                    event: Event::IkeSaUp,
                } => Some(*h),
                _ => None,
            })
            .collect();
        for mut link in std::mem::take(&mut self.reauths) {
            for h in &up {
                if !link.candidates.contains(h) {
                    link.candidates.push(*h);
                }
            }
            self.detect_collision(now, &mut link);
            let keep = match link.phase {
                Phase::Building | Phase::Won(_) => self.build_step(now, &mut link),
                Phase::Watching { until } => now < until && self.get(link.new).is_some(),
                Phase::Lost(_) => self.settle_lost(now, &mut link),
            };
            if keep {
                self.reauths.push(link);
            }
        }
    }

    /// Sets up the new IKE SA and its Child SAs; true while under way (or
    /// watching for a collision after it completed).
    pub(super) fn build_step(&mut self, now: Instant, link: &mut Link) -> bool {
        let new = link.new;
        let mut ctx = ctx!(self, now);
        let sa = live(&mut self.slots, new);
        let outcome = reauth::progress(&mut ctx, link, sa);
        self.reschedule(new.index);
        match outcome {
            Progress::Wait => true,
            Progress::Failed => {
                // The new SA's own failure, reported during this input.
                let cause = self.out.iter().rev().find_map(|o| match o {
                    Output::Event {
                        sa: Some(h),
                        event: Event::Failed { reason },
                    } if *h == new => Some(reason.clone()),
                    _ => None,
                });
                let mut ctx = ctx!(self, now);
                let retry = match live(&mut self.slots, link.old) {
                    Some(old) => reauth::failed(&mut ctx, old, cause, link.attempt),
                    None => {
                        ctx.stats.reauth.failed += 1;
                        false
                    }
                };
                self.reschedule(link.old.index);
                self.note_failure(link.old, retry.then_some(link.attempt));
                false
            }
            Progress::Done(missing) => {
                self.note_failure(link.old, None);
                let mut ctx = ctx!(self, now);
                match live(&mut self.slots, link.old) {
                    Some(old) => reauth::finish(&mut ctx, old, new, missing),
                    // The old SA went meanwhile (deleted by the peer,
                    // expired): the new one simply carries on.
                    None => {
                        ctx.stats.reauth.completed += 1;
                        ctx.event(Some(link.old), Event::IkeSaReauthenticated { new, missing });
                    }
                }
                self.reschedule(link.old.index);
                if let Phase::Won(d) = &link.phase {
                    let d = d.clone();
                    self.delete_redundant(now, &d);
                    return false;
                }
                let until = self.get(new).map(|sa| {
                    reauth_collision::after(now, reauth_collision::window(sa, &self.peers))
                });
                link.phase = Phase::Watching {
                    until: until.unwrap_or(now),
                };
                true
            }
        }
    }

    /// Records that the reauthentication of `old` failed for the
    /// `failures`-th time with a retry armed, or forgets it (`None`: done,
    /// or no retry). Entries of IKE SAs gone meanwhile are dropped.
    fn note_failure(&mut self, old: SaHandle, failures: Option<u32>) {
        let mut list = std::mem::take(&mut self.reauth_failures);
        list.retain(|(h, _)| *h != old && self.get(*h).is_some());
        if let Some(n) = failures {
            list.push((old, n));
        }
        self.reauth_failures = list;
    }
}
