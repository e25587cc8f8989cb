#!/usr/bin/env bash
# Builds the Rust core for iOS and produces everything the Swift package needs (on a Mac):
#   Frameworks/QuaysideCoreFFI.xcframework   static libraries + C header + module map, slices:
#       ios-arm64 (devices), ios-arm64_x86_64-simulator, macos-arm64_x86_64 (for `swift test`)
#   Sources/QuaysideCore/QuaysideCore.swift  the uniffi-generated Swift bindings
# Both are build products, gitignored; run this again after any change to the core's API.
#
#   ios/build-xcframework.sh [--no-macos] [--skip-rustup]
#     --no-macos     skip the macOS slice (the app builds, `swift test` does not)
#     --skip-rustup  do not run `rustup target add` (targets already installed, or no rustup)
#
# Needs: macOS with Xcode 15+ (xcodebuild, lipo), a Rust toolchain (1.90+) installed with rustup.
# Bindings are generated in library mode from a host debug build of the core: uniffi reads its
# metadata from the library's symbols, which a stripped library no longer has, and the bindings do
# not depend on the target.
set -euo pipefail

WITH_MACOS=1
RUSTUP=1
for arg in "$@"; do
  case "$arg" in
    --no-macos) WITH_MACOS=0 ;;
    --skip-rustup) RUSTUP=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(uname -s)" != Darwin ]; then
  echo "build-xcframework.sh builds Apple targets and needs macOS with Xcode" >&2
  exit 1
fi
for tool in cargo xcodebuild lipo; do
  command -v "$tool" > /dev/null || { echo "missing $tool (see ios/README.md)" >&2; exit 1; }
done

IOS_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$IOS_DIR/.." && pwd)"
cd "$ROOT"   # uniffi-bindgen finds core/uniffi.toml through `cargo metadata`: run it in the workspace

CRATE=quayside-core
LIB=libquayside_core
MODULE=QuaysideCore            # [bindings.swift] module_name in core/uniffi.toml
FFI_MODULE=QuaysideCoreFFI     # [bindings.swift] ffi_module_name in core/uniffi.toml
DEVICE_TARGET=aarch64-apple-ios
SIM_TARGETS=(aarch64-apple-ios-sim x86_64-apple-ios)
MAC_TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
export IPHONEOS_DEPLOYMENT_TARGET=16.0    # matches Package.swift; also used by cc for SQLite and ring
export MACOSX_DEPLOYMENT_TARGET=13.0

TARGETS=("$DEVICE_TARGET" "${SIM_TARGETS[@]}")
if [ "$WITH_MACOS" = 1 ]; then TARGETS+=("${MAC_TARGETS[@]}"); fi

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
OUT="$ROOT/build/ios"
rm -rf "$OUT"
mkdir -p "$OUT/bindings" "$OUT/headers/$FFI_MODULE" "$OUT/lib"

step() { printf '\n== %s\n' "$*"; }

if [ "$RUSTUP" = 1 ]; then
  step "rustup targets: ${TARGETS[*]}"
  rustup target add "${TARGETS[@]}"
fi

step "Swift bindings from a host build (library mode)"
cargo build -p "$CRATE"
HOST_LIB="$TARGET_DIR/debug/$LIB.dylib"
[ -f "$HOST_LIB" ] || { echo "no host library at $HOST_LIB" >&2; exit 1; }
cargo build -p uniffi-bindgen   # its own command, so the `cli` feature stays out of the core's build
cargo run -q -p uniffi-bindgen -- generate --library "$HOST_LIB" --language swift --no-format \
  --out-dir "$OUT/bindings"
for f in "$MODULE.swift" "$FFI_MODULE.h" "$FFI_MODULE.modulemap"; do
  [ -f "$OUT/bindings/$f" ] || {
    echo "uniffi did not write $f: does core/uniffi.toml set [bindings.swift] module_name = \"$MODULE\" and ffi_module_name = \"$FFI_MODULE\"?" >&2
    ls "$OUT/bindings" >&2
    exit 1
  }
done
# A module map named module.modulemap in a folder named after the module: clang finds it from the
# xcframework's Headers, and it cannot collide with another framework's module.modulemap.
cp "$OUT/bindings/$FFI_MODULE.h" "$OUT/headers/$FFI_MODULE/"
cp "$OUT/bindings/$FFI_MODULE.modulemap" "$OUT/headers/$FFI_MODULE/module.modulemap"

for t in "${TARGETS[@]}"; do
  step "release build for $t"
  cargo build --release -p "$CRATE" --target "$t"
done

lib_for() { echo "$TARGET_DIR/$1/release/$LIB.a"; }

step "lipo: simulator (arm64 + x86_64)"
mkdir -p "$OUT/lib/ios-simulator"
lipo -create "$(lib_for "${SIM_TARGETS[0]}")" "$(lib_for "${SIM_TARGETS[1]}")" \
  -output "$OUT/lib/ios-simulator/$LIB.a"
XCF_ARGS=(
  -library "$(lib_for "$DEVICE_TARGET")" -headers "$OUT/headers"
  -library "$OUT/lib/ios-simulator/$LIB.a" -headers "$OUT/headers"
)
if [ "$WITH_MACOS" = 1 ]; then
  step "lipo: macOS (arm64 + x86_64)"
  mkdir -p "$OUT/lib/macos"
  lipo -create "$(lib_for "${MAC_TARGETS[0]}")" "$(lib_for "${MAC_TARGETS[1]}")" \
    -output "$OUT/lib/macos/$LIB.a"
  XCF_ARGS+=(-library "$OUT/lib/macos/$LIB.a" -headers "$OUT/headers")
fi

step "xcframework"
XCF="$IOS_DIR/Frameworks/$FFI_MODULE.xcframework"
rm -rf "$XCF"
mkdir -p "$IOS_DIR/Frameworks"
xcodebuild -create-xcframework "${XCF_ARGS[@]}" -output "$XCF"

cp "$OUT/bindings/$MODULE.swift" "$IOS_DIR/Sources/$MODULE/$MODULE.swift"

step "done"
echo "  $XCF"
echo "  $IOS_DIR/Sources/$MODULE/$MODULE.swift"
echo "Next: (cd ios && swift test), or (cd ios/App && xcodegen) and open Quayside.xcodeproj"
