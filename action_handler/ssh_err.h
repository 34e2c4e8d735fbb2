/*
 * libssh2's last error as one of our sentences, "<step>: <its message>",
 * for the SSH client (ssh.c) and the known_hosts checks (ssh_known.c).
 */
#ifndef ALEXIS_SSH_ERR_H
#define ALEXIS_SSH_ERR_H

#include <stdarg.h>
#include <stddef.h>

#include <libssh2.h>

#include "compat.h"

/* err = "<step>: <session's last libssh2 error>", step formatted from fmt
 * (at most 127 bytes kept); "unknown libssh2 error" when libssh2 has no
 * message. */
void ssh_err_last(LIBSSH2_SESSION *session, char *err, size_t errlen,
    const char *fmt, ...) ATTR_PRINTF(4, 5);
void ssh_err_vlast(LIBSSH2_SESSION *session, char *err, size_t errlen,
    const char *fmt, va_list ap) ATTR_PRINTF(4, 0);

#endif
