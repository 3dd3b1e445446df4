//! The crate's error type.

use std::fmt;

/// Everything that can go wrong in xfrm-sys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message or structure was shorter than its fixed part says.
    #[error("truncated {what}: need {need} bytes, have {have}")]
    Truncated {
        /// What was being decoded.
        what: &'static str,
        /// Bytes required.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// A length field was inconsistent (too small, or past the buffer).
    #[error("bad length {len} in {what}")]
    BadLength {
        /// What was being decoded.
        what: &'static str,
        /// The offending length.
        len: usize,
    },
    /// An algorithm name was not NUL-terminated inside its 64-byte field, or
    /// was not UTF-8.
    #[error("bad algorithm name")]
    BadAlgorithmName,
    /// The kernel answered a request with an error.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// A reply of an unexpected type (or sequence number) arrived.
    #[error("unexpected netlink message type {0:#x}")]
    UnexpectedMessage(u16),
    /// The caller asked for something the kernel would refuse or that makes no
    /// sense (for example a replay window above the kernel's 4096 cap).
    #[error("invalid request: {0}")]
    Invalid(&'static str),
    /// The socket failed.
    #[error("netlink socket: {0}")]
    Io(#[from] std::io::Error),
}

/// A netlink error answer (`NLMSG_ERROR` with a non-zero code), with the
/// kernel's extended ACK text when it sent one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelError {
    /// The positive errno value (`ENOENT` is 2).
    pub errno: i32,
    /// `NLMSGERR_ATTR_MSG`: the kernel's own explanation, if any.
    pub message: Option<String>,
    /// `NLMSGERR_ATTR_OFFS`: byte offset of the offending attribute in the
    /// request, if the kernel pointed at one.
    pub offset: Option<u32>,
    /// Type of the request the error answers.
    pub request_type: u16,
    /// Sequence number of the request the error answers.
    pub request_seq: u32,
}

impl KernelError {
    /// The errno as an [`std::io::ErrorKind`]-capable error.
    pub fn io_error(&self) -> std::io::Error {
        std::io::Error::from_raw_os_error(self.errno)
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kernel refused request {:#x}: {}",
            self.request_type,
            self.io_error()
        )?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(o) = self.offset {
            write!(f, " (at offset {o})")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}
