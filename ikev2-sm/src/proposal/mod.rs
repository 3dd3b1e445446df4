//! SA proposals at the negotiation level (RFC 7296 §3.3), strongSwan's
//! keyword syntax for writing them, and responder-side selection.
//!
//! A [`Proposal`] is one alternative of an SA payload: a protocol and, per
//! transform type, a priority-ordered list of acceptable transforms. Local
//! proposals come from configuration strings ([`parse_proposals`]); received
//! ones come from the peer's SA payload. [`select()`] picks one transform per
//! type and returns a [`Selected`] proposal, or a [`NoProposalChosen`]
//! diagnostic that explains every refusal. On the initiator's side,
//! [`initial_ke`], [`retry_with_ke`] and [`check_response`] pick the KE
//! payload, react to INVALID_KE_PAYLOAD and vet the responder's choice.

mod initiator;
mod keywords;
mod parse;
mod select;

use core::fmt;

use ikev2_wire::{EncrId, EsnId, IntegId, KeId, PrfId, ProtocolId, TransformId, TransformType};

pub use initiator::{check_response, initial_ke, retry_with_ke, BadResponseProposal};
pub use parse::{default_proposals, parse_proposals, ProposalParseError, ProposalParseErrorKind};
pub use select::{
    decide_ke, select, select_with_ke, KeDecision, KePreference, NoProposalChosen, Preference,
    Refusal, RefusalReason, Selected, SelectionPolicy, TypeCheck, Verdict,
};

/// One transform: its type, its ID in that type's registry, and the Key
/// Length attribute (RFC 7296 §3.3.5) when the algorithm takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transform {
    /// Transform type (ENCR, PRF, INTEG, KE, ESN, ADDKE1..7, ...).
    pub ty: TransformType,
    /// Transform ID in the registry selected by `ty`.
    pub id: u16,
    /// Key length in bits, for variable-length ciphers.
    pub key_length: Option<u16>,
}

impl Transform {
    /// An encryption transform with an optional key length in bits.
    #[must_use]
    pub fn encr(id: EncrId, key_length: Option<u16>) -> Self {
        Self {
            ty: TransformType::Encr,
            id: id.value(),
            key_length,
        }
    }
    /// A pseudorandom function transform.
    #[must_use]
    pub fn prf(id: PrfId) -> Self {
        Self {
            ty: TransformType::Prf,
            id: id.value(),
            key_length: None,
        }
    }
    /// An integrity transform.
    #[must_use]
    pub fn integ(id: IntegId) -> Self {
        Self {
            ty: TransformType::Integ,
            id: id.value(),
            key_length: None,
        }
    }
    /// A (first) key exchange method transform.
    #[must_use]
    pub fn ke(id: KeId) -> Self {
        Self {
            ty: TransformType::Ke,
            id: id.value(),
            key_length: None,
        }
    }
    /// An additional key exchange `n` (1..=7, RFC 9370); `None` for other `n`.
    #[must_use]
    pub fn add_ke(n: u8, id: KeId) -> Option<Self> {
        Some(Self {
            ty: keywords::add_ke_type(n)?,
            id: id.value(),
            key_length: None,
        })
    }
    /// An extended sequence numbers transform.
    #[must_use]
    pub fn esn(id: EsnId) -> Self {
        Self {
            ty: TransformType::Esn,
            id: id.value(),
            key_length: None,
        }
    }

    /// The ID interpreted in its registry.
    #[must_use]
    pub fn transform_id(&self) -> TransformId {
        TransformId::new(self.ty, self.id)
    }

    /// strongSwan's keyword for this transform (`aes256gcm16`, `ke1_mlkem768`),
    /// or `None` when it has none.
    #[must_use]
    pub fn keyword(&self) -> Option<String> {
        keywords::keyword(self)
    }

    /// True for `NONE` in a key-exchange type (KE/ADDKEn with ID 0).
    #[must_use]
    pub fn is_ke_none(&self) -> bool {
        self.ty.is_key_exchange() && self.id == 0
    }
}

/// Short operator names in strongSwan's style (`AES_GCM_16_256`,
/// `HMAC_SHA2_256_128`, `PRF_HMAC_SHA2_256`, `CURVE_25519`, `KE1_ML_KEM_768`).
impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = keywords::add_ke_index(self.ty) {
            write!(f, "KE{n}_")?;
        }
        match self.transform_id() {
            TransformId::Encr(e) => match e.iana_name() {
                Some(name) => f.write_str(name.trim_start_matches("ENCR_"))?,
                None => write!(f, "ENCR_{}", self.id)?,
            },
            TransformId::Integ(i) => match i.iana_name() {
                Some(name) => f.write_str(name.trim_start_matches("AUTH_"))?,
                None => write!(f, "INTEG_{}", self.id)?,
            },
            TransformId::Prf(p) => match p.iana_name() {
                Some(name) => f.write_str(name)?,
                None => write!(f, "PRF_{}", self.id)?,
            },
            TransformId::Ke(k) => f.write_str(&ke_short_name(k))?,
            TransformId::Esn(EsnId::Esn) => f.write_str("EXT_SEQ")?,
            TransformId::Esn(EsnId::NoEsn) => f.write_str("NO_EXT_SEQ")?,
            TransformId::Esn(_) => write!(f, "ESN_{}", self.id)?,
            _ => write!(f, "UNKNOWN_{}_{}", self.ty.value(), self.id)?,
        }
        if let Some(bits) = self.key_length {
            write!(f, "_{bits}")?;
        }
        Ok(())
    }
}

fn ke_short_name(k: KeId) -> String {
    let s = match k {
        KeId::None => "NONE",
        KeId::Modp768 => "MODP_768",
        KeId::Modp1024 => "MODP_1024",
        KeId::Modp1536 => "MODP_1536",
        KeId::Modp2048 => "MODP_2048",
        KeId::Modp3072 => "MODP_3072",
        KeId::Modp4096 => "MODP_4096",
        KeId::Modp6144 => "MODP_6144",
        KeId::Modp8192 => "MODP_8192",
        KeId::Modp1024S160 => "MODP_1024_160",
        KeId::Modp2048S224 => "MODP_2048_224",
        KeId::Modp2048S256 => "MODP_2048_256",
        KeId::Ecp192 => "ECP_192",
        KeId::Ecp224 => "ECP_224",
        KeId::Ecp256 => "ECP_256",
        KeId::Ecp384 => "ECP_384",
        KeId::Ecp521 => "ECP_521",
        KeId::BrainpoolP224r1 => "ECP_224_BP",
        KeId::BrainpoolP256r1 => "ECP_256_BP",
        KeId::BrainpoolP384r1 => "ECP_384_BP",
        KeId::BrainpoolP512r1 => "ECP_512_BP",
        KeId::Curve25519 => "CURVE_25519",
        KeId::Curve448 => "CURVE_448",
        KeId::MlKem512 => "ML_KEM_512",
        KeId::MlKem768 => "ML_KEM_768",
        KeId::MlKem1024 => "ML_KEM_1024",
        other => return format!("KE_{}", other.value()),
    };
    s.to_owned()
}

/// The order strongSwan lists transform types in (ENCR, INTEG, PRF, KE, ESN,
/// ADDKE1..7, then anything else by number).
pub(crate) fn type_rank(ty: TransformType) -> u16 {
    match ty {
        TransformType::Integ => 2,
        TransformType::Prf => 3,
        other => u16::from(other.value()),
    }
}

/// One proposal: a protocol and priority-ordered transforms of several types.
///
/// Within a type, earlier transforms are preferred. For received proposals,
/// `number` and `spi` carry the Proposal Num and SPI of the SA payload; for
/// configured ones they are 0 and empty until a message is built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Proposal {
    /// Protocol ID (IKE, ESP, AH).
    pub protocol: ProtocolId,
    /// Proposal number (1-based on the wire; 0 = not yet numbered).
    pub number: u8,
    /// The sender's SPI for this protocol (empty for a new IKE SA).
    pub spi: Vec<u8>,
    transforms: Vec<Transform>,
}

impl Proposal {
    /// An empty proposal for `protocol`.
    #[must_use]
    pub fn new(protocol: ProtocolId) -> Self {
        Self {
            protocol,
            number: 0,
            spi: Vec::new(),
            transforms: Vec::new(),
        }
    }

    /// Builds a proposal from transforms in priority order.
    #[must_use]
    pub fn with_transforms(protocol: ProtocolId, mut transforms: Vec<Transform>) -> Self {
        transforms.sort_by_key(|t| type_rank(t.ty));
        Self {
            transforms,
            ..Self::new(protocol)
        }
    }

    /// Appends a transform (lowest priority within its type).
    pub fn push(&mut self, t: Transform) {
        let rank = type_rank(t.ty);
        let at = self
            .transforms
            .iter()
            .position(|x| type_rank(x.ty) > rank)
            .unwrap_or(self.transforms.len());
        self.transforms.insert(at, t);
    }

    /// All transforms, grouped by type in strongSwan's order (ENCR, INTEG,
    /// PRF, KE, ESN, ADDKE1..7), each group in priority order. Equality of
    /// proposals is therefore independent of how types were interleaved.
    #[must_use]
    pub fn transforms(&self) -> &[Transform] {
        &self.transforms
    }

    /// The transforms of one type, in priority order.
    pub fn of_type(&self, ty: TransformType) -> impl Iterator<Item = &Transform> + '_ {
        self.transforms.iter().filter(move |t| t.ty == ty)
    }

    /// The first (preferred) transform of a type.
    #[must_use]
    pub fn first(&self, ty: TransformType) -> Option<&Transform> {
        self.of_type(ty).next()
    }

    /// The distinct transform types present, in strongSwan's listing order.
    #[must_use]
    pub fn types(&self) -> Vec<TransformType> {
        let mut v: Vec<TransformType> = Vec::new();
        for t in &self.transforms {
            if !v.contains(&t.ty) {
                v.push(t.ty);
            }
        }
        v.sort_by_key(|t| type_rank(*t));
        v
    }

    /// Moves `ke` to the front of the KE transforms; false if absent.
    pub fn promote_ke(&mut self, ke: KeId) -> bool {
        let Some(pos) = self
            .transforms
            .iter()
            .position(|t| t.ty == TransformType::Ke && t.id == ke.value())
        else {
            return false;
        };
        let t = self.transforms.remove(pos);
        let first = self
            .transforms
            .iter()
            .position(|x| x.ty == TransformType::Ke)
            .unwrap_or(pos);
        self.transforms.insert(first, t);
        true
    }

    /// The proposal in strongSwan keyword syntax, e.g.
    /// `aes128-sha256-prfsha256-x25519` (every transform listed, in the
    /// order of [`Proposal::types`]); `None` if a transform has no keyword.
    #[must_use]
    pub fn to_keywords(&self) -> Option<String> {
        let mut words = Vec::new();
        for ty in self.types() {
            for t in self.of_type(ty) {
                words.push(t.keyword()?);
            }
        }
        Some(words.join("-"))
    }

    pub(crate) fn remove_type(&mut self, ty: TransformType) {
        self.transforms.retain(|t| t.ty != ty);
    }

    pub(crate) fn retain(&mut self, f: impl FnMut(&Transform) -> bool) {
        self.transforms.retain(f);
    }
}

/// strongSwan's notation: `IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519`.
impl fmt::Display for Proposal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.protocol)?;
        let mut first = true;
        for ty in self.types() {
            for t in self.of_type(ty) {
                if !first {
                    f.write_str("/")?;
                }
                first = false;
                write!(f, "{t}")?;
            }
        }
        Ok(())
    }
}

/// Writes `{A, B, C}` for a list (transforms, traffic selectors).
pub(crate) struct SetDisplay<'a, T>(pub(crate) &'a [T]);

impl<T: fmt::Display> fmt::Display for SetDisplay<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, t) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{t}")?;
        }
        f.write_str("}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_strongswan_style() {
        let p = Proposal::with_transforms(
            ProtocolId::Ike,
            vec![
                Transform::encr(EncrId::AesCbc, Some(128)),
                Transform::prf(PrfId::HmacSha2_256),
                Transform::integ(IntegId::HmacSha2_256_128),
                Transform::ke(KeId::Curve25519),
                Transform::add_ke(1, KeId::MlKem768).unwrap(),
            ],
        );
        assert_eq!(
            p.to_string(),
            "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519/KE1_ML_KEM_768"
        );
        assert_eq!(
            p.to_keywords().unwrap(),
            "aes128-sha256-prfsha256-x25519-ke1_mlkem768"
        );
    }

    #[test]
    fn promote_ke_moves_group_first() {
        let mut p = Proposal::with_transforms(
            ProtocolId::Ike,
            vec![Transform::ke(KeId::Ecp256), Transform::ke(KeId::Modp2048)],
        );
        assert!(p.promote_ke(KeId::Modp2048));
        assert_eq!(
            p.first(TransformType::Ke),
            Some(&Transform::ke(KeId::Modp2048))
        );
        assert!(!p.promote_ke(KeId::Curve448));
    }
}
