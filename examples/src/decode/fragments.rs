//! Reassembly of decrypted SKF fragments (RFC 7383 §2.6) for display.
//!
//! Each opened fragment's plaintext is kept, per IKE SA, message ID and
//! direction, until fragments 1..=total are all in; the concatenation is
//! then parsed as the inner chain (first payload type from fragment 1) and
//! shown under the fragment that completed the set. Bounded: at most
//! [`MAX_TOTAL`] fragments per message and [`MAX_PENDING`] incomplete
//! messages; beyond that a fragment is reported and not kept.

use std::collections::{BTreeMap, HashMap};

use ikev2_wire::PayloadType;

use super::ikev2::inner_chain;
use super::summary::{Detail, Ikev2Summary};

/// Most fragments accepted for one message.
pub const MAX_TOTAL: u16 = 256;
/// Most messages with fragments outstanding.
pub const MAX_PENDING: usize = 1024;

/// One decrypted SKF fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpenedFragment {
    /// Fragment Number.
    pub(crate) number: u16,
    /// Total Fragments.
    pub(crate) total: u16,
    /// Next Payload of the SKF header (meaningful in fragment 1).
    pub(crate) first_inner: PayloadType,
    /// This fragment's share of the inner chain.
    pub(crate) data: Vec<u8>,
    /// Whether its ICV verified.
    pub(crate) verified: bool,
}

/// (SPIi, SPIr, Message ID, Response flag).
type Key = (String, String, u32, bool);

#[derive(Debug, Default)]
struct Set {
    total: u16,
    parts: BTreeMap<u16, OpenedFragment>,
}

/// Fragments waiting for the rest of their message.
#[derive(Debug, Default)]
pub(crate) struct FragmentStore {
    pending: HashMap<Key, Set>,
}

impl FragmentStore {
    /// Adds the opened fragment of message `m`; when it completes the set,
    /// puts the reassembled inner chain under `m`'s SKF payload.
    pub(crate) fn add(&mut self, m: &mut Ikev2Summary, f: OpenedFragment) {
        let Some(skf) = m
            .payloads
            .iter_mut()
            .rev()
            .find(|p| matches!(p.detail, Detail::Skf { .. }))
        else {
            return;
        };
        if f.total > MAX_TOTAL {
            skf.decrypt = Some(format!("not reassembled: more than {MAX_TOTAL} fragments"));
            return;
        }
        let key = (m.spi_i.clone(), m.spi_r.clone(), m.message_id, m.response);
        if !self.pending.contains_key(&key) && self.pending.len() >= MAX_PENDING {
            skf.decrypt = Some("not reassembled: too many incomplete messages".to_owned());
            return;
        }
        let set = self.pending.entry(key.clone()).or_default();
        if set.total != f.total {
            // A different Total Fragments restarts the set (RFC 7383 §2.6:
            // a retransmission with other fragmentation replaces the old one).
            set.total = f.total;
            set.parts.clear();
        }
        set.parts.insert(f.number, f);
        if set.parts.len() != usize::from(set.total) {
            return;
        }
        let Some(set) = self.pending.remove(&key) else {
            return;
        };
        let first = set
            .parts
            .get(&1)
            .map_or(PayloadType::NoNextPayload, |f| f.first_inner);
        let whole: Vec<u8> = set
            .parts
            .values()
            .flat_map(|f| f.data.iter().copied())
            .collect();
        let (inner, err) = inner_chain(first, &whole);
        skf.inner = Some(inner);
        let ok = set.parts.values().all(|f| f.verified);
        skf.icv = Some(if ok { "ok" } else { "failed" }.to_owned());
        skf.decrypt = Some(match err {
            None => format!("reassembled from {} fragments", set.total),
            Some(e) => format!("reassembled from {} fragments; inner chain: {e}", set.total),
        });
    }
}
