//! Helpers shared by the integration tests: the capture list, running
//! `tshark`, and writing pcap files.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Captures of real IKE traffic copied into `testdata/` (see testdata/SOURCES.md).
pub const CAPTURES: &[&str] = &[
    "wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.pcapng",
    "strongswan/lab-rsa-frag-psk-ecdsa.pcap",
    "tcpdump/ikev2pI2.pcap",
    "tcpdump/ikev2four.pcap",
    "tcpdump/ikev2-id-normal.pcap",
    "tcpdump/espudp1.pcap",
    "tcpdump/isakmp4500.pcap",
    "tcpdump/ISAKMP_sa_setup.pcap",
];

/// tcpdump's malformed-capture reproducers (testdata/negative/tcpdump-malformed).
pub const NEGATIVE_CAPTURES: &[&str] = &[
    "esp_truncated.pcap",
    "ikev1_id_ipv6_addr_subnet-oobr.pcap",
    "ikev2-id-short.pcap",
    "ikev2pI2-segfault.pcapng",
    "isakmp-3948-oobr-2.pcap",
    "isakmp-delete-segfault.pcap",
    "isakmp-identification-segfault.pcap",
    "isakmp-ikev1_n_print-oobr.pcap",
    "isakmp-no-none-np.pcapng",
    "isakmp-pointer-loop.pcap",
    "isakmp-rfc3948-oobr.pcap",
    "isakmp-various-oobr.pcap",
    "isakmpv1-attr-oobr.pcap",
];

/// Absolute path of a file under `testdata/`.
pub fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

/// Reads a file under `testdata/`.
pub fn read_testdata(rel: &str) -> Vec<u8> {
    let p = testdata(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Runs `tshark -T json` on a capture and returns the packets array
/// (`layers`: the `-J` protocol filter, empty for every layer).
///
/// Fails (never skips) when tshark is missing: `scripts/test.sh` installs it.
/// Runs with an empty configuration directory so a user's Wireshark
/// preferences or key tables cannot change the dissection.
pub fn tshark_json(file: &Path, layers: &str) -> Vec<Value> {
    tshark_json_with(file, layers, &[])
}

/// [`tshark_json`] with files (name, contents) placed in tshark's otherwise
/// empty configuration directory, e.g. an `ikev2_decryption_table`.
pub fn tshark_json_with(file: &Path, layers: &str, config: &[(&str, &[u8])]) -> Vec<Value> {
    let conf = std::env::temp_dir().join(format!(
        "ikev2-tests-wireshark-{}-{}",
        std::process::id(),
        config.len()
    ));
    std::fs::create_dir_all(&conf).unwrap();
    for (name, contents) in config {
        std::fs::write(conf.join(name), contents).unwrap();
    }
    let out = Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", &conf)
        .args(["-n", "-r"])
        .arg(file)
        .args(["-T", "json", "--no-duplicate-keys"])
        .args(if layers.is_empty() {
            vec![]
        } else {
            vec!["-J", layers]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run tshark ({e}): this test needs Wireshark's tshark \
                 (Debian: apt-get install tshark; scripts/test.sh installs it)"
            )
        });
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "tshark -T json output for {} is not JSON: {e}",
            file.display()
        )
    });
    match v {
        Value::Array(a) => a,
        other => panic!("unexpected tshark output shape: {other}"),
    }
}

/// The `layers` object of a tshark packet.
pub fn layers(pkt: &Value) -> &Value {
    &pkt["_source"]["layers"]
}

/// A field that tshark writes once as a string, or several times as an array.
pub fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// A tshark field as text (panics with context if absent).
pub fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("tshark field {field} missing in {v}"))
}

/// A tshark numeric field written in decimal or `0x` hex.
pub fn num(v: &Value, field: &str) -> u64 {
    parse_num(text(v, field))
}

/// Parses a decimal or `0x` hex number.
pub fn parse_num(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

/// Writes a classic little-endian pcap file with raw-IPv4 frames (LINKTYPE_RAW).
#[derive(Debug, Default)]
pub struct PcapWriter {
    buf: Vec<u8>,
    frames: usize,
}

impl PcapWriter {
    pub fn new() -> Self {
        let mut buf = Vec::new();
        buf.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        buf.extend_from_slice(&2u16.to_le_bytes());
        buf.extend_from_slice(&4u16.to_le_bytes());
        buf.extend_from_slice(&0i32.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        buf.extend_from_slice(&65535u32.to_le_bytes());
        buf.extend_from_slice(&101u32.to_le_bytes()); // LINKTYPE_RAW
        Self { buf, frames: 0 }
    }

    /// Adds one IPv4/UDP datagram carrying `payload`.
    pub fn udp(&mut self, sport: u16, dport: u16, payload: &[u8]) {
        let builder = etherparse::PacketBuilder::ipv4(
            Ipv4Addr::new(192, 0, 2, 1).octets(),
            Ipv4Addr::new(198, 51, 100, 2).octets(),
            64,
        )
        .udp(sport, dport);
        let mut pkt = Vec::with_capacity(builder.size(payload.len()));
        builder.write(&mut pkt, payload).unwrap();
        self.frames += 1;
        let ts = u32::try_from(self.frames).unwrap();
        self.buf.extend_from_slice(&ts.to_le_bytes());
        self.buf.extend_from_slice(&0u32.to_le_bytes());
        let len = u32::try_from(pkt.len()).unwrap();
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(&len.to_le_bytes());
        self.buf.extend_from_slice(&pkt);
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Every value under `key` anywhere inside `v` (tshark nests expert info
/// inside the protocol tree that raised it).
pub fn find_all<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == key {
                    out.extend(as_list(x));
                }
                find_all(x, key, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| find_all(x, key, out)),
        _ => {}
    }
}
