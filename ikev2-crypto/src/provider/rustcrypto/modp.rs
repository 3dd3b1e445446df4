//! MODP Diffie-Hellman groups 14-18 (RFC 3526) and legacy group 2
//! (RFC 2409), in constant time with crypto-bigint.
//!
//! The primes were regenerated from their definition
//! `p = 2^N - 2^(N-64) - 1 + 2^64 * (floor(2^(N-130) * pi) + c)` and checked
//! to be safe primes; group 2 also matches the recorded exchange in the tests.

use crate::{ActiveKe, CryptoError, KeId, SecureRandom, SharedSecret, SupportedKe};
use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Encoding, Uint, U1024, U2048, U3072, U4096, U6144, U8192};
use std::sync::OnceLock;
use zeroize::Zeroizing;

const MAX_TRIES: usize = 64;

/// A MODP group with a `LIMBS`-word prime.
pub struct Modp<const LIMBS: usize> {
    id: KeId,
    prime: Uint<LIMBS>,
    /// Bits of the private exponent (at least twice the group's strength).
    exp_bits: usize,
    params: OnceLock<DynResidueParams<LIMBS>>,
}

struct ActiveModp<const LIMBS: usize> {
    group: Group<LIMBS>,
    x: Zeroizing<Uint<LIMBS>>,
    public: Vec<u8>,
}

/// The parts of a group an exchange needs, copied out of the static.
#[derive(Clone, Copy)]
struct Group<const LIMBS: usize> {
    id: KeId,
    prime: Uint<LIMBS>,
    exp_bits: usize,
    params: DynResidueParams<LIMBS>,
}

impl<const LIMBS: usize> Group<LIMBS>
where
    Uint<LIMBS>: Encoding,
{
    /// `base^x mod p`, fixed-length big-endian.
    fn pow(&self, base: &Uint<LIMBS>, x: &Uint<LIMBS>) -> Vec<u8> {
        let r = DynResidue::new(base, self.params).pow_bounded_exp(x, self.exp_bits);
        r.retrieve().to_be_bytes().as_ref().to_vec()
    }

    /// Parse a peer's value and apply the RFC 6989 check 1 < y < p-1.
    fn parse_peer(&self, peer: &[u8]) -> Result<Uint<LIMBS>, CryptoError> {
        if peer.len() != Uint::<LIMBS>::BYTES {
            return Err(CryptoError::InvalidPeerPublic(self.id));
        }
        let y = Uint::<LIMBS>::from_be_slice(peer);
        let p_minus_1 = self.prime.wrapping_sub(&Uint::ONE);
        if y <= Uint::ONE || y >= p_minus_1 {
            return Err(CryptoError::InvalidPeerPublic(self.id));
        }
        Ok(y)
    }
}

impl<const LIMBS: usize> SupportedKe for Modp<LIMBS>
where
    Uint<LIMBS>: Encoding,
{
    fn id(&self) -> KeId {
        self.id
    }
    fn start(&self, rng: &dyn SecureRandom) -> Result<Box<dyn ActiveKe>, CryptoError> {
        let group = Group {
            id: self.id,
            prime: self.prime,
            exp_bits: self.exp_bits,
            params: *self
                .params
                .get_or_init(|| DynResidueParams::new(&self.prime)),
        };
        let n = Uint::<LIMBS>::BYTES;
        let start = n
            .checked_sub(self.exp_bits.div_ceil(8))
            .ok_or(CryptoError::Unsupported)?;
        let mut buf = Zeroizing::new(vec![0u8; n]);
        let p_minus_1 = self.prime.wrapping_sub(&Uint::ONE);
        for _ in 0..MAX_TRIES {
            rng.fill(buf.get_mut(start..).ok_or(CryptoError::Unsupported)?)?;
            let x = Zeroizing::new(Uint::<LIMBS>::from_be_slice(&buf));
            if *x > Uint::ONE && *x < p_minus_1 {
                let public = group.pow(&Uint::from_u8(2), &x);
                return Ok(Box::new(ActiveModp { group, x, public }));
            }
        }
        Err(CryptoError::RandomFailure)
    }
}

impl<const LIMBS: usize> ActiveKe for ActiveModp<LIMBS>
where
    Uint<LIMBS>: Encoding,
{
    fn id(&self) -> KeId {
        self.group.id
    }
    fn public(&self) -> &[u8] {
        &self.public
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        let y = self.group.parse_peer(peer)?;
        let shared = Zeroizing::new(self.group.pow(&y, &self.x));
        // g^ir is as long as the prime, leading zeros kept (RFC 7296 2.14).
        Ok(SharedSecret::from_slice(&shared))
    }
}

/// 1024-bit MODP group (2), RFC 2409: legacy, for interoperability tests only; full-length exponent.
pub static MODP1024: Modp<{ U1024::LIMBS }> = Modp {
    id: KeId::Modp1024,
    prime: U1024::from_be_hex(concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff",
    )),
    exp_bits: 1024,
    params: OnceLock::new(),
};

/// 2048-bit MODP group (14), RFC 3526.
pub static MODP2048: Modp<{ U2048::LIMBS }> = Modp {
    id: KeId::Modp2048,
    prime: U2048::from_be_hex(concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff",
    )),
    exp_bits: 256,
    params: OnceLock::new(),
};

/// 3072-bit MODP group (15), RFC 3526.
pub static MODP3072: Modp<{ U3072::LIMBS }> = Modp {
    id: KeId::Modp3072,
    prime: U3072::from_be_hex(concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
        "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
        "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
        "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
        "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
    )),
    exp_bits: 384,
    params: OnceLock::new(),
};

/// 4096-bit MODP group (16), RFC 3526.
pub static MODP4096: Modp<{ U4096::LIMBS }> = Modp {
    id: KeId::Modp4096,
    prime: U4096::from_be_hex(concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
        "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
        "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
        "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
        "08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7",
        "88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8",
        "dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2",
        "233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9",
        "93b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff",
    )),
    exp_bits: 512,
    params: OnceLock::new(),
};

/// 6144-bit MODP group (17), RFC 3526.
pub static MODP6144: Modp<{ U6144::LIMBS }> = Modp {
    id: KeId::Modp6144,
    prime: U6144::from_be_hex(concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
        "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
        "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
        "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
        "08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7",
        "88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8",
        "dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2",
        "233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9",
        "93b4ea988d8fddc186ffb7dc90a6c08f4df435c93402849236c3fab4d27c7026",
        "c1d4dcb2602646dec9751e763dba37bdf8ff9406ad9e530ee5db382f413001ae",
        "b06a53ed9027d831179727b0865a8918da3edbebcf9b14ed44ce6cbaced4bb1b",
        "db7f1447e6cc254b332051512bd7af426fb8f401378cd2bf5983ca01c64b92ec",
        "f032ea15d1721d03f482d7ce6e74fef6d55e702f46980c82b5a84031900b1c9e",
        "59e7c97fbec7e8f323a97a7e36cc88be0f1d45b7ff585ac54bd407b22b4154aa",
        "cc8f6d7ebf48e1d814cc5ed20f8037e0a79715eef29be32806a1d58bb7c5da76",
        "f550aa3d8a1fbff0eb19ccb1a313d55cda56c9ec2ef29632387fe8d76e3c0468",
        "043e8f663f4860ee12bf2d5b0b7474d6e694f91e6dcc4024ffffffffffffffff",
    )),
    exp_bits: 512,
    params: OnceLock::new(),
};

/// 8192-bit MODP group (18), RFC 3526.
pub static MODP8192: Modp<{ U8192::LIMBS }> = Modp {
    id: KeId::Modp8192,
    prime: U8192::from_be_hex(concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
        "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
        "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
        "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
        "08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7",
        "88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8",
        "dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2",
        "233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9",
        "93b4ea988d8fddc186ffb7dc90a6c08f4df435c93402849236c3fab4d27c7026",
        "c1d4dcb2602646dec9751e763dba37bdf8ff9406ad9e530ee5db382f413001ae",
        "b06a53ed9027d831179727b0865a8918da3edbebcf9b14ed44ce6cbaced4bb1b",
        "db7f1447e6cc254b332051512bd7af426fb8f401378cd2bf5983ca01c64b92ec",
        "f032ea15d1721d03f482d7ce6e74fef6d55e702f46980c82b5a84031900b1c9e",
        "59e7c97fbec7e8f323a97a7e36cc88be0f1d45b7ff585ac54bd407b22b4154aa",
        "cc8f6d7ebf48e1d814cc5ed20f8037e0a79715eef29be32806a1d58bb7c5da76",
        "f550aa3d8a1fbff0eb19ccb1a313d55cda56c9ec2ef29632387fe8d76e3c0468",
        "043e8f663f4860ee12bf2d5b0b7474d6e694f91e6dbe115974a3926f12fee5e4",
        "38777cb6a932df8cd8bec4d073b931ba3bc832b68d9dd300741fa7bf8afc47ed",
        "2576f6936ba424663aab639c5ae4f5683423b4742bf1c978238f16cbe39d652d",
        "e3fdb8befc848ad922222e04a4037c0713eb57a81a23f0c73473fc646cea306b",
        "4bcbc8862f8385ddfa9d4b7fa2c087e879683303ed5bdd3a062b3cf5b3a278a6",
        "6d2a13f83f44f82ddf310ee074ab6a364597e899a0255dc164f31cc50846851d",
        "f9ab48195ded7ea1b1d510bd7ee74d73faf36bc31ecfa268359046f4eb879f92",
        "4009438b481c6cd7889a002ed5ee382bc9190da6fc026e479558e4475677e9aa",
        "9e3050e2765694dfc81f56e880b96e7160c980dd98edd3dfffffffffffffffff",
    )),
    exp_bits: 512,
    params: OnceLock::new(),
};
