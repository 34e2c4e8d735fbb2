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

/*
 * Parse state. list/idx/anchor describe the evaluation or task being read:
 * messages get a "task_list[1]: " prefix, and keys are searched for after
 * the idx-th occurrence of "anchor" in the text.
 */
struct parse_ctx {
    const char *text;
    size_t      len;
    const char *path;
    const char *name;       /* rule_name once validated, else NULL */
    const char *list;       /* "evaluation_list", "task_list" or NULL */
    const char *anchor;     /* "evaluation", "task" or NULL */
    size_t      idx;
    char       *err;
    size_t      errlen;
};

/* Write the error about key (NULL: the current object) into c->err, with
 * the key's line and column. Always returns -1. */
int rules_fail(struct parse_ctx *c, const char *key, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

#endif
