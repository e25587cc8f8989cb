//! The server's administration API, health and metrics, over real HTTP.

use quayside_e2e::{Agency, Device, server_binary};
use reqwest::blocking::Client;
use serde_json::{Value, json};

fn post(c: &Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let r = c
        .post(url)
        .bearer_auth(token)
        .json_body(&body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_slice(&r.bytes().unwrap()).unwrap_or(Value::Null),
    )
}

trait JsonBody {
    fn json_body(self, v: &Value) -> Self;
}

impl JsonBody for reqwest::blocking::RequestBuilder {
    fn json_body(self, v: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(serde_json::to_vec(v).unwrap())
    }
}

#[test]
fn an_admin_sets_up_a_station_and_a_user_who_enrols_and_syncs() {
    let agency = Agency::start();
    let admin = agency.db().create_api_token("root").unwrap();
    quayside_core::sync::client::install_crypto_provider();
    let c = Client::new();
    let u = agency.url();
    assert_eq!(
        post(
            &c,
            format!("{u}/v1/admin/stations"),
            &admin,
            json!({"locode": "KEMBA", "country": "KE", "name": "Mombasa"})
        )
        .0,
        201
    );
    let (status, user) = post(
        &c,
        format!("{u}/v1/admin/users"),
        &admin,
        json!({"name": "wanjiru", "role": "officer", "stations": ["KEMBA"]}),
    );
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["stations"], json!(["KEMBA"]));
    let (status, code) = post(
        &c,
        format!("{u}/v1/admin/enrolment-codes"),
        &admin,
        json!({"user": "wanjiru"}),
    );
    assert_eq!(status, 201);
    let device = Device::new("wanjiru", "KEMBA");
    device
        .store
        .enroll(
            u.clone(),
            code["code"].as_str().unwrap().into(),
            "phone".into(),
            None,
        )
        .unwrap();
    device
        .store
        .create_inspection(quayside_core::InspectionFields {
            container_number: Some("CSQU3054383".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(device.store.sync(None).unwrap().pushed, 1);

    // Bad input: clear 4xx, nothing created.
    let (status, err) = post(
        &c,
        format!("{u}/v1/admin/users"),
        &admin,
        json!({"name": "x", "role": "pirate", "stations": ["KEMBA"]}),
    );
    assert_eq!(status, 400);
    assert!(err["error"].as_str().unwrap().contains("unknown role"));
    assert_eq!(
        post(
            &c,
            format!("{u}/v1/admin/users"),
            &admin,
            json!({"name": "wanjiru", "role": "officer", "stations": ["KEMBA"]})
        )
        .0,
        409
    );
    assert_eq!(
        post(
            &c,
            format!("{u}/v1/admin/stations"),
            &admin,
            json!({"locode": "KEMBA", "country": "GH", "name": "x"})
        )
        .0,
        409,
        "a country that contradicts the LOCODE"
    );

    // Only administrators administer; only known tokens get in.
    let link = device.store.inner().server_link().unwrap().unwrap();
    assert_eq!(
        post(
            &c,
            format!("{u}/v1/admin/users"),
            &link.token,
            json!({"name": "y", "role": "admin"})
        )
        .0,
        403
    );
    assert_eq!(
        post(&c, format!("{u}/v1/admin/users"), "not-a-token", json!({})).0,
        401
    );
    let r = c
        .get(format!("{u}/v1/admin/devices"))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    let devices: Value = serde_json::from_slice(&r.bytes().unwrap()).unwrap();
    assert_eq!(devices[0]["user"], "wanjiru");
    let r = c
        .post(format!("{u}/v1/admin/devices/{}/revoke", link.device_id))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert!(device.store.sync(None).is_err());
}

#[test]
fn health_metrics_and_body_limits() {
    // Metrics count what one instance handled.
    let agency = Agency::start_one_instance();
    quayside_core::sync::client::install_crypto_provider();
    let c = Client::new();
    let u = agency.url();
    assert_eq!(
        c.get(format!("{u}/healthz"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "ok\n"
    );
    let d = Device::enrolled(&agency, &u, "ama", "GHTEM");
    d.store
        .create_inspection(quayside_core::InspectionFields {
            container_number: Some("CSQU3054383".into()),
            ..Default::default()
        })
        .unwrap();
    d.store.sync(None).unwrap();
    let metrics = c
        .get(format!("{u}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("quayside_sync_requests_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("quayside_server_info{instance_id=\""),
        "the instance is named: {metrics}"
    );
    assert!(
        metrics.contains("quayside_sync_documents_stored_total 1"),
        "{metrics}"
    );
    // On PostgreSQL, how many connections the instance holds for requests, so that an operator
    // sees requests waiting for one (open at the most, none idle).
    let gauge = |name: &str| -> Option<i64> {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("quayside_{name} ")))
            .map(|v| v.parse().unwrap())
    };
    match agency.database {
        Some(_) => {
            let (open, idle) = (
                gauge("database_connections_open"),
                gauge("database_connections_idle"),
            );
            let max = gauge("database_connections_max");
            assert_eq!(
                max,
                Some(i64::from(quayside_server::pg::default_connections())),
                "{metrics}"
            );
            assert!(
                open.unwrap() >= 1 && open <= max && idle <= open,
                "{metrics}"
            );
        }
        None => assert_eq!(gauge("database_connections_max"), None, "{metrics}"),
    }
    // Garbage sync bodies get a clear 400.
    let token = d.store.inner().server_link().unwrap().unwrap().token;
    let r = c
        .post(format!("{u}/v1/sync"))
        .bearer_auth(&token)
        .body(b"\xff\xffnot cbor".to_vec())
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().unwrap().contains("malformed CBOR"));
    // Enrolment bodies are small; a huge one is refused before it is read (the server then
    // closes the connection, so this comes last).
    let r = c
        .post(format!("{u}/v1/enroll"))
        .body(vec![b'{'; 100 * 1024])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
}

/// `quayside-server admin ...` without `--data` in a directory holding no server: a clear error,
/// and no stray empty database left behind.
#[test]
fn admin_without_a_server_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(server_binary())
        .args(["admin", "users"])
        .current_dir(dir.path())
        .env_remove("QUAYSIDE_SERVER_DATA")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no Quayside server data in quayside-server-data"),
        "{err}"
    );
    assert!(err.contains("--data"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "something was created"
    );

    // Pointed at a real server's data, it works.
    let data = dir.path().join("data");
    quayside_server::db::Db::open(&data).unwrap();
    let out = std::process::Command::new(server_binary())
        .args(["--data", data.to_str().unwrap(), "admin", "users"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
