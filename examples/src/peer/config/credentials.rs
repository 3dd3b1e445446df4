//! Credentials: `[secrets]` (pre-shared keys and private key files),
//! certificate files, and certificate authentication (`auth = pubkey`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ikev2_sm::config::{Auth, Identity};
use toml::Spanned;
use zeroize::Zeroizing;

use super::schema::{OneOrMany, RawLocal, RawRemote, RawSecret};
use super::{Cx, KeyFile, Secret, R};

impl Cx<'_> {
    pub(super) fn secrets(
        &self,
        raw: &BTreeMap<Spanned<String>, Spanned<RawSecret>>,
    ) -> R<(Vec<Secret>, Vec<KeyFile>)> {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        for (name, s) in raw {
            let n = name.get_ref();
            let body = s.get_ref();
            if n.starts_with("private") {
                // swanctl's `private-<name> { file = ... }`: a PEM or DER key.
                let f = body.file.as_ref().ok_or_else(|| {
                    self.at(
                        name,
                        format!("secrets.{n}: `file` (the private key) is required"),
                    )
                })?;
                if let Some(x) = &body.secret {
                    return Err(self.at(
                        x,
                        "encrypted private keys (a passphrase in `secret`) are not supported",
                    ));
                }
                keys.push((f.span(), self.path(f.get_ref())));
                continue;
            }
            if !n.starts_with("ike") {
                return Err(self.at(
                    name,
                    format!(
                        "secrets.{n}: only IKE pre-shared keys (ike...) and private keys (private...) are supported"
                    ),
                ));
            }
            if let Some(f) = &body.file {
                return Err(self.at(f, "`file` belongs in a private... section"));
            }
            let secret = body
                .secret
                .as_ref()
                .ok_or_else(|| self.at(name, format!("secrets.{n}: `secret` is required")))?;
            let ids = match &body.id {
                None => Vec::new(),
                Some(list) => list
                    .get_ref()
                    .items()
                    .iter()
                    .map(|i| {
                        Identity::parse(i).map_err(|e| self.at(list, format!("secrets id: {e}")))
                    })
                    .collect::<R<Vec<_>>>()?,
            };
            let bytes = decode_secret(secret.get_ref())
                .map_err(|why| self.at(secret, format!("secret: {why}")))?;
            if bytes.is_empty() {
                return Err(self.at(secret, "secret: empty"));
            }
            out.push((ids, Zeroizing::new(bytes)));
        }
        Ok((out, keys))
    }

    /// A path from the file, relative to the configuration file's directory.
    pub(super) fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            return p.to_owned();
        }
        self.file
            .parent()
            .map_or_else(|| p.to_owned(), |d| d.join(p))
    }

    /// Certificates (PEM, or one DER) from the files named by `list`.
    pub(super) fn certs(&self, list: &Spanned<OneOrMany>, key: &str) -> R<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for f in list.get_ref().items() {
            let path = self.path(&f);
            let data = std::fs::read(&path)
                .map_err(|e| self.at(list, format!("{key}: {}: {e}", path.display())))?;
            let certs = if data.starts_with(b"-----BEGIN") {
                ikev2_crypto::cert::certs_from_pem(&data)
                    .map_err(|e| self.at(list, format!("{key}: {}: {e}", path.display())))?
            } else {
                vec![data]
            };
            if certs.is_empty() {
                return Err(self.at(list, format!("{key}: {}: no certificate", path.display())));
            }
            out.extend(certs);
        }
        Ok(out)
    }

    /// Certificate authentication: our chain and key, the CAs the peer must
    /// chain to.
    pub(super) fn pubkey_auth(
        &self,
        local: &Spanned<RawLocal>,
        remote: &Spanned<RawRemote>,
        keys: &[KeyFile],
    ) -> R<(Auth, Auth)> {
        use ikev2_sm::config::{CertCredential, CertTrust};
        let certs = local.get_ref().certs.as_ref().ok_or_else(|| {
            self.at(
                local,
                "auth = pubkey needs local.certs (our certificate, PEM or DER)",
            )
        })?;
        let chain = self.certs(certs, "local.certs")?;
        let cacerts = remote.get_ref().cacerts.as_ref().ok_or_else(|| {
            self.at(
                remote,
                "auth = pubkey needs remote.cacerts (the CAs the peer's certificate must chain to)",
            )
        })?;
        let cas = self.certs(cacerts, "remote.cacerts")?;
        let (span, path) = match keys {
            [one] => one,
            [] => {
                return Err(self.at(
                    local,
                    "auth = pubkey needs a private key: [secrets.private-<name>] file = \"key.pem\"",
                ))
            }
            [_, second, ..] => {
                return Err(self.err(
                    second.0.clone(),
                    "several private keys: choosing one by certificate is not supported yet; configure one",
                ))
            }
        };
        let data = Zeroizing::new(
            std::fs::read(path)
                .map_err(|e| self.err(span.clone(), format!("{}: {e}", path.display())))?,
        );
        let signer = ikev2_crypto::auth::SoftwareSigner::from_pem_or_der(
            &data,
            &ikev2_crypto::provider::rustcrypto::OS_RANDOM,
        )
        .map_err(|e| self.err(span.clone(), format!("{}: {e}", path.display())))?;
        let mut cred = CertCredential::new(chain, std::sync::Arc::new(signer));
        cred.root = cas.first().cloned();
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let trust = CertTrust::new(cas).with_clock(std::time::Instant::now(), unix);
        Ok((Auth::Signature(cred), Auth::TrustedCa(trust)))
    }
}

/// strongSwan's secret syntax: `0x` hex, or the text itself (`0s` base64
/// is refused rather than taken literally).
pub(super) fn decode_secret(s: &str) -> Result<Vec<u8>, &'static str> {
    if let Some(hex) = s.strip_prefix("0x") {
        if hex.len() % 2 != 0 {
            return Err("odd number of hex digits after 0x");
        }
        return (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|d| u8::from_str_radix(d, 16).ok())
                    .ok_or("bad hex digit after 0x")
            })
            .collect();
    }
    if s.starts_with("0s") {
        return Err("base64 secrets (0s...) are not supported; use 0x hex or plain text");
    }
    Ok(s.as_bytes().to_vec())
}

/// strongSwan's shared-key lookup: a secret whose identities match both
/// ends beats one matching one end; a secret without identities matches
/// anything, weakest.
pub(super) fn find_psk(secrets: &[Secret], local: &Identity, remote: &Identity) -> Option<Vec<u8>> {
    let score = |ids: &[Identity]| -> Option<u8> {
        if ids.is_empty() {
            return Some(1);
        }
        let l = ids.iter().any(|i| i.matches(local));
        let r =
            *remote != Identity::Any && ids.iter().any(|i| i.matches(remote) || remote.matches(i));
        match (l, r) {
            (true, true) => Some(4),
            (true, false) => Some(3),
            (false, true) => Some(2),
            (false, false) => None,
        }
    };
    secrets
        .iter()
        .filter_map(|(ids, s)| Some((score(ids)?, s)))
        .max_by_key(|(sc, _)| *sc)
        .map(|(_, s)| s.to_vec())
}
