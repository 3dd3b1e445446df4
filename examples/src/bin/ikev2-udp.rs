//! `ikev2-udp`: one `ikev2_sm::Endpoint` over real UDP sockets, the smallest
//! complete embedding of the state machine (std only, no async runtime).
//!
//! ```text
//! ikev2-udp --local 10.231.0.1 --remote 10.231.0.2 --psk secret \
//!     --local-id a.lab --remote-id b.lab --ike aes256gcm16-prfsha256-x25519 \
//!     --esp aes256gcm16 --local-ts 10.231.1.0/24 --remote-ts 10.231.2.0/24 --initiate
//! ```
//!
//! Sockets on UDP 500 and 4500 of `--local`; one reader thread per socket
//! feeds a channel, and the main thread drives the endpoint: datagrams in,
//! `Output::Transmit` out (the four-octet non-ESP marker added on 4500 and
//! stripped from what arrives there), waiting at most until
//! `Endpoint::poll_timeout`. Events are printed one per line (`--json`
//! for JSON lines). Exit status: 0 once the IKE SA and the Child SA are up
//! (after `--linger` seconds more, if given), 1 on a usage or socket error,
//! 2 on a negotiation failure (its typed cause is printed), 3 on timeout.
//!
//! For the interop matrix (`interop/cases/libreswan.sh`): `--childless`
//! sets up the IKE SA alone (no SA/TS payloads in IKE_AUTH, RFC 6023) and
//! is done once it is up; `--key-log FILE` appends each IKE SA's keys to
//! FILE as a Wireshark `ikev2_decryption_table` line, so `ikev2-decode` and
//! `tshark` can decrypt a capture of the exchange. Dead-peer detection:
//! `--dpd SECS` sends a liveness check after SECS without traffic from the
//! peer, `--retransmit SECS,TRIES` shortens the retransmission schedule
//! (strongSwan's `retransmit_timeout`, `retransmit_tries`); a peer that
//! stops answering ends the run with a `peer_dead` line and exit status 4.
//!
//! INFORMATIONAL (`interop/cases/info.sh`, flags in
//! `ikev2_examples::udp_info`): `--after SECS delete-child|delete-ike|dpd`
//! runs user commands once the SA is up, and `--until-down` exits 0 once
//! the IKE SA is deleted (by either side) instead of once it is up.
//!
//! Rekey collisions (`interop/cases/collision.sh`, `ikev2_examples::udp_collision`):
//! `--rx-delay MS` holds received datagrams MS ms (a slow link) so that
//! our rekey and the peer's cross; collisions print `rekey_collision` lines.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::OsRandom;
use ikev2_examples::{udp_collision, udp_info};
use ikev2_sm::config::{Auth, ChildConfig, FragmentConfig, Identity, PeerConfig};
use ikev2_sm::events::Event;
use ikev2_sm::{Endpoint, EndpointConfig, Input, Output, SaHandle};
use serde_json::json;

const USAGE: &str = "usage: ikev2-udp --local IP --remote IP|%any --psk SECRET \
--local-id ID --remote-id ID [--ike PROPOSALS] [--esp PROPOSALS] [--local-ts TS] \
[--remote-ts TS] [--initiate] [--encap] [--json] [--linger SECS] [--timeout SECS] \
[--childless] [--key-log FILE] [--dpd SECS] [--retransmit SECS,TRIES] \
[--fragment-size OCTETS] [--cookie-threshold N] [--cert PEM --key PEM --ca PEM [--rsa-pkcs1]] [--transport] \
[--after SECS delete-child|delete-ike|dpd]... [--until-down] \
[--at SECS:create-child|rekey-child|rekey-ike|reauth]... [--child-rekey SECS] [--rx-delay MS]";

/// The RFC 3948 non-ESP marker that prefixes IKE messages on UDP 4500.
const NON_ESP_MARKER: [u8; 4] = [0; 4];

/// Command-line options.
struct Opts {
    local: IpAddr,
    remote: Option<IpAddr>,
    psk: Vec<u8>,
    local_id: String,
    remote_id: String,
    ike: String,
    esp: String,
    local_ts: String,
    remote_ts: String,
    initiate: bool,
    encap: bool,
    json: bool,
    linger: Duration,
    timeout: Duration,
    auth: AuthFlags,
    // interop matrix: IKE SA only, and a key table for captures
    childless: bool,
    key_log: Option<std::path::PathBuf>,
    dpd: Duration,
    retransmit: Option<(Duration, u32)>,
    // IKE fragmentation (RFC 7383): fragment_size, 0 = off
    fragment_size: Option<u16>,
    // INFORMATIONAL: scripted deletes and liveness checks, --until-down
    info: udp_info::InfoOpts,
    // CREATE_CHILD_SA (interop/cases/child.sh): commands run SECS after the
    // SA is up, and a short Child SA rekey_time
    at: Vec<(Duration, String)>,
    child_rekey: Option<Duration>,
    // rekey collisions (interop/cases/collision.sh): a slow link in front of us
    rx_delay: Duration,
}

fn parse_args() -> Result<Opts, lexopt::Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_env();
    let (mut local, mut remote, mut psk, mut local_id, mut remote_id) =
        (None, None, None, None, None);
    let mut o = Opts {
        local: IpAddr::from([0, 0, 0, 0]),
        remote: None,
        psk: Vec::new(),
        local_id: String::new(),
        remote_id: String::new(),
        ike: "default".into(),
        esp: "default".into(),
        local_ts: "dynamic".into(),
        remote_ts: "dynamic".into(),
        initiate: false,
        encap: false,
        json: false,
        linger: Duration::ZERO,
        timeout: Duration::from_secs(30),
        auth: AuthFlags::default(),
        childless: false,
        key_log: None,
        dpd: Duration::ZERO,
        retransmit: None,
        fragment_size: None,
        info: udp_info::InfoOpts::default(),
        at: Vec::new(),
        child_rekey: None,
        rx_delay: Duration::ZERO,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("local") => local = Some(p.value()?.parse::<IpAddr>()?),
            Long("remote") => {
                let v: String = p.value()?.parse()?;
                let ip = if v == "%any" {
                    None
                } else {
                    Some(
                        v.parse::<IpAddr>()
                            .map_err(|e| lexopt::Error::ParsingFailed {
                                value: v.clone(),
                                error: Box::new(e),
                            })?,
                    )
                };
                remote = Some(ip);
            }
            Long("psk") => psk = Some(p.value()?.string()?.into_bytes()),
            Long("local-id") => local_id = Some(p.value()?.string()?),
            Long("remote-id") => remote_id = Some(p.value()?.string()?),
            Long("ike") => o.ike = p.value()?.string()?,
            Long("esp") => o.esp = p.value()?.string()?,
            Long("local-ts") => o.local_ts = p.value()?.string()?,
            Long("remote-ts") => o.remote_ts = p.value()?.string()?,
            Long("initiate") => o.initiate = true,
            Long("encap") => o.encap = true,
            Long("json") => o.json = true,
            Long("linger") => o.linger = Duration::from_secs_f64(p.value()?.parse()?),
            Long("timeout") => o.timeout = Duration::from_secs_f64(p.value()?.parse()?),
            Long(name) if AuthFlags::NAMES.contains(&name) => {
                let name = name.to_owned();
                o.auth.set(&name, &mut p)?;
            }
            // interop matrix
            Long("childless") => o.childless = true,
            Long("key-log") => o.key_log = Some(p.value()?.into()),
            Long("dpd") => o.dpd = Duration::from_secs_f64(p.value()?.parse()?),
            Long("retransmit") => {
                let v: String = p.value()?.string()?;
                let bad = || lexopt::Error::ParsingFailed {
                    value: v.clone(),
                    error: "expected SECS,TRIES".into(),
                };
                let (t, n) = v.split_once(',').ok_or_else(bad)?;
                let t = t.parse::<f64>().ok().filter(|t| t.is_finite() && *t > 0.0);
                match (t, n.parse::<u32>()) {
                    (Some(t), Ok(n)) => o.retransmit = Some((Duration::from_secs_f64(t), n)),
                    _ => return Err(bad()),
                }
            }
            // IKE fragmentation (RFC 7383)
            Long("fragment-size") => o.fragment_size = Some(p.value()?.parse()?),
            // CREATE_CHILD_SA
            Long("at") => {
                let v: String = p.value()?.string()?;
                let bad = |why: &str| lexopt::Error::Custom(format!("--at {v}: {why}").into());
                let (secs, cmd) = v.split_once(':').ok_or_else(|| bad("want SECS:COMMAND"))?;
                let secs: f64 = secs.parse().map_err(|_| bad("bad seconds"))?;
                // `reauth`: reauthentication (make-before-break)
                if !["create-child", "rekey-child", "rekey-ike", "reauth"].contains(&cmd) {
                    return Err(bad("unknown command"));
                }
                o.at.push((Duration::from_secs_f64(secs), cmd.to_owned()));
            }
            Long("child-rekey") => {
                o.child_rekey = Some(Duration::from_secs_f64(p.value()?.parse()?));
            }
            // rekey collisions: received datagrams wait this long
            Long("rx-delay") => o.rx_delay = Duration::from_millis(p.value()?.parse()?),
            // INFORMATIONAL (udp_info)
            Long(name) if udp_info::FLAGS.contains(&name) => {
                let name = name.to_owned();
                o.info.parse(&name, &mut p)?;
            }
            Long("help") | Short('h') => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    let missing = |what: &str| lexopt::Error::MissingValue {
        option: Some(what.to_owned()),
    };
    o.local = local.ok_or_else(|| missing("--local"))?;
    o.remote = remote.ok_or_else(|| missing("--remote"))?;
    // with --cert (below) no PSK is needed
    o.psk = psk
        .or_else(|| o.auth.cert.is_some().then(Vec::new))
        .ok_or_else(|| missing("--psk"))?;
    o.local_id = local_id.ok_or_else(|| missing("--local-id"))?;
    o.remote_id = remote_id.ok_or_else(|| missing("--remote-id"))?;
    if o.initiate && o.remote.is_none() {
        return Err(missing("--remote (an address, to initiate)"));
    }
    Ok(o)
}

/// The one peer configuration, named `peer`, with one child, `net`.
fn peer_config(o: &Opts) -> Result<PeerConfig, ikev2_sm::Error> {
    let mut child = ChildConfig::new("net")
        .with_ts(&o.local_ts, &o.remote_ts)?
        .with_esp_proposals(&o.esp)?;
    if let Some(t) = o.child_rekey {
        // CREATE_CHILD_SA: rekey after `t` (no jitter), hard limit 3 t.
        child = child.with_lifetimes(ikev2_sm::config::Lifetimes {
            rekey_time: t,
            life_time: t * 3,
            rand_time: Duration::ZERO,
        });
    }
    let mut peer = PeerConfig::new(
        "peer",
        Identity::parse(&o.local_id)?,
        Identity::parse(&o.remote_id)?,
    )
    .with_auth(Auth::psk(o.psk.clone()), Auth::psk(o.psk.clone()))
    .with_ike_proposals(&o.ike)?
    .with_force_encap(o.encap)
    .with_dpd_delay(o.dpd);
    if let Some((timeout, tries)) = o.retransmit {
        peer.retransmit.timeout = timeout;
        peer.retransmit.tries = tries;
    }
    // IKE fragmentation (RFC 7383): --fragment-size
    let peer = match o.fragment_size {
        Some(size) => {
            let peer = peer.with_fragmentation(FragmentConfig {
                enabled: size > 0,
                fragment_size: if size > 0 { size } else { 1280 },
                ..FragmentConfig::default()
            });
            peer.validate()?;
            peer
        }
        None => peer,
    };
    Ok(if o.childless {
        peer
    } else {
        peer.with_child(child)
    })
}

/// Appends the IKE SA's keys to the `--key-log` file (Wireshark's
/// `ikev2_decryption_table` format), once per SA.
fn log_keys(
    o: &Opts,
    ep: &Endpoint,
    sa: Option<SaHandle>,
    logged: &mut Vec<SaHandle>,
) -> std::io::Result<()> {
    use std::io::Write;
    let (Some(path), Some(h)) = (&o.key_log, sa) else {
        return Ok(());
    };
    if logged.contains(&h) {
        return Ok(());
    }
    let Some(row) = ep
        .ike_sa_secrets(h)
        .and_then(|s| ikev2_examples::keys::ikev2_table_row(&s))
    else {
        return Ok(());
    };
    logged.push(h);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(f, "{row}")
}

// ---- IKE_SA_INIT/IKE_AUTH features (COOKIE, certificates; interop/cases/auth.sh) ----
// `--cookie-threshold N`: as responder, demand a COOKIE while N or more
// SAs are half-open (0: always).
// `--cert PEM --key PEM --ca PEM [--rsa-pkcs1]`: authenticate with this
// certificate (chain, end entity first) and private key (RFC 7427 method
// 14; RSASSA-PSS unless --rsa-pkcs1), and require the peer's certificate
// to chain to the CA in --ca (also named in our CERTREQ). --psk is then
// not needed. The wall clock is read here, once, and passed in.
// `--transport`: ask for (initiator) or allow (responder) transport mode
// for the child (USE_TRANSPORT_MODE).
// On success a `stats` line gives the COOKIE counters of both roles.

/// Options of the COOKIE and certificate cases.
#[derive(Default)]
struct AuthFlags {
    cookie_threshold: Option<u32>,
    cert: Option<std::path::PathBuf>,
    key: Option<std::path::PathBuf>,
    ca: Option<std::path::PathBuf>,
    rsa_pkcs1: bool,
    transport: bool,
}

impl AuthFlags {
    /// The long options handled here.
    const NAMES: &'static [&'static str] = &[
        "cookie-threshold",
        "cert",
        "key",
        "ca",
        "rsa-pkcs1",
        "transport",
    ];

    fn set(&mut self, name: &str, p: &mut lexopt::Parser) -> Result<(), lexopt::Error> {
        use lexopt::ValueExt;
        match name {
            "cookie-threshold" => self.cookie_threshold = Some(p.value()?.parse()?),
            "cert" => self.cert = Some(p.value()?.into()),
            "key" => self.key = Some(p.value()?.into()),
            "ca" => self.ca = Some(p.value()?.into()),
            "rsa-pkcs1" => self.rsa_pkcs1 = true,
            "transport" => self.transport = true,
            _ => {}
        }
        Ok(())
    }

    fn endpoint(&self, mut c: EndpointConfig) -> EndpointConfig {
        if let Some(t) = self.cookie_threshold {
            c = c.with_cookie_threshold(t);
        }
        c
    }

    /// Replaces PSK authentication with certificates when --cert is given.
    fn peer(&self, mut peer: PeerConfig) -> Result<PeerConfig, Box<dyn std::error::Error>> {
        use ikev2_sm::config::{CertCredential, CertTrust};
        if self.transport {
            for c in &mut peer.children {
                c.mode = ikev2_sm::config::Mode::Transport;
            }
        }
        let (Some(cert), Some(key), Some(ca)) = (&self.cert, &self.key, &self.ca) else {
            if self.cert.is_some() {
                return Err("--cert needs --key and --ca".into());
            }
            return Ok(peer);
        };
        let chain = ikev2_crypto::cert::certs_from_pem(&std::fs::read(cert)?)?;
        let signer = ikev2_crypto::auth::SoftwareSigner::from_pem_or_der(
            &std::fs::read(key)?,
            &ikev2_crypto::provider::rustcrypto::OS_RANDOM,
        )?;
        let cas = ikev2_crypto::cert::certs_from_pem(&std::fs::read(ca)?)?;
        let mut cred = CertCredential::new(chain, Arc::new(signer));
        cred.root = cas.first().cloned();
        cred.prefs.rsa_pss = !self.rsa_pkcs1;
        let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
        let trust = CertTrust::new(cas).with_clock(Instant::now(), unix);
        Ok(peer.with_auth(Auth::Signature(cred), Auth::TrustedCa(trust)))
    }

    fn stats_line(ep: &Endpoint) -> serde_json::Value {
        let s = ep.stats();
        json!({"event": "stats", "cookies_sent": s.cookies_sent,
               "cookies_verified": s.cookies_verified, "cookies_invalid": s.cookies_invalid,
               "cookie_restarts": s.cookie_restarts})
    }
}
// ---- end of the IKE_SA_INIT/IKE_AUTH block ----

/// A datagram read by one of the socket threads: (source, our address, payload).
type Received = (SocketAddr, SocketAddr, Vec<u8>);

/// Starts a reader thread for `socket`; on 4500 only non-ESP-marked
/// datagrams are passed on (marker stripped), ESP and keepalives dropped.
fn spawn_reader(socket: UdpSocket, tx: mpsc::Sender<Received>) -> std::io::Result<()> {
    let local = socket.local_addr()?;
    let nat_t = local.port() == 4500;
    thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        while let Ok((n, src)) = socket.recv_from(&mut buf) {
            let Some(d) = buf.get(..n) else { continue };
            let ike = if nat_t {
                match d.strip_prefix(&NON_ESP_MARKER) {
                    Some(ike) => ike,
                    None => continue, // ESP (no data plane here) or a NAT keepalive
                }
            } else {
                d
            };
            if tx.send((src, local, ike.to_vec())).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// Prints one event line.
fn emit(json: bool, value: serde_json::Value) {
    if json {
        println!("{value}");
    } else {
        let kind = value.get("event").and_then(|v| v.as_str()).unwrap_or("?");
        let mut line = kind.to_owned();
        if let Some(map) = value.as_object() {
            for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "event") {
                match v.as_str() {
                    Some(s) => line.push_str(&format!(" {k}={s}")),
                    None => line.push_str(&format!(" {k}={v}")),
                }
            }
        }
        println!("{line}");
    }
}

fn run(o: &Opts) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // The configuration first: nothing is bound when it is bad.
    let peer = o.auth.peer(peer_config(o)?)?;
    let ike = UdpSocket::bind(SocketAddr::new(o.local, 500))?;
    let nat_t = UdpSocket::bind(SocketAddr::new(o.local, 4500))?;
    let (tx, rx) = mpsc::channel();
    // rekey collisions: a slow link in front of us
    let tx = if o.rx_delay.is_zero() {
        tx
    } else {
        udp_collision::delayed(tx, o.rx_delay)
    };
    spawn_reader(ike.try_clone()?, tx.clone())?;
    spawn_reader(nat_t.try_clone()?, tx)?;

    let mut ep = Endpoint::new(o.auth.endpoint(EndpointConfig::new(
        PROVIDER,
        Arc::new(OsRandom),
        vec![peer],
    )));
    let start = Instant::now();
    if let (true, Some(remote)) = (o.initiate, o.remote) {
        ep.initiate(
            start,
            "peer",
            SocketAddr::new(o.local, 500),
            SocketAddr::new(remote, 500),
        )?;
    }
    let deadline = start + o.timeout;
    let (mut ike_up, mut child_up, mut done_at) = (false, false, None::<Instant>);
    let mut logged = Vec::new();
    // INFORMATIONAL: the SA the script acts on, when it came up, whether it is gone
    let mut info = o.info.clone();
    let (mut handle, mut up_at, mut gone) = (None::<SaHandle>, None::<Instant>, false);
    // CREATE_CHILD_SA: the current Child SA (followed through rekeys) and
    // the `--at` commands still to run
    let (mut cur_child, mut last_install) = (None::<u32>, None::<u32>);
    let mut pending_at = o.at.clone();
    loop {
        // Drain everything the endpoint wants done.
        let wake = loop {
            match ep.poll_output() {
                Output::Transmit(t) => {
                    let socket = if t.src.port() == 4500 { &nat_t } else { &ike };
                    let bytes = if t.non_esp_marker {
                        [&NON_ESP_MARKER[..], &t.bytes].concat()
                    } else {
                        t.bytes
                    };
                    socket.send_to(&bytes, t.dst)?;
                }
                Output::InstallChildSa(c) => {
                    last_install = Some(c.spi_in);
                    emit(
                        o.json,
                        json!({
                            "event": "child_sa_installed", "name": c.name,
                            "spi_in": format!("{:08x}", c.spi_in), "spi_out": format!("{:08x}", c.spi_out),
                            "encr": format!("{:?}", c.encr), "integ": c.integ.map(|i| format!("{i:?}")),
                            "local_ts": c.local_ts.iter().map(ToString::to_string).collect::<Vec<_>>(),
                            "remote_ts": c.remote_ts.iter().map(ToString::to_string).collect::<Vec<_>>(),
                            "local": c.local.to_string(), "remote": c.remote.to_string(),
                            "udp_encap": c.udp_encap, "mode": format!("{:?}", c.mode),
                        }),
                    )
                }
                Output::Event { sa, event } => match event {
                    Event::IkeSaUp => {
                        ike_up = true;
                        handle = handle.or(sa);
                        log_keys(o, &ep, sa, &mut logged)?;
                        emit(o.json, ike_sa_line(&ep, sa));
                    }
                    Event::ChildSaUp { name } => {
                        child_up = true;
                        cur_child = cur_child.or(last_install);
                        emit(
                            o.json,
                            json!({"event": "child_sa_established", "name": name}),
                        );
                    }
                    Event::Deleted => emit(o.json, json!({"event": "ike_sa_deleted"})),
                    // CREATE_CHILD_SA: follow rekeys
                    Event::ChildSaRekeyed {
                        name,
                        old_spi_in,
                        old_spi_out,
                        new_spi_in,
                        new_spi_out,
                    } => {
                        if cur_child == Some(old_spi_in) {
                            cur_child = Some(new_spi_in);
                        }
                        emit(
                            o.json,
                            json!({"event": "child_sa_rekeyed", "name": name,
                            "old_spi_in": format!("{old_spi_in:08x}"), "old_spi_out": format!("{old_spi_out:08x}"),
                            "new_spi_in": format!("{new_spi_in:08x}"), "new_spi_out": format!("{new_spi_out:08x}")}),
                        );
                    }
                    Event::IkeSaRekeyed { new } => {
                        if handle == sa {
                            handle = Some(new);
                        }
                        let mut line = ike_sa_line(&ep, Some(new));
                        if let Some(m) = line.as_object_mut() {
                            m.insert("event".into(), json!("ike_sa_rekeyed"));
                        }
                        emit(o.json, line);
                    }
                    // Reauthentication: follow the new IKE SA (the old one
                    // is deleted next), say which children did not come back
                    Event::IkeSaReauthenticated { new, missing } => {
                        if handle == sa {
                            handle = Some(new);
                        }
                        let mut line = ike_sa_line(&ep, Some(new));
                        if let Some(m) = line.as_object_mut() {
                            m.insert("event".into(), json!("ike_sa_reauthenticated"));
                            m.insert("missing".into(), json!(missing));
                        }
                        emit(o.json, line);
                    }
                    Event::PeerDead {
                        peer,
                        exchange,
                        retransmits,
                        after,
                        ..
                    } => {
                        emit(
                            o.json,
                            json!({"event": "peer_dead", "peer": peer.to_string(),
                                   "exchange": format!("{exchange:?}"), "retransmits": retransmits,
                                   "after_s": after.as_secs_f64()}),
                        );
                        return Ok(ExitCode::from(4));
                    }
                    Event::Failed { reason } => {
                        log_keys(o, &ep, sa, &mut logged)?;
                        emit(
                            o.json,
                            json!({"event": "failed", "kind": format!("{:?}", reason.kind()),
                                   "reason": reason.to_string()}),
                        );
                        return Ok(ExitCode::from(2));
                    }
                    // rekey collisions
                    ref e if udp_collision::event_json(e).is_some() => {
                        if let Some(line) = udp_collision::event_json(e) {
                            emit(o.json, line);
                        }
                    }
                    // INFORMATIONAL events
                    ref e if udp_info::event_json(e).is_some() => {
                        gone |= udp_info::sa_gone(e) && sa == handle;
                        if let Some(line) = udp_info::event_json(e) {
                            emit(o.json, line);
                        }
                    }
                    other => emit(o.json, json!({"event": format!("{other:?}")})),
                },
                Output::RemoveChildSa(c) => emit(
                    o.json,
                    json!({"event": "child_sa_removed", "name": c.name,
                           "spi_in": format!("{:08x}", c.spi_in), "spi_out": format!("{:08x}", c.spi_out)}),
                ),
                Output::Timeout(t) => break t,
                _ => {}
            }
        };
        // rekey collisions: the keys of every IKE SA, also those that raise
        // no event (the redundant SAs of a collision)
        if o.key_log.is_some() {
            for h in ep.handles() {
                log_keys(o, &ep, Some(h), &mut logged)?;
            }
        }
        let now = Instant::now();
        // INFORMATIONAL: run the script once up; with --until-down, done when gone
        if ike_up && (child_up || o.childless) && up_at.is_none() {
            up_at = Some(now);
        }
        if let (Some(h), Some(up)) = (handle, up_at) {
            let lines = info.run_due(&mut ep, h, up, now);
            let ran = !lines.is_empty();
            for line in lines {
                emit(o.json, line);
            }
            if ran {
                continue; // drain what the commands queued
            }
        }
        // CREATE_CHILD_SA: the `--at` commands, once each
        if let (Some(h), Some(up)) = (handle, up_at) {
            let (due, later): (Vec<_>, Vec<_>) =
                pending_at.into_iter().partition(|(t, _)| up + *t <= now);
            pending_at = later;
            let ran = !due.is_empty();
            for (_, cmd) in due {
                let r = match (cmd.as_str(), cur_child) {
                    ("create-child", _) => ep.create_child_sa(now, h, "net"),
                    ("rekey-child", Some(spi)) => ep.rekey_child_sa(now, h, spi),
                    ("rekey-ike", _) => ep.rekey_ike_sa(now, h),
                    // Reauthentication: the new IKE SA is followed below
                    ("reauth", _) => ep.reauthenticate(now, h).map(|_| ()),
                    _ => Err(ikev2_sm::ApiError::UnknownSa),
                };
                emit(
                    o.json,
                    json!({"event": "command", "command": cmd, "ok": r.is_ok(),
                                    "error": r.err().map(|e| e.to_string())}),
                );
            }
            if ran {
                continue; // drain what the commands queued
            }
        }
        if info.until_down && gone && done_at.is_none() {
            done_at = Some(now + o.linger);
        }
        if ike_up && (child_up || o.childless) && done_at.is_none() && !info.until_down {
            done_at = Some(now + o.linger);
        }
        if done_at.is_some_and(|t| now >= t) && pending_at.is_empty() {
            emit(o.json, AuthFlags::stats_line(&ep));
            emit(o.json, udp_info::stats_json(&ep));
            // IKE fragmentation (RFC 7383): the counters, for frag.sh
            if o.fragment_size.is_some() {
                let f = ep.stats().fragments;
                emit(
                    o.json,
                    json!({"event": "fragments", "sent": f.sent, "received": f.received,
                           "reassembled": f.reassembled, "dropped_invalid": f.dropped_invalid}),
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        if done_at.is_none() && now >= deadline {
            emit(
                o.json,
                json!({"event": "timeout", "after_s": o.timeout.as_secs_f64()}),
            );
            return Ok(ExitCode::from(3));
        }
        let script = up_at.and_then(|up| info.next_due(up));
        let at = up_at.and_then(|up| pending_at.iter().map(|(t, _)| up + *t).min());
        let until = [wake, done_at, Some(deadline), script, at]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(deadline);
        match rx.recv_timeout(until.saturating_duration_since(now)) {
            Ok((src, dst, bytes)) => ep.handle_input(Input::Datagram {
                now: Instant::now(),
                src,
                dst,
                bytes,
            }),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if wake.is_some_and(|w| Instant::now() >= w) {
                    ep.handle_input(Input::Timeout(Instant::now()));
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("socket readers stopped".into())
            }
        }
    }
}

/// The `ike_sa_established` line: SPIs, role, peer identity and paths.
fn ike_sa_line(ep: &Endpoint, sa: Option<SaHandle>) -> serde_json::Value {
    let info = sa.and_then(|h| ep.sa_info(h));
    match info {
        Some(i) => json!({
            "event": "ike_sa_established",
            "spi_i": format!("{:016x}", i.spi_i), "spi_r": format!("{:016x}", i.spi_r),
            "initiator": i.initiator, "peer_id": i.peer_id.map(|p| format!("{p:?}")),
            "nat_local": i.nat_local, "nat_remote": i.nat_remote,
        }),
        None => json!({"event": "ike_sa_established"}),
    }
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ikev2-udp: {e}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    match run(&opts) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ikev2-udp: {e}");
            ExitCode::from(1)
        }
    }
}
