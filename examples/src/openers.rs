//! The decryption back ends of `ikev2-decode`: [`SkOpener`] over
//! `ikev2-crypto` and [`EspOpener`] over `esp::describe`.
//!
//! Both use [`DECODER_PROVIDER`], the RustCrypto provider with the legacy
//! and opt-in algorithms added (AUTH_HMAC_SHA1_96, ENCR_NULL): a decoder
//! reads what peers sent, whatever they negotiated.
//!
//! ```
//! use ikev2_examples::decode::{Body, Decoder};
//! use ikev2_examples::keys::Ikev2KeyTable;
//! use ikev2_examples::openers::Ikev2Opener;
//! use ikev2_examples::{DEFAULT_CAPTURE, DEFAULT_IKEV2_KEYS};
//!
//! let keys = Ikev2KeyTable::parse(DEFAULT_IKEV2_KEYS).unwrap();
//! let mut decoder = Decoder::new().with_opener(Box::new(Ikev2Opener::new(keys)));
//! let records = decoder.decode_capture(DEFAULT_CAPTURE).unwrap();
//! // Frame 3 is the first IKE_AUTH request: its SK payload opens to IDi first.
//! let Body::Ikev2(m) = &records[2].body else { panic!() };
//! let sk = m.payloads.last().unwrap();
//! assert_eq!(sk.icv.as_deref(), Some("ok"));
//! assert_eq!(sk.inner.as_ref().unwrap()[0].ty, "IDi");
//! ```

use esp::describe::{describe, Inner};
use esp::{Mode, SaParams};
use ikev2_crypto::provider::rustcrypto::{self, PROVIDER_WITH_LEGACY};
use ikev2_crypto::sk::{decrypt_sk, decrypt_skf, SkKeys, GENERIC_HEADER_LEN, PAYLOAD_SKF};
use ikev2_crypto::{CryptoError, CryptoProvider, SupportedEncr};
use ikev2_wire::{EncrId, IntegId};

use crate::decode::{EspInner, EspOpener, Opened, SealedPayload, SkOpener};
use crate::keys::{EspAuthAlg, EspSaKeys, Ikev2KeyTable, Ikev2SaKeys};

static DECODER_ENCR: [SupportedEncr; 10] = [
    SupportedEncr::Aead(&rustcrypto::AES256_GCM16),
    SupportedEncr::Aead(&rustcrypto::AES128_GCM16),
    SupportedEncr::Aead(&rustcrypto::CHACHA20_POLY1305),
    SupportedEncr::Cipher(&rustcrypto::AES256_CBC),
    SupportedEncr::Cipher(&rustcrypto::AES192_CBC),
    SupportedEncr::Cipher(&rustcrypto::AES128_CBC),
    SupportedEncr::Cipher(&rustcrypto::AES256_CTR),
    SupportedEncr::Cipher(&rustcrypto::AES192_CTR),
    SupportedEncr::Cipher(&rustcrypto::AES128_CTR),
    SupportedEncr::Cipher(&rustcrypto::ENCR_NULL),
];

/// The provider the decoder opens packets with: every algorithm of
/// `ikev2-crypto`'s RustCrypto provider, legacy ones (HMAC-SHA1-96) and
/// ENCR_NULL included.
pub static DECODER_PROVIDER: CryptoProvider = CryptoProvider {
    encr: &DECODER_ENCR,
    ..PROVIDER_WITH_LEGACY
};

/// [`SkOpener`] over `ikev2-crypto`: looks the IKE SA up in an
/// `ikev2_decryption_table` and decrypts SK (RFC 7296 3.14, RFC 5282) and
/// SKF (RFC 7383) payloads.
///
/// When the ICV of a non-AEAD message does not verify, the payload is
/// still decrypted and returned as [`Opened::Unauthenticated`], as Wireshark
/// does, so a wrong SK_a (or a peer's integrity bug) can be told apart from
/// a wrong SK_e.
#[derive(Debug)]
pub struct Ikev2Opener {
    table: Ikev2KeyTable,
    provider: &'static CryptoProvider,
}

impl Ikev2Opener {
    /// An opener over these keys, with [`DECODER_PROVIDER`].
    #[must_use]
    pub fn new(table: Ikev2KeyTable) -> Self {
        Self::with_provider(table, &DECODER_PROVIDER)
    }

    /// An opener over these keys, with another provider.
    #[must_use]
    pub fn with_provider(table: Ikev2KeyTable, provider: &'static CryptoProvider) -> Self {
        Self { table, provider }
    }

    fn open_with(&self, sa: &Ikev2SaKeys, sealed: &SealedPayload<'_>) -> Opened {
        let (sk_e, sk_a) = if sealed.from_initiator {
            (&sa.sk_ei, &sa.sk_ai)
        } else {
            (&sa.sk_er, &sa.sk_ar)
        };
        let Some(alg) = sa.encr else {
            return Opened::Failed(format!("unsupported encryption '{}'", sa.encr_name));
        };
        let Some(encr) = self.provider.encr(alg.id, alg.key_bits) else {
            return Opened::Failed(format!("unsupported encryption '{}'", sa.encr_name));
        };
        let integ = match (encr, sa.integ) {
            (SupportedEncr::Aead(_), _) => None,
            (_, Some(id)) if id != IntegId::None => match self.provider.integ(id) {
                Some(i) => Some(i),
                None => {
                    return Opened::Failed(format!("unsupported integrity '{}'", sa.integ_name))
                }
            },
            _ => return Opened::Failed(format!("unsupported integrity '{}'", sa.integ_name)),
        };
        let keys = match SkKeys::new(encr, integ, sk_e.expose(), sk_a.expose()) {
            Ok(k) => k,
            Err(e) => return Opened::Failed(format!("keys do not fit '{}': {e}", sa.encr_name)),
        };
        let skf = outer_type(sealed) == Some(PAYLOAD_SKF);
        let opened = if skf {
            decrypt_skf(sealed.message, &keys).map(|f| f.data)
        } else {
            decrypt_sk(sealed.message, &keys).map(|(_, inner)| inner)
        };
        match opened {
            Ok(plain) => Opened::Plaintext(plain),
            Err(CryptoError::IntegrityCheckFailed) => match encr {
                SupportedEncr::Cipher(c) => {
                    match decrypt_unverified(c, sk_e.expose(), sealed, skf, integ) {
                        Some(plain) => Opened::Unauthenticated(plain),
                        None => Opened::IntegrityFailure,
                    }
                }
                _ => Opened::IntegrityFailure,
            },
            Err(e) => Opened::Failed(e.to_string()),
        }
    }
}

/// The payload type of the payload at `payload_offset`: the Next Payload
/// field of whatever precedes it (the IKE header or the previous payload).
fn outer_type(sealed: &SealedPayload<'_>) -> Option<u8> {
    let msg = sealed.message;
    let mut next = *msg.get(16)?;
    let mut at = ikev2_crypto::sk::IKE_HEADER_LEN;
    while at < sealed.payload_offset {
        next = *msg.get(at)?;
        let len = usize::from(u16::from_be_bytes([*msg.get(at + 2)?, *msg.get(at + 3)?]));
        at = at.checked_add(len.max(GENERIC_HEADER_LEN))?;
    }
    (at == sealed.payload_offset).then_some(next)
}

/// Decrypts a non-AEAD SK/SKF payload whose ICV did not verify, for display.
fn decrypt_unverified(
    cipher: &dyn ikev2_crypto::SupportedCipher,
    sk_e: &[u8],
    sealed: &SealedPayload<'_>,
    skf: bool,
    integ: Option<&dyn ikev2_crypto::SupportedInteg>,
) -> Option<Vec<u8>> {
    let msg = sealed.message;
    let start = sealed.payload_offset;
    let len = usize::from(u16::from_be_bytes([
        *msg.get(start + 2)?,
        *msg.get(start + 3)?,
    ]));
    let end = start.checked_add(len)?;
    let iv_start = start + GENERIC_HEADER_LEN + if skf { 4 } else { 0 };
    let ct_start = iv_start.checked_add(cipher.iv_len())?;
    let ct_end = end.checked_sub(integ?.icv_len())?;
    let iv = msg.get(iv_start..ct_start)?;
    let mut buf = msg.get(ct_start..ct_end)?.to_vec();
    let block = cipher.block_len().max(1);
    if buf.is_empty() || buf.len() % block != 0 {
        return None;
    }
    cipher
        .new_key(sk_e)
        .ok()?
        .decrypt_in_place(iv, &mut buf)
        .ok()?;
    let pad = usize::from(*buf.last()?);
    let keep = buf.len().checked_sub(pad + 1)?;
    buf.truncate(keep);
    Some(buf)
}

impl SkOpener for Ikev2Opener {
    fn open(&self, sealed: &SealedPayload<'_>) -> Opened {
        match self.table.find(&sealed.spi_i, &sealed.spi_r) {
            Some(sa) => self.open_with(sa, sealed),
            None => Opened::NoKeys,
        }
    }
}

/// [`EspOpener`] over `esp::describe`: builds a throw-away inbound SA from an
/// `esp_sa` entry (no replay window, no ESN, any mode) and reports the inner
/// packet.
#[derive(Debug)]
pub struct EspDescriber {
    provider: &'static CryptoProvider,
}

impl Default for EspDescriber {
    fn default() -> Self {
        Self::new()
    }
}

impl EspDescriber {
    /// An opener with [`DECODER_PROVIDER`].
    #[must_use]
    pub fn new() -> Self {
        Self {
            provider: &DECODER_PROVIDER,
        }
    }

    /// An opener with another provider.
    #[must_use]
    pub fn with_provider(provider: &'static CryptoProvider) -> Self {
        Self { provider }
    }
}

/// Key Length in bits of an `esp_sa` encryption key (salt or nonce removed).
fn esp_key_bits(id: EncrId, key_len: usize) -> Option<u16> {
    let bytes = match id {
        EncrId::Null | EncrId::Chacha20Poly1305 => return None,
        EncrId::AesGcm8 | EncrId::AesGcm12 | EncrId::AesGcm16 | EncrId::AesCtr => {
            key_len.checked_sub(4)?
        }
        _ => key_len,
    };
    u16::try_from(bytes.checked_mul(8)?).ok()
}

impl EspOpener for EspDescriber {
    fn open(&self, sa: &EspSaKeys, packet: &[u8]) -> Result<EspInner, String> {
        let encr = sa
            .encr
            .ok_or_else(|| format!("unsupported encryption '{}'", sa.encr_name))?;
        let integ = match sa.auth {
            Some(EspAuthAlg::Integ(i)) => i,
            Some(EspAuthAlg::AnyUnchecked { .. }) | None => {
                return Err(format!("unsupported authentication '{}'", sa.auth_name))
            }
        };
        let spi = packet
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or("ESP packet shorter than its SPI")?;
        let params = SaParams {
            spi,
            encr: encr.id,
            encr_key_bits: esp_key_bits(encr.id, sa.encr_key.len()),
            encr_key: sa.encr_key.expose(),
            integ,
            integ_key: sa.auth_key.expose(),
            mode: Mode::Tunnel,
            esn: false,
            replay_window: 0,
            lifetime: esp::Lifetime::default(),
            allow_null_encryption: true,
            allow_no_integrity: true,
        };
        let d = describe(self.provider, packet, &params);
        match d.inner {
            Ok(Inner::Ip {
                protocol,
                src,
                dst,
                len,
            }) => Ok(EspInner {
                next_header: if src.is_ipv4() { 4 } else { 41 },
                protocol,
                src: Some(src.to_string()),
                dst: Some(dst.to_string()),
                len,
            }),
            Ok(Inner::Upper { protocol, len }) => Ok(EspInner {
                next_header: protocol,
                protocol,
                src: None,
                dst: None,
                len,
            }),
            Ok(Inner::Dummy) => Ok(EspInner {
                next_header: 59,
                protocol: 59,
                src: None,
                dst: None,
                len: 0,
            }),
            Ok(_) => Err("inner packet of an unknown kind".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }
}
