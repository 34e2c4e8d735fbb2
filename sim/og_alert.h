/*
 * One simulated OpsGenie alert: building it from JSON in the real shape
 * (admin API, seed file), rendering it as the list item,
 * the GET answer or the admin view, and applying the asynchronous actions
 * (notes, teams, tags, close). Pure data code: the
 * store serialises access, nothing here locks or logs.
 */
#ifndef ALEXIS_SIM_OG_ALERT_H
#define ALEXIS_SIM_OG_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "og_query.h"
#include "simutil.h"

/* A list of owned strings (entries never NULL). */
struct sim_strv {
    char      **v;
    size_t      n;
};

struct og_note {
    char       *note;
    char       *owner;
    uint64_t    created_ms;
    uint64_t    offset;     /* increasing; the paging cursor */
};

struct og_alert {
    char           *id;
    char           *tiny_id;
    char           *alias;
    char           *message;
    char           *status;        /* "open" | "closed" */
    char           *source;
    char           *owner;
    char           *priority;
    char           *entity;
    char           *description;
    char           *owner_team_id;
    char           *integ_id;
    char           *integ_name;
    char           *integ_type;
    char           *ack_by;        /* NULL until acknowledged */
    char           *closed_by;     /* NULL until closed */
    uint64_t        ack_time;      /* ms since creation */
    uint64_t        close_time;
    bool            acknowledged;
    bool            seen;
    bool            snoozed;
    uint64_t        snoozed_until_ms;
    uint64_t        count;
    uint64_t        created_ms;
    uint64_t        updated_ms;
    uint64_t        last_ms;
    uint64_t        tiny_num;      /* numeric tinyId, for sorting */
    bool            id_generated;  /* a fresh random id: cannot clash */
    struct sim_strv tags;
    struct sim_strv actions;
    struct sim_strv team_ids;      /* parallel to team_names */
    struct sim_strv team_names;    /* "" when the name is unknown */
    struct sim_strv detail_keys;   /* parallel to detail_values */
    struct sim_strv detail_values;
    struct og_note *notes;
    size_t          nnotes;
    char           *extra;         /* JSON object text of other keys */
};

enum og_view {
    OG_VIEW_LIST,   /* BaseAlert: no description/details/entity/actions */
    OG_VIEW_FULL,   /* GET /v2/alerts/{id} */
    OG_VIEW_ADMIN,  /* everything, teams with names, notes */
    OG_VIEW_JSM_LIST,   /* JSM's shape (jsm_alert.h): a list item, */
    OG_VIEW_JSM,        /* GET /v1/alerts/{id}, */
    OG_VIEW_JSM_ADMIN,  /* everything with the notes */
};

enum og_ident {
    OG_IDENT_ID,
    OG_IDENT_TINY,
    OG_IDENT_ALIAS,
};

/* The writes the daemons and the tests make: OpsGenie notes, teams and
 * close; JSM notes, tags and responders. */
enum og_action_kind {
    OG_ACT_NOTE,
    OG_ACT_TEAM,
    OG_ACT_RESPONDER,
    OG_ACT_TAGS_ADD,
    OG_ACT_CLOSE,
};

/* One accepted asynchronous request, applied later by the store. */
struct og_action {
    enum og_action_kind kind;
    enum og_ident       itype;
    char               *ident;
    char               *user;
    char               *source;
    char               *note;
    char               *team_id;    /* TEAM / RESPONDER */
    char               *team_name;
    struct sim_strv     list;       /* tags */
    char                request_id[SIMUTIL_UUID_LEN];
    uint64_t            due_ms;     /* monotonic */
    uint64_t            seq;
};

/* Append a copy of s. */
void og_alert_strv_push(struct sim_strv *sv, const char *s);
/* Index of s (ASCII case-sensitive), or -1. */
long og_alert_strv_find(const struct sim_strv *sv, const char *s);
void og_alert_strv_free(struct sim_strv *sv);

/* Free an alert built by og_parse_alert_from_json (og_parse.h). */
void og_alert_free(struct og_alert *a);

/* Render as the given OpsGenie view (OG_VIEW_LIST, _FULL, _ADMIN; the
 * JSM views are jsm_alert_to_json's). Caller owns the tree. */
cJSON *og_alert_to_json(const struct og_alert *a, enum og_view view);
/* o[key] = ms as an ISO-8601 string; the JSON array of sv's strings (the
 * OpsGenie and the JSM renderings share both). */
void og_alert_json_time(cJSON *o, const char *key, uint64_t ms);
cJSON *og_alert_strv_json(const struct sim_strv *sv);
/* Add the alert's other keys (kept from its creation) to o, where o has
 * no such key yet. */
void og_alert_add_extra(cJSON *o, const struct og_alert *a);
/* Render note i as {note, owner, createdAt, offset}. */
cJSON *og_alert_note_to_json(const struct og_note *n);

/* Fill qa with borrowed views of a for og_query_match. The arrays point
 * into a and stay valid while a is unchanged. */
void og_alert_query_view(const struct og_alert *a, struct og_query_alert *qa);

/* Apply one action at time now. On failure returns -1
 * and writes OpsGenie's request-status text (e.g. "Alert is closed") to
 * status. notes_max bounds the notes kept per alert. */
int og_alert_apply(struct og_alert *a, const struct og_action *act,
    uint64_t now, size_t notes_max, char *status, size_t statuslen);

/* Add a note (also used by actions carrying a "note"); -1 when full. */
int og_alert_add_note(struct og_alert *a, const char *note,
    const char *owner, uint64_t now, size_t notes_max);

/* Request-status "action" and success "status" strings of a kind. */
const char *og_alert_action_name(enum og_action_kind kind);
const char *og_alert_action_done(enum og_action_kind kind);

void og_alert_action_free(struct og_action *act);

#endif
