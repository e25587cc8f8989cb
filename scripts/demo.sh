#!/usr/bin/env bash
# The main job, end to end on one machine: starts the agency server on its embedded SQLite with a
# seeded demo, enrols a field client for officer ama, records the published R-22 seizure offline,
# syncs it to the server, and shows what the server and a colleague's device now hold.
# The server keeps running until Ctrl-C (set DEMO_EXIT=1 to stop after the walkthrough).
#   scripts/demo.sh [DIR]        DIR holds the server data and the device stores (./quayside-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
DIR="${1:-./quayside-demo}"
LISTEN="${QUAYSIDE_DEMO_LISTEN:-127.0.0.1:8080}"
URL="http://$LISTEN"
[ "$(uname)" = Darwin ] || scripts/openssl-headers.sh
cargo build --quiet --bin quayside --bin quayside-server
BIN="$CARGO_TARGET_DIR/debug"
mkdir -p "$DIR"
if [ -e "$DIR/server/server.sqlite3" ]; then
  echo "$DIR already holds a demo; remove it to start afresh" >&2
  exit 1
fi

RUST_LOG=warn "$BIN/quayside-server" --data "$DIR/server" --listen "$LISTEN" --demo > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$URL/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$URL/healthz" > /dev/null || { cat "$DIR/server.log"; exit 1; }
sed -n '/^Demo data/,/analyst token/p' "$DIR/server.log"
code() { grep "enrolment code for $1:" "$DIR/server.log" | awk '{print $NF}'; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ama() { "$BIN/quayside" --store "$DIR/ama" "$@"; }
kofi() { "$BIN/quayside" --store "$DIR/kofi" "$@"; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[k]
print(v)' "$@"; }

step "Officer ama sets up her phone and enrols with a one-time code"
ama init --user ama --station GHTEM > /dev/null
ama enroll --server "$URL" --code "$(code ama)"

step "On the quay, offline: inspection, identifier reading, photo, seizure, custody"
id=$(ama --json inspection new --container "CSQU 305438-3" --seal ML-448812 --size-type 45G1 \
  --declaration-number GH-2026-118843 --bl COSU6251148770 --declared-hs 2903.45 \
  --description "Refrigerant gas R-134a in cylinders" --declared-kg 15500 \
  --consignor "Ningbo Cool Trading Co." --consignee "Accra Frost Ltd" --origin CN --destination GH \
  --transit SGSIN --transit LKCMB --lat 5.6367 --lon 0.0111 --accuracy-m 8 \
  --reason "risk profile: refrigerant declared under 3827, new consignee" | json inspection id)
finding=$(ama --json finding add "$id" --declared R-134a --identified R-22 \
  --instrument "Neutronics Ultima ID" --reading "R22 99.1%" --purity 99.1 --hs-observed 2903.71 \
  --cylinders 1139 --kg-per-cylinder 13.6 --cylinder-type disposable \
  --labels "R-134a labels over older R-22 markings" --concealment "behind two rows of R-134a cylinders" | json finding_id)
printf '\xff\xd8\xff\xe0 demo photo of cylinder labels' > "$DIR/labels.jpg"
ama photo add "$id" "$DIR/labels.jpg" --finding "$finding" --caption "relabelled cylinder" > /dev/null
ama seizure set "$id" --case-ref GRA-CUS-2026-0412 --action seized \
  --legal-basis "Customs Act 2015 (Act 891) s.248; Ozone regulations LI 2232" \
  --modus mislabelled --modus disposable-cylinders --modus false-declaration \
  --storage "Tema bonded warehouse 3, bay 12" --item "$finding=15490.4:1139" > /dev/null
ama custody add "$id" --from "ama (officer)" --to "Kwame Mensah (warehouse)" --location "Tema bonded warehouse 3" > /dev/null
ama submit "$id" > /dev/null
ama status

step "Connectivity returns: sync"
ama sync

step "Colleague kofi enrols and syncs: he sees the station's inspections"
kofi init --user kofi --station GHTEM > /dev/null
kofi enroll --server "$URL" --code "$(code kofi)" > /dev/null
kofi sync
kofi list

step "Supervisor esi enrols, reviews the queue and approves (signed, covering exactly this version)"
esi() { "$BIN/quayside" --store "$DIR/esi" "$@"; }
esi init --user esi --station GHTEM > /dev/null
esi enroll --server "$URL" --code "$(code esi)" > /dev/null
esi sync > /dev/null
esi review list
# The approval names the version esi read: if a colleague's change arrived since, it is refused.
version=$(esi show "$id" | awk '$1 == "version" {print $2}')
esi show "$id" | sed -n '1,4p'
esi review approve "$id" --version "$version" --comment "identifier reading and photos checked"
# The rest of the queue (seeded with the demo): each approved on the version shown, by the id end
# that `review list` prints.
for other in $(esi review list | awk 'NR > 1 && $1 ~ /^[0-9a-f]{8}$/ {print $1}'); do
  esi review approve "$other" --version "$(esi show "$other" | awk '$1 == "version" {print $2}')" \
    --comment "checked against the identifier readings" > /dev/null
done
esi sync

step "The inspection as everyone now sees it"
kofi sync > /dev/null
kofi show "$id"

step "Who changed what"
kofi history "$id"

step "The national ozone unit pulls approved seizures (analyst token)"
token=$(grep "analyst token for nana:" "$DIR/server.log" | awk '{print $NF}')
"$BIN/quayside" export seizures --server "$URL" --token "$token" --format csv --out "$DIR/seizures.csv"
cat "$DIR/seizures.csv"
"$BIN/quayside" export verify "$DIR/seizures.csv"
"$BIN/quayside" export seizures --server "$URL" --token "$token" --format xlsx --out "$DIR/seizures.xlsx"
step "Totals by Montreal Protocol annex group (blends split into their components) and the annual summary"
"$BIN/quayside" export seizures --server "$URL" --token "$token" --group annex-group --format csv
"$BIN/quayside" export seizures --server "$URL" --token "$token" --group annual --format csv
"$BIN/quayside" export seizures --server "$URL" --token "$token" --group annual --format xlsx \
  --out "$DIR/annual-summary.xlsx"
step "A backup of the running server, checked"
"$BIN/quayside-server" --data "$DIR/server" backup --to "$DIR/backup"
"$BIN/quayside-server" verify-backup "$DIR/backup"
curl -s "$URL/readyz"; echo

# With a PostgreSQL server named (QUAYSIDE_DEMO_POSTGRES, e.g. "$(scripts/postgres.sh)"), the demo
# server moves into a new database on it and carries on there; with an S3-protocol endpoint too
# (QUAYSIDE_DEMO_S3, e.g. from scripts/s3.sh, and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), its
# photos move into a new bucket there.
if [ -n "${QUAYSIDE_DEMO_POSTGRES:-}" ]; then
  step "The server moved into PostgreSQL (and its photos into object storage), checked, serving the same phones"
  blobs=()
  if [ -n "${QUAYSIDE_DEMO_S3:-}" ]; then
    blobs=(--blobs "s3://quayside-demo-$(date +%s)-$$?endpoint=$QUAYSIDE_DEMO_S3")
  fi
  kill -INT $SERVER; wait $SERVER 2>/dev/null || true
  db="quayside_demo_$(date +%s)_$$"
  pg=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$QUAYSIDE_DEMO_POSTGRES" "$db")
  psql "$QUAYSIDE_DEMO_POSTGRES" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
  trap 'kill $SERVER 2>/dev/null || true; sleep 0.5; psql "$QUAYSIDE_DEMO_POSTGRES" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  "$BIN/quayside-server" migrate --from "$DIR/server" --to "$pg" "${blobs[@]}"
  RUST_LOG=warn "$BIN/quayside-server" --data "$DIR/server" --database "$pg" "${blobs[@]}" --listen "$LISTEN" >> "$DIR/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "$URL/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
  curl -s "$URL/readyz"; echo
  kofi sync
  "$BIN/quayside" export seizures --server "$URL" --token "$token" --group annex-group --format csv
fi

if [ "${DEMO_EXIT:-0}" = 1 ]; then exit 0; fi
printf '\nThe server is running at %s (data in %s/server). Try:\n' "$URL" "$DIR"
echo "  $BIN/quayside --store $DIR/ama list"
echo "  curl -s $URL/metrics | grep quayside_"
printf '\nThe web console: %s/console/ (enrol the browser with a user name and its code):\n' "$URL"
grep "console sign-in code for" "$DIR/server.log" | sed 's/^ *console sign-in code for /  /'
echo "  (esi: supervisor, nana: ozone-unit analyst, admin: administrator, ama: an officer, who is shown only her home page)"
echo "Ctrl-C stops the server."
wait $SERVER
