//! The crate's error type.

use crate::proposal::ProposalParseError;
use crate::ts::TsError;
use crate::window::WindowError;

/// Errors from configuring or driving the state machine (caller input, not
/// peer input: what a peer sends never produces an `Err`, it becomes a
/// counted drop or an [`crate::events::Event`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A proposal string did not parse.
    #[error("proposal: {0}")]
    Proposal(#[from] ProposalParseError),
    /// A traffic selector did not parse or is inconsistent.
    #[error("traffic selector: {0}")]
    TrafficSelector(#[from] TsError),
    /// An identity string did not parse.
    #[error("identity `{0}`: not an address, FQDN, e-mail address, DN or key ID")]
    Identity(String),
    /// A configuration is incomplete or contradictory.
    #[error("configuration `{name}`: {why}")]
    Config {
        /// Name of the peer or child configuration.
        name: String,
        /// What is wrong.
        why: &'static str,
    },
    /// A request could not be started.
    #[error("message window: {0}")]
    Window(#[from] WindowError),
}
