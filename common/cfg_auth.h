/*
 * One authentication_list entry (credentials for a ticket system) and the
 * lookup of the entry a ticket is written with. The table that loads the
 * entries and the checks that resolve them are in cfg_common.h; this is
 * what the ticket code and the ticket-system modules read.
 */
#ifndef ALEXIS_CFG_AUTH_H
#define ALEXIS_CFG_AUTH_H

#include <stddef.h>

#include "cfg.h"

/* authentication_list[] entry. headers is the original JSON-string form
 * ('{"Authorization":"GenieKey ..."}', single quotes tolerated);
 * api_key_file a file holding only the key (a Docker secret). A jsm entry
 * (DESIGN §11) has cloud_id, email and api_token_file instead (HTTP Basic
 * email:token), and may map team names to JSM team ids (teams). */
struct cfg_auth {
    char   *name;
    char   *type;           /* a ticket system's feed type (ticketsys.h) */
    char   *description;
    char   *base_url;       /* default: the module's (OpsGenie, JSM) */
    char   *headers;        /* secret */
    char   *api_key_file;
    char   *cloud_id;       /* jsm */
    char   *email;          /* jsm */
    char   *api_token_file; /* jsm */
    struct cfg_strmap teams;    /* jsm: team name -> team id */
    /* Resolved by cfg_common_auth_resolve: complete header lines
     * ("Authorization: GenieKey ...") for libcurl. Secret. */
    char  **header_lines;
    size_t  nheader_lines;
    struct cfg_mark mark;   /* CFG_MARK: where the entry is */
};

/* Release header_lines (wiping them). */
void cfg_auth_cleanup(struct cfg_auth *list, size_t n);

/* The entry whose credentials a daemon may use for a ticket of feed_type at
 * base_url (DESIGN §5): base_url NULL -> the first entry of that type;
 * otherwise the entry of that type whose base_url equals it (ignoring one
 * trailing '/'). NULL when none: the caller refuses and sends nothing. */
const struct cfg_auth *cfg_auth_find(const struct cfg_auth *list, size_t n,
    const char *feed_type, const char *base_url);

#endif
