#!/usr/bin/env bash
# The long runs behind RELIABILITY.md (the test command runs a sample of each):
#   1. `reliability`: SIGKILL of a device process mid-write, SIGKILL of the server binary
#      mid-write and mid-sync, syncs through a proxy that cuts, resets, truncates and delays;
#      RELIABILITY_TRIALS of each (default 200), nothing acknowledged may be lost;
#   2. the API conformance fuzzer (schemathesis) with API_FUZZ_EXAMPLES per operation (default
#      200) and a random seed, as four callers;
#   3. the merge and convergence property tests with PROPTEST_LONG_CASES cases (default 500);
#   4. every cargo-fuzz target for FUZZ_SECONDS each (default 60).
# Takes about 20 minutes on a 2-core machine (plus the first fuzz build). Prints the counts RELIABILITY.md records.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
trials="${RELIABILITY_TRIALS:-200}"
fuzz_seconds="${FUZZ_SECONDS:-60}"

echo "== 1. kill -9 and network-fault trials ($trials of each)"
cargo build -q --release -p quayside-e2e --bin reliability
cargo build -q --release --bin quayside-server
"$CARGO_TARGET_DIR/release/reliability" --trials "$trials"

echo
echo "== 2. hostile inputs: the API against its description"
cargo build -q --bin quayside-server
API_FUZZ_EXAMPLES="${API_FUZZ_EXAMPLES:-200}" API_FUZZ_SEED=random scripts/api-fuzz.sh

echo
echo "== 3. merge property tests with ${PROPTEST_LONG_CASES:-500} cases each"
PROPTEST_CASES="${PROPTEST_LONG_CASES:-500}" cargo nextest run -p quayside-core -p quayside-e2e \
  -E 'test(never_interleave) | test(converge)' --no-fail-fast 2>&1 | grep -E 'PASS|FAIL|Summary'

echo
echo "== 4. fuzz targets, $fuzz_seconds s each (libFuzzer through cargo fuzz)"
command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz --locked
for target in sync_request resync_request apply_changes enroll_request; do
  log=$(mktemp)
  if (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$fuzz_seconds" >"$log" 2>&1); then
    runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
    echo "  $target: $runs(s), no crash"
  else
    echo "  $target: FAILED"; tail -40 "$log"; rm -f "$log"; exit 1
  fi
  rm -f "$log"
done
