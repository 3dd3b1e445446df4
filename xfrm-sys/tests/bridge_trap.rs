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
