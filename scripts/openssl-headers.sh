#!/usr/bin/env bash
# SQLCipher (the device store's encryption) is built against the system's libcrypto: installs
# OpenSSL's headers on Debian when they are missing, or says what to install elsewhere.
set -euo pipefail
[ -f /usr/include/openssl/evp.h ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing libssl-dev (OpenSSL's headers, for SQLCipher)"
  apt-get install -y -qq libssl-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq libssl-dev >/dev/null; }
else
  echo "OpenSSL's headers are missing: install them (Debian/Ubuntu: sudo apt-get install libssl-dev; Fedora: openssl-devel; macOS: nothing, CommonCrypto is used)" >&2
  exit 1
fi
