//! The `ikev2-decode` program end to end: its embedded default, JSON lines,
//! text, key files, link types and exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::{Command, Output};

use ikev2_examples::decode::{Body, Decoder};
use ikev2_wire::{ExchangeType, HeaderRepr, MessageRepr, NonceRepr, FLAG_INITIATOR};
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ikev2-decode"))
        .args(args)
        .output()
        .unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn no_arguments_decodes_the_embedded_capture_as_json_lines() {
    let lines = json_lines(&run(&["--json"]));
    // 30 IKEv2 messages and 24 ESP packets (the capture's index).
    assert_eq!(lines.len(), 54);
    let first = &lines[0];
    assert_eq!(first["frame"], 1);
    assert_eq!(first["kind"], "ikev2");
    assert_eq!(first["src"], "192.168.245.131:10954");
    assert_eq!(first["dst"], "172.16.15.92:4500");
    assert_eq!(first["spi_i"], "89922c915f35570e");
    assert_eq!(first["exchange"], "IKE_SA_INIT");
    assert_eq!(first["message_id"], 0);
    assert_eq!(first["initiator"], true);
    assert_eq!(first["response"], false);
    let types: Vec<&str> = first["payloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["SA", "KE", "Nonce", "V", "V", "V", "V", "N", "N", "N"]
    );
    assert_eq!(first["payloads"][1]["group_value"], 19);
    assert_eq!(
        first["payloads"][7]["notify"],
        "IKEV2_FRAGMENTATION_SUPPORTED"
    );
    assert_eq!(
        first["payloads"][0]["proposals"][0]["transforms"][0]["id"],
        "ENCR_AES_GCM_16"
    );
    // The embedded key tables are used: every SK message and ESP packet has keys.
    assert!(lines
        .iter()
        .filter(|l| l["kind"] == "esp"
            || l["payloads"]
                .as_array()
                .is_some_and(|p| p.last().unwrap()["type"] == "SK"))
        .all(|l| l["keys"] == true));
}

#[test]
fn text_output_names_payloads() {
    let out = run(&[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.starts_with(
        "#1 192.168.245.131:10954 -> 172.16.15.92:4500 IKE_SA_INIT request (I) msgid 0"
    ));
    assert!(text.contains("    N SIGNATURE_HASH_ALGORITHMS SHA1,SHA2-256,SHA2-384,SHA2-512\n"));
    assert!(text.contains("ESP spi 0xac0faf03 seq 1"));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "30 IKEv2 messages (0 malformed), 0 IKEv1, 24 ESP, 0 NAT-keepalives, 0 undecodable\n"
    );
}

#[test]
fn files_and_key_options() {
    let cap = common::testdata("strongswan/lab-rsa-frag-psk-ecdsa.pcap");
    let keys = common::testdata("strongswan/lab-rsa-frag-psk-ecdsa.ikev2_decryption_table");
    let lines = json_lines(&run(&[
        "--json",
        "--ikev2-keys",
        keys.to_str().unwrap(),
        cap.to_str().unwrap(),
    ]));
    assert_eq!(lines.len(), 38);
    assert_eq!(lines[2]["payloads"][0]["type"], "SKF");
    assert_eq!(lines[2]["payloads"][0]["fragment_number"], 1);
    assert_eq!(lines[2]["payloads"][0]["total_fragments"], 2);
    assert_eq!(lines[2]["keys"], true);
}

#[test]
fn exit_codes() {
    let out = run(&["--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["/nonexistent/capture.pcap"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/capture.pcap"));
    let bad_keys = common::testdata("tcpdump/ikev2pI2-secrets.txt"); // tcpdump -E format
    let out = run(&["--ikev2-keys", bad_keys.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    let out = run(&["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--ikev2-keys"));
}

/// A minimal IKE_SA_INIT (one Nonce) to frame in various link layers.
fn ike() -> Vec<u8> {
    MessageRepr {
        header: HeaderRepr {
            spi_i: 0x1122_3344_5566_7788,
            spi_r: 0,
            version: 0x20,
            exchange_type: ExchangeType::IkeSaInit,
            flags: FLAG_INITIATOR,
            message_id: 0,
        },
        payloads: vec![NonceRepr {
            data: vec![7; 32].into(),
        }
        .into()],
    }
    .to_vec()
    .unwrap()
}

/// A pcap file with one frame of the given link type.
fn pcap(linktype: u32, frame: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&linktype.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    let len = u32::try_from(frame.len()).unwrap();
    f.extend_from_slice(&len.to_le_bytes());
    f.extend_from_slice(&len.to_le_bytes());
    f.extend_from_slice(frame);
    f
}

fn udp_v4(payload: &[u8]) -> Vec<u8> {
    let b = etherparse::PacketBuilder::ipv4(
        Ipv4Addr::new(192, 0, 2, 1).octets(),
        Ipv4Addr::new(192, 0, 2, 2).octets(),
        64,
    )
    .udp(500, 500);
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

fn udp_v6(payload: &[u8]) -> Vec<u8> {
    let b = etherparse::PacketBuilder::ipv6(
        "2001:db8::1".parse::<Ipv6Addr>().unwrap().octets(),
        "2001:db8::2".parse::<Ipv6Addr>().unwrap().octets(),
        64,
    )
    .udp(4500, 4500);
    let mut v = Vec::new();
    b.write(&mut v, payload).unwrap();
    v
}

#[test]
fn link_types_and_ipv6() {
    let msg = ike();
    let marked = [&[0u8; 4][..], &msg].concat();
    let sll_v4 = [
        &[0u8, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00][..],
        &udp_v4(&msg),
    ]
    .concat();
    let sll2_v6 = [
        &[
            0x86u8, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,
        ][..],
        &udp_v6(&marked),
    ]
    .concat();
    let null_v4 = [&2u32.to_le_bytes()[..], &udp_v4(&msg)].concat();
    let cases: [(u32, Vec<u8>, &str); 5] = [
        (101, udp_v4(&msg), "192.0.2.1:500"),
        (101, udp_v6(&marked), "[2001:db8::1]:4500"),
        (113, sll_v4, "192.0.2.1:500"),
        (276, sll2_v6, "[2001:db8::1]:4500"),
        (0, null_v4, "192.0.2.1:500"),
    ];
    for (lt, frame, src) in cases {
        let records = Decoder::new().decode_capture(&pcap(lt, &frame)).unwrap();
        assert_eq!(records.len(), 1, "linktype {lt}");
        assert_eq!(records[0].src, src, "linktype {lt}");
        let Body::Ikev2(m) = &records[0].body else {
            panic!("linktype {lt}: {:?}", records[0])
        };
        assert_eq!(m.spi_i, "1122334455667788");
        assert_eq!(m.non_esp_marker, src.ends_with(":4500"));
        assert_eq!(m.error, None);
    }
    // An unknown link type is a typed error on that frame, not a panic.
    let records = Decoder::new().decode_capture(&pcap(147, &msg)).unwrap();
    assert!(matches!(&records[0].body, Body::Error { error } if error.contains("link type 147")));
}

#[test]
fn ip_fragments_are_reassembled() {
    // An IKE message split into two IPv4 fragments by hand.
    let msg = MessageRepr {
        header: HeaderRepr {
            spi_i: 9,
            spi_r: 0,
            version: 0x20,
            exchange_type: ExchangeType::IkeSaInit,
            flags: FLAG_INITIATOR,
            message_id: 0,
        },
        payloads: vec![NonceRepr {
            data: vec![1; 200].into(),
        }
        .into()],
    }
    .to_vec()
    .unwrap();
    let whole = udp_v4(&msg);
    let (hdr, body) = whole.split_at(20);
    let (a, b) = body.split_at(96);
    let frag = |data: &[u8], off: u16, more: bool| {
        let mut h = hdr.to_vec();
        let total = u16::try_from(20 + data.len()).unwrap();
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h[4..6].copy_from_slice(&0x1234u16.to_be_bytes());
        let flags = (off / 8) | if more { 0x2000 } else { 0 };
        h[6..8].copy_from_slice(&flags.to_be_bytes());
        h[10..12].copy_from_slice(&[0, 0]);
        let sum = !h
            .chunks(2)
            .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
            .fold(0u32, |s, x| {
                let t = s + x;
                (t & 0xffff) + (t >> 16)
            }) as u16;
        h[10..12].copy_from_slice(&sum.to_be_bytes());
        [h, data.to_vec()].concat()
    };
    let mut file = pcap(101, &frag(a, 0, true));
    let second = pcap(101, &frag(b, 96, false));
    file.extend_from_slice(&second[24..]);
    let records = Decoder::new().decode_capture(&file).unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].frame, 2);
    let Body::Ikev2(m) = &records[0].body else {
        panic!("{:?}", records[0])
    };
    assert_eq!((m.length as usize, m.error.as_deref()), (msg.len(), None));
}
