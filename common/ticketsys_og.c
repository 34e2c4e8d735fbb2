/*
 * The OpsGenie alert API's shared reading (see ticketsys_og.h).
 */
#include "ticketsys_og.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "alert_tag.h"
#include "json.h"

bool
ticketsys_og_has_skip_tag(const struct feed_def *d, const cJSON *alert)
{
    const cJSON *t;
    size_t i;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(alert, "tags")) {
        for (i = 0; cJSON_IsString(t) && i < d->nskip_tags; i++) {
            if (strcmp(t->valuestring, d->skip_tags[i]) == 0)
                return true;
        }
    }
    return false;
}

long
ticketsys_og_take_page(const cJSON *doc, const char *array, const char *id_key,
    const struct feed_def *skip, struct feed_ids *out,
    struct feed_list_result *r, bool *full)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, array), *it;
    const char *id;
    long n = 0;

    if (!cJSON_IsArray(items))
        return -1;
    cJSON_ArrayForEach(it, items) {
        n++;
        if (skip != NULL && ticketsys_og_has_skip_tag(skip, it))
            continue;
        id = json_str(it, id_key);
        if (!feed_id_ok(id)) {
            r->invalid++;
            continue;
        }
        if (out->n >= POLLER_ITEMS_MAX) {
            *full = true;
            continue;
        }
        (void)feed_ids_add(out, id);
    }
    return n;
}

bool
ticketsys_og_has_next(const cJSON *doc, const char *links)
{
    const char *next = json_str(cJSON_GetObjectItemCaseSensitive(doc,
        links), "next");

    return next != NULL && *next != '\0';
}

void
ticketsys_og_collect_tags(struct alert *a)
{
    const cJSON *t;

    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(a->doc, "tags")) {
        if (cJSON_IsString(t))
            alert_tag_add(a, t->valuestring);
    }
}

int
ticketsys_og_note_find(struct fetcher *f, const struct ticket_ref *t,
    const char *needle, char *err, size_t errlen)
{
    const struct og_api *api = t->sys->data;
    const char *const *lists;
    char *url = api->url(t, "notes", api->notes_query);
    cJSON *doc;
    long status;
    int found = -1;

    if ((doc = ticket_get_json(f, t, url, &status, err, errlen)) != NULL) {
        found = 0;
        for (lists = api->note_lists; *lists != NULL && found == 0; lists++)
            found = ticket_list_has(doc, *lists, "note", needle) ? 1 : 0;
    }
    cJSON_Delete(doc);
    free(url);
    return found;
}

int
ticketsys_og_webhook_id(const cJSON *payload, const char *field, char *id,
    size_t idlen, char *err, size_t errlen)
{
    const cJSON *alert = cJSON_GetObjectItemCaseSensitive(payload, "alert");
    const char *s;

    if (!cJSON_IsObject(alert)) {
        snprintf(err, errlen, "missing field alert (an object)");
        return -1;
    }
    s = json_str(alert, field);
    if (!feed_id_ok(s)) {
        snprintf(err, errlen, "missing field alert.%s", field);
        return -1;
    }
    if ((size_t)snprintf(id, idlen, "%s", s) >= idlen) {
        snprintf(err, errlen, "alert.%s is too long", field);
        return -1;
    }
    return 0;
}

enum ticket_state
ticketsys_og_state(struct fetcher *f, const struct ticket_ref *t, char *err,
    size_t errlen)
{
    static const char *const closed[] = { "closed", "resolved", NULL };
    const struct og_api *api = t->sys->data;
    char *url = api->url(t, NULL, NULL);
    enum ticket_state st;

    st = ticket_state_at(f, t, url, api->status_path, closed, err, errlen);
    free(url);
    return st;
}
