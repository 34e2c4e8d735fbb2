/*
 * Ticket writes and state reads for all ticket systems, see ticket.h.
 * Request bodies are built with cJSON so alert content is always data,
 * never syntax.
 */
#include "ticket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "cfg.h"
#include "cfg_auth.h"
#include "clock.h"
#include "fetcher.h"
#include "http_client.h"
#include "json.h"
#include "metrics.h"
#include "str.h"
#include "url.h"
#include "utf8.h"
#include "xmem.h"

#define TICKET_PART_HEAD_MAX    128 /* "[Alexis job <id>, part k/n]\n" */

int
ticket_resolve(struct ticket_ref *t, const struct alert *al,
    const struct cfg_auth *list, size_t n, char *err, size_t errlen)
{
    const char *feed_type = al->feed_type, *base_url = al->base_url;
    const struct cfg_auth *a;

    memset(t, 0, sizeof(*t));
    t->id = al->ticket_id;
    t->id_type = al->ticket_id_type;
    t->sys = al->sys;
    if ((a = cfg_auth_find(list, n, feed_type, base_url)) == NULL) {
        if (base_url != NULL)
            snprintf(err, errlen, "base_url %s is not configured for %s "
                "in authentication_list; nothing sent", base_url,
                feed_type);
        else
            snprintf(err, errlen, "no %s entry in authentication_list",
                feed_type);
        return -1;
    }
    if (a->base_url == NULL) {
        snprintf(err, errlen, "authentication %s has no base_url", a->name);
        return -1;
    }
    t->auth = a;
    return 0;
}

void
ticket_api_reason(const char *body, size_t len, char *out, size_t outlen)
{
    const cJSON *v, *first;
    const char *msg = NULL, *code = NULL;
    cJSON *doc = NULL;

    if (body != NULL && len > 0)
        doc = cJSON_ParseWithLength(body, len);
    if (cJSON_IsObject(doc)) {
        first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc,
            "errors"), 0);
        if ((msg = json_str(doc, "message")) != NULL) {
            code = json_str(doc, "code");
        } else if (cJSON_IsString(v = json_path(doc, "error.message"))) {
            msg = v->valuestring;
        } else if ((msg = json_str(first, "title")) != NULL) {
            code = json_str(first, "code");
        }
    }
    if (msg != NULL)
        (void)snprintf(out, outlen, "%.*s%s%.*s%s", TICKET_REASON_MAX, msg,
            code != NULL ? " (" : "", 40, code != NULL ? code : "",
            code != NULL ? ")" : "");
    else
        (void)snprintf(out, outlen, "%.*s", TICKET_REASON_MAX,
            body != NULL ? body : "");
    cJSON_Delete(doc);
}

/* alexis_ticket_writes_total{system,status}; status 0 is no answer. */
static void
count_write(const struct ticket_ref *t, long status)
{
    char st[24];

    if (status > 0)
        (void)snprintf(st, sizeof(st), "%ld", status);
    else
        (void)strlcpy(st, "error", sizeof(st));
    metrics_inc(METRIC_TICKET_WRITES, t->sys->feed_type, st);
}

/* t's credential lines as a NULL-terminated list into h. */
static void
auth_headers(const struct ticket_ref *t, const char **h)
{
    size_t i, n = 0;

    for (i = 0; i < t->auth->nheader_lines && n < TICKET_HEADERS_MAX; i++)
        h[n++] = t->auth->header_lines[i];
    h[n] = NULL;
}

void
ticket_answer_error(const struct http_result *res, const char *from, char *err,
    size_t errlen)
{
    char why[TICKET_REASON_MAX + 64];

    ticket_api_reason(res->body, res->body_len, why, sizeof(why));
    snprintf(err, errlen, "HTTP %ld%s%s%s", res->status, from,
        why[0] != '\0' ? ": " : "", why);
}

int
ticket_send_json(struct fetcher *f, const struct ticket_ref *t,
    const char *method, const char *url, const cJSON *body, bool once,
    struct ticket_outcome *out)
{
    const char *headers[TICKET_HEADERS_MAX + 1];
    struct http_result res;
    unsigned long before = f->calls;
    const char *rid;
    cJSON *doc = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = -1, sent;

    auth_headers(t, headers);
    if (body != NULL) {
        text = json_print(body);
        len = strlen(text);
    }
    memset(&res, 0, sizeof(res));
    out->status = 0;
    out->retry_after_ms = -1;
    if (once && f->send != NULL)
        sent = f->send(f, method, url, headers, text, len, &res);
    else if (strcmp(method, "GET") == 0)
        sent = f->get(f, url, headers, &res);
    else
        sent = f->post(f, url, headers, text, len, &res);
    out->attempts += (int)(f->calls - before);
    if (sent == -1) {
        snprintf(out->err, sizeof(out->err), "%s", res.err);
        goto out;
    }
    out->status = res.status;
    if (res.retry_after_explicit)
        out->retry_after_ms = res.retry_after_ms;
    if (res.body_len > 0 &&
        (doc = cJSON_ParseWithLength(res.body, res.body_len)) != NULL &&
        (rid = json_str(doc, "requestId")) != NULL)
        snprintf(out->request_id, sizeof(out->request_id), "%s", rid);
    if (res.status < 200 || res.status > 299) {
        ticket_answer_error(&res, " from ticket API", out->err, sizeof(out->err));
        goto out;
    }
    out->err[0] = '\0';
    rc = 0;
out:
    count_write(t, out->status);
    cJSON_Delete(doc);
    http_client_result_free(&res);
    free(text);
    return rc;
}

int
ticket_post(struct fetcher *f, const struct ticket_ref *t, char *url,
    cJSON *body, bool once, struct ticket_outcome *out)
{
    int rc;

    rc = ticket_send_json(f, t, "POST", url, body, once, out);
    free(url);
    cJSON_Delete(body);
    return rc;
}

cJSON *
ticket_fetch_json(struct fetcher *f, const char *url,
    const char *const *headers, const char *from, long *status, char *err,
    size_t errlen)
{
    struct http_result res;
    cJSON *doc = NULL;

    *status = 0;
    if (f->get(f, url, headers, &res) == -1) {
        snprintf(err, errlen, "%s", res.err);
        goto out;
    }
    *status = res.status;
    if (res.status != 200) {
        ticket_answer_error(&res, from, err, errlen);
        goto out;
    }
    if ((doc = json_parse_located(res.body, res.body_len, "answer", err,
        errlen)) == NULL)
        *status = 0;
out:
    http_client_result_free(&res);
    return doc;
}

cJSON *
ticket_get_json(struct fetcher *f, const struct ticket_ref *t,
    const char *url, long *status, char *err, size_t errlen)
{
    const char *headers[TICKET_HEADERS_MAX + 1];

    auth_headers(t, headers);
    return ticket_fetch_json(f, url, headers, " from ticket API", status,
        err, errlen);
}

char *
ticket_url(const struct ticket_ref *t, const char *prefix, const char *what,
    const char *query)
{
    char *url = url_item(t->auth->base_url, prefix, t->id, what, query,
        TICKET_URL_MAX);

    /* Too long: an empty URL, which the request then fails on. */
    return url != NULL ? url : xstrdup("");
}

int
ticket_mark(struct fetcher *f, const struct ticket_ref *t,
    enum ticket_queue q, const char *queue, const char *note,
    struct ticket_outcome *out)
{
    memset(out, 0, sizeof(*out));
    return t->sys->mark(f, t, q, queue, note, out);
}

const char *
ticket_mark_name(const struct ticketsys *sys, enum ticket_queue q)
{
    return sys->mark_names[q == TICKET_QUEUE_INVESTIGATION];
}

bool
ticket_can_route(const struct ticket_ref *t)
{
    return t->sys->route != NULL;
}

int
ticket_route(struct fetcher *f, const struct ticket_ref *t, const char *team,
    struct ticket_outcome *out)
{
    memset(out, 0, sizeof(*out));
    if (t->sys->route == NULL) {
        snprintf(out->err, sizeof(out->err), "%s has no teams",
            t->sys->name);
        return -1;
    }
    return t->sys->route(f, t, team, out);
}

static void
wait_ms(struct fetcher *f, long ms)
{
    if (f->wait != NULL)
        f->wait(f, ms);
    else
        clock_sleep_ms(ms);
}

/* Whether a note POST that failed so may have landed all the same: no
 * answer arrived (a timeout after sending), or a 5xx from a gateway that
 * may have passed it on. */
static bool
outcome_unknown(const struct ticket_outcome *o)
{
    return o->status == 0 || (o->status >= 500 && o->status <= 599);
}

/* One note, sent at most HTTP_RETRY_MAX + 1 times, and never again once
 * it is found on the ticket. */
static int
note_once(struct fetcher *f, const struct ticket_ref *t, const char *text,
    const char *key, struct ticket_outcome *out)
{
    uint64_t rng = 0;
    char ferr[ALEXIS_ERR_MAX];
    int attempt, found;

    for (attempt = 0;; attempt++) {
        if (t->sys->note(f, t, text, out) == 0)
            return 0;
        if (attempt >= HTTP_RETRY_MAX ||
            (out->status != 0 && !http_client_status_retryable(out->status)))
            return -1;
        /* Wait first: a write still on its way has a moment to land
         * before it is looked for. */
        wait_ms(f, http_client_backoff_ms(&rng, attempt, out->retry_after_ms));
        if (key != NULL && t->sys->note_find != NULL &&
            outcome_unknown(out)) {
            found = t->sys->note_find(f, t, key, ferr, sizeof(ferr));
            if (found == 1) {
                out->found = true;
                out->err[0] = '\0';
                return 0;
            }
        }
    }
}

/* Bytes of s that hold at most max UTF-8 characters, ending after a
 * newline when one is in the second half (a part ends at a line). */
static size_t
part_len(const char *s, size_t max)
{
    size_t i, chars = 0, nl = 0;

    for (i = 0; s[i] != '\0'; i++) {
        if (!utf8_is_cont((unsigned char)s[i]) && chars++ == max)
            break;
        if (s[i] == '\n' && chars > max / 2)
            nl = i + 1;
    }
    return s[i] != '\0' && nl > 0 ? nl : i;
}

size_t
ticket_note_capacity(const struct ticket_ref *t, size_t one)
{
    const struct ticketsys *sys = t->sys;

    if (sys->note_parts_max > 1 && sys->note_max > TICKET_PART_HEAD_MAX)
        return (sys->note_max - TICKET_PART_HEAD_MAX) * sys->note_parts_max;
    return one;
}

/* A text over the module's limit, as several notes, each headed
 * "[Alexis job <key>, part k/n]" (that line is what a retry looks for). */
static int
note_parts(struct fetcher *f, const struct ticket_ref *t, const char *text,
    const char *key, struct ticket_outcome *out)
{
    size_t body = t->sys->note_max - TICKET_PART_HEAD_MAX, n, k, len;
    char head[TICKET_PART_HEAD_MAX + 1];
    const char *p;
    struct buf b;
    int rc = 0;

    for (n = 0, p = text; *p != '\0'; n++)
        p += part_len(p, body);
    if (n > t->sys->note_parts_max)
        n = t->sys->note_parts_max;
    for (k = 1, p = text; k <= n && rc == 0; k++) {
        len = k == n ? strlen(p) : part_len(p, body);
        (void)snprintf(head, sizeof(head), "[Alexis job %.64s, part %zu/%zu]",
            key != NULL ? key : "", k, n);
        buf_init(&b, strlen(head) + 1 + len + 1);
        if (buf_appendf(&b, "%s\n", head) == -1 ||
            buf_append(&b, p, len) == -1)
            abort();    /* sized above */
        /* The last part holds what is left, cut to the limit. */
        b.data[utf8_prefix(b.data, t->sys->note_max)] = '\0';
        rc = note_once(f, t, b.data, key != NULL ? head : NULL, out);
        buf_free(&b);
        p += len;
    }
    return rc;
}

int
ticket_note(struct fetcher *f, const struct ticket_ref *t, const char *text,
    const char *key, struct ticket_outcome *out)
{
    char *copy;
    int rc;

    memset(out, 0, sizeof(*out));
    if (t->sys->note_parts_max > 1 && t->sys->note_max > TICKET_PART_HEAD_MAX &&
        utf8_chars(text) > t->sys->note_max)
        return note_parts(f, t, text, key, out);
    copy = xstrdup(text);
    if (t->sys->note_max > 0)
        copy[utf8_prefix(copy, t->sys->note_max)] = '\0';
    rc = note_once(f, t, copy, key, out);
    free(copy);
    return rc;
}

enum ticket_state
ticket_state(struct fetcher *f, const struct ticket_ref *t, char *err,
    size_t errlen)
{
    if (t->sys->state == NULL) {
        snprintf(err, errlen, "%s cannot read an alert's state",
            t->sys->name);
        return TICKET_STATE_UNKNOWN;
    }
    return t->sys->state(f, t, err, errlen);
}

const char *
ticket_state_name(enum ticket_state st)
{
    switch (st) {
    case TICKET_STATE_OPEN:
        return "open";
    case TICKET_STATE_CLOSED:
        return "closed";
    case TICKET_STATE_UNKNOWN:
        break;
    }
    return "unknown";
}

enum ticket_state
ticket_state_at(struct fetcher *f, const struct ticket_ref *t,
    const char *url, const char *path, const char *const *closed, char *err,
    size_t errlen)
{
    enum ticket_state st = TICKET_STATE_UNKNOWN;
    const cJSON *v;
    cJSON *doc;
    long status;
    size_t i;

    if ((doc = ticket_get_json(f, t, url, &status, err, errlen)) == NULL)
        return TICKET_STATE_UNKNOWN;
    if (!cJSON_IsString(v = json_path(doc, path))) {
        snprintf(err, errlen, "answer has no \"%s\" string", path);
        goto out;
    }
    st = TICKET_STATE_OPEN;
    for (i = 0; closed[i] != NULL; i++) {
        if (str_eq_nocase(v->valuestring, closed[i]))
            st = TICKET_STATE_CLOSED;
    }
out:
    cJSON_Delete(doc);
    return st;
}

bool
ticket_list_has(const cJSON *doc, const char *path, const char *key,
    const char *needle)
{
    const cJSON *it;
    const char *s;

    cJSON_ArrayForEach(it, json_path(doc, path)) {
        if ((s = json_str(it, key)) != NULL && strstr(s, needle) != NULL)
            return true;
    }
    return false;
}
