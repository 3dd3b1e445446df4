//! Encode/decode cost of an SA request, against a plain copy of the same
//! bytes as the baseline.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, Criterion};
use xfrm_sys::{
    AeadAlg, ChildSaSpec, Cipher, Direction, KernelFeatures, Key, Mode, NetlinkMessage, SaKeys,
    XfrmMessage,
};

fn bench(c: &mut Criterion) {
    let keys = |spi| SaKeys {
        spi,
        cipher: Cipher::Aead {
            alg: AeadAlg::AesGcm16 { key_bits: 256 },
            key: Key::new(&[7; 36]),
        },
    };
    let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let b = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
    let mut spec = ChildSaSpec::new(a, b, Mode::Tunnel, 1, keys(1), keys(2));
    spec.esn = true;
    spec.replay_window = 1024;
    let k = KernelFeatures { sa_dir: true };
    let msg = XfrmMessage::NewSa(spec.sa(Direction::In, k).unwrap());
    let wire = msg.to_request(1);
    let mut g = c.benchmark_group("newsa");
    g.bench_function("baseline_copy", |bn| {
        bn.iter(|| black_box(black_box(&wire).to_vec()))
    });
    g.bench_function("spec_to_sa", |bn| {
        bn.iter(|| black_box(spec.sa(Direction::In, k).unwrap()))
    });
    g.bench_function("emit", |bn| {
        bn.iter(|| black_box(black_box(&msg).to_request(1)))
    });
    g.bench_function("parse", |bn| {
        bn.iter(|| {
            black_box(
                NetlinkMessage::parse_all(black_box(&wire))
                    .next()
                    .unwrap()
                    .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
