/*
 * The simulated OpsGenie REST API's routes.
 */
#ifndef ALEXIS_SIM_OPSGENIE_H
#define ALEXIS_SIM_OPSGENIE_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "sim.h"

/* The route for req (filling a), or NULL; *known is set when the path
 * exists for another method. */
const struct sim_route *opsgenie_route(const struct sim_req *req,
    struct sim_args *a, bool *known);

#endif
