//! User commands that start exchanges: initiate, create and rekey.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use ikev2_wire::ExchangeType;

use super::{ApiError, Endpoint, SaHandle};
use crate::sa::reauth::AuthChild;
use crate::sa::{self, init, IkeSa, SaRole, State};
use crate::timer::TimerTable;
use crate::window::{RequestWindow, ResponseWindow};

impl Endpoint {
    /// Starts an IKE SA (and its first Child SA, the configuration's first
    /// child) with the peer configuration `peer`, sending from `local` to
    /// `remote`.
    ///
    /// # Errors
    /// [`ApiError`] when the configuration is unknown or unusable.
    pub fn initiate(
        &mut self,
        now: Instant,
        peer: &str,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Result<SaHandle, ApiError> {
        let idx = self
            .peers
            .iter()
            .position(|p| p.name == peer)
            .ok_or_else(|| ApiError::UnknownPeer(peer.to_owned()))?;
        // INITIAL_CONTACT unless an IKE SA with this peer is already up.
        let first_contact = !self.slots.iter().any(|s| {
            s.sa.as_ref()
                .is_some_and(|o| o.peer == idx && matches!(o.state, State::Established(_)))
        });
        let handle = self.initiate_with(now, idx, (local, remote), first_contact, AuthChild::First);
        self.settle_schedule();
        handle
    }

    /// Starts an IKE SA with the peer configuration at `idx` over `path`
    /// (local, remote), with or without INITIAL_CONTACT, IKE_AUTH carrying
    /// `auth_child` (also what a reauthentication starts).
    pub(super) fn initiate_with(
        &mut self,
        now: Instant,
        idx: usize,
        (local, remote): (SocketAddr, SocketAddr),
        first_contact: bool,
        auth_child: AuthChild,
    ) -> Result<SaHandle, ApiError> {
        let name = self.peers.get(idx).map(|p| p.name.clone());
        let cannot = |why| ApiError::CannotInitiate(name.clone().unwrap_or_default(), why);
        let cfg = Arc::clone(self.peers.get(idx).ok_or_else(|| cannot("gone"))?);
        let handle = self.allocate();
        let seed = self.jitter_seed();
        let mut ctx = ctx!(self, now);
        let mut spi_i = ctx.spi().ok_or_else(|| cannot("no randomness"))?;
        while self.by_spi.contains_key(&spi_i) {
            spi_i = ctx.spi().ok_or_else(|| cannot("no randomness"))?;
        }
        let (request, mut st) = init::start(
            &mut ctx,
            spi_i,
            local,
            remote,
            cfg.ike_proposals.clone(),
            0,
            sa::frag::supported_notify(Some(&cfg)),
        )
        .ok_or_else(|| cannot("no key exchange method both configured and provided"))?;
        st.initial_contact = first_contact;
        st.auth_child = auth_child;
        let mut sa = IkeSa {
            handle,
            role: SaRole::Initiator,
            spi_i,
            spi_r: 0,
            local,
            remote,
            init_remote: remote,
            peer: idx,
            state: State::InitSent(Box::new(st)),
            requests: RequestWindow::new(cfg.retransmit, seed),
            responses: ResponseWindow::new(),
            nat_local: false,
            nat_remote: false,
            peer_id: None,
            children: Vec::new(),
            timers: TimerTable::default(),
            expires: None,
            frag: sa::frag::FragState::default(),
            queue: sa::queue::RequestQueue::default(),
            info: sa::info::InfoState::default(),
        };
        sa.send_request(&mut ctx, ExchangeType::IkeSaInit, request);
        ctx.stats.half_open += 1;
        self.by_spi.insert(spi_i, handle.index);
        if let Some(slot) = self.slots.get_mut(handle.index as usize) {
            slot.sa = Some(sa);
        }
        self.reschedule(handle.index);
        Ok(handle)
    }

    /// Creates an additional Child SA of the child configuration `child`
    /// on the established IKE SA `handle` (CREATE_CHILD_SA; queued if
    /// another exchange is in progress). The outcome is reported as
    /// `ChildSaUp` or a `Failed` event.
    ///
    /// # Errors
    /// [`ApiError`] for an unknown SA or child configuration, or an SA not
    /// established.
    pub fn create_child_sa(
        &mut self,
        now: Instant,
        handle: SaHandle,
        child: &str,
    ) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            let known = ctx
                .peers
                .get(sa.peer)
                .is_some_and(|p| p.children.iter().any(|c| c.name == child));
            if !known {
                return Err(ApiError::UnknownChild(child.to_owned()));
            }
            sa::rekey::command(ctx, sa, sa::rekey::Want::NewChild(child.to_owned()))?;
            Ok(((), false))
        })
    }

    /// Rekeys the Child SA whose inbound SPI is `spi_in` now (as its soft
    /// lifetime would).
    ///
    /// # Errors
    /// [`ApiError`] for an unknown SA or Child SA, or an SA not established.
    pub fn rekey_child_sa(
        &mut self,
        now: Instant,
        handle: SaHandle,
        spi_in: u32,
    ) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            if !sa.children.iter().any(|c| c.spi_in == spi_in) {
                return Err(ApiError::UnknownChildSa { spi_in });
            }
            sa::rekey::command(ctx, sa, sa::rekey::Want::RekeyChild(spi_in))?;
            Ok(((), false))
        })
    }

    /// Rekeys the IKE SA now (as its soft lifetime would). When it is done,
    /// `Event::IkeSaRekeyed { new }` names the handle it continues under.
    ///
    /// # Errors
    /// [`ApiError`] for an unknown SA or an SA not established.
    pub fn rekey_ike_sa(&mut self, now: Instant, handle: SaHandle) -> Result<(), ApiError> {
        self.command(now, handle, |ctx, sa| {
            sa::rekey::command(ctx, sa, sa::rekey::Want::RekeyIke)?;
            Ok(((), false))
        })
    }

    /// The data plane reports that the Child SA with inbound SPI `spi_in`
    /// reached a byte or packet limit: soft (`hard == false`: rekey it) or
    /// hard (remove it now and tell the peer). Looks the SA up over all
    /// IKE SAs (linear in their number).
    ///
    /// # Errors
    /// [`ApiError::UnknownChildSa`] if no established IKE SA has it.
    pub fn child_sa_expired(
        &mut self,
        now: Instant,
        spi_in: u32,
        hard: bool,
    ) -> Result<(), ApiError> {
        let handle = self
            .slots
            .iter()
            .filter_map(|s| s.sa.as_ref())
            .find(|sa| sa.children.iter().any(|c| c.spi_in == spi_in))
            .map(|sa| sa.handle)
            .ok_or(ApiError::UnknownChildSa { spi_in })?;
        self.command(now, handle, |ctx, sa| {
            if sa::rekey::child_expired(ctx, sa, spi_in, hard) {
                Ok(((), false))
            } else {
                Err(ApiError::UnknownChildSa { spi_in })
            }
        })
    }
}
