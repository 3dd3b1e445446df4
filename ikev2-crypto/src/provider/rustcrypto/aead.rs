//! AES-GCM-16 (RFC 4106 / RFC 5282) and ChaCha20-Poly1305 (RFC 7634).

use crate::{AeadKey, CryptoError, EncrId, SupportedAead};
use aes_gcm::aead::generic_array::typenum::Unsigned;
use aes_gcm::aead::{AeadCore, AeadInPlace, KeyInit, KeySizeUser};
use aes_gcm::{Nonce, Tag};
use core::marker::PhantomData;

const SALT_LEN: usize = 4;
const IV_LEN: usize = 8;
const TAG_LEN: usize = 16;

/// An AEAD transform on a RustCrypto cipher type `C`.
pub struct RustCryptoAead<C> {
    pub(crate) id: EncrId,
    pub(crate) key_bits: Option<u16>,
    pub(crate) _c: PhantomData<fn() -> C>,
}

struct Key<C> {
    cipher: C,
    salt: [u8; SALT_LEN],
}

type Nonce12 = aes_gcm::aead::generic_array::GenericArray<u8, aes_gcm::aead::consts::U12>;

impl<C> Key<C> {
    fn nonce(&self, iv: &[u8]) -> Result<Nonce12, CryptoError> {
        if iv.len() != IV_LEN {
            return Err(CryptoError::InvalidLength {
                what: "IV",
                expected: IV_LEN,
                got: iv.len(),
            });
        }
        let mut n = Nonce::default();
        for (d, s) in n.iter_mut().zip(self.salt.iter().chain(iv)) {
            *d = *s;
        }
        Ok(n)
    }
}

fn check_tag(tag: &[u8]) -> Result<(), CryptoError> {
    if tag.len() != TAG_LEN {
        return Err(CryptoError::InvalidLength {
            what: "ICV",
            expected: TAG_LEN,
            got: tag.len(),
        });
    }
    Ok(())
}

impl<C> AeadKey for Key<C>
where
    C: AeadInPlace
        + Send
        + Sync
        + AeadCore<NonceSize = aes_gcm::aead::consts::U12, TagSize = aes_gcm::aead::consts::U16>,
{
    fn seal_in_place(
        &self,
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag_out: &mut [u8],
    ) -> Result<(), CryptoError> {
        check_tag(tag_out)?;
        let nonce = self.nonce(iv)?;
        let tag = self
            .cipher
            .encrypt_in_place_detached(&nonce, aad, buf)
            .map_err(|_| CryptoError::InvalidLength {
                what: "plaintext",
                expected: 0,
                got: buf.len(),
            })?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    fn open_in_place(
        &self,
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        check_tag(tag)?;
        let nonce = self.nonce(iv)?;
        let tag = Tag::from_slice(tag);
        self.cipher
            .decrypt_in_place_detached(&nonce, aad, buf, tag)
            .map_err(|_| CryptoError::IntegrityCheckFailed)
    }
}

impl<C> SupportedAead for RustCryptoAead<C>
where
    C: AeadInPlace
        + KeyInit
        + Send
        + Sync
        + 'static
        + AeadCore<NonceSize = aes_gcm::aead::consts::U12, TagSize = aes_gcm::aead::consts::U16>,
{
    fn id(&self) -> EncrId {
        self.id
    }
    fn key_bits(&self) -> Option<u16> {
        self.key_bits
    }
    fn keymat_len(&self) -> usize {
        <C as KeySizeUser>::KeySize::USIZE + SALT_LEN
    }
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn AeadKey>, CryptoError> {
        let klen = <C as KeySizeUser>::KeySize::USIZE;
        let expected = self.keymat_len();
        let (key, salt) = match (keymat.len() == expected, keymat.split_at_checked(klen)) {
            (true, Some(parts)) => parts,
            _ => {
                return Err(CryptoError::InvalidKeyLength {
                    expected,
                    got: keymat.len(),
                })
            }
        };
        let cipher = C::new_from_slice(key).map_err(|_| CryptoError::InvalidKeyLength {
            expected,
            got: keymat.len(),
        })?;
        let mut s = [0u8; SALT_LEN];
        s.copy_from_slice(salt);
        Ok(Box::new(Key { cipher, salt: s }))
    }
}
