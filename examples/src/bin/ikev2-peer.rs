//! `ikev2-peer`: an IKEv2/IPsec VPN peer on the ikev2-rs crates.
//!
//! ```text
//! ikev2-peer --config FILE [--json] [--key-log FILE] [-v...]
//!                                                run the peer
//! ikev2-peer --config FILE --check               check the configuration, start nothing
//! ikev2-peer --status [--config FILE | --control PATH] [--json]
//!                                                list IKE and Child SAs of a running peer
//! ikev2-peer demo [--packets N] [--size OCTETS] [--ike PROPOSAL] [--esp PROPOSAL] [--json]
//!                                                two peers on loopback, ESP both ways
//! ```
//!
//! Events go to stdout, one per line (JSON with `--json`); logs go to
//! stderr (`-v` info, `-vv` debug, `-vvv` trace). `--key-log FILE`
//! appends every IKE SA's keys (rekeyed ones included) to FILE in
//! Wireshark's `ikev2_decryption_table` format, to decrypt captures: it
//! writes secrets to disk, for test labs only. Exit status: 0 after a
//! clean shutdown (SIGINT/SIGTERM) or a successful demo, 1 on a usage,
//! configuration or setup error (nothing was started), 2 when the demo's
//! tunnel failed or lost packets.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_examples::peer::config::{self, Config, DataPlaneConfig};
use ikev2_examples::peer::control;
use ikev2_examples::peer::dataplane::{DataPlane, NoDataPlane, Userspace};
use ikev2_examples::peer::demo::{self, DemoOptions};
use ikev2_examples::peer::driver::{LocalPackets, Peer, SocketPair};
use ikev2_examples::peer::events::{self, render};
use serde_json::json;
use tokio::sync::mpsc;

const USAGE: &str = "usage:
  ikev2-peer --config FILE [--json] [--key-log FILE] [-v...]
  ikev2-peer --config FILE --check
  ikev2-peer --status [--config FILE | --control PATH] [--json]
  ikev2-peer demo [--packets N] [--size OCTETS] [--ike PROPOSAL] [--esp PROPOSAL] [--json]";

#[derive(Default)]
struct Opts {
    config: Option<PathBuf>,
    control: Option<PathBuf>,
    key_log: Option<PathBuf>,
    json: bool,
    verbose: u8,
    check: bool,
    status: bool,
    demo: Option<DemoOptions>,
}

fn parse_args() -> Result<Opts, lexopt::Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let mut o = Opts::default();
    while let Some(arg) = p.next()? {
        match arg {
            Value(v) if v == "demo" && o.demo.is_none() => o.demo = Some(DemoOptions::default()),
            Long("config") | Short('c') => o.config = Some(p.value()?.into()),
            Long("control") => o.control = Some(p.value()?.into()),
            Long("key-log") => o.key_log = Some(p.value()?.into()),
            Long("json") => o.json = true,
            Short('v') => o.verbose = o.verbose.saturating_add(1),
            Long("check") => o.check = true,
            Long("status") => o.status = true,
            Long("packets") | Long("size") | Long("ike") | Long("esp") | Long("window") => {
                let Some(d) = o.demo.as_mut() else {
                    return Err(arg.unexpected());
                };
                match arg {
                    Long("packets") => d.packets = p.value()?.parse()?,
                    Long("size") => d.size = p.value()?.parse()?,
                    Long("window") => d.window = p.value()?.parse()?,
                    Long("ike") => d.ike = p.value()?.string()?,
                    _ => d.esp = p.value()?.string()?,
                }
            }
            Long("help") | Short('h') => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    if let Some(d) = &o.demo {
        if d.size < 32 || d.size > 9000 {
            return Err("--size: 32..=9000 octets".into());
        }
    } else if o.config.is_none() && !(o.status && o.control.is_some()) {
        return Err("--config FILE is required".into());
    }
    Ok(o)
}

fn init_logs(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        2 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ikev2-peer: {e}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    init_logs(o.verbose);
    if o.demo.is_some() {
        return run_demo(&o);
    }
    // The configuration first: nothing starts on a bad one.
    let cfg = match o.config.as_deref().map(config::load) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            eprintln!("ikev2-peer: {e}");
            return ExitCode::from(1);
        }
        None => None,
    };
    if o.status {
        let path = o
            .control
            .clone()
            .or_else(|| cfg.as_ref().map(|c| c.settings.control_socket.clone()))
            .unwrap_or_else(|| config::DEFAULT_CONTROL_SOCKET.into());
        return match control::query(&path) {
            Ok(st) => {
                if o.json {
                    println!("{st}");
                } else {
                    print!("{}", control::render_status(&st));
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ikev2-peer: {e}");
                ExitCode::from(1)
            }
        };
    }
    let Some(cfg) = cfg else {
        eprintln!("ikev2-peer: --config FILE is required\n{USAGE}");
        return ExitCode::from(1);
    };
    if o.check {
        println!(
            "{}: {} connection(s), data plane {}: OK",
            o.config
                .as_deref()
                .unwrap_or(std::path::Path::new("-"))
                .display(),
            cfg.connections.len(),
            plane_name(&cfg.dataplane)
        );
        return ExitCode::SUCCESS;
    }
    let Some(rt) = runtime("ikev2-peer") else {
        return ExitCode::from(1);
    };
    match rt.block_on(run_peer(cfg, o.json, o.key_log.clone())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ikev2-peer: {e}");
            ExitCode::from(1)
        }
    }
}

fn plane_name(d: &DataPlaneConfig) -> &'static str {
    match d {
        DataPlaneConfig::Userspace { .. } => "userspace",
        DataPlaneConfig::Kernel { .. } => "kernel",
        _ => "none",
    }
}

async fn run_peer(
    cfg: Config,
    json: bool,
    key_log: Option<PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut sockets = Vec::new();
    for ip in cfg.local_addrs() {
        sockets.push(SocketPair::bind(ip, cfg.settings.port, cfg.settings.port_nat_t).await?);
    }
    let (plane, local, routes): (Box<dyn DataPlane>, LocalPackets, _) = match &cfg.dataplane {
        DataPlaneConfig::Userspace { tun, address, mtu } => {
            let (local, hook) = ikev2_examples::peer::tun::open(tun, *address, *mtu)?;
            (Box::new(Userspace::new(&PROVIDER)), local, Some(hook))
        }
        DataPlaneConfig::Kernel { replay_window } => (
            Box::new(
                ikev2_examples::peer::kernel::Kernel::open(*replay_window)
                    .map_err(|e| format!("kernel data plane (XFRM netlink): {e}"))?,
            ),
            LocalPackets::default(),
            None,
        ),
        _ => (
            Box::new(NoDataPlane::default()),
            LocalPackets::default(),
            None,
        ),
    };
    let (ctl_tx, ctl_rx) = mpsc::channel(8);
    let _guard = control::serve(&cfg.settings.control_socket, ctl_tx)?;
    let (etx, mut erx) = mpsc::unbounded_channel();
    let mut peer = Peer::new(cfg, sockets, plane, etx);
    if let Some(hook) = routes {
        peer.set_route_hook(hook);
    }
    if let Some(path) = key_log {
        peer.set_key_log(path);
    }
    let printer = tokio::spawn(async move {
        while let Some(e) = erx.recv().await {
            println!("{}", render(&e, json));
        }
    });
    let shutdown = async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let term = async move {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    };
    peer.run(local, ctl_rx, shutdown).await?;
    let _ = tokio::time::timeout(Duration::from_millis(200), printer).await;
    Ok(())
}

/// The two-thread tokio runtime both modes run on; `None` (reported as
/// `who`) if it cannot start.
fn runtime(who: &str) -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| eprintln!("{who}: runtime: {e}"))
        .ok()
}

fn run_demo(o: &Opts) -> ExitCode {
    let Some(d) = o.demo.clone() else {
        return ExitCode::from(1);
    };
    let Some(rt) = runtime("ikev2-peer demo") else {
        return ExitCode::from(1);
    };
    let json = o.json;
    let who = ["alice", "bob"];
    if !json {
        println!(
            "ikev2-peer demo: two peers on loopback UDP, {} packets of {} octets each way",
            d.packets, d.size
        );
    }
    let result = rt.block_on(demo::run(&d, |i, e| {
        let mut e = e.clone();
        e.fields
            .insert("side".into(), who.get(i).copied().unwrap_or("?").into());
        println!("{}", render(&e, json));
    }));
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ikev2-peer demo: {e}");
            return ExitCode::from(2);
        }
    };
    let mut ok = true;
    for (i, dir) in report.directions.iter().enumerate() {
        let (from, to) = if i == 0 {
            ("alice", "bob")
        } else {
            ("bob", "alice")
        };
        let lost = dir.sent.saturating_sub(dir.intact);
        ok &= lost == 0 && dir.sent == u64::from(d.packets);
        let e = events::note(
            "traffic",
            json!({
                "from": from, "to": to, "sent": dir.sent, "received": dir.received,
                "intact": dir.intact, "duplicates": dir.duplicates, "lost": lost,
                "bytes": dir.bytes, "seconds": dir.micros as f64 / 1e6,
                "mbit_per_s": (dir.mbit_per_s() * 10.0).round() / 10.0,
                "packets_per_s": (dir.intact * 1_000_000).checked_div(dir.micros).unwrap_or(0),
            }),
        );
        println!("{}", render(&e, json));
    }
    if !json {
        println!(
            "setup (IKE_SA_INIT + IKE_AUTH, both Child SAs installed): {:.1} ms",
            report.setup.as_secs_f64() * 1e3
        );
        for (i, st) in report.status.iter().enumerate() {
            println!("--- {} status ---", who.get(i).copied().unwrap_or("?"));
            print!("{}", control::render_status(st));
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("ikev2-peer demo: packets were lost or damaged");
        ExitCode::from(2)
    }
}
