/*
 * Delivery to the classifier: POST <classifier_destinations[type]>/classifier
 * with "Authorization: Bearer <runtime token>" and the envelope; any 2xx
 * is delivered. And the original's keep-alive: GET <destination>/ping when
 * a feed is empty. Retries (429, 5xx, transport errors, bounded) happen in
 * the fetcher. Nothing here logs.
 */
#ifndef ALEXIS_POLLER_FORWARD_H
#define ALEXIS_POLLER_FORWARD_H

#include <stddef.h>

#include "compat.h"

struct fetcher;

/* The header line "Authorization: Bearer <token>" (caller wipes and frees
 * with forward_auth_free). */
char *forward_auth_header(const char *token);
void forward_auth_free(char *line);

/* POST body[0..len) to dest + "/classifier" with hdrs. 0 when the answer
 * was 2xx; -1 otherwise with *status (0 without an answer) and one
 * sentence in err. */
int forward_envelope(struct fetcher *f, const char *dest,
    const char *const *hdrs, const char *body, size_t len, long *status,
    char *err, size_t errlen) ATTR_WUR;

/* GET dest + "/ping" (no token, as the original). Returns the status, 0
 * when no answer came (err says why). */
long forward_ping(struct fetcher *f, const char *dest, char *err,
    size_t errlen);

#endif
