//! The default provider, on the RustCrypto crates (pure Rust).
//!
//! Legacy algorithms (PRF_HMAC_SHA1, AUTH_HMAC_SHA1_96, MODP-1024) are
//! exported as parts but are not in [`PROVIDER`]; ENCR_NULL ([`ENCR_NULL`])
//! likewise needs an explicit opt-in.

mod aead;
mod aesmac;
mod cipher;
mod ke;
mod mac;
mod modp;
mod verify;

pub use aead::RustCryptoAead;
pub use aesmac::{AuthAesCmac96, AuthAesXcbc96, PrfAesCmac, PrfAesXcbc};
pub use cipher::{AesCbc, AesCtr, EncrNull};
pub use ke::{Ecp256, Ecp384, Ecp521, MlKem, X25519 as X25519Group, X448 as X448Group};
pub use mac::{
    HmacSha1_96, HmacSha256_128, HmacSha384_192, HmacSha512_256, PrfHmacSha1, PrfHmacSha256,
    PrfHmacSha384, PrfHmacSha512,
};
pub use modp::{Modp, MODP1024, MODP2048, MODP3072, MODP4096, MODP6144, MODP8192};
pub use verify::RustCryptoVerifier;

use crate::random::OsRandom;
use crate::{CryptoProvider, EncrId, KeId, SupportedEncr};
use core::marker::PhantomData;

/// ENCR_AES_GCM_16 with a 128-bit key.
pub static AES128_GCM16: RustCryptoAead<aes_gcm::Aes128Gcm> = RustCryptoAead {
    id: EncrId::AesGcm16,
    key_bits: Some(128),
    _c: PhantomData,
};
/// ENCR_AES_GCM_16 with a 192-bit key (RustCrypto only: aws-lc-rs has no
/// AES-192-GCM).
pub static AES192_GCM16: RustCryptoAead<aes_gcm::AesGcm<aes::Aes192, aes_gcm::aead::consts::U12>> =
    RustCryptoAead {
        id: EncrId::AesGcm16,
        key_bits: Some(192),
        _c: PhantomData,
    };
/// ENCR_AES_GCM_16 with a 256-bit key.
pub static AES256_GCM16: RustCryptoAead<aes_gcm::Aes256Gcm> = RustCryptoAead {
    id: EncrId::AesGcm16,
    key_bits: Some(256),
    _c: PhantomData,
};
/// ENCR_CHACHA20_POLY1305 (RFC 7634).
pub static CHACHA20_POLY1305: RustCryptoAead<chacha20poly1305::ChaCha20Poly1305> = RustCryptoAead {
    id: EncrId::Chacha20Poly1305,
    key_bits: None,
    _c: PhantomData,
};
/// ENCR_AES_CBC, 128-bit key.
pub static AES128_CBC: AesCbc<aes::Aes128> = AesCbc {
    key_bits: 128,
    _c: PhantomData,
};
/// ENCR_AES_CBC, 192-bit key.
pub static AES192_CBC: AesCbc<aes::Aes192> = AesCbc {
    key_bits: 192,
    _c: PhantomData,
};
/// ENCR_AES_CBC, 256-bit key.
pub static AES256_CBC: AesCbc<aes::Aes256> = AesCbc {
    key_bits: 256,
    _c: PhantomData,
};
/// ENCR_AES_CTR, 128-bit key.
pub static AES128_CTR: AesCtr<aes::Aes128> = AesCtr {
    key_bits: 128,
    _c: PhantomData,
};
/// ENCR_AES_CTR, 192-bit key.
pub static AES192_CTR: AesCtr<aes::Aes192> = AesCtr {
    key_bits: 192,
    _c: PhantomData,
};
/// ENCR_AES_CTR, 256-bit key.
pub static AES256_CTR: AesCtr<aes::Aes256> = AesCtr {
    key_bits: 256,
    _c: PhantomData,
};
/// ENCR_NULL: ESP only, opt-in (list it in your own provider's `encr`).
pub static ENCR_NULL: EncrNull = EncrNull;

/// PRF_HMAC_SHA1 (legacy, not in [`PROVIDER`]).
pub static PRF_HMAC_SHA1: PrfHmacSha1 = PrfHmacSha1;
/// PRF_HMAC_SHA2_256.
pub static PRF_HMAC_SHA2_256: PrfHmacSha256 = PrfHmacSha256;
/// PRF_HMAC_SHA2_384.
pub static PRF_HMAC_SHA2_384: PrfHmacSha384 = PrfHmacSha384;
/// PRF_HMAC_SHA2_512.
pub static PRF_HMAC_SHA2_512: PrfHmacSha512 = PrfHmacSha512;

/// PRF_AES128_XCBC (RFC 4434).
pub static PRF_AES128_XCBC: PrfAesXcbc = PrfAesXcbc;
/// PRF_AES128_CMAC (RFC 4615).
pub static PRF_AES128_CMAC: PrfAesCmac = PrfAesCmac;
/// AUTH_AES_XCBC_96 (RFC 3566).
pub static AUTH_AES_XCBC_96: AuthAesXcbc96 = AuthAesXcbc96;
/// AUTH_AES_CMAC_96 (RFC 4494).
pub static AUTH_AES_CMAC_96: AuthAesCmac96 = AuthAesCmac96;

/// AUTH_HMAC_SHA1_96 (legacy, not in [`PROVIDER`]).
pub static AUTH_HMAC_SHA1_96: HmacSha1_96 = HmacSha1_96;
/// AUTH_HMAC_SHA2_256_128.
pub static AUTH_HMAC_SHA2_256_128: HmacSha256_128 = HmacSha256_128;
/// AUTH_HMAC_SHA2_384_192.
pub static AUTH_HMAC_SHA2_384_192: HmacSha384_192 = HmacSha384_192;
/// AUTH_HMAC_SHA2_512_256.
pub static AUTH_HMAC_SHA2_512_256: HmacSha512_256 = HmacSha512_256;

/// ECP group 19.
pub static ECP256: Ecp256 = Ecp256;
/// ECP group 20.
pub static ECP384: Ecp384 = Ecp384;
/// ECP group 21.
pub static ECP521: Ecp521 = Ecp521;
/// Curve25519 (31).
pub static X25519: X25519Group = X25519Group;
/// Curve448 (32).
pub static X448: X448Group = X448Group;
/// ML-KEM-768 (36), for RFC 9370 additional key exchanges.
pub static MLKEM768: MlKem<ml_kem::MlKem768> = MlKem {
    id: KeId::MlKem768,
    _k: PhantomData,
};
/// ML-KEM-1024 (37).
pub static MLKEM1024: MlKem<ml_kem::MlKem1024> = MlKem {
    id: KeId::MlKem1024,
    _k: PhantomData,
};

/// Signature verification.
pub static VERIFIER: RustCryptoVerifier = RustCryptoVerifier;
/// The operating system random source.
pub static OS_RANDOM: OsRandom = OsRandom;

/// Every non-legacy encryption transform, AEADs first.
pub static ENCR: [SupportedEncr; 10] = [
    SupportedEncr::Aead(&AES256_GCM16),
    SupportedEncr::Aead(&AES192_GCM16),
    SupportedEncr::Aead(&AES128_GCM16),
    SupportedEncr::Aead(&CHACHA20_POLY1305),
    SupportedEncr::Cipher(&AES256_CBC),
    SupportedEncr::Cipher(&AES192_CBC),
    SupportedEncr::Cipher(&AES128_CBC),
    SupportedEncr::Cipher(&AES256_CTR),
    SupportedEncr::Cipher(&AES192_CTR),
    SupportedEncr::Cipher(&AES128_CTR),
];

/// The default provider: modern algorithms only, OS randomness.
pub static PROVIDER: CryptoProvider = CryptoProvider {
    encr: &ENCR,
    prf: &[&PRF_HMAC_SHA2_256, &PRF_HMAC_SHA2_384, &PRF_HMAC_SHA2_512],
    integ: &[
        &AUTH_HMAC_SHA2_256_128,
        &AUTH_HMAC_SHA2_384_192,
        &AUTH_HMAC_SHA2_512_256,
    ],
    ke: &[
        &X25519, &ECP256, &ECP384, &ECP521, &X448, &MODP2048, &MODP3072, &MODP4096, &MODP6144,
        &MODP8192, &MLKEM768, &MLKEM1024,
    ],
    verify: &VERIFIER,
    secure_random: &OS_RANDOM,
};

/// [`PROVIDER`] plus the legacy algorithms (PRF_HMAC_SHA1, AUTH_HMAC_SHA1_96,
/// MODP-1024) for interoperability with old peers, and the AES-XCBC/AES-CMAC
/// PRF and integrity transforms. Opt-in only.
pub static PROVIDER_WITH_LEGACY: CryptoProvider = CryptoProvider {
    prf: &[
        &PRF_HMAC_SHA2_256,
        &PRF_HMAC_SHA2_384,
        &PRF_HMAC_SHA2_512,
        &PRF_HMAC_SHA1,
        &PRF_AES128_XCBC,
        &PRF_AES128_CMAC,
    ],
    integ: &[
        &AUTH_HMAC_SHA2_256_128,
        &AUTH_HMAC_SHA2_384_192,
        &AUTH_HMAC_SHA2_512_256,
        &AUTH_HMAC_SHA1_96,
        &AUTH_AES_XCBC_96,
        &AUTH_AES_CMAC_96,
    ],
    ke: &[
        &X25519, &ECP256, &ECP384, &ECP521, &X448, &MODP2048, &MODP3072, &MODP4096, &MODP6144,
        &MODP8192, &MLKEM768, &MLKEM1024, &MODP1024,
    ],
    ..PROVIDER
};
