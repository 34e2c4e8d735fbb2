/*
 * Guardrail decisions (see guard.h).
 */
#include "guard.h"

#include <stdio.h>
#include <string.h>

#include "alexis_limits.h"
#include "rules_guard.h"
#include "window.h"

static void
verdict(struct job_verdict *v, const char *state, const char *reason)
{
    snprintf(v->state, sizeof(v->state), "%s", state);
    snprintf(v->reason, sizeof(v->reason), "%s", reason);
}

/* The first entity in cooldown, or -1 (-2 on a count error). */
static long
cooled_entity(const struct job_guard *g, uint64_t now,
    const struct guard_counter *cnt, uint64_t *runs, char *err,
    size_t errlen)
{
    uint64_t since = window_start(now, g->cooldown_window_ms);
    size_t i;

    for (i = 0; i < g->nentities; i++) {
        if (cnt->entity_runs(cnt->arg, g->entities[i], since, runs, err,
            errlen) == -1)
            return -2;
        if (!window_has_room(*runs, g->cooldown_max_runs))
            return (long)i;
    }
    return -1;
}

int
guard_decide(const struct job_guard *g, uint64_t now,
    const struct guard_counter *cnt, struct job_verdict *v, char *err,
    size_t errlen)
{
    char w[32];
    uint64_t n = 0;
    long e;

    memset(v, 0, sizeof(*v));
    if (g->mode == RULE_MODE_NOTIFY) {
        verdict(v, "skipped", "notify");
        snprintf(v->detail, sizeof(v->detail), "mode notify: the rule's "
            "tasks would run on %zu entit%s; nothing was run", g->nentities,
            g->nentities == 1 ? "y" : "ies");
        return 0;
    }
    if (g->resolved && g->max_entities > 0 &&
        g->nentities > g->max_entities) {
        verdict(v, "refused", "blast_radius");
        snprintf(v->detail, sizeof(v->detail), "the job resolved to %zu "
            "entities, more than max_entities %u; nothing was run",
            g->nentities, g->max_entities);
        return 0;
    }
    if (g->storm_window_ms > 0) {
        if (cnt->admitted(cnt->arg, window_start(now, g->storm_window_ms),
            &n, err, errlen) == -1)
            return -1;
        if (!window_has_room(n, g->storm_max_jobs)) {
            verdict(v, "skipped", "storm_breaker");
            snprintf(v->detail, sizeof(v->detail), "storm breaker: %llu "
                "jobs within %s (max_jobs %u); nothing was run",
                (unsigned long long)n, window_format(g->storm_window_ms, w,
                sizeof(w)), g->storm_max_jobs);
            return 0;
        }
    }
    if (g->cooldown_window_ms > 0 && g->resolved) {
        if ((e = cooled_entity(g, now, cnt, &n, err, errlen)) == -2)
            return -1;
        if (e >= 0) {
            verdict(v, "skipped", "cooldown");
            snprintf(v->detail, sizeof(v->detail), "cooldown: entity %s "
                "ran this rule %llu time%s within %s (max_runs %u); nothing "
                "was run", g->entities[e], (unsigned long long)n,
                n == 1 ? "" : "s", window_format(g->cooldown_window_ms, w,
                sizeof(w)), g->cooldown_max_runs);
            return 0;
        }
    }
    if (g->mode == RULE_MODE_APPROVE) {
        verdict(v, "pending_approval", "approval_required");
        snprintf(v->detail, sizeof(v->detail), "mode approve: waiting for "
            "POST /v1/jobs/<id>/approve");
        return 0;
    }
    verdict(v, "queued", "");
    return 0;
}

bool
guard_recheck_skips(enum guard_alert_state st)
{
    return st == GUARD_ALERT_CLOSED;
}

uint64_t
guard_verify_next(uint64_t now, uint64_t deadline, uint64_t within)
{
    uint64_t gap = within / 10;

    if (gap < GUARD_VERIFY_POLL_MIN_MS)
        gap = GUARD_VERIFY_POLL_MIN_MS;
    if (gap > GUARD_VERIFY_POLL_MAX_MS)
        gap = GUARD_VERIFY_POLL_MAX_MS;
    if (now >= deadline || gap >= deadline - now)
        return deadline;
    return now + gap;
}
