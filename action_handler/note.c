/*
 * Ticket note formatting (see note.h). The note is for a person reading
 * the ticket: one summary line per entity, then the output tails.
 */
#include "note.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "rules.h"
#include "text.h"
#include "utf8.h"
#include "xmem.h"

#define NOTE_CUT_MARK   "\n[note cut to fit the ticket; the full result " \
    "is GET /v1/jobs/"

static const char *
task_field(const struct note_job *nj, int task, bool reason)
{
    const struct rule_task *t;

    if (nj->rule == NULL || task < 0 || (size_t)task >= nj->rule->ntasks)
        return "";
    t = &nj->rule->tasks[task];
    if (reason)
        return t->action_reason != NULL ? t->action_reason : "";
    return t->action != NULL ? t->action : "";
}

static void
summary_line(struct buf *b, const struct job_row *r)
{
    (void)!buf_appendf(b, "- %s: %s", r->entity, r->state);
    if (r->exit_status >= 0)
        (void)!buf_appendf(b, ", exit status %d", r->exit_status);
    if (r->signal[0] != '\0')
        (void)!buf_appendf(b, ", killed by signal %s", r->signal);
    if (strcmp(r->outcome, "ok") != 0 && strcmp(r->outcome, "dry_run") != 0)
        (void)!buf_appendf(b, ", %s", r->outcome);
    (void)!buf_appendf(b, ", %llu ms", (unsigned long long)r->duration_ms);
    if (r->truncated)
        (void)!buf_appends(b, ", output truncated");
    if (r->error[0] != '\0')
        (void)!buf_appendf(b, "\n  error: %s", r->error);
    (void)!buf_appends(b, "\n");
}

static void
tail_block(struct buf *b, const char *name, const char *s, size_t len,
    size_t max)
{
    size_t start;
    char *clean;

    if (len == 0 || max == 0)
        return;
    start = text_tail_start(s, len, max);
    clean = text_clean(s + start, len - start);
    (void)!buf_appendf(b, "  %s%s:\n%s%s", name, start > 0 ?
        " (last part)" : "", clean,
        clean[0] != '\0' && clean[strlen(clean) - 1] != '\n' ? "\n" : "");
    free(clean);
}

static size_t
header(struct buf *b, const struct note_job *nj)
{
    (void)!buf_appendf(b, "Alexis remediation %s: rule %s, job %s\n",
        nj->state, nj->rule_name, nj->id);
    if (nj->reason != NULL && nj->reason[0] != '\0')
        (void)!buf_appendf(b, "Reason: %s\n", nj->reason);
    return b->len;
}

/* Bytes of output tail each entity may show so that the note fits. */
static size_t
tail_budget(const struct note_job *nj, size_t max)
{
    struct buf probe;
    size_t i, fixed, streams = 0;

    buf_init(&probe, AH_NOTE_BUILD_MAX);
    header(&probe, nj);
    for (i = 0; i < nj->nrows; i++) {
        (void)!buf_appendf(&probe, "Task %d: %s (%s)\n", nj->rows[i].task + 1,
            task_field(nj, nj->rows[i].task, false),
            task_field(nj, nj->rows[i].task, true));
        summary_line(&probe, &nj->rows[i]);
        streams += (nj->rows[i].out_len > 0) + (nj->rows[i].err_len > 0);
    }
    fixed = probe.len + streams * 32;
    buf_free(&probe);
    if (streams == 0 || fixed >= max)
        return 0;
    /* Clean text may grow (U+FFFD is 3 bytes); count each byte as 3. */
    if ((max - fixed) / streams / 3 < AH_NOTE_TAIL)
        return (max - fixed) / streams / 3;
    return AH_NOTE_TAIL;
}

/* Cut b to max bytes at a character boundary, with the pointer. */
static void
cut(struct buf *b, const char *id, size_t max)
{
    size_t keep, marklen = strlen(NOTE_CUT_MARK) + strlen(id) + 3;

    if (b->len <= max)
        return;
    keep = max > marklen ? max - marklen : 0;
    keep = utf8_cut(b->data, keep);
    b->len = keep;
    b->data[keep] = '\0';
    (void)!buf_appendf(b, "%s%s]", NOTE_CUT_MARK, id);
}

char *
note_format(const struct note_job *nj, size_t max)
{
    const struct job_row *r;
    struct buf b;
    size_t i, tail = tail_budget(nj, max);
    int task = -1;

    buf_init(&b, AH_NOTE_BUILD_MAX);
    header(&b, nj);
    if (nj->nrows == 0)
        (void)!buf_appends(&b, "No command was run.\n");
    for (i = 0; i < nj->nrows; i++) {
        r = &nj->rows[i];
        if (r->task != task) {
            task = r->task;
            (void)!buf_appendf(&b, "Task %d: %s (%s)\n", task + 1,
                task_field(nj, task, false), task_field(nj, task, true));
        }
        summary_line(&b, r);
        tail_block(&b, "stdout", r->out, r->out_len, tail);
        tail_block(&b, "stderr", r->err, r->err_len, tail);
    }
    cut(&b, nj->id, max);
    return buf_steal(&b);
}
