#!/usr/bin/env bash
# Prints the URL of a PostgreSQL server the tests may create databases on (what
# QUAYSIDE_TEST_POSTGRES holds), starting one first if none answers:
# - QUAYSIDE_TEST_POSTGRES already set: that;
# - a server on 127.0.0.1:5432 that lets `postgres` in without a password (this project's CI
#   machines run one): that;
# - otherwise Debian's `postgresql` package, installed if missing (as root), its newest cluster
#   started, and the current user made a superuser reached over the local socket.
set -euo pipefail
if [ -n "${QUAYSIDE_TEST_POSTGRES:-}" ]; then
  echo "$QUAYSIDE_TEST_POSTGRES"
  exit 0
fi
answers() { command -v psql >/dev/null && psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1; }
url=postgres://postgres@127.0.0.1:5432/postgres
if answers "$url"; then
  echo "$url"
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "PostgreSQL is needed for the tests: install it, or set QUAYSIDE_TEST_POSTGRES to a server's URL" >&2; exit 1; }
  apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || true
for _ in $(seq 100); do pg_isready -q && break; sleep 0.2; done
me=$(id -un)
if [ "$me" != postgres ]; then
  su postgres -c "psql -q -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$me') THEN
    CREATE ROLE "$me" SUPERUSER LOGIN;
  END IF;
END \$\$;
SQL
fi
url="postgres:///postgres?host=/var/run/postgresql&user=$me"
answers "$url" || { echo "PostgreSQL started but does not answer at $url" >&2; exit 1; }
echo "$url"
