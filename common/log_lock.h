/*
 * The lock of log.c's write_line: shared by short lines, taken alone by
 * long ones. Defined in log_lock.c as a writer-preferring lock where glibc
 * offers one.
 */
#ifndef ALEXIS_LOG_LOCK_H
#define ALEXIS_LOG_LOCK_H

#include <pthread.h>

extern pthread_rwlock_t log_lock;

#endif
