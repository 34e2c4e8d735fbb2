/*
 * Classifier delivery and ping (see forward.h). The destination comes from
 * the poller's own config, never from an API answer.
 */
#include "forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetcher.h"
#include "xmem.h"

char *
forward_auth_header(const char *token)
{
    static const char prefix[] = "Authorization: Bearer ";
    size_t n = strlen(token);
    char *line;

    line = xmalloc(sizeof(prefix) + n);
    memcpy(line, prefix, sizeof(prefix) - 1);
    memcpy(line + sizeof(prefix) - 1, token, n + 1);
    return line;
}

void
forward_auth_free(char *line)
{
    if (line == NULL)
        return;
    explicit_bzero(line, strlen(line));
    free(line);
}

static char *
dest_url(const char *dest, const char *path)
{
    size_t n = strlen(dest), len;
    char *url;

    if (n > 0 && dest[n - 1] == '/')
        n--;
    len = n + strlen(path) + 1;
    url = xmalloc(len);
    (void)snprintf(url, len, "%.*s%s", (int)n, dest, path);
    return url;
}

int
forward_envelope(struct fetcher *f, const char *dest,
    const char *const *hdrs, const char *body, size_t len, long *status,
    char *err, size_t errlen)
{
    struct http_result res;
    char *url = dest_url(dest, "/classifier");
    int rc = -1;

    *status = 0;
    if (f->post(f, url, hdrs, body, len, &res) == -1) {
        snprintf(err, errlen, "%s", res.err);
        goto out;
    }
    *status = res.status;
    if (res.status >= 200 && res.status <= 299) {
        rc = 0;
        goto out;
    }
    if (res.body != NULL && res.body_len > 0)
        snprintf(err, errlen, "HTTP %ld: %.160s", res.status, res.body);
    else
        snprintf(err, errlen, "HTTP %ld", res.status);
out:
    http_client_result_free(&res);
    free(url);
    return rc;
}

long
forward_ping(struct fetcher *f, const char *dest, char *err, size_t errlen)
{
    struct http_result res;
    char *url = dest_url(dest, "/ping");
    long status = 0;

    err[0] = '\0';
    if (f->get(f, url, NULL, &res) == -1)
        snprintf(err, errlen, "%s", res.err);
    else
        status = res.status;
    http_client_result_free(&res);
    free(url);
    return status;
}
