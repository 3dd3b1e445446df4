//! Traps and NAT mapping updates, the way strongSwan's kernel-netlink
//! plugin does them.
//!
//! A trap is the set of policies a configured child would install (out, in
//! and, in tunnel mode, fwd) with an ESP template under a reqid of its own,
//! but no SA. The first outbound packet matching the out policy makes the
//! kernel queue a larval SA and multicast `XFRM_MSG_ACQUIRE` for that reqid
//! ([`KernelInput::Acquire`] names the trap). A Child SA negotiated for the
//! same selectors gets the same reqid ([`KernelBridge::install`] shares the
//! policy set), so its outbound SA replaces the larval one and traffic flows
//! through the trap's policies, which stay when the Child SA is deleted:
//! the next packet raises a new ACQUIRE. A Child SA with narrower selectors
//! gets its own reqid and replaces (`XFRM_MSG_UPDPOLICY`) any trap policy
//! with the same selector and direction, restored when it goes; a trap
//! installed while a Child SA holds one of its selectors leaves that policy
//! to the Child SA.
//!
//! A NAT mapping change ([`KernelInput::PeerMoved`]) becomes
//! `XFRM_MSG_UPDSA` of both SAs with the new UDP port
//! ([`KernelBridge::update_encap`]).
//!
//! [`KernelInput::Acquire`]: super::KernelInput::Acquire
//! [`KernelInput::PeerMoved`]: super::KernelInput::PeerMoved

use std::net::{IpAddr, SocketAddr};

use ikev2_sm::config::Mode as IkeMode;
use ikev2_sm::ts::TrafficSelector;

use super::{policy_key, prefixes, BridgeError, KernelBridge};
use crate::msg::{Mode, PolicyInfo, XfrmMessage};
use crate::policy::PolicySpec;
use crate::spec::Direction;

/// One configured child to trap: its outer addresses, mode and selectors
/// (as the initiator would propose them: `dynamic` resolved to the outer
/// addresses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrapInstall {
    /// The trap's name, reported with its ACQUIREs (e.g. `conn/child`).
    pub name: String,
    /// Our outer address.
    pub local: IpAddr,
    /// The peer's outer address.
    pub remote: IpAddr,
    /// Tunnel or transport.
    pub mode: IkeMode,
    /// Our selectors.
    pub local_ts: Vec<TrafficSelector>,
    /// The peer's selectors.
    pub remote_ts: Vec<TrafficSelector>,
}

/// An installed trap.
pub(super) struct Trap {
    pub(super) spec: PolicySpec,
}

impl KernelBridge {
    /// The policy spec of a trap under `reqid`, with this bridge's marks,
    /// interface id and priority.
    fn trap_spec(&self, t: &TrapInstall, reqid: u32) -> Result<PolicySpec, BridgeError> {
        let mode = match t.mode {
            IkeMode::Tunnel => Mode::Tunnel,
            IkeMode::Transport => Mode::Transport,
            other => return Err(BridgeError::UnsupportedMode(format!("{other:?}"))),
        };
        if t.local.is_ipv4() != t.remote.is_ipv4() {
            return Err(BridgeError::Spec(
                "local and remote addresses differ in family",
            ));
        }
        let spec = PolicySpec {
            local: t.local,
            remote: t.remote,
            mode,
            proto: crate::types::IPPROTO_ESP,
            reqid,
            local_ts: prefixes(&t.local_ts)?,
            remote_ts: prefixes(&t.remote_ts)?,
            mark_in: self.cfg.mark_in,
            mark_out: self.cfg.mark_out,
            if_id: self.cfg.if_id,
            priority: self.cfg.priority,
        };
        if spec.policies().is_empty() {
            return Err(BridgeError::NoPolicy);
        }
        Ok(spec)
    }

    /// Installs a trap: returns its reqid and the `XFRM_MSG_NEWPOLICY`
    /// messages (none if an installed Child SA has these policies already;
    /// it then shares them, and its reqid).
    ///
    /// # Errors
    /// Selectors the kernel cannot express, no selector pair of one family,
    /// a mode the kernel bridge does not know, or a trap of that name.
    pub fn trap(&mut self, t: &TrapInstall) -> Result<(u32, Vec<XfrmMessage>), BridgeError> {
        if self.traps.contains_key(&t.name) {
            return Err(BridgeError::TrapExists(t.name.clone()));
        }
        let probe = self.trap_spec(t, 0)?;
        let key = policy_key(&probe);
        let (reqid, users) = match self.reqids.get(&key) {
            Some(&(r, n)) => (r, n),
            None => (self.next_reqid, 0),
        };
        let spec = PolicySpec { reqid, ..probe };
        let msgs = if users == 0 {
            self.next_reqid = self.next_reqid.wrapping_add(1).max(1);
            // A policy with this selector and direction is there already
            // (a Child SA's with narrowed selectors, another trap's): it
            // stays, and this trap's takes its place when it goes.
            spec.policies()
                .into_iter()
                .filter(|p| self.trap_policy(p).is_none() && self.child_policy(p).is_none())
                .map(XfrmMessage::NewPolicy)
                .collect()
        } else {
            Vec::new()
        };
        self.reqids.insert(key, (reqid, users + 1));
        self.traps.insert(t.name.clone(), Trap { spec });
        Ok((reqid, msgs))
    }

    /// Removes the trap `name`: its policies, unless a Child SA still uses
    /// them. Unknown names give no messages.
    pub fn untrap(&mut self, name: &str) -> Vec<XfrmMessage> {
        let Some(t) = self.traps.remove(name) else {
            return Vec::new();
        };
        if !self.release(&t.spec) {
            return Vec::new();
        }
        t.spec
            .policies()
            .into_iter()
            .zip(t.spec.remove())
            .map(
                |(p, del)| match self.child_policy(&p).or_else(|| self.trap_policy(&p)) {
                    Some(back) => XfrmMessage::UpdatePolicy(back),
                    None => del,
                },
            )
            .collect()
    }

    /// The name of the trap whose policies carry `reqid`.
    pub fn trap_name(&self, reqid: u32) -> Option<&str> {
        self.traps
            .iter()
            .find(|(_, t)| t.spec.reqid == reqid)
            .map(|(n, _)| n.as_str())
    }

    /// The reqid of the trap `name`.
    pub fn trap_reqid(&self, name: &str) -> Option<u32> {
        self.traps.get(name).map(|t| t.spec.reqid)
    }

    /// An installed trap's policy with the selector and direction of `p`.
    pub(super) fn trap_policy(&self, p: &PolicyInfo) -> Option<PolicyInfo> {
        self.traps
            .values()
            .flat_map(|t| t.spec.policies())
            .find(|q| q.sel == p.sel && q.dir == p.dir)
    }

    /// An installed Child SA's policy with the selector and direction of
    /// `p`.
    pub(super) fn child_policy(&self, p: &PolicyInfo) -> Option<PolicyInfo> {
        self.children
            .values()
            .flat_map(|c| c.spec.policies())
            .find(|q| q.sel == p.sel && q.dir == p.dir)
    }

    /// The peer's NAT moved its UDP-encapsulated ESP to `new_remote` (a
    /// kernel MAPPING event): `XFRM_MSG_UPDSA` for both SAs of the Child SA
    /// with inbound SPI `spi_in`, carrying the new port (the inbound SA's
    /// port stops the kernel from reporting the same change again, the
    /// outbound SA's sends there). The bridge remembers the new port.
    ///
    /// # Errors
    /// An unknown Child SA, one without UDP encapsulation, or a new address
    /// (SAs are keyed by address: [`BridgeError::AddressChanged`]).
    pub fn update_encap(
        &mut self,
        spi_in: u32,
        new_remote: SocketAddr,
    ) -> Result<Vec<XfrmMessage>, BridgeError> {
        let features = self.cfg.features;
        let c = self
            .children
            .get_mut(&spi_in)
            .ok_or(BridgeError::UnknownChild(spi_in))?;
        let Some(port) = c.spec.encap.map(|e| e.remote_port) else {
            return Err(BridgeError::NotEncapsulated(spi_in));
        };
        if new_remote.ip() != c.spec.remote {
            return Err(BridgeError::AddressChanged {
                old: c.spec.remote,
                new: new_remote.ip(),
            });
        }
        if port == new_remote.port() {
            return Ok(Vec::new());
        }
        let mut spec = c.spec.clone();
        if let Some(e) = spec.encap.as_mut() {
            e.remote_port = new_remote.port();
        }
        let msgs = vec![
            XfrmMessage::UpdateSa(spec.sa(Direction::In, features)?),
            XfrmMessage::UpdateSa(spec.sa(Direction::Out, features)?),
        ];
        c.spec = spec;
        Ok(msgs)
    }
}
