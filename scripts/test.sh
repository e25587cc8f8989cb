#!/usr/bin/env bash
# Runs every test: formatting and lints, unit, property, store, CLI, end-to-end (on the embedded
# database, then on PostgreSQL with several server instances) and doc tests, the
# Kotlin (JVM) and Python binding tests, the Swift check against the generated bindings, the
# shells' localisation and contract check, the API conformance fuzzer, the web console in a real
# Chromium, then the demo walkthrough
# (server + field clients) as a smoke test. Installs cargo-nextest if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
# The test runner the workspace uses; a fresh machine has only cargo.
cargo nextest --version >/dev/null 2>&1 || cargo install cargo-nextest --locked
[ "$(uname)" = Darwin ] || scripts/openssl-headers.sh
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
# The server builds without the phones' bindings (uniffi) and the device's side of sync (the
# core's features `ffi` and `client`; the server's own HTTP client, for S3, is its business).
server_tree=$(cargo tree -p quayside-server -e normal,features --prefix none)
if grep -E '^(uniffi v|quayside-core feature "(ffi|client)")' <<<"$server_tree"; then
  echo "quayside-server depends on the core's ffi or client parts (above)"; exit 1
fi
# The end-to-end tests run the real server binary: build every binary first.
cargo build --workspace --bins
# Everything, the server on its embedded SQLite database.
QUAYSIDE_TEST_POSTGRES= cargo nextest run --workspace --no-fail-fast
# The server's behaviour again scaled out: its records in PostgreSQL and its photos in a real
# S3-protocol server (s3s-fs, see scripts/s3.sh): every end-to-end test (each on a database and a
# bucket of its own), the seizure export tests, the document storage suite, migrate, and the
# tests of several server instances on one database and bucket (instances killed mid-sync,
# connections to the database cut, photo chunks landing on different instances).
pg=$(scripts/postgres.sh)
export AWS_ACCESS_KEY_ID=quayside-test AWS_SECRET_ACCESS_KEY=quayside-test-secret
s3dir=$(mktemp -d)
trap 'kill "$(cat "$s3dir/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$s3dir"' EXIT
s3=$(scripts/s3.sh "$s3dir")
QUAYSIDE_TEST_POSTGRES="$pg" QUAYSIDE_TEST_S3="$s3" cargo nextest run --workspace --no-fail-fast \
  -E "package(quayside-e2e) | binary_id(quayside-server::export) | binary_id(quayside-server::feed) | binary_id(quayside-server::migrations)"
cargo test --workspace --doc
# The fuzz targets (run by `cargo fuzz`, see fuzz/README.md) must keep compiling.
cargo check --quiet --manifest-path fuzz/Cargo.toml
# The generated bindings on real runtimes: Kotlin on the JVM (with a real server), Python; the
# hand-written Swift parsed and checked against the Rust API (no Swift compiler here).
scripts/bindings.sh
KOTLIN_TEST_SKIP_BINDINGS=1 scripts/kotlin-test.sh
PYTHON_TEST_SKIP_BINDINGS=1 scripts/python-test.sh
scripts/swift-check.sh
# Both shells localise every core message in English and Bahasa Indonesia, decide nothing on the
# core's English, and link Android libraries for 16 KB pages.
python3 scripts/check-shells.py
# The HTTP API against its own OpenAPI description (schemathesis, every check, four roles).
scripts/api-fuzz.sh
# The web console in Debian's Chromium (playwright-core, axe-core), screenshots in build/browser/.
scripts/browser-test.sh
demo=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DEMO_EXIT=1 QUAYSIDE_DEMO_LISTEN="127.0.0.1:$port" QUAYSIDE_DEMO_POSTGRES="$pg" QUAYSIDE_DEMO_S3="$s3" scripts/demo.sh "$demo/demo" > "$demo/demo.log" 2>&1 \
  || { cat "$demo/demo.log"; exit 1; }
grep -q "0.852 ODP-t" "$demo/demo.log" || { cat "$demo/demo.log"; echo "demo: figures missing"; exit 1; }
grep -q "15490.4" "$demo/demo.log" || { cat "$demo/demo.log"; echo "demo: the analyst export is missing the seizure"; exit 1; }
grep -q "moved and checked .* photos into" "$demo/demo.log" || { cat "$demo/demo.log"; echo "demo: the move to PostgreSQL and object storage is missing"; exit 1; }
grep -q '"backend":"s3"' "$demo/demo.log" || { cat "$demo/demo.log"; echo "demo: the moved server does not keep its photos in object storage"; exit 1; }
echo "demo walkthrough: ok"
rm -rf "$demo"
