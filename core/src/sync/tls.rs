//! How a device decides to trust the agency server over HTTPS: the platform's trust store (as
//! any app), plus what the agency gives at enrolment for a server the public CAs do not vouch
//! for: its own CA certificate, or a pin of the server's public key. What was given is
//! `trust::Trust`; this module builds the HTTPS client's verifier from it, which needs the HTTP
//! client's dependencies (feature `client`).

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use super::trust::ca_roots;
pub use super::trust::{Trust, parse_pin, spki_sha256};
use crate::error::{Error, Result};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
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
