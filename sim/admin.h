/*
 * The simulator's admin API (/_admin/...) and its seed file.
 */
#ifndef ALEXIS_SIM_ADMIN_H
#define ALEXIS_SIM_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "sim.h"

/* The admin API (/_admin/...): loopback peers only, no auth. */
void admin_handle(struct sim *s, const struct sim_req *req,
    struct sim_resp *resp);
/* Load {"opsgenie":[...],"dynatrace":[...]} from path into the store.
 * -1 with "path: reason" in err; counts of loaded objects on success. */
int admin_seed_load(struct sim *s, const char *path, size_t *nalerts,
    size_t *nproblems, char *err, size_t errlen) ATTR_WUR;

#endif
