#!/bin/sh
# Run every libFuzzer target of fuzz/ for SECONDS each (default 60), one
# after the other:
#   ./scripts/fuzz.sh [SECONDS]
# Installs clang and libFuzzer if missing, builds with -DFUZZ=ON (ASan and
# UBSan) into build-fuzz/, and fuzzes a copy of each seed corpus kept in
# build-fuzz/fuzz/<target>.corpus/ (it grows from run to run); nothing is
# ever written into fuzz/corpus/. Exits 1 if a target crashed, leaked,
# hung or ran out of memory, and names the input that did it. Once the
# bug is fixed, add a minimal copy of that input to fuzz/corpus/<target>/:
# the unit tests replay those files. fuzz/dict/<target>.dict, when there
# is one, is the target's libFuzzer dictionary. FUZZ_TARGETS="fuzz_rules"
# runs a subset.
set -eu
cd "$(dirname "$0")/.."

secs=${1:-60}
case "$secs" in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
targets=${FUZZ_TARGETS:-"fuzz_cfg fuzz_rules fuzz_match fuzz_json fuzz_logfmt"}
build=build-fuzz

# clang alone does not bring libFuzzer on Debian (libclang-rt-dev is only
# recommended), so probe for a program that links with it.
mkdir -p "$build"
probe="$build/fuzz-probe"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
    '{ (void)d; (void)n; return 0; }' >"$probe.c"
if ! clang -fsanitize=fuzzer "$probe.c" -o "$probe" >/dev/null 2>&1; then
    ALEXIS_DEPS=build EXTRA_PKGS="clang libclang-rt-dev" ./scripts/deps.sh
fi
rm -f "$probe" "$probe.c"

# Debug keeps assert() on; -O1 keeps the fuzzers fast enough.
cmake -S . -B "$build" -DFUZZ=ON -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" >/dev/null
# shellcheck disable=SC2086
if ! cmake --build "$build" -j "$(nproc)" --target $targets \
    >"$build/fuzz-build.log" 2>&1; then
    cat "$build/fuzz-build.log" >&2
    exit 1
fi

status=0
for t in $targets; do
    corpus="$build/fuzz/$t.corpus"
    art="$build/fuzz/$t.artifacts"
    log="$build/fuzz/$t.log"
    mkdir -p "$corpus"
    rm -rf "$art"
    mkdir -p "$art"
    cp fuzz/corpus/"$t"/* "$corpus"/
    dict=""
    if [ -f "fuzz/dict/$t.dict" ]; then
        dict="-dict=fuzz/dict/$t.dict"
    fi
    echo "fuzz: $t for ${secs}s (log: $log)"
    # shellcheck disable=SC2086
    if "$build/fuzz/$t" "$corpus" $dict -max_total_time="$secs" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
        echo "fuzz: $t ok: ${execs:-?} runs, $cov," \
            "$(ls "$corpus" | wc -l) corpus files"
    else
        status=1
        echo "fuzz: $t FAILED; the input that did it:" >&2
        ls -1 "$art"/* >&2 2>/dev/null || echo "  (none saved)" >&2
        echo "fuzz: the end of $log:" >&2
        tail -n 40 "$log" >&2
        echo "fuzz: replay it with $build/fuzz/$t <input>" >&2
    fi
done
exit $status
