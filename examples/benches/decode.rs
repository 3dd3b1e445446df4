//! Decoder throughput on the embedded capture (Wireshark wiki "IPsec
//! Example 2": 54 IKE/ESP datagrams, 18 KB), each stage against the one
//! below it in the same run: reading the pcapng frames alone is the
//! baseline; then link/IP/UDP extraction; then full decoding into records;
//! then records rendered as JSON lines.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ikev2_examples::capture::Frames;
use ikev2_examples::decode::Decoder;
use ikev2_examples::net::UdpExtractor;
use ikev2_examples::DEFAULT_CAPTURE;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("decode_embedded_capture");
    g.throughput(Throughput::Bytes(DEFAULT_CAPTURE.len() as u64));
    g.bench_function("baseline_read_frames", |b| {
        b.iter(|| Frames::new(DEFAULT_CAPTURE).unwrap().count())
    });
    g.bench_function("extract_udp", |b| {
        b.iter(|| {
            let mut x = UdpExtractor::new();
            Frames::new(DEFAULT_CAPTURE)
                .unwrap()
                .filter(|f| x.extract(f.as_ref().unwrap()).is_ok())
                .count()
        })
    });
    g.bench_function("decode_records", |b| {
        b.iter(|| {
            Decoder::new()
                .decode_capture(DEFAULT_CAPTURE)
                .unwrap()
                .len()
        })
    });
    g.bench_function("decode_and_render_json", |b| {
        b.iter(|| {
            Decoder::new()
                .decode_capture(DEFAULT_CAPTURE)
                .unwrap()
                .iter()
                .map(|r| serde_json::to_string(r).unwrap().len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
