//! The web console's door, over real HTTP without a browser (the browser tests drive Chromium):
//! a browser enrolled with a one-time code and its own key, signed in again by that key, sessions
//! that end at sign-out and the moment the browser is revoked, CSRF and cross-site refusals, and
//! the headers that keep pages inert.

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
    agency.with_db(|db| db.revoke_device(&esi.device_id).unwrap());
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
