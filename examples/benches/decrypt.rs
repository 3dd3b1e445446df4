//! Cost of decryption in the decoder, on the embedded capture (Wireshark
//! wiki "IPsec Example 2": 54 datagrams, 24 SK messages, 24 ESP packets):
//! decoding with both key tables loaded and both openers plugged in, against
//! decoding the same capture without keys in the same run (the baseline).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ikev2_examples::decode::Decoder;
use ikev2_examples::keys::{EspKeyTable, Ikev2KeyTable};
use ikev2_examples::openers::{EspDescriber, Ikev2Opener};
use ikev2_examples::{DEFAULT_CAPTURE, DEFAULT_ESP_KEYS, DEFAULT_IKEV2_KEYS};

fn bench(c: &mut Criterion) {
    let ikev2 = Ikev2KeyTable::parse(DEFAULT_IKEV2_KEYS).unwrap();
    let esp = EspKeyTable::parse(DEFAULT_ESP_KEYS).unwrap();
    let mut g = c.benchmark_group("decrypt_embedded_capture");
    g.throughput(Throughput::Bytes(DEFAULT_CAPTURE.len() as u64));
    g.bench_function("baseline_decode_without_keys", |b| {
        let mut d = Decoder::new();
        b.iter(|| d.decode_capture(DEFAULT_CAPTURE).unwrap().len())
    });
    g.bench_function("decode_and_decrypt_ike_only", |b| {
        let mut d = Decoder::new()
            .with_opener(Box::new(Ikev2Opener::new(ikev2.clone())))
            .with_ikev2_keys(ikev2.clone());
        b.iter(|| d.decode_capture(DEFAULT_CAPTURE).unwrap().len())
    });
    g.bench_function("decode_and_decrypt_ike_and_esp", |b| {
        let mut d = Decoder::new()
            .with_opener(Box::new(Ikev2Opener::new(ikev2.clone())))
            .with_ikev2_keys(ikev2.clone())
            .with_esp_opener(Box::new(EspDescriber::new()))
            .with_esp_keys(esp.clone());
        b.iter(|| d.decode_capture(DEFAULT_CAPTURE).unwrap().len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
