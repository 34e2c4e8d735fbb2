/*
 * Alert state look-ups (see alert_state.h).
 */
#include "alert_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alexis_limits.h"
#include "conf.h"
#include "http_client.h"
#include "json.h"
#include "str.h"
#include "ticket.h"
#include "xmem.h"

#define STATE_HEADERS_MAX   16

const char *
alert_state_name(enum guard_alert_state st)
{
    switch (st) {
    case GUARD_ALERT_OPEN:
        return "open";
    case GUARD_ALERT_CLOSED:
        return "closed";
    default:
        return "unknown";
    }
}

/* The URL of the alert and where its status is in the answer. */
static char *
state_url(const struct ticket_ref *t, const char **path)
{
    char *id = http_escape(t->id), *url;
    struct buf b;

    buf_init(&b, 8192);
    switch (t->kind) {
    case TICKET_OPSGENIE:
        (void)!buf_appendf(&b, "%s/v2/alerts/%s?identifierType=%s",
            t->auth->base_url, id, t->id_type != NULL ? t->id_type : "id");
        *path = "data.status";
        break;
    case TICKET_DYNATRACE_V1:
        (void)!buf_appendf(&b, "%s/api/v1/problem/details/%s",
            t->auth->base_url, id);
        *path = "result.status";
        break;
    default:
        (void)!buf_appendf(&b, "%s/api/v2/problems/%s", t->auth->base_url,
            id);
        *path = "status";
        break;
    }
    free(id);
    url = buf_steal(&b);
    return url;
}

static enum guard_alert_state
judge(const struct http_result *res, const char *path, char *err,
    size_t errlen)
{
    const cJSON *v;
    cJSON *doc;
    enum guard_alert_state st = GUARD_ALERT_UNKNOWN;

    if (res->status != 200) {
        snprintf(err, errlen, "HTTP %ld from the ticket API", res->status);
        return st;
    }
    if ((doc = cJSON_ParseWithLength(res->body, res->body_len)) == NULL) {
        snprintf(err, errlen, "the ticket API's answer is not JSON");
        return st;
    }
    if (!cJSON_IsString(v = json_path(doc, path)))
        snprintf(err, errlen, "no %s in the ticket API's answer", path);
    else if (str_eq_nocase(v->valuestring, "closed") ||
        str_eq_nocase(v->valuestring, "resolved"))
        st = GUARD_ALERT_CLOSED;
    else
        st = GUARD_ALERT_OPEN;
    cJSON_Delete(doc);
    return st;
}

enum guard_alert_state
alert_state_read(const struct ah_conf *conf, const struct alert *a,
    char *err, size_t errlen)
{
    const char *headers[STATE_HEADERS_MAX + 1], *path = NULL;
    struct http_client *hc = NULL;
    struct http_result res;
    struct ticket_ref t;
    enum guard_alert_state st = GUARD_ALERT_UNKNOWN;
    char *url = NULL;
    size_t i, n = 0;

    memset(&res, 0, sizeof(res));
    if (ticket_resolve(&t, a, conf->auth, conf->nauth, err, errlen) == -1)
        return st;
    for (i = 0; i < t.auth->nheader_lines && n < STATE_HEADERS_MAX; i++)
        headers[n++] = t.auth->header_lines[i];
    headers[n] = NULL;
    url = state_url(&t, &path);
    hc = http_client_new(NULL);
    if (http_client_do_retry(hc, "GET", url, headers, NULL, 0,
        HTTP_RETRY_MAX, NULL, &res) == -1)
        snprintf(err, errlen, "%s", res.err);
    else
        st = judge(&res, path, err, errlen);
    http_result_free(&res);
    http_client_free(hc);
    free(url);
    return st;
}
