//! Hostile and malformed input: each shape from the public crash reproducers
//! and the CVE table (`vectors/negative/CVE_TABLE.md`) gives one specific,
//! typed error, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_wire::udp::{demux_udp_4500, Udp4500};
use ikev2_wire::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An IKE_SA_INIT request header (length filled in) followed by `chain`.
fn message(first: u8, chain: &[u8]) -> Vec<u8> {
    let mut m = hex("0001020304050607 0000000000000000");
    m.extend_from_slice(&[first, 0x20, 34, 0x08, 0, 0, 0, 0]);
    m.extend_from_slice(&u32::try_from(28 + chain.len()).unwrap().to_be_bytes());
    m.extend_from_slice(chain);
    m
}

/// One payload: generic header (length computed) and body.
fn payload(next: u8, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut p = vec![next, flags];
    p.extend_from_slice(&u16::try_from(4 + body.len()).unwrap().to_be_bytes());
    p.extend_from_slice(body);
    p
}

fn err(bytes: &[u8]) -> Error {
    let e = Message::parse(bytes).unwrap_err();
    // The repr path reports the same error.
    assert_eq!(MessageRepr::parse(bytes).unwrap_err(), e);
    e
}

const SA: u8 = 33;
const KE: u8 = 34;
const IDI: u8 = 35;
const NONCE: u8 = 40;
const N: u8 = 41;
const D: u8 = 42;
const TSI: u8 = 44;
const SK: u8 = 46;
const CP: u8 = 47;
const EAP: u8 = 48;
const SKF: u8 = 53;

/// tcpdump `tests/ikev2-id-short.pcap` (commit 06db0837): IDi payload length 5,
/// shorter than the 8-octet ID header (tcpdump's unsigned underflow).
#[test]
fn tcpdump_ikev2_id_short() {
    let mut bytes =
        hex("00000000000000000000000000000000232023080000000100000 04c00000005 01000000");
    bytes.extend(std::iter::repeat_n([0xde, 0xad, 0xbe, 0xef], 10).flatten());
    assert_eq!(bytes.len(), 76);
    assert_eq!(
        err(&bytes),
        Error::Truncated {
            part: Part::Payload(PayloadType::IdentificationInitiator),
            offset: 32,
            need: 4,
            have: 1
        }
    );
}

/// tcpdump `tests/ikev2pI2-segfault.pcapng` (CVE-2017-5205): an SA whose first
/// transform claims "more transforms" (3) where its proposal ends... here the
/// second transform's Last marker is wrong for its position.
#[test]
fn tcpdump_ikev2pi2_segfault_sa() {
    let mut bytes = hex(
        "000102030405060700000000000000002120220800000000000001fc228000f4
         020000280101000403000008010067 0c03000008030000022e0000080200000200000008430000",
    );
    bytes.resize(0x1fc, 0xaa);
    assert_eq!(
        err(&bytes),
        Error::InvalidField {
            part: Part::Transform,
            offset: 56,
            field: "Last Substructure"
        }
    );
}

/// tcpdump `tests/isakmp-ikev1_n_print-oobr.pcap` frame 1: version octet 0x23 reads as
/// IKEv2 but the Length field is 0xff000000 for a 42-octet datagram (CVE-2013-4564 shape).
#[test]
fn tcpdump_isakmp_n_print_oobr_length() {
    let bytes =
        hex("3c003d809b0000fdf2f3ff7f7f0110ee0b2c231010101010ff0000007efb00050000000080006001041b");
    assert_eq!(
        err(&bytes),
        Error::BadLength {
            part: Part::Header,
            offset: 24,
            len: 0xff00_0000,
            min: 28,
            max: 42
        }
    );
}

/// CVE-2013-4564: datagrams shorter than the header, and wrong major versions.
#[test]
fn short_datagrams_and_bad_versions() {
    let good = message(0, &[]);
    for n in 0..28 {
        assert!(matches!(
            err(&good[..n]),
            Error::Truncated {
                part: Part::Header,
                need: 28,
                ..
            }
        ));
    }
    for major in [0u8, 1, 3, 15] {
        let mut m = good.clone();
        m[17] = major << 4;
        assert_eq!(err(&m), Error::UnsupportedVersion { major });
        assert_eq!(err(&m).notify_type(), NotifyType::InvalidMajorVersion);
    }
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        err(&long),
        Error::BadLength {
            part: Part::Header,
            len: 28,
            max: 29,
            ..
        }
    ));
    assert_eq!(Message::parse(&good).unwrap().payload_count(), 0);
}

/// Payload-length loops and zero lengths (tcpdump isakmp-pointer-loop shape).
#[test]
fn zero_and_short_payload_lengths() {
    for len in [0u16, 1, 3] {
        let mut chain = vec![N, 0];
        chain.extend_from_slice(&len.to_be_bytes());
        chain.extend_from_slice(&[0; 8]);
        let e = err(&message(N, &chain));
        assert_eq!(
            e,
            Error::BadLength {
                part: Part::Payload(PayloadType::Notify),
                offset: 28,
                len: usize::from(len),
                min: 4,
                max: 12
            }
        );
    }
}

#[test]
fn payload_overrunning_the_message() {
    let mut chain = payload(0, 0, &[0; 16]);
    chain[3] = 200; // length 200 in a 20-octet chain
    assert_eq!(
        err(&message(43, &chain)),
        Error::BadLength {
            part: Part::Payload(PayloadType::VendorId),
            offset: 28,
            len: 200,
            min: 4,
            max: 20
        }
    );
}

/// A chain of empty Vendor IDs each pointing at the next: stops at the limit.
#[test]
fn too_many_payloads() {
    let chain: Vec<u8> = (0..100)
        .flat_map(|i| payload(if i == 99 { 0 } else { 43 }, 0, &[]))
        .collect();
    assert_eq!(
        err(&message(43, &chain)),
        Error::TooMany {
            part: Part::Payload(PayloadType::VendorId),
            offset: 28 + 4 * MAX_PAYLOADS,
            limit: MAX_PAYLOADS
        }
    );
}

/// Bytes after the last payload (Openswan parentR1notify shape).
#[test]
fn trailing_bytes_after_chain() {
    let mut chain = payload(0, 0, &hex("01000011000e"));
    chain.extend_from_slice(&[0, 0]);
    assert_eq!(
        err(&message(N, &chain)),
        Error::TrailingData {
            part: Part::Payload(PayloadType::NoNextPayload),
            offset: 38,
            len: 2
        }
    );
}

/// CVE-2015-3991: IKEv1 payload numbers in an IKEv2 chain. Non-critical: kept
/// and skipped. Critical: the error carries the type for UNSUPPORTED_CRITICAL_PAYLOAD.
#[test]
fn ikev1_payload_types_in_chain() {
    for ty in 1..=13u8 {
        let ok = message(ty, &payload(0, 0, &[1, 2, 3]));
        let m = MessageRepr::parse(&ok).unwrap();
        let unknown = PayloadBody::Unknown {
            payload_type: PayloadType::from(ty),
            data: vec![1, 2, 3].into(),
        };
        assert_eq!(m.payloads[0].body, unknown);
        assert_eq!(m.to_vec().unwrap(), ok);

        let critical = message(ty, &payload(0, FLAG_CRITICAL, &[1, 2, 3]));
        let e = err(&critical);
        assert_eq!(
            e,
            Error::UnsupportedCriticalPayload {
                payload: PayloadType::from(ty),
                offset: 28
            }
        );
        assert_eq!(e.notify_type(), NotifyType::UnsupportedCriticalPayload);
    }
}

fn transform(last: bool, ty: u8, id: u16, attrs: &[u8]) -> Vec<u8> {
    let mut t = vec![if last { 0 } else { 3 }, 0];
    t.extend_from_slice(&u16::try_from(8 + attrs.len()).unwrap().to_be_bytes());
    t.extend_from_slice(&[ty, 0]);
    t.extend_from_slice(&id.to_be_bytes());
    t.extend_from_slice(attrs);
    t
}

fn proposal(last: bool, num_transforms: u8, transforms: &[u8]) -> Vec<u8> {
    let mut p = vec![if last { 0 } else { 2 }, 0];
    p.extend_from_slice(&u16::try_from(8 + transforms.len()).unwrap().to_be_bytes());
    p.extend_from_slice(&[1, 1, 0, num_transforms]);
    p.extend_from_slice(transforms);
    p
}

#[test]
fn bad_proposal_counts_and_markers() {
    let t = [
        transform(false, 1, 12, &hex("800e0080")),
        transform(true, 4, 19, &[]),
    ]
    .concat();
    let good = message(SA, &payload(0, 0, &proposal(true, 2, &t)));
    assert!(Message::parse(&good).is_ok());

    for announced in [1u8, 3, 255] {
        let m = message(SA, &payload(0, 0, &proposal(true, announced, &t)));
        assert_eq!(
            err(&m),
            Error::InvalidField {
                part: Part::Proposal,
                offset: 32,
                field: "Num Transforms"
            }
        );
    }
    // A proposal marked "more follow" that is the last one.
    let m = message(SA, &payload(0, 0, &proposal(false, 2, &t)));
    assert_eq!(
        err(&m),
        Error::InvalidField {
            part: Part::Proposal,
            offset: 32,
            field: "Last Substructure"
        }
    );
    // Proposal length shorter than its header.
    let mut p = proposal(true, 2, &t);
    p[3] = 7;
    assert!(matches!(
        err(&message(SA, &payload(0, 0, &p))),
        Error::BadLength {
            part: Part::Proposal,
            offset: 32,
            len: 7,
            min: 8,
            ..
        }
    ));
    // TLV attribute overrunning its transform.
    let t = transform(true, 1, 12, &hex("000e0010 0102"));
    assert!(matches!(
        err(&message(SA, &payload(0, 0, &proposal(true, 1, &t)))),
        Error::Truncated {
            part: Part::TransformAttribute,
            offset: 48,
            ..
        }
    ));
}

#[test]
fn too_many_proposals_and_transforms() {
    let one = transform(true, 4, 19, &[]);
    let props: Vec<u8> = (0..MAX_PROPOSALS + 1)
        .flat_map(|i| proposal(i == MAX_PROPOSALS, 1, &one))
        .collect();
    let e = err(&message(SA, &payload(0, 0, &props)));
    assert_eq!(
        e,
        Error::TooMany {
            part: Part::Proposal,
            offset: 32 + 16 * MAX_PROPOSALS,
            limit: MAX_PROPOSALS
        }
    );

    let ts: Vec<u8> = (0..MAX_TRANSFORMS + 1)
        .flat_map(|i| transform(i == MAX_TRANSFORMS, 4, 19, &[]))
        .collect();
    let e = err(&message(SA, &payload(0, 0, &proposal(true, 65, &ts))));
    assert_eq!(
        e,
        Error::TooMany {
            part: Part::Transform,
            offset: 40 + 8 * MAX_TRANSFORMS,
            limit: MAX_TRANSFORMS
        }
    );
}

/// OpenIKED policy.c off-by-one: transform type 6 (now ADDKE1, RFC 9370) parses and is typed.
#[test]
fn transform_type_six_is_addke1() {
    let t = transform(true, 6, 36, &[]);
    let bytes = message(SA, &payload(0, 0, &proposal(true, 1, &t)));
    let m = MessageRepr::parse(&bytes).unwrap();
    let PayloadBody::Sa(sa) = &m.payloads[0].body else {
        panic!()
    };
    assert_eq!(
        sa.proposals[0].transforms[0].id(),
        TransformId::Ke(KeId::MlKem768)
    );
}

/// CVE-2023-41913: KE data longer than the group's size; CVE-2014-9221: private group 1025.
#[test]
fn ke_sizes() {
    let mut body = hex("00130000");
    body.extend_from_slice(&[4; 65]);
    assert_eq!(
        err(&message(KE, &payload(0, 0, &body))),
        Error::WrongSize {
            part: Part::Payload(PayloadType::KeyExchange),
            offset: 28,
            expected: 64,
            actual: 65
        }
    );
    let mut body = hex("04010000");
    body.extend_from_slice(&[4; 300]);
    let bytes = message(KE, &payload(0, 0, &body));
    let m = MessageRepr::parse(&bytes).unwrap();
    let PayloadBody::Ke(ke) = &m.payloads[0].body else {
        panic!()
    };
    assert_eq!(ke.group, KeId::Unknown(1025));
}

/// CVE-2023-23009: Number of TSs inconsistent with the payload, short selectors.
#[test]
fn traffic_selector_shapes() {
    let sel = hex("07000010 0000ffff 0a000000 0a0000ff");
    let ts = |count: u8, sels: &[u8]| {
        let mut b = vec![count, 0, 0, 0];
        b.extend_from_slice(sels);
        message(TSI, &payload(0, 0, &b))
    };
    assert!(Message::parse(&ts(1, &sel)).is_ok());
    let field = "Number of TSs";
    assert_eq!(
        err(&ts(2, &sel)),
        Error::InvalidField {
            part: Part::TrafficSelector,
            offset: 28,
            field
        }
    );
    assert_eq!(
        err(&ts(0, &sel)),
        Error::InvalidField {
            part: Part::TrafficSelector,
            offset: 28,
            field
        }
    );
    assert_eq!(
        err(&ts(200, &sel)),
        Error::TooMany {
            part: Part::Payload(PayloadType::TrafficSelectorInitiator),
            offset: 28,
            limit: MAX_TRAFFIC_SELECTORS
        }
    );
    let short = hex("07000008 0000ffff");
    assert_eq!(
        err(&ts(1, &short)),
        Error::WrongSize {
            part: Part::TrafficSelector,
            offset: 36,
            expected: 16,
            actual: 8
        }
    );
    let v6_as_v4 = hex("08000010 0000ffff 0a000000 0a0000ff");
    assert_eq!(
        err(&ts(1, &v6_as_v4)),
        Error::WrongSize {
            part: Part::TrafficSelector,
            offset: 36,
            expected: 40,
            actual: 16
        }
    );
    let zero_len = hex("07000000 0000ffff 0a000000 0a0000ff");
    assert!(matches!(
        err(&ts(1, &zero_len)),
        Error::BadLength {
            part: Part::TrafficSelector,
            len: 0,
            min: 4,
            ..
        }
    ));
}

#[test]
fn delete_spi_count_mismatch() {
    let body = hex("03040002 11223344");
    assert_eq!(
        err(&message(D, &payload(0, 0, &body))),
        Error::WrongSize {
            part: Part::Payload(PayloadType::Delete),
            offset: 28,
            expected: 12,
            actual: 8
        }
    );
}

/// CVE-2013-6076 analogue for SKF: fragment number 0, or above the total.
#[test]
fn skf_fragment_numbers() {
    for (num, total) in [(0u16, 1u16), (3, 2), (1, 0)] {
        let mut body = num.to_be_bytes().to_vec();
        body.extend_from_slice(&total.to_be_bytes());
        body.extend_from_slice(&[0; 16]);
        assert_eq!(
            err(&message(SKF, &payload(0, 0, &body))),
            Error::InvalidField {
                part: Part::Payload(PayloadType::EncryptedAndAuthenticatedFragment),
                offset: 32,
                field: "Fragment Number"
            }
        );
    }
}

/// CVE-2025-62291 shape: EAP length smaller than its header / than the payload.
#[test]
fn eap_length_mismatch() {
    assert_eq!(
        err(&message(EAP, &payload(0, 0, &hex("01010002 01")))),
        Error::BadLength {
            part: Part::Payload(PayloadType::ExtensibleAuthentication),
            offset: 32,
            len: 2,
            min: 5,
            max: 5
        }
    );
    assert!(matches!(
        err(&message(EAP, &payload(0, 0, &hex("0101")))),
        Error::Truncated {
            part: Part::Payload(PayloadType::ExtensibleAuthentication),
            ..
        }
    ));
}

#[test]
fn cp_attribute_overrun() {
    let body = hex("01000000 00010010 0a00");
    assert_eq!(
        err(&message(CP, &payload(0, 0, &body))),
        Error::Truncated {
            part: Part::CfgAttribute,
            offset: 36,
            need: 20,
            have: 6
        }
    );
}

#[test]
fn nonce_size_limits() {
    for (len, ok) in [(15usize, false), (16, true), (256, true), (257, false)] {
        let m = message(NONCE, &payload(0, 0, &vec![1; len]));
        if ok {
            assert!(Message::parse(&m).is_ok());
        } else {
            assert_eq!(
                err(&m),
                Error::BadLength {
                    part: Part::Payload(PayloadType::Nonce),
                    offset: 28,
                    len,
                    min: 16,
                    max: 256
                }
            );
        }
    }
}

#[test]
fn notify_data_shapes() {
    let notify = |ty: u16, data: &[u8]| {
        let mut b = vec![0, 0];
        b.extend_from_slice(&ty.to_be_bytes());
        b.extend_from_slice(data);
        message(N, &payload(0, 0, &b))
    };
    // Openswan parentR1notify frame 2: INVALID_KE_PAYLOAD without its group.
    assert_eq!(
        err(&notify(17, &[])),
        Error::WrongSize {
            part: Part::NotifyData(NotifyType::InvalidKePayload),
            offset: 36,
            expected: 2,
            actual: 0
        }
    );
    assert_eq!(
        err(&notify(16388, &[0; 19])),
        Error::WrongSize {
            part: Part::NotifyData(NotifyType::NatDetectionSourceIp),
            offset: 36,
            expected: 20,
            actual: 19
        }
    );
    assert!(matches!(
        err(&notify(16390, &[0; 65])),
        Error::BadLength {
            len: 65,
            max: 64,
            ..
        }
    ));
    assert!(matches!(
        err(&notify(16390, &[])),
        Error::BadLength { len: 0, min: 1, .. }
    ));
    assert!(matches!(
        err(&notify(16431, &[0, 2, 0])),
        Error::WrongSize { actual: 3, .. }
    ));
    assert!(matches!(
        err(&notify(16430, &[1])),
        Error::WrongSize {
            expected: 0,
            actual: 1,
            ..
        }
    ));
    // REDIRECT whose gateway identity length overruns the data.
    assert!(matches!(
        err(&notify(16407, &[3, 10, b'a'])),
        Error::Truncated {
            part: Part::NotifyData(NotifyType::Redirect),
            ..
        }
    ));
    assert!(matches!(
        err(&notify(16397, &[10, 0, 0])),
        Error::WrongSize { expected: 4, .. }
    ));
    // Unknown status types stay opaque.
    let bytes = notify(40000, &[1, 2, 3]);
    let m = MessageRepr::parse(&bytes).unwrap();
    let PayloadBody::Notify(n) = &m.payloads[0].body else {
        panic!()
    };
    assert_eq!(n.data().unwrap(), NotifyData::Opaque(&[1, 2, 3]));
}

#[test]
fn id_address_sizes() {
    assert_eq!(
        err(&message(IDI, &payload(0, 0, &hex("05000000 0a000001")))),
        Error::WrongSize {
            part: Part::Payload(PayloadType::IdentificationInitiator),
            offset: 28,
            expected: 16,
            actual: 4
        }
    );
}

/// SK must end the chain: bytes after it are trailing data, and SK inside a
/// decrypted chain is refused.
#[test]
fn sk_placement() {
    let mut chain = payload(N, 0, &[0; 24]);
    chain.extend_from_slice(&payload(0, 0, &[0; 4]));
    assert_eq!(
        err(&message(SK, &chain)),
        Error::TrailingData {
            part: Part::Payload(PayloadType::NoNextPayload),
            offset: 56,
            len: 8
        }
    );
    let inner = payload(0, 0, &[0; 8]);
    assert_eq!(
        Payloads::inner(PayloadType::EncryptedAndAuthenticated, &inner).validate(),
        Err(Error::InvalidField {
            part: Part::Payload(PayloadType::EncryptedAndAuthenticated),
            offset: 0,
            field: "Next Payload (SK inside SK)"
        })
    );
    assert!(parse_inner_chain(PayloadType::EncryptedAndAuthenticatedFragment, &inner).is_err());
}

/// CVE-2017-12896 shapes: short port-4500 datagrams.
#[test]
fn udp_4500_framing() {
    assert_eq!(demux_udp_4500(&[0xff]), Ok(Udp4500::NatKeepalive));
    for n in 0..8usize {
        let d = vec![0x11; n];
        if n == 1 {
            continue;
        }
        assert_eq!(
            demux_udp_4500(&d),
            Err(Error::Truncated {
                part: Part::UdpEncapsulation,
                offset: 0,
                need: 8,
                have: n
            })
        );
    }
    // A marker followed by a truncated IKE header.
    let Ok(Udp4500::Ike(ike)) = demux_udp_4500(&[0, 0, 0, 0, 1, 2]) else {
        panic!()
    };
    assert!(matches!(
        Message::parse(ike),
        Err(Error::Truncated {
            part: Part::Header,
            ..
        })
    ));
}

/// Every prefix and every single-byte corruption of a real message gives an
/// error or a message that re-emits to itself; nothing panics.
#[test]
fn truncations_and_bit_flips_never_panic() {
    let good = hex(concat!(
        "a150f12f598f9a0e00000000000000002120220800000000000000e8220000300000002c010100040300000c0100000c",
        "800e00800300000802000002030000080300000200000008040000022800008800020000fb7f97f9f4eca31f7ac9ba05",
        "16f8e616977bf606ab295295e6615ef91e8a15b4ad18940a448248ddf31c95415e5525050ee8803a084a0707733f8833",
        "eb9c5cdf1ad55062f06c234856d7a580ba883bc8d7a864175708d59bec0c3bcd21acc495ca5b311167be6245222c1684",
        "17d4a613b3ca04f961d7335ad13073e2279f542e00000014828755ecab3d7b8c1a20126dbcb078b3"
    ));
    for n in 0..good.len() {
        assert!(Message::parse(&good[..n]).is_err());
    }
    for i in 0..good.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut m = good.clone();
            m[i] ^= flip;
            if let Ok(r) = MessageRepr::parse(&m) {
                assert_eq!(r.to_vec().unwrap(), m);
            }
        }
    }
}
