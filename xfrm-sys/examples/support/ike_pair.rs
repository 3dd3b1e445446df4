//! Two `ikev2-sm` endpoints in one process, negotiating over an in-memory
//! link (PSK): what the `ike_esp` VM example and the bridge tests install.
//! Shared with `tests/bridge.rs` by `#[path]`.
#![allow(clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::OsRandom;
use ikev2_sm::config::{Auth, ChildConfig, Identity, Mode, PeerConfig};
use ikev2_sm::{ChildSaInstall, ChildSaRemove, Endpoint, EndpointConfig, Input, Output};

/// What one negotiation should produce.
pub(crate) struct Pair<'a> {
    /// ESP proposal (strongSwan syntax), both sides.
    pub(crate) esp: &'a str,
    /// Tunnel or transport.
    pub(crate) mode: Mode,
    /// Initiator's (local, remote) selectors; the responder's are swapped.
    pub(crate) ts: (&'a str, &'a str),
    /// Initiator's IKE address.
    pub(crate) a: SocketAddr,
    /// Responder's IKE address.
    pub(crate) b: SocketAddr,
    /// Send everything on port 4500 with UDP encapsulation, as behind a NAT.
    pub(crate) force_encap: bool,
}

fn peer(
    name: &str,
    me: &str,
    them: &str,
    p: &Pair<'_>,
    local_ts: &str,
    remote_ts: &str,
) -> Result<PeerConfig, String> {
    let mut child = ChildConfig::new("net")
        .with_ts(local_ts, remote_ts)
        .and_then(|c| c.with_esp_proposals(p.esp))
        .map_err(|e| e.to_string())?;
    child.mode = p.mode;
    let psk = b"xfrm-bridge-vm-psk".to_vec();
    Ok(PeerConfig::new(
        name,
        Identity::parse(me).map_err(|e| e.to_string())?,
        Identity::parse(them).map_err(|e| e.to_string())?,
    )
    .with_auth(Auth::psk(psk.clone()), Auth::psk(psk))
    .with_force_encap(p.force_encap)
    .with_child(child))
}

/// The two endpoints, linked in memory: [initiator, responder].
pub(crate) struct Link {
    /// Initiator, responder.
    pub(crate) eps: [Endpoint; 2],
}

/// What each side asked of its data plane during one [`Link::pump`].
#[derive(Default)]
pub(crate) struct Plane {
    /// Child SAs to install, in order.
    pub(crate) installs: Vec<ChildSaInstall>,
    /// Child SAs to remove, in order.
    pub(crate) removals: Vec<ChildSaRemove>,
}

impl Link {
    /// Delivers datagrams between the endpoints until both are quiet;
    /// returns each side's data-plane requests. A failure event is an error.
    // `i` indexes both the sender and, as `1 - i`, the receiver.
    #[allow(clippy::needless_range_loop)]
    pub(crate) fn pump(&mut self) -> Result<[Plane; 2], String> {
        let now = Instant::now();
        let mut planes = [Plane::default(), Plane::default()];
        for _round in 0..32 {
            let mut moved = false;
            for i in 0..2 {
                loop {
                    match self.eps[i].poll_output() {
                        Output::Transmit(t) => {
                            moved = true;
                            // Delivered as received: on 4500 the marker is stripped.
                            self.eps[1 - i].handle_input(Input::Datagram {
                                now,
                                src: t.src,
                                dst: t.dst,
                                bytes: t.bytes,
                            });
                        }
                        Output::InstallChildSa(c) => planes[i].installs.push(*c),
                        Output::RemoveChildSa(r) => planes[i].removals.push(*r),
                        Output::Event {
                            event: ikev2_sm::events::Event::Failed { reason },
                            ..
                        } => return Err(format!("endpoint {i}: {reason}")),
                        Output::Timeout(_) => break,
                        _ => {}
                    }
                }
            }
            if !moved {
                return Ok(planes);
            }
        }
        Err("the endpoints did not settle".into())
    }
}

/// Negotiates IKE_SA_INIT and IKE_AUTH with one Child SA between two
/// endpoints; returns the link and (initiator's install, responder's install).
pub(crate) fn negotiate(p: &Pair<'_>) -> Result<(Link, ChildSaInstall, ChildSaInstall), String> {
    let ep = |peer| {
        Endpoint::new(EndpointConfig::new(
            PROVIDER,
            Arc::new(OsRandom),
            vec![peer],
        ))
    };
    let mut link = Link {
        eps: [
            ep(peer("to-b", "@a.example", "@b.example", p, p.ts.0, p.ts.1)?),
            ep(peer("to-a", "@b.example", "@a.example", p, p.ts.1, p.ts.0)?),
        ],
    };
    link.eps[0]
        .initiate(Instant::now(), "to-b", p.a, p.b)
        .map_err(|e| e.to_string())?;
    let [mut a, mut b] = link.pump()?;
    match (a.installs.pop(), b.installs.pop()) {
        (Some(a), Some(b)) => Ok((link, a, b)),
        _ => Err("negotiation did not install a Child SA on both sides".into()),
    }
}
