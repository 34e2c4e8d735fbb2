/*
 * The connection guard of the HTTP server (http_server.c): it tracks every
 * TCP connection libmicrohttpd holds and keeps slow or idle clients from
 * filling the connection limit (a slowloris), which MHD 0.9 cannot do by
 * itself (its timeout counts only inactivity, so one byte every few
 * seconds holds a slot forever).
 *   - A deadline per request: headers and body must be in within
 *     request_deadline_ms of the connection's start, or of the previous
 *     answer plus the idle timeout on a kept-alive connection. A reaper
 *     thread shuts down the socket of a connection past it.
 *   - Over soft_max connections, each new one makes room by shutting down
 *     the connection that has waited longest for its request to finish, so
 *     a new client (a health check's /v1/ping) always gets in.
 * Connections whose request is being answered (a handler ran and queued
 * the response) are never cut. The socket is only shut down, never closed
 * here: MHD notices the end, closes it and reports the request with
 * termination=read_error or client_abort. Cuts are logged at most once per
 * second as http_connections_cut with counts.
 */
#ifndef ALEXIS_HTTP_CONNS_H
#define ALEXIS_HTTP_CONNS_H

#include <stdint.h>

#include "compat.h"

struct http_conns;
struct http_conn_track;

/* Start the guard and its reaper thread. NULL with err on failure. */
struct http_conns *http_conns_new(unsigned soft_max, uint64_t deadline_ms,
    uint64_t idle_ms, char *err, size_t errlen);

/* Stop the reaper and free. Every connection must have been reported
 * closed (MHD_stop_daemon does that). Accepts NULL. */
void http_conns_free(struct http_conns *g);

/* A connection was accepted on fd (MHD's NOTIFY_CONNECTION STARTED).
 * Returns its handle, to give back to the calls below. Thread-safe. */
struct http_conn_track *http_conns_opened(struct http_conns *g, int fd);

/* The connection's response is queued: exempt from cuts until done. */
void http_conns_answering(struct http_conns *g, struct http_conn_track *t);

/* Its request finished: the next one may take the idle timeout plus the
 * request deadline. */
void http_conns_done(struct http_conns *g, struct http_conn_track *t);

/* The connection is closing (NOTIFY_CONNECTION CLOSED; before MHD closes
 * the socket, so the fd is never shut down after reuse). Frees t. */
void http_conns_closed(struct http_conns *g, struct http_conn_track *t);

#endif
