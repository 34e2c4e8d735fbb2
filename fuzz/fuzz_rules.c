/*
 * Fuzz target: the rule-file parser (common/rules.c) on arbitrary bytes,
 * as the classifier and the action handler read rules_dir. Beyond "no
 * crash, no leak": a rule that parsed is kept as compact JSON (r->json:
 * the classifier forwards it, the action handler stores it with the job
 * and parses it again to run the job), so that text must parse again into
 * the same rule and print the same.
 */
#include "alexis_limits.h"
#include "fuzz.h"

#include <string.h>

#include "json.h"
#include "rules.h"


/* r->json parsed again must give the same rule, printed the same. */
static void
check_reparse(const struct rule *r)
{
    char err[RULE_ERR_MAX];
    struct rule *again;
    size_t i;

    again = rules_parse(r->json, strlen(r->json), "reprinted.json", err,
        sizeof(err));
    if (again == NULL)
        fprintf(stderr, "reparse failed: %s\n", err);
    FUZZ_CHECK(again != NULL);
    FUZZ_CHECK(strcmp(again->json, r->json) == 0);
    FUZZ_CHECK(strcmp(again->name, r->name) == 0);
    FUZZ_CHECK(again->enabled == r->enabled);
    FUZZ_CHECK(again->feed_type == r->feed_type);
    FUZZ_CHECK(again->nevals == r->nevals && again->ntasks == r->ntasks);
    for (i = 0; i < r->nevals; i++) {
        FUZZ_CHECK(again->evals[i].ntags == r->evals[i].ntags);
        FUZZ_CHECK(again->evals[i].prefilter == r->evals[i].prefilter);
    }
    for (i = 0; i < r->ntasks; i++) {
        FUZZ_CHECK(again->tasks[i].delay_after_ms ==
            r->tasks[i].delay_after_ms);
        FUZZ_CHECK(again->tasks[i].timeout_ms == r->tasks[i].timeout_ms);
    }
    rules_unref(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[RULE_ERR_MAX];
    struct rule *r;

    json_init();
    err[0] = '\0';
    r = rules_parse((const char *)data, size, "fuzz.json", err,
        sizeof(err));
    if (r == NULL) {
        /* Every rejection says where, in the documented form. */
        FUZZ_CHECK(strncmp(err, "fuzz.json:", 10) == 0);
        FUZZ_CHECK(strstr(err, ": error: ") != NULL);
        return 0;
    }
    FUZZ_CHECK(r->refs == 1 && r->nevals > 0 && r->ntasks > 0);
    check_reparse(r);
    /* A second reference outlives the first. */
    FUZZ_CHECK(rules_ref(r) == r);
    rules_unref(r);
    FUZZ_CHECK(rules_for_feed(r, r->feed_type));
    rules_unref(r);
    return 0;
}
