//! "A forged packet changes no state", as a property: genuine packets of an
//! SA (with and without ESN) arrive out of order, interleaved with forged
//! ones (bit flips, truncations, a far-ahead sequence number, garbage).
//! Every forged packet is refused with exactly one drop counter moved, the
//! anti-replay window answers exactly as before for every sequence number
//! around it, and every genuine packet still opens once, and once only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use esp::{InboundCounters, InboundSa, OutboundSa, SaParams};
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::EncrId;
use proptest::prelude::*;

const WINDOW: u32 = 32;
const PACKETS: usize = 40;

fn pair(esn: bool) -> (OutboundSa, InboundSa) {
    let keymat = [0x5au8; 36];
    let p = SaParams {
        replay_window: WINDOW,
        esn,
        ..SaParams::aead(0x0bad_cafe, EncrId::AesGcm16, Some(256), &keymat)
    };
    (
        OutboundSa::new(&PROVIDER, &p).unwrap(),
        InboundSa::new(&PROVIDER, &p).unwrap(),
    )
}

/// A tunnel-mode IPv4 packet of `len` octets.
fn ipv4(len: usize, fill: u8) -> Vec<u8> {
    let mut v = vec![fill; len];
    v[0] = 0x45;
    v[2..4].copy_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
    v[9] = 17;
    v
}

fn seal(tx: &mut OutboundSa, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; tx.sealed_len(payload.len())];
    let h = tx.header_len();
    buf[h..h + payload.len()].copy_from_slice(payload);
    let sealed = tx.seal(&mut buf, payload.len()).unwrap();
    buf.truncate(sealed.len);
    buf
}

fn total(c: &InboundCounters) -> u64 {
    c.replay_too_old
        + c.replay_duplicate
        + c.auth_failures
        + c.bad_padding
        + c.bad_length
        + c.wrong_spi
        + c.expired
}

/// How the window answers for every number from 0 to 2 windows past its
/// top: the observable replay state.
fn window_view(rx: &InboundSa) -> (u64, Vec<bool>) {
    let w = rx.window();
    let top = w.top();
    let lo = top.saturating_sub(u64::from(WINDOW) * 2);
    let hi = top + u64::from(WINDOW) * 2;
    (top, (lo..=hi).map(|s| w.check(s).is_ok()).collect())
}

/// A forgery made from genuine packet `p`.
#[derive(Debug, Clone)]
enum Forge {
    /// XOR one octet (never with 0).
    Flip(usize, u8),
    /// Keep a prefix.
    Truncate(usize),
    /// Sequence number field set far ahead (ICV no longer matches).
    FarAhead(u32),
    /// Arbitrary bytes under the right SPI.
    Garbage(Vec<u8>),
}

fn forge() -> impl Strategy<Value = Forge> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(a, x)| Forge::Flip(a, x)),
        any::<usize>().prop_map(Forge::Truncate),
        (1000u32..).prop_map(Forge::FarAhead),
        proptest::collection::vec(any::<u8>(), 0..120).prop_map(Forge::Garbage),
    ]
}

fn apply(f: &Forge, genuine: &[u8]) -> Vec<u8> {
    let mut p = genuine.to_vec();
    match f {
        Forge::Flip(at, x) => {
            let at = at % p.len();
            p[at] ^= x;
        }
        Forge::Truncate(n) => p.truncate(n % p.len()),
        Forge::FarAhead(seq) => p[4..8].copy_from_slice(&seq.to_be_bytes()),
        Forge::Garbage(g) => {
            p.truncate(4);
            p.extend_from_slice(g);
        }
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn forged_packets_leave_the_window_and_sa_untouched(
        esn in any::<bool>(),
        order in Just((0..PACKETS).collect::<Vec<_>>()).prop_shuffle(),
        forgeries in proptest::collection::vec((0..PACKETS, forge()), 1..24),
        every in 1usize..4,
    ) {
        let (mut tx, mut rx) = pair(esn);
        let genuine: Vec<Vec<u8>> = (0..PACKETS)
            .map(|i| seal(&mut tx, &ipv4(40 + i, u8::try_from(i).unwrap())))
            .collect();
        let mut opened = [false; PACKETS];
        let mut forged = forgeries.iter();
        for (n, &i) in order.iter().enumerate() {
            if n % every == 0 {
                if let Some((of, f)) = forged.next() {
                    let mut p = apply(f, &genuine[*of]);
                    let before = (*rx.counters(), window_view(&rx));
                    prop_assert!(rx.open(&mut p).is_err(), "forgery {f:?} of packet {of} opened");
                    prop_assert_eq!(&window_view(&rx), &before.1, "window moved on {:?}", f);
                    prop_assert_eq!(total(rx.counters()), total(&before.0) + 1, "{:?}", f);
                    prop_assert_eq!(rx.counters().packets, before.0.packets);
                    prop_assert_eq!(rx.counters().bytes, before.0.bytes);
                }
            }
            // The genuine packet opens unless the window has moved past it
            // (then: refused as too old, as the model says).
            let expect = rx.window().check(i as u64 + 1).is_ok();
            let r = rx.open(&mut genuine[i].clone());
            prop_assert_eq!(r.is_ok(), expect, "packet {} (seq {})", i, i + 1);
            opened[i] = r.is_ok();
        }
        // Nothing opens twice.
        for (i, p) in genuine.iter().enumerate() {
            prop_assert!(rx.open(&mut p.clone()).is_err(), "packet {} opened twice", i);
        }
        // Packets within a window of the highest all opened.
        let top = rx.window().top();
        prop_assert_eq!(top, PACKETS as u64);
        for (i, ok) in opened.iter().enumerate() {
            if (i as u64 + 1) + u64::from(WINDOW) > top {
                prop_assert!(ok, "packet {} inside the window refused", i);
            }
        }
    }
}
