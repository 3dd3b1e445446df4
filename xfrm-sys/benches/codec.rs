//! Encode/decode cost of an SA request, against a plain copy of the same
//! bytes as the baseline; and the ikev2-sm bridge's cost for a negotiated
//! Child SA, against building the same messages from a ready spec.
#![allow(missing_docs, clippy::unwrap_used)]

#[path = "../examples/support/ike_pair.rs"]
mod ike_pair;

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

    // A Child SA negotiated by two real endpoints (tunnel, AES-GCM-256, ESN).
    let (_link, install, _) = ike_pair::negotiate(&ike_pair::Pair {
        esp: "aes256gcm16-esn",
        mode: ikev2_sm::config::Mode::Tunnel,
        ts: ("10.1.0.0/16", "10.2.0.0/16"),
        a: "192.0.2.1:500".parse().unwrap(),
        b: "192.0.2.2:500".parse().unwrap(),
        force_encap: false,
    })
    .unwrap();
    let cfg = xfrm_sys::bridge::BridgeConfig {
        features: k,
        ..Default::default()
    };
    let remove = ikev2_sm::ChildSaRemove {
        sa: install.sa,
        name: install.name.clone(),
        spi_in: install.spi_in,
        spi_out: install.spi_out,
    };
    let spec = xfrm_sys::bridge::spec_from_install(&install, 1, &cfg).unwrap();
    let mut g = c.benchmark_group("bridge");
    g.bench_function("baseline_spec_install", |bn| {
        bn.iter(|| black_box(black_box(&spec).install(k).unwrap()))
    });
    let mut bridge = xfrm_sys::bridge::KernelBridge::new(cfg);
    g.bench_function("install_and_remove", |bn| {
        bn.iter(|| {
            let a = bridge.install(black_box(&install)).unwrap();
            let b = bridge.remove(black_box(&remove)).unwrap();
            black_box((a, b))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
