/*
 * Rule matching (see match.h). Tags are checked before the regex because
 * they are cheaper and usually decide.
 */
#include "match.h"

#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "json.h"
#include "rules.h"

bool
match_rule_applies(const struct rule *r, const struct alert *a)
{
    return rules_for_feed(r, a->feed_type);
}

static int
match_eval(const struct rule_eval *ev, size_t n, const struct alert *a,
    char *why, size_t whylen)
{
    const cJSON *v;
    char rerr[128];
    size_t i;
    int rc;

    for (i = 0; i < ev->ntags; i++) {
        if (!alert_has_tag(a, ev->tags[i])) {
            snprintf(why, whylen, "evaluation %zu: tag %s missing", n,
                ev->tags[i]);
            return 0;
        }
    }
    if (ev->search_key == NULL)
        return 1;
    if ((v = json_path(a->doc, ev->search_key)) == NULL) {
        snprintf(why, whylen, "evaluation %zu: search_key %s absent", n,
            ev->search_key);
        return 0;
    }
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        snprintf(why, whylen, "evaluation %zu: search_key %s is not a "
            "string", n, ev->search_key);
        return 0;
    }
    rc = rules_regex_search(ev, v->valuestring, strlen(v->valuestring),
        rerr, sizeof(rerr));
    if (rc == 1)
        return 1;
    if (rc == 0)
        snprintf(why, whylen, "evaluation %zu: regex did not match", n);
    else
        snprintf(why, whylen, "evaluation %zu: regex error: %s", n, rerr);
    return 0;
}

int
match_rule(const struct rule *r, const struct alert *a, char *why,
    size_t whylen)
{
    size_t i;

    if (!r->enabled) {
        snprintf(why, whylen, "rule disabled");
        return 0;
    }
    for (i = 0; i < r->nevals; i++) {
        if (match_eval(&r->evals[i], i + 1, a, why, whylen) == 0)
            return 0;
    }
    if (whylen > 0)
        why[0] = '\0';
    return 1;
}
