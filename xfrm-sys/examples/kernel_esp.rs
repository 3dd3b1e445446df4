//! Real kernel ESP through xfrm-sys: two network namespaces joined by a veth
//! pair, Child SAs installed on both ends with xfrm-sys only, traffic pinged
//! through them, counters read back and SA expiry events received.
//!
//! Run as root on a kernel with ESP (the project's test harness boots Debian's
//! kernel under QEMU for this: `xfrm-sys/vm/run.sh`). Needs iproute2 (for the
//! namespaces, links and addresses) and `ping`. Prints `XFRM-ESP: PASS` or
//! `XFRM-ESP: FAIL: ...` and exits accordingly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    match linux::run() {
        Ok(()) => {
            println!("XFRM-ESP: PASS");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            println!("XFRM-ESP: FAIL: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("kernel_esp needs Linux");
}

#[cfg(target_os = "linux")]
#[path = "support/vm.rs"]
mod vm;

#[cfg(target_os = "linux")]
mod linux {
    use std::net::IpAddr;

    use std::process::Command;
    use std::time::Instant;

    use crate::vm::{encap_socket_in, sh, socket_in, wait_event, R};
    use xfrm_sys::attr::Attr;
    use xfrm_sys::msg::sa_flags;
    use xfrm_sys::{
        AeadAlg, AllocSpi, ChildSaSpec, Cipher, Direction, EncAlg, Event, Group, IntegAlg,
        KernelFeatures, Key, Lifetime, Mode, SaIdMsg, SaKeys, TsPrefix, UdpEncap, XfrmSocket,
    };

    const A: &str = "xfrm-esp-a";
    const B: &str = "xfrm-esp-b";

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn setup() -> R<()> {
        for ns in [A, B] {
            if std::path::Path::new(&format!("/run/netns/{ns}")).exists() {
                let _ = Command::new("ip").args(["netns", "del", ns]).status();
            }
        }
        sh(&["ip", "netns", "add", A])?;
        sh(&["ip", "netns", "add", B])?;
        sh(&[
            "ip", "link", "add", "va", "netns", A, "type", "veth", "peer", "name", "vb", "netns", B,
        ])?;
        for (ns, dev, me) in [(A, "va", "1"), (B, "vb", "2")] {
            for net in [1, 2, 3, 4, 5, 7] {
                sh(&[
                    "ip",
                    "-n",
                    ns,
                    "addr",
                    "add",
                    &format!("10.0.{net}.{me}/24"),
                    "dev",
                    dev,
                ])?;
            }
            sh(&["ip", "-n", ns, "link", "set", "lo", "up"])?;
            sh(&["ip", "-n", ns, "link", "set", dev, "up"])?;
        }
        for (ns, dev, me) in [(A, "va", "1"), (B, "vb", "2")] {
            sh(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("fd00:6::{me}/64"),
                "dev",
                dev,
                "nodad",
            ])?;
        }
        // Inner addresses of the NAT-T case.
        sh(&["ip", "-n", A, "addr", "add", "192.168.71.1/32", "dev", "lo"])?;
        sh(&["ip", "-n", B, "addr", "add", "192.168.72.2/32", "dev", "lo"])?;
        sh(&[
            "ip",
            "-n",
            A,
            "route",
            "add",
            "192.168.72.2/32",
            "via",
            "10.0.7.2",
            "src",
            "192.168.71.1",
        ])?;
        sh(&[
            "ip",
            "-n",
            B,
            "route",
            "add",
            "192.168.71.1/32",
            "via",
            "10.0.7.1",
            "src",
            "192.168.72.2",
        ])?;
        // Inner networks of the tunnel case.
        sh(&["ip", "-n", A, "addr", "add", "192.168.1.1/32", "dev", "lo"])?;
        sh(&["ip", "-n", B, "addr", "add", "192.168.2.2/32", "dev", "lo"])?;
        sh(&[
            "ip",
            "-n",
            A,
            "route",
            "add",
            "192.168.2.0/24",
            "via",
            "10.0.3.2",
            "src",
            "192.168.1.1",
        ])?;
        sh(&[
            "ip",
            "-n",
            B,
            "route",
            "add",
            "192.168.1.0/24",
            "via",
            "10.0.3.1",
            "src",
            "192.168.2.2",
        ])?;
        Ok(())
    }

    fn key(len: usize, seed: u8) -> Key {
        Key::new(
            &(0..len)
                .map(|i| seed.wrapping_add(i as u8))
                .collect::<Vec<_>>(),
        )
    }

    fn aead(alg: AeadAlg, spi: u32, seed: u8) -> SaKeys {
        SaKeys {
            spi,
            cipher: Cipher::Aead {
                alg,
                key: key(alg.key_len(), seed),
            },
        }
    }

    struct Case {
        name: &'static str,
        spec: ChildSaSpec,
        ping_from: Option<&'static str>,
        ping_to: &'static str,
    }

    fn cases() -> Vec<Case> {
        let gcm256 = AeadAlg::AesGcm16 { key_bits: 256 };
        let mk = |net: u8, mode: Mode, reqid: u32, a_in: SaKeys, a_out: SaKeys| {
            ChildSaSpec::new(
                ip(&format!("10.0.{net}.1")),
                ip(&format!("10.0.{net}.2")),
                mode,
                reqid,
                a_in,
                a_out,
            )
        };
        let mut v = Vec::new();

        let s = mk(
            1,
            Mode::Transport,
            1,
            aead(gcm256, 0x1001, 1),
            aead(gcm256, 0x1002, 2),
        );
        v.push(Case {
            name: "transport AES-GCM-256",
            spec: s,
            ping_from: None,
            ping_to: "10.0.1.2",
        });

        let cha = AeadAlg::ChaCha20Poly1305;
        let mut s = mk(
            2,
            Mode::Transport,
            2,
            aead(cha, 0x2001, 3),
            aead(cha, 0x2002, 4),
        );
        // A soft packet limit: the kernel must report a soft expire (rekey).
        s.lifetime = Lifetime {
            soft_packets: Some(2),
            ..Lifetime::default()
        };
        v.push(Case {
            name: "transport ChaCha20-Poly1305",
            spec: s,
            ping_from: None,
            ping_to: "10.0.2.2",
        });

        let cbc = |spi, seed| SaKeys {
            spi,
            cipher: Cipher::EncInteg {
                enc: EncAlg::AesCbc { key_bits: 256 },
                enc_key: key(32, seed),
                integ: IntegAlg::HmacSha256_128,
                integ_key: key(32, seed.wrapping_add(100)),
            },
        };
        let mut s = mk(3, Mode::Tunnel, 3, cbc(0x3001, 5), cbc(0x3002, 6));
        s.local_ts = vec![TsPrefix::net(ip("192.168.1.0"), 24)];
        s.remote_ts = vec![TsPrefix::net(ip("192.168.2.0"), 24)];
        v.push(Case {
            name: "tunnel AES-CBC-256 + HMAC-SHA-256-128",
            spec: s,
            ping_from: Some("192.168.1.1"),
            ping_to: "192.168.2.2",
        });

        let s = ChildSaSpec::new(
            ip("fd00:6::1"),
            ip("fd00:6::2"),
            Mode::Tunnel,
            6,
            aead(gcm256, 0x6001, 11),
            aead(gcm256, 0x6002, 12),
        );
        v.push(Case {
            name: "IPv6 tunnel AES-GCM-256",
            spec: s,
            ping_from: None,
            ping_to: "fd00:6::2",
        });

        let gcm128 = AeadAlg::AesGcm16 { key_bits: 128 };
        let mut s = mk(
            4,
            Mode::Transport,
            4,
            aead(gcm128, 0x4001, 7),
            aead(gcm128, 0x4002, 8),
        );
        s.esn = true;
        s.replay_window = 4096;
        v.push(Case {
            name: "transport AES-GCM-128, ESN, 4096-packet window",
            spec: s,
            ping_from: None,
            ping_to: "10.0.4.2",
        });
        v
    }

    fn sa_id(spec: &ChildSaSpec, inbound: bool) -> SaIdMsg {
        spec.sa_id(if inbound {
            Direction::In
        } else {
            Direction::Out
        })
    }

    /// ESP in UDP (RFC 3948) through encapsulation sockets, with B believing
    /// A sits behind a NAT that maps it to port 4501: A's packets arriving
    /// from port 4500 make B's kernel report a MAPPING change for B's inbound
    /// SA (SPI 0x7002).
    fn nat_t(k: KernelFeatures, sa: &mut XfrmSocket, sb: &mut XfrmSocket) -> R<()> {
        let _a4500 = encap_socket_in(A, "10.0.7.1:4500")?;
        let _a4501 = encap_socket_in(A, "10.0.7.1:4501")?;
        let _b4500 = encap_socket_in(B, "10.0.7.2:4500")?;
        let mut mapping_ev = socket_in(B, &[Group::Mapping])?;
        mapping_ev
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let gcm = AeadAlg::AesGcm16 { key_bits: 256 };
        let mut s = ChildSaSpec::new(
            ip("10.0.7.1"),
            ip("10.0.7.2"),
            Mode::Tunnel,
            7,
            aead(gcm, 0x7001, 13),
            aead(gcm, 0x7002, 14),
        );
        // Inner addresses differ from the outer ones: the UDP-encapsulated
        // packets themselves must not match the policies (an IKE daemon
        // instead puts a bypass policy on its port-4500 socket).
        s.local_ts = vec![TsPrefix::host(ip("192.168.71.1"))];
        s.remote_ts = vec![TsPrefix::host(ip("192.168.72.2"))];
        s.encap = Some(UdpEncap {
            local_port: 4500,
            remote_port: 4500,
        });
        let mut peer = s.peer_view();
        peer.encap = Some(UdpEncap {
            local_port: 4500,
            remote_port: 4501,
        });
        sa.install(&s, k)
            .map_err(|e| format!("NAT-T install in A: {e}"))?;
        sb.install(&peer, k)
            .map_err(|e| format!("NAT-T install in B: {e}"))?;
        if let Err(e) = sh(&[
            "ip",
            "netns",
            "exec",
            A,
            "ping",
            "-c",
            "3",
            "-W",
            "2",
            "-I",
            "192.168.71.1",
            "192.168.72.2",
        ]) {
            for (n, ns, sock, spec) in [("A", A, &mut *sa, &s), ("B", B, &mut *sb, &peer)] {
                for inbound in [true, false] {
                    let x = sock.get_sa(sa_id(spec, inbound));
                    println!(
                        "{n} {}: {:?}",
                        if inbound { "in" } else { "out" },
                        x.map(|x| (x.curlft, x.stats))
                    );
                }
                let _ = Command::new("ip")
                    .args(["netns", "exec", ns, "cat", "/proc/net/xfrm_stat"])
                    .status();
                let _ = Command::new("ip")
                    .args(["netns", "exec", ns, "cat", "/proc/net/udp"])
                    .status();
            }
            return Err(format!("NAT-T ping: {e}"));
        }
        let in_b = sb.get_sa(sa_id(&peer, true)).map_err(|e| e.to_string())?;
        let in_a = sa.get_sa(sa_id(&s, true)).map_err(|e| e.to_string())?;
        println!(
            "ESP-in-UDP: B in {} pkts, A in (replies) {} pkts",
            in_b.curlft.packets, in_a.curlft.packets
        );
        if in_b.curlft.packets < 3 || in_a.curlft.packets < 1 {
            return Err("ESP-in-UDP counters too low".into());
        }
        let e = wait_event(&mut mapping_ev, "MAPPING", |e| {
            matches!(e, Event::Mapping { .. })
        })?;
        println!("received: {e:?}");
        match e {
            Event::Mapping { sa: r, old, new }
                if r.spi == 0x7002 && old.1 == 4501 && new == (Some(ip("10.0.7.1")), 4500) => {}
            other => return Err(format!("unexpected mapping event {other:?}")),
        }
        sa.uninstall(&s).map_err(|e| e.to_string())?;
        sb.uninstall(&peer).map_err(|e| e.to_string())?;
        Ok(())
    }

    pub(crate) fn run() -> R<()> {
        let k = KernelFeatures::detect();
        println!("kernel features: {k:?}");
        setup()?;
        let mut sa = socket_in(A, &[])?;
        let mut sb = socket_in(B, &[])?;
        let mut ev = socket_in(A, &[Group::Expire, Group::Sa])?;
        ev.set_nonblocking(true).map_err(|e| e.to_string())?;

        let mut cases = cases();
        // The first case reserves A's inbound SPI first, as an IKE daemon
        // does before it answers (ALLOCSPI), then completes the larval SA.
        let c0 = &mut cases[0];
        let req = AllocSpi::inbound(
            c0.spec.local,
            c0.spec.remote,
            50,
            c0.spec.mode,
            c0.spec.reqid,
            0xc000_0000,
            0xcfff_ffff,
        );
        let larval = sa.alloc_spi(req).map_err(|e| format!("ALLOCSPI: {e}"))?;
        println!("ALLOCSPI gave SPI {:#x}", larval.id.spi);
        if !(0xc000_0000..=0xcfff_ffff).contains(&larval.id.spi) {
            return Err("allocated SPI out of range".into());
        }
        c0.spec.inbound.spi = larval.id.spi;
        for m in c0.spec.install_after_alloc(k).map_err(|e| e.to_string())? {
            sa.execute(&m)
                .map_err(|e| format!("{}: install (after ALLOCSPI) in A: {e}", c0.name))?;
        }
        for (i, c) in cases.iter().enumerate() {
            if i > 0 {
                sa.install(&c.spec, k)
                    .map_err(|e| format!("{}: install in A: {e}", c.name))?;
            }
            sb.install(&c.spec.peer_view(), k)
                .map_err(|e| format!("{}: install in B: {e}", c.name))?;
            println!("installed: {}", c.name);
        }
        println!(
            "SAs in A: {}, policies in A: {}",
            sa.dump_sa().map_err(|e| e.to_string())?.len(),
            sa.dump_policy().map_err(|e| e.to_string())?.len()
        );

        for c in &cases {
            let mut args = vec!["ip", "netns", "exec", A, "ping", "-c", "3", "-W", "2"];
            if let Some(src) = c.ping_from {
                args.extend(["-I", src]);
            }
            args.push(c.ping_to);
            sh(&args).map_err(|e| format!("{}: ping: {e}", c.name))?;
            // Counters: A's outbound SA and B's inbound SA each carried the 3 requests.
            let out_a = sa
                .get_sa(sa_id(&c.spec, false))
                .map_err(|e| format!("{}: get A out: {e}", c.name))?;
            let in_b = sb
                .get_sa(sa_id(&c.spec.peer_view(), true))
                .map_err(|e| format!("{}: get B in: {e}", c.name))?;
            let in_a = sa
                .get_sa(sa_id(&c.spec, true))
                .map_err(|e| format!("{}: get A in: {e}", c.name))?;
            println!(
                "{}: A out {} pkts/{} B, B in {} pkts/{} B, A in (replies) {} pkts",
                c.name,
                out_a.curlft.packets,
                out_a.curlft.bytes,
                in_b.curlft.packets,
                in_b.curlft.bytes,
                in_a.curlft.packets
            );
            if out_a.curlft.packets < 3
                || in_b.curlft.packets < 3
                || in_a.curlft.packets < 1
                || in_b.curlft.bytes == 0
            {
                return Err(format!("{}: counters too low", c.name));
            }
            if in_b.stats.integrity_failed != 0 || in_b.stats.replay != 0 {
                return Err(format!("{}: errors counted: {:?}", c.name, in_b.stats));
            }
            if c.spec.esn {
                if in_b.flags & sa_flags::ESN == 0 {
                    return Err("ESN flag not set on the kernel SA".into());
                }
                let rs = in_b
                    .attrs
                    .iter()
                    .find_map(|a| {
                        if let Attr::ReplayEsnVal(r) = a {
                            Some(r.clone())
                        } else {
                            None
                        }
                    })
                    .ok_or("no XFRMA_REPLAY_ESN_VAL read back")?;
                println!(
                    "{}: replay window {} ({} bitmap words), seq {}",
                    c.name, rs.replay_window, rs.bmp_len, rs.seq
                );
                if rs.replay_window != 4096 || rs.bmp_len != 128 || rs.seq < 3 {
                    return Err(format!("{}: unexpected replay state {rs:?}", c.name));
                }
            }
        }

        // Soft packet limit on the ChaCha20 SAs: 3 packets passed, limit 2.
        let e = wait_event(
            &mut ev,
            "soft expire (packets)",
            |e| matches!(e, Event::SoftExpire(r) if r.reqid == 2 && (r.spi == 0x2001 || r.spi == 0x2002)),
        )?;
        println!("received: {e:?}");

        // Time limits: soft after 2 s, hard after 4 s.
        let gcm = AeadAlg::AesGcm16 { key_bits: 256 };
        let mut s = ChildSaSpec::new(
            ip("10.0.5.1"),
            ip("10.0.5.2"),
            Mode::Transport,
            5,
            aead(gcm, 0x5001, 9),
            aead(gcm, 0x5002, 10),
        );
        s.lifetime = Lifetime {
            soft_seconds: Some(2),
            hard_seconds: Some(4),
            ..Lifetime::default()
        };
        let t0 = Instant::now();
        sa.install(&s, k).map_err(|e| format!("expiry case: {e}"))?;
        let e = wait_event(
            &mut ev,
            "soft expire (time)",
            |e| matches!(e, Event::SoftExpire(r) if r.spi == 0x5001),
        )?;
        println!("received after {:.1} s: {e:?}", t0.elapsed().as_secs_f32());
        let e = wait_event(
            &mut ev,
            "hard expire (time)",
            |e| matches!(e, Event::HardExpire(r) if r.spi == 0x5001),
        )?;
        println!("received after {:.1} s: {e:?}", t0.elapsed().as_secs_f32());
        match sa.get_sa(sa_id(&s, true)) {
            Err(xfrm_sys::Error::Kernel(e)) if e.errno == 3 => {
                println!("hard-expired SA is gone (ESRCH)")
            }
            other => return Err(format!("hard-expired SA still there: {other:?}")),
        }
        sa.uninstall(&s).map_err(|e| e.to_string())?;

        nat_t(k, &mut sa, &mut sb)?;

        for c in &cases {
            sa.uninstall(&c.spec).map_err(|e| e.to_string())?;
            sb.uninstall(&c.spec.peer_view())
                .map_err(|e| e.to_string())?;
        }
        let left = sa.dump_sa().map_err(|e| e.to_string())?.len()
            + sa.dump_policy().map_err(|e| e.to_string())?.len();
        if left != 0 {
            return Err(format!("{left} SAs/policies left in A after uninstall"));
        }
        let _ = Command::new("ip").args(["netns", "del", A]).status();
        let _ = Command::new("ip").args(["netns", "del", B]).status();
        Ok(())
    }
}
