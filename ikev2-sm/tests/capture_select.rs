//! Proposal selection against a real IKE_SA_INIT exchange.
//!
//! Source: Wireshark wiki sample "IPsec Example 2" (Matthias St. Pierre, 2021,
//! `ikev2_esp_natt_aes-gcm-ctr-cbc`), frames 1 and 2: a NAT'd client's
//! IKE_SA_INIT request and the gateway's response, on UDP 4500 (the 4-octet
//! non-ESP marker removed below). Transcribed as hex.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_sm::proposal::{parse_proposals, select_with_ke, KeDecision, SelectionPolicy};
use ikev2_sm::wire::{proposals_from_sa, sa_from_proposals};
use ikev2_wire::{KeId, MessageRepr, PayloadBody, ProtocolId, SaRepr};

const REQUEST: &str = concat!(
    "89922c915f35570e000000000000000021202208000000000000012c2200002800000024010100030300000c01000014",
    "800e0100030000080200000500000008040000132800004800130000db253178440ce776a794133cb8b69e5eb0747335",
    "36570c64d7b630549c899c0712d828b37168500885e051024578afc75c101f73b8943cad62d74a30f2be1fca2b00002c",
    "09cb538b2c3dbd4d0bb0eec8d318cb801a9b4715b207828d9b5ff1f4ec64ed58863707bcf14ccf052b000014eb4c1b78",
    "8afd4a9cb7730a68d56c53212b000014c61baca1f1a60cc108000000000000002b0000184048b7d56ebce88525e7de7f",
    "00d6c2d3c0000000290000144048b7d56ebce88525e7de7f00d6c2d3290000080000402e290000080000401600000010",
    "0000402f0001000200030004",
);

const RESPONSE: &str = concat!(
    "89922c915f35570e98d56d32e2a047422120222000000000000001312200002800000024010100030300000c01000014",
    "800e01000300000802000005000000080400001328000048001300001d9cd5974c950c95e0544483fb1f7a9132f5fe89",
    "59c09ab3a54c779ff2bcf4522a030dc33b9d5ddfeb99e028c0e8ba7d80dfdcf12b1516dbe180e6aec664428b2600002c",
    "1d107dc5a7463da7d761014139fb381af9cd3b8c0181e6cd36a8ae105e55aa7fe71f5db1d36c29152b000005042b0000",
    "184048b7d56ebce88525e7de7f00d6c2d3c00000002b0000144048b7d56ebce88525e7de7f00d6c2d32b000014c6f57a",
    "c398f493208145b7581e8789832900001485817703c6e320d2ae5a4dd02056c6d7290000080000402e29000010000040",
    "2f00010002000300040000000800004014",
);

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn sa_and_ke(msg: &MessageRepr<'_>) -> (SaRepr<'static>, Option<KeId>) {
    let mut sa = None;
    let mut ke = None;
    for p in &msg.payloads {
        match &p.body {
            PayloadBody::Sa(s) => sa = Some(sa_from_proposals(&proposals_from_sa(s))),
            PayloadBody::Ke(k) => ke = Some(k.group),
            _ => {}
        }
    }
    (sa.unwrap(), ke)
}

#[test]
fn we_select_what_the_real_gateway_selected() {
    let req_bytes = unhex(REQUEST);
    let resp_bytes = unhex(RESPONSE);
    let req = MessageRepr::parse(&req_bytes).unwrap();
    let resp = MessageRepr::parse(&resp_bytes).unwrap();
    let (offer, ke) = sa_and_ke(&req);
    let received = proposals_from_sa(&offer);
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].to_string(),
        "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256"
    );
    assert_eq!(ke, Some(KeId::Ecp256));

    // A responder configured like strongSwan's defaults accepts it without
    // an INVALID_KE_PAYLOAD round trip, as the gateway did.
    let local = parse_proposals(ProtocolId::Ike, "default").unwrap();
    let (selected, decision) =
        select_with_ke(&local, &received, ke, &SelectionPolicy::default()).unwrap();
    assert_eq!(decision, KeDecision::Accept(Some(KeId::Ecp256)));
    let (answer, _) = sa_and_ke(&resp);
    let gateway_choice = proposals_from_sa(&answer);
    assert_eq!(
        selected.proposal().transforms(),
        gateway_choice[0].transforms()
    );
    assert_eq!(selected.proposal().number, gateway_choice[0].number);
}

#[test]
fn refusal_explains_the_real_offer() {
    let req_bytes = unhex(REQUEST);
    let req = MessageRepr::parse(&req_bytes).unwrap();
    let received = proposals_from_sa(&sa_and_ke(&req).0);
    let local = parse_proposals(ProtocolId::Ike, "aes128gcm16-prfsha256-x25519").unwrap();
    let e = select_with_ke(
        &local,
        &received,
        Some(KeId::Ecp256),
        &SelectionPolicy::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains(
            "proposal 1: vs configured #1: ENCR AES_GCM_16_256 not in local set {AES_GCM_16_128}; \
         PRF ok (PRF_HMAC_SHA2_256); KE ECP_256 not in local set {CURVE_25519}"
        ),
        "{e}"
    );
    // With ECP-256 acceptable but X25519 preferred, strongSwan's rule still
    // selects ECP-256 (the only group offered): no INVALID_KE_PAYLOAD.
    let local = parse_proposals(ProtocolId::Ike, "aes256gcm16-prfsha256-x25519-ecp256").unwrap();
    let (_, d) = select_with_ke(
        &local,
        &received,
        Some(KeId::Ecp256),
        &SelectionPolicy::default(),
    )
    .unwrap();
    assert_eq!(d, KeDecision::Accept(Some(KeId::Ecp256)));
}
