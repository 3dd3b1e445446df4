//! Every IKE message in every public capture under `testdata/` parses, and
//! every IKEv2 message re-emits byte-identical.
//!
//! Expected counts per capture come from the capture index of the test-material
//! collection (its own Python walker, independent of this code) and, for our
//! strongSwan lab capture, from `tshark`'s dissection of it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use ikev2_examples::capture::Frames;
use ikev2_examples::decode::{Body, Decoder, Detail};
use ikev2_examples::net::{Extracted, UdpExtractor};
use ikev2_wire::udp::{demux_udp_4500, Udp4500, IKE_PORT, NAT_T_PORT};
use ikev2_wire::{Message, MessageRepr};

/// (capture, IKEv2 messages, IKEv1 messages, ESP packets, NAT-keepalives).
const EXPECTED: &[(&str, usize, usize, usize, usize)] = &[
    (
        "wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.pcapng",
        30,
        0,
        24,
        0,
    ),
    ("strongswan/lab-rsa-frag-psk-ecdsa.pcap", 32, 0, 6, 0),
    ("tcpdump/ikev2pI2.pcap", 2, 0, 0, 0),
    ("tcpdump/ikev2four.pcap", 21, 0, 0, 0),
    ("tcpdump/ikev2-id-normal.pcap", 1, 0, 0, 0),
    ("tcpdump/espudp1.pcap", 0, 0, 8, 0),
    ("tcpdump/isakmp4500.pcap", 0, 15, 8, 4),
    ("tcpdump/ISAKMP_sa_setup.pcap", 0, 9, 0, 0),
];

/// Messages in the captures that are not valid IKEv2 and must be rejected:
/// tcpdump's "ikev2-id-normal" has an IDi of type ID_IPV4_ADDR with one octet
/// of data (payload length 9) followed by 39 stray octets; Wireshark shows
/// the same payload length and flags the rest as "Extra data".
const KNOWN_INVALID: &[(&str, u64, &str)] = &[(
    "tcpdump/ikev2-id-normal.pcap",
    1,
    "IDi payload at offset 28: size 1, expected 4",
)];

/// The IKE messages (marker removed) of a capture, by frame number.
fn ike_messages(file: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut x = UdpExtractor::new();
    let mut out = Vec::new();
    for f in Frames::new(file).unwrap() {
        let f = f.unwrap();
        let Extracted::Udp(d) = x.extract(&f).unwrap() else {
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

#[test]
fn every_ikev2_message_round_trips_byte_identical() {
    let mut total = 0;
    for (name, v2, ..) in EXPECTED {
        let file = common::read_testdata(name);
        let mut n = 0;
        for (frame, msg) in ike_messages(&file) {
            if msg.get(17).map(|v| v >> 4) != Some(2) {
                continue;
            }
            if let Some((.., err)) = KNOWN_INVALID
                .iter()
                .find(|(f, n, _)| f == name && *n == frame)
            {
                let e = Message::parse(&msg).unwrap_err();
                assert_eq!(e.to_string(), *err, "{name} frame {frame}");
                assert_eq!(MessageRepr::parse(&msg).unwrap_err(), e);
                n += 1;
                continue;
            }
            let view = Message::parse(&msg)
                .unwrap_or_else(|e| panic!("{name} frame {frame}: phase-one parse: {e}"));
            assert_eq!(view.header().length as usize, msg.len());
            let repr = MessageRepr::parse(&msg)
                .unwrap_or_else(|e| panic!("{name} frame {frame}: parse: {e}"));
            assert_eq!(
                repr.buffer_len(),
                msg.len(),
                "{name} frame {frame}: buffer_len"
            );
            let out = repr.to_vec().unwrap();
            assert_eq!(out, msg, "{name} frame {frame}: re-emitted bytes differ");
            n += 1;
        }
        assert_eq!(n, *v2, "{name}: IKEv2 messages");
        total += n;
    }
    assert_eq!(total, 86);
}

#[test]
fn decoder_reports_every_message_without_error() {
    for (name, v2, v1, esp, keepalive) in EXPECTED {
        let file = common::read_testdata(name);
        let records = Decoder::new().decode_capture(&file).unwrap();
        let mut counts = (0, 0, 0, 0);
        for r in &records {
            match &r.body {
                Body::Ikev2(m) => {
                    let expected = KNOWN_INVALID
                        .iter()
                        .find(|(f, n, _)| f == name && *n == r.frame)
                        .map(|(.., e)| (*e).to_owned());
                    assert_eq!(m.error, expected, "{name} frame {}", r.frame);
                    assert!(!m.payloads.is_empty() || m.length == 28);
                    counts.0 += 1;
                }
                Body::Ikev1(m) => {
                    assert!(m.version.starts_with("1."), "{name} frame {}", r.frame);
                    counts.1 += 1;
                }
                Body::Esp(_) => counts.2 += 1,
                Body::NatKeepalive => counts.3 += 1,
                other => panic!("{name} frame {}: {other:?}", r.frame),
            }
        }
        assert_eq!(counts, (*v2, *v1, *esp, *keepalive), "{name}");
    }
}

#[test]
fn default_capture_first_message_fields() {
    // Frame 1 of Wireshark wiki "IPsec Example 2", as its INDEX entry and
    // Wireshark describe it: IKE_SA_INIT request on 4500 with marker, SPIi
    // 89922c915f35570e, SA(AES-GCM-16/256, PRF-SHA2-256, group 19), KE 19,
    // Ni, 4 V, N(16430), N(16406), N(16431).
    let records = Decoder::new()
        .decode_capture(ikev2_examples::DEFAULT_CAPTURE)
        .unwrap();
    let r = &records[0];
    assert_eq!(r.frame, 1);
    assert_eq!(r.src, "192.168.245.131:10954");
    assert_eq!(r.dst, "172.16.15.92:4500");
    let Body::Ikev2(m) = &r.body else {
        panic!("{r:?}")
    };
    assert!(m.non_esp_marker);
    assert_eq!(m.spi_i, "89922c915f35570e");
    assert_eq!(m.spi_r, "0000000000000000");
    assert_eq!((m.exchange.as_str(), m.message_id), ("IKE_SA_INIT", 0));
    assert!(m.initiator && !m.response);
    let types: Vec<&str> = m.payloads.iter().map(|p| p.ty.as_str()).collect();
    assert_eq!(
        types,
        ["SA", "KE", "Nonce", "V", "V", "V", "V", "N", "N", "N"]
    );
    let Detail::Sa { proposals } = &m.payloads[0].detail else {
        panic!()
    };
    let ids: Vec<(&str, Option<u16>)> = proposals[0]
        .transforms
        .iter()
        .map(|t| (t.id.as_str(), t.key_length))
        .collect();
    assert_eq!(
        ids,
        [
            ("ENCR_AES_GCM_16", Some(256)),
            ("PRF_HMAC_SHA2_256", None),
            ("256-bit random ECP group", None)
        ]
    );
    let notifies: Vec<u16> = m
        .payloads
        .iter()
        .filter_map(|p| match &p.detail {
            Detail::Notify { notify_type, .. } => Some(*notify_type),
            _ => None,
        })
        .collect();
    assert_eq!(notifies, [16430, 16406, 16431]);
}

#[test]
fn strongswan_fragments_are_reported_with_number_and_total() {
    // Frames 3-6 of our strongSwan capture: IKE_AUTH split by charon into
    // SKF 1/2 and 2/2 in each direction (charon's log: "splitting IKE
    // message (1456 bytes) into 2 fragments").
    let file = common::read_testdata("strongswan/lab-rsa-frag-psk-ecdsa.pcap");
    let records = Decoder::new().decode_capture(&file).unwrap();
    let frags: Vec<(u64, u16, u16, String)> = records
        .iter()
        .filter_map(|r| match &r.body {
            Body::Ikev2(m) => m.payloads.iter().find_map(|p| match &p.detail {
                Detail::Skf {
                    fragment_number,
                    total_fragments,
                    inner_next,
                    ..
                } => Some((
                    r.frame,
                    *fragment_number,
                    *total_fragments,
                    inner_next.clone(),
                )),
                _ => None,
            }),
            _ => None,
        })
        .collect();
    assert_eq!(
        frags,
        [
            (3, 1, 2, "IDi".to_owned()),
            (4, 2, 2, "none".to_owned()),
            (5, 1, 2, "IDr".to_owned()),
            (6, 2, 2, "none".to_owned()),
        ]
    );
}
