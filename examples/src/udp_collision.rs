//! `ikev2-udp`'s part for rekey collisions (`interop/cases/collision.sh`):
//! `--rx-delay MS` holds every received datagram for MS milliseconds before
//! the endpoint sees it (a slow link in front of us, where the kernel has
//! no `netem`), so our rekey and the peer's cross; and the JSON lines of
//! an `Event::RekeyCollision` and of an `Event::SimultaneousReauth` (both
//! ends reauthenticated at once, `interop/cases/reauth.sh`).

use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant};

use ikev2_sm::events::{Collision, Event};
use serde_json::{json, Value};

/// A sender that forwards each item to `out` `delay` after it was sent
/// (a constant delay: order is kept). Two threads: one stamps, one waits.
#[must_use]
pub fn delayed<T: Send + 'static>(out: Sender<T>, delay: Duration) -> Sender<T> {
    let (tx, rx) = mpsc::channel::<T>();
    let (stx, srx) = mpsc::channel::<(Instant, T)>();
    thread::spawn(move || {
        while let Ok(v) = rx.recv() {
            if stx.send((Instant::now(), v)).is_err() {
                break;
            }
        }
    });
    thread::spawn(move || {
        while let Ok((at, v)) = srx.recv() {
            let due = at + delay;
            let now = Instant::now();
            if due > now {
                thread::sleep(due - now);
            }
            if out.send(v).is_err() {
                break;
            }
        }
    });
    tx
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The JSON line of a rekey collision or a simultaneous
/// reauthentication; `None` for other events.
#[must_use]
pub fn event_json(event: &Event) -> Option<Value> {
    if let Event::SimultaneousReauth {
        we_won,
        survivor_spis: (si, sr),
        redundant_spis: (ri, rr),
        lowest_nonce,
        survivor_nonce,
        ..
    } = event
    {
        return Some(json!({"event": "simultaneous_reauth", "we_won": we_won,
            "survivor_spi_i": format!("{si:016x}"), "survivor_spi_r": format!("{sr:016x}"),
            "redundant_spi_i": format!("{ri:016x}"), "redundant_spi_r": format!("{rr:016x}"),
            "lowest_nonce": hex(lowest_nonce), "survivor_nonce": hex(survivor_nonce)}));
    }
    let Event::RekeyCollision { child, collision } = event else {
        return None;
    };
    let mut line = json!({"event": "rekey_collision", "child": child});
    let extra = match collision {
        Collision::SimultaneousRekey { we_won } => {
            json!({"collision": "simultaneous_rekey", "we_won": we_won})
        }
        Collision::SimultaneousIkeRekey {
            we_won,
            ours_lowest,
            theirs_lowest,
        } => json!({"collision": "simultaneous_ike_rekey", "we_won": we_won,
                    "ours_lowest": hex(ours_lowest), "theirs_lowest": hex(theirs_lowest)}),
        Collision::PeerRekeyWins => json!({"collision": "peer_rekey_wins"}),
        Collision::RekeyCrossedDelete => json!({"collision": "rekey_crossed_delete"}),
        Collision::RefusedTemporarily => json!({"collision": "refused_temporarily"}),
        Collision::RetryAfter { after } => {
            json!({"collision": "retry_after", "after_s": after.as_secs_f64()})
        }
        other => json!({"collision": format!("{other:?}")}),
    };
    if let (Some(l), Value::Object(e)) = (line.as_object_mut(), extra) {
        l.extend(e);
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delayed_items_keep_their_order_and_wait() {
        let (tx, rx) = mpsc::channel();
        let d = delayed(tx, Duration::from_millis(50));
        let t0 = Instant::now();
        d.send(1).unwrap();
        d.send(2).unwrap();
        assert_eq!(rx.recv().unwrap(), 1);
        assert!(t0.elapsed() >= Duration::from_millis(50));
        assert_eq!(rx.recv().unwrap(), 2);
    }

    #[test]
    fn ike_collisions_name_the_winner_and_the_nonces() {
        let e = Event::RekeyCollision {
            child: None,
            collision: Collision::SimultaneousIkeRekey {
                we_won: false,
                ours_lowest: vec![0x01, 0xab],
                theirs_lowest: vec![0x02],
            },
        };
        let v = event_json(&e).unwrap();
        assert_eq!(v["event"], "rekey_collision");
        assert_eq!(v["collision"], "simultaneous_ike_rekey");
        assert_eq!(v["we_won"], false);
        assert_eq!(v["ours_lowest"], "01ab");
        assert_eq!(v["child"], Value::Null);
        assert_eq!(event_json(&Event::IkeSaUp), None);
    }
}
