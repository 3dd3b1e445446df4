//! The strongSwan proposal keyword vocabulary, both ways.
//!
//! strongSwan names algorithms with compact lower-case keywords (`aes256gcm16`,
//! `sha256`, `prfsha384`, `x25519`, `ke1_mlkem768`, `esn`). Rather than carrying
//! a table of every spelling, the keyword is decomposed into its parts (cipher
//! family, key size, mode, ICV length) and mapped onto the IANA registries of
//! `ikev2-wire`. The accepted language is the one strongSwan 6 accepts for the
//! algorithms that have IANA numbers; strongSwan's private-use algorithms
//! (Serpent, Twofish, Camellia-XCBC, `sha256_96`, `modpnull`) and the
//! withdrawn post-quantum candidates (NTRU, Kyber round 3, ...) are rejected as
//! unknown keywords. Keywords are case-sensitive, as in strongSwan.

use ikev2_wire::{EncrId, EsnId, IntegId, KeId, PrfId, TransformType};

use super::Transform;

/// The `ADDKE<n>` transform type for `n` in `1..=7`.
pub(crate) fn add_ke_type(n: u8) -> Option<TransformType> {
    match n {
        1..=7 => Some(TransformType::from_value(5 + n)),
        _ => None,
    }
}

/// The `n` of an `ADDKE<n>` transform type.
pub(crate) fn add_ke_index(ty: TransformType) -> Option<u8> {
    match ty.value() {
        v @ 6..=12 => Some(v - 5),
        _ => None,
    }
}

/// Looks up one keyword (no `-`). `ke1_`..`ke7_` prefixes select an
/// additional key exchange (RFC 9370); the rest of the token must then name a
/// key exchange method.
pub(crate) fn lookup(token: &str) -> Option<Transform> {
    if let Some(rest) = token.strip_prefix("ke") {
        let mut chars = rest.chars();
        if let (Some(d), Some('_')) = (chars.next(), chars.next()) {
            let n = d.to_digit(10)?;
            let ty = add_ke_type(u8::try_from(n).ok()?)?;
            let ke = key_exchange(chars.as_str())?;
            return Some(Transform {
                ty,
                id: ke.value(),
                key_length: None,
            });
        }
    }
    if let Some(ke) = key_exchange(token) {
        return Some(Transform::ke(ke));
    }
    if let Some(prf) = token.strip_prefix("prf").and_then(prf) {
        return Some(Transform::prf(prf));
    }
    if let Some(integ) = integrity(token) {
        return Some(Transform::integ(integ));
    }
    match token {
        "esn" => return Some(Transform::esn(EsnId::Esn)),
        "noesn" => return Some(Transform::esn(EsnId::NoEsn)),
        _ => {}
    }
    encryption(token).map(|(id, bits)| Transform::encr(id, bits))
}

fn key_exchange(s: &str) -> Option<KeId> {
    Some(match s {
        "none" | "modpnone" => KeId::None,
        "modp768" => KeId::Modp768,
        "modp1024" => KeId::Modp1024,
        "modp1536" => KeId::Modp1536,
        "modp2048" => KeId::Modp2048,
        "modp3072" => KeId::Modp3072,
        "modp4096" => KeId::Modp4096,
        "modp6144" => KeId::Modp6144,
        "modp8192" => KeId::Modp8192,
        "modp1024s160" => KeId::Modp1024S160,
        "modp2048s224" => KeId::Modp2048S224,
        "modp2048s256" => KeId::Modp2048S256,
        "ecp192" => KeId::Ecp192,
        "ecp224" => KeId::Ecp224,
        "ecp256" => KeId::Ecp256,
        "ecp384" => KeId::Ecp384,
        "ecp521" => KeId::Ecp521,
        "ecp224bp" => KeId::BrainpoolP224r1,
        "ecp256bp" => KeId::BrainpoolP256r1,
        "ecp384bp" => KeId::BrainpoolP384r1,
        "ecp512bp" => KeId::BrainpoolP512r1,
        "curve25519" | "x25519" => KeId::Curve25519,
        "curve448" | "x448" => KeId::Curve448,
        "mlkem512" => KeId::MlKem512,
        "mlkem768" => KeId::MlKem768,
        "mlkem1024" => KeId::MlKem1024,
        _ => return None,
    })
}

fn prf(s: &str) -> Option<PrfId> {
    Some(match s {
        "sha1" => PrfId::HmacSha1,
        "sha256" => PrfId::HmacSha2_256,
        "sha384" => PrfId::HmacSha2_384,
        "sha512" => PrfId::HmacSha2_512,
        "md5" => PrfId::HmacMd5,
        "aesxcbc" => PrfId::Aes128Xcbc,
        "aescmac" => PrfId::Aes128Cmac,
        _ => return None,
    })
}

fn integrity(s: &str) -> Option<IntegId> {
    Some(match s {
        "sha" | "sha1" => IntegId::HmacSha1_96,
        "sha1_160" => IntegId::HmacSha1_160,
        "sha256" | "sha2_256" => IntegId::HmacSha2_256_128,
        "sha384" | "sha2_384" => IntegId::HmacSha2_384_192,
        "sha512" | "sha2_512" => IntegId::HmacSha2_512_256,
        "md5" => IntegId::HmacMd5_96,
        "md5_128" => IntegId::HmacMd5_128,
        "aesxcbc" => IntegId::AesXcbc96,
        "aescmac" => IntegId::AesCmac96,
        _ => return None,
    })
}

/// Splits a leading key size (`128`, `192`, `256`) off `s`.
fn key_size(s: &str) -> Option<(u16, &str)> {
    ["128", "192", "256"].iter().find_map(|k| {
        s.strip_prefix(k)
            .and_then(|rest| k.parse().ok().map(|bits| (bits, rest)))
    })
}

/// ICV length suffix of the CCM/GCM keywords, in bytes (bits also accepted).
fn icv(s: &str, bare_ok: bool) -> Option<u8> {
    match s {
        "8" | "64" => Some(8),
        "12" | "96" => Some(12),
        "16" | "128" => Some(16),
        "" if bare_ok => Some(16),
        _ => None,
    }
}

fn encryption(s: &str) -> Option<(EncrId, Option<u16>)> {
    match s {
        "null" => return Some((EncrId::Null, None)),
        "des" => return Some((EncrId::Des, None)),
        "3des" => return Some((EncrId::TripleDes, None)),
        "cast128" => return Some((EncrId::Cast, Some(128))),
        "chacha20poly1305" => return Some((EncrId::Chacha20Poly1305, None)),
        // strongSwan's spelling for a peer that sends the (redundant) key length.
        "chacha20poly1305compat" => return Some((EncrId::Chacha20Poly1305, Some(256))),
        "aes" => return Some((EncrId::AesCbc, Some(128))),
        "camellia" => return Some((EncrId::CamelliaCbc, Some(128))),
        "blowfish" => return Some((EncrId::Blowfish, Some(128))),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix("blowfish") {
        let (bits, "") = key_size(rest)? else {
            return None;
        };
        return Some((EncrId::Blowfish, Some(bits)));
    }
    let (camellia, rest) = if let Some(rest) = s.strip_prefix("camellia") {
        (true, rest)
    } else {
        (false, s.strip_prefix("aes")?)
    };
    let (bits, mode) = key_size(rest)?;
    let id = match mode {
        "" if camellia => EncrId::CamelliaCbc,
        "" => EncrId::AesCbc,
        "ctr" if camellia => EncrId::CamelliaCtr,
        "ctr" => EncrId::AesCtr,
        "gmac" if !camellia => EncrId::NullAuthAesGmac,
        m => {
            if let Some(len) = m.strip_prefix("ccm") {
                match (icv(len, !camellia)?, camellia) {
                    (8, false) => EncrId::AesCcm8,
                    (12, false) => EncrId::AesCcm12,
                    (16, false) => EncrId::AesCcm16,
                    (8, true) => EncrId::CamelliaCcm8,
                    (12, true) => EncrId::CamelliaCcm12,
                    (_, true) => EncrId::CamelliaCcm16,
                    (_, false) => return None,
                }
            } else if let Some(len) = m.strip_prefix("gcm").filter(|_| !camellia) {
                match icv(len, true)? {
                    8 => EncrId::AesGcm8,
                    12 => EncrId::AesGcm12,
                    _ => EncrId::AesGcm16,
                }
            } else {
                return None;
            }
        }
    };
    Some((id, Some(bits)))
}

/// The canonical keyword for a transform, or `None` when strongSwan has no
/// keyword for it (unknown or private-use IDs).
pub(crate) fn keyword(t: &Transform) -> Option<String> {
    let bits = t.key_length;
    match t.ty {
        TransformType::Encr => encr_keyword(EncrId::from_value(t.id), bits),
        TransformType::Integ => {
            if bits.is_some() {
                return None;
            }
            Some(
                match IntegId::from_value(t.id) {
                    IntegId::HmacSha1_96 => "sha1",
                    IntegId::HmacSha1_160 => "sha1_160",
                    IntegId::HmacSha2_256_128 => "sha256",
                    IntegId::HmacSha2_384_192 => "sha384",
                    IntegId::HmacSha2_512_256 => "sha512",
                    IntegId::HmacMd5_96 => "md5",
                    IntegId::HmacMd5_128 => "md5_128",
                    IntegId::AesXcbc96 => "aesxcbc",
                    IntegId::AesCmac96 => "aescmac",
                    _ => return None,
                }
                .to_owned(),
            )
        }
        TransformType::Prf => {
            if bits.is_some() {
                return None;
            }
            let name = match PrfId::from_value(t.id) {
                PrfId::HmacSha1 => "sha1",
                PrfId::HmacSha2_256 => "sha256",
                PrfId::HmacSha2_384 => "sha384",
                PrfId::HmacSha2_512 => "sha512",
                PrfId::HmacMd5 => "md5",
                PrfId::Aes128Xcbc => "aesxcbc",
                PrfId::Aes128Cmac => "aescmac",
                _ => return None,
            };
            Some(format!("prf{name}"))
        }
        TransformType::Esn if bits.is_none() => match EsnId::from_value(t.id) {
            EsnId::Esn => Some("esn".to_owned()),
            EsnId::NoEsn => Some("noesn".to_owned()),
            _ => None,
        },
        ty if ty.is_key_exchange() && bits.is_none() => {
            let name = ke_keyword(KeId::from_value(t.id))?;
            Some(match add_ke_index(ty) {
                Some(n) => format!("ke{n}_{name}"),
                None => name.to_owned(),
            })
        }
        _ => None,
    }
}

fn ke_keyword(ke: KeId) -> Option<&'static str> {
    Some(match ke {
        KeId::None => "none",
        KeId::Modp768 => "modp768",
        KeId::Modp1024 => "modp1024",
        KeId::Modp1536 => "modp1536",
        KeId::Modp2048 => "modp2048",
        KeId::Modp3072 => "modp3072",
        KeId::Modp4096 => "modp4096",
        KeId::Modp6144 => "modp6144",
        KeId::Modp8192 => "modp8192",
        KeId::Modp1024S160 => "modp1024s160",
        KeId::Modp2048S224 => "modp2048s224",
        KeId::Modp2048S256 => "modp2048s256",
        KeId::Ecp192 => "ecp192",
        KeId::Ecp224 => "ecp224",
        KeId::Ecp256 => "ecp256",
        KeId::Ecp384 => "ecp384",
        KeId::Ecp521 => "ecp521",
        KeId::BrainpoolP224r1 => "ecp224bp",
        KeId::BrainpoolP256r1 => "ecp256bp",
        KeId::BrainpoolP384r1 => "ecp384bp",
        KeId::BrainpoolP512r1 => "ecp512bp",
        KeId::Curve25519 => "x25519",
        KeId::Curve448 => "x448",
        KeId::MlKem512 => "mlkem512",
        KeId::MlKem768 => "mlkem768",
        KeId::MlKem1024 => "mlkem1024",
        _ => return None,
    })
}

fn encr_keyword(id: EncrId, bits: Option<u16>) -> Option<String> {
    let sized = |stem: &str, suffix: &str| match bits {
        Some(b @ (128 | 192 | 256)) => Some(format!("{stem}{b}{suffix}")),
        _ => None,
    };
    match (id, bits) {
        (EncrId::Null, None) => Some("null".to_owned()),
        (EncrId::Des, None) => Some("des".to_owned()),
        (EncrId::TripleDes, None) => Some("3des".to_owned()),
        (EncrId::Cast, Some(128)) => Some("cast128".to_owned()),
        (EncrId::Chacha20Poly1305, None) => Some("chacha20poly1305".to_owned()),
        (EncrId::Chacha20Poly1305, Some(256)) => Some("chacha20poly1305compat".to_owned()),
        (EncrId::Blowfish, _) => sized("blowfish", ""),
        (EncrId::AesCbc, _) => sized("aes", ""),
        (EncrId::AesCtr, _) => sized("aes", "ctr"),
        (EncrId::AesCcm8, _) => sized("aes", "ccm8"),
        (EncrId::AesCcm12, _) => sized("aes", "ccm12"),
        (EncrId::AesCcm16, _) => sized("aes", "ccm16"),
        (EncrId::AesGcm8, _) => sized("aes", "gcm8"),
        (EncrId::AesGcm12, _) => sized("aes", "gcm12"),
        (EncrId::AesGcm16, _) => sized("aes", "gcm16"),
        (EncrId::NullAuthAesGmac, _) => sized("aes", "gmac"),
        (EncrId::CamelliaCbc, _) => sized("camellia", ""),
        (EncrId::CamelliaCtr, _) => sized("camellia", "ctr"),
        (EncrId::CamelliaCcm8, _) => sized("camellia", "ccm8"),
        (EncrId::CamelliaCcm12, _) => sized("camellia", "ccm12"),
        (EncrId::CamelliaCcm16, _) => sized("camellia", "ccm16"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_decompose() {
        // Facts from strongSwan's proposal_keywords_static.txt.
        assert_eq!(encryption("aes"), Some((EncrId::AesCbc, Some(128))));
        assert_eq!(encryption("aes256"), Some((EncrId::AesCbc, Some(256))));
        assert_eq!(encryption("aes192ctr"), Some((EncrId::AesCtr, Some(192))));
        assert_eq!(encryption("aes128gcm"), Some((EncrId::AesGcm16, Some(128))));
        assert_eq!(
            encryption("aes256gcm64"),
            Some((EncrId::AesGcm8, Some(256)))
        );
        assert_eq!(
            encryption("aes256gcm96"),
            Some((EncrId::AesGcm12, Some(256)))
        );
        assert_eq!(encryption("aes128ccm"), Some((EncrId::AesCcm16, Some(128))));
        assert_eq!(
            encryption("camellia192ccm128"),
            Some((EncrId::CamelliaCcm16, Some(192)))
        );
        assert_eq!(encryption("camellia128ccm"), None);
        assert_eq!(encryption("camellia256gcm16"), None);
        assert_eq!(encryption("aesgcm16"), None);
        assert_eq!(encryption("aes512"), None);
        assert_eq!(encryption("aes128gcm17"), None);
        assert_eq!(encryption("blowfish"), Some((EncrId::Blowfish, Some(128))));
        assert_eq!(
            encryption("aes192gmac"),
            Some((EncrId::NullAuthAesGmac, Some(192)))
        );
        assert_eq!(integrity("sha"), Some(IntegId::HmacSha1_96));
        assert_eq!(integrity("sha2_384"), Some(IntegId::HmacSha2_384_192));
        assert_eq!(integrity("sha256_96"), None, "private-use ID in strongSwan");
        assert_eq!(key_exchange("x25519"), Some(KeId::Curve25519));
        assert_eq!(key_exchange("ecp512bp"), Some(KeId::BrainpoolP512r1));
        assert_eq!(key_exchange("modpnone"), Some(KeId::None));
    }

    #[test]
    fn additional_ke_prefix() {
        let t = lookup("ke1_mlkem768").unwrap();
        assert_eq!(t.ty, TransformType::AddKe1);
        assert_eq!(t.id, 36);
        assert_eq!(lookup("ke7_none").unwrap().ty, TransformType::AddKe7);
        assert_eq!(lookup("ke8_mlkem768"), None);
        assert_eq!(lookup("ke0_mlkem768"), None);
        assert_eq!(lookup("ke1_aes128"), None);
        assert_eq!(lookup("ke1_"), None);
    }

    #[test]
    fn every_keyword_reverses() {
        for ke in KeId::ALL {
            if let Some(k) = ke_keyword(*ke) {
                assert_eq!(key_exchange(k), Some(*ke));
            }
        }
        for id in EncrId::ALL {
            for bits in [None, Some(128), Some(192), Some(256)] {
                let t = Transform::encr(*id, bits);
                if let Some(k) = keyword(&t) {
                    assert_eq!(lookup(&k), Some(t), "{k}");
                }
            }
        }
        for id in IntegId::ALL {
            let t = Transform::integ(*id);
            if let Some(k) = keyword(&t) {
                assert_eq!(lookup(&k), Some(t), "{k}");
            }
        }
        for id in PrfId::ALL {
            let t = Transform::prf(*id);
            if let Some(k) = keyword(&t) {
                assert_eq!(lookup(&k), Some(t), "{k}");
            }
        }
    }
}
