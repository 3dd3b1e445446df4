//! The crate's error type.

use crate::capture::CaptureError;
use crate::keys::KeyFileError;

/// Everything the example programs can fail on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The capture file could not be read.
    #[error("capture: {0}")]
    Capture(#[from] CaptureError),
    /// A key file could not be read.
    #[error("key file: {0}")]
    KeyFile(#[from] KeyFileError),
    /// An I/O error reading a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
