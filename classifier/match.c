/*
 * Rule matching (see match.h). Tags are checked before the regex because
 * they are cheaper and usually decide.
 */
#include "match.h"

#include <stdio.h>
#include <string.h>

#include "alexis_limits.h"
#include "alert.h"
#include "json.h"
#include "rules.h"

bool
match_rule_applies(const struct rule *r, const struct alert *a)
{
    return rules_for_feed(r, a->feed_type);
}

/* Formatting reasons costs more than matching; skip it when nobody reads
 * them (why == NULL). */
#define WHY(...) do {                                                   \
    if (why != NULL)                                                    \
        snprintf(why, whylen, __VA_ARGS__);                             \
} while (0)

/* tags_known: the rule index found every tag; only the regex is left. */
static int
match_eval(const struct rule_eval *ev, size_t n, struct alert *a,
    bool tags_known, char *why, size_t whylen)
{
    const cJSON *v;
    char rerr[ALEXIS_ERR_MAX];
    size_t i;
    int rc;

    for (i = 0; !tags_known && i < ev->ntags; i++) {
        if (!alert_has_tag_hashed(a, ev->tags[i], ev->tag_hashes[i])) {
            WHY("evaluation %zu: tag %s missing", n, ev->tags[i]);
            return 0;
        }
    }
    if (ev->search_key == NULL)
        return 1;
    if ((v = alert_lookup(a, ev->search_key)) == NULL) {
        WHY("evaluation %zu: search_key %s absent", n, ev->search_key);
        return 0;
    }
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        WHY("evaluation %zu: search_key %s is not a string", n,
            ev->search_key);
        return 0;
    }
    rc = rules_regex_search(ev, v->valuestring, strlen(v->valuestring),
        rerr, sizeof(rerr));
    if (rc == 1)
        return 1;
    if (rc == 0)
        WHY("evaluation %zu: regex did not match", n);
    else
        WHY("evaluation %zu: regex error: %s", n, rerr);
    return 0;
}

static int
match_all(const struct rule *r, struct alert *a, bool tags_known,
    char *why, size_t whylen)
{
    size_t i;

    if (!r->enabled) {
        WHY("rule disabled");
        return 0;
    }
    for (i = 0; i < r->nevals; i++) {
        if (match_eval(&r->evals[i], i + 1, a, tags_known, why, whylen) == 0)
            return 0;
    }
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    return 1;
}

int
match_rule(const struct rule *r, struct alert *a, char *why,
    size_t whylen)
{
    return match_all(r, a, false, why, whylen);
}

int
match_rule_tags_known(const struct rule *r, struct alert *a)
{
    return match_all(r, a, true, NULL, 0);
}
