//! ChildSaSpec translation rules and event mapping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::IpAddr;

use xfrm_sys::msg::{sa_flags, Expire, Mapping};
use xfrm_sys::spec::range_to_prefixes;
use xfrm_sys::types::ReplayStateEsn;
use xfrm_sys::{
    AeadAlg, Attr, ChildSaSpec, Cipher, Direction, EncAlg, Error, Event, IntegAlg, KernelFeatures,
    Key, Mark, Mode, PolicyDir, SaDir, SaInfo, SaKeys, UdpEncap, XfrmMessage,
};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn keys(spi: u32) -> SaKeys {
    SaKeys {
        spi,
        cipher: Cipher::Aead {
            alg: AeadAlg::ChaCha20Poly1305,
            key: Key::new(&[9; 36]),
        },
    }
}

fn base() -> ChildSaSpec {
    ChildSaSpec::new(
        ip("192.0.2.1"),
        ip("192.0.2.2"),
        Mode::Tunnel,
        3,
        keys(0x11),
        keys(0x22),
    )
}

const NEW: KernelFeatures = KernelFeatures { sa_dir: true };
const OLD: KernelFeatures = KernelFeatures { sa_dir: false };

fn esn_state(sa: &SaInfo) -> Option<ReplayStateEsn> {
    sa.attrs.iter().find_map(|a| {
        if let Attr::ReplayEsnVal(r) = a {
            Some(r.clone())
        } else {
            None
        }
    })
}

#[test]
fn kernel_release_parsing() {
    assert_eq!(KernelFeatures::from_release("6.1.0-28-amd64"), OLD);
    assert_eq!(KernelFeatures::from_release("6.9.12"), OLD);
    assert_eq!(KernelFeatures::from_release("6.10.0"), NEW);
    assert_eq!(KernelFeatures::from_release("6.18.44-fc-v782"), NEW);
    assert_eq!(KernelFeatures::from_release("7.0"), NEW);
    assert_eq!(KernelFeatures::from_release("garbage"), OLD);
}

#[test]
fn outbound_replay_window_is_zero_with_sa_dir() {
    let mut s = base();
    s.esn = true;
    s.replay_window = 1024;
    let out = s.sa(Direction::Out, NEW).unwrap();
    assert_eq!(out.replay_window, 0);
    assert_eq!(out.flags & sa_flags::ESN, sa_flags::ESN);
    assert_eq!(
        esn_state(&out),
        Some(ReplayStateEsn::default()),
        "ESN state with window 0, no bitmap"
    );
    assert!(out.attrs.contains(&Attr::SaDir(SaDir::Out)));
    let inb = s.sa(Direction::In, NEW).unwrap();
    assert_eq!(esn_state(&inb).unwrap().replay_window, 1024);
    assert_eq!(esn_state(&inb).unwrap().bmp_len, 32);
    assert!(inb.attrs.contains(&Attr::SaDir(SaDir::In)));
}

#[test]
fn older_kernels_get_the_window_on_both_sas_and_no_sa_dir() {
    let mut s = base();
    s.esn = true;
    s.replay_window = 64;
    for d in [Direction::In, Direction::Out] {
        let sa = s.sa(d, OLD).unwrap();
        assert_eq!(esn_state(&sa).unwrap().replay_window, 64, "{d:?}");
        assert!(!sa.attrs.iter().any(|a| matches!(a, Attr::SaDir(_))));
    }
    // Small windows without ESN use the legacy u8 field.
    s.esn = false;
    s.replay_window = 32;
    let sa = s.sa(Direction::In, OLD).unwrap();
    assert_eq!((sa.replay_window, esn_state(&sa)), (32, None));
    // Larger ones need the ESN-style attribute even without ESN.
    s.replay_window = 256;
    let sa = s.sa(Direction::In, OLD).unwrap();
    assert_eq!(sa.flags & sa_flags::ESN, 0);
    assert_eq!(esn_state(&sa).unwrap().bmp_len, 8);
}

#[test]
fn invalid_specs_are_refused() {
    let mut s = base();
    s.replay_window = 4097;
    assert!(matches!(s.sa(Direction::In, NEW), Err(Error::Invalid(_))));
    let mut s = base();
    s.nat_keepalive_interval = Some(20);
    assert!(matches!(s.install(NEW), Err(Error::Invalid(_))));
    let mut s = base();
    s.inbound.cipher = Cipher::Aead {
        alg: AeadAlg::AesGcm16 { key_bits: 256 },
        key: Key::new(&[0; 32]),
    };
    assert!(
        matches!(s.sa(Direction::In, NEW), Err(Error::Invalid(_))),
        "GCM-256 needs 36 bytes (salt)"
    );
    let mut s = base();
    s.remote = ip("2001:db8::2");
    assert!(matches!(s.sa(Direction::In, NEW), Err(Error::Invalid(_))));
}

#[test]
fn encap_ports_and_keepalive_follow_direction() {
    let mut s = base();
    s.encap = Some(UdpEncap {
        local_port: 4500,
        remote_port: 31337,
    });
    s.nat_keepalive_interval = Some(20);
    let enc = |sa: &SaInfo| {
        sa.attrs
            .iter()
            .find_map(|a| {
                if let Attr::Encap(e) = a {
                    Some(*e)
                } else {
                    None
                }
            })
            .unwrap()
    };
    let inb = s.sa(Direction::In, NEW).unwrap();
    let out = s.sa(Direction::Out, NEW).unwrap();
    assert_eq!((enc(&inb).sport, enc(&inb).dport), (31337, 4500));
    assert_eq!((enc(&out).sport, enc(&out).dport), (4500, 31337));
    assert!(out.attrs.contains(&Attr::NatKeepaliveInterval(20)));
    assert!(!inb
        .attrs
        .iter()
        .any(|a| matches!(a, Attr::NatKeepaliveInterval(_))));
}

#[test]
fn separate_encryption_and_integrity() {
    let mut s = base();
    s.outbound.cipher = Cipher::EncInteg {
        enc: EncAlg::AesCtr { key_bits: 128 },
        enc_key: Key::new(&[1; 20]),
        integ: IntegAlg::HmacSha512_256,
        integ_key: Key::new(&[2; 64]),
    };
    let out = s.sa(Direction::Out, NEW).unwrap();
    let names: Vec<(String, usize, Option<u32>)> = out
        .attrs
        .iter()
        .filter_map(|a| match a {
            Attr::AlgCrypt(x) => Some((x.name.clone(), x.key.len(), None)),
            Attr::AlgAuthTrunc(x) => Some((x.name.clone(), x.key.len(), Some(x.len_bits))),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("rfc3686(ctr(aes))".to_string(), 20, None),
            ("hmac(sha512)".to_string(), 64, Some(256))
        ]
    );
}

#[test]
fn install_and_remove_order_and_peer_view() {
    let mut s = base();
    s.mark_in = Some(Mark { v: 1, m: 0xff });
    s.mark_out = Some(Mark { v: 2, m: 0xff });
    s.if_id = Some(9);
    let msgs = s.install(NEW).unwrap();
    let kinds: Vec<_> = msgs.iter().map(XfrmMessage::message_type).collect();
    assert_eq!(
        kinds,
        vec![0x10, 0x10, 0x13, 0x13, 0x13],
        "SA in, SA out, then policies"
    );
    let XfrmMessage::NewSa(inb) = &msgs[0] else {
        panic!()
    };
    assert_eq!(inb.id.spi, 0x11);
    assert_eq!(
        inb.id.daddr,
        ip("192.0.2.1").into(),
        "inbound SA is addressed to us"
    );
    assert!(inb.attrs.contains(&Attr::Mark(Mark { v: 1, m: 0xff })));
    let removes = s.remove();
    let kinds: Vec<_> = removes.iter().map(XfrmMessage::message_type).collect();
    assert_eq!(
        kinds,
        vec![0x14, 0x14, 0x14, 0x11, 0x11],
        "policies first, then SAs"
    );

    // The peer's view installs the mirror image.
    let p = s.peer_view();
    assert_eq!(
        p.sa(Direction::Out, NEW).unwrap().id,
        s.sa(Direction::In, NEW).unwrap().id
    );
    assert_eq!(
        p.sa(Direction::In, NEW).unwrap().id,
        s.sa(Direction::Out, NEW).unwrap().id
    );
    assert_eq!(p.peer_view(), s);
    let fwd = p
        .policies()
        .into_iter()
        .find(|x| x.dir == u8::from(PolicyDir::Fwd))
        .unwrap();
    assert_eq!(fwd.sel.saddr, ip("192.0.2.1").into());
}

#[test]
fn ts_ranges_become_minimal_prefixes() {
    let p = |s: &str, l: u8| (ip(s), l);
    assert_eq!(
        range_to_prefixes(ip("10.0.0.0"), ip("10.0.0.255")),
        vec![p("10.0.0.0", 24)]
    );
    assert_eq!(
        range_to_prefixes(ip("10.0.0.1"), ip("10.0.0.6")),
        vec![
            p("10.0.0.1", 32),
            p("10.0.0.2", 31),
            p("10.0.0.4", 31),
            p("10.0.0.6", 32)
        ]
    );
    assert_eq!(
        range_to_prefixes(ip("0.0.0.0"), ip("255.255.255.255")),
        vec![p("0.0.0.0", 0)]
    );
    assert_eq!(
        range_to_prefixes(ip("::"), ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
        vec![p("::", 0)]
    );
    assert_eq!(
        range_to_prefixes(ip("2001:db8::"), ip("2001:db8::1")),
        vec![p("2001:db8::", 127)]
    );
    assert!(range_to_prefixes(ip("10.0.0.2"), ip("10.0.0.1")).is_empty());
    assert!(range_to_prefixes(ip("10.0.0.1"), ip("::1")).is_empty());
}

#[test]
fn expire_and_mapping_messages_become_events() {
    let s = base();
    let mut state = s.sa(Direction::In, NEW).unwrap();
    state.attrs.push(Attr::Mark(Mark { v: 7, m: 0xf }));
    let soft = Event::from_message(&XfrmMessage::Expire(Expire {
        state: state.clone(),
        hard: 0,
    }))
    .unwrap();
    let Event::SoftExpire(r) = soft else {
        panic!("{soft:?}")
    };
    assert_eq!((r.spi, r.proto, r.reqid), (0x11, 50, 3));
    assert_eq!(
        (r.dst, r.src),
        (Some(ip("192.0.2.1")), Some(ip("192.0.2.2")))
    );
    assert_eq!(
        (r.mark, r.dir),
        (Some(Mark { v: 7, m: 0xf }), Some(SaDir::In))
    );
    let hard = Event::from_message(&XfrmMessage::Expire(Expire { state, hard: 1 })).unwrap();
    assert!(matches!(hard, Event::HardExpire(r) if r.spi == 0x11));
    let m = Mapping {
        id: xfrm_sys::SaId {
            daddr: ip("192.0.2.1").into(),
            spi: 0x11,
            family: 2,
            proto: 50,
        },
        reqid: 3,
        old_saddr: ip("198.51.100.1").into(),
        new_saddr: ip("198.51.100.9").into(),
        old_sport: 4500,
        new_sport: 61000,
    };
    let Event::Mapping { sa, old, new } = Event::from_message(&XfrmMessage::Mapping(m)).unwrap()
    else {
        panic!()
    };
    assert_eq!(sa.spi, 0x11);
    assert_eq!(old, (Some(ip("198.51.100.1")), 4500));
    assert_eq!(new, (Some(ip("198.51.100.9")), 61000));
    assert_eq!(
        Event::from_message(&XfrmMessage::DumpPolicy),
        None,
        "requests are not events"
    );
}

#[test]
fn keys_are_redacted_and_compared_by_value() {
    let k = Key::new(&[0xab; 36]);
    let s = format!("{:?}", base().inbound);
    assert!(
        !s.contains("171") && !s.contains("ab, ab") && s.contains("redacted"),
        "{s}"
    );
    assert_eq!(format!("{k:?}"), "Key(<36 bytes redacted>)");
    assert_eq!(k, Key::new(&[0xab; 36]));
    assert_ne!(k, Key::new(&[0xab; 35]));
    assert_ne!(k, Key::new(&[0xac; 36]));
}
