//! The bridge between `ikev2-sm` and the kernel (cargo feature `ikev2-sm`).
//!
//! * [`spec_from_install`] turns one [`ChildSaInstall`] (what
//!   `Output::InstallChildSa` carries) into a [`ChildSaSpec`]: algorithms
//!   mapped to the kernel's names with their key and ICV/truncation lengths,
//!   traffic selectors to prefixes, NAT-T ports from the install's addresses,
//!   ESN and replay window, and the local policy ([`BridgeConfig`]: lifetimes,
//!   marks, interface id, priority).
//! * [`KernelBridge`] keeps what was installed, so that a [`ChildSaRemove`]
//!   (which names only the SPIs) becomes the right delete messages, so that
//!   rekeyed Child SAs share one reqid and one set of policies (the kernel
//!   sends new traffic on the newest SA of a reqid), and so that kernel
//!   [`Event`]s map back to the Child SA they concern ([`KernelInput`]).
//! * On Linux, [`KernelDataPlane`] runs it against two netlink sockets (one
//!   for requests, one for events).
//!
//! * Traps ([`KernelBridge::trap`], module `trap`): the policies of a
//!   configured child with no SA, so that the kernel raises ACQUIRE for the
//!   first packet; Child SAs negotiated for them share their reqid.
//!
//! Everything but [`KernelDataPlane`] is pure and builds on every platform.

mod trap;
pub use trap::TrapInstall;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use ikev2_sm::config::Mode as IkeMode;
use ikev2_sm::ts::TrafficSelector;
use ikev2_sm::{ChildSaInstall, ChildSaRemove, SaHandle};
use ikev2_wire::{EncrId, EsnId, IntegId};

use crate::alg::{AeadAlg, Cipher, EncAlg, IntegAlg, Key};
use crate::event::{Event, SaRef};
use crate::msg::{Mode, XfrmMessage};
use crate::policy::PolicySpec;
use crate::spec::{ChildSaSpec, KernelFeatures, Lifetime, SaKeys, TsPrefix, UdpEncap};
use crate::types::{Mark, Selector};

/// Why an install or remove could not be turned into kernel messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// The negotiated encryption transform has no kernel equivalent here.
    #[error("encryption transform {0:?} (key {1:?} bits) has no kernel algorithm")]
    UnsupportedEncr(EncrId, Option<u16>),
    /// The negotiated integrity transform has no kernel equivalent here.
    #[error("integrity transform {0:?} has no kernel algorithm")]
    UnsupportedInteg(IntegId),
    /// A non-AEAD cipher came without an integrity transform, or an AEAD
    /// with one.
    #[error("encryption {0:?} with integrity {1:?} is not a valid ESP combination")]
    BadCombination(EncrId, Option<IntegId>),
    /// A traffic selector the kernel cannot express exactly (a port range
    /// other than one port or all ports; ICMP type/code ranges). Widening it
    /// would send traffic the peer did not agree to.
    #[error("traffic selector {0} cannot be expressed as a kernel selector")]
    Selector(String),
    /// No local/remote selector pair of the same family: no policy.
    #[error("no traffic selector pair of one address family")]
    NoPolicy,
    /// The spec was refused (key length, family mismatch, replay window).
    #[error("refused: {0}")]
    Spec(&'static str),
    /// A Child SA mode the kernel bridge does not know.
    #[error("Child SA mode {0} not supported")]
    UnsupportedMode(String),
    /// A remove for a Child SA this bridge did not install.
    #[error("no installed Child SA with inbound SPI {0:#010x}")]
    UnknownChild(u32),
    /// A NAT mapping change for a Child SA that is not UDP-encapsulated.
    #[error("Child SA {0:#010x} is not UDP-encapsulated")]
    NotEncapsulated(u32),
    /// A NAT mapping change that moved the peer to another address: the SAs
    /// are keyed by address, so only a new Child SA (or MOBIKE) can follow.
    #[error("peer moved from {old} to {new}: SAs cannot follow an address change")]
    AddressChanged {
        /// The address the SAs were installed for.
        old: IpAddr,
        /// The address the kernel saw.
        new: IpAddr,
    },
    /// A trap with this name is installed already.
    #[error("trap {0:?} is installed already")]
    TrapExists(String),
}

impl From<crate::Error> for BridgeError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Invalid(why) => BridgeError::Spec(why),
            // Building messages only ever fails validation.
            _ => BridgeError::Spec("invalid Child SA"),
        }
    }
}

/// Local policy for the SAs the bridge installs: what IKE does not negotiate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BridgeConfig {
    /// What the running kernel accepts ([`KernelFeatures::detect`]).
    pub features: KernelFeatures,
    /// Anti-replay window for inbound SAs (0 disables; at most 4096).
    pub replay_window: u32,
    /// Data-plane lifetimes for both SAs. The soft limits produce
    /// [`KernelInput::Rekey`], the hard ones [`KernelInput::Expired`]. A
    /// Child SA's own volume limits (`ChildSaInstall::limits`, from its
    /// configuration) replace the byte and packet limits set here.
    pub lifetime: Lifetime,
    /// Mark on inbound SAs and in/fwd policies.
    pub mark_in: Option<Mark>,
    /// Mark on outbound SAs and out policies.
    pub mark_out: Option<Mark>,
    /// XFRM interface id (route-based VPN).
    pub if_id: Option<u32>,
    /// Policy priority (lower wins).
    pub priority: u32,
    /// NAT keepalive interval (seconds) for UDP-encapsulated outbound SAs,
    /// sent by the kernel (Linux 6.9+).
    pub nat_keepalive_interval: Option<u32>,
    /// First reqid handed out.
    pub first_reqid: u32,
}

impl Default for BridgeConfig {
    /// Old-kernel rules, a 32-packet window (strongSwan's default), no
    /// data-plane lifetimes, no marks, reqids from 1.
    fn default() -> Self {
        BridgeConfig {
            features: KernelFeatures { sa_dir: false },
            replay_window: 32,
            lifetime: Lifetime::default(),
            mark_in: None,
            mark_out: None,
            if_id: None,
            priority: 0,
            nat_keepalive_interval: None,
            first_reqid: 1,
        }
    }
}

/// The kernel algorithm and key for one direction of a negotiated ESP
/// transform set: AEADs keep their salt in the key (RFC 4106 section 8.1,
/// RFC 7634 section 2), HMACs get their RFC 4868 truncation. Key lengths are
/// checked against the algorithm.
pub fn cipher(
    encr: (EncrId, Option<u16>),
    integ: Option<IntegId>,
    encr_key: &[u8],
    integ_key: &[u8],
) -> Result<Cipher, BridgeError> {
    let (id, bits) = encr;
    let aes = |b: Option<u16>| match b {
        Some(k @ (128 | 192 | 256)) => Ok(k),
        _ => Err(BridgeError::UnsupportedEncr(id, bits)),
    };
    let aead = match id {
        EncrId::AesGcm16 => Some(AeadAlg::AesGcm16 {
            key_bits: aes(bits)?,
        }),
        EncrId::AesGcm12 => Some(AeadAlg::AesGcm12 {
            key_bits: aes(bits)?,
        }),
        EncrId::AesGcm8 => Some(AeadAlg::AesGcm8 {
            key_bits: aes(bits)?,
        }),
        EncrId::AesCcm16 => Some(AeadAlg::AesCcm16 {
            key_bits: aes(bits)?,
        }),
        EncrId::Chacha20Poly1305 if bits.is_none() || bits == Some(256) => {
            Some(AeadAlg::ChaCha20Poly1305)
        }
        _ => None,
    };
    let integ = integ.filter(|i| *i != IntegId::None);
    if let Some(alg) = aead {
        if integ.is_some() {
            return Err(BridgeError::BadCombination(id, integ));
        }
        let c = Cipher::Aead {
            alg,
            key: Key::new(encr_key),
        };
        c.validate()?;
        return Ok(c);
    }
    let enc = match id {
        EncrId::AesCbc => EncAlg::AesCbc {
            key_bits: aes(bits)?,
        },
        EncrId::AesCtr => EncAlg::AesCtr {
            key_bits: aes(bits)?,
        },
        EncrId::TripleDes => EncAlg::TripleDesCbc,
        EncrId::Null => EncAlg::Null,
        _ => return Err(BridgeError::UnsupportedEncr(id, bits)),
    };
    let Some(integ_id) = integ else {
        return Err(BridgeError::BadCombination(id, None));
    };
    let integ = match integ_id {
        IntegId::HmacSha1_96 => IntegAlg::HmacSha1_96,
        IntegId::HmacSha2_256_128 => IntegAlg::HmacSha256_128,
        IntegId::HmacSha2_384_192 => IntegAlg::HmacSha384_192,
        IntegId::HmacSha2_512_256 => IntegAlg::HmacSha512_256,
        IntegId::AesXcbc96 => IntegAlg::AesXcbc96,
        IntegId::AesCmac96 => IntegAlg::AesCmac96,
        other => return Err(BridgeError::UnsupportedInteg(other)),
    };
    let c = Cipher::EncInteg {
        enc,
        enc_key: Key::new(encr_key),
        integ,
        integ_key: Key::new(integ_key),
    };
    c.validate()?;
    Ok(c)
}

/// The kernel prefixes covering one IKEv2 traffic selector exactly. Ports:
/// all ports, or one port; ICMP selectors only with all types and codes.
pub fn ts_prefixes(ts: &TrafficSelector) -> Result<Vec<TsPrefix>, BridgeError> {
    let (start, end) = ts.addresses();
    let proto = ts.ip_protocol();
    let port = match ts.ports() {
        (0, u16::MAX) => None,
        // ICMP carries type/code in the port fields (RFC 4301 section
        // 4.4.1.3), which the kernel selector encodes differently.
        (p, q) if p == q && !matches!(proto, 1 | 58) => Some(p),
        _ => return Err(BridgeError::Selector(ts.to_string())),
    };
    Ok(crate::spec::range_to_prefixes(start, end)
        .into_iter()
        .map(|(addr, prefix_len)| TsPrefix {
            addr,
            prefix_len,
            proto,
            port,
        })
        .collect())
}

fn prefixes(list: &[TrafficSelector]) -> Result<Vec<TsPrefix>, BridgeError> {
    let mut v = Vec::new();
    for ts in list {
        v.extend(ts_prefixes(ts)?);
    }
    Ok(v)
}

/// The [`ChildSaSpec`] for one negotiated Child SA under `reqid`.
pub fn spec_from_install(
    c: &ChildSaInstall,
    reqid: u32,
    cfg: &BridgeConfig,
) -> Result<ChildSaSpec, BridgeError> {
    let inbound = SaKeys {
        spi: c.spi_in,
        cipher: cipher(
            c.encr,
            c.integ,
            c.encr_key_in.as_bytes(),
            c.integ_key_in.as_bytes(),
        )?,
    };
    let outbound = SaKeys {
        spi: c.spi_out,
        cipher: cipher(
            c.encr,
            c.integ,
            c.encr_key_out.as_bytes(),
            c.integ_key_out.as_bytes(),
        )?,
    };
    let mode = match c.mode {
        IkeMode::Tunnel => Mode::Tunnel,
        IkeMode::Transport => Mode::Transport,
        other => return Err(BridgeError::UnsupportedMode(format!("{other:?}"))),
    };
    let mut spec = ChildSaSpec::new(c.local.ip(), c.remote.ip(), mode, reqid, inbound, outbound);
    spec.local_ts = prefixes(&c.local_ts)?;
    spec.remote_ts = prefixes(&c.remote_ts)?;
    spec.encap = c.udp_encap.then(|| UdpEncap {
        local_port: c.local.port(),
        remote_port: c.remote.port(),
    });
    spec.esn = c.esn == Some(EsnId::Esn);
    spec.replay_window = cfg.replay_window;
    // The child configuration's volume limits win over the local default.
    let l = c.limits;
    spec.lifetime = Lifetime {
        soft_bytes: l.rekey_bytes.or(cfg.lifetime.soft_bytes),
        hard_bytes: l.life_bytes.or(cfg.lifetime.hard_bytes),
        soft_packets: l.rekey_packets.or(cfg.lifetime.soft_packets),
        hard_packets: l.life_packets.or(cfg.lifetime.hard_packets),
        ..cfg.lifetime
    };
    spec.mark_in = cfg.mark_in;
    spec.mark_out = cfg.mark_out;
    spec.if_id = cfg.if_id;
    spec.priority = cfg.priority;
    spec.nat_keepalive_interval = cfg.nat_keepalive_interval.filter(|_| c.udp_encap);
    if spec.policies().is_empty() {
        return Err(BridgeError::NoPolicy);
    }
    Ok(spec)
}

/// Names one installed Child SA, as `ikev2-sm` knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildRef {
    /// Owning IKE SA.
    pub sa: SaHandle,
    /// Child configuration name.
    pub name: String,
    /// Our inbound SPI.
    pub spi_in: u32,
    /// Our outbound SPI.
    pub spi_out: u32,
    /// Whether the kernel event concerned the inbound SA (else the outbound).
    pub inbound: bool,
}

/// A kernel event mapped onto the Child SA it concerns: the inputs an IKE
/// daemon feeds its state machine.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KernelInput {
    /// A soft limit (bytes, packets, time) was reached: rekey the Child SA
    /// (RFC 7296 section 2.8). Both SAs of a pair may report it.
    Rekey(ChildRef),
    /// A hard limit was reached: the kernel already removed that SA; delete
    /// the Child SA (INFORMATIONAL with a Delete payload).
    Expired(ChildRef),
    /// Traffic hit a policy with no SA under `reqid`: negotiate a Child SA;
    /// `packet` is the triggering packet's selector, to be sent as the first
    /// traffic selector of each side (RFC 7296 section 2.9).
    Acquire {
        /// The reqid of the policy's template.
        reqid: u32,
        /// The IKE SA and Child configuration that last used this reqid.
        child: Option<(SaHandle, String)>,
        /// The trap ([`KernelBridge::trap`]) whose policy has this reqid.
        trap: Option<String>,
        /// The packet's selector.
        packet: Selector,
    },
    /// The NAT in front of the peer changed the mapping of UDP-encapsulated
    /// ESP: the peer is now at `new_remote` (RFC 7296 section 2.23; the IKE
    /// SA should update its address, or check with a liveness test).
    PeerMoved {
        /// The Child SA whose inbound SA saw the new address.
        child: ChildRef,
        /// The new address and port.
        new_remote: SocketAddr,
    },
}

struct Installed {
    sa: SaHandle,
    name: String,
    spec: ChildSaSpec,
}

/// Identity of a policy set: Child SAs with equal keys share a reqid (and the
/// kernel policies), so a rekey replaces SAs without touching policies.
type PolicyKey = (IpAddr, IpAddr, u8, Vec<TsPrefix>, Vec<TsPrefix>);

fn policy_key(s: &PolicySpec) -> PolicyKey {
    (
        s.local,
        s.remote,
        u8::from(s.mode),
        s.local_ts.clone(),
        s.remote_ts.clone(),
    )
}

/// Turns `ikev2-sm` install/remove outputs into kernel messages and kernel
/// events into [`KernelInput`]s, remembering what is installed. Pure: send
/// the messages with [`crate::XfrmSocket::execute`] or use
/// [`KernelDataPlane`].
pub struct KernelBridge {
    cfg: BridgeConfig,
    next_reqid: u32,
    reqids: HashMap<PolicyKey, (u32, usize)>,
    children: HashMap<u32, Installed>,
    /// Last user of each reqid (for ACQUIRE).
    reqid_owner: HashMap<u32, (SaHandle, String)>,
    /// Installed traps by name.
    traps: HashMap<String, trap::Trap>,
}

impl std::fmt::Debug for KernelBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelBridge")
            .field("children", &self.children.len())
            .field("reqids", &self.reqids.len())
            .finish_non_exhaustive()
    }
}

impl KernelBridge {
    /// A bridge with nothing installed.
    pub fn new(cfg: BridgeConfig) -> Self {
        KernelBridge {
            next_reqid: cfg.first_reqid.max(1),
            cfg,
            reqids: HashMap::new(),
            children: HashMap::new(),
            reqid_owner: HashMap::new(),
            traps: HashMap::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &BridgeConfig {
        &self.cfg
    }

    /// Number of Child SAs installed.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether nothing is installed.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    /// The spec of the installed Child SA with inbound SPI `spi_in`.
    pub fn spec(&self, spi_in: u32) -> Option<&ChildSaSpec> {
        self.children.get(&spi_in).map(|c| &c.spec)
    }

    /// Messages installing `c`: both SAs (inbound first), then the policies
    /// unless a Child SA with the same selectors (the one being rekeyed) has
    /// them already. Nothing is recorded if this fails; if sending the
    /// messages fails, call [`Self::remove`] with the same SPIs.
    pub fn install(&mut self, c: &ChildSaInstall) -> Result<Vec<XfrmMessage>, BridgeError> {
        // Reqid 0 is a placeholder until the policy key is known.
        let probe = spec_from_install(c, 0, &self.cfg)?;
        let key = policy_key(&probe.policy_spec());
        let (reqid, users) = match self.reqids.get(&key) {
            Some(&(r, n)) => (r, n),
            None => (self.next_reqid, 0),
        };
        let spec = ChildSaSpec { reqid, ..probe };
        let mut msgs = spec.install_sas(self.cfg.features)?;
        if users == 0 {
            for p in spec.policies() {
                // A trap (or a Child SA with other selectors) holds a policy
                // for this selector and direction: replace it (NEWPOLICY
                // would be refused); a trap's comes back when this goes.
                if self.trap_policy(&p).is_some() || self.child_policy(&p).is_some() {
                    msgs.push(XfrmMessage::UpdatePolicy(p));
                } else {
                    msgs.push(XfrmMessage::NewPolicy(p));
                }
            }
        }
        if users == 0 {
            self.next_reqid = self.next_reqid.wrapping_add(1).max(1);
        }
        self.reqids.insert(key, (reqid, users + 1));
        self.reqid_owner.insert(reqid, (c.sa, c.name.clone()));
        if let Some(old) = self.children.insert(
            c.spi_in,
            Installed {
                sa: c.sa,
                name: c.name.clone(),
                spec,
            },
        ) {
            // Same inbound SPI installed twice: the kernel refuses the second
            // NEWSA; keep the count right for the one entry.
            self.release(&old.spec.policy_spec());
        }
        Ok(msgs)
    }

    /// Drops one user of a policy set; true if it was the last.
    fn release(&mut self, spec: &PolicySpec) -> bool {
        let key = policy_key(spec);
        match self.reqids.get_mut(&key) {
            Some((_, n)) if *n > 1 => {
                *n -= 1;
                false
            }
            Some(_) => {
                self.reqids.remove(&key);
                self.reqid_owner.remove(&spec.reqid);
                true
            }
            None => true,
        }
    }

    /// Messages removing `r`: its SAs, and its policies if no other installed
    /// Child SA uses them. Deleting an SA the kernel already removed (hard
    /// expiry) fails with `ESRCH`, which callers may ignore.
    pub fn remove(&mut self, r: &ChildSaRemove) -> Result<Vec<XfrmMessage>, BridgeError> {
        let c = self
            .children
            .remove(&r.spi_in)
            .ok_or(BridgeError::UnknownChild(r.spi_in))?;
        if !self.release(&c.spec.policy_spec()) {
            return Ok(c.spec.remove_sas());
        }
        let ps = c.spec.policy_spec();
        let mut msgs: Vec<XfrmMessage> = ps
            .policies()
            .into_iter()
            .zip(ps.remove())
            // Another holder of the selector and direction gets it back:
            // another Child SA, else a trap (one with these exact selectors
            // would have kept the set alive).
            .map(
                |(p, del)| match self.child_policy(&p).or_else(|| self.trap_policy(&p)) {
                    Some(back) => XfrmMessage::UpdatePolicy(back),
                    None => del,
                },
            )
            .collect();
        msgs.extend(c.spec.remove_sas());
        Ok(msgs)
    }

    /// Messages removing every Child SA of IKE SA `sa` (it was deleted).
    pub fn remove_ike_sa(&mut self, sa: SaHandle) -> Vec<XfrmMessage> {
        let spis: Vec<(u32, u32)> = self
            .children
            .iter()
            .filter(|(_, c)| c.sa == sa)
            .map(|(spi, c)| (*spi, c.spec.outbound.spi))
            .collect();
        let mut out = Vec::new();
        for (spi_in, spi_out) in spis {
            let r = ChildSaRemove {
                sa,
                name: String::new(),
                spi_in,
                spi_out,
            };
            out.extend(self.remove(&r).unwrap_or_default());
        }
        out
    }

    fn child_of(&self, r: &SaRef) -> Option<ChildRef> {
        let by_in = self
            .children
            .get(&r.spi)
            .filter(|c| r.dst.is_none_or(|d| d == c.spec.local) && c.spec.inbound.spi == r.spi);
        let (spi_in, c, inbound) = match by_in {
            Some(c) => (r.spi, c, true),
            None => self.children.iter().find_map(|(spi_in, c)| {
                (c.spec.outbound.spi == r.spi && r.dst.is_none_or(|d| d == c.spec.remote))
                    .then_some((*spi_in, c, false))
            })?,
        };
        Some(ChildRef {
            sa: c.sa,
            name: c.name.clone(),
            spi_in,
            spi_out: c.spec.outbound.spi,
            inbound,
        })
    }

    /// The input a kernel event means for the state machine; `None` for
    /// events about SAs this bridge did not install, and for events that need
    /// no action (SA/policy notifications).
    pub fn on_event(&self, e: &Event) -> Option<KernelInput> {
        match e {
            Event::SoftExpire(r) => self.child_of(r).map(KernelInput::Rekey),
            Event::HardExpire(r) => self.child_of(r).map(KernelInput::Expired),
            Event::Acquire { reqid, sel, .. } => Some(KernelInput::Acquire {
                reqid: *reqid,
                child: self.reqid_owner.get(reqid).cloned(),
                trap: self.trap_name(*reqid).map(str::to_owned),
                packet: *sel,
            }),
            Event::Mapping { sa, new, .. } => {
                let child = self.child_of(sa)?;
                let addr = new.0?;
                Some(KernelInput::PeerMoved {
                    child,
                    new_remote: SocketAddr::new(addr, new.1),
                })
            }
            _ => None,
        }
    }
}

#[cfg(target_os = "linux")]
pub use linux::{DataPlaneError, KernelDataPlane};

#[cfg(target_os = "linux")]
mod linux {
    use super::{BridgeConfig, BridgeError, KernelBridge, KernelInput, TrapInstall};
    use crate::event::Group;
    use crate::msg::XfrmMessage;
    use crate::{Error, XfrmSocket};
    use ikev2_sm::{ChildSaInstall, ChildSaRemove, SaHandle};

    /// `ESRCH`: the kernel has no such SA or policy.
    const ESRCH: i32 = 3;
    /// `ENOENT`: no such policy.
    const ENOENT: i32 = 2;

    /// Failure of a kernel data-plane operation.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum DataPlaneError {
        /// The install or remove could not be expressed.
        #[error(transparent)]
        Bridge(#[from] BridgeError),
        /// The kernel (or the socket) refused.
        #[error(transparent)]
        Kernel(#[from] Error),
    }

    /// The kernel as an ESP data plane for `ikev2-sm`: a request socket, an
    /// event socket (EXPIRE, ACQUIRE, MAPPING) and a [`KernelBridge`].
    /// Blocking requests; poll [`Self::event_fd`] for readability from any
    /// event loop and call [`Self::poll_inputs`].
    #[derive(Debug)]
    pub struct KernelDataPlane {
        requests: XfrmSocket,
        events: XfrmSocket,
        bridge: KernelBridge,
    }

    impl KernelDataPlane {
        /// The multicast groups whose events map to [`KernelInput`]s.
        pub const GROUPS: [Group; 3] = [Group::Expire, Group::Acquire, Group::Mapping];

        /// Opens both sockets in the calling thread's network namespace.
        pub fn open(cfg: BridgeConfig) -> Result<Self, Error> {
            let requests = XfrmSocket::open()?;
            let events = XfrmSocket::open_events(&Self::GROUPS)?;
            Self::with_sockets(requests, events, cfg)
        }

        /// Uses sockets opened elsewhere, e.g. with
        /// [`XfrmSocket::open_in_netns`] for another namespace. `events` must
        /// be subscribed to the groups wanted (EXPIRE, ACQUIRE, MAPPING); it
        /// is made non-blocking.
        pub fn with_sockets(
            requests: XfrmSocket,
            events: XfrmSocket,
            cfg: BridgeConfig,
        ) -> Result<Self, Error> {
            events.set_nonblocking(true)?;
            Ok(KernelDataPlane {
                requests,
                events,
                bridge: KernelBridge::new(cfg),
            })
        }

        /// The bridge (what is installed).
        pub fn bridge(&self) -> &KernelBridge {
            &self.bridge
        }

        /// The request socket, e.g. to read SA counters.
        pub fn socket(&mut self) -> &mut XfrmSocket {
            &mut self.requests
        }

        /// The event socket's fd, for readability polling.
        pub fn event_fd(&self) -> std::os::fd::RawFd {
            std::os::fd::AsRawFd::as_raw_fd(&self.events)
        }

        /// Installs a Child SA. On a kernel refusal, whatever part was
        /// installed is removed again before the error is returned.
        pub fn install(&mut self, c: &ChildSaInstall) -> Result<(), DataPlaneError> {
            let msgs = self.bridge.install(c)?;
            for m in &msgs {
                if let Err(e) = self.requests.execute(m) {
                    let undo = ChildSaRemove {
                        sa: c.sa,
                        name: c.name.clone(),
                        spi_in: c.spi_in,
                        spi_out: c.spi_out,
                    };
                    if let Ok(back) = self.bridge.remove(&undo) {
                        let _ = self.execute_deletes(&back);
                    }
                    return Err(e.into());
                }
            }
            Ok(())
        }

        /// Sends delete messages, ignoring "no such SA/policy" (already gone,
        /// e.g. hard-expired); returns the first other error after trying all.
        fn execute_deletes(&mut self, msgs: &[XfrmMessage]) -> Result<(), Error> {
            let mut first = None;
            for m in msgs {
                match self.requests.execute(m) {
                    Ok(()) => {}
                    Err(Error::Kernel(k)) if k.errno == ESRCH || k.errno == ENOENT => {}
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            first.map_or(Ok(()), Err)
        }

        /// Removes a Child SA (both SAs; its policies if it was their last user).
        pub fn remove(&mut self, r: &ChildSaRemove) -> Result<(), DataPlaneError> {
            let msgs = self.bridge.remove(r)?;
            Ok(self.execute_deletes(&msgs)?)
        }

        /// Removes every Child SA of a deleted IKE SA.
        pub fn remove_ike_sa(&mut self, sa: SaHandle) -> Result<(), DataPlaneError> {
            let msgs = self.bridge.remove_ike_sa(sa);
            Ok(self.execute_deletes(&msgs)?)
        }

        /// Installs a trap ([`KernelBridge::trap`]); returns its reqid. On
        /// a kernel refusal the policies already added are removed again.
        pub fn trap(&mut self, t: &TrapInstall) -> Result<u32, DataPlaneError> {
            let (reqid, msgs) = self.bridge.trap(t)?;
            for m in &msgs {
                if let Err(e) = self.requests.execute(m) {
                    let back = self.bridge.untrap(&t.name);
                    let _ = self.execute_deletes(&back);
                    return Err(e.into());
                }
            }
            Ok(reqid)
        }

        /// Removes a trap ([`KernelBridge::untrap`]).
        pub fn untrap(&mut self, name: &str) -> Result<(), DataPlaneError> {
            let msgs = self.bridge.untrap(name);
            Ok(self.execute_deletes(&msgs)?)
        }

        /// Points both SAs of a UDP-encapsulated Child SA at the peer's new
        /// NAT port ([`KernelBridge::update_encap`]).
        pub fn update_encap(
            &mut self,
            spi_in: u32,
            new_remote: std::net::SocketAddr,
        ) -> Result<(), DataPlaneError> {
            for m in self.bridge.update_encap(spi_in, new_remote)? {
                self.requests.execute(&m)?;
            }
            Ok(())
        }

        /// Drains the event socket (non-blocking) into state-machine inputs.
        pub fn poll_inputs(&mut self) -> Result<Vec<KernelInput>, Error> {
            let mut out = Vec::new();
            while let Some(e) = self.events.poll_event()? {
                out.extend(self.bridge.on_event(&e));
            }
            Ok(out)
        }
    }
}
