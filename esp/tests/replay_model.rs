//! The anti-replay window against a naive model (a set of every accepted number) over random
//! arrival orders, including runs across the 2^32 ESN boundary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashSet;

use esp::replay::ReplayWindow;
use esp::seq::infer_esn;
use esp::Error;
use proptest::prelude::*;

/// What RFC 4303 section 3.4.3 says the receiver must do, written the slow obvious way.
struct Model {
    size: u64,
    top: u64,
    seen: HashSet<u64>,
}

impl Model {
    fn check(&self, seq: u64) -> Result<(), Error> {
        if self.size == 0 {
            return Ok(());
        }
        if seq == 0 || (seq <= self.top && self.top - seq >= self.size) {
            return Err(Error::ReplayTooOld { seq });
        }
        if self.seen.contains(&seq) {
            return Err(Error::ReplayDuplicate { seq });
        }
        Ok(())
    }
    fn update(&mut self, seq: u64) {
        self.seen.insert(seq);
        self.top = self.top.max(seq);
    }
}

fn arrivals() -> impl Strategy<Value = (u32, u64, Vec<(u64, bool)>)> {
    (
        prop_oneof![
            Just(0u32),
            1u32..200,
            Just(64),
            Just(1024),
            Just(4096),
            Just(65536)
        ],
        prop_oneof![Just(0u64), Just(0xFFFF_F000u64), Just(0x3_FFFF_FF00u64)],
        // Deltas: mostly small forward steps, some backwards (reordering, replays), a few jumps.
        proptest::collection::vec(
            (
                prop_oneof![
                    6 => -40i64..60,
                    1 => -70_000i64..70_000,
                    1 => Just(0i64),
                ],
                proptest::bool::weighted(0.9),
            ),
            1..400,
        ),
    )
        .prop_map(|(size, base, deltas)| {
            let mut cur = base as i64 + 1;
            let seqs = deltas
                .into_iter()
                .map(|(d, authentic)| {
                    cur = (cur + d).max(1);
                    (cur as u64, authentic)
                })
                .collect();
            (size, base, seqs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Window verdicts equal the model's for every arrival, and forged packets (failing the
    /// ICV, so never `update`d) change nothing.
    #[test]
    fn window_matches_model((size, base, seqs) in arrivals()) {
        let mut w = ReplayWindow::new(size).unwrap();
        let mut m = Model { size: u64::from(size), top: 0, seen: HashSet::new() };
        // Start the SA as if `base` packets had already arrived in order.
        if base > 0 {
            w.update(base);
            m.update(base);
        }
        for (seq, authentic) in seqs {
            let got = w.check(seq);
            prop_assert_eq!(got, m.check(seq), "seq {} top {}", seq, m.top);
            if got.is_ok() && authentic {
                w.update(seq);
                m.update(seq);
            }
            prop_assert_eq!(w.top(), m.top);
        }
    }

    /// With ESN, the receiver sees only the low 32 bits; inference plus the window must give
    /// the same verdicts as the model on the full numbers, across the 2^32 boundary, for every
    /// packet that is inside the window or ahead of it by less than 2^31.
    #[test]
    fn esn_wrap_matches_model((size, gen_base, seqs) in arrivals()) {
        let size = size.max(1);
        let base = 0xFFFF_FF00u64;
        let mut w = ReplayWindow::new(size).unwrap();
        let mut m = Model { size: u64::from(size), top: 0, seen: HashSet::new() };
        w.update(base);
        m.update(base);
        for (delta_seq, authentic) in seqs {
            let offset = delta_seq as i64 - gen_base as i64;
            let seq = (base as i64 + offset).max(1) as u64;
            let inferred = infer_esn(w.top(), size, seq as u32);
            let in_range = seq > m.top || m.top - seq < m.size;
            if in_range {
                prop_assert_eq!(inferred, Some(seq), "top {}", m.top);
            }
            // A packet inferred into another subspace would fail its ICV; only a correct
            // inference can be authentic.
            let authentic = authentic && inferred == Some(seq);
            let Some(full) = inferred else { continue };
            let got = w.check(full);
            if full == seq {
                prop_assert_eq!(got, m.check(seq));
            }
            if got.is_ok() && authentic {
                w.update(seq);
                m.update(seq);
            }
        }
    }
}

#[test]
fn large_window_in_order_and_reordered() {
    let mut w = ReplayWindow::new(65536).unwrap();
    for s in (1..=200_000u64).rev().step_by(3) {
        let _ = w.check_and_update(s);
    }
    // After the first (highest) arrival, everything within 65536 below it that arrived is a
    // duplicate, everything older is too old.
    assert_eq!(w.top(), 200_000);
    assert_eq!(
        w.check(200_000 - 3),
        Err(Error::ReplayDuplicate { seq: 199_997 })
    );
    assert!(w.check(199_999).is_ok());
    assert_eq!(
        w.check(200_000 - 65536),
        Err(Error::ReplayTooOld { seq: 134_464 })
    );
}
