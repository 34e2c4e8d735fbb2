/*
 * Private to store.c and store_dt.c: the layout of struct store. Callers
 * use store.h only.
 */
#ifndef ALEXIS_SIM_STORE_INT_H
#define ALEXIS_SIM_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dt_problem.h"
#include "og_alert.h"
#include "store_opts.h"

/* The outcome of one applied OpsGenie request. */
struct og_request_rec {
    char        rid[SIMUTIL_UUID_LEN];
    const char *action;         /* static text */
    bool        success;
    char       *status;
    char       *alert_id;
    char       *alias;
    uint64_t    processed_ms;
};

struct store {
    pthread_mutex_t         mu;
    pthread_cond_t          cv;
    pthread_t               timer;
    bool                    timer_started;
    bool                    stopping;
    struct store_opts       opts;

    struct og_alert       **alerts;     /* creation order */
    size_t                  nalerts;
    uint64_t                next_tiny;
    struct sim_strv         team_ids;   /* registry, parallel arrays */
    struct sim_strv         team_names;

    struct og_action      **pending;    /* submission order */
    size_t                  npending;
    uint64_t                seq;
    struct og_request_rec  *recs;       /* ring of SIM_REQUESTS_KEPT */
    size_t                  nrecs;
    size_t                  rec_next;

    struct dt_problem     **problems;
    size_t                  nproblems;
};

#endif
