/*
 * The alexis-sim context, what a route and its handler are, and the
 * answers handlers share: each API's error envelope (sim_og_error,
 * sim_dt_error, sim_jsm_error). The dispatcher that routes a request to
 * the handlers is sim_dispatch.h; the handlers' modules include this.
 */
#ifndef ALEXIS_SIM_SIM_H
#define ALEXIS_SIM_SIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "faults.h"
#include "jsm_auth.h"
#include "sim_http.h"
#include "sim_limits.h"
#include "simutil.h"
#include "store.h"
#include "webhook_out.h"

#define SIM_ARG_MAX     (SIM_OG_ALIAS_MAX + 1)

struct sim_opts {
    const char         *genie_keys[SIM_KEYS_MAX];  /* borrowed */
    size_t              ngenie_keys;
    const char         *dt_tokens[SIM_KEYS_MAX];   /* borrowed */
    size_t              ndt_tokens;
    const char         *jsm_users[SIM_KEYS_MAX];   /* EMAIL:TOKEN[:SCOPES] */
    size_t              njsm_users;
    const char         *jsm_cloud_id;
    bool                jsm_notes_202;  /* notes answer 202, not 200 */
    const char         *seed_path;                 /* may be NULL */
    const char         *dt_author;  /* v2 comment authorName */
    struct store_opts   store;
};

struct sim {
    struct store       *store;
    struct faults      *faults;
    char               *genie_keys[SIM_KEYS_MAX];
    size_t              ngenie_keys;
    char               *dt_tokens[SIM_KEYS_MAX];
    /* Each token's scopes, "problems.read,DataExport"; NULL: every one. */
    char               *dt_scopes[SIM_KEYS_MAX];
    size_t              ndt_tokens;
    struct jsm_cred     jsm_creds[SIM_KEYS_MAX];
    size_t              njsm_creds;
    char               *jsm_cloud_id;
    atomic_int          jsm_note_status;    /* 200 or 202 */
    char               *seed_path;
    char               *dt_author;
    struct webhook_out *webhooks;   /* outgoing webhooks */
    atomic_bool         stopping;   /* cuts injected latency short */
};

/* Path parameters and per-call data handed to a handler. */
struct sim_args {
    char        ident[SIM_ARG_MAX];     /* alert identifier / problem id */
    char        rid[SIMUTIL_UUID_LEN];  /* OpsGenie requestId of this call */
    char        cloud[SIM_JSM_CLOUD_ID_MAX + 1];    /* JSM cloudId */
    char        user[SIM_JSM_EMAIL_MAX + 1];        /* JSM caller's email */
    uint64_t    start_us;
};

typedef void (*sim_handler_fn)(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);

struct sim_route {
    const char     *endpoint;   /* "og.list", "dt2.comments.add", ... */
    const char     *domain;     /* rate-limit bucket */
    sim_handler_fn  fn;
};

/* Create the context (keys are copied, JSM credentials parsed; the
 * store's timer starts). NULL with err on failure. */
struct sim *sim_new(const struct sim_opts *opts, char *err, size_t errlen);
/* Free; keys are wiped first. Accepts NULL. */
void sim_free(struct sim *s);

/* Answer {"message","took","requestId"} (plus "errors" when field is not
 * NULL: {field: message}) with X-Request-ID. */
void sim_og_error(struct sim_resp *resp, const struct sim_args *a,
    int status, const char *field, const char *fmt, ...) ATTR_PRINTF(5, 6);
/* Answer {"error":{"code","message"}} (plus one constraintViolation on
 * param, a query parameter or, with in_body, a body field, when param is
 * not NULL). */
void sim_dt_error(struct sim_resp *resp, int status, const char *param,
    bool in_body, const char *fmt, ...) ATTR_PRINTF(5, 6);
/* Answer JSM's {"errors":[{"title","code"}]}. */
void sim_jsm_error(struct sim_resp *resp, int status, const char *code,
    const char *fmt, ...) ATTR_PRINTF(4, 5);
/* Answer obj (consumed) with the OpsGenie envelope fields added. */
void sim_og_reply(struct sim_resp *resp, const struct sim_args *a,
    int status, cJSON *obj);

/* Parse the request body as a JSON object; NULL when empty (allowed) or
 * invalid (*bad set). */
cJSON *sim_body_json(const struct sim_req *req, bool *bad);

#endif
