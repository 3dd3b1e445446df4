//! Summaries of IKEv2 messages: what `ikev2-decode` prints for each.

use std::net::{Ipv4Addr, Ipv6Addr};

use ikev2_wire::{
    CfgAttribute, CfgAttributeType, Error, GatewayIdentity, Header, IdType, Message, NotifyData,
    PayloadBody, PayloadType, Payloads, ProtocolId, RawPayload, TrafficSelector,
    GENERIC_HEADER_LEN, HEADER_LEN,
};
use serde::Serialize;

use super::{Body, Ikev1Summary, Opened, SealedPayload, SkOpener};

/// One IKEv2 message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ikev2Summary {
    /// Whether the message came after a non-ESP marker on port 4500.
    pub non_esp_marker: bool,
    /// Initiator's SPI in hex.
    pub spi_i: String,
    /// Responder's SPI in hex.
    pub spi_r: String,
    /// Version as `major.minor`.
    pub version: String,
    /// Exchange type by IANA name (`UNKNOWN(n)` when unnamed).
    pub exchange: String,
    /// Exchange type number.
    pub exchange_type: u8,
    /// Message ID.
    pub message_id: u32,
    /// The Initiator flag.
    pub initiator: bool,
    /// The Response flag.
    pub response: bool,
    /// The Length field of the header.
    pub length: u32,
    /// The payload chain, in order (as far as it parsed).
    pub payloads: Vec<PayloadSummary>,
    /// Why the message (after its header) did not parse, if it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For a message with an SK/SKF payload, when an IKEv2 key table is
    /// loaded: whether it holds this IKE SA's keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<bool>,
}

impl Ikev2Summary {
    /// True when the outer chain ends in SK or SKF.
    #[must_use]
    pub fn is_encrypted(&self) -> bool {
        self.payloads
            .last()
            .is_some_and(|p| matches!(p.detail, Detail::Sk { .. } | Detail::Skf { .. }))
    }
}

/// One payload of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayloadSummary {
    /// IANA abbreviation (`SA`, `KE`, `N`, `SKF`, ...), or the number for
    /// unnamed types.
    #[serde(rename = "type")]
    pub ty: String,
    /// Payload type number.
    pub type_value: u8,
    /// The critical bit.
    pub critical: bool,
    /// The Payload Length field (generic header included).
    pub length: u16,
    /// Type-specific fields.
    #[serde(flatten)]
    pub detail: Detail,
    /// The decrypted inner chain of an SK/SKF payload (when a back end opened it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner: Option<Vec<PayloadSummary>>,
    /// Why an SK/SKF payload was not opened, when decryption was attempted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decrypt: Option<String>,
}

/// Type-specific fields of a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Detail {
    /// SA.
    Sa {
        /// The proposals.
        proposals: Vec<ProposalSummary>,
    },
    /// KE.
    Ke {
        /// Key exchange method by IANA name.
        group: String,
        /// Its number.
        group_value: u16,
        /// Length of the key exchange data.
        data_len: usize,
    },
    /// IDi / IDr.
    Id {
        /// ID type by IANA name.
        id_type: String,
        /// The identity (text for FQDN/RFC822, address for IP types, hex otherwise).
        value: String,
    },
    /// CERT / CERTREQ.
    Cert {
        /// Certificate encoding by IANA name.
        encoding: String,
        /// Length of the certificate data (or of the CA hashes).
        data_len: usize,
    },
    /// AUTH.
    Auth {
        /// Authentication method by IANA name.
        method: String,
        /// Length of the authentication data.
        data_len: usize,
    },
    /// N.
    Notify {
        /// Notify message type by IANA name.
        notify: String,
        /// Its number.
        notify_type: u16,
        /// Protocol ID (0 when none).
        protocol: u8,
        /// SPI in hex (empty when none).
        spi: String,
        /// Length of the notification data.
        data_len: usize,
        /// Typed notification data, decoded where the type is known.
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<String>,
    },
    /// D.
    Delete {
        /// Protocol ID by IANA name.
        protocol: String,
        /// SPIs in hex.
        spis: Vec<String>,
    },
    /// V.
    Vendor {
        /// The Vendor ID in hex.
        vendor_id: String,
    },
    /// TSi / TSr.
    Ts {
        /// The traffic selectors.
        selectors: Vec<TsSummary>,
    },
    /// SK.
    Sk {
        /// First inner payload type by abbreviation.
        inner_next: String,
        /// Length of IV, ciphertext, padding and ICV together.
        data_len: usize,
    },
    /// SKF.
    Skf {
        /// Fragment Number.
        fragment_number: u16,
        /// Total Fragments.
        total_fragments: u16,
        /// First inner payload type (only in fragment 1; 0 otherwise).
        inner_next: String,
        /// Length of IV, ciphertext, padding and ICV together.
        data_len: usize,
    },
    /// CP.
    Cp {
        /// CFG type by IANA name.
        cfg_type: String,
        /// The attributes.
        attributes: Vec<CfgAttrSummary>,
    },
    /// EAP.
    Eap {
        /// EAP code (1 request, 2 response, 3 success, 4 failure).
        code: u8,
        /// Length of the EAP message.
        data_len: usize,
    },
    /// Nonce, and payloads shown by length only.
    Data {
        /// Length of the payload body.
        data_len: usize,
    },
}

/// A proposal of an SA payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalSummary {
    /// Proposal Num.
    pub number: u8,
    /// Protocol ID by IANA name.
    pub protocol: String,
    /// SPI in hex (empty for the first IKE_SA_INIT).
    pub spi: String,
    /// Transforms in order.
    pub transforms: Vec<TransformSummary>,
}

/// A transform of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransformSummary {
    /// Transform type abbreviation (`ENCR`, `PRF`, `INTEG`, `KE`, `ESN`, `ADDKE1`...).
    #[serde(rename = "type")]
    pub ty: String,
    /// Transform ID by IANA name.
    pub id: String,
    /// Transform ID number.
    pub id_value: u16,
    /// Key Length attribute, if present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_length: Option<u16>,
}

/// A traffic selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TsSummary {
    /// TS type by IANA name.
    pub ts_type: String,
    /// IP protocol ID (0 = any).
    pub ip_protocol: u8,
    /// Start port.
    pub start_port: u16,
    /// End port.
    pub end_port: u16,
    /// Starting address.
    pub start: String,
    /// Ending address.
    pub end: String,
}

/// A configuration attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CfgAttrSummary {
    /// Attribute type by IANA name.
    #[serde(rename = "type")]
    pub ty: String,
    /// Value: address (with prefix) where the type is an address, else hex.
    pub value: String,
}

impl PayloadSummary {
    /// A one-line description for text output.
    #[must_use]
    pub fn describe(&self) -> String {
        let t = &self.ty;
        let crit = if self.critical { " (critical)" } else { "" };
        let body = match &self.detail {
            Detail::Sa { proposals } => proposals
                .iter()
                .map(|p| {
                    let tf: Vec<String> = p
                        .transforms
                        .iter()
                        .map(|t| match t.key_length {
                            Some(k) => format!("{}({k})", t.id),
                            None => t.id.clone(),
                        })
                        .collect();
                    let spi = if p.spi.is_empty() {
                        String::new()
                    } else {
                        format!(" spi {}", p.spi)
                    };
                    format!("#{} {}{spi}: {}", p.number, p.protocol, tf.join(" "))
                })
                .collect::<Vec<_>>()
                .join(" | "),
            Detail::Ke {
                group, data_len, ..
            } => format!("{group} ({data_len} bytes)"),
            Detail::Id { id_type, value } => format!("{id_type} {value}"),
            Detail::Cert { encoding, data_len } => format!("{encoding} ({data_len} bytes)"),
            Detail::Auth { method, data_len } => format!("{method} ({data_len} bytes)"),
            Detail::Notify {
                notify,
                protocol,
                spi,
                data_len,
                data,
                ..
            } => {
                let mut s = notify.clone();
                if *protocol != 0 || !spi.is_empty() {
                    s.push_str(&format!(" proto {protocol} spi {spi}"));
                }
                match data {
                    Some(d) => s.push_str(&format!(" {d}")),
                    None if *data_len > 0 => s.push_str(&format!(" ({data_len} bytes)")),
                    None => {}
                }
                s
            }
            Detail::Delete { protocol, spis } => format!("{protocol} [{}]", spis.join(", ")),
            Detail::Vendor { vendor_id } => vendor_id.clone(),
            Detail::Ts { selectors } => selectors
                .iter()
                .map(|s| {
                    format!(
                        "{}-{} proto {} ports {}-{}",
                        s.start, s.end, s.ip_protocol, s.start_port, s.end_port
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            Detail::Sk {
                inner_next,
                data_len,
            } => format!("next {inner_next}, {data_len} bytes encrypted"),
            Detail::Skf {
                fragment_number,
                total_fragments,
                inner_next,
                data_len,
            } => format!(
                "fragment {fragment_number}/{total_fragments}, next {inner_next}, {data_len} bytes encrypted"
            ),
            Detail::Cp {
                cfg_type,
                attributes,
            } => {
                let a: Vec<String> = attributes
                    .iter()
                    .map(|a| {
                        if a.value.is_empty() {
                            a.ty.clone()
                        } else {
                            format!("{}={}", a.ty, a.value)
                        }
                    })
                    .collect();
                format!("{cfg_type} {}", a.join(" "))
            }
            Detail::Eap { code, data_len } => format!("code {code} ({data_len} bytes)"),
            Detail::Data { data_len } => format!("({data_len} bytes)"),
        };
        let mut s = format!("{t}{crit} {body}");
        if let Some(d) = &self.decrypt {
            s.push_str(&format!(" [{d}]"));
        }
        s
    }
}

/// Decodes one IKE message (UDP payload, marker removed) into a record body.
pub(super) fn summarize(msg: &[u8], non_esp_marker: bool, opener: Option<&dyn SkOpener>) -> Body {
    let header = match Header::parse(msg) {
        Ok(h) => h,
        Err(Error::UnsupportedVersion { major: 1 }) => {
            return Body::Ikev1(ikev1(msg, non_esp_marker))
        }
        Err(e) => {
            return Body::Error {
                error: e.to_string(),
            }
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
    let (payloads, chain_err) = chain_summary(
        Payloads::new(header.next_payload, chain, HEADER_LEN),
        Some(&ctx),
    );
    summary.payloads = payloads;
    summary.error = error.or(chain_err).map(|e| e.to_string());
    Body::Ikev2(Box::new(summary))
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

/// Summarizes a chain as far as it parses; returns the first error too.
fn chain_summary(
    chain: Payloads<'_>,
    sealing: Option<&Sealing<'_, '_>>,
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
        };
        match raw.repr() {
            Ok(repr) => p.detail = detail(&repr.body),
            Err(e) => {
                out.push(p);
                return (out, Some(e));
            }
        }
        if let (Some(s), Some(opener)) = (sealing, sealing.and_then(|s| s.opener)) {
            if matches!(
                raw.payload_type,
                PayloadType::EncryptedAndAuthenticated
                    | PayloadType::EncryptedAndAuthenticatedFragment
            ) {
                open_into(&mut p, &raw, s, opener);
            }
        }
        out.push(p);
    }
    (out, None)
}

fn open_into(p: &mut PayloadSummary, raw: &RawPayload<'_>, s: &Sealing<'_, '_>, o: &dyn SkOpener) {
    let sealed = SealedPayload {
        message: s.msg,
        payload_offset: raw.offset,
        spi_i: s.spi_i,
        spi_r: s.spi_r,
        from_initiator: s.from_initiator,
    };
    match o.open(&sealed) {
        Opened::Plaintext(plain) => {
            let fragment = raw.payload_type == PayloadType::EncryptedAndAuthenticatedFragment;
            let first_fragment = raw.body.get(..2) == Some(&[0, 1][..]);
            if fragment && !first_fragment {
                // Later fragments carry a continuation of the inner chain:
                // only the reassembled whole can be parsed.
                p.decrypt = Some(format!(
                    "decrypted, {} bytes of a fragmented chain",
                    plain.len()
                ));
                return;
            }
            let (inner, err) = chain_summary(Payloads::inner(raw.next_payload, &plain), None);
            p.inner = Some(inner);
            if let Some(e) = err {
                p.decrypt = Some(format!("inner chain: {e}"));
            }
        }
        Opened::IntegrityFailure => p.decrypt = Some("ICV check failed".to_owned()),
        Opened::NoKeys => p.decrypt = Some("no keys for this IKE SA".to_owned()),
    }
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
                    spi: super::hex(&p.spi),
                    transforms: p
                        .transforms
                        .iter()
                        .map(|t| TransformSummary {
                            ty: t.transform_type.abbreviation().map_or_else(
                                || t.transform_type.value().to_string(),
                                str::to_owned,
                            ),
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
    match ts {
        TrafficSelector::Ipv4 {
            ip_protocol,
            start_port,
            end_port,
            start,
            end,
        } => TsSummary {
            ts_type: ts.ts_type().to_string(),
            ip_protocol: *ip_protocol,
            start_port: *start_port,
            end_port: *end_port,
            start: start.to_string(),
            end: end.to_string(),
        },
        TrafficSelector::Ipv6 {
            ip_protocol,
            start_port,
            end_port,
            start,
            end,
        } => TsSummary {
            ts_type: ts.ts_type().to_string(),
            ip_protocol: *ip_protocol,
            start_port: *start_port,
            end_port: *end_port,
            start: start.to_string(),
            end: end.to_string(),
        },
        TrafficSelector::Other { second, data, .. } => TsSummary {
            ts_type: ts.ts_type().to_string(),
            ip_protocol: *second,
            start_port: 0,
            end_port: 0,
            start: super::hex(data),
            end: String::new(),
        },
        _ => TsSummary {
            ts_type: ts.ts_type().to_string(),
            ip_protocol: 0,
            start_port: 0,
            end_port: 0,
            start: String::new(),
            end: String::new(),
        },
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
