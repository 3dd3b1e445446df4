//! `ikev2-peer`: a VPN peer on the library, and the pieces it is made of.
//!
//! - [`config`]: the TOML configuration (swanctl.conf's structure), checked
//!   before anything starts, errors with file and line;
//! - [`driver`]: the tokio driver of one `ikev2_sm::Endpoint` over UDP
//!   500/4500 (ports configurable), handing Child SAs to a data plane;
//! - [`dataplane`]: the [`dataplane::DataPlane`] trait, `none`, and
//!   `userspace` (the `esp` crate, ESP-in-UDP);
//! - `kernel` (Linux): the kernel (XFRM) data plane via `xfrm-sys`;
//! - [`tun`]: the TUN device and routes for the userspace plane;
//! - [`events`]: events as JSON lines or text;
//! - [`control`]: the `--status` control socket;
//! - [`demo`]: two peers in one process over loopback UDP, packets through
//!   ESP both ways (the README's main command).

pub mod config;
pub mod control;
pub mod dataplane;
pub mod demo;
pub mod driver;
pub mod drops;
pub mod events;
#[cfg(target_os = "linux")]
pub mod kernel;
pub mod tun;
