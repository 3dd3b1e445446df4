//! The decryption hooks: an `SkOpener` gets each SK/SKF payload and the
//! decoder prints the inner chain it returns (reassembling SKF fragments);
//! an `EspOpener` gets each ESP packet that has an `esp_sa` entry.
//!
//! The openers here are stand-ins for the crypto back ends: the "ciphertext"
//! of the test messages is the plaintext itself, so the tests check the
//! plumbing, not cryptography.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::borrow::Cow;

use common::PcapWriter;
use ikev2_examples::decode::{
    Body, Decoder, EspInner, EspOpener, Opened, Record, SealedPayload, SkOpener,
};
use ikev2_examples::keys::{EspKeyTable, EspSaKeys};
use ikev2_wire::*;

/// Returns the SK/SKF data as if it were the decrypted plaintext.
struct Identity;

impl SkOpener for Identity {
    fn open(&self, s: &SealedPayload<'_>) -> Opened {
        let m = s.message;
        let len = usize::from(u16::from_be_bytes([
            m[s.payload_offset + 2],
            m[s.payload_offset + 3],
        ]));
        let end = s.payload_offset + len;
        // The SKF header has 4 more octets (number, total) than SK.
        let skf = payload_type_at(m, s.payload_offset) == 53;
        let start = s.payload_offset + if skf { 8 } else { 4 };
        Opened::Plaintext(m[start..end].to_vec())
    }
}

/// The type of the payload at `offset` (walk the chain from the header).
fn payload_type_at(m: &[u8], offset: usize) -> u8 {
    let mut ty = m[16];
    let mut pos = 28;
    while pos < offset {
        ty = m[pos];
        pos += usize::from(u16::from_be_bytes([m[pos + 2], m[pos + 3]]));
    }
    ty
}

/// Always reports an integrity failure.
struct BadIcv;

impl SkOpener for BadIcv {
    fn open(&self, _: &SealedPayload<'_>) -> Opened {
        Opened::IntegrityFailure
    }
}

fn header(exchange_type: ExchangeType, message_id: u32) -> HeaderRepr {
    HeaderRepr {
        spi_i: 0xaaaa,
        spi_r: 0xbbbb,
        version: 0x20,
        exchange_type,
        flags: FLAG_INITIATOR,
        message_id,
    }
}

/// An IKE_AUTH inner chain: IDi, AUTH, N(INITIAL_CONTACT), SA-less.
fn inner() -> Vec<PayloadRepr<'static>> {
    vec![
        PayloadRepr::new(PayloadBody::IdI(IdRepr::new(
            IdType::Fqdn,
            Cow::Borrowed(b"client.example"),
        ))),
        AuthRepr {
            method: AuthMethod::SharedKeyMessageIntegrityCode,
            reserved: [0; 3],
            data: Cow::Owned(vec![0x42; 32]),
        }
        .into(),
        NotifyRepr::new(NotifyType::InitialContact, &NotifyData::None)
            .unwrap()
            .into(),
    ]
}

fn decode(frames: &[Vec<u8>], decoder: Decoder) -> Vec<Record> {
    let mut pcap = PcapWriter::new();
    for f in frames {
        pcap.udp(500, 500, f);
    }
    let mut d = decoder;
    d.decode_capture(&pcap.into_bytes()).unwrap()
}

fn types(list: &[ikev2_examples::decode::PayloadSummary]) -> Vec<&str> {
    list.iter().map(|p| p.ty.as_str()).collect()
}

#[test]
fn sk_payload_is_opened_and_its_inner_chain_printed() {
    let chain = inner();
    let mut plain = vec![0; chain_len(&chain)];
    emit_chain(&chain, &mut plain).unwrap();
    let msg = MessageRepr {
        header: header(ExchangeType::IkeAuth, 1),
        payloads: vec![SkRepr {
            first_inner: first_type(&chain),
            data: Cow::Owned(plain),
        }
        .into()],
    }
    .to_vec()
    .unwrap();
    let records = decode(
        std::slice::from_ref(&msg),
        Decoder::new().with_opener(Box::new(Identity)),
    );
    let Body::Ikev2(m) = &records[0].body else {
        panic!()
    };
    let sk = &m.payloads[0];
    assert_eq!(sk.ty, "SK");
    assert_eq!(types(sk.inner.as_ref().unwrap()), ["IDi", "AUTH", "N"]);
    assert_eq!(sk.decrypt, None);
    let text = ikev2_examples::decode::render_text(&records[0]);
    assert!(
        text.contains("\n        IDi ID_FQDN client.example"),
        "{text}"
    );

    let records = decode(&[msg], Decoder::new().with_opener(Box::new(BadIcv)));
    let Body::Ikev2(m) = &records[0].body else {
        panic!()
    };
    assert_eq!(m.payloads[0].inner, None);
    assert_eq!(m.payloads[0].decrypt.as_deref(), Some("ICV check failed"));
}

#[test]
fn skf_fragments_are_reassembled_in_any_order() {
    let chain = inner();
    let mut plain = vec![0; chain_len(&chain)];
    emit_chain(&chain, &mut plain).unwrap();
    let third = plain.len() / 3;
    let pieces = [
        &plain[..third],
        &plain[third..2 * third],
        &plain[2 * third..],
    ];
    let frag = |n: u16| {
        MessageRepr {
            header: header(ExchangeType::IkeAuth, 1),
            payloads: vec![SkfRepr {
                first_inner: if n == 1 {
                    first_type(&chain)
                } else {
                    PayloadType::NoNextPayload
                },
                fragment_number: n,
                total_fragments: 3,
                data: Cow::Owned(pieces[usize::from(n) - 1].to_vec()),
            }
            .into()],
        }
        .to_vec()
        .unwrap()
    };
    let records = decode(
        &[frag(2), frag(1), frag(3)],
        Decoder::new().with_opener(Box::new(Identity)),
    );
    let skf: Vec<_> = records
        .iter()
        .map(|r| match &r.body {
            Body::Ikev2(m) => m.payloads[0].clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(skf[0].inner, None);
    assert_eq!(skf[1].inner, None);
    assert!(skf[0]
        .decrypt
        .as_deref()
        .unwrap()
        .starts_with("decrypted fragment 2/3"));
    assert_eq!(types(skf[2].inner.as_ref().unwrap()), ["IDi", "AUTH", "N"]);
    assert_eq!(
        skf[2].decrypt.as_deref(),
        Some("reassembled from 3 fragments")
    );
}

struct FakeEsp;

impl EspOpener for FakeEsp {
    fn open(&self, sa: &EspSaKeys, packet: &[u8]) -> Result<EspInner, String> {
        if sa.encr_key.expose() == b"bad" {
            return Err("ICV check failed".to_owned());
        }
        Ok(EspInner {
            next_header: 4,
            protocol: 1,
            src: Some("10.0.0.1".to_owned()),
            dst: Some("10.0.0.2".to_owned()),
            len: packet.len() - 8,
        })
    }
}

#[test]
fn esp_opener_is_asked_only_for_packets_with_keys() {
    let keys = EspKeyTable::parse(concat!(
        "\"IPv4\",\"*\",\"*\",\"0x00000101\",\"NULL\",\"good\",\"NULL\",\"\"\n",
        "\"IPv4\",\"*\",\"*\",\"0x00000102\",\"NULL\",\"bad\",\"NULL\",\"\"\n",
    ))
    .unwrap();
    let mut pcap = PcapWriter::new();
    for spi in [0x101u32, 0x102, 0x103] {
        let pkt = [&spi.to_be_bytes()[..], &1u32.to_be_bytes(), &[0u8; 24]].concat();
        pcap.udp(4500, 4500, &pkt);
    }
    let records = Decoder::new()
        .with_esp_keys(keys)
        .with_esp_opener(Box::new(FakeEsp))
        .decode_capture(&pcap.into_bytes())
        .unwrap();
    let esp: Vec<_> = records
        .iter()
        .map(|r| match &r.body {
            Body::Esp(e) => e.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(esp[0].inner.as_ref().map(|i| i.len), Some(24));
    assert_eq!(esp[1].decrypt.as_deref(), Some("ICV check failed"));
    assert_eq!(
        (
            esp[2].keys,
            esp[2].inner.is_none(),
            esp[2].decrypt.is_none()
        ),
        (Some(false), true, true)
    );
}
