/*
 * Host keys against an OpenSSH known_hosts file, for ssh.c. Parsing and
 * matching are libssh2's (plain, comma lists, hashed |1| and [host]:port
 * entries); this module reads the file with a bound, reports a bad line as
 * file:line, refuses marker lines, steers the negotiation towards the key
 * types known for a host, and turns the check into one of four answers.
 */
#ifndef ALEXIS_SSH_KNOWN_H
#define ALEXIS_SSH_KNOWN_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh2.h>

#include "compat.h"

enum ssh_known_status {
    SSH_KNOWN_MATCH,
    SSH_KNOWN_UNKNOWN,      /* no entry of the offered key type */
    SSH_KNOWN_CHANGED,      /* an entry of that type, with another key */
    SSH_KNOWN_ERROR
};

/*
 * Read known_hosts at path (at most SSH_KNOWN_HOSTS_MAX bytes) into a new
 * collection of session. Any line libssh2 cannot parse fails the whole load,
 * and so does a marker line (@revoked, @cert-authority): libssh2 would read
 * "@revoked" as a host name and a revoked key would not be refused.
 * Returns the collection (free with libssh2_knownhost_free before the
 * session) or NULL with one sentence in err.
 */
LIBSSH2_KNOWNHOSTS *ssh_known_load(LIBSSH2_SESSION *session,
    const char *path, char *err, size_t errlen);

/*
 * Set the session's host key algorithms (before the handshake): first the
 * types known_hosts holds for host:port, then the other supported ones, so
 * that a host offering several key types is checked against the one we
 * know, and a host we do not know still completes the handshake and is
 * then refused as unknown. Returns 0, or -1 with err.
 */
int ssh_known_prefer(LIBSSH2_SESSION *session, LIBSSH2_KNOWNHOSTS *known,
    const char *host, int port, char *err, size_t errlen) ATTR_WUR;

/*
 * Check the host key the server proved in the handshake against known
 * entries for "[host]:port" and "host". On anything but a match, err holds
 * a sentence naming the host, key type and SHA256 fingerprint (public data)
 * and path.
 */
enum ssh_known_status ssh_known_check(LIBSSH2_SESSION *session,
    LIBSSH2_KNOWNHOSTS *known, const char *host, int port, const char *path,
    char *err, size_t errlen);

/*
 * Ask known_hosts before connecting (issue 11): an entity with no entry is
 * refused without a connection, so alert content cannot make us probe
 * hosts and ports. ssh_known_open reads path once (as ssh_known_load, with
 * its own libssh2 session that never connects); NULL with err, which never
 * holds the path. ssh_known_listed is true when known_hosts has an entry
 * of a key type we negotiate for "[host]:port" or "host" (hashed entries
 * included: libssh2 matches them). Not thread-safe per set.
 */
struct ssh_known_set;
struct ssh_known_set *ssh_known_open(const char *path, char *err,
    size_t errlen);
bool ssh_known_listed(struct ssh_known_set *ks, const char *host, int port);
void ssh_known_close(struct ssh_known_set *ks);

#endif
