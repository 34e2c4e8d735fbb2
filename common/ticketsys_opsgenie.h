/*
 * OpsGenie (REST API v2) as a ticket-system module (ticketsys_iface.h). Feed: GET
 * /v2/alerts with the operator's query, offset paging up to the API's
 * offset + limit cap, tinyIds; details GET /v2/alerts/{tinyId}?
 * identifierType=tiny, whose "data" is the item. "Already handled" is the
 * query's business (teams!=queue_...), as in the original. Writes: add
 * team (with the mark's note), notes (25,000 characters), asynchronous
 * 202 + requestId. Webhooks: OpsGenie's alert-action payload.
 */
#ifndef ALEXIS_TICKETSYS_OPSGENIE_H
#define ALEXIS_TICKETSYS_OPSGENIE_H

#include "ticketsys_iface.h"

extern const struct ticketsys ticketsys_opsgenie;

#endif
