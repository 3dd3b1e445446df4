//! The userspace data plane's local side: a TUN device whose packets go to
//! the driver and come back from it, and routes through it.

use std::io;
use std::net::IpAddr;
use std::process::Command;
use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::driver::{LocalPackets, RouteChange, RouteHook};

/// Creates the TUN device `name` (up, with `address` if given) and returns
/// the packet channels for the driver and a hook that routes prefixes
/// through it.
///
/// # Errors
/// When the device cannot be created (needs CAP_NET_ADMIN and `/dev/net/tun`).
pub fn open(
    name: &str,
    address: Option<(IpAddr, u8)>,
    mtu: u16,
) -> io::Result<(LocalPackets, RouteHook)> {
    let mut cfg = tun::Configuration::default();
    cfg.tun_name(name).mtu(mtu).up();
    if let Some((IpAddr::V4(a), len)) = address {
        let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
        cfg.address(a).netmask(std::net::Ipv4Addr::from(mask));
    }
    let dev = tun::create_as_async(&cfg)
        .map_err(|e| io::Error::other(format!("TUN device {name}: {e}")))?;
    if let Some((a @ IpAddr::V6(_), len)) = address {
        ip(&["-6", "addr", "replace", &format!("{a}/{len}"), "dev", name])?;
    }
    info!(tun = name, "TUN device up");
    let dev = Arc::new(dev);
    let (out_tx, out_rx) = mpsc::channel::<Vec<u8>>(1024);
    let (in_tx, mut in_rx) = mpsc::channel::<Vec<u8>>(1024);
    let reader = Arc::clone(&dev);
    let buf_len = usize::from(mtu) + 64;
    tokio::spawn(async move {
        let mut buf = vec![0u8; buf_len];
        loop {
            match reader.recv(&mut buf).await {
                Ok(n) => {
                    if out_tx
                        .send(buf.get(..n).unwrap_or_default().to_vec())
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                Err(e) => {
                    warn!("TUN read: {e}");
                    break;
                }
            }
        }
    });
    tokio::spawn(async move {
        while let Some(p) = in_rx.recv().await {
            if let Err(e) = dev.send(&p).await {
                debug!("TUN write: {e}");
            }
        }
    });
    let tun_name = name.to_owned();
    let hook: RouteHook = Box::new(move |change, prefixes: &[(IpAddr, u8)]| {
        let verb = match change {
            RouteChange::Add => "replace",
            RouteChange::Remove => "del",
        };
        for (a, len) in prefixes {
            let fam = if a.is_ipv4() { "-4" } else { "-6" };
            let prefix = format!("{a}/{len}");
            if let Err(e) = ip(&[fam, "route", verb, &prefix, "dev", &tun_name]) {
                warn!("route {verb} {prefix} via {tun_name}: {e}");
            }
        }
    });
    Ok((
        LocalPackets {
            deliver: Some(in_tx),
            outgoing: Some(out_rx),
        },
        hook,
    ))
}

/// Runs `ip ARGS...` (iproute2).
fn ip(args: &[&str]) -> io::Result<()> {
    let out = Command::new("ip").args(args).output()?;
    if out.status.success() {
        debug!("ip {}", args.join(" "));
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}
