//! The initiator's side of negotiation: which KE payload to send, how to
//! react to INVALID_KE_PAYLOAD, and checking the responder's choice.

use core::fmt;

use ikev2_wire::{KeId, TransformType};

use super::{Proposal, Selected, Transform};

/// The key exchange method to send a KE payload for: the first KE of the
/// first proposal that has one (strongSwan's rule).
#[must_use]
pub fn initial_ke(offered: &[Proposal]) -> Option<KeId> {
    offered
        .iter()
        .find_map(|p| p.first(TransformType::Ke))
        .map(|t| KeId::from_value(t.id))
}

/// Reorders our proposals for a retry after INVALID_KE_PAYLOAD requesting
/// `group`: the group moves to the front of every proposal containing it and
/// those proposals move before the others (as strongSwan does). Returns
/// `None` if we never offered `group`: the request is bogus (RFC 7296 §1.2
/// says the responder must pick one of the offered groups) and the SA fails.
#[must_use]
pub fn retry_with_ke(offered: &[Proposal], group: KeId) -> Option<Vec<Proposal>> {
    let (mut with, mut without): (Vec<Proposal>, Vec<Proposal>) = offered
        .iter()
        .cloned()
        .partition(|p| p.of_type(TransformType::Ke).any(|t| t.id == group.value()));
    if with.is_empty() {
        return None;
    }
    for p in &mut with {
        p.promote_ke(group);
    }
    with.append(&mut without);
    Some(with)
}

/// Why the responder's SA payload is unacceptable (RFC 7296 §2.7, §3.3.6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadResponseProposal {
    /// The response must carry exactly one proposal.
    #[error("response carries {0} proposals, expected exactly 1")]
    NotExactlyOne(usize),
    /// The proposal number matches none we sent.
    #[error("response proposal number {0} was not offered")]
    UnknownNumber(u8),
    /// Protocol differs from the offered proposal's.
    #[error("response protocol differs from offered proposal {0}")]
    ProtocolMismatch(u8),
    /// A transform that was not in the offered proposal.
    #[error("response transform {0} was not offered in that proposal")]
    NotOffered(Transform),
    /// More than one transform of a type.
    #[error("response has more than one {0} transform")]
    Duplicate(TransformType),
    /// A type we offered (and did not allow to be NONE) is missing.
    #[error("response lacks a {0} transform")]
    Missing(TransformType),
}

/// Checks the responder's single accepted proposal against what we offered
/// and returns it as [`Selected`].
///
/// The response must name one of our proposals by number, for the same
/// protocol, with exactly one transform of each type we offered (except
/// integrity next to an AEAD cipher, and key exchanges we offered NONE
/// for), each of them among the ones we offered in that proposal.
///
/// # Errors
/// [`BadResponseProposal`] naming the first violation.
pub fn check_response(
    offered: &[Proposal],
    returned: &[Proposal],
) -> Result<Selected, BadResponseProposal> {
    let [r] = returned else {
        return Err(BadResponseProposal::NotExactlyOne(returned.len()));
    };
    let ours = offered
        .iter()
        .enumerate()
        .find(|(i, p)| {
            let n = if p.number == 0 {
                i + 1
            } else {
                usize::from(p.number)
            };
            n == usize::from(r.number)
        })
        .map(|(_, p)| p)
        .ok_or(BadResponseProposal::UnknownNumber(r.number))?;
    if ours.protocol != r.protocol {
        return Err(BadResponseProposal::ProtocolMismatch(r.number));
    }
    for t in r.transforms() {
        if !ours.transforms().contains(t) {
            return Err(BadResponseProposal::NotOffered(*t));
        }
    }
    let aead = r
        .first(TransformType::Encr)
        .is_some_and(|t| ikev2_wire::EncrId::from_value(t.id).is_aead());
    for ty in ours.types() {
        let n = r.of_type(ty).count();
        if n > 1 {
            return Err(BadResponseProposal::Duplicate(ty));
        }
        let optional = (ty == TransformType::Integ && aead)
            || (ty.is_key_exchange() && ours.of_type(ty).any(|t| t.id == 0));
        if n == 0 && !optional {
            return Err(BadResponseProposal::Missing(ty));
        }
    }
    Ok(Selected {
        proposal: r.clone(),
    })
}

impl fmt::Display for super::Selected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.proposal.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_proposals, select, SelectionPolicy};
    use super::*;
    use ikev2_wire::{EncrId, ProtocolId};

    fn props(s: &str) -> Vec<Proposal> {
        parse_proposals(ProtocolId::Ike, s).unwrap()
    }

    #[test]
    fn initial_ke_and_retry_order() {
        let ours = props("aes128gcm16-prfsha256-ecp256-x25519, aes128-sha256-modp2048-x25519, aes128-sha256-modp3072");
        assert_eq!(initial_ke(&ours), Some(KeId::Ecp256));
        let retry = retry_with_ke(&ours, KeId::Curve25519).unwrap();
        assert_eq!(initial_ke(&retry), Some(KeId::Curve25519));
        assert_eq!(
            retry[1].first(TransformType::Ke),
            Some(&Transform::ke(KeId::Curve25519))
        );
        assert_eq!(
            retry[2].first(TransformType::Ke),
            Some(&Transform::ke(KeId::Modp3072)),
            "moved back"
        );
        let retry = retry_with_ke(&ours, KeId::Modp3072).unwrap();
        assert_eq!(
            retry[0].first(TransformType::Ke),
            Some(&Transform::ke(KeId::Modp3072))
        );
        assert_eq!(retry_with_ke(&ours, KeId::Modp1024), None, "never offered");
    }

    #[test]
    fn responder_choice_is_checked() {
        let mut ours =
            props("aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256, aes128-sha256-ecp256");
        ours[0].number = 1;
        ours[1].number = 2;
        // What a conforming responder returns passes.
        let s = select(&ours, &ours, &SelectionPolicy::default()).unwrap();
        let ok = check_response(&ours, std::slice::from_ref(s.proposal())).unwrap();
        assert_eq!(ok.encr(), Some((EncrId::AesGcm16, Some(128))));
        assert_eq!(
            ok.to_string(),
            "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519"
        );

        let ret = |s: &str, n: u8| {
            let mut p = props(s);
            p[0].number = n;
            p
        };
        assert_eq!(
            check_response(&ours, &ret("aes256gcm16-prfsha256-ecp384", 1)).unwrap_err(),
            BadResponseProposal::NotOffered(Transform::ke(KeId::Ecp384))
        );
        assert_eq!(
            check_response(&ours, &ret("aes128gcm16-aes256gcm16-prfsha256-x25519", 1)).unwrap_err(),
            BadResponseProposal::Duplicate(TransformType::Encr)
        );
        assert_eq!(
            check_response(&ours, &ret("aes128-sha256-ecp256", 3)).unwrap_err(),
            BadResponseProposal::UnknownNumber(3)
        );
        let mut missing_ke = ret("aes128-sha256-ecp256", 2);
        missing_ke[0].remove_type(TransformType::Ke);
        assert_eq!(
            check_response(&ours, &missing_ke).unwrap_err(),
            BadResponseProposal::Missing(TransformType::Ke)
        );
        assert_eq!(
            check_response(&ours, &[]).unwrap_err(),
            BadResponseProposal::NotExactlyOne(0)
        );
        assert!(check_response(&ours, &ret("aes128-sha256-ecp256", 2)).is_ok());
    }
}
