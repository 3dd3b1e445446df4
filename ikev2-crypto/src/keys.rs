//! The IKEv2 key schedule (RFC 7296 2.13-2.18, RFC 9370).
//!
//! Providers supply primitives; everything here is generic over
//! [`SupportedPrf`]:
//!
//! * [`prf_plus`]: `prf+` with its 255-block bound;
//! * [`skeyseed`] and [`IkeSaKeys::derive`]: SKEYSEED and the
//!   SK_d/ai/ar/ei/er/pi/pr split for the negotiated transforms;
//! * [`skeyseed_from_sk_d`]: the rekeyed SKEYSEED (2.18) and the RFC 9370
//!   update after each additional key exchange;
//! * [`ChildSaKeys::derive`]: Child SA KEYMAT with or without PFS;
//! * [`auth_octets`]: the signed octets of AUTH for either role;
//! * [`psk`]: PSK AUTH values (`prf(prf(secret, "Key Pad for IKEv2"), octets)`).
//!   The authentication module reuses it;
//! * [`nat_detection_hash`]: NAT_DETECTION_*_IP data.

use crate::{CryptoError, SecretBytes, SupportedEncr, SupportedInteg, SupportedPrf};
use core::net::SocketAddr;
use sha1::{Digest, Sha1};

/// prf+ (RFC 7296 2.13): `T1 | T2 | ...` with `Tn = prf(K, Tn-1 | S | n)`,
/// truncated to `len` octets. At most 255 blocks can be produced.
pub fn prf_plus(
    prf: &dyn SupportedPrf,
    key: &[u8],
    seed: &[&[u8]],
    len: usize,
) -> Result<SecretBytes, CryptoError> {
    let block = prf.output_len();
    let max = block.saturating_mul(255);
    if len > max || block == 0 {
        return Err(CryptoError::PrfPlusTooLong {
            requested: len,
            max,
        });
    }
    let mut out = SecretBytes::zeroed(len);
    let mut t = SecretBytes::zeroed(block);
    let mut have = 0usize;
    let mut n: u8 = 1;
    while have < len {
        let prev: &[u8] = if n == 1 { &[] } else { t.as_bytes() };
        let mut parts: Vec<&[u8]> = Vec::with_capacity(seed.len() + 2);
        parts.push(prev);
        parts.extend_from_slice(seed);
        let counter = [n];
        parts.push(&counter);
        let mut next = SecretBytes::zeroed(block);
        prf.compute(key, &parts, next.as_mut())?;
        t = next;
        let take = block.min(len - have);
        let dst = out
            .as_mut()
            .get_mut(have..have + take)
            .ok_or(CryptoError::PrfPlusTooLong {
                requested: len,
                max,
            })?;
        dst.copy_from_slice(t.as_bytes().get(..take).unwrap_or_default());
        have += take;
        n = n.wrapping_add(1);
    }
    Ok(out)
}

/// `SKEYSEED = prf(Ni | Nr, g^ir)` (RFC 7296 2.14).
///
/// `shared` is the concatenation of the key-exchange results, normally just
/// the one from IKE_SA_INIT; each part is given separately to avoid a copy.
/// For a fixed-key-length PRF (AES-XCBC, AES-CMAC) the key is the first
/// half of that length from each nonce: `Ni[0..8] | Nr[0..8]` for 16 octets.
pub fn skeyseed(prf: &dyn SupportedPrf, ni: &[u8], nr: &[u8], shared: &[&[u8]]) -> SecretBytes {
    let mut key = match prf.fixed_key_len() {
        Some(len) => {
            let half = len / 2;
            let mut k = SecretBytes::from_slice(ni.get(..half).unwrap_or(ni));
            k.extend_from_slice(nr.get(..half).unwrap_or(nr));
            k
        }
        None => SecretBytes::from_slice(ni),
    };
    if prf.fixed_key_len().is_none() {
        key.extend_from_slice(nr);
    }
    prf.prf(key.as_bytes(), shared)
}

/// `SKEYSEED = prf(SK_d, SK(0) | ... | SK(n) | Ni | Nr)`.
///
/// * Rekeying an IKE SA (RFC 7296 2.18): `sk_d` is the old SA's SK_d,
///   `shared` the new g^ir (followed by the results of any additional key
///   exchanges, RFC 9370 2.2.2), `ni`/`nr` the new nonces.
/// * After an additional key exchange in IKE_INTERMEDIATE or
///   IKE_FOLLOWUP_KE (RFC 9370 2.2.1): `sk_d` is the current SK_d and
///   `shared` that exchange's secret; derive the SA keys again from the
///   result with the unchanged SPIs.
pub fn skeyseed_from_sk_d(
    prf: &dyn SupportedPrf,
    sk_d: &[u8],
    shared: &[&[u8]],
    ni: &[u8],
    nr: &[u8],
) -> SecretBytes {
    let mut parts: Vec<&[u8]> = shared.to_vec();
    parts.push(ni);
    parts.push(nr);
    prf.prf(sk_d, &parts)
}

/// The seven keys of an IKE SA (RFC 7296 2.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IkeSaKeys {
    /// SK_d: derives Child SA and rekeyed IKE SA keys.
    pub sk_d: SecretBytes,
    /// SK_ai: integrity, initiator to responder (empty with an AEAD).
    pub sk_ai: SecretBytes,
    /// SK_ar: integrity, responder to initiator (empty with an AEAD).
    pub sk_ar: SecretBytes,
    /// SK_ei: encryption (plus salt for AEADs), initiator to responder.
    pub sk_ei: SecretBytes,
    /// SK_er: encryption, responder to initiator.
    pub sk_er: SecretBytes,
    /// SK_pi: MACs the initiator's ID in AUTH.
    pub sk_pi: SecretBytes,
    /// SK_pr: MACs the responder's ID in AUTH.
    pub sk_pr: SecretBytes,
}

/// Split `keymat` into consecutive pieces of the given lengths.
fn split<const N: usize>(
    keymat: &SecretBytes,
    lens: [usize; N],
) -> Result<[SecretBytes; N], CryptoError> {
    let mut at = 0usize;
    let mut out: [SecretBytes; N] = core::array::from_fn(|_| SecretBytes::default());
    for (slot, len) in out.iter_mut().zip(lens) {
        let end = at
            .checked_add(len)
            .ok_or(CryptoError::Malformed("key length overflow"))?;
        let piece = keymat
            .as_bytes()
            .get(at..end)
            .ok_or(CryptoError::Malformed("keying material too short"))?;
        *slot = SecretBytes::from_slice(piece);
        at = end;
    }
    Ok(out)
}

impl IkeSaKeys {
    /// `{SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
    /// prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)`, sized for the negotiated
    /// PRF, encryption and (for non-AEAD ciphers) integrity transforms.
    #[allow(clippy::too_many_arguments)]
    pub fn derive(
        prf: &dyn SupportedPrf,
        encr: SupportedEncr,
        integ: Option<&dyn SupportedInteg>,
        skeyseed: &SecretBytes,
        ni: &[u8],
        nr: &[u8],
        spii: &[u8; 8],
        spir: &[u8; 8],
    ) -> Result<Self, CryptoError> {
        let p = prf.output_len();
        let a = match (encr, integ) {
            (SupportedEncr::Aead(_), _) => 0,
            (SupportedEncr::Cipher(_), Some(i)) => i.key_len(),
            (SupportedEncr::Cipher(_), None) => return Err(CryptoError::Unsupported),
        };
        let e = encr.keymat_len();
        let lens = [p, a, a, e, e, p, p];
        let total = lens.iter().sum();
        let keymat = prf_plus(prf, skeyseed.as_bytes(), &[ni, nr, spii, spir], total)?;
        let [sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr] = split(&keymat, lens)?;
        Ok(Self {
            sk_d,
            sk_ai,
            sk_ar,
            sk_ei,
            sk_er,
            sk_pi,
            sk_pr,
        })
    }
}

/// The keys of one Child SA (RFC 7296 2.17): for each direction an
/// encryption key (with salt/nonce where the transform has one) and an
/// integrity key (empty with an AEAD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildSaKeys {
    /// Encryption key, initiator to responder.
    pub encr_i: SecretBytes,
    /// Integrity key, initiator to responder.
    pub integ_i: SecretBytes,
    /// Encryption key, responder to initiator.
    pub encr_r: SecretBytes,
    /// Integrity key, responder to initiator.
    pub integ_r: SecretBytes,
}

impl ChildSaKeys {
    /// `KEYMAT = prf+(SK_d, [g^ir (new) | ...] Ni | Nr)`.
    ///
    /// `shared` is empty without PFS; with PFS it holds the new g^ir
    /// followed by the results of any additional key exchanges (RFC 9370).
    /// `encr_len`/`integ_len` are the transform's keying-material lengths
    /// ([`SupportedEncr::keymat_len`], [`SupportedInteg::key_len`]).
    pub fn derive(
        prf: &dyn SupportedPrf,
        sk_d: &[u8],
        shared: &[&[u8]],
        ni: &[u8],
        nr: &[u8],
        encr_len: usize,
        integ_len: usize,
    ) -> Result<Self, CryptoError> {
        let mut seed: Vec<&[u8]> = shared.to_vec();
        seed.push(ni);
        seed.push(nr);
        let lens = [encr_len, integ_len, encr_len, integ_len];
        let keymat = prf_plus(prf, sk_d, &seed, lens.iter().sum())?;
        let [encr_i, integ_i, encr_r, integ_r] = split(&keymat, lens)?;
        Ok(Self {
            encr_i,
            integ_i,
            encr_r,
            integ_r,
        })
    }
}

/// The octets an AUTH payload signs or MACs (RFC 7296 2.15):
/// `RealMessage | Nonce(peer) | prf(SK_p, RestOfIDPayload)`.
///
/// For the initiator: `real_message` is its IKE_SA_INIT request as sent,
/// `peer_nonce` is Nr, `sk_p` is SK_pi and `id_body` the body of IDi
/// (ID Type, three reserved octets, identification data: the ID payload
/// without its generic header). For the responder: its IKE_SA_INIT
/// response, Ni, SK_pr, IDr.
pub fn auth_octets(
    prf: &dyn SupportedPrf,
    real_message: &[u8],
    peer_nonce: &[u8],
    sk_p: &[u8],
    id_body: &[u8],
) -> Vec<u8> {
    let maced_id = prf.prf(sk_p, &[id_body]);
    let mut out = Vec::with_capacity(real_message.len() + peer_nonce.len() + maced_id.len());
    out.extend_from_slice(real_message);
    out.extend_from_slice(peer_nonce);
    out.extend_from_slice(maced_id.as_bytes());
    out
}

/// Pre-shared key AUTH (RFC 7296 2.15, auth method 2).
pub mod psk {
    use crate::{SecretBytes, SupportedPrf};
    use subtle::ConstantTimeEq;

    /// The key pad string of RFC 7296 2.15.
    pub const KEY_PAD: &[u8] = b"Key Pad for IKEv2";

    /// `AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)`.
    pub fn auth(prf: &dyn SupportedPrf, secret: &[u8], signed_octets: &[u8]) -> SecretBytes {
        let padded = prf.prf(secret, &[KEY_PAD]);
        prf.prf(padded.as_bytes(), &[signed_octets])
    }

    /// Check a received PSK AUTH value in constant time.
    pub fn verify(
        prf: &dyn SupportedPrf,
        secret: &[u8],
        signed_octets: &[u8],
        received: &[u8],
    ) -> bool {
        auth(prf, secret, signed_octets)
            .as_bytes()
            .ct_eq(received)
            .into()
    }
}

/// NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP data
/// (RFC 7296 2.23): `SHA-1(SPIi | SPIr | IP address | port)`.
///
/// In the IKE_SA_INIT request SPIr is all zero.
pub fn nat_detection_hash(spii: &[u8; 8], spir: &[u8; 8], addr: SocketAddr) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(spii);
    h.update(spir);
    match addr {
        SocketAddr::V4(a) => h.update(a.ip().octets()),
        SocketAddr::V6(a) => h.update(a.ip().octets()),
    }
    h.update(addr.port().to_be_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::rustcrypto::PROVIDER;
    use crate::{EncrId, IntegId, PrfId};

    #[test]
    fn nat_detection_hash_matches_sha1_of_the_fields() {
        let spii = [0x11; 8];
        let spir = [0u8; 8];
        let addr: SocketAddr = "192.0.2.7:500".parse().unwrap();
        let mut input = Vec::new();
        input.extend_from_slice(&spii);
        input.extend_from_slice(&spir);
        input.extend_from_slice(&[192, 0, 2, 7, 0x01, 0xf4]);
        let expected: [u8; 20] = Sha1::digest(&input).into();
        assert_eq!(nat_detection_hash(&spii, &spir, addr), expected);
        let other: SocketAddr = "192.0.2.7:4500".parse().unwrap();
        assert_ne!(nat_detection_hash(&spii, &spir, other), expected);
        let v6: SocketAddr = "[2001:db8::1]:500".parse().unwrap();
        assert_ne!(nat_detection_hash(&spii, &spir, v6), expected);
    }

    #[test]
    fn ike_sa_key_lengths_follow_the_transforms() {
        let prf = PROVIDER.prf(PrfId::HmacSha2_384).unwrap();
        let seed = SecretBytes::from_slice(&[9; 48]);
        let gcm = PROVIDER.encr(EncrId::AesGcm16, Some(256)).unwrap();
        let k = IkeSaKeys::derive(prf, gcm, None, &seed, b"ni", b"nr", &[1; 8], &[2; 8]).unwrap();
        assert_eq!(
            [
                k.sk_d.len(),
                k.sk_ai.len(),
                k.sk_ar.len(),
                k.sk_ei.len(),
                k.sk_er.len(),
                k.sk_pi.len(),
                k.sk_pr.len()
            ],
            [48, 0, 0, 36, 36, 48, 48]
        );
        let cbc = PROVIDER.encr(EncrId::AesCbc, Some(192)).unwrap();
        let integ = PROVIDER.integ(IntegId::HmacSha2_512_256);
        let k2 = IkeSaKeys::derive(prf, cbc, integ, &seed, b"ni", b"nr", &[1; 8], &[2; 8]).unwrap();
        assert_eq!([k2.sk_ai.len(), k2.sk_ei.len()], [64, 24]);
        // Same prf+ stream: SK_d is the same whatever follows it.
        assert_eq!(k.sk_d, k2.sk_d);
        assert!(IkeSaKeys::derive(prf, cbc, None, &seed, b"ni", b"nr", &[1; 8], &[2; 8]).is_err());
    }

    #[test]
    fn rfc9370_additional_secrets_change_the_keys() {
        let prf = PROVIDER.prf(PrfId::HmacSha2_256).unwrap();
        let base = skeyseed_from_sk_d(prf, &[1; 32], &[b"g^ir"], b"ni", b"nr");
        let with_mlkem = skeyseed_from_sk_d(prf, &[1; 32], &[b"g^ir", b"mlkem"], b"ni", b"nr");
        assert_ne!(base, with_mlkem);
        let a = ChildSaKeys::derive(prf, &[1; 32], &[], b"ni", b"nr", 36, 0).unwrap();
        let b = ChildSaKeys::derive(prf, &[1; 32], &[b"new g^ir"], b"ni", b"nr", 36, 0).unwrap();
        assert_ne!(a.encr_i, b.encr_i);
        assert!(a.integ_i.is_empty());
    }
}
