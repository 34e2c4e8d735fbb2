/*
 * The id extraction of each ticket system's webhook payload (see
 * webhook_id.h).
 */
#include "webhook_id.h"

#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "str.h"

/* An id member: a string, or an integer number (some templates send one
 * unquoted), copied into out when the feed could use it. */
static int
take_id(const cJSON *obj, const char *key, const char *name, char *out,
    size_t outlen, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (v == NULL || cJSON_IsNull(v)) {
        snprintf(err, errlen, "\"%s\" is missing", name);
        return -1;
    }
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
        v->valuedouble < 1e15 && v->valuedouble == (double)(long long)
        v->valuedouble) {
        snprintf(out, outlen, "%lld", (long long)v->valuedouble);
        return 0;
    }
    if (!cJSON_IsString(v) || !feed_id_ok(v->valuestring) ||
        strlen(v->valuestring) >= outlen) {
        snprintf(err, errlen, "\"%s\" must be a non-empty string of at most "
            "%d printable bytes", name, POLLER_ID_MAX);
        return -1;
    }
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return 0;
}

/* An optional printable string member (action, State) into out; -1 when
 * present and not such a string. */
static int
take_event(const cJSON *obj, const char *key, char *out, size_t outlen,
    char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    out[0] = '\0';
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !feed_id_ok(v->valuestring) ||
        strlen(v->valuestring) >= outlen) {
        snprintf(err, errlen, "\"%s\" must be a short printable string",
            key);
        return -1;
    }
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return 0;
}

static bool
all_digits(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

/* OpsGenie and JSM: {"action": …, "alert": {key: …}}. */
static int
alert_action(const cJSON *doc, const char *key, const char *name,
    struct webhook_event *ev, char *err, size_t errlen)
{
    const cJSON *alert;

    memset(ev, 0, sizeof(*ev));
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "the body must be a JSON object");
        return -1;
    }
    if (take_event(doc, "action", ev->event, sizeof(ev->event), err,
        errlen) == -1)
        return -1;
    alert = cJSON_GetObjectItemCaseSensitive(doc, "alert");
    if (!cJSON_IsObject(alert)) {
        snprintf(err, errlen, "\"%s\" is missing (no \"alert\" object)",
            name);
        return -1;
    }
    if (take_id(alert, key, name, ev->id, sizeof(ev->id), err,
        errlen) == -1)
        return -1;
    ev->forward = !str_eq_nocase(ev->event, "Close") &&
        !str_eq_nocase(ev->event, "Delete");
    return 0;
}

int
webhook_id_opsgenie(const cJSON *doc, struct webhook_event *ev, char *err,
    size_t errlen)
{
    if (alert_action(doc, "tinyId", "alert.tinyId", ev, err, errlen) == -1)
        return -1;
    /* Digits only: the id also goes into a search query (feed_listed). */
    if (strlen(ev->id) > 20 || !all_digits(ev->id)) {
        snprintf(err, errlen, "\"alert.tinyId\" must be a number");
        return -1;
    }
    return 0;
}

int
webhook_id_jsm(const cJSON *doc, struct webhook_event *ev, char *err,
    size_t errlen)
{
    return alert_action(doc, "alertId", "alert.alertId", ev, err, errlen);
}

int
webhook_id_dynatrace(const cJSON *doc, struct webhook_event *ev, char *err,
    size_t errlen)
{
    memset(ev, 0, sizeof(*ev));
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "the body must be a JSON object");
        return -1;
    }
    if (take_id(doc, "PID", "PID", ev->id, sizeof(ev->id), err,
        errlen) == -1)
        return -1;
    if (take_event(doc, "State", ev->event, sizeof(ev->event), err,
        errlen) == -1)
        return -1;
    if (ev->event[0] == '\0') {
        snprintf(err, errlen, "\"State\" is missing");
        return -1;
    }
    ev->forward = str_eq_nocase(ev->event, "OPEN");
    return 0;
}

int
webhook_id_extract(enum feed_kind kind, const cJSON *doc,
    struct webhook_event *ev, char *err, size_t errlen)
{
    switch (kind) {
    case FEED_KIND_DT_V1:
    case FEED_KIND_DT_V2:
        return webhook_id_dynatrace(doc, ev, err, errlen);
    case FEED_KIND_OPSGENIE:
        break;
    }
    return webhook_id_opsgenie(doc, ev, err, errlen);
}
