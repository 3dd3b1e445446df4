//! Child SA configuration: selectors, ESP proposals, mode, lifetimes and
//! volume limits.

use std::net::IpAddr;
use std::time::Duration;

use ikev2_wire::ProtocolId;

use crate::proposal::{default_proposals, parse_proposals, Proposal};
use crate::ts::{parse_ts_list, TrafficSelector, TsSpec};
use crate::Error;

/// Tunnel or transport mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Tunnel mode (default).
    #[default]
    Tunnel,
    /// Transport mode (USE_TRANSPORT_MODE).
    Transport,
}

/// Soft/hard lifetimes with jitter, as strongSwan configures them: rekey at
/// `rekey_time - random(0..=rand_time)`, delete at `life_time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// Soft lifetime: start a rekey.
    pub rekey_time: Duration,
    /// Hard lifetime: delete.
    pub life_time: Duration,
    /// Maximum random amount subtracted from `rekey_time`, so many SAs
    /// configured alike do not rekey at once.
    pub rand_time: Duration,
}

impl Lifetimes {
    /// strongSwan's IKE SA defaults: rekey after 4 h, jitter 10 % of that,
    /// hard limit 10 % above.
    #[must_use]
    pub fn ike_default() -> Self {
        Self::from_rekey(Duration::from_secs(4 * 3600))
    }
    /// strongSwan's Child SA defaults: rekey after 1 h, jitter 10 % of that,
    /// hard limit 10 % above.
    #[must_use]
    pub fn child_default() -> Self {
        Self::from_rekey(Duration::from_secs(3600))
    }
    /// strongSwan's derivation from `rekey_time` alone: `life_time` =
    /// 110 % and `rand_time` = `life_time - rekey_time`.
    #[must_use]
    pub fn from_rekey(rekey_time: Duration) -> Self {
        let life_time = rekey_time.saturating_add(rekey_time / 10);
        Self {
            rekey_time,
            life_time,
            rand_time: life_time.saturating_sub(rekey_time),
        }
    }
    /// The soft deadline for a given random value (uniform over `u64`).
    #[must_use]
    pub fn rekey_after(&self, random: u64) -> Duration {
        let span = u64::try_from(self.rand_time.as_millis()).unwrap_or(u64::MAX);
        let cut = if span == 0 {
            0
        } else {
            random % span.saturating_add(1)
        };
        self.rekey_time.saturating_sub(Duration::from_millis(cut))
    }
}

/// Volume limits of a Child SA, enforced by the data plane (strongSwan's
/// `rekey_bytes`, `life_bytes`, `rekey_packets`, `life_packets`): at a
/// soft limit the data plane reports it through
/// [`Endpoint::child_sa_expired`](crate::Endpoint::child_sa_expired)
/// with `hard = false` and the SA is rekeyed; at a hard limit the SA stops
/// carrying packets and is deleted (`hard = true`). `None`: no limit.
/// Counted per direction, on the protected payload, as RFC 4301 §4.4.2.1
/// and the kernel do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataLimits {
    /// Octets after which a rekey starts.
    pub rekey_bytes: Option<u64>,
    /// Octets after which the SA is dead.
    pub life_bytes: Option<u64>,
    /// Packets after which a rekey starts.
    pub rekey_packets: Option<u64>,
    /// Packets after which the SA is dead.
    pub life_packets: Option<u64>,
}

/// A Child SA configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildConfig {
    /// Name (for logs and events).
    pub name: String,
    /// Our side's selectors (`local_ts`; default `dynamic`).
    pub local_ts: Vec<TsSpec>,
    /// The peer's side's selectors (`remote_ts`; default `dynamic`).
    pub remote_ts: Vec<TsSpec>,
    /// ESP proposals (default: `default`).
    pub esp_proposals: Vec<Proposal>,
    /// Tunnel or transport.
    pub mode: Mode,
    /// Lifetimes: rekey at `rekey_time` minus up to `rand_time`, delete
    /// at `life_time` if not rekeyed by then.
    pub lifetimes: Lifetimes,
    /// Volume limits the data plane enforces (none by default, like
    /// strongSwan); handed out with each [`ChildSaInstall`](crate::ChildSaInstall).
    pub limits: DataLimits,
    /// After a rekey, how long the replaced SA's inbound side stays
    /// installed once the peer confirmed the switch, so packets still in
    /// flight decrypt (strongSwan's `delete_rekeyed_delay`, 5 s).
    pub rekeyed_overlap: Duration,
}

impl ChildConfig {
    /// A child with strongSwan's defaults: `dynamic` selectors on both
    /// sides, default ESP proposals, tunnel mode, 1 h rekey.
    #[must_use]
    pub fn new(name: &str) -> Self {
        let dynamic = TsSpec::Dynamic {
            ip_protocol: 0,
            ports: (0, u16::MAX),
        };
        Self {
            name: name.to_owned(),
            local_ts: vec![dynamic],
            remote_ts: vec![dynamic],
            esp_proposals: default_proposals(ProtocolId::Esp),
            mode: Mode::Tunnel,
            lifetimes: Lifetimes::child_default(),
            limits: DataLimits::default(),
            rekeyed_overlap: Duration::from_secs(5),
        }
    }

    /// Sets the lifetimes (see [`Lifetimes`]).
    #[must_use]
    pub fn with_lifetimes(mut self, lifetimes: Lifetimes) -> Self {
        self.lifetimes = lifetimes;
        self
    }

    /// Sets `local_ts` and `remote_ts` from strongSwan syntax.
    ///
    /// # Errors
    /// [`Error::TrafficSelector`].
    pub fn with_ts(mut self, local: &str, remote: &str) -> Result<Self, Error> {
        self.local_ts = parse_ts_list(local)?;
        self.remote_ts = parse_ts_list(remote)?;
        Ok(self)
    }

    /// The concrete selectors for an SA between `local_host` and
    /// `remote_host` (substituting `dynamic`), as `(local, remote)`.
    ///
    /// # Errors
    /// [`Error::TrafficSelector`] if a `dynamic` side has no address.
    pub fn resolve_ts(
        &self,
        local_host: Option<IpAddr>,
        remote_host: Option<IpAddr>,
    ) -> Result<(Vec<TrafficSelector>, Vec<TrafficSelector>), Error> {
        let local = self
            .local_ts
            .iter()
            .map(|t| t.resolve(local_host))
            .collect::<Result<_, _>>()?;
        let remote = self
            .remote_ts
            .iter()
            .map(|t| t.resolve(remote_host))
            .collect::<Result<_, _>>()?;
        Ok((local, remote))
    }

    /// Sets `esp_proposals` from strongSwan syntax.
    ///
    /// # Errors
    /// [`Error::Proposal`].
    pub fn with_esp_proposals(mut self, s: &str) -> Result<Self, Error> {
        self.esp_proposals = parse_proposals(ProtocolId::Esp, s)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_follow_strongswan() {
        let l = Lifetimes::child_default();
        assert_eq!(l.life_time, Duration::from_secs(3960));
        assert_eq!(l.rand_time, Duration::from_secs(360));
        assert_eq!(l.rekey_after(0), Duration::from_secs(3600));
        assert_eq!(l.rekey_after(360_000), Duration::from_secs(3240));
        for r in [1u64, 99, 12345, u64::MAX] {
            let d = l.rekey_after(r);
            assert!(d <= l.rekey_time && d >= l.rekey_time - l.rand_time);
        }
        assert_eq!(
            Lifetimes::ike_default().rekey_time,
            Duration::from_secs(14400)
        );
    }

    #[test]
    fn dynamic_selectors_resolve_to_the_hosts() {
        let me: IpAddr = "192.0.2.1".parse().unwrap();
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        let c = ChildConfig::new("host-to-host");
        let (l, r) = c.resolve_ts(Some(me), Some(peer)).unwrap();
        assert_eq!(
            (l[0].to_string(), r[0].to_string()),
            ("192.0.2.1/32".into(), "198.51.100.7/32".into())
        );
        assert!(c.resolve_ts(None, Some(peer)).is_err());
        let c = c
            .with_ts("dynamic[udp/500], 10.1.0.0/16", "0.0.0.0/0")
            .unwrap();
        let (l, r) = c.resolve_ts(Some(me), None).unwrap();
        assert_eq!(l[0].to_string(), "192.0.2.1/32[udp/500]");
        assert_eq!(l[1].to_string(), "10.1.0.0/16");
        assert_eq!(r[0].to_string(), "0.0.0.0/0");
    }
}
