//! The `ikev2-sm` bridge: a `ChildSaInstall` for a known SA becomes the same
//! netlink bytes iproute2's `ip xfrm` sends for it (fixtures from
//! `fixtures/generate.sh`); every algorithm maps to the kernel's name, key
//! length and ICV/truncation length; rekeys share policies; kernel events
//! find their Child SA; and keys negotiated by two real endpoints line up.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::IpAddr;
use std::time::Instant;

use ikev2_crypto::SecretBytes;
use ikev2_sm::config::{DataLimits, Mode as IkeMode};
use ikev2_sm::ts::TrafficSelector;
use ikev2_sm::{ChildSaInstall, ChildSaRemove};
use ikev2_wire::{EncrId, IntegId};
use xfrm_sys::attr::{Algo, AlgoLen};
use xfrm_sys::bridge::{
    cipher, spec_from_install, BridgeConfig, BridgeError, KernelBridge, KernelInput,
};
use xfrm_sys::{
    AeadAlg, Attr, Cipher, Direction, EncAlg, Event, IntegAlg, KernelFeatures, PolicyDir, SaRef,
    Selector, XfrmMessage,
};

mod fixture;
use fixture::{check, hex, AUTH, CHA, ENC};

#[path = "../examples/support/ike_pair.rs"]
mod ike_pair;

mod child;
use child::{esn_encap_mark, host, install, iproute_like, out_sa, sock};

#[test]
fn golden_aes_gcm_256_transport_sa_and_policy() {
    let c = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        0x1001,
        (EncrId::AesGcm16, Some(256)),
    );
    let msgs = KernelBridge::new(iproute_like(1)).install(&c).unwrap();
    assert_eq!(msgs.len(), 4, "in SA, out SA, out and in policies");
    check(
        include_str!("fixtures/sa_add_gcm_transport.hex"),
        out_sa(&msgs),
    );
    check(include_str!("fixtures/policy_add_transport.hex"), &msgs[2]);
}

#[test]
fn golden_chacha20_poly1305_transport() {
    let mut c = install(
        "10.0.2.1:500",
        "10.0.2.2:500",
        0x3001,
        (EncrId::Chacha20Poly1305, None),
    );
    c.encr_key_out = SecretBytes::from_slice(&hex(CHA));
    c.encr_key_in = SecretBytes::from_slice(&hex(CHA));
    let msgs = KernelBridge::new(iproute_like(3)).install(&c).unwrap();
    check(
        include_str!("fixtures/sa_add_chacha_transport.hex"),
        out_sa(&msgs),
    );
}

#[test]
fn golden_aes_cbc_hmac_sha256_tunnel() {
    let mut c = install(
        "10.0.1.1:500",
        "10.0.1.2:500",
        0x2001,
        (EncrId::AesCbc, Some(256)),
    );
    c.mode = IkeMode::Tunnel;
    c.integ = Some(IntegId::HmacSha2_256_128);
    for k in [&mut c.encr_key_in, &mut c.encr_key_out] {
        *k = SecretBytes::from_slice(&hex(ENC));
    }
    for k in [&mut c.integ_key_in, &mut c.integ_key_out] {
        *k = SecretBytes::from_slice(&hex(AUTH));
    }
    let msgs = KernelBridge::new(iproute_like(2)).install(&c).unwrap();
    assert_eq!(msgs.len(), 5, "tunnel: out, in and fwd policies");
    check(
        include_str!("fixtures/sa_add_cbc_sha256_tunnel.hex"),
        out_sa(&msgs),
    );
}

#[test]
fn golden_esn_nat_t_ports_mark_if_id_lifetimes() {
    let (c, cfg) = esn_encap_mark();
    let msgs = KernelBridge::new(cfg).install(&c).unwrap();
    check(
        include_str!("fixtures/sa_add_esn_encap_mark.hex"),
        out_sa(&msgs),
    );
}

/// The child configuration's volume limits (`ChildSaInstall::limits`) give
/// the same kernel SA, byte for byte, as the same limits set as the bridge's
/// local default in the golden test above.
#[test]
fn child_volume_limits_reach_the_kernel_sa() {
    let (mut c, mut cfg) = esn_encap_mark();
    c.limits = DataLimits {
        rekey_bytes: Some(1_000_000),
        life_packets: Some(5000),
        ..DataLimits::default()
    };
    // The local default's volume limits give way to the child's.
    cfg.lifetime.soft_bytes = Some(7);
    cfg.lifetime.hard_packets = None;
    let msgs = KernelBridge::new(cfg).install(&c).unwrap();
    check(
        include_str!("fixtures/sa_add_esn_encap_mark.hex"),
        out_sa(&msgs),
    );
}

#[test]
fn golden_ipv6_tunnel() {
    let mut c = install(
        "[2001:db8::1]:500",
        "[2001:db8::2]:500",
        0x4001,
        (EncrId::AesGcm16, Some(256)),
    );
    c.mode = IkeMode::Tunnel;
    let msgs = KernelBridge::new(iproute_like(4)).install(&c).unwrap();
    check(include_str!("fixtures/sa_add_v6_tunnel.hex"), out_sa(&msgs));
}

#[test]
fn golden_tunnel_fwd_policy_from_negotiated_selectors() {
    let mut c = install(
        "192.0.2.1:500",
        "192.0.2.2:500",
        0x2001,
        (EncrId::AesGcm16, Some(256)),
    );
    c.mode = IkeMode::Tunnel;
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    c.local_ts =
        vec![TrafficSelector::new(ip("10.2.0.0"), ip("10.2.255.255"), 6, 443, 443).unwrap()];
    c.remote_ts =
        vec![TrafficSelector::new(ip("10.1.0.0"), ip("10.1.255.255"), 6, 0, 65535).unwrap()];
    let cfg = BridgeConfig {
        priority: 100,
        ..iproute_like(2)
    };
    let msgs = KernelBridge::new(cfg).install(&c).unwrap();
    let fwd = msgs
        .iter()
        .find(|m| matches!(m, XfrmMessage::NewPolicy(p) if p.dir == u8::from(PolicyDir::Fwd)))
        .unwrap();
    check(include_str!("fixtures/policy_add_tunnel_fwd.hex"), fwd);
}

#[test]
fn golden_remove_deletes_policies_then_sas() {
    let c = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        0x1001,
        (EncrId::AesGcm16, Some(256)),
    );
    let mut b = KernelBridge::new(iproute_like(1));
    b.install(&c).unwrap();
    let msgs = b
        .remove(&ChildSaRemove {
            sa: c.sa,
            name: c.name.clone(),
            spi_in: c.spi_in,
            spi_out: c.spi_out,
        })
        .unwrap();
    assert_eq!(msgs.len(), 4, "two policies, two SAs");
    check(include_str!("fixtures/policy_delete.hex"), &msgs[0]);
    check(include_str!("fixtures/sa_delete.hex"), &msgs[3]);
    assert!(b.is_empty());
}

/// One direction's kernel attributes for an algorithm.
fn alg_attrs(
    encr: (EncrId, Option<u16>),
    integ: Option<IntegId>,
    ek: usize,
    ik: usize,
) -> Vec<Attr> {
    let mut c = install("10.0.0.1:500", "10.0.0.2:500", 0x1001, encr);
    c.integ = integ;
    c.encr_key_out = SecretBytes::zeroed(ek);
    c.encr_key_in = SecretBytes::zeroed(ek);
    c.integ_key_out = SecretBytes::zeroed(ik);
    c.integ_key_in = SecretBytes::zeroed(ik);
    let spec = spec_from_install(&c, 1, &BridgeConfig::default()).unwrap();
    let sa = spec
        .sa(Direction::Out, KernelFeatures { sa_dir: true })
        .unwrap();
    sa.attrs
        .into_iter()
        .filter(|a| {
            matches!(
                a,
                Attr::AlgAead(_) | Attr::AlgCrypt(_) | Attr::AlgAuthTrunc(_)
            )
        })
        .collect()
}

fn aead_attr(name: &str, key_len: usize, icv_bits: u32) -> Attr {
    Attr::AlgAead(AlgoLen {
        name: name.into(),
        key: xfrm_sys::Key::new(&vec![0; key_len]),
        len_bits: icv_bits,
    })
}

#[test]
fn aes_gcm_16_keeps_the_4_octet_salt_and_a_128_bit_icv() {
    for (bits, len) in [(128u16, 20usize), (192, 28), (256, 36)] {
        assert_eq!(
            alg_attrs((EncrId::AesGcm16, Some(bits)), None, len, 0),
            vec![aead_attr("rfc4106(gcm(aes))", len, 128)],
            "AES-GCM-16 {bits}"
        );
    }
    assert_eq!(
        alg_attrs((EncrId::AesGcm12, Some(128)), None, 20, 0),
        vec![aead_attr("rfc4106(gcm(aes))", 20, 96)]
    );
    assert_eq!(
        alg_attrs((EncrId::AesGcm8, Some(256)), None, 36, 0),
        vec![aead_attr("rfc4106(gcm(aes))", 36, 64)]
    );
}

#[test]
fn chacha20_poly1305_is_rfc7539esp_with_salt() {
    assert_eq!(
        alg_attrs((EncrId::Chacha20Poly1305, None), None, 36, 0),
        vec![aead_attr("rfc7539esp(chacha20,poly1305)", 36, 128)]
    );
}

#[test]
fn aes_cbc_with_hmac_sha2_uses_rfc4868_truncation() {
    for (integ, name, key, trunc) in [
        (IntegId::HmacSha2_256_128, "hmac(sha256)", 32usize, 128u32),
        (IntegId::HmacSha2_384_192, "hmac(sha384)", 48, 192),
        (IntegId::HmacSha2_512_256, "hmac(sha512)", 64, 256),
        (IntegId::HmacSha1_96, "hmac(sha1)", 20, 96),
        (IntegId::AesXcbc96, "xcbc(aes)", 16, 96),
    ] {
        for bits in [128u16, 256] {
            let ek = usize::from(bits / 8);
            assert_eq!(
                alg_attrs((EncrId::AesCbc, Some(bits)), Some(integ), ek, key),
                vec![
                    Attr::AlgCrypt(Algo {
                        name: "cbc(aes)".into(),
                        key: xfrm_sys::Key::new(&vec![0; ek]),
                    }),
                    Attr::AlgAuthTrunc(AlgoLen {
                        name: name.into(),
                        key: xfrm_sys::Key::new(&vec![0; key]),
                        len_bits: trunc,
                    }),
                ],
                "AES-CBC-{bits} + {integ:?}"
            );
        }
    }
}

#[test]
fn refusals_are_typed() {
    // An AES-GCM key without its salt.
    let mut c = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        1,
        (EncrId::AesGcm16, Some(128)),
    );
    c.encr_key_out = SecretBytes::zeroed(16);
    assert!(matches!(
        spec_from_install(&c, 1, &BridgeConfig::default()),
        Err(BridgeError::Spec(_))
    ));
    assert_eq!(
        cipher((EncrId::AesCbc, Some(128)), None, &[0; 16], &[]),
        Err(BridgeError::BadCombination(EncrId::AesCbc, None))
    );
    assert_eq!(
        cipher(
            (EncrId::AesGcm16, Some(128)),
            Some(IntegId::HmacSha2_256_128),
            &[0; 20],
            &[0; 32]
        ),
        Err(BridgeError::BadCombination(
            EncrId::AesGcm16,
            Some(IntegId::HmacSha2_256_128)
        ))
    );
    assert_eq!(
        cipher(
            (EncrId::AesCbc, Some(128)),
            Some(IntegId::HmacMd5_96),
            &[0; 16],
            &[0; 16]
        ),
        Err(BridgeError::UnsupportedInteg(IntegId::HmacMd5_96))
    );
    assert_eq!(
        cipher(
            (EncrId::CamelliaCbc, Some(128)),
            Some(IntegId::HmacSha1_96),
            &[0; 16],
            &[0; 20]
        ),
        Err(BridgeError::UnsupportedEncr(EncrId::CamelliaCbc, Some(128)))
    );
    assert_eq!(
        cipher((EncrId::AesGcm16, Some(100)), None, &[0; 16], &[]),
        Err(BridgeError::UnsupportedEncr(EncrId::AesGcm16, Some(100)))
    );
    // A port range the kernel cannot express exactly is refused, not widened.
    let mut c = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        1,
        (EncrId::AesGcm16, Some(256)),
    );
    let ip = "10.0.0.1".parse().unwrap();
    c.local_ts = vec![TrafficSelector::new(ip, ip, 17, 1000, 2000).unwrap()];
    assert!(matches!(
        spec_from_install(&c, 1, &BridgeConfig::default()),
        Err(BridgeError::Selector(_))
    ));
    // Selectors of another family than the SA's: no policy at all.
    let mut c = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        1,
        (EncrId::AesGcm16, Some(256)),
    );
    c.local_ts = vec![host("fd00::1")];
    assert_eq!(
        spec_from_install(&c, 1, &BridgeConfig::default()),
        Err(BridgeError::NoPolicy)
    );
}

#[test]
fn range_selectors_become_exact_prefixes() {
    let mut c = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        1,
        (EncrId::AesGcm16, Some(256)),
    );
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    // 10.1.0.1 - 10.1.0.6 = .1/32 .2/31 .4/31 .6/32
    c.local_ts = vec![TrafficSelector::new(ip("10.1.0.1"), ip("10.1.0.6"), 0, 0, 65535).unwrap()];
    let spec = spec_from_install(&c, 1, &BridgeConfig::default()).unwrap();
    let got: Vec<(IpAddr, u8)> = spec
        .local_ts
        .iter()
        .map(|p| (p.addr, p.prefix_len))
        .collect();
    assert_eq!(
        got,
        vec![
            (ip("10.1.0.1"), 32),
            (ip("10.1.0.2"), 31),
            (ip("10.1.0.4"), 31),
            (ip("10.1.0.6"), 32)
        ]
    );
    assert_eq!(spec.policies().len(), 8, "out + in for each prefix");
}

#[test]
fn rekey_shares_reqid_and_policies_until_the_last_child_goes() {
    let mut b = KernelBridge::new(BridgeConfig::default());
    let old = install(
        "10.0.0.1:500",
        "10.0.0.2:500",
        0x1001,
        (EncrId::AesGcm16, Some(256)),
    );
    let mut new = old.clone();
    new.spi_in = 0xc2c2_c2c2;
    new.spi_out = 0x2002;
    let other = {
        let mut o = install(
            "10.0.9.1:500",
            "10.0.9.2:500",
            0x9001,
            (EncrId::AesGcm16, Some(256)),
        );
        o.spi_in = 0xc9c9_c9c9;
        o
    };
    assert_eq!(b.install(&old).unwrap().len(), 4);
    assert_eq!(
        b.install(&new).unwrap().len(),
        2,
        "SAs only: policies exist"
    );
    assert_eq!(b.install(&other).unwrap().len(), 4);
    let reqid = |spi| b.spec(spi).unwrap().reqid;
    assert_eq!(reqid(old.spi_in), reqid(new.spi_in));
    assert_ne!(reqid(old.spi_in), reqid(other.spi_in));
    let rm = |c: &ChildSaInstall| ChildSaRemove {
        sa: c.sa,
        name: c.name.clone(),
        spi_in: c.spi_in,
        spi_out: c.spi_out,
    };
    let msgs = b.remove(&rm(&old)).unwrap();
    assert!(msgs.iter().all(|m| matches!(m, XfrmMessage::DeleteSa(_))));
    assert_eq!(msgs.len(), 2);
    let msgs = b.remove(&rm(&new)).unwrap();
    assert_eq!(msgs.len(), 4, "last user: policies go too");
    assert_eq!(
        b.remove(&rm(&new)),
        Err(BridgeError::UnknownChild(new.spi_in))
    );
    assert_eq!(b.len(), 1);
}

#[test]
fn kernel_events_map_to_their_child_sa() {
    let mut b = KernelBridge::new(BridgeConfig::default());
    let c = install(
        "10.0.0.1:4500",
        "10.0.0.2:4500",
        0x1001,
        (EncrId::AesGcm16, Some(256)),
    );
    b.install(&c).unwrap();
    let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
    let r = |spi, dst| SaRef {
        spi,
        proto: 50,
        dst,
        src: None,
        reqid: 1,
        mark: None,
        if_id: None,
        dir: None,
    };
    let child = |inbound| xfrm_sys::bridge::ChildRef {
        sa: c.sa,
        name: "net".into(),
        spi_in: c.spi_in,
        spi_out: c.spi_out,
        inbound,
    };
    assert_eq!(
        b.on_event(&Event::SoftExpire(r(c.spi_in, ip("10.0.0.1")))),
        Some(KernelInput::Rekey(child(true)))
    );
    assert_eq!(
        b.on_event(&Event::HardExpire(r(0x1001, ip("10.0.0.2")))),
        Some(KernelInput::Expired(child(false)))
    );
    // The same SPI towards another host is not ours.
    assert_eq!(
        b.on_event(&Event::SoftExpire(r(0x1001, ip("10.0.0.9")))),
        None
    );
    assert_eq!(
        b.on_event(&Event::Mapping {
            sa: r(c.spi_in, ip("10.0.0.1")),
            old: (ip("10.0.0.2"), 4500),
            new: (ip("198.51.100.9"), 61000),
        }),
        Some(KernelInput::PeerMoved {
            child: child(true),
            new_remote: sock("198.51.100.9:61000"),
        })
    );
    let sel = Selector::new(ip("10.0.0.1").unwrap(), 32, ip("10.0.0.2").unwrap(), 32);
    let acq = Event::Acquire {
        src: ip("10.0.0.1"),
        dst: ip("10.0.0.2"),
        proto: 50,
        reqid: 1,
        mode: xfrm_sys::Mode::Transport,
        sel,
        policy_index: 8,
        policy_dir: PolicyDir::Out,
        seq: 1,
    };
    assert_eq!(
        b.on_event(&acq),
        Some(KernelInput::Acquire {
            reqid: 1,
            child: Some((c.sa, "net".into())),
            trap: None,
            packet: sel,
        })
    );
}

/// Keys from a real negotiation: A's outbound SA is B's inbound SA (same SPI,
/// key, addresses), for an AEAD and for AES-CBC + HMAC-SHA-256 with ESN.
#[test]
fn negotiated_keys_line_up_across_the_two_ends() {
    for (esp, mode) in [
        ("aes128gcm16-esn", IkeMode::Tunnel),
        ("aes256-sha256-esn", IkeMode::Transport),
        ("chacha20poly1305", IkeMode::Transport),
    ] {
        let (mut link, a, b) = ike_pair::negotiate(&ike_pair::Pair {
            esp,
            mode,
            ts: ("10.1.0.0/16", "10.2.0.0/16"),
            a: sock("192.0.2.1:500"),
            b: sock("192.0.2.2:500"),
            force_encap: true,
        })
        .unwrap();
        let k = KernelFeatures { sa_dir: true };
        let sa = spec_from_install(&a, 1, &BridgeConfig::default()).unwrap();
        let sb = spec_from_install(&b, 1, &BridgeConfig::default()).unwrap();
        assert_eq!(sa.outbound, sb.inbound, "{esp}");
        assert_eq!(sa.inbound, sb.outbound, "{esp}");
        assert_eq!(sa.esn, esp.ends_with("-esn"));
        assert_eq!(
            sa.encap.unwrap().local_port,
            4500,
            "forced NAT-T floats to 4500"
        );
        let (a_out, b_in) = (
            sa.sa(Direction::Out, k).unwrap(),
            sb.sa(Direction::In, k).unwrap(),
        );
        assert_eq!(a_out.id, b_in.id, "{esp}: SPI and destination");
        assert_eq!(a_out.saddr, b_in.saddr);
        let algs = |s: &xfrm_sys::SaInfo| -> Vec<Attr> {
            s.attrs
                .iter()
                .filter(|a| {
                    matches!(
                        a,
                        Attr::AlgAead(_) | Attr::AlgCrypt(_) | Attr::AlgAuthTrunc(_)
                    )
                })
                .cloned()
                .collect()
        };
        assert_eq!(algs(&a_out), algs(&b_in), "{esp}: same keys");
        match &sa.outbound.cipher {
            Cipher::Aead { alg, key } => {
                assert!(matches!(
                    alg,
                    AeadAlg::AesGcm16 { key_bits: 128 } | AeadAlg::ChaCha20Poly1305
                ));
                assert_eq!(key.len(), alg.key_len());
            }
            Cipher::EncInteg { enc, integ, .. } => {
                assert_eq!(*enc, EncAlg::AesCbc { key_bits: 256 });
                assert_eq!(*integ, IntegAlg::HmacSha256_128);
            }
            _ => unreachable!(),
        }
        assert_eq!(sa.local_ts.len(), 1);
        assert_eq!(sa.local_ts[0].prefix_len, 16);

        // A Child SA delete negotiated by the endpoints reaches both
        // bridges as a RemoveChildSa they know.
        let (mut ba, mut bb) = (
            KernelBridge::new(BridgeConfig::default()),
            KernelBridge::new(BridgeConfig::default()),
        );
        ba.install(&a).unwrap();
        bb.install(&b).unwrap();
        link.eps[0]
            .delete_child_sa(Instant::now(), a.sa, a.spi_in)
            .unwrap();
        let [pa, pb] = link.pump().unwrap();
        for (bridge, plane, spi) in [(&mut ba, pa, a.spi_in), (&mut bb, pb, b.spi_in)] {
            assert_eq!(plane.removals.len(), 1, "{esp}");
            assert_eq!(plane.removals[0].spi_in, spi);
            let msgs = bridge.remove(&plane.removals[0]).unwrap();
            let policies = if mode == IkeMode::Tunnel { 3 } else { 2 };
            assert_eq!(msgs.len(), policies + 2, "{esp}: policies and SAs");
            assert!(bridge.is_empty());
        }
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;
    use xfrm_sys::bridge::ts_prefixes;

    fn covered(p: &[xfrm_sys::TsPrefix], a: u32) -> usize {
        p.iter()
            .filter(|x| {
                let IpAddr::V4(n) = x.addr else { return false };
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(x.prefix_len))
                    .unwrap_or(0);
                a & mask == u32::from(n)
            })
            .count()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Every address of the selector's range is covered by exactly one
        /// prefix, the neighbours outside it by none; protocol and the single
        /// port (or none) carry over.
        #[test]
        fn selector_prefixes_cover_the_range_exactly(
            start in any::<u32>(), len in 0u32..100_000, proto in prop_oneof![Just(0u8), Just(6), Just(17)],
            port in prop::option::of(1u16..), probes in proptest::collection::vec(any::<u32>(), 8),
        ) {
            let end = start.saturating_add(len);
            let (p0, p1) = port.map_or((0, u16::MAX), |p| (p, p));
            let ts = TrafficSelector::new(
                IpAddr::V4(Ipv4Addr::from(start)), IpAddr::V4(Ipv4Addr::from(end)), proto, p0, p1,
            ).unwrap();
            let p = ts_prefixes(&ts).unwrap();
            prop_assert!(p.len() <= 62);
            prop_assert!(p.iter().all(|x| x.proto == proto && x.port == port));
            for a in [start, end].into_iter().chain(probes.iter().map(|r| start + r % (end - start + 1))) {
                prop_assert_eq!(covered(&p, a), 1, "{:#x} in [{:#x}, {:#x}]", a, start, end);
            }
            if let Some(b) = start.checked_sub(1) {
                prop_assert_eq!(covered(&p, b), 0);
            }
            if let Some(a) = end.checked_add(1) {
                prop_assert_eq!(covered(&p, a), 0);
            }
        }

        /// Any order of installs and removes over a few selector sets: the
        /// policies are added by the first Child SA of a set and deleted with
        /// its last, SAs always; nothing is left at the end.
        #[test]
        fn policies_follow_the_first_and_last_user(ops in proptest::collection::vec((0usize..3, any::<bool>()), 1..40)) {
            let mut b = KernelBridge::new(BridgeConfig::default());
            let mut live: Vec<Vec<u32>> = vec![Vec::new(); 3];
            let mut next_spi = 0x1000u32;
            let base = install("10.0.0.1:500", "10.0.0.2:500", 1, (EncrId::AesGcm16, Some(256)));
            for (set, add) in ops {
                let mut c = base.clone();
                c.remote_ts = vec![host(&format!("10.9.{set}.1"))];
                if add || live[set].is_empty() {
                    next_spi += 1;
                    c.spi_in = next_spi;
                    c.spi_out = next_spi | 0x8000_0000;
                    let msgs = b.install(&c).unwrap();
                    let policies = msgs.iter().filter(|m| matches!(m, XfrmMessage::NewPolicy(_))).count();
                    prop_assert_eq!(policies, if live[set].is_empty() { 2 } else { 0 });
                    live[set].push(c.spi_in);
                } else {
                    let spi = live[set].remove(0);
                    let msgs = b.remove(&ChildSaRemove { sa: c.sa, name: c.name, spi_in: spi, spi_out: spi | 0x8000_0000 }).unwrap();
                    let policies = msgs.iter().filter(|m| matches!(m, XfrmMessage::DeletePolicy(_))).count();
                    prop_assert_eq!(policies, if live[set].is_empty() { 2 } else { 0 });
                    prop_assert_eq!(msgs.iter().filter(|m| matches!(m, XfrmMessage::DeleteSa(_))).count(), 2);
                }
            }
            for spi in live.concat() {
                b.remove(&ChildSaRemove { sa: base.sa, name: String::new(), spi_in: spi, spi_out: 0 }).unwrap();
            }
            prop_assert!(b.is_empty());
        }
    }
}
