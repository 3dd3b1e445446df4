//! Requests that pass the integrity check but are malformed (RFC 7296
//! §3.10.1 INVALID_SYNTAX): the inner payload chain does not parse, or an
//! exchange lacks a payload it requires. Only the peer holding the SA's
//! keys can send one, so it is answered, with INVALID_SYNTAX, in a
//! protected response (the message ID is used up, the answer cached for a
//! retransmission), reported as [`Failure::Malformed`] and counted; no
//! state changes otherwise. A message that fails the integrity check is
//! still dropped silently (it may be forged).

use ikev2_crypto::sk::decrypt_sk;
use ikev2_wire::{
    parse_inner_chain, ExchangeType, NotifyData, NotifyRepr, NotifyType, PayloadRepr, PayloadType,
};

use super::{Ctx, IkeSa, Keys};
use crate::events::Failure;

/// What opening a request's SK payload found.
pub(crate) enum Opened {
    /// The inner payloads.
    Payloads(Vec<PayloadRepr<'static>>),
    /// Failed the integrity check (or not an SK message): drop silently.
    Forged,
    /// Authenticated, but the inner chain does not parse.
    Malformed,
}

/// Decrypts the SK payload of `bytes` and parses the inner chain,
/// telling a forged message from an authenticated malformed one.
pub(crate) fn open(keys: &Keys, bytes: &[u8]) -> Opened {
    let Ok((first, plain)) = decrypt_sk(bytes, &keys.inb) else {
        return Opened::Forged;
    };
    match parse_inner_chain(PayloadType::from(first), &plain) {
        Ok(chain) => Opened::Payloads(chain.into_iter().map(PayloadRepr::into_owned).collect()),
        Err(_) => Opened::Malformed,
    }
}

/// The INVALID_SYNTAX notify payload.
pub(crate) fn invalid_syntax() -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(NotifyType::InvalidSyntax, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

/// Answers the authenticated, malformed request `message_id` of
/// `exchange` with INVALID_SYNTAX (protected with `keys`) and reports it.
pub(crate) fn answer(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    keys: &Keys,
    exchange: ExchangeType,
    message_id: u32,
    detail: &'static str,
) {
    let bytes =
        invalid_syntax().and_then(|n| sa.protect(ctx, keys, exchange, true, message_id, &[n]));
    match bytes {
        Some(b) => sa.respond(ctx, message_id, exchange, b),
        None => sa.responses.abandon(message_id),
    }
    report(ctx, sa, exchange, detail);
}

/// Records [`Failure::Malformed`] for `sa` (the SA itself is unaffected).
pub(crate) fn report(ctx: &mut Ctx<'_>, sa: &IkeSa, exchange: ExchangeType, detail: &'static str) {
    let name = ctx.peers.get(sa.peer).map(|p| p.name.clone());
    ctx.fail(
        Some(sa.handle),
        sa.remote,
        name,
        Failure::Malformed { exchange, detail },
    );
}
