#!/bin/sh
# Install the Debian packages Alexis needs to build, test and run its demo
# (plus $EXTRA_PKGS, e.g. wrk for the benchmarks).
# Only what is missing is installed; safe to run repeatedly. Needs root (or
# sudo) when something is missing.
set -eu

PKGS="build-essential cmake pkg-config
libcurl4-openssl-dev libyaml-dev libssh2-1-dev libcjson-dev libpcre2-dev
libmicrohttpd-dev libsqlite3-dev libcmocka-dev
openssh-server openssh-client curl python3 ca-certificates
${EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
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
