//! Hostile input: every malformed shape gives a typed error, never a panic.
//!
//! - tcpdump's crash and over-read reproducer captures (CVE-2017-5205,
//!   -13690, -13689, -13039, -12896, -12990 and older ones), decoded whole;
//! - OpenIKED's parser seeds with OpenIKED's mutation set (every 1- and
//!   2-bit flip, 1- and 2-byte flip, truncation from either end): no panic,
//!   and any mutant that parses re-emits byte-identical;
//! - input shapes from the CVE table of strongSwan, libreswan and OpenIKED
//!   advisories that concern the codec, built by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use ikev2_examples::capture::Frames;
use ikev2_examples::decode::{Body, Decoder, Record};
use ikev2_examples::net::{Extracted, UdpExtractor};
use ikev2_wire::udp::{demux_udp_4500, Udp4500, IKE_PORT, NAT_T_PORT};
use ikev2_wire::{Error, Message, MessageRepr, Part, PayloadType};

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The IKE messages of a negative capture (marker removed), by frame.
fn ike_messages(file: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut x = UdpExtractor::new();
    let mut out = Vec::new();
    for f in Frames::new(file).unwrap() {
        let f = f.unwrap();
        let Ok(Extracted::Udp(d)) = x.extract(&f) else {
            continue;
        };
        let ports = [d.src.port(), d.dst.port()];
        if ports.contains(&NAT_T_PORT) {
            if let Ok(Udp4500::Ike(m)) = demux_udp_4500(&d.payload) {
                out.push((f.number, m.to_vec()));
            }
        } else if ports.contains(&IKE_PORT) {
            out.push((f.number, d.payload.clone()));
        }
    }
    out
}

fn decode(name: &str) -> Vec<Record> {
    let file = common::read_testdata(&format!("negative/tcpdump-malformed/{name}"));
    Decoder::new().decode_capture(&file).unwrap()
}

#[test]
fn every_malformed_capture_decodes_to_typed_errors_without_panic() {
    for name in common::NEGATIVE_CAPTURES {
        let records = decode(name);
        assert!(!records.is_empty(), "{name}: nothing reported");
        for r in &records {
            match &r.body {
                // Every IKEv2 message in these files is malformed.
                Body::Ikev2(m) => assert!(m.error.is_some(), "{name} frame {}: {m:?}", r.frame),
                Body::Ikev1(_) | Body::Error { .. } => {}
                other => panic!("{name} frame {}: {other:?}", r.frame),
            }
        }
    }
}

#[test]
fn cve_2017_5205_payload_chain_with_absurd_length_is_rejected() {
    // ikev2pI2-segfault: IKE_SA_INIT whose SA payload holds a transform with
    // a corrupted "last substructure" byte and, later, length 0xaaaa.
    let file = common::read_testdata("negative/tcpdump-malformed/ikev2pI2-segfault.pcapng");
    let msgs = ike_messages(&file);
    assert_eq!(msgs.len(), 1);
    let e = Message::parse(&msgs[0].1).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidField {
                part: Part::Transform,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(MessageRepr::parse(&msgs[0].1).unwrap_err(), e);
}

#[test]
fn short_id_payload_is_rejected() {
    // ikev2-id-short: IDi with payload length 5, shorter than the ID header.
    let file = common::read_testdata("negative/tcpdump-malformed/ikev2-id-short.pcap");
    let msgs = ike_messages(&file);
    assert_eq!(msgs.len(), 1);
    let e = Message::parse(&msgs[0].1).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Truncated {
                part: Part::Payload(PayloadType::IdentificationInitiator),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn absurd_header_lengths_and_versions_are_typed_errors() {
    // isakmp-ikev1_n_print-oobr frame 1: version 2.12, Length 0xff000000.
    let file = common::read_testdata("negative/tcpdump-malformed/isakmp-ikev1_n_print-oobr.pcap");
    let msgs = ike_messages(&file);
    let e = Message::parse(&msgs[0].1).unwrap_err();
    assert!(
        matches!(
            e,
            Error::BadLength {
                part: Part::Header,
                len: 0xff00_0000,
                ..
            }
        ),
        "{e:?}"
    );
    // isakmp-delete-segfault: major version 11.
    let file = common::read_testdata("negative/tcpdump-malformed/isakmp-delete-segfault.pcap");
    let msgs = ike_messages(&file);
    assert_eq!(
        Message::parse(&msgs[0].1).unwrap_err(),
        Error::UnsupportedVersion { major: 11 }
    );
}

#[test]
fn ikev1_reproducers_are_recognised_as_ikev1_not_parsed_as_ikev2() {
    for name in [
        "isakmp-pointer-loop.pcap",
        "isakmp-identification-segfault.pcap",
        "isakmp-no-none-np.pcapng",
        "isakmpv1-attr-oobr.pcap",
        "ikev1_id_ipv6_addr_subnet-oobr.pcap",
    ] {
        let records = decode(name);
        assert!(
            records
                .iter()
                .any(|r| matches!(&r.body, Body::Ikev1(m) if m.version.starts_with("1."))),
            "{name}: {records:?}"
        );
        assert!(
            !records.iter().any(|r| matches!(r.body, Body::Ikev2(_))),
            "{name}"
        );
    }
}

#[test]
fn truncated_udp_4500_framing_is_a_typed_error() {
    // CVE-2017-12896 reproducers and tcpdump's esp_truncated: UDP 4500
    // datagrams too short for an ESP header or marker.
    for name in [
        "isakmp-rfc3948-oobr.pcap",
        "isakmp-3948-oobr-2.pcap",
        "esp_truncated.pcap",
    ] {
        let records = decode(name);
        let errs: Vec<&str> = records
            .iter()
            .filter_map(|r| match &r.body {
                Body::Error { error } => Some(error.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            errs.iter().any(|e| e.contains("UDP-encapsulated packet")),
            "{name}: {records:?}"
        );
    }
}

include!("common/openiked_seeds.rs");

/// OpenIKED's mutation set, minus base64 (which turns a message into text).
fn mutants(seed: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let bits = seed.len() * 8;
    for i in 0..bits {
        let mut m = seed.to_vec();
        m[i / 8] ^= 1 << (i % 8);
        out.push(m.clone());
        if i + 1 < bits {
            m[(i + 1) / 8] ^= 1 << ((i + 1) % 8);
            out.push(m);
        }
    }
    for i in 0..seed.len() {
        let mut m = seed.to_vec();
        m[i] ^= 0xff;
        out.push(m.clone());
        if i + 1 < seed.len() {
            m[i + 1] ^= 0xff;
            out.push(m);
        }
    }
    for n in 1..seed.len() {
        out.push(seed[n..].to_vec());
        out.push(seed[..seed.len() - n].to_vec());
    }
    out
}

/// Seeds that are not well-formed RFC 7296 messages, although OpenIKED's
/// looser parser accepts them, with the typed error our codec gives.
fn seed_reject(name: &str) -> Option<Error> {
    let trailing = |offset, len| Error::TrailingData {
        part: Part::Payload(PayloadType::NoNextPayload),
        offset,
        len,
    };
    match name {
        // Two Notify payloads, but the first one's Next Payload is 0 (the C
        // test never patches it): the second is 28 trailing octets.
        "fuzz notify payload" => Some(trailing(56, 28)),
        // The CERT payload's length stops 8 octets before the datagram ends.
        "fuzz cert payload" => Some(trailing(300, 8)),
        // The EAP message's own Length (5) disagrees with the payload (8).
        "fuzz eap payload" => Some(Error::BadLength {
            part: Part::Payload(PayloadType::ExtensibleAuthentication),
            offset: 41,
            len: 5,
            min: 8,
            max: 8,
        }),
        _ => None,
    }
}

#[test]
fn openiked_seeds_parse_and_round_trip() {
    for (name, hex) in OPENIKED_SEEDS {
        let seed = unhex(hex);
        match seed_reject(name) {
            Some(e) => assert_eq!(MessageRepr::parse(&seed).unwrap_err(), e, "{name}"),
            None => {
                let m = MessageRepr::parse(&seed).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(m.to_vec().unwrap(), seed, "{name}");
            }
        }
    }
}

#[test]
fn openiked_mutations_never_panic_and_accepted_mutants_round_trip() {
    let mut total = 0;
    let mut rejected = 0;
    let decoder = Decoder::new();
    for (name, hex) in OPENIKED_SEEDS {
        let seed = unhex(hex);
        for m in mutants(&seed) {
            total += 1;
            let view = Message::parse(&m);
            // The decoder shows the same verdict (and does not panic either).
            match decoder.decode_ike_message(&m, false) {
                Body::Ikev2(s) => assert_eq!(s.error.is_none(), view.is_ok(), "{name}"),
                Body::Ikev1(_) | Body::Error { .. } => assert!(view.is_err(), "{name}"),
                other => panic!("{name}: {other:?}"),
            }
            match MessageRepr::parse(&m) {
                Ok(repr) => {
                    assert!(view.is_ok(), "{name}: views and reprs disagree on {m:02x?}");
                    assert_eq!(repr.to_vec().unwrap(), m, "{name}: mutant re-emit");
                }
                Err(e) => {
                    rejected += 1;
                    assert_eq!(view.unwrap_err(), e, "{name}: same first error");
                }
            }
            // Truncating the end always breaks the header's Length.
            if m.len() < seed.len() && seed.starts_with(&m) {
                assert!(Message::parse(&m).is_err(), "{name}: truncation accepted");
            }
        }
    }
    assert!(total > 40_000, "{total}");
    assert!(rejected > total / 4, "{rejected} of {total}");
}

/// An IKEv2 message: header (IKE_SA_INIT request, SPIi 1) with `first` as
/// its Next Payload, then `chain`; the Length field is set right.
fn message(first: u8, chain: &[u8]) -> Vec<u8> {
    let mut m = vec![
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, first, 0x20, 34, 0x08,
    ];
    m.extend_from_slice(&0u32.to_be_bytes());
    m.extend_from_slice(&u32::try_from(28 + chain.len()).unwrap().to_be_bytes());
    m.extend_from_slice(chain);
    m
}

/// A payload: generic header (next, flags, length) and body.
fn payload(next: u8, flags: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(4 + body.len()).unwrap();
    [&[next, flags][..], &len.to_be_bytes(), body].concat()
}

#[test]
fn cve_2013_4564_short_datagrams_wrong_length_and_versions() {
    // libreswan CVE-2013-4564: datagrams shorter than the header, Length
    // disagreeing with the datagram, major versions other than 1 and 2.
    let good = message(0, &[]);
    for n in 0..28 {
        assert!(
            matches!(
                Message::parse(&good[..n]),
                Err(Error::Truncated {
                    part: Part::Header,
                    ..
                })
            ),
            "{n}"
        );
    }
    Message::parse(&good).unwrap();
    let mut longer = good.clone();
    longer.push(0);
    assert!(matches!(
        Message::parse(&longer),
        Err(Error::BadLength {
            part: Part::Header,
            ..
        })
    ));
    for major in [0u8, 3, 4, 15] {
        let mut m = good.clone();
        m[17] = major << 4;
        assert_eq!(
            Message::parse(&m).unwrap_err(),
            Error::UnsupportedVersion { major }
        );
    }
}

#[test]
fn cve_2015_3991_ikev1_payload_numbers_in_an_ikev2_chain() {
    // strongSwan CVE-2015-3991: IKEv1 payload numbers (1..13) in an IKEv2
    // chain. Non-critical: kept as unknown payloads and re-emitted as they
    // came. Critical: the typed error carries the type for
    // UNSUPPORTED_CRITICAL_PAYLOAD.
    for t in 1u8..=13 {
        let chain = payload(0, 0, &[1, 2, 3]);
        let m = message(t, &chain);
        let repr = MessageRepr::parse(&m).unwrap();
        assert_eq!(repr.to_vec().unwrap(), m);
        let chain = payload(0, 0x80, &[1, 2, 3]);
        let m = message(t, &chain);
        assert_eq!(
            Message::parse(&m).unwrap_err(),
            Error::UnsupportedCriticalPayload {
                payload: PayloadType::from(t),
                offset: 28
            }
        );
    }
}

#[test]
fn cve_2023_23009_malformed_traffic_selectors() {
    // libreswan CVE-2023-23009: Number of TSs inconsistent with the payload,
    // selector length below 16.
    let ipv4_sel = [7u8, 0, 0, 16, 0, 0, 0xff, 0xff, 10, 0, 0, 0, 10, 0, 0, 255];
    let ok = payload(0, 0, &[&[1u8, 0, 0, 0][..], &ipv4_sel].concat());
    MessageRepr::parse(&message(44, &ok)).unwrap();
    for body in [
        [&[2u8, 0, 0, 0][..], &ipv4_sel].concat(), // claims 2, holds 1
        [&[0u8, 0, 0, 0][..], &ipv4_sel].concat(), // claims 0, holds 1
        [&[1u8, 0, 0, 0][..], &ipv4_sel[..8]].concat(), // selector cut short
        [&[1u8, 0, 0, 0, 7, 0, 0, 8][..], &ipv4_sel[4..]].concat(), // length 8 < 16
        [&[1u8, 0, 0, 0, 7, 0, 0xff, 0xff][..], &ipv4_sel[4..]].concat(), // length overruns
    ] {
        let m = message(44, &payload(0, 0, &body));
        let e = Message::parse(&m).unwrap_err();
        assert_eq!(MessageRepr::parse(&m).unwrap_err(), e);
        let Body::Ikev2(s) = Decoder::new().decode_ike_message(&m, false) else {
            panic!()
        };
        assert_eq!(s.error, Some(e.to_string()));
    }
}

#[test]
fn cve_2013_6076_and_2026_12413_fragment_edge_cases() {
    // strongSwan CVE-2013-6076 (IKEv1 fragments; the IKEv2 analogue): SKF
    // fragment number 0 or above the total. libreswan CVE-2026-12413: an SKF
    // message preceded by more unknown payloads than the implementation keeps.
    let skf = |num: u16, total: u16| {
        let body = [&num.to_be_bytes()[..], &total.to_be_bytes(), &[0xaa; 16]].concat();
        message(53, &payload(35, 0, &body))
    };
    MessageRepr::parse(&skf(1, 1)).unwrap();
    MessageRepr::parse(&skf(3, 3)).unwrap();
    for (n, t) in [(0, 0), (0, 2), (3, 2), (0xffff, 1)] {
        assert!(Message::parse(&skf(n, t)).is_err(), "{n}/{t}");
    }
    let mut chain = Vec::new();
    for _ in 0..100 {
        chain.extend(payload(200, 0, &[]));
    }
    chain.extend(payload(0, 0, &[0, 1, 0, 1, 0xaa, 0xbb]));
    // The last unknown payload's Next Payload must say SKF.
    let last = 99 * 4;
    chain[last] = 53;
    let m = message(200, &chain);
    assert!(
        matches!(Message::parse(&m), Err(Error::TooMany { .. })),
        "{:?}",
        Message::parse(&m)
    );
}

#[test]
fn openiked_transform_type_bounds() {
    // OpenIKED policy.c fix: a peer sent Transform Type 6 (now ADDKE1, RFC
    // 9370), and types past the registry must be kept, not indexed out of bounds.
    for ty in [6u8, 13, 14, 15, 200, 255] {
        let transform = [0u8, 0, 0, 8, ty, 0, 0, 31];
        let proposal = [&[0u8, 0, 0, 16, 1, 1, 0, 1][..], &transform].concat();
        let m = message(33, &payload(0, 0, &proposal));
        let repr = MessageRepr::parse(&m).unwrap_or_else(|e| panic!("type {ty}: {e}"));
        assert_eq!(repr.to_vec().unwrap(), m);
    }
}

mod arbitrary_input {
    use super::common::PcapWriter;
    use ikev2_examples::decode::{Body, Decoder};
    use proptest::collection::vec;
    use proptest::prelude::*;

    proptest! {
        /// Any bytes as a capture file: a typed error or frames, no panic.
        #[test]
        fn arbitrary_capture_files(head in prop::sample::select(vec![
            vec![0xd4u8, 0xc3, 0xb2, 0xa1],
            vec![0xa1, 0xb2, 0xc3, 0xd4],
            vec![0x0a, 0x0d, 0x0d, 0x0a],
            vec![],
        ]), rest in vec(any::<u8>(), 0..400)) {
            let file = [head, rest].concat();
            let _ = Decoder::new().decode_capture(&file);
        }

        /// Any UDP payload on 500 and 4500: one record each, no panic, and an
        /// IKEv2 record either parses whole or names its error.
        #[test]
        fn arbitrary_datagrams(payloads in vec(vec(any::<u8>(), 0..200), 1..8)) {
            let mut pcap = PcapWriter::new();
            for p in &payloads {
                pcap.udp(500, 500, p);
                pcap.udp(4500, 4500, &[&[0u8; 4][..], p].concat());
            }
            let records = Decoder::new().decode_capture(&pcap.into_bytes()).unwrap();
            prop_assert_eq!(records.len(), 2 * payloads.len());
            for (i, p) in payloads.iter().enumerate() {
                // The decoder's verdict is the codec's, on both ports.
                let valid = ikev2_wire::Message::parse(p).is_ok();
                for r in &records[2 * i..2 * i + 2] {
                    match &r.body {
                        Body::Ikev2(m) => prop_assert_eq!(m.error.is_none(), valid),
                        _ => prop_assert!(!valid),
                    }
                }
            }
        }
    }
}
