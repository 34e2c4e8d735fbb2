/*
 * classify_io over HTTP (see classify_http.h).
 */
#include "classify_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "classifier.h"
#include "classifier_token.h"
#include "classify.h"
#include "fetcher.h"
#include "http_client.h"
#include "json.h"
#include "path.h"
#include "ticket.h"
#include "xmem.h"

#define WHY_MAX     256

struct classify_http {
    struct classify_io       io;    /* io.arg is this struct */
    struct classifier       *c;
    struct http_client      *hc;
};

/* The "error" of an action handler's error answer, or "". */
static void
answer_reason(const struct http_result *res, char *out, size_t len)
{
    const char *e;
    cJSON *doc;

    out[0] = '\0';
    if (res->body_len == 0 ||
        (doc = cJSON_ParseWithLength(res->body, res->body_len)) == NULL)
        return;
    if ((e = json_str(doc, "error")) != NULL)
        snprintf(out, len, "%s", e);
    cJSON_Delete(doc);
}

static int
http_forward(void *arg, const char *dest, const char *body, size_t len,
    long *status, char *err, size_t errlen)
{
    struct classify_http *h = arg;
    char token[TOKEN_LEN_MAX + 1], why[WHY_MAX];
    char auth[TOKEN_LEN_MAX + 32];
    const char *headers[2] = { auth, NULL };
    struct http_result res;
    char *url;
    int rc = -1;

    *status = 0;
    if (classifier_token(h->c, token, sizeof(token), err, errlen) == -1)
        return -1;
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    explicit_bzero(token, sizeof(token));
    memset(&res, 0, sizeof(res));
    url = path_join(dest, "action");
    if (http_client_do_retry(h->hc, "POST", url, headers, body, len,
        HTTP_RETRY_MAX, NULL, &res) == -1) {
        snprintf(err, errlen, "action handler %s: %s", dest, res.err);
        goto out;
    }
    *status = res.status;
    if (res.status < 200 || res.status > 299) {
        answer_reason(&res, why, sizeof(why));
        snprintf(err, errlen, "action handler %s answered HTTP %ld%s%s",
            dest, res.status, why[0] != '\0' ? ": " : "", why);
        goto out;
    }
    rc = 0;
out:
    explicit_bzero(auth, sizeof(auth));
    http_client_result_free(&res);
    free(url);
    return rc;
}

static int
http_mark(void *arg, const struct ticket_ref *t, enum ticket_queue q,
    const char *queue, const char *note, struct ticket_outcome *out)
{
    struct classify_http *h = arg;
    struct fetcher_client fc;

    fetcher_client_init(&fc, h->hc, HTTP_RETRY_MAX);
    return ticket_mark(&fc.f, t, q, queue, note, out);
}

struct classify_io *
classify_http_new(struct classifier *c)
{
    struct http_client_opts o = {
        .ca_file = c->conf.ca_file,
        .ca_for = c->dest_urls,
    };
    struct classify_http *h;
    struct http_client *hc;

    if ((hc = http_client_new(&o)) == NULL)
        return NULL;
    h = xcalloc(1, sizeof(*h));
    h->c = c;
    h->hc = hc;
    h->io.forward = http_forward;
    h->io.mark = http_mark;
    h->io.arg = h;
    return &h->io;
}

void
classify_http_free(struct classify_io *io)
{
    struct classify_http *h;

    if (io == NULL)
        return;
    h = io->arg;
    http_client_free(h->hc);
    free(h);
}
