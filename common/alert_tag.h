/*
 * An alert's tags: the hash they and a rule's tags are compared by, and
 * the add the ticket-system modules' collect_tags fill an alert's list
 * with (ticketsys_iface.h). Pure, thread-safe.
 */
#ifndef ALEXIS_ALERT_TAG_H
#define ALEXIS_ALERT_TAG_H

#include <stdint.h>

#include "ticketsys_iface.h"

/* The hash matching compares tags by before comparing their text
 * (FNV-1a): an alert's (alert_tag_add) and a rule's (rules.c) alike. */
uint32_t alert_tag_hash(const char *tag);

/* For modules' collect_tags: add tag (borrowed from a->doc or a->side;
 * NULL ignored) with its hash unless ALERT_TAGS_MAX are there already. */
void alert_tag_add(struct alert *a, const char *tag);

#endif
