//! How each side authenticates: pre-shared keys and certificates
//! (our chain and signer, the CAs a peer's chain must reach).

use core::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

/// A pre-shared key; zeroized on drop, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk(Zeroizing<Vec<u8>>);

impl Psk {
    /// Wraps the secret.
    #[must_use]
    pub fn new(secret: Vec<u8>) -> Self {
        Self(Zeroizing::new(secret))
    }
    /// The secret bytes (for the AUTH computation).
    #[must_use]
    pub fn secret(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk(<{} bytes redacted>)", self.0.len())
    }
}

/// How one side authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// Shared Key Message Integrity Code.
    Psk(Psk),
    /// A certificate held by the embedder's credential store, named by this
    /// reference (a label, file name or HSM handle). Not resolved here: use
    /// [`Auth::Signature`] and [`Auth::TrustedCa`], which carry the
    /// certificates and key themselves.
    Certificate(String),
    /// Local side: RFC 7427 digital signature (AUTH method 14, or the legacy
    /// method of the key type when the peer announced no
    /// SIGNATURE_HASH_ALGORITHMS) with this certificate chain and key.
    Signature(CertCredential),
    /// Remote side: the peer signs, and its certificate must chain to one of
    /// these CAs and name its IDi/IDr (RFC 4945).
    TrustedCa(CertTrust),
}

/// Our certificate chain and the key that signs with it.
#[derive(Clone)]
pub struct CertCredential {
    /// DER certificates, end entity first, then intermediates.
    pub chain: Vec<Vec<u8>>,
    /// The root CA the chain ends at (DER, never sent), so that a peer's
    /// CERTREQ naming it selects this chain.
    pub root: Option<Vec<u8>>,
    /// The private key (software, or an HSM that signs at once).
    pub signer: std::sync::Arc<dyn ikev2_crypto::auth::AuthSigner>,
    /// Hashes to sign with and RSASSA-PSS (default) versus PKCS#1 v1.5.
    pub prefs: ikev2_crypto::auth::SchemePreferences,
}

impl CertCredential {
    /// A chain (end entity first) with its key and default preferences.
    #[must_use]
    pub fn new(
        chain: Vec<Vec<u8>>,
        signer: std::sync::Arc<dyn ikev2_crypto::auth::AuthSigner>,
    ) -> Self {
        Self {
            chain,
            root: None,
            signer,
            prefs: ikev2_crypto::auth::SchemePreferences::default(),
        }
    }
}

impl fmt::Debug for CertCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertCredential")
            .field("chain_len", &self.chain.len())
            .field("prefs", &self.prefs)
            .finish_non_exhaustive()
    }
}

impl PartialEq for CertCredential {
    fn eq(&self, other: &Self) -> bool {
        self.chain == other.chain
            && self.root == other.root
            && self.prefs == other.prefs
            && std::sync::Arc::ptr_eq(&self.signer, &other.signer)
    }
}

impl Eq for CertCredential {}

/// What a peer's certificate must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertTrust {
    /// Trust anchors (DER CA certificates); also what our CERTREQ names.
    pub ca_certs: Vec<Vec<u8>>,
    /// Extended Key Usage policy for the peer's end-entity certificate.
    pub eku: ikev2_crypto::cert::EkuPolicy,
    /// The wall clock for validity checks, passed in like all time: the
    /// time since the Unix epoch at one `Instant`; validation runs at
    /// `unix + (now - instant)`. Without it every certificate is refused
    /// ([`AuthFailure::NoWallClock`](crate::events::AuthFailure::NoWallClock)).
    pub clock: Option<(std::time::Instant, Duration)>,
}

impl CertTrust {
    /// Trust these CAs (DER), EKU not checked (RFC 4945, strongSwan).
    #[must_use]
    pub fn new(ca_certs: Vec<Vec<u8>>) -> Self {
        Self {
            ca_certs,
            eku: ikev2_crypto::cert::EkuPolicy::Any,
            clock: None,
        }
    }

    /// Sets the wall clock: `unix` since the epoch at `at`.
    #[must_use]
    pub fn with_clock(mut self, at: std::time::Instant, unix: Duration) -> Self {
        self.clock = Some((at, unix));
        self
    }
}

impl Auth {
    /// PSK authentication.
    #[must_use]
    pub fn psk(secret: Vec<u8>) -> Self {
        Self::Psk(Psk::new(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_is_redacted() {
        let a = Auth::psk(b"secret!".to_vec());
        let shown = format!("{a:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("7 bytes redacted"));
    }
}
