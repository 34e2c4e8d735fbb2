/*
 * A fake ticket API behind the fetcher seam (common/fetcher.h), shared by
 * the unit tests of the ticket modules and their callers: it records every
 * request (method, URL, header lines, body) and answers from a script, in
 * order; waits are summed, not slept.
 */
#ifndef ALEXIS_TEST_FAKE_FETCHER_H
#define ALEXIS_TEST_FAKE_FETCHER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fetcher.h"
#include "http_client.h"
#include "buf.h"
#include "xmem.h"

#define CALLS_MAX   16

struct call {
    char   *method, *url, *hdrs, *body;
};

/* One scripted answer: status (0 with transport set: no answer). */
struct answer {
    long        status;
    const char *body;
    int         transport;
};

struct fake {
    struct fetcher      f;
    const struct answer *script;
    size_t              nscript, next;
    struct call         calls[CALLS_MAX];
    size_t              ncalls;
    long                waited_ms;
};

static inline int
record(struct fake *k, const char *method, const char *url,
    const char *const *hdrs, const char *body, size_t len,
    struct http_result *res)
{
    const struct answer *a;
    struct call *c;
    struct buf b;

    assert_true(k->ncalls < CALLS_MAX);
    c = &k->calls[k->ncalls++];
    c->method = xstrdup(method);
    c->url = xstrdup(url);
    buf_init(&b, 4096);
    for (; hdrs != NULL && *hdrs != NULL; hdrs++)
        assert_int_equal(buf_appendf(&b, "%s\n", *hdrs), 0);
    c->hdrs = buf_steal(&b);
    c->body = body != NULL ? xstrndup(body, len) : NULL;
    k->f.calls++;
    memset(res, 0, sizeof(*res));
    res->retry_after_ms = -1;
    assert_true(k->next < k->nscript);
    a = &k->script[k->next++];
    if (a->transport) {
        snprintf(res->err, sizeof(res->err), "Operation timed out");
        return -1;
    }
    res->status = a->status;
    res->body = xstrdup(a->body != NULL ? a->body : "");
    res->body_len = strlen(res->body);
    return 0;
}

static inline int
fake_get(struct fetcher *f, const char *url, const char *const *hdrs,
    struct http_result *res)
{
    return record(f->ctx, "GET", url, hdrs, NULL, 0, res);
}

static inline int
fake_post(struct fetcher *f, const char *url, const char *const *hdrs,
    const char *body, size_t len, struct http_result *res)
{
    return record(f->ctx, "POST", url, hdrs, body, len, res);
}

static inline int
fake_send(struct fetcher *f, const char *method, const char *url,
    const char *const *hdrs, const char *body, size_t len,
    struct http_result *res)
{
    return record(f->ctx, method, url, hdrs, body, len, res);
}

static inline void
fake_wait(struct fetcher *f, long ms)
{
    ((struct fake *)f->ctx)->waited_ms += ms;
}

static inline void
fake_free(struct fake *k)
{
    size_t i;

    for (i = 0; i < k->ncalls; i++) {
        free(k->calls[i].method);
        free(k->calls[i].url);
        free(k->calls[i].hdrs);
        free(k->calls[i].body);
    }
    memset(k, 0, sizeof(*k));
}

static inline void
fake_init(struct fake *k, const struct answer *script, size_t n)
{
    memset(k, 0, sizeof(*k));
    k->f.get = fake_get;
    k->f.post = fake_post;
    k->f.send = fake_send;
    k->f.wait = fake_wait;
    k->f.ctx = k;
    k->script = script;
    k->nscript = n;
}

#endif
