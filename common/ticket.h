/*
 * Writing back to the ticket and reading its state, for every ticket
 * system alike: the classifier's marks, the action handler's notes and
 * routing, and the guardrails' state checks call these, and these call
 * the alert's module (ticketsys.h). What every system shares lives here:
 * credentials come only from the daemon's own authentication_list (DESIGN
 * §5; ticket_resolve refuses any base_url that is not configured for the
 * feed type, so a request can never make a daemon send an API key to an
 * address of the caller's choosing), notes are cut to the module's limit,
 * and a note whose POST ended without a known outcome is looked for
 * before it is sent again, so it appears once (issue 11). 429 and 5xx are
 * retried with backoff, bounded (HTTP_RETRY_MAX). Also the helpers the
 * modules build their requests with.
 */
#ifndef ALEXIS_TICKET_H
#define ALEXIS_TICKET_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alexis_limits.h"
#include "cfg_auth.h"
#include "compat.h"
#include "ticketsys_iface.h"

struct alert;
struct cfg_auth;
struct fetcher;
struct http_result;

struct ticket_ref {
    const struct ticketsys  *sys;
    const struct cfg_auth   *auth;      /* credentials and base_url */
    const char              *id;        /* alert id / tinyId / problem id */
    const char              *id_type;   /* OpsGenie identifierType */
};

struct ticket_outcome {
    long    status;         /* last HTTP status, 0 when none */
    int     attempts;
    bool    found;          /* a note already there was taken as sent */
    long    retry_after_ms; /* the server's explicit Retry-After, or -1 */
    char    request_id[64]; /* OpsGenie requestId when given */
    char    err[ALEXIS_ERR_PART_MAX];  /* why it failed, one sentence */
};

/* Address the ticket of alert a with a's module and pick its credentials
 * from list (cfg_auth_find on the alert's feed type and alexis.base_url),
 * checking the entry has a base_url. -1 with the reason in err (no secret
 * in it). t borrows from a and list. */
int ticket_resolve(struct ticket_ref *t, const struct alert *a,
    const struct cfg_auth *list, size_t n, char *err, size_t errlen)
    ATTR_WUR;

/* Mark the ticket for queue q (named queue; the note says why): OpsGenie
 * adds the team with the note attached, Dynatrace writes the note as a
 * comment. 0 on a 2xx answer. */
int ticket_mark(struct fetcher *f, const struct ticket_ref *t,
    enum ticket_queue q, const char *queue, const char *note,
    struct ticket_outcome *out) ATTR_WUR;

/* The name of the mark for q in sys's tickets, for logs
 * ("remediation_queue", "comment_matched"). */
const char *ticket_mark_name(const struct ticketsys *sys,
    enum ticket_queue q);

/* Whether the system can hand a ticket to a team (ticket_route). */
bool ticket_can_route(const struct ticket_ref *t);

/* Hand the ticket to team (OpsGenie: add team). -1 with out->err when the
 * system has no teams or the API refused. */
int ticket_route(struct fetcher *f, const struct ticket_ref *t,
    const char *team, struct ticket_outcome *out) ATTR_WUR;

/* A note (OpsGenie note, Dynatrace comment, JSM note), cut to the
 * module's limit, or where the module allows it (JSM) split over several
 * notes headed "[Alexis job <key>, part k/n]".
 * key (may be NULL) is text the note contains that no other note holds
 * (the job's id): when an attempt ends without a known outcome (transport
 * error, 5xx) the notes are read back and, when one holds key, the note
 * counts as sent (out->found) instead of being sent twice. 0 on a 2xx
 * answer or such a find. */
int ticket_note(struct fetcher *f, const struct ticket_ref *t,
    const char *text, const char *key, struct ticket_outcome *out) ATTR_WUR;

/* How many characters of note text the ticket takes for one report: the
 * module's limit times the notes ticket_note may split a text into, or
 * one (the caller's own cap) when it does not split. */
size_t ticket_note_capacity(const struct ticket_ref *t, size_t one);

/* The alert's state now (guardrails): TICKET_STATE_UNKNOWN with err when
 * it cannot be read. */
enum ticket_state ticket_state(struct fetcher *f, const struct ticket_ref *t,
    char *err, size_t errlen);

/* The name of a state for logs: "open", "closed", "unknown". */
const char *ticket_state_name(enum ticket_state st);

/* ---- For the modules ---- */

/* "{base_url}{prefix}/{escaped id}[/what][query]". Caller frees. */
char *ticket_url(const struct ticket_ref *t, const char *prefix,
    const char *what, const char *query);

/* Send body (may be NULL) to url with t's credentials and judge the
 * answer: 0 on 2xx; else -1 with out->status and out->err (the API's own
 * reason: "message", "error.message" or "errors[0].title"). once: a single
 * attempt (f->send when the fetcher has it), else f->post with its
 * retries. out->attempts counts the attempts; the answer's requestId is
 * kept. */
int ticket_send_json(struct fetcher *f, const struct ticket_ref *t,
    const char *method, const char *url, const cJSON *body, bool once,
    struct ticket_outcome *out) ATTR_WUR;

/* ticket_send_json POST of body to url, both taken (freed here). */
int ticket_post(struct fetcher *f, const struct ticket_ref *t, char *url,
    cJSON *body, bool once, struct ticket_outcome *out) ATTR_WUR;

/* The API's own words for an error answer body[0..len), one line into
 * out: "message" (with "code" when given: JSM's 401 shape),
 * "error.message" (Dynatrace), "errors[0].title" (with its code: JSM),
 * else the start of the body ("" when there is none). */
void ticket_api_reason(const char *body, size_t len, char *out,
    size_t outlen);

/* "HTTP <status><from>: <the API's own words>" (ticket_api_reason;
 * without ": ..." when the answer says nothing) into err. from is "" (the
 * feed's reads) or " from ticket API" (the ticket's). */
void ticket_answer_error(const struct http_result *res, const char *from,
    char *err, size_t errlen);

/* GET url with headers (NULL-terminated: the feed's lines, or a
 * ticket's credentials) and parse the JSON answer: the tree on 200
 * (caller deletes), else NULL with *status (0: transport error or not
 * JSON) and err "HTTP <status><from>: <the API's own words>"
 * (ticket_api_reason; from is "" or " from ticket API"). */
cJSON *ticket_fetch_json(struct fetcher *f, const char *url,
    const char *const *headers, const char *from, long *status, char *err,
    size_t errlen);

/* ticket_fetch_json with t's credentials, from " from ticket API". */
cJSON *ticket_get_json(struct fetcher *f, const struct ticket_ref *t,
    const char *url, long *status, char *err, size_t errlen);

/* GET url and read the string at path: closed when it equals (any case)
 * one of closed[] (NULL-terminated), else open; unknown with err when the
 * answer or the field is missing. */
enum ticket_state ticket_state_at(struct fetcher *f,
    const struct ticket_ref *t, const char *url, const char *path,
    const char *const *closed, char *err, size_t errlen);

/* Whether a string member key of one element of the array at path in doc
 * contains needle. */
bool ticket_list_has(const cJSON *doc, const char *path, const char *key,
    const char *needle);

#endif
