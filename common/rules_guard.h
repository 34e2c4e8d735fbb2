/*
 * The guardrail fields of a rule (DESIGN §13), all optional: an original
 * rule file has none and means what it did, except that a failed task now
 * stops later tasks on that entity (on_failure "stop" is the default).
 *   "mode": "auto" | "approve" | "notify"
 *   "cooldown": {"window": "30m", "max_runs": 1}    per (rule, entity)
 *   "max_entities": 20                              blast radius
 *   "recheck": true                                 read the alert back
 *   "verify": {"within": "10m"}                     did the alert close?
 *   "on_failure": "stop" | "continue"
 * rules_guard_parse validates them with the rest of the rule, so a bad one
 * is "path:line:col: error: rule "x": "cooldown.window" ..." and the rule
 * is rejected whole.
 */
#ifndef ALEXIS_RULES_GUARD_H
#define ALEXIS_RULES_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum rule_mode {
    RULE_MODE_AUTO,
    RULE_MODE_APPROVE,
    RULE_MODE_NOTIFY,
};

struct rule_guard {
    enum rule_mode  mode;
    uint64_t        cooldown_window_ms;     /* 0: no cooldown */
    uint32_t        cooldown_max_runs;      /* >= 1 with a window */
    uint32_t        max_entities;           /* 0: no limit */
    bool            recheck;                /* default true */
    uint64_t        verify_within_ms;       /* 0: no verification */
    bool            on_failure_continue;    /* default false: stop */
};

struct parse_ctx;

/* Read the guardrail fields of the rule object root into g (defaults for
 * those absent). -1 with the located error in the context's buffer. */
int rules_guard_parse(struct parse_ctx *c, const cJSON *root,
    struct rule_guard *g);

/* "auto", "approve" or "notify". */
const char *rules_guard_mode_name(enum rule_mode m);

#endif
