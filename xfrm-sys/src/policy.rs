//! IPsec policies on their own: what a Child SA installs next to its SAs,
//! and what a *trap* is (strongSwan's `start_action = trap`, RFC 4301
//! section 4.4.1's "create an SA on demand"): the same policies with a
//! template naming a reqid, but no SA yet. The first outbound packet that
//! matches makes the kernel raise `XFRM_MSG_ACQUIRE` for that reqid; an SA
//! added later under the same reqid takes over the packets (and replaces the
//! kernel's larval "acquire" state).

use std::net::IpAddr;

use crate::attr::Attr;
use crate::msg::{Mode, PolicyDir, PolicyId, PolicyInfo, XfrmMessage};
use crate::spec::TsPrefix;
use crate::types::{family_of, LifetimeCfg, Mark, Selector, UserTmpl, XfrmId};

/// The policies of one Child SA (or trap): for each (local, remote) selector
/// pair of one family, `out`, `in` and, in tunnel mode, `fwd`, each with one
/// ESP template under `reqid`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySpec {
    /// Our outer (IKE) address: the tunnel's source.
    pub local: IpAddr,
    /// The peer's outer address: the tunnel's destination.
    pub remote: IpAddr,
    /// Transport or tunnel.
    pub mode: Mode,
    /// IPsec protocol (50 = ESP).
    pub proto: u8,
    /// Request id: the template matches SAs with this reqid.
    pub reqid: u32,
    /// Our traffic selectors.
    pub local_ts: Vec<TsPrefix>,
    /// The peer's traffic selectors.
    pub remote_ts: Vec<TsPrefix>,
    /// Mark on the in/fwd policies.
    pub mark_in: Option<Mark>,
    /// Mark on the out policy.
    pub mark_out: Option<Mark>,
    /// XFRM interface id (route-based VPN).
    pub if_id: Option<u32>,
    /// Priority (lower wins).
    pub priority: u32,
}

impl PolicySpec {
    fn selector(src: &TsPrefix, dst: &TsPrefix) -> Selector {
        let mut sel = Selector::new(src.addr, src.prefix_len, dst.addr, dst.prefix_len);
        sel.proto = if src.proto != 0 { src.proto } else { dst.proto };
        if let Some(p) = src.port {
            sel.sport = p;
            sel.sport_mask = 0xffff;
        }
        if let Some(p) = dst.port {
            sel.dport = p;
            sel.dport_mask = 0xffff;
        }
        sel
    }

    fn attrs(&self, mark: Option<Mark>) -> Vec<Attr> {
        let mut v = Vec::new();
        if let Some(m) = mark {
            v.push(Attr::Mark(m));
        }
        if let Some(id) = self.if_id {
            v.push(Attr::IfId(id));
        }
        v
    }

    fn mark(&self, dir: u8) -> Option<Mark> {
        if dir == u8::from(PolicyDir::Out) {
            self.mark_out
        } else {
            self.mark_in
        }
    }

    /// The policies: for each (local TS, remote TS) pair of the same family,
    /// `out` (local to remote), `in` (remote to local) and, in tunnel mode,
    /// `fwd` (remote to local, for routed traffic).
    pub fn policies(&self) -> Vec<PolicyInfo> {
        let mut out = Vec::new();
        let tunnel = matches!(self.mode, Mode::Tunnel | Mode::Beet | Mode::IpTfs);
        for l in &self.local_ts {
            for r in &self.remote_ts {
                if l.addr.is_ipv4() != r.addr.is_ipv4() {
                    continue;
                }
                let mut dirs = vec![PolicyDir::Out, PolicyDir::In];
                if tunnel {
                    dirs.push(PolicyDir::Fwd);
                }
                for d in dirs {
                    let (sel, tsrc, tdst) = match d {
                        PolicyDir::Out => (Self::selector(l, r), self.local, self.remote),
                        _ => (Self::selector(r, l), self.remote, self.local),
                    };
                    let mut tmpl = UserTmpl {
                        id: XfrmId {
                            proto: self.proto,
                            ..XfrmId::default()
                        },
                        family: family_of(&tdst),
                        reqid: self.reqid,
                        mode: self.mode.into(),
                        ..UserTmpl::default()
                    };
                    if tunnel {
                        tmpl.id.daddr = tdst.into();
                        tmpl.saddr = tsrc.into();
                    }
                    let dir = u8::from(d);
                    let mut attrs = vec![Attr::Tmpl(vec![tmpl])];
                    attrs.extend(self.attrs(self.mark(dir)));
                    out.push(PolicyInfo {
                        sel,
                        lft: LifetimeCfg::default(),
                        priority: self.priority,
                        dir,
                        attrs,
                        ..PolicyInfo::default()
                    });
                }
            }
        }
        out
    }

    /// `XFRM_MSG_NEWPOLICY` for each policy.
    pub fn install(&self) -> Vec<XfrmMessage> {
        self.policies()
            .into_iter()
            .map(XfrmMessage::NewPolicy)
            .collect()
    }

    /// `XFRM_MSG_DELPOLICY` for each policy (by selector, direction, mark
    /// and interface id).
    pub fn remove(&self) -> Vec<XfrmMessage> {
        self.policies()
            .into_iter()
            .map(|p| {
                XfrmMessage::DeletePolicy(PolicyId {
                    attrs: self.attrs(self.mark(p.dir)),
                    ..p.policy_id()
                })
            })
            .collect()
    }
}
