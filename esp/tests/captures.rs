//! The 24 ESP-in-UDP packets of Wireshark's "IPsec Example 2" capture open with the keys
//! published next to it: AES-GCM-16-128, AES-CTR-128 with HMAC-SHA2-256-128, and AES-CBC-128
//! with HMAC-SHA2-256-128, tunnel mode, pings between 192.168.245.131's tunnel address and
//! the gateway 192.168.225.1. Data: tests/data/wireshark_ipsec_example2_* (see the header
//! of each file for its origin).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::Ipv4Addr;

use esp::describe::{describe, Inner};
use esp::encap::{demux, Demuxed};
use esp::{InboundSa, Mode, SaParams};
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::{EncrId, IntegId};

const PACKETS: &str = include_str!("data/wireshark_ipsec_example2_esp.txt");
const ESP_SA: &str = include_str!("data/wireshark_ipsec_example2_esp_sa");

struct Key {
    spi: u32,
    encr: EncrId,
    encr_key: Vec<u8>,
    integ: IntegId,
    integ_key: Vec<u8>,
}

/// Reads the few columns of Wireshark's esp_sa format that this capture uses.
fn keys() -> Vec<Key> {
    ESP_SA
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(|c| c.trim_matches('"')).collect();
            let hexkey = |s: &str| hex::decode(s.trim_start_matches("0x")).unwrap();
            let encr = match f[4] {
                s if s.starts_with("AES-GCM") => EncrId::AesGcm16,
                s if s.starts_with("AES-CTR") => EncrId::AesCtr,
                s if s.starts_with("AES-CBC") => EncrId::AesCbc,
                s => panic!("unexpected {s}"),
            };
            let (integ, integ_key) = match f[6] {
                "NULL" => (IntegId::None, vec![]),
                s if s.starts_with("HMAC-SHA-256-128") => (IntegId::HmacSha2_256_128, hexkey(f[7])),
                s => panic!("unexpected {s}"),
            };
            Key {
                spi: u32::from_str_radix(f[3].trim_start_matches("0x"), 16).unwrap(),
                encr,
                encr_key: hexkey(f[5]),
                integ,
                integ_key,
            }
        })
        .collect()
}

fn params(k: &Key) -> SaParams<'_> {
    // AES-GCM and AES-CTR keying material carries 4 octets of salt / nonce after the key.
    let key_octets = match k.encr {
        EncrId::AesCbc => k.encr_key.len(),
        _ => k.encr_key.len() - 4,
    };
    SaParams {
        mode: Mode::Tunnel,
        ..SaParams::cipher_integ(
            k.spi,
            k.encr,
            Some((key_octets * 8) as u16),
            &k.encr_key,
            k.integ,
            &k.integ_key,
        )
    }
}

fn packets() -> Vec<(u32, Vec<u8>)> {
    PACKETS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().unwrap(), hex::decode(f[3]).unwrap())
        })
        .collect()
}

#[test]
fn every_capture_packet_opens() {
    let keys = keys();
    assert_eq!(keys.len(), 6);
    let mut sas: Vec<InboundSa> = keys
        .iter()
        .map(|k| InboundSa::new(&PROVIDER, &params(k)).unwrap())
        .collect();
    let tunnel_net = |a: Ipv4Addr| a.octets()[..3] == [192, 168, 225];
    let packets = packets();
    assert_eq!(packets.len(), 24);
    for (frame, mut udp_payload) in packets {
        let Demuxed::Esp(range) = demux(&udp_payload).unwrap() else {
            panic!("frame {frame} is not ESP")
        };
        let esp = &mut udp_payload[range];
        let spi = u32::from_be_bytes(esp[..4].try_into().unwrap());
        let sa = sas.iter_mut().find(|s| s.spi() == spi).unwrap();
        let opened = sa
            .open(esp)
            .unwrap_or_else(|e| panic!("frame {frame}: {e}"));
        assert_eq!(opened.next_header, 4, "frame {frame}");
        let inner = &esp[opened.payload.clone()];
        // An IPv4 ICMP echo (request or reply) inside the tunnel network.
        assert_eq!(inner[0] >> 4, 4);
        assert_eq!(inner[9], 1, "frame {frame}: ICMP");
        assert_eq!(
            usize::from(u16::from_be_bytes([inner[2], inner[3]])),
            inner.len()
        );
        let src = Ipv4Addr::new(inner[12], inner[13], inner[14], inner[15]);
        let dst = Ipv4Addr::new(inner[16], inner[17], inner[18], inner[19]);
        assert!(
            tunnel_net(src) && tunnel_net(dst),
            "frame {frame}: {src} > {dst}"
        );
        assert!(
            matches!(inner[20], 0 | 8),
            "frame {frame}: echo reply or request"
        );
    }
    for sa in &sas {
        assert_eq!(sa.counters().packets, 4, "SPI {:#x}", sa.spi());
        assert_eq!(sa.window().top(), 4);
    }
}

#[test]
fn describe_reports_inner_packet_and_failures() {
    let keys = keys();
    let packets = packets();
    let (_, pkt) = &packets[0];
    let k = keys.iter().find(|k| k.spi == 0xac0f_af03).unwrap();
    let d = describe(&PROVIDER, pkt, &params(k));
    assert_eq!((d.spi, d.seq), (0xac0f_af03, 1));
    match d.inner {
        Ok(Inner::Ip {
            protocol: 1, len, ..
        }) => assert_eq!(len, 84),
        other => panic!("{other:?}"),
    }
    let text = d.to_string();
    assert!(
        text.contains("IP proto 1") && text.contains("192.168.225.1"),
        "{text}"
    );

    let mut bad = pkt.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let d = describe(&PROVIDER, &bad, &params(k));
    assert_eq!(d.inner, Err(esp::Error::AuthenticationFailed));
    assert!(d.to_string().contains("integrity check failed"));
}
