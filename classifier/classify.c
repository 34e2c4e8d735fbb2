/*
 * The classification process (see classify.h). Order matters for "nothing
 * lost": the ticket is marked only after the action handler accepted the
 * remediation, so when forwarding fails the alert stays unmarked and the
 * poller offers it again on its next loop.
 */
#include "classify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alexis_limits.h"
#include "buf.h"
#include "classifier.h"
#include "clock.h"
#include "json.h"
#include "log.h"
#include "match.h"
#include "metrics.h"
#include "outcome.h"
#include "path.h"
#include "rule_index.h"
#include "ruledir.h"
#include "rules.h"
#include "ticket.h"
#include "xmem.h"

#define WHY_MAX     256
#define NOTE_MAX    1024
/* Bytes action_body adds besides the rule: ,"rule": and the brace. */
#define FORWARD_RULE_OVERHEAD   (sizeof(",\"rule\":") - 1 + 1)

struct run {
    struct classifier       *c;
    const struct classify_io *io;
    struct alert            *a;
    /* The envelope as JSON text ending in its closing '}': the request
     * body as received, or printed when something was taken out. */
    const char              *envelope;
    size_t                   envelope_len;
    char                    *printed;   /* owned, when printed */
    size_t                   checked, matched, forwarded;
    size_t                   definitive;    /* failures that will not pass */
    struct buf               failures;      /* "rule X: reason" lines */
};

/* The end of a job's run: its owner's done, else freed here. */
static void
job_done(struct classify_job *job)
{
    if (job->done != NULL)
        job->done(job);
    else
        classify_job_free(job);
}

void
classify_job_free(struct classify_job *job)
{
    if (job == NULL)
        return;
    alert_cleanup(job->alert);
    free(job->alert);
    free(job->raw);
    free(job);
}

/* The action request: the envelope with "rule" added, spliced as text so
 * the rule goes out exactly as loaded. */
static char *
action_body(const struct run *r, const struct rule *rule, size_t *lenp)
{
    struct buf b;

    buf_init(&b, r->envelope_len + strlen(rule->json) +
        FORWARD_RULE_OVERHEAD);
    if (buf_reserve(&b, b.max) == -1 ||
        buf_append(&b, r->envelope, r->envelope_len - 1) == -1 ||
        buf_appends(&b, ",\"rule\":") == -1 ||
        buf_appends(&b, rule->json) == -1 ||
        buf_append(&b, "}", 1) == -1)
        abort();    /* sized above */
    *lenp = b.len;
    return buf_steal(&b);
}

static int
forward(struct run *r, const struct rule *rule, long *status, char *err,
    size_t errlen)
{
    const char *dest;
    char *body;
    size_t len;
    uint64_t t0 = clock_mono_us();
    int rc;

    *status = 0;
    dest = cfg_strmap_get(&r->c->conf.destinations, rule->os_type);
    if (dest == NULL) {
        *status = 422;  /* a config gap: no poll will fix it */
        snprintf(err, errlen, "no action_handler_destinations entry for "
            "os_type %s", rule->os_type);
        return -1;
    }
    body = action_body(r, rule, &len);
    rc = r->io->forward(r->io->arg, dest, body, len, status, err, errlen);
    free(body);
    if (rc == -1) {
        metrics_inc(METRIC_FORWARDS, "failed", NULL);
        return -1;
    }
    metrics_inc(METRIC_FORWARDS, "ok", NULL);
    log_event(LOG_INFO, "action_forwarded", KV_STR(r->a->id_key, r->a->id),
        KV_STR("rule_name", rule->name), KV_STR("os_type", rule->os_type),
        KV_STR("action_handler", dest), KV_INT("status", *status),
        KV_UINT("app_elapsed_ms", (clock_mono_us() - t0) / 1000));
    return 0;
}

static void
log_ticket(const struct run *r, int ok, const char *what,
    const struct ticket_outcome *o)
{
    if (ok == 0)
        log_event(LOG_INFO, "ticket_marked", KV_STR(r->a->id_key, r->a->id),
            KV_STR("mark", what), KV_INT("status", o->status),
            KV_STR("request_id", o->request_id),
            KV_INT("attempts", o->attempts));
    else
        log_event(LOG_ERROR, "ticket_mark_failed",
            KV_STR(r->a->id_key, r->a->id), KV_STR("mark", what),
            KV_INT("status", o->status), KV_INT("attempts", o->attempts),
            KV_ERR(o->err));
}

static int
ticket_of(const struct run *r, struct ticket_ref *t)
{
    char err[ALEXIS_ERR_MAX];

    if (ticket_resolve(t, r->a, r->c->conf.auth, r->c->conf.nauth, err,
        sizeof(err)) == -1) {
        log_event(LOG_ERROR, "ticket_mark_refused",
            KV_STR(r->a->id_key, r->a->id), KV_ERR(err));
        return -1;
    }
    return 0;
}

/* Mark the ticket for queue q (named queue, with the note saying why),
 * as the alert's ticket system does it (OpsGenie: the team with the note
 * attached; Dynatrace: the note as a comment). */
static void
mark(struct run *r, enum ticket_queue q, const char *queue, const char *note)
{
    struct ticket_outcome o;
    struct ticket_ref t;
    int ok;

    if (r->c->conf.development) {
        log_event(LOG_INFO, "ticket_mark_skipped",
            KV_STR(r->a->id_key, r->a->id),
            KV_STR("mark", ticket_mark_name(r->a->sys, q)),
            KV_STR("reason", "development mode: dry run"));
        return;
    }
    if (ticket_of(r, &t) == -1)
        return;
    memset(&o, 0, sizeof(o));
    ok = r->io->mark(r->io->arg, &t, q, queue, note, &o);
    log_ticket(r, ok, ticket_mark_name(t.sys, q), &o);
}

static void
mark_matched(struct run *r, const struct rule *rule)
{
    char note[NOTE_MAX];

    snprintf(note, sizeof(note), "Alexis: rule %s matched; remediation "
        "accepted by the action handler.", rule->name);
    mark(r, TICKET_QUEUE_REMEDIATION, r->c->conf.remediation_queue, note);
}

static void
mark_unmatched(struct run *r)
{
    char note[NOTE_MAX];

    snprintf(note, sizeof(note), "Alexis: no rule matched (%zu rules "
        "checked); needs investigation.", r->checked);
    mark(r, TICKET_QUEUE_INVESTIGATION, r->c->conf.investigation_queue,
        note);
}

/* Some matches were not forwarded and the next poll would not fix it, or
 * a forwarded one's remediation mark would hide them: a person looks. */
static void
mark_failed(struct run *r)
{
    struct buf note;

    buf_init(&note, NOTE_MAX + 64);
    (void)!buf_appendf(&note, "Alexis: %zu of %zu matching rules could not "
        "be handed to the action handler; needs investigation.\n",
        r->matched - r->forwarded, r->matched);
    (void)!buf_append(&note, r->failures.data, r->failures.len <
        NOTE_MAX ? r->failures.len : NOTE_MAX);
    mark(r, TICKET_QUEUE_INVESTIGATION, r->c->conf.investigation_queue,
        note.data);
    buf_free(&note);
}

/* tags_present: the rule set's index found every tag of the rule among
 * the alert's; when a tag is missing the rule cannot match and is only
 * counted, unless debug logging wants the reason. */
static void
evaluate(struct run *r, const struct rule *rule, bool tags_present)
{
    char why[WHY_MAX], err[ALEXIS_ERR_MAX];
    long status = 0;
    int m;

    r->checked++;
    /* Reasons are only logged at debug level; don't format them for
     * nothing (1,000 rules = 1,000 snprintf per alert). */
    if (log_enabled(LOG_DEBUG))
        m = match_rule(rule, r->a, why, sizeof(why));
    else if (tags_present)
        m = match_rule_tags_known(rule, r->a);
    else
        return;
    if (!m) {
        log_event(LOG_DEBUG, "rule_evaluated", KV_STR(r->a->id_key, r->a->id),
            KV_STR("rule_name", rule->name), KV_BOOL("matched", 0),
            KV_STR("reason", why));
        return;
    }
    r->matched++;
    log_event(LOG_INFO, "rule_evaluated", KV_STR(r->a->id_key, r->a->id),
        KV_STR("rule_name", rule->name), KV_BOOL("matched", 1));
    if (r->c->conf.development) {
        /* Dry run: the match is logged, nothing leaves the classifier. */
        log_event(LOG_INFO, "action_forward_skipped",
            KV_STR(r->a->id_key, r->a->id), KV_STR("rule_name", rule->name),
            KV_STR("reason", "development mode: dry run"));
        metrics_inc(METRIC_FORWARDS, "skipped", NULL);
        r->forwarded++;
        mark_matched(r, rule);
        return;
    }
    if (forward(r, rule, &status, err, sizeof(err)) == -1) {
        log_event(LOG_ERROR, "action_forward_failed",
            KV_STR(r->a->id_key, r->a->id), KV_STR("rule_name", rule->name),
            KV_INT("status", status),
            KV_BOOL("definitive", outcome_definitive(status)), KV_ERR(err));
        if (outcome_definitive(status))
            r->definitive++;
        if (status == 413)
            (void)!buf_appendf(&r->failures, "- rule %s: the action "
                "handler refused the request as too large (HTTP 413, %zu "
                "bytes with the rule)\n", rule->name, r->envelope_len +
                strlen(rule->json) + FORWARD_RULE_OVERHEAD);
        else
            (void)!buf_appendf(&r->failures, "- rule %s: %s\n", rule->name,
                err);
        return;
    }
    r->forwarded++;
    mark_matched(r, rule);
}

void
classify_run(struct classifier *c, const struct classify_io *io,
    struct classify_job *job)
{
    struct run r = { .c = c, .io = io, .a = job->alert };
    struct alert *a = job->alert;
    struct rule_set *rs;
    const char *result;
    enum outcome_mark outcome = OUTCOME_DONE;
    unsigned char *verdict;
    char err[ALEXIS_ERR_MAX];
    size_t i;
    uint64_t t0 = clock_mono_us();

    log_event(LOG_INFO, "classification_started", KV_STR(a->id_key, a->id),
        KV_STR("feed_type", a->feed_type), KV_STR("feed_name", a->feed_name),
        KV_UINT("queued_ms", (t0 - job->received_us) / 1000));
    if ((rs = ruledir_get(c->rules, err, sizeof(err))) == NULL) {
        log_event(LOG_ERROR, "classification_finished",
            KV_STR(a->id_key, a->id), KV_STR("result", "failed"),
            KV_ERR(err), KV_UINT("app_elapsed_ms", (clock_mono_us() - t0) / 1000));
        metrics_inc(METRIC_CLASSIFICATIONS, "failed", NULL);
        metrics_observe_us(METRIC_CLASSIFY_DURATION, NULL, clock_mono_us() - t0);
        job_done(job);
        return;
    }
    buf_init(&r.failures, 64 * 1024);
    if (job->raw != NULL) {
        r.envelope = job->raw;
        r.envelope_len = job->raw_len;
    } else {
        r.envelope = r.printed = json_print(a->doc);
        r.envelope_len = strlen(r.printed);
    }
    /* The index answers the feed and tag checks from its own compact
     * arrays, so a rule's memory is read only when its regexes decide. */
    verdict = xmalloc(ruledir_set_count(rs) + 1);
    rule_index_candidates(ruledir_set_index(rs), a, verdict);
    for (i = 0; i < ruledir_set_count(rs); i++) {
        if (verdict[i] != RULE_INDEX_OTHER_FEED)
            evaluate(&r, ruledir_set_at(rs, i),
                verdict[i] == RULE_INDEX_TAGS_PRESENT);
    }
    free(verdict);
    if (r.matched == 0) {
        mark_unmatched(&r);
        result = "no_match";
    } else {
        result = r.forwarded == r.matched ? "matched" :
            r.forwarded > 0 ? "partly_forwarded" : "forward_failed";
        outcome = outcome_decide(r.matched, r.forwarded, r.definitive);
        if (outcome == OUTCOME_INVESTIGATE)
            mark_failed(&r);
    }
    log_event(r.forwarded == r.matched ? LOG_INFO : LOG_ERROR,
        "classification_finished", KV_STR(a->id_key, a->id),
        KV_STR("result", result), KV_UINT("rules_checked", r.checked),
        KV_UINT("rules_matched", r.matched),
        KV_UINT("rules_forwarded", r.forwarded),
        KV_STR("next", outcome == OUTCOME_INVESTIGATE ? "investigate" :
        outcome == OUTCOME_RETRY ? "retry_next_poll" : "none"),
        KV_UINT("app_elapsed_ms", (clock_mono_us() - t0) / 1000));
    metrics_inc(METRIC_CLASSIFICATIONS, result, NULL);
    metrics_observe_us(METRIC_CLASSIFY_DURATION, NULL, clock_mono_us() - t0);
    buf_free(&r.failures);
    free(r.printed);
    ruledir_set_release(rs);
    job_done(job);
}

/* A rule file's name without its directory: a dry run says which file,
 * not where the rules live on the host (issue 11). */
static const char *
file_name(const char *path)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;

    return slash != NULL ? slash + 1 : path != NULL ? path : "";
}

static void
add_file_error(cJSON *item, const struct rule_file_error *fe)
{
    const char *path = fe->path != NULL ? fe->path : "";
    char msg[RULE_ERR_MAX];
    size_t dirlen = (size_t)(file_name(path) - path);

    snprintf(msg, sizeof(msg), "%s", fe->message != NULL ? fe->message :
        "");
    /* The message starts with the path: keep the "name:line:col" part. */
    if (dirlen > 0 && strncmp(msg, path, dirlen) == 0)
        memmove(msg, msg + dirlen, strlen(msg + dirlen) + 1);
    cJSON_AddStringToObject(item, "file", file_name(path));
    cJSON_AddStringToObject(item, "error", msg);
}

cJSON *
classify_dry_run(struct classifier *c, struct alert *a, char *err,
    size_t errlen)
{
    const struct rule_file_error *fe;
    const struct rule *rule;
    struct rule_set *rs;
    const char *dest;
    cJSON *rep, *list, *item, *errs;
    char why[WHY_MAX];
    size_t i, nmatched = 0;
    int m;

    if ((rs = ruledir_get(c->rules, err, errlen)) == NULL)
        return NULL;
    rep = cJSON_CreateObject();
    cJSON_AddStringToObject(rep, "received", a->unique_value);
    cJSON_AddBoolToObject(rep, "dry_run", 1);
    cJSON_AddStringToObject(rep, "feed_type", a->feed_type);
    list = cJSON_AddArrayToObject(rep, "rules");
    for (i = 0; i < ruledir_set_count(rs); i++) {
        rule = ruledir_set_at(rs, i);
        if (!match_rule_applies(rule, a))
            continue;
        m = match_rule(rule, a, why, sizeof(why));
        nmatched += m ? 1 : 0;
        item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "rule_name", rule->name);
        cJSON_AddStringToObject(item, "file", file_name(rule->path));
        cJSON_AddBoolToObject(item, "matched", m);
        if (!m)
            cJSON_AddStringToObject(item, "reason", why);
        else if ((dest = cfg_strmap_get(&c->conf.destinations,
            rule->os_type)) != NULL)
            cJSON_AddStringToObject(item, "would_forward_to", dest);
        else
            cJSON_AddStringToObject(item, "reason", "no "
                "action_handler_destinations entry for its os_type");
        cJSON_AddItemToArray(list, item);
    }
    cJSON_AddNumberToObject(rep, "matched", (double)nmatched);
    errs = cJSON_AddArrayToObject(rep, "rule_file_errors");
    for (i = 0; i < ruledir_set_error_count(rs); i++) {
        fe = ruledir_set_error_at(rs, i);
        item = cJSON_CreateObject();
        add_file_error(item, fe);
        cJSON_AddItemToArray(errs, item);
    }
    ruledir_set_release(rs);
    return rep;
}
