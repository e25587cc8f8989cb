#!/usr/bin/env bash
# The web console in a real browser: Debian's Chromium driven by playwright-core (never a browser
# downloaded by a test tool), axe-core for accessibility, against the real server binary with
# the demo data. Screenshots of the pages land in build/browser/ (look at them).
#   scripts/browser-test.sh        installs the npm packages (tests/browser, pinned) if needed
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "browser-test: $chromium is missing (apt-get install chromium; .ci/run does)" >&2; exit 1; }
command -v node >/dev/null || { echo "browser-test: node is missing (apt-get install nodejs npm)" >&2; exit 1; }
[ -x "$CARGO_TARGET_DIR/debug/quayside-server" ] || cargo build -q --bin quayside-server
cd tests/browser
if ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --silent
fi
rm -rf ../../build/browser
node --test --test-concurrency=1 --test-reporter=spec
echo "browser-test: screenshots in build/browser/: $(ls ../../build/browser | tr '\n' ' ')"
