/*
 * The simulated Dynatrace API v2: list, get and comments.
 */
#ifndef ALEXIS_SIM_DT_V2_H
#define ALEXIS_SIM_DT_V2_H

#include <stddef.h>

#include "sim.h"

/* The v2 handlers. */
void dt_v2_list(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);
void dt_v2_get(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);
void dt_v2_comments(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);

#endif
