#!/bin/sh
# The README's test command (and exactly what .ci/run runs): install what is
# missing, run gcc's static analyzer and clang-tidy over the programs
# (scripts/analyze.sh, scripts/tidy.sh) and pyflakes over the Python files
# (scripts/pyflakes.sh), build with -Werror and
# AddressSanitizer/UBSan into build-test/, then run
# every test: cmocka unit tests, golden --check tests and the integration
# tests that start the real daemons on loopback.
# Arguments go to ctest (e.g. -L unit, -R classifier).
set -eu
cd "$(dirname "$0")/.."
./scripts/analyze.sh
./scripts/tidy.sh
./scripts/pyflakes.sh
BUILD_DIR=build-test ./scripts/build.sh -DCMAKE_BUILD_TYPE=Debug \
    -DWERROR=ON -DSANITIZE=address,undefined
cd build-test
ctest --output-on-failure --timeout 600 "$@"
