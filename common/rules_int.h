/*
 * Internal to the rule parser (rules.c and the modules that parse parts of
 * a rule, such as rules_guard.c): the parse state and the one error
 * formatter, so every message has the same "path:line:col: error: rule
 * "name": ..." form.
 */
#ifndef ALEXIS_RULES_INT_H
#define ALEXIS_RULES_INT_H

#include <stddef.h>

#include "compat.h"
#include "json.h"

/* Deepest object a rule's errors point into: task_list[i].task. */
#define RULES_CTX_DEPTH 3

/*
 * Parse state. list/idx name the evaluation or task being read (messages
 * get a "task_list[1]: " prefix); at[0..depth) is the JSON path from the
 * document to the object being read ({"task_list"}, {index 1}, {"task"}),
 * so an error about key K points at K inside that object (json_locate).
 */
struct parse_ctx {
    const char *text;
    size_t      len;
    const char *path;
    const char *name;       /* rule_name once validated, else NULL */
    const char *list;       /* "evaluation_list", "task_list" or NULL */
    size_t      idx;
    struct json_step at[RULES_CTX_DEPTH];
    size_t      depth;
    char       *err;
    size_t      errlen;
};

/* Write the error about key (NULL: the current object) into c->err, with
 * the key's line and column. Always returns -1. */
int rules_fail(struct parse_ctx *c, const char *key, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

#endif
