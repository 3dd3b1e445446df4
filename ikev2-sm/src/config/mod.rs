//! Peer configuration: identities, authentication, proposals, children,
//! lifetimes, retransmission, liveness and half-open limits.
//!
//! Only the parts the foundations use are interpreted today (proposals,
//! traffic selectors, retransmission, lifetimes' arithmetic, identity
//! matching); the rest is validated and carried for the exchanges to come
//! (marked *not wired yet* below).
//!
//! ```
//! use ikev2_sm::config::{Auth, ChildConfig, Identity, PeerConfig};
//! let peer = PeerConfig::new("gw", Identity::parse("moon.example.org")?, Identity::parse("%any")?)
//!     .with_auth(Auth::psk(b"correct horse battery staple".to_vec()), Auth::psk(b"correct horse battery staple".to_vec()))
//!     .with_ike_proposals("aes256gcm16-prfsha384-ecp384, aes128-sha256-x25519")?
//!     .with_child(ChildConfig::new("net").with_ts("10.1.0.0/16", "10.2.0.0/16")?.with_esp_proposals("aes128gcm16-esn-noesn")?);
//! peer.validate()?;
//! assert!(peer.remote_id.matches(&Identity::parse("carol@example.org")?));
//! # Ok::<(), ikev2_sm::Error>(())
//! ```

use std::time::Duration;

use ikev2_wire::ProtocolId;

use crate::proposal::{default_proposals, parse_proposals, Proposal, SelectionPolicy};
use crate::window::RetransmitConfig;
use crate::Error;

mod auth;
mod child;
mod identity;
mod limits;

pub use auth::{Auth, CertCredential, CertTrust, Psk};
pub use child::{ChildConfig, DataLimits, Lifetimes, Mode};
pub use identity::Identity;
pub use limits::{
    CookieSecrets, FragmentConfig, HalfOpenLimits, MAX_REASSEMBLED, MIN_FRAGMENT_SIZE,
};

/// Everything needed to set up IKE and Child SAs with one peer.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerConfig {
    /// Name (for logs and events).
    pub name: String,
    /// Our identity (IDi/IDr we send).
    pub local_id: Identity,
    /// The identity we require from the peer; responders pick the
    /// configuration whose `remote_id` matches the received IDi.
    pub remote_id: Identity,
    /// How we authenticate.
    pub local_auth: Auth,
    /// How the peer must authenticate.
    pub remote_auth: Auth,
    /// IKE proposals (default: `default`).
    pub ike_proposals: Vec<Proposal>,
    /// Proposal selection settings as responder.
    pub selection: SelectionPolicy,
    /// Child SAs.
    pub children: Vec<ChildConfig>,
    /// IKE SA lifetimes: rekey at `rekey_time` minus up to `rand_time`,
    /// delete at `life_time` if not rekeyed by then.
    pub lifetimes: Lifetimes,
    /// Reauthenticate the IKE SA this long after it was established
    /// (strongSwan's `reauth_time`; zero = never, the default): a new IKE SA
    /// with full authentication replaces it, make-before-break (see
    /// [`crate::Endpoint::reauthenticate`]). Jittered like `rekey_time`, by
    /// up to [`Lifetimes::rand_time`]; when it comes before the rekey, the
    /// IKE SA is not rekeyed, and the hard lifetime becomes the
    /// reauthentication time plus `life_time - rekey_time` (strongSwan's
    /// `over_time`) if that is earlier than `life_time`. It survives IKE SA
    /// rekeys.
    pub reauth_time: Duration,
    /// Retransmission schedule.
    pub retransmit: RetransmitConfig,
    /// Liveness check (an empty INFORMATIONAL request) when nothing was
    /// received from the peer for this long, strongSwan's `dpd_delay`
    /// (zero = off, the default). A check left unanswered through the
    /// retransmission schedule declares the peer dead.
    pub dpd_delay: Duration,
    /// Half-open limits.
    pub half_open: HalfOpenLimits,
    /// Move to UDP 4500 after IKE_SA_INIT even without a NAT (strongSwan's
    /// `encap = yes`); with a NAT detected the move happens regardless.
    pub force_encap: bool,
    /// As initiator, set up the IKE SA without its first Child SA (RFC 6023)
    /// when the peer announced CHILDLESS_IKEV2_SUPPORTED, even with children
    /// configured (they are then for CREATE_CHILD_SA). Without children
    /// configured IKE_AUTH is always childless.
    pub childless: bool,
    /// IKE fragmentation (RFC 7383).
    pub fragmentation: FragmentConfig,
}

impl PeerConfig {
    /// A configuration with PSK placeholders replaced via [`Self::with_auth`];
    /// defaults elsewhere follow strongSwan.
    #[must_use]
    pub fn new(name: &str, local_id: Identity, remote_id: Identity) -> Self {
        Self {
            name: name.to_owned(),
            local_id,
            remote_id,
            local_auth: Auth::psk(Vec::new()),
            remote_auth: Auth::psk(Vec::new()),
            ike_proposals: default_proposals(ProtocolId::Ike),
            selection: SelectionPolicy::default(),
            children: Vec::new(),
            lifetimes: Lifetimes::ike_default(),
            reauth_time: Duration::ZERO,
            retransmit: RetransmitConfig::default(),
            dpd_delay: Duration::ZERO,
            half_open: HalfOpenLimits::default(),
            force_encap: false,
            childless: false,
            fragmentation: FragmentConfig::default(),
        }
    }

    /// Sets the IKE fragmentation settings (see [`FragmentConfig`]).
    #[must_use]
    pub fn with_fragmentation(mut self, fragmentation: FragmentConfig) -> Self {
        self.fragmentation = fragmentation;
        self
    }

    /// Always move to UDP 4500 after IKE_SA_INIT (see [`Self::force_encap`]).
    #[must_use]
    pub fn with_force_encap(mut self, on: bool) -> Self {
        self.force_encap = on;
        self
    }

    /// Sets [`Self::reauth_time`] (zero = no reauthentication).
    #[must_use]
    pub fn with_reauth_time(mut self, reauth_time: Duration) -> Self {
        self.reauth_time = reauth_time;
        self
    }

    /// Sets [`Self::dpd_delay`] (zero = no liveness checks).
    #[must_use]
    pub fn with_dpd_delay(mut self, delay: Duration) -> Self {
        self.dpd_delay = delay;
        self
    }

    /// Sets up the IKE SA without its first Child SA when the peer supports
    /// it (see [`Self::childless`]).
    #[must_use]
    pub fn with_childless(mut self, on: bool) -> Self {
        self.childless = on;
        self
    }

    /// Sets local and remote authentication.
    #[must_use]
    pub fn with_auth(mut self, local: Auth, remote: Auth) -> Self {
        self.local_auth = local;
        self.remote_auth = remote;
        self
    }

    /// Sets `ike_proposals` from strongSwan syntax.
    ///
    /// # Errors
    /// [`Error::Proposal`].
    pub fn with_ike_proposals(mut self, s: &str) -> Result<Self, Error> {
        self.ike_proposals = parse_proposals(ProtocolId::Ike, s)?;
        Ok(self)
    }

    /// Adds a child.
    #[must_use]
    pub fn with_child(mut self, child: ChildConfig) -> Self {
        self.children.push(child);
        self
    }

    /// Checks what the parsers could not: non-empty proposal lists, a
    /// usable PSK, lifetimes in order, a local identity, child selectors.
    ///
    /// # Errors
    /// [`Error::Config`] naming the configuration and the problem.
    pub fn validate(&self) -> Result<(), Error> {
        let err = |name: &str, why| {
            Err(Error::Config {
                name: name.to_owned(),
                why,
            })
        };
        if self.ike_proposals.is_empty() {
            return err(&self.name, "no IKE proposals");
        }
        if self.local_id == Identity::Any {
            return err(&self.name, "local identity cannot be %any");
        }
        for auth in [&self.local_auth, &self.remote_auth] {
            if let Auth::Psk(p) = auth {
                if p.secret().is_empty() {
                    return err(&self.name, "empty pre-shared key");
                }
            }
        }
        if matches!(&self.local_auth, Auth::Signature(c) if c.chain.is_empty()) {
            return err(&self.name, "signature authentication without a certificate");
        }
        if matches!(&self.remote_auth, Auth::TrustedCa(t) if t.ca_certs.is_empty()) {
            return err(
                &self.name,
                "certificate authentication without a trusted CA",
            );
        }
        let check_life = |l: &Lifetimes| l.rekey_time < l.life_time && l.rand_time <= l.rekey_time;
        if !check_life(&self.lifetimes) {
            return err(
                &self.name,
                "IKE lifetimes: need rand_time <= rekey_time < life_time",
            );
        }
        if !self.reauth_time.is_zero() && self.reauth_time <= self.lifetimes.rand_time {
            return err(
                &self.name,
                "reauth_time must exceed rand_time (the jitter subtracted from it)",
            );
        }
        let f = &self.fragmentation;
        if f.enabled && f.fragment_size < MIN_FRAGMENT_SIZE {
            return err(&self.name, "fragment_size below 200 octets");
        }
        if f.max_fragments == 0 || f.max_message > MAX_REASSEMBLED {
            return err(
                &self.name,
                "fragmentation limits: need max_fragments > 0 and max_message <= 65000",
            );
        }
        for c in &self.children {
            if c.esp_proposals.is_empty() {
                return err(&c.name, "no ESP proposals");
            }
            if c.local_ts.is_empty() || c.remote_ts.is_empty() {
                return err(&c.name, "empty traffic selectors");
            }
            if !check_life(&c.lifetimes) {
                return err(
                    &c.name,
                    "child lifetimes: need rand_time <= rekey_time < life_time",
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reauth_time_must_exceed_its_jitter() {
        let base = || {
            PeerConfig::new("gw", Identity::parse("moon").unwrap(), Identity::Any)
                .with_auth(Auth::psk(b"k".to_vec()), Auth::psk(b"k".to_vec()))
        };
        assert_eq!(base().reauth_time, Duration::ZERO, "off by default");
        // Default IKE lifetimes jitter by up to 24 minutes.
        assert!(base()
            .with_reauth_time(Duration::from_secs(3600))
            .validate()
            .is_ok());
        let e = base()
            .with_reauth_time(Duration::from_secs(600))
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("reauth_time must exceed rand_time"));
    }

    #[test]
    fn validation_names_the_problem() {
        let base = || {
            PeerConfig::new("gw", Identity::parse("moon").unwrap(), Identity::Any)
                .with_auth(Auth::psk(b"k".to_vec()), Auth::Certificate("ca.pem".into()))
        };
        assert!(base().validate().is_ok());
        let e = PeerConfig::new("gw", Identity::parse("moon").unwrap(), Identity::Any).validate();
        assert_eq!(
            e,
            Err(Error::Config {
                name: "gw".into(),
                why: "empty pre-shared key"
            })
        );
        let mut c = base();
        c.ike_proposals.clear();
        assert!(matches!(
            c.validate(),
            Err(Error::Config {
                why: "no IKE proposals",
                ..
            })
        ));
        let mut child = ChildConfig::new("net");
        child.lifetimes.life_time = child.lifetimes.rekey_time;
        let e = base().with_child(child).validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "configuration `net`: child lifetimes: need rand_time <= rekey_time < life_time"
        );
        let e = base()
            .with_ike_proposals("aes128-sha256-x2551")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "proposal: algorithm keyword not recognized: `x2551` at byte 14"
        );
        let e = ChildConfig::new("net")
            .with_ts("10.0.0.0/8", "10.0.0.0/88")
            .unwrap_err();
        assert!(matches!(e, Error::TrafficSelector(_)));
    }
}
