//! The server against callers who try what they should not: reading evidence by naming its hash,
//! uploading without rights, malformed documents in a batch, enrolment abuse. Every answer is a
//! clear 4xx (or a per-document refusal) and changes nothing it should not.

use quayside_core::doc::inspection;
use quayside_core::model::Photo;
use quayside_core::sync::protocol::{DocPush, Outcome, PROTOCOL_VERSION, RefusalCode, SyncRequest};
use quayside_core::{InspectionFields, PhotoFields};
use quayside_e2e::*;
use serde_bytes::ByteBuf;

/// A raw HTTP answer: status, headers, body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

fn http(
    agency: &Agency,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    quayside_core::sync::client::install_crypto_provider();
    let client = reqwest::blocking::Client::new();
    let mut req = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{}{path}", agency.url()),
    );
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.body(body).send().unwrap();
    Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.bytes().unwrap().to_vec(),
    }
}

fn token_of(d: &Device) -> String {
    d.store.inner().server_link().unwrap().unwrap().token
}

fn patch(agency: &Agency, token: &str, sha: &str, bytes: &[u8]) -> Answer {
    let crc = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(bytes).to_be_bytes())
    };
    let len = bytes.len().to_string();
    http(
        agency,
        "PATCH",
        &format!("/v1/blobs/{sha}"),
        Some(token),
        &[
            ("Tus-Resumable", "1.0.0"),
            ("Upload-Offset", "0"),
            ("Upload-Length", &len),
            ("Upload-Checksum", &format!("crc32c {crc}")),
            ("Content-Type", "application/offset+octet-stream"),
        ],
        bytes.to_vec(),
    )
}

/// The attack: an officer of another station who learns a photo's SHA-256 writes it
/// into his own inspection. The server must not serve him the bytes, nor tell him their size.
#[test]
fn naming_a_photo_hash_gives_no_access_to_the_photo() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let piet = Device::enrolled(&agency, &agency.url(), "piet", "NLRTM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    let evidence = [
        &[0xFF, 0xD8, 0xFF, 0xE0][..],
        b"informant's tip-off, photographed",
    ]
    .concat();
    let sha = ama
        .store
        .add_photo(id.clone(), evidence.clone(), PhotoFields::default())
        .unwrap()
        .photo
        .sha256;
    assert_eq!(ama.store.sync(None).unwrap().photos_uploaded, 1);

    // Piet writes the hash into an inspection of his own station and syncs it.
    let own = new_inspection(&piet.store, "MSKU1234565");
    piet.store
        .inner()
        .edit_inspection(&own, |doc, author, _| {
            inspection::add_photo(
                doc,
                author,
                &Photo {
                    sha256: sha.clone(),
                    bytes: evidence.len() as u64,
                    mime: "image/jpeg".into(),
                    captured_at: "2026-11-30T10:00:00.000Z".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let report = piet.store.sync(None).unwrap();
    assert_eq!(report.photos_downloaded, 0);
    let path = format!("/v1/blobs/{sha}");
    let pt = token_of(&piet);
    let get = http(&agency, "GET", &path, Some(&pt), &[], vec![]);
    assert_eq!(get.status, 404);
    assert!(!get.body.windows(8).any(|w| w == b"informan"));
    // HEAD tells him only about his own (empty) upload, not the size of the photo.
    let head = http(&agency, "HEAD", &path, Some(&pt), &[], vec![]);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Upload-Offset"), Some("0"));
    assert_eq!(head.header("Upload-Length"), None);
    // Uploading other bytes under the name proves nothing.
    let forged = patch(&agency, &pt, &sha, b"\xFF\xD8\xFF\xE0something else");
    assert_eq!(
        forged.status,
        422,
        "{}",
        String::from_utf8_lossy(&forged.body)
    );
    assert_eq!(
        http(&agency, "GET", &path, Some(&pt), &[], vec![]).status,
        404
    );

    // Without even a reference: nothing at all, by any method.
    agency.db().add_station("BEANR", "BE", "Antwerp").unwrap();
    agency
        .db()
        .add_user("jan", "officer", &["BEANR".into()], None)
        .unwrap();
    let kofi_like = RawClient::enrol(&agency, "jan");
    for method in ["GET", "HEAD"] {
        assert_eq!(
            http(&agency, method, &path, Some(&kofi_like.token), &[], vec![]).status,
            404,
            "{method}"
        );
    }
    assert_eq!(
        patch(&agency, &kofi_like.token, &sha, &evidence).status,
        403
    );

    // Analysts and administrators never upload.
    agency
        .db()
        .add_user("nana", "ozone_analyst", &[], Some("GH"))
        .unwrap();
    for user in ["nana", "root"] {
        let token = agency.db().create_api_token(user).unwrap();
        let answer = patch(&agency, &token, &sha, &evidence);
        assert_eq!(answer.status, 403, "{user}");
        assert!(answer.json()["error"].as_str().unwrap().contains("officer"));
    }

    // The supervisor of the photo's station reads it; its officer's HEAD shows it complete.
    let et = token_of(&esi);
    let got = http(&agency, "GET", &path, Some(&et), &[], vec![]);
    assert_eq!((got.status, got.body.clone()), (200, evidence.clone()));
    let head = http(&agency, "HEAD", &path, Some(&token_of(&ama)), &[], vec![]);
    assert_eq!(
        head.header("Upload-Length"),
        Some(evidence.len().to_string().as_str())
    );
}

/// A reference to a photo the writer may already read is granted to the new inspection (so an
/// officer who attaches the same picture twice needs no second upload), and its approval then
/// finds the photo present.
#[test]
fn a_photo_attached_to_a_second_inspection_of_the_same_station_is_served_for_both() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], b"same cylinder"].concat();
    let mut ids = Vec::new();
    for container in ["CSQU3054383", "MSKU1234565"] {
        let id = ama
            .store
            .create_inspection(InspectionFields {
                container_number: Some(container.into()),
                ..Default::default()
            })
            .unwrap()
            .inspection
            .id;
        ama.store
            .add_photo(id.clone(), jpeg.clone(), PhotoFields::default())
            .unwrap();
        ama.store.submit(id.clone()).unwrap();
        ids.push(id);
        // The second time, the server already holds the photo and ama may read it: it is not
        // uploaded again, and her reference grants it to the second inspection.
        let r = ama.store.sync(None).unwrap();
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    }
    esi.store.sync(None).unwrap();
    for id in &ids {
        let heads = shown(&esi, id);
        esi.store.approve(id.clone(), heads, "ok".into()).unwrap();
    }
    let r = esi.store.sync(None).unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    for id in &ids {
        assert_eq!(agency.with_db(|db| db.review_state(id)).1, "approved");
    }
}

/// One malformed document must not fail the batch: it is refused alone, with a reason, and the
/// valid documents sent with it are stored. No input produces a 5xx.
#[test]
fn a_malformed_document_is_refused_alone() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let good = new_inspection(&ama.store, "CSQU3054383");
    let good_doc = ama.store.inner().document("inspection", &good).unwrap();
    // An own-actor change that breaks the schema: the container number as a number, `schema`
    // as a string.
    let bad_schema = new_inspection(&ama.store, "MSKU1234565");
    let mut broken = ama
        .store
        .inner()
        .document("inspection", &bad_schema)
        .unwrap();
    broken
        .change(
            &quayside_core::doc::Author {
                user: "ama".into(),
                device: ama.store.device_info().device_id,
            },
            "break the schema",
            |e| {
                let c = e.map(&quayside_core::doc::edit::ROOT, "container")?;
                e.set(&c, "number", Some(quayside_core::doc::edit::Scalar::Int(7)))?;
                e.set(
                    &quayside_core::doc::edit::ROOT,
                    "schema",
                    Some("one".into()),
                )
            },
        )
        .unwrap();
    let mut good_doc = good_doc;
    let docs = vec![
        DocPush {
            id: good.clone(),
            kind: "inspection".into(),
            shared_heads: vec![],
            heads: vec![],
            changes: vec![],
            snapshot: Some(ByteBuf::from(good_doc.save())),
        },
        DocPush {
            id: uuid::Uuid::now_v7().to_string(),
            kind: "inspection".into(),
            shared_heads: vec![],
            heads: vec![],
            changes: vec![],
            snapshot: Some(ByteBuf::from(b"not an automerge document".to_vec())),
        },
        DocPush {
            id: bad_schema.clone(),
            kind: "inspection".into(),
            shared_heads: vec![],
            heads: vec![],
            changes: vec![],
            snapshot: Some(ByteBuf::from(broken.save())),
        },
        DocPush {
            id: uuid::Uuid::now_v7().to_string(),
            kind: "inspection".into(),
            shared_heads: vec![],
            heads: vec![],
            changes: vec![ByteBuf::from(vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3])],
            snapshot: None,
        },
    ];
    let client =
        quayside_core::sync::client::HttpClient::new(&agency.url(), Some(token_of(&ama))).unwrap();
    let (res, _, _) = client
        .sync(&SyncRequest {
            version: PROTOCOL_VERSION,
            docs,
        })
        .unwrap();
    assert_eq!(res.docs[0].outcome, Outcome::Ok);
    for (i, d) in res.docs.iter().enumerate().skip(1) {
        assert!(
            matches!(&d.outcome, Outcome::Rejected { reason, .. } if !reason.is_empty()),
            "document {i}: {:?}",
            d.outcome
        );
    }
    assert!(
        matches!(&res.docs[2].outcome, Outcome::Rejected { reason, code: RefusalCode::Malformed } if reason.contains("schema")),
        "{:?}",
        res.docs[2].outcome
    );
    // The valid one is stored; the broken ones are not.
    assert!(agency.db().document(&good).is_ok());
    assert!(agency.db().document(&bad_schema).is_err());
}

fn enrol_request(code: &str, user: &str, device: &str, actor: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "code": code,
        "actor": actor,
        "device_id": device,
        "public_key": quayside_core::signing::public_key_of(&[5; 32]),
        "device_name": "phone",
        "user": user,
    }))
    .unwrap()
}

fn enrol(agency: &Agency, body: Vec<u8>) -> Answer {
    http(
        agency,
        "POST",
        "/v1/enroll",
        None,
        &[("Content-Type", "application/json")],
        body,
    )
}

#[test]
fn enrolment_checks_the_user_first_and_survives_a_lost_answer() {
    let agency = Agency::start();
    let code = agency.code("ama");
    // A store made for kofi: refused, and the code is not spent.
    let kofi = Device::new("kofi", "GHTEM");
    let err = kofi
        .store
        .enroll(agency.url(), code.clone(), "phone".into(), None)
        .unwrap_err();
    assert!(err.to_string().contains("another user"), "{err}");
    assert!(
        agency.db().devices().unwrap().is_empty(),
        "no orphan device"
    );
    let ama = Device::new("ama", "GHTEM");
    ama.store
        .enroll(agency.url(), code.clone(), "phone".into(), None)
        .unwrap();
    assert_eq!(agency.db().devices().unwrap().len(), 1);

    // The answer to an enrolment is lost on the way: the same device sends the same code again
    // and gets a token; the one it never received stops working.
    let code = agency.code("kofi");
    let device = uuid::Uuid::now_v7().to_string();
    let actor = "00112233445566778899aabbccddeeff";
    let first = enrol(&agency, enrol_request(&code, "kofi", &device, actor));
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let lost = first.json()["token"].as_str().unwrap().to_string();
    let again = enrol(&agency, enrol_request(&code, "kofi", &device, actor));
    assert_eq!(again.status, 200);
    let token = again.json()["token"].as_str().unwrap().to_string();
    assert_ne!(token, lost);
    let feed = |t: &str| http(&agency, "GET", "/v1/feed?since=0", Some(t), &[], vec![]).status;
    assert_eq!(feed(&token), 200);
    assert_eq!(feed(&lost), 401);
    assert_eq!(agency.db().devices().unwrap().len(), 2);

    // Another device with the spent code, an unknown code and an expired one: one answer.
    let other = enrol(
        &agency,
        enrol_request(
            &code,
            "kofi",
            &uuid::Uuid::now_v7().to_string(),
            "ffeeddccbbaa99887766554433221100",
        ),
    );
    let unknown = enrol(
        &agency,
        enrol_request(
            "AAAA-BBBB-CCCC",
            "kofi",
            &uuid::Uuid::now_v7().to_string(),
            "ffeeddccbbaa99887766554433221101",
        ),
    );
    assert_eq!(other.status, 401);
    assert_eq!(
        (unknown.status, unknown.json()["error"].clone()),
        (401, other.json()["error"].clone())
    );
    assert_eq!(agency.db().devices().unwrap().len(), 2);
}

/// An enrolment attempt (a code that does not exist) whose `X-Forwarded-For` names `client`;
/// its status.
fn enrol_as(agency: &Agency, client: &str, i: usize) -> u16 {
    http(
        agency,
        "POST",
        "/v1/enroll",
        None,
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", client),
        ],
        enrol_request(
            "AAAA-BBBB-CCCC",
            "ama",
            &uuid::Uuid::now_v7().to_string(),
            &format!("{i:032x}"),
        ),
    )
    .status
}

#[test]
fn behind_a_trusted_balancer_the_limit_counts_each_client() {
    // The balancer (here: loopback, where the test connects from) names the client in
    // X-Forwarded-For; each client has its own two attempts a minute.
    let agency = Agency::start_with(quayside_server::Options {
        enrol_per_minute: 2,
        trusted_proxies: vec!["127.0.0.0/8".into()],
        ..Default::default()
    });
    let first: Vec<u16> = (0..3)
        .map(|i| enrol_as(&agency, "203.0.113.7", i))
        .collect();
    assert_eq!(first, [401, 401, 429], "one client's attempts are limited");
    let other: Vec<u16> = (3..5)
        .map(|i| enrol_as(&agency, "198.51.100.20", i))
        .collect();
    assert_eq!(
        other,
        [401, 401],
        "another client behind the same balancer is not"
    );
    // What a client writes itself before the balancer's entry does not make it someone else.
    assert_eq!(enrol_as(&agency, "192.0.2.1, 203.0.113.7", 5), 429);

    // Without a trusted balancer the header is ignored: everyone is the connection's address.
    let direct = Agency::start_with(quayside_server::Options {
        enrol_per_minute: 2,
        ..Default::default()
    });
    let statuses: Vec<u16> = ["203.0.113.7", "198.51.100.20", "192.0.2.1"]
        .iter()
        .enumerate()
        .map(|(i, client)| enrol_as(&direct, client, i))
        .collect();
    assert_eq!(
        statuses,
        [401, 401, 429],
        "a header anyone can send changes nothing"
    );
}

#[test]
fn enrolment_attempts_count_for_a_minute_then_are_forgotten() {
    let agency = Agency::start_one_instance();
    let db = agency.db();
    let attempts = || -> i64 {
        db.read(|c| {
            Ok(c.value(
                "SELECT count(*) FROM enrol_attempts",
                quayside_core::args![],
            )?)
        })
        .unwrap()
    };
    assert_eq!(db.enrol_attempt("203.0.113.9", 2).unwrap(), None);
    assert_eq!(db.enrol_attempt("203.0.113.9", 2).unwrap(), None);
    let wait = db.enrol_attempt("203.0.113.9", 2).unwrap();
    assert!(
        matches!(wait, Some(1..=60)),
        "the third in a minute waits for the first to age: {wait:?}"
    );
    assert_eq!(
        db.enrol_attempt("198.51.100.20", 2).unwrap(),
        None,
        "another address"
    );
    assert_eq!(attempts(), 3, "a refused attempt is not counted");
    // A minute later (the rows aged by hand) the address may try again.
    db.write(|c| {
        c.execute(
            "UPDATE enrol_attempts SET at_ms = at_ms - 61000 WHERE address = '203.0.113.9'",
            quayside_core::args![],
        )?;
        Ok(())
    })
    .unwrap();
    assert_eq!(db.enrol_attempt("203.0.113.9", 2).unwrap(), None);
    assert_eq!(db.forget_enrol_attempts().unwrap(), 2, "the two aged rows");
    assert_eq!(attempts(), 2, "the recent ones stay");
}

#[test]
fn enrolment_attempts_are_limited_per_address() {
    // Counted in the database: in the PostgreSQL pass the attempts go to two instances behind a
    // balancer, and together they allow what one would.
    let agency = Agency::start();
    let mut statuses = Vec::new();
    for i in 0..12 {
        let a = enrol(
            &agency,
            enrol_request(
                "AAAA-BBBB-CCCC",
                "ama",
                &uuid::Uuid::now_v7().to_string(),
                &format!("{i:032x}"),
            ),
        );
        if a.status == 429 {
            assert!(a.header("Retry-After").is_some());
            assert!(a.json()["error"].as_str().unwrap().contains("too many"));
        }
        statuses.push(a.status);
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    // A genuine code is refused too while the address is limited: nothing is spent.
    let code = agency.code("ama");
    let ama = Device::new("ama", "GHTEM");
    assert!(
        ama.store
            .enroll(agency.url(), code, "phone".into(), None)
            .is_err()
    );
    assert!(agency.db().devices().unwrap().is_empty());
}

#[test]
fn administrators_get_clear_errors_for_impossible_values() {
    let agency = Agency::start();
    let admin = agency.db().create_api_token("root").unwrap();
    let post = |path: &str, body: serde_json::Value| {
        http(
            &agency,
            "POST",
            path,
            Some(&admin),
            &[("Content-Type", "application/json")],
            serde_json::to_vec(&body).unwrap(),
        )
    };
    for hours in [i64::MAX, 0, -1, 24 * 365] {
        let a = post(
            "/v1/admin/enrolment-codes",
            serde_json::json!({"user": "ama", "hours": hours}),
        );
        assert_eq!(a.status, 400, "hours {hours}");
        assert!(a.json()["error"].as_str().unwrap().contains("hours"));
    }
    assert_eq!(
        post(
            "/v1/admin/enrolment-codes",
            serde_json::json!({"user": "ama", "hours": 48})
        )
        .status,
        201
    );
    for country in ["XX", "Ghana", "G1", "", "gh"] {
        let a = post(
            "/v1/admin/users",
            serde_json::json!({"name": format!("analyst-{country}"), "role": "ozone_analyst", "country": country}),
        );
        assert_eq!(a.status, 400, "{country:?}");
        assert!(a.json()["error"].as_str().unwrap().contains("country"));
    }
    let a = post(
        "/v1/admin/users",
        serde_json::json!({"name": "nana", "role": "ozone_analyst", "country": "GH"}),
    );
    assert_eq!(a.status, 201);
    assert_eq!(a.json()["country"], "GH");
}

/// An internal failure (here: a photo altered on the server's disk) answers 500 with a request
/// id, and none of the internal text.
#[test]
fn internal_failures_name_a_request_id_and_nothing_else() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    let sha = ama
        .store
        .add_photo(
            id,
            b"\xFF\xD8\xFF\xE0evidence".to_vec(),
            PhotoFields::default(),
        )
        .unwrap()
        .photo
        .sha256;
    ama.store.sync(None).unwrap();
    agency.tamper_photo(&sha, b"\xFF\xD8\xFF\xE0tampered");
    let a = http(
        &agency,
        "GET",
        &format!("/v1/blobs/{sha}"),
        Some(&token_of(&esi)),
        &[],
        vec![],
    );
    assert_eq!(a.status, 500);
    let body = a.json();
    let request_id = a.header("x-request-id").unwrap().to_string();
    assert_eq!(body["request_id"], request_id.as_str());
    let text = body["error"].as_str().unwrap();
    assert!(text.contains(&request_id), "{text}");
    assert!(!text.contains("altered") && !text.contains(&sha), "{text}");
}

/// Removes the immutable flag from everything under a folder when dropped (tests run as root,
/// for whom only the immutable flag makes a folder unwritable).
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: &std::path::Path) -> Immutable {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chattr +i {} failed", path.display());
        Immutable(path.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_data_directory_that_cannot_be_written_is_refused_and_reported() {
    let mut agency = Agency::start();
    let health = |agency: &Agency| http(agency, "GET", "/healthz", None, &[], vec![]);
    let ready = |agency: &Agency| http(agency, "GET", "/readyz", None, &[], vec![]);
    assert_eq!(health(&agency).status, 200);
    let r = ready(&agency);
    assert_eq!(r.status, 200);
    let (json, instance) = (r.json(), r.json()["instance"].clone());
    assert_eq!(json["ready"], true, "{json}");
    let backend = if test_postgres().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(json["database"]["backend"], backend);
    assert_eq!(json["photos"]["ok"], true);
    if local_photos_only("freezes the photo folders of the data directory") {
        return;
    }
    // The photo store stops taking writes while the server runs: health and readiness say so,
    // and readiness says which store.
    let blobs = agency.dir.path().join("blobs");
    {
        let _frozen = Immutable::set(&blobs);
        let a = health(&agency);
        assert_eq!(a.status, 503);
        assert!(a.json()["error"].as_str().unwrap().contains("cannot write"));
        let r = ready(&agency);
        assert_eq!(r.status, 503);
        let why = r.json()["error"].as_str().unwrap().to_string();
        assert!(
            why.contains(&format!("the database ({backend}) takes writes"))
                && why.contains("the photo store (local) does not take writes")
                && why.contains(instance.as_str().unwrap()),
            "{why}"
        );
    }
    assert_eq!(health(&agency).status, 200);
    assert_eq!(ready(&agency).status, 200);
    // Another start is another instance.
    agency.restart();
    assert_ne!(ready(&agency).json()["instance"], instance);
    // A data directory that cannot be written at start: the server refuses to start.
    agency.server.take().unwrap().stop();
    let uploads = agency.dir.path().join("uploads");
    let _frozen = Immutable::set(&uploads);
    let err = quayside_server::Server::start(agency.dir.path(), "127.0.0.1:0")
        .err()
        .expect("refused");
    assert!(err.to_string().contains("cannot be written"), "{err}");
}
