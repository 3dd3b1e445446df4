//! Traffic selectors (RFC 7296 §2.9, §3.13): address ranges with an IP
//! protocol and a port range, strongSwan's textual syntax for them, and the
//! responder's narrowing.
//!
//! ```
//! use ikev2_sm::ts::{narrow, TsSpec};
//! let ours = [TsSpec::parse("10.1.0.0/16")?.resolve(None)?];
//! let theirs = [TsSpec::parse("10.0.0.0/8[tcp/80]")?.resolve(None)?];
//! let narrowed = narrow(&theirs, &ours).map_err(|e| e.to_string())?;
//! assert_eq!(narrowed[0].to_string(), "10.1.0.0/16[tcp/80]");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ikev2_wire::TsType;

use crate::proposal::SetDisplay;

/// One traffic selector: an inclusive address range of one family, an IP
/// protocol (0 = any) and an inclusive port range.
///
/// For ICMP the "ports" carry type and code as RFC 4301 §4.4.1.3 describes
/// (`start_port` = type << 8 | code); they are compared like ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrafficSelector {
    ip_protocol: u8,
    start_port: u16,
    end_port: u16,
    start: IpAddr,
    end: IpAddr,
}

/// Why a selector could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TsError {
    /// Start and end address are of different families.
    #[error("address family mismatch between {0} and {1}")]
    FamilyMismatch(IpAddr, IpAddr),
    /// Start address above end address, or start port above end port.
    #[error("empty range: {0}")]
    EmptyRange(String),
    /// Text that is not strongSwan selector syntax; names the bad part and
    /// its byte offset.
    #[error("cannot parse traffic selector: `{token}` at byte {position}: {why}")]
    Syntax {
        /// The offending text.
        token: String,
        /// Byte offset in the parsed string.
        position: usize,
        /// What was expected.
        why: &'static str,
    },
    /// `dynamic` was used but no address to substitute was given.
    #[error("`dynamic` selector needs the IKE endpoint address")]
    DynamicUnresolved,
}

fn to_bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

fn from_bits(v4: bool, bits: u128) -> IpAddr {
    if v4 {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(bits).unwrap_or(u32::MAX)))
    } else {
        IpAddr::V6(Ipv6Addr::from(bits))
    }
}

impl TrafficSelector {
    /// A selector for `start..=end`, `ip_protocol` (0 = any) and ports
    /// `start_port..=end_port`.
    ///
    /// # Errors
    /// [`TsError`] for mixed families or empty ranges.
    pub fn new(
        start: IpAddr,
        end: IpAddr,
        ip_protocol: u8,
        start_port: u16,
        end_port: u16,
    ) -> Result<Self, TsError> {
        if start.is_ipv4() != end.is_ipv4() {
            return Err(TsError::FamilyMismatch(start, end));
        }
        if to_bits(start) > to_bits(end) {
            return Err(TsError::EmptyRange(format!("{start}..{end}")));
        }
        if start_port > end_port {
            return Err(TsError::EmptyRange(format!(
                "ports {start_port}-{end_port}"
            )));
        }
        Ok(Self {
            ip_protocol,
            start_port,
            end_port,
            start,
            end,
        })
    }

    /// All addresses of `addr`'s prefix of length `prefix_len`, any protocol
    /// and port.
    ///
    /// # Errors
    /// [`TsError::Syntax`] if the prefix length exceeds the address width.
    pub fn from_prefix(addr: IpAddr, prefix_len: u8) -> Result<Self, TsError> {
        let width: u32 = if addr.is_ipv4() { 32 } else { 128 };
        if u32::from(prefix_len) > width {
            return Err(TsError::Syntax {
                token: prefix_len.to_string(),
                position: 0,
                why: "prefix length longer than the address",
            });
        }
        let host_bits = width - u32::from(prefix_len);
        let mask: u128 = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        let base = to_bits(addr) & !mask;
        let v4 = addr.is_ipv4();
        Self::new(
            from_bits(v4, base),
            from_bits(v4, base | mask),
            0,
            0,
            u16::MAX,
        )
    }

    /// Exactly one address, any protocol and port.
    #[must_use]
    pub fn host(addr: IpAddr) -> Self {
        Self {
            ip_protocol: 0,
            start_port: 0,
            end_port: u16::MAX,
            start: addr,
            end: addr,
        }
    }

    /// `0.0.0.0/0` or `::/0`.
    #[must_use]
    pub fn any(v4: bool) -> Self {
        let (s, e) = if v4 {
            (
                IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                IpAddr::V4(Ipv4Addr::BROADCAST),
            )
        } else {
            (
                IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                IpAddr::V6(Ipv6Addr::from(u128::MAX)),
            )
        };
        Self {
            ip_protocol: 0,
            start_port: 0,
            end_port: u16::MAX,
            start: s,
            end: e,
        }
    }

    /// The same selector restricted to `ip_protocol` and a port range.
    ///
    /// # Errors
    /// [`TsError::EmptyRange`] if `start_port > end_port`.
    pub fn with_protocol(
        self,
        ip_protocol: u8,
        start_port: u16,
        end_port: u16,
    ) -> Result<Self, TsError> {
        Self::new(self.start, self.end, ip_protocol, start_port, end_port)
    }

    /// TS_IPV4_ADDR_RANGE or TS_IPV6_ADDR_RANGE.
    #[must_use]
    pub fn ts_type(&self) -> TsType {
        if self.start.is_ipv4() {
            TsType::Ipv4AddrRange
        } else {
            TsType::Ipv6AddrRange
        }
    }
    /// IP Protocol ID (0 = any).
    #[must_use]
    pub fn ip_protocol(&self) -> u8 {
        self.ip_protocol
    }
    /// Start and end port.
    #[must_use]
    pub fn ports(&self) -> (u16, u16) {
        (self.start_port, self.end_port)
    }
    /// Starting and ending address.
    #[must_use]
    pub fn addresses(&self) -> (IpAddr, IpAddr) {
        (self.start, self.end)
    }

    /// True for a single address (and any ports), the shape of the
    /// packet-specific selector an initiator puts first (RFC 7296 §2.9).
    #[must_use]
    pub fn is_host(&self) -> bool {
        self.start == self.end
    }

    /// True if `self` covers every packet `other` covers.
    #[must_use]
    pub fn contains(&self, other: &Self) -> bool {
        self.intersect(other).as_ref() == Some(other)
    }

    /// True if a packet with these fields matches.
    #[must_use]
    pub fn matches(&self, addr: IpAddr, ip_protocol: u8, port: u16) -> bool {
        addr.is_ipv4() == self.start.is_ipv4()
            && (to_bits(self.start)..=to_bits(self.end)).contains(&to_bits(addr))
            && (self.ip_protocol == 0 || self.ip_protocol == ip_protocol)
            && (self.start_port..=self.end_port).contains(&port)
    }

    /// The packets both selectors cover, if any.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Option<Self> {
        if self.start.is_ipv4() != other.start.is_ipv4() {
            return None;
        }
        let ip_protocol = match (self.ip_protocol, other.ip_protocol) {
            (0, p) | (p, 0) => p,
            (a, b) if a == b => a,
            _ => return None,
        };
        let start = to_bits(self.start).max(to_bits(other.start));
        let end = to_bits(self.end).min(to_bits(other.end));
        let start_port = self.start_port.max(other.start_port);
        let end_port = self.end_port.min(other.end_port);
        if start > end || start_port > end_port {
            return None;
        }
        let v4 = self.start.is_ipv4();
        Some(Self {
            ip_protocol,
            start_port,
            end_port,
            start: from_bits(v4, start),
            end: from_bits(v4, end),
        })
    }

    /// The prefix length if the range is exactly one CIDR block.
    fn prefix_len(&self) -> Option<u8> {
        let (s, e) = (to_bits(self.start), to_bits(self.end));
        let width: u32 = if self.start.is_ipv4() { 32 } else { 128 };
        let span = s ^ e;
        // span must be a low-bit mask aligned with s.
        if span.checked_add(1).is_some_and(|n| n & span != 0)
            || (s & span) != 0
            || (e & span) != span
        {
            return None;
        }
        let host_bits = 128 - span.leading_zeros();
        u8::try_from(width.checked_sub(host_bits)?).ok()
    }
}

fn protocol_name(p: u8) -> Option<&'static str> {
    Some(match p {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        47 => "gre",
        50 => "esp",
        51 => "ah",
        58 => "ipv6-icmp",
        132 => "sctp",
        _ => return None,
    })
}

fn protocol_number(name: &str) -> Option<u8> {
    Some(match name {
        "icmp" => 1,
        "tcp" => 6,
        "udp" => 17,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "ipv6-icmp" | "icmpv6" => 58,
        "sctp" => 132,
        "" | "%any" | "any" => 0,
        n => return n.parse().ok(),
    })
}

/// strongSwan's notation: `10.1.0.0/16`, `10.1.0.1..10.1.0.9`, then
/// `[tcp/80]`, `[udp/1000-2000]`, `[tcp]` or `[/53]` when restricted.
impl fmt::Display for TrafficSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.prefix_len() {
            Some(len) => write!(f, "{}/{len}", self.start)?,
            None => write!(f, "{}..{}", self.start, self.end)?,
        }
        let any_port = (self.start_port, self.end_port) == (0, u16::MAX);
        if self.ip_protocol == 0 && any_port {
            return Ok(());
        }
        f.write_str("[")?;
        match protocol_name(self.ip_protocol) {
            _ if self.ip_protocol == 0 => {}
            Some(n) => f.write_str(n)?,
            None => write!(f, "{}", self.ip_protocol)?,
        }
        if !any_port {
            if self.start_port == self.end_port {
                write!(f, "/{}", self.start_port)?;
            } else {
                write!(f, "/{}-{}", self.start_port, self.end_port)?;
            }
        }
        f.write_str("]")
    }
}

/// A configured selector: fixed, or `dynamic` (the IKE endpoint's own
/// address, known only when an SA is set up; also the virtual IP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsSpec {
    /// A fixed selector.
    Fixed(TrafficSelector),
    /// `dynamic`, optionally with `[proto/ports]`.
    Dynamic {
        /// IP protocol (0 = any).
        ip_protocol: u8,
        /// Port range.
        ports: (u16, u16),
    },
}

impl TsSpec {
    /// Parses strongSwan's `local_ts`/`remote_ts` element syntax:
    /// `10.1.0.0/16`, `10.1.0.0/16[tcp/80]`, `dynamic`, `dynamic[udp/500]`,
    /// `0.0.0.0/0`, `::/0`, `fec0::1`, `10.1.0.1-10.1.0.9`, `[tcp/1000-2000]`
    /// suffixes; `%any` or an empty part for "any". Protocols by name
    /// (`tcp`, `udp`, `icmp`, `ipv6-icmp`, `sctp`, `gre`, `esp`, `ah`) or
    /// number; ports by number (service names are not looked up).
    ///
    /// # Errors
    /// [`TsError::Syntax`] naming the bad part and its byte offset.
    pub fn parse(s: &str) -> Result<Self, TsError> {
        let lead = s.len() - s.trim_start().len();
        let s = s.trim();
        let syntax = |token: &str, position: usize, why| TsError::Syntax {
            token: token.to_owned(),
            position: lead + position,
            why,
        };
        let (addr_part, suffix) = match s.find('[') {
            Some(i) => {
                let rest = s.get(i + 1..).unwrap_or("");
                let Some(inner) = rest.strip_suffix(']') else {
                    return Err(syntax(rest, i, "missing `]`"));
                };
                (s.get(..i).unwrap_or(""), Some((i + 1, inner)))
            }
            None => (s, None),
        };
        let (ip_protocol, ports) = match suffix {
            None => (0, (0, u16::MAX)),
            Some((at, inner)) => {
                let (proto, port) = match inner.split_once('/') {
                    Some((p, q)) => (p, Some(q)),
                    None => (inner, None),
                };
                let ip_protocol =
                    protocol_number(proto).ok_or_else(|| syntax(proto, at, "unknown protocol"))?;
                let port_at = at + proto.len() + 1;
                let ports = match port {
                    None | Some("" | "%any") => (0, u16::MAX),
                    Some(p) => {
                        let bad = || syntax(p, port_at, "port must be a number or a range lo-hi");
                        match p.split_once('-') {
                            Some((lo, hi)) => (
                                lo.parse().map_err(|_| bad())?,
                                hi.parse().map_err(|_| bad())?,
                            ),
                            None => {
                                let v = p.parse().map_err(|_| bad())?;
                                (v, v)
                            }
                        }
                    }
                };
                if ports.0 > ports.1 {
                    return Err(syntax(port.unwrap_or(""), port_at, "port range is empty"));
                }
                (ip_protocol, ports)
            }
        };
        if addr_part == "dynamic" {
            return Ok(Self::Dynamic { ip_protocol, ports });
        }
        let addr = |t: &str, at: usize| -> Result<IpAddr, TsError> {
            t.parse().map_err(|_| syntax(t, at, "not an IP address"))
        };
        let ts = if let Some((a, len)) = addr_part.split_once('/') {
            let base = addr(a, 0)?;
            let len: u8 = len
                .parse()
                .map_err(|_| syntax(len, a.len() + 1, "prefix length must be a number"))?;
            TrafficSelector::from_prefix(base, len)
                .map_err(|_| syntax(addr_part, 0, "prefix length too long"))?
        } else if let Some((a, b)) = addr_part.split_once('-') {
            let (sa, sb) = (addr(a, 0)?, addr(b, a.len() + 1)?);
            TrafficSelector::new(sa, sb, 0, 0, u16::MAX).map_err(|_| {
                syntax(
                    addr_part,
                    0,
                    "range start must not exceed its end, same family",
                )
            })?
        } else if addr_part.is_empty() {
            return Err(syntax(addr_part, 0, "missing address"));
        } else {
            TrafficSelector::host(addr(addr_part, 0)?)
        };
        Ok(Self::Fixed(
            ts.with_protocol(ip_protocol, ports.0, ports.1)
                .map_err(|_| syntax(s, 0, "port range is empty"))?,
        ))
    }

    /// The selector for an SA, substituting `dynamic` with `host`.
    ///
    /// # Errors
    /// [`TsError::DynamicUnresolved`] for `dynamic` without a host.
    pub fn resolve(&self, host: Option<IpAddr>) -> Result<TrafficSelector, TsError> {
        match *self {
            Self::Fixed(ts) => Ok(ts),
            Self::Dynamic { ip_protocol, ports } => TrafficSelector::host(
                host.ok_or(TsError::DynamicUnresolved)?,
            )
            .with_protocol(ip_protocol, ports.0, ports.1),
        }
    }
}

/// Parses a comma-separated `local_ts`/`remote_ts` list.
///
/// # Errors
/// [`TsError::Syntax`] with the offset in the whole string.
pub fn parse_ts_list(s: &str) -> Result<Vec<TsSpec>, TsError> {
    let mut at = 0;
    let mut out = Vec::new();
    for piece in s.split(',') {
        out.push(TsSpec::parse(piece).map_err(|e| match e {
            TsError::Syntax {
                token,
                position,
                why,
            } => TsError::Syntax {
                token,
                position: position + at,
                why,
            },
            other => other,
        })?);
        at += piece.len() + 1;
    }
    Ok(out)
}

/// TS_UNACCEPTABLE diagnostic: what we allow and what the peer proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsUnacceptable {
    /// Our policy's selectors.
    pub ours: Vec<TrafficSelector>,
    /// The peer's proposed selectors.
    pub theirs: Vec<TrafficSelector>,
}

impl fmt::Display for TsUnacceptable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "traffic selectors unacceptable: proposed {} but local policy allows {}",
            SetDisplay(&self.theirs),
            SetDisplay(&self.ours)
        )
    }
}

impl std::error::Error for TsUnacceptable {}

/// Narrows the peer's proposed selectors to our policy (RFC 7296 §2.9): the
/// result is every non-empty intersection of a proposed with a local
/// selector, in the peer's order, without duplicates or selectors contained
/// in an earlier one.
///
/// If the peer put a single-host selector first followed by others, it is
/// taken as the packet-specific selector of the packet that triggered the
/// SA: only local selectors containing it are used, so the narrowed result
/// still carries that packet (and falls back to plain narrowing if none does).
///
/// # Errors
/// [`TsUnacceptable`] with both sets when nothing intersects.
pub fn narrow(
    proposed: &[TrafficSelector],
    ours: &[TrafficSelector],
) -> Result<Vec<TrafficSelector>, TsUnacceptable> {
    let packet_specific = match proposed {
        [first, _, ..] if first.is_host() => Some(*first),
        _ => None,
    };
    let policy: Vec<TrafficSelector> = match packet_specific {
        Some(p) => {
            let covering: Vec<_> = ours.iter().filter(|o| o.contains(&p)).copied().collect();
            if covering.is_empty() {
                ours.to_vec()
            } else {
                covering
            }
        }
        None => ours.to_vec(),
    };
    let mut out: Vec<TrafficSelector> = Vec::new();
    for p in proposed {
        for o in &policy {
            if let Some(i) = p.intersect(o) {
                if !out.iter().any(|x| x.contains(&i)) {
                    out.retain(|x| !i.contains(x));
                    out.push(i);
                }
            }
        }
    }
    if out.is_empty() {
        return Err(TsUnacceptable {
            ours: ours.to_vec(),
            theirs: proposed.to_vec(),
        });
    }
    Ok(out)
}

/// The initiator's check of the responder's answer: each returned selector
/// must lie within what we proposed (the responder may only narrow).
#[must_use]
pub fn is_narrowing_of(returned: &[TrafficSelector], proposed: &[TrafficSelector]) -> bool {
    !returned.is_empty()
        && returned
            .iter()
            .all(|r| proposed.iter().any(|p| p.contains(r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> TrafficSelector {
        TsSpec::parse(s).unwrap().resolve(None).unwrap()
    }

    #[test]
    fn parse_and_display() {
        for s in [
            "10.1.0.0/16",
            "10.1.0.0/16[tcp/80]",
            "0.0.0.0/0",
            "::/0",
            "fec0::/16[udp/500-600]",
            "10.1.0.1..10.1.0.9",
            "192.168.0.1/32[icmp]",
            "10.0.0.0/8[/53]",
            "10.0.0.0/8[99/7]",
        ] {
            let input = s.replace("..", "-");
            assert_eq!(ts(&input).to_string(), s);
        }
        assert_eq!(ts("10.1.2.3").to_string(), "10.1.2.3/32");
        assert_eq!(
            ts("10.1.2.3/16").to_string(),
            "10.1.0.0/16",
            "host bits cleared"
        );
        assert_eq!(ts("10.0.0.0/8[tcp/%any]").to_string(), "10.0.0.0/8[tcp]");
        assert_eq!(ts("10.0.0.0/8[%any/80]").to_string(), "10.0.0.0/8[/80]");
        assert_eq!(
            TsSpec::parse("dynamic[udp/500]").unwrap(),
            TsSpec::Dynamic {
                ip_protocol: 17,
                ports: (500, 500)
            }
        );
        let d = TsSpec::parse("dynamic").unwrap();
        assert_eq!(d.resolve(None), Err(TsError::DynamicUnresolved));
        assert_eq!(
            d.resolve(Some("192.0.2.1".parse().unwrap()))
                .unwrap()
                .to_string(),
            "192.0.2.1/32"
        );
        assert_eq!(ts("10.0.0.0/8").ts_type(), TsType::Ipv4AddrRange);
        assert_eq!(ts("::/0").ts_type(), TsType::Ipv6AddrRange);
    }

    #[test]
    fn parse_errors_point_at_the_part() {
        let e = parse_ts_list("10.1.0.0/16, 10.2.0.0/16[tcpp/80]").unwrap_err();
        assert_eq!(
            e,
            TsError::Syntax {
                token: "tcpp".into(),
                position: 25,
                why: "unknown protocol"
            }
        );
        assert!(matches!(
            TsSpec::parse("10.1.0.0/33"),
            Err(TsError::Syntax { .. })
        ));
        assert!(matches!(
            TsSpec::parse("10.1.0.9-10.1.0.1"),
            Err(TsError::Syntax { .. })
        ));
        assert!(matches!(
            TsSpec::parse("10.1.0.1-::1"),
            Err(TsError::Syntax { .. })
        ));
        assert!(matches!(
            TsSpec::parse("10.1.0.0/16[tcp/90-80]"),
            Err(TsError::Syntax { .. })
        ));
        assert!(matches!(
            TsSpec::parse("10.1.0.0/16[tcp/80"),
            Err(TsError::Syntax { .. })
        ));
        assert!(matches!(
            TsSpec::parse("10.1.0.x"),
            Err(TsError::Syntax { position: 0, .. })
        ));
        let e = TsSpec::parse("10.0.0.0/8[tcp/http]").unwrap_err();
        assert!(matches!(e, TsError::Syntax { position: 15, .. }), "{e:?}");
    }

    #[test]
    fn narrowing() {
        // Responder narrows a wide proposal to its policy.
        let n = narrow(&[ts("0.0.0.0/0")], &[ts("10.1.0.0/16"), ts("10.2.0.0/16")]).unwrap();
        assert_eq!(n, vec![ts("10.1.0.0/16"), ts("10.2.0.0/16")]);
        // Protocol/port restrictions combine.
        let n = narrow(&[ts("10.0.0.0/8[tcp]")], &[ts("10.1.0.0/16[/80-90]")]).unwrap();
        assert_eq!(n[0].to_string(), "10.1.0.0/16[tcp/80-90]");
        // Packet-specific first selector: only the policy containing it is used.
        let n = narrow(
            &[ts("10.2.0.7[tcp/443]"), ts("10.0.0.0/8")],
            &[ts("10.1.0.0/16"), ts("10.2.0.0/16")],
        )
        .unwrap();
        assert_eq!(
            n,
            vec![ts("10.2.0.0/16")],
            "contains the packet, no 10.1/16"
        );
        // Families never mix; nothing in common is TS_UNACCEPTABLE with both sets.
        let e = narrow(&[ts("::/0"), ts("192.168.0.0/24")], &[ts("10.0.0.0/8")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "traffic selectors unacceptable: proposed {::/0, 192.168.0.0/24} but local policy allows {10.0.0.0/8}"
        );
        let e = narrow(&[ts("10.0.0.0/8[tcp]")], &[ts("10.0.0.0/8[udp]")]).unwrap_err();
        assert_eq!(e.ours, vec![ts("10.0.0.0/8[udp]")]);
        // Initiator-side check.
        assert!(is_narrowing_of(&[ts("10.1.0.0/24")], &[ts("10.1.0.0/16")]));
        assert!(!is_narrowing_of(&[ts("10.0.0.0/8")], &[ts("10.1.0.0/16")]));
    }

    fn arb_ts() -> impl Strategy<Value = TrafficSelector> {
        (
            any::<u32>(),
            any::<u32>(),
            prop_oneof![Just(0u8), Just(6u8), Just(17u8)],
            any::<u16>(),
            any::<u16>(),
        )
            .prop_map(|(a, b, p, x, y)| {
                let (a, b) = (a.min(b), a.max(b));
                TrafficSelector::new(
                    IpAddr::V4(Ipv4Addr::from(a)),
                    IpAddr::V4(Ipv4Addr::from(b)),
                    p,
                    x.min(y),
                    x.max(y),
                )
                .unwrap()
            })
    }

    proptest! {
        #[test]
        fn intersection_is_exact(a in arb_ts(), b in arb_ts(), addr in any::<u32>(), proto in prop_oneof![Just(6u8), Just(17u8)], port in any::<u16>()) {
            let addr = IpAddr::V4(Ipv4Addr::from(addr));
            let both = a.matches(addr, proto, port) && b.matches(addr, proto, port);
            let i = a.intersect(&b);
            prop_assert_eq!(i.is_some_and(|i| i.matches(addr, proto, port)), both);
            prop_assert_eq!(i, b.intersect(&a));
            if let Some(i) = i {
                prop_assert!(a.contains(&i) && b.contains(&i));
            }
        }

        #[test]
        fn narrowed_is_within_both(p in proptest::collection::vec(arb_ts(), 1..4), o in proptest::collection::vec(arb_ts(), 1..4)) {
            if let Ok(n) = narrow(&p, &o) {
                prop_assert!(is_narrowing_of(&n, &p));
                prop_assert!(is_narrowing_of(&n, &o));
            }
        }

        #[test]
        fn display_parses_back(t in arb_ts()) {
            let shown = t.to_string().replace("..", "-");
            prop_assert_eq!(TsSpec::parse(&shown).unwrap(), TsSpec::Fixed(t));
        }
    }
}
