#!/usr/bin/env bash
# Checks the iOS shell's hand-written Swift against the generated Swift bindings
# (build/bindings/swift/QuaysideCore.swift) with tree-sitter-swift, as far as a machine without a
# Swift compiler allows: parse errors, FieldStore method and function labels, record init labels,
# enum cases and patterns, exhaustive switches over the core's enums, foreign-trait conformance.
# What exactly is checked: scripts/swift_check.py. Last line: "N passed, M failed"; non-zero exit
# on failure.
#   scripts/swift-check.sh [-v] [--self-test]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import tree_sitter, tree_sitter_swift' 2> /dev/null; then
  python3 -m pip install --quiet tree-sitter tree-sitter-swift
fi
exec python3 scripts/swift_check.py "$@"
