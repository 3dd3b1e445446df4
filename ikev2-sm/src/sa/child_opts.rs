//! Options of the first Child SA negotiated in IKE_AUTH: USE_TRANSPORT_MODE
//! (RFC 7296 §1.3.1) and childless IKE SAs (RFC 6023).
//!
//! Transport mode: the initiator asks with `N(USE_TRANSPORT_MODE)` when its
//! child is configured [`Mode::Transport`]; the responder accepts (echoes
//! the notify) only when the child configuration it selected is transport
//! too, and otherwise answers in tunnel mode, which the initiator then
//! installs: the mode in [`ChildSaInstall`](crate::ChildSaInstall) is always
//! what both sides agreed on.
//!
//! Childless: both sides announce `N(CHILDLESS_IKEV2_SUPPORTED)` in
//! IKE_SA_INIT. An initiator whose configuration has no child, or is
//! [`PeerConfig::childless`] and talks to a peer that announced support,
//! sends IKE_AUTH without SA and TS; a responder accepts that as an IKE SA
//! without Child SA.

use ikev2_wire::{MessageRepr, NotifyData, NotifyRepr, NotifyType, PayloadBody, PayloadRepr};

use crate::config::{ChildConfig, Mode, PeerConfig};

fn notify(ty: NotifyType) -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(ty, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

fn has(payloads: &[PayloadRepr<'_>], ty: NotifyType) -> bool {
    payloads
        .iter()
        .any(|p| matches!(&p.body, PayloadBody::Notify(n) if n.notify_type == ty))
}

/// Initiator: the notifies that go before SA in the IKE_AUTH request.
pub(crate) fn request_notifies(child: &ChildConfig) -> Option<PayloadRepr<'static>> {
    (child.mode == Mode::Transport)
        .then(|| notify(NotifyType::UseTransportMode))
        .flatten()
}

/// Responder: the mode for `child` given the request; `Some(notify)` to
/// put in the response when transport mode is accepted.
pub(crate) fn responder_mode(
    child: &ChildConfig,
    request: &[PayloadRepr<'_>],
) -> (Mode, Option<PayloadRepr<'static>>) {
    if child.mode == Mode::Transport && has(request, NotifyType::UseTransportMode) {
        (Mode::Transport, notify(NotifyType::UseTransportMode))
    } else {
        (Mode::Tunnel, None)
    }
}

/// Initiator: the mode the responder agreed to.
pub(crate) fn initiator_mode(child: &ChildConfig, response: &[PayloadRepr<'_>]) -> Mode {
    if child.mode == Mode::Transport && has(response, NotifyType::UseTransportMode) {
        Mode::Transport
    } else {
        Mode::Tunnel
    }
}

/// `N(CHILDLESS_IKEV2_SUPPORTED)` for IKE_SA_INIT (both roles).
pub(crate) fn childless_supported() -> Option<PayloadRepr<'static>> {
    notify(NotifyType::ChildlessIkev2Supported)
}

/// Initiator: whether IKE_AUTH goes without a Child SA: no child
/// configured, or `childless` asked for and the peer supports it
/// (`peer_init`: the responder's IKE_SA_INIT message).
pub(crate) fn skip_child(peer: &PeerConfig, peer_init: &[u8]) -> bool {
    peer.children.is_empty()
        || (peer.childless
            && MessageRepr::parse(peer_init)
                .is_ok_and(|m| has(&m.payloads, NotifyType::ChildlessIkev2Supported)))
}
