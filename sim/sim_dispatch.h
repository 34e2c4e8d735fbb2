/*
 * The alexis-sim request dispatcher: route a request to the OpsGenie,
 * JSM, Dynatrace or admin handlers, and around every simulated API call
 * apply injected faults, authentication, the optional rate limits, the
 * call counters and the request_finished log line.
 */
#ifndef ALEXIS_SIM_SIM_DISPATCH_H
#define ALEXIS_SIM_SIM_DISPATCH_H

#include "sim_http.h"

/* The sim_http callback: ctx is a struct sim. */
void sim_dispatch(void *ctx, const struct sim_req *req,
    struct sim_resp *resp);

#endif
