/*
 * The lock of log.c's write_line, alone in this file because glibc only
 * offers its writer-preferring initializer under _GNU_SOURCE, which would
 * also swap log.c's strerror_r for the GNU one. Writers first: a long line
 * must not wait behind an endless stream of short ones (glibc's default
 * prefers readers).
 */
#define _GNU_SOURCE
#include "log_lock.h"

#include <pthread.h>

#ifdef PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP
pthread_rwlock_t log_lock =
    PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
#else
pthread_rwlock_t log_lock = PTHREAD_RWLOCK_INITIALIZER;
#endif
