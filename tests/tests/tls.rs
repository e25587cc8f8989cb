//! HTTPS end to end: the server serves TLS itself (`--tls-cert/--tls-key`) with a certificate
//! from an agency's private CA; a device that was given that CA (or the server's pinned key) at
//! enrolment syncs an inspection with a photo; a device that was given nothing, or the wrong pin,
//! is refused at the handshake and keeps everything it recorded.

use quayside_core::{ApiError, ErrorCode, FieldStore, InspectionFields, ServerTrust};
use quayside_e2e::{Device, https_agency, private_ca};

fn record(store: &FieldStore) -> String {
    let view = store
        .create_inspection(InspectionFields {
            container_number: Some("MSCU1234566".into()),
            notes: Some("over TLS".into()),
            ..Default::default()
        })
        .unwrap();
    view.inspection.id
}

/// Ama's device enrolled with the agency's CA given at enrolment.
fn enrolled_with_ca(agency: &quayside_e2e::Agency, pki: &quayside_e2e::Pki) -> Device {
    let ama = Device::new("ama", "GHTEM");
    ama.store
        .enroll(
            agency.url(),
            agency.code("ama"),
            "ama's phone".into(),
            Some(ServerTrust {
                ca_pem: Some(pki.ca_pem.clone()),
                pin_sha256: None,
            }),
        )
        .unwrap();
    ama
}

#[test]
fn a_device_given_the_agency_ca_syncs_over_https() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = private_ca(tmp.path());
    let agency = https_agency(&pki);
    assert!(agency.url().starts_with("https://"));
    let ama = enrolled_with_ca(&agency, &pki);
    let id = record(&ama.store);
    ama.store
        .add_photo(
            id.clone(),
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"cylinder label"].concat(),
            Default::default(),
        )
        .unwrap();
    let report = ama.store.sync(None).unwrap();
    assert_eq!(report.pushed, 1);
    assert_eq!(report.photos_uploaded, 1);
    assert!(report.rejected.is_empty());
    assert_eq!(agency.db().review_state(&id).0.notes, "over TLS");

    // The trust is kept with the enrolment: a reopened store syncs again over HTTPS.
    let mut ama = ama;
    ama.reopen();
    ama.store
        .update_inspection(
            id.clone(),
            InspectionFields {
                notes: Some("still over TLS".into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    assert_eq!(ama.store.sync(None).unwrap().pushed, 1);
}

#[test]
fn a_device_given_the_server_key_pin_syncs_and_a_wrong_pin_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = private_ca(tmp.path());
    let agency = https_agency(&pki);
    let pin = quayside_core::sync::tls::spki_sha256(&pki.server_der).unwrap();
    let kofi = Device::new("kofi", "GHTEM");
    kofi.store
        .enroll(
            agency.url(),
            agency.code("kofi"),
            "kofi's phone".into(),
            Some(ServerTrust {
                ca_pem: None,
                pin_sha256: Some(pin.clone()),
            }),
        )
        .unwrap();
    record(&kofi.store);
    assert_eq!(kofi.store.sync(None).unwrap().pushed, 1);

    // Someone else's key (a different pin) is refused at the handshake: nothing is enrolled.
    let ama = Device::new("ama", "GHTEM");
    let wrong: String = pin
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    let err = ama
        .store
        .enroll(
            agency.url(),
            agency.code("ama"),
            "ama's phone".into(),
            Some(ServerTrust {
                ca_pem: None,
                pin_sha256: Some(wrong),
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Network, "{err}");
    assert!(err.retryable());
    assert!(!ama.store.sync_status().unwrap().enrolled);
}

#[test]
fn without_the_agency_ca_the_handshake_fails_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = private_ca(tmp.path());
    let agency = https_agency(&pki);
    // Enrolment over TLS with only the platform's roots: the private CA is unknown.
    let esi = Device::new("ama", "GHTEM");
    let err = esi
        .store
        .enroll(agency.url(), agency.code("ama"), "phone".into(), None)
        .unwrap_err();
    assert!(matches!(err, ApiError::Network { .. }), "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "the reason names the certificate: {err}"
    );
    // What was recorded meanwhile stays, waiting.
    let id = record(&esi.store);
    assert_eq!(
        esi.store.get_inspection(id).unwrap().inspection.notes,
        "over TLS"
    );
    // A CA that is not PEM is refused before anything is stored.
    let err = esi
        .store
        .enroll(
            agency.url(),
            agency.code("ama"),
            "phone".into(),
            Some(ServerTrust {
                ca_pem: Some("not a certificate".into()),
                pin_sha256: None,
            }),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert!(!esi.store.sync_status().unwrap().enrolled);
}

#[test]
fn a_client_that_speaks_garbage_or_stalls_does_not_stop_the_https_server() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let pki = private_ca(tmp.path());
    let agency = https_agency(&pki);
    // One connection sends plain HTTP to the TLS port, another opens and says nothing.
    let mut garbage = std::net::TcpStream::connect(agency.addr).unwrap();
    garbage
        .write_all(b"POST /v1/sync HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let _silent = std::net::TcpStream::connect(agency.addr).unwrap();
    // Meanwhile a device enrols and syncs as usual.
    let ama = enrolled_with_ca(&agency, &pki);
    record(&ama.store);
    assert_eq!(ama.store.sync(None).unwrap().pushed, 1);
}
