/*
 * The hosts a job runs on (DESIGN §7): a rule's explicit entities[] or the
 * value at its entity_keyvalue path in the alert (a string is one entity,
 * an array of strings several, at any depth). Every entity must be a host
 * name (RFC 1123 labels), an IPv4 or an IPv6 address, optionally with a
 * port ("web1:2222", "[::1]:2222"), and, when the config has an allow-list,
 * fully match one of its patterns. Entities are data handed to ssh_exec as
 * a host and a port: they never reach a shell.
 */
#ifndef ALEXIS_AH_ENTITIES_H
#define ALEXIS_AH_ENTITIES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "compat.h"

struct ah_pattern;
struct rule;

#define ENTITY_PORT_DEFAULT 22

struct entity {
    char   *text;           /* as written in the rule or alert */
    char    host[256];      /* without brackets and port */
    int     port;           /* ENTITY_PORT_DEFAULT when none was given */
};

struct entity_list {
    struct entity  *items;
    size_t          n;
};

/*
 * Collect the entities of rule r for the envelope doc into out (zeroed by
 * the caller), dropping repeats so no host runs a task twice. -1 with one
 * sentence in err when the path is missing, the value is empty or of the
 * wrong type, or there are more than RULE_ENTITIES_MAX. Release out with
 * entities_free either way. Thread-safe (reads only).
 */
int entities_resolve(const struct rule *r, const cJSON *doc,
    struct entity_list *out, char *err, size_t errlen) ATTR_WUR;

/*
 * Parse one entity: host name, IPv4, IPv6 (bare or "[v6]"), optionally
 * ":port" (1-65535). Fills host (hostlen bytes) and *port. -1 with a
 * sentence quoting the entity (escaped) in err when it is not valid.
 */
int entities_parse(const char *text, char *host, size_t hostlen, int *port,
    char *err, size_t errlen) ATTR_WUR;

/*
 * Parse every entity of l and check it against the allow-list (patterns
 * fully match the host part; npats == 0 allows any valid host). -1 with
 * the first bad entity's reason in err.
 */
int entities_check(struct entity_list *l, const struct ah_pattern *pats,
    size_t npats, char *err, size_t errlen) ATTR_WUR;

void entities_free(struct entity_list *l);

#endif
