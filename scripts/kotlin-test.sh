#!/usr/bin/env bash
# Compiles the generated Kotlin bindings and the Android shell's logic layer (android/core-kotlin)
# with kotlinc on the desktop JVM, and runs its JUnit 4 tests against the real core library and a
# real quayside-server. Installs what is missing: the Kotlin compiler (npm package kotlin-compiler,
# cached in ~/.cache/quayside-kotlin), JNA and JUnit 4 (Debian packages), a JDK.
#   scripts/kotlin-test.sh                 build everything, then test
#   KOTLIN_TEST_SKIP_BINDINGS=1 ...        reuse build/bindings/kotlin and the built libraries
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quayside-target}"
lock() { if command -v flock >/dev/null; then flock /tmp/cargo.lock "$@"; else "$@"; fi; }

kotlin_version=2.4.20
kotlin_home="$HOME/.cache/quayside-kotlin/kotlin-compiler-$kotlin_version"
KOTLINC="$kotlin_home/package/bin/kotlinc"
K="$kotlin_home/package/lib"

# --- tools --------------------------------------------------------------------------------------
apt_install() {
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
}
need=()
command -v java >/dev/null && command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
[ -f /usr/share/java/jna.jar ] || need+=(libjna-java)
[ -f /usr/share/java/junit4.jar ] || need+=(junit4)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then echo "kotlin-test: installing ${need[*]}"; apt_install "${need[@]}"; fi
if [ ! -x "$KOTLINC" ]; then
  echo "kotlin-test: installing kotlin-compiler@$kotlin_version (npm) into $kotlin_home"
  rm -rf "$kotlin_home" && mkdir -p "$kotlin_home"
  (cd "$kotlin_home" && npm pack -q "kotlin-compiler@$kotlin_version" >/dev/null && tar xzf "kotlin-compiler-$kotlin_version.tgz" && rm "kotlin-compiler-$kotlin_version.tgz")
  chmod +x "$kotlin_home/package/bin/"*
fi

# --- native pieces --------------------------------------------------------------------------------
if [ "${KOTLIN_TEST_SKIP_BINDINGS:-}" = 1 ] && [ -f build/bindings/kotlin/org/quayside/core/quayside_core.kt ]; then
  echo "kotlin-test: reusing build/bindings/kotlin"
else
  scripts/bindings.sh
fi
[ "${KOTLIN_TEST_SKIP_BINDINGS:-}" = 1 ] && [ -x "$CARGO_TARGET_DIR/debug/quayside-server" ] || lock cargo build -q -p quayside-server
libdir="$CARGO_TARGET_DIR/debug"
server="$libdir/quayside-server"

# --- compile ----------------------------------------------------------------------------------------
CP="/usr/share/java/jna.jar:$K/kotlinx-coroutines-core-jvm.jar:$K/kotlin-test.jar:$K/kotlin-test-junit.jar:/usr/share/java/junit4.jar"
out="$root/build/kotlin"
generated="build/bindings/kotlin/org/quayside/core/quayside_core.kt"
mkdir -p "$out"
# The generated bindings change only when the core's API does: compile them once per content.
hash=$(sha256sum "$generated" | cut -c1-16)
if [ ! -f "$out/bindings-classes/.$hash" ]; then
  echo "kotlin-test: compiling the generated bindings"
  rm -rf "$out/bindings-classes"
  "$KOTLINC" "$generated" -cp "$CP" -nowarn -d "$out/bindings-classes"
  touch "$out/bindings-classes/.$hash"
fi
rm -rf "$out/classes"
mapfile -t sources < <(find android/core-kotlin/src/main/kotlin android/core-kotlin/src/test/kotlin -name '*.kt' | sort)
echo "kotlin-test: compiling android/core-kotlin (${#sources[@]} files)"
"$KOTLINC" "${sources[@]}" -cp "$out/bindings-classes:$CP" -d "$out/classes" -Werror

# --- run ----------------------------------------------------------------------------------------------
mapfile -t tests < <(cd android/core-kotlin/src/test/kotlin && find . -name '*Test.kt' | sed 's|^\./||; s|\.kt$||; s|/|.|g' | sort)
log="$out/junit.log"
set +e
QUAYSIDE_SERVER_BIN="$server" java -Djna.library.path="$libdir" -Djava.library.path="$libdir" -Djava.awt.headless=true \
  -cp "$out/classes:$out/bindings-classes:$K/kotlin-stdlib.jar:$CP:/usr/share/java/hamcrest.jar" \
  org.junit.runner.JUnitCore "${tests[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if ok=$(grep -oE '^OK \([0-9]+ tests?\)' "$log"); then
  n=$(grep -oE '[0-9]+' <<<"$ok"); echo "$n passed, 0 failed"
elif line=$(grep -oE '^Tests run: [0-9]+,  Failures: [0-9]+' "$log"); then
  run=$(grep -oE '[0-9]+' <<<"$line" | sed -n 1p); failed=$(grep -oE '[0-9]+' <<<"$line" | sed -n 2p)
  echo "$((run - failed)) passed, $failed failed"
  status=1
else
  echo "kotlin-test: JUnit did not report (exit $status)"; status=1
fi
exit "$status"
