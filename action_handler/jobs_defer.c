/*
 * Writes kept in memory while the store fails (see jobs.h): a FIFO of
 * copies, written back by jobs_defer_flush in order, so a job's final state is
 * never written before its result rows.
 */
#include "jobs_defer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "jobs.h"
#include "jobs_int.h"
#include "xmem.h"

enum deferred_kind {
    DEFER_RESULT,
    DEFER_FINISH,
    DEFER_REPORT,
};

struct jobs_deferred {
    struct jobs_deferred   *next;
    enum deferred_kind      kind;
    char                    id[JOB_ID_LEN];
    struct job_result       r;          /* DEFER_RESULT: strings owned */
    char                   *state;      /* DEFER_FINISH */
    char                   *reason;     /* DEFER_FINISH, may be NULL */
    bool                    sent;       /* DEFER_REPORT */
    char                   *error;      /* DEFER_REPORT, may be NULL */
    int                     attempts;   /* DEFER_REPORT */
};

static char *
dup_or_null(const char *s)
{
    return s != NULL ? xstrdup(s) : NULL;
}

static char *
bytes_dup(const char *p, size_t n)
{
    char *s = xmalloc(n + 1);

    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static void
entry_free(struct jobs_deferred *d)
{
    free((char *)(uintptr_t)d->r.entity);
    free((char *)(uintptr_t)d->r.action);
    free((char *)(uintptr_t)d->r.state);
    free((char *)(uintptr_t)d->r.outcome);
    free((char *)(uintptr_t)d->r.signal);
    free((char *)(uintptr_t)d->r.out);
    free((char *)(uintptr_t)d->r.err);
    free((char *)(uintptr_t)d->r.error);
    free(d->state);
    free(d->reason);
    free(d->error);
    free(d);
}

/* Drop what is still queued: js->dq_free, called by jobs_close. */
static void
queue_free(struct jobs *js)
{
    struct jobs_deferred *d, *next;

    for (d = js->dq_head; d != NULL; d = next) {
        next = d->next;
        entry_free(d);
    }
    js->dq_head = js->dq_tail = NULL;
    js->ndeferred = 0;
}

static void
push(struct jobs *js, struct jobs_deferred *d, const char *id)
{
    snprintf(d->id, sizeof(d->id), "%s", id);
    pthread_mutex_lock(&js->lock);
    if (js->dq_tail != NULL)
        js->dq_tail->next = d;
    else
        js->dq_head = d;
    js->dq_tail = d;
    js->ndeferred++;
    js->dq_free = queue_free;
    pthread_mutex_unlock(&js->lock);
}

void
jobs_defer_result(struct jobs *js, const char *id, const struct job_result *r)
{
    struct jobs_deferred *d = xcalloc(1, sizeof(*d));

    d->kind = DEFER_RESULT;
    d->r = *r;
    d->r.entity = dup_or_null(r->entity);
    d->r.action = dup_or_null(r->action);
    d->r.state = dup_or_null(r->state);
    d->r.outcome = dup_or_null(r->outcome);
    d->r.signal = dup_or_null(r->signal);
    d->r.out = bytes_dup(r->out != NULL ? r->out : "", r->out_len);
    d->r.err = bytes_dup(r->err != NULL ? r->err : "", r->err_len);
    d->r.error = dup_or_null(r->error);
    push(js, d, id);
}

void
jobs_defer_finish(struct jobs *js, const char *id, const char *state,
    const char *reason)
{
    struct jobs_deferred *d = xcalloc(1, sizeof(*d));

    d->kind = DEFER_FINISH;
    d->state = xstrdup(state);
    d->reason = dup_or_null(reason);
    push(js, d, id);
}

void
jobs_defer_report(struct jobs *js, const char *id, bool sent,
    const char *error, int attempts)
{
    struct jobs_deferred *d = xcalloc(1, sizeof(*d));

    d->kind = DEFER_REPORT;
    d->sent = sent;
    d->error = dup_or_null(error);
    d->attempts = attempts;
    push(js, d, id);
}

static int
write_one(struct jobs *js, const struct jobs_deferred *d)
{
    char err[ALEXIS_ERR_MAX];

    switch (d->kind) {
    case DEFER_RESULT:
        return jobs_result_add(js, d->id, &d->r, err, sizeof(err));
    case DEFER_FINISH:
        return jobs_finish(js, d->id, d->state, d->reason, err,
            sizeof(err));
    default:
        return jobs_report_done(js, d->id, d->sent, d->error, d->attempts,
            err, sizeof(err));
    }
}

size_t
jobs_defer_flush(struct jobs *js)
{
    struct jobs_deferred *d;
    size_t left;
    int rc;

    for (;;) {
        pthread_mutex_lock(&js->lock);
        if (js->flushing || (d = js->dq_head) == NULL) {
            left = js->ndeferred;
            pthread_mutex_unlock(&js->lock);
            return left;
        }
        js->flushing = true;
        pthread_mutex_unlock(&js->lock);
        /* The head stays queued while it is written: a writer that
         * defers meanwhile appends behind it. */
        rc = write_one(js, d);
        pthread_mutex_lock(&js->lock);
        js->flushing = false;
        if (rc == 0) {
            js->dq_head = d->next;
            if (js->dq_head == NULL)
                js->dq_tail = NULL;
            js->ndeferred--;
        }
        left = js->ndeferred;
        pthread_mutex_unlock(&js->lock);
        if (rc == -1)
            return left;
        entry_free(d);
    }
}

bool
jobs_defer_health(struct jobs *js, char *err, size_t errlen)
{
    bool ok;

    pthread_mutex_lock(&js->lock);
    ok = !js->failing && js->ndeferred == 0;
    if (!ok)
        snprintf(err, errlen, "%s", js->failing ? js->health_err :
            "writes are waiting for the job store");
    pthread_mutex_unlock(&js->lock);
    return ok;
}
