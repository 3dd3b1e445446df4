//! The `[settings]` and `[dataplane]` sections, durations, and the
//! assembly of the whole file into a [`Config`].

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;

use super::schema::{RawDataPlane, RawDuration, RawFile};
use super::{Config, Cx, DataPlaneConfig, Settings, DEFAULT_CONTROL_SOCKET, R};

impl Cx<'_> {
    pub(super) fn duration(&self, v: &Spanned<RawDuration>, key: &str) -> R<Duration> {
        let text = match v.get_ref() {
            RawDuration::Seconds(s) => return Ok(Duration::from_secs(*s)),
            RawDuration::Text(t) => t.trim(),
        };
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (num, unit) = text.split_at(split);
        let n: u64 = num.parse().map_err(|_| {
            self.at(
                v,
                format!("{key}: `{text}` is not a duration (e.g. 90, 30s, 5m, 1h, 1d)"),
            )
        })?;
        let mult = match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => return Err(self.at(v, format!("{key}: unit `{unit}` not one of s, m, h, d"))),
        };
        Ok(Duration::from_secs(n.saturating_mul(mult)))
    }

    pub(super) fn build(&self, raw: RawFile) -> R<Config> {
        let settings = Settings {
            port: raw.settings.port.unwrap_or(500),
            port_nat_t: raw.settings.port_nat_t.unwrap_or(4500),
            control_socket: raw
                .settings
                .control_socket
                .unwrap_or_else(|| PathBuf::from(DEFAULT_CONTROL_SOCKET)),
            retransmit_timeout: match &raw.settings.retransmit_timeout {
                None => None,
                Some(t) if t.get_ref().is_finite() && (0.05..=600.0).contains(t.get_ref()) => {
                    Some(Duration::from_secs_f64(*t.get_ref()))
                }
                Some(t) => return Err(self.at(t, "retransmit_timeout: seconds within 0.05..=600")),
            },
            retransmit_tries: match &raw.settings.retransmit_tries {
                Some(t) if *t.get_ref() > 100 => {
                    return Err(self.at(t, "retransmit_tries: at most 100"))
                }
                t => t.as_ref().map(|t| *t.get_ref()),
            },
        };
        let dataplane = match &raw.dataplane {
            None => DataPlaneConfig::None,
            Some(d) => self.dataplane(d)?,
        };
        let (secrets, keys) = self.secrets(&raw.secrets)?;
        if raw.connections.is_empty() {
            return Err(self.err(0..0, "no connections defined ([connections.<name>])"));
        }
        let mut connections = Vec::new();
        for (name, conn) in &raw.connections {
            let mut c = self.connection(name, conn, &secrets, &keys)?;
            // The userspace plane carries ESP in UDP only: move to the
            // NAT-T port after IKE_SA_INIT even without a NAT.
            if matches!(dataplane, DataPlaneConfig::Userspace { .. }) {
                c.peer.force_encap = true;
            }
            if let Some(t) = settings.retransmit_timeout {
                c.peer.retransmit.timeout = t;
            }
            if let Some(n) = settings.retransmit_tries {
                c.peer.retransmit.tries = n;
            }
            connections.push(c);
        }
        Ok(Config {
            settings,
            dataplane,
            connections,
        })
    }

    pub(super) fn dataplane(&self, d: &Spanned<RawDataPlane>) -> R<DataPlaneConfig> {
        let r = d.get_ref();
        match r.kind.get_ref().as_str() {
            "none" => Ok(DataPlaneConfig::None),
            "userspace" => {
                let address = match &r.address {
                    None => None,
                    Some(a) => Some(parse_prefix(a.get_ref()).ok_or_else(|| {
                        self.at(
                            a,
                            format!("address: `{}` is not ADDRESS/PREFIX", a.get_ref()),
                        )
                    })?),
                };
                let mtu = match &r.mtu {
                    Some(m) if !(576..=9000).contains(m.get_ref()) => {
                        return Err(self.at(m, "mtu: must be within 576..=9000"))
                    }
                    Some(m) => *m.get_ref(),
                    None => 1400,
                };
                Ok(DataPlaneConfig::Userspace {
                    tun: r.tun.clone().unwrap_or_else(|| "ikev2-0".into()),
                    address,
                    mtu,
                })
            }
            "kernel" => {
                if let Some(a) = &r.address {
                    return Err(self.at(a, "address: only for the `userspace` data plane"));
                }
                if let Some(m) = &r.mtu {
                    return Err(self.at(m, "mtu: only for the `userspace` data plane"));
                }
                let replay_window = match &r.replay_window {
                    Some(w) if *w.get_ref() > 4096 => {
                        return Err(self.at(w, "replay_window: the kernel's cap is 4096 packets"))
                    }
                    Some(w) => *w.get_ref(),
                    None => 32,
                };
                Ok(DataPlaneConfig::Kernel { replay_window })
            }
            other => Err(self.at(
                &r.kind,
                format!("dataplane type `{other}`: expected `none`, `userspace` or `kernel`"),
            )),
        }
    }
}

/// `ADDRESS/PREFIX` (or a bare address: a host prefix).
pub(super) fn parse_prefix(s: &str) -> Option<(IpAddr, u8)> {
    let (a, p) = s.split_once('/').unwrap_or((s, ""));
    let ip: IpAddr = a.trim().parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = if p.is_empty() {
        max
    } else {
        p.trim().parse().ok()?
    };
    (len <= max).then_some((ip, len))
}
