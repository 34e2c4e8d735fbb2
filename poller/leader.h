/*
 * Leader election of poller replicas (DESIGN §14): with
 * poller.leader_store (a PostgreSQL URI), one replica polls each feed, the
 * one holding the feed's session advisory lock (pg_try_advisory_lock on a
 * connection of its own); the others stand by and try again every pass,
 * so when the leader dies (its session ends, the lock is released) a
 * standby takes over within one loop_interval. Without leader_store every
 * feed is always polled (one replica, as before). Webhooks are taken by
 * every replica and are not gated here.
 */
#ifndef ALEXIS_POLLER_LEADER_H
#define ALEXIS_POLLER_LEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

struct leader;

/* A check for leader_store while the configuration loads: a PostgreSQL
 * URI (postgresql:// or postgres://) without a password. The error never
 * quotes the value. */
int leader_check_uri(const char *text, char *err, size_t errlen);

/* An election for nfeeds feeds on uri (NULL: no election, every feed
 * active). The password comes from password_file (may be NULL: then
 * PGPASSFILE). Nothing is connected yet. NULL with err when the password
 * file cannot be read. */
struct leader *leader_new(const char *uri, const char *password_file,
    size_t nfeeds, char *err, size_t errlen);
void leader_free(struct leader *l);

/* Whether this replica should poll feed i (named name) now: true when it
 * holds the feed's lock on a live session, taking the lock when free.
 * False while the store is unreachable (never two pollers). Logs
 * leader_elected / leader_lost / leader_store_unreachable on changes.
 * Called from the poll loop's thread only. */
bool leader_is_active(struct leader *l, size_t i, const char *name);

#endif
