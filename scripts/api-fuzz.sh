#!/usr/bin/env bash
# Fuzzes the agency server's HTTP API against its own description (/v1/openapi.yaml) with
# schemathesis (PyPI), every check on every operation, as four callers: an officer's device, a
# supervisor's device, an ozone analyst and an administrator. Any failure (a 5xx, an undocumented
# status or body, a schema-violating request accepted, a valid one refused) fails the run.
#   scripts/api-fuzz.sh                                   the sample the test command runs
#   API_FUZZ_EXAMPLES=300 API_FUZZ_SEED=random scripts/api-fuzz.sh   the long run (RELIABILITY.md)
# Needs python3 with venv; installs schemathesis and cbor2 into ~/.cache/quayside-schemathesis.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
examples="${API_FUZZ_EXAMPLES:-25}"
seed="${API_FUZZ_SEED:-20261201}"
schemathesis_version=4.32.5
cbor2_version=6.3.0

venv="$HOME/.cache/quayside-schemathesis/$schemathesis_version"
if [ ! -x "$venv/bin/st" ]; then
  echo "api-fuzz: installing schemathesis $schemathesis_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$schemathesis_version" "cbor2==$cbor2_version"
fi
server="$CARGO_TARGET_DIR/debug/quayside-server"
[ -x "$server" ] || cargo build -q --bin quayside-server

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
# Enrolment is fuzzed too: allow more attempts per address than a real deployment would.
QUAYSIDE_ENROL_PER_MINUTE=6000 RUST_LOG=warn "$server" --data "$work/data" --listen "127.0.0.1:$port" --demo \
  > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$url/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

admin=$(sed -n '2p' "$work/server.log" | tr -d ' ')
analyst=$(grep "analyst token for nana:" "$work/server.log" | awk '{print $NF}')
code() { grep "enrolment code for $1:" "$work/server.log" | awk '{print $NF}'; }
enrol() { # user code -> device token
  local actor key device
  actor=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  key=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  device=$(python3 -c 'import uuid; print(uuid.uuid4())')
  curl -sf -X POST "$url/v1/enroll" -H 'Content-Type: application/json' \
    -d "{\"code\":\"$2\",\"actor\":\"$actor\",\"device_id\":\"$device\",\"public_key\":\"$key\",\"device_name\":\"fuzzer\",\"user\":\"$1\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
officer=$(enrol ama "$(code ama)")
supervisor=$(enrol esi "$(code esi)")

status=0
summary=()
# The administrator last: its run may revoke devices the others use.
for who in officer supervisor analyst admin; do
  token=${!who}
  log="$work/$who.log"
  set +e
  PYTHONPATH="$root/scripts/api-fuzz" SCHEMATHESIS_HOOKS=hooks "$venv/bin/st" \
    --config-file "$root/scripts/api-fuzz/schemathesis.toml" run "$url/v1/openapi.yaml" \
    -H "Authorization: Bearer $token" --checks all --workers 1 \
    --max-examples "$examples" $([ "$seed" = random ] || echo --seed "$seed") \
    --suppress-health-check all --report har --report-har-path "$work/$who.har" > "$log" 2>&1
  code=$?
  set -e
  cases=$(grep -oE '[0-9]+ generated' "$log" | head -1 | grep -oE '[0-9]+' || echo 0)
  verdict=$(grep -E '^=+ .* in [0-9.]+s =+$' "$log" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')
  summary+=("$(printf '%-10s %6s cases  %s' "$who" "$cases" "$verdict")")
  if [ $code -ne 0 ]; then
    status=1
    sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' "$log" | head -150
    grep -A 30 '^=* ERRORS =*$' "$log" | head -60 || true
  fi
done
echo "api-fuzz: schemathesis $schemathesis_version against /v1/openapi.yaml, seed $seed, $examples examples per operation"
printf '  %s\n' "${summary[@]}"
echo "api-fuzz: requests per operation, all four callers (every answer checked against the description):"
"$venv/bin/python" "$root/scripts/api-fuzz/summary.py" "$root/server/openapi.yaml" "$work"/*.har || status=1
if grep -q "panicked" "$work/server.log"; then
  echo "api-fuzz: the server panicked:"; grep -B2 -A8 panicked "$work/server.log" | head -40; status=1
fi
exit $status
