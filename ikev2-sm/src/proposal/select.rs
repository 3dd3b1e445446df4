//! Responder-side proposal selection (RFC 7296 §2.7, §3.3.6) with strongSwan's
//! matching rules, the INVALID_KE_PAYLOAD decision (§1.2, §1.3), and a
//! diagnostic that explains a NO_PROPOSAL_CHOSEN.

use core::fmt;

use ikev2_wire::{EncrId, EsnId, IntegId, KeId, PrfId, ProtocolId, TransformType};

use super::{keywords, type_rank, Proposal, SetDisplay, Transform};

/// Whose order of preference decides between several acceptable choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Preference {
    /// Our configured order wins (strongSwan's default,
    /// `charon.prefer_configured_proposals = yes`).
    #[default]
    Local,
    /// The peer's order wins (the RFC's "initiator lists in order of
    /// preference" taken literally).
    Peer,
}

/// How the responder treats the KE payload the initiator already sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KePreference {
    /// Select the group by [`Preference`] alone and ask for it with
    /// INVALID_KE_PAYLOAD if the initiator guessed another one (strongSwan).
    #[default]
    Configured,
    /// If the group of the received KE payload is acceptable, select it, even
    /// if a group we like better is also acceptable; saves a round trip
    /// (Libreswan's behaviour).
    PreferReceived,
}

/// Settings for [`select`] and [`select_with_ke`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SelectionPolicy {
    /// Whose order wins.
    pub prefer: Preference,
    /// KE group choice relative to the received KE payload.
    pub ke: KePreference,
    /// Ignore key-exchange transforms (Child SA proposals in IKE_AUTH, where
    /// no key exchange takes place).
    pub skip_ke: bool,
    /// Accept private-use transform IDs (>= 1024). Off by default, as in
    /// strongSwan, because their meaning depends on the peer implementation.
    pub accept_private: bool,
}

/// The outcome for one transform type when matching two proposals.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Both sides agree; `None` when neither lists the type or both accept NONE.
    Agreed(Option<Transform>),
    /// Not part of the negotiation (integrity with an AEAD cipher, KE when
    /// key exchange is skipped).
    NotNeeded,
    /// Nothing the peer offered for this type is in our set.
    NotInLocalSet {
        /// What the peer offered.
        offered: Vec<Transform>,
        /// What we accept (empty when we do not use this type at all).
        local: Vec<Transform>,
    },
    /// The peer offered nothing for a type we require.
    NotOffered {
        /// What we would have accepted.
        local: Vec<Transform>,
    },
    /// A match existed, but only on private-use IDs we don't accept.
    PrivateUse(Transform),
}

impl Verdict {
    /// True if this verdict does not prevent the proposal from matching.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Agreed(_) | Self::NotNeeded)
    }
}

/// A [`Verdict`] for one transform type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCheck {
    /// Transform type examined.
    pub ty: TransformType,
    /// What happened.
    pub verdict: Verdict,
}

impl fmt::Display for TypeCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ty = self.ty.abbreviation().unwrap_or("UNKNOWN-TYPE");
        match &self.verdict {
            Verdict::Agreed(Some(t)) => write!(f, "{ty} ok ({t})"),
            Verdict::Agreed(None) => write!(f, "{ty} ok (none)"),
            Verdict::NotNeeded if self.ty == TransformType::Integ => {
                write!(f, "{ty} not needed (AEAD)")
            }
            Verdict::NotNeeded => write!(f, "{ty} not negotiated here"),
            Verdict::NotInLocalSet { offered, local } => {
                match offered.as_slice() {
                    [one] => write!(f, "{ty} {one}")?,
                    many => write!(f, "{ty} {}", SetDisplay(many))?,
                }
                if local.is_empty() {
                    write!(f, " not used locally")
                } else {
                    write!(f, " not in local set {}", SetDisplay(local))
                }
            }
            Verdict::NotOffered { local } => {
                write!(f, "{ty} missing (local set {})", SetDisplay(local))
            }
            Verdict::PrivateUse(t) => {
                write!(f, "{ty} {t} matches only as a private-use ID, refused")
            }
        }
    }
}

/// Why one received proposal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// No local proposal is for the same protocol.
    ProtocolMismatch,
    /// Compared with the closest local proposal (the one with the fewest
    /// refused types), these types failed (all types are listed).
    Transforms {
        /// Index into [`NoProposalChosen::local`] of the closest proposal.
        closest_local: usize,
        /// Per-type outcome, in strongSwan's type order.
        checks: Vec<TypeCheck>,
    },
}

/// One received proposal and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Index into [`NoProposalChosen::received`].
    pub received: usize,
    /// What went wrong.
    pub reason: RefusalReason,
}

/// Diagnostic for NO_PROPOSAL_CHOSEN: both sides' proposals and, for each
/// received proposal, why it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoProposalChosen {
    /// Our configured proposals.
    pub local: Vec<Proposal>,
    /// The peer's proposals, as received.
    pub received: Vec<Proposal>,
    /// One entry per received proposal.
    pub refusals: Vec<Refusal>,
}

impl fmt::Display for NoProposalChosen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "no acceptable proposal")?;
        writeln!(f, "  received:")?;
        for (i, p) in self.received.iter().enumerate() {
            writeln!(f, "    #{} {p}", display_number(p, i))?;
        }
        if self.received.is_empty() {
            writeln!(f, "    (none)")?;
        }
        writeln!(f, "  configured:")?;
        for (i, p) in self.local.iter().enumerate() {
            writeln!(f, "    #{} {p}", i + 1)?;
        }
        for r in &self.refusals {
            let Some(p) = self.received.get(r.received) else {
                continue;
            };
            write!(f, "  proposal {}: ", display_number(p, r.received))?;
            match &r.reason {
                RefusalReason::ProtocolMismatch => {
                    writeln!(f, "protocol {} not configured", p.protocol)?;
                }
                RefusalReason::Transforms {
                    closest_local,
                    checks,
                } => {
                    write!(f, "vs configured #{}: ", closest_local + 1)?;
                    for (i, c) in checks.iter().enumerate() {
                        if i > 0 {
                            f.write_str("; ")?;
                        }
                        write!(f, "{c}")?;
                    }
                    writeln!(f)?;
                }
            }
        }
        Ok(())
    }
}

fn display_number(p: &Proposal, index: usize) -> usize {
    if p.number == 0 {
        index + 1
    } else {
        usize::from(p.number)
    }
}

/// A selected proposal: exactly one transform per negotiated type, carrying
/// the peer's proposal number and SPI (RFC 7296 §3.3: the responder echoes
/// the number of the proposal it accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub(super) proposal: Proposal,
}

impl Selected {
    /// The proposal to put in the response's SA payload.
    #[must_use]
    pub fn proposal(&self) -> &Proposal {
        &self.proposal
    }
    /// Encryption algorithm and key length.
    #[must_use]
    pub fn encr(&self) -> Option<(EncrId, Option<u16>)> {
        self.proposal
            .first(TransformType::Encr)
            .map(|t| (EncrId::from_value(t.id), t.key_length))
    }
    /// Integrity algorithm (none with an AEAD cipher).
    #[must_use]
    pub fn integ(&self) -> Option<IntegId> {
        self.proposal
            .first(TransformType::Integ)
            .map(|t| IntegId::from_value(t.id))
    }
    /// PRF (IKE only).
    #[must_use]
    pub fn prf(&self) -> Option<PrfId> {
        self.proposal
            .first(TransformType::Prf)
            .map(|t| PrfId::from_value(t.id))
    }
    /// The key exchange method; `None` when no (PFS) key exchange was agreed.
    #[must_use]
    pub fn ke(&self) -> Option<KeId> {
        self.proposal
            .first(TransformType::Ke)
            .map(|t| KeId::from_value(t.id))
    }
    /// RFC 9370 additional key exchanges as `(n, method)`, in order of `n`.
    #[must_use]
    pub fn additional_kes(&self) -> Vec<(u8, KeId)> {
        (1..=7)
            .filter_map(|n| {
                let ty = keywords::add_ke_type(n)?;
                let t = self.proposal.first(ty)?;
                Some((n, KeId::from_value(t.id)))
            })
            .collect()
    }
    /// Extended sequence numbers (ESP/AH).
    #[must_use]
    pub fn esn(&self) -> Option<EsnId> {
        self.proposal
            .first(TransformType::Esn)
            .map(|t| EsnId::from_value(t.id))
    }
}

/// What to do about the KE payload after selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeDecision {
    /// Proceed; `Some(group)` is the agreed group whose KE payload was received.
    Accept(Option<KeId>),
    /// Reply INVALID_KE_PAYLOAD requesting `request` (RFC 7296 §1.2); the
    /// initiator retries with that group.
    InvalidKe {
        /// The group to put in the notification data.
        request: KeId,
        /// The group of the KE payload received (`None` if there was none).
        received: Option<KeId>,
    },
}

/// Decides whether the received KE payload fits the selected proposal.
///
/// With no key exchange selected (no PFS), a received KE payload is ignored.
#[must_use]
pub fn decide_ke(selected: &Selected, received_ke: Option<KeId>) -> KeDecision {
    match (selected.ke(), received_ke) {
        (Some(g), Some(r)) if g == r => KeDecision::Accept(Some(g)),
        (Some(g), r) => KeDecision::InvalidKe {
            request: g,
            received: r,
        },
        (None, _) => KeDecision::Accept(None),
    }
}

/// Selects a proposal from `received` acceptable under `local`.
///
/// Matching follows strongSwan: per transform type, the preferred side's
/// order decides; algorithms and key lengths must be equal; integrity is not
/// negotiated with an AEAD cipher; a key exchange type may be left out by
/// one side if the other accepts NONE (ESP/AH KE and all ADDKEs); one method
/// is never selected twice across KE and ADDKEs.
///
/// # Errors
/// [`NoProposalChosen`] explaining each refusal.
pub fn select(
    local: &[Proposal],
    received: &[Proposal],
    policy: &SelectionPolicy,
) -> Result<Selected, Box<NoProposalChosen>> {
    let found = match policy.prefer {
        Preference::Local => local
            .iter()
            .find_map(|l| received.iter().find_map(|r| evaluate(l, r, policy, true).0)),
        Preference::Peer => received
            .iter()
            .find_map(|r| local.iter().find_map(|l| evaluate(l, r, policy, false).0)),
    };
    found
        .map(|proposal| Selected { proposal })
        .ok_or_else(|| Box::new(diagnose(local, received, policy)))
}

/// [`select`], then [`decide_ke`] against the received KE payload's group.
///
/// With [`KePreference::PreferReceived`] the received group is promoted to
/// the front of every proposal on both sides, and local proposals lacking it
/// move to the back, so it wins whenever some match allows it; the rest of
/// the selection still follows [`Preference`].
///
/// # Errors
/// [`NoProposalChosen`] explaining each refusal.
pub fn select_with_ke(
    local: &[Proposal],
    received: &[Proposal],
    received_ke: Option<KeId>,
    policy: &SelectionPolicy,
) -> Result<(Selected, KeDecision), Box<NoProposalChosen>> {
    let selected = match (policy.ke, received_ke) {
        (KePreference::PreferReceived, Some(g)) if !policy.skip_ke => {
            let (mut with, mut without): (Vec<Proposal>, Vec<Proposal>) = local
                .iter()
                .cloned()
                .partition(|p| p.of_type(TransformType::Ke).any(|t| t.id == g.value()));
            for p in &mut with {
                p.promote_ke(g);
            }
            with.append(&mut without);
            // Promote it on the peer's side too, so it wins whichever
            // order the policy prefers.
            let mut theirs = received.to_vec();
            for p in &mut theirs {
                p.promote_ke(g);
            }
            match select(&with, &theirs, policy) {
                Ok(s) if s.ke() == Some(g) => s,
                _ => select(local, received, policy)?,
            }
        }
        _ => select(local, received, policy)?,
    };
    let decision = if policy.skip_ke {
        KeDecision::Accept(None)
    } else {
        decide_ke(&selected, received_ke)
    };
    Ok((selected, decision))
}

fn diagnose(
    local: &[Proposal],
    received: &[Proposal],
    policy: &SelectionPolicy,
) -> NoProposalChosen {
    let refusals = received
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let best = local
                .iter()
                .enumerate()
                .filter(|(_, l)| l.protocol == r.protocol)
                .map(|(li, l)| {
                    let checks = evaluate(l, r, policy, policy.prefer == Preference::Local).1;
                    let failed = checks.iter().filter(|c| !c.verdict.is_ok()).count();
                    (failed, li, checks)
                })
                .min_by_key(|(failed, li, _)| (*failed, *li));
            let reason = match best {
                Some((_, closest_local, checks)) => RefusalReason::Transforms {
                    closest_local,
                    checks,
                },
                None => RefusalReason::ProtocolMismatch,
            };
            Refusal {
                received: i,
                reason,
            }
        })
        .collect();
    NoProposalChosen {
        local: local.to_vec(),
        received: received.to_vec(),
        refusals,
    }
}

/// Matches one local against one received proposal. Returns the selected
/// proposal (if every type agreed) and the per-type checks.
fn evaluate(
    local: &Proposal,
    received: &Proposal,
    policy: &SelectionPolicy,
    local_first: bool,
) -> (Option<Proposal>, Vec<TypeCheck>) {
    let mut checks = Vec::new();
    if local.protocol != received.protocol {
        return (None, checks);
    }
    let mut types = local.types();
    for ty in received.types() {
        if !types.contains(&ty) {
            types.push(ty);
        }
    }
    types.sort_by_key(|t| type_rank(*t));

    let mut selected = Proposal::new(received.protocol);
    selected.number = received.number;
    selected.spi.clone_from(&received.spi);
    // Integrity is not negotiated alongside an AEAD cipher. A local proposal
    // that only lists AEAD ciphers can only ever select one, so say so in the
    // diagnostic even when ENCR itself failed to match.
    let mut aead = {
        let mut encr = local.of_type(TransformType::Encr).peekable();
        encr.peek().is_some() && encr.all(|t| EncrId::from_value(t.id).is_aead())
    };
    let mut used_kes: Vec<u16> = Vec::new();
    for ty in types {
        let verdict =
            if (ty == TransformType::Integ && aead) || (ty.is_key_exchange() && policy.skip_ke) {
                Verdict::NotNeeded
            } else {
                match_type(local, received, ty, policy, local_first, &used_kes)
            };
        if let Verdict::Agreed(Some(t)) = verdict {
            if ty.is_key_exchange() && t.id != 0 {
                used_kes.push(t.id);
            }
            if ty == TransformType::Encr && EncrId::from_value(t.id).is_aead() {
                aead = true;
            }
            // NONE (ID 0) is agreed but not listed, except for ESN where 0
            // means "no ESN".
            if t.id != 0 || ty == TransformType::Esn {
                selected.push(t);
            }
        }
        checks.push(TypeCheck { ty, verdict });
    }
    let ok = checks.iter().all(|c| c.verdict.is_ok());
    (ok.then_some(selected), checks)
}

fn match_type(
    local: &Proposal,
    received: &Proposal,
    ty: TransformType,
    policy: &SelectionPolicy,
    local_first: bool,
    used_kes: &[u16],
) -> Verdict {
    let ours: Vec<Transform> = local.of_type(ty).copied().collect();
    let theirs: Vec<Transform> = received.of_type(ty).copied().collect();
    let optional =
        ty.is_key_exchange() && (received.protocol != ProtocolId::Ike || ty != TransformType::Ke);
    let has_none = |v: &[Transform]| v.iter().any(|t| t.id == 0);
    match (ours.is_empty(), theirs.is_empty()) {
        (true, true) => return Verdict::Agreed(None),
        (true, false) if optional && has_none(&theirs) => return Verdict::Agreed(None),
        (false, true) if optional && has_none(&ours) => return Verdict::Agreed(None),
        (true, false) => {
            return Verdict::NotInLocalSet {
                offered: theirs,
                local: ours,
            }
        }
        (false, true) => return Verdict::NotOffered { local: ours },
        (false, false) => {}
    }
    let (first, second) = if local_first {
        (&ours, &theirs)
    } else {
        (&theirs, &ours)
    };
    let mut private = None;
    for a in first {
        if ty.is_key_exchange() && a.id != 0 && used_kes.contains(&a.id) {
            continue;
        }
        if second
            .iter()
            .any(|b| b.id == a.id && b.key_length == a.key_length)
        {
            if a.id >= 1024 && !policy.accept_private {
                private.get_or_insert(*a);
                continue;
            }
            return Verdict::Agreed(Some(*a));
        }
    }
    match private {
        Some(t) => Verdict::PrivateUse(t),
        None => Verdict::NotInLocalSet {
            offered: theirs,
            local: ours,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_proposals;
    use super::*;
    use ikev2_wire::ProtocolId::{Esp, Ike};

    fn props(protocol: ProtocolId, s: &str) -> Vec<Proposal> {
        let mut v = parse_proposals(protocol, s).unwrap();
        for (i, p) in v.iter_mut().enumerate() {
            p.number = u8::try_from(i + 1).unwrap();
        }
        v
    }

    #[test]
    fn local_order_wins_by_default() {
        let local = props(Ike, "aes256gcm16-prfsha384-ecp384, aes128-sha256-x25519");
        let received = props(Ike, "aes128-sha256-x25519, aes256gcm16-prfsha384-ecp384");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert_eq!(s.encr(), Some((EncrId::AesGcm16, Some(256))));
        assert_eq!(s.proposal().number, 2, "peer's proposal number echoed");
        let peer = SelectionPolicy {
            prefer: Preference::Peer,
            ..SelectionPolicy::default()
        };
        let s = select(&local, &received, &peer).unwrap();
        assert_eq!(s.encr(), Some((EncrId::AesCbc, Some(128))));
        assert_eq!(s.integ(), Some(IntegId::HmacSha2_256_128));
        assert_eq!(s.prf(), Some(PrfId::HmacSha2_256));
        assert_eq!(s.proposal().number, 1);
        assert_eq!(
            s.proposal().to_string(),
            "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519"
        );
    }

    #[test]
    fn transform_order_within_type() {
        let local = props(Ike, "aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256");
        let received = props(Ike, "aes256gcm16-aes128gcm16-prfsha256-ecp256-x25519");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert_eq!(s.encr(), Some((EncrId::AesGcm16, Some(128))));
        assert_eq!(s.ke(), Some(KeId::Curve25519));
        let s = select(
            &local,
            &received,
            &SelectionPolicy {
                prefer: Preference::Peer,
                ..SelectionPolicy::default()
            },
        )
        .unwrap();
        assert_eq!(s.encr(), Some((EncrId::AesGcm16, Some(256))));
        assert_eq!(s.ke(), Some(KeId::Ecp256));
    }

    #[test]
    fn key_length_must_match() {
        let local = props(Ike, "aes128-sha256-x25519");
        let received = props(Ike, "aes256-sha256-x25519");
        let e = select(&local, &received, &SelectionPolicy::default()).unwrap_err();
        assert!(
            e.to_string().contains(
                "proposal 1: vs configured #1: ENCR AES_CBC_256 not in local set {AES_CBC_128}; \
             INTEG ok (HMAC_SHA2_256_128); PRF ok (PRF_HMAC_SHA2_256); KE ok (CURVE_25519)"
            ),
            "{e}"
        );
    }

    #[test]
    fn invalid_ke_requests_preferred_group() {
        let local = props(Ike, "aes128gcm16-prfsha256-ecp256-x25519");
        let received = props(Ike, "aes128gcm16-prfsha256-x25519-ecp256");
        // strongSwan: our order picks ECP_256; the initiator guessed X25519.
        let (s, d) = select_with_ke(
            &local,
            &received,
            Some(KeId::Curve25519),
            &SelectionPolicy::default(),
        )
        .unwrap();
        assert_eq!(s.ke(), Some(KeId::Ecp256));
        assert_eq!(
            d,
            KeDecision::InvalidKe {
                request: KeId::Ecp256,
                received: Some(KeId::Curve25519)
            }
        );
        // Accepting the received group avoids the round trip.
        let policy = SelectionPolicy {
            ke: KePreference::PreferReceived,
            ..SelectionPolicy::default()
        };
        let (s, d) = select_with_ke(&local, &received, Some(KeId::Curve25519), &policy).unwrap();
        assert_eq!(s.ke(), Some(KeId::Curve25519));
        assert_eq!(d, KeDecision::Accept(Some(KeId::Curve25519)));
        // Also when the peer's order is preferred (its KE order differs).
        let peer_first = SelectionPolicy {
            prefer: Preference::Peer,
            ..policy
        };
        let received2 = props(Ike, "aes128gcm16-prfsha256-ecp256-x25519");
        let (s, d) =
            select_with_ke(&local, &received2, Some(KeId::Curve25519), &peer_first).unwrap();
        assert_eq!(
            (s.ke(), d),
            (
                Some(KeId::Curve25519),
                KeDecision::Accept(Some(KeId::Curve25519))
            )
        );
        // An unacceptable received group still yields INVALID_KE_PAYLOAD.
        let received = props(Ike, "aes128gcm16-prfsha256-modp2048-ecp256");
        let (_, d) = select_with_ke(&local, &received, Some(KeId::Modp2048), &policy).unwrap();
        assert_eq!(
            d,
            KeDecision::InvalidKe {
                request: KeId::Ecp256,
                received: Some(KeId::Modp2048)
            }
        );
    }

    #[test]
    fn esp_pfs_and_esn() {
        let local = props(Esp, "aes128gcm16-esn-noesn");
        let received = props(Esp, "aes128gcm16-noesn-esn");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert_eq!(s.esn(), Some(EsnId::Esn));
        assert_eq!(s.ke(), None);
        // PFS: local requires MODP_2048; peer offers no KE at all -> refused.
        let local = props(Esp, "aes128-sha256-modp2048");
        let received = props(Esp, "aes128-sha256");
        let e = select(&local, &received, &SelectionPolicy::default()).unwrap_err();
        assert!(
            e.to_string().contains("KE missing (local set {MODP_2048})"),
            "{e}"
        );
        // ...unless we also accept NONE.
        let local = props(Esp, "aes128-sha256-modp2048-none");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert_eq!(s.ke(), None);
        // Peer proposes PFS, we don't use it: accepted only if peer allows NONE.
        let local = props(Esp, "aes128-sha256");
        let received = props(Esp, "aes128-sha256-ecp256");
        assert!(select(&local, &received, &SelectionPolicy::default()).is_err());
        let received = props(Esp, "aes128-sha256-ecp256-none");
        assert!(select(&local, &received, &SelectionPolicy::default()).is_ok());
        // IKE_AUTH child proposals: KE ignored altogether.
        let received = props(Esp, "aes128-sha256-ecp256");
        let skip = SelectionPolicy {
            skip_ke: true,
            ..SelectionPolicy::default()
        };
        let (s, d) = select_with_ke(&local, &received, None, &skip).unwrap();
        assert_eq!((s.ke(), d), (None, KeDecision::Accept(None)));
    }

    #[test]
    fn additional_key_exchanges() {
        let local = props(Ike, "aes256gcm16-prfsha384-x25519-ke1_mlkem768");
        let received = props(Ike, "aes256gcm16-prfsha384-x25519-ke1_mlkem768-ke1_none");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert_eq!(s.additional_kes(), vec![(1, KeId::MlKem768)]);
        // Peer without ML-KEM: refused, since we don't list ke1_none.
        let received = props(Ike, "aes256gcm16-prfsha384-x25519");
        let e = select(&local, &received, &SelectionPolicy::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("ADDKE1 missing (local set {KE1_ML_KEM_768})"),
            "{e}"
        );
        // Optional ADDKE on our side.
        let local = props(Ike, "aes256gcm16-prfsha384-x25519-ke1_mlkem768-ke1_none");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert!(s.additional_kes().is_empty());
        // One method is never used twice.
        let local = props(
            Ike,
            "aes256gcm16-prfsha384-x25519-ecp256-ke1_x25519-ke1_ecp256",
        );
        let received = props(Ike, "aes256gcm16-prfsha384-x25519-ke1_x25519-ke1_ecp256");
        let s = select(&local, &received, &SelectionPolicy::default()).unwrap();
        assert_eq!(s.ke(), Some(KeId::Curve25519));
        assert_eq!(s.additional_kes(), vec![(1, KeId::Ecp256)]);
    }

    #[test]
    fn diagnostic_lists_every_refusal() {
        let local = props(Ike, "aes256gcm16-prfsha256-x25519");
        let mut received = props(Ike, "aes128-sha1-modp1024, aes256-sha256-modp1024");
        received.extend(props(Esp, "aes128gcm16"));
        let e = select(&local, &received, &SelectionPolicy::default()).unwrap_err();
        assert_eq!(e.refusals.len(), 3);
        let text = e.to_string();
        assert!(text.contains("#2 IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024"));
        assert!(
            text.contains("configured:\n    #1 IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519")
        );
        assert!(text.contains(
            "proposal 2: vs configured #1: ENCR AES_CBC_256 not in local set {AES_GCM_16_256}; \
             INTEG not needed (AEAD); PRF ok (PRF_HMAC_SHA2_256); KE MODP_1024 not in local set {CURVE_25519}"
        ), "{text}");
        assert!(text.contains("proposal 1: vs configured #1: ENCR AES_CBC_128 not in local set"));
        assert!(text.contains("PRF PRF_HMAC_SHA1 not in local set {PRF_HMAC_SHA2_256}"));
        assert!(
            text.contains("proposal 1: protocol ESP not configured")
                || text.contains("proposal 3: protocol ESP not configured"),
            "{text}"
        );
        assert!(matches!(
            e.refusals[2].reason,
            RefusalReason::ProtocolMismatch
        ));
    }

    #[test]
    fn private_ids_refused_unless_allowed() {
        let t = Transform {
            ty: TransformType::Encr,
            id: 1030,
            key_length: None,
        };
        let mk = || {
            let mut p = Proposal::with_transforms(
                Esp,
                vec![
                    t,
                    Transform::integ(IntegId::HmacSha2_256_128),
                    Transform::esn(EsnId::NoEsn),
                ],
            );
            p.number = 1;
            vec![p]
        };
        let e = select(&mk(), &mk(), &SelectionPolicy::default()).unwrap_err();
        assert!(e.to_string().contains("private-use"), "{e}");
        let allow = SelectionPolicy {
            accept_private: true,
            ..SelectionPolicy::default()
        };
        assert!(select(&mk(), &mk(), &allow).is_ok());
    }
}
