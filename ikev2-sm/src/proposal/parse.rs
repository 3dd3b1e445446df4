//! Parsing proposal strings in strongSwan's syntax (`ike_proposals`,
//! `esp_proposals` of swanctl.conf) and the completion rules strongSwan
//! applies to a parsed proposal.

use core::fmt;

use ikev2_wire::{EncrId, EsnId, IntegId, KeId, PrfId, ProtocolId, TransformType};

use super::{keywords, Proposal, Transform};

/// What was wrong with a proposal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProposalParseErrorKind {
    /// The token is not a strongSwan algorithm keyword.
    UnknownKeyword,
    /// A `keN_` prefix (RFC 9370 additional key exchange) on something that is
    /// not a key exchange method, or with N outside 1..=7.
    NotAKeyExchange,
    /// An empty token (`aes128--sha256`, a trailing `-`, or an empty proposal).
    Empty,
    /// The protocol takes no proposals in this syntax (only IKE, ESP, AH do).
    UnsupportedProtocol,
    /// An IKE or ESP proposal without an encryption algorithm.
    MissingEncryption,
    /// A proposal with classic (non-AEAD) encryption but no integrity
    /// algorithm (IKE), or an AH proposal without one.
    MissingIntegrity,
    /// An IKE proposal without a PRF, explicit or implied by an integrity
    /// algorithm.
    MissingPrf,
    /// An IKE proposal without a key exchange method.
    MissingKeyExchange,
    /// AEAD and classic encryption algorithms mixed in one proposal.
    MixedAead,
}

impl fmt::Display for ProposalParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownKeyword => "algorithm keyword not recognized",
            Self::NotAKeyExchange => {
                "a keN_ prefix (N = 1..7) must be followed by a key exchange method"
            }
            Self::Empty => "empty algorithm token",
            Self::UnsupportedProtocol => "proposals are only defined for IKE, ESP and AH",
            Self::MissingEncryption => "an encryption algorithm is mandatory",
            Self::MissingIntegrity => {
                "an integrity algorithm is mandatory with classic (non-AEAD) encryption"
            }
            Self::MissingPrf => "a PRF is mandatory in IKE proposals",
            Self::MissingKeyExchange => "a key exchange method is mandatory in IKE proposals",
            Self::MixedAead => {
                "classic and combined-mode (AEAD) encryption can't be in the same proposal"
            }
        })
    }
}

/// A proposal string that could not be parsed: the rule broken, the token at
/// fault (for whole-proposal rules, the proposal text) and its byte offset in
/// the input string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: `{token}` at byte {position}")]
pub struct ProposalParseError {
    /// Which rule was broken.
    pub kind: ProposalParseErrorKind,
    /// The offending token, or the whole proposal for completeness rules.
    pub token: String,
    /// Byte offset of `token` in the parsed string.
    pub position: usize,
}

/// Parses a comma-separated list of proposals, such as
/// `aes256gcm16-prfsha384-ecp384, aes128-sha256-modp2048` or `default`.
///
/// Within a proposal, keywords are separated by `-`; several keywords of the
/// same type are alternatives in priority order. The keyword `default`
/// expands to [`default_proposals`]. Surrounding spaces are ignored.
///
/// # Errors
/// [`ProposalParseError`] naming the first bad token and its position.
pub fn parse_proposals(protocol: ProtocolId, s: &str) -> Result<Vec<Proposal>, ProposalParseError> {
    if !matches!(protocol, ProtocolId::Ike | ProtocolId::Esp | ProtocolId::Ah) {
        return Err(ProposalParseError {
            kind: ProposalParseErrorKind::UnsupportedProtocol,
            token: s.to_owned(),
            position: 0,
        });
    }
    let mut out = Vec::new();
    for (offset, item) in split_offsets(s, ',', 0) {
        if item == "default" {
            out.extend(default_proposals(protocol));
        } else {
            out.push(parse_one(protocol, item, offset)?);
        }
    }
    Ok(out)
}

/// Splits on `sep`, yielding each trimmed piece with its byte offset.
fn split_offsets(s: &str, sep: char, base: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    s.split(sep).map(move |piece| {
        let lead = piece.len() - piece.trim_start().len();
        let at = base + start + lead;
        start += piece.len() + sep.len_utf8();
        (at, piece.trim())
    })
}

fn parse_one(
    protocol: ProtocolId,
    text: &str,
    offset: usize,
) -> Result<Proposal, ProposalParseError> {
    let mut p = Proposal::new(protocol);
    for (at, token) in split_offsets(text, '-', offset) {
        let err = |kind| ProposalParseError {
            kind,
            token: token.to_owned(),
            position: at,
        };
        if token.is_empty() {
            return Err(err(ProposalParseErrorKind::Empty));
        }
        match keywords::lookup(token) {
            Some(t) => p.push(t),
            None if is_ke_prefixed(token) => {
                return Err(err(ProposalParseErrorKind::NotAKeyExchange))
            }
            None => return Err(err(ProposalParseErrorKind::UnknownKeyword)),
        }
    }
    complete(&mut p).map_err(|kind| ProposalParseError {
        kind,
        token: text.to_owned(),
        position: offset,
    })?;
    Ok(p)
}

fn is_ke_prefixed(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 4
        && b.starts_with(b"ke")
        && b.get(2).is_some_and(u8::is_ascii_digit)
        && b.get(3) == Some(&b'_')
}

/// The PRF strongSwan assumes for an IKE proposal that names only an
/// integrity algorithm (`aes128-sha256` implies `prfsha256`).
fn implied_prf(integ: IntegId) -> Option<PrfId> {
    Some(match integ {
        IntegId::HmacSha1_96 | IntegId::HmacSha1_160 => PrfId::HmacSha1,
        IntegId::HmacSha2_256_128 => PrfId::HmacSha2_256,
        IntegId::HmacSha2_384_192 => PrfId::HmacSha2_384,
        IntegId::HmacSha2_512_256 => PrfId::HmacSha2_512,
        IntegId::HmacMd5_96 | IntegId::HmacMd5_128 => PrfId::HmacMd5,
        IntegId::AesXcbc96 => PrfId::Aes128Xcbc,
        IntegId::AesCmac96 => PrfId::Aes128Cmac,
        _ => return None,
    })
}

/// strongSwan's completion and sanity rules for a proposal read from a string.
fn complete(p: &mut Proposal) -> Result<(), ProposalParseErrorKind> {
    use ProposalParseErrorKind as K;
    if p.protocol == ProtocolId::Ike {
        if p.first(TransformType::Prf).is_none() {
            let implied: Vec<Transform> = p
                .of_type(TransformType::Integ)
                .filter_map(|t| implied_prf(IntegId::from_value(t.id)))
                .map(Transform::prf)
                .collect();
            for t in implied {
                if !p.transforms().contains(&t) {
                    p.push(t);
                }
            }
        }
        if p.first(TransformType::Prf).is_none() {
            return Err(K::MissingPrf);
        }
        // KE NONE makes no sense for IKE's first key exchange.
        p.retain(|t| !(t.ty == TransformType::Ke && t.id == 0));
        if p.first(TransformType::Ke).is_none() {
            return Err(K::MissingKeyExchange);
        }
    } else {
        p.remove_type(TransformType::Prf);
    }

    if p.protocol == ProtocolId::Ah {
        // AES-GMAC is written as a cipher keyword but is an integrity
        // algorithm in AH; every other cipher is dropped.
        let gmac: Vec<Transform> = p
            .of_type(TransformType::Encr)
            .filter(|t| t.id == EncrId::NullAuthAesGmac.value())
            .filter_map(|t| match t.key_length {
                Some(128) => Some(IntegId::Aes128Gmac),
                Some(192) => Some(IntegId::Aes192Gmac),
                Some(256) => Some(IntegId::Aes256Gmac),
                _ => None,
            })
            .map(Transform::integ)
            .collect();
        p.remove_type(TransformType::Encr);
        for t in gmac {
            p.push(t);
        }
        if p.first(TransformType::Integ).is_none() {
            return Err(K::MissingIntegrity);
        }
    } else {
        let encr: Vec<bool> = p
            .of_type(TransformType::Encr)
            .map(|t| EncrId::from_value(t.id).is_aead())
            .collect();
        if encr.is_empty() {
            return Err(K::MissingEncryption);
        }
        let all_aead = encr.iter().all(|a| *a);
        if !all_aead && encr.iter().any(|a| *a) {
            return Err(K::MixedAead);
        }
        if all_aead {
            p.remove_type(TransformType::Integ);
        } else if p.protocol == ProtocolId::Ike && p.first(TransformType::Integ).is_none() {
            return Err(K::MissingIntegrity);
        }
    }

    if p.protocol != ProtocolId::Ike && p.first(TransformType::Esn).is_none() {
        p.push(Transform::esn(EsnId::NoEsn));
    }
    Ok(())
}

/// The proposals the keyword `default` stands for: an AEAD proposal followed
/// by a classic one, as strongSwan does.
///
/// strongSwan derives the lists from the loaded crypto plugins; here they are
/// fixed to what strongSwan offers with its OpenSSL plugin, restricted to the
/// algorithms of at least 128-bit strength that this project's providers
/// implement (no Brainpool, XCBC or CMAC):
///
/// - IKE: `aes{128,192,256}gcm16-chacha20poly1305` and `aes{128,192,256}` with
///   `sha256/384/512, sha1`, each with PRF SHA2-256/384/512 and SHA1 and the
///   groups ECP-256/384/521, X25519, X448, MODP-3072/4096/6144/8192, MODP-2048;
/// - ESP: `aes{128,192,256}gcm16` and `aes{128,192,256}-sha256/384/512/sha1`,
///   both without ESN (classic) or ESN unspecified (AEAD, i.e. no ESN).
/// - AH: `sha256/384/512/sha1` without ESN.
#[must_use]
pub fn default_proposals(protocol: ProtocolId) -> Vec<Proposal> {
    const SIZES: [u16; 3] = [128, 192, 256];
    let integ = [
        IntegId::HmacSha2_256_128,
        IntegId::HmacSha2_384_192,
        IntegId::HmacSha2_512_256,
        IntegId::HmacSha1_96,
    ];
    let prf = [
        PrfId::HmacSha2_256,
        PrfId::HmacSha2_384,
        PrfId::HmacSha2_512,
        PrfId::HmacSha1,
    ];
    let ke = [
        KeId::Ecp256,
        KeId::Ecp384,
        KeId::Ecp521,
        KeId::Curve25519,
        KeId::Curve448,
        KeId::Modp3072,
        KeId::Modp4096,
        KeId::Modp6144,
        KeId::Modp8192,
        KeId::Modp2048,
    ];
    let gcm = || SIZES.map(|b| Transform::encr(EncrId::AesGcm16, Some(b)));
    let cbc = || SIZES.map(|b| Transform::encr(EncrId::AesCbc, Some(b)));
    let integs = || integ.map(Transform::integ);
    match protocol {
        ProtocolId::Ike => {
            let tail: Vec<Transform> = prf
                .map(Transform::prf)
                .into_iter()
                .chain(ke.map(Transform::ke))
                .collect();
            let mut aead: Vec<Transform> = gcm().to_vec();
            aead.push(Transform::encr(EncrId::Chacha20Poly1305, None));
            aead.extend(tail.iter().copied());
            let mut classic: Vec<Transform> = cbc().to_vec();
            classic.extend(integs());
            classic.extend(tail);
            vec![
                Proposal::with_transforms(protocol, aead),
                Proposal::with_transforms(protocol, classic),
            ]
        }
        ProtocolId::Esp => {
            let mut aead = gcm().to_vec();
            aead.push(Transform::esn(EsnId::NoEsn));
            let mut classic = cbc().to_vec();
            classic.extend(integs());
            classic.push(Transform::esn(EsnId::NoEsn));
            vec![
                Proposal::with_transforms(protocol, aead),
                Proposal::with_transforms(protocol, classic),
            ]
        }
        ProtocolId::Ah => {
            let mut v = integs().to_vec();
            v.push(Transform::esn(EsnId::NoEsn));
            vec![Proposal::with_transforms(protocol, v)]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ikev2_wire::ProtocolId::{Ah, Esp, Ike};

    fn one(protocol: ProtocolId, s: &str) -> Proposal {
        let v = parse_proposals(protocol, s).unwrap();
        assert_eq!(v.len(), 1);
        v.into_iter().next().unwrap()
    }

    fn shown(protocol: ProtocolId, s: &str) -> String {
        one(protocol, s).to_string()
    }

    // Expected renderings follow what strongSwan logs for these strings
    // ("configured proposals: ...").
    #[test]
    fn ike_examples() {
        assert_eq!(
            shown(Ike, "aes256gcm16-prfsha384-ecp384"),
            "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384"
        );
        assert_eq!(
            shown(Ike, "aes128-sha256-x25519"),
            "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519"
        );
        assert_eq!(
            shown(Ike, "aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256"),
            "IKE:AES_GCM_16_128/AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519/ECP_256"
        );
        assert_eq!(
            shown(Ike, "chacha20poly1305-prfsha256-x25519"),
            "IKE:CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519"
        );
        assert_eq!(
            shown(Ike, "aes256-sha256-modp2048"),
            "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"
        );
        assert_eq!(
            shown(Ike, "aes256-sha256-sha1-ecp256"),
            "IKE:AES_CBC_256/HMAC_SHA2_256_128/HMAC_SHA1_96/PRF_HMAC_SHA2_256/PRF_HMAC_SHA1/ECP_256"
        );
        // An explicit PRF suppresses the implied one.
        assert_eq!(
            shown(Ike, "aes128-sha256-prfsha512-ecp256"),
            "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_512/ECP_256"
        );
        // RFC 9370 additional key exchanges.
        assert_eq!(
            shown(Ike, "aes256gcm16-prfsha384-x25519-ke1_mlkem768-ke2_none"),
            "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519/KE1_ML_KEM_768/KE2_NONE"
        );
        // Integrity algorithms next to an AEAD are dropped.
        assert_eq!(
            shown(Ike, "aes128gcm16-sha256-ecp256"),
            "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256"
        );
    }

    #[test]
    fn esp_examples() {
        assert_eq!(
            shown(Esp, "aes128gcm16-esn-noesn"),
            "ESP:AES_GCM_16_128/EXT_SEQ/NO_EXT_SEQ"
        );
        assert_eq!(
            shown(Esp, "aes128-sha256-modp2048"),
            "ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ"
        );
        assert_eq!(
            shown(Esp, "aes256gcm16-mlkem768"),
            "ESP:AES_GCM_16_256/ML_KEM_768/NO_EXT_SEQ"
        );
        assert_eq!(
            shown(Esp, "aes128-sha256-prfsha256"),
            "ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ"
        );
        // ESP may offer "no PFS" next to a group.
        assert_eq!(
            shown(Esp, "aes128gcm16-ecp256-none"),
            "ESP:AES_GCM_16_128/ECP_256/NONE/NO_EXT_SEQ"
        );
        // ESP with classic cipher but no integrity is legal (strongSwan allows it).
        assert_eq!(shown(Esp, "aes128"), "ESP:AES_CBC_128/NO_EXT_SEQ");
    }

    #[test]
    fn ah_examples() {
        assert_eq!(
            shown(Ah, "sha256-aes256gmac-esn"),
            "AH:HMAC_SHA2_256_128/AES_256_GMAC/EXT_SEQ"
        );
    }

    #[test]
    fn lists_and_default() {
        let v =
            parse_proposals(Ike, "aes256gcm16-prfsha384-ecp384 , aes128-sha256-x25519").unwrap();
        assert_eq!(v.len(), 2);
        let d = parse_proposals(Esp, "aes128gcm16, default").unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(
            d[1].to_string(),
            "ESP:AES_GCM_16_128/AES_GCM_16_192/AES_GCM_16_256/NO_EXT_SEQ"
        );
        for p in default_proposals(Ike) {
            // Defaults obey the same rules as parsed proposals and round-trip.
            let kw = p.to_keywords().unwrap();
            assert_eq!(one(Ike, &kw), p);
        }
    }

    #[test]
    fn errors_name_token_and_position() {
        let e = parse_proposals(Ike, "aes128-sha256-x25519, aes256-shaa256-ecp256").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::UnknownKeyword);
        assert_eq!(e.token, "shaa256");
        assert_eq!(e.position, 29);
        assert_eq!(
            e.to_string(),
            "algorithm keyword not recognized: `shaa256` at byte 29"
        );
        let e = parse_proposals(Ike, "aes128-sha256-ke1_aes128-x25519").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::NotAKeyExchange);
        assert_eq!((e.token.as_str(), e.position), ("ke1_aes128", 14));
        let e = parse_proposals(Ike, "aes128--sha256").unwrap_err();
        assert_eq!((e.kind, e.position), (ProposalParseErrorKind::Empty, 7));
        let e = parse_proposals(Ike, "aes128-x25519").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::MissingPrf);
        assert_eq!(e.token, "aes128-x25519");
        let e = parse_proposals(Ike, "aes128-prfsha256-x25519").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::MissingIntegrity);
        let e = parse_proposals(Ike, " x, aes128gcm16-prfsha256").unwrap_err();
        assert_eq!(
            (e.kind, e.position),
            (ProposalParseErrorKind::UnknownKeyword, 1)
        );
        let e = parse_proposals(Ike, "aes128-sha256-modp2048, aes128gcm16-prfsha256").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::MissingKeyExchange);
        assert_eq!(e.position, 24);
        let e = parse_proposals(Ike, "aes128gcm16-aes128-sha256-prfsha256-ecp256").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::MixedAead);
        let e = parse_proposals(Esp, "sha256").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::MissingEncryption);
        let e = parse_proposals(Ike, "AES128-sha256-x25519").unwrap_err();
        assert_eq!(
            e.kind,
            ProposalParseErrorKind::UnknownKeyword,
            "case-sensitive"
        );
        let e = parse_proposals(Ike, "aes128-sha256-none").unwrap_err();
        assert_eq!(e.kind, ProposalParseErrorKind::MissingKeyExchange);
        assert!(parse_proposals(ProtocolId::FcEspHeader, "aes128").is_err());
    }
}
