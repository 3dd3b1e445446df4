//! Property tests for proposal parsing and selection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ikev2_sm::proposal::{check_response, parse_proposals, select, Preference, SelectionPolicy};
use ikev2_wire::{ProtocolId, TransformType};
use proptest::prelude::*;

const AEAD: &[&str] = &[
    "aes128gcm16",
    "aes256gcm16",
    "aes192gcm12",
    "chacha20poly1305",
    "aes128ccm8",
];
const CLASSIC: &[&str] = &["aes128", "aes256", "aes192ctr", "3des", "camellia256"];
const INTEG: &[&str] = &["sha256", "sha384", "sha512", "sha1", "aesxcbc"];
const PRF: &[&str] = &["prfsha256", "prfsha384", "prfsha512", "prfsha1"];
const KE: &[&str] = &[
    "x25519", "ecp256", "ecp384", "modp2048", "modp3072", "x448", "mlkem768",
];

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(pool, 1..=pool.len()).prop_shuffle()
}

/// A valid IKE proposal string.
fn ike_string() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        pick(AEAD),
        pick(CLASSIC),
        pick(INTEG),
        pick(PRF),
        pick(KE),
        any::<bool>(),
    )
        .prop_map(|(aead, a, c, i, p, k, explicit_prf)| {
            let mut words: Vec<&str> = if aead { a } else { c };
            if !aead {
                words.extend(i);
            }
            if aead || explicit_prf {
                words.extend(p);
            }
            words.extend(k);
            words.join("-")
        })
}

proptest! {
    #[test]
    fn keywords_round_trip(s in ike_string()) {
        let p = parse_proposals(ProtocolId::Ike, &s).unwrap();
        let kw = p[0].to_keywords().unwrap();
        let again = parse_proposals(ProtocolId::Ike, &kw).unwrap();
        prop_assert_eq!(&again, &p);
        // Parsing is stable under re-rendering.
        prop_assert_eq!(again[0].to_keywords().unwrap(), kw);
    }

    #[test]
    fn garbage_never_panics(s in "[a-z0-9_ ,-]{0,40}") {
        let _ = parse_proposals(ProtocolId::Ike, &s);
        let _ = parse_proposals(ProtocolId::Esp, &s);
    }

    #[test]
    fn a_proposal_matches_itself(s in ike_string()) {
        let p = parse_proposals(ProtocolId::Ike, &s).unwrap();
        prop_assert!(select(&p, &p, &SelectionPolicy::default()).is_ok());
    }

    #[test]
    fn selection_is_drawn_from_both_sides(a in ike_string(), b in ike_string(), peer in any::<bool>()) {
        let local = parse_proposals(ProtocolId::Ike, &a).unwrap();
        let received = parse_proposals(ProtocolId::Ike, &b).unwrap();
        let policy = SelectionPolicy {
            prefer: if peer { Preference::Peer } else { Preference::Local },
            ..SelectionPolicy::default()
        };
        let other = SelectionPolicy {
            prefer: if peer { Preference::Local } else { Preference::Peer },
            ..SelectionPolicy::default()
        };
        match select(&local, &received, &policy) {
            Ok(s) => {
                // Every selected transform is acceptable to both, one per type.
                let types = s.proposal().types();
                prop_assert_eq!(types.len(), s.proposal().transforms().len());
                for t in s.proposal().transforms() {
                    prop_assert!(local[0].transforms().contains(t));
                    prop_assert!(received[0].transforms().contains(t));
                }
                prop_assert!(s.proposal().first(TransformType::Ke).is_some());
                // Whether a match exists does not depend on whose order wins.
                prop_assert!(select(&local, &received, &other).is_ok());
            }
            Err(e) => {
                prop_assert!(select(&local, &received, &other).is_err());
                prop_assert_eq!(e.refusals.len(), 1);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn initiator_accepts_what_a_responder_selects(a in ike_string(), b in ike_string(), c in ike_string(), peer in any::<bool>()) {
        let responder = parse_proposals(ProtocolId::Ike, &a).unwrap();
        let mut offer = parse_proposals(ProtocolId::Ike, &format!("{b}, {c}")).unwrap();
        for (i, p) in offer.iter_mut().enumerate() {
            p.number = u8::try_from(i + 1).unwrap();
        }
        let policy = SelectionPolicy {
            prefer: if peer { Preference::Peer } else { Preference::Local },
            ..SelectionPolicy::default()
        };
        if let Ok(s) = select(&responder, &offer, &policy) {
            let checked = check_response(&offer, std::slice::from_ref(s.proposal()));
            prop_assert!(checked.is_ok(), "{:?}", checked);
        }
    }
}
