#!/usr/bin/env bash
# Starts a real S3-protocol server for the tests and the demo, and prints its endpoint (what
# QUAYSIDE_TEST_S3 holds): s3s-fs, which serves the S3 API from a folder and checks every
# request's AWS Signature V4 against the key pair in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
# (both required). Built once from crates.io into ~/.cache/quayside-tools (a few minutes on a
# fresh machine, then reused).
#   scripts/s3.sh DIR   # objects under DIR/objects, the server's pid in DIR/pid, log in DIR/log
set -euo pipefail
dir=${1:?usage: scripts/s3.sh DIR}
: "${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID (any value: the key the server will accept)}"
: "${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}"
tools="${QUAYSIDE_TOOLS:-$HOME/.cache/quayside-tools}"
version=0.14.1
bin="$tools/s3s-fs-$version/bin/s3s-fs"
if [ ! -x "$bin" ]; then
  echo "building s3s-fs $version (once) into $tools" >&2
  # A build directory of its own (not the project's CARGO_TARGET_DIR, which tests may be using).
  env -u CARGO_TARGET_DIR cargo install --quiet --locked s3s-fs --version "$version" --features binary \
    --root "$tools/s3s-fs-$version" >&2
fi
mkdir -p "$dir/objects"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn nohup "$bin" --host 127.0.0.1 --port "$port" \
  --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" \
  "$dir/objects" > "$dir/log" 2>&1 &
echo $! > "$dir/pid"
for _ in $(seq 100); do
  # Any HTTP answer (an unsigned request is refused with 403) means it listens.
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "http://127.0.0.1:$port"
    exit 0
  fi
  sleep 0.1
done
cat "$dir/log" >&2
echo "s3s-fs did not start" >&2
exit 1
