//! The control socket: a Unix stream socket on which `ikev2-peer --status`
//! asks the running peer for its SAs.
//!
//! Protocol: the client writes one line, `status`, and reads one JSON
//! document (the running peer's [`super::driver::Peer::status`]) up to EOF.
//! [`render_status`] prints it the way `swanctl --list-sas` does.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use super::driver::ControlRequest;

/// Serves the control socket at `path` (a stale socket file is replaced),
/// forwarding requests to the peer through `tx`.
///
/// # Errors
/// When the socket cannot be bound.
pub fn serve(path: &Path, tx: mpsc::Sender<ControlRequest>) -> io::Result<ControlGuard> {
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)
        .map_err(|e| io::Error::new(e.kind(), format!("control socket {}: {e}", path.display())))?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut line = String::new();
                let mut r = BufReader::new(r);
                if r.read_line(&mut line).await.is_err() {
                    return;
                }
                let reply = match line.trim() {
                    "status" => {
                        let (otx, orx) = oneshot::channel();
                        if tx.send(ControlRequest::Status(otx)).await.is_err() {
                            return;
                        }
                        orx.await.unwrap_or(Value::Null)
                    }
                    other => serde_json::json!({"error": format!("unknown command `{other}`")}),
                };
                if let Err(e) = w.write_all(format!("{reply}\n").as_bytes()).await {
                    debug!("control reply: {e}");
                }
            });
        }
    });
    Ok(ControlGuard(path.to_owned()))
}

/// Removes the socket file when dropped.
#[derive(Debug)]
pub struct ControlGuard(PathBuf);

impl Drop for ControlGuard {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.0) {
            warn!("removing {}: {e}", self.0.display());
        }
    }
}

/// Asks the peer listening on `path` for its status.
///
/// # Errors
/// Connection, I/O or JSON errors.
pub fn query(path: &Path) -> io::Result<Value> {
    let mut s = std::os::unix::net::UnixStream::connect(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("{}: {e} (is ikev2-peer running?)", path.display()),
        )
    })?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(b"status\n")?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    serde_json::from_str(&text).map_err(io::Error::other)
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("-")
}

fn n(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn list(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// The status document as text, in the layout of `swanctl --list-sas`.
#[must_use]
pub fn render_status(st: &Value) -> String {
    let mut o = String::new();
    let empty = Vec::new();
    let sas = st
        .get("ike_sas")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    for (i, sa) in sas.iter().enumerate() {
        let initiator = sa
            .get("initiator")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let (mi, mr) = if initiator { ("*", "") } else { ("", "*") };
        let _ = writeln!(
            o,
            "{}: #{}, {}, IKEv2, {}_i{mi} {}_r{mr}",
            s(sa, "conn"),
            i + 1,
            s(sa, "state").to_uppercase(),
            s(sa, "spi_i"),
            s(sa, "spi_r"),
        );
        let _ = writeln!(o, "  local  {}", s(sa, "local"));
        let _ = writeln!(o, "  remote '{}' @ {}", s(sa, "peer_id"), s(sa, "remote"));
        let _ = writeln!(o, "  {}", s(sa, "ike"));
        if let Some(t) = sa.get("established_s").and_then(Value::as_u64) {
            let _ = writeln!(o, "  established {t}s ago");
        }
        let children = sa
            .get("children")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        for (j, c) in children.iter().enumerate() {
            let encap = if c.get("udp_encap").and_then(Value::as_bool) == Some(true) {
                "-in-UDP"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "  {}: #{}, INSTALLED, {}{encap}, ESP:{}",
                s(c, "child"),
                j + 1,
                s(c, "mode").to_uppercase(),
                s(c, "esp"),
            );
            let _ = writeln!(o, "    installed {}s ago", n(c, "installed_s"));
            let z = Value::Null;
            let k = c.get("counters").unwrap_or(&z);
            let _ = writeln!(
                o,
                "    in  {}, {:>10} bytes, {:>8} packets, {} dropped",
                s(c, "spi_in"),
                n(k, "bytes_in"),
                n(k, "packets_in"),
                n(k, "dropped_in")
            );
            let _ = writeln!(
                o,
                "    out {}, {:>10} bytes, {:>8} packets",
                s(c, "spi_out"),
                n(k, "bytes_out"),
                n(k, "packets_out")
            );
            let _ = writeln!(o, "    local  {}", list(c, "local_ts"));
            let _ = writeln!(o, "    remote {}", list(c, "remote_ts"));
        }
    }
    if sas.is_empty() {
        o.push_str("no IKE SAs\n");
    }
    if let Some(c) = st.get("counters") {
        let _ = writeln!(
            o,
            "counters: {} failures, {} retransmits, {} half-open, {} invalid and {} unknown-SPI messages dropped",
            n(c, "failures"),
            n(c, "retransmits"),
            n(c, "half_open"),
            n(c, "dropped_invalid"),
            n(c, "dropped_unknown_spi"),
        );
    }
    if let Some(d) = st.get("dataplane_drops").and_then(Value::as_object) {
        if !d.is_empty() {
            let parts: Vec<String> = d.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(
                o,
                "data plane ({}) drops: {}",
                s(st, "dataplane"),
                parts.join(" ")
            );
        }
    }
    o
}
