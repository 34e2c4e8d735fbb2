/*
 * Guardrail notes (see guard_note.h). Short on purpose: a person reading
 * the ticket needs what happened, why, and what to do.
 */
#include "guard_note.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "rules.h"
#include "window.h"
#include "xmem.h"

#define GUARD_NOTE_BUILD_MAX    8192

bool
guard_note_applies(const char *state)
{
    return strcmp(state, "skipped") == 0 || strcmp(state, "refused") == 0 ||
        strcmp(state, "pending_approval") == 0 ||
        strcmp(state, "rejected") == 0 || strcmp(state, "cancelled") == 0;
}

static void
tasks_line(struct buf *b, const struct rule *r)
{
    size_t i;

    if (r == NULL || r->ntasks == 0)
        return;
    (void)!buf_appends(b, "Tasks:");
    for (i = 0; i < r->ntasks; i++)
        (void)!buf_appendf(b, "%s %s", i > 0 ? "," : "", r->tasks[i].action);
    (void)!buf_appends(b, "\n");
}

char *
guard_note_format(const struct job *j, const struct rule *r)
{
    const char *reason = j->reason != NULL ? j->reason : "";
    struct buf b;

    buf_init(&b, GUARD_NOTE_BUILD_MAX);
    if (strcmp(j->state, "pending_approval") == 0) {
        (void)!buf_appendf(&b, "Alexis: rule %s needs approval before it "
            "runs (job %s).\n", j->rule_name, j->id);
        tasks_line(&b, r);
        (void)!buf_appendf(&b, "Approve: POST /v1/jobs/%s/approve; reject: "
            "POST /v1/jobs/%s/reject (a token with \"approve\": true).\n",
            j->id, j->id);
    } else if (strcmp(j->state, "rejected") == 0 ||
        strcmp(j->state, "cancelled") == 0) {
        (void)!buf_appendf(&b, "Alexis: job %s of rule %s was %s%s%s; "
            "nothing was run.\n", j->id, j->rule_name, j->state,
            j->approver != NULL ? " by " : "",
            j->approver != NULL ? j->approver : "");
    } else {
        (void)!buf_appendf(&b, "Alexis: rule %s was %s (reason %s, job "
            "%s); needs investigation.\n", j->rule_name, j->state, reason,
            j->id);
        if (j->detail != NULL && j->detail[0] != '\0')
            (void)!buf_appendf(&b, "%s.\n", j->detail);
        else if (strcmp(reason, "alert_closed") == 0)
            (void)!buf_appends(&b, "The alert was closed before the first "
                "command; nothing was run.\n");
        if (strcmp(reason, "notify") == 0)
            tasks_line(&b, r);
    }
    return buf_steal(&b);
}

char *
guard_note_verify(const struct job *j, bool verified, uint64_t within_ms)
{
    char w[32];
    struct buf b;

    buf_init(&b, GUARD_NOTE_BUILD_MAX);
    window_format(within_ms, w, sizeof(w));
    if (verified)
        (void)!buf_appendf(&b, "Alexis: verified. The alert closed within "
            "%s of rule %s's remediation (job %s).\n", w, j->rule_name,
            j->id);
    else
        (void)!buf_appendf(&b, "Alexis: NOT verified. The alert is still "
            "open %s after rule %s's remediation succeeded (job %s); needs "
            "investigation.\n", w, j->rule_name, j->id);
    return buf_steal(&b);
}
