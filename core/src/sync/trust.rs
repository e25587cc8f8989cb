//! What a device trusts the agency server by, beyond the platform's trust store: the agency's
//! own CA certificate, or a pin of the server's public key, as given at enrolment and kept with
//! it. Checking what was given needs no HTTP client; using it is `tls` (feature `client`).

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// What the agency gave at enrolment beyond the platform's trust store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trust {
    /// PEM of the agency's own CA certificate(s): trusted beside the platform's roots.
    pub ca_pem: Option<String>,
    /// SHA-256 of the server certificate's public key (SubjectPublicKeyInfo), hex or base64:
    /// only a server holding that key is accepted, whoever signed its certificate.
    pub pin_sha256: Option<String>,
}

impl Trust {
    /// Whether anything beyond the platform's trust store was given.
    pub fn is_platform_only(&self) -> bool {
        self.ca_pem.is_none() && self.pin_sha256.is_none()
    }

    /// Checks what was given (at enrolment, before anything is stored).
    pub fn validate(&self, url: &str) -> Result<()> {
        if self.is_platform_only() {
            return Ok(());
        }
        if !url.trim().starts_with("https://") {
            return Err(Error::Invalid(
                "an agency CA or a pinned key only applies to an https:// server URL".into(),
            ));
        }
        if let Some(pem) = &self.ca_pem {
            ca_roots(pem)?;
        }
        if let Some(pin) = &self.pin_sha256 {
            parse_pin(pin)?;
        }
        Ok(())
    }
}

pub(crate) fn ca_roots(pem: &str) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| Error::Invalid(format!("the agency CA is not PEM: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| Error::Invalid(format!("the agency CA is not a certificate: {e}")))?;
    }
    if roots.is_empty() {
        return Err(Error::Invalid(
            "the agency CA holds no certificate (expected -----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(roots)
}

/// A pin as 32 bytes, from hex (64 digits, colons allowed) or base64 (`sha256/...` allowed).
pub fn parse_pin(pin: &str) -> Result<[u8; 32]> {
    use base64::Engine;
    let p = pin.trim();
    let p = p.strip_prefix("sha256/").unwrap_or(p);
    let hexed = p.replace(':', "");
    let bytes = if hexed.len() == 64 {
        hex::decode(&hexed).ok()
    } else {
        base64::engine::general_purpose::STANDARD.decode(p).ok()
    };
    bytes
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{pin:?} is not a SHA-256 pin (64 hex digits or base64 of 32 bytes)"
            ))
        })
}

/// The SHA-256 of a certificate's public key (what a pin names), hex.
pub fn spki_sha256(cert_der: &[u8]) -> Result<String> {
    let der = CertificateDer::from(cert_der.to_vec());
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| Error::Invalid(format!("not a certificate: {e}")))?;
    Ok(hex::encode(Sha256::digest(
        cert.subject_public_key_info().as_ref(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_read_as_hex_or_base64_and_nothing_else() {
        let hexpin = "ab".repeat(32);
        assert_eq!(parse_pin(&hexpin).unwrap(), [0xab; 32]);
        let colons = vec!["AB"; 32].join(":");
        assert_eq!(parse_pin(&colons).unwrap(), [0xab; 32]);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert_eq!(parse_pin(&format!("sha256/{b64}")).unwrap(), [7; 32]);
        assert!(parse_pin("abc").is_err());
        assert!(parse_pin(&"ab".repeat(31)).is_err());
    }

    #[test]
    fn what_is_given_must_make_sense() {
        let ca = Trust {
            ca_pem: Some("not a pem".into()),
            pin_sha256: None,
        };
        assert!(ca.validate("https://x").is_err());
        let pin = Trust {
            ca_pem: None,
            pin_sha256: Some("ab".repeat(32)),
        };
        assert!(pin.validate("http://x").is_err(), "a pin over plain HTTP");
        assert!(pin.validate("https://x").is_ok());
        assert!(Trust::default().validate("http://x").is_ok());
    }
}
