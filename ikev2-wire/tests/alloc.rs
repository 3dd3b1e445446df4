//! The view path does not touch the heap: validating a whole IKE_SA_INIT
//! (header, every payload, every proposal/transform/attribute, typed notify
//! data), walking it, locating the SK envelope and validating a decrypted
//! inner chain perform zero allocations. Measured with a counting global
//! allocator. The counter is process-wide, so this test runs without the
//! libtest harness (`harness = false` in Cargo.toml): no other thread
//! allocates while it measures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::alloc::System;

use ikev2_wire::*;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// tcpdump `tests/ikev2four.pcap` frame 1: IKE_SA_INIT request (SA with 12
/// transforms, KE, Nonce, two NAT_DETECTION notifies).
const IKEV2FOUR_F1: &str = "a88875a8198992a6000000000000000021202208000000000000017822000078000000740101000c0300000c0100000c800e00800300000c0100000c800e01000300000c0100000c800e00c00300000801000003030000080200000203000008020000010300000802000004030000080300000203000008030000010300000803000005030000080400000200000008040000 0e2800008800020000b5445bd60cece6fdcd3c96a52cbb7bb426a8c7a0f56a9c38d1b1c4f0c3a6e8e7dba5c7339b6ed02e757119dfb5b6933ce93b604987fbbc77221b2a0c7cdd32787eff10572bef546c361462f9da34847969a42e51c755996beac42e6fba961a75de0fc1b23f099380896ee89202122dedac1bd54aa8494ac3d740be4d2a4cf39d290000246128ebd023a864e94a7ffb74bf7cce2fd4367322b8b073f942282bd52ebfe3e62900001c00004004442ffe5aea0cee4dbacc758e801233bdc09a0abf0000001c00004005ba041b5de59955900d818ac54e18b236739d9e8b";

/// RFC 7634 Appendix B: 69-octet INFORMATIONAL with an SK payload.
const RFC7634: &str = "c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e2025000000000900000045290000291011121314151617610394701f8d017f7c129248896b71bfe25236efd7cdc67066906315b2";

/// RUB-NDS IKEv2HandshakeIT: decrypted IKE_AUTH request chain (IDi AUTH SA TSi TSr).
const INNER: &str = "2700000c010000000a0003012100001c02000000708985b9fcc1861ad1bbc25e2188cf724b798e092c00002c00000028010304032a85e1150300000c0100000c800e0080030000080300000200000008050000002d00001801000000070000100000ffff00000000ffffffff0000001801000000070000100000ffff00000000ffffffff";

fn main() {
    view_path_does_not_allocate();
    println!("alloc: view path made 0 heap allocations: ok");
}

fn view_path_does_not_allocate() {
    let init = hex(&IKEV2FOUR_F1.replace(' ', ""));
    let sk = hex(RFC7634);
    let inner = hex(INNER);

    let region = Region::new(GLOBAL);
    let mut seen = 0usize;
    for _ in 0..100 {
        let m = Message::parse(&init).unwrap();
        seen += m.payload_count();
        for p in m.payloads() {
            // Flat payloads decode to borrowed reprs without allocating.
            if matches!(
                p.payload_type,
                PayloadType::Notify | PayloadType::KeyExchange
            ) {
                if let PayloadBody::Notify(n) = p.repr().unwrap().body {
                    seen += usize::from(n.data().is_ok());
                }
            }
            if p.payload_type == PayloadType::SecurityAssociation {
                for prop in Proposals::new(p.body, p.body_offset()) {
                    for t in prop.unwrap().transforms {
                        seen += usize::from(t.unwrap().id() != TransformId::Other(0));
                    }
                }
            }
        }
        let m = Message::parse(&sk).unwrap();
        let env = m.encrypted().unwrap();
        seen += env.data.len();
        seen += Payloads::inner(PayloadType::IdentificationInitiator, &inner)
            .validate()
            .unwrap();
    }
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
    assert!(seen > 0);

    // The counter does count: the repr path allocates (proving the check is live).
    let region = Region::new(GLOBAL);
    let r = MessageRepr::parse(&init).unwrap();
    assert!(region.change().allocations > 0);
    drop(r);
}
