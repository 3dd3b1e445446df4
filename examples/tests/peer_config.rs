//! `ikev2-peer` configuration: good files map onto the state machine's
//! configuration; every kind of error names its line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Duration;

use ikev2_examples::peer::config::{parse, DataPlaneConfig, StartAction};
use ikev2_sm::config::{Auth, Identity, Mode};

const GOOD: &str = r#"
[settings]
port = 1500
port_nat_t = 14500
control_socket = "/tmp/peer-a.sock"

[dataplane]
type = "userspace"
tun = "ik0"
address = "10.1.0.1/24"
mtu = 1380

[connections.gw]
version = 2
local_addrs = ["192.0.2.1"]
remote_addrs = "192.0.2.2, %any"
remote_port = 2500
proposals = ["aes128gcm16-prfsha256-ecp256", "aes256-sha384-modp2048"]
local = { auth = "psk", id = "moon.example" }
remote = { auth = "psk", id = "*.example" }

[connections.gw.children.net]
local_ts = ["10.1.0.0/24"]
remote_ts = "10.2.0.0/24, 10.3.0.0/16[tcp/443]"
esp_proposals = "chacha20poly1305-esn"
mode = "tunnel"
start_action = "trap"

[connections.road]
local_addrs = "192.0.2.1"
local = { auth = "psk", id = "moon.example" }
remote = { auth = "psk" }
[connections.road.children.host]

[secrets.ike-gw]
id = ["moon.example", "sun.example"]
secret = "0x0123456789abcdef"

[secrets.ike-any]
secret = "fallback secret"
"#;

fn err_of(text: &str) -> (usize, String) {
    let e = parse(Path::new("test.toml"), text).unwrap_err();
    assert_eq!(e.file, Path::new("test.toml"));
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("test.toml:{}: ", e.line)),
        "{shown}"
    );
    (e.line, e.message)
}

#[test]
fn a_full_file_maps_onto_the_state_machine() {
    let c = parse(Path::new("good.toml"), GOOD).unwrap();
    assert_eq!((c.settings.port, c.settings.port_nat_t), (1500, 14500));
    assert_eq!(c.settings.control_socket, Path::new("/tmp/peer-a.sock"));
    assert_eq!(
        c.dataplane,
        DataPlaneConfig::Userspace {
            tun: "ik0".into(),
            address: Some(("10.1.0.1".parse().unwrap(), 24)),
            mtu: 1380
        }
    );
    assert_eq!(c.connections.len(), 2);
    let gw = &c.connections[0];
    assert_eq!(gw.name, "gw");
    assert_eq!(
        gw.remote_addrs,
        vec!["192.0.2.2".parse::<std::net::IpAddr>().unwrap()]
    );
    assert_eq!(gw.remote_port, 2500);
    assert_eq!(gw.remote_port_nat_t, 4500);
    assert_eq!(gw.start_action, StartAction::Trap);
    assert_eq!(
        gw.initiate_to(),
        Some((
            "192.0.2.1".parse().unwrap(),
            "192.0.2.2:2500".parse().unwrap()
        ))
    );
    let p = &gw.peer;
    assert_eq!(p.local_id, Identity::Fqdn("moon.example".into()));
    assert_eq!(p.remote_id, Identity::Fqdn("*.example".into()));
    assert_eq!(p.ike_proposals.len(), 2);
    assert_eq!(
        p.ike_proposals[1].to_keywords().unwrap(),
        "aes256-sha384-prfsha384-modp2048"
    );
    // The identities pick the secret naming both ends, not the fallback.
    assert_eq!(
        p.local_auth,
        Auth::psk(vec![1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef])
    );
    // The userspace plane carries ESP in UDP: encapsulation is forced.
    assert!(p.force_encap);
    let child = &p.children[0];
    assert_eq!(child.name, "net");
    assert_eq!(child.mode, Mode::Tunnel);
    assert_eq!(child.remote_ts.len(), 2);
    assert_eq!(
        child.esp_proposals[0].to_keywords().unwrap(),
        "chacha20poly1305-esn"
    );
    // Defaults follow strongSwan.
    assert_eq!(child.lifetimes.rekey_time, Duration::from_secs(3600));
    let road = &c.connections[1];
    assert!(road.remote_addrs.is_empty());
    assert_eq!(road.peer.remote_id, Identity::Any);
    assert_eq!(road.start_action, StartAction::None);
    // moon.example is named by ike-gw, which beats the id-less fallback.
    assert_eq!(
        road.peer.local_auth,
        Auth::psk(vec![1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef])
    );
    assert_eq!(c.local_addrs().len(), 1);
}

#[test]
fn kernel_dataplane_takes_a_replay_window_and_refuses_tun_keys() {
    let c = parse(
        Path::new("x"),
        &format!("[dataplane]\ntype = \"kernel\"\n{BASE}"),
    )
    .unwrap();
    assert_eq!(c.dataplane, DataPlaneConfig::Kernel { replay_window: 32 });
    assert!(
        !c.connections[0].peer.force_encap,
        "plain ESP unless a NAT is found"
    );
    let c = parse(
        Path::new("x"),
        &format!("[dataplane]\ntype = \"kernel\"\nreplay_window = 4096\n{BASE}"),
    )
    .unwrap();
    assert_eq!(
        c.dataplane,
        DataPlaneConfig::Kernel {
            replay_window: 4096
        }
    );
    let (line, msg) = err_of(&format!(
        "[dataplane]\ntype = \"kernel\"\nreplay_window = 5000\n{BASE}"
    ));
    assert_eq!(line, 3);
    assert!(msg.contains("4096"), "{msg}");
    let (line, msg) = err_of(&format!(
        "[dataplane]\ntype = \"kernel\"\nmtu = 1400\n{BASE}"
    ));
    assert_eq!(line, 3);
    assert!(msg.contains("only for the `userspace` data plane"), "{msg}");
}

#[test]
fn no_dataplane_means_negotiate_only() {
    let text = GOOD.replace("type = \"userspace\"", "type = \"none\"");
    let c = parse(Path::new("x"), &text).unwrap();
    assert_eq!(c.dataplane, DataPlaneConfig::None);
    assert!(!c.connections[0].peer.force_encap);
}

/// The minimal valid file; the error cases each break one line of it.
const BASE: &str = r#"[connections.c]
local_addrs = ["10.0.0.1"]
remote_addrs = ["10.0.0.2"]
local = { auth = "psk", id = "a.lab" }
remote = { auth = "psk", id = "b.lab" }
[connections.c.children.net]
start_action = "start"
[secrets.ike-1]
id = "a.lab"
secret = "k"
"#;

fn with_line(n: usize, line: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[n - 1] = line;
    lines.join("\n")
}

#[test]
fn base_is_valid() {
    let c = parse(Path::new("x"), BASE).unwrap();
    assert_eq!(c.connections[0].start_action, StartAction::Start);
}

#[test]
fn unknown_keys_are_refused_with_their_line() {
    let (line, msg) = err_of(&with_line(3, "remote_adrs = [\"10.0.0.2\"]"));
    assert_eq!(line, 3, "{msg}");
    assert!(msg.contains("unknown field `remote_adrs`"), "{msg}");
    let (line, msg) = err_of(&with_line(7, "start_acton = \"start\""));
    assert_eq!(line, 7, "{msg}");
    assert!(msg.contains("start_acton"), "{msg}");
}

#[test]
fn toml_syntax_errors_name_their_line() {
    let (line, _) = err_of(&with_line(9, "id = \"a.lab"));
    assert_eq!(line, 9);
}

#[test]
fn bad_values_name_their_line() {
    let cases: &[(usize, &str, &str)] = &[
        (
            2,
            "local_addrs = [\"10.0.0.300\"]",
            "`10.0.0.300` is not an IP address",
        ),
        (
            4,
            "local = { auth = \"eap\", id = \"a.lab\" }",
            "`eap` is not one of psk, pubkey",
        ),
        (
            4,
            "local = { auth = \"psk\", id = \"%any\" }",
            "local.id cannot be %any",
        ),
        (
            7,
            "esp_proposals = \"aes128-sha257\"",
            "esp_proposals: proposal: algorithm keyword not recognized: `sha257`",
        ),
        (
            7,
            "start_action = \"restart\"",
            "`restart` is not one of none, start, trap",
        ),
        (
            7,
            "mode = \"beet\"",
            "`beet` is not one of tunnel, transport",
        ),
        (
            7,
            "local_ts = \"10.1.0.0/33\"",
            "children.net: traffic selector",
        ),
        (10, "secret = \"0x0g\"", "bad hex digit"),
        (10, "secret = \"0sAAAA\"", "base64"),
        (8, "[secrets.eap-1]", "only IKE pre-shared keys"),
        (7, "rekey_time = \"1y\"", "unit `y` not one of s, m, h, d"),
    ];
    for (n, line, want) in cases {
        let (got_line, msg) = err_of(&with_line(*n, line));
        assert_eq!(got_line, *n, "{line}: {msg}");
        assert!(msg.contains(want), "{line}: {msg}");
    }
}

#[test]
fn proposals_errors_point_at_the_key() {
    let text = BASE.replace(
        "remote_addrs = [\"10.0.0.2\"]",
        "remote_addrs = [\"10.0.0.2\"]\nproposals = \"aes128-sha256-x2551\"",
    );
    let (line, msg) = err_of(&text);
    assert_eq!(line, 4);
    assert!(msg.contains("`x2551`"), "{msg}");
}

#[test]
fn what_the_state_machine_lacks_is_refused_not_ignored() {
    let cases: &[(usize, &str, &str)] = &[
        (
            5,
            "remote = { auth = \"pubkey\", id = \"b.lab\" }",
            "mixed psk/pubkey is not supported yet",
        ),
        (
            4,
            "local = { auth = \"psk\", id = \"a.lab\", certs = [\"a.pem\"] }",
            "local.certs given with auth = psk",
        ),
        (
            5,
            "remote = { auth = \"psk\", id = \"b.lab\", cacerts = \"ca.pem\" }",
            "remote.cacerts",
        ),
        (
            7,
            "life_time = 60",
            "rekey_time (3600s) must be below life_time (60s)",
        ),
    ];
    for (n, line, want) in cases {
        let (got_line, msg) = err_of(&with_line(*n, line));
        assert_eq!(got_line, *n, "{line}: {msg}");
        assert!(msg.contains(want), "{line}: {msg}");
    }
    let text = BASE.replace("[connections.c]", "[connections.c]\nversion = 1");
    let (line, msg) = err_of(&text);
    assert_eq!((line, msg.contains("IKEv1")), (2, true), "{msg}");
}

#[test]
fn missing_pieces_are_named() {
    let (_, msg) = err_of(&BASE.replace("id = \"a.lab\"\nsecret", "id = \"c.lab\"\nsecret"));
    assert!(
        msg.contains("no secret in [secrets] for local id `a.lab` and remote id `b.lab`"),
        "{msg}"
    );
    let (line, msg) = err_of(&BASE.replace("local_addrs = [\"10.0.0.1\"]\n", ""));
    assert_eq!(line, 1);
    assert!(msg.contains("local_addrs is required"), "{msg}");
    let (line, msg) = err_of(&with_line(3, "remote_addrs = \"%any\""));
    assert_eq!(line, 1);
    assert!(msg.contains("start_action needs remote_addrs"), "{msg}");
    let e = parse(Path::new("empty.toml"), "").unwrap_err();
    assert!(e.to_string().contains("no connections defined"), "{e}");
    let (line, msg) = err_of(&format!(
        "[dataplane]\ntype = \"userspace\"\nmtu = 100\n{BASE}"
    ));
    assert_eq!(line, 3);
    assert!(msg.contains("mtu"), "{msg}");
}

#[test]
fn dpd_delay_and_fragmentation_reach_the_state_machine() {
    let text = BASE.replace(
        "remote_addrs = [\"10.0.0.2\"]",
        "remote_addrs = [\"10.0.0.2\"]\ndpd_delay = \"2m\"\nfragmentation = \"no\"",
    );
    let c = parse(Path::new("x"), &text).unwrap();
    assert_eq!(c.connections[0].peer.dpd_delay, Duration::from_secs(120));
    assert!(!c.connections[0].peer.fragmentation.enabled);
    let (line, msg) = err_of(&text.replace("\"no\"", "\"force\""));
    assert_eq!(line, 5);
    assert!(
        msg.contains("`force` is not one of yes, accept, no"),
        "{msg}"
    );
    let (line, msg) = err_of(&text.replace("\"2m\"", "\"2w\""));
    assert_eq!(line, 4);
    assert!(msg.contains("dpd_delay: unit `w`"), "{msg}");
}

#[test]
fn durations_take_strongswan_units() {
    let c = parse(Path::new("x"), &with_line(7, "rekey_time = \"90m\"")).unwrap();
    let child = &c.connections[0].peer.children[0];
    assert_eq!(child.lifetimes.rekey_time, Duration::from_secs(90 * 60));
    // strongSwan's derivation: life_time 110 %, rand_time the difference.
    assert_eq!(child.lifetimes.life_time, Duration::from_secs(99 * 60));
    assert_eq!(child.lifetimes.rand_time, Duration::from_secs(9 * 60));
    let ike = with_line(
        3,
        "remote_addrs = [\"10.0.0.2\"]\nrekey_time = \"4h\"\nover_time = \"10m\"",
    );
    let p = &parse(Path::new("x"), &ike).unwrap().connections[0].peer;
    assert_eq!(p.lifetimes.rekey_time, Duration::from_secs(4 * 3600));
    assert_eq!(p.lifetimes.life_time, Duration::from_secs(4 * 3600 + 600));
    assert!(p.lifetimes.rand_time <= Duration::from_secs(600));
    let (_, msg) = err_of(&with_line(7, "rekey_time = \"m\""));
    assert!(msg.contains("not a duration"), "{msg}");
}

#[test]
fn load_reports_missing_files() {
    let e = ikev2_examples::peer::config::load(Path::new("/nonexistent/peer.toml")).unwrap_err();
    assert_eq!(e.line, 0);
    assert!(
        e.to_string()
            .starts_with("/nonexistent/peer.toml: cannot read"),
        "{e}"
    );
}

/// `auth = "pubkey"`: certificates and key loaded from files (strongSwan
/// `pki` output shipped with ikev2-crypto's tests) into the state machine's
/// signature credentials.
#[test]
fn pubkey_loads_certificates_and_key() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ikev2-crypto/tests/data/strongswan-pki"
    );
    let text = format!(
        r#"[connections.c]
local_addrs = ["10.0.0.1"]
local = {{ auth = "pubkey", id = "a.lab", certs = "{dir}/a-ecdsa.crt.der" }}
remote = {{ auth = "pubkey", id = "b.lab", cacerts = ["{dir}/ca-ecdsa.crt.der"] }}
[connections.c.children.net]
[secrets.private-a]
file = "{dir}/a-ecdsa.key.pem"
"#
    );
    let c = parse(Path::new("x"), &text).unwrap();
    let p = &c.connections[0].peer;
    match (&p.local_auth, &p.remote_auth) {
        (Auth::Signature(cred), Auth::TrustedCa(trust)) => {
            assert_eq!(cred.chain.len(), 1);
            assert_eq!(trust.ca_certs.len(), 1);
            assert_eq!(cred.root.as_ref(), trust.ca_certs.first());
            assert!(trust.clock.is_some(), "validity needs the wall clock");
        }
        other => panic!("{other:?}"),
    }
    let (line, msg) = err_of(&text.replace("a-ecdsa.key.pem", "missing.pem"));
    assert_eq!(line, 7);
    assert!(msg.contains("missing.pem"), "{msg}");
    let (line, msg) = err_of(&text.replace("ca-ecdsa.crt.der", "nope.der"));
    assert_eq!(line, 4);
    assert!(
        msg.contains("remote.cacerts") && msg.contains("nope.der"),
        "{msg}"
    );
    let no_key = text.split("[secrets").next().unwrap().to_owned();
    let (line, msg) = err_of(&no_key);
    assert_eq!(line, 3);
    assert!(msg.contains("needs a private key"), "{msg}");
    let (line, msg) =
        err_of(&text.replace("a-ecdsa.key.pem\"", "a-ecdsa.key.pem\"\nsecret = \"pw\""));
    assert_eq!(line, 8);
    assert!(msg.contains("encrypted private keys"), "{msg}");
}

/// BASE with `line` added after `remote_addrs` (line 4).
fn with_key(line: &str) -> String {
    BASE.replace(
        "remote_addrs = [\"10.0.0.2\"]",
        &format!("remote_addrs = [\"10.0.0.2\"]\n{line}"),
    )
}

#[test]
fn reauth_time_maps_onto_the_peer_configuration() {
    // Off unless asked for, as in strongSwan.
    let c = parse(Path::new("x"), BASE).unwrap();
    assert_eq!(c.connections[0].peer.reauth_time, Duration::ZERO);
    let c = parse(Path::new("x"), &with_key("reauth_time = \"30m\"")).unwrap();
    let peer = &c.connections[0].peer;
    assert_eq!(peer.reauth_time, Duration::from_secs(1800));
    // Jitter at most a tenth of it; the rekey itself keeps its defaults.
    assert_eq!(peer.lifetimes.rand_time, Duration::from_secs(180));
    assert_eq!(peer.lifetimes.rekey_time, Duration::from_secs(4 * 3600));
    let c = parse(Path::new("x"), &with_key("reauth_time = 0")).unwrap();
    assert_eq!(c.connections[0].peer.reauth_time, Duration::ZERO);
    let (line, msg) = err_of(&with_key("reauth_time = \"5w\""));
    assert_eq!(line, 4);
    assert!(msg.contains("reauth_time"), "{msg}");
}

#[test]
fn several_children_keep_file_order_and_their_start_actions() {
    // `zz` comes first in the file: it is the IKE_AUTH child, although it
    // sorts last by name.
    let text = BASE.replace(
        "[connections.c.children.net]\nstart_action = \"start\"\n",
        "[connections.c.children.zz]\nremote_ts = \"10.9.0.0/16\"\nstart_action = \"start\"\n\
         [connections.c.children.aa]\nremote_ts = \"10.8.0.0/16\"\n\
         [connections.c.children.net]\nstart_action = \"start\"\n",
    );
    let c = parse(Path::new("t.toml"), &text).unwrap();
    let conn = &c.connections[0];
    let names: Vec<&str> = conn.peer.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["zz", "aa", "net"]);
    assert_eq!(
        conn.child_actions,
        [
            ("zz".to_owned(), StartAction::Start),
            ("aa".to_owned(), StartAction::None),
            ("net".to_owned(), StartAction::Start),
        ]
    );
    assert_eq!(conn.start_action, StartAction::Start);
    let zz_remote = conn.peer.children[0].remote_ts[0].resolve(None).unwrap();
    assert_eq!(zz_remote.to_string(), "10.9.0.0/16");
}

#[test]
fn retransmit_settings_reach_every_connection() {
    let text = format!("[settings]\nretransmit_timeout = 0.5\nretransmit_tries = 2\n{BASE}");
    let c = parse(Path::new("t.toml"), &text).unwrap();
    let r = c.connections[0].peer.retransmit;
    assert_eq!((r.timeout, r.tries), (Duration::from_millis(500), 2));
    assert_eq!(
        c.settings.retransmit_timeout,
        Some(Duration::from_millis(500))
    );
    let text = format!("[settings]\nretransmit_timeout = 0\n{BASE}");
    let (line, msg) = err_of(&text);
    assert_eq!(line, 2, "{msg}");
    assert!(msg.contains("retransmit_timeout"), "{msg}");
    let text = format!("[settings]\nretransmit_tries = 1000\n{BASE}");
    let (line, msg) = err_of(&text);
    assert_eq!(line, 2, "{msg}");
    // Without the settings the state machine's defaults stay.
    let c = parse(Path::new("t.toml"), BASE).unwrap();
    assert_eq!(c.connections[0].peer.retransmit.tries, 5);
}

#[test]
fn volume_limits_with_strongswans_defaults() {
    let text = BASE.replace(
        "start_action = \"start\"",
        "start_action = \"start\"\nrekey_bytes = 1000000\nrekey_packets = 500\nlife_packets = 900",
    );
    let c = parse(Path::new("x"), &text).unwrap();
    let l = c.connections[0].peer.children[0].limits;
    // life_bytes unset: 110 % of rekey_bytes, as strongSwan derives it.
    assert_eq!(
        (l.rekey_bytes, l.life_bytes),
        (Some(1_000_000), Some(1_100_000))
    );
    assert_eq!((l.rekey_packets, l.life_packets), (Some(500), Some(900)));
    // None configured: no limit at all.
    let c = parse(Path::new("x"), BASE).unwrap();
    assert_eq!(c.connections[0].peer.children[0].limits, Default::default());
    // A hard limit at or below the soft one is refused at its line.
    let (line, msg) = err_of(&with_line(7, "rekey_packets = 10\nlife_packets = 10"));
    assert_eq!(line, 8, "{msg}");
    assert!(
        msg.contains("rekey_packets (10) must be below life_packets (10)"),
        "{msg}"
    );
}
