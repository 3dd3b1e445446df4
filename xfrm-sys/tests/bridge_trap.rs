//! Traps and NAT mapping updates in the bridge: a trap's policies are the
//! bytes iproute2 sends for the same `ip xfrm policy add ... tmpl` (no SA);
//! a Child SA for the trapped selectors shares the trap's reqid and leaves
//! its policies in place on removal; narrowed selectors override and then
//! restore the trap's policy; ACQUIRE names the trap; a MAPPING becomes the
//! `ip xfrm state update ... encap` iproute2 sends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::IpAddr;

use ikev2_sm::config::Mode as IkeMode;
use ikev2_sm::ts::TrafficSelector;
use ikev2_sm::ChildSaRemove;
use ikev2_wire::EncrId;
use xfrm_sys::bridge::{BridgeConfig, BridgeError, KernelBridge, KernelInput, TrapInstall};
use xfrm_sys::{Event, Mode, PolicyDir, Selector, XfrmMessage};

mod fixture;
use fixture::check;

mod child;
use child::{esn_encap_mark, install, iproute_like, sock};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn net(s: &str) -> TrafficSelector {
    let (a, len) = s.split_once('/').unwrap();
    TrafficSelector::from_prefix(ip(a), len.parse().unwrap()).unwrap()
}

/// `gw/net`: 10.1.0.0/16 (ours) to 10.2.0.0/16 via 192.0.2.1 -> 192.0.2.2.
fn trap() -> TrapInstall {
    TrapInstall {
        name: "gw/net".into(),
        local: ip("192.0.2.1"),
        remote: ip("192.0.2.2"),
        mode: IkeMode::Tunnel,
        local_ts: vec![net("10.1.0.0/16")],
        remote_ts: vec![net("10.2.0.0/16")],
    }
}

fn policy_dir(m: &XfrmMessage) -> Option<PolicyDir> {
    let dir = match m {
        XfrmMessage::NewPolicy(p) | XfrmMessage::UpdatePolicy(p) => p.dir,
        XfrmMessage::DeletePolicy(id) => id.dir,
        _ => return None,
    };
    [PolicyDir::In, PolicyDir::Out, PolicyDir::Fwd]
        .into_iter()
        .find(|d| u8::from(*d) == dir)
}

fn kinds(msgs: &[XfrmMessage]) -> Vec<&'static str> {
    msgs.iter()
        .map(|m| match m {
            XfrmMessage::NewSa(_) => "newsa",
            XfrmMessage::UpdateSa(_) => "updsa",
            XfrmMessage::DeleteSa(_) => "delsa",
            XfrmMessage::NewPolicy(_) => "newpolicy",
            XfrmMessage::UpdatePolicy(_) => "updpolicy",
            XfrmMessage::DeletePolicy(_) => "delpolicy",
            _ => "other",
        })
        .collect()
}

/// The negotiated Child SA of the trapped child: same outer addresses and
/// selectors, tunnel mode.
fn trapped_child(local_ts: &str, remote_ts: &str) -> ikev2_sm::ChildSaInstall {
    let mut c = install(
        "192.0.2.1:500",
        "192.0.2.2:500",
        0x2001,
        (EncrId::AesGcm16, Some(256)),
    );
    c.mode = IkeMode::Tunnel;
    c.local_ts = vec![net(local_ts)];
    c.remote_ts = vec![net(remote_ts)];
    c
}

fn remove_of(c: &ikev2_sm::ChildSaInstall) -> ChildSaRemove {
    ChildSaRemove {
        sa: c.sa,
        name: c.name.clone(),
        spi_in: c.spi_in,
        spi_out: c.spi_out,
    }
}

#[test]
fn golden_trap_policies_are_iproute2s_out_in_fwd_with_a_template() {
    let mut b = KernelBridge::new(iproute_like(1));
    let (reqid, msgs) = b.trap(&trap()).unwrap();
    assert_eq!(reqid, 1);
    assert_eq!(kinds(&msgs), ["newpolicy"; 3], "policies only, no SA");
    let by = |d| msgs.iter().find(|m| policy_dir(m) == Some(d)).unwrap();
    check(
        include_str!("fixtures/policy_trap_out.hex"),
        by(PolicyDir::Out),
    );
    check(
        include_str!("fixtures/policy_trap_in.hex"),
        by(PolicyDir::In),
    );
    check(
        include_str!("fixtures/policy_trap_fwd.hex"),
        by(PolicyDir::Fwd),
    );
    assert_eq!(b.trap_name(1), Some("gw/net"));
    assert_eq!(b.trap_reqid("gw/net"), Some(1));
    assert_eq!(
        b.trap(&trap()),
        Err(BridgeError::TrapExists("gw/net".into()))
    );
}

#[test]
fn child_sa_of_a_trap_shares_its_reqid_and_leaves_the_policies_on_delete() {
    let mut b = KernelBridge::new(iproute_like(5));
    let (reqid, _) = b.trap(&trap()).unwrap();
    let c = trapped_child("10.1.0.0/16", "10.2.0.0/16");
    let msgs = b.install(&c).unwrap();
    assert_eq!(kinds(&msgs), ["newsa", "newsa"], "the trap's policies stay");
    for m in &msgs {
        let XfrmMessage::NewSa(sa) = m else { panic!() };
        // Same reqid: the outbound SA replaces the kernel's larval ACQUIRE
        // state and matches the trap's template.
        assert_eq!(sa.reqid, reqid);
    }
    assert_eq!(b.spec(c.spi_in).unwrap().reqid, reqid);
    let gone = b.remove(&remove_of(&c)).unwrap();
    assert_eq!(kinds(&gone), ["delsa", "delsa"], "the trap comes back");
    // A second negotiation (after the next ACQUIRE) gets the reqid again.
    let again = b.install(&c).unwrap();
    assert_eq!(kinds(&again), ["newsa", "newsa"]);
    b.remove(&remove_of(&c)).unwrap();
    let untrap = b.untrap("gw/net");
    assert_eq!(kinds(&untrap), ["delpolicy"; 3]);
    assert!(b.untrap("gw/net").is_empty());
    // With no trap left, a Child SA installs its own policies.
    assert_eq!(b.install(&c).unwrap().len(), 5);
}

#[test]
fn trap_after_a_child_sa_shares_the_child_sas_policies() {
    let mut b = KernelBridge::new(iproute_like(1));
    let c = trapped_child("10.1.0.0/16", "10.2.0.0/16");
    assert_eq!(b.install(&c).unwrap().len(), 5);
    let (reqid, msgs) = b.trap(&trap()).unwrap();
    assert!(msgs.is_empty(), "the Child SA's policies are the trap's");
    assert_eq!(reqid, b.spec(c.spi_in).unwrap().reqid);
    // The Child SA goes: its policies stay as the trap.
    assert_eq!(
        kinds(&b.remove(&remove_of(&c)).unwrap()),
        ["delsa", "delsa"]
    );
    assert_eq!(kinds(&b.untrap("gw/net")), ["delpolicy"; 3]);
}

#[test]
fn narrowed_child_sa_overrides_the_trap_policy_and_restores_it() {
    let mut b = KernelBridge::new(iproute_like(1));
    let mut t = trap();
    // Two remote selectors trapped; the responder narrows to the first.
    t.remote_ts.push(net("10.3.0.0/16"));
    let (reqid, msgs) = b.trap(&t).unwrap();
    assert_eq!(msgs.len(), 6);
    let c = trapped_child("10.1.0.0/16", "10.2.0.0/16");
    let msgs = b.install(&c).unwrap();
    let child_reqid = b.spec(c.spi_in).unwrap().reqid;
    assert_ne!(child_reqid, reqid, "other selectors, other reqid");
    // The trap holds 10.1/16 <-> 10.2/16 already: NEWPOLICY would be
    // refused (EEXIST), so the Child SA's policies replace them.
    assert_eq!(
        kinds(&msgs),
        ["newsa", "newsa", "updpolicy", "updpolicy", "updpolicy"]
    );
    let gone = b.remove(&remove_of(&c)).unwrap();
    assert_eq!(
        kinds(&gone),
        ["updpolicy", "updpolicy", "updpolicy", "delsa", "delsa"]
    );
    for m in &gone[..3] {
        let XfrmMessage::UpdatePolicy(p) = m else {
            panic!()
        };
        let Some(xfrm_sys::Attr::Tmpl(t)) = p.attrs.first() else {
            panic!()
        };
        assert_eq!(t[0].reqid, reqid, "the trap's template is back");
    }
}

#[test]
fn acquire_names_the_trap_and_the_packet() {
    let mut b = KernelBridge::new(BridgeConfig::default());
    let (reqid, _) = b.trap(&trap()).unwrap();
    let sel = Selector::new(ip("10.1.0.5"), 32, ip("10.2.0.9"), 32);
    let acq = |reqid| Event::Acquire {
        src: Some(ip("192.0.2.1")),
        dst: Some(ip("192.0.2.2")),
        proto: 50,
        reqid,
        mode: Mode::Tunnel,
        sel,
        policy_index: 8,
        policy_dir: PolicyDir::Out,
        seq: 1,
    };
    assert_eq!(
        b.on_event(&acq(reqid)),
        Some(KernelInput::Acquire {
            reqid,
            child: None,
            trap: Some("gw/net".into()),
            packet: sel,
        })
    );
    // A policy someone else installed: no trap of ours.
    assert!(matches!(
        b.on_event(&acq(reqid + 40)),
        Some(KernelInput::Acquire { trap: None, .. })
    ));
}

#[test]
fn traps_refuse_what_the_kernel_cannot_express() {
    let mut b = KernelBridge::new(BridgeConfig::default());
    let mut t = trap();
    t.remote_ts = vec![TrafficSelector::new(ip("10.2.0.0"), ip("10.2.0.255"), 6, 80, 90).unwrap()];
    assert!(matches!(b.trap(&t), Err(BridgeError::Selector(_))));
    let mut t = trap();
    t.remote_ts = vec![net("fd00::/64")];
    assert_eq!(b.trap(&t), Err(BridgeError::NoPolicy));
    assert_eq!(b.trap_name(1), None, "nothing recorded");
}

/// The SA of `golden_esn_nat_t_ports_mark_if_id_lifetimes` (bridge.rs) after
/// the kernel reported the peer's NAT at port 61000.
#[test]
fn golden_mapping_updates_both_sas_to_the_new_port() {
    let (c, cfg) = esn_encap_mark();
    let mut b = KernelBridge::new(cfg);
    b.install(&c).unwrap();
    let msgs = b
        .update_encap(c.spi_in, sock("198.51.100.7:61000"))
        .unwrap();
    assert_eq!(kinds(&msgs), ["updsa", "updsa"]);
    check(include_str!("fixtures/sa_update_encap_port.hex"), &msgs[1]);
    let XfrmMessage::UpdateSa(inb) = &msgs[0] else {
        panic!()
    };
    assert_eq!(inb.id.spi, c.spi_in);
    assert!(
        inb.attrs.iter().any(|a| matches!(a,
            xfrm_sys::Attr::Encap(e) if e.sport == 61000 && e.dport == 4500)),
        "the inbound SA expects the new source port"
    );
    assert_eq!(
        b.spec(c.spi_in).unwrap().encap.unwrap().remote_port,
        61000,
        "remembered"
    );
    // The same port again: nothing to do.
    assert!(b
        .update_encap(c.spi_in, sock("198.51.100.7:61000"))
        .unwrap()
        .is_empty());
    assert_eq!(
        b.update_encap(c.spi_in, sock("203.0.113.1:61000")),
        Err(BridgeError::AddressChanged {
            old: ip("198.51.100.7"),
            new: ip("203.0.113.1"),
        })
    );
    assert_eq!(
        b.update_encap(7, sock("198.51.100.7:1")),
        Err(BridgeError::UnknownChild(7))
    );
    let plain = install(
        "192.0.2.1:500",
        "192.0.2.2:500",
        0x2002,
        (EncrId::AesGcm16, Some(256)),
    );
    let mut plain = plain;
    plain.spi_in = 0x7777;
    b.install(&plain).unwrap();
    assert_eq!(
        b.update_encap(0x7777, sock("192.0.2.2:4500")),
        Err(BridgeError::NotEncapsulated(0x7777))
    );
}

/// Any sequence of traps, Child SA installs (including rekeys and narrowed
/// selectors), removals and untraps sends messages a kernel accepts
/// (no NEWPOLICY/NEWSA for something present, no delete of something
/// absent), leaves every installed Child SA's selectors pointing at its own
/// reqid and every trapped selector covered, and ends with nothing once all
/// is removed.
mod sequences {
    use super::*;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    /// The kernel's tables, as far as the bridge's messages go.
    #[derive(Default)]
    struct Kernel {
        policies: HashMap<(String, u8), u32>,
        sas: HashSet<(u32, IpAddr)>,
    }

    fn tmpl_reqid(p: &xfrm_sys::PolicyInfo) -> u32 {
        match p.attrs.first() {
            Some(xfrm_sys::Attr::Tmpl(t)) => t.first().map_or(0, |t| t.reqid),
            _ => 0,
        }
    }

    impl Kernel {
        fn apply(&mut self, msgs: &[XfrmMessage]) -> Result<(), String> {
            for m in msgs {
                match m {
                    XfrmMessage::NewPolicy(p) => {
                        let k = (format!("{:?}", p.sel), p.dir);
                        if self.policies.insert(k, tmpl_reqid(p)).is_some() {
                            return Err(format!("EEXIST: NEWPOLICY {:?} dir {}", p.sel, p.dir));
                        }
                    }
                    XfrmMessage::UpdatePolicy(p) => {
                        self.policies
                            .insert((format!("{:?}", p.sel), p.dir), tmpl_reqid(p));
                    }
                    XfrmMessage::DeletePolicy(id) => {
                        if self
                            .policies
                            .remove(&(format!("{:?}", id.sel), id.dir))
                            .is_none()
                        {
                            return Err(format!("ENOENT: DELPOLICY {:?}", id.sel));
                        }
                    }
                    XfrmMessage::NewSa(sa) => {
                        let ip = sa.id.daddr.to_ip(sa.family).unwrap();
                        if !self.sas.insert((sa.id.spi, ip)) {
                            return Err(format!("EEXIST: NEWSA {:#x}", sa.id.spi));
                        }
                    }
                    XfrmMessage::DeleteSa(id) => {
                        let ip = id.id.daddr.to_ip(id.id.family).unwrap();
                        if !self.sas.remove(&(id.id.spi, ip)) {
                            return Err(format!("ESRCH: DELSA {:#x}", id.id.spi));
                        }
                    }
                    other => return Err(format!("unexpected {other:?}")),
                }
            }
            Ok(())
        }
    }

    /// Trap 0: 10.1/16 <-> 10.2/16; trap 1: 10.1/16 <-> 10.3/16 and
    /// 10.4/16. Children: 0 = trap 0's selectors, 1 = narrowed to 10.3/16,
    /// 2 = untrapped 10.9/16, 3 = 10.3/16 and 10.5/16 (overlaps child 1).
    fn trap_n(i: usize) -> TrapInstall {
        let mut t = trap();
        t.name = format!("t{i}");
        if i == 1 {
            t.remote_ts = vec![net("10.3.0.0/16"), net("10.4.0.0/16")];
        }
        t
    }

    fn child_n(kind: usize, spi: u32) -> ikev2_sm::ChildSaInstall {
        let mut c = trapped_child("10.1.0.0/16", "10.2.0.0/16");
        c.remote_ts = match kind {
            0 => vec![net("10.2.0.0/16")],
            1 => vec![net("10.3.0.0/16")],
            2 => vec![net("10.9.0.0/16")],
            _ => vec![net("10.3.0.0/16"), net("10.5.0.0/16")],
        };
        c.spi_in = spi;
        c.spi_out = spi + 0x1000;
        c
    }

    #[derive(Clone, Debug)]
    enum Op {
        Trap(usize),
        Untrap(usize),
        Install(usize, u32),
        Remove(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..2usize).prop_map(Op::Trap),
            (0..2usize).prop_map(Op::Untrap),
            (0..4usize, 1..6u32).prop_map(|(k, s)| Op::Install(k, s)),
            (1..6u32).prop_map(Op::Remove),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn kernel_tables_stay_consistent(ops in prop::collection::vec(op(), 1..30)) {
            let mut b = KernelBridge::new(BridgeConfig::default());
            let mut k = Kernel::default();
            let mut traps: HashSet<usize> = HashSet::new();
            let mut children: HashMap<u32, usize> = HashMap::new();
            for op in &ops {
                let msgs = match *op {
                    Op::Trap(i) if !traps.contains(&i) => {
                        traps.insert(i);
                        b.trap(&trap_n(i)).unwrap().1
                    }
                    Op::Untrap(i) if traps.remove(&i) => b.untrap(&format!("t{i}")),
                    Op::Install(kind, spi) if !children.contains_key(&spi) => {
                        children.insert(spi, kind);
                        b.install(&child_n(kind, spi)).unwrap()
                    }
                    Op::Remove(spi) if children.remove(&spi).is_some() => {
                        b.remove(&remove_of(&child_n(0, spi))).unwrap()
                    }
                    _ => continue,
                };
                k.apply(&msgs).map_err(|e| TestCaseError::fail(format!("{op:?}: {e}")))?;
                // A Child SA's selectors always lead to a Child SA's reqid
                // (never to a trap's, which has no SA).
                for spi in children.keys() {
                    let spec = b.spec(*spi).unwrap();
                    for p in spec.policies() {
                        let got = k.policies.get(&(format!("{:?}", p.sel), p.dir));
                        prop_assert!(got.is_some(), "{op:?}: Child SA {spi} lost {:?}", p.sel);
                        let owner_is_child = children
                            .keys()
                            .any(|s| b.spec(*s).unwrap().reqid == *got.unwrap());
                        prop_assert!(owner_is_child, "{op:?}: {:?} went to a trap", p.sel);
                    }
                }
                // Every trapped selector has a policy (the trap's or a
                // Child SA's).
                for i in &traps {
                    // The trap's policies, as a bridge with nothing else
                    // installed sends them.
                    let (_, alone) = KernelBridge::new(BridgeConfig::default())
                        .trap(&trap_n(*i))
                        .unwrap();
                    for p in alone {
                        let XfrmMessage::NewPolicy(p) = p else { unreachable!() };
                        prop_assert!(
                            k.policies.contains_key(&(format!("{:?}", p.sel), p.dir)),
                            "{op:?}: trap {i} lost {:?}", p.sel
                        );
                    }
                }
            }
            for spi in children.keys().copied().collect::<Vec<_>>() {
                let msgs = b.remove(&remove_of(&child_n(0, spi))).unwrap();
                k.apply(&msgs).map_err(TestCaseError::fail)?;
            }
            for i in traps {
                k.apply(&b.untrap(&format!("t{i}"))).map_err(TestCaseError::fail)?;
            }
            prop_assert!(k.policies.is_empty(), "left: {:?}", k.policies);
            prop_assert!(k.sas.is_empty());
            prop_assert!(b.is_empty());
        }
    }
}
