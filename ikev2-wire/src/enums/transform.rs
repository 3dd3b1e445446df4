//! Transform registries: transform types, per-type transform IDs, transform
//! attribute types, and the RFC 7427 hash algorithm identifiers.

use super::wire_enum;

wire_enum! {
    /// IKEv2 Transform Types (RFC 7296 §3.3.2, RFC 9370 additional key exchanges, G-IKEv2).
    pub enum TransformType(u8) {
        Encr = 1 => "Encryption Algorithm (ENCR)",
        Prf = 2 => "Pseudorandom Function (PRF)",
        Integ = 3 => "Integrity Algorithm (INTEG)",
        Ke = 4 => "Key Exchange Method (KE)",
        Esn = 5 => "Extended Sequence Numbers (ESN)",
        AddKe1 = 6 => "Additional Key Exchange 1 (ADDKE1)",
        AddKe2 = 7 => "Additional Key Exchange 2 (ADDKE2)",
        AddKe3 = 8 => "Additional Key Exchange 3 (ADDKE3)",
        AddKe4 = 9 => "Additional Key Exchange 4 (ADDKE4)",
        AddKe5 = 10 => "Additional Key Exchange 5 (ADDKE5)",
        AddKe6 = 11 => "Additional Key Exchange 6 (ADDKE6)",
        AddKe7 = 12 => "Additional Key Exchange 7 (ADDKE7)",
        Kwa = 13 => "Key Wrap Algorithm (KWA)",
        GcAuth = 14 => "Group Controller Authentication Method (GCAUTH)",
    }
}

impl TransformType {
    /// The short IANA abbreviation (`ENCR`, `PRF`, `INTEG`, `KE`, `ESN`, `ADDKE1`..).
    #[must_use]
    pub const fn abbreviation(self) -> Option<&'static str> {
        Some(match self {
            Self::Encr => "ENCR",
            Self::Prf => "PRF",
            Self::Integ => "INTEG",
            Self::Ke => "KE",
            Self::Esn => "ESN",
            Self::AddKe1 => "ADDKE1",
            Self::AddKe2 => "ADDKE2",
            Self::AddKe3 => "ADDKE3",
            Self::AddKe4 => "ADDKE4",
            Self::AddKe5 => "ADDKE5",
            Self::AddKe6 => "ADDKE6",
            Self::AddKe7 => "ADDKE7",
            Self::Kwa => "KWA",
            Self::GcAuth => "GCAUTH",
            Self::Unknown(_) => return None,
        })
    }

    /// True for `KE` and `ADDKE1`..`ADDKE7`, whose IDs come from the [`KeId`] registry.
    #[must_use]
    pub const fn is_key_exchange(self) -> bool {
        matches!(
            self,
            Self::Ke
                | Self::AddKe1
                | Self::AddKe2
                | Self::AddKe3
                | Self::AddKe4
                | Self::AddKe5
                | Self::AddKe6
                | Self::AddKe7
        )
    }
}

wire_enum! {
    /// Transform Type 1 — Encryption Algorithm Transform IDs.
    pub enum EncrId(u16) {
        DesIv64 = 1 => "ENCR_DES_IV64",
        Des = 2 => "ENCR_DES",
        TripleDes = 3 => "ENCR_3DES",
        Rc5 = 4 => "ENCR_RC5",
        Idea = 5 => "ENCR_IDEA",
        Cast = 6 => "ENCR_CAST",
        Blowfish = 7 => "ENCR_BLOWFISH",
        TripleIdea = 8 => "ENCR_3IDEA",
        DesIv32 = 9 => "ENCR_DES_IV32",
        Null = 11 => "ENCR_NULL",
        AesCbc = 12 => "ENCR_AES_CBC",
        AesCtr = 13 => "ENCR_AES_CTR",
        AesCcm8 = 14 => "ENCR_AES_CCM_8",
        AesCcm12 = 15 => "ENCR_AES_CCM_12",
        AesCcm16 = 16 => "ENCR_AES_CCM_16",
        AesGcm8 = 18 => "ENCR_AES_GCM_8",
        AesGcm12 = 19 => "ENCR_AES_GCM_12",
        AesGcm16 = 20 => "ENCR_AES_GCM_16",
        NullAuthAesGmac = 21 => "ENCR_NULL_AUTH_AES_GMAC",
        CamelliaCbc = 23 => "ENCR_CAMELLIA_CBC",
        CamelliaCtr = 24 => "ENCR_CAMELLIA_CTR",
        CamelliaCcm8 = 25 => "ENCR_CAMELLIA_CCM_8",
        CamelliaCcm12 = 26 => "ENCR_CAMELLIA_CCM_12",
        CamelliaCcm16 = 27 => "ENCR_CAMELLIA_CCM_16",
        Chacha20Poly1305 = 28 => "ENCR_CHACHA20_POLY1305",
        AesCcm8Iiv = 29 => "ENCR_AES_CCM_8_IIV",
        AesGcm16Iiv = 30 => "ENCR_AES_GCM_16_IIV",
        Chacha20Poly1305Iiv = 31 => "ENCR_CHACHA20_POLY1305_IIV",
        KuznyechikMgmKtree = 32 => "ENCR_KUZNYECHIK_MGM_KTREE",
        MagmaMgmKtree = 33 => "ENCR_MAGMA_MGM_KTREE",
        KuznyechikMgmMacKtree = 34 => "ENCR_KUZNYECHIK_MGM_MAC_KTREE",
        MagmaMgmMacKtree = 35 => "ENCR_MAGMA_MGM_MAC_KTREE",
    }
}

impl EncrId {
    /// True for combined-mode (AEAD) ciphers, which take no separate INTEG transform.
    #[must_use]
    pub const fn is_aead(self) -> bool {
        matches!(
            self,
            Self::AesCcm8
                | Self::AesCcm12
                | Self::AesCcm16
                | Self::AesGcm8
                | Self::AesGcm12
                | Self::AesGcm16
                | Self::NullAuthAesGmac
                | Self::CamelliaCcm8
                | Self::CamelliaCcm12
                | Self::CamelliaCcm16
                | Self::Chacha20Poly1305
                | Self::AesCcm8Iiv
                | Self::AesGcm16Iiv
                | Self::Chacha20Poly1305Iiv
                | Self::KuznyechikMgmKtree
                | Self::MagmaMgmKtree
                | Self::KuznyechikMgmMacKtree
                | Self::MagmaMgmMacKtree
        )
    }
}

wire_enum! {
    /// Transform Type 2 — Pseudorandom Function Transform IDs.
    pub enum PrfId(u16) {
        HmacMd5 = 1 => "PRF_HMAC_MD5",
        HmacSha1 = 2 => "PRF_HMAC_SHA1",
        HmacTiger = 3 => "PRF_HMAC_TIGER",
        Aes128Xcbc = 4 => "PRF_AES128_XCBC",
        HmacSha2_256 = 5 => "PRF_HMAC_SHA2_256",
        HmacSha2_384 = 6 => "PRF_HMAC_SHA2_384",
        HmacSha2_512 = 7 => "PRF_HMAC_SHA2_512",
        Aes128Cmac = 8 => "PRF_AES128_CMAC",
        HmacStreebog512 = 9 => "PRF_HMAC_STREEBOG_512",
    }
}

wire_enum! {
    /// Transform Type 3 — Integrity Algorithm Transform IDs.
    pub enum IntegId(u16) {
        None = 0 => "NONE",
        HmacMd5_96 = 1 => "AUTH_HMAC_MD5_96",
        HmacSha1_96 = 2 => "AUTH_HMAC_SHA1_96",
        DesMac = 3 => "AUTH_DES_MAC",
        KpdkMd5 = 4 => "AUTH_KPDK_MD5",
        AesXcbc96 = 5 => "AUTH_AES_XCBC_96",
        HmacMd5_128 = 6 => "AUTH_HMAC_MD5_128",
        HmacSha1_160 = 7 => "AUTH_HMAC_SHA1_160",
        AesCmac96 = 8 => "AUTH_AES_CMAC_96",
        Aes128Gmac = 9 => "AUTH_AES_128_GMAC",
        Aes192Gmac = 10 => "AUTH_AES_192_GMAC",
        Aes256Gmac = 11 => "AUTH_AES_256_GMAC",
        HmacSha2_256_128 = 12 => "AUTH_HMAC_SHA2_256_128",
        HmacSha2_384_192 = 13 => "AUTH_HMAC_SHA2_384_192",
        HmacSha2_512_256 = 14 => "AUTH_HMAC_SHA2_512_256",
    }
}

wire_enum! {
    /// Transform Type 4 (and ADDKE1..7) — Key Exchange Method Transform IDs
    /// (formerly "Diffie-Hellman Group"). ML-KEM per draft-ietf-ipsecme-ikev2-mlkem.
    pub enum KeId(u16) {
        None = 0 => "NONE",
        Modp768 = 1 => "768-bit MODP Group",
        Modp1024 = 2 => "1024-bit MODP Group",
        Modp1536 = 5 => "1536-bit MODP Group",
        Modp2048 = 14 => "2048-bit MODP Group",
        Modp3072 = 15 => "3072-bit MODP Group",
        Modp4096 = 16 => "4096-bit MODP Group",
        Modp6144 = 17 => "6144-bit MODP Group",
        Modp8192 = 18 => "8192-bit MODP Group",
        Ecp256 = 19 => "256-bit random ECP group",
        Ecp384 = 20 => "384-bit random ECP group",
        Ecp521 = 21 => "521-bit random ECP group",
        Modp1024S160 = 22 => "1024-bit MODP Group with 160-bit Prime Order Subgroup",
        Modp2048S224 = 23 => "2048-bit MODP Group with 224-bit Prime Order Subgroup",
        Modp2048S256 = 24 => "2048-bit MODP Group with 256-bit Prime Order Subgroup",
        Ecp192 = 25 => "192-bit Random ECP Group",
        Ecp224 = 26 => "224-bit Random ECP Group",
        BrainpoolP224r1 = 27 => "brainpoolP224r1",
        BrainpoolP256r1 = 28 => "brainpoolP256r1",
        BrainpoolP384r1 = 29 => "brainpoolP384r1",
        BrainpoolP512r1 = 30 => "brainpoolP512r1",
        Curve25519 = 31 => "Curve25519",
        Curve448 = 32 => "Curve448",
        Gost3410_2012_256 = 33 => "GOST3410_2012_256",
        Gost3410_2012_512 = 34 => "GOST3410_2012_512",
        MlKem512 = 35 => "ml-kem-512",
        MlKem768 = 36 => "ml-kem-768",
        MlKem1024 = 37 => "ml-kem-1024",
    }
}

wire_enum! {
    /// Transform Type 5 — Extended Sequence Numbers Transform IDs.
    pub enum EsnId(u16) {
        NoEsn = 0 => "No Extended Sequence Numbers",
        Esn = 1 => "Extended Sequence Numbers",
    }
}

wire_enum! {
    /// IKEv2 Transform Attribute Types (RFC 7296 §3.3.5).
    pub enum TransformAttributeType(u16) {
        KeyLength = 14 => "Key Length (in bits)",
    }
}

wire_enum! {
    /// IKEv2 Hash Algorithms for `SIGNATURE_HASH_ALGORITHMS` (RFC 7427, RFC 8420, RFC 9385).
    pub enum HashAlgorithm(u16) {
        Sha1 = 1 => "SHA1",
        Sha2_256 = 2 => "SHA2-256",
        Sha2_384 = 3 => "SHA2-384",
        Sha2_512 = 4 => "SHA2-512",
        Identity = 5 => "Identity",
        Streebog256 = 6 => "STREEBOG_256",
        Streebog512 = 7 => "STREEBOG_512",
    }
}

/// A transform ID interpreted in the registry its [`TransformType`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransformId {
    /// Type 1 (ENCR).
    Encr(EncrId),
    /// Type 2 (PRF).
    Prf(PrfId),
    /// Type 3 (INTEG).
    Integ(IntegId),
    /// Type 4 (KE) or ADDKE1..7 (types 6..12).
    Ke(KeId),
    /// Type 5 (ESN).
    Esn(EsnId),
    /// A transform type without a registry here; the raw ID.
    Other(u16),
}

impl TransformId {
    /// Interprets `id` for the given transform type.
    #[must_use]
    pub const fn new(ty: TransformType, id: u16) -> Self {
        match ty {
            TransformType::Encr => Self::Encr(EncrId::from_value(id)),
            TransformType::Prf => Self::Prf(PrfId::from_value(id)),
            TransformType::Integ => Self::Integ(IntegId::from_value(id)),
            TransformType::Esn => Self::Esn(EsnId::from_value(id)),
            t if t.is_key_exchange() => Self::Ke(KeId::from_value(id)),
            _ => Self::Other(id),
        }
    }

    /// The raw wire value.
    #[must_use]
    pub const fn value(self) -> u16 {
        match self {
            Self::Encr(v) => v.value(),
            Self::Prf(v) => v.value(),
            Self::Integ(v) => v.value(),
            Self::Ke(v) => v.value(),
            Self::Esn(v) => v.value(),
            Self::Other(v) => v,
        }
    }
}

impl core::fmt::Display for TransformId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Encr(v) => v.fmt(f),
            Self::Prf(v) => v.fmt(f),
            Self::Integ(v) => v.fmt(f),
            Self::Ke(v) => v.fmt(f),
            Self::Esn(v) => v.fmt(f),
            Self::Other(v) => write!(f, "UNKNOWN({v})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_values() {
        assert_eq!(EncrId::from(20), EncrId::AesGcm16);
        assert_eq!(EncrId::from(28), EncrId::Chacha20Poly1305);
        assert_eq!(KeId::from(19), KeId::Ecp256);
        assert_eq!(KeId::from(31), KeId::Curve25519);
        assert_eq!(KeId::from(36), KeId::MlKem768);
        assert_eq!(TransformType::from(12), TransformType::AddKe7);
        assert_eq!(IntegId::from(12), IntegId::HmacSha2_256_128);
        assert_eq!(PrfId::from(5), PrfId::HmacSha2_256);
        assert_eq!(
            TransformAttributeType::from(14),
            TransformAttributeType::KeyLength
        );
        assert_eq!(HashAlgorithm::from(2), HashAlgorithm::Sha2_256);
    }

    #[test]
    fn transform_id_routes_by_type() {
        assert_eq!(
            TransformId::new(TransformType::AddKe3, 36),
            TransformId::Ke(KeId::MlKem768)
        );
        assert_eq!(
            TransformId::new(TransformType::Encr, 12),
            TransformId::Encr(EncrId::AesCbc)
        );
        assert_eq!(
            TransformId::new(TransformType::Unknown(99), 7),
            TransformId::Other(7)
        );
        assert_eq!(TransformId::new(TransformType::Kwa, 7).value(), 7);
        assert_eq!(
            TransformId::new(TransformType::Encr, 20).to_string(),
            "ENCR_AES_GCM_16"
        );
    }

    #[test]
    fn aead_classification() {
        assert!(EncrId::AesGcm16.is_aead());
        assert!(EncrId::Chacha20Poly1305.is_aead());
        assert!(!EncrId::AesCbc.is_aead());
        assert!(!EncrId::Unknown(1000).is_aead());
    }
}
