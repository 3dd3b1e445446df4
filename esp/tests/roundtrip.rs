//! Seal-then-open for every algorithm, mode and sequence number width, and the hostile-input
//! contract: each bad packet gives its typed error, increments its counter and leaves the
//! window, the lifetime and the other counters as they were.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use esp::encap::{demux, seal_udp, Demuxed, KEEPALIVE, UDP_HEADER_LEN};
use esp::{
    Error, InboundCounters, InboundSa, Lifetime, Mode, OutboundSa, SaEvent, SaParams, SealOptions,
};
use ikev2_crypto::provider::rustcrypto::{self as rc, PROVIDER_WITH_LEGACY};
use ikev2_crypto::{CryptoProvider, EncrId, IntegId, SupportedEncr};

/// The RustCrypto provider with ENCR_NULL and the legacy integrity algorithms added, built
/// the rustls way: a struct literal overriding parts of a shipped provider.
static PROVIDER: CryptoProvider = CryptoProvider {
    encr: &[
        SupportedEncr::Aead(&rc::AES128_GCM16),
        SupportedEncr::Aead(&rc::AES256_GCM16),
        SupportedEncr::Aead(&rc::CHACHA20_POLY1305),
        SupportedEncr::Cipher(&rc::AES128_CBC),
        SupportedEncr::Cipher(&rc::AES192_CBC),
        SupportedEncr::Cipher(&rc::AES256_CBC),
        SupportedEncr::Cipher(&rc::AES128_CTR),
        SupportedEncr::Cipher(&rc::AES256_CTR),
        SupportedEncr::Cipher(&rc::ENCR_NULL),
    ],
    ..PROVIDER_WITH_LEGACY
};

/// (name, encryption, key bits, keymat length, integrity, integrity key length)
type Suite = (&'static str, EncrId, Option<u16>, usize, IntegId, usize);

const SUITES: &[Suite] = &[
    (
        "aes128gcm16",
        EncrId::AesGcm16,
        Some(128),
        20,
        IntegId::None,
        0,
    ),
    (
        "aes256gcm16",
        EncrId::AesGcm16,
        Some(256),
        36,
        IntegId::None,
        0,
    ),
    (
        "chacha20poly1305",
        EncrId::Chacha20Poly1305,
        None,
        36,
        IntegId::None,
        0,
    ),
    (
        "aes128cbc-sha256",
        EncrId::AesCbc,
        Some(128),
        16,
        IntegId::HmacSha2_256_128,
        32,
    ),
    (
        "aes192cbc-sha384",
        EncrId::AesCbc,
        Some(192),
        24,
        IntegId::HmacSha2_384_192,
        48,
    ),
    (
        "aes256cbc-sha512",
        EncrId::AesCbc,
        Some(256),
        32,
        IntegId::HmacSha2_512_256,
        64,
    ),
    (
        "aes128cbc-sha1",
        EncrId::AesCbc,
        Some(128),
        16,
        IntegId::HmacSha1_96,
        20,
    ),
    (
        "aes128ctr-sha256",
        EncrId::AesCtr,
        Some(128),
        20,
        IntegId::HmacSha2_256_128,
        32,
    ),
    (
        "aes256ctr-sha512",
        EncrId::AesCtr,
        Some(256),
        36,
        IntegId::HmacSha2_512_256,
        64,
    ),
    (
        "null-sha256",
        EncrId::Null,
        None,
        0,
        IntegId::HmacSha2_256_128,
        32,
    ),
];

fn ipv4(len: usize, fill: u8) -> Vec<u8> {
    let mut p = vec![fill; len.max(20)];
    p[..20].copy_from_slice(&[
        0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    let l = p.len() as u16;
    p[2..4].copy_from_slice(&l.to_be_bytes());
    p
}

fn ipv6(len: usize, fill: u8) -> Vec<u8> {
    let mut p = vec![fill; len.max(40)];
    p[..8].copy_from_slice(&[0x60, 0, 0, 0, 0, 0, 17, 64]);
    let l = (p.len() - 40) as u16;
    p[4..6].copy_from_slice(&l.to_be_bytes());
    p
}

struct Keys {
    encr: Vec<u8>,
    integ: Vec<u8>,
}

fn keys(suite: &Suite) -> Keys {
    Keys {
        encr: (0..suite.3).map(|i| i as u8 ^ 0x5a).collect(),
        integ: (0..suite.5).map(|i| i as u8 ^ 0xa5).collect(),
    }
}

fn params<'a>(suite: &Suite, k: &'a Keys, mode: Mode, esn: bool) -> SaParams<'a> {
    SaParams {
        mode,
        esn,
        allow_null_encryption: true,
        ..SaParams::cipher_integ(0xc0ff_ee01, suite.1, suite.2, &k.encr, suite.4, &k.integ)
    }
}

/// Seals `payload` and returns the packet bytes.
fn seal(tx: &mut OutboundSa, payload: &[u8], opts: &SealOptions<'_>) -> Vec<u8> {
    let body = payload.len().max(opts.tfc_pad_to);
    let mut buf = vec![0xEE; tx.sealed_len(body) + 7];
    let at = tx.header_len();
    buf[at..at + payload.len()].copy_from_slice(payload);
    let s = tx.seal_with(&mut buf, payload.len(), opts).unwrap();
    assert_eq!(s.len, tx.sealed_len(body));
    buf.truncate(s.len);
    buf
}

#[test]
fn every_suite_mode_and_esn_round_trips() {
    for suite in SUITES {
        let k = keys(suite);
        for esn in [false, true] {
            for mode in [Mode::Tunnel, Mode::Transport] {
                let p = params(suite, &k, mode, esn);
                let mut tx = OutboundSa::new(&PROVIDER, &p).unwrap();
                let mut rx = InboundSa::new(&PROVIDER, &p).unwrap();
                if esn {
                    // Start just below 2^32 so the run crosses into the next ESN subspace.
                    tx.sequence().resume_at(0xFFFF_FFFE).unwrap();
                    rx.window_mut().update(0xFFFF_FFFD);
                }
                let payloads: Vec<(Vec<u8>, u8)> = match mode {
                    Mode::Tunnel => vec![
                        (ipv4(20, 0), 4),
                        (ipv6(40, 1), 41),
                        (ipv4(1400, 2), 4),
                        (ipv6(1501, 3), 41),
                        (ipv4(77, 4), 4),
                    ],
                    _ => (0..6).map(|n| (vec![n as u8; n * 37], 6)).collect(),
                };
                let mut bytes = 0;
                for (i, (payload, nh)) in payloads.iter().enumerate() {
                    let opts = SealOptions {
                        next_header: (mode == Mode::Transport).then_some(*nh),
                        ..SealOptions::default()
                    };
                    let mut pkt = seal(&mut tx, payload, &opts);
                    let opened = rx
                        .open(&mut pkt)
                        .unwrap_or_else(|e| panic!("{} esn={esn} {mode:?} #{i}: {e}", suite.0));
                    assert_eq!(
                        &pkt[opened.payload.clone()],
                        payload.as_slice(),
                        "{}",
                        suite.0
                    );
                    assert_eq!(opened.next_header, *nh);
                    if esn {
                        assert_eq!(opened.seq, 0xFFFF_FFFE + i as u64);
                    }
                    bytes += payload.len() as u64;
                }
                let n = payloads.len() as u64;
                assert_eq!((rx.counters().packets, rx.counters().bytes), (n, bytes));
                assert_eq!((tx.counters().packets, tx.counters().bytes), (n, bytes));
            }
        }
    }
}

#[test]
fn sealed_packets_differ_and_ivs_never_repeat() {
    for suite in SUITES {
        let k = keys(suite);
        let p = params(suite, &k, Mode::Tunnel, false);
        let mut tx = OutboundSa::new(&PROVIDER, &p).unwrap();
        let iv_len = tx.header_len() - 8;
        let mut ivs = std::collections::HashSet::new();
        for _ in 0..50 {
            let pkt = seal(&mut tx, &ipv4(64, 9), &SealOptions::default());
            if iv_len > 0 {
                assert!(
                    ivs.insert(pkt[8..8 + iv_len].to_vec()),
                    "{}: IV repeated",
                    suite.0
                );
            }
        }
    }
}

fn gcm_pair(window: u32) -> (OutboundSa, InboundSa) {
    let keymat = [0x11u8; 20];
    let p = SaParams {
        replay_window: window,
        ..SaParams::aead(0xabcd_0001, EncrId::AesGcm16, Some(128), &keymat)
    };
    (
        OutboundSa::new(&PROVIDER, &p).unwrap(),
        InboundSa::new(&PROVIDER, &p).unwrap(),
    )
}

/// Opens `pkt` expecting `err`, and checks only `counter` moved.
fn expect_refused(
    rx: &mut InboundSa,
    mut pkt: Vec<u8>,
    err: fn(&Error) -> bool,
    counter: fn(&mut InboundCounters) -> &mut u64,
) {
    let before = *rx.counters();
    let top = rx.window().top();
    let e = rx.open(&mut pkt).unwrap_err();
    assert!(err(&e), "unexpected {e:?}");
    let mut expected = before;
    *counter(&mut expected) += 1;
    assert_eq!(*rx.counters(), expected);
    assert_eq!(rx.window().top(), top);
}

#[test]
fn hostile_input_is_typed_counted_and_harmless() {
    let (mut tx, mut rx) = gcm_pair(64);
    let good: Vec<Vec<u8>> = (0..3)
        .map(|i| seal(&mut tx, &ipv4(60, i), &SealOptions::default()))
        .collect();
    rx.open(&mut good[1].clone()).unwrap();

    // Truncated: every prefix shorter than header + IV + trailer + ICV.
    for n in 0..(8 + 8 + 2 + 16) {
        expect_refused(
            &mut rx,
            good[2][..n].to_vec(),
            |e| matches!(e, Error::Truncated { .. }),
            |c| &mut c.bad_length,
        );
    }
    // Wrong SPI.
    let mut p = good[2].clone();
    p[0] ^= 0x80;
    expect_refused(
        &mut rx,
        p,
        |e| matches!(e, Error::WrongSpi { .. }),
        |c| &mut c.wrong_spi,
    );
    // Bad ICV: a flipped bit anywhere after the SPI.
    for at in [5, 9, 20, good[2].len() - 1] {
        let mut p = good[2].clone();
        p[at] ^= 0x04;
        expect_refused(
            &mut rx,
            p,
            |e| matches!(e, Error::AuthenticationFailed),
            |c| &mut c.auth_failures,
        );
    }
    // Replays: duplicate, then too old once the window moved past.
    expect_refused(
        &mut rx,
        good[1].clone(),
        |e| matches!(e, Error::ReplayDuplicate { seq: 2 }),
        |c| &mut c.replay_duplicate,
    );
    // The genuine packet 3 still opens after all that: nothing was disturbed.
    rx.open(&mut good[2].clone()).unwrap();
    tx.sequence().resume_at(200).unwrap();
    rx.open(&mut seal(&mut tx, &ipv4(60, 7), &SealOptions::default()))
        .unwrap();
    expect_refused(
        &mut rx,
        good[0].clone(),
        |e| matches!(e, Error::ReplayTooOld { seq: 1 }),
        |c| &mut c.replay_too_old,
    );
}

/// A packet with a valid ICV but a malformed trailer, built with the provider's AEAD directly.
fn forged_trailer(plaintext: &[u8], seq: u32) -> Vec<u8> {
    let keymat = [0x11u8; 20];
    let Some(SupportedEncr::Aead(a)) = PROVIDER.encr(EncrId::AesGcm16, Some(128)) else {
        panic!()
    };
    let key = a.new_key(&keymat).unwrap();
    let mut pkt = Vec::new();
    pkt.extend_from_slice(&0xabcd_0001u32.to_be_bytes());
    pkt.extend_from_slice(&seq.to_be_bytes());
    let iv = [0x42u8; 8];
    pkt.extend_from_slice(&iv);
    let mut ct = plaintext.to_vec();
    let mut tag = [0u8; 16];
    key.seal_in_place(&iv, &pkt[..8], &mut ct, &mut tag)
        .unwrap();
    pkt.extend_from_slice(&ct);
    pkt.extend_from_slice(&tag);
    pkt
}

#[test]
fn bad_padding_and_bad_inner_length_are_refused_after_authentication() {
    let (_, mut rx) = gcm_pair(64);
    let mut inner = ipv4(20, 0);
    inner.extend_from_slice(&[1, 3, 2, 4]); // padding 1, 3 (should be 2)
    expect_refused(
        &mut rx,
        forged_trailer(&inner, 1),
        |e| matches!(e, Error::BadPadding),
        |c| &mut c.bad_padding,
    );
    let mut inner = ipv4(20, 0);
    inner.extend_from_slice(&[30, 4]); // pad length beyond the payload
    expect_refused(
        &mut rx,
        forged_trailer(&inner[..22], 1),
        |e| matches!(e, Error::BadPadding),
        |c| &mut c.bad_padding,
    );
    // Inner IPv4 header claims 100 octets, only 20 present.
    let mut inner = ipv4(20, 0);
    inner[2..4].copy_from_slice(&100u16.to_be_bytes());
    inner.extend_from_slice(&[1, 2, 2, 4]);
    expect_refused(
        &mut rx,
        forged_trailer(&inner, 1),
        |e| matches!(e, Error::BadLength),
        |c| &mut c.bad_length,
    );
    // Sequence number 1 was never accepted: a genuine packet 1 still opens.
    let mut inner = ipv4(20, 0);
    inner.extend_from_slice(&[1, 2, 2, 4]);
    rx.open(&mut forged_trailer(&inner, 1)).unwrap();
}

#[test]
fn tfc_padding_and_dummy_packets() {
    let (mut tx, mut rx) = gcm_pair(64);
    let inner = ipv4(40, 3);
    let opts = SealOptions {
        tfc_pad_to: 1000,
        ..SealOptions::default()
    };
    let mut pkt = seal(&mut tx, &inner, &opts);
    assert!(pkt.len() >= 1000 + 8 + 8 + 16);
    let o = rx.open(&mut pkt).unwrap();
    assert_eq!(&pkt[o.payload], inner.as_slice(), "TFC padding removed");

    let mut buf = vec![0u8; tx.sealed_len(300)];
    let s = tx.seal_dummy(&mut buf, 300).unwrap();
    let o = rx.open(&mut buf[..s.len]).unwrap();
    assert!(o.is_dummy());
    assert!(o.payload.is_empty());
    assert_eq!(rx.counters().dummy_packets, 1);

    // Transport mode cannot remove TFC padding, so it refuses to add it.
    let keymat = [0x11u8; 20];
    let p = SaParams {
        mode: Mode::Transport,
        ..SaParams::aead(1, EncrId::AesGcm16, Some(128), &keymat)
    };
    let mut t = OutboundSa::new(&PROVIDER, &p).unwrap();
    let mut buf = vec![0u8; 2000];
    let opts = SealOptions {
        next_header: Some(6),
        tfc_pad_to: 500,
        ..SealOptions::default()
    };
    assert!(t.seal_with(&mut buf, 10, &opts).is_err());
}

#[test]
fn lifetimes_raise_events_and_hard_limit_stops_the_sa() {
    let keymat = [0x11u8; 20];
    let p = SaParams {
        lifetime: Lifetime {
            soft_packets: Some(3),
            hard_packets: Some(5),
            soft_bytes: None,
            hard_bytes: Some(10_000),
        },
        ..SaParams::aead(9, EncrId::AesGcm16, Some(128), &keymat)
    };
    let mut tx = OutboundSa::new(&PROVIDER, &p).unwrap();
    let mut rx = InboundSa::new(&PROVIDER, &p).unwrap();
    let mut events = vec![];
    for _ in 0..5 {
        let mut pkt = seal(&mut tx, &ipv4(100, 0), &SealOptions::default());
        rx.open(&mut pkt).unwrap();
        events.extend(std::iter::from_fn(|| tx.poll_event()));
    }
    assert_eq!(events, [SaEvent::SoftLifetime, SaEvent::HardLifetime]);
    assert_eq!(rx.poll_event(), Some(SaEvent::SoftLifetime));
    assert_eq!(rx.poll_event(), Some(SaEvent::HardLifetime));
    assert_eq!(rx.poll_event(), None);
    let mut buf = vec![0u8; 200];
    assert_eq!(tx.seal(&mut buf, 20), Err(Error::HardLifetimeExpired));
    assert_eq!(tx.counters().expired, 1);
}

#[test]
fn sender_reports_rekey_then_refuses_to_wrap() {
    let (mut tx, _) = gcm_pair(64);
    tx.sequence().set_rekey_threshold(0xFFFF_FFF0);
    tx.sequence().resume_at(0xFFFF_FFEF).unwrap();
    let send = |tx: &mut OutboundSa| {
        let mut buf = vec![0u8; 200];
        buf[tx.header_len()] = 0x45;
        tx.seal(&mut buf, 20)
    };
    send(&mut tx).unwrap();
    assert_eq!(tx.poll_event(), None);
    send(&mut tx).unwrap();
    assert_eq!(tx.poll_event(), Some(SaEvent::RekeyRequired));
    tx.sequence().resume_at(0xFFFF_FFFF).unwrap();
    assert_eq!(send(&mut tx).unwrap().seq, 0xFFFF_FFFF);
    assert_eq!(send(&mut tx), Err(Error::SequenceOverflow));
    assert_eq!(send(&mut tx), Err(Error::SequenceOverflow));
    assert_eq!(tx.counters().sequence_overflow, 2);
    assert_eq!(tx.poll_event(), Some(SaEvent::SequenceExhausted));
    assert_eq!(tx.counters().packets, 3);
}

#[test]
fn absurd_lengths_are_refused_not_panicked_on() {
    let (mut tx, _) = gcm_pair(64);
    let mut buf = vec![0u8; 100];
    for n in [101, usize::MAX / 2, usize::MAX] {
        assert!(matches!(
            tx.seal(&mut buf, n),
            Err(Error::BufferTooSmall { .. })
        ));
        let opts = SealOptions {
            tfc_pad_to: n,
            next_header: Some(4),
            ..SealOptions::default()
        };
        assert!(matches!(
            tx.seal_with(&mut buf, 10, &opts),
            Err(Error::BufferTooSmall { .. })
        ));
    }
    assert_eq!(tx.counters().packets, 0);
    assert_eq!(tx.sequence().last(), 0, "no sequence number consumed");
}

#[test]
fn esn_without_replay_window_still_infers_high_bits() {
    let keymat = [0x11u8; 20];
    let p = SaParams {
        esn: true,
        replay_window: 0,
        ..SaParams::aead(7, EncrId::AesGcm16, Some(128), &keymat)
    };
    let mut tx = OutboundSa::new(&PROVIDER, &p).unwrap();
    let mut rx = InboundSa::new(&PROVIDER, &p).unwrap();
    tx.sequence().resume_at(0xFFFF_FFF0).unwrap();
    rx.window_mut().update(0xFFFF_FFEF);
    let mut pkts: Vec<Vec<u8>> = (0..40)
        .map(|i| seal(&mut tx, &ipv4(40, i), &SealOptions::default()))
        .collect();
    // Deliver newest first, then the rest, then everything again: with the window disabled
    // all are accepted, and each gets its true 64-bit number across the 2^32 boundary.
    pkts.reverse();
    for round in 0..2 {
        for (i, p) in pkts.iter().enumerate() {
            let o = rx.open(&mut p.clone()).unwrap();
            assert_eq!(o.seq, 0xFFFF_FFF0 + 39 - i as u64, "round {round}");
        }
    }
    assert_eq!(rx.window().top(), 0x1_0000_0017);
}

#[test]
fn null_encryption_needs_opt_in() {
    let ik = [1u8; 32];
    let p = SaParams::cipher_integ(1, EncrId::Null, None, &[], IntegId::HmacSha2_256_128, &ik);
    assert_eq!(
        OutboundSa::new(&PROVIDER, &p).unwrap_err(),
        Error::InvalidConfig("ENCR_NULL needs explicit opt-in")
    );
    let p = SaParams {
        allow_null_encryption: true,
        ..p
    };
    let mut tx = OutboundSa::new(&PROVIDER, &p).unwrap();
    // With NULL the payload travels in clear, but a changed octet fails integrity.
    let mut pkt = seal(&mut tx, &ipv4(30, 0xAB), &SealOptions::default());
    assert_eq!(pkt[8 + 20], 0xAB);
    pkt[8 + 20] = 0xAC;
    let mut rx = InboundSa::new(&PROVIDER, &p).unwrap();
    assert_eq!(rx.open(&mut pkt), Err(Error::AuthenticationFailed));
    // NULL without integrity is never allowed.
    let p = SaParams {
        allow_null_encryption: true,
        allow_no_integrity: true,
        ..SaParams::cipher_integ(1, EncrId::Null, None, &[], IntegId::None, &[])
    };
    assert!(InboundSa::new(&PROVIDER, &p).is_err());
}

#[test]
fn udp_encapsulation_round_trip_and_demux() {
    let (mut tx, mut rx) = gcm_pair(64);
    let inner = ipv4(100, 5);
    let mut buf = vec![0u8; UDP_HEADER_LEN + tx.sealed_len(inner.len())];
    let at = UDP_HEADER_LEN + tx.header_len();
    buf[at..at + inner.len()].copy_from_slice(&inner);
    let s = seal_udp(&mut tx, &mut buf, inner.len(), 4500, 4500).unwrap();
    assert_eq!(s.len, buf.len());
    assert_eq!(&buf[..4], &[0x11, 0x94, 0x11, 0x94]);
    assert_eq!(usize::from(u16::from_be_bytes([buf[4], buf[5]])), buf.len());
    assert_eq!(&buf[6..8], &[0, 0], "zero checksum (RFC 3948 section 2.1)");
    let udp_payload = &mut buf[UDP_HEADER_LEN..];
    let Demuxed::Esp(r) = demux(udp_payload).unwrap() else {
        panic!()
    };
    let o = rx.open(&mut udp_payload[r]).unwrap();
    assert_eq!(&udp_payload[o.payload], inner.as_slice());

    assert_eq!(demux(&KEEPALIVE), Ok(Demuxed::NatKeepalive));
    assert_eq!(demux(&[0, 0, 0, 0, 9, 9]), Ok(Demuxed::Ike(4..6)));
    assert!(demux(&[1, 2, 3]).is_err());
}
