/*
 * alexis-match-bench: the cost of matching one alert against a rules
 * directory, with each way of turning non-matching rules away early, in
 * the same run (issue 10, "Code that must pay for itself"):
 *
 *   pcre2              tags, then pcre2_match (which checks PCRE2's own
 *                      start-up information inside before it tries a
 *                      position)
 *   start_info         tags, then the same information checked with a
 *                      memchr before pcre2_match is entered (the
 *                      classifier's prefilter, rules.h)
 *   index+X            the same, but the feed and tag checks come from
 *                      the rule set's index (rule_index.h), and only
 *                      the rules it finds every tag of are searched
 *                      (the classifier: index+start_info)
 *
 *   alexis-match-bench RULES_DIR ENVELOPE.json [ITERATIONS]
 *
 * Prints one line per variant: ns per alert (best of ROUNDS interleaved
 * rounds) and the ratio to "pcre2". bench/match_bench.py runs it at 4,
 * 100 and 1000 rules.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "alexis_limits.h"
#include "file.h"
#include "json.h"
#include "log.h"
#include "match.h"
#include "rule_index.h"
#include "ruledir.h"
#include "rules.h"
#include "xmem.h"

#define ROUNDS  9   /* each variant's best of this many timed rounds */

enum filter { F_PCRE2, F_INFO };

struct variant {
    const char     *name;
    enum filter     filter;
    bool            index;
};

static const struct variant variants[] = {
    { "pcre2", F_PCRE2, false },
    { "start_info", F_INFO, false },
    { "index+pcre2", F_PCRE2, true },
    { "index+start_info", F_INFO, true },
};

struct bench {
    struct rule_set    *rs;
    struct alert       *a;
    unsigned char      *cand;       /* rule_set_candidates output */
    size_t              n;
};

/* match_rule with the chosen filter in front of PCRE2; tags_known: the
 * index checked the tags already. */
static int
match_with(struct bench *b, size_t ri, enum filter f, bool tags_known)
{
    const struct rule *r = ruledir_set_at(b->rs, ri);
    struct rule_eval ev;
    const cJSON *v;
    char err[ALEXIS_ERR_MAX];
    size_t i, j;

    if (!r->enabled)
        return 0;
    for (i = 0; i < r->nevals; i++) {
        ev = r->evals[i];
        for (j = 0; !tags_known && j < ev.ntags; j++) {
            if (!alert_has_tag_hashed(b->a, ev.tags[j], ev.tag_hashes[j]))
                return 0;
        }
        if (ev.search_key == NULL)
            continue;
        if ((v = alert_lookup(b->a, ev.search_key)) == NULL ||
            !cJSON_IsString(v))
            return 0;
        if (f == F_PCRE2)
            ev.prefilter = false;
        if (rules_regex_search(&ev, v->valuestring, strlen(v->valuestring),
            err, sizeof(err)) != 1)
            return 0;
    }
    return 1;
}

static size_t
one_alert(struct bench *b, const struct variant *v)
{
    size_t i, matched = 0;

    if (v->index)
        rule_index_candidates(ruledir_set_index(b->rs), b->a, b->cand);
    for (i = 0; i < b->n; i++) {
        if (v->index) {
            if (b->cand[i] == RULE_INDEX_TAGS_PRESENT)
                matched += (size_t)match_with(b, i, v->filter, true);
        } else if (match_rule_applies(ruledir_set_at(b->rs, i), b->a)) {
            matched += (size_t)match_with(b, i, v->filter, false);
        }
    }
    return matched;
}

static double
now_ns(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct alert *
load_alert(const char *path)
{
    char err[ALEXIS_ERR_MAX], *text;
    struct alert *a;
    cJSON *doc;
    size_t len;

    if ((text = file_slurp(path, 1 << 20, &len, err, sizeof(err))) == NULL ||
        (doc = json_parse_located(text, len, path, err, sizeof(err))) ==
        NULL) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    free(text);
    a = xcalloc(1, sizeof(*a));
    if (alert_from_json(a, doc, err, sizeof(err)) == -1) {
        fprintf(stderr, "%s: %s\n", path, err);
        exit(1);
    }
    return a;
}

int
main(int argc, char **argv)
{
    struct bench b = { 0 };
    struct ruledir *rd;
    char err[ALEXIS_ERR_MAX];
    double best[sizeof(variants) / sizeof(variants[0])];
    size_t i, k, iters, m0 = 0, m;
    int round;

    if (argc < 3) {
        fprintf(stderr, "usage: alexis-match-bench RULES_DIR ENVELOPE "
            "[ITERATIONS]\n");
        return 2;
    }
    iters = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000;
    log_init("match-bench", LOG_WARN, 2);
    rd = ruledir_new(argv[1]);
    if ((b.rs = ruledir_get(rd, err, sizeof(err))) == NULL) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    b.n = ruledir_set_count(b.rs);
    b.a = load_alert(argv[2]);
    b.cand = xcalloc(b.n + 1, 1);
    for (k = 0; k < NELEM(variants); k++)
        best[k] = 1e300;
    /* Rounds interleave the variants, so load on the machine hits all. */
    for (round = 0; round < ROUNDS; round++) {
        for (k = 0; k < NELEM(variants); k++) {
            double t0 = now_ns(), t;

            m = 0;
            for (i = 0; i < iters; i++) {
                b.a->ncache = 0;    /* a fresh alert's lookup cache */
                m += one_alert(&b, &variants[k]);
            }
            t = (now_ns() - t0) / (double)iters;
            if (k == 0)
                m0 = m;
            else if (m != m0) {
                fprintf(stderr, "%s matched %zu times, pcre2 %zu\n",
                    variants[k].name, m, m0);
                return 1;
            }
            if (t < best[k])
                best[k] = t;
        }
    }
    printf("rules %zu, matches per alert %zu\n", b.n, m0 / iters);
    for (k = 0; k < NELEM(variants); k++)
        printf("%-18s %10.0f ns/alert  %5.2f x pcre2\n", variants[k].name,
            best[k], best[k] / best[0]);
    alert_cleanup(b.a);
    free(b.a);
    free(b.cand);
    ruledir_set_release(b.rs);
    ruledir_free(rd);
    return 0;
}
