//! Feeds arbitrary packets to `InboundSa::open` for every suite and mode. Beyond "no panic"
//! it checks the hostile-input contract: an error moves the window not at all and bumps
//! exactly one counter; success moves the packet counter by one. Half of the inputs are
//! genuine packets (sealed from the input) with one octet changed, so the fuzzer also gets
//! past the ICV and exercises trailer, padding and inner-length parsing.
#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use esp::{InboundCounters, InboundSa, Mode, OutboundSa, SaParams, SealOptions};
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::{EncrId, IntegId};
use libfuzzer_sys::fuzz_target;

const SPI: u32 = 0x0102_0304;

fn params(selector: u8, keys: &[u8; 64]) -> SaParams<'_> {
    let mode = if selector & 0x10 == 0 {
        Mode::Tunnel
    } else {
        Mode::Transport
    };
    let esn = selector & 0x20 != 0;
    let base = match selector % 4 {
        0 => SaParams::aead(SPI, EncrId::AesGcm16, Some(128), &keys[..20]),
        1 => SaParams::aead(SPI, EncrId::Chacha20Poly1305, None, &keys[..36]),
        2 => SaParams::cipher_integ(
            SPI,
            EncrId::AesCbc,
            Some(128),
            &keys[..16],
            IntegId::HmacSha2_256_128,
            &keys[32..64],
        ),
        _ => SaParams::cipher_integ(
            SPI,
            EncrId::AesCtr,
            Some(128),
            &keys[..20],
            IntegId::HmacSha2_256_128,
            &keys[32..64],
        ),
    };
    SaParams {
        mode,
        esn,
        replay_window: 64,
        ..base
    }
}

fn total(c: &InboundCounters) -> u64 {
    c.packets
        + c.replay_too_old
        + c.replay_duplicate
        + c.auth_failures
        + c.bad_padding
        + c.bad_length
        + c.wrong_spi
        + c.expired
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let keys = [0x5au8; 64];
    let p = params(selector, &keys);
    let mut rx = InboundSa::new(&PROVIDER, &p).unwrap();
    let mut packet = if selector & 0x40 != 0 && rest.len() >= 3 {
        // A genuine packet around the payload rest[2..], then one octet changed.
        let mut tx = OutboundSa::new(&PROVIDER, &p).unwrap();
        let payload = &rest[2..];
        let mut buf = vec![0u8; tx.sealed_len(payload.len())];
        let at = tx.header_len();
        buf[at..at + payload.len()].copy_from_slice(payload);
        let opts = SealOptions {
            next_header: Some(rest[0]),
            ..SealOptions::default()
        };
        let Ok(s) = tx.seal_with(&mut buf, payload.len(), &opts) else {
            return;
        };
        buf.truncate(s.len);
        let at = usize::from(rest[1]) % (buf.len() + 1);
        if let Some(b) = buf.get_mut(at) {
            *b ^= 0x01;
        }
        buf
    } else {
        rest.to_vec()
    };
    let before = total(rx.counters());
    let top = rx.window().top();
    match rx.open(&mut packet) {
        Ok(o) => {
            assert!(o.payload.end <= packet.len());
            assert_eq!(rx.counters().packets, 1);
            assert_eq!(rx.window().top(), o.seq);
        }
        Err(_) => {
            assert_eq!(total(rx.counters()), before + 1);
            assert_eq!(rx.window().top(), top);
        }
    }
});
