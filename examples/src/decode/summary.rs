//! The record types `ikev2-decode` prints for an IKEv2 message.

use serde::Serialize;

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
    /// Integrity of a decrypted SK/SKF payload: `ok` or `failed` (for SKF:
    /// of every fragment of the reassembled message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icv: Option<String>,
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
    /// Protocol ID number.
    pub protocol_value: u8,
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
    /// Transform type number.
    pub type_value: u8,
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
                // The Protocol ID only means something with an SPI (RFC 7296
                // §3.10: otherwise it must be ignored).
                if !spi.is_empty() {
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
        if let Some(icv) = &self.icv {
            s.push_str(&format!(" [ICV {icv}]"));
        }
        if let Some(d) = &self.decrypt {
            s.push_str(&format!(" [{d}]"));
        }
        s
    }
}
