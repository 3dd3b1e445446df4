//! The crate's error type: structured, `Copy`, allocation-free.

use crate::enums::{NotifyType, PayloadType};

/// Which wire structure an [`Error`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// The fixed 28-octet IKE header.
    Header,
    /// A payload (its generic header or body), by type.
    Payload(PayloadType),
    /// A proposal substructure inside an SA payload.
    Proposal,
    /// A transform substructure inside a proposal.
    Transform,
    /// A transform attribute.
    TransformAttribute,
    /// A traffic selector inside TSi/TSr.
    TrafficSelector,
    /// A configuration attribute inside CP.
    CfgAttribute,
    /// The notification data of a Notify payload, by notify type.
    NotifyData(NotifyType),
    /// The UDP payload on port 4500 (RFC 3948 demultiplexing).
    UdpEncapsulation,
    /// A caller-supplied output buffer (emit).
    OutputBuffer,
}

impl core::fmt::Display for Part {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Header => f.write_str("IKE header"),
            Self::Payload(t) => match t.abbreviation() {
                Some(a) => write!(f, "{a} payload"),
                None => write!(f, "payload type {}", t.value()),
            },
            Self::Proposal => f.write_str("proposal"),
            Self::Transform => f.write_str("transform"),
            Self::TransformAttribute => f.write_str("transform attribute"),
            Self::TrafficSelector => f.write_str("traffic selector"),
            Self::CfgAttribute => f.write_str("configuration attribute"),
            Self::NotifyData(t) => write!(f, "{t} notification data"),
            Self::UdpEncapsulation => f.write_str("UDP-encapsulated packet"),
            Self::OutputBuffer => f.write_str("output buffer"),
        }
    }
}

/// Everything that can go wrong decoding or encoding IKEv2 wire data.
///
/// Every variant names the structure ([`Part`]) and the byte offset of that
/// structure from the start of the buffer handed to the parser (the IKE
/// header for a whole message, the decrypted plaintext for an inner chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than the structure needs.
    #[error("{part} at offset {offset} truncated: need {need} bytes, have {have}")]
    Truncated {
        /// The structure.
        part: Part,
        /// Its offset.
        offset: usize,
        /// Bytes it needs.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// A length field smaller than the structure's own header, or larger than its container.
    #[error("{part} at offset {offset}: length field {len} invalid (allowed {min}..={max})")]
    BadLength {
        /// The structure.
        part: Part,
        /// Its offset.
        offset: usize,
        /// The length field's value.
        len: usize,
        /// Smallest valid value.
        min: usize,
        /// Largest valid value (what the container leaves).
        max: usize,
    },
    /// A structure whose body must have a fixed size has another.
    #[error("{part} at offset {offset}: size {actual}, expected {expected}")]
    WrongSize {
        /// The structure.
        part: Part,
        /// Its offset.
        offset: usize,
        /// Size required.
        expected: usize,
        /// Size found.
        actual: usize,
    },
    /// More elements than the documented limit (or than a count field announced).
    #[error("{part} at offset {offset}: more than {limit} elements")]
    TooMany {
        /// The structure being counted.
        part: Part,
        /// Offset of the first excess element.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// Bytes left over inside a container after its last element.
    #[error("{part} at offset {offset}: {len} trailing bytes")]
    TrailingData {
        /// The container.
        part: Part,
        /// Offset of the first trailing byte.
        offset: usize,
        /// Number of trailing bytes.
        len: usize,
    },
    /// A field holds a value the encoding forbids (e.g. a wrong "last substructure" marker).
    #[error("{part} at offset {offset}: invalid {field}")]
    InvalidField {
        /// The structure.
        part: Part,
        /// Its offset.
        offset: usize,
        /// The field's name.
        field: &'static str,
    },
    /// A payload with the critical bit set whose type this crate does not know.
    /// The state machine answers with `UNSUPPORTED_CRITICAL_PAYLOAD` carrying `payload`.
    #[error("unsupported critical payload type {} at offset {offset}", payload.value())]
    UnsupportedCriticalPayload {
        /// The unknown payload type.
        payload: PayloadType,
        /// Its offset.
        offset: usize,
    },
    /// The IKE header's major version is not 2 (answer with `INVALID_MAJOR_VERSION`).
    #[error("unsupported IKE major version {major}")]
    UnsupportedVersion {
        /// The major version found.
        major: u8,
    },
}

impl Error {
    /// The notify type RFC 7296 says to answer this error with, if any.
    #[must_use]
    pub const fn notify_type(&self) -> NotifyType {
        match self {
            Self::UnsupportedCriticalPayload { .. } => NotifyType::UnsupportedCriticalPayload,
            Self::UnsupportedVersion { .. } => NotifyType::InvalidMajorVersion,
            _ => NotifyType::InvalidSyntax,
        }
    }
}
