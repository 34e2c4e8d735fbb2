/*
 * URLs: percent-encoding of one component and the http(s) URL check, both
 * on libcurl (the one copy every daemon, the config and the simulator
 * use), and URL building for feeds (the poller): placeholder substitution
 * in the
 * original's feed_url / individual_url templates, percent-encoding of the
 * query as the operator wrote it (the original's folded YAML queries hold
 * spaces, '=', '>' and '!' inside the query parameter's value), and the
 * paging edits
 * (set offset/limit, keep only nextPageKey). Pure string functions: no I/O,
 * no logging, thread-safe.
 */
#ifndef ALEXIS_URL_H
#define ALEXIS_URL_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

/* Percent-encode s as one URL path segment or query value: every byte but
 * A-Z a-z 0-9 - . _ ~ becomes %XX (curl_easy_escape; UTF-8 byte by byte,
 * a space %20). Caller frees. */
char *url_escape(const char *s);

/* The URL of one item of a ticket API:
 * "{base}{prefix}/{id, url_escape'd}[/{what}][{query}]" (what and query
 * may be NULL; query starts with its '?'). NULL when longer than max
 * bytes. Caller frees. */
char *url_item(const char *base, const char *prefix, const char *id,
    const char *what, const char *query, size_t max);

/* 0 when text is an http:// or https:// URL (scheme in any case) with a
 * host, parsed by curl_url: userinfo is allowed, a port must be 1-65535,
 * no white space or control bytes. Otherwise -1 with one sentence in err.
 * The check for CFG_URL scalars. */
int url_check(const char *text, char *err, size_t errlen);

struct url_vars {
    const char *base_url;   /* $base_url (trailing '/' ignored) */
    uint64_t    lookback;   /* $lookback: epoch ms; 0 = not available */
    const char *uniqueid;   /* $uniqueid and $tinyid; NULL = not available */
};

/* Expand the placeholders of tmpl and encode the result:
 * - leading and trailing white space is dropped and inner line breaks and
 *   tabs become spaces (a folded or literal YAML block);
 * - $base_url, $lookback and $uniqueid/$tinyid are replaced; the id is
 *   percent-encoded as one path segment first;
 * - in the path, bytes outside RFC 3986 pchar and '/' are percent-encoded;
 * - the query is split at '&', each part at its first '=', and both sides
 *   are encoded so that only unreserved bytes remain literal; an existing
 *   %XX escape is kept, so an already-encoded URL is unchanged; a '#' and
 *   anything after it is encoded as part of the query.
 * Caller frees. NULL with one sentence in err when a placeholder has no
 * value or the result would exceed POLLER_URL_MAX. */
char *url_expand(const char *tmpl, const struct url_vars *vars, char *err,
    size_t errlen);

/* url with every "key=..." parameter removed and "key=value" appended
 * (value percent-encoded). Caller frees. NULL when the result would
 * exceed POLLER_URL_MAX. */
char *url_set_param(const char *url, const char *key, const char *value);

/* url with the query reduced to the parameters named in keep (a
 * NULL-terminated list, may be NULL), in their original order. Caller
 * frees. NULL when the result would exceed POLLER_URL_MAX. */
char *url_keep_params(const char *url, const char *const *keep);

/* The value of the first "key=" parameter of url, still encoded, copied
 * into out. -1 when absent or longer than outlen-1. */
int url_get_param(const char *url, const char *key, char *out,
    size_t outlen);

#endif
