//! `type = "kernel"`: the Linux kernel carries ESP (XFRM), through
//! `xfrm-sys`'s ikev2-sm bridge. Install and remove become netlink
//! requests (SAs and policies), counters are read from the kernel's SAs,
//! and its soft/hard expiry events come back through
//! [`DataPlane::expired`]. Packets never pass through this process; the
//! IKE sockets get bypass policies and the NAT-T socket the ESP-in-UDP
//! option ([`DataPlane::prepare_socket`]).
//!
//! Traps (`start_action = trap`) are kernel policies with a template and no
//! SA ([`DataPlane::trap`]); the kernel's ACQUIRE for them and its MAPPING
//! (NAT port change of ESP-in-UDP) come back as [`PlaneSignal`]s, and a
//! mapping change is followed by updating both SAs' encapsulation
//! ([`DataPlane::follow_peer`]).

use std::net::SocketAddr;
use std::sync::Mutex;

use ikev2_sm::{ChildSaInstall, ChildSaRemove};
use tokio::net::UdpSocket;
use tracing::warn;
use xfrm_sys::bridge::{BridgeConfig, KernelDataPlane, KernelInput};
use xfrm_sys::{Direction, KernelFeatures};

use super::dataplane::{
    ChildCounters, DataPlane, DataPlaneError, EspPath, PlaneSignal, TrapInstall,
};

/// The kernel data plane.
#[derive(Debug)]
pub struct Kernel {
    // `counters` takes `&self`; netlink requests need `&mut`.
    dp: Mutex<KernelDataPlane>,
    /// ACQUIREs and MAPPINGs read with the expiry events, not yet taken.
    signals: Vec<PlaneSignal>,
}

impl Kernel {
    /// Opens the XFRM request and event sockets in this process's network
    /// namespace. `replay_window`: packets, at most 4096 (ESN uses the
    /// bitmap form).
    ///
    /// # Errors
    /// Netlink refused (no `CAP_NET_ADMIN`, no XFRM in the kernel).
    pub fn open(replay_window: u32) -> Result<Self, xfrm_sys::Error> {
        let cfg = BridgeConfig {
            features: KernelFeatures::detect(),
            replay_window,
            ..BridgeConfig::default()
        };
        Ok(Kernel {
            dp: Mutex::new(KernelDataPlane::open(cfg)?),
            signals: Vec::new(),
        })
    }

    fn dp(&self) -> std::sync::MutexGuard<'_, KernelDataPlane> {
        // A panic while holding the lock leaves the bridge as consistent as
        // before the call: keep using it.
        self.dp
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl DataPlane for Kernel {
    fn kind(&self) -> &'static str {
        "kernel"
    }

    fn install(&mut self, c: &ChildSaInstall, path: EspPath) -> Result<(), DataPlaneError> {
        // ESP-in-UDP uses the real socket ports (the driver may map them);
        // plain ESP needs only the addresses.
        let mut c = c.clone();
        if c.udp_encap {
            c.local = path.local;
            c.remote = path.remote;
        }
        self.dp()
            .install(&c)
            .map_err(|e| DataPlaneError::Kernel(e.to_string()))
    }

    fn remove(&mut self, r: &ChildSaRemove) {
        match self.dp().remove(r) {
            Ok(()) | Err(xfrm_sys::bridge::DataPlaneError::Bridge(_)) => {}
            Err(e) => warn!(
                spi_in = format!("{:08x}", r.spi_in),
                "kernel refused the removal: {e}"
            ),
        }
    }

    fn counters(&self, spi_in: u32) -> Option<ChildCounters> {
        let mut dp = self.dp();
        let spec = dp.bridge().spec(spi_in)?.clone();
        let inbound = dp.socket().get_sa(spec.sa_id(Direction::In)).ok()?;
        let outbound = dp.socket().get_sa(spec.sa_id(Direction::Out)).ok()?;
        let s = inbound.stats;
        Some(ChildCounters {
            packets_in: inbound.curlft.packets,
            bytes_in: inbound.curlft.bytes,
            packets_out: outbound.curlft.packets,
            bytes_out: outbound.curlft.bytes,
            dropped_in: u64::from(s.replay_window)
                + u64::from(s.replay)
                + u64::from(s.integrity_failed),
        })
    }

    fn prepare_socket(&mut self, socket: &UdpSocket, nat_t: bool) -> std::io::Result<()> {
        let v6 = socket.local_addr()?.is_ipv6();
        xfrm_sys::sockopt::bypass_ipsec(socket, v6).map_err(std::io::Error::other)?;
        if nat_t {
            xfrm_sys::sockopt::enable_esp_in_udp(socket).map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    fn expired(&mut self) -> Vec<(u32, bool)> {
        let inputs = match self.dp().poll_inputs() {
            Ok(inputs) => inputs,
            Err(e) => {
                warn!("kernel events: {e}");
                return Vec::new();
            }
        };
        let mut limits = Vec::new();
        for i in inputs {
            match i {
                KernelInput::Rekey(c) => limits.push((c.spi_in, false)),
                KernelInput::Expired(c) => limits.push((c.spi_in, true)),
                other => self.signals.extend(signal(other)),
            }
        }
        limits
    }

    fn trap(&mut self, trap: &TrapInstall) -> Result<Option<u32>, DataPlaneError> {
        self.dp()
            .trap(trap)
            .map(Some)
            .map_err(|e| DataPlaneError::Kernel(e.to_string()))
    }

    fn untrap(&mut self, name: &str) {
        if let Err(e) = self.dp().untrap(name) {
            warn!(trap = name, "kernel refused removing the trap: {e}");
        }
    }

    fn signals(&mut self) -> Vec<PlaneSignal> {
        std::mem::take(&mut self.signals)
    }

    fn follow_peer(&mut self, spi_in: u32, new_remote: SocketAddr) -> Result<(), DataPlaneError> {
        self.dp()
            .update_encap(spi_in, new_remote)
            .map_err(|e| DataPlaneError::Kernel(e.to_string()))
    }

    fn event_poll(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_millis(100))
    }
}

/// The driver's view of an ACQUIRE or MAPPING. ACQUIREs carry the
/// triggering packet's selector; its addresses are what the driver matches
/// against trapped children when the reqid is not one of its traps.
fn signal(input: KernelInput) -> Option<PlaneSignal> {
    match input {
        KernelInput::Acquire {
            reqid,
            trap,
            packet,
            ..
        } => Some(PlaneSignal::Acquire {
            reqid,
            trap,
            src: packet.saddr.to_ip(packet.family)?,
            dst: packet.daddr.to_ip(packet.family)?,
        }),
        KernelInput::PeerMoved { child, new_remote } => Some(PlaneSignal::PeerMoved {
            spi_in: child.spi_in,
            new_remote,
        }),
        _ => None,
    }
}
