//! Kernel events (multicast notifications) decoded into the inputs an IKE
//! daemon acts on.

use std::net::IpAddr;

use crate::attr::{Attr, SaDir};
use crate::msg::{embedded_sa, Mode, PolicyDir, XfrmMessage};
use crate::types::{Mark, Selector};

/// `XFRMNLGRP_*` multicast groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Group {
    /// `XFRMNLGRP_ACQUIRE` (1): a policy needs an SA.
    Acquire,
    /// `XFRMNLGRP_EXPIRE` (2): soft/hard SA and policy expiry.
    Expire,
    /// `XFRMNLGRP_SA` (3): SA added, updated, deleted, flushed.
    Sa,
    /// `XFRMNLGRP_POLICY` (4): policy changes.
    Policy,
    /// `XFRMNLGRP_AEVENTS` (5): replay/lifetime async events.
    Aevents,
    /// `XFRMNLGRP_REPORT` (6).
    Report,
    /// `XFRMNLGRP_MIGRATE` (7).
    Migrate,
    /// `XFRMNLGRP_MAPPING` (8): NAT mapping changes.
    Mapping,
}

impl Group {
    /// The group number.
    pub fn number(self) -> u32 {
        match self {
            Group::Acquire => 1,
            Group::Expire => 2,
            Group::Sa => 3,
            Group::Policy => 4,
            Group::Aevents => 5,
            Group::Report => 6,
            Group::Migrate => 7,
            Group::Mapping => 8,
        }
    }
}

/// Identifies one kernel SA: what an IKE daemon needs to find its Child SA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SaRef {
    /// SPI.
    pub spi: u32,
    /// IPsec protocol (50 = ESP).
    pub proto: u8,
    /// Destination address.
    pub dst: Option<IpAddr>,
    /// Source address.
    pub src: Option<IpAddr>,
    /// Request id.
    pub reqid: u32,
    /// Mark, if the SA has one.
    pub mark: Option<Mark>,
    /// XFRM interface id, if any.
    pub if_id: Option<u32>,
    /// Direction, if the SA has one (Linux 6.10+).
    pub dir: Option<SaDir>,
}

/// Decoded kernel events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// ACQUIRE: traffic hit a policy without an SA; negotiate a Child SA for
    /// `sel` (RFC 7296 section 2.9: the packet's selector is the first TS).
    Acquire {
        /// Template source (our IKE address).
        src: Option<IpAddr>,
        /// Template destination (peer).
        dst: Option<IpAddr>,
        /// IPsec protocol.
        proto: u8,
        /// Template reqid.
        reqid: u32,
        /// Mode of the template.
        mode: Mode,
        /// The triggering packet's selector.
        sel: Selector,
        /// Index of the policy.
        policy_index: u32,
        /// Direction of the policy.
        policy_dir: PolicyDir,
        /// Sequence number to copy into the SA we install.
        seq: u32,
    },
    /// An SA reached its soft limit: rekey it.
    SoftExpire(SaRef),
    /// An SA reached its hard limit and was removed: delete the Child SA.
    HardExpire(SaRef),
    /// A policy expired.
    PolicyExpire {
        /// Index.
        index: u32,
        /// Direction.
        dir: PolicyDir,
        /// Selector.
        sel: Selector,
        /// Hard or soft.
        hard: bool,
    },
    /// The NAT in front of the peer changed its mapping (UDP-encapsulated SAs).
    Mapping {
        /// The SA.
        sa: SaRef,
        /// Old peer address and port.
        old: (Option<IpAddr>, u16),
        /// New peer address and port.
        new: (Option<IpAddr>, u16),
    },
    /// An SA was added or updated (by anyone).
    SaAdded(SaRef),
    /// An SA was deleted (by anyone).
    SaDeleted(SaRef),
    /// A policy was added, updated or deleted.
    PolicyChanged {
        /// Direction.
        dir: PolicyDir,
        /// Selector.
        sel: Selector,
        /// `true` for deletes.
        deleted: bool,
    },
    /// SAs or policies were flushed.
    Flushed,
}

fn sa_ref_from(info: &crate::msg::SaInfo) -> SaRef {
    let mut r = SaRef {
        spi: info.id.spi,
        proto: info.id.proto,
        dst: info.id.daddr.to_ip(info.family),
        src: info.saddr.to_ip(info.family),
        reqid: info.reqid,
        mark: None,
        if_id: None,
        dir: None,
    };
    for a in &info.attrs {
        match a {
            Attr::Mark(m) => r.mark = Some(*m),
            Attr::IfId(i) => r.if_id = Some(*i),
            Attr::SaDir(d) => r.dir = Some(*d),
            _ => {}
        }
    }
    r
}

impl Event {
    /// Maps a kernel message to an event; `None` for requests and other
    /// messages that are not events.
    pub fn from_message(m: &XfrmMessage) -> Option<Event> {
        Some(match m {
            XfrmMessage::Acquire(a) => {
                let tmpl = a.attrs.iter().find_map(|x| match x {
                    Attr::Tmpl(t) => t.first().copied(),
                    _ => None,
                });
                let fam = tmpl.map(|t| t.family).unwrap_or(a.policy.sel.family);
                Event::Acquire {
                    src: a.saddr.to_ip(fam),
                    dst: a.id.daddr.to_ip(fam),
                    proto: a.id.proto,
                    reqid: tmpl.map(|t| t.reqid).unwrap_or(0),
                    mode: Mode::from(tmpl.map(|t| t.mode).unwrap_or(0)),
                    sel: a.sel,
                    policy_index: a.policy.index,
                    policy_dir: PolicyDir::from(a.policy.dir),
                    seq: a.seq,
                }
            }
            XfrmMessage::Expire(e) if e.hard != 0 => Event::HardExpire(sa_ref_from(&e.state)),
            XfrmMessage::Expire(e) => Event::SoftExpire(sa_ref_from(&e.state)),
            XfrmMessage::PolicyExpire(p) => Event::PolicyExpire {
                index: p.pol.index,
                dir: PolicyDir::from(p.pol.dir),
                sel: p.pol.sel,
                hard: p.hard != 0,
            },
            XfrmMessage::Mapping(m) => Event::Mapping {
                sa: SaRef {
                    spi: m.id.spi,
                    proto: m.id.proto,
                    dst: m.id.daddr.to_ip(m.id.family),
                    src: m.old_saddr.to_ip(m.id.family),
                    reqid: m.reqid,
                    mark: None,
                    if_id: None,
                    dir: None,
                },
                old: (m.old_saddr.to_ip(m.id.family), m.old_sport),
                new: (m.new_saddr.to_ip(m.id.family), m.new_sport),
            },
            XfrmMessage::NewSa(s) | XfrmMessage::UpdateSa(s) => Event::SaAdded(sa_ref_from(s)),
            XfrmMessage::DeleteSa(d) => Event::SaDeleted(match embedded_sa(&d.attrs) {
                Some(s) => sa_ref_from(&s),
                None => SaRef {
                    spi: d.id.spi,
                    proto: d.id.proto,
                    dst: d.id.daddr.to_ip(d.id.family),
                    src: None,
                    reqid: 0,
                    mark: None,
                    if_id: None,
                    dir: None,
                },
            }),
            XfrmMessage::NewPolicy(p) | XfrmMessage::UpdatePolicy(p) => Event::PolicyChanged {
                dir: PolicyDir::from(p.dir),
                sel: p.sel,
                deleted: false,
            },
            XfrmMessage::DeletePolicy(p) => Event::PolicyChanged {
                dir: PolicyDir::from(p.dir),
                sel: p.sel,
                deleted: true,
            },
            XfrmMessage::FlushSa(_) | XfrmMessage::FlushPolicy(_) => Event::Flushed,
            _ => return None,
        })
    }
}
