#!/bin/sh
# pyflakes over every Python file of the project (tests, benchmarks, the
# demo): unused imports and variables, undefined names, redefinitions; any
# finding an error. scripts/test.sh runs it after clang-tidy.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
# Debian's pyflakes3 (scripts/deps.sh), whatever python3 is first on PATH.
if ! find . \( -path ./.git -o -path './build*' -o -path ./run \) -prune \
    -o -name '*.py' -print | sort | xargs pyflakes3 >&2; then
    echo "pyflakes: findings above" >&2
    exit 1
fi
echo "pyflakes: no findings"
