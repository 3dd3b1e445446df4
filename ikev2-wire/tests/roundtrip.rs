//! proptest round trips: for every payload kind and for whole messages,
//! `parse(emit(r)) == r` and the emitted length equals `buffer_len()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use ikev2_wire::*;
use proptest::collection::vec;
use proptest::prelude::*;

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Cow<'static, [u8]>> {
    vec(any::<u8>(), min..=max).prop_map(Cow::Owned)
}

fn sa() -> impl Strategy<Value = PayloadBody<'static>> {
    let attribute = (
        0u16..0x8000,
        prop_oneof![
            any::<u16>().prop_map(AttributeValue::Tv),
            bytes(0, 12).prop_map(AttributeValue::Tlv)
        ],
    )
        .prop_map(|(t, value)| Attribute {
            attribute_type: t.into(),
            value,
        });
    let transform = (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u16>(),
        vec(attribute, 0..3),
    )
        .prop_map(
            |(reserved1, ty, reserved2, transform_id, attributes)| TransformRepr {
                reserved1,
                transform_type: ty.into(),
                reserved2,
                transform_id,
                attributes,
            },
        );
    let proposal = (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        bytes(0, 8),
        vec(transform, 0..6),
    )
        .prop_map(
            |(reserved, number, protocol, spi, transforms)| ProposalRepr {
                reserved,
                number,
                protocol_id: protocol.into(),
                spi,
                transforms,
            },
        );
    vec(proposal, 0..4).prop_map(|proposals| PayloadBody::Sa(SaRepr { proposals }))
}

fn ke() -> impl Strategy<Value = PayloadBody<'static>> {
    (
        prop_oneof![Just(19u16), Just(31), Just(14), Just(36), any::<u16>()],
        any::<u16>(),
    )
        .prop_flat_map(|(g, reserved)| {
            let group = KeId::from(g);
            let (min, max) = group.public_len().map_or((0, 80), |n| (n, n));
            bytes(min, max).prop_map(move |data| {
                PayloadBody::Ke(KeRepr {
                    group,
                    reserved,
                    data,
                })
            })
        })
}

fn id() -> impl Strategy<Value = IdRepr<'static>> {
    (any::<u8>(), any::<[u8; 3]>()).prop_flat_map(|(t, reserved)| {
        let id_type = IdType::from(t);
        let (min, max) = match id_type {
            IdType::Ipv4Addr => (4, 4),
            IdType::Ipv6Addr => (16, 16),
            _ => (0, 40),
        };
        bytes(min, max).prop_map(move |data| IdRepr {
            id_type,
            reserved,
            data,
        })
    })
}

fn cert() -> impl Strategy<Value = CertRepr<'static>> {
    (any::<u8>(), bytes(0, 60)).prop_map(|(e, data)| CertRepr {
        encoding: e.into(),
        data,
    })
}

fn auth() -> impl Strategy<Value = PayloadBody<'static>> {
    (any::<u8>(), any::<[u8; 3]>(), bytes(0, 70)).prop_map(|(m, reserved, data)| {
        PayloadBody::Auth(AuthRepr {
            method: m.into(),
            reserved,
            data,
        })
    })
}

fn nonce() -> impl Strategy<Value = PayloadBody<'static>> {
    bytes(16, 256).prop_map(|data| PayloadBody::Nonce(NonceRepr { data }))
}

/// (notify type, data) pairs whose data has the shape the type requires.
fn notify_data() -> impl Strategy<Value = (NotifyType, Vec<u8>)> {
    use NotifyType as T;
    fn fixed(t: NotifyType, n: usize) -> impl Strategy<Value = (NotifyType, Vec<u8>)> {
        vec(any::<u8>(), n..=n).prop_map(move |d| (t, d))
    }
    let gw = prop_oneof![
        any::<[u8; 4]>().prop_map(|a| [&[1u8, 4][..], &a].concat()),
        any::<[u8; 16]>().prop_map(|a| [&[2u8, 16][..], &a].concat()),
        vec(any::<u8>(), 0..30).prop_map(|d| [&[3u8, d.len() as u8][..], &d].concat()),
    ];
    prop_oneof![
        prop::sample::select(vec![
            T::InitialContact,
            T::MobikeSupported,
            T::Ikev2FragmentationSupported,
            T::RedirectSupported,
            T::UseTransportMode,
            T::EspTfcPaddingNotSupported,
            T::ChildlessIkev2Supported,
            T::IntermediateExchangeSupported,
            T::UpdateSaAddresses,
            T::RekeySa,
        ])
        .prop_map(|t| (t, vec![])),
        (1usize..=64).prop_flat_map(|n| fixed(T::Cookie, n)),
        fixed(T::InvalidKePayload, 2),
        fixed(T::NatDetectionSourceIp, 20),
        fixed(T::NatDetectionDestinationIp, 20),
        fixed(T::SetWindowSize, 4),
        fixed(T::InvalidMessageId, 4),
        fixed(T::UnsupportedCriticalPayload, 1),
        fixed(T::AdditionalIp4Address, 4),
        fixed(T::AdditionalIp6Address, 16),
        (0usize..6).prop_flat_map(|n| fixed(T::SignatureHashAlgorithms, 2 * n)),
        (gw.clone(), vec(any::<u8>(), 0..40)).prop_map(|(g, n)| (T::Redirect, [g, n].concat())),
        gw.prop_map(|g| (T::RedirectedFrom, g)),
        (
            prop_oneof![Just(14u16), Just(24), Just(16403), 20000u16..],
            vec(any::<u8>(), 0..40)
        )
            .prop_map(|(t, d)| (T::from(t), d)),
    ]
}

fn notify() -> impl Strategy<Value = PayloadBody<'static>> {
    (any::<u8>(), bytes(0, 8), notify_data()).prop_map(|(p, spi, (notify_type, data))| {
        PayloadBody::Notify(NotifyRepr {
            protocol_id: p.into(),
            notify_type,
            spi,
            data: Cow::Owned(data),
        })
    })
}

fn delete() -> impl Strategy<Value = PayloadBody<'static>> {
    (any::<u8>(), 0u8..9, 0u16..6).prop_flat_map(|(p, spi_size, num_spis)| {
        let n = usize::from(spi_size) * usize::from(num_spis);
        bytes(n, n).prop_map(move |spis| {
            PayloadBody::Delete(DeleteRepr {
                protocol_id: p.into(),
                spi_size,
                num_spis,
                spis,
            })
        })
    })
}

fn vendor() -> impl Strategy<Value = PayloadBody<'static>> {
    bytes(0, 40).prop_map(|data| PayloadBody::VendorId(VendorIdRepr { data }))
}

fn ts() -> impl Strategy<Value = TsRepr<'static>> {
    let sel = prop_oneof![
        (
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
            any::<[u8; 4]>(),
            any::<[u8; 4]>()
        )
            .prop_map(|(p, sp, ep, s, e)| {
                TrafficSelector::Ipv4 {
                    ip_protocol: p,
                    start_port: sp,
                    end_port: ep,
                    start: Ipv4Addr::from(s),
                    end: Ipv4Addr::from(e),
                }
            }),
        (
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
            any::<[u8; 16]>(),
            any::<[u8; 16]>()
        )
            .prop_map(|(p, sp, ep, s, e)| {
                TrafficSelector::Ipv6 {
                    ip_protocol: p,
                    start_port: sp,
                    end_port: ep,
                    start: Ipv6Addr::from(s),
                    end: Ipv6Addr::from(e),
                }
            }),
        (
            any::<u8>().prop_filter("not 7/8", |t| *t != 7 && *t != 8),
            any::<u8>(),
            bytes(0, 20)
        )
            .prop_map(|(t, second, data)| TrafficSelector::Other {
                ts_type: t.into(),
                second,
                data
            }),
    ];
    (any::<[u8; 3]>(), vec(sel, 0..5)).prop_map(|(reserved, selectors)| TsRepr {
        reserved,
        selectors,
    })
}

fn cp() -> impl Strategy<Value = PayloadBody<'static>> {
    let attr = (any::<bool>(), 0u16..0x8000, bytes(0, 20)).prop_map(|(reserved_bit, t, value)| {
        CfgAttribute {
            reserved_bit,
            attribute_type: t.into(),
            value,
        }
    });
    (any::<u8>(), any::<[u8; 3]>(), vec(attr, 0..6)).prop_map(|(t, reserved, attributes)| {
        PayloadBody::Cp(CpRepr {
            cfg_type: t.into(),
            reserved,
            attributes,
        })
    })
}

fn eap() -> impl Strategy<Value = PayloadBody<'static>> {
    (any::<u8>(), any::<u8>(), vec(any::<u8>(), 0..40)).prop_map(|(code, id, rest)| {
        let len = u16::try_from(4 + rest.len()).unwrap();
        let data = [&[code, id][..], &len.to_be_bytes(), &rest].concat();
        PayloadBody::Eap(EapRepr {
            data: Cow::Owned(data),
        })
    })
}

fn sk() -> impl Strategy<Value = PayloadBody<'static>> {
    (any::<u8>(), bytes(0, 80)).prop_map(|(t, data)| {
        PayloadBody::Sk(SkRepr {
            first_inner: t.into(),
            data,
        })
    })
}

fn skf() -> impl Strategy<Value = PayloadBody<'static>> {
    (1u16.., any::<u8>(), bytes(0, 80)).prop_flat_map(|(total, t, data)| {
        (1..=total).prop_map(move |n| {
            PayloadBody::Skf(SkfRepr {
                first_inner: t.into(),
                fragment_number: n,
                total_fragments: total,
                data: data.clone(),
            })
        })
    })
}

fn unknown() -> impl Strategy<Value = PayloadBody<'static>> {
    (
        any::<u8>().prop_filter("unmodelled", |t| {
            *t != 0 && !PayloadBody::is_modelled((*t).into())
        }),
        bytes(0, 30),
    )
        .prop_map(|(t, data)| PayloadBody::Unknown {
            payload_type: t.into(),
            data,
        })
}

/// Any payload that may appear before SK (flags: unknown payloads non-critical).
fn plain_payload() -> impl Strategy<Value = PayloadRepr<'static>> {
    let body = prop_oneof![
        sa(),
        ke(),
        id().prop_map(PayloadBody::IdI),
        id().prop_map(PayloadBody::IdR),
        cert().prop_map(PayloadBody::Cert),
        cert().prop_map(PayloadBody::CertReq),
        auth(),
        nonce(),
        notify(),
        delete(),
        vendor(),
        ts().prop_map(PayloadBody::TsI),
        ts().prop_map(PayloadBody::TsR),
        cp(),
        eap(),
        unknown(),
    ];
    (body, any::<u8>()).prop_map(|(body, flags)| {
        let flags = if matches!(body, PayloadBody::Unknown { .. }) {
            flags & 0x7f
        } else {
            flags
        };
        PayloadRepr { flags, body }
    })
}

fn header() -> impl Strategy<Value = HeaderRepr> {
    (
        any::<u64>(),
        any::<u64>(),
        0u8..16,
        any::<u8>(),
        any::<u8>(),
        any::<u32>(),
    )
        .prop_map(|(spi_i, spi_r, minor, x, flags, message_id)| HeaderRepr {
            spi_i,
            spi_r,
            version: 0x20 | minor,
            exchange_type: x.into(),
            flags,
            message_id,
        })
}

fn message() -> impl Strategy<Value = MessageRepr<'static>> {
    let last = prop_oneof![Just(None), sk().prop_map(Some), skf().prop_map(Some)];
    (header(), vec(plain_payload(), 0..8), last, any::<u8>()).prop_map(
        |(header, mut payloads, last, flags)| {
            payloads.extend(last.map(|body| PayloadRepr { flags, body }));
            MessageRepr { header, payloads }
        },
    )
}

/// Emits `body` as the only payload of a message, parses it back, compares.
fn check_payload(body: PayloadBody<'static>) -> Result<(), TestCaseError> {
    let m = MessageRepr {
        header: HeaderRepr::new(1, 2, ExchangeType::IkeAuth, 0, 1),
        payloads: vec![PayloadRepr::new(body)],
    };
    check_message(&m)
}

fn check_message(m: &MessageRepr<'static>) -> Result<(), TestCaseError> {
    let mut buf = vec![0u8; m.buffer_len()];
    let n = m
        .emit(&mut buf)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(n, m.buffer_len());
    // The zero-allocation view accepts it and sees the same number of payloads.
    let view = Message::parse(&buf).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(view.payload_count(), m.payloads.len());
    let back = MessageRepr::parse(&buf).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, m);
    // Detached from the buffer, it is still the same message.
    let owned: MessageRepr<'static> = back.into_owned();
    drop(buf);
    prop_assert_eq!(&owned, m);
    let buf = owned
        .to_vec()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    // A buffer one octet short is refused, not overrun.
    if let Some(short) = buf.len().checked_sub(1) {
        prop_assert!(m.emit(&mut vec![0u8; short]).is_err());
    }
    Ok(())
}

macro_rules! payload_round_trips {
    ($($name:ident => $strategy:expr;)+) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            $(
                #[test]
                fn $name(body in $strategy) {
                    check_payload(body)?;
                }
            )+
        }
    };
}

payload_round_trips! {
    sa_round_trip => sa();
    ke_round_trip => ke();
    idi_round_trip => id().prop_map(PayloadBody::IdI);
    idr_round_trip => id().prop_map(PayloadBody::IdR);
    cert_round_trip => cert().prop_map(PayloadBody::Cert);
    certreq_round_trip => cert().prop_map(PayloadBody::CertReq);
    auth_round_trip => auth();
    nonce_round_trip => nonce();
    notify_round_trip => notify();
    delete_round_trip => delete();
    vendor_round_trip => vendor();
    tsi_round_trip => ts().prop_map(PayloadBody::TsI);
    tsr_round_trip => ts().prop_map(PayloadBody::TsR);
    sk_round_trip => sk();
    cp_round_trip => cp();
    eap_round_trip => eap();
    skf_round_trip => skf();
    unknown_round_trip => unknown();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn message_round_trip(m in message()) {
        check_message(&m)?;
    }

    /// A decrypted inner chain round-trips through emit_chain / parse_inner_chain.
    #[test]
    fn inner_chain_round_trip(payloads in vec(plain_payload(), 1..8)) {
        let mut buf = vec![0u8; chain_len(&payloads)];
        prop_assert_eq!(emit_chain(&payloads, &mut buf).unwrap(), buf.len());
        let first = first_type(&payloads);
        prop_assert_eq!(Payloads::inner(first, &buf).validate().unwrap(), payloads.len());
        prop_assert_eq!(parse_inner_chain(first, &buf).unwrap(), payloads);
    }

    /// Typed notify data: parse(emit(d)) == d and emit(parse(bytes)) == bytes.
    #[test]
    fn notify_data_round_trip((ty, data) in notify_data()) {
        let parsed = NotifyData::parse(ty, &data, 0).unwrap();
        prop_assert_eq!(parsed.buffer_len(), data.len());
        let mut out = vec![0u8; parsed.buffer_len()];
        prop_assert_eq!(parsed.emit(&mut out).unwrap(), data.len());
        prop_assert_eq!(&out, &data);
        let n = NotifyRepr::new(ty, &parsed).unwrap();
        prop_assert_eq!(n.data().unwrap(), parsed);
    }

    /// Arbitrary bytes after a valid header never panic, and whatever parses re-emits exactly.
    #[test]
    fn arbitrary_chain_never_panics(first in any::<u8>(), chain in vec(any::<u8>(), 0..300)) {
        let mut m = vec![0u8; 28];
        m[16] = first;
        m[17] = 0x20;
        m[24..28].copy_from_slice(&u32::try_from(28 + chain.len()).unwrap().to_be_bytes());
        m.extend_from_slice(&chain);
        if let Ok(r) = MessageRepr::parse(&m) {
            prop_assert_eq!(r.to_vec().unwrap(), m);
        }
    }
}
