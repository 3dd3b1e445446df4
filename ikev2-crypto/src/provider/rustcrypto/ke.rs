//! Elliptic-curve groups 19/20/21 (RFC 5903), Curve25519/Curve448
//! (RFC 8031) and ML-KEM-768/1024 as additional key exchanges (RFC 9370).

use crate::{ActiveKe, CryptoError, KeId, SecureRandom, SharedSecret, SupportedKe};
use ml_kem::kem::Decapsulate;
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore, B32};
use zeroize::{Zeroize, Zeroizing};

/// Draws private scalars until one is valid (in [1, n-1]); the loop is
/// bounded so a broken random source cannot hang us.
const MAX_TRIES: usize = 64;

macro_rules! ecp_group {
    ($(#[$m:meta])* $name:ident, $active:ident, $curve:ident, $id:expr, $scalar_len:expr, $first_mask:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        struct $active {
            secret: $curve::SecretKey,
            public: Vec<u8>,
        }

        impl SupportedKe for $name {
            fn id(&self) -> KeId {
                $id
            }
            fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
                let mut buf = Zeroizing::new([0u8; $scalar_len]);
                for _ in 0..MAX_TRIES {
                    rng.fill(buf.as_mut())?;
                    if let Some(b) = buf.first_mut() {
                        *b &= $first_mask;
                    }
                    if let Ok(secret) = $curve::SecretKey::from_slice(buf.as_ref()) {
                        use $curve::elliptic_curve::sec1::ToEncodedPoint;
                        let point = secret.public_key().to_encoded_point(false);
                        // RFC 5903: the KE data is x | y, without the SEC1 0x04 octet.
                        let public = point.as_bytes().get(1..).unwrap_or_default().to_vec();
                        return Ok(Box::new($active { secret, public }));
                    }
                }
                Err(CryptoError::RandomFailure)
            }
        }

        impl ActiveKe for $active {
            fn id(&self) -> KeId {
                $id
            }
            fn public(&self) -> &[u8] {
                &self.public
            }
            fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
                if peer.len() != 2 * $scalar_len {
                    return Err(CryptoError::InvalidPeerPublic($id));
                }
                let mut sec1 = Vec::with_capacity(peer.len() + 1);
                sec1.push(0x04);
                sec1.extend_from_slice(peer);
                // from_sec1_bytes rejects points off the curve and the identity.
                let peer = $curve::PublicKey::from_sec1_bytes(&sec1).map_err(|_| CryptoError::InvalidPeerPublic($id))?;
                let shared = $curve::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), peer.as_affine());
                // RFC 5903 section 7: the shared secret is the x coordinate only.
                Ok(SharedSecret::from_slice(shared.raw_secret_bytes()))
            }
        }
    };
}

ecp_group!(
    /// 256-bit random ECP group (19).
    Ecp256, ActiveEcp256, p256, KeId::Ecp256, 32, 0xff);
ecp_group!(
    /// 384-bit random ECP group (20).
    Ecp384, ActiveEcp384, p384, KeId::Ecp384, 48, 0xff);
ecp_group!(
    /// 521-bit random ECP group (21).
    Ecp521, ActiveEcp521, p521, KeId::Ecp521, 66, 0x01);

/// Curve25519 (31), RFC 8031: an all-zero result is rejected.
#[derive(Debug, Clone, Copy)]
pub struct X25519;

struct ActiveX25519 {
    secret: x25519_dalek::StaticSecret,
    public: [u8; 32],
}

impl SupportedKe for X25519 {
    fn id(&self) -> KeId {
        KeId::Curve25519
    }
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
        let mut buf = [0u8; 32];
        rng.fill(&mut buf)?;
        let secret = x25519_dalek::StaticSecret::from(buf);
        buf.zeroize();
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        Ok(Box::new(ActiveX25519 { secret, public }))
    }
}

impl ActiveKe for ActiveX25519 {
    fn id(&self) -> KeId {
        KeId::Curve25519
    }
    fn public(&self) -> &[u8] {
        &self.public
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        let peer: [u8; 32] = peer
            .try_into()
            .map_err(|_| CryptoError::InvalidPeerPublic(KeId::Curve25519))?;
        let shared = self
            .secret
            .diffie_hellman(&x25519_dalek::PublicKey::from(peer));
        if !shared.was_contributory() {
            return Err(CryptoError::DegenerateSharedSecret(KeId::Curve25519));
        }
        Ok(SharedSecret::from_slice(shared.as_bytes()))
    }
}

/// Curve448 (32), RFC 8031: low-order peer values and an all-zero result are
/// rejected.
#[derive(Debug, Clone, Copy)]
pub struct X448;

struct ActiveX448 {
    secret: x448::Secret,
    public: [u8; 56],
}

impl SupportedKe for X448 {
    fn id(&self) -> KeId {
        KeId::Curve448
    }
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
        let mut buf = [0u8; 56];
        rng.fill(&mut buf)?;
        let secret = x448::Secret::from(buf);
        buf.zeroize();
        let public = *x448::PublicKey::from(&secret).as_bytes();
        Ok(Box::new(ActiveX448 { secret, public }))
    }
}

impl ActiveKe for ActiveX448 {
    fn id(&self) -> KeId {
        KeId::Curve448
    }
    fn public(&self) -> &[u8] {
        &self.public
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        if peer.len() != 56 {
            return Err(CryptoError::InvalidPeerPublic(KeId::Curve448));
        }
        let peer = x448::PublicKey::from_bytes(peer)
            .ok_or(CryptoError::InvalidPeerPublic(KeId::Curve448))?;
        let shared = self
            .secret
            .as_diffie_hellman(&peer)
            .ok_or(CryptoError::DegenerateSharedSecret(KeId::Curve448))?;
        if shared.as_bytes().iter().all(|b| *b == 0) {
            return Err(CryptoError::DegenerateSharedSecret(KeId::Curve448));
        }
        Ok(SharedSecret::from_slice(shared.as_bytes()))
    }
}

/// ML-KEM (FIPS 203) as an IKEv2 key exchange: the initiator sends its
/// encapsulation key, the responder answers with a ciphertext.
pub struct MlKem<K> {
    pub(crate) id: KeId,
    pub(crate) _k: core::marker::PhantomData<fn() -> K>,
}

struct ActiveMlKem<K: KemCore> {
    id: KeId,
    dk: K::DecapsulationKey,
    ek: Vec<u8>,
}

/// FIPS 203 7.2 encapsulation key check: every 12-bit coefficient of the
/// encoded vector must be reduced modulo q = 3329 (the last 32 octets are rho).
fn ek_modulus_check(ek: &[u8]) -> bool {
    let Some(t) = ek.len().checked_sub(32).and_then(|n| ek.get(..n)) else {
        return false;
    };
    t.chunks_exact(3).all(|c| match c {
        [b0, b1, b2] => {
            let d1 = u16::from(*b0) | (u16::from(*b1 & 0x0f) << 8);
            let d2 = u16::from(*b1 >> 4) | (u16::from(*b2) << 4);
            d1 < 3329 && d2 < 3329
        }
        _ => false,
    })
}

impl<K> SupportedKe for MlKem<K>
where
    K: KemCore + 'static,
    K::DecapsulationKey: Send,
{
    fn id(&self) -> KeId {
        self.id
    }
    fn is_kem(&self) -> bool {
        true
    }
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
        let mut d = B32::default();
        let mut z = B32::default();
        rng.fill(&mut d)?;
        rng.fill(&mut z)?;
        let (dk, ek) = K::generate_deterministic(&d, &z);
        d.zeroize();
        z.zeroize();
        Ok(Box::new(ActiveMlKem::<K> {
            id: self.id,
            dk,
            ek: ek.as_bytes().to_vec(),
        }))
    }
    fn respond(
        &self,
        rng: &dyn SecureRandom,
        peer: &[u8],
    ) -> Result<(Vec<u8>, SharedSecret), CryptoError> {
        let enc = ml_kem::Encoded::<K::EncapsulationKey>::try_from(peer)
            .map_err(|_| CryptoError::InvalidPeerPublic(self.id))?;
        if !ek_modulus_check(peer) {
            return Err(CryptoError::InvalidPeerPublic(self.id));
        }
        let ek = K::EncapsulationKey::from_bytes(&enc);
        let mut m = B32::default();
        rng.fill(&mut m)?;
        let (ct, ss) = ek
            .encapsulate_deterministic(&m)
            .map_err(|_| CryptoError::InvalidPeerPublic(self.id))?;
        m.zeroize();
        Ok((ct.to_vec(), SharedSecret::from_slice(&ss)))
    }
}

impl<K> ActiveKe for ActiveMlKem<K>
where
    K: KemCore,
    K::DecapsulationKey: Send,
{
    fn id(&self) -> KeId {
        self.id
    }
    fn public(&self) -> &[u8] {
        &self.ek
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        let ct = ml_kem::Ciphertext::<K>::try_from(peer)
            .map_err(|_| CryptoError::InvalidPeerPublic(self.id))?;
        let ss = self
            .dk
            .decapsulate(&ct)
            .map_err(|_| CryptoError::InvalidPeerPublic(self.id))?;
        Ok(SharedSecret::from_slice(&ss))
    }
}
