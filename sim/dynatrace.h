/*
 * The simulated Dynatrace API's routes (v1 here, v2 in dt_v2.c; what the
 * two halves share is in dt_api.h).
 */
#ifndef ALEXIS_SIM_DYNATRACE_H
#define ALEXIS_SIM_DYNATRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "sim.h"

/* The route for req (filling a), or NULL; *known is set when the path
 * exists for another method. */
const struct sim_route *dynatrace_route(const struct sim_req *req,
    struct sim_args *a, bool *known);

#endif
