/*
 * The classifier's struct classify_io over HTTP: forwards POST to
 * "<dest>/action" with the runtime token as a bearer (re-read when its
 * file changes), retried as the HTTP client does (HTTP_RETRY_MAX); marks
 * go through the ticket module on the same client. One per worker thread:
 * its HTTP client keeps connections alive between alerts.
 */
#ifndef ALEXIS_CLASSIFY_HTTP_H
#define ALEXIS_CLASSIFY_HTTP_H

struct classifier;
struct classify_io;

/* An io with its own HTTP client (conf.ca_file for the destinations).
 * NULL when the client cannot be made. */
struct classify_io *classify_http_new(struct classifier *c);

/* Accepts NULL. */
void classify_http_free(struct classify_io *io);

#endif
