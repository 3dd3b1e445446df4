//! Decoding one IKEv2 message into an [`Ikev2Summary`], with the payloads
//! before any fault and the typed error.

use std::net::{Ipv4Addr, Ipv6Addr};

use ikev2_wire::{
    CfgAttribute, CfgAttributeType, Error, GatewayIdentity, Header, IdType, Message, NotifyData,
    PayloadBody, PayloadType, Payloads, ProtocolId, RawPayload, TrafficSelector,
    GENERIC_HEADER_LEN, HEADER_LEN,
};

use super::fragments::OpenedFragment;
use super::summary::{
    CfgAttrSummary, Detail, Ikev2Summary, PayloadSummary, ProposalSummary, TransformSummary,
    TsSummary,
};
use super::{Body, Ikev1Summary, Opened, SealedPayload, SkOpener};

/// Decodes one IKE message (UDP payload, marker removed) into a record body.
///
/// Also returns the decrypted share of an SKF fragment, for reassembly.
pub(super) fn summarize(
    msg: &[u8],
    non_esp_marker: bool,
    opener: Option<&dyn SkOpener>,
) -> (Body, Option<OpenedFragment>) {
    let header = match Header::parse(msg) {
        Ok(h) => h,
        Err(Error::UnsupportedVersion { major: 1 }) => {
            return (Body::Ikev1(ikev1(msg, non_esp_marker)), None)
        }
        Err(e) => {
            let error = e.to_string();
            return (Body::Error { error }, None);
        }
    };
    let mut summary = Ikev2Summary {
        non_esp_marker,
        spi_i: format!("{:016x}", header.spi_i),
        spi_r: format!("{:016x}", header.spi_r),
        version: format!("{}.{}", header.major_version(), header.minor_version()),
        exchange: header.exchange_type.to_string(),
        exchange_type: header.exchange_type.value(),
        message_id: header.message_id,
        initiator: header.is_initiator(),
        response: header.is_response(),
        length: header.length,
        payloads: Vec::new(),
        error: None,
        keys: None,
    };
    // Phase one validates everything; on failure, still show the payloads
    // that precede the fault, then the error.
    let error = Message::parse(msg).err();
    let end = usize::try_from(header.length)
        .unwrap_or(usize::MAX)
        .min(msg.len());
    let chain = msg.get(HEADER_LEN..end).unwrap_or_default();
    let ctx = Sealing {
        msg,
        spi_i: header.spi_i.to_be_bytes(),
        spi_r: header.spi_r.to_be_bytes(),
        from_initiator: header.is_initiator(),
        opener: if error.is_none() { opener } else { None },
    };
    let mut fragment = None;
    let (payloads, chain_err) = chain_summary(
        Payloads::new(header.next_payload, chain, HEADER_LEN),
        Some((&ctx, &mut fragment)),
    );
    summary.payloads = payloads;
    summary.error = error.or(chain_err).map(|e| e.to_string());
    (Body::Ikev2(Box::new(summary)), fragment)
}

fn ikev1(msg: &[u8], non_esp_marker: bool) -> Ikev1Summary {
    let b = |i: usize| msg.get(i).copied().unwrap_or(0);
    let id = super::be32(msg, 20).unwrap_or(0);
    Ikev1Summary {
        non_esp_marker,
        version: format!("{}.{}", b(17) >> 4, b(17) & 0x0f),
        spi_i: super::hex(msg.get(..8).unwrap_or_default()),
        spi_r: super::hex(msg.get(8..16).unwrap_or_default()),
        exchange_type: b(18),
        message_id: id,
    }
}

/// Where an outer chain's SK/SKF payload sits, for the decryption hook.
struct Sealing<'m, 'o> {
    msg: &'m [u8],
    spi_i: [u8; 8],
    spi_r: [u8; 8],
    from_initiator: bool,
    opener: Option<&'o dyn SkOpener>,
}

/// Summarizes a decrypted inner chain as far as it parses.
pub(super) fn inner_chain(
    first: PayloadType,
    plain: &[u8],
) -> (Vec<PayloadSummary>, Option<Error>) {
    chain_summary(Payloads::inner(first, plain), None)
}

/// Summarizes a chain as far as it parses; returns the first error too.
fn chain_summary(
    chain: Payloads<'_>,
    mut sealing: Option<(&Sealing<'_, '_>, &mut Option<OpenedFragment>)>,
) -> (Vec<PayloadSummary>, Option<Error>) {
    let mut out = Vec::new();
    for raw in chain {
        let raw = match raw {
            Ok(r) => r,
            Err(e) => return (out, Some(e)),
        };
        let mut p = PayloadSummary {
            ty: payload_name(raw.payload_type),
            type_value: raw.payload_type.value(),
            critical: raw.is_critical(),
            length: u16::try_from(raw.body.len().saturating_add(GENERIC_HEADER_LEN))
                .unwrap_or(u16::MAX),
            detail: Detail::Data {
                data_len: raw.body.len(),
            },
            inner: None,
            decrypt: None,
            icv: None,
        };
        match raw.repr() {
            Ok(repr) => p.detail = detail(&repr.body),
            Err(e) => {
                out.push(p);
                return (out, Some(e));
            }
        }
        if let Some((s, fragment)) = sealing.as_mut() {
            if let Some(opener) = s.opener {
                if matches!(
                    raw.payload_type,
                    PayloadType::EncryptedAndAuthenticated
                        | PayloadType::EncryptedAndAuthenticatedFragment
                ) {
                    **fragment = open_into(&mut p, &raw, s, opener);
                }
            }
        }
        out.push(p);
    }
    (out, None)
}

fn open_into(
    p: &mut PayloadSummary,
    raw: &RawPayload<'_>,
    s: &Sealing<'_, '_>,
    o: &dyn SkOpener,
) -> Option<OpenedFragment> {
    let sealed = SealedPayload {
        message: s.msg,
        payload_offset: raw.offset,
        spi_i: s.spi_i,
        spi_r: s.spi_r,
        from_initiator: s.from_initiator,
    };
    let (plain, verified) = match o.open(&sealed) {
        Opened::Plaintext(plain) => (plain, true),
        Opened::Unauthenticated(plain) => (plain, false),
        Opened::IntegrityFailure => {
            p.icv = Some("failed".to_owned());
            p.decrypt = Some("ICV check failed".to_owned());
            return None;
        }
        Opened::NoKeys => {
            p.decrypt = Some("no keys for this IKE SA".to_owned());
            return None;
        }
        Opened::Failed(why) => {
            p.decrypt = Some(why);
            return None;
        }
    };
    p.icv = Some(if verified { "ok" } else { "failed" }.to_owned());
    if let Detail::Skf {
        fragment_number,
        total_fragments,
        ..
    } = p.detail
    {
        // A fragment holds a piece of the inner chain: the decoder
        // parses it once all pieces are in.
        p.decrypt = Some(format!(
            "decrypted fragment {fragment_number}/{total_fragments}, {} bytes",
            plain.len()
        ));
        return Some(OpenedFragment {
            number: fragment_number,
            total: total_fragments,
            first_inner: raw.next_payload,
            data: plain,
            verified,
        });
    }
    let (inner, err) = inner_chain(raw.next_payload, &plain);
    p.inner = Some(inner);
    if let Some(e) = err {
        p.decrypt = Some(format!("inner chain: {e}"));
    }
    None
}

fn payload_name(t: PayloadType) -> String {
    match t {
        PayloadType::NoNextPayload => "none".to_owned(),
        t => t
            .abbreviation()
            .map_or_else(|| t.value().to_string(), str::to_owned),
    }
}

fn protocol_name(p: ProtocolId) -> String {
    p.to_string()
}

fn detail(body: &PayloadBody<'_>) -> Detail {
    match body {
        PayloadBody::Sa(sa) => Detail::Sa {
            proposals: sa
                .proposals
                .iter()
                .map(|p| ProposalSummary {
                    number: p.number,
                    protocol: protocol_name(p.protocol_id),
                    protocol_value: p.protocol_id.value(),
                    spi: super::hex(&p.spi),
                    transforms: p
                        .transforms
                        .iter()
                        .map(|t| TransformSummary {
                            ty: t.transform_type.abbreviation().map_or_else(
                                || t.transform_type.value().to_string(),
                                str::to_owned,
                            ),
                            type_value: t.transform_type.value(),
                            id: t.id().to_string(),
                            id_value: t.transform_id,
                            key_length: t.key_length(),
                        })
                        .collect(),
                })
                .collect(),
        },
        PayloadBody::Ke(ke) => Detail::Ke {
            group: ke.group.to_string(),
            group_value: ke.group.value(),
            data_len: ke.data.len(),
        },
        PayloadBody::IdI(id) | PayloadBody::IdR(id) => Detail::Id {
            id_type: id.id_type.to_string(),
            value: id_value(id.id_type, &id.data),
        },
        PayloadBody::Cert(c) | PayloadBody::CertReq(c) => Detail::Cert {
            encoding: c.encoding.to_string(),
            data_len: c.data.len(),
        },
        PayloadBody::Auth(a) => Detail::Auth {
            method: a.method.to_string(),
            data_len: a.data.len(),
        },
        PayloadBody::Nonce(n) => Detail::Data {
            data_len: n.data.len(),
        },
        PayloadBody::Notify(n) => Detail::Notify {
            notify: n.notify_type.to_string(),
            notify_type: n.notify_type.value(),
            protocol: n.protocol_id.value(),
            spi: super::hex(&n.spi),
            data_len: n.data.len(),
            data: n.data().ok().and_then(|d| notify_data(&d)),
        },
        PayloadBody::Delete(d) => Detail::Delete {
            protocol: protocol_name(d.protocol_id),
            spis: d.spis().map(super::hex).collect(),
        },
        PayloadBody::VendorId(v) => Detail::Vendor {
            vendor_id: super::hex(&v.data),
        },
        PayloadBody::TsI(ts) | PayloadBody::TsR(ts) => Detail::Ts {
            selectors: ts.selectors.iter().map(ts_summary).collect(),
        },
        PayloadBody::Sk(sk) => Detail::Sk {
            inner_next: payload_name(sk.first_inner),
            data_len: sk.data.len(),
        },
        PayloadBody::Skf(skf) => Detail::Skf {
            fragment_number: skf.fragment_number,
            total_fragments: skf.total_fragments,
            inner_next: payload_name(skf.first_inner),
            data_len: skf.data.len(),
        },
        PayloadBody::Cp(cp) => Detail::Cp {
            cfg_type: cp.cfg_type.to_string(),
            attributes: cp.attributes.iter().map(cfg_attr).collect(),
        },
        PayloadBody::Eap(e) => Detail::Eap {
            code: e.code(),
            data_len: e.data.len(),
        },
        other => Detail::Data {
            data_len: other.body_len(),
        },
    }
}

fn id_value(ty: IdType, data: &[u8]) -> String {
    match ty {
        IdType::Ipv4Addr => <[u8; 4]>::try_from(data)
            .map(|a| Ipv4Addr::from(a).to_string())
            .unwrap_or_else(|_| super::hex(data)),
        IdType::Ipv6Addr => <[u8; 16]>::try_from(data)
            .map(|a| Ipv6Addr::from(a).to_string())
            .unwrap_or_else(|_| super::hex(data)),
        IdType::Fqdn | IdType::Rfc822Addr => printable(data),
        // the DER Name as strongSwan prints it; malformed DER as hex
        IdType::DerAsn1Dn => ikev2_crypto::cert::DistinguishedName::from_der(data)
            .map(|dn| dn.to_string())
            .unwrap_or_else(|_| super::hex(data)),
        _ => super::hex(data),
    }
}

/// Text with anything outside printable ASCII escaped as `\xNN`.
fn printable(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len());
    for &b in data {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

fn ts_summary(ts: &TrafficSelector<'_>) -> TsSummary {
    let (ip_protocol, (start_port, end_port), start, end) = match ts {
        TrafficSelector::Ipv4 {
            ip_protocol,
            start_port,
            end_port,
            start,
            end,
        } => (
            *ip_protocol,
            (*start_port, *end_port),
            start.to_string(),
            end.to_string(),
        ),
        TrafficSelector::Ipv6 {
            ip_protocol,
            start_port,
            end_port,
            start,
            end,
        } => (
            *ip_protocol,
            (*start_port, *end_port),
            start.to_string(),
            end.to_string(),
        ),
        TrafficSelector::Other { second, data, .. } => {
            (*second, (0, 0), super::hex(data), String::new())
        }
        _ => (0, (0, 0), String::new(), String::new()),
    };
    TsSummary {
        ts_type: ts.ts_type().to_string(),
        ip_protocol,
        start_port,
        end_port,
        start,
        end,
    }
}

fn cfg_attr(a: &CfgAttribute<'_>) -> CfgAttrSummary {
    use CfgAttributeType as T;
    let v = &a.value;
    let value = match a.attribute_type {
        T::InternalIp4Address
        | T::InternalIp4Dns
        | T::InternalIp4Nbns
        | T::InternalIp4Dhcp
        | T::PCscfIp4Address
            if v.len() == 4 =>
        {
            a.ipv4().map(|x| x.to_string()).unwrap_or_default()
        }
        T::InternalIp4Netmask if v.len() == 4 => {
            a.ipv4().map(|x| x.to_string()).unwrap_or_default()
        }
        T::InternalIp4Subnet if v.len() == 8 => match (a.ipv4(), v.get(4..8)) {
            (Some(addr), Some(m)) => match <[u8; 4]>::try_from(m) {
                Ok(m) => format!("{addr}/{}", Ipv4Addr::from(m)),
                Err(_) => super::hex(v),
            },
            _ => super::hex(v),
        },
        T::InternalIp6Dns | T::InternalIp6Dhcp | T::PCscfIp6Address if v.len() == 16 => {
            a.ipv6().map(|x| x.to_string()).unwrap_or_default()
        }
        T::InternalIp6Address | T::InternalIp6Subnet if v.len() == 17 => {
            match (a.ipv6(), v.get(16)) {
                (Some(addr), Some(len)) => format!("{addr}/{len}"),
                _ => super::hex(v),
            }
        }
        T::ApplicationVersion | T::InternalDnsDomain => printable(v),
        _ => super::hex(v),
    };
    CfgAttrSummary {
        ty: a.attribute_type.to_string(),
        value,
    }
}

fn notify_data(d: &NotifyData<'_>) -> Option<String> {
    Some(match d {
        NotifyData::UnsupportedCriticalPayload(t) => payload_name(*t),
        NotifyData::InvalidSpi(spi) => super::hex(spi),
        NotifyData::InvalidMessageId(id) => id.to_string(),
        NotifyData::InvalidKePayload(g) => g.to_string(),
        NotifyData::SetWindowSize(n) => n.to_string(),
        NotifyData::NatDetection(h) => super::hex(&h[..]),
        NotifyData::Cookie(c) => super::hex(c),
        NotifyData::AdditionalAddress(a) => a.to_string(),
        NotifyData::SignatureHashAlgorithms(h) => h
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(","),
        NotifyData::Redirect { gateway, .. } | NotifyData::RedirectedFrom(gateway) => {
            gateway_text(gateway)
        }
        _ => return None,
    })
}

fn gateway_text(g: &GatewayIdentity<'_>) -> String {
    match g {
        GatewayIdentity::Ipv4(a) => a.to_string(),
        GatewayIdentity::Ipv6(a) => a.to_string(),
        GatewayIdentity::Fqdn(f) => printable(f),
        GatewayIdentity::Other { gw_type, data } => format!("type {gw_type} {}", super::hex(data)),
        _ => String::new(),
    }
}
