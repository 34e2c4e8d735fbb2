#!/bin/sh
# Install missing Debian packages, then configure and build into BUILD_DIR
# (default build/). Extra arguments go to cmake's configure step, e.g.
#   scripts/build.sh -DSANITIZE=address,undefined -DWERROR=ON
# The Dockerfile's build stage runs this same script.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
echo "built: $BUILD_DIR/bin"
