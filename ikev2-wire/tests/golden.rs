//! Golden vectors: real IKEv2 messages from public sources, parsed into the
//! expected field values and re-emitted byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::Ipv4Addr;

use ikev2_wire::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Parses, checks the round trip through both the view and the repr, returns the repr.
fn round_trip(bytes: &[u8]) -> MessageRepr<'_> {
    let view = Message::parse(bytes).unwrap();
    let repr = view.to_repr().unwrap();
    assert_eq!(repr.buffer_len(), bytes.len());
    assert_eq!(repr.to_vec().unwrap(), bytes);
    repr
}

/// tcpdump `tests/ikev2four.pcap` frame 1 (the-tcpdump-group/tcpdump @ 39b50f76),
/// IKE_SA_INIT request; expected values from tcpdump's `ikev2four.out`.
const IKEV2FOUR_F1: &str = "
a88875a8198992a6000000000000000021202208000000000000017822000078000000740101000c0300000c0100000c
800e00800300000c0100000c800e01000300000c0100000c800e00c00300000801000003030000080200000203000008
020000010300000802000004030000080300000203000008030000010300000803000005030000080400000200000008
0400000e2800008800020000b5445bd60cece6fdcd3c96a52cbb7bb426a8c7a0f56a9c38d1b1c4f0c3a6e8e7dba5c733
9b6ed02e757119dfb5b6933ce93b604987fbbc77221b2a0c7cdd32787eff10572bef546c361462f9da34847969a42e51
c755996beac42e6fba961a75de0fc1b23f099380896ee89202122dedac1bd54aa8494ac3d740be4d2a4cf39d29000024
6128ebd023a864e94a7ffb74bf7cce2fd4367322b8b073f942282bd52ebfe3e62900001c00004004442ffe5aea0cee4d
bacc758e801233bdc09a0abf0000001c00004005ba041b5de59955900d818ac54e18b236739d9e8b";

#[test]
fn tcpdump_ikev2four_ike_sa_init_request() {
    let bytes = hex(IKEV2FOUR_F1);
    let m = round_trip(&bytes);
    assert_eq!(m.header.spi_i, 0xa888_75a8_1989_92a6);
    assert_eq!(m.header.spi_r, 0);
    assert_eq!(m.header.exchange_type, ExchangeType::IkeSaInit);
    assert_eq!(m.header.message_id, 0);
    assert_eq!(m.header.flags, FLAG_INITIATOR);
    let types: Vec<_> = m.payloads.iter().map(PayloadRepr::payload_type).collect();
    use PayloadType as P;
    assert_eq!(
        types,
        [
            P::SecurityAssociation,
            P::KeyExchange,
            P::Nonce,
            P::Notify,
            P::Notify
        ]
    );

    let PayloadBody::Sa(sa) = &m.payloads[0].body else {
        panic!()
    };
    assert_eq!(sa.proposals.len(), 1);
    let p = &sa.proposals[0];
    assert_eq!(
        (p.number, p.protocol_id, p.transforms.len()),
        (1, ProtocolId::Ike, 12)
    );
    // "(t: #1 type=encr id=aes (type=keylen value=0080))" ... "(t: #12 type=dh id=modp2048)"
    let ids: Vec<_> = p
        .transforms
        .iter()
        .map(|t| (t.id(), t.key_length()))
        .collect();
    use TransformId as T;
    assert_eq!(
        ids,
        [
            (T::Encr(EncrId::AesCbc), Some(128)),
            (T::Encr(EncrId::AesCbc), Some(256)),
            (T::Encr(EncrId::AesCbc), Some(192)),
            (T::Encr(EncrId::TripleDes), None),
            (T::Prf(PrfId::HmacSha1), None),
            (T::Prf(PrfId::HmacMd5), None),
            (T::Prf(PrfId::Aes128Xcbc), None),
            (T::Integ(IntegId::HmacSha1_96), None),
            (T::Integ(IntegId::HmacMd5_96), None),
            (T::Integ(IntegId::AesXcbc96), None),
            (T::Ke(KeId::Modp1024), None),
            (T::Ke(KeId::Modp2048), None),
        ]
    );
    // "(v2ke: len=128 group=modp1024)"
    let PayloadBody::Ke(ke) = &m.payloads[1].body else {
        panic!()
    };
    assert_eq!((ke.group, ke.data.len()), (KeId::Modp1024, 128));
    // "(nonce: len=32 data=(6128ebd023a864e94a7f...))"
    let PayloadBody::Nonce(n) = &m.payloads[2].body else {
        panic!()
    };
    assert_eq!(n.data.len(), 32);
    assert_eq!(&n.data[..4], &[0x61, 0x28, 0xeb, 0xd0]);
    // "(n: prot_id=#0 type=16388(nat_detection_source_ip))", then 16389.
    let PayloadBody::Notify(nd) = &m.payloads[3].body else {
        panic!()
    };
    assert_eq!(nd.notify_type, NotifyType::NatDetectionSourceIp);
    let NotifyData::NatDetection(d) = nd.data().unwrap() else {
        panic!()
    };
    assert_eq!(d[..4], [0x44, 0x2f, 0xfe, 0x5a]);
    let PayloadBody::Notify(nd) = &m.payloads[4].body else {
        panic!()
    };
    assert_eq!(nd.notify_type, NotifyType::NatDetectionDestinationIp);
    assert!(Message::parse(&bytes).unwrap().encrypted().is_none());
}

/// tcpdump `tests/ikev2four.pcap` frame 2: the responder's COOKIE answer.
/// tcpdump: "(n: prot_id=#0 type=16390(cookie) data=(00000001c2221e50c16e123f2b0c71aefcf0cb3b798782c6))".
#[test]
fn tcpdump_ikev2four_cookie_response() {
    let bytes = hex(
        "a88875a8198992a6000000000000000029202220000000000000003c000000200000400600000001c2221e50c16e123f
         2b0c71aefcf0cb3b798782c6",
    );
    let m = round_trip(&bytes);
    assert!(m.header.flags & FLAG_RESPONSE != 0);
    let PayloadBody::Notify(n) = &m.payloads[0].body else {
        panic!()
    };
    assert_eq!(n.notify_type, NotifyType::Cookie);
    assert_eq!(
        n.data().unwrap(),
        NotifyData::Cookie(&hex("00000001c2221e50c16e123f2b0c71aefcf0cb3b798782c6"))
    );
}

/// RFC 7634 Appendix B: the complete 69-octet INFORMATIONAL message protected
/// with ChaCha20-Poly1305 (as transcribed in strongSwan's test_message_chapoly.c
/// @ 3b902ea5). The AAD it lists is header + SK generic header.
#[test]
fn rfc7634_ikev2_message_envelope() {
    let bytes = hex(
        "c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e2025000000000900000045290000291011121314151617610394701f8d017f
         7c129248896b71bfe25236efd7cdc67066906315b2",
    );
    assert_eq!(bytes.len(), 69);
    let view = Message::parse(&bytes).unwrap();
    let h = view.header();
    assert_eq!(h.spi_i, 0xc0c1_c2c3_c4c5_c6c7);
    assert_eq!(h.spi_r, 0xd0d1_d2d3_d4d5_d6d7);
    assert_eq!(h.exchange_type, ExchangeType::Informational);
    assert_eq!(h.message_id, 9);
    let sk = view.encrypted().unwrap();
    assert_eq!(sk.payload_type, PayloadType::EncryptedAndAuthenticated);
    assert_eq!(sk.first_inner, PayloadType::Notify);
    assert_eq!(sk.fragment, None);
    assert_eq!(sk.offset, 28);
    assert_eq!(
        sk.authenticated,
        &hex("c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e202500000000090000004529000029")[..]
    );
    // IV 1011121314151617 | ciphertext | tag
    assert_eq!(&sk.data[..8], &hex("1011121314151617")[..]);
    assert_eq!(
        &sk.data[sk.data.len() - 16..],
        &hex("6b71bfe25236efd7cdc67066906315b2")[..]
    );
    round_trip(&bytes);

    // Its plaintext "0000000c000040010000000a" + pad length 00: N(SET_WINDOW_SIZE) = 10.
    let plain = hex("0000000c000040010000000a");
    let inner = parse_inner_chain(sk.first_inner, &plain).unwrap();
    let PayloadBody::Notify(n) = &inner[0].body else {
        panic!()
    };
    assert_eq!(n.data().unwrap(), NotifyData::SetWindowSize(10));
    let mut out = vec![0; chain_len(&inner)];
    assert_eq!(emit_chain(&inner, &mut out).unwrap(), plain.len());
    assert_eq!(out, plain);
}

/// RUB-NDS IPsec-StateMachineExtractor IKEv2HandshakeIT.java @ 7f2b9693: a
/// recorded IKE_SA_INIT request (PSK, MODP-1024), and the decrypted inner
/// chains of its IKE_AUTH pair (decryption proven by the responder's ICV).
const RUB_MSG1: &str = "a150f12f598f9a0e00000000000000002120220800000000000000e8220000300000002c010100040300000c0100000c800e00800300000802000002030000080300000200000008040000022800008800020000fb7f97f9f4eca31f7ac9ba0516f8e616977bf606ab295295e6615ef91e8a15b4ad18940a448248ddf31c95415e5525050ee8803a084a0707733f8833eb9c5cdf1ad55062f06c234856d7a580ba883bc8d7a864175708d59bec0c3bcd21acc495ca5b311167be6245222c168417d4a613b3ca04f961d7335ad13073e2279f542e00000014828755ecab3d7b8c1a20126dbcb078b3";
const RUB_MSG3_INNER: &str = "2700000c010000000a0003012100001c02000000708985b9fcc1861ad1bbc25e2188cf724b798e092c00002c00000028010304032a85e1150300000c0100000c800e0080030000080300000200000008050000002d00001801000000070000100000ffff00000000ffffffff0000001801000000070000100000ffff00000000ffffffff";
const RUB_MSG4_INNER: &str = "2700000c010000000a00030a2100001c020000000a2bce7559cedd58b53626f7af4ad8bfd1becae12c00002c0000002801030403c2c80c110300000c0100000c800e0080030000080300000200000008050000002d00001801000000070000100000ffff0a0001000a0001ff0000001801000000070000100000ffff0a0002000a0002ff";

#[test]
fn rub_nds_ike_sa_init_request() {
    let bytes = hex(RUB_MSG1);
    let m = round_trip(&bytes);
    assert_eq!(m.header.spi_i, 0xa150_f12f_598f_9a0e);
    let PayloadBody::Sa(sa) = &m.payloads[0].body else {
        panic!()
    };
    let ids: Vec<_> = sa.proposals[0]
        .transforms
        .iter()
        .map(TransformRepr::id)
        .collect();
    assert_eq!(
        ids,
        [
            TransformId::Encr(EncrId::AesCbc),
            TransformId::Prf(PrfId::HmacSha1),
            TransformId::Integ(IntegId::HmacSha1_96),
            TransformId::Ke(KeId::Modp1024),
        ]
    );
    let PayloadBody::Nonce(n) = &m.payloads[2].body else {
        panic!()
    };
    assert_eq!(
        n.data.as_ref(),
        &hex("828755ecab3d7b8c1a20126dbcb078b3")[..]
    );
}

#[test]
fn rub_nds_ike_auth_request_inner_chain() {
    let plain = hex(RUB_MSG3_INNER);
    // Zero-allocation phase two view first.
    assert_eq!(
        Payloads::inner(PayloadType::IdentificationInitiator, &plain).validate(),
        Ok(5)
    );
    let inner = parse_inner_chain(PayloadType::IdentificationInitiator, &plain).unwrap();
    let PayloadBody::IdI(id) = &inner[0].body else {
        panic!()
    };
    assert_eq!(
        (id.id_type, id.data.as_ref()),
        (IdType::Ipv4Addr, &[10, 0, 3, 1][..])
    );
    let PayloadBody::Auth(auth) = &inner[1].body else {
        panic!()
    };
    assert_eq!(auth.method, AuthMethod::SharedKeyMessageIntegrityCode);
    assert_eq!(
        auth.data.as_ref(),
        &hex("708985b9fcc1861ad1bbc25e2188cf724b798e09")[..]
    );
    let PayloadBody::Sa(sa) = &inner[2].body else {
        panic!()
    };
    let p = &sa.proposals[0];
    assert_eq!(
        (p.protocol_id, p.spi.as_ref()),
        (ProtocolId::Esp, &hex("2a85e115")[..])
    );
    assert_eq!(p.transforms[0].key_length(), Some(128));
    assert_eq!(p.transforms.len(), 3);
    assert_eq!(p.transforms[2].id(), TransformId::Esn(EsnId::NoEsn));
    let PayloadBody::TsI(ts) = &inner[3].body else {
        panic!()
    };
    assert_eq!(
        ts.selectors,
        [TrafficSelector::Ipv4 {
            ip_protocol: 0,
            start_port: 0,
            end_port: 65535,
            start: Ipv4Addr::UNSPECIFIED,
            end: Ipv4Addr::BROADCAST,
        }]
    );
    let mut out = vec![0; chain_len(&inner)];
    emit_chain(&inner, &mut out).unwrap();
    assert_eq!(out, plain);
}

#[test]
fn rub_nds_ike_auth_response_inner_chain() {
    let plain = hex(RUB_MSG4_INNER);
    let inner = parse_inner_chain(PayloadType::IdentificationResponder, &plain).unwrap();
    let PayloadBody::IdR(id) = &inner[0].body else {
        panic!()
    };
    assert_eq!(id.data.as_ref(), &[10, 0, 3, 10][..]);
    let PayloadBody::TsR(ts) = &inner[4].body else {
        panic!()
    };
    assert_eq!(
        ts.selectors,
        [TrafficSelector::Ipv4 {
            ip_protocol: 0,
            start_port: 0,
            end_port: 65535,
            start: Ipv4Addr::new(10, 0, 2, 0),
            end: Ipv4Addr::new(10, 0, 2, 255),
        }]
    );
    let mut out = vec![0; chain_len(&inner)];
    emit_chain(&inner, &mut out).unwrap();
    assert_eq!(out, plain);
}

/// A real strongSwan 5.9.8 IKE_AUTH response fragment (RFC 7383 SKF 2 of 2),
/// frame 6 of `testdata/strongswan/lab-rsa-frag-psk-ecdsa.pcap` (captured for
/// this project between two strongSwan daemons; see testdata/SOURCES.md).
#[test]
fn strongswan_skf_fragment_two_of_two() {
    let bytes = hex(
        "9692d12ae08aaf76bdd803334374bdda3520232000000001000001340000011800020002c555b39c92c7366885567e15
         0deecbca787cb0f405a9fe83ded3d8fbf8e0f53ab4565535364e6203d8d080e48228bbad0927671ebe46d5a0ecb3ceac
         8d5c180ee8a6e14d9047810799c2d7fb83d2618c109b7e85d57937e7d6d884d630fa6484bb0299527f8ec553364dbe56
         8c742eb3b0bd53876976b89620378e10957880ef9a1c40dd04467e8e06cbf8bfa2cebef65d321a8db6f25cd7048d95db
         a773a2d5be544f948d4fba654498af90881e9fcf437d970b446ed0b2c74bd050c043ec6fa82b151302d7cb1c95023176
         87e59a4b1ad46357c939e987c3dc22f873e5cd2015760fd2123b22ed9fa5fc8721e6ac92960c43f7b1047476bdf68d01
         95ebead35390c71258e19b6c6779511034ca5e1d",
    );
    let view = Message::parse(&bytes).unwrap();
    assert_eq!(view.header().exchange_type, ExchangeType::IkeAuth);
    assert!(view.header().is_response());
    let skf = view.encrypted().unwrap();
    assert_eq!(
        skf.payload_type,
        PayloadType::EncryptedAndAuthenticatedFragment
    );
    assert_eq!(skf.fragment, Some((2, 2)));
    assert_eq!(skf.first_inner, PayloadType::NoNextPayload);
    assert_eq!(skf.authenticated.len(), 28 + 4 + 4);
    assert_eq!(skf.data.len(), bytes.len() - 36);
    let m = round_trip(&bytes);
    let PayloadBody::Skf(f) = &m.payloads[0].body else {
        panic!()
    };
    assert_eq!((f.fragment_number, f.total_fragments), (2, 2));
}
