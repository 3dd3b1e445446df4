//! `ikev2-peer`'s configuration file: TOML whose structure mirrors
//! strongSwan's `swanctl.conf`, checked completely before anything starts.
//!
//! ```toml
//! [settings]
//! port = 500                 # charon.port
//! port_nat_t = 4500          # charon.port_nat_t
//! retransmit_timeout = 4.0   # charon.retransmit_timeout (seconds)
//! retransmit_tries = 5       # charon.retransmit_tries
//!
//! [dataplane]
//! type = "userspace"         # none | userspace | kernel (XFRM; replay_window = 32)
//! tun = "ikev2-0"
//! address = "10.1.0.1/24"
//!
//! [connections.gw]
//! version = 2
//! local_addrs = ["192.0.2.1"]
//! remote_addrs = ["192.0.2.2"]
//! proposals = "aes256gcm16-prfsha256-x25519"
//! local = { auth = "psk", id = "a.example" }
//! remote = { auth = "psk", id = "b.example" }
//!
//! [connections.gw.children.net]
//! local_ts = ["10.1.0.0/24"]
//! remote_ts = ["10.2.0.0/24"]
//! esp_proposals = "aes256gcm16"
//! start_action = "start"
//!
//! [secrets.ike-gw]
//! id = ["a.example", "b.example"]
//! secret = "a long shared secret"
//! ```
//!
//! Every key is checked (`deny_unknown_fields`); every error names the file,
//! the line and what is wrong. Settings the state machine cannot honour yet
//! are refused with "not supported yet" rather than ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ikev2_sm::config::{Auth, ChildConfig, DataLimits, Identity, Lifetimes, Mode, PeerConfig};
use serde::Deserialize;
use toml::Spanned;
use zeroize::Zeroizing;

/// Identities a pre-shared key is for, and the key.
type Secret = (Vec<Identity>, Zeroizing<Vec<u8>>);

/// A private key file and where the configuration names it.
type KeyFile = (Range<usize>, PathBuf);

/// A configuration error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file read.
    pub file: PathBuf,
    /// 1-based line of the offending key or value (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// The data plane a configuration selects.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataPlaneConfig {
    /// Negotiate only; Child SAs are reported, not installed.
    None,
    /// ESP in this process (the `esp` crate) over a TUN device.
    Userspace {
        /// TUN device name.
        tun: String,
        /// Address (with prefix length) given to the TUN device, if any.
        address: Option<(IpAddr, u8)>,
        /// MTU of the TUN device.
        mtu: u16,
    },
    /// The Linux kernel (XFRM) carries ESP; SAs and policies are installed
    /// through `xfrm-sys`.
    Kernel {
        /// Anti-replay window of inbound SAs, packets (at most 4096).
        replay_window: u32,
    },
}

/// Process-wide settings (strongSwan's `charon.*` names where one exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Our IKE port (`charon.port`, 500).
    pub port: u16,
    /// Our NAT-T port (`charon.port_nat_t`, 4500).
    pub port_nat_t: u16,
    /// Path of the control socket `--status` talks to.
    pub control_socket: PathBuf,
    /// Wait before the first retransmission of a request
    /// (`charon.retransmit_timeout`, 4 s); `None`: the state machine's default.
    pub retransmit_timeout: Option<Duration>,
    /// Retransmissions before the peer is given up on
    /// (`charon.retransmit_tries`, 5); with `dpd_delay`, how soon a dead
    /// peer is declared dead.
    pub retransmit_tries: Option<u32>,
}

/// What to do with a child when the configuration is loaded (swanctl's
/// `start_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAction {
    /// Wait for the peer.
    None,
    /// Initiate at once.
    Start,
    /// Initiate on the first packet matching the child's selectors.
    Trap,
}

/// One connection: addresses, ports and the state machine's configuration.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Name (`connections.<name>`), also the [`PeerConfig`]'s name.
    pub name: String,
    /// Our addresses; sockets are bound on each.
    pub local_addrs: Vec<IpAddr>,
    /// The peer's addresses (empty: `%any`, respond only).
    pub remote_addrs: Vec<IpAddr>,
    /// The peer's IKE port (`remote_port`, 500).
    pub remote_port: u16,
    /// The peer's NAT-T port (`remote_port_nat_t`, 4500; an extension for
    /// peers on one host).
    pub remote_port_nat_t: u16,
    /// What the state machine negotiates.
    pub peer: PeerConfig,
    /// `start_action` of the connection: that of its first child with one
    /// other than `none`.
    pub start_action: StartAction,
    /// Every child's name and `start_action`, in file order (the order of
    /// `peer.children`). The first is negotiated in IKE_AUTH; once we
    /// have initiated the IKE SA, each further `start` child gets its own
    /// CREATE_CHILD_SA.
    pub child_actions: Vec<(String, StartAction)>,
}

impl Connection {
    /// Where to send the first IKE_SA_INIT, if this connection initiates.
    #[must_use]
    pub fn initiate_to(&self) -> Option<(IpAddr, SocketAddr)> {
        let local = *self.local_addrs.first()?;
        let remote = *self
            .remote_addrs
            .iter()
            .find(|r| r.is_ipv4() == local.is_ipv4())?;
        Some((local, SocketAddr::new(remote, self.remote_port)))
    }
}

/// A whole, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Settings.
    pub settings: Settings,
    /// The data plane.
    pub dataplane: DataPlaneConfig,
    /// Connections, in name order.
    pub connections: Vec<Connection>,
}

impl Config {
    /// Every local address any connection uses, without repeats.
    #[must_use]
    pub fn local_addrs(&self) -> Vec<IpAddr> {
        let mut all: Vec<IpAddr> = Vec::new();
        for a in self.connections.iter().flat_map(|c| &c.local_addrs) {
            if !all.contains(a) {
                all.push(*a);
            }
        }
        all
    }

    /// The [`PeerConfig`]s for the endpoint.
    #[must_use]
    pub fn peer_configs(&self) -> Vec<PeerConfig> {
        self.connections.iter().map(|c| c.peer.clone()).collect()
    }
}

// ---------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    settings: RawSettings,
    dataplane: Option<Spanned<RawDataPlane>>,
    #[serde(default)]
    connections: BTreeMap<Spanned<String>, Spanned<RawConnection>>,
    #[serde(default)]
    secrets: BTreeMap<Spanned<String>, Spanned<RawSecret>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    port: Option<u16>,
    port_nat_t: Option<u16>,
    control_socket: Option<PathBuf>,
    retransmit_timeout: Option<Spanned<f64>>,
    retransmit_tries: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataPlane {
    #[serde(rename = "type")]
    kind: Spanned<String>,
    tun: Option<String>,
    address: Option<Spanned<String>>,
    mtu: Option<Spanned<u16>>,
    replay_window: Option<Spanned<u32>>,
}

/// A string or a list of strings (swanctl writes lists comma-separated).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<String> {
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
enum RawDuration {
    Seconds(u64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConnection {
    version: Option<Spanned<u8>>,
    local_addrs: Option<Spanned<OneOrMany>>,
    remote_addrs: Option<Spanned<OneOrMany>>,
    remote_port: Option<u16>,
    remote_port_nat_t: Option<u16>,
    proposals: Option<Spanned<OneOrMany>>,
    encap: Option<bool>,
    fragmentation: Option<Spanned<String>>,
    rekey_time: Option<Spanned<RawDuration>>,
    over_time: Option<Spanned<RawDuration>>,
    reauth_time: Option<Spanned<RawDuration>>,
    dpd_delay: Option<Spanned<RawDuration>>,
    local: Option<Spanned<RawLocal>>,
    remote: Option<Spanned<RawRemote>>,
    #[serde(default)]
    children: BTreeMap<Spanned<String>, Spanned<RawChild>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocal {
    auth: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    certs: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRemote {
    auth: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    cacerts: Option<Spanned<OneOrMany>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChild {
    local_ts: Option<Spanned<OneOrMany>>,
    remote_ts: Option<Spanned<OneOrMany>>,
    esp_proposals: Option<Spanned<OneOrMany>>,
    mode: Option<Spanned<String>>,
    start_action: Option<Spanned<String>>,
    rekey_time: Option<Spanned<RawDuration>>,
    life_time: Option<Spanned<RawDuration>>,
    rekey_bytes: Option<Spanned<u64>>,
    life_bytes: Option<Spanned<u64>>,
    rekey_packets: Option<Spanned<u64>>,
    life_packets: Option<Spanned<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    id: Option<Spanned<OneOrMany>>,
    secret: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
}

/// What the state machine on this branch can honour: the switch to flip
/// when the feature lands (the parser already reads and checks the value).
mod supported {
    /// `local.auth = pubkey` (certificate authentication).
    pub(super) const PUBKEY: bool = true;
    /// IKE SA `rekey_time` / `over_time`.
    pub(super) const IKE_REKEY: bool = true;
    /// Child SA `rekey_time` / `life_time`.
    pub(super) const CHILD_REKEY: bool = true;
    /// `dpd_delay` (liveness checks).
    pub(super) const DPD: bool = true;
    /// More than one child per connection (CREATE_CHILD_SA).
    pub(super) const MANY_CHILDREN: bool = true;
}

// ---------------------------------------------------------------------------
// Loading.

/// Reads and checks `path`.
///
/// # Errors
/// [`ConfigError`] with the file and line of the first problem.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse(path, &text)
}

/// Parses and checks configuration text (`file` only names it in errors).
///
/// # Errors
/// [`ConfigError`] with the file and line of the first problem.
pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
    let cx = Cx { file, text };
    let raw: RawFile = toml::from_str(text)
        .map_err(|e| cx.err(e.span().unwrap_or(0..0), e.message().trim_end().to_owned()))?;
    cx.build(raw)
}

struct Cx<'a> {
    file: &'a Path,
    text: &'a str,
}

type R<T> = Result<T, ConfigError>;

impl Cx<'_> {
    fn line_of(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        self.text
            .get(..at)
            .map_or(1, |s| s.bytes().filter(|&b| b == b'\n').count() + 1)
    }

    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.to_owned(),
            line: self.line_of(span.start),
            message: message.into(),
        }
    }

    fn at<T>(&self, v: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        self.err(v.span(), message)
    }

    fn not_supported<T>(&self, v: &Spanned<T>, what: &str) -> ConfigError {
        self.at(
            v,
            format!("{what} is not supported yet by the state machine; remove it"),
        )
    }

    fn duration(&self, v: &Spanned<RawDuration>, key: &str) -> R<Duration> {
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

    fn build(&self, raw: RawFile) -> R<Config> {
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

    fn dataplane(&self, d: &Spanned<RawDataPlane>) -> R<DataPlaneConfig> {
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

    fn secrets(
        &self,
        raw: &BTreeMap<Spanned<String>, Spanned<RawSecret>>,
    ) -> R<(Vec<Secret>, Vec<KeyFile>)> {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for (name, s) in raw {
            let n = name.get_ref();
            let body = s.get_ref();
            if n.starts_with("private") {
                // swanctl's `private-<name> { file = ... }`: a PEM or DER key.
                let f = body.file.as_ref().ok_or_else(|| {
                    self.at(
                        name,
                        format!("secrets.{n}: `file` (the private key) is required"),
                    )
                })?;
                if let Some(x) = &body.secret {
                    return Err(self.at(
                        x,
                        "encrypted private keys (a passphrase in `secret`) are not supported",
                    ));
                }
                keys.push((f.span(), self.path(f.get_ref())));
                continue;
            }
            if !n.starts_with("ike") {
                return Err(self.at(
                    name,
                    format!(
                        "secrets.{n}: only IKE pre-shared keys (ike...) and private keys (private...) are supported"
                    ),
                ));
            }
            if let Some(f) = &body.file {
                return Err(self.at(f, "`file` belongs in a private... section"));
            }
            let secret = body
                .secret
                .as_ref()
                .ok_or_else(|| self.at(name, format!("secrets.{n}: `secret` is required")))?;
            let ids = match &body.id {
                None => Vec::new(),
                Some(list) => list
                    .get_ref()
                    .items()
                    .iter()
                    .map(|i| {
                        Identity::parse(i).map_err(|e| self.at(list, format!("secrets id: {e}")))
                    })
                    .collect::<R<Vec<_>>>()?,
            };
            let bytes = decode_secret(secret.get_ref())
                .map_err(|why| self.at(secret, format!("secret: {why}")))?;
            if bytes.is_empty() {
                return Err(self.at(secret, "secret: empty"));
            }
            out.push((ids, Zeroizing::new(bytes)));
        }
        Ok((out, keys))
    }

    /// A path from the file, relative to the configuration file's directory.
    fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            return p.to_owned();
        }
        self.file
            .parent()
            .map_or_else(|| p.to_owned(), |d| d.join(p))
    }

    /// Certificates (PEM, or one DER) from the files named by `list`.
    fn certs(&self, list: &Spanned<OneOrMany>, key: &str) -> R<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for f in list.get_ref().items() {
            let path = self.path(&f);
            let data = std::fs::read(&path)
                .map_err(|e| self.at(list, format!("{key}: {}: {e}", path.display())))?;
            let certs = if data.starts_with(b"-----BEGIN") {
                ikev2_crypto::cert::certs_from_pem(&data)
                    .map_err(|e| self.at(list, format!("{key}: {}: {e}", path.display())))?
            } else {
                vec![data]
            };
            if certs.is_empty() {
                return Err(self.at(list, format!("{key}: {}: no certificate", path.display())));
            }
            out.extend(certs);
        }
        Ok(out)
    }

    /// Certificate authentication: our chain and key, the CAs the peer must
    /// chain to.
    fn pubkey_auth(
        &self,
        local: &Spanned<RawLocal>,
        remote: &Spanned<RawRemote>,
        keys: &[KeyFile],
    ) -> R<(Auth, Auth)> {
        use ikev2_sm::config::{CertCredential, CertTrust};
        let certs = local.get_ref().certs.as_ref().ok_or_else(|| {
            self.at(
                local,
                "auth = pubkey needs local.certs (our certificate, PEM or DER)",
            )
        })?;
        let chain = self.certs(certs, "local.certs")?;
        let cacerts = remote.get_ref().cacerts.as_ref().ok_or_else(|| {
            self.at(
                remote,
                "auth = pubkey needs remote.cacerts (the CAs the peer's certificate must chain to)",
            )
        })?;
        let cas = self.certs(cacerts, "remote.cacerts")?;
        let (span, path) = match keys {
            [one] => one,
            [] => {
                return Err(self.at(
                    local,
                    "auth = pubkey needs a private key: [secrets.private-<name>] file = \"key.pem\"",
                ))
            }
            [_, second, ..] => {
                return Err(self.err(
                    second.0.clone(),
                    "several private keys: choosing one by certificate is not supported yet; configure one",
                ))
            }
        };
        let data = Zeroizing::new(
            std::fs::read(path)
                .map_err(|e| self.err(span.clone(), format!("{}: {e}", path.display())))?,
        );
        let signer = ikev2_crypto::auth::SoftwareSigner::from_pem_or_der(
            &data,
            &ikev2_crypto::provider::rustcrypto::OS_RANDOM,
        )
        .map_err(|e| self.err(span.clone(), format!("{}: {e}", path.display())))?;
        let mut cred = CertCredential::new(chain, std::sync::Arc::new(signer));
        cred.root = cas.first().cloned();
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let trust = CertTrust::new(cas).with_clock(std::time::Instant::now(), unix);
        Ok((Auth::Signature(cred), Auth::TrustedCa(trust)))
    }

    fn connection(
        &self,
        name: &Spanned<String>,
        conn: &Spanned<RawConnection>,
        secrets: &[Secret],
        keys: &[KeyFile],
    ) -> R<Connection> {
        let c = conn.get_ref();
        let n = name.get_ref();
        if let Some(v) = &c.version {
            match v.get_ref() {
                0 | 2 => {}
                1 => return Err(self.at(v, "version 1 (IKEv1) is not supported: use 2")),
                _ => return Err(self.at(v, "version: expected 0 (any) or 2")),
            }
        }
        let local_addrs = match &c.local_addrs {
            None => {
                return Err(self.at(
                    name,
                    format!("connections.{n}: local_addrs is required (the addresses to bind)"),
                ))
            }
            Some(l) => self.addrs(l, "local_addrs", false)?,
        };
        let remote_addrs = match &c.remote_addrs {
            None => Vec::new(),
            Some(l) => self.addrs(l, "remote_addrs", true)?,
        };
        let local = c.local.as_ref().ok_or_else(|| {
            self.at(
                name,
                format!("connections.{n}: a `local` section is required"),
            )
        })?;
        let remote = c.remote.as_ref().ok_or_else(|| {
            self.at(
                name,
                format!("connections.{n}: a `remote` section is required"),
            )
        })?;
        let local_id = match &local.get_ref().id {
            Some(id) => {
                Identity::parse(id.get_ref()).map_err(|e| self.at(id, format!("local.id: {e}")))?
            }
            None => match local_addrs.first() {
                Some(a) => Identity::Addr(*a),
                None => return Err(self.at(local, "local.id is required")),
            },
        };
        if local_id == Identity::Any {
            return Err(self.at(local, "local.id cannot be %any"));
        }
        let remote_id = match &remote.get_ref().id {
            Some(id) => {
                Identity::parse(id.get_ref()).map_err(|e| self.at(id, format!("remote.id: {e}")))?
            }
            None => Identity::Any,
        };
        let local_auth = self.auth_method(local.get_ref().auth.as_ref(), local, "local.auth")?;
        let remote_auth =
            self.auth_method(remote.get_ref().auth.as_ref(), remote, "remote.auth")?;
        if local_auth != remote_auth {
            return Err(self.at(
                remote,
                "local.auth and remote.auth differ: mixed psk/pubkey is not supported yet",
            ));
        }
        let (la, ra) = if local_auth == "pubkey" && supported::PUBKEY {
            self.pubkey_auth(local, remote, keys)?
        } else {
            let given = [
                (&local.get_ref().certs, "local.certs"),
                (&remote.get_ref().cacerts, "remote.cacerts"),
            ];
            for (certs, key) in given {
                if let Some(c) = certs.as_ref().filter(|c| !c.get_ref().items().is_empty()) {
                    return Err(self.at(c, format!("{key} given with auth = psk")));
                }
            }
            let psk = find_psk(secrets, &local_id, &remote_id).ok_or_else(|| {
                self.at(
                    local,
                    format!(
                        "no secret in [secrets] for local id `{local_id}` and remote id `{remote_id}` (auth = psk)"
                    ),
                )
            })?;
            (Auth::psk(psk.clone()), Auth::psk(psk))
        };
        let mut peer = PeerConfig::new(n, local_id, remote_id).with_auth(la, ra);
        if let Some(p) = &c.proposals {
            let joined = p.get_ref().items().join(",");
            peer = peer
                .with_ike_proposals(&joined)
                .map_err(|e| self.at(p, format!("proposals: {e}")))?;
        }
        peer = peer.with_force_encap(c.encap.unwrap_or(false));
        if let Some(f) = &c.fragmentation {
            let mut frag = peer.fragmentation;
            frag.enabled = match f.get_ref().as_str() {
                "yes" | "accept" => true,
                "no" => false,
                other => {
                    return Err(self.at(
                        f,
                        format!("fragmentation: `{other}` is not one of yes, accept, no"),
                    ))
                }
            };
            peer = peer.with_fragmentation(frag);
        }
        if let Some(r) = &c.rekey_time {
            let t = self.duration(r, "rekey_time")?;
            if !supported::IKE_REKEY {
                return Err(self.not_supported(r, "rekey_time (IKE SA rekeying)"));
            }
            peer.lifetimes = Lifetimes::from_rekey(t);
        }
        if let Some(o) = &c.over_time {
            let over = self.duration(o, "over_time")?;
            if !supported::IKE_REKEY {
                return Err(self.not_supported(o, "over_time (IKE SA lifetime)"));
            }
            // strongSwan: the IKE SA is deleted `over_time` after `rekey_time`.
            peer.lifetimes.life_time = peer.lifetimes.rekey_time.saturating_add(over);
            peer.lifetimes.rand_time = peer.lifetimes.rand_time.min(over);
        }
        if let Some(r) = &c.reauth_time {
            // Reauthentication (make-before-break) instead of, or besides,
            // the IKE rekey; `0s` turns it off as in strongSwan.
            let t = self.duration(r, "reauth_time")?;
            if !t.is_zero() {
                // strongSwan jitters it by rand_time; without a rand_time key
                // here, at most a tenth of it (so a short reauth_time works).
                peer.lifetimes.rand_time = peer.lifetimes.rand_time.min(t / 10);
            }
            peer = peer.with_reauth_time(t);
        }
        if let Some(d) = &c.dpd_delay {
            let t = self.duration(d, "dpd_delay")?;
            if !supported::DPD {
                return Err(self.not_supported(d, "dpd_delay (dead peer detection)"));
            }
            peer = peer.with_dpd_delay(t);
        }
        if c.children.is_empty() {
            return Err(self.at(name, format!("connections.{n}: no children defined")));
        }
        if c.children.len() > 1 && !supported::MANY_CHILDREN {
            if let Some((second, _)) = c.children.iter().nth(1) {
                return Err(self.at(second, "a second child per connection is not supported yet (needs CREATE_CHILD_SA); one child per connection"));
            }
        }
        let mut start_action = StartAction::None;
        let mut child_actions = Vec::new();
        // File order, as swanctl keeps it: the first child goes in IKE_AUTH.
        let mut children: Vec<_> = c.children.iter().collect();
        children.sort_by_key(|(name, _)| name.span().start);
        for (cname, child) in children {
            let (cfg, action) = self.child(cname, child)?;
            if start_action == StartAction::None {
                start_action = action;
            }
            child_actions.push((cname.get_ref().clone(), action));
            peer = peer.with_child(cfg);
        }
        if start_action != StartAction::None && remote_addrs.is_empty() {
            return Err(self.at(
                name,
                format!("connections.{n}: start_action needs remote_addrs to initiate to"),
            ));
        }
        peer.validate()
            .map_err(|e| self.at(conn, format!("connections.{n}: {e}")))?;
        Ok(Connection {
            name: n.clone(),
            local_addrs,
            remote_addrs,
            remote_port: c.remote_port.unwrap_or(500),
            remote_port_nat_t: c.remote_port_nat_t.unwrap_or(4500),
            peer,
            start_action,
            child_actions,
        })
    }

    fn auth_method<T>(
        &self,
        v: Option<&Spanned<String>>,
        section: &Spanned<T>,
        key: &str,
    ) -> R<&'static str> {
        let Some(v) = v else {
            return Err(self.at(section, format!("{key} is required (psk or pubkey)")));
        };
        match v.get_ref().as_str() {
            "psk" => Ok("psk"),
            "pubkey" => Ok("pubkey"),
            other => Err(self.at(v, format!("{key}: `{other}` is not one of psk, pubkey"))),
        }
    }

    fn addrs(&self, l: &Spanned<OneOrMany>, key: &str, any_ok: bool) -> R<Vec<IpAddr>> {
        let mut out = Vec::new();
        for a in l.get_ref().items() {
            if a == "%any" && any_ok {
                continue;
            }
            let ip = a.parse::<IpAddr>().map_err(|_| {
                self.at(
                    l,
                    format!(
                        "{key}: `{a}` is not an IP address{}",
                        if any_ok {
                            " or %any"
                        } else {
                            " (names and ranges are not supported)"
                        }
                    ),
                )
            })?;
            out.push(ip);
        }
        if out.is_empty() && !any_ok {
            return Err(self.at(l, format!("{key}: at least one address needed")));
        }
        Ok(out)
    }

    fn child(
        &self,
        name: &Spanned<String>,
        child: &Spanned<RawChild>,
    ) -> R<(ChildConfig, StartAction)> {
        let ch = child.get_ref();
        let n = name.get_ref();
        let ts = |v: &Option<Spanned<OneOrMany>>| {
            v.as_ref()
                .map_or_else(|| "dynamic".to_owned(), |t| t.get_ref().items().join(","))
        };
        let mut cfg = ChildConfig::new(n)
            .with_ts(&ts(&ch.local_ts), &ts(&ch.remote_ts))
            .map_err(|e| {
                // Report the line of whichever side fails to parse on its own.
                let bad = [&ch.local_ts, &ch.remote_ts]
                    .into_iter()
                    .flatten()
                    .find(|t| ikev2_sm::ts::parse_ts_list(&t.get_ref().items().join(",")).is_err());
                match bad {
                    Some(t) => self.at(t, format!("children.{n}: {e}")),
                    None => self.at(child, format!("children.{n}: {e}")),
                }
            })?;
        if let Some(p) = &ch.esp_proposals {
            cfg = cfg
                .with_esp_proposals(&p.get_ref().items().join(","))
                .map_err(|e| self.at(p, format!("esp_proposals: {e}")))?;
        }
        if let Some(m) = &ch.mode {
            cfg.mode = match m.get_ref().as_str() {
                "tunnel" => Mode::Tunnel,
                "transport" => Mode::Transport,
                other => {
                    return Err(self.at(
                        m,
                        format!("mode: `{other}` is not one of tunnel, transport"),
                    ))
                }
            };
        }
        let action = match &ch.start_action {
            None => StartAction::None,
            Some(a) => match a.get_ref().as_str() {
                "none" => StartAction::None,
                "start" => StartAction::Start,
                "trap" => StartAction::Trap,
                other => {
                    return Err(self.at(
                        a,
                        format!("start_action: `{other}` is not one of none, start, trap"),
                    ))
                }
            },
        };
        let rekey = ch
            .rekey_time
            .as_ref()
            .map(|r| self.duration(r, "rekey_time"))
            .transpose()?;
        let life = ch
            .life_time
            .as_ref()
            .map(|r| self.duration(r, "life_time"))
            .transpose()?;
        if let Some(r) = ch.rekey_time.as_ref().or(ch.life_time.as_ref()) {
            if !supported::CHILD_REKEY {
                return Err(self.not_supported(r, "child rekey_time/life_time (CHILD_SA rekeying)"));
            }
        }
        if let Some(r) = rekey {
            cfg.lifetimes = Lifetimes::from_rekey(r);
        }
        if let Some(l) = life {
            cfg.lifetimes.life_time = l;
            cfg.lifetimes.rand_time = cfg
                .lifetimes
                .rand_time
                .min(l.saturating_sub(cfg.lifetimes.rekey_time));
        }
        if let Some(key) = ch.life_time.as_ref().or(ch.rekey_time.as_ref()) {
            let l = &cfg.lifetimes;
            if !(l.rand_time <= l.rekey_time && l.rekey_time < l.life_time) {
                return Err(self.at(
                    key,
                    format!(
                        "child lifetimes: rekey_time ({:?}) must be below life_time ({:?})",
                        l.rekey_time, l.life_time
                    ),
                ));
            }
        }
        cfg.limits = self.volume_limits(ch)?;
        Ok((cfg, action))
    }

    /// `rekey_bytes`/`life_bytes` and `rekey_packets`/`life_packets` with
    /// strongSwan's defaults: no limit, and a hard limit 10 % above the
    /// soft one when only the soft one is given.
    fn volume_limits(&self, ch: &RawChild) -> R<DataLimits> {
        let pair = |rekey: &Option<Spanned<u64>>, life: &Option<Spanned<u64>>, what: &str| {
            let r = rekey.as_ref().map(|v| *v.get_ref()).filter(|v| *v > 0);
            let l = life.as_ref().map(|v| *v.get_ref()).filter(|v| *v > 0);
            let l = l.or_else(|| r.map(|r| r.saturating_add(r / 10)));
            if let (Some(r), Some(l), Some(key)) = (r, l, life.as_ref().or(rekey.as_ref())) {
                if r >= l {
                    return Err(self.at(
                        key,
                        format!("rekey_{what} ({r}) must be below life_{what} ({l})"),
                    ));
                }
            }
            Ok((r, l))
        };
        let (rekey_bytes, life_bytes) = pair(&ch.rekey_bytes, &ch.life_bytes, "bytes")?;
        let (rekey_packets, life_packets) = pair(&ch.rekey_packets, &ch.life_packets, "packets")?;
        Ok(DataLimits {
            rekey_bytes,
            life_bytes,
            rekey_packets,
            life_packets,
        })
    }
}

/// Where `ikev2-peer` listens for `--status` unless configured otherwise.
pub const DEFAULT_CONTROL_SOCKET: &str = "/run/ikev2-peer.sock";

/// `ADDRESS/PREFIX` (or a bare address: a host prefix).
fn parse_prefix(s: &str) -> Option<(IpAddr, u8)> {
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

/// strongSwan's secret syntax: `0x` hex, or the text itself (`0s` base64
/// is refused rather than taken literally).
fn decode_secret(s: &str) -> Result<Vec<u8>, &'static str> {
    if let Some(hex) = s.strip_prefix("0x") {
        if hex.len() % 2 != 0 {
            return Err("odd number of hex digits after 0x");
        }
        return (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|d| u8::from_str_radix(d, 16).ok())
                    .ok_or("bad hex digit after 0x")
            })
            .collect();
    }
    if s.starts_with("0s") {
        return Err("base64 secrets (0s...) are not supported; use 0x hex or plain text");
    }
    Ok(s.as_bytes().to_vec())
}

/// strongSwan's shared-key lookup: a secret whose identities match both
/// ends beats one matching one end; a secret without identities matches
/// anything, weakest.
fn find_psk(secrets: &[Secret], local: &Identity, remote: &Identity) -> Option<Vec<u8>> {
    let score = |ids: &[Identity]| -> Option<u8> {
        if ids.is_empty() {
            return Some(1);
        }
        let l = ids.iter().any(|i| i.matches(local));
        let r =
            *remote != Identity::Any && ids.iter().any(|i| i.matches(remote) || remote.matches(i));
        match (l, r) {
            (true, true) => Some(4),
            (true, false) => Some(3),
            (false, true) => Some(2),
            (false, false) => None,
        }
    };
    secrets
        .iter()
        .filter_map(|(ids, s)| Some((score(ids)?, s)))
        .max_by_key(|(sc, _)| *sc)
        .map(|(_, s)| s.to_vec())
}
