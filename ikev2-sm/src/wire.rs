//! Conversions between the negotiation-level types of this crate and the
//! payload representations of `ikev2-wire` (SA and TS payloads).
//!
//! ```
//! use ikev2_sm::proposal::parse_proposals;
//! use ikev2_sm::wire::{proposals_from_sa, sa_from_proposals};
//! use ikev2_wire::ProtocolId;
//!
//! let ours = parse_proposals(ProtocolId::Ike, "aes256gcm16-prfsha384-ecp384")?;
//! let sa = sa_from_proposals(&ours);
//! assert_eq!(sa.proposals[0].number, 1);
//! let back = proposals_from_sa(&sa);
//! assert_eq!(back[0].transforms(), ours[0].transforms());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::net::IpAddr;

use ikev2_wire::{
    AttributeValue, ProposalRepr, SaRepr, TrafficSelector as WireTs, TransformAttributeType,
    TransformRepr, TsRepr,
};

use crate::proposal::{Proposal, Transform};
use crate::ts::TrafficSelector;

/// The proposals of a received SA payload, in the peer's order.
///
/// A transform carrying an attribute other than a TV-format Key Length is
/// left out, as RFC 7296 §3.3.6 requires ("reject that transform"); the
/// rest of its proposal is kept, so selection reports the type as missing.
#[must_use]
pub fn proposals_from_sa(sa: &SaRepr<'_>) -> Vec<Proposal> {
    sa.proposals.iter().map(proposal_from_repr).collect()
}

/// One received proposal; see [`proposals_from_sa`].
#[must_use]
pub fn proposal_from_repr(p: &ProposalRepr<'_>) -> Proposal {
    let mut out = Proposal::new(p.protocol_id);
    out.number = p.number;
    out.spi = p.spi.to_vec();
    for t in &p.transforms {
        let understood = t.attributes.iter().all(|a| {
            a.attribute_type == TransformAttributeType::KeyLength
                && matches!(a.value, AttributeValue::Tv(_))
        });
        if understood {
            out.push(Transform {
                ty: t.transform_type,
                id: t.transform_id,
                key_length: t.key_length(),
            });
        }
    }
    out
}

/// The wire form of a proposal; a zero number becomes `default_number`.
#[must_use]
pub fn proposal_to_repr(p: &Proposal, default_number: u8) -> ProposalRepr<'static> {
    ProposalRepr {
        reserved: 0,
        number: if p.number == 0 {
            default_number
        } else {
            p.number
        },
        protocol_id: p.protocol,
        spi: Cow::Owned(p.spi.clone()),
        transforms: p
            .transforms()
            .iter()
            .map(|t| {
                let r = TransformRepr::new(t.ty, t.id);
                match t.key_length {
                    Some(bits) => r.with_key_length(bits),
                    None => r,
                }
            })
            .collect(),
    }
}

/// An SA payload offering `proposals`, numbered 1, 2, ... unless they carry
/// numbers already (a responder echoes the selected proposal's number).
#[must_use]
pub fn sa_from_proposals(proposals: &[Proposal]) -> SaRepr<'static> {
    SaRepr {
        proposals: proposals
            .iter()
            .enumerate()
            .map(|(i, p)| proposal_to_repr(p, u8::try_from(i + 1).unwrap_or(u8::MAX)))
            .collect(),
    }
}

/// The address-range selectors of a TS payload. Other selector types
/// (Fibre Channel, security labels) and malformed ranges (start after end)
/// are left out: they can never intersect our policy.
#[must_use]
pub fn selectors_from_ts(ts: &TsRepr<'_>) -> Vec<TrafficSelector> {
    ts.selectors
        .iter()
        .filter_map(|s| match *s {
            WireTs::Ipv4 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            } => TrafficSelector::new(
                IpAddr::V4(start),
                IpAddr::V4(end),
                ip_protocol,
                start_port,
                end_port,
            )
            .ok(),
            WireTs::Ipv6 {
                ip_protocol,
                start_port,
                end_port,
                start,
                end,
            } => TrafficSelector::new(
                IpAddr::V6(start),
                IpAddr::V6(end),
                ip_protocol,
                start_port,
                end_port,
            )
            .ok(),
            _ => None,
        })
        .collect()
}

/// A TS payload body carrying `selectors`.
#[must_use]
pub fn ts_from_selectors(selectors: &[TrafficSelector]) -> TsRepr<'static> {
    TsRepr {
        reserved: [0; 3],
        selectors: selectors
            .iter()
            .map(|s| {
                let (ip_protocol, (start_port, end_port)) = (s.ip_protocol(), s.ports());
                match s.addresses() {
                    (IpAddr::V4(start), IpAddr::V4(end)) => WireTs::Ipv4 {
                        ip_protocol,
                        start_port,
                        end_port,
                        start,
                        end,
                    },
                    (start, end) => WireTs::Ipv6 {
                        ip_protocol,
                        start_port,
                        end_port,
                        start: v6(start),
                        end: v6(end),
                    },
                }
            })
            .collect(),
    }
}

fn v6(a: IpAddr) -> std::net::Ipv6Addr {
    match a {
        IpAddr::V6(v) => v,
        IpAddr::V4(v) => v.to_ipv6_mapped(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::{parse_proposals, select, SelectionPolicy};
    use crate::ts::TsSpec;
    use ikev2_wire::{Attribute, EncrId, KeId, ProtocolId, TransformType};

    #[test]
    fn sa_round_trip_and_numbering() {
        let ours = parse_proposals(
            ProtocolId::Ike,
            "aes128gcm16-aes256gcm16-prfsha256-x25519-ke1_mlkem768, aes128-sha256-ecp256",
        )
        .unwrap();
        let sa = sa_from_proposals(&ours);
        assert_eq!(sa.proposals[1].number, 2);
        let t = &sa.proposals[0].transforms[0];
        assert_eq!(
            (t.transform_type, t.transform_id, t.key_length()),
            (TransformType::Encr, 20, Some(128))
        );
        let back = proposals_from_sa(&sa);
        for (a, b) in ours.iter().zip(&back) {
            assert_eq!(a.transforms(), b.transforms());
        }
        // The responder echoes the selected proposal's number.
        let mut peer = back.clone();
        peer.reverse();
        let s = select(&ours, &peer, &SelectionPolicy::default()).unwrap();
        let reply = sa_from_proposals(std::slice::from_ref(s.proposal()));
        assert_eq!(reply.proposals[0].number, 1);
        assert_eq!(
            reply.proposals[0].transforms.len(),
            4,
            "ENCR, PRF, KE, ADDKE1"
        );
    }

    #[test]
    fn unknown_attribute_rejects_only_that_transform() {
        let mut repr = proposal_to_repr(
            &parse_proposals(ProtocolId::Ike, "aes128-aes256-sha256-x25519").unwrap()[0],
            1,
        );
        repr.transforms[0].attributes.push(Attribute {
            attribute_type: TransformAttributeType::Unknown(99),
            value: AttributeValue::Tv(1),
        });
        let p = proposal_from_repr(&repr);
        let encr: Vec<_> = p.of_type(TransformType::Encr).collect();
        assert_eq!(encr, vec![&Transform::encr(EncrId::AesCbc, Some(256))]);
        assert_eq!(
            p.first(TransformType::Ke),
            Some(&Transform::ke(KeId::Curve25519))
        );
    }

    #[test]
    fn ts_round_trip() {
        let sel: Vec<_> = ["10.1.0.0/16[tcp/80]", "fec0::/16", "0.0.0.0/0"]
            .iter()
            .map(|s| TsSpec::parse(s).unwrap().resolve(None).unwrap())
            .collect();
        let repr = ts_from_selectors(&sel);
        assert_eq!(selectors_from_ts(&repr), sel);
        let mut bad = repr.clone();
        bad.selectors.push(WireTs::Ipv4 {
            ip_protocol: 0,
            start_port: 0,
            end_port: 65535,
            start: "10.0.0.9".parse().unwrap(),
            end: "10.0.0.1".parse().unwrap(),
        });
        assert_eq!(selectors_from_ts(&bad).len(), 3, "inverted range ignored");
    }
}
