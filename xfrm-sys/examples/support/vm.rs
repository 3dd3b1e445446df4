//! Helpers shared by the examples that run inside the test VM: commands,
//! sockets in named network namespaces, ESP-in-UDP sockets, event waits.
#![allow(dead_code)]

use std::path::Path;

use std::process::Command;
use std::time::{Duration, Instant};

use xfrm_sys::{Event, Group, XfrmSocket};

/// Result with a message for the PASS/FAIL line.
pub(crate) type R<T> = Result<T, String>;

/// Runs a command; an error names it and its status.
pub(crate) fn sh(args: &[&str]) -> R<()> {
    let (cmd, rest) = args.split_first().ok_or("empty command")?;
    let st = Command::new(cmd)
        .args(rest)
        .status()
        .map_err(|e| format!("{args:?}: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("{args:?} failed: {st}"))
    }
}

/// Deletes and re-creates the named network namespaces.
pub(crate) fn fresh_netns(names: &[&str]) -> R<()> {
    for ns in names {
        if Path::new(&format!("/run/netns/{ns}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        sh(&["ip", "netns", "add", ns])?;
    }
    Ok(())
}

/// An XFRM socket in the named namespace.
pub(crate) fn socket_in(ns: &str, groups: &[Group]) -> R<XfrmSocket> {
    XfrmSocket::open_in_netns(Path::new(&format!("/run/netns/{ns}")), groups)
        .map_err(|e| format!("{ns}: {e}"))
}

/// A UDP socket on `addr` in namespace `ns` with ESP-in-UDP decapsulation
/// enabled. Keep it open while traffic flows.
pub(crate) fn encap_socket_in(ns: &str, addr: &str) -> R<std::net::UdpSocket> {
    let path = format!("/run/netns/{ns}");
    let addr = addr.to_string();
    std::thread::spawn(move || -> R<std::net::UdpSocket> {
        let f = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        nix::sched::setns(f, nix::sched::CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("setns: {e}"))?;
        let s = std::net::UdpSocket::bind(&addr).map_err(|e| format!("bind {addr}: {e}"))?;
        xfrm_sys::sockopt::enable_esp_in_udp(&s).map_err(|e| format!("UDP_ENCAP: {e}"))?;
        Ok(s)
    })
    .join()
    .map_err(|_| "encap socket thread panicked".to_string())?
}

/// Waits up to 20 s for an event matching `f` on a non-blocking socket.
pub(crate) fn wait_event(ev: &mut XfrmSocket, what: &str, f: impl Fn(&Event) -> bool) -> R<Event> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        match ev.poll_event().map_err(|e| e.to_string())? {
            Some(e) if f(&e) => return Ok(e),
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(format!("no {what} event within 20 s"))
}

/// `count` pings from namespace `ns` (source address `from`, if given) to `to`.
pub(crate) fn ping(ns: &str, from: Option<&str>, to: &str, count: u32) -> R<()> {
    let count = count.to_string();
    let mut args = vec![
        "ip", "netns", "exec", ns, "ping", "-c", &count, "-i", "0.2", "-W", "2",
    ];
    if let Some(src) = from {
        args.extend(["-I", src]);
    }
    args.push(to);
    sh(&args)
}
