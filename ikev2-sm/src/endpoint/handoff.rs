//! What an IKE SA hands over to the endpoint after a call: the IKE SA
//! that replaces it after a rekey, the SAs of a simultaneous IKE SA rekey,
//! and Child SAs moving to another IKE SA (`sa/ike_collision.rs`).

use std::time::Instant;

use super::{live, Endpoint, Output, SaHandle};
use crate::events::Event;
use crate::sa;
use crate::sa::ike_collision::{self, Handoff};

impl Endpoint {
    /// Takes what the SA `old` handed over (call after every call into it).
    pub(super) fn hand_off(&mut self, old: SaHandle, now: Instant) {
        let Some(sa) = live(&mut self.slots, old) else {
            return;
        };
        for h in sa::rekey::take_handoffs(sa) {
            match h {
                Handoff::Rekeyed(new) => {
                    if let Some(new) = self.adopt(*new) {
                        self.reauth_follow(old, new);
                        self.out.push_back(Output::Event {
                            sa: Some(old),
                            event: Event::IkeSaRekeyed { new },
                        });
                    }
                }
                Handoff::Passive(new) => {
                    let adopted = self.adopt(*new);
                    if let (Some(h), Some(sa)) = (adopted, live(&mut self.slots, old)) {
                        ike_collision::adopted(sa, h);
                    }
                }
                Handoff::Redundant(new) => {
                    let _ = self.adopt(*new);
                }
                Handoff::Transfer(to, t) => {
                    let mut ctx = ctx!(self, now);
                    match live(&mut self.slots, to) {
                        Some(target) => ike_collision::receive(&mut ctx, target, *t, true),
                        None => ike_collision::orphan(&mut ctx, old, *t),
                    }
                    self.reschedule(to.index);
                    self.reauth_follow(old, to);
                }
                Handoff::Settle(parent) => {
                    let mut ctx = ctx!(self, now);
                    if let Some(o) = live(&mut self.slots, parent) {
                        ike_collision::concede(&mut ctx, o);
                    }
                    self.hand_off(parent, now);
                    self.reschedule(parent.index);
                }
            }
        }
    }
}
