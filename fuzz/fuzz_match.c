/*
 * Fuzz target: matching, as the classifier does it for each request. The
 * input is a rule file and an alert envelope separated by the first NUL
 * byte (no NUL: the whole input is the rule, matched against a built-in
 * envelope). The rule goes through rules_parse, the envelope through
 * json_parse_located and alert_from_json, and classifier/match.c decides.
 * Checked properties:
 *  - match_rule gives the same answer with and without a reason buffer,
 *    and the same as a plain re-implementation of DESIGN §7 here that
 *    uses no prefilter and no lookup cache;
 *  - the prefilter (PCRE2's start-up information, rules.h) never says
 *    "no match" when the regex matches: rules_regex_search with and
 *    without it agree on every string of the envelope, the pattern itself
 *    and the empty string.
 */
#include "alexis_limits.h"
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "alert.h"
#include "alert_tag.h"
#include "json.h"
#include "match.h"
#include "rule_index.h"
#include "rules.h"

#define SUBJECTS_MAX    64      /* strings of the envelope tried per regex */
#define EVALS_CHECKED   16      /* evaluations checked per rule */

static const char default_envelope[] =
    "{\"message\":\"Service 17 latency above 500ms on host-1\","
    "\"tinyId\":\"5120\",\"id\":\"a-b-c\",\"tags\":[\"env:prod\",\"gc\"],"
    "\"details\":{\"host\":\"host-1.prod.example.com\",\"count\":3},"
    "\"alexis\":{\"feed_type\":\"opsgenie\",\"unique_value\":\"5120\"}}";

struct subjects {
    const char  *s[SUBJECTS_MAX];
    size_t       n;
};

/* Every string value and member name of the tree, up to SUBJECTS_MAX. */
static void
collect(const cJSON *node, struct subjects *sub)
{
    const cJSON *c;

    for (c = node; c != NULL && sub->n < SUBJECTS_MAX; c = c->next) {
        if (c->string != NULL && sub->n < SUBJECTS_MAX)
            sub->s[sub->n++] = c->string;
        if (cJSON_IsString(c) && c->valuestring != NULL &&
            sub->n < SUBJECTS_MAX)
            sub->s[sub->n++] = c->valuestring;
        if (c->child != NULL)
            collect(c->child, sub);
    }
}

/* One regex against one subject, with the rule's prefilter (PCRE2's
 * start-up information) and without. */
static void
check_prefilter(const struct rule_eval *ev, const char *subject)
{
    struct rule_eval plain = *ev;
    char err[ALEXIS_ERR_MAX];
    size_t len = strlen(subject);
    int with, without;

    plain.prefilter = false;
    with = rules_regex_search(ev, subject, len, err, sizeof(err));
    without = rules_regex_search(&plain, subject, len, err, sizeof(err));
    /* The prefilter may turn "match limit hit" into "no match", as it
     * never enters the regex; any other difference is a wrong prefilter. */
    if (with != without && !(with == 0 && without == -1)) {
        fprintf(stderr, "pattern [%s] subject [%s]: %d with the prefilter, "
            "%d without\n", ev->search_text, subject, with, without);
    }
    FUZZ_CHECK(with == without || (with == 0 && without == -1));
}

static void
check_prefilters(const struct rule *r, const struct alert *a)
{
    const struct rule_eval *ev;
    struct subjects sub = { .n = 0 };
    size_t i, j;

    if (a != NULL)
        collect(a->doc, &sub);
    for (i = 0; i < r->nevals && i < EVALS_CHECKED; i++) {
        ev = &r->evals[i];
        if (ev->re == NULL)
            continue;
        check_prefilter(ev, ev->search_text);
        check_prefilter(ev, "");
        for (j = 0; j < sub.n; j++)
            check_prefilter(ev, sub.s[j]);
    }
}

/* DESIGN §7 without shortcuts: all tags present (by text), the value at
 * search_key a string the regex (no prefilter) finds; errors do not
 * match. */
static int
reference_match(const struct rule *r, const struct alert *a)
{
    const struct rule_eval *ev;
    struct rule_eval plain;
    const cJSON *v;
    char err[ALEXIS_ERR_MAX];
    size_t i, j, k;

    if (!r->enabled)
        return 0;
    for (i = 0; i < r->nevals; i++) {
        ev = &r->evals[i];
        for (j = 0; j < ev->ntags; j++) {
            for (k = 0; k < a->ntags; k++) {
                if (strcmp(a->tags[k], ev->tags[j]) == 0)
                    break;
            }
            if (k == a->ntags)
                return 0;
        }
        if (ev->search_key == NULL)
            continue;
        v = json_path(a->doc, ev->search_key);
        if (!cJSON_IsString(v) || v->valuestring == NULL)
            return 0;
        plain = *ev;
        plain.prefilter = false;
        if (rules_regex_search(&plain, v->valuestring,
            strlen(v->valuestring), err, sizeof(err)) != 1)
            return 0;
    }
    return 1;
}

static void
check_match(const struct rule *r, struct alert *a)
{
    char why[ALEXIS_ERR_MAX];
    struct rule_index *ix;
    unsigned char verdict;
    size_t i;
    int m, quiet, ref;

    for (i = 0; i < a->ntags; i++) {
        FUZZ_CHECK(alert_has_tag_hashed(a, a->tags[i],
            alert_tag_hash(a->tags[i])));
    }
    (void)match_rule_applies(r, a);
    why[0] = 'x';
    m = match_rule(r, a, why, sizeof(why));
    FUZZ_CHECK(m == 0 || m == 1);
    FUZZ_CHECK(m == 1 ? why[0] == '\0' : why[0] != '\0');
    /* Twice: the second run answers from the alert's lookup cache. */
    quiet = match_rule(r, a, NULL, 0);
    ref = reference_match(r, a);
    FUZZ_CHECK(quiet == m);
    if (m != ref) {
        fprintf(stderr, "match_rule says %d (%s), the reference %d\n", m,
            why, ref);
    }
    FUZZ_CHECK(m == ref);
    /* The rule index's feed and tag verdict agrees with match_rule. */
    ix = rule_index_build(&r, 1);
    rule_index_candidates(ix, a, &verdict);
    FUZZ_CHECK((verdict == RULE_INDEX_OTHER_FEED) ==
        !match_rule_applies(r, a));
    if (verdict == RULE_INDEX_TAG_MISSING)
        FUZZ_CHECK(m == 0);
    if (verdict == RULE_INDEX_TAGS_PRESENT)
        FUZZ_CHECK(match_rule_tags_known(r, a) == m);
    rule_index_free(ix);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *env = default_envelope;
    const uint8_t *nul = memchr(data, '\0', size);
    size_t rlen = size, elen = sizeof(default_envelope) - 1;
    char err[ALEXIS_ERR_MAX];
    struct alert a, *ap = NULL;
    struct rule *r;
    cJSON *doc;

    json_init();
    if (nul != NULL) {
        rlen = (size_t)(nul - data);
        env = text + rlen + 1;
        elen = size - rlen - 1;
    }
    r = rules_parse(text, rlen, "fuzz.json", err, sizeof(err));
    if ((doc = json_parse_located(env, elen, "envelope", err,
        sizeof(err))) != NULL) {
        /* alert_from_json owns doc from here, failed or not. */
        if (alert_from_json(&a, doc, err, sizeof(err)) == 0)
            ap = &a;
        else
            alert_cleanup(&a);
    }
    if (r != NULL)
        check_prefilters(r, ap);
    if (r != NULL && ap != NULL)
        check_match(r, ap);
    /* The alert's lookup cache borrows the rule's search keys. */
    if (ap != NULL)
        alert_cleanup(ap);
    rules_unref(r);
    return 0;
}
