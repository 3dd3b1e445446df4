//! What `ikev2-peer` reports, one line per event: JSON (`--json`) or text.
//!
//! Every event has `event` (its name), `conn` (the connection) and `peer`
//! (the peer's address) when known, then its own fields:
//!
//! | event | fields |
//! |---|---|
//! | `ike_sa_established` | `spi_i`, `spi_r`, `initiator`, `local`, `peer_id`, `ike` (keywords), `nat_local`, `nat_remote` |
//! | `child_sa_established` | `child`, `spi_in`, `spi_out`, `esp` (keywords), `mode`, `local_ts`, `remote_ts`, `udp_encap`, `ike_spi_i`, `ike_spi_r` |
//! | `child_sa_deleted` | `child`, `spi_in`, `spi_out` |
//! | `ike_sa_deleted` | `spi_i`, `spi_r` |
//! | `child_sa_rekeyed` | `child`, `old_spi_in`, `old_spi_out`, `spi_in`, `spi_out` (the new SA's), `ike_spi_i`, `ike_spi_r` |
//! | `ike_sa_rekeyed` | `old_spi_i`, `old_spi_r`, `spi_i`, `spi_r` (the new SA's) |
//! | `ike_sa_failed` | `cause` (stable kind), `reason` (text), and the evidence: `exchange`/`retransmits`/`after_s`, `notify`, `ke_requested`, `auth`, `ours`/`theirs` |
//! | `peer_dead` | as `ike_sa_failed` for a retransmit timeout of an established SA |
//! | `dataplane_error` | `child`, `spi_in`, `reason` |
//! | `trap_installed` | `child`, `reqid`, `local_ts`, `remote_ts` (kernel policies with no SA, `start_action = trap`) |
//! | `trap_failed` | `child`, `reason` |
//! | `acquire` | `child`, `reqid`, `src`, `dst` (the packet), `action`: `initiate`, `create_child`, `create_child_failed` or `ignored_in_progress` |
//! | `nat_mapping_changed` | `child`, `spi_in`, `old`, `new`, `result`: `followed` or `refused: <why>` |
//! | anything else | the state machine's event name in snake case, and `debug`: its full Debug form |
//!
//! SPIs are lower-case hex (16 digits for IKE, 8 for ESP).

use std::fmt::Write as _;
use std::net::SocketAddr;

use ikev2_sm::events::{Event, Failure};
use ikev2_sm::proposal::{Proposal, Transform};
use ikev2_sm::ts::TrafficSelector;
use ikev2_sm::{ChildSaInstall, SaInfo};
use serde_json::{Map, Value};

/// One reported event.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerEvent {
    /// Event name (`ike_sa_established`, ...).
    pub event: String,
    /// Connection name, if known.
    pub conn: Option<String>,
    /// The peer's address, if known.
    pub peer: Option<SocketAddr>,
    /// The event's own fields.
    pub fields: Map<String, Value>,
}

impl PeerEvent {
    fn new(event: &str, conn: Option<&str>, peer: Option<SocketAddr>) -> Self {
        Self {
            event: event.to_owned(),
            conn: conn.map(str::to_owned),
            peer,
            fields: Map::new(),
        }
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.to_owned(), value.into());
        self
    }

    /// A field's value.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    /// The JSON object: `event`, `conn`, `peer`, then the fields.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("event".into(), self.event.clone().into());
        if let Some(c) = &self.conn {
            m.insert("conn".into(), c.clone().into());
        }
        if let Some(p) = self.peer {
            m.insert("peer".into(), p.to_string().into());
        }
        for (k, v) in &self.fields {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }

    /// One text line: `event conn peer key=value ...` (lists comma-joined).
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut line = self.event.clone();
        if let Some(c) = &self.conn {
            let _ = write!(line, " {c}");
        }
        if let Some(p) = self.peer {
            let _ = write!(line, " {p}");
        }
        for (k, v) in &self.fields {
            let _ = write!(line, " {k}={}", text_value(v));
        }
        line
    }
}

fn text_value(v: &Value) -> String {
    match v {
        Value::String(s) if s.contains(' ') => format!("{s:?}"),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(text_value).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// 16 hex digits.
#[must_use]
pub fn spi64(v: u64) -> String {
    format!("{v:016x}")
}

/// 8 hex digits.
#[must_use]
pub fn spi32(v: u32) -> String {
    format!("{v:08x}")
}

fn ts_list(ts: &[TrafficSelector]) -> Value {
    ts.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .into()
}

/// A negotiated proposal in strongSwan keywords (`aes256gcm16-prfsha256-x25519`),
/// or its operator form when a transform has no keyword.
#[must_use]
pub fn proposal_text(p: &Proposal) -> String {
    p.to_keywords().unwrap_or_else(|| p.to_string())
}

/// The ESP algorithms of an installed Child SA in keywords (`aes256gcm16`,
/// `aes128-sha256-esn`).
#[must_use]
pub fn esp_text(c: &ChildSaInstall) -> String {
    let t = Transform::encr(c.encr.0, c.encr.1);
    let mut words = vec![t.keyword().unwrap_or_else(|| t.to_string())];
    if let Some(i) = c.integ {
        let t = Transform::integ(i);
        words.push(t.keyword().unwrap_or_else(|| t.to_string()));
    }
    if c.esn.is_some_and(|e| e == ikev2_wire::EsnId::Esn) {
        words.push("esn".into());
    }
    words.join("-")
}

/// `ike_sa_established`.
#[must_use]
pub fn ike_sa_established(info: &SaInfo) -> PeerEvent {
    PeerEvent::new(
        "ike_sa_established",
        Some(&info.peer_config),
        Some(info.remote),
    )
    .with("spi_i", spi64(info.spi_i))
    .with("spi_r", spi64(info.spi_r))
    .with("initiator", info.initiator)
    .with("local", info.local.to_string())
    .with(
        "peer_id",
        info.peer_id
            .as_ref()
            .map_or(Value::Null, |i| i.to_string().into()),
    )
    .with(
        "ike",
        info.ike_proposal
            .as_ref()
            .map_or(Value::Null, |p| proposal_text(p).into()),
    )
    .with("nat_local", info.nat_local)
    .with("nat_remote", info.nat_remote)
}

/// `child_sa_established`, from what was installed and the owning IKE SA.
#[must_use]
pub fn child_sa_established(conn: &str, c: &ChildSaInstall, ike: Option<&SaInfo>) -> PeerEvent {
    let mut e = PeerEvent::new("child_sa_established", Some(conn), Some(c.remote))
        .with("child", c.name.clone())
        .with("spi_in", spi32(c.spi_in))
        .with("spi_out", spi32(c.spi_out))
        .with("esp", esp_text(c))
        .with("mode", format!("{:?}", c.mode).to_lowercase())
        .with("local_ts", ts_list(&c.local_ts))
        .with("remote_ts", ts_list(&c.remote_ts))
        .with("udp_encap", c.udp_encap);
    if let Some(i) = ike {
        e = e
            .with("ike_spi_i", spi64(i.spi_i))
            .with("ike_spi_r", spi64(i.spi_r));
    }
    e
}

/// `child_sa_deleted`; `by_peer` when the state machine said who asked
/// (absent when the Child SA went with its IKE SA).
#[must_use]
pub fn child_sa_deleted(
    conn: Option<&str>,
    peer: Option<SocketAddr>,
    child: &str,
    (spi_in, spi_out): (u32, u32),
    by_peer: Option<bool>,
) -> PeerEvent {
    let mut e = PeerEvent::new("child_sa_deleted", conn, peer)
        .with("child", child.to_owned())
        .with("spi_in", spi32(spi_in))
        .with("spi_out", spi32(spi_out));
    if let Some(b) = by_peer {
        e = e.with("by_peer", b);
    }
    e
}

/// `child_sa_rekeyed`: outbound traffic moved from the old Child SA to
/// its replacement (the old one is removed after an overlap).
#[must_use]
pub fn child_sa_rekeyed(
    conn: Option<&str>,
    peer: Option<SocketAddr>,
    child: &str,
    (old_in, old_out): (u32, u32),
    (new_in, new_out): (u32, u32),
    ike: Option<(u64, u64)>,
) -> PeerEvent {
    let mut e = PeerEvent::new("child_sa_rekeyed", conn, peer)
        .with("child", child.to_owned())
        .with("old_spi_in", spi32(old_in))
        .with("old_spi_out", spi32(old_out))
        .with("spi_in", spi32(new_in))
        .with("spi_out", spi32(new_out));
    if let Some((i, r)) = ike {
        e = e.with("ike_spi_i", spi64(i)).with("ike_spi_r", spi64(r));
    }
    e
}

/// `ike_sa_rekeyed`: the IKE SA continues under new SPIs (and keys) with
/// its Child SAs; an `ike_sa_deleted` for the old SPIs follows.
#[must_use]
pub fn ike_sa_rekeyed(
    conn: Option<&str>,
    peer: Option<SocketAddr>,
    old: Option<(u64, u64)>,
    new: Option<(u64, u64)>,
) -> PeerEvent {
    let mut e = PeerEvent::new("ike_sa_rekeyed", conn, peer);
    if let Some((i, r)) = old {
        e = e.with("old_spi_i", spi64(i)).with("old_spi_r", spi64(r));
    }
    if let Some((i, r)) = new {
        e = e.with("spi_i", spi64(i)).with("spi_r", spi64(r));
    }
    e
}

/// `ike_sa_deleted`.
#[must_use]
pub fn ike_sa_deleted(
    conn: Option<&str>,
    peer: Option<SocketAddr>,
    spis: Option<(u64, u64)>,
    by_peer: Option<bool>,
) -> PeerEvent {
    let mut e = PeerEvent::new("ike_sa_deleted", conn, peer);
    if let Some((i, r)) = spis {
        e = e.with("spi_i", spi64(i)).with("spi_r", spi64(r));
    }
    if let Some(b) = by_peer {
        e = e.with("by_peer", b);
    }
    e
}

/// `peer_dead`: a request on the established SA went unanswered through
/// the whole retransmission schedule (a liveness check, usually).
#[must_use]
pub fn peer_dead(
    conn: &str,
    peer: SocketAddr,
    peer_id: Option<&ikev2_sm::config::Identity>,
    spis: Option<(u64, u64)>,
    (exchange, retransmits, after): (ikev2_wire::ExchangeType, u32, std::time::Duration),
) -> PeerEvent {
    let mut e = PeerEvent::new("peer_dead", Some(conn), Some(peer))
        .with("cause", "RetransmitTimeout")
        .with(
            "peer_id",
            peer_id.map_or(Value::Null, |i| i.to_string().into()),
        )
        .with("exchange", exchange.to_string())
        .with("retransmits", retransmits)
        .with("after_s", after.as_secs_f64());
    if let Some((i, r)) = spis {
        e = e.with("spi_i", spi64(i)).with("spi_r", spi64(r));
    }
    e
}

/// `peer_error_notify`: the authenticated peer sent an error notification.
#[must_use]
pub fn peer_error_notify(
    conn: Option<&str>,
    peer: Option<SocketAddr>,
    notify: ikev2_wire::NotifyType,
    in_request: bool,
    spi: &[u8],
) -> PeerEvent {
    PeerEvent::new("peer_error_notify", conn, peer)
        .with("notify", notify.to_string())
        .with("in_request", in_request)
        .with(
            "spi",
            spi.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        )
}

/// `ike_sa_failed` (or `peer_dead` when an established SA's peer stopped
/// answering), with the typed cause and its evidence.
#[must_use]
pub fn failed(
    conn: Option<&str>,
    peer: Option<SocketAddr>,
    spis: Option<(u64, u64)>,
    established: bool,
    f: &Failure,
) -> PeerEvent {
    let dead = established && matches!(f, Failure::RetransmitTimeout { .. });
    let mut e = PeerEvent::new(if dead { "peer_dead" } else { "ike_sa_failed" }, conn, peer)
        .with("cause", format!("{:?}", f.kind()))
        .with("reason", f.to_string());
    if let Some((i, r)) = spis {
        e = e.with("spi_i", spi64(i)).with("spi_r", spi64(r));
    }
    match f {
        Failure::RetransmitTimeout {
            exchange,
            retransmits,
            after,
        } => {
            e = e
                .with("exchange", exchange.to_string())
                .with("retransmits", *retransmits)
                .with("after_s", after.as_secs_f64());
        }
        Failure::PeerError { notify } => e = e.with("notify", notify.to_string()),
        Failure::InvalidKe { requested } => e = e.with("ke_requested", requested.to_string()),
        Failure::AuthenticationFailed { cause } => e = e.with("auth", cause.to_string()),
        Failure::TsUnacceptable { ours, theirs } => {
            e = e
                .with("ours", ts_list(ours))
                .with("theirs", ts_list(theirs));
        }
        _ => e = e.with("debug", format!("{f:?}")),
    }
    e
}

/// `dataplane_error`: a negotiated Child SA that the data plane refused.
#[must_use]
pub fn dataplane_error(conn: &str, c: &ChildSaInstall, reason: &str) -> PeerEvent {
    PeerEvent::new("dataplane_error", Some(conn), Some(c.remote))
        .with("child", c.name.clone())
        .with("spi_in", spi32(c.spi_in))
        .with("reason", reason.to_owned())
}

/// `trap_installed`: a trapped child's policies are in the data plane.
#[must_use]
pub fn trap_installed(
    conn: &str,
    child: &str,
    reqid: u32,
    t: &xfrm_sys::bridge::TrapInstall,
) -> PeerEvent {
    PeerEvent::new("trap_installed", Some(conn), None)
        .with("child", child.to_owned())
        .with("reqid", reqid)
        .with("local_ts", ts_list(&t.local_ts))
        .with("remote_ts", ts_list(&t.remote_ts))
}

/// `trap_failed`: the data plane refused a trap.
#[must_use]
pub fn trap_failed(conn: &str, child: &str, reason: &str) -> PeerEvent {
    PeerEvent::new("trap_failed", Some(conn), None)
        .with("child", child.to_owned())
        .with("reason", reason.to_owned())
}

/// `acquire`: traffic hit a trap; `action` says what was done.
#[must_use]
pub fn acquire(
    conn: &str,
    child: &str,
    reqid: u32,
    (src, dst): (std::net::IpAddr, std::net::IpAddr),
    action: &str,
) -> PeerEvent {
    PeerEvent::new("acquire", Some(conn), None)
        .with("child", child.to_owned())
        .with("reqid", reqid)
        .with("src", src.to_string())
        .with("dst", dst.to_string())
        .with("action", action.to_owned())
}

/// `nat_mapping_changed`: a Child SA's ESP-in-UDP came from a new NAT
/// address or port.
#[must_use]
pub fn nat_mapping_changed(
    conn: &str,
    child: &str,
    spi_in: u32,
    (old, new): (Option<SocketAddr>, SocketAddr),
    result: &str,
) -> PeerEvent {
    let mut e = PeerEvent::new("nat_mapping_changed", Some(conn), Some(new))
        .with("child", child.to_owned())
        .with("spi_in", spi32(spi_in))
        .with("new", new.to_string())
        .with("result", result.to_owned());
    if let Some(o) = old {
        e = e.with("old", o.to_string());
    }
    e
}

/// Any other state-machine event: named after its variant in snake case
/// (`ChildSaRekeyed { .. }` becomes `child_sa_rekeyed`), with the full
/// Debug form so nothing is lost while this program does not know it.
#[must_use]
pub fn other(conn: Option<&str>, peer: Option<SocketAddr>, event: &Event) -> PeerEvent {
    let debug = format!("{event:?}");
    let variant: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    PeerEvent::new(&snake_case(&variant), conn, peer).with("debug", debug)
}

fn snake_case(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        "event".into()
    } else {
        out
    }
}

/// Serialises an event for the terminal.
#[must_use]
pub fn render(e: &PeerEvent, as_json: bool) -> String {
    if as_json {
        e.to_json().to_string()
    } else {
        e.to_text()
    }
}

/// An inbound ESP packet from `peer` was refused: `cause` is the stable
/// name of the check (`replay_duplicate`, `authentication_failed`,
/// `unknown_spi`, `policy`...), `detail` the error's text, `suppressed` how
/// many drops of the same cause on the same SPI went unreported since the
/// previous report (see [`super::drops::DropReporter`]).
#[must_use]
pub fn esp_dropped(
    peer: SocketAddr,
    spi: Option<u32>,
    cause: &str,
    detail: &str,
    suppressed: u64,
) -> PeerEvent {
    PeerEvent::new("esp_dropped", None, Some(peer))
        .with("spi", spi.map(spi32))
        .with("cause", cause)
        .with("detail", detail)
        .with("suppressed_since_last", suppressed)
}

/// A free-form record (used by the demo for its summary lines).
#[must_use]
pub fn note(event: &str, fields: Value) -> PeerEvent {
    let mut e = PeerEvent::new(event, None, None);
    if let Value::Object(m) = fields {
        e.fields = m;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikev2_sm::config::Identity;
    use ikev2_sm::events::AuthFailure;
    use ikev2_sm::proposal::parse_proposals;
    use ikev2_wire::{ExchangeType, ProtocolId};
    use std::time::Duration;

    fn info() -> SaInfo {
        SaInfo {
            spi_i: 0x0102_0304_0506_0708,
            spi_r: 0xa0,
            initiator: true,
            state: "established",
            peer_config: "gw".into(),
            peer_id: Some(Identity::Fqdn("b.lab".into())),
            nat_local: false,
            nat_remote: true,
            children: Vec::new(),
            ike_proposal: parse_proposals(ProtocolId::Ike, "aes256gcm16-prfsha256-x25519")
                .unwrap()
                .pop(),
            local: "192.0.2.1:4500".parse().unwrap(),
            remote: "198.51.100.2:4500".parse().unwrap(),
        }
    }

    #[test]
    fn ike_sa_established_as_json_and_text() {
        let e = ike_sa_established(&info());
        let j = e.to_json();
        assert_eq!(j["event"], "ike_sa_established");
        assert_eq!(j["conn"], "gw");
        assert_eq!(j["peer"], "198.51.100.2:4500");
        assert_eq!(j["spi_i"], "0102030405060708");
        assert_eq!(j["spi_r"], "00000000000000a0");
        assert_eq!(j["ike"], "aes256gcm16-prfsha256-x25519");
        assert_eq!(j["peer_id"], "b.lab");
        assert_eq!(j["nat_remote"], true);
        assert_eq!(
            e.to_text(),
            "ike_sa_established gw 198.51.100.2:4500 ike=aes256gcm16-prfsha256-x25519 initiator=true \
             local=192.0.2.1:4500 nat_local=false nat_remote=true peer_id=b.lab spi_i=0102030405060708 \
             spi_r=00000000000000a0"
        );
    }

    #[test]
    fn failures_carry_cause_and_evidence() {
        let peer = Some("198.51.100.2:500".parse().unwrap());
        let timeout = Failure::RetransmitTimeout {
            exchange: ExchangeType::Informational,
            retransmits: 5,
            after: Duration::from_millis(165_100),
        };
        let dead = failed(Some("gw"), peer, Some((1, 2)), true, &timeout).to_json();
        assert_eq!(dead["event"], "peer_dead");
        assert_eq!(dead["cause"], "RetransmitTimeout");
        assert_eq!(dead["exchange"], "INFORMATIONAL");
        assert_eq!(dead["retransmits"], 5);
        assert_eq!(dead["after_s"], 165.1);
        let early = failed(Some("gw"), peer, None, false, &timeout).to_json();
        assert_eq!(early["event"], "ike_sa_failed");
        let auth = Failure::AuthenticationFailed {
            cause: AuthFailure::PskMismatch,
        };
        let e = failed(Some("gw"), peer, None, false, &auth);
        assert_eq!(e.get("auth").unwrap(), "pre-shared key mismatch");
        assert_eq!(
            e.to_text(),
            "ike_sa_failed gw 198.51.100.2:500 auth=\"pre-shared key mismatch\" cause=AuthenticationFailed \
             reason=\"AUTHENTICATION_FAILED: pre-shared key mismatch\""
        );
        let ts = |s: &str| {
            ikev2_sm::ts::TsSpec::parse(s)
                .unwrap()
                .resolve(None)
                .unwrap()
        };
        let e = failed(
            None,
            None,
            None,
            false,
            &Failure::TsUnacceptable {
                ours: vec![ts("10.1.0.0/16")],
                theirs: vec![ts("10.9.0.0/16"), ts("10.8.0.0/16")],
            },
        );
        assert_eq!(
            e.to_json()["theirs"],
            serde_json::json!(["10.9.0.0/16", "10.8.0.0/16"])
        );
        assert!(
            e.to_text().contains(" theirs=10.9.0.0/16,10.8.0.0/16"),
            "{}",
            e.to_text()
        );
    }

    #[test]
    fn unknown_events_keep_their_name_and_debug_form() {
        let e = other(Some("gw"), None, &Event::ChildSaUp { name: "net".into() });
        assert_eq!(e.event, "child_sa_up");
        assert_eq!(e.get("debug").unwrap(), "ChildSaUp { name: \"net\" }");
        assert_eq!(snake_case("IkeSaRekeyed"), "ike_sa_rekeyed");
        assert_eq!(other(None, None, &Event::Deleted).event, "deleted");
    }

    #[test]
    fn deletions() {
        let e = ike_sa_deleted(Some("gw"), None, Some((0xff, 1)), Some(true)).to_json();
        assert_eq!(
            (e["spi_i"].as_str(), e["spi_r"].as_str()),
            (Some("00000000000000ff"), Some("0000000000000001"))
        );
        assert_eq!(e["by_peer"], true);
        let e = child_sa_deleted(Some("gw"), None, "net", (0xc1, 0xc2), None);
        assert_eq!(
            e.to_text(),
            "child_sa_deleted gw child=net spi_in=000000c1 spi_out=000000c2"
        );
        let d = peer_dead(
            "gw",
            "192.0.2.9:4500".parse().unwrap(),
            None,
            None,
            (ExchangeType::Informational, 5, Duration::from_secs(165)),
        )
        .to_json();
        assert_eq!(
            (d["event"].as_str(), d["exchange"].as_str()),
            (Some("peer_dead"), Some("INFORMATIONAL"))
        );
        assert_eq!(d["peer"], "192.0.2.9:4500");
    }
}
