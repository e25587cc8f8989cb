#!/usr/bin/env bash
# Runs every test: unit, property, store, CLI and doc tests, plus the formatting and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo nextest run --workspace --no-fail-fast
cargo test --workspace --doc
