//! The INFORMATIONAL block of `ikev2-udp` (deletes and liveness checks):
//! its command-line flags, a small script of timed user commands, and the
//! JSON lines for the events it causes. (`--dpd` and `--retransmit`, for
//! `dpd_delay` and a short retransmission schedule, and the `peer_dead`
//! line are in the program itself.)
//!
//! Flags (all optional):
//!
//! - `--after SECS CMD` (repeatable): SECS seconds after the SA is up, run
//!   CMD on it: `delete-child` (its first Child SA), `delete-ike`, or `dpd`
//!   (a liveness check);
//! - `--until-down`: keep running after the SA is up and exit 0 once it is
//!   deleted (by either side).
//!
//! Used by `interop/cases/info.sh` against strongSwan.

use std::time::{Duration, Instant};

use ikev2_sm::events::Event;
use ikev2_sm::{ApiError, Endpoint, SaHandle};
use lexopt::ValueExt;
use serde_json::{json, Value};

/// The flags this block adds (each takes the values described above).
pub const FLAGS: [&str; 2] = ["after", "until-down"];

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
            "until-down" => self.until_down = true,
            other => {
                return Err(lexopt::Error::UnexpectedOption(format!("--{other}")));
            }
        }
        Ok(())
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
        Event::PeerErrorNotify {
            notify, in_request, ..
        } => json!({
            "event": "peer_error_notify", "notify": notify.to_string(), "in_request": in_request,
        }),
        _ => return None,
    })
}

/// True for the events after which the IKE SA is gone (a dead peer ends
/// the program by itself).
#[must_use]
pub fn sa_gone(event: &Event) -> bool {
    matches!(event, Event::IkeSaDeleted { .. })
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
    }

    #[test]
    fn bad_values_are_refused_with_the_value() {
        let e = parse(&["--after", "2", "reboot"]).unwrap_err().to_string();
        assert!(e.contains("reboot"), "{e}");
        let e = parse(&["--after", "soon", "dpd"]).unwrap_err().to_string();
        assert!(e.contains("soon"), "{e}");
        assert!(parse(&["--after", "1"]).is_err(), "a command is needed");
    }

    #[test]
    fn events_become_lines() {
        let gone = Event::IkeSaDeleted { by_peer: true };
        let line = event_json(&gone).unwrap().to_string();
        assert_eq!(line, r#"{"by_peer":true,"event":"ike_sa_deleted"}"#);
        assert!(sa_gone(&gone));
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
