//! # xfrm-sys: Linux XFRM netlink for IPsec SAs and policies
//!
//! Puts the Child SAs an IKEv2 daemon negotiates into the Linux kernel, so the
//! kernel carries ESP at line rate, and turns the kernel's events (ACQUIRE,
//! soft/hard EXPIRE, POLEXPIRE, MAPPING) back into inputs.
//!
//! * [`XfrmMessage`] encodes and decodes every message IKE needs: SAs
//!   (new, update, delete, get, dump, flush, ALLOCSPI), policies with
//!   templates, and the attributes current kernels know (AEAD, separate
//!   encryption and integrity, ESN replay state, UDP encapsulation, marks,
//!   interface ids, `XFRMA_SA_DIR`, `XFRMA_SA_PCPU`, NAT keepalive interval).
//!   Unknown attributes and messages round-trip verbatim.
//! * [`ChildSaSpec`] describes one negotiated Child SA and yields the SA and
//!   policy messages for both directions, applying the kernel's rules.
//! * [`XfrmSocket`] (Linux only) sends them, blocking or from any event loop
//!   (it exposes its fd; no async runtime), and reports refusals as
//!   [`KernelError`] with the kernel's extended ACK text.
//!
//! * `bridge` (cargo feature `ikev2-sm`) turns `ikev2-sm`'s Child SA
//!   install/remove outputs into those messages and kernel events back into
//!   state-machine inputs.
//!
//! The codec builds and runs on every platform; only the socket is
//! `cfg(target_os = "linux")`.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use xfrm_sys::{AeadAlg, ChildSaSpec, Cipher, Direction, Key, KernelFeatures, Mode, SaKeys, XfrmMessage};
//!
//! let keys = |spi| SaKeys {
//!     spi,
//!     cipher: Cipher::Aead { alg: AeadAlg::AesGcm16 { key_bits: 256 }, key: Key::new(&[7; 36]) },
//! };
//! let local = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
//! let remote = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
//! let spec = ChildSaSpec::new(local, remote, Mode::Tunnel, 7, keys(0xc001), keys(0xc002));
//!
//! // Inbound SA, outbound SA, then out/in/fwd policies.
//! let msgs = spec.install(KernelFeatures { sa_dir: true })?;
//! assert_eq!(msgs.len(), 5);
//!
//! // Encode the inbound SA as a netlink request and decode it back.
//! let wire = msgs[0].to_request(1);
//! let back = xfrm_sys::NetlinkMessage::parse_all(&wire).next().unwrap()?;
//! assert_eq!(back.payload, xfrm_sys::Payload::Xfrm(msgs[0].clone()));
//! if let XfrmMessage::NewSa(sa) = &msgs[0] {
//!     assert_eq!(sa.id.spi, 0xc001);
//!     assert_eq!(sa, &spec.sa(Direction::In, KernelFeatures { sa_dir: true })?);
//! }
//! # Ok::<(), xfrm_sys::Error>(())
//! ```
#![deny(unsafe_code)]

pub mod alg;
pub mod attr;
#[cfg(feature = "ikev2-sm")]
pub mod bridge;
pub mod envelope;
mod error;
pub mod event;
pub mod msg;
pub mod nl;
pub mod policy;
#[cfg(target_os = "linux")]
mod socket;
#[cfg(target_os = "linux")]
pub mod sockopt;
pub mod spec;
pub mod types;

pub use alg::{AeadAlg, Cipher, EncAlg, IntegAlg, Key};
pub use attr::{Attr, SaDir};
pub use envelope::{ErrorMsg, NetlinkMessage, Payload};
pub use error::{Error, KernelError};
pub use event::{Event, Group, SaRef};
pub use msg::{AllocSpi, Mode, PolicyDir, PolicyId, PolicyInfo, SaIdMsg, SaInfo, XfrmMessage};
pub use nl::NlHeader;
pub use policy::PolicySpec;
#[cfg(target_os = "linux")]
pub use socket::XfrmSocket;
pub use spec::{ChildSaSpec, Direction, KernelFeatures, Lifetime, SaKeys, TsPrefix, UdpEncap};
pub use types::{Address, Mark, SaId, Selector};
