//! Photos on object storage with several server instances: the chunks of one upload reach
//! different instances, two instances take the same chunk at once, a photo that does not hash
//! to its name never becomes readable, a chunk passed on to the store while it arrives counts
//! only once it has arrived whole and checked, a device's unfinished uploads are limited. These
//! run in the scale-out pass of the tests (`QUAYSIDE_TEST_POSTGRES` and `QUAYSIDE_TEST_S3`); the
//! single-store behaviour of uploads is tested by every other end-to-end test in both passes.

use base64::Engine;
use quayside_core::doc::inspection;
use quayside_core::model::Photo;
use quayside_e2e::*;
use sha2::{Digest, Sha256};

/// One shared database and bucket, two in-process instances on them (None, after saying so,
/// without PostgreSQL and an S3 server).
fn two_instances() -> Option<(ServerData, [quayside_server::Server; 2])> {
    if test_postgres().is_none() || test_s3().is_none() {
        eprintln!(
            "photos across instances need PostgreSQL and an S3 server: set QUAYSIDE_TEST_POSTGRES and QUAYSIDE_TEST_S3"
        );
        return None;
    }
    let data = ServerData::new();
    assert!(data.blobs.is_some());
    seed(&data.db());
    let servers = [data.instance(), data.instance()];
    Some((data, servers))
}

struct Answer {
    status: u16,
    offset: Option<u64>,
    body: Vec<u8>,
}

fn request(
    server: &quayside_server::Server,
    method: &str,
    sha: &str,
    token: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> Answer {
    quayside_core::sync::client::install_crypto_provider();
    let mut req = reqwest::blocking::Client::new()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}/v1/blobs/{sha}", server.url()),
        )
        .header("Authorization", format!("Bearer {token}"))
        .header("Tus-Resumable", "1.0.0");
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let r = req.body(body).send().unwrap();
    Answer {
        status: r.status().as_u16(),
        offset: r
            .headers()
            .get("Upload-Offset")
            .and_then(|v| v.to_str().ok()?.parse().ok()),
        body: r.bytes().unwrap().to_vec(),
    }
}

/// Sends `part` as the chunk at `offset` of an upload of photo `sha` of `total` bytes.
fn patch(
    server: &quayside_server::Server,
    token: &str,
    sha: &str,
    total: usize,
    offset: usize,
    part: Vec<u8>,
) -> Answer {
    let crc = base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(&part).to_be_bytes());
    request(
        server,
        "PATCH",
        sha,
        token,
        &[
            ("Upload-Offset", offset.to_string()),
            ("Upload-Length", total.to_string()),
            ("Upload-Checksum", format!("crc32c {crc}")),
            (
                "Content-Type",
                "application/offset+octet-stream".to_string(),
            ),
        ],
        part,
    )
}

/// Sends `photo[offset..offset + len]` as one chunk to `server`.
fn chunk(
    server: &quayside_server::Server,
    token: &str,
    photo: &[u8],
    offset: usize,
    len: usize,
) -> Answer {
    let sha = hex::encode(Sha256::digest(photo));
    let part = photo[offset..offset + len].to_vec();
    patch(server, token, &sha, photo.len(), offset, part)
}

/// Asserts that `server` serves `photo`, whole, to `token`'s device.
fn reads_back(server: &quayside_server::Server, token: &str, photo: &[u8]) {
    let sha = hex::encode(Sha256::digest(photo));
    let got = request(server, "GET", &sha, token, &[], vec![]);
    assert_eq!(got.status, 200, "{}", String::from_utf8_lossy(&got.body));
    assert!(
        got.body == photo,
        "the photo read back is not the photo sent"
    );
}

fn head(server: &quayside_server::Server, token: &str, sha: &str) -> Answer {
    request(server, "HEAD", sha, token, &[], vec![])
}

/// Bytes that look like nothing else (no two tests' photos alike).
fn photo_of(len: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut x = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// An officer's device whose synced inspection references a photo of `photo`'s hash and size
/// that the device has not uploaded (so the test sends the chunks itself); returns its token.
fn officer_referencing(
    data: &ServerData,
    server: &quayside_server::Server,
    photo: &[u8],
) -> (Device, String) {
    let ama = Device::new("ama", "GHTEM");
    let code = data.db().create_enrol_code("ama", 1).unwrap();
    ama.store
        .enroll(server.url(), code, "ama's phone".into(), None)
        .unwrap();
    let id = new_inspection(&ama.store, "CSQU3054383");
    ama.store
        .inner()
        .edit_inspection(&id, |doc, author, _| {
            inspection::add_photo(
                doc,
                author,
                &Photo {
                    sha256: hex::encode(Sha256::digest(photo)),
                    bytes: photo.len() as u64,
                    mime: "image/jpeg".into(),
                    captured_at: "2026-12-02T10:00:00.000Z".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    ama.store.sync(None).unwrap();
    let token = ama.store.inner().server_link().unwrap().unwrap().token;
    (ama, token)
}

const MIB: usize = 1024 * 1024;

#[test]
fn the_chunks_of_one_photo_may_reach_different_instances() {
    let Some((data, [a, b])) = two_instances() else {
        return;
    };
    // Chunks of uneven sizes, below and above the store's 5 MiB part size, alternating between
    // the instances; the last one smaller than a part.
    let photo = photo_of(15 * MIB + 12_345, 1);
    let sha = hex::encode(Sha256::digest(&photo));
    let (_ama, token) = officer_referencing(&data, &a, &photo);
    let plan = [(0, 3 * MIB), (3 * MIB, 3 * MIB), (6 * MIB, MIB / 2)];
    for (i, (offset, len)) in plan.iter().enumerate() {
        let to = if i % 2 == 0 { &a } else { &b };
        let r = chunk(to, &token, &photo, *offset, *len);
        assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.offset, Some((offset + len) as u64));
        // The other instance knows how far the upload has come.
        let other = if i % 2 == 0 { &b } else { &a };
        assert_eq!(
            head(other, &token, &sha).offset,
            Some((offset + len) as u64)
        );
        // Nothing is readable before the whole photo has arrived and been checked.
        assert_eq!(request(other, "GET", &sha, &token, &[], vec![]).status, 404);
    }
    // A chunk at a stale offset changes nothing, on either instance.
    let stale = chunk(&a, &token, &photo, 3 * MIB, MIB);
    assert_eq!(stale.status, 409);
    assert_eq!(
        head(&b, &token, &sha).offset,
        Some((6 * MIB + MIB / 2) as u64)
    );
    let at = 6 * MIB + MIB / 2;
    let r = chunk(&a, &token, &photo, at, 6 * MIB);
    assert_eq!(r.status, 204);
    let at = at + 6 * MIB;
    let r = chunk(&b, &token, &photo, at, photo.len() - at);
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.offset, Some(photo.len() as u64));
    for server in [&a, &b] {
        reads_back(server, &token, &photo);
    }
    // Nothing of the upload is left in the database.
    let left: i64 = data
        .db()
        .read(|c| Ok(c.value("SELECT count(*) FROM photo_uploads", quayside_core::args![])?))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn the_same_chunk_at_two_instances_at_once_is_taken_once() {
    let Some((data, [a, b])) = two_instances() else {
        return;
    };
    let photo = photo_of(12 * MIB, 2);
    let sha = hex::encode(Sha256::digest(&photo));
    let (_ama, token) = officer_referencing(&data, &a, &photo);
    for round in 0..3 {
        let at = head(&a, &token, &sha).offset.unwrap() as usize;
        let len = (photo.len() - at).min(6 * MIB);
        let (ra, rb) = std::thread::scope(|s| {
            let ta = s.spawn(|| chunk(&a, &token, &photo, at, len));
            let tb = s.spawn(|| chunk(&b, &token, &photo, at, len));
            (ta.join().unwrap(), tb.join().unwrap())
        });
        let mut statuses = [ra.status, rb.status];
        statuses.sort();
        if at + len == photo.len() {
            // The last chunk: both may finish the same verified photo, or one is told to ask.
            assert!(
                statuses == [204, 204] || statuses == [204, 409],
                "round {round}: {statuses:?} {} {}",
                String::from_utf8_lossy(&ra.body),
                String::from_utf8_lossy(&rb.body)
            );
            break;
        }
        assert_eq!(statuses, [204, 409], "round {round}");
        assert_eq!(head(&b, &token, &sha).offset, Some((at + len) as u64));
    }
    reads_back(&b, &token, &photo);
}

#[test]
fn a_photo_that_does_not_hash_to_its_name_never_becomes_readable() {
    let Some((data, [a, b])) = two_instances() else {
        return;
    };
    let photo = photo_of(11 * MIB, 3);
    let sha = hex::encode(Sha256::digest(&photo));
    let (_ama, token) = officer_referencing(&data, &a, &photo);
    assert_eq!(chunk(&a, &token, &photo, 0, 6 * MIB).status, 204);
    // The rest arrives altered (with a checksum that matches the altered bytes).
    let mut altered = photo.clone();
    altered[9 * MIB] ^= 1;
    let r = patch(
        &b,
        &token,
        &sha,
        photo.len(),
        6 * MIB,
        altered[6 * MIB..].to_vec(),
    );
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("does not match"));
    // Not readable, not in the store, and the upload starts again from nothing.
    assert_eq!(request(&a, "GET", &sha, &token, &[], vec![]).status, 404);
    assert_eq!(a.state.photos.complete_len(&sha).unwrap(), None);
    assert_eq!(head(&b, &token, &sha).offset, Some(0));
    // Sent again, right this time, it is kept.
    assert_eq!(chunk(&b, &token, &photo, 0, 5 * MIB).status, 204);
    assert_eq!(chunk(&a, &token, &photo, 5 * MIB, 6 * MIB).status, 204);
    reads_back(&b, &token, &photo);
}

/// Sends the headers of a PATCH of `part` at `offset`, then only its first `sent` bytes, and
/// stops sending (a phone losing its signal mid-chunk); returns the server's answer.
fn patch_cut_short(
    server: &quayside_server::Server,
    token: &str,
    sha: &str,
    total: usize,
    offset: usize,
    part: &[u8],
    sent: usize,
) -> String {
    use std::io::{Read, Write};
    let addr = server.url().trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let crc = base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(part).to_be_bytes());
    write!(
        s,
        "PATCH /v1/blobs/{sha} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\nUpload-Length: {total}\r\n\
         Upload-Checksum: crc32c {crc}\r\nContent-Type: application/offset+octet-stream\r\n\
         Content-Length: {}\r\n\r\n",
        part.len()
    )
    .unwrap();
    s.write_all(&part[..sent]).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A PATCH of `part` whose checksum header is that of other bytes.
fn patch_with_wrong_checksum(
    server: &quayside_server::Server,
    token: &str,
    sha: &str,
    total: usize,
    offset: usize,
    part: Vec<u8>,
) -> Answer {
    let crc =
        base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(b"other").to_be_bytes());
    request(
        server,
        "PATCH",
        sha,
        token,
        &[
            ("Upload-Offset", offset.to_string()),
            ("Upload-Length", total.to_string()),
            ("Upload-Checksum", format!("crc32c {crc}")),
        ],
        part,
    )
}

#[test]
fn a_whole_photo_sent_on_while_it_arrives_is_kept_only_whole_and_verified() {
    let Some((data, [a, b])) = two_instances() else {
        return;
    };
    // One chunk, the size phones take: the server passes it to the store as it arrives.
    let photo = photo_of(6 * MIB, 5);
    let sha = hex::encode(Sha256::digest(&photo));
    let (_ama, token) = officer_referencing(&data, &a, &photo);
    let kept = || a.state.photos.complete_len(&sha).unwrap();
    // Cut short half-way: refused, and the store keeps nothing of it.
    let answer = patch_cut_short(&a, &token, &sha, photo.len(), 0, &photo, 3 * MIB);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(kept(), None);
    assert_eq!(head(&b, &token, &sha).offset, Some(0));
    // Its bytes do not match its checksum: refused, nothing kept.
    let r = patch_with_wrong_checksum(&a, &token, &sha, photo.len(), 0, photo.clone());
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("checksum mismatch"));
    assert_eq!(kept(), None);
    // Its last byte altered (the checksum matching what is sent): it does not hash to its name,
    // so its last bytes never reach the store.
    let mut altered = photo.clone();
    *altered.last_mut().unwrap() ^= 1;
    let r = patch(&b, &token, &sha, photo.len(), 0, altered);
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("does not match its name"));
    assert_eq!(kept(), None);
    assert_eq!(request(&a, "GET", &sha, &token, &[], vec![]).status, 404);
    // Sent right, it is kept and reads back whole.
    let r = chunk(&b, &token, &photo, 0, photo.len());
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(kept(), Some(photo.len() as u64));
    reads_back(&a, &token, &photo);
}

#[test]
fn a_part_sent_on_while_it_arrives_counts_only_whole_and_checked() {
    let Some((data, [a, b])) = two_instances() else {
        return;
    };
    // 6 MiB chunks: each makes a part of the store's multipart upload by itself, and so does
    // the last one (1 MiB), which finishes the photo.
    let photo = photo_of(13 * MIB, 6);
    let sha = hex::encode(Sha256::digest(&photo));
    let (_ama, token) = officer_referencing(&data, &a, &photo);
    let send_parts = || {
        for at in [0, 6 * MIB] {
            let part = &photo[at..at + 6 * MIB];
            let answer = patch_cut_short(&a, &token, &sha, photo.len(), at, part, 2 * MIB);
            assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
            assert_eq!(head(&b, &token, &sha).offset, Some(at as u64));
            let r = patch_with_wrong_checksum(&b, &token, &sha, photo.len(), at, part.to_vec());
            assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
            assert_eq!(head(&a, &token, &sha).offset, Some(at as u64));
            let r = chunk(&b, &token, &photo, at, 6 * MIB);
            assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
            assert_eq!(head(&a, &token, &sha).offset, Some((at + 6 * MIB) as u64));
            assert_eq!(request(&a, "GET", &sha, &token, &[], vec![]).status, 404);
        }
    };
    send_parts();
    let at = 12 * MIB;
    let last = &photo[at..];
    // The last part cut short, or not matching its checksum: refused, the upload stays where
    // it was, nothing readable.
    let answer = patch_cut_short(&b, &token, &sha, photo.len(), at, last, MIB / 2);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(head(&a, &token, &sha).offset, Some(at as u64));
    let r = patch_with_wrong_checksum(&a, &token, &sha, photo.len(), at, last.to_vec());
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(head(&b, &token, &sha).offset, Some(at as u64));
    assert_eq!(a.state.photos.complete_len(&sha).unwrap(), None);
    // The last part altered (its checksum matching what is sent): the photo does not hash to
    // its name, so the parts are never joined and the upload starts over.
    let mut altered = last.to_vec();
    altered[0] ^= 1;
    let r = patch(&a, &token, &sha, photo.len(), at, altered);
    assert_eq!(r.status, 422, "{}", String::from_utf8_lossy(&r.body));
    assert!(String::from_utf8_lossy(&r.body).contains("does not match its name"));
    assert_eq!(a.state.photos.complete_len(&sha).unwrap(), None);
    assert_eq!(head(&b, &token, &sha).offset, Some(0));
    // Sent again, right this time: kept, and it reads back whole.
    send_parts();
    let r = chunk(&a, &token, &photo, at, photo.len() - at);
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.offset, Some(photo.len() as u64));
    reads_back(&b, &token, &photo);
}

#[test]
fn a_devices_unfinished_uploads_are_limited_across_instances() {
    let Some((data, [a, _b])) = two_instances() else {
        return;
    };
    // The object store as an instance opens it, with room for 100 unfinished bytes per device.
    let uploads =
        quayside_server::object_uploads::ObjectUploads::open(data.blobs.as_deref().unwrap(), 100)
            .unwrap();
    let db = &a.state.db;
    let (device, elsewhere) = (
        "01a2278c-0f38-71a2-b484-00000000000a",
        "01a2278c-0f38-71a2-b484-00000000000b",
    );
    let append = |device: &str, photo: &[u8], offset: usize, len: usize| {
        let part = &photo[offset..offset + len];
        let crc =
            base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(part).to_be_bytes());
        uploads.append(
            db,
            device,
            &hex::encode(Sha256::digest(photo)),
            offset as u64,
            photo.len() as u64,
            Some(&format!("crc32c {crc}")),
            quayside_server::blobs::Chunk::Whole(axum::body::Bytes::copy_from_slice(part)),
        )
    };
    let photo = photo_of(80, 7);
    assert!(!append(device, &photo, 0, 40).unwrap().complete);
    // A second photo would take the device past its room: refused before anything is kept.
    let other = photo_of(70, 8);
    let err = append(device, &other, 0, 10).unwrap_err();
    assert!(
        matches!(err, quayside_server::error::ServerError::PayloadTooLarge(_)),
        "{err}"
    );
    assert_eq!(
        uploads
            .partial_offset(db, device, &hex::encode(Sha256::digest(&other)))
            .unwrap(),
        0
    );
    // Another device is not held back by this one; finishing frees the room.
    assert!(append(elsewhere, &other, 0, 70).unwrap().complete);
    assert!(append(device, &photo, 40, 40).unwrap().complete);
    assert!(!append(device, &other, 0, 10).unwrap().complete);
}

#[test]
fn abandoned_uploads_are_swept_from_the_database_and_the_store() {
    let Some((data, [a, _b])) = two_instances() else {
        return;
    };
    let photo = photo_of(8 * MIB, 4);
    let sha = hex::encode(Sha256::digest(&photo));
    let (_ama, token) = officer_referencing(&data, &a, &photo);
    assert_eq!(chunk(&a, &token, &photo, 0, 6 * MIB).status, 204);
    let photos = &a.state.photos;
    assert_eq!(
        photos
            .sweep_abandoned(&a.state.db, quayside_server::blobs::ABANDONED_AFTER)
            .unwrap(),
        0,
        "a young upload stays"
    );
    assert_eq!(
        photos
            .sweep_abandoned(&a.state.db, std::time::Duration::ZERO)
            .unwrap(),
        1
    );
    assert_eq!(head(&a, &token, &sha).offset, Some(0));
    // The swept upload starts again from zero.
    assert_eq!(chunk(&a, &token, &photo, 6 * MIB, 2 * MIB).status, 409);
    assert_eq!(chunk(&a, &token, &photo, 0, 8 * MIB).status, 204);
    assert_eq!(request(&a, "GET", &sha, &token, &[], vec![]).status, 200);
}

#[test]
fn readiness_names_the_object_store_and_says_when_it_stops_answering() {
    let (Some(_), Some(endpoint)) = (test_postgres(), test_s3()) else {
        eprintln!("the object store needs QUAYSIDE_TEST_POSTGRES and QUAYSIDE_TEST_S3");
        return;
    };
    // The store reached through a proxy the test can break.
    let upstream: std::net::SocketAddr = endpoint.trim_start_matches("http://").parse().unwrap();
    let proxy = FaultProxy::start(upstream, Faults::NONE);
    let agency = Agency::start_with(quayside_server::Options {
        blobs: Some(format!(
            "s3://quayside-t-{}?endpoint={}",
            uuid::Uuid::new_v4().simple(),
            proxy.url()
        )),
        ..Default::default()
    });
    let ready = || {
        let r = reqwest::blocking::get(format!("{}/readyz", agency.url())).unwrap();
        let status = r.status().as_u16();
        let json: serde_json::Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
        (status, json)
    };
    let (status, json) = ready();
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["photos"]["backend"], "s3");
    // The store stops answering: readiness says which store failed.
    proxy.set(Faults {
        reset: 1.0,
        ..Faults::NONE
    });
    let (status, json) = ready();
    assert_eq!(status, 503);
    let why = json["error"].as_str().unwrap();
    assert!(
        why.contains("the photo store (s3) does not take writes")
            && why.contains("the database (postgres) takes writes"),
        "{why}"
    );
    proxy.set(Faults::NONE);
    assert_eq!(ready().0, 200);
    // A store that does not answer at start: the server refuses to start and says why.
    let nowhere = format!("s3://quayside-nowhere?endpoint=http://{}", free_addr());
    let err = quayside_server::Server::start_with(
        agency.dir.path(),
        "127.0.0.1:0",
        quayside_server::Options {
            database: agency.database.as_ref().map(|d| d.url.clone()),
            blobs: Some(nowhere),
            ..Default::default()
        },
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("does not answer"), "{err}");
}
