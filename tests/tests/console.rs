//! The web console's door, over real HTTP without a browser (the browser tests drive Chromium):
//! a browser enrolled with a one-time code and its own key, signed in again by that key, sessions
//! that end at sign-out and the moment the browser is revoked, CSRF and cross-site refusals, and
//! the headers that keep pages inert; the supervisor's queue, inspection page, photos and signed
//! decisions, and who may not reach them.

use quayside_core::signing;
use quayside_e2e::*;
use reqwest::blocking::{Client, Response};
use reqwest::header::{COOKIE, HeaderMap, LOCATION, ORIGIN, SET_COOKIE};

/// A browser: its key and device id, and the session cookie it holds.
struct Browser {
    secret: [u8; 32],
    device_id: String,
    session: Option<String>,
    client: Client,
    url: String,
}

impl Browser {
    fn new(url: &str) -> Browser {
        quayside_core::sync::client::install_crypto_provider();
        Browser {
            secret: rand::random(),
            device_id: uuid::Uuid::new_v4().to_string(),
            session: None,
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            url: url.to_string(),
        }
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(ORIGIN, self.url.parse().unwrap());
        if let Some(s) = &self.session {
            h.insert(COOKIE, format!("qs_session={s}").parse().unwrap());
        }
        h
    }

    fn get(&self, path: &str) -> Response {
        let url = format!("{}{path}", self.url);
        self.client.get(url).headers(self.headers()).send().unwrap()
    }

    fn post_json(&mut self, path: &str, body: serde_json::Value) -> Response {
        let url = format!("{}{path}", self.url);
        let res = self
            .client
            .post(url)
            .headers(self.headers())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap();
        self.keep_cookie(&res);
        res
    }

    fn keep_cookie(&mut self, res: &Response) {
        if let Some(c) = res.headers().get(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let value = c
                .split(';')
                .next()
                .unwrap()
                .trim_start_matches("qs_session=");
            self.session = (!value.is_empty()).then(|| value.to_string());
        }
    }

    fn enrol(&mut self, user: &str, code: &str) -> Response {
        let body = serde_json::json!({
            "user": user,
            "code": code,
            "public_key": signing::public_key_of(&self.secret),
            "actor": hex::encode(rand::random::<[u8; 16]>()),
            "device_id": self.device_id,
        });
        self.post_json("/console/enrol", body)
    }

    fn sign_in(&mut self) -> Response {
        let res = self.post_json(
            "/console/challenge",
            serde_json::json!({ "device_id": self.device_id }),
        );
        assert_eq!(res.status(), 200, "challenge");
        let answer: serde_json::Value = serde_json::from_slice(&res.bytes().unwrap()).unwrap();
        let nonce = answer["nonce"].as_str().unwrap().to_string();
        let payload = quayside_server::sessions::sign_in_payload(&self.device_id, &nonce);
        let signature = signing::sign(&self.secret, &payload).signature;
        let body = serde_json::json!({ "device_id": self.device_id, "nonce": nonce, "signature": signature });
        self.post_json("/console/sign-in", body)
    }

    fn csrf(&self) -> String {
        quayside_server::sessions::csrf_token(self.session.as_deref().unwrap())
    }

    fn post_form(&mut self, path: &str, csrf: &str) -> Response {
        let url = format!("{}{path}", self.url);
        let res = self
            .client
            .post(url)
            .headers(self.headers())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_csrf={csrf}"))
            .send()
            .unwrap();
        self.keep_cookie(&res);
        res
    }

    fn sign_out(&mut self, csrf: &str) -> Response {
        self.post_form("/console/sign-out", csrf)
    }
}

impl Browser {
    fn post_decision(&mut self, path: &str, csrf: &str, body: serde_json::Value) -> Response {
        let url = format!("{}{path}", self.url);
        self.client
            .post(url)
            .headers(self.headers())
            .header("content-type", "application/json")
            .header("x-csrf-token", csrf)
            .body(body.to_string())
            .send()
            .unwrap()
    }

    /// Prepares `decision` on the version `heads`, signs what the server stamped with this
    /// browser's key (`sign` may alter it first) and sends it.
    fn decide(
        &mut self,
        id: &str,
        heads: &[String],
        decision: &str,
        comment: &str,
        sign: impl FnOnce(&mut serde_json::Value, &str) -> String,
    ) -> Response {
        let csrf = self.csrf();
        let base = format!("/console/inspections/{id}/decision");
        let body = serde_json::json!({ "decision": decision, "comment": comment, "heads": heads });
        let res = self.post_decision(&format!("{base}/prepare"), &csrf, body);
        assert_eq!(res.status(), 200, "prepare");
        let prepared: serde_json::Value = serde_json::from_slice(&res.bytes().unwrap()).unwrap();
        let payload = prepared["payload"].as_str().unwrap().to_string();
        let mut decided = serde_json::json!({
            "id": prepared["id"], "decided_at": prepared["decided_at"], "decision": decision,
            "comment": prepared["comment"], "heads": prepared["heads"],
        });
        let signature = sign(&mut decided, &payload);
        decided["signature"] = signature.into();
        self.post_decision(&base, &csrf, decided)
    }
}

/// The value of HTML attribute `name` (first occurrence).
fn attribute(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 2;
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// An officer's inspection with a finding seized (272 kg of HCFC-22) and a photo, submitted and
/// synced; its id.
fn submitted_with_photo(ama: &Device, photo: &[u8], notes: &str) -> String {
    let id = new_inspection(&ama.store, "CSQU3054383");
    ama.store
        .update_inspection(
            id.clone(),
            quayside_core::InspectionFields {
                notes: Some(notes.into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    ama.store
        .add_finding(
            id.clone(),
            quayside_core::FindingFields {
                declared_substance: Some("R-134a".into()),
                identified_substance: Some("R-22".into()),
                cylinders: Some(20),
                net_mass_kg: Some(272.0),
                ..Default::default()
            },
        )
        .unwrap();
    let finding = ama
        .store
        .get_inspection(id.clone())
        .unwrap()
        .inspection
        .findings[0]
        .id
        .clone();
    ama.store
        .set_seizure(
            id.clone(),
            quayside_core::SeizureFields {
                case_ref: Some(format!("GRA-CUS-{}", &id[id.len() - 6..])),
                action: Some(quayside_core::SeizureAction::Seized),
                items: Some(vec![quayside_core::SeizedItem {
                    finding_id: finding,
                    quantity_kg: 272.0,
                    cylinders: Some(20),
                }]),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    ama.store
        .add_photo(
            id.clone(),
            photo.to_vec(),
            quayside_core::PhotoFields::default(),
        )
        .unwrap();
    ama.store.submit(id.clone()).unwrap();
    ama.store.sync(None).unwrap();
    id
}

fn redirect(res: &Response) -> &str {
    res.headers()[LOCATION].to_str().unwrap()
}

#[test]
fn a_browser_enrols_signs_out_and_signs_in_again_with_its_own_key() {
    let agency = Agency::start();
    let mut esi = Browser::new(&agency.url());
    // Not signed in: the console sends the browser to sign in.
    let res = esi.get("/console/");
    assert_eq!(res.status(), 303);
    assert_eq!(redirect(&res), "/console/sign-in");

    let res = esi.enrol("esi", &agency.code("esi"));
    assert_eq!(res.status(), 200);
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    let home = esi.get("/console/");
    assert_eq!(home.status(), 200);
    let html = home.text().unwrap();
    assert!(html.contains("Welcome, esi") && html.contains("Supervisor") && html.contains("GHTEM"));
    // The browser is a device told apart from phones: a phone's device id gets no challenge.
    let phone = RawClient::enrol(&agency, "esi");
    let res = esi.post_json(
        "/console/challenge",
        serde_json::json!({ "device_id": phone.device_id }),
    );
    assert_eq!(res.status(), 401);

    // Sign-out needs the session's CSRF token; without it nothing ends.
    let old = esi.session.clone();
    assert_eq!(esi.sign_out("forged").status(), 403);
    assert_eq!(esi.get("/console/").status(), 200, "still signed in");
    let res = esi.sign_out(&esi.csrf());
    assert_eq!(res.status(), 303);
    assert!(esi.session.is_none(), "the cookie is removed");
    esi.session = old;
    assert_eq!(
        esi.get("/console/").status(),
        303,
        "the old session is over"
    );

    // Signing in again: the browser's key answers a one-time challenge.
    esi.session = None;
    assert_eq!(esi.sign_in().status(), 200);
    assert_eq!(esi.get("/console/").status(), 200);

    // Another key cannot sign in as this browser, and a challenge answers once.
    let mut thief = Browser::new(&agency.url());
    thief.device_id = esi.device_id.clone();
    assert_eq!(thief.sign_in().status(), 401);
    assert!(thief.session.is_none());
}

#[test]
fn revoking_the_browser_ends_its_session_at_once() {
    let agency = Agency::start();
    let mut esi = Browser::new(&agency.url());
    assert_eq!(esi.enrol("esi", &agency.code("esi")).status(), 200);
    assert_eq!(esi.get("/console/").status(), 200);
    agency.with_db(|db| db.revoke_device(&esi.device_id, false).unwrap());
    assert_eq!(esi.get("/console/").status(), 303);
    esi.session = None;
    let res = esi.post_json(
        "/console/challenge",
        serde_json::json!({ "device_id": esi.device_id }),
    );
    assert_eq!(res.status(), 401, "a revoked browser cannot sign in again");
}

#[test]
fn other_sites_and_bad_codes_change_nothing_and_pages_run_no_inline_script() {
    let agency = Agency::start();
    let code = agency.code("esi");
    // Another site's script posting an enrolment: refused before the code is spent.
    let mut evil = Browser::new("http://evil.example");
    evil.url = agency.url();
    let res = evil
        .client
        .post(format!("{}/console/enrol", agency.url()))
        .header(ORIGIN, "http://evil.example")
        .header("content-type", "application/json")
        .body(serde_json::json!({"user": "esi", "code": code, "public_key": "00", "actor": "00", "device_id": "x"}).to_string())
        .send()
        .unwrap();
    assert_eq!(res.status(), 403);
    let mut esi = Browser::new(&agency.url());
    assert_eq!(esi.enrol("esi", "WRONGCODE123").status(), 401);
    assert!(esi.session.is_none());
    assert_eq!(
        esi.enrol("esi", &code).status(),
        200,
        "the code was not spent"
    );

    // Every page: a strict policy, and script only from the console's own file.
    for path in ["/console/sign-in", "/console/"] {
        let res = esi.get(path);
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let html = res.text().unwrap();
        for tag in html.match_indices("<script") {
            let rest = &html[tag.0..];
            assert!(
                rest[..rest.find('>').unwrap()].contains(" src="),
                "inline script in {path}"
            );
        }
        assert!(!html.contains(" style="), "inline style in {path}");
    }
    let js = esi.get("/console/assets/console.js");
    assert_eq!(js.status(), 200);
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(esi.get("/console/assets/../db.sqlite").status(), 404);
}

#[test]
fn an_administrator_revokes_a_browser_from_the_console_and_its_session_ends_at_once() {
    let agency = Agency::start();
    let mut esi = Browser::new(&agency.url());
    assert_eq!(esi.enrol("esi", &agency.code("esi")).status(), 200);
    // Only administrators see the devices.
    let mut ama = Browser::new(&agency.url());
    assert_eq!(ama.enrol("ama", &agency.code("ama")).status(), 200);
    assert_eq!(ama.get("/console/admin/devices").status(), 403);
    let revoke = format!("/console/admin/devices/{}/revoke", esi.device_id);
    let ama_csrf = ama.csrf();
    assert_eq!(ama.post_form(&revoke, &ama_csrf).status(), 403);

    let mut root = Browser::new(&agency.url());
    assert_eq!(root.enrol("root", &agency.code("root")).status(), 200);
    let list = root.get("/console/admin/devices");
    assert_eq!(list.status(), 200);
    let html = list.text().unwrap();
    assert!(html.contains(&esi.device_id) && html.contains("Web console"));
    assert!(
        html.contains("Home") && html.contains("3 devices, 3 active"),
        "{html}"
    );

    // A forged form changes nothing.
    assert_eq!(root.post_form(&revoke, "forged").status(), 403);
    assert_eq!(esi.get("/console/").status(), 200);
    // The administrator's own form: the browser's session ends at once.
    let csrf = root.csrf();
    let res = root.post_form(&revoke, &csrf);
    assert_eq!(res.status(), 303);
    assert_eq!(redirect(&res), "/console/admin/devices");
    assert_eq!(esi.get("/console/").status(), 303);
    assert!(
        root.get("/console/admin/devices")
            .text()
            .unwrap()
            .contains("Revoked ")
    );
    assert_eq!(
        root.post_form(&revoke, &csrf).status(),
        404,
        "already revoked"
    );
}

#[test]
fn a_supervisor_approves_from_the_console_with_a_signature_that_verifies_like_a_phones() {
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let photo = b"\xff\xd8\xff\xe0 a photo of the cylinder labels".to_vec();
    let id = submitted_with_photo(
        &ama,
        &photo,
        "<script>alert(1)</script> hidden behind R-134a",
    );
    let mut esi = Browser::new(&agency.url());
    assert_eq!(esi.enrol("esi", &agency.code("esi")).status(), 200);

    // The queue lists it, finds it by what a supervisor types, and filters by state.
    let queue = esi.get("/console/review").text().unwrap();
    assert!(
        queue.contains(&format!("/console/inspections/{id}")) && queue.contains("Awaiting review"),
        "{queue}"
    );
    assert!(
        esi.get("/console/review?q=csqu305+r-22")
            .text()
            .unwrap()
            .contains(&id)
    );
    assert!(
        !esi.get("/console/review?q=NOSUCHBOX")
            .text()
            .unwrap()
            .contains(&id)
    );
    assert!(
        !esi.get("/console/review?show=approved")
            .text()
            .unwrap()
            .contains(&id)
    );
    assert_eq!(
        esi.get("/console/review?station=NLRTM").status(),
        400,
        "not her station"
    );

    // The inspection in full; the officer's text is shown as text.
    let html = esi
        .get(&format!("/console/inspections/{id}"))
        .text()
        .unwrap();
    assert!(
        html.contains("Signed by the officer") && html.contains("HCFC-22"),
        "{html}"
    );
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62; hidden behind")
            && !html.contains("<script>alert")
    );
    let heads: Vec<String> = attribute(&html, "data-heads")
        .split(',')
        .map(str::to_string)
        .collect();
    assert_eq!(heads, shown(&ama, &id));
    let photo_url = attribute(&html, "data-url");
    let res = esi.get(&photo_url);
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(
        res.bytes().unwrap().to_vec(),
        photo,
        "the photo's own bytes"
    );

    // Without the CSRF token, or on a version it no longer is: nothing is decided.
    let csrf = esi.csrf();
    let res = esi.post_decision(
        &format!("/console/inspections/{id}/decision/prepare"),
        "forged",
        serde_json::json!({"decision": "approved", "comment": "", "heads": heads}),
    );
    assert_eq!(res.status(), 403);
    let res = esi.post_decision(
        &format!("/console/inspections/{id}/decision/prepare"),
        &csrf,
        serde_json::json!({"decision": "approved", "comment": "", "heads": ["00".repeat(32)]}),
    );
    assert_eq!(res.status(), 409, "a version not shown");
    let res = esi.post_decision(
        &format!("/console/inspections/{id}/decision/prepare"),
        &csrf,
        serde_json::json!({"decision": "returned", "comment": "  ", "heads": heads}),
    );
    assert_eq!(res.status(), 400, "a return needs a comment");

    // Signed by another key, or a signature over other words: refused, nothing stored.
    let other: [u8; 32] = rand::random();
    let res = esi.decide(&id, &heads, "approved", "ok", |_, payload| {
        signing::sign(&other, payload).signature
    });
    assert_eq!(res.status(), 400, "{}", res.text().unwrap());
    let secret = esi.secret;
    let res = esi.decide(&id, &heads, "approved", "ok", |d, payload| {
        d["comment"] = "ok, and the seizure figures too".into();
        signing::sign(&secret, payload).signature
    });
    assert_eq!(res.status(), 400, "the signature covers other words");
    ama.store.sync(None).unwrap();
    assert!(
        ama.store
            .get_inspection(id.clone())
            .unwrap()
            .reviews
            .is_empty()
    );

    // The browser's own signature over what it was shown: recorded, and it verifies on the
    // officer's phone exactly like a phone's approval.
    let res = esi.decide(
        &id,
        &heads,
        "approved",
        "labels and reading checked",
        |_, payload| signing::sign(&secret, payload).signature,
    );
    assert_eq!(res.status(), 200, "{}", res.text().unwrap());
    ama.store.sync(None).unwrap();
    let view = ama.store.get_inspection(id.clone()).unwrap();
    assert_eq!(view.review_state, quayside_core::ReviewState::Approved);
    assert_eq!(view.reviews.len(), 1);
    assert!(view.reviews[0].signature_verified);
    assert_eq!(view.reviews[0].reviewer, "esi");
    let html = esi
        .get(&format!("/console/inspections/{id}"))
        .text()
        .unwrap();
    assert!(
        html.contains("signature verified") && !html.contains("id=\"decision\""),
        "decided: no form"
    );
    assert!(
        esi.get("/console/review?show=approved")
            .text()
            .unwrap()
            .contains(&id)
    );
}

#[test]
fn officers_analysts_and_other_stations_cannot_review_or_see_what_is_not_theirs() {
    let agency = Agency::start();
    agency.with_db(|db| {
        db.add_user("jan", "supervisor", &["NLRTM".into()], None)
            .unwrap();
        db.add_user("nana", "ozone_analyst", &[], Some("GH"))
            .unwrap();
    });
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let id = submitted_with_photo(&ama, b"\x89PNG\r\n\x1a\n a png", "notes");
    let heads = shown(&ama, &id);
    let page = format!("/console/inspections/{id}");
    let prepare = format!("/console/inspections/{id}/decision/prepare");
    let body = serde_json::json!({"decision": "approved", "comment": "", "heads": heads});
    for (user, page_status, prepare_status) in
        [("ama", 403, 403), ("nana", 404, 403), ("jan", 404, 404)]
    {
        let mut b = Browser::new(&agency.url());
        assert_eq!(b.enrol(user, &agency.code(user)).status(), 200);
        assert_eq!(
            b.get(&page).status(),
            page_status,
            "{user} opens the inspection"
        );
        let csrf = b.csrf();
        assert_eq!(
            b.post_decision(&prepare, &csrf, body.clone()).status(),
            prepare_status,
            "{user} decides"
        );
        let photo = format!(
            "/console/photos/{id}/{}",
            ama.store
                .get_inspection(id.clone())
                .unwrap()
                .inspection
                .photos[0]
                .sha256
        );
        assert!(
            [403, 404].contains(&b.get(&photo).status().as_u16()),
            "{user} reads the photo"
        );
        let queue = b.get("/console/review");
        if user == "jan" {
            assert!(
                !queue.text().unwrap().contains(&id),
                "another station's supervisor"
            );
        } else {
            assert_eq!(queue.status(), 403, "{user} has no queue");
        }
    }
}

#[test]
fn a_server_upgraded_with_inspections_already_stored_lists_them_in_the_queue() {
    if embedded_only("empties a table of the SQLite file to stand for an old schema") {
        return;
    }
    let mut agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let id = submitted_with_photo(&ama, b"\xff\xd8\xff photo", "notes");
    // As a server before migration 011 left it: no queue rows, the upgrade's rebuild pending.
    agency.restart_with(|dir| {
        let conn = rusqlite::Connection::open(dir.join(quayside_server::db::DB_FILE)).unwrap();
        conn.execute_batch(
            "DELETE FROM inspection_rows;
             INSERT INTO meta(key, value) VALUES ('reproject_seizures', '1');",
        )
        .unwrap();
    });
    let mut esi = Browser::new(&agency.url());
    assert_eq!(esi.enrol("esi", &agency.code("esi")).status(), 200);
    let queue = esi.get("/console/review").text().unwrap();
    assert!(
        queue.contains(&id) && queue.contains("CSQU3054383"),
        "{queue}"
    );
}

#[test]
fn an_analyst_reads_approved_seizures_as_totals_charts_cases_and_the_same_selection_as_files() {
    let agency = Agency::start();
    agency.with_db(|db| {
        db.add_user("nana", "ozone_analyst", &[], Some("GH"))
            .unwrap();
    });
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let approved = submitted_with_photo(&ama, b"\xff\xd8\xff one", "first");
    // The declared origin is free text: it reaches a chart's label.
    ama.store
        .update_inspection(
            approved.clone(),
            quayside_core::InspectionFields {
                declaration: Some(quayside_core::DeclarationFields {
                    origin: Some("<img src=x onerror=alert(1)>".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    ama.store.submit(approved.clone()).unwrap();
    let waiting = submitted_with_photo(&ama, b"\xff\xd8\xff two", "second");
    ama.store.sync(None).unwrap();
    esi.store.sync(None).unwrap();
    esi.store
        .approve(approved.clone(), shown(&esi, &approved), "ok".into())
        .unwrap();
    esi.store.sync(None).unwrap();

    let mut nana = Browser::new(&agency.url());
    assert_eq!(nana.enrol("nana", &agency.code("nana")).status(), 200);
    let res = nana.get("/console/seizures");
    assert_eq!(res.status(), 200);
    let html = res.text().unwrap();
    // Only the approved case counts: 272 kg of HCFC-22 (ODP 0.055: 0.015 ODP-t).
    assert!(html.contains("<span class=\"n\">1</span> cases"), "{html}");
    assert!(html.contains("<span class=\"n\">272</span> kg") && html.contains("0.015"));
    assert!(html.contains(&format!("/console/inspections/{approved}")));
    assert!(!html.contains(&waiting));
    assert!(html.contains("<svg") && html.contains(">HCFC-22</text>"));
    assert!(
        html.contains("&#60;img src=x") && !html.contains("<img src=x"),
        "origin escaped"
    );
    // Everything, approved or not; a nonsense date is refused in words.
    let all = nana.get("/console/seizures?state=all").text().unwrap();
    assert!(all.contains("<span class=\"n\">2</span> cases") && all.contains(&waiting));
    let res = nana.get("/console/seizures?from=2026-13-01");
    assert_eq!(res.status(), 400);
    assert!(
        res.text()
            .unwrap()
            .contains("Nothing shown: from must be a date")
    );

    // The same selection as files.
    let csv = nana.get("/console/seizures?format=csv");
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let csv = csv.text().unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "a header and the approved row: {csv}"
    );
    assert!(csv.contains(&approved));
    let xlsx = nana.get("/console/seizures?format=xlsx").bytes().unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let json: serde_json::Value =
        serde_json::from_slice(&nana.get("/console/seizures?format=json").bytes().unwrap())
            .unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 1);

    // A case opens; one not approved does not exist for an analyst.
    assert_eq!(
        nana.get(&format!("/console/inspections/{approved}"))
            .status(),
        200
    );
    assert_eq!(
        nana.get(&format!("/console/inspections/{waiting}"))
            .status(),
        404
    );
    // The dashboard is the analysts'.
    let mut sup = Browser::new(&agency.url());
    assert_eq!(sup.enrol("esi", &agency.code("esi")).status(), 200);
    assert_eq!(sup.get("/console/seizures").status(), 403);
}

impl Browser {
    /// Posts form `fields` (with this session's CSRF token) to `path`.
    fn post_fields(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let csrf = self.csrf();
        let mut all = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let url = format!("{}{path}", self.url);
        self.client
            .post(url)
            .headers(self.headers())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&all).unwrap())
            .send()
            .unwrap()
    }
}

#[test]
fn an_administrator_sets_up_a_station_and_a_user_whose_phone_enrols_from_the_qr_link() {
    let agency = Agency::start();
    let mut root = Browser::new(&agency.url());
    assert_eq!(root.enrol("root", &agency.code("root")).status(), 200);
    let home = root.get("/console/").text().unwrap();
    for page in ["Users", "Stations", "Devices", "API tokens"] {
        assert!(home.contains(&format!(">{page}</a>")), "{page} in {home}");
    }

    // A station: typed loosely, stored as its UN/LOCODE; nonsense refused in words.
    let res = root.post_fields(
        "/console/admin/stations",
        &[("locode", "ghtkd"), ("name", "Takoradi port")],
    );
    assert_eq!(res.status(), 303);
    assert!(
        root.get("/console/admin/stations")
            .text()
            .unwrap()
            .contains("GHTKD")
    );
    let res = root.post_fields(
        "/console/admin/stations",
        &[("locode", "TAKORADI"), ("name", "x")],
    );
    assert_eq!(res.status(), 400);
    assert!(res.text().unwrap().contains("Not added:"));

    // A user: an officer needs a station; with one, added.
    let res = root.post_fields(
        "/console/admin/users",
        &[("name", "kwame"), ("role", "officer")],
    );
    assert_eq!(res.status(), 400);
    assert!(res.text().unwrap().contains("needs at least one station"));
    let res = root.post_fields(
        "/console/admin/users",
        &[
            ("name", "kwame"),
            ("role", "officer"),
            ("stations", "GHTKD"),
            ("stations", "GHTEM"),
        ],
    );
    assert_eq!(res.status(), 303);
    let users = root.get("/console/admin/users").text().unwrap();
    assert!(
        users.contains("kwame") && users.contains("GHTEM, GHTKD"),
        "{users}"
    );

    // A code, shown once with its QR code; the link in it enrols kwame's phone.
    let res = root.post_fields("/console/admin/users/kwame/code", &[("hours", "24")]);
    assert_eq!(res.status(), 200);
    let html = res.text().unwrap();
    assert!(
        html.contains("src=\"data:image/svg+xml;base64,"),
        "a QR code"
    );
    let start = html.find("quayside://enrol?").unwrap();
    let link = html[start..start + html[start..].find('<').unwrap()].replace("&#38;", "&");
    let link = quayside_core::parse_enrolment_link(link).unwrap();
    assert_eq!(
        (link.server.as_str(), link.user.as_str()),
        (agency.url().as_str(), "kwame")
    );
    let kwame = Device::new("kwame", "GHTKD");
    kwame
        .store
        .enroll(link.server, link.code, "kwame's phone".into(), None)
        .unwrap();
    kwame.store.sync(None).unwrap();
    // The devices page says when it last synced.
    let devices = root.get("/console/admin/devices").text().unwrap();
    let row = &devices[devices
        .find("kwame&#39;s phone")
        .or(devices.find("kwame's phone"))
        .unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Phone") && !row.contains("never") && row.contains("UTC"),
        "{row}"
    );

    // An API token: shown once, works, revoked from the list, refused at once.
    let res = root.post_fields("/console/admin/tokens", &[("user", "root")]);
    assert_eq!(res.status(), 200);
    let html = res.text().unwrap();
    let start = html.find("<code id=\"secret\">").unwrap() + "<code id=\"secret\">".len();
    let token = html[start..start + html[start..].find('<').unwrap()].to_string();
    let api = |token: &str| {
        reqwest::blocking::Client::new()
            .get(format!("{}/v1/admin/users", agency.url()))
            .bearer_auth(token)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(api(&token), 200);
    let list = root.get("/console/admin/tokens").text().unwrap();
    let hash = attribute(
        &list[list.find("/console/admin/tokens/").unwrap() - 20..],
        "action",
    )
    .trim_start_matches("/console/admin/tokens/")
    .trim_end_matches("/revoke")
    .to_string();
    assert!(!list.contains(&token), "the token itself is never listed");
    assert_eq!(
        root.post_fields(&format!("/console/admin/tokens/{hash}/revoke"), &[])
            .status(),
        303
    );
    assert_eq!(api(&token), 401);

    // Forged forms and other roles change nothing.
    let res = root.post_form("/console/admin/stations", "forged");
    assert_eq!(res.status(), 403);
    let mut esi = Browser::new(&agency.url());
    assert_eq!(esi.enrol("esi", &agency.code("esi")).status(), 200);
    for path in [
        "/console/admin/users",
        "/console/admin/stations",
        "/console/admin/tokens",
    ] {
        assert_eq!(esi.get(path).status(), 403, "{path}");
    }
    let res = esi.post_fields(
        "/console/admin/users",
        &[("name", "mallory"), ("role", "admin")],
    );
    assert_eq!(res.status(), 403);
    assert!(
        !root
            .get("/console/admin/users")
            .text()
            .unwrap()
            .contains("mallory")
    );
}
