//! The file as written: serde structures mirroring swanctl.conf's
//! sections, every key checked (`deny_unknown_fields`), values kept with
//! their spans so errors can name the line.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) settings: RawSettings,
    pub(super) dataplane: Option<Spanned<RawDataPlane>>,
    #[serde(default)]
    pub(super) connections: BTreeMap<Spanned<String>, Spanned<RawConnection>>,
    #[serde(default)]
    pub(super) secrets: BTreeMap<Spanned<String>, Spanned<RawSecret>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(super) port: Option<u16>,
    pub(super) port_nat_t: Option<u16>,
    pub(super) control_socket: Option<PathBuf>,
    pub(super) retransmit_timeout: Option<Spanned<f64>>,
    pub(super) retransmit_tries: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDataPlane {
    #[serde(rename = "type")]
    pub(super) kind: Spanned<String>,
    pub(super) tun: Option<String>,
    pub(super) address: Option<Spanned<String>>,
    pub(super) mtu: Option<Spanned<u16>>,
    pub(super) replay_window: Option<Spanned<u32>>,
}

/// A string or a list of strings (swanctl writes lists comma-separated).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(super) fn items(&self) -> Vec<String> {
        match self {
            Self::One(s) => s
                .split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            Self::Many(v) => v.iter().map(|s| s.trim().to_owned()).collect(),
        }
    }
}

/// A duration: seconds as a number, or strongSwan's `30s`, `5m`, `1h`, `1d`.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawDuration {
    Seconds(u64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnection {
    pub(super) version: Option<Spanned<u8>>,
    pub(super) local_addrs: Option<Spanned<OneOrMany>>,
    pub(super) remote_addrs: Option<Spanned<OneOrMany>>,
    pub(super) remote_port: Option<u16>,
    pub(super) remote_port_nat_t: Option<u16>,
    pub(super) proposals: Option<Spanned<OneOrMany>>,
    pub(super) encap: Option<bool>,
    pub(super) fragmentation: Option<Spanned<String>>,
    pub(super) rekey_time: Option<Spanned<RawDuration>>,
    pub(super) over_time: Option<Spanned<RawDuration>>,
    pub(super) reauth_time: Option<Spanned<RawDuration>>,
    pub(super) dpd_delay: Option<Spanned<RawDuration>>,
    pub(super) local: Option<Spanned<RawLocal>>,
    pub(super) remote: Option<Spanned<RawRemote>>,
    #[serde(default)]
    pub(super) children: BTreeMap<Spanned<String>, Spanned<RawChild>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLocal {
    pub(super) auth: Option<Spanned<String>>,
    pub(super) id: Option<Spanned<String>>,
    pub(super) certs: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRemote {
    pub(super) auth: Option<Spanned<String>>,
    pub(super) id: Option<Spanned<String>>,
    pub(super) cacerts: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChild {
    pub(super) local_ts: Option<Spanned<OneOrMany>>,
    pub(super) remote_ts: Option<Spanned<OneOrMany>>,
    pub(super) esp_proposals: Option<Spanned<OneOrMany>>,
    pub(super) mode: Option<Spanned<String>>,
    pub(super) start_action: Option<Spanned<String>>,
    pub(super) rekey_time: Option<Spanned<RawDuration>>,
    pub(super) life_time: Option<Spanned<RawDuration>>,
    pub(super) rekey_bytes: Option<Spanned<u64>>,
    pub(super) life_bytes: Option<Spanned<u64>>,
    pub(super) rekey_packets: Option<Spanned<u64>>,
    pub(super) life_packets: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecret {
    pub(super) id: Option<Spanned<OneOrMany>>,
    pub(super) secret: Option<Spanned<String>>,
    pub(super) file: Option<Spanned<String>>,
}
