//! How the server's PostgreSQL connections are encrypted and whom they trust, read from the
//! database URL with libpq's meaning of `sslmode` (so a URL that works with `psql` works here):
//! `disable`; `prefer` (the default: TLS when the server offers it, unverified); `require`
//! (TLS, unverified, unless `sslrootcert` names a CA, which makes it `verify-ca`); `verify-ca`
//! (the server's certificate chains to `sslrootcert`); `verify-full` (and names the host too).
//! TLS is rustls (ring), as everywhere else in the server.

use std::sync::Arc;

use postgres::config::SslMode;
use quayside_core::error::Error;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

type CoreResult<T> = quayside_core::error::Result<T>;

/// A database URL's connection settings and the TLS they ask for.
pub struct Connection {
    pub config: postgres::Config,
    pub tls: MakeRustlsConnect,
    /// The `sslmode` in force (`require` with a root file reads as `verify-ca`, as in libpq).
    pub mode: Mode,
}

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// Reads `url`: its `sslmode` and `sslrootcert` are taken here, everything else by the
/// PostgreSQL client.
pub fn connection(url: &str) -> CoreResult<Connection> {
    let bad =
        |why: String| Error::Database(format!("database URL {}: {why}", crate::pg::shown_url(url)));
    let mut mode = Mode::Prefer;
    let mut root: Option<String> = None;
    let rest = match url::Url::parse(url) {
        Ok(mut u) => {
            let mut kept = Vec::new();
            for (k, v) in u.query_pairs() {
                match &*k {
                    "sslmode" => {
                        mode = match &*v {
                            "disable" => Mode::Disable,
                            "allow" | "prefer" => Mode::Prefer,
                            "require" => Mode::Require,
                            "verify-ca" => Mode::VerifyCa,
                            "verify-full" => Mode::VerifyFull,
                            other => {
                                return Err(bad(format!(
                                    "sslmode {other:?} is not one of disable, prefer, require, verify-ca, verify-full"
                                )));
                            }
                        }
                    }
                    "sslrootcert" => root = Some(v.into_owned()),
                    _ => kept.push((k.into_owned(), v.into_owned())),
                }
            }
            if kept.is_empty() {
                u.set_query(None);
            } else {
                u.query_pairs_mut().clear().extend_pairs(kept);
            }
            u.to_string()
        }
        // A key=value connection string: the client reads it whole (sslmode disable, prefer
        // or require).
        Err(_) => url.to_string(),
    };
    let mut config: postgres::Config = rest.parse().map_err(|e| bad(format!("{e}")))?;
    if mode == Mode::Require && root.is_some() {
        mode = Mode::VerifyCa;
    }
    config.ssl_mode(match mode {
        Mode::Disable => SslMode::Disable,
        Mode::Prefer => SslMode::Prefer,
        _ => SslMode::Require,
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        Mode::Disable | Mode::Prefer | Mode::Require => Arc::new(Lenient {
            provider: provider.clone(),
            chain: None,
        }),
        Mode::VerifyCa | Mode::VerifyFull => {
            let file = root.ok_or_else(|| {
                bad(format!(
                    "sslmode={} needs sslrootcert=FILE (the CA that signed the database server's certificate, PEM)",
                    if mode == Mode::VerifyCa { "verify-ca" } else { "verify-full" }
                ))
            })?;
            let mut roots = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(&file)
                .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
            if certs.is_empty() {
                return Err(bad(format!("sslrootcert {file} holds no certificate")));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
            }
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| bad(format!("sslrootcert {file}: {e}")))?;
            if mode == Mode::VerifyCa {
                Arc::new(Lenient {
                    provider: provider.clone(),
                    chain: Some(webpki),
                })
            } else {
                webpki
            }
        }
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Connection {
        config,
        tls: MakeRustlsConnect::new(tls),
        mode,
    })
}

/// The certificate checks of `prefer`/`require` (none: encrypted, the certificate not checked,
/// as libpq does) and of `verify-ca` (`chain`: it must lead to the given CA, the name is not
/// checked). The handshake's signatures are checked either way.
#[derive(Debug)]
struct Lenient {
    provider: Arc<rustls::crypto::CryptoProvider>,
    chain: Option<Arc<WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
        rustls::crypto::verify_tls13_signature(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_is_read_as_libpq_reads_it() {
        let mode = |url: &str| connection(url).map(|c| c.mode);
        assert_eq!(mode("postgres://q@db/quayside").unwrap(), Mode::Prefer);
        assert_eq!(
            mode("postgres://q@db/quayside?sslmode=disable").unwrap(),
            Mode::Disable
        );
        assert_eq!(
            mode("postgres://q@db/quayside?sslmode=require&connect_timeout=5").unwrap(),
            Mode::Require
        );
        // Settings the client knows stay with it.
        let c = connection("postgres://q@db/quayside?sslmode=require&connect_timeout=5").unwrap();
        assert_eq!(
            c.config.get_connect_timeout(),
            Some(&std::time::Duration::from_secs(5))
        );
        for (url, says) in [
            ("postgres://q@db/x?sslmode=sometimes", "is not one of"),
            ("postgres://q@db/x?sslmode=verify-full", "needs sslrootcert"),
            (
                "postgres://q@db/x?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem",
                "/nonexistent/ca.pem",
            ),
        ] {
            let err = connection(url).err().unwrap().to_string();
            assert!(err.contains(says), "{url}: {err}");
        }
    }
}
