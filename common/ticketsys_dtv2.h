/*
 * Dynatrace problems API v2 as a ticket-system module (ticketsys_iface.h). Feed:
 * GET /api/v2/problems -> problems[].problemId, following nextPageKey
 * (sent alone, as the API demands, plus "fields"); per problem its
 * comments are read first (every page, bounded), and one with context
 * "Alexis" means it is handled already (the original's check); otherwise
 * the bare problem object is the item. Writes: comments {message,
 * context}; no teams. Webhooks: the custom problem notification.
 */
#ifndef ALEXIS_TICKETSYS_DTV2_H
#define ALEXIS_TICKETSYS_DTV2_H

#include "ticketsys_iface.h"

extern const struct ticketsys ticketsys_dtv2;

#endif
