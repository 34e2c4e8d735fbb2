/*
 * Ticket reports of finished jobs (see annotate.h).
 */
#include "annotate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ah_conf.h"
#include "alert.h"
#include "alexis_limits.h"
#include "fetcher.h"
#include "guard_note.h"
#include "jobs_defer.h"
#include "jobs_json.h"
#include "log.h"
#include "note.h"
#include "rules.h"
#include "ticket.h"

struct report {
    const struct ah_conf   *conf;
    struct jobs            *js;
    struct fetcher         *f;
    const struct job       *j;
    struct alert            alert;
    struct rule            *rule;       /* NULL if the stored one is bad */
    struct ticket_ref       t;
};

static void
log_outcome(const struct report *r, bool ok, const char *ok_event,
    const char *bad_event, const struct ticket_outcome *o)
{
    if (ok)
        log_event(LOG_INFO, ok_event, KV_STR("job", r->j->id),
            KV_STR(r->j->id_key, r->j->alert_id),
            KV_STR("rule_name", r->j->rule_name),
            KV_INT("status", o->status), KV_STR("request_id", o->request_id),
            KV_INT("attempts", o->attempts));
    else
        log_event(LOG_ERROR, bad_event, KV_STR("job", r->j->id),
            KV_STR(r->j->id_key, r->j->alert_id),
            KV_STR("rule_name", r->j->rule_name),
            KV_INT("status", o->status), KV_INT("attempts", o->attempts),
            KV_ERR(o->err));
}

/* Parse the stored envelope and pick the ticket. -1 with err. */
static int
target(struct report *r, char *err, size_t errlen)
{
    cJSON *doc;

    if ((doc = cJSON_Parse(r->j->envelope)) == NULL) {
        snprintf(err, errlen, "stored envelope does not parse");
        return -1;
    }
    if (alert_from_json(&r->alert, doc, err, errlen) == -1)
        return -1;
    return ticket_resolve(&r->t, &r->alert, r->conf->auth, r->conf->nauth,
        err, errlen);
}

/* A fetcher that passes GETs on and remembers the last answer's status
 * (the seam confirm_ticket reads a 404 from). */
struct status_fetcher {
    struct fetcher      f;
    struct fetcher     *inner;
    long                status;
};

static int
status_get(struct fetcher *f, const char *url, const char *const *hdrs,
    struct http_result *res)
{
    struct status_fetcher *sf = f->ctx;
    int rc = sf->inner->get(sf->inner, url, hdrs, res);

    sf->status = rc == 0 ? res->status : 0;
    return rc;
}

/*
 * Write only to a ticket that exists in the account base_url named (issue
 * 11): an engineer's request names any alert id it likes. The alert is
 * read back (ticket_state); when the account answers 404 nothing is
 * written. Any other answer lets the write go on (its own errors are
 * reported as before). The read-back is not a write and is not counted
 * in the report's attempts.
 */
static int
confirm_ticket(struct report *r, char *err, size_t errlen)
{
    struct status_fetcher sf;
    char why[256];

    memset(&sf, 0, sizeof(sf));
    sf.inner = r->f;
    sf.f.get = status_get;
    sf.f.ctx = &sf;
    if (ticket_state(&sf.f, &r->t, why, sizeof(why)) !=
        TICKET_STATE_UNKNOWN || sf.status != 404)
        return 0;
    snprintf(err, errlen, "ticket %s does not exist in authentication %s "
        "(%s): nothing written", r->t.id, r->t.auth->name, why);
    log_event(LOG_ERROR, "ticket_refused", KV_STR("job", r->j->id),
        KV_STR(r->j->id_key, r->j->alert_id), KV_STR("rule_name",
        r->j->rule_name), KV_INT("status", sf.status), KV_ERR(err));
    return -1;
}

static char *
build_note(struct report *r, char *err, size_t errlen)
{
    struct note_job nj;
    struct job_row *rows;
    size_t n;
    char *text;

    if (guard_note_applies(r->j->state))
        return guard_note_format(r->j, r->rule);
    if (jobs_json_results(r->js, r->j->id, &rows, &n, err, errlen) == -1)
        return NULL;
    memset(&nj, 0, sizeof(nj));
    nj.id = r->j->id;
    nj.state = r->j->state;
    nj.reason = r->j->reason;
    nj.rule_name = r->j->rule_name;
    nj.rule = r->rule;
    nj.rows = rows;
    nj.nrows = n;
    text = note_format(&nj, ticket_note_capacity(&r->t, AH_NOTE_MAX));
    jobs_json_rows_free(rows, n);
    return text;
}

/* Send the note, then the team (the investigation queue for a
 * guardrail note, else the rule's route_to_team). Returns true when
 * everything was sent; err says what was not. *attempts receives the HTTP
 * requests made for both writes, retries included. */
static bool
send_report(struct report *r, const char *text, int *attempts, char *err,
    size_t errlen)
{
    const char *team = r->rule != NULL ? r->rule->route_to_team : NULL;
    struct ticket_outcome o;
    bool ok;

    if (guard_note_applies(r->j->state))
        team = r->conf->investigation_queue;
    /* The job's id is in the note: a note whose POST timed out after it
     * landed is found, not sent twice. */
    ok = ticket_note(r->f, &r->t, text, r->j->id, &o) == 0;
    *attempts = o.attempts;
    log_outcome(r, ok, "ticket_noted", "ticket_note_failed", &o);
    if (!ok) {
        snprintf(err, errlen, "note: %s (%d attempts)", o.err, o.attempts);
        return false;
    }
    if (!ticket_can_route(&r->t) || team == NULL || team[0] == '\0')
        return true;
    ok = ticket_route(r->f, &r->t, team, &o) == 0;
    *attempts += o.attempts;
    log_outcome(r, ok, "ticket_team_added", "ticket_team_failed", &o);
    if (!ok)
        snprintf(err, errlen, "add team %s: %s (%d attempts)", team, o.err,
            o.attempts);
    return ok;
}

void
annotate_job(const struct ah_conf *conf, struct jobs *js, struct fetcher *f,
    const struct job *j)
{
    struct report r = { .conf = conf, .js = js, .f = f, .j = j };
    char err[ALEXIS_ERR_MAX], serr[ALEXIS_ERR_MAX], *text = NULL;
    bool sent = false;
    int attempts = 0;

    err[0] = '\0';
    r.rule = rules_parse(j->rule_json, strlen(j->rule_json), j->rule_name,
        serr, sizeof(serr));
    if (target(&r, err, sizeof(err)) == -1) {
        log_event(LOG_ERROR, "ticket_refused", KV_STR("job", j->id),
            KV_STR(j->id_key, j->alert_id), KV_STR("rule_name",
            j->rule_name), KV_ERR(err));
        goto out;
    }
    if (confirm_ticket(&r, err, sizeof(err)) == -1)
        goto out;
    if ((text = build_note(&r, err, sizeof(err))) == NULL)
        goto out;
    sent = send_report(&r, text, &attempts, err, sizeof(err));
out:
    if (jobs_report_done(js, j->id, sent, err, attempts, serr,
        sizeof(serr)) == -1) {
        log_event(LOG_ERROR, "job_store_failed", KV_STR("job", j->id),
            KV_ERR(serr), KV_STR("msg", "report outcome kept in memory "
            "until the job store is back"));
        jobs_defer_report(js, j->id, sent, err, attempts);
    }
    free(text);
    rules_unref(r.rule);
    alert_cleanup(&r.alert);
}

int
annotate_note(const struct ah_conf *conf, struct fetcher *f,
    const struct job *j, const char *text, bool investigate, char *err,
    size_t errlen)
{
    struct report r = { .conf = conf, .f = f, .j = j };
    struct ticket_outcome o;
    int rc = -1;

    if (target(&r, err, errlen) == -1)
        goto out;
    if (ticket_note(f, &r.t, text, NULL, &o) == -1) {
        log_outcome(&r, false, "ticket_noted", "ticket_note_failed", &o);
        snprintf(err, errlen, "note: %s", o.err);
        goto out;
    }
    log_outcome(&r, true, "ticket_noted", "ticket_note_failed", &o);
    rc = 0;
    if (!investigate || !ticket_can_route(&r.t) ||
        conf->investigation_queue == NULL)
        goto out;
    if (ticket_route(f, &r.t, conf->investigation_queue, &o) == -1) {
        log_outcome(&r, false, "ticket_team_added", "ticket_team_failed",
            &o);
        snprintf(err, errlen, "add team %s: %s", conf->investigation_queue,
            o.err);
        rc = -1;
        goto out;
    }
    log_outcome(&r, true, "ticket_team_added", "ticket_team_failed", &o);
out:
    alert_cleanup(&r.alert);
    return rc;
}
