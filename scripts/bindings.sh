#!/usr/bin/env bash
# Generates the Kotlin, Swift and Python bindings of the core in uniffi library mode, from the exact
# host library this build produced: build/bindings/{kotlin,swift,python} (generated, never committed).
# Builds the debug host library and the in-repo generator first (as two cargo commands, so the
# generator's `cli` feature is not unified into the library build).
#   scripts/bindings.sh            build + generate all three
#   BINDINGS_SKIP_BUILD=1 ...      generate from the libraries already built
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
lock() { if command -v flock >/dev/null; then flock /tmp/cargo.lock "$@"; else "$@"; fi; }
if [ "${BINDINGS_SKIP_BUILD:-}" != 1 ]; then
  lock cargo build -q -p quayside-core
  lock cargo build -q -p uniffi-bindgen
fi
case "$(uname -s)" in Darwin) lib="$CARGO_TARGET_DIR/debug/libquayside_core.dylib" ;; *) lib="$CARGO_TARGET_DIR/debug/libquayside_core.so" ;; esac
bindgen="$CARGO_TARGET_DIR/debug/uniffi-bindgen"
[ -f "$lib" ] || { echo "bindings: $lib is missing (build quayside-core first)" >&2; exit 1; }
[ -x "$bindgen" ] || { echo "bindings: $bindgen is missing (cargo build -p uniffi-bindgen)" >&2; exit 1; }
out="$root/build/bindings"
mkdir -p "$out"
tmp=$(mktemp -d "$out/.generating.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The generator finds core/uniffi.toml through `cargo metadata`: it must run inside the workspace.
for language in kotlin swift python; do
  "$bindgen" generate --library "$lib" --language "$language" --no-format --out-dir "$tmp/$language" >/dev/null
done
for language in kotlin swift python; do
  rm -rf "${out:?}/$language"
  mv "$tmp/$language" "$out/$language"
done
echo "bindings: $(find "$out" -type f | wc -l | tr -d ' ') files in build/bindings/{kotlin,swift,python} from $lib"
