//! IKEv2 to kernel ESP: two `ikev2-sm` endpoints in this process negotiate
//! Child SAs (PSK, over an in-memory link), the `xfrm_sys::bridge` installs
//! each end's Child SA in its own network namespace, and pings cross the
//! kernel's ESP both ways. Counters and replay state are read back, the soft
//! packet limit comes back as a rekey input for the right Child SA, and the
//! endpoints' own deletes (INFORMATIONAL) remove everything from the kernels.
//!
//! Cases: tunnel AES-GCM-256 with ESN (subnets behind the hosts), transport
//! ChaCha20-Poly1305, transport AES-CBC-128 + HMAC-SHA-256-128, and tunnel
//! AES-GCM-128 in UDP (NAT-T forced: ports from the negotiation).
//!
//! Run as root on a kernel with ESP: `xfrm-sys/vm/run.sh` boots Debian's
//! kernel for it. Prints `IKE-ESP: PASS` or `IKE-ESP: FAIL: ...`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[cfg(target_os = "linux")]
#[path = "support/ike_pair.rs"]
mod ike_pair;
#[cfg(target_os = "linux")]
#[path = "support/vm.rs"]
mod vm;

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    match linux::run() {
        Ok(()) => {
            println!("IKE-ESP: PASS");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            println!("IKE-ESP: FAIL: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("ike_esp needs Linux");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::time::{Duration, Instant};

    use ikev2_sm::config::Mode;
    use ikev2_sm::ChildSaInstall;
    use xfrm_sys::bridge::{BridgeConfig, KernelDataPlane, KernelInput};
    use xfrm_sys::msg::sa_flags;
    use xfrm_sys::{Direction, KernelFeatures, Lifetime};

    use crate::ike_pair::{negotiate, Pair};
    use crate::vm::{encap_socket_in, fresh_netns, ping, sh, socket_in, R};

    const A: &str = "ike-esp-a";
    const B: &str = "ike-esp-b";

    struct Case {
        name: &'static str,
        pair: Pair<'static>,
        /// Inner addresses of A and B that the pings use.
        a_inner: &'static str,
        b_inner: &'static str,
    }

    fn cases() -> Vec<Case> {
        let sock = |s: &str| s.parse().unwrap();
        vec![
            Case {
                name: "tunnel AES-GCM-256 + ESN",
                pair: Pair {
                    esp: "aes256gcm16-esn",
                    mode: Mode::Tunnel,
                    ts: ("192.168.81.0/24", "192.168.82.0/24"),
                    a: sock("10.0.8.1:500"),
                    b: sock("10.0.8.2:500"),
                    force_encap: false,
                },
                a_inner: "192.168.81.1",
                b_inner: "192.168.82.2",
            },
            Case {
                name: "transport ChaCha20-Poly1305",
                pair: Pair {
                    esp: "chacha20poly1305",
                    mode: Mode::Transport,
                    ts: ("10.0.9.1/32", "10.0.9.2/32"),
                    a: sock("10.0.9.1:500"),
                    b: sock("10.0.9.2:500"),
                    force_encap: false,
                },
                a_inner: "10.0.9.1",
                b_inner: "10.0.9.2",
            },
            Case {
                name: "transport AES-CBC-128 + HMAC-SHA-256-128",
                pair: Pair {
                    esp: "aes128-sha256",
                    mode: Mode::Transport,
                    ts: ("10.0.10.1/32", "10.0.10.2/32"),
                    a: sock("10.0.10.1:500"),
                    b: sock("10.0.10.2:500"),
                    force_encap: false,
                },
                a_inner: "10.0.10.1",
                b_inner: "10.0.10.2",
            },
            Case {
                name: "tunnel AES-GCM-128 in UDP (NAT-T)",
                pair: Pair {
                    esp: "aes128gcm16",
                    mode: Mode::Tunnel,
                    ts: ("192.168.111.1/32", "192.168.112.2/32"),
                    a: sock("10.0.11.1:500"),
                    b: sock("10.0.11.2:500"),
                    force_encap: true,
                },
                a_inner: "192.168.111.1",
                b_inner: "192.168.112.2",
            },
        ]
    }

    fn setup() -> R<()> {
        fresh_netns(&[A, B])?;
        sh(&[
            "ip", "link", "add", "va", "netns", A, "type", "veth", "peer", "name", "vb", "netns", B,
        ])?;
        for (ns, dev, me) in [(A, "va", "1"), (B, "vb", "2")] {
            for net in 8..=11 {
                let addr = format!("10.0.{net}.{me}/24");
                sh(&["ip", "-n", ns, "addr", "add", &addr, "dev", dev])?;
            }
            sh(&["ip", "-n", ns, "link", "set", "lo", "up"])?;
            sh(&["ip", "-n", ns, "link", "set", dev, "up"])?;
        }
        // Inner addresses on lo, routed over the tunnel's outer network.
        for (ns, mine, theirs, via) in [
            (A, "192.168.81.1", "192.168.82.0/24", "10.0.8.2"),
            (B, "192.168.82.2", "192.168.81.0/24", "10.0.8.1"),
            (A, "192.168.111.1", "192.168.112.2/32", "10.0.11.2"),
            (B, "192.168.112.2", "192.168.111.1/32", "10.0.11.1"),
        ] {
            sh(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{mine}/32"),
                "dev",
                "lo",
            ])?;
            sh(&[
                "ip", "-n", ns, "route", "add", theirs, "via", via, "src", mine,
            ])?;
        }
        Ok(())
    }

    /// Both SAs of one end carried at least `min` packets, without
    /// integrity or replay failures; returns (out, in) packet counts.
    fn counters(dp: &mut KernelDataPlane, c: &ChildSaInstall, min: u64) -> R<(u64, u64)> {
        let spec = dp
            .bridge()
            .spec(c.spi_in)
            .ok_or("installed Child SA not in the bridge")?
            .clone();
        let mut got = [0u64; 2];
        for (i, dir) in [Direction::Out, Direction::In].into_iter().enumerate() {
            let sa = dp
                .socket()
                .get_sa(spec.sa_id(dir))
                .map_err(|e| format!("GETSA {dir:?}: {e}"))?;
            if sa.stats.integrity_failed != 0 || sa.stats.replay != 0 {
                return Err(format!("{dir:?} SA counted errors: {:?}", sa.stats));
            }
            if spec.esn && sa.flags & sa_flags::ESN == 0 {
                return Err(format!("{dir:?} SA lacks the ESN flag"));
            }
            got[i] = sa.curlft.packets;
        }
        if got.iter().any(|&n| n < min) {
            return Err(format!("counters (out, in) = {got:?}, want at least {min}"));
        }
        Ok((got[0], got[1]))
    }

    pub(crate) fn run() -> R<()> {
        let k = KernelFeatures::detect();
        println!("kernel features: {k:?}");
        setup()?;
        let cfg = BridgeConfig {
            features: k,
            replay_window: 128,
            // Low soft limit: every Child SA must come back as a rekey input.
            lifetime: Lifetime {
                soft_packets: Some(4),
                hard_packets: Some(1_000_000),
                ..Lifetime::default()
            },
            ..BridgeConfig::default()
        };
        let open = |ns| -> R<KernelDataPlane> {
            KernelDataPlane::with_sockets(
                socket_in(ns, &[])?,
                socket_in(ns, &KernelDataPlane::GROUPS)?,
                cfg.clone(),
            )
            .map_err(|e| format!("{ns}: {e}"))
        };
        let (mut dp_a, mut dp_b) = (open(A)?, open(B)?);
        // ESP-in-UDP receivers on the NAT-T case's port 4500 (the IKE
        // daemon's socket does this in a real deployment).
        let _encap = [
            encap_socket_in(A, "10.0.11.1:4500")?,
            encap_socket_in(B, "10.0.11.2:4500")?,
        ];

        let cases = cases();
        let mut installed = Vec::new();
        let mut links = Vec::new();
        for c in &cases {
            let t0 = Instant::now();
            let (link, ia, ib) = negotiate(&c.pair).map_err(|e| format!("{}: IKE: {e}", c.name))?;
            println!(
                "{}: negotiated in {} ms: {:?} integ {:?} esn {:?}, SPIs {:08x}/{:08x}, {} -> {} encap {}",
                c.name,
                t0.elapsed().as_millis(),
                ia.encr,
                ia.integ,
                ia.esn,
                ia.spi_in,
                ia.spi_out,
                ia.local,
                ia.remote,
                ia.udp_encap
            );
            if c.pair.force_encap != ia.udp_encap || ia.udp_encap != ib.udp_encap {
                return Err(format!("{}: UDP encapsulation not as negotiated", c.name));
            }
            dp_a.install(&ia)
                .map_err(|e| format!("{}: install in A: {e}", c.name))?;
            dp_b.install(&ib)
                .map_err(|e| format!("{}: install in B: {e}", c.name))?;
            links.push(link);
            installed.push((ia, ib));
        }

        for (c, (ia, ib)) in cases.iter().zip(&installed) {
            ping(A, Some(c.a_inner), c.b_inner, 3).map_err(|e| format!("{}: A->B: {e}", c.name))?;
            ping(B, Some(c.b_inner), c.a_inner, 3).map_err(|e| format!("{}: B->A: {e}", c.name))?;
            // Each SA: 3 echo requests of its own side plus 3 replies.
            let a = counters(&mut dp_a, ia, 6).map_err(|e| format!("{}: A: {e}", c.name))?;
            let b = counters(&mut dp_b, ib, 6).map_err(|e| format!("{}: B: {e}", c.name))?;
            println!(
                "{}: ping both ways; packets A out/in {}/{}, B out/in {}/{}",
                c.name, a.0, a.1, b.0, b.1
            );
        }

        // Soft limits: each of A's Child SAs must come back as a rekey input.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut pending: Vec<u32> = installed.iter().map(|(ia, _)| ia.spi_in).collect();
        while !pending.is_empty() && Instant::now() < deadline {
            for input in dp_a.poll_inputs().map_err(|e| e.to_string())? {
                if let KernelInput::Rekey(child) = &input {
                    if pending.contains(&child.spi_in) {
                        println!("rekey input: {child:?}");
                    }
                    pending.retain(|s| *s != child.spi_in);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !pending.is_empty() {
            return Err(format!("no rekey input for inbound SPIs {pending:08x?}"));
        }

        // Deletes negotiated by the endpoints (INFORMATIONAL): a Child SA
        // delete for all but the last case, an IKE SA delete (taking its
        // Child SA along) for the last. Each side's RemoveChildSa goes
        // through the bridge.
        let last = installed.len() - 1;
        for (i, (link, (ia, ib))) in links.iter_mut().zip(&installed).enumerate() {
            let now = Instant::now();
            let r = if i == last {
                link.eps[0].delete_ike_sa(now, ia.sa)
            } else {
                link.eps[0].delete_child_sa(now, ia.sa, ia.spi_in)
            };
            r.map_err(|e| format!("{}: delete: {e}", cases[i].name))?;
            let [pa, pb] = link
                .pump()
                .map_err(|e| format!("{}: delete: {e}", cases[i].name))?;
            for (side, dp, plane, spi_in) in [
                ("A", &mut dp_a, pa, ia.spi_in),
                ("B", &mut dp_b, pb, ib.spi_in),
            ] {
                let spis: Vec<u32> = plane.removals.iter().map(|r| r.spi_in).collect();
                if spis != [spi_in] {
                    return Err(format!(
                        "{}: {side} was asked to remove {spis:08x?}, not {spi_in:08x}",
                        cases[i].name
                    ));
                }
                for r in &plane.removals {
                    dp.remove(r)
                        .map_err(|e| format!("{}: remove in {side}: {e}", cases[i].name))?;
                }
            }
            println!(
                "{}: deleted by IKE ({}), removed from both kernels",
                cases[i].name,
                if i == last { "IKE SA" } else { "Child SA" }
            );
        }
        for (ns, dp) in [(A, &mut dp_a), (B, &mut dp_b)] {
            let s = dp.socket().dump_sa().map_err(|e| e.to_string())?.len();
            let p = dp.socket().dump_policy().map_err(|e| e.to_string())?.len();
            if s + p != 0 {
                return Err(format!("{ns}: {s} SAs and {p} policies left after removal"));
            }
        }
        println!("removed: no SA or policy left in either namespace");
        let _ = sh(&["ip", "netns", "del", A]);
        let _ = sh(&["ip", "netns", "del", B]);
        Ok(())
    }
}
