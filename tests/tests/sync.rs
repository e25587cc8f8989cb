//! Devices and a real agency server on loopback: offline work, sync, conflicts, faults on the
//! wire, server crashes, resumable photos, and the server's refusals.

use std::time::Duration;

use proptest::prelude::*;
use quayside_core::sync::client::HttpClient;
use quayside_core::sync::protocol::{DocPush, Outcome, PROTOCOL_VERSION, RefusalCode, SyncRequest};
use quayside_core::{ApiError, InspectionFields, PhotoFields};
use quayside_e2e::*;
use serde_bytes::ByteBuf;

fn container(n: &str) -> InspectionFields {
    InspectionFields {
        container_number: Some(n.into()),
        ..Default::default()
    }
}

fn sync(d: &Device) -> quayside_core::SyncReportRecord {
    d.store.sync(None).unwrap()
}

#[test]
fn officers_and_supervisor_converge_after_offline_work() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");

    // Offline: each officer records on their own phone.
    let a = new_inspection(&ama.store, "CSQU3054383");
    ama.store.add_finding(a.clone(), finding(15_490.4)).unwrap();
    let k = new_inspection(&kofi.store, "ZEPU0037255");
    kofi.store.add_finding(k.clone(), finding(500.0)).unwrap();

    // Connectivity returns.
    assert_eq!(sync(&ama).pushed, 1);
    assert_eq!(sync(&kofi).pushed, 1);
    sync(&ama);
    sync(&esi);
    for d in [&ama, &kofi, &esi] {
        assert_eq!(
            ids(d),
            {
                let mut v = vec![a.clone(), k.clone()];
                v.sort();
                v
            },
            "{}",
            d.user
        );
        for id in [&a, &k] {
            assert_eq!(
                inspection_json(&d.store, id),
                inspection_json(&ama.store, id)
            );
        }
        let status = d.store.sync_status().unwrap();
        assert_eq!(
            (status.unsynced_inspections, status.rejected.len()),
            (0, 0),
            "{}",
            d.user
        );
    }
    // Both officers now edit the same inspection offline: other fields merge, the same field
    // becomes a visible conflict, not a silent loss.
    ama.store
        .update_inspection(
            a.clone(),
            InspectionFields {
                selection_reason: Some("tip-off".into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    kofi.store
        .update_inspection(
            a.clone(),
            InspectionFields {
                seals: Some(vec!["S-9".into()]),
                selection_reason: Some("risk profile".into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    sync(&ama);
    sync(&kofi);
    sync(&ama);
    sync(&esi);
    let view = esi.store.get_inspection(a.clone()).unwrap();
    assert_eq!(view.inspection.container.seals, vec!["S-9".to_string()]);
    assert_eq!(view.conflicts.len(), 1);
    let mut who: Vec<_> = view.conflicts[0]
        .values
        .iter()
        .map(|v| (v.user.clone().unwrap(), v.value.clone()))
        .collect();
    who.sort();
    assert_eq!(
        who,
        vec![
            ("ama".into(), "tip-off".into()),
            ("kofi".into(), "risk profile".into())
        ]
    );
    for d in [&ama, &kofi] {
        assert_eq!(
            inspection_json(&d.store, &a),
            inspection_json(&esi.store, &a)
        );
    }
    // A supervisor may read but not write inspections: the edit stays local and is refused.
    esi.store
        .update_inspection(
            a.clone(),
            InspectionFields {
                selection_reason: Some("supervisor".into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    let report = sync(&esi);
    assert_eq!(report.rejected.len(), 1);
    assert!(
        report.rejected[0].reason.contains("only officers"),
        "{}",
        report.rejected[0].reason
    );
    let status = esi.store.sync_status().unwrap();
    assert_eq!(status.rejected[0].id, a);
    assert_eq!(
        status.rejected[0].code,
        quayside_core::RefusalCode::NotAllowed
    );
    sync(&ama);
    assert_ne!(
        ama.store
            .get_inspection(a.clone())
            .unwrap()
            .inspection
            .selection_reason
            .as_deref(),
        Some("supervisor")
    );
}

#[test]
fn an_officer_of_another_station_reads_nothing_and_cannot_write() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let piet = Device::enrolled(&agency, &agency.url(), "piet", "NLRTM");
    let a = new_inspection(&ama.store, "CSQU3054383");
    sync(&ama);
    let report = sync(&piet);
    assert_eq!(report.received, 0);
    assert!(ids(&piet).is_empty());
    // Asking for it by id, with piet's own token, is refused.
    let link = piet.store.inner().server_link().unwrap().unwrap();
    let client = HttpClient::new(&agency.url(), Some(link.token)).unwrap();
    let (res, _, _) = client
        .sync(&SyncRequest {
            version: PROTOCOL_VERSION,
            docs: vec![DocPush {
                id: a.clone(),
                kind: "inspection".into(),
                shared_heads: vec![],
                heads: vec![],
                changes: vec![],
                snapshot: None,
            }],
        })
        .unwrap();
    assert!(
        matches!(&res.docs[0].outcome, Outcome::Rejected { reason, code: RefusalCode::NotAllowed } if reason.contains("not yours"))
    );
    assert!(res.docs[0].changes.is_empty());
    // An inspection piet records for GHTEM (not his station) is refused.
    let x = piet
        .store
        .create_inspection(InspectionFields {
            station: Some("GHTEM".into()),
            ..container("ZEPU0037255")
        })
        .unwrap()
        .inspection
        .id;
    let report = sync(&piet);
    assert_eq!(report.rejected[0].id, x);
    assert!(agency.db().document(&x).is_err());
}

#[test]
fn a_change_made_by_another_actor_is_rejected() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let a = new_inspection(&ama.store, "CSQU3054383");
    // Kofi's token tries to push changes made by ama's device (actor), e.g. a copied store.
    let changes = ama.store.inner().inspection_changes_since(&a, &[]).unwrap();
    let heads: Vec<String> = vec![
        ama.store
            .history(a.clone())
            .unwrap()
            .last()
            .unwrap()
            .hash
            .clone(),
    ];
    let link = kofi.store.inner().server_link().unwrap().unwrap();
    let client = HttpClient::new(&agency.url(), Some(link.token)).unwrap();
    let (res, _, _) = client
        .sync(&SyncRequest {
            version: PROTOCOL_VERSION,
            docs: vec![DocPush {
                id: a.clone(),
                kind: "inspection".into(),
                shared_heads: vec![],
                heads,
                changes: changes.into_iter().map(ByteBuf::from).collect(),
                snapshot: None,
            }],
        })
        .unwrap();
    assert!(
        matches!(&res.docs[0].outcome, Outcome::Rejected { reason, code: RefusalCode::NotAllowed } if reason.contains("not by this device")),
        "{:?}",
        res.docs[0].outcome
    );
    assert!(
        agency.db().document(&a).is_err(),
        "nothing of it was stored"
    );
    // The same forgery as a whole document (the compressed form a first push uses).
    let bytes = ama
        .store
        .inner()
        .outgoing(&a, "inspection", true)
        .unwrap()
        .snapshot
        .unwrap();
    let (res, _, _) = client
        .sync(&SyncRequest {
            version: PROTOCOL_VERSION,
            docs: vec![DocPush {
                id: a.clone(),
                kind: "inspection".into(),
                shared_heads: vec![],
                heads: vec![],
                changes: vec![],
                snapshot: Some(ByteBuf::from(bytes)),
            }],
        })
        .unwrap();
    assert!(
        matches!(&res.docs[0].outcome, Outcome::Rejected { reason, code: RefusalCode::NotAllowed } if reason.contains("not by this device")),
        "{:?}",
        res.docs[0].outcome
    );
    assert!(agency.db().document(&a).is_err());
    // Malformed bodies get a clear 400 and change nothing.
    let err = client
        .sync(&SyncRequest {
            version: 99,
            docs: vec![],
        })
        .unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");
    // The rightful device pushes it fine.
    assert_eq!(sync(&ama).pushed, 1);
}

#[test]
fn a_revoked_device_is_refused_and_keeps_its_records() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let a = new_inspection(&ama.store, "CSQU3054383");
    let device = ama.store.device_info().device_id;
    agency.db().revoke_device(&device, false).unwrap();
    let err = ama.store.sync(None).unwrap_err();
    assert!(
        matches!(&err, ApiError::Unauthorized { message } if message.contains("revoked")),
        "{err:?}"
    );
    // Retrying cannot help; the schedule stops asking the OS and says to enrol again.
    assert!(!err.retryable());
    assert_eq!(
        err.user_message().key,
        quayside_core::MessageKey::ErrorUnauthorized
    );
    let schedule = ama.store.sync_schedule().unwrap();
    assert_eq!(schedule.action, quayside_core::SyncAction::EnrolAgain);
    assert_eq!(
        schedule.last_error,
        Some(quayside_core::ErrorCode::Unauthorized)
    );
    assert_eq!(ama.store.sync_status().unwrap().unsynced_inspections, 1);
    assert!(ama.store.get_inspection(a).is_ok());
    // A used enrolment code cannot enrol another device.
    let code = agency.code("kofi");
    let k1 = Device::new("kofi", "GHTEM");
    k1.store
        .enroll(agency.url(), code.clone(), "one".into(), None)
        .unwrap();
    let k2 = Device::new("kofi", "GHTEM");
    assert!(matches!(
        k2.store.enroll(agency.url(), code, "two".into(), None),
        Err(ApiError::Unauthorized { .. })
    ));
}

#[test]
fn syncs_cut_at_random_points_converge_with_nothing_lost_or_duplicated() {
    let agency = Agency::start();
    let proxy = FaultProxy::start(agency.addr, Faults::NONE);
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    // From now on both devices go through the faulty link.
    for d in [&ama, &kofi] {
        let mut link = d.store.inner().server_link().unwrap().unwrap();
        link.url = proxy.url();
        d.store.inner().set_server_link(&link).unwrap();
    }
    proxy.set(Faults {
        cut: 0.2,
        reset: 0.15,
        truncate: 0.15,
        max_delay_ms: 3,
    });
    let mut expected = Vec::new();
    let mut failed_attempts = 0;
    for round in 0..10 {
        for (d, n) in [(&ama, "CSQU3054383"), (&kofi, "ZEPU0037255")] {
            let id = new_inspection(&d.store, n);
            d.store
                .add_finding(id.clone(), finding(f64::from(round) + 1.0))
                .unwrap();
            expected.push(id);
        }
        for d in [&ama, &kofi] {
            // Each attempt may fail anywhere; the device keeps trying, as the app would.
            let mut ok = false;
            for _ in 0..40 {
                if d.store.sync(None).is_ok() {
                    ok = true;
                    break;
                }
                failed_attempts += 1;
            }
            assert!(ok, "sync never got through");
        }
    }
    proxy.set(Faults::NONE);
    for _ in 0..2 {
        sync(&ama);
        sync(&kofi);
    }
    let injected = proxy
        .faults_injected
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        injected >= 3 && failed_attempts >= 2,
        "faults injected {injected}, syncs cut {failed_attempts}"
    );
    expected.sort();
    assert_eq!(ids(&ama), expected);
    assert_eq!(ids(&kofi), expected);
    assert_eq!(agency.db().document_count().unwrap(), expected.len() as u64);
    for id in &expected {
        let a = inspection_json(&ama.store, id);
        assert_eq!(a, inspection_json(&kofi.store, id));
        assert_eq!(
            a["findings"].as_array().unwrap().len(),
            1,
            "no duplicated findings"
        );
        let server = agency.db().document(id).unwrap();
        let server_json =
            serde_json::to_value(quayside_core::doc::inspection::read(&server).unwrap()).unwrap();
        assert_eq!(server_json["findings"], a["findings"]);
    }
    for d in [&ama, &kofi] {
        assert_eq!(d.store.sync_status().unwrap().unsynced_inspections, 0);
    }
}

#[test]
fn a_server_killed_mid_sync_loses_nothing_it_acknowledged() {
    let data = ServerData::new();
    seed(&data.db());
    let code = data.db().create_enrol_code("ama", 1).unwrap();
    let addr = free_addr();
    let server = ServerProcess::start_on(&data, addr);
    let ama = Device::new("ama", "GHTEM");
    ama.store
        .enroll(format!("http://{addr}"), code, "phone".into(), None)
        .unwrap();
    let mut all = Vec::new();
    for _ in 0..300 {
        all.push(new_inspection(&ama.store, "CSQU3054383"));
    }
    // Kill the server while the device is pushing.
    let store = ama.store.clone();
    let syncing = std::thread::spawn(move || store.sync(None));
    std::thread::sleep(Duration::from_millis(rand::random_range(5..60)));
    server.kill();
    let first = syncing.join().unwrap();
    let after_crash = data.db().document_count().unwrap();
    // Restart; the device resumes.
    let _server = ServerProcess::start_on(&data, addr);
    let report = ama.store.sync_with_retry(5, None).unwrap();
    assert!(report.rejected.is_empty());
    let db = data.db();
    assert_eq!(
        db.document_count().unwrap(),
        300,
        "first attempt: {first:?}, stored before the crash: {after_crash}"
    );
    for id in &all {
        assert!(db.document(id).is_ok());
    }
    assert_eq!(ama.store.sync_status().unwrap().unsynced_inspections, 0);
}

#[test]
fn heads_the_server_does_not_know_fall_back_to_automerge_sync_messages() {
    if embedded_only("restores a copy of the data directory") {
        return;
    }
    let mut agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let a = new_inspection(&ama.store, "CSQU3054383");
    sync(&ama);
    sync(&kofi);
    // A backup of the server is taken; ama's next change reaches the server after it.
    let backup = tempfile::tempdir().unwrap();
    agency.restart_with(|dir| copy_dir(dir, backup.path()));
    ama.store.add_finding(a.clone(), finding(7.0)).unwrap();
    sync(&ama);
    // The server is restored from the backup: it no longer knows what ama's phone synced.
    agency.restart_with(|dir| {
        std::fs::remove_dir_all(dir).unwrap();
        copy_dir(backup.path(), dir);
    });
    kofi.store
        .update_inspection(
            a.clone(),
            InspectionFields {
                selection_reason: Some("tip-off".into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    sync(&kofi);
    // Ama's phone learns of kofi's change from the feed (numbered after every cursor the server
    // handed out before the restore), finds that the server lost what it had synced, and the two
    // are brought together with automerge's sync protocol: kofi's change comes down, ama's lost
    // finding goes back up.
    let report = sync(&ama);
    assert_eq!(report.resynced, 1, "{report:?}");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    sync(&kofi);
    let mine = inspection_json(&ama.store, &a);
    assert_eq!(mine, inspection_json(&kofi.store, &a));
    assert_eq!(
        mine["findings"].as_array().unwrap().len(),
        1,
        "ama's finding is back on the server"
    );
    assert_eq!(mine["selection_reason"], "tip-off");
    assert_eq!(ama.store.sync_status().unwrap().unsynced_inspections, 0);
    // And the next sync is an ordinary one again.
    assert_eq!(sync(&ama).resynced, 0);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn recording_goes_on_while_a_sync_is_in_flight() {
    let agency = Agency::start();
    // A slow link: every chunk of traffic waits up to 150 ms.
    let proxy = FaultProxy::start(
        agency.addr,
        Faults {
            max_delay_ms: 150,
            ..Faults::NONE
        },
    );
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let mut link = ama.store.inner().server_link().unwrap().unwrap();
    link.url = proxy.url();
    ama.store.inner().set_server_link(&link).unwrap();
    for _ in 0..20 {
        new_inspection(&ama.store, "CSQU3054383");
    }
    let store = ama.store.clone();
    let syncing = std::thread::spawn(move || store.sync(None));
    // While the sync is on the wire, the officer keeps recording.
    let during = new_inspection(&ama.store, "ZEPU0037255");
    ama.store
        .add_finding(during.clone(), finding(12.0))
        .unwrap();
    assert!(
        !syncing.is_finished(),
        "the edits above did not wait for the sync"
    );
    let report = syncing.join().unwrap().unwrap();
    assert!(report.pushed >= 20);
    // Whatever the sync did not carry stays queued, and the next sync carries it.
    sync(&ama);
    assert_eq!(ama.store.sync_status().unwrap().unsynced_inspections, 0);
    let server = agency.db().document(&during).unwrap();
    let on_server = quayside_core::doc::inspection::read(&server).unwrap();
    assert_eq!(on_server.findings.len(), 1);
}

#[test]
fn a_restarted_server_keeps_everything_and_devices_carry_on() {
    let mut agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let a = new_inspection(&ama.store, "CSQU3054383");
    sync(&ama);
    agency.restart();
    ama.store.add_finding(a.clone(), finding(3.0)).unwrap();
    sync(&ama);
    sync(&kofi);
    assert_eq!(
        inspection_json(&kofi.store, &a),
        inspection_json(&ama.store, &a)
    );
}

#[test]
fn photo_uploads_resume_from_their_offset_and_corrupt_ones_are_refused() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let a = new_inspection(&ama.store, "CSQU3054383");
    let mut photo = vec![0u8; 9 * 1024 * 1024 + 123];
    for (i, b) in photo.iter_mut().enumerate() {
        *b = (i * 7 % 251) as u8;
    }
    photo[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
    let sha = ama
        .store
        .add_photo(a.clone(), photo.clone(), PhotoFields::default())
        .unwrap()
        .photo
        .sha256;
    // A second photo, whose upload will carry other bytes than its name says.
    let named = ama
        .store
        .add_photo(
            a.clone(),
            b"\xFF\xD8\xFF\xE0hello".to_vec(),
            PhotoFields::default(),
        )
        .unwrap()
        .photo
        .sha256;
    let link = ama.store.inner().server_link().unwrap().unwrap();
    let client = HttpClient::new(&agency.url(), Some(link.token)).unwrap();
    let device = ama.store.device_info().device_id;
    // The inspection reaches the server (photos may be uploaded only for inspections there)...
    let mut doc = ama.store.inner().document("inspection", &a).unwrap();
    assert_eq!(
        push_whole(&client, "inspection", &a, &mut doc),
        quayside_core::sync::protocol::Outcome::Ok
    );
    // A photo whose bytes do not match its name is refused whole.
    let err = client.blob_patch(&named, 0, 9, b"not-hello").unwrap_err();
    assert!(err.to_string().contains("hashes to"), "{err}");
    assert_eq!(client.blob_offset(&named).unwrap(), (0, false));
    // A chunk whose checksum does not match is refused (sent by hand with a bad header).
    assert!(
        agency
            .photos()
            .append(
                agency.db(),
                &device,
                &named,
                0,
                9,
                Some("sha256 AAAA"),
                quayside_server::blobs::Chunk::Whole(b"\xFF\xD8\xFF\xE0hello".to_vec().into())
            )
            .is_err()
    );
    assert_eq!(client.blob_offset(&named).unwrap(), (0, false));
    // ...then the first chunk arrives, then the connection is lost.
    let total = photo.len() as u64;
    let (offset, _) = client
        .blob_patch(&sha, 0, total, &photo[..4 * 1024 * 1024])
        .unwrap();
    assert_eq!(client.blob_offset(&sha).unwrap(), (offset, false));
    // A chunk at the wrong offset is refused and changes nothing.
    assert!(client.blob_patch(&sha, 10, total, &photo[10..20]).is_err());
    assert_eq!(client.blob_offset(&sha).unwrap(), (offset, false));
    // Sync resumes from the offset: only the rest is sent (and the small photo, whole).
    let report = sync(&ama);
    assert_eq!(report.photos_uploaded, 2);
    assert_eq!(client.blob_offset(&sha).unwrap(), (total, true));
    assert_eq!(agency.photos().read(&sha).unwrap(), photo);
    assert!(
        report.bytes_sent < total,
        "sent {} of {total}: the first chunk was not sent again",
        report.bytes_sent
    );
    // Already there: not sent again.
    let again = sync(&ama);
    assert_eq!(again.photos_uploaded, 0);
    // A photo of one chunk is sent at once, without asking first; if the server holds part of
    // it (a device that sent it in smaller chunks before), it answers 409 and the upload asks
    // and goes on from there.
    // Added on the device, the inspection naming it pushed by hand (photos are uploaded only
    // for inspections the server has), the photo itself not uploaded.
    let add_and_push = |bytes: &[u8]| {
        let sha = ama
            .store
            .add_photo(a.clone(), bytes.to_vec(), PhotoFields::default())
            .unwrap()
            .photo
            .sha256;
        let mut doc = ama.store.inner().document("inspection", &a).unwrap();
        assert_eq!(
            push_whole(&client, "inspection", &a, &mut doc),
            quayside_core::sync::protocol::Outcome::Ok
        );
        sha
    };
    let small = jpeg_bytes(6 * 1024 * 1024, 4);
    let sha_small = add_and_push(&small);
    let half = small.len() / 2;
    let small_total = small.len() as u64;
    // Bytes of another length than the photo's record gives are not sent at all.
    let err = client
        .upload_blob(&sha_small, small_total, || Ok(small[..10].to_vec()))
        .unwrap_err();
    assert!(err.to_string().contains("its record says"), "{err}");
    assert_eq!(client.blob_offset(&sha_small).unwrap(), (0, false));
    client
        .blob_patch(&sha_small, 0, small_total, &small[..half])
        .unwrap();
    let sent = client
        .upload_blob(&sha_small, small_total, || Ok(small.clone()))
        .unwrap();
    // The whole refused at offset 0, a HEAD, then the second half.
    assert_eq!(sent.round_trips, 3);
    assert_eq!(sent.bytes_sent, small_total + (small.len() - half) as u64);
    assert_eq!(client.blob_offset(&sha_small).unwrap(), (small_total, true));
    assert!(agency.photos().read(&sha_small).unwrap() == small);
    // Once held, a second upload sends it and is told it is there.
    let sent = client
        .upload_blob(&sha_small, small_total, || Ok(small.clone()))
        .unwrap();
    assert_eq!(sent.round_trips, 1);
    // The device has not noted it uploaded (sent by hand here, as by a device that crashed
    // before noting it): its next sync does, after being told it is held.
    assert_eq!(sync(&ama).photos_uploaded, 1);

    if local_photos_only("writes an unfinished upload into the data directory") {
        return;
    }
    // Every byte of a photo arrived but the server died before it finished the upload (the
    // reliability trials found this): the device must not take that for "uploaded" but have
    // the server finish and verify it.
    let third = jpeg_bytes(300_000, 3);
    let sha3 = add_and_push(&third);
    let partial = agency.dir.path().join("uploads").join(&device);
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join(&sha3), &third).unwrap();
    assert_eq!(
        client.blob_offset(&sha3).unwrap(),
        (third.len() as u64, false)
    );
    let report = sync(&ama);
    assert_eq!(report.photos_uploaded, 1);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(
        client.blob_offset(&sha3).unwrap(),
        (third.len() as u64, true)
    );
    assert_eq!(agency.photos().read(&sha3).unwrap(), third);
}

/// `len` bytes of a JPEG-looking photo.
fn jpeg_bytes(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(seed)).collect();
    bytes[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
    bytes
}

/// An edit one device makes before some syncs.
#[derive(Debug, Clone)]
enum Step {
    Record(usize),
    AddFinding(usize, usize, u16),
    SetReason(usize, usize, u8),
    Sync(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..3).prop_map(Step::Record),
        (0usize..3, 0usize..8, 1u16..999).prop_map(|(d, i, kg)| Step::AddFinding(d, i, kg)),
        (0usize..3, 0usize..8, 0u8..5).prop_map(|(d, i, r)| Step::SetReason(d, i, r)),
        (0usize..3).prop_map(Step::Sync),
    ]
}

proptest! {
    // PROPTEST_CASES for the long runs (scripts/reliability.sh); a quick sample otherwise.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    /// Random edits on three officers' devices and random sync orders: once everyone has synced
    /// twice, every device holds the same documents, with every finding anyone recorded.
    #[test]
    fn three_devices_converge_whatever_the_order(steps in proptest::collection::vec(step(), 1..25)) {
        let agency = Agency::start();
        let devices = [
            Device::enrolled(&agency, &agency.url(), "ama", "GHTEM"),
            Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM"),
            Device::new("ama", "GHTEM"),
        ];
        // The third is ama's second phone.
        devices[2].store.enroll(agency.url(), agency.code("ama"), "spare".into(), None).unwrap();
        let mut findings = Vec::new();
        for s in &steps {
            match *s {
                Step::Record(d) => { new_inspection(&devices[d].store, "CSQU3054383"); }
                Step::AddFinding(d, i, kg) => {
                    let list = ids(&devices[d]);
                    if let Some(id) = list.get(i % list.len().max(1)) {
                        let f = devices[d].store.add_finding(id.clone(), finding(f64::from(kg))).unwrap().finding_id;
                        findings.push(f);
                    }
                }
                Step::SetReason(d, i, r) => {
                    let list = ids(&devices[d]);
                    if let Some(id) = list.get(i % list.len().max(1)) {
                        devices[d].store.update_inspection(id.clone(), InspectionFields { selection_reason: Some(format!("r{r}")), ..Default::default() }, vec![]).unwrap();
                    }
                }
                Step::Sync(d) => { sync(&devices[d]); }
            }
        }
        for _ in 0..2 {
            for d in &devices {
                let r = sync(d);
                prop_assert!(r.rejected.is_empty(), "{:?}", r.rejected);
            }
        }
        let reference = ids(&devices[0]);
        for d in &devices[1..] {
            prop_assert_eq!(&ids(d), &reference);
        }
        let mut seen = Vec::new();
        for id in &reference {
            let j = inspection_json(&devices[0].store, id);
            for d in &devices[1..] {
                prop_assert_eq!(&inspection_json(&d.store, id), &j);
            }
            for f in j["findings"].as_array().unwrap() {
                seen.push(f["id"].as_str().unwrap().to_string());
            }
        }
        seen.sort();
        findings.sort();
        prop_assert_eq!(seen, findings);
    }
}

#[test]
fn a_batch_of_pulls_and_pushes_is_answered_in_order_each_on_its_own() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let held = new_inspection(&ama.store, "CSQU3054383");
    sync(&ama);
    // kofi's own new inspection, pushed whole in the same batch as his pulls.
    let mine = new_inspection(&kofi.store, "MSKU1234565");
    let changes = kofi
        .store
        .inner()
        .inspection_changes_since(&mine, &[])
        .unwrap();
    let heads = shown(&kofi, &mine);
    let pull = |id: &str| DocPush {
        id: id.into(),
        kind: "inspection".into(),
        shared_heads: vec![],
        heads: vec![],
        changes: vec![],
        snapshot: None,
    };
    let docs = vec![
        pull(&held),
        DocPush {
            id: mine.clone(),
            kind: "inspection".into(),
            shared_heads: vec![],
            heads,
            changes: changes.into_iter().map(ByteBuf::from).collect(),
            snapshot: None,
        },
        pull(&held),
        pull("01a2278c-0f38-71a2-b484-673a87603b8c"),
    ];
    let link = kofi.store.inner().server_link().unwrap().unwrap();
    let client = HttpClient::new(&agency.url(), Some(link.token)).unwrap();
    let (res, _, _) = client
        .sync(&SyncRequest {
            version: PROTOCOL_VERSION,
            docs,
        })
        .unwrap();
    let ids: Vec<&str> = res.docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            held.as_str(),
            mine.as_str(),
            held.as_str(),
            "01a2278c-0f38-71a2-b484-673a87603b8c"
        ]
    );
    assert_eq!(res.docs[0].outcome, Outcome::Ok);
    assert!(
        res.docs[0].snapshot.is_some(),
        "all of it, for a device that has nothing"
    );
    assert_eq!(res.docs[0].heads, shown(&ama, &held));
    assert_eq!(
        res.docs[1].outcome,
        Outcome::Ok,
        "the push beside the pulls"
    );
    assert!(res.docs[1].seq > res.docs[0].seq);
    assert!(
        matches!(&res.docs[2].outcome, Outcome::Rejected { reason, .. } if reason.contains("appears twice")),
        "{:?}",
        res.docs[2].outcome
    );
    assert!(
        matches!(&res.docs[3].outcome, Outcome::Rejected { code: RefusalCode::InvalidContent, reason } if reason.contains("no inspection")),
        "{:?}",
        res.docs[3].outcome
    );
    // The pushed inspection is stored: ama receives it.
    sync(&ama);
    assert!(ama.store.get_inspection(mine).is_ok());
}
