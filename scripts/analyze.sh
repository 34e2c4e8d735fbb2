#!/bin/sh
# gcc's static analyzer (-fanalyzer) over every program of the project,
# with its warnings as errors, into build-analyze/. scripts/test.sh runs it
# before the tests. The tests themselves are left out: cmocka's fail() is
# not marked noreturn, so the analyzer would flag every "assert, then use".
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
BUILD_DIR=build-analyze
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DWERROR=ON \
    -DCMAKE_C_FLAGS=-fanalyzer >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target alexis-classifier \
    alexis-action-handler alexis-poller alexis-report alexis-sim \
    alexis-sink alexis-ssh-probe
echo "analyzer: no findings"
