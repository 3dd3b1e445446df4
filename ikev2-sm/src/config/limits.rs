//! Protection limits of the IKE layer: half-open SAs, COOKIE secrets and
//! IKE fragmentation (RFC 7383).

use std::time::Duration;

/// Limits on IKE SAs that are not yet established.
///
/// The COOKIE and refusal thresholds are endpoint-wide (the peer
/// configuration is not known when IKE_SA_INIT arrives): they are read from
/// [`EndpointConfig::half_open`](crate::EndpointConfig::half_open). The
/// timeout is read from each [`PeerConfig::half_open`](super::PeerConfig::half_open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfOpenLimits {
    /// Require a COOKIE (RFC 7296 §2.6) while at least this many IKE SAs we
    /// answered are half-open: 0 = always, `u32::MAX` = never.
    /// strongSwan's `cookie_threshold` (10 here, its historical default;
    /// strongSwan's 0 means never).
    pub cookie_threshold: u32,
    /// At or above this many half-open responder SAs, drop new
    /// IKE_SA_INIT requests outright (0 = no limit; strongSwan's
    /// `init_limit_half_open`).
    pub max_half_open: u32,
    /// A half-open SA is dropped after this long (`half_open_timeout`, 30 s).
    pub timeout: Duration,
}

impl Default for HalfOpenLimits {
    fn default() -> Self {
        Self {
            cookie_threshold: 10,
            max_half_open: 0,
            timeout: Duration::from_secs(30),
        }
    }
}

/// How the responder's COOKIE secret is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieSecrets {
    /// A new random secret after this long (checked when a cookie is made
    /// or verified).
    pub rotate_every: Duration,
    /// After a rotation, cookies made with the previous secret still verify
    /// for this long (an initiator's round trip plus its retransmissions).
    pub grace: Duration,
}

impl Default for CookieSecrets {
    /// A new secret every 2 minutes, the previous one honoured for 10 s.
    fn default() -> Self {
        Self {
            rotate_every: Duration::from_secs(120),
            grace: Duration::from_secs(10),
        }
    }
}

/// Smallest `fragment_size` accepted: IPv6 and UDP headers, the non-ESP
/// marker, the IKE and SKF headers, a 16-octet IV, ICV and padding block
/// take 136 octets; this leaves room for data.
pub const MIN_FRAGMENT_SIZE: u16 = 200;

/// Largest `max_message`: a reassembled message must fit one SK payload.
pub const MAX_REASSEMBLED: usize = 65_000;

/// IKE fragmentation (RFC 7383) settings, with strongSwan's names and
/// defaults where it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragmentConfig {
    /// Announce IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT and fragment
    /// when the peer announced it too (strongSwan `fragmentation = yes`,
    /// the default).
    pub enabled: bool,
    /// Largest IP datagram a fragment may fill (strongSwan's
    /// `charon.fragment_size`, 1280): the IKE message in it is this minus
    /// the IP (20 or 40 octets) and UDP (8) headers and the non-ESP marker
    /// (4, on port 4500). Encrypted messages larger than that are split.
    pub fragment_size: u16,
    /// Fragments accepted in one message; a set announcing more is refused.
    pub max_fragments: u16,
    /// Largest reassembled message, in octets (strongSwan's
    /// `charon.max_packet`, 10000).
    pub max_message: usize,
    /// An incomplete fragment set is discarded this long after its first
    /// fragment arrived (the peer's retransmission refills it).
    pub reassembly_timeout: Duration,
    /// After this many retransmissions of a request without an answer, the
    /// rest are sent in fragments of the size every path must carry (576
    /// octets over IPv4, 1280 over IPv6), a simple form of RFC 7383 §2.5.2
    /// path-MTU discovery; 0 turns it off.
    pub pmtu_fallback_after: u32,
}

impl Default for FragmentConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            fragment_size: 1280,
            max_fragments: 64,
            max_message: 10_000,
            reassembly_timeout: Duration::from_secs(30),
            pmtu_fallback_after: 2,
        }
    }
}
