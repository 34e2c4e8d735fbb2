/*
 * Dynatrace problems API v1 as a ticket-system module (ticketsys_iface.h). Feed:
 * GET /api/v1/problem/feed -> result.problems[].id (one call; the API
 * caps it at 5000); per problem its comments are read first, and one with
 * context "Alexis" means it is handled already; otherwise the details'
 * "result" object is the item. Tags are the key and key:value of
 * tagsOfAffectedEntities[]. Writes: comments {comment, user, context}; no
 * teams. Webhooks: the custom problem notification.
 */
#ifndef ALEXIS_TICKETSYS_DTV1_H
#define ALEXIS_TICKETSYS_DTV1_H

#include "ticketsys_iface.h"

extern const struct ticketsys ticketsys_dtv1;

#endif
