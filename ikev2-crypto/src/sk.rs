//! Protection of the Encrypted and Authenticated payload (SK, RFC 7296
//! 3.14; AEAD per RFC 5282) and of its fragments (SKF, RFC 7383).
//!
//! These functions work on the bytes of a whole message, IKE header
//! included, so that both the state machine and a decoder can call them.
//!
//! Layout of a protected message:
//!
//! ```text
//! IKE header (28) | [payloads] | generic header (4) | [Fragment Number (2) | Total Fragments (2)]
//!                 | IV | encrypt(inner payloads | padding | Pad Length) | ICV
//! ```
//!
//! * AEAD: the AAD is every octet from the IKE header up to the IV; the
//!   nonce is salt (from SK_e) | IV.
//! * Cipher + integrity: the ICV covers every octet from the IKE header to
//!   the end of the ciphertext and is checked, in constant time, before
//!   anything is decrypted.
//!
//! Example: protect and unprotect an INFORMATIONAL with AES-CBC-256 and
//! HMAC-SHA2-256-128.
//!
//! ```
//! use ikev2_crypto::provider::rustcrypto::PROVIDER;
//! use ikev2_crypto::sk::{decrypt_sk, encrypt_sk, SkKeys};
//! use ikev2_crypto::{EncrId, IntegId};
//!
//! let encr = PROVIDER.encr(EncrId::AesCbc, Some(256)).unwrap();
//! let integ = PROVIDER.integ(IntegId::HmacSha2_256_128);
//! let keys = SkKeys::new(encr, integ, &[7; 32], &[9; 32]).unwrap();
//! let mut header = [0u8; 28];
//! header[17] = 0x20; // version 2.0
//! header[18] = 37; // INFORMATIONAL
//! let msg = encrypt_sk(&keys, PROVIDER.secure_random, &header, 0, &[]).unwrap();
//! let (first, inner) = decrypt_sk(&msg, &keys).unwrap();
//! assert_eq!((first, inner.len()), (0, 0));
//! ```

use crate::{
    AeadKey, CipherKey, CryptoError, IntegKey, SecureRandom, SupportedEncr, SupportedInteg,
};
use core::fmt;

/// Length of the IKE header.
pub const IKE_HEADER_LEN: usize = 28;
/// Length of a generic payload header.
pub const GENERIC_HEADER_LEN: usize = 4;
/// Payload type of SK.
pub const PAYLOAD_SK: u8 = 46;
/// Payload type of SKF.
pub const PAYLOAD_SKF: u8 = 53;

enum Engine {
    Aead {
        key: Box<dyn AeadKey>,
        iv_len: usize,
        icv_len: usize,
    },
    Cipher {
        key: Box<dyn CipherKey>,
        iv_len: usize,
        block_len: usize,
        integ: Box<dyn IntegKey>,
        icv_len: usize,
    },
}

/// The keys protecting one direction of an IKE SA (SK_ei + SK_ai, or
/// SK_er + SK_ar), expanded once.
pub struct SkKeys {
    engine: Engine,
}

impl fmt::Debug for SkKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.engine {
            Engine::Aead { .. } => "aead",
            Engine::Cipher { .. } => "cipher+integ",
        };
        f.debug_struct("SkKeys")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

impl SkKeys {
    /// Expand `sk_e` (and `sk_a` for a non-AEAD cipher) for the negotiated
    /// transforms. `integ` must be `None` with an AEAD.
    pub fn new(
        encr: SupportedEncr,
        integ: Option<&dyn SupportedInteg>,
        sk_e: &[u8],
        sk_a: &[u8],
    ) -> Result<Self, CryptoError> {
        let engine = match (encr, integ) {
            (SupportedEncr::Aead(a), None) => Engine::Aead {
                key: a.new_key(sk_e)?,
                iv_len: a.iv_len(),
                icv_len: a.icv_len(),
            },
            (SupportedEncr::Cipher(c), Some(i)) if c.id() != crate::EncrId::Null => {
                Engine::Cipher {
                    key: c.new_key(sk_e)?,
                    iv_len: c.iv_len(),
                    block_len: c.block_len().max(1),
                    integ: i.new_key(sk_a)?,
                    icv_len: i.icv_len(),
                }
            }
            _ => return Err(CryptoError::Unsupported),
        };
        Ok(Self { engine })
    }

    fn iv_len(&self) -> usize {
        match &self.engine {
            Engine::Aead { iv_len, .. } | Engine::Cipher { iv_len, .. } => *iv_len,
        }
    }

    fn icv_len(&self) -> usize {
        match &self.engine {
            Engine::Aead { icv_len, .. } | Engine::Cipher { icv_len, .. } => *icv_len,
        }
    }

    fn block_len(&self) -> usize {
        match &self.engine {
            Engine::Aead { .. } => 1,
            Engine::Cipher { block_len, .. } => *block_len,
        }
    }

    /// Octets SK adds around `inner_len` octets of inner payloads (generic
    /// header, IV, padding, Pad Length, ICV): lets the caller size fragments.
    pub fn overhead(&self, inner_len: usize) -> usize {
        let b = self.block_len();
        let padded = (inner_len + 1).div_ceil(b) * b;
        GENERIC_HEADER_LEN + self.iv_len() + (padded - inner_len) + self.icv_len()
    }
}

fn be16(b: &[u8], at: usize) -> Result<usize, CryptoError> {
    match b.get(at..at + 2) {
        Some([h, l]) => Ok(usize::from(u16::from_be_bytes([*h, *l]))),
        _ => Err(CryptoError::Malformed("truncated")),
    }
}

fn byte(b: &[u8], at: usize) -> Result<u8, CryptoError> {
    b.get(at)
        .copied()
        .ok_or(CryptoError::Malformed("truncated"))
}

/// Where the SK or SKF payload sits in a message.
struct Located {
    /// Payload type (46 or 53).
    ty: u8,
    /// Offset of its generic header.
    start: usize,
    /// One past its last octet.
    end: usize,
}

/// Walk the payload chain to the SK/SKF payload, which must be last.
fn locate(msg: &[u8]) -> Result<Located, CryptoError> {
    if msg.len() < IKE_HEADER_LEN {
        return Err(CryptoError::Malformed("shorter than the IKE header"));
    }
    let total = msg
        .get(24..28)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
        .ok_or(CryptoError::Malformed("truncated"))?;
    if usize::try_from(total).ok() != Some(msg.len()) {
        return Err(CryptoError::Malformed(
            "IKE header length differs from the message length",
        ));
    }
    let mut next = byte(msg, 16)?;
    let mut at = IKE_HEADER_LEN;
    loop {
        let len = be16(msg, at + 2)?;
        if len < GENERIC_HEADER_LEN {
            return Err(CryptoError::Malformed("payload length below 4"));
        }
        let end = at
            .checked_add(len)
            .filter(|e| *e <= msg.len())
            .ok_or(CryptoError::Malformed("payload overruns the message"))?;
        if next == PAYLOAD_SK || next == PAYLOAD_SKF {
            if end != msg.len() {
                return Err(CryptoError::Malformed("SK is not the last payload"));
            }
            return Ok(Located {
                ty: next,
                start: at,
                end,
            });
        }
        if next == 0 || end == msg.len() {
            return Err(CryptoError::Malformed("no SK payload"));
        }
        next = byte(msg, at)?;
        at = end;
    }
}

/// Decrypt the body of an SK/SKF payload; `body_start` is where the IV begins.
fn open(keys: &SkKeys, msg: &[u8], body_start: usize, end: usize) -> Result<Vec<u8>, CryptoError> {
    let iv_len = keys.iv_len();
    let icv_len = keys.icv_len();
    let ct_start = body_start + iv_len;
    let ct_end =
        end.checked_sub(icv_len)
            .filter(|e| *e >= ct_start)
            .ok_or(CryptoError::Malformed(
                "encrypted payload shorter than IV and ICV",
            ))?;
    let iv = msg
        .get(body_start..ct_start)
        .ok_or(CryptoError::Malformed("truncated"))?;
    let icv = msg
        .get(ct_end..end)
        .ok_or(CryptoError::Malformed("truncated"))?;
    let mut buf = msg
        .get(ct_start..ct_end)
        .ok_or(CryptoError::Malformed("truncated"))?
        .to_vec();
    match &keys.engine {
        Engine::Aead { key, .. } => {
            let aad = msg
                .get(..body_start)
                .ok_or(CryptoError::Malformed("truncated"))?;
            key.open_in_place(iv, aad, &mut buf, icv)?;
        }
        Engine::Cipher {
            key,
            integ,
            block_len,
            ..
        } => {
            let covered = msg
                .get(..ct_end)
                .ok_or(CryptoError::Malformed("truncated"))?;
            integ.verify(&[covered], icv)?;
            if buf.is_empty() || buf.len() % block_len != 0 {
                return Err(CryptoError::NotBlockAligned {
                    len: buf.len(),
                    block: *block_len,
                });
            }
            key.decrypt_in_place(iv, &mut buf)?;
        }
    }
    // Pad Length is the last octet; padding may hold any value.
    let pad_len = usize::from(*buf.last().ok_or(CryptoError::InvalidPadding)?);
    let inner_len = buf
        .len()
        .checked_sub(pad_len + 1)
        .ok_or(CryptoError::InvalidPadding)?;
    buf.truncate(inner_len);
    Ok(buf)
}

/// Decrypt an SK-protected message: returns the first inner payload type
/// (the SK generic header's Next Payload) and the inner payload chain.
///
/// The integrity check (or AEAD tag) is verified before any plaintext is
/// returned.
pub fn decrypt_sk(msg: &[u8], keys: &SkKeys) -> Result<(u8, Vec<u8>), CryptoError> {
    let loc = locate(msg)?;
    if loc.ty != PAYLOAD_SK {
        return Err(CryptoError::Malformed("not an SK payload"));
    }
    let first = byte(msg, loc.start)?;
    let inner = open(keys, msg, loc.start + GENERIC_HEADER_LEN, loc.end)?;
    Ok((first, inner))
}

/// One decrypted SKF fragment (RFC 7383 2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Fragment Number, from 1.
    pub number: u16,
    /// Total Fragments.
    pub total: u16,
    /// Next Payload of the generic header: the first inner payload type in
    /// fragment 1, zero in the others.
    pub first_inner: u8,
    /// The decrypted octets this fragment carries.
    pub data: Vec<u8>,
}

/// Decrypt one SKF-protected message (RFC 7383).
pub fn decrypt_skf(msg: &[u8], keys: &SkKeys) -> Result<Fragment, CryptoError> {
    let loc = locate(msg)?;
    if loc.ty != PAYLOAD_SKF {
        return Err(CryptoError::Malformed("not an SKF payload"));
    }
    let number = u16::try_from(be16(msg, loc.start + 4)?)
        .map_err(|_| CryptoError::Malformed("fragment number"))?;
    let total = u16::try_from(be16(msg, loc.start + 6)?)
        .map_err(|_| CryptoError::Malformed("total fragments"))?;
    if number == 0 || number > total {
        return Err(CryptoError::Malformed("fragment number out of range"));
    }
    let first_inner = byte(msg, loc.start)?;
    let data = open(keys, msg, loc.start + GENERIC_HEADER_LEN + 4, loc.end)?;
    Ok(Fragment {
        number,
        total,
        first_inner,
        data,
    })
}

/// Reassemble decrypted fragments (any order, duplicates rejected) into
/// `(first inner payload type, inner payload chain)`.
pub fn reassemble(fragments: &[Fragment]) -> Result<(u8, Vec<u8>), CryptoError> {
    let total = fragments
        .first()
        .map(|f| f.total)
        .ok_or(CryptoError::Malformed("no fragments"))?;
    if fragments.len() != usize::from(total) || fragments.iter().any(|f| f.total != total) {
        return Err(CryptoError::Malformed(
            "fragment set incomplete or inconsistent",
        ));
    }
    let mut out = Vec::new();
    let mut first = 0;
    for n in 1..=total {
        let mut it = fragments.iter().filter(|f| f.number == n);
        let f = it
            .next()
            .ok_or(CryptoError::Malformed("fragment missing"))?;
        if it.next().is_some() {
            return Err(CryptoError::Malformed("duplicate fragment"));
        }
        if n == 1 {
            first = f.first_inner;
        }
        out.extend_from_slice(&f.data);
    }
    Ok((first, out))
}

/// Append `generic header | [frag] | IV | ciphertext | ICV` for `inner` to
/// `out`, which already holds the IKE header; then fix up the lengths.
fn seal(
    keys: &SkKeys,
    rng: &dyn SecureRandom,
    out: &mut Vec<u8>,
    next: u8,
    frag: Option<(u16, u16)>,
    inner: &[u8],
) -> Result<(), CryptoError> {
    let b = keys.block_len();
    let padded = (inner.len() + 1).div_ceil(b) * b;
    let pad_len = padded - inner.len() - 1;
    let pad_octet = u8::try_from(pad_len).map_err(|_| CryptoError::InvalidPadding)?;
    let frag_len = if frag.is_some() { 4 } else { 0 };
    let payload_len = GENERIC_HEADER_LEN + frag_len + keys.iv_len() + padded + keys.icv_len();
    let payload_len16 =
        u16::try_from(payload_len).map_err(|_| CryptoError::Malformed("payload too long"))?;
    let start = out.len();
    out.extend_from_slice(&[next, 0]);
    out.extend_from_slice(&payload_len16.to_be_bytes());
    if let Some((n, t)) = frag {
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&t.to_be_bytes());
    }
    let body_start = out.len();
    let total = u32::try_from(body_start + keys.iv_len() + padded + keys.icv_len())
        .map_err(|_| CryptoError::Malformed("message too long"))?;
    // IKE header: Next Payload and Length.
    if let Some(np) = out.get_mut(16) {
        *np = if frag.is_some() {
            PAYLOAD_SKF
        } else {
            PAYLOAD_SK
        };
    }
    out.get_mut(24..28)
        .ok_or(CryptoError::Malformed("IKE header too short"))?
        .copy_from_slice(&total.to_be_bytes());
    let _ = start;
    let mut iv = vec![0u8; keys.iv_len()];
    rng.fill(&mut iv)?;
    out.extend_from_slice(&iv);
    let ct_start = out.len();
    out.extend_from_slice(inner);
    out.resize(ct_start + padded - 1, 0);
    out.push(pad_octet);
    let ct_end = out.len();
    out.resize(ct_end + keys.icv_len(), 0);
    let (head, icv) = out.split_at_mut(ct_end);
    match &keys.engine {
        Engine::Aead { key, .. } => {
            let (aad, ct) = head.split_at_mut(body_start);
            let ct = ct
                .get_mut(iv.len()..)
                .ok_or(CryptoError::Malformed("truncated"))?;
            key.seal_in_place(&iv, aad, ct, icv)?;
        }
        Engine::Cipher { key, integ, .. } => {
            let ct = head
                .get_mut(ct_start..)
                .ok_or(CryptoError::Malformed("truncated"))?;
            key.encrypt_in_place(&iv, ct)?;
            integ.sign(&[head], icv)?;
        }
    }
    Ok(())
}

fn check_header(header: &[u8]) -> Result<(), CryptoError> {
    if header.len() != IKE_HEADER_LEN {
        return Err(CryptoError::InvalidLength {
            what: "IKE header",
            expected: IKE_HEADER_LEN,
            got: header.len(),
        });
    }
    Ok(())
}

/// Build an SK-protected message: `header` is the 28-octet IKE header
/// (its Next Payload and Length fields are filled in here), `first_inner`
/// the type of the first inner payload and `inner` the inner payload
/// chain. A fresh IV is drawn from `rng`; padding is the minimum.
pub fn encrypt_sk(
    keys: &SkKeys,
    rng: &dyn SecureRandom,
    header: &[u8],
    first_inner: u8,
    inner: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_header(header)?;
    let mut out = Vec::with_capacity(IKE_HEADER_LEN + keys.overhead(inner.len()) + inner.len());
    out.extend_from_slice(header);
    seal(keys, rng, &mut out, first_inner, None, inner)?;
    Ok(out)
}

/// Split `inner` into SKF fragments (RFC 7383) so that no message exceeds
/// `max_message_len` octets (IKE header included), and protect each.
/// Each fragment message gets a copy of `header` (the caller's Message ID).
pub fn encrypt_skf(
    keys: &SkKeys,
    rng: &dyn SecureRandom,
    header: &[u8],
    first_inner: u8,
    inner: &[u8],
    max_message_len: usize,
) -> Result<Vec<Vec<u8>>, CryptoError> {
    check_header(header)?;
    // Largest chunk whose protected form fits.
    let fixed = IKE_HEADER_LEN + 4;
    let mut chunk = max_message_len.saturating_sub(fixed + keys.overhead(0));
    while chunk > 0 && fixed + chunk + keys.overhead(chunk) > max_message_len {
        chunk -= 1;
    }
    if chunk == 0 {
        return Err(CryptoError::BufferTooSmall {
            need: fixed + keys.overhead(1) + 1,
            have: max_message_len,
        });
    }
    let pieces: Vec<&[u8]> = if inner.is_empty() {
        vec![&[][..]]
    } else {
        inner.chunks(chunk).collect()
    };
    let total =
        u16::try_from(pieces.len()).map_err(|_| CryptoError::Malformed("too many fragments"))?;
    let mut out = Vec::with_capacity(pieces.len());
    for (i, piece) in (1u16..).zip(pieces) {
        let mut msg = Vec::with_capacity(max_message_len);
        msg.extend_from_slice(header);
        let next = if i == 1 { first_inner } else { 0 };
        seal(keys, rng, &mut msg, next, Some((i, total)), piece)?;
        out.push(msg);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::rustcrypto::PROVIDER;
    use crate::random::DeterministicRandom;
    use crate::{EncrId, IntegId};

    fn header() -> [u8; 28] {
        let mut h = [0u8; 28];
        h[..8].copy_from_slice(&[1; 8]);
        h[8..16].copy_from_slice(&[2; 8]);
        h[17] = 0x20;
        h[18] = 37;
        h
    }

    fn all_keys() -> Vec<SkKeys> {
        let cbc = PROVIDER.encr(EncrId::AesCbc, Some(128)).unwrap();
        let ctr = PROVIDER.encr(EncrId::AesCtr, Some(256)).unwrap();
        let gcm = PROVIDER.encr(EncrId::AesGcm16, Some(256)).unwrap();
        let chacha = PROVIDER.encr(EncrId::Chacha20Poly1305, None).unwrap();
        let integ = PROVIDER.integ(IntegId::HmacSha2_256_128);
        vec![
            SkKeys::new(cbc, integ, &[3; 16], &[4; 32]).unwrap(),
            SkKeys::new(ctr, integ, &[3; 36], &[4; 32]).unwrap(),
            SkKeys::new(gcm, None, &[5; 36], &[]).unwrap(),
            SkKeys::new(chacha, None, &[6; 36], &[]).unwrap(),
        ]
    }

    #[test]
    fn round_trip_every_length_and_tamper_every_octet() {
        let rng = DeterministicRandom::seed_from_u64(1);
        for keys in all_keys() {
            for len in [0usize, 1, 15, 16, 17, 100] {
                let inner: Vec<u8> = (0..len as u8).collect();
                let msg = encrypt_sk(&keys, &rng, &header(), 41, &inner).unwrap();
                assert_eq!(
                    msg.len(),
                    IKE_HEADER_LEN + keys.overhead(len) + len,
                    "{keys:?}"
                );
                assert_eq!(decrypt_sk(&msg, &keys).unwrap(), (41, inner.clone()));
                // Any flipped bit outside the length fields is caught.
                for i in (0..msg.len()).filter(|i| !(24..28).contains(i) && !(30..32).contains(i)) {
                    let mut bad = msg.clone();
                    bad[i] ^= 0x01;
                    assert!(
                        decrypt_sk(&bad, &keys).is_err(),
                        "{keys:?} len {len} octet {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn rejects_malformed_without_panicking() {
        let rng = DeterministicRandom::seed_from_u64(2);
        for keys in all_keys() {
            let msg = encrypt_sk(&keys, &rng, &header(), 41, b"hello").unwrap();
            for cut in 0..msg.len() {
                assert!(decrypt_sk(&msg[..cut], &keys).is_err());
            }
            let mut wrong_len = msg.clone();
            wrong_len[31] = wrong_len[31].wrapping_add(1);
            assert!(decrypt_sk(&wrong_len, &keys).is_err());
        }
    }

    #[test]
    fn skf_fragments_reassemble_in_any_order() {
        let rng = DeterministicRandom::seed_from_u64(3);
        let inner: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        for keys in all_keys() {
            let frags = encrypt_skf(&keys, &rng, &header(), 35, &inner, 200).unwrap();
            assert!(frags.len() > 5);
            assert!(frags.iter().all(|f| f.len() <= 200 && f[16] == PAYLOAD_SKF));
            let mut dec: Vec<Fragment> = frags
                .iter()
                .map(|f| decrypt_skf(f, &keys).unwrap())
                .collect();
            dec.reverse();
            assert_eq!(reassemble(&dec).unwrap(), (35, inner.clone()));
            assert!(dec.iter().all(|f| (f.number == 1) == (f.first_inner == 35)));
            dec.pop();
            assert!(reassemble(&dec).is_err(), "missing fragment accepted");
            // An SKF message is not an SK message and vice versa.
            assert!(decrypt_sk(&frags[0], &keys).is_err());
        }
    }

    #[test]
    fn null_and_mismatched_transforms_are_refused() {
        let null = SupportedEncr::Cipher(&crate::provider::rustcrypto::ENCR_NULL);
        let integ = PROVIDER.integ(IntegId::HmacSha2_256_128);
        assert!(SkKeys::new(null, integ, &[], &[4; 32]).is_err());
        let gcm = PROVIDER.encr(EncrId::AesGcm16, Some(128)).unwrap();
        assert!(SkKeys::new(gcm, integ, &[1; 20], &[4; 32]).is_err());
        let cbc = PROVIDER.encr(EncrId::AesCbc, Some(128)).unwrap();
        assert!(SkKeys::new(cbc, None, &[1; 16], &[]).is_err());
    }
}
