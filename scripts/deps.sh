#!/bin/sh
# Install the Debian packages Alexis needs; only what is missing, so it is
# safe to run repeatedly. Needs root (or sudo) when something is missing.
#   ALEXIS_DEPS=build  compilers and -dev libraries only (the Dockerfile's
#                      build stage)
#   ALEXIS_DEPS=all    (default) plus what the tests and the demo run:
#                      OpenSSH server/client, python3, curl, openssl
#                      (gen-certs.sh), chromium,
#                      systemd (systemd-analyze checks the units),
#                      python3-prometheus-client (parses /metrics),
#                      pyflakes3 (scripts/pyflakes.sh),
#                      postgresql (the replicated job store's tests)
#   EXTRA_PKGS="wrk"   anything else (the benchmarks use wrk)
set -eu

BUILD_PKGS="build-essential cmake pkg-config
libcurl4-gnutls-dev libyaml-dev libssh2-1-dev libcjson-dev libpcre2-dev
libmicrohttpd-dev libsqlite3-dev libpq-dev libcmocka-dev zlib1g-dev libssl-dev
python3"
TEST_PKGS="openssh-server openssh-client curl ca-certificates openssl chromium
systemd python3-prometheus-client postgresql python3-pyflakes pyflakes3"

case "${ALEXIS_DEPS:-all}" in
build) PKGS="$BUILD_PKGS" ;;
all)   PKGS="$BUILD_PKGS $TEST_PKGS" ;;
*)     echo "deps: ALEXIS_DEPS must be build or all" >&2; exit 2 ;;
esac
PKGS="$PKGS ${EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "deps: all packages present"
    exit 0
fi

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
