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

use core::fmt;
use std::net::IpAddr;
use std::time::Duration;

use ikev2_crypto::cert::DistinguishedName;
use ikev2_wire::{IdType, ProtocolId};
use zeroize::Zeroizing;

use crate::proposal::{default_proposals, parse_proposals, Proposal, SelectionPolicy};
use crate::ts::{parse_ts_list, TrafficSelector, TsSpec};
use crate::window::RetransmitConfig;
use crate::Error;

/// An IKE identity (RFC 7296 §3.5), written as strongSwan writes them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Identity {
    /// `%any`: accept any identity (remote side only).
    Any,
    /// ID_IPV4_ADDR / ID_IPV6_ADDR.
    Addr(IpAddr),
    /// ID_FQDN; a leading `*.` matches any subdomain.
    Fqdn(String),
    /// ID_RFC822_ADDR; `*@domain` matches any user.
    Rfc822(String),
    /// ID_DER_ASN1_DN: a Distinguished Name, carried as DER on the wire
    /// (RFC 7296 §3.5) and written and printed as strongSwan writes it
    /// (`C=CH, O=Example, CN=moon`); see [`DistinguishedName`] for the
    /// syntax and how names compare (`CN=*` in a configured remote
    /// identity accepts any common name).
    Dn(DistinguishedName),
    /// ID_KEY_ID, opaque bytes.
    KeyId(Vec<u8>),
}

impl Identity {
    /// Parses strongSwan's identity syntax: `%any`; an IP address; `@fqdn`
    /// or a bare name (FQDN); `user@domain` (RFC 822); text containing `=`
    /// (DN, encoded to DER here); `@#hex` or `keyid:#hex` (key ID);
    /// `asn1dn:#hex` (a DN given as DER); prefixes `fqdn:`, `email:`,
    /// `keyid:` force a type.
    ///
    /// # Errors
    /// [`Error::Identity`] for empty input, bad hex or a DN that cannot be
    /// encoded (unknown attribute type, missing `=`).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let bad = || Error::Identity(s.to_owned());
        if s == "%any" {
            return Ok(Self::Any);
        }
        if s.is_empty() {
            return Err(bad());
        }
        if let Some(hex) = s.strip_prefix("@#").or_else(|| s.strip_prefix("keyid:#")) {
            return decode_hex(hex).map(Self::KeyId).ok_or_else(bad);
        }
        if let Some(hex) = s.strip_prefix("asn1dn:#") {
            return decode_hex(hex)
                .and_then(|der| DistinguishedName::from_der(&der).ok())
                .map(Self::Dn)
                .ok_or_else(bad);
        }
        if let Some(raw) = s.strip_prefix("keyid:") {
            return Ok(Self::KeyId(raw.as_bytes().to_vec()));
        }
        if let Some(f) = s.strip_prefix("fqdn:").or_else(|| s.strip_prefix('@')) {
            if let Some(mail) = f.strip_prefix('@') {
                return Ok(Self::Rfc822(mail.to_owned()));
            }
            return Ok(Self::Fqdn(f.to_owned()));
        }
        if let Some(m) = s.strip_prefix("email:") {
            return Ok(Self::Rfc822(m.to_owned()));
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Self::Addr(ip));
        }
        if s.contains('=') {
            return DistinguishedName::parse(s)
                .map(Self::Dn)
                .map_err(|e| Error::Identity(format!("{s}: {e}")));
        }
        if s.contains('@') {
            return Ok(Self::Rfc822(s.to_owned()));
        }
        Ok(Self::Fqdn(s.to_owned()))
    }

    /// The ID Type for an ID payload (`None` for `%any`).
    #[must_use]
    pub fn id_type(&self) -> Option<IdType> {
        Some(match self {
            Self::Any => return None,
            Self::Addr(IpAddr::V4(_)) => IdType::Ipv4Addr,
            Self::Addr(IpAddr::V6(_)) => IdType::Ipv6Addr,
            Self::Fqdn(_) => IdType::Fqdn,
            Self::Rfc822(_) => IdType::Rfc822Addr,
            Self::Dn(_) => IdType::DerAsn1Dn,
            Self::KeyId(_) => IdType::KeyId,
        })
    }

    /// True for `%any` and for identities holding wildcards (`*.domain`,
    /// `*@domain`, a DN with `*` values): these accept a peer's identity
    /// but name none, so no IDr is sent for them.
    #[must_use]
    pub fn is_pattern(&self) -> bool {
        match self {
            Self::Any => true,
            Self::Fqdn(s) => s.starts_with("*."),
            Self::Rfc822(s) => s.starts_with("*@"),
            Self::Dn(dn) => dn.has_wildcards(),
            Self::Addr(_) | Self::KeyId(_) => false,
        }
    }

    /// True if a received identity satisfies this configured one: equal
    /// (FQDN and e-mail case-insensitively, DNs RDN by RDN), or matched by
    /// `%any`, `*.domain`, `*@domain` or a DN with `*` values.
    #[must_use]
    pub fn matches(&self, received: &Self) -> bool {
        match (self, received) {
            (Self::Any, _) => true,
            (Self::Fqdn(pat), Self::Fqdn(name)) => match pat.strip_prefix("*.") {
                Some(domain) => name
                    .len()
                    .checked_sub(domain.len() + 1)
                    .and_then(|i| name.get(i..))
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(&format!(".{domain}"))),
                None => pat.eq_ignore_ascii_case(name),
            },
            (Self::Rfc822(pat), Self::Rfc822(addr)) => match pat.strip_prefix("*@") {
                Some(domain) => addr
                    .rsplit_once('@')
                    .is_some_and(|(_, d)| d.eq_ignore_ascii_case(domain)),
                None => pat.eq_ignore_ascii_case(addr),
            },
            (Self::Dn(pat), Self::Dn(name)) => pat.matches(name),
            (a, b) => a == b,
        }
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("%any"),
            Self::Addr(a) => write!(f, "{a}"),
            Self::Fqdn(s) | Self::Rfc822(s) => f.write_str(s),
            Self::Dn(dn) => write!(f, "{dn}"),
            Self::KeyId(k) => {
                f.write_str("@#")?;
                k.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }
    }
}

/// A pre-shared key; zeroized on drop, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk(Zeroizing<Vec<u8>>);

impl Psk {
    /// Wraps the secret.
    #[must_use]
    pub fn new(secret: Vec<u8>) -> Self {
        Self(Zeroizing::new(secret))
    }
    /// The secret bytes (for the AUTH computation).
    #[must_use]
    pub fn secret(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk(<{} bytes redacted>)", self.0.len())
    }
}

/// How one side authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// Shared Key Message Integrity Code.
    Psk(Psk),
    /// A certificate held by the embedder's credential store, named by this
    /// reference (a label, file name or HSM handle). Not resolved here: use
    /// [`Auth::Signature`] and [`Auth::TrustedCa`], which carry the
    /// certificates and key themselves.
    Certificate(String),
    /// Local side: RFC 7427 digital signature (AUTH method 14, or the legacy
    /// method of the key type when the peer announced no
    /// SIGNATURE_HASH_ALGORITHMS) with this certificate chain and key.
    Signature(CertCredential),
    /// Remote side: the peer signs, and its certificate must chain to one of
    /// these CAs and name its IDi/IDr (RFC 4945).
    TrustedCa(CertTrust),
}

/// Our certificate chain and the key that signs with it.
#[derive(Clone)]
pub struct CertCredential {
    /// DER certificates, end entity first, then intermediates.
    pub chain: Vec<Vec<u8>>,
    /// The root CA the chain ends at (DER, never sent), so that a peer's
    /// CERTREQ naming it selects this chain.
    pub root: Option<Vec<u8>>,
    /// The private key (software, or an HSM that signs at once).
    pub signer: std::sync::Arc<dyn ikev2_crypto::auth::AuthSigner>,
    /// Hashes to sign with and RSASSA-PSS (default) versus PKCS#1 v1.5.
    pub prefs: ikev2_crypto::auth::SchemePreferences,
}

impl CertCredential {
    /// A chain (end entity first) with its key and default preferences.
    #[must_use]
    pub fn new(
        chain: Vec<Vec<u8>>,
        signer: std::sync::Arc<dyn ikev2_crypto::auth::AuthSigner>,
    ) -> Self {
        Self {
            chain,
            root: None,
            signer,
            prefs: ikev2_crypto::auth::SchemePreferences::default(),
        }
    }
}

impl fmt::Debug for CertCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertCredential")
            .field("chain_len", &self.chain.len())
            .field("prefs", &self.prefs)
            .finish_non_exhaustive()
    }
}

impl PartialEq for CertCredential {
    fn eq(&self, other: &Self) -> bool {
        self.chain == other.chain
            && self.root == other.root
            && self.prefs == other.prefs
            && std::sync::Arc::ptr_eq(&self.signer, &other.signer)
    }
}

impl Eq for CertCredential {}

/// What a peer's certificate must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertTrust {
    /// Trust anchors (DER CA certificates); also what our CERTREQ names.
    pub ca_certs: Vec<Vec<u8>>,
    /// Extended Key Usage policy for the peer's end-entity certificate.
    pub eku: ikev2_crypto::cert::EkuPolicy,
    /// The wall clock for validity checks, passed in like all time: the
    /// time since the Unix epoch at one `Instant`; validation runs at
    /// `unix + (now - instant)`. Without it every certificate is refused
    /// ([`AuthFailure::NoWallClock`](crate::events::AuthFailure::NoWallClock)).
    pub clock: Option<(std::time::Instant, Duration)>,
}

impl CertTrust {
    /// Trust these CAs (DER), EKU not checked (RFC 4945, strongSwan).
    #[must_use]
    pub fn new(ca_certs: Vec<Vec<u8>>) -> Self {
        Self {
            ca_certs,
            eku: ikev2_crypto::cert::EkuPolicy::Any,
            clock: None,
        }
    }

    /// Sets the wall clock: `unix` since the epoch at `at`.
    #[must_use]
    pub fn with_clock(mut self, at: std::time::Instant, unix: Duration) -> Self {
        self.clock = Some((at, unix));
        self
    }
}

impl Auth {
    /// PSK authentication.
    #[must_use]
    pub fn psk(secret: Vec<u8>) -> Self {
        Self::Psk(Psk::new(secret))
    }
}

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

/// Limits on IKE SAs that are not yet established.
///
/// The COOKIE and refusal thresholds are endpoint-wide (the peer
/// configuration is not known when IKE_SA_INIT arrives): they are read from
/// [`EndpointConfig::half_open`](crate::EndpointConfig::half_open). The
/// timeout is read from each [`PeerConfig::half_open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfOpenLimits {
    /// Require a COOKIE (RFC 7296 §2.6) while at least this many IKE SAs we
    /// answered are half-open: 0 = always, `u32::MAX` = never.
    /// strongSwan's `cookie_threshold` (10 here, its historical default;
    /// strongSwan's 0 means never).
    pub cookie_threshold: u32,
    /// At or above this many half-open responder SAs, drop new
    /// IKE_SA_INIT requests outright (0 = no limit; strongSwan's
    /// `init_limit_half_open`).
    pub max_half_open: u32,
    /// A half-open SA is dropped after this long (`half_open_timeout`, 30 s).
    pub timeout: Duration,
}

impl Default for HalfOpenLimits {
    fn default() -> Self {
        Self {
            cookie_threshold: 10,
            max_half_open: 0,
            timeout: Duration::from_secs(30),
        }
    }
}

/// How the responder's COOKIE secret is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieSecrets {
    /// A new random secret after this long (checked when a cookie is made
    /// or verified).
    pub rotate_every: Duration,
    /// After a rotation, cookies made with the previous secret still verify
    /// for this long (an initiator's round trip plus its retransmissions).
    pub grace: Duration,
}

impl Default for CookieSecrets {
    /// A new secret every 2 minutes, the previous one honoured for 10 s.
    fn default() -> Self {
        Self {
            rotate_every: Duration::from_secs(120),
            grace: Duration::from_secs(10),
        }
    }
}

/// Smallest `fragment_size` accepted: IPv6 and UDP headers, the non-ESP
/// marker, the IKE and SKF headers, a 16-octet IV, ICV and padding block
/// take 136 octets; this leaves room for data.
pub const MIN_FRAGMENT_SIZE: u16 = 200;

/// Largest `max_message`: a reassembled message must fit one SK payload.
pub const MAX_REASSEMBLED: usize = 65_000;

/// IKE fragmentation (RFC 7383) settings, with strongSwan's names and
/// defaults where it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentConfig {
    /// Announce IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT and fragment
    /// when the peer announced it too (strongSwan `fragmentation = yes`,
    /// the default).
    pub enabled: bool,
    /// Largest IP datagram a fragment may fill (strongSwan's
    /// `charon.fragment_size`, 1280): the IKE message in it is this minus
    /// the IP (20 or 40 octets) and UDP (8) headers and the non-ESP marker
    /// (4, on port 4500). Encrypted messages larger than that are split.
    pub fragment_size: u16,
    /// Fragments accepted in one message; a set announcing more is refused.
    pub max_fragments: u16,
    /// Largest reassembled message, in octets (strongSwan's
    /// `charon.max_packet`, 10000).
    pub max_message: usize,
    /// An incomplete fragment set is discarded this long after its first
    /// fragment arrived (the peer's retransmission refills it).
    pub reassembly_timeout: Duration,
    /// After this many retransmissions of a request without an answer, the
    /// rest are sent in fragments of the size every path must carry (576
    /// octets over IPv4, 1280 over IPv6), a simple form of RFC 7383 §2.5.2
    /// path-MTU discovery; 0 turns it off.
    pub pmtu_fallback_after: u32,
}

impl Default for FragmentConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            fragment_size: 1280,
            max_fragments: 64,
            max_message: 10_000,
            reassembly_timeout: Duration::from_secs(30),
            pmtu_fallback_after: 2,
        }
    }
}

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
    fn identities_as_strongswan_reads_them() {
        assert_eq!(Identity::parse("%any").unwrap(), Identity::Any);
        assert_eq!(
            Identity::parse("192.0.2.1").unwrap(),
            Identity::Addr("192.0.2.1".parse().unwrap())
        );
        assert_eq!(
            Identity::parse("moon.example.org").unwrap(),
            Identity::Fqdn("moon.example.org".into())
        );
        assert_eq!(
            Identity::parse("@moon").unwrap(),
            Identity::Fqdn("moon".into())
        );
        assert_eq!(
            Identity::parse("carol@example.org").unwrap(),
            Identity::Rfc822("carol@example.org".into())
        );
        assert_eq!(
            Identity::parse("@@carol").unwrap(),
            Identity::Rfc822("carol".into())
        );
        assert_eq!(
            Identity::parse("C=CH, O=Example, CN=moon")
                .unwrap()
                .id_type(),
            Some(IdType::DerAsn1Dn)
        );
        assert_eq!(
            Identity::parse("@#0a0B").unwrap(),
            Identity::KeyId(vec![0x0a, 0x0b])
        );
        assert_eq!(Identity::parse("@#0a0B").unwrap().to_string(), "@#0a0b");
        assert!(Identity::parse("@#0g").is_err());
        assert!(Identity::parse(" ").is_err());
        assert_eq!(
            Identity::parse("fec0::1").unwrap().id_type(),
            Some(IdType::Ipv6Addr)
        );
    }

    #[test]
    fn identity_matching() {
        let id = |s| Identity::parse(s).unwrap();
        assert!(id("%any").matches(&id("anything.example")));
        assert!(id("*.example.org").matches(&id("Moon.EXAMPLE.org")));
        assert!(!id("*.example.org").matches(&id("example.org")));
        assert!(!id("*.example.org").matches(&id("evilexample.org")));
        assert!(id("*@example.org").matches(&id("carol@example.org")));
        assert!(!id("*@example.org").matches(&id("carol@example.com")));
        assert!(id("moon.example.org").matches(&id("MOON.example.org")));
        assert!(!id("192.0.2.1").matches(&id("192.0.2.2")));
        assert!(!id("moon.example.org").matches(&id("192.0.2.1")));
        // DNs: by RDN, case-insensitively, `*` values in the configured one
        let moon = id("C=CH, O=strongSwan, CN=moon.strongswan.org");
        assert!(id("c=ch, o=strongswan, cn=MOON.strongswan.org").matches(&moon));
        assert!(id("C=CH, O=strongSwan, CN=*").matches(&moon));
        assert!(!id("C=CH, O=strongSwan, CN=sun.strongswan.org").matches(&moon));
        assert!(!id("C=CH, O=strongSwan").matches(&moon));
        assert!(!moon.matches(&id("moon.strongswan.org")));
        assert_eq!(
            moon.to_string(),
            "C=CH, O=strongSwan, CN=moon.strongswan.org"
        );
    }

    #[test]
    fn dn_identity_is_der() {
        // the DER strongSwan's pki writes for this text (PrintableStrings)
        let Identity::Dn(dn) = Identity::parse("C=XX, CN=a").unwrap() else {
            panic!("not a DN");
        };
        assert_eq!(
            dn.as_der(),
            [
                0x30, 0x19, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, b'X',
                b'X', 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x01, b'a'
            ]
            .as_slice()
        );
        let hex: String = dn.as_der().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            Identity::parse(&format!("asn1dn:#{hex}")).unwrap(),
            Identity::Dn(dn)
        );
        assert!(Identity::parse("asn1dn:#3003").is_err());
        assert!(Identity::parse("C=CH, FOO=bar").is_err());
    }

    #[test]
    fn psk_is_redacted() {
        let a = Auth::psk(b"secret!".to_vec());
        let shown = format!("{a:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("7 bytes redacted"));
    }

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
