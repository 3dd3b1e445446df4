//! Endpoint counters (in the spirit of `show crypto ikev2 stats`) and a
//! bounded history of recent errors (`show crypto ikev2 diagnose error`).
//!
//! The [`Endpoint`](crate::Endpoint) owns one [`Stats`] and one
//! [`ErrorHistory`] and records into them (`Endpoint::stats`,
//! `Endpoint::errors`).

use core::fmt;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use ikev2_wire::ExchangeType;

use crate::events::{Failure, FailureKind, FragmentDrop};
use crate::window::DropReason;

/// Which side started an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We sent the request.
    Initiated,
    /// We answered the request.
    Responded,
}

/// Completed exchanges by type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExchangeCounts {
    /// IKE_SA_INIT.
    pub ike_sa_init: u64,
    /// IKE_AUTH.
    pub ike_auth: u64,
    /// CREATE_CHILD_SA.
    pub create_child_sa: u64,
    /// INFORMATIONAL.
    pub informational: u64,
    /// Any other exchange type.
    pub other: u64,
}

impl ExchangeCounts {
    fn slot(&mut self, ex: ExchangeType) -> &mut u64 {
        match ex {
            ExchangeType::IkeSaInit => &mut self.ike_sa_init,
            ExchangeType::IkeAuth => &mut self.ike_auth,
            ExchangeType::CreateChildSa => &mut self.create_child_sa,
            ExchangeType::Informational => &mut self.informational,
            _ => &mut self.other,
        }
    }
}

/// Datagrams and messages dropped without a state change, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounts {
    /// Malformed or failing integrity checks.
    pub invalid_message: u64,
    /// No IKE SA for the SPIs.
    pub unknown_spi: u64,
    /// Requests older than the window, no longer cached.
    pub request_too_old: u64,
    /// Requests beyond the window.
    pub request_too_new: u64,
    /// Retransmitted requests still being processed.
    pub request_in_progress: u64,
    /// Retransmitted fragments other than number 1 (RFC 7383 §2.6.1).
    pub fragment_not_first: u64,
    /// Responses that matched no outstanding request.
    pub unmatched_response: u64,
    /// IKE_SA_INIT requests whose initiator SPI is the local SPI of one of
    /// our own IKE SAs: our own request reflected back at us (a peer's
    /// random SPI equals one of ours with probability 2^-64). Answering it
    /// would make us our own responder.
    pub reflected_request: u64,
}

/// IKE fragmentation (RFC 7383) counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FragmentCounts {
    /// SKF datagrams sent, retransmissions and replays included.
    pub sent: u64,
    /// SKF datagrams received that authenticated and were stored.
    pub received: u64,
    /// Messages reassembled from fragments.
    pub reassembled: u64,
    /// Requests resent in smaller fragments after a suspected path-MTU
    /// problem (RFC 7383 §2.5.2).
    pub refragmented: u64,
    /// Not negotiated for the SA.
    pub dropped_not_negotiated: u64,
    /// No exchange expects it.
    pub dropped_unexpected: u64,
    /// Failed authentication or malformed.
    pub dropped_invalid: u64,
    /// Already stored.
    pub dropped_duplicate: u64,
    /// From an older fragmentation of the message.
    pub dropped_stale: u64,
    /// Sets replaced by a refragmented message.
    pub sets_superseded: u64,
    /// More fragments announced than allowed.
    pub dropped_too_many: u64,
    /// Sets that grew beyond the size limit.
    pub sets_too_large: u64,
    /// Sets still incomplete at the reassembly timeout.
    pub sets_timed_out: u64,
}

impl FragmentCounts {
    /// Counts one drop (a fragment, or a set for the per-set reasons).
    pub fn record_drop(&mut self, reason: FragmentDrop) {
        *match reason {
            FragmentDrop::NotNegotiated => &mut self.dropped_not_negotiated,
            FragmentDrop::Unexpected => &mut self.dropped_unexpected,
            FragmentDrop::Invalid => &mut self.dropped_invalid,
            FragmentDrop::Duplicate => &mut self.dropped_duplicate,
            FragmentDrop::Stale => &mut self.dropped_stale,
            FragmentDrop::Superseded => &mut self.sets_superseded,
            FragmentDrop::TooManyFragments => &mut self.dropped_too_many,
            FragmentDrop::TooLarge => &mut self.sets_too_large,
            FragmentDrop::Timeout => &mut self.sets_timed_out,
        } += 1;
    }

    /// Every drop counter with its label, for display.
    #[must_use]
    pub fn drops(&self) -> [(&'static str, u64); 9] {
        [
            ("not negotiated", self.dropped_not_negotiated),
            ("unexpected", self.dropped_unexpected),
            ("invalid", self.dropped_invalid),
            ("duplicate", self.dropped_duplicate),
            ("stale", self.dropped_stale),
            ("sets superseded", self.sets_superseded),
            ("too many fragments", self.dropped_too_many),
            ("sets too large", self.sets_too_large),
            ("sets timed out", self.sets_timed_out),
        ]
    }
}

/// Endpoint-wide counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Exchanges we initiated that completed.
    pub initiated: ExchangeCounts,
    /// Exchanges we answered.
    pub responded: ExchangeCounts,
    failures: [u64; FailureKind::ALL.len()],
    /// Requests retransmitted by us.
    pub retransmits: u64,
    /// Retransmitted requests answered from the response cache.
    pub responses_replayed: u64,
    /// COOKIE notifications sent (stateless responder mode).
    pub cookies_sent: u64,
    /// IKE_SA_INIT requests whose COOKIE verified.
    pub cookies_verified: u64,
    /// IKE_SA_INIT requests with a COOKIE that did not verify (forged, or
    /// older than the secret's grace period): answered with a fresh one.
    pub cookies_invalid: u64,
    /// IKE_SA_INIT restarts because the responder asked for a COOKIE.
    pub cookie_restarts: u64,
    /// IKE_SA_INIT requests dropped at the half-open limit.
    pub init_refused: u64,
    /// Half-open IKE SAs we are the responder of (gauge; what the COOKIE
    /// threshold counts).
    pub half_open_responder: u64,
    /// INVALID_KE_PAYLOAD notifications sent.
    pub invalid_ke_sent: u64,
    /// AUTH signatures handed to the embedder (`Output::NeedSignature`)
    /// because our signer deferred.
    pub signatures_deferred: u64,
    /// IKE SAs not yet established (gauge).
    pub half_open: u64,
    /// Established IKE SAs (gauge).
    pub ike_sas: u64,
    /// Drops.
    pub dropped: DropCounts,
    /// Rekeys and their collisions.
    pub rekeys: RekeyCounts,
    /// IKE fragmentation.
    pub fragments: FragmentCounts,
    /// INFORMATIONAL: deletes, liveness checks, dead peers.
    pub info: InfoCounts,
    /// Reauthentications (make-before-break).
    pub reauth: ReauthCounts,
}

/// Reauthentications we started (`sa/reauth.rs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReauthCounts {
    /// Reauthentications started (a new IKE SA initiated to replace one).
    pub started: u64,
    /// Completed: the new IKE SA and its Child SAs are up and the old IKE
    /// SA's delete was started.
    pub completed: u64,
    /// Failed: the new IKE SA did not come up; the old one was kept.
    pub failed: u64,
    /// Retries started: reauthentications started again after a failed
    /// one (`sa/reauth_retry.rs`), also counted in `started`.
    pub retried: u64,
    /// Child SAs of the old IKE SA that the new one could not recreate.
    pub children_missing: u64,
    /// Simultaneous reauthentications (`sa/reauth_collision.rs`) the IKE
    /// SA we initiated won.
    pub collisions_won: u64,
    /// Simultaneous reauthentications the peer's IKE SA won.
    pub collisions_lost: u64,
    /// Lost ones whose redundant IKE SA the peer did not delete in time,
    /// deleted by us.
    pub collisions_unanswered: u64,
}

/// Rekeys by role and collisions by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RekeyCounts {
    /// Child SA rekeys we initiated that completed.
    pub child_initiated: u64,
    /// Child SA rekeys we answered.
    pub child_responded: u64,
    /// IKE SA rekeys we initiated that completed.
    pub ike_initiated: u64,
    /// IKE SA rekeys we answered.
    pub ike_responded: u64,
    /// Simultaneous Child SA rekeys our exchange won (RFC 7296 §2.8.1).
    pub collisions_won: u64,
    /// Simultaneous Child SA rekeys our exchange lost.
    pub collisions_lost: u64,
    /// Simultaneous IKE SA rekeys our exchange won (RFC 7296 §2.8.2): the
    /// peer deletes the IKE SA it created, we delete the old one.
    pub ike_collisions_won: u64,
    /// Simultaneous IKE SA rekeys our exchange lost: we deleted the IKE SA
    /// we created and the Child SAs moved to the peer's.
    pub ike_collisions_lost: u64,
    /// IKE SA rekey collisions the peer settled before it saw ours (it
    /// refused ours or deleted the old IKE SA): its IKE SA took over.
    pub ike_collisions_conceded: u64,
    /// TEMPORARY_FAILURE sent (a conflicting exchange of ours in progress).
    pub temporary_failures_sent: u64,
    /// TEMPORARY_FAILURE received (retried with jitter).
    pub temporary_failures_received: u64,
    /// Rekeys that crossed a Delete of the same SA (RFC 7296 §2.25.1).
    pub crossed_delete: u64,
    /// CHILD_SA_NOT_FOUND sent.
    pub child_not_found_sent: u64,
    /// CHILD_SA_NOT_FOUND received.
    pub child_not_found_received: u64,
}

/// INFORMATIONAL exchange counters (deletes, liveness, dead peers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InfoCounts {
    /// Deletes of Child SAs we sent (one per Child SA).
    pub child_deletes_sent: u64,
    /// Child SAs the peer deleted.
    pub child_deletes_received: u64,
    /// Deletes of IKE SAs we sent.
    pub ike_deletes_sent: u64,
    /// Our deletes of IKE SAs that were never answered (SA removed anyway).
    pub ike_deletes_unanswered: u64,
    /// Deletes of IKE SAs the peer sent.
    pub ike_deletes_received: u64,
    /// SPIs in received Deletes that named no SA of ours (ignored).
    pub delete_spis_unknown: u64,
    /// Liveness checks (empty INFORMATIONAL requests) we sent.
    pub liveness_sent: u64,
    /// Liveness checks from the peer we answered.
    pub liveness_answered: u64,
    /// Peers declared dead (a request's retransmissions exhausted on an
    /// established IKE SA).
    pub dead_peers: u64,
    /// Authenticated error notifications received in INFORMATIONAL.
    pub error_notifies_received: u64,
}

impl Stats {
    /// Counts a completed exchange.
    pub fn record_exchange(&mut self, role: Role, exchange: ExchangeType) {
        let counts = match role {
            Role::Initiated => &mut self.initiated,
            Role::Responded => &mut self.responded,
        };
        *counts.slot(exchange) += 1;
    }

    /// Counts a failure by kind.
    pub fn record_failure(&mut self, failure: &Failure) {
        if let Some(i) = FailureKind::ALL.iter().position(|k| *k == failure.kind()) {
            if let Some(c) = self.failures.get_mut(i) {
                *c += 1;
            }
        }
    }

    /// Failures of one kind so far.
    #[must_use]
    pub fn failures(&self, kind: FailureKind) -> u64 {
        FailureKind::ALL
            .iter()
            .position(|k| *k == kind)
            .and_then(|i| self.failures.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Counts a request dropped by the response window.
    pub fn record_request_drop(&mut self, reason: DropReason) {
        let d = &mut self.dropped;
        match reason {
            DropReason::TooOld => d.request_too_old += 1,
            DropReason::TooNew => d.request_too_new += 1,
            DropReason::NotFirstFragment => d.fragment_not_first += 1,
            _ => d.request_in_progress += 1,
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "IKEv2 statistics")?;
        writeln!(
            f,
            "  {:<22}{:>11}{:>11}",
            "exchange", "initiated", "responded"
        )?;
        let rows = [
            (
                "IKE_SA_INIT",
                self.initiated.ike_sa_init,
                self.responded.ike_sa_init,
            ),
            ("IKE_AUTH", self.initiated.ike_auth, self.responded.ike_auth),
            (
                "CREATE_CHILD_SA",
                self.initiated.create_child_sa,
                self.responded.create_child_sa,
            ),
            (
                "INFORMATIONAL",
                self.initiated.informational,
                self.responded.informational,
            ),
            ("other", self.initiated.other, self.responded.other),
        ];
        for (name, i, r) in rows {
            writeln!(f, "  {name:<22}{i:>11}{r:>11}")?;
        }
        writeln!(f, "  failures")?;
        for (k, n) in FailureKind::ALL.iter().zip(self.failures.iter()) {
            writeln!(f, "    {:<28}{n:>8}", k.label())?;
        }
        writeln!(f, "  {:<30}{:>8}", "retransmissions", self.retransmits)?;
        writeln!(
            f,
            "  {:<30}{:>8}",
            "responses replayed", self.responses_replayed
        )?;
        for (name, n) in [
            ("cookies sent", self.cookies_sent),
            ("cookies verified", self.cookies_verified),
            ("cookies invalid", self.cookies_invalid),
            ("cookie restarts", self.cookie_restarts),
            ("IKE_SA_INIT refused", self.init_refused),
            ("signatures deferred", self.signatures_deferred),
        ] {
            writeln!(f, "  {name:<30}{n:>8}")?;
        }
        writeln!(
            f,
            "  {:<30}{:>8}",
            "INVALID_KE_PAYLOAD sent", self.invalid_ke_sent
        )?;
        writeln!(f, "  {:<30}{:>8}", "half-open IKE SAs", self.half_open)?;
        writeln!(f, "  {:<30}{:>8}", "established IKE SAs", self.ike_sas)?;
        let i = &self.info;
        writeln!(f, "  informational")?;
        for (name, n) in [
            ("child deletes sent", i.child_deletes_sent),
            ("child deletes received", i.child_deletes_received),
            ("IKE deletes sent", i.ike_deletes_sent),
            ("IKE deletes unanswered", i.ike_deletes_unanswered),
            ("IKE deletes received", i.ike_deletes_received),
            ("unknown SPIs in deletes", i.delete_spis_unknown),
            ("liveness checks sent", i.liveness_sent),
            ("liveness checks answered", i.liveness_answered),
            ("dead peers", i.dead_peers),
            ("error notifies received", i.error_notifies_received),
        ] {
            writeln!(f, "    {name:<28}{n:>8}")?;
        }
        let r = &self.reauth;
        writeln!(f, "  reauthentications")?;
        for (name, n) in [
            ("started", r.started),
            ("completed", r.completed),
            ("failed", r.failed),
            ("child SAs not recreated", r.children_missing),
            ("simultaneous, ours won", r.collisions_won),
            ("simultaneous, peer's won", r.collisions_lost),
            ("simultaneous, peer silent", r.collisions_unanswered),
        ] {
            writeln!(f, "    {name:<28}{n:>8}")?;
        }
        let d = &self.dropped;
        writeln!(f, "  dropped")?;
        for (name, n) in [
            ("invalid message", d.invalid_message),
            ("unknown SPI", d.unknown_spi),
            ("request too old", d.request_too_old),
            ("request too new", d.request_too_new),
            ("request in progress", d.request_in_progress),
            ("fragment not first", d.fragment_not_first),
            ("unmatched response", d.unmatched_response),
            ("reflected request", d.reflected_request),
        ] {
            writeln!(f, "    {name:<28}{n:>8}")?;
        }
        let fr = &self.fragments;
        writeln!(f, "  IKE fragments")?;
        for (name, n) in [
            ("sent", fr.sent),
            ("received", fr.received),
            ("messages reassembled", fr.reassembled),
            ("requests refragmented", fr.refragmented),
        ] {
            writeln!(f, "    {name:<28}{n:>8}")?;
        }
        for (name, n) in fr.drops() {
            writeln!(f, "    dropped {name:<20}{n:>8}")?;
        }
        Ok(())
    }
}

/// One remembered failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRecord {
    /// When it happened.
    pub at: Instant,
    /// The peer's address, if known.
    pub peer: Option<SocketAddr>,
    /// The peer configuration involved, if one was selected.
    pub config: Option<String>,
    /// What happened.
    pub failure: Failure,
}

/// The most recent failures, oldest evicted first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorHistory {
    capacity: usize,
    records: VecDeque<ErrorRecord>,
    total: u64,
}

impl ErrorHistory {
    /// Keeps at most `capacity` records (at least 1).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            records: VecDeque::new(),
            total: 0,
        }
    }

    /// Remembers a failure, evicting the oldest beyond capacity.
    pub fn push(&mut self, record: ErrorRecord) {
        self.total += 1;
        self.records.push_back(record);
        while self.records.len() > self.capacity {
            self.records.pop_front();
        }
    }

    /// Records kept, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &ErrorRecord> {
        self.records.iter().rev()
    }

    /// Number of records kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True if nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Failures recorded since creation, including evicted ones.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Renders the history for an operator, ages relative to `now`.
    #[must_use]
    pub fn render(&self, now: Instant) -> String {
        let mut s = format!(
            "recent IKEv2 errors ({} kept of {}):\n",
            self.len(),
            self.total
        );
        for r in self.iter() {
            let age = now.saturating_duration_since(r.at).as_secs_f64();
            let peer = r.peer.map_or_else(|| "-".to_owned(), |p| p.to_string());
            let config = r.config.as_deref().unwrap_or("-");
            s.push_str(&format!(
                "  {age:>8.1}s ago  {peer}  {config}: {}\n",
                r.failure
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::RetransmitConfig;
    use std::time::Duration;

    fn timeout(ex: ExchangeType) -> Failure {
        Failure::RetransmitTimeout {
            exchange: ex,
            retransmits: 5,
            after: RetransmitConfig::default().give_up_after(),
        }
    }

    #[test]
    fn counters_by_type_and_cause() {
        let mut s = Stats::default();
        s.record_exchange(Role::Initiated, ExchangeType::IkeSaInit);
        s.record_exchange(Role::Responded, ExchangeType::IkeAuth);
        s.record_exchange(Role::Responded, ExchangeType::IkeAuth);
        s.record_exchange(Role::Responded, ExchangeType::IkeIntermediate);
        s.record_failure(&timeout(ExchangeType::IkeAuth));
        s.record_failure(&Failure::PeerError {
            notify: ikev2_wire::NotifyType::InvalidSyntax,
        });
        s.record_request_drop(DropReason::TooNew);
        s.record_request_drop(DropReason::InProgress);
        assert_eq!(s.initiated.ike_sa_init, 1);
        assert_eq!(s.responded.ike_auth, 2);
        assert_eq!(s.responded.other, 1);
        assert_eq!(s.failures(FailureKind::RetransmitTimeout), 1);
        assert_eq!(s.failures(FailureKind::PeerError), 1);
        assert_eq!(s.failures(FailureKind::NoProposalChosen), 0);
        assert_eq!(
            (s.dropped.request_too_new, s.dropped.request_in_progress),
            (1, 1)
        );
        let text = s.to_string();
        assert!(
            text.contains("  IKE_AUTH                        0          2\n"),
            "{text}"
        );
        assert!(
            text.contains("    retransmit timeout                 1\n"),
            "{text}"
        );
        assert!(
            text.contains("    request too new                    1\n"),
            "{text}"
        );
    }

    #[test]
    fn history_is_bounded_newest_first() {
        let t0 = Instant::now();
        let mut h = ErrorHistory::new(2);
        assert!(h.is_empty());
        for (i, ex) in [
            ExchangeType::IkeSaInit,
            ExchangeType::IkeAuth,
            ExchangeType::Informational,
        ]
        .into_iter()
        .enumerate()
        {
            h.push(ErrorRecord {
                at: t0 + Duration::from_secs(i as u64),
                peer: Some("192.0.2.1:500".parse().unwrap()),
                config: Some("gw".into()),
                failure: timeout(ex),
            });
        }
        assert_eq!((h.len(), h.total()), (2, 3));
        let kinds: Vec<_> = h
            .iter()
            .map(|r| match &r.failure {
                Failure::RetransmitTimeout { exchange, .. } => *exchange,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![ExchangeType::Informational, ExchangeType::IkeAuth]
        );
        let text = h.render(t0 + Duration::from_secs(10));
        assert!(text.starts_with("recent IKEv2 errors (2 kept of 3):\n"));
        assert!(text.contains(
            "       8.0s ago  192.0.2.1:500  gw: INFORMATIONAL request unanswered after 5 retransmissions"
        ), "{text}");
    }
}
