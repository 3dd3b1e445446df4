//! The INFORMATIONAL block of `ikev2-udp` (deletes, liveness, dead peers):
//! its command-line flags, a small script of timed user commands, and the
//! JSON lines for the events it causes.
//!
//! Flags (all optional):
//!
//! - `--after SECS CMD` (repeatable): SECS seconds after the SA is up, run
//!   CMD on it: `delete-child` (its first Child SA), `delete-ike`, or `dpd`
//!   (a liveness check);
//! - `--dpd SECS`: `PeerConfig::dpd_delay` (liveness check after that long
//!   without hearing from the peer);
//! - `--retransmit-timeout SECS`, `--retransmit-tries N`: a shorter
//!   retransmission schedule, so a dead peer is declared in seconds;
//! - `--until-down`: keep running after the SA is up and exit 0 once it is
//!   gone (deleted by either side, or the peer declared dead).
//!
//! Used by `interop/cases/info.sh` against strongSwan.

use std::time::{Duration, Instant};

use ikev2_sm::config::PeerConfig;
use ikev2_sm::events::Event;
use ikev2_sm::{ApiError, Endpoint, SaHandle};
use lexopt::ValueExt;
use serde_json::{json, Value};

/// The flags this block adds (each takes the values described above).
pub const FLAGS: [&str; 5] = [
    "after",
    "dpd",
    "retransmit-timeout",
    "retransmit-tries",
    "until-down",
];

/// A scripted user command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `Endpoint::delete_child_sa` on the first Child SA.
    DeleteChild,
    /// `Endpoint::delete_ike_sa`.
    DeleteIke,
    /// `Endpoint::liveness_check`.
    Dpd,
}

impl Command {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "delete-child" => Self::DeleteChild,
            "delete-ike" => Self::DeleteIke,
            "dpd" => Self::Dpd,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::DeleteChild => "delete-child",
            Self::DeleteIke => "delete-ike",
            Self::Dpd => "dpd",
        }
    }

    fn run(self, ep: &mut Endpoint, h: SaHandle, now: Instant) -> Result<(), ApiError> {
        match self {
            Self::DeleteChild => {
                let spi = ep
                    .sa_info(h)
                    .and_then(|i| i.children.first().map(|c| c.spi_in))
                    .ok_or(ApiError::UnknownSa)?;
                ep.delete_child_sa(now, h, spi)
            }
            Self::DeleteIke => ep.delete_ike_sa(now, h),
            Self::Dpd => ep.liveness_check(now, h),
        }
    }
}

/// The block's options and the script's progress.
#[derive(Debug, Clone, Default)]
pub struct InfoOpts {
    /// Commands by delay after the SA is up, in the order given.
    pub after: Vec<(Duration, Command)>,
    /// `dpd_delay`.
    pub dpd: Option<Duration>,
    /// First retransmission timeout.
    pub retransmit_timeout: Option<Duration>,
    /// Retransmissions before giving up.
    pub retransmit_tries: Option<u32>,
    /// Exit once the SA is gone rather than once it is up.
    pub until_down: bool,
    done: usize,
}

fn secs(v: &str) -> Result<Duration, lexopt::Error> {
    v.parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| lexopt::Error::ParsingFailed {
            value: v.to_owned(),
            error: "not a number of seconds".into(),
        })
}

impl InfoOpts {
    /// Parses flag `name` (one of [`FLAGS`]) and its values from `p`.
    ///
    /// # Errors
    /// A missing or malformed value.
    pub fn parse(&mut self, name: &str, p: &mut lexopt::Parser) -> Result<(), lexopt::Error> {
        let mut value = || -> Result<String, lexopt::Error> { p.value()?.string() };
        match name {
            "after" => {
                let delay = secs(&value()?)?;
                let cmd = value()?;
                let cmd = Command::parse(&cmd).ok_or_else(|| lexopt::Error::ParsingFailed {
                    value: cmd.clone(),
                    error: "expected delete-child, delete-ike or dpd".into(),
                })?;
                self.after.push((delay, cmd));
                self.after.sort_by_key(|(d, _)| *d);
            }
            "dpd" => self.dpd = Some(secs(&value()?)?),
            "retransmit-timeout" => self.retransmit_timeout = Some(secs(&value()?)?),
            "retransmit-tries" => {
                let v = value()?;
                self.retransmit_tries =
                    Some(v.parse().map_err(|e| lexopt::Error::ParsingFailed {
                        value: v.clone(),
                        error: Box::new(e),
                    })?);
            }
            "until-down" => self.until_down = true,
            other => {
                return Err(lexopt::Error::UnexpectedOption(format!("--{other}")));
            }
        }
        Ok(())
    }

    /// True if any of the block's flags was given.
    #[must_use]
    pub fn used(&self) -> bool {
        !self.after.is_empty()
            || self.dpd.is_some()
            || self.retransmit_timeout.is_some()
            || self.retransmit_tries.is_some()
            || self.until_down
    }

    /// Applies `--dpd` and the retransmission settings.
    #[must_use]
    pub fn configure(&self, mut peer: PeerConfig) -> PeerConfig {
        if let Some(d) = self.dpd {
            peer = peer.with_dpd_delay(d);
        }
        if let Some(t) = self.retransmit_timeout {
            peer.retransmit.timeout = t;
        }
        if let Some(n) = self.retransmit_tries {
            peer.retransmit.tries = n;
        }
        peer
    }

    /// When the next scripted command is due, the SA having come up at `up`.
    #[must_use]
    pub fn next_due(&self, up: Instant) -> Option<Instant> {
        self.after.get(self.done).map(|(d, _)| up + *d)
    }

    /// Runs the commands due at `now` on `h` (up since `up`); returns one
    /// JSON line per command.
    pub fn run_due(
        &mut self,
        ep: &mut Endpoint,
        h: SaHandle,
        up: Instant,
        now: Instant,
    ) -> Vec<Value> {
        let mut lines = Vec::new();
        while let Some((delay, cmd)) = self.after.get(self.done).copied() {
            if up + delay > now {
                break;
            }
            self.done += 1;
            let result = cmd.run(ep, h, now);
            lines.push(json!({
                "event": "command", "command": cmd.name(),
                "result": match result { Ok(()) => "ok".to_owned(), Err(e) => e.to_string() },
            }));
        }
        lines
    }
}

/// The JSON line for an event of this block; `None` for other events.
#[must_use]
pub fn event_json(event: &Event) -> Option<Value> {
    Some(match event {
        Event::ChildSaDeleted {
            name,
            spi_in,
            spi_out,
            by_peer,
        } => json!({
            "event": "child_sa_deleted", "name": name,
            "spi_in": format!("{spi_in:08x}"), "spi_out": format!("{spi_out:08x}"),
            "by_peer": by_peer,
        }),
        Event::IkeSaDeleted { by_peer } => json!({"event": "ike_sa_deleted", "by_peer": by_peer}),
        Event::PeerDead {
            peer,
            peer_id,
            config,
            exchange,
            retransmits,
            after,
        } => json!({
            "event": "peer_dead", "peer": peer.to_string(),
            "peer_id": peer_id.as_ref().map(|p| format!("{p:?}")), "config": config,
            "exchange": exchange.to_string(), "retransmits": retransmits,
            "after_s": after.as_secs_f64(),
        }),
        Event::PeerErrorNotify {
            notify, in_request, ..
        } => json!({
            "event": "peer_error_notify", "notify": notify.to_string(), "in_request": in_request,
        }),
        _ => return None,
    })
}

/// True for the events after which the IKE SA is gone.
#[must_use]
pub fn sa_gone(event: &Event) -> bool {
    matches!(event, Event::IkeSaDeleted { .. } | Event::PeerDead { .. })
}

/// The block's counters, printed at exit.
#[must_use]
pub fn stats_json(ep: &Endpoint) -> Value {
    let i = ep.stats().info;
    json!({
        "event": "info_stats",
        "child_deletes_sent": i.child_deletes_sent,
        "child_deletes_received": i.child_deletes_received,
        "ike_deletes_sent": i.ike_deletes_sent,
        "ike_deletes_received": i.ike_deletes_received,
        "liveness_sent": i.liveness_sent,
        "liveness_answered": i.liveness_answered,
        "dead_peers": i.dead_peers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikev2_wire::ExchangeType;

    fn parse(args: &[&str]) -> Result<InfoOpts, lexopt::Error> {
        let mut p = lexopt::Parser::from_args(args.iter().copied());
        let mut o = InfoOpts::default();
        while let Some(arg) = p.next()? {
            match arg {
                lexopt::Arg::Long(name) => {
                    let name = name.to_owned();
                    o.parse(&name, &mut p)?;
                }
                other => return Err(other.unexpected()),
            }
        }
        Ok(o)
    }

    #[test]
    fn script_runs_in_delay_order() {
        let o = parse(&[
            "--after",
            "3",
            "delete-ike",
            "--after",
            "1.5",
            "delete-child",
        ])
        .unwrap();
        assert_eq!(
            o.after,
            vec![
                (Duration::from_millis(1500), Command::DeleteChild),
                (Duration::from_secs(3), Command::DeleteIke)
            ]
        );
        let up = Instant::now();
        assert_eq!(o.next_due(up), Some(up + Duration::from_millis(1500)));
        assert!(o.used());
    }

    #[test]
    fn bad_values_are_refused_with_the_value() {
        let e = parse(&["--after", "2", "reboot"]).unwrap_err().to_string();
        assert!(e.contains("reboot"), "{e}");
        let e = parse(&["--dpd", "soon"]).unwrap_err().to_string();
        assert!(e.contains("soon"), "{e}");
        assert!(parse(&["--retransmit-tries", "-1"]).is_err());
    }

    #[test]
    fn configure_sets_dpd_and_retransmission() {
        let o = parse(&[
            "--dpd",
            "2",
            "--retransmit-timeout",
            "0.5",
            "--retransmit-tries",
            "2",
        ])
        .unwrap();
        let p = o.configure(PeerConfig::new(
            "p",
            ikev2_sm::config::Identity::Any,
            ikev2_sm::config::Identity::Any,
        ));
        assert_eq!(p.dpd_delay, Duration::from_secs(2));
        assert_eq!(p.retransmit.timeout, Duration::from_millis(500));
        assert_eq!(p.retransmit.tries, 2);
    }

    #[test]
    fn events_become_lines() {
        let dead = Event::PeerDead {
            peer: "10.231.0.2:4500".parse().unwrap(),
            peer_id: None,
            config: "peer".into(),
            exchange: ExchangeType::Informational,
            retransmits: 2,
            after: Duration::from_millis(3020),
        };
        let line = event_json(&dead).unwrap().to_string();
        assert!(
            line.contains(r#""event":"peer_dead""#)
                && line.contains(r#""exchange":"INFORMATIONAL""#),
            "{line}"
        );
        assert!(sa_gone(&dead));
        let del = Event::ChildSaDeleted {
            name: "net".into(),
            spi_in: 0xc1,
            spi_out: 0xc2,
            by_peer: true,
        };
        let line = event_json(&del).unwrap().to_string();
        assert!(line.contains(r#""spi_in":"000000c1""#) && line.contains(r#""by_peer":true"#));
        assert!(!sa_gone(&del));
        assert_eq!(event_json(&Event::IkeSaUp), None);
    }
}
