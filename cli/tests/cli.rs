//! End-to-end tests of the `quayside` binary: each test runs the real executable on a fresh
//! store in a temporary directory and checks what an officer (or a script using `--json`) sees.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_quayside");

/// A valid ISO 6346 number (check digit 3) and the same with a wrong check digit.
const CONTAINER: &str = "CSQU3054383";
const CONTAINER_BAD_CHECK: &str = "CSQU3054384";

/// The outcome of one run of the binary.
#[derive(Debug)]
struct Run {
    cmd: String,
    success: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}` did not print JSON ({e}):\n{}", self.cmd, self.stdout))
    }
}

/// A temporary directory holding a store (`DIR/store`) and scratch files.
struct Store {
    tmp: TempDir,
    path: PathBuf,
}

impl Store {
    /// A directory with no store in it yet.
    fn empty() -> Self {
        let tmp = TempDir::new().expect("temp dir");
        let path = tmp.path().join("store");
        Self { tmp, path }
    }

    /// A store initialised for officer `ama` at Tema (GHTEM).
    fn new() -> Self {
        let s = Self::empty();
        let info = s.ok(&["init", "--user", "ama", "--station", "GHTEM"]);
        assert_eq!(info["user"], "ama");
        assert_eq!(info["station"], "GHTEM");
        s
    }

    /// The binary, isolated from the caller's environment, run inside the temp dir.
    fn bare_command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env_remove("QUAYSIDE_STORE")
            .env_remove("QUAYSIDE_STORE_KEY")
            .env_remove("QUAYSIDE_KEY_FILE")
            .env_remove("RUST_BACKTRACE")
            .current_dir(self.tmp.path());
        c
    }

    fn command(&self) -> Command {
        let mut c = self.bare_command();
        c.arg("--store").arg(&self.path);
        c
    }

    fn run_command(mut c: Command, args: &[&str]) -> Run {
        let out = c.args(args).output().expect("run quayside");
        Run {
            cmd: format!("quayside {}", args.join(" ")),
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `quayside --store DIR ARGS` (text output).
    fn run(&self, args: &[&str]) -> Run {
        Self::run_command(self.command(), args)
    }

    /// Runs `quayside --store DIR --json ARGS`, which must succeed, and parses its output.
    fn ok(&self, args: &[&str]) -> Value {
        let mut c = self.command();
        c.arg("--json");
        let r = Self::run_command(c, args);
        assert!(r.success, "`{}` failed:\n{}{}", r.cmd, r.stdout, r.stderr);
        r.json()
    }

    /// Runs `quayside --store DIR --json ARGS`, which must fail with a message on stderr and
    /// nothing on stdout; returns the message.
    fn fail(&self, args: &[&str]) -> String {
        let mut c = self.command();
        c.arg("--json");
        let r = Self::run_command(c, args);
        assert_failed(&r);
        r.stderr
    }

    /// Writes a scratch file next to the store.
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::write(&p, bytes).expect("write scratch file");
        p
    }

    fn new_inspection(&self, container: &str, extra: &[&str]) -> String {
        let mut args = vec!["inspection", "new", "--container", container];
        args.extend_from_slice(extra);
        let v = self.ok(&args);
        v["inspection"]["id"]
            .as_str()
            .expect("inspection id")
            .to_string()
    }

    fn add_finding(&self, id: &str, fields: &[&str]) -> String {
        let mut args = vec!["finding", "add", id];
        args.extend_from_slice(fields);
        let v = self.ok(&args);
        v["finding_id"].as_str().expect("finding id").to_string()
    }

    fn show(&self, id: &str) -> Value {
        self.ok(&["show", id])
    }

    fn history(&self, id: &str) -> Vec<Value> {
        self.ok(&["history", id])
            .as_array()
            .expect("history is an array")
            .clone()
    }

    fn list(&self, filter: &[&str]) -> Vec<String> {
        let mut args = vec!["list"];
        args.extend_from_slice(filter);
        self.ok(&args)
            .as_array()
            .expect("list is an array")
            .iter()
            .map(|r| r["id"].as_str().expect("row id").to_string())
            .collect()
    }

    /// Runs a command that must fail, and checks it changed nothing of inspection `id`
    /// (neither what `show` reports nor the history) and created no inspection.
    fn fail_unchanged(&self, id: &str, args: &[&str]) -> String {
        let (show, history, all) = (self.show(id), self.history(id), self.list(&[]));
        let err = self.fail(args);
        assert_eq!(self.show(id), show, "`{args:?}` changed the inspection");
        assert_eq!(self.history(id), history, "`{args:?}` added history");
        assert_eq!(self.list(&[]), all, "`{args:?}` changed the list");
        err
    }

    /// Files in the blob store (not counting its temp directory).
    fn blob_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(self.path.join("blobs")) else {
            return out;
        };
        for d in dirs.flatten() {
            if d.file_name() == "tmp" || !d.path().is_dir() {
                continue;
            }
            for f in std::fs::read_dir(d.path()).expect("blob dir").flatten() {
                out.push(f.path());
            }
        }
        out.sort();
        out
    }
}

fn assert_failed(r: &Run) {
    assert!(!r.success, "`{}` should have failed:\n{}", r.cmd, r.stdout);
    assert!(
        r.stdout.trim().is_empty(),
        "`{}` failed but printed to stdout:\n{}",
        r.cmd,
        r.stdout
    );
    assert!(
        r.stderr.contains("error"),
        "`{}` failed without an error message: {:?}",
        r.cmd,
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "`{}` panicked: {}",
        r.cmd,
        r.stderr
    );
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected {needle:?} in:\n{haystack}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A few bytes that sniff as JPEG.
fn jpeg(tail: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend_from_slice(b"JFIF\0");
    b.extend_from_slice(tail.as_bytes());
    b
}

fn f64_at(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

fn flag_kinds(view: &Value) -> Vec<String> {
    view["assessment"]["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["kind"].as_str().expect("flag kind").to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// 1. The whole officer flow.

#[test]
fn officer_flow_from_inspection_to_submission() {
    let s = Store::new();
    let me = s.ok(&["whoami"]);
    let device = me["device_id"].as_str().expect("device id").to_string();
    assert_eq!(me["user"], "ama");

    let id = s.new_inspection(
        CONTAINER,
        &[
            "--declaration-number",
            "GH-IM4-2026-001234",
            "--bl",
            "MEDU1234567",
            "--declared-hs",
            "2903.45",
            "--description",
            "Refrigerant gas R-134a",
            "--declared-kg",
            "15490.4",
            "--consignor",
            "Ningbo Cooling Co",
            "--consignee",
            "Accra Frost Ltd",
            "--origin",
            "CN",
            "--destination",
            "GH",
            "--transit",
            "AEJEA",
            "--reason",
            "risk profile",
        ],
    );
    let f = s.add_finding(
        &id,
        &[
            "--declared",
            "R-134a",
            "--identified",
            "chlorodifluoromethane",
            "--cylinders",
            "1139",
            "--kg-per-cylinder",
            "13.6",
            "--cylinder-type",
            "disposable",
        ],
    );

    let photo_bytes = jpeg("cylinder label close-up");
    let photo_path = s.file("label.jpg", &photo_bytes);
    let photo = s.ok(&[
        "photo",
        "add",
        &id,
        photo_path.to_str().unwrap(),
        "--finding",
        &f,
        "--caption",
        "label says R-134a",
    ]);
    let sha = sha256_hex(&photo_bytes);
    assert_eq!(photo["sha256"], sha.as_str());

    let item = format!("{f}=15490.4:1139");
    s.ok(&[
        "seizure",
        "set",
        &id,
        "--action",
        "seized",
        "--case-ref",
        "GRA-CD-2026-0042",
        "--modus",
        "mislabelled",
        "--item",
        &item,
    ]);
    s.ok(&[
        "custody",
        "add",
        &id,
        "--from",
        "Officer Ama",
        "--to",
        "Tema bonded warehouse 3",
    ]);
    let submitted = s.ok(&["submit", &id]);
    assert_eq!(submitted["inspection"]["status"], "submitted");

    let v = s.show(&id);
    let ins = &v["inspection"];
    assert_eq!(ins["id"], id.as_str());
    assert_eq!(ins["status"], "submitted");
    assert!(ins["submitted_at"].is_string(), "no submitted_at: {ins}");
    assert_eq!(ins["officer"], "ama");
    assert_eq!(ins["station"], "GHTEM");
    assert_eq!(ins["device"], device.as_str());
    assert_eq!(ins["container"]["number"], CONTAINER);

    let d = &ins["declaration"];
    assert_eq!(d["number"], "GH-IM4-2026-001234");
    assert_eq!(d["bill_of_lading"], "MEDU1234567");
    assert_eq!(d["hs_code"], "2903.45");
    assert_eq!(d["consignee"], "Accra Frost Ltd");
    assert_eq!(d["origin"], "CN");
    assert_eq!(f64_at(&d["quantity_kg"], "declared kg"), 15490.4);

    let finding = &ins["findings"][0];
    assert_eq!(finding["id"], f.as_str());
    assert_eq!(finding["declared_substance"], "HFC-134a");
    assert_eq!(finding["identified_substance"], "HCFC-22");
    assert_eq!(finding["cylinders"], 1139);
    assert_eq!(finding["cylinder_type"], "disposable");
    assert_eq!(f64_at(&finding["net_mass_kg"], "net kg"), 15490.4);

    let a = &v["assessment"];
    let total = &a["total"];
    assert_eq!(f64_at(&total["kg"], "total kg"), 15490.4);
    let odp = f64_at(&total["odp_tonnes"], "ODP-t");
    assert_eq!((odp * 1000.0).round(), 852.0, "ODP-t {odp}");
    let co2e = f64_at(&total["co2e_tonnes"], "CO2-eq");
    assert_eq!(co2e.round(), 28038.0, "CO2-eq {co2e}");
    let fig = &a["findings"][0];
    assert_eq!(fig["substance"], "HCFC-22");
    assert_contains(fig["gwp_source"].as_str().expect("gwp source"), "AR4");
    let seized = &a["seized"];
    assert_eq!(f64_at(&seized["kg"], "seized kg"), 15490.4);

    let flags = flag_kinds(&v);
    for kind in ["substance_mismatch", "disposable_cylinders"] {
        assert!(flags.iter().any(|k| k == kind), "no {kind} flag: {flags:?}");
    }
    for flag in a["flags"].as_array().unwrap() {
        if flag["kind"] == "substance_mismatch" || flag["kind"] == "disposable_cylinders" {
            assert_eq!(flag["finding_id"], f.as_str());
        }
    }

    let photos = ins["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 1);
    assert_eq!(photos[0]["sha256"], sha.as_str());
    assert_eq!(photos[0]["bytes"], photo_bytes.len());
    assert_eq!(photos[0]["mime"], "image/jpeg");
    assert_eq!(photos[0]["finding_id"], f.as_str());
    assert_eq!(photos[0]["caption"], "label says R-134a");

    let seizure = &ins["seizure"];
    assert_eq!(seizure["action"], "seized");
    assert_eq!(seizure["case_ref"], "GRA-CD-2026-0042");
    assert_eq!(
        seizure["modus_operandi"],
        serde_json::json!(["mislabelled"])
    );
    let items = seizure["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["finding_id"], f.as_str());
    assert_eq!(f64_at(&items[0]["quantity_kg"], "seized item kg"), 15490.4);
    assert_eq!(items[0]["cylinders"], 1139);
    let custody = seizure["custody"].as_array().expect("custody");
    assert_eq!(custody.len(), 1);
    assert_eq!(custody[0]["from"], "Officer Ama");
    assert_eq!(custody[0]["to"], "Tema bonded warehouse 3");
    assert!(custody[0]["at"].is_string());

    let history = s.history(&id);
    let summaries: Vec<&str> = history
        .iter()
        .map(|h| h["summary"].as_str().expect("summary"))
        .collect();
    let expected = [
        "created",
        "finding",
        "photo",
        "seizure",
        "custody",
        "submitted",
    ];
    assert_eq!(history.len(), expected.len(), "{summaries:?}");
    for (summary, word) in summaries.iter().zip(expected) {
        assert_contains(summary, word);
    }
    let times: Vec<&str> = history.iter().map(|h| h["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    for h in &history {
        assert_eq!(h["user"], "ama");
        assert_eq!(h["device"], device.as_str());
    }

    // A submitted inspection cannot be submitted again.
    let err = s.fail_unchanged(&id, &["submit", &id]);
    assert_contains(&err, "already submitted");
}

// 2. Choosing the store.

#[test]
fn store_flag_and_environment_select_the_store() {
    let s = Store::new();
    let other = s.tmp.path().join("elsewhere");

    // QUAYSIDE_STORE alone.
    let mut c = s.bare_command();
    c.env("QUAYSIDE_STORE", &s.path).arg("--json");
    let r = Store::run_command(c, &["inspection", "new", "--container", CONTAINER]);
    assert!(r.success, "{}", r.stderr);
    let id = r.json()["inspection"]["id"].as_str().unwrap().to_string();
    assert_eq!(s.list(&[]), vec![id.clone()]);

    // --store beats QUAYSIDE_STORE.
    let mut c = s.bare_command();
    c.env("QUAYSIDE_STORE", &other)
        .arg("--store")
        .arg(&s.path)
        .arg("--json");
    let r = Store::run_command(c, &["list"]);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(r.json()[0]["id"], id.as_str());

    // QUAYSIDE_STORE pointing at a directory without a store.
    let mut c = s.bare_command();
    c.env("QUAYSIDE_STORE", &other);
    let r = Store::run_command(c, &["list"]);
    assert_failed(&r);
    assert_contains(&r.stderr, "quayside init");
    assert_contains(&r.stderr, &other.display().to_string());

    // Neither: ./quayside-store, which does not exist here.
    let r = Store::run_command(s.bare_command(), &["list"]);
    assert_failed(&r);
    assert_contains(&r.stderr, "quayside init");
    assert_contains(&r.stderr, "quayside-store");
}

#[test]
fn the_store_key_comes_from_its_file_or_the_environment_and_a_wrong_one_changes_nothing() {
    let s = Store::new();
    // `init` wrote the key beside the store, not in it, readable by its owner only.
    let key_file = s.tmp.path().join("store.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), 64, "64 hexadecimal digits: {key:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let id = s.new_inspection(CONTAINER, &[]);

    // The same key moved to another file, or given in the environment.
    let moved = s.tmp.path().join("keys").join("ama.key");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&key_file, &moved).unwrap();
    let err = s.fail(&["list"]);
    assert_contains(&err, "no store key at");
    let r = s.ok(&["--key-file", moved.to_str().unwrap(), "list"]);
    assert_eq!(r[0]["id"], id.as_str());
    let mut c = s.command();
    c.env("QUAYSIDE_STORE_KEY", key.trim()).arg("--json");
    let r = Store::run_command(c, &["list"]);
    assert!(r.success, "{}", r.stderr);
    std::fs::rename(&moved, &key_file).unwrap();

    // Another key (the environment wins over the file): refused, saying so, and the store is
    // as it was.
    let before = s.list(&[]);
    let mut c = s.command();
    c.env("QUAYSIDE_STORE_KEY", "11".repeat(32));
    let r = Store::run_command(c, &["inspection", "new", "--container", CONTAINER]);
    assert_failed(&r);
    assert_contains(&r.stderr, "key does not open this store");
    let mut c = s.command();
    c.env("QUAYSIDE_STORE_KEY", "not hex");
    let r = Store::run_command(c, &["list"]);
    assert_failed(&r);
    assert_contains(&r.stderr, "64 hexadecimal digits");
    assert_eq!(s.list(&[]), before);
    // A second store never takes over an existing key file.
    std::fs::write(s.tmp.path().join("second.key"), "22".repeat(32)).unwrap();
    let mut c = s.bare_command();
    c.arg("--store")
        .arg(s.tmp.path().join("second"))
        .arg("--json");
    let r = Store::run_command(c, &["init", "--user", "kofi", "--station", "GHTEM"]);
    assert!(r.success, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(s.tmp.path().join("second.key")).unwrap(),
        "22".repeat(32),
        "an existing key file is used, not replaced"
    );
}

#[test]
fn rekey_changes_the_key_and_an_interrupted_change_is_finished_by_the_next_command() {
    let s = Store::new();
    let key_file = s.tmp.path().join("store.key");
    let pending = s.tmp.path().join("store.key.new");
    let id = s.new_inspection(CONTAINER, &[]);
    let first = std::fs::read_to_string(&key_file).unwrap();
    let r = s.ok(&["rekey"]);
    assert_eq!(r["key_file"], key_file.display().to_string());
    let second = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(first, second, "a new key in the key file");
    assert!(!pending.exists());
    assert_eq!(s.list(&[]), vec![id.clone()]);
    // The old key no longer opens the store.
    let mut c = s.command();
    c.env("QUAYSIDE_STORE_KEY", first.trim());
    let r = Store::run_command(c, &["list"]);
    assert_failed(&r);
    assert_contains(&r.stderr, "key does not open this store");

    // Killed after writing the new key, before the store took it: the next command makes the
    // change, then keeps the new key.
    std::fs::write(&pending, "33".repeat(32)).unwrap();
    assert_eq!(s.list(&[]), vec![id.clone()]);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), "33".repeat(32));
    assert!(!pending.exists());

    // Killed after the store took the new key, before the key file was replaced.
    s.ok(&["rekey"]);
    let taken = std::fs::read_to_string(&key_file).unwrap();
    std::fs::write(&pending, &taken).unwrap();
    std::fs::write(&key_file, "33".repeat(32)).unwrap();
    assert_eq!(s.list(&[]), vec![id.clone()]);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), taken);
    assert!(!pending.exists());

    // A key given in the environment is not the CLI's to change.
    let mut c = s.command();
    c.env("QUAYSIDE_STORE_KEY", taken.trim());
    let r = Store::run_command(c, &["rekey"]);
    assert_failed(&r);
    assert_contains(&r.stderr, "QUAYSIDE_STORE_KEY");
}

#[test]
fn commands_without_init_fail_and_create_nothing() {
    let s = Store::empty();
    for args in [
        &["list"][..],
        &["whoami"],
        &["show", "01a22779"],
        &["inspection", "new", "--container", CONTAINER],
        &["history", "01a22779"],
    ] {
        let err = s.fail(args);
        assert_contains(&err, "quayside init");
    }
    assert!(!s.path.exists(), "a failed command created {:?}", s.path);

    // After init it works, and a second init is refused.
    s.ok(&["init", "--user", "ama", "--station", "GHTEM"]);
    assert_eq!(s.list(&[]), Vec::<String>::new());
    let err = s.fail(&["init", "--user", "kofi", "--station", "GHTEM"]);
    assert_contains(&err, "already");
    assert_eq!(s.ok(&["whoami"])["user"], "ama");
}

// 3. Bad input: a clear message, a failure exit and nothing half-written.

#[test]
fn malformed_container_number_is_refused() {
    let s = Store::new();
    let err = s.fail(&["inspection", "new", "--container", "CSQU305438"]);
    assert_contains(&err, "CSQU305438");
    assert_contains(&err, "malformed");
    assert!(s.list(&[]).is_empty());

    let id = s.new_inspection(CONTAINER, &[]);
    let err = s.fail_unchanged(
        &id,
        &["inspection", "set", &id, "--container", "CSQU305438"],
    );
    assert_contains(&err, "CSQU305438");
}

#[test]
fn wrong_check_digit_needs_the_override() {
    let s = Store::new();
    let err = s.fail(&["inspection", "new", "--container", CONTAINER_BAD_CHECK]);
    assert_contains(&err, "check digit");
    assert_contains(&err, "--allow-invalid-check-digit");
    assert!(s.list(&[]).is_empty());

    // Changing an existing inspection to a bad number is refused the same way.
    let good = s.new_inspection(CONTAINER, &[]);
    assert!(!flag_kinds(&s.show(&good)).contains(&"invalid_check_digit".to_string()));
    let err = s.fail_unchanged(
        &good,
        &[
            "inspection",
            "set",
            &good,
            "--container",
            CONTAINER_BAD_CHECK,
        ],
    );
    assert_contains(&err, "--allow-invalid-check-digit");

    // With the override it is recorded, and flagged.
    let id = s.new_inspection(CONTAINER_BAD_CHECK, &["--allow-invalid-check-digit"]);
    let v = s.show(&id);
    assert_eq!(v["inspection"]["container"]["number"], CONTAINER_BAD_CHECK);
    assert!(
        flag_kinds(&v).contains(&"invalid_check_digit".to_string()),
        "{v}"
    );
}

#[test]
fn bad_finding_input_changes_nothing() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let f = s.add_finding(&id, &["--identified", "R-22", "--net-kg", "10"]);

    let err = s.fail_unchanged(&id, &["finding", "add", &id, "--identified", "R-999"]);
    assert_contains(&err, "unknown substance");
    assert_contains(&err, "R-999");

    let err = s.fail_unchanged(&id, &["finding", "set", &id, &f, "--declared", "R-999"]);
    assert_contains(&err, "R-999");

    let err = s.fail_unchanged(
        &id,
        &[
            "finding",
            "add",
            &id,
            "--identified",
            "R-22",
            "--net-kg",
            "-5",
        ],
    );
    assert_contains(&err, "non-negative");
    assert_contains(&err, "-5");

    let err = s.fail_unchanged(&id, &["finding", "set", &id, &f, "--net-kg", "-5"]);
    assert_contains(&err, "non-negative");

    let err = s.fail_unchanged(&id, &["finding", "set", &id, "f-nosuch", "--net-kg", "1"]);
    assert_contains(&err, "f-nosuch");
}

#[test]
fn bad_photos_are_refused_and_nothing_is_stored() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);

    let missing = s.tmp.path().join("no-such-photo.jpg");
    let err = s.fail_unchanged(&id, &["photo", "add", &id, missing.to_str().unwrap()]);
    assert_contains(&err, "no-such-photo.jpg");

    let text = s.file("manifest.txt", b"this is not a photo\n");
    let err = s.fail_unchanged(&id, &["photo", "add", &id, text.to_str().unwrap()]);
    assert_contains(&err, "not a recognised image");
    assert_contains(&err, "MIME");
    assert!(s.blob_files().is_empty(), "{:?}", s.blob_files());

    // Given its MIME type, an unrecognised file can be attached.
    let raw = s.file("IMG_0001.CR2", b"II*\0 raw sensor data");
    let p = s.ok(&[
        "photo",
        "add",
        &id,
        raw.to_str().unwrap(),
        "--mime",
        "image/x-canon-cr2",
    ]);
    assert_eq!(p["mime"], "image/x-canon-cr2");
    assert_eq!(
        s.show(&id)["inspection"]["photos"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The same photo twice is refused.
    let err = s.fail_unchanged(
        &id,
        &[
            "photo",
            "add",
            &id,
            raw.to_str().unwrap(),
            "--mime",
            "image/x-canon-cr2",
        ],
    );
    assert_contains(&err, "already attached");
}

/// A photo whose attachment failed must not linger in the store.
#[test]
fn failed_photo_attach_leaves_no_blob() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let bytes = jpeg("orphan");
    let path = s.file("orphan.jpg", &bytes);
    let err = s.fail_unchanged(
        &id,
        &[
            "photo",
            "add",
            &id,
            path.to_str().unwrap(),
            "--finding",
            "f-nosuch",
        ],
    );
    assert_contains(&err, "f-nosuch");
    assert!(s.blob_files().is_empty(), "{:?}", s.blob_files());
    let out = s.tmp.path().join("out.jpg");
    s.fail(&[
        "photo",
        "get",
        &sha256_hex(&bytes),
        "--out",
        out.to_str().unwrap(),
    ]);
}

#[test]
fn unknown_inspection_id_is_refused() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let unknown = "01a22779-0000-7000-8000-000000000000";
    for args in [
        &["show", unknown][..],
        &["history", unknown],
        &["submit", unknown],
        &["inspection", "set", unknown, "--notes", "x"],
        &["finding", "add", unknown, "--identified", "R-22"],
        &["custody", "add", unknown, "--from", "a", "--to", "b"],
    ] {
        let err = s.fail_unchanged(&id, args);
        assert_contains(&err, "no inspection");
        assert_contains(&err, unknown);
    }
    assert_eq!(s.list(&[]), vec![id]);
}

#[test]
fn seizure_of_an_unknown_finding_changes_nothing() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let f = s.add_finding(&id, &["--identified", "R-22", "--net-kg", "100"]);
    let item = format!("{f}=100:5");
    s.ok(&[
        "seizure", "set", &id, "--action", "detained", "--item", &item,
    ]);

    let err = s.fail_unchanged(
        &id,
        &[
            "seizure",
            "set",
            &id,
            "--action",
            "seized",
            "--item",
            "f-nosuch=5",
        ],
    );
    assert_contains(&err, "f-nosuch");
    assert_eq!(s.show(&id)["inspection"]["seizure"]["action"], "detained");

    let err = s.fail_unchanged(&id, &["seizure", "set", &id, "--item", "nonsense"]);
    assert_contains(&err, "FINDING_ID=KG");

    // A finding a seized item refers to cannot be removed.
    s.fail_unchanged(&id, &["finding", "remove", &id, &f]);
}

// 4. Editing later.

#[test]
fn edits_change_show_and_history_and_repeats_add_nothing() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let f = s.add_finding(
        &id,
        &[
            "--identified",
            "R-22",
            "--cylinders",
            "10",
            "--kg-per-cylinder",
            "13.6",
        ],
    );
    let before = s.history(&id).len();

    let edit = [
        "inspection",
        "set",
        &id,
        "--seal",
        "ML-123",
        "--seal",
        "ML-124",
        "--notes",
        "seal ML-124 broken on arrival",
    ];
    s.ok(&edit);
    let v = s.show(&id);
    assert_eq!(
        v["inspection"]["container"]["seals"],
        serde_json::json!(["ML-123", "ML-124"])
    );
    assert_eq!(v["inspection"]["notes"], "seal ML-124 broken on arrival");
    let h = s.history(&id);
    assert_eq!(h.len(), before + 1);
    assert_eq!(h.last().unwrap()["user"], "ama");

    s.ok(&edit);
    assert_eq!(
        s.history(&id).len(),
        before + 1,
        "a no-op edit added history"
    );
    assert_eq!(s.show(&id), v);

    // --seal replaces the list.
    s.ok(&["inspection", "set", &id, "--seal", "ML-999"]);
    assert_eq!(
        s.show(&id)["inspection"]["container"]["seals"],
        serde_json::json!(["ML-999"])
    );
    assert_eq!(s.history(&id).len(), before + 2);

    assert_eq!(f64_at(&v["assessment"]["total"]["kg"], "kg"), 136.0);
    let edit = ["finding", "set", &id, &f, "--net-kg", "100"];
    s.ok(&edit);
    let v = s.show(&id);
    let finding = &v["inspection"]["findings"][0];
    assert_eq!(f64_at(&finding["net_mass_kg"], "net kg"), 100.0);
    assert_eq!(finding["cylinders"], 10, "other fields were kept");
    assert_eq!(finding["identified_substance"], "HCFC-22");
    assert_eq!(f64_at(&v["assessment"]["total"]["kg"], "kg"), 100.0);
    let odp = f64_at(&v["assessment"]["total"]["odp_tonnes"], "ODP-t");
    assert!((odp - 0.0055).abs() < 1e-9, "ODP-t {odp}");
    let h = s.history(&id);
    assert_eq!(h.len(), before + 3);
    assert_contains(h.last().unwrap()["summary"].as_str().unwrap(), &f);

    s.ok(&edit);
    assert_eq!(
        s.history(&id).len(),
        before + 3,
        "a no-op edit added history"
    );
    assert_eq!(s.show(&id), v);
}

// 5. Listing and searching.

#[test]
fn list_filters_by_status_container_substance_and_date() {
    let s = Store::new();
    let a = s.new_inspection(CONTAINER, &[]);
    s.add_finding(
        &a,
        &[
            "--declared",
            "R-134a",
            "--identified",
            "R-22",
            "--net-kg",
            "10",
        ],
    );
    let b = s.new_inspection("MSCU1234566", &[]);
    s.add_finding(&b, &["--identified", "R-404A", "--net-kg", "5"]);
    s.ok(&["submit", &b]);
    let c = s.new_inspection("TGHU1234567", &[]);

    // Newest first.
    assert_eq!(s.list(&[]), vec![c.clone(), b.clone(), a.clone()]);

    assert_eq!(s.list(&["--status", "submitted"]), vec![b.clone()]);
    assert_eq!(s.list(&["--status", "draft"]), vec![c.clone(), a.clone()]);

    assert_eq!(s.list(&["--container", "csqu"]), vec![a.clone()]);
    assert_eq!(s.list(&["--container", "1234"]), vec![c.clone(), b.clone()]);
    assert_eq!(
        s.list(&["--container", "u 123 45"]),
        vec![c.clone(), b.clone()]
    );
    assert_eq!(s.list(&["--container", "XXXX"]), Vec::<String>::new());

    assert_eq!(s.list(&["--substance", "R-22"]), vec![a.clone()]);
    assert_eq!(
        s.list(&["--substance", "chlorodifluoromethane"]),
        vec![a.clone()]
    );
    assert_eq!(
        s.list(&["--substance", "R-134a"]),
        vec![a.clone()],
        "declared"
    );
    assert_eq!(s.list(&["--substance", "R404A"]), vec![b.clone()]);
    assert_eq!(s.list(&["--substance", "R-12"]), Vec::<String>::new());
    assert_eq!(
        s.list(&["--status", "draft", "--substance", "HCFC-22"]),
        vec![a.clone()]
    );
    let err = s.fail(&["list", "--substance", "R-9999"]);
    assert_contains(&err, "R-9999");

    let rows = s.ok(&["list", "--substance", "R-22"]);
    let row = &rows[0];
    assert_eq!(row["container_number"], CONTAINER);
    assert_eq!(row["status"], "draft");
    assert_eq!(f64_at(&row["total_kg"], "kg"), 10.0);
    assert_eq!(
        sorted(
            row["substances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        ),
        vec!["HCFC-22".to_string(), "HFC-134a".to_string()]
    );

    let all = vec![c.clone(), b.clone(), a.clone()];
    let created = |id: &str| {
        s.show(id)["inspection"]["created_at"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (created_a, created_b, created_c) = (created(&a), created(&b), created(&c));
    // Today (UTC), as the store dates inspections.
    assert_eq!(
        s.list(&["--from", &created_a[..10], "--to", &created_c[..10]]),
        all
    );
    assert_eq!(s.list(&["--from", "2000-01-01", "--to", "2999-12-31"]), all);
    assert_eq!(s.list(&["--to", "2000-01-01"]), Vec::<String>::new());
    assert_eq!(s.list(&["--from", "2999-01-01"]), Vec::<String>::new());
    assert_eq!(s.list(&["--from", &created_b]), vec![c.clone(), b.clone()]);
    let err = s.fail(&["list", "--from", "last tuesday"]);
    assert_contains(&err, "last tuesday");
}

// 6. Reference lookups.

fn substance_ids(hits: &Value) -> Vec<String> {
    hits.as_array()
        .expect("hits")
        .iter()
        .filter(|h| h["type"] == "substance")
        .map(|h| h["substance"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn code_hits(hits: &Value, kind: &str) -> Vec<String> {
    hits.as_array()
        .expect("hits")
        .iter()
        .filter(|h| h["type"] == kind)
        .map(|h| h["code"]["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reference_lookups() {
    // Works without a store.
    let s = Store::empty();

    let hits = s.ok(&["reference", "R-22"]);
    assert_eq!(hits[0]["type"], "substance");
    let hcfc = &hits[0]["substance"];
    assert_eq!(hcfc["id"], "HCFC-22");
    assert_eq!(f64_at(&hcfc["odp"], "odp"), 0.055);
    assert_eq!(f64_at(&hcfc["gwp"], "gwp"), 1810.0);
    assert_eq!(hcfc["hs_code"], "2903.71");

    let hits = s.ok(&["reference", "Y48"]);
    let basel = code_hits(&hits, "basel_code");
    assert!(basel.contains(&"Y48".to_string()), "{hits}");

    let hits = s.ok(&["reference", "2903.71"]);
    let hs = code_hits(&hits, "hs_code");
    assert!(hs.contains(&"2903.71".to_string()), "{hits}");

    let hits = s.ok(&["reference", "R404A"]);
    assert!(
        substance_ids(&hits).contains(&"R-404A".to_string()),
        "{hits}"
    );

    let r = s.run(&["reference", "R-404A"]);
    assert!(r.success, "{}", r.stderr);
    assert_contains(&r.stdout, "R-404A");
    assert_contains(&r.stdout, "blend of");
    for part in ["HFC-125 44%", "HFC-143a 52%", "HFC-134a 4%"] {
        assert_contains(&r.stdout, part);
    }

    let err = s.fail(&["reference", "no such gas"]);
    assert_contains(&err, "no such gas");
    assert!(!s.path.exists());
}

// 7. Id prefixes.

#[test]
fn unique_id_prefixes_work_and_ambiguous_ones_do_not() {
    let s = Store::new();
    let a = s.new_inspection(CONTAINER, &[]);
    let b = s.new_inspection("MSCU1234566", &[]);

    let prefix = &a[..13];
    assert_eq!(s.show(prefix)["inspection"]["id"], a.as_str());
    s.ok(&["inspection", "set", prefix, "--notes", "by prefix"]);
    s.add_finding(prefix, &["--identified", "R-22", "--net-kg", "1"]);
    assert_eq!(s.history(prefix).len(), 3);
    let v = s.show(&a);
    assert_eq!(v["inspection"]["notes"], "by prefix");
    assert_eq!(v["inspection"]["findings"].as_array().unwrap().len(), 1);
    assert!(
        s.show(&b)["inspection"]["findings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.show(&b[..13])["inspection"]["id"], b.as_str());

    let common: String = a
        .chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    assert!(!common.is_empty());
    for args in [
        &["show", common.as_str()][..],
        &["inspection", "set", &common, "--notes", "which one?"],
    ] {
        let err = s.fail(args);
        assert_contains(&err, &common);
        assert_contains(&err, "type more");
    }
    assert_eq!(s.show(&a)["inspection"]["notes"], "by prefix");
    assert_eq!(s.show(&b)["inspection"]["notes"], "");

    let err = s.fail(&["show", "zzzz"]);
    assert_contains(&err, "no inspection");
}

/// The last 8 characters of an id: what `list` and `show` print and what officers type.
fn end(id: &str) -> String {
    id[id.len() - 8..].to_string()
}

#[test]
fn ids_are_shown_and_typed_by_their_end() {
    let s = Store::new();
    // Made within the same second: the start of both ids is the same timestamp.
    let a = s.new_inspection(CONTAINER, &[]);
    let b = s.new_inspection("MSCU1234566", &[]);
    let listing = s.run(&["list"]).stdout;
    for id in [&a, &b] {
        assert_contains(&listing, &end(id));
    }
    assert_eq!(s.show(&end(&a))["inspection"]["id"], a.as_str());
    assert_eq!(s.show(&end(&b))["inspection"]["id"], b.as_str());

    let f1 = s.add_finding(&end(&a), &["--identified", "R-22", "--net-kg", "10"]);
    let f2 = s.add_finding(&end(&a), &["--identified", "R-290", "--net-kg", "5"]);
    assert_ne!(end(&f1), end(&f2));
    // Findings by their end in every command that names one.
    s.ok(&["finding", "set", &end(&a), &end(&f2), "--net-kg", "6"]);
    s.ok(&[
        "seizure",
        "set",
        &end(&a),
        "--item",
        &format!("{}=6:1", end(&f2)),
    ]);
    let v = s.show(&a);
    let findings = v["inspection"]["findings"].as_array().unwrap();
    assert_eq!(findings[1]["net_mass_kg"], 6.0);
    assert_eq!(
        v["inspection"]["seizure"]["items"][0]["finding_id"],
        f2.as_str()
    );
    s.ok(&["remove", &end(&a), "findings", &end(&f1)]);
    assert_eq!(
        s.show(&a)["inspection"]["findings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    s.ok(&["restore", &end(&a), "findings", &end(&f1)]);
    assert_eq!(
        s.show(&a)["inspection"]["findings"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The start of a finding id still works where it is unique.
    s.ok(&[
        "finding",
        "set",
        &end(&a),
        &f1[..f1.len() - 2],
        "--notes",
        "by its start",
    ]);
    assert_eq!(
        s.show(&a)["inspection"]["findings"][0]["notes"],
        "by its start"
    );
    // What `show` prints is what can be typed back.
    let text = s.run(&["show", &end(&a)]).stdout;
    assert_contains(&text, &end(&f1));
    assert_contains(&text, &end(&f2));
    // An unknown finding is refused.
    let err = s.fail_unchanged(
        &a,
        &["finding", "set", &end(&a), "f-nothing", "--net-kg", "1"],
    );
    assert_contains(&err, "f-nothing");
}

#[test]
fn what_the_identifier_really_found_can_be_recorded() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &["--declared-hs", "2711.12"]);
    // A hydrocarbon declared, found as declared: not controlled, no flag.
    s.add_finding(
        &id,
        &[
            "--declared",
            "propane",
            "--identified",
            "R-290",
            "--net-kg",
            "50",
        ],
    );
    // The identifier cannot tell.
    let unknown = s.add_finding(
        &id,
        &[
            "--declared",
            "R-290",
            "--identified",
            "unknown",
            "--net-kg",
            "120",
        ],
    );
    // Something outside the reference.
    let other = s.add_finding(
        &id,
        &[
            "--identified-other",
            "R-12/R-22 mixture, proprietary",
            "--net-kg",
            "30",
        ],
    );
    // A contaminated reading.
    let mixed = s.add_finding(
        &id,
        &[
            "--declared",
            "R-290",
            "--composition",
            "R-22=60, R-290=38, air=2",
            "--net-kg",
            "100",
        ],
    );
    // A pre-blended polyol with its HCFC-141b content.
    s.add_finding(
        &id,
        &[
            "--identified",
            "pre-blended polyol",
            "--content-pct",
            "12",
            "--net-kg",
            "1000",
        ],
    );
    let v = s.show(&id);
    let figures = v["assessment"]["findings"].as_array().unwrap();
    let basis: Vec<&str> = figures
        .iter()
        .map(|f| f["basis"].as_str().unwrap())
        .collect();
    assert_eq!(
        basis,
        [
            "identified",
            "not_identified",
            "not_identified",
            "measured",
            "identified"
        ]
    );
    // By hand: 0.1 t x 0.6 x 0.055 + 1 t x 0.12 x 0.11 ODP-t; 120 + 30 kg not known.
    let total = &v["assessment"]["total"];
    assert!(
        (f64_at(&total["odp_tonnes"], "ODP-t") - (0.0033 + 0.0132)).abs() < 1e-9,
        "{total}"
    );
    assert!(
        (f64_at(&total["odp_unknown_kg"], "kg") - 150.0).abs() < 1e-9,
        "{total}"
    );
    let kinds = flag_kinds(&v);
    for kind in ["substance_mismatch", "lab_analysis", "hs_code_inconsistent"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} not in {kinds:?}");
    }
    let flagged = |kind: &str, finding: &str| {
        v["assessment"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == kind && f["finding_id"] == finding)
    };
    assert!(flagged("lab_analysis", &unknown) && flagged("lab_analysis", &other));
    assert!(flagged("substance_mismatch", &mixed));
    assert!(flagged("hs_code_inconsistent", &mixed));

    // The text says what is not known and never prints a non-zero figure as zero.
    let text = s.run(&["show", &id]).stdout;
    assert_contains(&text, "measured HCFC-22 60 %, R-290 38 %, air 2 %");
    assert_contains(&text, "(150.0 kg not known)");
    assert!(!text.contains(" 0.000 "), "{text}");
    // So does the list: at least, with the unknown part named in `show`.
    assert_eq!(s.list(&[]), vec![id.clone()]);
    let listing = s.run(&["list"]).stdout;
    assert_contains(&listing, ">=0.017");
    assert_contains(&listing, ">= : at least");
    let summary = &s.ok(&["list"])[0];
    assert!((f64_at(&summary["odp_unknown_kg"], "kg") - 150.0).abs() < 1e-9);

    // Mistakes are refused and change nothing.
    for bad in [
        &["--composition", "R-22=60,R-290=30"][..],
        &["--composition", "R-22=60,R-22=40"],
        &["--composition", "R-999=100"],
        &["--composition", "R-22=sixty,air=40"],
        &["--identified", "R-22", "--identified-other", "something"],
        &["--identified-other", "R-22"],
        &["--content-pct", "120"],
    ] {
        let mut args = vec!["finding", "add", id.as_str()];
        args.extend_from_slice(bad);
        s.fail_unchanged(&id, &args);
    }
}

// 8. Photo integrity.

#[test]
fn photos_read_back_verified_and_tampering_is_detected() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let bytes = jpeg("evidence photo of concealed cylinders");
    let path = s.file("evidence.jpg", &bytes);
    let sha = sha256_hex(&bytes);
    s.ok(&["photo", "add", &id, path.to_str().unwrap()]);

    let out = s.tmp.path().join("copy.jpg");
    let r = s.ok(&["photo", "get", &sha, "--out", out.to_str().unwrap()]);
    assert_eq!(r["bytes"], bytes.len());
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // On disk the photo is sealed: none of its bytes readable, named by its plaintext's hash.
    let blob = s.path.join("blobs").join(&sha[..2]).join(&sha);
    let sealed = std::fs::read(&blob).unwrap();
    assert!(
        sealed.starts_with(b"QSPHOTO1"),
        "blob at {blob:?} is sealed"
    );
    assert!(
        !sealed
            .windows(16)
            .any(|w| bytes.windows(16).any(|b| b == w)),
        "the photo's bytes appear in its file"
    );
    let mut tampered = sealed.clone();
    *tampered.last_mut().unwrap() ^= 0x01;
    overwrite(&blob, &tampered);

    let out2 = s.tmp.path().join("copy2.jpg");
    let err = s.fail(&["photo", "get", &sha, "--out", out2.to_str().unwrap()]);
    assert_contains(&err, &sha);
    assert_contains(&err, "altered");
    assert!(!out2.exists(), "a tampered photo was written out");

    let err = s.fail(&[
        "photo",
        "get",
        &sha256_hex(b"never stored"),
        "--out",
        "x.jpg",
    ]);
    assert_contains(&err, "no photo");
    let err = s.fail(&["photo", "get", "not-a-hash", "--out", "x.jpg"]);
    assert_contains(&err, "not-a-hash");
}

fn overwrite(path: &Path, bytes: &[u8]) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn removed_elements_restore_and_versions_are_shown() {
    let s = Store::new();
    let id = s.new_inspection(CONTAINER, &[]);
    let f = s.add_finding(&id, &["--identified", "R-22", "--net-kg", "50"]);
    let photo = s.file("p.jpg", &jpeg("cylinder"));
    let sha = s.ok(&[
        "photo",
        "add",
        &id,
        photo.to_str().unwrap(),
        "--finding",
        &f,
    ])["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    // Captions change in place; a finding a photo shows cannot be removed until unlinked.
    s.ok(&["photo", "set", &id, &sha, "--caption", "relabelled"]);
    assert_eq!(
        s.show(&id)["inspection"]["photos"][0]["caption"],
        "relabelled"
    );
    assert_contains(&s.fail(&["remove", &id, "findings", &f]), "referred to");
    s.ok(&["remove", &id, "photos", &sha]);
    s.ok(&["remove", &id, "findings", &f]);
    let v = s.show(&id);
    assert_eq!(v["inspection"]["findings"], serde_json::json!([]));
    assert_eq!(v["inspection"]["photos"], serde_json::json!([]));
    assert_eq!(f64_at(&v["assessment"]["total"]["kg"], "kg"), 0.0);
    // Brought back with everything it held.
    s.ok(&["restore", &id, "findings", &f]);
    s.ok(&["restore", &id, "photos", &sha]);
    let v = s.show(&id);
    assert_eq!(f64_at(&v["assessment"]["total"]["kg"], "kg"), 50.0);
    assert_eq!(v["inspection"]["photos"][0]["caption"], "relabelled");
    assert_contains(
        &s.fail(&["restore", &id, "findings", &f]),
        "not been removed",
    );
    assert_contains(
        &s.fail(&["remove", &id, "findings", "f-nothing"]),
        "f-nothing",
    );
    assert_contains(&s.fail(&["remove", &id, "tyres", &f]), "unknown list");

    // `show` prints the version a reviewer approves; an officer's store cannot approve it.
    let text = s.run(&["show", &id]);
    assert!(text.success);
    let version = text
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("version"))
        .expect("a version line")
        .trim()
        .to_string();
    assert_eq!(version.len(), 12);
    assert_contains(
        &s.fail(&["review", "approve", &id, "--version", &version]),
        "only supervisors",
    );
    assert_contains(
        &s.fail(&["review", "approve", &id, "--version", "xyz"]),
        "malformed --version",
    );
}
