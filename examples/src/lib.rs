//! Programs and their building blocks on top of the ikev2-rs crates.
//!
//! The main program is `ikev2-decode`, a capture decoder: it reads pcap and
//! pcapng files, finds IKE on UDP 500 and 4500 (telling IKE, ESP and
//! NAT-keepalives apart by the RFC 3948 non-ESP marker), and prints every
//! message with its payload chain as text or as JSON lines.
//!
//! The library half is what the program is made of, so tests and other tools
//! can reuse it: [`capture`] (pcap/pcapng frames), [`net`] (link, IP and UDP
//! layers with IP reassembly), [`keys`] (Wireshark's IKEv2 and ESP key
//! tables) and [`decode`] (from UDP datagrams to [`decode::Record`]s).
//!
//! ```
//! use ikev2_examples::decode::{Decoder, Body};
//! let capture = ikev2_examples::DEFAULT_CAPTURE;
//! let records = Decoder::new().decode_capture(capture).unwrap();
//! let first = &records[0];
//! assert_eq!(first.frame, 1);
//! match &first.body {
//!     Body::Ikev2(m) => assert_eq!(m.exchange, "IKE_SA_INIT"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! ```

pub mod capture;
pub mod decode;
mod error;
pub mod keys;
pub mod net;
pub mod openers;
pub mod peer;
pub mod udp_collision;
pub mod udp_info;

pub use error::Error;

/// The capture `ikev2-decode` decodes when given no file: Wireshark wiki
/// "IPsec Example 2" (three IKEv2 sessions over UDP 4500 from a NAT'd client,
/// with ESP-in-UDP; see `testdata/SOURCES.md`).
pub const DEFAULT_CAPTURE: &[u8] =
    include_bytes!("../../testdata/wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.pcapng");
/// The `ikev2_decryption_table` that comes with [`DEFAULT_CAPTURE`].
pub const DEFAULT_IKEV2_KEYS: &str =
    include_str!("../../testdata/wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.ikev2_decryption_table");
/// The `esp_sa` table that comes with [`DEFAULT_CAPTURE`].
pub const DEFAULT_ESP_KEYS: &str =
    include_str!("../../testdata/wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.esp_sa");
