//! The key-table parsers on the key files that come with the captures
//! (Wireshark wiki "IPsec Example 2" and our strongSwan lab capture), and
//! the decoder's key lookup over those captures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use ikev2_examples::decode::{Body, Decoder};
use ikev2_examples::keys::{AddrMatch, EspAuthAlg, EspKeyTable, Ikev2KeyTable};
use ikev2_wire::{EncrId, IntegId};

fn text(rel: &str) -> String {
    String::from_utf8(common::read_testdata(rel)).unwrap()
}

#[test]
fn wireshark_wiki_ikev2_table() {
    let t = Ikev2KeyTable::parse(&text(
        "wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.ikev2_decryption_table",
    ))
    .unwrap();
    assert_eq!(t.sas.len(), 3);
    // The readme's three connections: AES-GCM-256 (no integrity),
    // AES-CTR-256 and AES-CBC-256 each with HMAC-SHA2-256-128.
    let algs: Vec<_> = t
        .sas
        .iter()
        .map(|s| (s.encr.map(|e| (e.id, e.key_bits)), s.integ))
        .collect();
    assert_eq!(
        algs,
        [
            (Some((EncrId::AesGcm16, Some(256))), Some(IntegId::None)),
            (
                Some((EncrId::AesCtr, Some(256))),
                Some(IntegId::HmacSha2_256_128)
            ),
            (
                Some((EncrId::AesCbc, Some(256))),
                Some(IntegId::HmacSha2_256_128)
            ),
        ]
    );
    let gcm = &t.sas[0];
    assert_eq!(gcm.spi_i, 0x8992_2c91_5f35_570e_u64.to_be_bytes());
    assert_eq!(gcm.spi_r, 0x98d5_6d32_e2a0_4742_u64.to_be_bytes());
    // AES-256 key plus the 4-octet salt (RFC 5282), no integrity keys.
    assert_eq!((gcm.sk_ei.len(), gcm.sk_er.len()), (36, 36));
    assert!(gcm.sk_ai.is_empty() && gcm.sk_ar.is_empty());
    assert_eq!(&gcm.sk_ei.expose()[..4], &[0xf4, 0x9c, 0x0d, 0x53]);
    // AES-CTR-256: key plus 4-octet nonce; SHA2-256 integrity keys of 32.
    assert_eq!((t.sas[1].sk_ei.len(), t.sas[1].sk_ai.len()), (36, 32));
    assert_eq!((t.sas[2].sk_ei.len(), t.sas[2].sk_ai.len()), (32, 32));
    // Keys never print.
    let dbg = format!("{t:?}");
    assert!(
        !dbg.contains("f49c0d53") && dbg.contains("redacted"),
        "{dbg}"
    );
}

#[test]
fn wireshark_wiki_esp_table() {
    let t = EspKeyTable::parse(&text("wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.esp_sa")).unwrap();
    assert_eq!(t.sas.len(), 6);
    let gcm = &t.sas[0];
    assert_eq!(gcm.spi, Some(0xc1a9_656b));
    assert_eq!((gcm.src, gcm.dst), (AddrMatch::Any, AddrMatch::Any));
    assert_eq!(
        gcm.encr.map(|e| (e.id, e.icv_len)),
        Some((EncrId::AesGcm16, Some(16)))
    );
    assert_eq!(gcm.encr_key.len(), 20); // AES-128 key + salt
    assert_eq!(gcm.auth, Some(EspAuthAlg::Integ(IntegId::None)));
    let cbc = &t.sas[4];
    assert_eq!(cbc.encr.map(|e| e.id), Some(EncrId::AesCbc));
    assert_eq!(cbc.auth, Some(EspAuthAlg::Integ(IntegId::HmacSha2_256_128)));
    assert_eq!((cbc.encr_key.len(), cbc.auth_key.len()), (16, 32));
}

#[test]
fn strongswan_tables() {
    let t = Ikev2KeyTable::parse(&text(
        "strongswan/lab-rsa-frag-psk-ecdsa.ikev2_decryption_table",
    ))
    .unwrap();
    assert_eq!(t.sas.len(), 3);
    assert!(t.sas.iter().all(|s| s.encr.is_some() && s.integ.is_some()));
    let e = EspKeyTable::parse(&text("strongswan/lab-rsa-frag-psk-ecdsa.esp_sa")).unwrap();
    assert_eq!(e.sas.len(), 4);
    let first = &e.sas[0];
    assert_eq!(first.spi, Some(0xe31f_669a));
    assert!(first.src.matches("10.200.0.1".parse().unwrap()));
    assert!(!first.src.matches("10.200.0.2".parse().unwrap()));
    assert_eq!(first.encr_key.len(), 32);
}

#[test]
fn wireshark_wiki_ipsec_example_1_style_lines() {
    // Lines in the style of Wireshark wiki "IPsec Example 1" (2006): decimal
    // SPIs, ASCII keys, IPv6, NULL algorithms, wildcard SPI.
    let t = EspKeyTable::parse(concat!(
        "# comment\n",
        "\"IPv6\",\"3ffe::1\",\"3ffe::2\",\"10\",\"AES-CBC [RFC3602]\",\"aescbcencryption\",",
        "\"HMAC-SHA-1-96 [RFC2404]\",\"hmacsha1authenticati\"\n",
        "\"IPv4\",\"10.0.0.1\",\"10.0.0.2\",\"*\",\"NULL\",\"\",\"NULL\",\"\"\n",
    ))
    .unwrap();
    let v6 = &t.sas[0];
    assert_eq!(v6.spi, Some(10));
    assert_eq!(v6.encr_key.expose(), b"aescbcencryption");
    assert_eq!(v6.auth, Some(EspAuthAlg::Integ(IntegId::HmacSha1_96)));
    let found = t.find("3ffe::1".parse().unwrap(), "3ffe::2".parse().unwrap(), 10);
    assert_eq!(found.map(|s| s.spi), Some(Some(10)));
    assert!(t
        .find("3ffe::1".parse().unwrap(), "3ffe::2".parse().unwrap(), 11)
        .is_none());
    let any_spi = t.find("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap(), 77);
    assert_eq!(
        any_spi.map(|s| s.encr.map(|e| e.id)),
        Some(Some(EncrId::Null))
    );
}

#[test]
fn decoder_finds_keys_for_every_encrypted_message_and_esp_packet() {
    let ike = Ikev2KeyTable::parse(&text(
        "wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.ikev2_decryption_table",
    ))
    .unwrap();
    let esp =
        EspKeyTable::parse(&text("wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.esp_sa")).unwrap();
    let records = Decoder::new()
        .with_ikev2_keys(ike)
        .with_esp_keys(esp)
        .decode_capture(ikev2_examples::DEFAULT_CAPTURE)
        .unwrap();
    let mut sk = 0;
    let mut esp_n = 0;
    let mut spis = BTreeSet::new();
    for r in &records {
        match &r.body {
            Body::Ikev2(m) if m.is_encrypted() => {
                assert_eq!(m.keys, Some(true), "frame {}", r.frame);
                sk += 1;
            }
            Body::Ikev2(m) => assert_eq!(m.keys, None),
            Body::Esp(e) => {
                assert_eq!(e.keys, Some(true), "frame {}", r.frame);
                spis.insert(e.spi.clone());
                esp_n += 1;
            }
            _ => {}
        }
    }
    // The collection's index: 24 SK messages and 24 ESP packets, 6 ESP SAs.
    assert_eq!((sk, esp_n, spis.len()), (24, 24, 6));
}
