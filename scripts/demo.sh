#!/usr/bin/env bash
# Builds the field client and records a demo inspection (the published R-22 seizure) in a fresh
# store, then lists and shows it. Usage: scripts/demo.sh [STORE_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
cargo build --quiet --bin quayside
q() { "$CARGO_TARGET_DIR/debug/quayside" --store "$STORE" "$@"; }
STORE="${1:-./quayside-store}"
if [ -e "$STORE/quayside.sqlite3" ]; then
  echo "$STORE already holds a store; using it"
else
  q init --user "Ama Owusu" --station GHTEM
fi
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
id=$(q --json inspection new --container "CSQU 305438-3" --seal ML-448812 --size-type 45G1 \
  --declaration-number GH-2026-118843 --bl COSU6251148770 --declared-hs 3827.64 \
  --description "Refrigerant gas R-134a in cylinders" --declared-kg 15500 \
  --consignor "Ningbo Cool Trading Co." --consignee "Accra Frost Ltd" --origin CN --destination GH \
  --transit SGSIN --transit LKCMB --lat 5.6367 --lon 0.0111 --accuracy-m 8 \
  --reason "risk profile: refrigerant declared under 3827, new consignee" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["inspection"]["id"])')
finding=$(q --json finding add "$id" --declared R-134a --identified R-22 \
  --instrument "Neutronics Ultima ID" --reading "R22 99.1%" --purity 99.1 --hs-observed 2903.71 \
  --cylinders 1139 --kg-per-cylinder 13.6 --cylinder-type disposable \
  --labels "R-134a labels over older R-22 markings" --concealment "behind two rows of R-134a cylinders" | json finding_id)
printf '\xff\xd8\xff\xe0 demo photo of cylinder labels' > "${TMPDIR:-/tmp}/quayside-demo.jpg"
q photo add "$id" "${TMPDIR:-/tmp}/quayside-demo.jpg" --finding "$finding" --caption "relabelled cylinder" > /dev/null
q seizure set "$id" --case-ref GRA-CUS-2026-0412 --action seized \
  --legal-basis "Customs Act 2015 (Act 891) s.248; Ozone regulations LI 2232" \
  --modus mislabelled --modus disposable-cylinders --modus false-declaration \
  --storage "Tema bonded warehouse 3, bay 12" --item "$finding=15490.4:1139" > /dev/null
q custody add "$id" --from "Ama Owusu (officer)" --to "Kwame Mensah (warehouse)" --location "Tema bonded warehouse 3" > /dev/null
q submit "$id" > /dev/null
q list
echo
q show "$id"
echo
q history "$id"
