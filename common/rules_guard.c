/*
 * Parsing the guardrail fields of a rule (see rules_guard.h). Windows go
 * through window_parse, the one parser every guardrail window uses.
 */
#include "rules_guard.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alexis_limits.h"
#include "rules_int.h"
#include "str.h"
#include "window.h"

const char *
rules_guard_mode_name(enum rule_mode m)
{
    switch (m) {
    case RULE_MODE_APPROVE:
        return "approve";
    case RULE_MODE_NOTIFY:
        return "notify";
    default:
        return "auto";
    }
}

/* A window member of an object (key named as shown in messages). */
static int
get_window(struct parse_ctx *c, const cJSON *obj, const char *key,
    const char *shown, uint64_t max_ms, uint64_t *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    const char *errstr = "invalid";
    char maxs[32];

    if (it == NULL)
        return rules_fail(c, NULL, "missing \"%s\"", shown);
    if (cJSON_IsNumber(it) && it->valuedouble < 0)
        errstr = "negative";
    else if (cJSON_IsString(it) &&
        window_parse(it->valuestring, max_ms, out, &errstr) == 0)
        return 0;
    if (strcmp(errstr, "negative") == 0)
        return rules_fail(c, key, "\"%s\" must not be negative", shown);
    if (strcmp(errstr, "too large") == 0)
        return rules_fail(c, key, "\"%s\" must be at most %s", shown,
            window_format(max_ms, maxs, sizeof(maxs)));
    if (strcmp(errstr, "zero") == 0)
        return rules_fail(c, key, "\"%s\" must be longer than 0", shown);
    return rules_fail(c, key, "\"%s\" must be a window like \"30m\", "
        "\"1h\" or \"10s\"", shown);
}

/* An integer member in min..max; absent leaves *out alone. */
static int
get_count(struct parse_ctx *c, const cJSON *obj, const char *key,
    const char *shown, uint32_t min, uint32_t max, uint32_t *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    double v;

    if (it == NULL)
        return 0;
    v = cJSON_IsNumber(it) ? it->valuedouble : -1;
    /* In range before the cast; a fraction does not survive it. */
    if (!cJSON_IsNumber(it) || !isfinite(v) || v < min || v > max ||
        v != (double)(uint32_t)v)
        return rules_fail(c, key, "\"%s\" must be an integer %u..%u",
            shown, min, max);
    *out = (uint32_t)v;
    return 0;
}

/* true/false or "true"/"false", as "enabled" is written. */
static int
get_flag(struct parse_ctx *c, const cJSON *root, const char *key, bool *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);

    if (it == NULL)
        return 0;
    if (cJSON_IsBool(it)) {
        *out = cJSON_IsTrue(it);
        return 0;
    }
    if (cJSON_IsString(it) && (str_eq_nocase(it->valuestring, "true") ||
        str_eq_nocase(it->valuestring, "false"))) {
        *out = str_eq_nocase(it->valuestring, "true");
        return 0;
    }
    return rules_fail(c, key, "\"%s\" must be true or false", key);
}

/* A one-of string member; absent leaves *out alone. */
static int
get_choice(struct parse_ctx *c, const cJSON *root, const char *key,
    const char *const *names, int *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, key);
    int i;

    if (it == NULL)
        return 0;
    for (i = 0; cJSON_IsString(it) && names[i] != NULL; i++) {
        if (strcmp(it->valuestring, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    if (names[2] != NULL)
        return rules_fail(c, key, "\"%s\" must be \"%s\", \"%s\" or "
            "\"%s\"", key, names[0], names[1], names[2]);
    return rules_fail(c, key, "\"%s\" must be \"%s\" or \"%s\"", key,
        names[0], names[1]);
}

/* The object member key of root (the document), made the current object
 * when it is there; *obj NULL when it is not. */
static int
get_object(struct parse_ctx *c, const cJSON *root, const char *key,
    const cJSON **obj)
{
    *obj = cJSON_GetObjectItemCaseSensitive(root, key);
    if (*obj == NULL)
        return 0;
    if (!cJSON_IsObject(*obj))
        return rules_fail(c, key, "\"%s\" must be an object", key);
    c->at[0] = (struct json_step){ .key = key };
    c->depth = 1;
    return 0;
}

static int
parse_cooldown(struct parse_ctx *c, const cJSON *root, struct rule_guard *g)
{
    const cJSON *obj;
    int rc = 0;

    if (get_object(c, root, "cooldown", &obj) == -1)
        return -1;
    if (obj == NULL)
        return 0;
    g->cooldown_max_runs = 1;
    if (get_window(c, obj, "window", "cooldown.window", GUARD_WINDOW_MAX_MS,
        &g->cooldown_window_ms) == -1 ||
        get_count(c, obj, "max_runs", "cooldown.max_runs", 1,
        GUARD_MAX_RUNS_MAX, &g->cooldown_max_runs) == -1)
        rc = -1;
    c->depth = 0;
    return rc;
}

static int
parse_verify(struct parse_ctx *c, const cJSON *root, struct rule_guard *g)
{
    const cJSON *obj;
    int rc;

    if (get_object(c, root, "verify", &obj) == -1)
        return -1;
    if (obj == NULL)
        return 0;
    rc = get_window(c, obj, "within", "verify.within", GUARD_VERIFY_MAX_MS,
        &g->verify_within_ms);
    c->depth = 0;
    if (rc == 0 && g->mode == RULE_MODE_NOTIFY)
        rc = rules_fail(c, "verify", "\"verify\" cannot go with \"mode\": "
            "\"notify\" (a notify rule runs nothing to verify)");
    return rc;
}

int
rules_guard_parse(struct parse_ctx *c, const cJSON *root,
    struct rule_guard *g)
{
    static const char *const modes[] = { "auto", "approve", "notify", NULL };
    static const char *const failures[] = { "stop", "continue", NULL };
    int mode = RULE_MODE_AUTO, fail = 0;

    memset(g, 0, sizeof(*g));
    g->recheck = true;
    if (get_choice(c, root, "mode", modes, &mode) == -1)
        return -1;
    g->mode = (enum rule_mode)mode;
    if (get_choice(c, root, "on_failure", failures, &fail) == -1 ||
        get_flag(c, root, "recheck", &g->recheck) == -1 ||
        get_count(c, root, "max_entities", "max_entities", 1,
        GUARD_MAX_ENTITIES_MAX, &g->max_entities) == -1 ||
        parse_cooldown(c, root, g) == -1 || parse_verify(c, root, g) == -1)
        return -1;
    g->on_failure_continue = fail == 1;
    return 0;
}
