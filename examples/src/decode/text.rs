//! Human-readable rendering of [`Record`]s.

use core::fmt::Write;

use super::{Body, Ikev2Summary, PayloadSummary, Record};

/// Renders a record as text: one header line, then one indented line per
/// payload (inner payloads of SK/SKF one level deeper).
#[must_use]
pub fn render_text(r: &Record) -> String {
    let mut s = String::new();
    let _ = write!(s, "#{} {} -> {} ", r.frame, r.src, r.dst);
    if r.truncated {
        s.push_str("(truncated capture) ");
    }
    match &r.body {
        Body::Ikev2(m) => ikev2(&mut s, m),
        Body::Ikev1(m) => {
            let _ = write!(
                s,
                "IKEv1 (version {}, not decoded) exchange {} msgid {} cookies {}/{}",
                m.version, m.exchange_type, m.message_id, m.spi_i, m.spi_r
            );
        }
        Body::Esp(e) => {
            let _ = write!(s, "ESP spi {} seq {} len {}", e.spi, e.seq, e.len);
            match e.keys {
                Some(true) => s.push_str(" (esp_sa entry found)"),
                Some(false) => s.push_str(" (no esp_sa entry)"),
                None => {}
            }
            if let Some(i) = &e.inner {
                let _ = write!(
                    s,
                    "\n    inner: next header {} proto {}",
                    i.next_header, i.protocol
                );
                if let (Some(src), Some(dst)) = (&i.src, &i.dst) {
                    let _ = write!(s, " {src} -> {dst}");
                }
                let _ = write!(s, " len {}", i.len);
            }
            if let Some(d) = &e.decrypt {
                let _ = write!(s, "\n    ! {d}");
            }
        }
        Body::NatKeepalive => s.push_str("NAT-keepalive"),
        Body::Error { error } => {
            let _ = write!(s, "undecodable: {error}");
        }
    }
    s
}

fn ikev2(s: &mut String, m: &Ikev2Summary) {
    let dir = if m.response { "response" } else { "request" };
    let role = if m.initiator { "I" } else { "R" };
    let _ = write!(
        s,
        "{} {dir} ({role}) msgid {} spi {}/{} len {}",
        m.exchange, m.message_id, m.spi_i, m.spi_r, m.length
    );
    if m.non_esp_marker {
        s.push_str(" [non-ESP marker]");
    }
    match m.keys {
        Some(true) => s.push_str(" (IKE SA keys found)"),
        Some(false) => s.push_str(" (no keys for this IKE SA)"),
        None => {}
    }
    if let Some(e) = &m.error {
        let _ = write!(s, "\n    ! {e}");
    }
    payloads(s, &m.payloads, 1);
}

fn payloads(s: &mut String, list: &[PayloadSummary], depth: usize) {
    for p in list {
        s.push('\n');
        for _ in 0..depth {
            s.push_str("    ");
        }
        s.push_str(&p.describe());
        if let Some(inner) = &p.inner {
            payloads(s, inner, depth + 1);
        }
    }
}
