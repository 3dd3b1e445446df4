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

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ikev2_sm::config::{Identity, PeerConfig};
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

mod connection;
mod credentials;
mod schema;
mod sections;

use schema::RawFile;

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
}

/// Where `ikev2-peer` listens for `--status` unless configured otherwise.
pub const DEFAULT_CONTROL_SOCKET: &str = "/run/ikev2-peer.sock";
