#!/usr/bin/env bash
# Runs bindings-tests/python/test_bindings.py against the generated Python bindings and the real
# core library, copied together into a temporary folder (the generated module loads the library
# from its own folder). Needs only python3.
#   PYTHON_TEST_SKIP_BINDINGS=1 scripts/python-test.sh   reuse build/bindings/python and the built library
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
if [ "${PYTHON_TEST_SKIP_BINDINGS:-}" = 1 ] && [ -f build/bindings/python/quayside_core.py ]; then
  echo "python-test: reusing build/bindings/python"
else
  scripts/bindings.sh
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp build/bindings/python/quayside_core.py "$dir/"
cp "$CARGO_TARGET_DIR"/debug/libquayside_core.so "$dir/" 2>/dev/null || cp "$CARGO_TARGET_DIR"/debug/libquayside_core.dylib "$dir/"
QUAYSIDE_BINDINGS_DIR="$dir" python3 bindings-tests/python/test_bindings.py
