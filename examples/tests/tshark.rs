//! Differential test against Wireshark: for every capture, what `ikev2-decode`
//! reports equals what `tshark` dissects, frame by frame.
//!
//! Compared for IKEv2: SPIs, exchange type, message ID, Initiator and
//! Response flags, the outer payload chain (types in order), each Notify's
//! type, each KE's group, each SKF's fragment number and total, and every
//! SA transform (proposal number and protocol, type, ID, key length). For IKEv1:
//! the version, cookies and exchange type. ESP-in-UDP: SPI and sequence
//! number. NAT-keepalives: present in both. Every frame one side reports
//! must be reported by the other.
//!
//! With the captures' `ikev2_decryption_table` given to both, the decrypted
//! inner chains of SK messages and of reassembled SKF messages (payload
//! types and notify types) must agree too.
//!
//! One tshark run per capture file (and one more per key table). The test fails (never skips) when
//! tshark is missing; `scripts/test.sh` installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;

use common::{as_list, layers, num, parse_num, text, tshark_json, tshark_json_with, CAPTURES};
use ikev2_examples::decode::{Body, Decoder, Detail, Ikev2Summary, PayloadSummary, Record};
use ikev2_examples::keys::Ikev2KeyTable;
use ikev2_examples::openers::Ikev2Opener;
use serde_json::Value;

/// What tshark says a frame holds, reduced to the compared fields.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Ikev2 {
        spi_i: String,
        spi_r: String,
        exchange: u64,
        message_id: u64,
        initiator: bool,
        response: bool,
        payloads: Vec<u64>,
        notifies: Vec<u64>,
        ke_groups: Vec<u64>,
        fragments: Vec<(u64, u64)>,
        /// (proposal number, protocol, transform type, transform ID, key length).
        transforms: Vec<(u64, u64, u64, u64, Option<u64>)>,
    },
    Ikev1 {
        major: u64,
        spi_i: String,
        spi_r: String,
        exchange: u64,
    },
    Esp {
        spi: u64,
        seq: u64,
    },
    NatKeepalive,
}

fn spi(s: &str) -> String {
    s.replace(':', "")
}

fn flag(v: &Value, f: &str) -> bool {
    matches!(
        v["isakmp.flags_tree"][f].as_str(),
        Some("1" | "True" | "true")
    )
}

fn from_tshark(isakmp: &Value) -> Seen {
    let major = parse_num(text(&isakmp["isakmp.version_tree"], "isakmp.mjver"));
    let spi_i = spi(text(isakmp, "isakmp.ispi"));
    let spi_r = spi(text(isakmp, "isakmp.rspi"));
    let exchange = num(isakmp, "isakmp.exchangetype");
    if major != 2 {
        return Seen::Ikev1 {
            major,
            spi_i,
            spi_r,
            exchange,
        };
    }
    let payloads: Vec<u64> = as_list(&isakmp["isakmp.typepayload"])
        .into_iter()
        .map(|v| parse_num(v.as_str().unwrap()))
        .collect();
    let trees = as_list(&isakmp["isakmp.typepayload_tree"]);
    assert_eq!(
        trees.len(),
        payloads.len(),
        "tshark payload trees: {isakmp}"
    );
    let mut notifies = Vec::new();
    let mut ke_groups = Vec::new();
    let mut fragments = Vec::new();
    let mut transforms = Vec::new();
    for (ty, tree) in payloads.iter().zip(&trees) {
        match ty {
            33 => {
                for prop in as_list(&tree["isakmp.typepayload_tree"]) {
                    let number = num(prop, "isakmp.prop.number");
                    let protocol = num(prop, "isakmp.prop.protoid");
                    for tf in as_list(&prop["isakmp.typepayload_tree"]) {
                        let id = tf
                            .as_object()
                            .unwrap()
                            .iter()
                            .find(|(k, _)| k.starts_with("isakmp.tf.id"))
                            .map(|(_, v)| parse_num(v.as_str().unwrap()))
                            .unwrap_or_else(|| panic!("no transform id in {tf}"));
                        let mut kl = Vec::new();
                        common::find_all(tf, "isakmp.ike2.attr.key_length", &mut kl);
                        let key_length = kl.first().map(|v| parse_num(v.as_str().unwrap()));
                        transforms.push((
                            number,
                            protocol,
                            num(tf, "isakmp.tf.type"),
                            id,
                            key_length,
                        ));
                    }
                }
            }
            41 => notifies.push(num(tree, "isakmp.notify.msgtype")),
            34 => ke_groups.push(num(tree, "isakmp.key_exchange.dh_group")),
            53 => fragments.push((
                num(tree, "isakmp.frag.number"),
                num(tree, "isakmp.frag.total"),
            )),
            _ => {}
        }
    }
    Seen::Ikev2 {
        spi_i,
        spi_r,
        exchange,
        message_id: num(isakmp, "isakmp.messageid"),
        initiator: flag(isakmp, "isakmp.flag_i"),
        response: flag(isakmp, "isakmp.flag_r"),
        payloads,
        notifies,
        ke_groups,
        fragments,
        transforms,
    }
}

fn from_decoder_ikev2(m: &Ikev2Summary) -> Seen {
    let mut notifies = Vec::new();
    let mut ke_groups = Vec::new();
    let mut fragments = Vec::new();
    let mut transforms = Vec::new();
    for p in &m.payloads {
        match &p.detail {
            Detail::Sa { proposals } => {
                for prop in proposals {
                    for t in &prop.transforms {
                        transforms.push((
                            u64::from(prop.number),
                            u64::from(prop.protocol_value),
                            u64::from(t.type_value),
                            u64::from(t.id_value),
                            t.key_length.map(u64::from),
                        ));
                    }
                }
            }
            Detail::Notify { notify_type, .. } => notifies.push(u64::from(*notify_type)),
            Detail::Ke { group_value, .. } => ke_groups.push(u64::from(*group_value)),
            Detail::Skf {
                fragment_number,
                total_fragments,
                ..
            } => fragments.push((u64::from(*fragment_number), u64::from(*total_fragments))),
            _ => {}
        }
    }
    Seen::Ikev2 {
        spi_i: m.spi_i.clone(),
        spi_r: m.spi_r.clone(),
        exchange: u64::from(m.exchange_type),
        message_id: u64::from(m.message_id),
        initiator: m.initiator,
        response: m.response,
        payloads: m.payloads.iter().map(|p| u64::from(p.type_value)).collect(),
        notifies,
        ke_groups,
        fragments,
        transforms,
    }
}

fn from_decoder(r: &Record) -> Option<Seen> {
    Some(match &r.body {
        Body::Ikev2(m) => from_decoder_ikev2(m),
        Body::Ikev1(m) => Seen::Ikev1 {
            major: u64::from(m.version.as_bytes()[0] - b'0'),
            spi_i: m.spi_i.clone(),
            spi_r: m.spi_r.clone(),
            exchange: u64::from(m.exchange_type),
        },
        Body::Esp(e) => Seen::Esp {
            spi: parse_num(&e.spi),
            seq: u64::from(e.seq),
        },
        Body::NatKeepalive => Seen::NatKeepalive,
        _ => return None,
    })
}

/// tshark's view of one capture: frame number -> what it holds.
fn tshark_view(rel: &str) -> BTreeMap<u64, Seen> {
    let mut out = BTreeMap::new();
    for pkt in tshark_json(&common::testdata(rel), "frame udpencap isakmp esp") {
        let l = layers(&pkt);
        let frame = num(&l["frame"], "frame.number");
        let seen = if !l["isakmp"].is_null() {
            // One IKE message per datagram in these captures.
            assert!(
                !l["isakmp"].is_array(),
                "{rel} frame {frame}: nested ISAKMP"
            );
            from_tshark(&l["isakmp"])
        } else if !l["esp"].is_null() {
            Seen::Esp {
                spi: num(&l["esp"], "esp.spi"),
                seq: num(&l["esp"], "esp.sequence"),
            }
        } else if !l["udpencap"]["udpencap.nat_keepalive"].is_null() {
            Seen::NatKeepalive
        } else {
            continue;
        };
        out.insert(frame, seen);
    }
    out
}

#[test]
fn decoder_agrees_with_tshark_on_every_capture() {
    let mut compared = BTreeMap::new();
    let mut transforms = 0;
    for rel in CAPTURES {
        let file = common::read_testdata(rel);
        let ours: BTreeMap<u64, Seen> = Decoder::new()
            .decode_capture(&file)
            .unwrap()
            .iter()
            .filter_map(|r| from_decoder(r).map(|s| (r.frame, s)))
            .collect();
        let theirs = tshark_view(rel);
        for (frame, t) in &theirs {
            let o = ours.get(frame).unwrap_or_else(|| {
                panic!("{rel} frame {frame}: tshark sees {t:?}, decoder nothing")
            });
            assert_eq!(
                o, t,
                "{rel} frame {frame}: decoder (left) vs tshark (right)"
            );
            if let Seen::Ikev2 { transforms: tf, .. } = t {
                transforms += tf.len();
            }
        }
        for frame in ours.keys() {
            assert!(
                theirs.contains_key(frame),
                "{rel} frame {frame}: decoder reports {:?}, tshark nothing",
                ours[frame]
            );
        }
        compared.insert(*rel, theirs.len());
    }
    // Every capture contributed, and the total is what the captures hold
    // (IKE messages, ESP packets and keepalives; see captures.rs).
    assert!(compared.values().all(|&n| n > 0), "{compared:?}");
    // The plaintext SA payloads of the captures hold 96 transforms.
    assert_eq!(transforms, 96);
    assert_eq!(compared.values().sum::<usize>(), 86 + 24 + 46 + 4);
}

/// (payload types, notify types) of a chain as the decoder shows it.
fn chain_of(list: &[PayloadSummary]) -> (Vec<u64>, Vec<u64>) {
    let types = list.iter().map(|p| u64::from(p.type_value)).collect();
    let notifies = list
        .iter()
        .filter_map(|p| match &p.detail {
            Detail::Notify { notify_type, .. } => Some(u64::from(*notify_type)),
            _ => None,
        })
        .collect();
    (types, notifies)
}

/// (payload types, notify types) of the chain tshark decrypted from an SK payload.
fn tshark_inner(isakmp: &Value) -> Option<(Vec<u64>, Vec<u64>)> {
    let last = as_list(&isakmp["isakmp.typepayload"]).into_iter().last()?;
    let tree = as_list(&isakmp["isakmp.typepayload_tree"])
        .into_iter()
        .last()?;
    // SK: the decrypted chain; SKF: the chain Wireshark reassembled, shown
    // on the fragment that completed the set.
    let contained = match last.as_str() {
        Some("46") => &tree["isakmp.enc.decrypted"]["isakmp.enc.contained"],
        Some("53") => tree,
        _ => return None,
    };
    if contained["isakmp.typepayload"].is_null() {
        return None;
    }
    let types: Vec<u64> = as_list(&contained["isakmp.typepayload"])
        .into_iter()
        .map(|v| parse_num(v.as_str().unwrap()))
        .collect();
    let trees = as_list(&contained["isakmp.typepayload_tree"]);
    let notifies = types
        .iter()
        .zip(trees)
        .filter(|(t, _)| **t == 41)
        .map(|(_, tree)| num(tree, "isakmp.notify.msgtype"))
        .collect();
    Some((types, notifies))
}

#[test]
fn decrypted_sk_and_reassembled_skf_chains_agree_with_tshark() {
    // Both sides get the same ikev2_decryption_table: Wireshark decrypts
    // with its own code, the decoder with ikev2-crypto through its hook.
    let mut compared = 0;
    for (cap, keys) in [
        (
            "wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.pcapng",
            "wireshark-wiki/ikev2-natt-aes-gcm-ctr-cbc.ikev2_decryption_table",
        ),
        (
            "strongswan/lab-rsa-frag-psk-ecdsa.pcap",
            "strongswan/lab-rsa-frag-psk-ecdsa.ikev2_decryption_table",
        ),
    ] {
        let table_text = common::read_testdata(keys);
        let table = Ikev2KeyTable::parse(std::str::from_utf8(&table_text).unwrap()).unwrap();
        let records = Decoder::new()
            .with_opener(Box::new(Ikev2Opener::new(table)))
            .decode_capture(&common::read_testdata(cap))
            .unwrap();
        let theirs = tshark_json_with(
            &common::testdata(cap),
            "frame isakmp",
            &[("ikev2_decryption_table", &table_text)],
        );
        for pkt in &theirs {
            let l = layers(pkt);
            let frame = num(&l["frame"], "frame.number");
            let Some(t) = tshark_inner(&l["isakmp"]) else {
                continue;
            };
            let r = records.iter().find(|r| r.frame == frame).unwrap();
            let Body::Ikev2(m) = &r.body else {
                panic!("{cap} frame {frame}: {r:?}")
            };
            let sk = m.payloads.last().unwrap();
            assert!(sk.ty == "SK" || sk.ty == "SKF", "{cap} frame {frame}");
            let inner = sk
                .inner
                .as_ref()
                .unwrap_or_else(|| panic!("{cap} frame {frame}: not decrypted: {sk:?}"));
            assert_eq!(
                chain_of(inner),
                t,
                "{cap} frame {frame}: decoder (left) vs tshark"
            );
            compared += 1;
        }
    }
    // 24 SK messages in the wiki capture; in the strongSwan capture the SK
    // messages and reassembled SKF pairs whose IKE SA is in its table.
    // 24 + 6 SK messages and the 2 reassembled IKE_AUTH fragment pairs.
    assert_eq!(compared, 32);
}
