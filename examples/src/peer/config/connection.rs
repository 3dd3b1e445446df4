//! One `[connections.<name>]` section and its children, mapped onto the
//! state machine's [`PeerConfig`] and [`ChildConfig`].

use std::net::IpAddr;

use ikev2_sm::config::{Auth, ChildConfig, DataLimits, Identity, Lifetimes, Mode, PeerConfig};
use toml::Spanned;

use super::credentials::find_psk;
use super::schema::{OneOrMany, RawChild, RawConnection};
use super::{supported, Connection, Cx, KeyFile, Secret, StartAction, R};

impl Cx<'_> {
    pub(super) fn connection(
        &self,
        name: &Spanned<String>,
        conn: &Spanned<RawConnection>,
        secrets: &[Secret],
        keys: &[KeyFile],
    ) -> R<Connection> {
        let c = conn.get_ref();
        let n = name.get_ref();
        if let Some(v) = &c.version {
            match v.get_ref() {
                0 | 2 => {}
                1 => return Err(self.at(v, "version 1 (IKEv1) is not supported: use 2")),
                _ => return Err(self.at(v, "version: expected 0 (any) or 2")),
            }
        }
        let local_addrs = match &c.local_addrs {
            None => {
                return Err(self.at(
                    name,
                    format!("connections.{n}: local_addrs is required (the addresses to bind)"),
                ))
            }
            Some(l) => self.addrs(l, "local_addrs", false)?,
        };
        let remote_addrs = match &c.remote_addrs {
            None => Vec::new(),
            Some(l) => self.addrs(l, "remote_addrs", true)?,
        };
        let local = c.local.as_ref().ok_or_else(|| {
            self.at(
                name,
                format!("connections.{n}: a `local` section is required"),
            )
        })?;
        let remote = c.remote.as_ref().ok_or_else(|| {
            self.at(
                name,
                format!("connections.{n}: a `remote` section is required"),
            )
        })?;
        let local_id = match &local.get_ref().id {
            Some(id) => {
                Identity::parse(id.get_ref()).map_err(|e| self.at(id, format!("local.id: {e}")))?
            }
            None => match local_addrs.first() {
                Some(a) => Identity::Addr(*a),
                None => return Err(self.at(local, "local.id is required")),
            },
        };
        if local_id == Identity::Any {
            return Err(self.at(local, "local.id cannot be %any"));
        }
        let remote_id = match &remote.get_ref().id {
            Some(id) => {
                Identity::parse(id.get_ref()).map_err(|e| self.at(id, format!("remote.id: {e}")))?
            }
            None => Identity::Any,
        };
        let local_auth = self.auth_method(local.get_ref().auth.as_ref(), local, "local.auth")?;
        let remote_auth =
            self.auth_method(remote.get_ref().auth.as_ref(), remote, "remote.auth")?;
        if local_auth != remote_auth {
            return Err(self.at(
                remote,
                "local.auth and remote.auth differ: mixed psk/pubkey is not supported yet",
            ));
        }
        let (la, ra) = if local_auth == "pubkey" && supported::PUBKEY {
            self.pubkey_auth(local, remote, keys)?
        } else {
            let given = [
                (&local.get_ref().certs, "local.certs"),
                (&remote.get_ref().cacerts, "remote.cacerts"),
            ];
            for (certs, key) in given {
                if let Some(c) = certs.as_ref().filter(|c| !c.get_ref().items().is_empty()) {
                    return Err(self.at(c, format!("{key} given with auth = psk")));
                }
            }
            let psk = find_psk(secrets, &local_id, &remote_id).ok_or_else(|| {
                self.at(
                    local,
                    format!(
                        "no secret in [secrets] for local id `{local_id}` and remote id `{remote_id}` (auth = psk)"
                    ),
                )
            })?;
            (Auth::psk(psk.clone()), Auth::psk(psk))
        };
        let mut peer = PeerConfig::new(n, local_id, remote_id).with_auth(la, ra);
        if let Some(p) = &c.proposals {
            let joined = p.get_ref().items().join(",");
            peer = peer
                .with_ike_proposals(&joined)
                .map_err(|e| self.at(p, format!("proposals: {e}")))?;
        }
        peer = peer.with_force_encap(c.encap.unwrap_or(false));
        if let Some(f) = &c.fragmentation {
            let mut frag = peer.fragmentation;
            frag.enabled = match f.get_ref().as_str() {
                "yes" | "accept" => true,
                "no" => false,
                other => {
                    return Err(self.at(
                        f,
                        format!("fragmentation: `{other}` is not one of yes, accept, no"),
                    ))
                }
            };
            peer = peer.with_fragmentation(frag);
        }
        if let Some(r) = &c.rekey_time {
            let t = self.duration(r, "rekey_time")?;
            if !supported::IKE_REKEY {
                return Err(self.not_supported(r, "rekey_time (IKE SA rekeying)"));
            }
            peer.lifetimes = Lifetimes::from_rekey(t);
        }
        if let Some(o) = &c.over_time {
            let over = self.duration(o, "over_time")?;
            if !supported::IKE_REKEY {
                return Err(self.not_supported(o, "over_time (IKE SA lifetime)"));
            }
            // strongSwan: the IKE SA is deleted `over_time` after `rekey_time`.
            peer.lifetimes.life_time = peer.lifetimes.rekey_time.saturating_add(over);
            peer.lifetimes.rand_time = peer.lifetimes.rand_time.min(over);
        }
        if let Some(r) = &c.reauth_time {
            // Reauthentication (make-before-break) instead of, or besides,
            // the IKE rekey; `0s` turns it off as in strongSwan.
            let t = self.duration(r, "reauth_time")?;
            if !t.is_zero() {
                // strongSwan jitters it by rand_time; without a rand_time key
                // here, at most a tenth of it (so a short reauth_time works).
                peer.lifetimes.rand_time = peer.lifetimes.rand_time.min(t / 10);
            }
            peer = peer.with_reauth_time(t);
        }
        if let Some(d) = &c.dpd_delay {
            let t = self.duration(d, "dpd_delay")?;
            if !supported::DPD {
                return Err(self.not_supported(d, "dpd_delay (dead peer detection)"));
            }
            peer = peer.with_dpd_delay(t);
        }
        if c.children.is_empty() {
            return Err(self.at(name, format!("connections.{n}: no children defined")));
        }
        if c.children.len() > 1 && !supported::MANY_CHILDREN {
            if let Some((second, _)) = c.children.iter().nth(1) {
                return Err(self.at(second, "a second child per connection is not supported yet (needs CREATE_CHILD_SA); one child per connection"));
            }
        }
        let mut start_action = StartAction::None;
        let mut child_actions = Vec::new();
        // File order, as swanctl keeps it: the first child goes in IKE_AUTH.
        let mut children: Vec<_> = c.children.iter().collect();
        children.sort_by_key(|(name, _)| name.span().start);
        for (cname, child) in children {
            let (cfg, action) = self.child(cname, child)?;
            if start_action == StartAction::None {
                start_action = action;
            }
            child_actions.push((cname.get_ref().clone(), action));
            peer = peer.with_child(cfg);
        }
        if start_action != StartAction::None && remote_addrs.is_empty() {
            return Err(self.at(
                name,
                format!("connections.{n}: start_action needs remote_addrs to initiate to"),
            ));
        }
        peer.validate()
            .map_err(|e| self.at(conn, format!("connections.{n}: {e}")))?;
        Ok(Connection {
            name: n.clone(),
            local_addrs,
            remote_addrs,
            remote_port: c.remote_port.unwrap_or(500),
            remote_port_nat_t: c.remote_port_nat_t.unwrap_or(4500),
            peer,
            start_action,
            child_actions,
        })
    }

    pub(super) fn auth_method<T>(
        &self,
        v: Option<&Spanned<String>>,
        section: &Spanned<T>,
        key: &str,
    ) -> R<&'static str> {
        let Some(v) = v else {
            return Err(self.at(section, format!("{key} is required (psk or pubkey)")));
        };
        match v.get_ref().as_str() {
            "psk" => Ok("psk"),
            "pubkey" => Ok("pubkey"),
            other => Err(self.at(v, format!("{key}: `{other}` is not one of psk, pubkey"))),
        }
    }

    pub(super) fn addrs(&self, l: &Spanned<OneOrMany>, key: &str, any_ok: bool) -> R<Vec<IpAddr>> {
        let mut out = Vec::new();
        for a in l.get_ref().items() {
            if a == "%any" && any_ok {
                continue;
            }
            let ip = a.parse::<IpAddr>().map_err(|_| {
                self.at(
                    l,
                    format!(
                        "{key}: `{a}` is not an IP address{}",
                        if any_ok {
                            " or %any"
                        } else {
                            " (names and ranges are not supported)"
                        }
                    ),
                )
            })?;
            out.push(ip);
        }
        if out.is_empty() && !any_ok {
            return Err(self.at(l, format!("{key}: at least one address needed")));
        }
        Ok(out)
    }

    pub(super) fn child(
        &self,
        name: &Spanned<String>,
        child: &Spanned<RawChild>,
    ) -> R<(ChildConfig, StartAction)> {
        let ch = child.get_ref();
        let n = name.get_ref();
        let ts = |v: &Option<Spanned<OneOrMany>>| {
            v.as_ref()
                .map_or_else(|| "dynamic".to_owned(), |t| t.get_ref().items().join(","))
        };
        let mut cfg = ChildConfig::new(n)
            .with_ts(&ts(&ch.local_ts), &ts(&ch.remote_ts))
            .map_err(|e| {
                // Report the line of whichever side fails to parse on its own.
                let bad = [&ch.local_ts, &ch.remote_ts]
                    .into_iter()
                    .flatten()
                    .find(|t| ikev2_sm::ts::parse_ts_list(&t.get_ref().items().join(",")).is_err());
                match bad {
                    Some(t) => self.at(t, format!("children.{n}: {e}")),
                    None => self.at(child, format!("children.{n}: {e}")),
                }
            })?;
        if let Some(p) = &ch.esp_proposals {
            cfg = cfg
                .with_esp_proposals(&p.get_ref().items().join(","))
                .map_err(|e| self.at(p, format!("esp_proposals: {e}")))?;
        }
        if let Some(m) = &ch.mode {
            cfg.mode = match m.get_ref().as_str() {
                "tunnel" => Mode::Tunnel,
                "transport" => Mode::Transport,
                other => {
                    return Err(self.at(
                        m,
                        format!("mode: `{other}` is not one of tunnel, transport"),
                    ))
                }
            };
        }
        let action = match &ch.start_action {
            None => StartAction::None,
            Some(a) => match a.get_ref().as_str() {
                "none" => StartAction::None,
                "start" => StartAction::Start,
                "trap" => StartAction::Trap,
                other => {
                    return Err(self.at(
                        a,
                        format!("start_action: `{other}` is not one of none, start, trap"),
                    ))
                }
            },
        };
        let rekey = ch
            .rekey_time
            .as_ref()
            .map(|r| self.duration(r, "rekey_time"))
            .transpose()?;
        let life = ch
            .life_time
            .as_ref()
            .map(|r| self.duration(r, "life_time"))
            .transpose()?;
        if let Some(r) = ch.rekey_time.as_ref().or(ch.life_time.as_ref()) {
            if !supported::CHILD_REKEY {
                return Err(self.not_supported(r, "child rekey_time/life_time (CHILD_SA rekeying)"));
            }
        }
        if let Some(r) = rekey {
            cfg.lifetimes = Lifetimes::from_rekey(r);
        }
        if let Some(l) = life {
            cfg.lifetimes.life_time = l;
            cfg.lifetimes.rand_time = cfg
                .lifetimes
                .rand_time
                .min(l.saturating_sub(cfg.lifetimes.rekey_time));
        }
        if let Some(key) = ch.life_time.as_ref().or(ch.rekey_time.as_ref()) {
            let l = &cfg.lifetimes;
            if !(l.rand_time <= l.rekey_time && l.rekey_time < l.life_time) {
                return Err(self.at(
                    key,
                    format!(
                        "child lifetimes: rekey_time ({:?}) must be below life_time ({:?})",
                        l.rekey_time, l.life_time
                    ),
                ));
            }
        }
        cfg.limits = self.volume_limits(ch)?;
        Ok((cfg, action))
    }

    /// `rekey_bytes`/`life_bytes` and `rekey_packets`/`life_packets` with
    /// strongSwan's defaults: no limit, and a hard limit 10 % above the
    /// soft one when only the soft one is given.
    pub(super) fn volume_limits(&self, ch: &RawChild) -> R<DataLimits> {
        let pair = |rekey: &Option<Spanned<u64>>, life: &Option<Spanned<u64>>, what: &str| {
            let r = rekey.as_ref().map(|v| *v.get_ref()).filter(|v| *v > 0);
            let l = life.as_ref().map(|v| *v.get_ref()).filter(|v| *v > 0);
            let l = l.or_else(|| r.map(|r| r.saturating_add(r / 10)));
            if let (Some(r), Some(l), Some(key)) = (r, l, life.as_ref().or(rekey.as_ref())) {
                if r >= l {
                    return Err(self.at(
                        key,
                        format!("rekey_{what} ({r}) must be below life_{what} ({l})"),
                    ));
                }
            }
            Ok((r, l))
        };
        let (rekey_bytes, life_bytes) = pair(&ch.rekey_bytes, &ch.life_bytes, "bytes")?;
        let (rekey_packets, life_packets) = pair(&ch.rekey_packets, &ch.life_packets, "packets")?;
        Ok(DataLimits {
            rekey_bytes,
            life_bytes,
            rekey_packets,
            life_packets,
        })
    }
}
