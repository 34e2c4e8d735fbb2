/*
 * libssh2's last error as a sentence (see ssh_err.h).
 */
#include "ssh_err.h"

#include <stdio.h>

void
ssh_err_vlast(LIBSSH2_SESSION *session, char *err, size_t errlen,
    const char *fmt, va_list ap)
{
    char step[128];
    char *msg = NULL;
    int len = 0;

    (void)vsnprintf(step, sizeof(step), fmt, ap);
    (void)libssh2_session_last_error(session, &msg, &len, 0);
    if (msg == NULL || len <= 0)
        (void)snprintf(err, errlen, "%s: unknown libssh2 error", step);
    else
        (void)snprintf(err, errlen, "%s: %.*s", step, len, msg);
}

void
ssh_err_last(LIBSSH2_SESSION *session, char *err, size_t errlen,
    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ssh_err_vlast(session, err, errlen, fmt, ap);
    va_end(ap);
}
