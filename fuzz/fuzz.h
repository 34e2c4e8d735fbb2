/*
 * What every fuzz target shares: the libFuzzer entry point each one
 * defines (fuzz_<name>.c), and FUZZ_CHECK, which turns a broken property
 * into a crash the fuzzer records (and a failed replay in ctest).
 */
#ifndef ALEXIS_FUZZ_H
#define ALEXIS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Run one input. data[0..size) is not NUL-terminated and is read-only.
 * Returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test: on failure say which and abort, so
 * that libFuzzer saves the input and the replay test fails. */
#define FUZZ_CHECK(cond) do {                                           \
    if (!(cond)) {                                                      \
        fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__,       \
            __LINE__, #cond);                                           \
        abort();                                                        \
    }                                                                   \
} while (0)

#endif
