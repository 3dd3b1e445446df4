//! The reassembler on fragments protected and authenticated by
//! `ikev2_crypto::sk` (what `on_fragment` hands it).

use super::*;
use ikev2_crypto::provider::rustcrypto::PROVIDER;
use ikev2_crypto::random::DeterministicRandom;
use ikev2_crypto::EncrId;
use proptest::prelude::*;

const AUTH: ExchangeType = ExchangeType::IkeAuth;

fn keys() -> SkKeys {
    let gcm = PROVIDER.encr(EncrId::AesGcm16, Some(256)).unwrap();
    SkKeys::new(gcm, None, &[7; 36], &[]).unwrap()
}

fn header() -> [u8; 28] {
    let mut h = [0u8; 28];
    h[..8].copy_from_slice(&[1; 8]);
    h[8..16].copy_from_slice(&[2; 8]);
    h[17] = 0x20;
    h[18] = 35;
    h[20..24].copy_from_slice(&1u32.to_be_bytes());
    h
}

fn inner(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// `inner` split into fragments of messages of at most `max` octets,
/// decrypted (authenticated) again.
fn fragments(inner: &[u8], max: usize) -> Vec<Fragment> {
    let k = keys();
    let rng = DeterministicRandom::seed_from_u64(3);
    encrypt_skf(&k, &rng, &header(), 35, inner, max)
        .unwrap()
        .iter()
        .map(|m| decrypt_skf(m, &k).unwrap())
        .collect()
}

const KEY: SetKey = SetKey {
    response: false,
    message_id: 1,
};

fn limits() -> Limits {
    Limits::default()
}

fn feed(r: &mut Reassembler, t: Instant, frags: impl IntoIterator<Item = Fragment>) -> Vec<Insert> {
    frags
        .into_iter()
        .map(|f| r.insert(t, KEY, AUTH, f, &limits()))
        .collect()
}

#[test]
fn out_of_order_completes_with_the_original_chain() {
    let data = inner(1000);
    let mut frags = fragments(&data, 200);
    assert!(frags.len() >= 6, "{}", frags.len());
    frags.reverse();
    let t = Instant::now();
    let mut r = Reassembler::default();
    let out = feed(&mut r, t, frags);
    let (last, rest) = out.split_last().unwrap();
    assert!(rest
        .iter()
        .all(|o| *o == Insert::Stored { superseded: None }));
    assert_eq!(
        *last,
        Insert::Complete {
            first_inner: 35,
            inner: data
        }
    );
    assert_eq!(r.len(), 0, "a completed set is forgotten");
    assert_eq!(r.next_deadline(), None);
}

#[test]
fn duplicates_are_ignored_and_do_not_complete() {
    let frags = fragments(&inner(500), 200);
    let t = Instant::now();
    let mut r = Reassembler::default();
    let first = frags[0].clone();
    assert_eq!(
        feed(&mut r, t, [first.clone(), first]),
        vec![
            Insert::Stored { superseded: None },
            Insert::Dropped(FragmentDrop::Duplicate)
        ]
    );
    assert_eq!(r.len(), 1);
    let out = feed(&mut r, t, frags[1..].iter().cloned());
    assert!(matches!(out.last(), Some(Insert::Complete { .. })));
}

#[test]
fn forged_fragments_fail_authentication_before_the_reassembler() {
    // What on_fragment relies on: decrypt_skf refuses any change, including
    // a forged Total Fragments that would otherwise supersede the set.
    let k = keys();
    let rng = DeterministicRandom::seed_from_u64(3);
    let msgs = encrypt_skf(&k, &rng, &header(), 35, &inner(500), 200).unwrap();
    for (at, delta) in [(30usize, 1u8), (31, 9), (60, 1), (msgs[0].len() - 1, 1)] {
        let mut forged = msgs[0].clone();
        forged[at] ^= delta;
        assert!(decrypt_skf(&forged, &k).is_err(), "octet {at}");
    }
}

#[test]
fn next_payload_only_in_fragment_one_and_one_exchange_per_set() {
    let mut frags = fragments(&inner(500), 200);
    let t = Instant::now();
    let mut r = Reassembler::default();
    frags[1].first_inner = 35;
    assert_eq!(
        feed(&mut r, t, [frags[1].clone()]),
        vec![Insert::Dropped(FragmentDrop::Invalid)]
    );
    assert_eq!(r.len(), 0);
    feed(&mut r, t, [frags[0].clone()]);
    assert_eq!(
        r.insert(
            t,
            KEY,
            ExchangeType::Informational,
            frags[2].clone(),
            &limits()
        ),
        Insert::Dropped(FragmentDrop::Invalid)
    );
    // Another message ID is another set.
    let other = SetKey {
        response: true,
        message_id: 1,
    };
    assert_eq!(
        r.insert(t, other, AUTH, frags[2].clone(), &limits()),
        Insert::Stored { superseded: None }
    );
    assert_eq!(r.len(), 2);
}

#[test]
fn count_and_size_limits() {
    let frags = fragments(&inner(2000), 200);
    let t = Instant::now();
    let mut r = Reassembler::default();
    let few = Limits {
        max_fragments: 4,
        ..limits()
    };
    assert_eq!(
        r.insert(t, KEY, AUTH, frags[0].clone(), &few),
        Insert::Dropped(FragmentDrop::TooManyFragments)
    );
    let small = Limits {
        max_message: 200,
        ..limits()
    };
    assert_eq!(
        r.insert(t, KEY, AUTH, frags[0].clone(), &small),
        Insert::Stored { superseded: None }
    );
    let total = frags[0].total;
    assert_eq!(
        r.insert(t, KEY, AUTH, frags[1].clone(), &small),
        Insert::Discarded(Discard {
            key: KEY,
            received: 1,
            total,
            reason: FragmentDrop::TooLarge
        })
    );
    assert_eq!(r.len(), 0, "the whole set goes");
}

#[test]
fn incomplete_sets_time_out() {
    let frags = fragments(&inner(500), 200);
    let t = Instant::now();
    let mut r = Reassembler::default();
    feed(&mut r, t, [frags[0].clone()]);
    let deadline = r.next_deadline().unwrap();
    assert_eq!(deadline - t, Duration::from_secs(30));
    assert!(r.expire(deadline - Duration::from_millis(1)).is_empty());
    let gone = r.expire(deadline);
    assert_eq!(gone.len(), 1);
    assert_eq!(
        (gone[0].received, gone[0].reason),
        (1, FragmentDrop::Timeout)
    );
    assert_eq!(r.next_deadline(), None);
    // The retransmission starts a fresh set and completes.
    let out = feed(&mut r, deadline, frags);
    assert!(matches!(out.last(), Some(Insert::Complete { .. })));
}

#[test]
fn more_fragments_supersede_fewer_are_stale() {
    // RFC 7383 §2.6: the sender refragmented into smaller pieces.
    let data = inner(900);
    let big = fragments(&data, 400);
    let small = fragments(&data, 200);
    assert!(small[0].total > big[0].total);
    let t = Instant::now();
    let mut r = Reassembler::default();
    feed(&mut r, t, [big[0].clone()]);
    let out = feed(&mut r, t, [small[1].clone()]);
    assert_eq!(
        out,
        vec![Insert::Stored {
            superseded: Some(Discard {
                key: KEY,
                received: 1,
                total: big[0].total,
                reason: FragmentDrop::Superseded
            })
        }]
    );
    assert_eq!(
        feed(&mut r, t, [big[1].clone()]),
        vec![Insert::Dropped(FragmentDrop::Stale)]
    );
    let mut rest = small.to_vec();
    rest.remove(1);
    let out = feed(&mut r, t, rest);
    assert_eq!(
        out.last(),
        Some(&Insert::Complete {
            first_inner: 35,
            inner: data
        })
    );
}

#[test]
fn fragment_budget_follows_strongswan_fragment_size() {
    let v4: SocketAddr = "192.0.2.1:500".parse().unwrap();
    let v4_natt: SocketAddr = "192.0.2.1:4500".parse().unwrap();
    let v6: SocketAddr = "[2001:db8::1]:500".parse().unwrap();
    assert_eq!(max_ike_len(1280, v4, v4), 1252);
    assert_eq!(max_ike_len(1280, v4_natt, v4), 1248);
    assert_eq!(max_ike_len(1280, v6, v6), 1232);
    assert_eq!(max_ike_len(20, v6, v6), 0);
}

proptest! {
    /// Any order, with any duplicates, gives back exactly the original
    /// inner chain, once, on the last missing fragment.
    #[test]
    fn order_independent(len in 1usize..3000, max in 120usize..600, seed in any::<u64>(), dups in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let data = inner(len);
        let frags = fragments(&data, max);
        let n = frags.len();
        let mut order: Vec<Fragment> = frags.clone();
        for d in &dups {
            order.push(frags[d.index(n)].clone());
        }
        // Deterministic shuffle from `seed`.
        let mut s = seed | 1;
        for i in (1..order.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            order.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let t = Instant::now();
        let mut r = Reassembler::default();
        let mut complete = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for f in order {
            let number = f.number;
            let fresh = seen.insert(number);
            match r.insert(t, KEY, AUTH, f, &limits()) {
                Insert::Complete { first_inner, inner } => complete.push((first_inner, inner)),
                Insert::Stored { superseded: None } => prop_assert!(fresh),
                // After completion a late duplicate starts a new set
                // (the window, not the reassembler, drops those).
                Insert::Dropped(FragmentDrop::Duplicate) => prop_assert!(!fresh),
                other => prop_assert!(false, "{:?}", other),
            }
            if !complete.is_empty() { break; }
        }
        prop_assert_eq!(complete, vec![(35u8, data)]);
    }
}
