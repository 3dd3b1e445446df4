//! Child SAs: KEYMAT and install (shared by IKE_AUTH and CREATE_CHILD_SA),
//! and CREATE_CHILD_SA for a new Child SA or a Child SA rekey, both roles
//! (RFC 7296 §1.3.1, §1.3.3, §2.8, §2.17).
//!
//! Make-before-break, in the order the embedder sees it:
//! - rekey initiator: on the response, [`Output::InstallChildSa`] (new),
//!   [`Event::ChildSaRekeyed`] (switch outbound now), a Delete for the old
//!   SA, and after the Delete's response plus the overlap,
//!   [`Output::RemoveChildSa`] (old);
//! - rekey responder: `InstallChildSa` (new) before the response is sent,
//!   but it keeps sending on the old SA (the initiator may not have the new
//!   one yet) until the peer's Delete of the old SA arrives: then
//!   `ChildSaRekeyed` (switch) and, after the overlap, `RemoveChildSa` (old).
//!
//! [`Output::InstallChildSa`]: crate::Output::InstallChildSa
//! [`Output::RemoveChildSa`]: crate::Output::RemoveChildSa
//! [`Event::ChildSaRekeyed`]: crate::events::Event::ChildSaRekeyed

use std::net::IpAddr;
use std::time::Instant;

use ikev2_crypto::keys::ChildSaKeys;
use ikev2_crypto::SupportedEncr;
use ikev2_wire::{KeId, NotifyData, NotifyRepr, NotifyType, PayloadBody, PayloadRepr, ProtocolId};

use super::{ChildSa, Ctx, IkeSa, Keys};
use crate::config::ChildConfig;
use crate::endpoint::{ChildSaInstall, ChildSaRemove, Output};
use crate::proposal::{Proposal, Selected};
use crate::ts::TrafficSelector;
use crate::wire::{proposals_from_sa, selectors_from_ts};

/// Nonce length we send.
pub(crate) use super::init::NONCE_LEN;

mod initiator;
mod responder;

pub(crate) use initiator::{on_response, retry_jitter, start, CreateSent, Next};
pub(crate) use responder::{negotiate_child, respond, Answer};

/// Where a Child SA is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Carries our outbound traffic.
    Active,
    /// Active, and our rekey of it is outstanding. `collision` is set when
    /// the peer rekeyed it meanwhile (RFC 7296 §2.8.1).
    Rekeying { collision: Option<Box<Collision>> },
    /// Installed as responder to the peer's rekey of `old_spi_in`; outbound
    /// switches to it when the peer deletes the old SA.
    Standby { old_spi_in: u32 },
    /// Replaced by a rekey and no longer sent on; the inbound SA stays until
    /// `remove_at` (`None`: its Delete exchange is still running).
    Retiring { remove_at: Option<Instant> },
    /// Never used for outbound: the redundant SA of a collision or one being
    /// deleted; removed when its Delete exchange completes.
    Redundant,
}

/// The SA the peer's rekey created while ours was outstanding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Collision {
    /// Our inbound SPI of the SA the peer's rekey created.
    pub(crate) spi_in: u32,
    /// The lowest nonce of the peer's exchange.
    pub(crate) low: Vec<u8>,
}
/// The payloads of a CREATE_CHILD_SA message.
#[derive(Default)]
pub(crate) struct CcPayloads {
    pub(crate) sa: Option<Vec<Proposal>>,
    pub(crate) nonce: Option<Vec<u8>>,
    pub(crate) ke: Option<(KeId, Vec<u8>)>,
    pub(crate) tsi: Option<Vec<TrafficSelector>>,
    pub(crate) tsr: Option<Vec<TrafficSelector>>,
    /// REKEY_SA: protocol and SPI of the SA being rekeyed.
    pub(crate) rekey: Option<(ProtocolId, Vec<u8>)>,
    pub(crate) transport: bool,
    pub(crate) invalid_ke: Option<KeId>,
    pub(crate) error: Option<NotifyType>,
}

pub(crate) fn scan(payloads: &[PayloadRepr<'_>]) -> CcPayloads {
    let mut p = CcPayloads::default();
    for pl in payloads {
        match &pl.body {
            PayloadBody::Sa(sa) if p.sa.is_none() => p.sa = Some(proposals_from_sa(sa)),
            PayloadBody::Nonce(n) if p.nonce.is_none() => p.nonce = Some(n.data.to_vec()),
            PayloadBody::Ke(k) if p.ke.is_none() => p.ke = Some((k.group, k.data.to_vec())),
            PayloadBody::TsI(ts) => p.tsi = Some(selectors_from_ts(ts)),
            PayloadBody::TsR(ts) => p.tsr = Some(selectors_from_ts(ts)),
            PayloadBody::Notify(n) => match n.notify_type {
                NotifyType::RekeySa => p.rekey = Some((n.protocol_id, n.spi.to_vec())),
                NotifyType::UseTransportMode => p.transport = true,
                NotifyType::InvalidKePayload => {
                    if let Ok(NotifyData::InvalidKePayload(g)) = n.data() {
                        p.invalid_ke = Some(g);
                    }
                }
                t if t.is_error() && p.error.is_none() => p.error = Some(t),
                _ => {}
            },
            _ => {}
        }
    }
    p
}

pub(crate) fn notify(ty: NotifyType) -> Option<PayloadRepr<'static>> {
    NotifyRepr::new(ty, &NotifyData::None)
        .ok()
        .map(PayloadRepr::from)
}

pub(crate) fn host(addr: std::net::SocketAddr) -> Option<IpAddr> {
    Some(addr.ip())
}

/// A random inbound SPI (not 0-255, reserved by RFC 4303 §2.1).
pub(crate) fn child_spi(ctx: &Ctx<'_>) -> Option<u32> {
    for _ in 0..16 {
        let b = ctx.random(4)?;
        let v = u32::from_be_bytes(b.try_into().ok()?);
        if v > 255 {
            return Some(v);
        }
    }
    None
}

/// A uniformly random `u64` from the endpoint's source (0 if it fails).
pub(crate) fn random_u64(ctx: &Ctx<'_>) -> u64 {
    ctx.random(8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_be_bytes)
}

/// What [`install`] needs: the negotiated SA and its keying inputs.
pub(crate) struct NewChild<'a> {
    pub(crate) cfg: &'a ChildConfig,
    pub(crate) esp: &'a Selected,
    pub(crate) spi_in: u32,
    pub(crate) spi_out: u32,
    pub(crate) local_ts: Vec<TrafficSelector>,
    pub(crate) remote_ts: Vec<TrafficSelector>,
    pub(crate) ni: &'a [u8],
    pub(crate) nr: &'a [u8],
    /// We sent the request of the exchange that creates it. KEYMAT's
    /// "initiator to responder" keys (RFC 7296 §2.17) follow the roles in
    /// that exchange, not in IKE_SA_INIT: when the IKE SA's responder
    /// creates or rekeys a Child SA, it takes the initiator's keys for its
    /// outbound SA.
    pub(crate) requester: bool,
    /// g^ir of a PFS key exchange.
    pub(crate) shared: Option<&'a [u8]>,
    pub(crate) status: Status,
}

/// `KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr)` (RFC 7296 §2.17), the Child SA
/// record with its jittered lifetimes, and the install output.
pub(crate) fn install(
    ctx: &mut Ctx<'_>,
    sa: &mut IkeSa,
    keys: &Keys,
    c: NewChild<'_>,
) -> Option<()> {
    let (encr_id, bits) = c.esp.encr()?;
    let encr = ctx.provider.encr(encr_id, bits)?;
    let integ = match encr {
        SupportedEncr::Aead(_) => None,
        _ => c.esp.integ().and_then(|i| ctx.provider.integ(i)),
    };
    let integ_len = integ.map_or(0, |i| i.key_len());
    let shared: Vec<&[u8]> = c.shared.into_iter().collect();
    let k = ChildSaKeys::derive(
        keys.prf,
        keys.sk.sk_d.as_bytes(),
        &shared,
        c.ni,
        c.nr,
        encr.keymat_len(),
        integ_len,
    )
    .ok()?;
    let (out_e, out_a, in_e, in_a) = if c.requester {
        (k.encr_i, k.integ_i, k.encr_r, k.integ_r)
    } else {
        (k.encr_r, k.integ_r, k.encr_i, k.integ_i)
    };
    let life = c.cfg.lifetimes;
    let jitter = random_u64(ctx);
    sa.children.push(ChildSa {
        name: c.cfg.name.clone(),
        spi_in: c.spi_in,
        spi_out: c.spi_out,
        mode: c.cfg.mode,
        local_ts: c.local_ts.clone(),
        remote_ts: c.remote_ts.clone(),
        status: c.status,
        rekey_at: ctx.now.checked_add(life.rekey_after(jitter)),
        expire_at: ctx.now.checked_add(life.life_time),
    });
    ctx.out
        .push_back(Output::InstallChildSa(Box::new(ChildSaInstall {
            sa: sa.handle,
            name: c.cfg.name.clone(),
            mode: c.cfg.mode,
            spi_in: c.spi_in,
            spi_out: c.spi_out,
            encr: (encr_id, bits),
            integ: c.esp.integ(),
            esn: c.esp.esn(),
            encr_key_in: in_e,
            integ_key_in: in_a,
            encr_key_out: out_e,
            integ_key_out: out_a,
            local_ts: c.local_ts,
            remote_ts: c.remote_ts,
            local: sa.local,
            remote: sa.remote,
            udp_encap: sa.nat_local || sa.nat_remote || sa.local.port() == super::init::NAT_T_PORT,
            limits: c.cfg.limits,
        })));
    super::rekey::rearm(sa);
    Some(())
}

/// Removes the Child SA with inbound SPI `spi_in` from the data plane and
/// the record. Returns it.
pub(crate) fn remove(ctx: &mut Ctx<'_>, sa: &mut IkeSa, spi_in: u32) -> Option<ChildSa> {
    let i = sa.children.iter().position(|c| c.spi_in == spi_in)?;
    let c = sa.children.remove(i);
    ctx.out
        .push_back(Output::RemoveChildSa(Box::new(ChildSaRemove {
            sa: sa.handle,
            name: c.name.clone(),
            spi_in: c.spi_in,
            spi_out: c.spi_out,
        })));
    super::rekey::rearm(sa);
    Some(c)
}

/// The SA payload's SPI as a Child SA SPI.
fn spi_of(p: &Proposal) -> Option<u32> {
    p.spi.as_slice().try_into().ok().map(u32::from_be_bytes)
}

/// A PFS group other than NONE.
fn pfs(g: Option<KeId>) -> Option<KeId> {
    g.filter(|g| *g != KeId::None)
}
