/*
 * The table of ticket-system modules and the lookups over it (see
 * ticketsys.h). A new system is one line here, beside its own file.
 */
#include "ticketsys.h"

#include <stdio.h>
#include <string.h>

#include "alexis_limits.h"
#include "compat.h"
#include "json.h"
#include "str.h"
#include "ticketsys_dtv1.h"
#include "ticketsys_dtv2.h"
#include "ticketsys_jsm.h"
#include "ticketsys_opsgenie.h"

/* In lookup order: of two modules of one feed type, the first whose
 * url_path or owns() fits wins (Dynatrace v1 owns only problems without a
 * problemId, so v2 refuses an envelope without either id). */
static const struct ticketsys *const modules[] = {
    &ticketsys_opsgenie,
    &ticketsys_dtv1,
    &ticketsys_dtv2,
    &ticketsys_jsm,
};

const struct ticketsys *
ticketsys_find(const char *feed_type)
{
    size_t i;

    for (i = 0; feed_type != NULL && i < NELEM(modules); i++) {
        if (str_eq_nocase(modules[i]->feed_type, feed_type))
            return modules[i];
    }
    return NULL;
}

bool
ticketsys_known_type(const char *feed_type)
{
    return ticketsys_find(feed_type) != NULL;
}

int
ticketsys_check_type(const char *text, char *err, size_t errlen)
{
    char types[128];

    if (ticketsys_known_type(text))
        return 0;
    snprintf(err, errlen, "expected %s", ticketsys_type_names(false, types,
        sizeof(types)));
    return -1;
}

const struct ticketsys *
ticketsys_for_url(const char *feed_type, const char *feed_url)
{
    const struct ticketsys *m;
    size_t i;

    for (i = 0; feed_type != NULL && i < NELEM(modules); i++) {
        m = modules[i];
        if (!str_eq_nocase(m->feed_type, feed_type))
            continue;
        if (m->url_path == NULL ||
            (feed_url != NULL && strstr(feed_url, m->url_path) != NULL))
            return m;
    }
    return NULL;
}

const struct ticketsys *
ticketsys_for_item(const char *feed_type, const cJSON *item)
{
    const struct ticketsys *m;
    size_t i;

    for (i = 0; feed_type != NULL && i < NELEM(modules); i++) {
        m = modules[i];
        if (str_eq_nocase(m->feed_type, feed_type) &&
            (m->owns == NULL || m->owns(item)))
            return m;
    }
    return NULL;
}

/* Whether modules[i] is the first of its feed type. */
static bool
first_of_type(size_t i)
{
    return ticketsys_find(modules[i]->feed_type) == modules[i];
}

const char *
ticketsys_type_names(bool quoted, char *buf, size_t len)
{
    const char *q = quoted ? "\"" : "";
    size_t i, n = 0, total = 0, at = 0;

    for (i = 0; i < NELEM(modules); i++)
        total += first_of_type(i);
    buf[0] = '\0';
    for (i = 0; i < NELEM(modules); i++) {
        if (!first_of_type(i))
            continue;
        n++;
        at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s%s%s",
            n == 1 ? "" : n == total ? " or " : ", ", q,
            modules[i]->feed_type, q);
    }
    return buf;
}

const char *
ticketsys_url_paths(const char *feed_type, char *buf, size_t len)
{
    size_t i, at = 0;
    bool any = false;

    buf[0] = '\0';
    for (i = 0; i < NELEM(modules); i++) {
        if (!str_eq_nocase(modules[i]->feed_type, feed_type))
            continue;
        if (modules[i]->url_path == NULL)
            any = true;
        else
            at += (size_t)snprintf(buf + at, at < len ? len - at : 0,
                "%s%s", at > 0 ? " or " : "", modules[i]->url_path);
    }
    if (any)
        buf[0] = '\0';
    return buf;
}
