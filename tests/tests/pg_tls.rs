//! The server's PostgreSQL connections encrypted as the database URL asks, with libpq's
//! `sslmode` meanings: plain when disabled, TLS when required or preferred, the certificate
//! checked against `sslrootcert` for verify-ca and verify-full (and its name for verify-full).
//! Runs in the PostgreSQL pass of the tests, against a server that offers TLS (Debian's does,
//! with its self-signed "snakeoil" certificate for `localhost`).

use quayside_core::sql::Sql;
use quayside_e2e::*;
use quayside_server::pg::Standalone;

/// `url` with `query` as its query string.
fn with(url: &str, query: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_query(Some(query));
    u.to_string()
}

/// Whether the connection `url` makes is encrypted, as the server sees it.
fn encrypted(url: &str) -> bool {
    let c = Standalone::connect(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let c: &dyn Sql = &c;
    c.value(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        quayside_core::args![],
    )
    .unwrap()
}

#[test]
fn connections_to_postgres_are_encrypted_and_checked_as_the_url_asks() {
    let Some(admin) = test_postgres() else {
        eprintln!("TLS to PostgreSQL needs QUAYSIDE_TEST_POSTGRES");
        return;
    };
    let plain = with(&admin, "sslmode=disable");
    let server = Standalone::connect(&plain).unwrap();
    let server: &dyn Sql = &server;
    let offered: String = server.value("SHOW ssl", quayside_core::args![]).unwrap();
    if offered != "on" {
        eprintln!("this PostgreSQL server does not offer TLS (ssl = {offered}): nothing to test");
        return;
    }
    assert!(!encrypted(&plain));
    assert!(encrypted(&with(&admin, "sslmode=require")));
    // libpq's default, prefer: TLS when offered.
    assert!(encrypted(&with(&admin, "")));

    // A CA that did not sign the server's certificate: refused before anything is sent.
    let dir = tempfile::tempdir().unwrap();
    let stranger = dir.path().join("stranger-ca.pem");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["a stranger".into()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&stranger, params.self_signed(&key).unwrap().pem()).unwrap();
    let err = Standalone::connect(&with(
        &admin,
        &format!("sslmode=verify-ca&sslrootcert={}", stranger.display()),
    ))
    .err()
    .expect("an unknown issuer is refused");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );

    // The server's own certificate as the root (it signed itself).
    let cert: String = server
        .value("SHOW ssl_cert_file", quayside_core::args![])
        .unwrap();
    if std::fs::read(&cert).is_err() {
        eprintln!("the server's certificate {cert} is not readable here: verify-ca not tested");
        return;
    }
    assert!(encrypted(&with(
        &admin,
        &format!("sslmode=verify-ca&sslrootcert={cert}")
    )));
    // verify-full also checks the name: the certificate names localhost, not 127.0.0.1.
    let mut by_name = url::Url::parse(&admin).unwrap();
    let by_address = by_name.host_str() == Some("127.0.0.1");
    if by_address {
        let err = Standalone::connect(&with(
            &admin,
            &format!("sslmode=verify-full&sslrootcert={cert}"),
        ))
        .err()
        .expect("a certificate for another name is refused");
        assert!(
            err.to_string().to_lowercase().contains("certificate"),
            "{err}"
        );
        by_name.set_host(Some("localhost")).unwrap();
        let by_name = by_name.to_string();
        assert!(encrypted(&with(
            &by_name,
            &format!("sslmode=verify-full&sslrootcert={cert}")
        )));
        // A whole server on a verified connection: migrations, writes, reads.
        let db = TestDatabase::create(&admin);
        let mut url = url::Url::parse(&db.url).unwrap();
        url.set_host(Some("localhost")).unwrap();
        let url = with(
            url.as_str(),
            &format!("sslmode=verify-full&sslrootcert={cert}"),
        );
        let data = tempfile::tempdir().unwrap();
        let server = quayside_server::db::Db::open_with(data.path(), Some(&url)).unwrap();
        seed(&server);
        server.write_probe().unwrap();
        assert_eq!(server.users().unwrap().len(), 5);
    }
}
