//! Live tests against the running kernel, as root, each in a network
//! namespace the test creates for itself (see `common::private_netns`).
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{IpAddr, UdpSocket};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use xfrm_sys::types::{LifetimeCfg, XfrmId};
use xfrm_sys::{
    AeadAlg, AllocSpi, Attr, ChildSaSpec, Cipher, Direction, EncAlg, Error, Event, Group, IntegAlg,
    KernelFeatures, Key, Mark, Mode, PolicyDir, SaDir, SaInfo, SaKeys, TsPrefix, XfrmMessage,
    XfrmSocket,
};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn spec(mode: Mode) -> ChildSaSpec {
    let keys = |spi| SaKeys {
        spi,
        cipher: Cipher::Aead {
            alg: AeadAlg::AesGcm16 { key_bits: 128 },
            key: Key::new(&[0x42; 20]),
        },
    };
    let mut s = ChildSaSpec::new(
        ip("10.9.0.1"),
        ip("10.9.0.2"),
        mode,
        7,
        keys(0x1000_0001),
        keys(0x1000_0002),
    );
    s.local_ts = vec![TsPrefix::net(ip("192.168.1.0"), 24)];
    s.remote_ts = vec![TsPrefix {
        addr: ip("192.168.2.0"),
        prefix_len: 24,
        proto: 17,
        port: Some(4789),
    }];
    s.priority = 1000;
    s.mark_in = Some(Mark { v: 5, m: 0xff });
    s.mark_out = Some(Mark { v: 6, m: 0xff });
    s.if_id = Some(33);
    s
}

/// This machine's kernel has XFRM but no ESP transforms: adding an SA is
/// refused with the kernel's own error, decoded with its extended ACK text. On
/// a kernel that has them, the SA must instead be there to read back.
#[test]
fn sa_add_is_refused_with_the_kernels_extended_ack() {
    common::private_netns();
    let mut s = XfrmSocket::open().unwrap();
    let spec = spec(Mode::Tunnel);
    let sa = spec.sa(Direction::In, KernelFeatures::detect()).unwrap();
    match s.add_sa(sa.clone()) {
        Err(Error::Kernel(e)) => {
            assert_eq!(e.errno, 38, "ENOSYS: {e}");
            assert_eq!(
                e.message.as_deref(),
                Some("Requested AEAD algorithm not found")
            );
            assert_eq!(e.request_type, 0x10);
            assert!(
                e.to_string().contains("Requested AEAD algorithm not found"),
                "{e}"
            );
        }
        Ok(()) => {
            let got = s
                .get_sa(
                    spec.remove_sas()
                        .into_iter()
                        .next()
                        .map(|m| match m {
                            XfrmMessage::DeleteSa(id) => id,
                            _ => unreachable!(),
                        })
                        .unwrap(),
                )
                .unwrap();
            assert_eq!((got.id.spi, got.reqid), (sa.id.spi, sa.reqid));
        }
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn policies_added_listed_read_back_updated_deleted() {
    common::private_netns();
    let mut s = XfrmSocket::open().unwrap();
    assert!(
        s.dump_policy().unwrap().is_empty(),
        "a fresh namespace has no policies"
    );
    let spec = spec(Mode::Tunnel);
    let pols = spec.policies();
    assert_eq!(pols.len(), 3);
    for p in &pols {
        s.add_policy(p.clone()).unwrap();
    }
    // Adding the same policy again is refused: EEXIST.
    match s.add_policy(pols[0].clone()) {
        Err(Error::Kernel(e)) => assert_eq!(e.errno, 17),
        other => panic!("expected EEXIST, got {other:?}"),
    }
    let listed = s.dump_policy().unwrap();
    assert_eq!(listed.len(), 3);

    // Read the out policy back and check what the kernel stored.
    let mut out_id = pols[0].policy_id();
    out_id.attrs = vec![Attr::Mark(Mark { v: 6, m: 0xff }), Attr::IfId(33)];
    let got = s.get_policy(out_id.clone()).unwrap();
    assert_eq!(got.dir, u8::from(PolicyDir::Out));
    assert_eq!(got.priority, 1000);
    assert_eq!(got.sel, pols[0].sel);
    assert_eq!(
        (got.sel.dport, got.sel.dport_mask, got.sel.proto),
        (4789, 0xffff, 17)
    );
    assert!(got.index != 0, "the kernel assigns an index");
    let tmpl = got
        .attrs
        .iter()
        .find_map(|a| {
            if let Attr::Tmpl(t) = a {
                Some(t.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(tmpl.len(), 1);
    assert_eq!(tmpl[0].reqid, 7);
    assert_eq!(tmpl[0].mode, 1);
    assert_eq!(tmpl[0].id.daddr, ip("10.9.0.2").into());
    assert_eq!(tmpl[0].saddr, ip("10.9.0.1").into());
    assert!(got.attrs.contains(&Attr::Mark(Mark { v: 6, m: 0xff })));
    assert!(got.attrs.contains(&Attr::IfId(33)));

    // Without the mark the policy is not found.
    let mut unmarked = out_id.clone();
    unmarked.attrs = vec![Attr::IfId(33)];
    match s.get_policy(unmarked) {
        Err(Error::Kernel(e)) => assert_eq!(e.errno, 2, "ENOENT"),
        other => panic!("expected ENOENT, got {other:?}"),
    }

    // Update: new priority, same selector.
    let mut upd = pols[0].clone();
    upd.priority = 2000;
    s.update_policy(upd).unwrap();
    assert_eq!(s.get_policy(out_id.clone()).unwrap().priority, 2000);
    assert_eq!(
        s.dump_policy().unwrap().len(),
        3,
        "update replaced, did not add"
    );

    // Delete all three through the spec; a second delete reports ENOENT.
    for m in spec
        .remove()
        .into_iter()
        .filter(|m| matches!(m, XfrmMessage::DeletePolicy(_)))
    {
        s.execute(&m).unwrap();
    }
    assert!(s.dump_policy().unwrap().is_empty());
    match s.delete_policy(out_id) {
        Err(Error::Kernel(e)) => assert_eq!(e.errno, 2),
        other => panic!("expected ENOENT, got {other:?}"),
    }
    s.add_policy(pols[1].clone()).unwrap();
    s.flush_policy().unwrap();
    assert!(s.dump_policy().unwrap().is_empty(), "flush removed it");
}

fn alloc_req(reqid: u32, min: u32, max: u32) -> AllocSpi {
    AllocSpi {
        info: SaInfo {
            id: XfrmId {
                daddr: ip("10.9.0.1").into(),
                spi: 0,
                proto: 50,
            },
            saddr: ip("10.9.0.2").into(),
            lft: LifetimeCfg::default(),
            reqid,
            family: 2,
            mode: Mode::Tunnel.into(),
            ..SaInfo::default()
        },
        min,
        max,
    }
}

#[test]
fn spi_allocation_in_range_and_larval_sa_listed() {
    common::private_netns();
    let mut s = XfrmSocket::open().unwrap();
    let a = s.alloc_spi(alloc_req(1, 0x100, 0x1ff)).unwrap();
    let b = s.alloc_spi(alloc_req(2, 0x100, 0x1ff)).unwrap();
    for sa in [&a, &b] {
        assert!(
            (0x100..=0x1ff).contains(&sa.id.spi),
            "SPI {:#x} outside range",
            sa.id.spi
        );
        assert_eq!(sa.id.proto, 50);
        assert_eq!(sa.id.daddr, ip("10.9.0.1").into());
    }
    assert_ne!(a.id.spi, b.id.spi);
    assert_eq!((a.reqid, b.reqid), (1, 2));
    // A fixed SPI (min == max) is honoured.
    let c = s.alloc_spi(alloc_req(3, 0xabcd, 0xabcd)).unwrap();
    assert_eq!(c.id.spi, 0xabcd);
    let listed = s.dump_sa().unwrap();
    let mut spis: Vec<u32> = listed.iter().map(|x| x.id.spi).collect();
    spis.sort_unstable();
    let mut want = vec![a.id.spi, b.id.spi, 0xabcd];
    want.sort_unstable();
    assert_eq!(spis, want);
    // Read one back, then delete it.
    let id = xfrm_sys::SaIdMsg {
        id: c.sa_id(),
        attrs: vec![Attr::SrcAddr(ip("10.9.0.2").into())],
    };
    assert_eq!(s.get_sa(id.clone()).unwrap().reqid, 3);
    s.delete_sa(id.clone()).unwrap();
    match s.get_sa(id) {
        Err(Error::Kernel(e)) => assert_eq!(e.errno, 3, "ESRCH"),
        other => panic!("expected ESRCH, got {other:?}"),
    }
    s.flush_sa(0).unwrap();
    assert!(s.dump_sa().unwrap().is_empty());
}

/// Waits (with poll(2) on the exposed fd: the event-loop path) for an event
/// matching `f`.
fn wait_event(ev: &mut XfrmSocket, mut f: impl FnMut(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        while let Some(e) = ev.poll_event().unwrap() {
            if f(&e) {
                return e;
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "event not received in time");
        let mut fds = [PollFd::new(ev.as_fd(), PollFlags::POLLIN)];
        poll(
            &mut fds,
            PollTimeout::try_from(left.as_millis().min(5000) as i32).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn events_observe_policy_changes_flushes_and_acquire() {
    common::private_netns();
    let mut ev =
        XfrmSocket::open_events(&[Group::Policy, Group::Sa, Group::Acquire, Group::Expire])
            .unwrap();
    ev.set_nonblocking(true).unwrap();
    assert_eq!(ev.poll_event().unwrap(), None, "non-blocking: nothing yet");
    let mut s = XfrmSocket::open().unwrap();

    let mut spec = spec(Mode::Transport);
    spec.local_ts = vec![TsPrefix::host(ip("127.0.0.1"))];
    spec.remote_ts = vec![TsPrefix {
        addr: ip("127.0.0.2"),
        prefix_len: 32,
        proto: 17,
        port: Some(9999),
    }];
    spec.mark_in = None;
    spec.mark_out = None;
    spec.if_id = None;
    let out = spec.policies().remove(0);
    s.add_policy(out.clone()).unwrap();
    let e = wait_event(&mut ev, |e| matches!(e, Event::PolicyChanged { .. }));
    assert_eq!(
        e,
        Event::PolicyChanged {
            dir: PolicyDir::Out,
            sel: out.sel,
            deleted: false
        }
    );

    // Traffic matching the policy without an SA: the kernel asks for one.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let _ = sock.send_to(b"trigger", "127.0.0.2:9999"); // EAGAIN while the SA is larval
    let e = wait_event(&mut ev, |e| matches!(e, Event::Acquire { .. }));
    let Event::Acquire {
        proto,
        reqid,
        mode,
        sel,
        policy_dir,
        policy_index,
        ..
    } = e
    else {
        unreachable!()
    };
    assert_eq!(
        (proto, reqid, mode, policy_dir),
        (50, 7, Mode::Transport, PolicyDir::Out)
    );
    assert!(policy_index != 0);
    assert_eq!(sel.saddr, ip("127.0.0.1").into());
    assert_eq!(sel.daddr, ip("127.0.0.2").into());
    assert_eq!((sel.proto, sel.dport), (17, 9999));

    s.delete_policy(out.policy_id()).unwrap();
    let e = wait_event(&mut ev, |e| {
        matches!(e, Event::PolicyChanged { deleted: true, .. })
    });
    assert_eq!(
        e,
        Event::PolicyChanged {
            dir: PolicyDir::Out,
            sel: out.sel,
            deleted: true
        }
    );

    s.alloc_spi(alloc_req(4, 0x300, 0x3ff)).unwrap();
    s.flush_sa(0).unwrap();
    wait_event(&mut ev, |e| *e == Event::Flushed);
}

/// On Linux 6.10+ the kernel checks an SA's direction before it looks for
/// the ESP transform: our outbound SA (window 0) passes that check and only
/// fails on the missing transform here, while the same SA with a replay window
/// is refused for exactly that reason. (The algorithms are ones this kernel's
/// crypto API has, so the algorithm lookup passes too.)
#[test]
fn outbound_sa_replay_window_rule_matches_the_kernel() {
    common::private_netns();
    let k = KernelFeatures::detect();
    if !k.sa_dir {
        // A pre-6.10 kernel knows no SA direction: the rule does not apply.
        assert!(!KernelFeatures::from_release("6.9.0").sa_dir);
        return;
    }
    let mut s = XfrmSocket::open().unwrap();
    let mut spec = spec(Mode::Tunnel);
    let cbc = Cipher::EncInteg {
        enc: EncAlg::AesCbc { key_bits: 128 },
        enc_key: Key::new(&[1; 16]),
        integ: IntegAlg::HmacSha256_128,
        integ_key: Key::new(&[2; 32]),
    };
    spec.inbound.cipher = cbc.clone();
    spec.outbound.cipher = cbc;
    spec.replay_window = 32;
    let out = spec.sa(Direction::Out, k).unwrap();
    assert_eq!(out.replay_window, 0);
    assert!(out.attrs.contains(&Attr::SaDir(SaDir::Out)));
    let refusal = |r: Result<(), Error>| match r {
        Err(Error::Kernel(e)) => (e.errno, e.message.unwrap_or_default()),
        other => panic!("expected a refusal, got {other:?}"),
    };
    let mut bad = out.clone();
    bad.replay_window = 32;
    assert_eq!(
        refusal(s.add_sa(bad)),
        (22, "Replay window should be 0 for output SA".to_string())
    );
    match s.add_sa(out) {
        Ok(()) => {} // a kernel with ESP accepts it
        r => assert_eq!(
            refusal(r),
            (93, "Requested type not found".to_string()),
            "EPROTONOSUPPORT: no ESP"
        ),
    }
    // The inbound SA keeps its window.
    let inb = spec.sa(Direction::In, k).unwrap();
    assert_eq!(inb.replay_window, 32);
    match s.add_sa(inb) {
        Ok(()) => {}
        r => assert_eq!(refusal(r).0, 93),
    }
}

/// A socket opened for another namespace sees that namespace's state, not
/// the caller's.
#[test]
fn socket_opened_in_another_namespace() {
    use std::os::fd::AsRawFd;
    common::private_netns();
    let mut x = XfrmSocket::open().unwrap();
    x.add_policy(spec(Mode::Transport).policies().remove(0))
        .unwrap();
    let x_ns = std::fs::File::open("/proc/thread-self/ns/net").unwrap();
    // Move this thread on to a second fresh namespace.
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
    let mut y = XfrmSocket::open().unwrap();
    assert!(y.dump_policy().unwrap().is_empty());
    let path = format!("/proc/self/fd/{}", x_ns.as_raw_fd());
    let mut x2 = XfrmSocket::open_in_netns(std::path::Path::new(&path), &[]).unwrap();
    assert_eq!(x2.dump_policy().unwrap().len(), 1);
    assert_eq!(x.dump_policy().unwrap().len(), 1);
}

/// IPsec policies that require ESP for UDP between two loopback addresses
/// (no SA exists): a plain socket's datagram never arrives, one between two
/// sockets with the IKE bypass policy does. And a UDP socket takes the
/// ESP-in-UDP option.
#[test]
fn ike_socket_bypass_and_esp_in_udp_options() {
    use xfrm_sys::sockopt::{bypass_ipsec, enable_esp_in_udp};
    common::private_netns();
    let mut x = XfrmSocket::open().unwrap();
    let keys = |spi| SaKeys {
        spi,
        cipher: Cipher::Aead {
            alg: AeadAlg::AesGcm16 { key_bits: 128 },
            key: Key::new(&[1; 20]),
        },
    };
    let mut s = ChildSaSpec::new(
        ip("127.0.0.1"),
        ip("127.0.0.2"),
        Mode::Transport,
        3,
        keys(0x100),
        keys(0x200),
    );
    for ts in [&mut s.local_ts, &mut s.remote_ts] {
        ts[0].proto = 17;
    }
    for p in s.policies().into_iter().chain(s.peer_view().policies()) {
        x.add_policy(p).unwrap();
    }
    let rx = UdpSocket::bind("127.0.0.2:0").unwrap();
    rx.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let plain = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ike = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut buf = [0u8; 16];
    // Without bypass the policy applies: no SA, so nothing arrives (the
    // kernel either refuses the send or drops it while it ACQUIREs).
    let _ = plain.send_to(b"plain", rx.local_addr().unwrap());
    assert!(rx.recv_from(&mut buf).is_err(), "policy did not apply");
    // The receiver also needs the bypass: its inbound policy wants ESP.
    bypass_ipsec(&rx, false).unwrap();
    bypass_ipsec(&ike, false).unwrap();
    ike.send_to(b"ike", rx.local_addr().unwrap()).unwrap();
    let (n, from) = rx.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"ike"[..], ike.local_addr().unwrap()));
    // IPv6 sockets take the IPv6 option.
    let v6 = UdpSocket::bind("[::1]:0").unwrap();
    bypass_ipsec(&v6, true).unwrap();
    let nat_t = UdpSocket::bind("127.0.0.1:0").unwrap();
    enable_esp_in_udp(&nat_t).unwrap();
}
