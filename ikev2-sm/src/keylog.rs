//! Opt-in export of an IKE SA's keys, so captures of a real exchange can be
//! decrypted by Wireshark or `ikev2-decode` (the IKEv2 counterpart of TLS's
//! `SSLKEYLOGFILE`, as strongSwan's log level 4 and Libreswan's
//! `plutodebug=private` offer).
//!
//! Nothing is exported unless the embedder asks for one SA by handle:
//! [`Endpoint::ike_sa_secrets`]. The secrets zeroize on drop and never
//! `Debug`-print; writing them anywhere is the embedder's decision (the
//! `ikev2-udp` example's `--key-log` writes a Wireshark key table).

use ikev2_crypto::SecretBytes;
use ikev2_wire::{EncrId, IntegId};

use crate::sa::State;
use crate::{Endpoint, SaHandle};

/// The keys protecting one IKE SA's SK payloads (RFC 7296 §2.14) and the
/// transforms they are for.
#[derive(Clone)]
pub struct IkeSaSecrets {
    /// Initiator's SPI.
    pub spi_i: u64,
    /// Responder's SPI.
    pub spi_r: u64,
    /// Encryption transform.
    pub encr: EncrId,
    /// Its Key Length attribute (none for fixed-size ciphers such as
    /// ChaCha20-Poly1305).
    pub key_bits: Option<u16>,
    /// Integrity transform; `None` with an AEAD cipher.
    pub integ: Option<IntegId>,
    /// SK_ei: encryption key (and salt, for AEADs), initiator to responder.
    pub sk_ei: SecretBytes,
    /// SK_er: responder to initiator.
    pub sk_er: SecretBytes,
    /// SK_ai: integrity key, initiator to responder (empty with an AEAD).
    pub sk_ai: SecretBytes,
    /// SK_ar: responder to initiator.
    pub sk_ar: SecretBytes,
}

impl core::fmt::Debug for IkeSaSecrets {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IkeSaSecrets")
            .field("spi_i", &format_args!("{:016x}", self.spi_i))
            .field("spi_r", &format_args!("{:016x}", self.spi_r))
            .field("encr", &self.encr)
            .field("key_bits", &self.key_bits)
            .field("integ", &self.integ)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// The SK_e/SK_a keys of the IKE SA behind `handle`, once IKE_SA_INIT has
    /// derived them (also while IKE_AUTH is in flight, so a failed IKE_AUTH
    /// can still be decrypted); `None` before that or for an unknown handle.
    /// Only for debugging and captures: whoever holds these can read and
    /// forge the SA's IKE messages.
    #[must_use]
    pub fn ike_sa_secrets(&self, handle: SaHandle) -> Option<IkeSaSecrets> {
        let sa = self.get(handle)?;
        let (keys, ike) = match &sa.state {
            State::InitResponded(d) => (&d.keys, &d.ike),
            State::AuthSent(a) => (&a.init.keys, &a.init.ike),
            State::Signing(w) => (&w.init.keys, &w.init.ike),
            State::Established(e) => (&e.keys, &e.ike),
            _ => return None,
        };
        let (encr, key_bits) = ike.encr()?;
        Some(IkeSaSecrets {
            spi_i: sa.spi_i,
            spi_r: sa.spi_r,
            encr,
            key_bits,
            integ: ike.integ(),
            sk_ei: keys.sk.sk_ei.clone(),
            sk_er: keys.sk.sk_er.clone(),
            sk_ai: keys.sk.sk_ai.clone(),
            sk_ar: keys.sk.sk_ar.clone(),
        })
    }
}
