//! Property tests: every message kind survives emit then parse unchanged, and
//! arbitrary bytes never make the decoder panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::collection::vec;
use proptest::prelude::*;
use xfrm_sys::attr::{Algo, AlgoLen};
use xfrm_sys::msg::{Acquire, Expire, Mapping, PolicyExpire};
use xfrm_sys::types::{
    EncapTmpl, LifetimeCfg, LifetimeCur, ReplayState, ReplayStateEsn, Stats, UserTmpl, XfrmId,
};
use xfrm_sys::{
    Address, AllocSpi, Attr, Key, Mark, NetlinkMessage, Payload, PolicyId, PolicyInfo, SaDir, SaId,
    SaIdMsg, SaInfo, Selector, XfrmMessage,
};

fn addr() -> impl Strategy<Value = Address> {
    any::<[u8; 16]>().prop_map(Address)
}

prop_compose! {
    fn selector()(daddr in addr(), saddr in addr(), p in any::<[u16; 5]>(), b in any::<[u8; 3]>(),
                  ifindex in any::<i32>(), user in any::<u32>()) -> Selector {
        Selector { daddr, saddr, dport: p[0], dport_mask: p[1], sport: p[2], sport_mask: p[3], family: p[4],
                   prefixlen_d: b[0], prefixlen_s: b[1], proto: b[2], ifindex, user }
    }
}

prop_compose! {
    fn xid()(daddr in addr(), spi in any::<u32>(), proto in any::<u8>()) -> XfrmId { XfrmId { daddr, spi, proto } }
}

prop_compose! {
    fn lft()(v in any::<[u64; 8]>()) -> LifetimeCfg {
        LifetimeCfg { soft_byte_limit: v[0], hard_byte_limit: v[1], soft_packet_limit: v[2], hard_packet_limit: v[3],
            soft_add_expires_seconds: v[4], hard_add_expires_seconds: v[5], soft_use_expires_seconds: v[6],
            hard_use_expires_seconds: v[7] }
    }
}

prop_compose! {
    fn cur()(v in any::<[u64; 4]>()) -> LifetimeCur {
        LifetimeCur { bytes: v[0], packets: v[1], add_time: v[2], use_time: v[3] }
    }
}

prop_compose! {
    fn tmpl()(id in xid(), family in any::<u16>(), saddr in addr(), reqid in any::<u32>(), b in any::<[u8; 3]>(),
              algs in any::<[u32; 3]>()) -> UserTmpl {
        UserTmpl { id, family, saddr, reqid, mode: b[0], share: b[1], optional: b[2], aalgos: algs[0],
                   ealgos: algs[1], calgos: algs[2] }
    }
}

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9(),_-]{0,63}"
}

fn key() -> impl Strategy<Value = Key> {
    vec(any::<u8>(), 0..80).prop_map(Key::from)
}

fn attr() -> impl Strategy<Value = Attr> {
    let u = any::<u32>;
    prop_oneof![
        (name(), key()).prop_map(|(name, key)| Attr::AlgAuth(Algo { name, key })),
        (name(), key()).prop_map(|(name, key)| Attr::AlgCrypt(Algo { name, key })),
        (name(), key()).prop_map(|(name, key)| Attr::AlgComp(Algo { name, key })),
        (name(), key(), u()).prop_map(|(name, key, len_bits)| Attr::AlgAead(AlgoLen {
            name,
            key,
            len_bits
        })),
        (name(), key(), u()).prop_map(|(name, key, len_bits)| Attr::AlgAuthTrunc(AlgoLen {
            name,
            key,
            len_bits
        })),
        (any::<[u16; 3]>(), addr()).prop_map(|(p, oa)| Attr::Encap(EncapTmpl {
            encap_type: p[0],
            sport: p[1],
            dport: p[2],
            oa
        })),
        vec(tmpl(), 0..4).prop_map(Attr::Tmpl),
        cur().prop_map(Attr::LtimeVal),
        any::<[u32; 3]>().prop_map(|v| Attr::ReplayVal(ReplayState {
            oseq: v[0],
            seq: v[1],
            bitmap: v[2]
        })),
        u().prop_map(Attr::ReplayThresh),
        u().prop_map(Attr::EtimerThresh),
        addr().prop_map(Attr::SrcAddr),
        addr().prop_map(Attr::CoAddr),
        any::<u64>().prop_map(Attr::LastUsed),
        any::<u8>().prop_map(Attr::PolicyType),
        (u(), u()).prop_map(|(v, m)| Attr::Mark(Mark { v, m })),
        u().prop_map(Attr::TfcPad),
        (
            0u32..=128,
            any::<[u32; 5]>(),
            any::<bool>(),
            vec(any::<u32>(), 128)
        )
            .prop_map(|(len, v, full, words)| {
                Attr::ReplayEsnVal(ReplayStateEsn {
                    bmp_len: len,
                    oseq: v[0],
                    seq: v[1],
                    oseq_hi: v[2],
                    seq_hi: v[3],
                    replay_window: v[4],
                    bmp: if full {
                        words[..len as usize].to_vec()
                    } else {
                        Vec::new()
                    },
                })
            }),
        u().prop_map(Attr::SaExtraFlags),
        any::<u8>().prop_map(Attr::Proto),
        (any::<i32>(), any::<u8>())
            .prop_map(|(ifindex, flags)| Attr::OffloadDev { ifindex, flags }),
        u().prop_map(Attr::SetMark),
        u().prop_map(Attr::SetMarkMask),
        u().prop_map(Attr::IfId),
        u().prop_map(Attr::MtimerThresh),
        any::<u8>().prop_map(|d| Attr::SaDir(SaDir::from(d))),
        u().prop_map(Attr::NatKeepaliveInterval),
        u().prop_map(Attr::SaPcpu),
        (
            prop_oneof![
                Just(6u16),
                Just(7),
                Just(8),
                Just(17),
                Just(19),
                Just(26),
                Just(27),
                36u16..0x3fff
            ],
            vec(any::<u8>(), 0..64)
        )
            .prop_map(|(ty, value)| Attr::Other { ty, value }),
    ]
}

fn attrs() -> impl Strategy<Value = Vec<Attr>> {
    vec(attr(), 0..6)
}

prop_compose! {
    fn sa_info()(sel in selector(), id in xid(), saddr in addr(), lft in lft(), curlft in cur(), st in any::<[u32; 5]>(),
                 family in any::<u16>(), b in any::<[u8; 3]>(), attrs in attrs()) -> SaInfo {
        SaInfo { sel, id, saddr, lft, curlft, stats: Stats { replay_window: st[0], replay: st[1], integrity_failed: st[2] },
                 seq: st[3], reqid: st[4], family, mode: b[0], replay_window: b[1], flags: b[2], attrs }
    }
}

prop_compose! {
    fn policy()(sel in selector(), lft in lft(), curlft in cur(), v in any::<[u32; 2]>(), b in any::<[u8; 4]>(),
                attrs in attrs()) -> PolicyInfo {
        PolicyInfo { sel, lft, curlft, priority: v[0], index: v[1], dir: b[0], action: b[1], flags: b[2], share: b[3], attrs }
    }
}

prop_compose! {
    fn sa_id()(daddr in addr(), spi in any::<u32>(), family in any::<u16>(), proto in any::<u8>()) -> SaId {
        SaId { daddr, spi, family, proto }
    }
}

fn message() -> impl Strategy<Value = XfrmMessage> {
    prop_oneof![
        sa_info().prop_map(XfrmMessage::NewSa),
        sa_info().prop_map(XfrmMessage::UpdateSa),
        (sa_id(), attrs()).prop_map(|(id, attrs)| XfrmMessage::DeleteSa(SaIdMsg { id, attrs })),
        (sa_id(), attrs()).prop_map(|(id, attrs)| XfrmMessage::GetSa(SaIdMsg { id, attrs })),
        attrs().prop_map(XfrmMessage::DumpSa),
        any::<u8>().prop_map(XfrmMessage::FlushSa),
        (sa_info(), any::<u32>(), any::<u32>())
            .prop_map(|(info, min, max)| XfrmMessage::AllocSpi(AllocSpi { info, min, max })),
        policy().prop_map(XfrmMessage::NewPolicy),
        policy().prop_map(XfrmMessage::UpdatePolicy),
        (selector(), any::<u32>(), any::<u8>(), attrs()).prop_map(|(sel, index, dir, attrs)| {
            XfrmMessage::DeletePolicy(PolicyId {
                sel,
                index,
                dir,
                attrs,
            })
        }),
        (selector(), any::<u32>(), any::<u8>(), attrs()).prop_map(|(sel, index, dir, attrs)| {
            XfrmMessage::GetPolicy(PolicyId {
                sel,
                index,
                dir,
                attrs,
            })
        }),
        Just(XfrmMessage::DumpPolicy),
        attrs().prop_map(XfrmMessage::FlushPolicy),
        (
            xid(),
            addr(),
            selector(),
            policy(),
            any::<[u32; 4]>(),
            attrs()
        )
            .prop_map(|(id, saddr, sel, mut policy, v, attrs)| {
                policy.attrs.clear();
                XfrmMessage::Acquire(Acquire {
                    id,
                    saddr,
                    sel,
                    policy,
                    aalgos: v[0],
                    ealgos: v[1],
                    calgos: v[2],
                    seq: v[3],
                    attrs,
                })
            }),
        (sa_info(), any::<u8>())
            .prop_map(|(state, hard)| XfrmMessage::Expire(Expire { state, hard })),
        (policy(), any::<u8>())
            .prop_map(|(pol, hard)| XfrmMessage::PolicyExpire(PolicyExpire { pol, hard })),
        (sa_id(), any::<u32>(), addr(), addr(), any::<[u16; 2]>()).prop_map(
            |(id, reqid, old_saddr, new_saddr, p)| {
                XfrmMessage::Mapping(Mapping {
                    id,
                    reqid,
                    old_saddr,
                    new_saddr,
                    old_sport: p[0],
                    new_sport: p[1],
                })
            }
        ),
        (
            prop_oneof![0x1eu16..=0x25, 0x27u16..0x40],
            vec(any::<u8>(), 0..100)
        )
            .prop_map(|(ty, body)| XfrmMessage::Other { ty, body }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_message_round_trips(m in message(), seq in any::<u32>(), pid in any::<u32>()) {
        let mut wire = Vec::new();
        m.emit(m.request_flags(), seq, pid, &mut wire);
        prop_assert_eq!(wire.len() % 4, 0);
        let parsed: Vec<_> = NetlinkMessage::parse_all(&wire).collect();
        prop_assert_eq!(parsed.len(), 1);
        let p = parsed.into_iter().next().unwrap().unwrap();
        prop_assert_eq!(p.header.seq, seq);
        prop_assert_eq!(p.header.pid, pid);
        prop_assert_eq!(p.header.ty, m.message_type());
        prop_assert_eq!(&p.payload, &Payload::Xfrm(m.clone()));
        // Re-encoding the decoded message gives the same bytes.
        let mut again = Vec::new();
        p.emit(&mut again).unwrap();
        prop_assert_eq!(again, wire);
    }

    #[test]
    fn batches_of_messages_split_correctly(ms in vec(message(), 1..5)) {
        let mut wire = Vec::new();
        for (i, m) in ms.iter().enumerate() {
            m.emit(m.request_flags(), i as u32, 0, &mut wire);
        }
        let parsed: Vec<_> = NetlinkMessage::parse_all(&wire).map(|r| r.unwrap().payload).collect();
        prop_assert_eq!(parsed, ms.into_iter().map(Payload::Xfrm).collect::<Vec<_>>());
    }

    /// What the fuzz target checks: arbitrary bytes never panic, and whatever
    /// decodes re-encodes to bytes that decode to the same message.
    #[test]
    fn arbitrary_bytes_decode_idempotently(bytes in vec(any::<u8>(), 0..600), ty in 0x10u16..0x28, flags in any::<u16>()) {
        // Give half the inputs a plausible header so the body decoders run.
        let mut framed = bytes.clone();
        if framed.len() >= 16 {
            let len = framed.len() as u32;
            framed[0..4].copy_from_slice(&len.to_ne_bytes());
            framed[4..6].copy_from_slice(&ty.to_ne_bytes());
            framed[6..8].copy_from_slice(&flags.to_ne_bytes());
        }
        for input in [&bytes, &framed] {
            for m in NetlinkMessage::parse_all(input) {
                let Ok(m) = m else { continue };
                if let Payload::Xfrm(_) = &m.payload {
                    let mut wire = Vec::new();
                    m.emit(&mut wire).unwrap();
                    let again: Vec<_> = NetlinkMessage::parse_all(&wire).collect();
                    prop_assert_eq!(again.len(), 1);
                    prop_assert_eq!(again[0].as_ref().unwrap(), &m);
                }
            }
        }
    }

    #[test]
    fn truncating_a_valid_message_gives_an_error_not_a_panic(m in message(), cut in 0usize..400) {
        let mut wire = Vec::new();
        m.emit(m.request_flags(), 1, 1, &mut wire);
        let cut = cut.min(wire.len().saturating_sub(1));
        // Keep the header's length field consistent with the truncated buffer
        // so the body decoder (not just the framing) sees the short input.
        let mut short = wire[..cut.max(16).min(wire.len())].to_vec();
        let len = short.len() as u32;
        short[0..4].copy_from_slice(&len.to_ne_bytes());
        let _ = NetlinkMessage::parse_all(&short).collect::<Vec<_>>();
    }
}

#[test]
fn short_sa_body_is_a_typed_error() {
    let mut wire = Vec::new();
    XfrmMessage::NewSa(SaInfo::default()).emit(5, 1, 0, &mut wire);
    wire.truncate(100);
    wire[0..4].copy_from_slice(&100u32.to_ne_bytes());
    let r = NetlinkMessage::parse_all(&wire).next().unwrap();
    assert!(
        matches!(
            r,
            Err(xfrm_sys::Error::Truncated {
                what: "xfrm_usersa_info",
                need: 224,
                have: 84
            })
        ),
        "{r:?}"
    );
}

#[test]
fn bad_lengths_are_typed_errors() {
    // nlmsg_len larger than the datagram.
    let mut wire = vec![0u8; 16];
    wire[0..4].copy_from_slice(&64u32.to_ne_bytes());
    assert!(matches!(
        NetlinkMessage::parse_all(&wire).next().unwrap(),
        Err(xfrm_sys::Error::BadLength {
            what: "nlmsghdr",
            len: 64
        })
    ));
    // An attribute whose length runs past the message.
    let mut wire = Vec::new();
    XfrmMessage::FlushPolicy(vec![Attr::IfId(1)]).emit(5, 1, 0, &mut wire);
    wire[16..18].copy_from_slice(&200u16.to_ne_bytes());
    assert!(matches!(
        NetlinkMessage::parse_all(&wire).next().unwrap(),
        Err(xfrm_sys::Error::BadLength {
            what: "nlattr",
            len: 200
        })
    ));
    // An algorithm name without its NUL.
    let mut wire = Vec::new();
    XfrmMessage::FlushPolicy(vec![Attr::AlgCrypt(Algo {
        name: "cbc(aes)".into(),
        key: Key::new(&[1; 16]),
    })])
    .emit(5, 1, 0, &mut wire);
    wire[20..84].fill(b'a');
    assert!(matches!(
        NetlinkMessage::parse_all(&wire).next().unwrap(),
        Err(xfrm_sys::Error::BadAlgorithmName)
    ));
}
