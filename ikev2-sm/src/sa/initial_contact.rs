//! INITIAL_CONTACT (RFC 7296 §2.4), both roles.
//!
//! Sending: the initiator puts `N(INITIAL_CONTACT)` in IKE_AUTH when the
//! endpoint holds no other established IKE SA for the same peer
//! configuration (decided when the SA is started, kept through
//! INVALID_KE_PAYLOAD and COOKIE restarts).
//!
//! Receiving: once the IKE_AUTH request authenticated, the responder
//! queues [`Event::InitialContact`](crate::events::Event::InitialContact)
//! and the endpoint removes every other IKE SA whose authenticated peer
//! identity is the same (for the same configuration): each of their Child
//! SAs with `Output::RemoveChildSa` and `ChildSaDeleted`, then
//! `IkeSaDeleted { by_peer: true }`; the event's `replaced` says how many.

use ikev2_wire::{NotifyData, NotifyRepr, NotifyType, PayloadBody, PayloadRepr};

/// `N(INITIAL_CONTACT)`.
pub(crate) fn notify() -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(NotifyType::InitialContact, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

/// Whether a (decrypted) IKE_AUTH request carries it.
pub(crate) fn received(payloads: &[PayloadRepr<'_>]) -> bool {
    payloads.iter().any(
        |p| matches!(&p.body, PayloadBody::Notify(n) if n.notify_type == NotifyType::InitialContact),
    )
}
