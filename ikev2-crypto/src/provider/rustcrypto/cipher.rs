//! AES-CBC (RFC 3602), AES-CTR (RFC 3686) and ENCR_NULL (RFC 2410).

use crate::{CipherKey, CryptoError, EncrId, SupportedCipher};
use cipher::block_padding::NoPadding;
use cipher::generic_array::GenericArray;
use cipher::typenum::{Unsigned, U16};
use cipher::{
    BlockCipher, BlockDecrypt, BlockDecryptMut, BlockEncrypt, BlockEncryptMut, BlockSizeUser,
    InnerIvInit, KeyInit, KeySizeUser, StreamCipher,
};
use core::marker::PhantomData;

const BLOCK: usize = 16;
const CTR_NONCE_LEN: usize = 4;
const CTR_IV_LEN: usize = 8;

fn check_iv(iv: &[u8], expected: usize) -> Result<(), CryptoError> {
    if iv.len() != expected {
        return Err(CryptoError::InvalidLength {
            what: "IV",
            expected,
            got: iv.len(),
        });
    }
    Ok(())
}

/// AES in CBC mode; `C` is `aes::Aes128`, `Aes192` or `Aes256`.
pub struct AesCbc<C> {
    pub(crate) key_bits: u16,
    pub(crate) _c: PhantomData<fn() -> C>,
}

struct CbcKey<C>(C);

impl<C> CipherKey for CbcKey<C>
where
    C: BlockCipher
        + BlockEncrypt
        + BlockDecrypt
        + BlockSizeUser<BlockSize = U16>
        + Clone
        + Send
        + Sync,
{
    fn encrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        check_iv(iv, BLOCK)?;
        if buf.len() % BLOCK != 0 {
            return Err(CryptoError::NotBlockAligned {
                len: buf.len(),
                block: BLOCK,
            });
        }
        let len = buf.len();
        cbc::Encryptor::<C>::inner_iv_init(self.0.clone(), GenericArray::from_slice(iv))
            .encrypt_padded_mut::<NoPadding>(buf, len)
            .map_err(|_| CryptoError::NotBlockAligned { len, block: BLOCK })?;
        Ok(())
    }

    fn decrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        check_iv(iv, BLOCK)?;
        let len = buf.len();
        if len % BLOCK != 0 {
            return Err(CryptoError::NotBlockAligned { len, block: BLOCK });
        }
        cbc::Decryptor::<C>::inner_iv_init(self.0.clone(), GenericArray::from_slice(iv))
            .decrypt_padded_mut::<NoPadding>(buf)
            .map_err(|_| CryptoError::NotBlockAligned { len, block: BLOCK })?;
        Ok(())
    }
}

impl<C> SupportedCipher for AesCbc<C>
where
    C: BlockCipher
        + BlockEncrypt
        + BlockDecrypt
        + BlockSizeUser<BlockSize = U16>
        + KeyInit
        + Clone
        + Send
        + Sync
        + 'static,
{
    fn id(&self) -> EncrId {
        EncrId::AesCbc
    }
    fn key_bits(&self) -> Option<u16> {
        Some(self.key_bits)
    }
    fn keymat_len(&self) -> usize {
        <C as KeySizeUser>::KeySize::USIZE
    }
    fn iv_len(&self) -> usize {
        BLOCK
    }
    fn block_len(&self) -> usize {
        BLOCK
    }
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn CipherKey>, CryptoError> {
        let c = C::new_from_slice(keymat).map_err(|_| CryptoError::InvalidKeyLength {
            expected: self.keymat_len(),
            got: keymat.len(),
        })?;
        Ok(Box::new(CbcKey(c)))
    }
}

/// AES in counter mode with the RFC 3686 counter block
/// `nonce(4) | IV(8) | counter(4)`, counter starting at 1.
pub struct AesCtr<C> {
    pub(crate) key_bits: u16,
    pub(crate) _c: PhantomData<fn() -> C>,
}

struct CtrKey<C> {
    cipher: C,
    nonce: [u8; CTR_NONCE_LEN],
}

impl<C> CtrKey<C>
where
    C: BlockCipher + BlockEncrypt + BlockSizeUser<BlockSize = U16> + Clone + Send + Sync,
{
    fn apply(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        check_iv(iv, CTR_IV_LEN)?;
        let mut block = [0u8; BLOCK];
        for (d, s) in block
            .iter_mut()
            .zip(self.nonce.iter().chain(iv).chain(&[0, 0, 0, 1]))
        {
            *d = *s;
        }
        let core = ctr::CtrCore::<C, ctr::flavors::Ctr32BE>::inner_iv_init(
            self.cipher.clone(),
            GenericArray::from_slice(&block),
        );
        let mut c = cipher::StreamCipherCoreWrapper::from_core(core);
        c.apply_keystream(buf);
        Ok(())
    }
}

impl<C> CipherKey for CtrKey<C>
where
    C: BlockCipher + BlockEncrypt + BlockSizeUser<BlockSize = U16> + Clone + Send + Sync,
{
    fn encrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        self.apply(iv, buf)
    }
    fn decrypt_in_place(&self, iv: &[u8], buf: &mut [u8]) -> Result<(), CryptoError> {
        self.apply(iv, buf)
    }
}

impl<C> SupportedCipher for AesCtr<C>
where
    C: BlockCipher
        + BlockEncrypt
        + BlockSizeUser<BlockSize = U16>
        + KeyInit
        + Clone
        + Send
        + Sync
        + 'static,
{
    fn id(&self) -> EncrId {
        EncrId::AesCtr
    }
    fn key_bits(&self) -> Option<u16> {
        Some(self.key_bits)
    }
    fn keymat_len(&self) -> usize {
        <C as KeySizeUser>::KeySize::USIZE + CTR_NONCE_LEN
    }
    fn iv_len(&self) -> usize {
        CTR_IV_LEN
    }
    fn block_len(&self) -> usize {
        1
    }
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn CipherKey>, CryptoError> {
        let expected = self.keymat_len();
        let klen = <C as KeySizeUser>::KeySize::USIZE;
        let (key, nonce) = match (keymat.len() == expected, keymat.split_at_checked(klen)) {
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
        let mut n = [0u8; CTR_NONCE_LEN];
        n.copy_from_slice(nonce);
        Ok(Box::new(CtrKey { cipher, nonce: n }))
    }
}

/// ENCR_NULL (RFC 2410): no confidentiality. ESP only, and only when a
/// configuration opts in by listing it; no shipped provider includes it.
#[derive(Debug, Clone, Copy)]
pub struct EncrNull;

struct NullKey;

impl CipherKey for NullKey {
    fn encrypt_in_place(&self, iv: &[u8], _buf: &mut [u8]) -> Result<(), CryptoError> {
        check_iv(iv, 0)
    }
    fn decrypt_in_place(&self, iv: &[u8], _buf: &mut [u8]) -> Result<(), CryptoError> {
        check_iv(iv, 0)
    }
}

impl SupportedCipher for EncrNull {
    fn id(&self) -> EncrId {
        EncrId::Null
    }
    fn key_bits(&self) -> Option<u16> {
        None
    }
    fn keymat_len(&self) -> usize {
        0
    }
    fn iv_len(&self) -> usize {
        0
    }
    fn block_len(&self) -> usize {
        1
    }
    fn new_key(&self, keymat: &[u8]) -> Result<Box<dyn CipherKey>, CryptoError> {
        if !keymat.is_empty() {
            return Err(CryptoError::InvalidKeyLength {
                expected: 0,
                got: keymat.len(),
            });
        }
        Ok(Box::new(NullKey))
    }
}
