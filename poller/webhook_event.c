/*
 * The event of a webhook payload (see webhook_event.h).
 */
#include "webhook_event.h"

#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "str.h"

/* An optional printable string member into out; -1 when present and not
 * such a string. Returns 1 when present. */
static int
take(const cJSON *obj, const char *key, char *out, size_t outlen, char *err,
    size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !feed_id_ok(v->valuestring) ||
        strlen(v->valuestring) >= outlen) {
        snprintf(err, errlen, "field %s must be a short printable string",
            key);
        return -1;
    }
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return 1;
}

int
webhook_event_read(const cJSON *doc, struct webhook_event *ev, char *err,
    size_t errlen)
{
    char state[WEBHOOK_EVENT_MAX];
    int a, s;

    memset(ev, 0, sizeof(*ev));
    ev->forward = true;
    if (!cJSON_IsObject(doc)) {
        snprintf(err, errlen, "the body must be a JSON object");
        return -1;
    }
    if ((a = take(doc, "action", ev->event, sizeof(ev->event), err,
        errlen)) == -1 ||
        (s = take(doc, "State", state, sizeof(state), err, errlen)) == -1)
        return -1;
    if (a == 1 && (str_eq_nocase(ev->event, "Close") ||
        str_eq_nocase(ev->event, "Delete")))
        ev->forward = false;
    if (s == 1) {
        if (!str_eq_nocase(state, "OPEN"))
            ev->forward = false;
        if (a == 0)
            memcpy(ev->event, state, sizeof(state));
    }
    return 0;
}
