//! Revocation with wipe, end to end with a real server: a phone an administrator ordered wiped
//! pushes what it recorded and has not sent, then deletes its store; a connection that breaks
//! before that keeps everything for the next contact; nothing more reaches the phone meanwhile.

use quayside_core::{ApiError, PhotoFields};
use quayside_e2e::{Agency, Device, FaultProxy, Faults, new_inspection};

fn jpeg(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(seed)).collect();
    bytes[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
    bytes
}

#[test]
fn a_phone_ordered_wiped_sends_what_it_recorded_then_deletes_its_store() {
    let agency = Agency::start();
    let proxy = FaultProxy::start(agency.addr, Faults::NONE);
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let mut link = ama.store.inner().server_link().unwrap().unwrap();
    link.url = proxy.url();
    ama.store.inner().set_server_link(&link).unwrap();
    // A colleague's inspection ama has not pulled yet.
    let colleague = new_inspection(&kofi.store, "ZEPU0037255");
    kofi.store.sync(None).unwrap();
    // Recorded offline, never sent: an inspection with a photo.
    let recorded = new_inspection(&ama.store, "CSQU3054383");
    let photo = jpeg(300_000, 7);
    let sha = ama
        .store
        .add_photo(recorded.clone(), photo.clone(), PhotoFields::default())
        .unwrap()
        .photo
        .sha256;

    let device = ama.store.device_info().device_id;
    agency.db().revoke_device(&device, true).unwrap();
    let row = |db: &quayside_server::db::Db| {
        db.devices()
            .unwrap()
            .into_iter()
            .find(|d| d.id == device)
            .unwrap()
    };
    assert!(row(agency.db()).wipe_requested_at.is_some());
    assert!(row(agency.db()).wiped_at.is_none());

    // The connection breaks during the first contact: nothing is deleted.
    proxy.set(Faults {
        cut: 1.0,
        ..Faults::NONE
    });
    let err = ama.store.sync(None).unwrap_err();
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    assert!(ama.path().join("quayside.sqlite3").exists());
    assert!(ama.store.get_inspection(recorded.clone()).is_ok());
    assert!(row(agency.db()).wiped_at.is_none());

    // The next contact goes through: pushed, then wiped.
    proxy.set(Faults::NONE);
    let report = ama.store.sync(None).unwrap();
    assert!(report.wiped, "{report:?}");
    assert_eq!(report.pushed, 1);
    assert_eq!(report.photos_uploaded, 1);
    assert_eq!(report.received, 0, "nothing reaches a phone ordered wiped");
    assert!(!ama.path().exists(), "the store directory is gone");
    // What it recorded is on the server, the photo whole.
    assert!(agency.db().document(&recorded).is_ok());
    assert_eq!(agency.photos().read(&sha).unwrap(), photo);
    assert!(row(agency.db()).wiped_at.is_some());
    drop(ama);

    // From now on its token is refused like any revoked one.
    let client =
        quayside_core::sync::client::HttpClient::new(&agency.url(), Some(link.token)).unwrap();
    let err = client.feed(0).unwrap_err();
    assert!(err.to_string().contains("revoked"), "{err}");
    assert!(agency.db().document(&colleague).is_ok());
}

#[test]
fn a_phone_ordered_wiped_may_push_but_not_read() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let colleague = new_inspection(&kofi.store, "ZEPU0037255");
    let photo = jpeg(5000, 3);
    let sha = kofi
        .store
        .add_photo(colleague.clone(), photo, PhotoFields::default())
        .unwrap()
        .photo
        .sha256;
    kofi.store.sync(None).unwrap();
    let token = ama.store.inner().server_link().unwrap().unwrap().token;
    agency
        .db()
        .revoke_device(&ama.store.device_info().device_id, true)
        .unwrap();
    let client = quayside_core::sync::client::HttpClient::new(&agency.url(), Some(token)).unwrap();
    // The feed names nothing and says to wipe.
    let (feed, _) = client.feed(0).unwrap();
    assert!(feed.wipe);
    assert!(feed.entries.is_empty());
    // A colleague's photo, the seizure export: refused.
    for path in [format!("/v1/blobs/{sha}"), "/v1/seizures".to_string()] {
        let err = client.get(&path, &[]).unwrap_err();
        assert!(err.to_string().contains("revoked"), "{path}: {err}");
    }
    // Ordering the wipe twice is refused.
    let again = agency
        .db()
        .revoke_device(&ama.store.device_info().device_id, true)
        .unwrap_err();
    assert!(again.to_string().contains("already"), "{again}");
    // A device not ordered wiped cannot confirm a wipe.
    let kofi_client = quayside_core::sync::client::HttpClient::new(
        &agency.url(),
        Some(kofi.store.inner().server_link().unwrap().unwrap().token),
    )
    .unwrap();
    let err = kofi_client.confirm_wiped().unwrap_err();
    assert!(err.to_string().contains("not been ordered wiped"), "{err}");
    // A phone revoked earlier (say, before it was reported lost) may still be ordered wiped:
    // its token then reaches the sync endpoints again, to push and wipe.
    let kofi_id = kofi.store.device_info().device_id;
    agency.db().revoke_device(&kofi_id, false).unwrap();
    assert!(
        kofi_client
            .feed(0)
            .unwrap_err()
            .to_string()
            .contains("revoked")
    );
    agency.db().revoke_device(&kofi_id, true).unwrap();
    assert!(kofi_client.feed(0).unwrap().0.wipe);
}
