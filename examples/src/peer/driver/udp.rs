//! Socket I/O: the IKE and NAT-T sockets, their reader tasks, the mapping
//! of RFC 7296's ports 500/4500 to the configured ones, and datagrams in
//! and out (IKE to the endpoint, ESP in UDP to the data plane).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use ikev2_sm::Input;
use ikev2_wire::udp::{demux_udp_4500, Udp4500, NON_ESP_MARKER};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tracing::debug;

use super::{Peer, IKE_PORT, NAT_T_PORT};

/// The IKE and NAT-T sockets bound on one local address.
#[derive(Debug, Clone)]
pub struct SocketPair {
    /// The address.
    pub ip: IpAddr,
    /// The IKE socket (logical port 500).
    pub ike: Arc<UdpSocket>,
    /// The NAT-T socket (logical port 4500): IKE with the marker, ESP, keepalives.
    pub natt: Arc<UdpSocket>,
}

impl SocketPair {
    /// Binds both sockets on `ip` (port 0: any free port).
    ///
    /// # Errors
    /// The bind error, naming the address.
    pub async fn bind(ip: IpAddr, port: u16, port_nat_t: u16) -> io::Result<Self> {
        let bind = |p| async move {
            UdpSocket::bind(SocketAddr::new(ip, p)).await.map_err(|e| {
                io::Error::new(e.kind(), format!("bind {}: {e}", SocketAddr::new(ip, p)))
            })
        };
        Ok(Self {
            ip,
            ike: Arc::new(bind(port).await?),
            natt: Arc::new(bind(port_nat_t).await?),
        })
    }

    pub(super) fn ports(&self) -> (u16, u16) {
        let p = |s: &UdpSocket| s.local_addr().map_or(0, |a| a.port());
        (p(&self.ike), p(&self.natt))
    }
}

/// One received datagram.
pub(super) struct Datagram {
    local: IpAddr,
    natt: bool,
    src: SocketAddr,
    bytes: Vec<u8>,
}

/// Maps RFC ports (500/4500) to real ones and back.
#[derive(Debug, Clone, Default)]
pub(super) struct PortMap {
    pub(super) remote: HashMap<IpAddr, (u16, u16)>,
}

impl PortMap {
    fn remote_ports(&self, ip: IpAddr) -> (u16, u16) {
        self.remote
            .get(&ip)
            .copied()
            .unwrap_or((IKE_PORT, NAT_T_PORT))
    }
    pub(super) fn to_logical(&self, real: SocketAddr) -> SocketAddr {
        let (ike, natt) = self.remote_ports(real.ip());
        match real.port() {
            p if p == ike => SocketAddr::new(real.ip(), IKE_PORT),
            p if p == natt => SocketAddr::new(real.ip(), NAT_T_PORT),
            _ => real,
        }
    }
    pub(super) fn to_real(&self, logical: SocketAddr) -> SocketAddr {
        let (ike, natt) = self.remote_ports(logical.ip());
        match logical.port() {
            IKE_PORT => SocketAddr::new(logical.ip(), ike),
            NAT_T_PORT => SocketAddr::new(logical.ip(), natt),
            _ => logical,
        }
    }
}

impl Peer {
    /// Our real address for the state machine's `local` (500/4500 mapped
    /// to the bound ports).
    pub(super) fn real_local(&self, logical: SocketAddr) -> SocketAddr {
        self.socket(logical.ip(), logical.port() == NAT_T_PORT)
            .and_then(|s| s.local_addr().ok())
            .unwrap_or(logical)
    }

    pub(super) fn socket(&self, local: IpAddr, natt: bool) -> Option<&Arc<UdpSocket>> {
        let p = self.sockets.iter().find(|p| p.ip == local)?;
        Some(if natt { &p.natt } else { &p.ike })
    }

    pub(super) async fn on_datagram(&mut self, d: Datagram) {
        let Datagram {
            local,
            natt,
            src,
            mut bytes,
        } = d;
        if natt {
            match demux_udp_4500(&bytes) {
                Ok(Udp4500::Ike(_)) => {
                    bytes.drain(..NON_ESP_MARKER.len());
                }
                Ok(Udp4500::Esp(_)) => return self.on_esp(bytes, src).await,
                Ok(Udp4500::NatKeepalive) => return,
                Ok(_) | Err(_) => return self.count_drop("udp4500_malformed"),
            }
        }
        let dst = SocketAddr::new(local, if natt { NAT_T_PORT } else { IKE_PORT });
        let src = self.ports.to_logical(src);
        self.ep.handle_input(Input::Datagram {
            now: Instant::now(),
            src,
            dst,
            bytes,
        });
    }
}

pub(super) fn spawn_reader(
    local: IpAddr,
    natt: bool,
    socket: Arc<UdpSocket>,
    tx: mpsc::Sender<Datagram>,
) {
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            match socket.recv_from(&mut buf).await {
                Ok((n, src)) => {
                    let bytes = buf.get(..n).unwrap_or_default().to_vec();
                    if tx
                        .send(Datagram {
                            local,
                            natt,
                            src,
                            bytes,
                        })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                // ICMP errors surface as recv errors on some systems: keep reading.
                Err(e) => debug!("recv on {local}: {e}"),
            }
        }
    });
}
