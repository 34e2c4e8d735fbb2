/*
 * The asynchronous OpsGenie alert actions (create, delete, notes, teams,
 * responders, tags, details, acknowledge, unacknowledge, close): validate
 * the request as OpsGenie does (400 bad JSON, 422 bad fields), queue it in
 * the store and answer 202 {"result":"Request will be processed",...}.
 */
#ifndef ALEXIS_SIM_OG_ACTIONS_H
#define ALEXIS_SIM_OG_ACTIONS_H

#include "sim.h"

/* Route handler for every asynchronous alert endpoint; the action is
 * chosen from the request's method and path. */
void og_actions_handle(struct sim *s, const struct sim_req *req,
    const struct sim_args *a, struct sim_resp *resp);

/* Queue act (consumed by the store either way) and, when it is taken,
 * answer the 202 receipt {"result":"Request will be processed"}. The
 * store's outcome; the caller answers the others in its API's shape. */
enum store_rc og_actions_submit(struct sim *s, struct og_action *act,
    const struct sim_args *a, struct sim_resp *resp);

/* The "tags" list of a body (1..20 strings of 1..50 characters, as
 * OpsGenie and JSM take them) into act->list; -1 with the reason. */
int og_actions_tags(const cJSON *body, struct og_action *act, char *err,
    size_t errlen) ATTR_WUR;

#endif
