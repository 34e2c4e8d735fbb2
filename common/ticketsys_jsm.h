/*
 * Jira Service Management operations (JSM, DESIGN §11,
 * shared/api/jsm-ops.md) as a ticket-system module (ticketsys_iface.h): the
 * OpsGenie alert API in a new place,
 * {base_url}/jsm/ops/api/{cloud_id}/v1, with HTTP Basic email:api_token.
 * Feed: GET /alerts?query=...&offset=...&size=...&sort=insertedAt (offset
 * + size under 20,000), the feed's query with every skip_tags tag left
 * out (and left out again on what comes back); per alert GET
 * /alerts/{id} (the full id), whose answer is the item. Marks are tags
 * (POST /alerts/{id}/tags) and, when the entry's teams map names the
 * queue, a responder team (POST /alerts/{id}/responders); notes POST
 * /alerts/{id}/notes {"note"} (200 or 202), 25,000 characters each, long
 * text split over several. Rules' "details.X" finds "extraProperties.X".
 * Webhooks: the alert-action payload's alert.alertId.
 */
#ifndef ALEXIS_TICKETSYS_JSM_H
#define ALEXIS_TICKETSYS_JSM_H

#include "ticketsys_iface.h"

extern const struct ticketsys ticketsys_jsm;

#endif
