#!/bin/sh
# clang-tidy over every C file of the programs (the checks and why some
# are left out: .clang-tidy), any finding an error. scripts/test.sh runs it
# after the analyzer. Uses build-tidy/ for compile_commands.json only.
set -eu
cd "$(dirname "$0")/.."
EXTRA_PKGS="clang-tidy ${EXTRA_PKGS:-}" ./scripts/deps.sh
BUILD_DIR=build-tidy
cmake -S . -B "$BUILD_DIR" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
# config.h is written at configure time; nothing needs building.
ls common/*.c classifier/*.c action_handler/*.c action_handler/tools/*.c \
    poller/*.c report/*.c sim/*.c tests/tools/*.c |
    xargs -P "$(nproc)" -n 4 clang-tidy -p "$BUILD_DIR" --quiet 2>&1 |
    grep -v "warnings generated\|Suppressed .* warnings\|Use -header-filter\|non-user code" \
    >"$BUILD_DIR/tidy.log" || true
if grep -q "error:\|warning:" "$BUILD_DIR/tidy.log"; then
    cat "$BUILD_DIR/tidy.log" >&2
    echo "clang-tidy: findings above" >&2
    exit 1
fi
echo "clang-tidy: no findings"
