/*
 * The simulated store's options (bounds, the apply delay, the creation
 * hooks), apart from store.h so that the store's private layout
 * (store_int.h) can hold them without including the store's public API.
 */
#ifndef ALEXIS_SIM_STORE_OPTS_H
#define ALEXIS_SIM_STORE_OPTS_H

#include <stddef.h>

struct dt_problem;
struct og_alert;

struct store_opts {
    size_t      alerts_max;
    size_t      problems_max;
    size_t      notes_max;      /* per alert */
    size_t      comments_max;   /* per problem */
    unsigned    apply_delay_ms; /* 0: actions apply before the answer */
    /* Called with the lock held once an alert / a problem is created
     * (webhook_out.h); may be NULL. */
    void      (*on_og_create)(void *ctx, const struct og_alert *a);
    void      (*on_dt_create)(void *ctx, const struct dt_problem *p);
    void       *hook_ctx;
};

#endif
