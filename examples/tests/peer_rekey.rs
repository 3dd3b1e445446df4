//! Make-before-break in `ikev2-peer`'s userspace data plane: numbered
//! packets stream both ways between two drivers on loopback while one side
//! rekeys the Child SA or the IKE SA about every second; every packet must
//! arrive once and intact, and no ESP may be dropped for any cause.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use ikev2_examples::peer::demo::{self, DemoOptions, DemoRekey, DemoReport};

const PACKETS: u32 = 300;

async fn stream_through(rekey: DemoRekey) -> DemoReport {
    let o = DemoOptions {
        packets: PACKETS,
        size: 200,
        // 300 packets 10 ms apart: about 3 s, so several 1 s rekeys.
        interval: Some(Duration::from_millis(10)),
        rekey: Some(rekey),
        timeout: Duration::from_secs(30),
        ..DemoOptions::default()
    };
    demo::run(&o, |_, _| {}).await.unwrap()
}

fn count(r: &DemoReport, side: usize, event: &str) -> usize {
    r.events[side].iter().filter(|e| e.event == event).count()
}

/// Nothing lost, duplicated, altered or dropped, on either side.
fn lossless(r: &DemoReport) {
    for (i, d) in r.directions.iter().enumerate() {
        assert_eq!(
            (d.sent, d.received, d.intact, d.duplicates),
            (
                u64::from(PACKETS),
                u64::from(PACKETS),
                u64::from(PACKETS),
                0
            ),
            "direction {i}: {d:?}"
        );
    }
    for st in &r.status {
        let drops = st["dataplane_drops"].as_object().unwrap();
        assert!(drops.is_empty(), "ESP dropped: {drops:?}");
    }
}

/// Traffic moved off the first Child SA: it carried only part of the
/// stream (a replaced SA stays installed for the overlap, so it may still
/// be listed), and the SA of the last rekey is installed.
fn child_replaced(r: &DemoReport, side: usize) {
    let spi = |event: &str, last: bool| {
        let mut it = r.events[side].iter().filter(|e| e.event == event);
        let e = if last { it.next_back() } else { it.next() };
        e.and_then(|e| e.get("spi_in").cloned()).unwrap()
    };
    let (first, newest) = (
        spi("child_sa_established", false),
        spi("child_sa_rekeyed", true),
    );
    let children = r.status[side]["ike_sas"][0]["children"].as_array().unwrap();
    assert!(
        children.iter().any(|c| c["spi_in"] == newest),
        "side {side}: {newest} not installed"
    );
    for c in children.iter().filter(|c| c["spi_in"] == first) {
        let n = c["counters"]["packets_in"].as_u64().unwrap();
        assert!(
            n < u64::from(PACKETS),
            "side {side}: {first} carried all {n}"
        );
    }
}

/// Child SA rekeys every second, started by side `by`, while the stream
/// flows: nothing lost, at least two rekeys seen and the Child SA replaced
/// on each side.
async fn child_sa_rekeys_by_lose_nothing(by: usize) {
    let r = stream_through(DemoRekey {
        by,
        child_secs: 1,
        ike_secs: 0,
    })
    .await;
    lossless(&r);
    for side in 0..2 {
        assert!(count(&r, side, "child_sa_rekeyed") >= 2, "side {side}");
        child_replaced(&r, side);
    }
}

#[tokio::test]
async fn child_sa_rekeys_by_the_initiator_lose_nothing() {
    child_sa_rekeys_by_lose_nothing(0).await;
}

#[tokio::test]
async fn child_sa_rekeys_by_the_responder_lose_nothing() {
    child_sa_rekeys_by_lose_nothing(1).await;
}

#[tokio::test]
async fn ike_sa_rekeys_keep_the_child_sas() {
    let r = stream_through(DemoRekey {
        by: 1,
        child_secs: 0,
        ike_secs: 1,
    })
    .await;
    lossless(&r);
    for side in 0..2 {
        assert!(count(&r, side, "ike_sa_rekeyed") >= 2, "side {side}");
        // The Child SA moved to each new IKE SA and was never deleted.
        assert_eq!(count(&r, side, "child_sa_deleted"), 0, "side {side}");
        let ike = &r.status[side]["ike_sas"][0];
        let child = &ike["children"][0];
        assert_eq!(child["ike_spi_i"], ike["spi_i"], "side {side}");
        let first = r.events[side]
            .iter()
            .find(|e| e.event == "ike_sa_established")
            .and_then(|e| e.get("spi_i").cloned())
            .unwrap();
        assert_ne!(ike["spi_i"], first, "side {side}");
    }
}
