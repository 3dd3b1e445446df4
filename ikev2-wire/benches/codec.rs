//! Parse and emit of a typical IKE_SA_INIT request and of a decrypted
//! IKE_AUTH inner chain, with a same-run baseline (copy + byte checksum over
//! the same octets) so results can be quoted as ratios.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::borrow::Cow;
use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ikev2_wire::*;

fn transform(ty: TransformType, id: u16) -> TransformRepr<'static> {
    TransformRepr::new(ty, id)
}

fn ike_proposal(
    number: u8,
    encr: EncrId,
    key_bits: u16,
    integ: Option<IntegId>,
) -> ProposalRepr<'static> {
    let mut transforms =
        vec![transform(TransformType::Encr, encr.into()).with_key_length(key_bits)];
    transforms.push(transform(TransformType::Prf, PrfId::HmacSha2_256.into()));
    transforms.push(transform(TransformType::Prf, PrfId::HmacSha2_384.into()));
    if let Some(i) = integ {
        transforms.push(transform(TransformType::Integ, i.into()));
    }
    transforms.push(transform(TransformType::Ke, KeId::Ecp256.into()));
    transforms.push(transform(TransformType::Ke, KeId::Curve25519.into()));
    ProposalRepr {
        reserved: 0,
        number,
        protocol_id: ProtocolId::Ike,
        spi: Cow::Borrowed(&[]),
        transforms,
    }
}

/// IKE_SA_INIT request: SA with three proposals (AES-GCM-16, AES-CBC + SHA2,
/// ChaCha20-Poly1305), KE group 19, 32-octet Ni, four notifies.
fn ike_sa_init() -> MessageRepr<'static> {
    let hashes = [0u8, 2, 0, 3, 0, 4];
    let notify = |t, d: &NotifyData<'_>| PayloadRepr::from(NotifyRepr::new(t, d).unwrap());
    MessageRepr {
        header: HeaderRepr::new(
            0x1122_3344_5566_7788,
            0,
            ExchangeType::IkeSaInit,
            FLAG_INITIATOR,
            0,
        ),
        payloads: vec![
            SaRepr {
                proposals: vec![
                    ike_proposal(1, EncrId::AesGcm16, 256, None),
                    ike_proposal(2, EncrId::AesCbc, 256, Some(IntegId::HmacSha2_256_128)),
                    ike_proposal(3, EncrId::Chacha20Poly1305, 256, None),
                ],
            }
            .into(),
            KeRepr {
                group: KeId::Ecp256,
                reserved: 0,
                data: Cow::Owned(vec![0x5a; 64]),
            }
            .into(),
            NonceRepr {
                data: Cow::Owned(vec![0xa5; 32]),
            }
            .into(),
            notify(
                NotifyType::NatDetectionSourceIp,
                &NotifyData::NatDetection(&[1; 20]),
            ),
            notify(
                NotifyType::NatDetectionDestinationIp,
                &NotifyData::NatDetection(&[2; 20]),
            ),
            notify(NotifyType::Ikev2FragmentationSupported, &NotifyData::None),
            notify(
                NotifyType::SignatureHashAlgorithms,
                &NotifyData::SignatureHashAlgorithms(HashAlgorithms::from_bytes(&hashes).unwrap()),
            ),
        ],
    }
}

/// Decrypted IKE_AUTH request chain: IDi, AUTH, N(INITIAL_CONTACT), CP,
/// SA (ESP), TSi, TSr, N(ESP_TFC_PADDING_NOT_SUPPORTED).
fn ike_auth_inner() -> Vec<PayloadRepr<'static>> {
    let any_v4 = TrafficSelector::Ipv4 {
        ip_protocol: 0,
        start_port: 0,
        end_port: 65535,
        start: Ipv4Addr::new(10, 1, 0, 0),
        end: Ipv4Addr::new(10, 1, 255, 255),
    };
    let ts = TsRepr {
        reserved: [0; 3],
        selectors: vec![any_v4.clone(), any_v4],
    };
    let esp = ProposalRepr {
        reserved: 0,
        number: 1,
        protocol_id: ProtocolId::Esp,
        spi: Cow::Borrowed(&[0xc0, 0x01, 0x02, 0x03]),
        transforms: vec![
            transform(TransformType::Encr, EncrId::AesGcm16.into()).with_key_length(256),
            transform(TransformType::Esn, EsnId::NoEsn.into()),
        ],
    };
    vec![
        PayloadRepr::new(PayloadBody::IdI(IdRepr::new(
            IdType::Fqdn,
            Cow::Borrowed(b"client.example.org"),
        ))),
        AuthRepr {
            method: AuthMethod::SharedKeyMessageIntegrityCode,
            reserved: [0; 3],
            data: Cow::Owned(vec![7; 32]),
        }
        .into(),
        NotifyRepr::new(NotifyType::InitialContact, &NotifyData::None)
            .unwrap()
            .into(),
        CpRepr {
            cfg_type: CfgType::Request,
            reserved: [0; 3],
            attributes: vec![
                CfgAttribute::new(CfgAttributeType::InternalIp4Address, Cow::Borrowed(&[])),
                CfgAttribute::new(CfgAttributeType::InternalIp4Dns, Cow::Borrowed(&[])),
                CfgAttribute::new(CfgAttributeType::InternalIp6Address, Cow::Borrowed(&[])),
            ],
        }
        .into(),
        SaRepr {
            proposals: vec![esp],
        }
        .into(),
        PayloadRepr::new(PayloadBody::TsI(ts.clone())),
        PayloadRepr::new(PayloadBody::TsR(ts)),
        NotifyRepr::new(NotifyType::EspTfcPaddingNotSupported, &NotifyData::None)
            .unwrap()
            .into(),
    ]
}

/// Same-run baseline: copy the octets and fold them into a checksum.
fn baseline(src: &[u8], dst: &mut [u8]) -> u32 {
    dst.copy_from_slice(src);
    dst.iter()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(*b)))
}

fn bench(c: &mut Criterion) {
    let init = ike_sa_init();
    let init_bytes = init.to_vec().unwrap();
    let mut out = vec![0u8; init_bytes.len()];
    let mut g = c.benchmark_group("ike_sa_init");
    g.throughput(Throughput::Bytes(init_bytes.len() as u64));
    g.bench_function("baseline_copy_checksum", |b| {
        b.iter(|| baseline(black_box(&init_bytes), &mut out))
    });
    g.bench_function("validate_view", |b| {
        b.iter(|| {
            Message::parse(black_box(&init_bytes))
                .unwrap()
                .payload_count()
        })
    });
    g.bench_function("parse_repr", |b| {
        b.iter(|| MessageRepr::parse(black_box(&init_bytes)).unwrap())
    });
    g.bench_function("emit", |b| {
        b.iter(|| black_box(&init).emit(&mut out).unwrap())
    });
    g.finish();

    let inner = ike_auth_inner();
    let first = first_type(&inner);
    let mut inner_bytes = vec![0u8; chain_len(&inner)];
    emit_chain(&inner, &mut inner_bytes).unwrap();
    let mut out = vec![0u8; inner_bytes.len()];
    let mut g = c.benchmark_group("ike_auth_inner");
    g.throughput(Throughput::Bytes(inner_bytes.len() as u64));
    g.bench_function("baseline_copy_checksum", |b| {
        b.iter(|| baseline(black_box(&inner_bytes), &mut out))
    });
    g.bench_function("validate_view", |b| {
        b.iter(|| {
            Payloads::inner(first, black_box(&inner_bytes))
                .validate()
                .unwrap()
        })
    });
    g.bench_function("parse_repr", |b| {
        b.iter(|| parse_inner_chain(first, black_box(&inner_bytes)).unwrap())
    });
    g.bench_function("emit", |b| {
        b.iter(|| emit_chain(black_box(&inner), &mut out).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
