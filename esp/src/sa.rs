//! Inbound and outbound ESP SAs: seal and open in place (RFC 4303 section 3).

use core::fmt;
use core::ops::Range;

use ikev2_crypto::{AeadKey, CipherKey, CryptoProvider, EncrId, IntegId, IntegKey, SupportedEncr};

use crate::lifetime::{InboundCounters, Lifetime, LifetimeTracker, OutboundCounters, SaEvent};
use crate::packet::{
    inner_ip_len, pad_len, parse_trailer, write_trailer, EspPacket, HEADER_LEN, NEXT_HEADER_IPV4,
    NEXT_HEADER_IPV6, NEXT_HEADER_NONE,
};
use crate::replay::ReplayWindow;
use crate::seq::{infer_esn, SeqCounter};
use crate::Error;

/// What the protected payload is (RFC 4301 section 4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// The payload is a whole inner IPv4 or IPv6 packet (next header 4 or 41); TFC padding
    /// after it is allowed and removed on receive using the inner header's length.
    Tunnel,
    /// The payload is an upper-layer segment (TCP, UDP, ...) of the outer packet.
    Transport,
}

/// Everything needed to build one ESP SA (one direction). Keys are borrowed: the SA expands
/// them once into the provider's key objects and keeps nothing else.
#[derive(Clone, Copy)]
pub struct SaParams<'a> {
    /// Security Parameters Index.
    pub spi: u32,
    /// Encryption transform (ENCR_AES_GCM_16, ENCR_CHACHA20_POLY1305, ENCR_AES_CBC,
    /// ENCR_AES_CTR, ENCR_NULL).
    pub encr: EncrId,
    /// Key Length attribute in bits (`None` for ChaCha20-Poly1305 and NULL).
    pub encr_key_bits: Option<u16>,
    /// Encryption keying material as taken from KEYMAT: the key followed by the 4-octet salt
    /// (AES-GCM, ChaCha20-Poly1305) or nonce (AES-CTR).
    pub encr_key: &'a [u8],
    /// Integrity transform; [`IntegId::None`] with an AEAD.
    pub integ: IntegId,
    /// Integrity key.
    pub integ_key: &'a [u8],
    /// Tunnel or transport mode.
    pub mode: Mode,
    /// Extended Sequence Numbers (64-bit, RFC 4304).
    pub esn: bool,
    /// Anti-replay window in packets (inbound only); 0 disables replay protection.
    pub replay_window: u32,
    /// Soft and hard lifetimes.
    pub lifetime: Lifetime,
    /// Opt in to ENCR_NULL (integrity without confidentiality, RFC 2410).
    pub allow_null_encryption: bool,
    /// Opt in to a non-AEAD cipher without integrity (RFC 4303 allows it, RFC 8221 forbids
    /// it; only for interoperability tests such as RFC 3602's sample packets).
    pub allow_no_integrity: bool,
}

impl fmt::Debug for SaParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaParams")
            .field("spi", &format_args!("{:#010x}", self.spi))
            .field("encr", &self.encr)
            .field("encr_key_bits", &self.encr_key_bits)
            .field("integ", &self.integ)
            .field("mode", &self.mode)
            .field("esn", &self.esn)
            .field("replay_window", &self.replay_window)
            .finish_non_exhaustive()
    }
}

impl<'a> SaParams<'a> {
    /// Parameters for an AEAD SA with the usual defaults: tunnel mode, no ESN, a window of
    /// 1024 packets, no lifetime.
    pub fn aead(spi: u32, encr: EncrId, encr_key_bits: Option<u16>, encr_key: &'a [u8]) -> Self {
        Self {
            spi,
            encr,
            encr_key_bits,
            encr_key,
            integ: IntegId::None,
            integ_key: &[],
            mode: Mode::Tunnel,
            esn: false,
            replay_window: 1024,
            lifetime: Lifetime::default(),
            allow_null_encryption: false,
            allow_no_integrity: false,
        }
    }

    /// Parameters for a cipher plus integrity SA, with the same defaults as [`Self::aead`].
    pub fn cipher_integ(
        spi: u32,
        encr: EncrId,
        encr_key_bits: Option<u16>,
        encr_key: &'a [u8],
        integ: IntegId,
        integ_key: &'a [u8],
    ) -> Self {
        Self {
            integ,
            integ_key,
            ..Self::aead(spi, encr, encr_key_bits, encr_key)
        }
    }
}

enum Protection {
    Aead(Box<dyn AeadKey>),
    Cipher {
        key: Box<dyn CipherKey>,
        integ: Option<Box<dyn IntegKey>>,
    },
}

/// What both directions share: keys, sizes, mode, lifetime.
struct Core {
    spi: u32,
    esn: bool,
    mode: Mode,
    protection: Protection,
    iv_len: usize,
    icv_len: usize,
    /// Ciphertext must be a multiple of this (16 for CBC).
    block_len: usize,
    /// Payload + padding + trailer aligns to this (RFC 4303 section 2.4: at least 4).
    align: usize,
    lifetime: LifetimeTracker,
}

impl Core {
    fn new(provider: &CryptoProvider, p: &SaParams<'_>) -> Result<Self, Error> {
        let encr = provider
            .encr(p.encr, p.encr_key_bits)
            .ok_or(Error::InvalidConfig(
                "encryption transform not offered by the provider",
            ))?;
        let (protection, iv_len, icv_len, block_len) = match encr {
            SupportedEncr::Aead(a) => {
                if p.integ != IntegId::None {
                    return Err(Error::InvalidConfig("an AEAD takes no integrity transform"));
                }
                let key = a
                    .new_key(p.encr_key)
                    .map_err(|_| Error::InvalidConfig("bad AEAD key length"))?;
                (Protection::Aead(key), a.iv_len(), a.icv_len(), 1)
            }
            SupportedEncr::Cipher(c) => {
                if c.id() == EncrId::Null && !p.allow_null_encryption {
                    return Err(Error::InvalidConfig("ENCR_NULL needs explicit opt-in"));
                }
                let key = c
                    .new_key(p.encr_key)
                    .map_err(|_| Error::InvalidConfig("bad cipher key length"))?;
                let (integ, icv_len) = if p.integ == IntegId::None {
                    if !p.allow_no_integrity || c.id() == EncrId::Null {
                        return Err(Error::InvalidConfig("cipher without integrity"));
                    }
                    (None, 0)
                } else {
                    let i = provider.integ(p.integ).ok_or(Error::InvalidConfig(
                        "integrity transform not offered by the provider",
                    ))?;
                    let k = i
                        .new_key(p.integ_key)
                        .map_err(|_| Error::InvalidConfig("bad integrity key length"))?;
                    (Some(k), i.icv_len())
                };
                (
                    Protection::Cipher { key, integ },
                    c.iv_len(),
                    icv_len,
                    c.block_len().max(1),
                )
            }
            _ => return Err(Error::InvalidConfig("unsupported encryption transform")),
        };
        let align = block_len.max(4);
        if !align.is_power_of_two() || iv_len > 16 {
            return Err(Error::InvalidConfig("unsupported block or IV size"));
        }
        Ok(Self {
            spi: p.spi,
            esn: p.esn,
            mode: p.mode,
            protection,
            iv_len,
            icv_len,
            block_len,
            align,
            lifetime: LifetimeTracker::new(p.lifetime),
        })
    }

    fn header_len(&self) -> usize {
        HEADER_LEN + self.iv_len
    }

    /// Associated data of RFC 4106 section 5 / RFC 7634 section 2.1: SPI, then the sequence
    /// number (high half first with ESN).
    fn aad(&self, seq: u64) -> ([u8; 12], usize) {
        let mut aad = [0u8; 12];
        let spi = self.spi.to_be_bytes();
        let hi = ((seq >> 32) as u32).to_be_bytes();
        let lo = (seq as u32).to_be_bytes();
        let parts: [&[u8; 4]; 3] = if self.esn {
            [&spi, &hi, &lo]
        } else {
            [&spi, &lo, &[0; 4]]
        };
        for (dst, src) in aad.chunks_exact_mut(4).zip(parts) {
            dst.copy_from_slice(src);
        }
        (aad, if self.esn { 12 } else { 8 })
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sa")
            .field("spi", &format_args!("{:#010x}", self.spi))
            .field("esn", &self.esn)
            .field("mode", &self.mode)
            .field("iv_len", &self.iv_len)
            .field("icv_len", &self.icv_len)
            .field("lifetime", &self.lifetime.limits)
            .finish_non_exhaustive()
    }
}

/// Options for one [`OutboundSa::seal_with`] call.
#[derive(Debug, Clone, Copy, Default)]
pub struct SealOptions<'a> {
    /// Next header; `None` infers 4 or 41 from the inner packet's version (tunnel mode).
    pub next_header: Option<u8>,
    /// Traffic flow confidentiality (RFC 4303 section 2.7): pad the payload with zeros to
    /// at least this many octets. Tunnel mode and dummy packets only.
    pub tfc_pad_to: usize,
    /// Use this explicit IV instead of the SA's generator. Only for known-answer tests:
    /// an IV reused under one key destroys AES-GCM and ChaCha20-Poly1305.
    pub explicit_iv: Option<&'a [u8]>,
}

/// Result of a successful seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    /// Length of the ESP packet at the start of the buffer.
    pub len: usize,
    /// The 64-bit sequence number used.
    pub seq: u64,
}

/// The sending side of an ESP SA.
#[derive(Debug)]
pub struct OutboundSa {
    core: Core,
    seq: SeqCounter,
    counters: OutboundCounters,
}

impl OutboundSa {
    /// Expands the keys of `params` with `provider`.
    pub fn new(provider: &CryptoProvider, params: &SaParams<'_>) -> Result<Self, Error> {
        Ok(Self {
            core: Core::new(provider, params)?,
            seq: SeqCounter::new(params.esn),
            counters: OutboundCounters::default(),
        })
    }

    /// The SPI.
    pub fn spi(&self) -> u32 {
        self.core.spi
    }

    /// Where the caller puts the payload in the buffer handed to [`Self::seal`]: the octets
    /// before it are the ESP header and IV.
    pub fn header_len(&self) -> usize {
        self.core.header_len()
    }

    /// Buffer length [`Self::seal`] needs for a payload of `payload_len` octets (after any
    /// TFC padding).
    pub fn sealed_len(&self, payload_len: usize) -> usize {
        let c = &self.core;
        c.header_len() + payload_len + pad_len(payload_len, c.align) + 2 + c.icv_len
    }

    /// The sequence counter (for its rekey threshold and current value).
    pub fn sequence(&mut self) -> &mut SeqCounter {
        &mut self.seq
    }

    /// Counters so far.
    pub fn counters(&self) -> &OutboundCounters {
        &self.counters
    }

    /// Next pending event (soft/hard lifetime, rekey required, sequence exhausted).
    pub fn poll_event(&mut self) -> Option<SaEvent> {
        self.core.lifetime.poll()
    }

    /// Seals the `payload_len` octets at `buf[header_len()..]` into an ESP packet at the
    /// start of `buf`, in place. `buf` must hold [`Self::sealed_len`] octets.
    pub fn seal(&mut self, buf: &mut [u8], payload_len: usize) -> Result<Sealed, Error> {
        self.seal_with(buf, payload_len, &SealOptions::default())
    }

    /// Seals a dummy packet (next header 59, RFC 4303 section 2.6) of `len` octets of
    /// payload; its content is whatever the caller left in the buffer.
    pub fn seal_dummy(&mut self, buf: &mut [u8], len: usize) -> Result<Sealed, Error> {
        self.seal_with(
            buf,
            len,
            &SealOptions {
                next_header: Some(NEXT_HEADER_NONE),
                ..SealOptions::default()
            },
        )
    }

    /// [`Self::seal`] with options.
    pub fn seal_with(
        &mut self,
        buf: &mut [u8],
        payload_len: usize,
        opts: &SealOptions<'_>,
    ) -> Result<Sealed, Error> {
        if self.core.lifetime.hard_expired() {
            self.counters.expired += 1;
            return Err(Error::HardLifetimeExpired);
        }
        if payload_len.max(opts.tfc_pad_to) > buf.len() {
            // Also keeps the length sums below from overflowing on absurd arguments.
            return Err(Error::BufferTooSmall {
                need: payload_len.max(opts.tfc_pad_to),
                have: buf.len(),
            });
        }
        let c = &self.core;
        let hdr = c.header_len();
        let body = payload_len.max(opts.tfc_pad_to);
        let ct_len = body + pad_len(body, c.align) + 2;
        let total = hdr + ct_len + c.icv_len;
        if buf.len() < total {
            return Err(Error::BufferTooSmall {
                need: total,
                have: buf.len(),
            });
        }
        let next_header = match opts.next_header {
            Some(nh) => nh,
            None if c.mode == Mode::Tunnel => match buf.get(hdr).map(|b| b >> 4) {
                Some(4) => NEXT_HEADER_IPV4,
                Some(6) => NEXT_HEADER_IPV6,
                _ => {
                    return Err(Error::InvalidConfig(
                        "payload is not an IPv4 or IPv6 packet",
                    ))
                }
            },
            None => return Err(Error::InvalidConfig("transport mode needs a next header")),
        };
        if body > payload_len && c.mode != Mode::Tunnel && next_header != NEXT_HEADER_NONE {
            return Err(Error::InvalidConfig("TFC padding needs tunnel mode"));
        }
        let seq = match self.seq.peek() {
            Ok(s) => s,
            Err(e) => {
                self.counters.sequence_overflow += 1;
                self.core.lifetime.raise(SaEvent::SequenceExhausted);
                return Err(e);
            }
        };
        let (packet, _) = buf.split_at_mut(total);
        let (head, rest) = packet.split_at_mut(hdr);
        let (ct, icv) = rest.split_at_mut(ct_len);
        {
            let mut p = EspPacket::new_unchecked(&mut *head);
            p.set_security_parameters_index(c.spi);
            p.set_sequence_number(seq as u32);
        }
        let iv = head.get_mut(HEADER_LEN..).ok_or(Error::BadLength)?;
        match opts.explicit_iv {
            Some(e) if e.len() == iv.len() => iv.copy_from_slice(e),
            Some(_) => return Err(Error::InvalidConfig("explicit IV has the wrong length")),
            None => generate_iv(&c.protection, seq, iv)?,
        }
        let (_, tail) = ct.split_at_mut(payload_len);
        let (tfc, trailer) = tail.split_at_mut(body - payload_len);
        tfc.fill(0);
        write_trailer(trailer, next_header);
        match &c.protection {
            Protection::Aead(key) => {
                let (aad, aad_len) = c.aad(seq);
                key.seal_in_place(iv, aad.get(..aad_len).unwrap_or(&aad), ct, icv)
                    .map_err(|_| Error::Crypto)?;
            }
            Protection::Cipher { key, integ } => {
                key.encrypt_in_place(iv, ct).map_err(|_| Error::Crypto)?;
                if let Some(integ) = integ {
                    let hi = ((seq >> 32) as u32).to_be_bytes();
                    let esn_hi: &[u8] = if c.esn { &hi } else { &[] };
                    integ
                        .sign(&[&*head, &*ct, esn_hi], icv)
                        .map_err(|_| Error::Crypto)?;
                }
            }
        }
        self.seq.commit(seq);
        if self.seq.rekey_required() {
            self.core.lifetime.raise(SaEvent::RekeyRequired);
        }
        self.counters.packets += 1;
        self.counters.bytes += payload_len as u64;
        self.core
            .lifetime
            .account(self.counters.packets, self.counters.bytes);
        Ok(Sealed { len: total, seq })
    }
}

/// Fills the per-packet IV: the 64-bit sequence number for counter-based modes (unique per
/// key, RFC 4106 section 3.1, RFC 3686 section 3, RFC 7634 section 2); for CBC, the
/// sequence number enciphered under the SA key, which is unpredictable without the key
/// (NIST SP 800-38A appendix C) and needs no random source on the data path.
fn generate_iv(protection: &Protection, seq: u64, iv: &mut [u8]) -> Result<(), Error> {
    let s = seq.to_be_bytes();
    match (protection, iv.len()) {
        (_, 0) => Ok(()),
        (Protection::Aead(_), 8) | (Protection::Cipher { .. }, 8) => {
            iv.copy_from_slice(&s);
            Ok(())
        }
        (Protection::Cipher { key, .. }, 16) => {
            iv.fill(0);
            iv.get_mut(8..).ok_or(Error::Crypto)?.copy_from_slice(&s);
            // One CBC block under a zero IV is the bare block cipher.
            key.encrypt_in_place(&[0u8; 16], iv)
                .map_err(|_| Error::Crypto)
        }
        _ => Err(Error::InvalidConfig("unsupported IV length")),
    }
}

/// A successfully opened packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The 64-bit sequence number (inferred high half with ESN).
    pub seq: u64,
    /// Next header: 4/41 for tunnel mode, the upper-layer protocol in transport mode,
    /// 59 for a dummy packet.
    pub next_header: u8,
    /// Where the decrypted payload lies in the caller's buffer (TFC padding removed in tunnel
    /// mode). Empty for a dummy packet, which the caller drops.
    pub payload: Range<usize>,
}

impl Opened {
    /// Whether this was a dummy packet (next header 59) to be dropped.
    pub fn is_dummy(&self) -> bool {
        self.next_header == NEXT_HEADER_NONE
    }
}

/// The receiving side of an ESP SA.
#[derive(Debug)]
pub struct InboundSa {
    core: Core,
    window: ReplayWindow,
    counters: InboundCounters,
}

impl InboundSa {
    /// Expands the keys of `params` with `provider`.
    pub fn new(provider: &CryptoProvider, params: &SaParams<'_>) -> Result<Self, Error> {
        Ok(Self {
            core: Core::new(provider, params)?,
            window: ReplayWindow::new(params.replay_window)?,
            counters: InboundCounters::default(),
        })
    }

    /// The SPI.
    pub fn spi(&self) -> u32 {
        self.core.spi
    }

    /// Counters so far.
    pub fn counters(&self) -> &InboundCounters {
        &self.counters
    }

    /// The anti-replay window.
    pub fn window(&self) -> &ReplayWindow {
        &self.window
    }

    /// Mutable access to the window, to restore its state when an SA moves between hosts
    /// (high-availability sync) or resumes from storage. Marking numbers as received that
    /// never arrived only drops those packets; it cannot admit a replay.
    pub fn window_mut(&mut self) -> &mut ReplayWindow {
        &mut self.window
    }

    /// Next pending event (soft/hard lifetime).
    pub fn poll_event(&mut self) -> Option<SaEvent> {
        self.core.lifetime.poll()
    }

    /// Opens the ESP packet that fills `buf`, decrypting in place. On error the counter for
    /// the cause is incremented and neither the window nor the lifetime moves.
    pub fn open(&mut self, buf: &mut [u8]) -> Result<Opened, Error> {
        let r = self.open_inner(buf);
        if let Err(e) = r {
            let c = &mut self.counters;
            match e {
                Error::Truncated { .. } | Error::BadLength => c.bad_length += 1,
                Error::WrongSpi { .. } => c.wrong_spi += 1,
                Error::ReplayTooOld { .. } => c.replay_too_old += 1,
                Error::ReplayDuplicate { .. } => c.replay_duplicate += 1,
                Error::AuthenticationFailed => c.auth_failures += 1,
                Error::BadPadding => c.bad_padding += 1,
                Error::HardLifetimeExpired => c.expired += 1,
                _ => {}
            }
        }
        r
    }

    fn open_inner(&mut self, buf: &mut [u8]) -> Result<Opened, Error> {
        let c = &self.core;
        let hdr = c.header_len();
        let min_ct = c.block_len.max(2);
        let need = hdr + min_ct + c.icv_len;
        if buf.len() < need {
            return Err(Error::Truncated {
                need,
                have: buf.len(),
            });
        }
        let p = EspPacket::new_unchecked(&*buf);
        let spi = p.security_parameters_index();
        if spi != c.spi {
            return Err(Error::WrongSpi {
                expected: c.spi,
                got: spi,
            });
        }
        if c.lifetime.hard_expired() {
            return Err(Error::HardLifetimeExpired);
        }
        let seq_low = p.sequence_number();
        let seq = if c.esn {
            let w = match self.window.size() {
                0 => 1 << 31,
                w => w,
            };
            infer_esn(self.window.top(), w, seq_low).ok_or(Error::ReplayTooOld {
                seq: u64::from(seq_low),
            })?
        } else {
            u64::from(seq_low)
        };
        self.window.check(seq)?;
        let ct_len = buf.len() - hdr - c.icv_len;
        if ct_len % c.block_len != 0 {
            return Err(Error::BadLength);
        }
        let (head, rest) = buf.split_at_mut(hdr);
        let (ct, icv) = rest.split_at_mut(ct_len);
        let iv = head.get(HEADER_LEN..).unwrap_or(&[]);
        match &c.protection {
            Protection::Aead(key) => {
                let (aad, aad_len) = c.aad(seq);
                key.open_in_place(iv, aad.get(..aad_len).unwrap_or(&aad), ct, icv)
                    .map_err(|_| Error::AuthenticationFailed)?;
            }
            Protection::Cipher { key, integ } => {
                if let Some(integ) = integ {
                    let hi = ((seq >> 32) as u32).to_be_bytes();
                    let esn_hi: &[u8] = if c.esn { &hi } else { &[] };
                    integ
                        .verify(&[&*head, &*ct, esn_hi], icv)
                        .map_err(|_| Error::AuthenticationFailed)?;
                }
                key.decrypt_in_place(iv, ct).map_err(|_| Error::Crypto)?;
            }
        }
        let (mut payload_len, next_header) = parse_trailer(ct)?;
        if next_header == NEXT_HEADER_NONE {
            payload_len = 0;
            self.counters.dummy_packets += 1;
        } else if c.mode == Mode::Tunnel {
            let inner = inner_ip_len(next_header, ct.get(..payload_len).unwrap_or(&[]))
                .ok_or(Error::BadLength)?;
            if inner > payload_len {
                return Err(Error::BadLength);
            }
            payload_len = inner;
        }
        self.window.update(seq);
        self.counters.packets += 1;
        self.counters.bytes += payload_len as u64;
        self.core
            .lifetime
            .account(self.counters.packets, self.counters.bytes);
        Ok(Opened {
            seq,
            next_header,
            payload: hdr..hdr + payload_len,
        })
    }
}
