//! Byte-for-byte round trips of strongSwan's IKEv2 messages, outer and
//! decrypted inner chains.
//!
//! Every IKE message of a charon capture is parsed by `ikev2-wire` and
//! re-emitted; it must give back the same octets. Every SK payload is opened
//! with the capture's key table, and its inner chain (for SKF: the chain
//! reassembled from all fragments, RFC 7383) parsed and re-emitted the same.
//!
//! By default the test runs over the charon lab capture in
//! `testdata/strongswan/` (PSK, ECDSA, fragmented RSA). The interop stage
//! `scripts/test.d/50-strongswan.sh` sets `IKEV2_INTEROP_CAPTURES` to its
//! output directory, whose subdirectories each hold a fresh `capture.pcap`
//! and `keys/ikev2_decryption_table` from live charon peers; those are then
//! checked too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::testdata;
use ikev2_examples::capture::read_frames;
use ikev2_examples::decode::{Opened, SealedPayload, SkOpener};
use ikev2_examples::keys::Ikev2KeyTable;
use ikev2_examples::net::{Extracted, UdpExtractor};
use ikev2_examples::openers::Ikev2Opener;
use ikev2_wire::{emit_chain, parse_inner_chain, MessageRepr, PayloadType, HEADER_LEN};

const SK: u8 = 46;
const SKF: u8 = 53;

#[derive(Default, Debug)]
struct Tally {
    messages: usize,
    sk: usize,
    skf_chains: usize,
    no_keys: usize,
}

/// A fragmented message: SPIi, message ID, Response flag.
type FragKey = (Vec<u8>, Vec<u8>, u8);
/// First inner payload type, decrypted fragments by number, total fragments.
type Fragmented = (u8, BTreeMap<u16, Vec<u8>>, u16);

/// Re-emits an inner chain and compares it with the plaintext.
fn inner_round_trip(what: &str, first: u8, plain: &[u8]) {
    let chain = parse_inner_chain(PayloadType::from(first), plain)
        .unwrap_or_else(|e| panic!("{what}: inner chain does not parse: {e}"));
    let mut buf = vec![0u8; plain.len() + 64];
    let n = emit_chain(&chain, &mut buf).unwrap();
    assert_eq!(&buf[..n], plain, "{what}: inner chain does not round-trip");
}

fn check_capture(capture: &Path, table: &Path, require_keys: bool) -> Tally {
    let name = capture.display().to_string();
    let file = std::fs::read(capture).unwrap_or_else(|e| panic!("{name}: {e}"));
    let keys = Ikev2KeyTable::parse(&std::fs::read_to_string(table).unwrap()).unwrap();
    let opener = Ikev2Opener::new(keys);
    let mut extractor = UdpExtractor::new();
    let mut tally = Tally::default();
    let mut fragments: BTreeMap<FragKey, Fragmented> = BTreeMap::new();
    for frame in read_frames(&file).unwrap() {
        let Ok(Extracted::Udp(udp)) = extractor.extract(&frame) else {
            continue;
        };
        let what = format!("{name} frame {}", frame.number);
        let on_4500 = udp.src.port() == 4500 || udp.dst.port() == 4500;
        let msg = if on_4500 {
            // ESP (non-zero SPI) and NAT-keepalives are not IKE
            match udp.payload.get(..4) {
                Some([0, 0, 0, 0]) => &udp.payload[4..],
                _ => continue,
            }
        } else if udp.src.port() == 500 || udp.dst.port() == 500 {
            &udp.payload[..]
        } else {
            continue;
        };
        let repr = MessageRepr::parse(msg).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            repr.to_vec().unwrap(),
            msg,
            "{what}: message does not round-trip"
        );
        tally.messages += 1;
        // the last outer payload is SK/SKF when the message is protected
        let mut offset = HEADER_LEN;
        let mut next = msg[16];
        let mut sealed_at = None;
        while next != 0 && offset + 4 <= msg.len() {
            if next == SK || next == SKF {
                sealed_at = Some((next, offset));
                break;
            }
            next = msg[offset];
            offset += usize::from(u16::from_be_bytes([msg[offset + 2], msg[offset + 3]]));
        }
        let Some((kind, at)) = sealed_at else {
            continue;
        };
        let sealed = SealedPayload {
            message: msg,
            payload_offset: at,
            spi_i: msg[0..8].try_into().unwrap(),
            spi_r: msg[8..16].try_into().unwrap(),
            from_initiator: msg[19] & 0x08 != 0,
        };
        let plain = match opener.open(&sealed) {
            Opened::Plaintext(p) => p,
            // the committed capture also holds IKE SAs its table has no keys for
            Opened::NoKeys if !require_keys => {
                tally.no_keys += 1;
                continue;
            }
            other => panic!("{what}: SK/SKF did not open: {other:?}"),
        };
        if kind == SK {
            tally.sk += 1;
            inner_round_trip(&what, msg[at], &plain);
        } else {
            let number = u16::from_be_bytes([msg[at + 4], msg[at + 5]]);
            let total = u16::from_be_bytes([msg[at + 6], msg[at + 7]]);
            let key = (msg[0..8].to_vec(), msg[20..24].to_vec(), msg[19] & 0x20);
            let entry = fragments.entry(key).or_insert((0, BTreeMap::new(), total));
            if number == 1 {
                entry.0 = msg[at];
            }
            entry.1.insert(number, plain);
        }
    }
    for ((_, id, _), (first, parts, total)) in fragments {
        let what = format!("{name} fragmented message ID {id:02x?}");
        assert_eq!(parts.len(), usize::from(total), "{what}: fragments missing");
        let whole: Vec<u8> = parts.into_values().flatten().collect();
        inner_round_trip(&what, first, &whole);
        tally.skf_chains += 1;
    }
    tally
}

#[test]
fn strongswan_messages_and_inner_chains_round_trip() {
    let mut cases: Vec<(PathBuf, PathBuf, bool)> = vec![(
        testdata("strongswan/lab-rsa-frag-psk-ecdsa.pcap"),
        testdata("strongswan/lab-rsa-frag-psk-ecdsa.ikev2_decryption_table"),
        false,
    )];
    if let Some(dir) = std::env::var_os("IKEV2_INTEROP_CAPTURES") {
        let mut live: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("IKEV2_INTEROP_CAPTURES={dir:?}: {e}"))
            .map(|e| e.unwrap().path())
            // A case that failed before its keys were exported has already
            // failed the stage on its own line; its capture cannot be opened.
            .filter(|p| {
                p.join("capture.pcap").exists() && p.join("keys/ikev2_decryption_table").exists()
            })
            .map(|p| {
                (
                    p.join("capture.pcap"),
                    p.join("keys/ikev2_decryption_table"),
                    true,
                )
            })
            .collect();
        assert!(!live.is_empty(), "no capture.pcap under {dir:?}");
        live.sort();
        cases.extend(live);
    }
    for (capture, table, require_keys) in cases {
        let t = check_capture(&capture, &table, require_keys);
        println!("{}: {t:?}", capture.display());
        assert!(t.messages >= 4, "{}: {t:?}", capture.display());
        assert!(t.sk + t.skf_chains >= 2, "{}: {t:?}", capture.display());
    }
}
