/*
 * Verification checks (see verify.h).
 */
#include "verify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "alert_state.h"
#include "alexis_limits.h"
#include "annotate.h"
#include "clock.h"
#include "fetcher.h"
#include "guard_note.h"
#include "jobs_guard.h"
#include "log.h"
#include "rules.h"

static void
finish(const struct ah_conf *conf, struct jobs *js, struct http_client *hc,
    const struct job *j, bool verified, uint64_t within)
{
    struct fetcher_client fc;
    char err[ALEXIS_ERR_MAX], *note;

    if (jobs_guard_verify_done(js, j->id, verified ? 1 : 0, 0, err,
        sizeof(err)) == -1)
        log_event(LOG_ERROR, "job_store_failed", KV_STR("job", j->id),
            KV_ERR(err));
    log_event(verified ? LOG_INFO : LOG_WARN, "job_verified",
        KV_STR("job", j->id), KV_STR(j->id_key, j->alert_id),
        KV_STR("rule_name", j->rule_name), KV_BOOL("verified", verified),
        KV_UINT("within_ms", within));
    note = guard_note_verify(j, verified, within);
    fetcher_client_init(&fc, hc, HTTP_RETRY_MAX);
    if (annotate_note(conf, &fc.f, j, note, !verified, err, sizeof(err)) == -1)
        log_event(LOG_ERROR, "verify_note_failed", KV_STR("job", j->id),
            KV_STR(j->id_key, j->alert_id), KV_ERR(err));
    free(note);
}

void
verify_check(const struct ah_conf *conf, struct jobs *js,
    struct http_client *hc, guard_state_fn state, void *state_arg,
    const struct job *j, uint64_t deadline)
{
    struct alert a;
    struct rule *r = NULL;
    enum guard_alert_state st = GUARD_ALERT_UNKNOWN;
    char err[ALEXIS_ERR_MAX] = "";
    uint64_t now, within = 0;
    cJSON *doc;

    memset(&a, 0, sizeof(a));
    if ((r = rules_parse(j->rule_json, strlen(j->rule_json), j->rule_name,
        err, sizeof(err))) != NULL)
        within = r->guard.verify_within_ms;
    if ((doc = cJSON_Parse(j->envelope)) != NULL &&
        alert_from_json(&a, doc, err, sizeof(err)) == 0)
        st = state(state_arg, &a, err, sizeof(err));
    else
        snprintf(err, sizeof(err), "stored envelope does not parse");
    now = clock_wall_ms();
    if (st == GUARD_ALERT_UNKNOWN)
        log_event(LOG_WARN, "verify_check_failed", KV_STR("job", j->id),
            KV_STR(j->id_key, j->alert_id), KV_ERR(err));
    if (st == GUARD_ALERT_CLOSED) {
        finish(conf, js, hc, j, true, within);
    } else if (now >= deadline) {
        finish(conf, js, hc, j, false, within);
    } else if (jobs_guard_verify_done(js, j->id, -1, guard_verify_next(now,
        deadline, within), err, sizeof(err)) == -1) {
        log_event(LOG_ERROR, "job_store_failed", KV_STR("job", j->id),
            KV_ERR(err));
    }
    rules_unref(r);
    alert_cleanup(&a);
}
