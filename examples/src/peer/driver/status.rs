//! The `--status` control socket's answers: IKE SAs with their Child SAs
//! and counters, endpoint counters and data-plane drops.

use std::time::Instant;

use serde_json::{json, Value};

use super::{ControlRequest, Peer};
use crate::peer::events;

impl Peer {
    pub(super) fn on_control(&mut self, req: ControlRequest) {
        match req {
            ControlRequest::Status(reply) => {
                let _ = reply.send(self.status());
            }
        }
    }

    /// The `--status` document: IKE SAs with their Child SAs and counters,
    /// endpoint counters and data-plane drops.
    #[must_use]
    pub fn status(&self) -> Value {
        let now = Instant::now();
        let mut ikes = Vec::new();
        for h in self.ep.handles() {
            let Some(i) = self.real_info(h) else { continue };
            let established = self.sas.get(&h).and_then(|m| m.established);
            let children: Vec<Value> = self
                .children
                .iter()
                .filter(|(_, m)| m.sa == h)
                .map(|(spi_in, m)| {
                    let mut v = m.event.to_json();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("event");
                        o.insert(
                            "installed_s".into(),
                            now.duration_since(m.installed).as_secs().into(),
                        );
                        if let Some(c) = self.plane.counters(*spi_in) {
                            o.insert("counters".into(), json!(c));
                        }
                    }
                    v
                })
                .collect();
            ikes.push(json!({
                "conn": i.peer_config,
                "state": i.state,
                "spi_i": events::spi64(i.spi_i),
                "spi_r": events::spi64(i.spi_r),
                "initiator": i.initiator,
                "local": i.local.to_string(),
                "remote": i.remote.to_string(),
                "peer_id": i.peer_id.map(|p| p.to_string()),
                "ike": i.ike_proposal.as_ref().map(events::proposal_text),
                "nat_local": i.nat_local,
                "nat_remote": i.nat_remote,
                "established_s": established.map(|t| now.duration_since(t).as_secs()),
                "children": children,
            }));
        }
        let s = self.ep.stats();
        json!({
            "uptime_s": now.duration_since(self.started).as_secs(),
            "dataplane": self.plane.kind(),
            "listening": self.sockets.iter().map(|p| { let (a, b) = p.ports(); json!({"address": p.ip.to_string(), "port": a, "port_nat_t": b}) }).collect::<Vec<_>>(),
            "ike_sas": ikes,
            "counters": {
                "retransmits": s.retransmits,
                "responses_replayed": s.responses_replayed,
                "ike_sas": s.ike_sas,
                "half_open": s.half_open,
                "dropped_invalid": s.dropped.invalid_message,
                "dropped_unknown_spi": s.dropped.unknown_spi,
                "failures": self.ep.errors().total(),
            },
            "dataplane_drops": self.drops,
            "traps": self.traps_status(),
        })
    }
}
