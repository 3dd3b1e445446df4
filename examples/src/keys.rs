//! Parsers for Wireshark's key tables (UAT files), so a capture can be
//! decrypted with the same files Wireshark reads:
//!
//! - `ikev2_decryption_table` (IKEv2 SA keys; what strongSwan's `save-keys`
//!   plugin writes): `SPIi,SPIr,SK_ei,SK_er,"encr",SK_ai,SK_ar,"integ"`.
//! - `esp_sa` (ESP SA keys):
//!   `"IPv4","src","dst","spi","encr","encr key","auth","auth key"`.
//!
//! Field syntax follows Wireshark's UAT files: `#` starts a comment line,
//! fields are separated by commas, text fields are double-quoted with `\xNN`
//! and `\"` escapes, byte fields are bare hex. In `esp_sa`, keys are `0x`-hex
//! or the literal ASCII text of the key, SPIs `0x`-hex, decimal or `*`, and
//! addresses `*`, an address, or an address with a `/prefix`.
//!
//! Key bytes live in [`KeyBytes`], which zeroizes on drop and never prints.

use std::net::IpAddr;

use ikev2_wire::{EncrId, IntegId};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Key material read from a key file: zeroized on drop, redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct KeyBytes(Vec<u8>);

impl KeyBytes {
    /// Wraps key bytes.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
    /// The key bytes (for handing to a cipher).
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True for an empty key (NULL algorithms).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyBytes(<{} bytes redacted>)", self.0.len())
    }
}

/// A line of a key file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// Wrong number of comma-separated fields.
    #[error("line {line}: expected {expected} fields, found {found}")]
    FieldCount {
        /// 1-based line number.
        line: usize,
        /// Fields the format has.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A quoted field is not closed, or has a bad escape.
    #[error("line {line}: bad quoting")]
    Quoting {
        /// 1-based line number.
        line: usize,
    },
    /// A field that must be hex is not (or has the wrong length).
    #[error("line {line}: field {field} is not valid hex of the expected length")]
    Hex {
        /// 1-based line number.
        line: usize,
        /// Field name.
        field: &'static str,
    },
    /// A field has a value outside its syntax (address, SPI, protocol).
    #[error("line {line}: field {field} has an invalid value")]
    Value {
        /// 1-based line number.
        line: usize,
        /// Field name.
        field: &'static str,
    },
}

/// An encryption algorithm named in a key table, with the IANA transform it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncrAlg {
    /// IANA Transform Type 1 ID.
    pub id: EncrId,
    /// Key length in bits, where the algorithm has several (AES).
    pub key_bits: Option<u16>,
}

/// One IKE SA of an `ikev2_decryption_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ikev2SaKeys {
    /// Initiator's SPI.
    pub spi_i: [u8; 8],
    /// Responder's SPI.
    pub spi_r: [u8; 8],
    /// SK_ei (with the salt for AEAD ciphers, as Wireshark expects).
    pub sk_ei: KeyBytes,
    /// SK_er.
    pub sk_er: KeyBytes,
    /// The encryption algorithm; `None` when the name is not one we know
    /// (the text is kept in `encr_name`).
    pub encr: Option<EncrAlg>,
    /// The encryption algorithm's name as written in the file.
    pub encr_name: String,
    /// SK_ai (empty for AEAD).
    pub sk_ai: KeyBytes,
    /// SK_ar.
    pub sk_ar: KeyBytes,
    /// The integrity algorithm (`IntegId::None` for AEAD); `None` when unknown.
    pub integ: Option<IntegId>,
    /// The integrity algorithm's name as written in the file.
    pub integ_name: String,
}

/// The parsed `ikev2_decryption_table`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ikev2KeyTable {
    /// The SAs in file order.
    pub sas: Vec<Ikev2SaKeys>,
}

impl Ikev2KeyTable {
    /// Parses the text of an `ikev2_decryption_table` file.
    pub fn parse(text: &str) -> Result<Self, KeyFileError> {
        let mut sas = Vec::new();
        for (line, fields) in records(text)? {
            let [spi_i, spi_r, sk_ei, sk_er, encr, sk_ai, sk_ar, integ] =
                <[Field; 8]>::try_from(fields).map_err(|f| KeyFileError::FieldCount {
                    line,
                    expected: 8,
                    found: f.len(),
                })?;
            let spi = |f: &Field, field| -> Result<[u8; 8], KeyFileError> {
                hex(&f.text)
                    .and_then(|v| <[u8; 8]>::try_from(v).ok())
                    .ok_or(KeyFileError::Hex { line, field })
            };
            let key = |f: &Field, field| -> Result<KeyBytes, KeyFileError> {
                hex(&f.text)
                    .map(KeyBytes)
                    .ok_or(KeyFileError::Hex { line, field })
            };
            sas.push(Ikev2SaKeys {
                spi_i: spi(&spi_i, "SPIi")?,
                spi_r: spi(&spi_r, "SPIr")?,
                sk_ei: key(&sk_ei, "SK_ei")?,
                sk_er: key(&sk_er, "SK_er")?,
                encr: ikev2_encr(&encr.text),
                encr_name: encr.text.clone(),
                sk_ai: key(&sk_ai, "SK_ai")?,
                sk_ar: key(&sk_ar, "SK_ar")?,
                integ: ikev2_integ(&integ.text),
                integ_name: integ.text.clone(),
            });
        }
        Ok(Self { sas })
    }

    /// The keys of the IKE SA with these SPIs.
    #[must_use]
    pub fn find(&self, spi_i: &[u8; 8], spi_r: &[u8; 8]) -> Option<&Ikev2SaKeys> {
        self.sas
            .iter()
            .find(|sa| &sa.spi_i == spi_i && &sa.spi_r == spi_r)
    }
}

/// Address match of an `esp_sa` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrMatch {
    /// `*`: any address.
    Any,
    /// An address with a prefix length (full length when none was written).
    Prefix(IpAddr, u8),
}

impl AddrMatch {
    /// True when `addr` falls in this match.
    #[must_use]
    pub fn matches(&self, addr: IpAddr) -> bool {
        match *self {
            AddrMatch::Any => true,
            AddrMatch::Prefix(net, len) => match (net, addr) {
                (IpAddr::V4(n), IpAddr::V4(a)) => {
                    prefix_eq(&n.octets(), &a.octets(), usize::from(len))
                }
                (IpAddr::V6(n), IpAddr::V6(a)) => {
                    prefix_eq(&n.octets(), &a.octets(), usize::from(len))
                }
                _ => false,
            },
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: usize) -> bool {
    a.iter().zip(b).enumerate().all(|(i, (x, y))| {
        let start = i * 8;
        if bits >= start + 8 {
            x == y
        } else if bits <= start {
            true
        } else {
            let mask = 0xffu8 << (8 - (bits - start));
            x & mask == y & mask
        }
    })
}

/// ESP encryption algorithm of an `esp_sa` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EspEncrAlg {
    /// IANA Transform Type 1 ID.
    pub id: EncrId,
    /// ICV length in bytes for AEAD ciphers (GCM, ChaCha20-Poly1305, GMAC).
    pub icv_len: Option<u8>,
}

/// ESP integrity algorithm of an `esp_sa` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EspAuthAlg {
    /// An IANA integrity transform.
    Integ(IntegId),
    /// Wireshark's "ANY n bit authentication [no checking]": skip an ICV of n/8 bytes.
    AnyUnchecked {
        /// ICV length in bytes.
        icv_len: u8,
    },
}

/// One ESP SA of an `esp_sa` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EspSaKeys {
    /// `IPv4`, `IPv6` or `Any`.
    pub ip_version: Option<u8>,
    /// Source address match.
    pub src: AddrMatch,
    /// Destination address match.
    pub dst: AddrMatch,
    /// The SPI, or `None` for `*`.
    pub spi: Option<u32>,
    /// Encryption algorithm; `None` when the name is not one we know.
    pub encr: Option<EspEncrAlg>,
    /// The encryption algorithm's name as written in the file.
    pub encr_name: String,
    /// Encryption key (for GCM/ChaCha20: key followed by the 4-byte salt).
    pub encr_key: KeyBytes,
    /// Integrity algorithm; `None` when the name is not one we know.
    pub auth: Option<EspAuthAlg>,
    /// The integrity algorithm's name as written in the file.
    pub auth_name: String,
    /// Integrity key.
    pub auth_key: KeyBytes,
}

/// The parsed `esp_sa` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EspKeyTable {
    /// The SAs in file order (the first match wins, as in Wireshark).
    pub sas: Vec<EspSaKeys>,
}

impl EspKeyTable {
    /// Parses the text of an `esp_sa` file.
    pub fn parse(text: &str) -> Result<Self, KeyFileError> {
        let mut sas = Vec::new();
        for (line, fields) in records(text)? {
            let [proto, src, dst, spi, encr, ekey, auth, akey] = <[Field; 8]>::try_from(fields)
                .map_err(|f| KeyFileError::FieldCount {
                    line,
                    expected: 8,
                    found: f.len(),
                })?;
            let ip_version = match proto.text.as_str() {
                "IPv4" => Some(4),
                "IPv6" => Some(6),
                "Any" | "*" => None,
                _ => {
                    return Err(KeyFileError::Value {
                        line,
                        field: "protocol",
                    })
                }
            };
            let addr =
                |f: &Field, field| addr_match(&f.text).ok_or(KeyFileError::Value { line, field });
            let key = |f: &Field, field| {
                esp_key(&f.text)
                    .map(KeyBytes)
                    .ok_or(KeyFileError::Hex { line, field })
            };
            sas.push(EspSaKeys {
                ip_version,
                src: addr(&src, "src")?,
                dst: addr(&dst, "dst")?,
                spi: esp_spi(&spi.text).ok_or(KeyFileError::Value { line, field: "SPI" })?,
                encr: esp_encr(&encr.text),
                encr_name: encr.text.clone(),
                encr_key: key(&ekey, "encryption key")?,
                auth: esp_auth(&auth.text),
                auth_name: auth.text.clone(),
                auth_key: key(&akey, "authentication key")?,
            });
        }
        Ok(Self { sas })
    }

    /// The first SA matching this packet (Wireshark's lookup order).
    #[must_use]
    pub fn find(&self, src: IpAddr, dst: IpAddr, spi: u32) -> Option<&EspSaKeys> {
        let version = if src.is_ipv4() { 4 } else { 6 };
        self.sas.iter().find(|sa| {
            sa.ip_version.is_none_or(|v| v == version)
                && sa.spi.is_none_or(|s| s == spi)
                && sa.src.matches(src)
                && sa.dst.matches(dst)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    text: String,
}

impl Drop for Field {
    fn drop(&mut self) {
        // Fields may hold key text.
        self.text.zeroize();
    }
}

/// Splits a UAT file into its records: (1-based line number, fields).
fn records(text: &str) -> Result<Vec<(usize, Vec<Field>)>, KeyFileError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        out.push((line, split_fields(l).ok_or(KeyFileError::Quoting { line })?));
    }
    Ok(out)
}

fn split_fields(l: &str) -> Option<Vec<Field>> {
    let mut fields = Vec::new();
    let mut chars = l.chars().peekable();
    loop {
        let mut text = String::new();
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => match chars.next()? {
                        'x' => {
                            let h: String = [chars.next()?, chars.next()?].iter().collect();
                            text.push(char::from(u8::from_str_radix(&h, 16).ok()?));
                        }
                        c => text.push(c),
                    },
                    c => text.push(c),
                }
            }
            while chars.peek() == Some(&' ') {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                text.push(c);
                chars.next();
            }
            let t = text.trim_end().len();
            text.truncate(t);
        }
        fields.push(Field { text });
        match chars.next() {
            None => return Some(fields),
            Some(',') => {}
            Some(_) => return None,
        }
    }
}

/// Bare hex (an optional `0x` prefix is accepted); empty text is an empty key.
fn hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() % 2 != 0 {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|p| {
            let hi = char::from(*p.first()?).to_digit(16)?;
            let lo = char::from(*p.get(1)?).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

/// `esp_sa` keys: `0x`-hex, or the ASCII text of the key itself.
fn esp_key(s: &str) -> Option<Vec<u8>> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => hex(h),
        None => Some(s.as_bytes().to_vec()),
    }
}

fn esp_spi(s: &str) -> Option<Option<u32>> {
    if s == "*" {
        return Some(None);
    }
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok().map(Some),
        None => s.parse().ok().map(Some),
    }
}

fn addr_match(s: &str) -> Option<AddrMatch> {
    if s == "*" || s.is_empty() {
        return Some(AddrMatch::Any);
    }
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (s, None),
    };
    let addr: IpAddr = a.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = len.unwrap_or(max);
    (len <= max).then_some(AddrMatch::Prefix(addr, len))
}

/// One `ikev2_decryption_table` line for an IKE SA our endpoint exported
/// (`Endpoint::ike_sa_secrets`), in the format [`Ikev2KeyTable::parse`]
/// reads and Wireshark loads; `None` for a transform without a name there.
#[must_use]
pub fn ikev2_table_row(s: &ikev2_sm::keylog::IkeSaSecrets) -> Option<String> {
    let bits = s.key_bits;
    let encr = match (s.encr, bits) {
        (EncrId::AesCbc, Some(b)) => format!("AES-CBC-{b} [RFC3602]"),
        (EncrId::AesCtr, Some(b)) => format!("AES-CTR-{b} [RFC5930]"),
        (EncrId::AesGcm8, Some(b)) => format!("AES-GCM-{b} with 8 octet ICV [RFC5282]"),
        (EncrId::AesGcm12, Some(b)) => format!("AES-GCM-{b} with 12 octet ICV [RFC5282]"),
        (EncrId::AesGcm16, Some(b)) => format!("AES-GCM-{b} with 16 octet ICV [RFC5282]"),
        (EncrId::Chacha20Poly1305, None) => "CHACHA20-POLY1305 [RFC7634]".to_owned(),
        _ => return None,
    };
    let integ = match s.integ {
        None | Some(IntegId::None) => "NONE [RFC4306]",
        Some(IntegId::HmacSha1_96) => "HMAC_SHA1_96 [RFC2404]",
        Some(IntegId::HmacSha2_256_128) => "HMAC_SHA2_256_128 [RFC4868]",
        Some(IntegId::HmacSha2_384_192) => "HMAC_SHA2_384_192 [RFC4868]",
        Some(IntegId::HmacSha2_512_256) => "HMAC_SHA2_512_256 [RFC4868]",
        Some(_) => return None,
    };
    Some(format!(
        "{:016x},{:016x},{},{},\"{encr}\",{},{},\"{integ}\"",
        s.spi_i,
        s.spi_r,
        to_hex(s.sk_ei.as_bytes()),
        to_hex(s.sk_er.as_bytes()),
        to_hex(s.sk_ai.as_bytes()),
        to_hex(s.sk_ar.as_bytes()),
    ))
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Wireshark's IKEv2 encryption names (`ikev2_encr_algs` in packet-isakmp.c).
fn ikev2_encr(name: &str) -> Option<EncrAlg> {
    let base = name.split(" [").next().unwrap_or(name);
    let (id, key_bits) = match base {
        "NULL" => (EncrId::Null, None),
        "3DES" => (EncrId::TripleDes, None),
        // RFC 7634: one fixed key size, so no Key Length attribute
        "CHACHA20-POLY1305" => (EncrId::Chacha20Poly1305, None),
        _ => {
            let (family, rest) = base.split_at(base.find(|c: char| c.is_ascii_digit())?);
            let bits: u16 = rest.get(..3)?.parse().ok()?;
            let icv = rest
                .strip_prefix(rest.get(..3)?)
                .map(|r| {
                    r.trim_start_matches(" with ")
                        .trim_end_matches(" octet ICV")
                })
                .unwrap_or("");
            let id = match (family, icv) {
                ("AES-CBC-", "") => EncrId::AesCbc,
                ("AES-CTR-", "") => EncrId::AesCtr,
                ("AES-GCM-", "8") => EncrId::AesGcm8,
                ("AES-GCM-", "12") => EncrId::AesGcm12,
                ("AES-GCM-", "16") => EncrId::AesGcm16,
                ("AES-CCM-", "8") => EncrId::AesCcm8,
                ("AES-CCM-", "12") => EncrId::AesCcm12,
                ("AES-CCM-", "16") => EncrId::AesCcm16,
                ("CAMELLIA-CBC-", "") => EncrId::CamelliaCbc,
                _ => return None,
            };
            (id, Some(bits))
        }
    };
    Some(EncrAlg { id, key_bits })
}

/// Wireshark's IKEv2 integrity names (`ikev2_auth_algs`).
fn ikev2_integ(name: &str) -> Option<IntegId> {
    let base = name.split(" [").next().unwrap_or(name);
    Some(match base {
        "NONE" => IntegId::None,
        "HMAC_MD5_96" => IntegId::HmacMd5_96,
        "HMAC_SHA1_96" => IntegId::HmacSha1_96,
        "HMAC_MD5_128" => IntegId::HmacMd5_128,
        "HMAC_SHA1_160" => IntegId::HmacSha1_160,
        "HMAC_SHA2_256_128" => IntegId::HmacSha2_256_128,
        "HMAC_SHA2_384_192" => IntegId::HmacSha2_384_192,
        "HMAC_SHA2_512_256" => IntegId::HmacSha2_512_256,
        _ => return None,
    })
}

/// Wireshark's ESP encryption names (`esp_encryption_type_vals`).
fn esp_encr(name: &str) -> Option<EspEncrAlg> {
    let base = name.split(" [").next().unwrap_or(name);
    let (id, icv_len) = match base {
        "NULL" => (EncrId::Null, None),
        "TripleDES-CBC" => (EncrId::TripleDes, None),
        "DES-CBC" => (EncrId::Des, None),
        "AES-CBC" => (EncrId::AesCbc, None),
        "AES-CTR" => (EncrId::AesCtr, None),
        "CAST5-CBC" => (EncrId::Cast, None),
        "BLOWFISH-CBC" => (EncrId::Blowfish, None),
        // Older Wireshark names AES-GCM without the ICV length; it meant 16.
        "AES-GCM" | "AES-GCM with 16 octet ICV" => (EncrId::AesGcm16, Some(16)),
        "AES-GCM with 12 octet ICV" => (EncrId::AesGcm12, Some(12)),
        "AES-GCM with 8 octet ICV" => (EncrId::AesGcm8, Some(8)),
        "NULL Encryption with AES-GMAC Authentication" => (EncrId::NullAuthAesGmac, Some(16)),
        "ChaCha20 with Poly1305" => (EncrId::Chacha20Poly1305, Some(16)),
        _ => return None,
    };
    Some(EspEncrAlg { id, icv_len })
}

/// Wireshark's ESP authentication names (`esp_authentication_type_vals`).
fn esp_auth(name: &str) -> Option<EspAuthAlg> {
    let base = name.split(" [").next().unwrap_or(name);
    Some(match base {
        "NULL" => EspAuthAlg::Integ(IntegId::None),
        "HMAC-SHA-1-96" => EspAuthAlg::Integ(IntegId::HmacSha1_96),
        "HMAC-MD5-96" => EspAuthAlg::Integ(IntegId::HmacMd5_96),
        "HMAC-SHA-256-128" => EspAuthAlg::Integ(IntegId::HmacSha2_256_128),
        "HMAC-SHA-384-192" => EspAuthAlg::Integ(IntegId::HmacSha2_384_192),
        "HMAC-SHA-512-256" => EspAuthAlg::Integ(IntegId::HmacSha2_512_256),
        "ANY 64 bit authentication" => EspAuthAlg::AnyUnchecked { icv_len: 8 },
        "ANY 96 bit authentication" => EspAuthAlg::AnyUnchecked { icv_len: 12 },
        "ANY 128 bit authentication" => EspAuthAlg::AnyUnchecked { icv_len: 16 },
        "ANY 192 bit authentication" => EspAuthAlg::AnyUnchecked { icv_len: 24 },
        "ANY 256 bit authentication" => EspAuthAlg::AnyUnchecked { icv_len: 32 },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uat_quoting_and_escapes() {
        let f = split_fields(r#""a\x2cb",0a0b, "c\"d" ,"#).unwrap();
        let t: Vec<&str> = f.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(t, ["a,b", "0a0b", "c\"d", ""]);
        assert!(split_fields(r#""open"#).is_none());
        assert!(split_fields(r#""a"b"#).is_none());
    }

    #[test]
    fn rejects_bad_lines_with_line_numbers() {
        let e = Ikev2KeyTable::parse("# c\n\n0011,22\n").unwrap_err();
        assert_eq!(
            e,
            KeyFileError::FieldCount {
                line: 3,
                expected: 8,
                found: 2
            }
        );
        let e = Ikev2KeyTable::parse("00112233445566,0011223344556677,,,\"NULL\",,,\"NONE\"")
            .unwrap_err();
        assert_eq!(
            e,
            KeyFileError::Hex {
                line: 1,
                field: "SPIi"
            }
        );
        let e = EspKeyTable::parse("\"IPv5\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"NULL\",\"\"")
            .unwrap_err();
        assert_eq!(
            e,
            KeyFileError::Value {
                line: 1,
                field: "protocol"
            }
        );
    }

    #[test]
    fn chacha20_poly1305_has_no_key_length() {
        let alg = ikev2_encr("CHACHA20-POLY1305 [RFC7634]").unwrap();
        assert_eq!((alg.id, alg.key_bits), (EncrId::Chacha20Poly1305, None));
        let gcm = ikev2_encr("AES-GCM-256 with 16 octet ICV [RFC5282]").unwrap();
        assert_eq!((gcm.id, gcm.key_bits), (EncrId::AesGcm16, Some(256)));
    }

    #[test]
    fn exported_rows_parse_back() {
        use ikev2_crypto::SecretBytes;
        let k = |n: usize, b: u8| SecretBytes::new(vec![b; n]);
        let mut s = ikev2_sm::keylog::IkeSaSecrets {
            spi_i: 0x0102_0304_0506_0708,
            spi_r: 0x1112_1314_1516_1718,
            encr: EncrId::AesCbc,
            key_bits: Some(256),
            integ: Some(IntegId::HmacSha2_384_192),
            sk_ei: k(32, 1),
            sk_er: k(32, 2),
            sk_ai: k(48, 3),
            sk_ar: k(48, 4),
        };
        let t = Ikev2KeyTable::parse(&ikev2_table_row(&s).unwrap()).unwrap();
        let sa = &t.sas[0];
        assert_eq!(sa.spi_i, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(sa.spi_r[7], 0x18);
        assert_eq!(
            sa.encr,
            Some(EncrAlg {
                id: EncrId::AesCbc,
                key_bits: Some(256)
            })
        );
        assert_eq!(sa.integ, Some(IntegId::HmacSha2_384_192));
        assert_eq!(sa.sk_ar, KeyBytes::new(vec![4; 48]));
        s.encr = EncrId::Chacha20Poly1305;
        s.key_bits = None;
        s.integ = None;
        let t = Ikev2KeyTable::parse(&ikev2_table_row(&s).unwrap()).unwrap();
        assert_eq!(t.sas[0].encr.map(|e| e.id), Some(EncrId::Chacha20Poly1305));
        assert_eq!(t.sas[0].integ, Some(IntegId::None));
        s.encr = EncrId::TripleDes;
        assert_eq!(ikev2_table_row(&s), None, "no Wireshark name: no row");
    }

    #[test]
    fn key_debug_is_redacted() {
        let k = KeyBytes::new(vec![0xde, 0xad]);
        assert_eq!(format!("{k:?}"), "KeyBytes(<2 bytes redacted>)");
    }

    #[test]
    fn prefixes_match() {
        let m = addr_match("10.1.0.0/16").unwrap();
        assert!(m.matches("10.1.200.3".parse().unwrap()));
        assert!(!m.matches("10.2.0.1".parse().unwrap()));
        assert!(!m.matches("::1".parse().unwrap()));
        let m = addr_match("10.1.2.3").unwrap();
        assert!(m.matches("10.1.2.3".parse().unwrap()));
        assert!(!m.matches("10.1.2.4".parse().unwrap()));
        assert!(addr_match("10.1.2.3/33").is_none());
        assert_eq!(addr_match("*"), Some(AddrMatch::Any));
    }
}
