//! How a device decides to trust the agency server over HTTPS: the platform's trust store (as
//! any app), plus what the agency gives at enrolment for a server the public CAs do not vouch
//! for: its own CA certificate, or a pin of the server's public key.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
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

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn ca_roots(pem: &str) -> Result<RootCertStore> {
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

/// The TLS settings for a server with this trust; None when the platform's trust store alone
/// decides (reqwest's default).
pub fn client_config(trust: &Trust) -> Result<Option<rustls::ClientConfig>> {
    if trust.is_platform_only() {
        return Ok(None);
    }
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = match (&trust.pin_sha256, &trust.ca_pem) {
        (Some(pin), _) => Arc::new(Checked {
            check: Pinned {
                sha256: parse_pin(pin)?,
            },
            provider: provider.clone(),
        }),
        (None, Some(pem)) => {
            let agency = WebPkiServerVerifier::builder_with_provider(
                Arc::new(ca_roots(pem)?),
                provider.clone(),
            )
            .build()
            .map_err(|e| Error::Invalid(format!("the agency CA cannot be used: {e}")))?;
            Arc::new(Checked {
                check: PlatformOrAgency {
                    platform: rustls_platform_verifier::Verifier::new(provider.clone())
                        .map_err(|e| Error::Network(format!("the platform trust store: {e}")))?,
                    agency,
                },
                provider: provider.clone(),
            })
        }
        (None, None) => return Ok(None),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Network(format!("TLS settings: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(config))
}

/// How a verifier decides on the server's certificate; the handshake signatures are checked the
/// same way for every kind (by [`Checked`]).
trait CertCheck: std::fmt::Debug + Send + Sync {
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error>;
}

/// A [`CertCheck`] made into a rustls verifier.
#[derive(Debug)]
struct Checked<C> {
    check: C,
    provider: Arc<CryptoProvider>,
}

impl<C: CertCheck> ServerCertVerifier for Checked<C> {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.check.check(end_entity, intermediates, name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Accepts a certificate the agency's CA signed or one the platform trusts.
#[derive(Debug)]
struct PlatformOrAgency {
    platform: rustls_platform_verifier::Verifier,
    agency: Arc<WebPkiServerVerifier>,
}

impl CertCheck for PlatformOrAgency {
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.agency
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
            .or_else(|agency_said| {
                self.platform
                    .verify_server_cert(end_entity, intermediates, name, ocsp, now)
                    .map_err(|_| agency_said)
            })
    }
}

/// Accepts only a server whose certificate carries the pinned public key. The handshake
/// signature is still checked, so only the holder of that key gets through.
#[derive(Debug)]
struct Pinned {
    sha256: [u8; 32],
}

impl CertCheck for Pinned {
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let got: [u8; 32] = Sha256::digest(cert.subject_public_key_info().as_ref()).into();
        if got == self.sha256 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
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
