/*
 * Private to the config loader (cfg.c, cfg_yaml.c): the YAML node tree.
 */
#ifndef ALEXIS_CFG_YAML_H
#define ALEXIS_CFG_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "cfg_error.h"

enum node_kind { NODE_SCALAR, NODE_MAP, NODE_SEQ };
enum node_tag { TAG_NONE, TAG_NULL, TAG_OTHER };

struct node {
    enum node_kind       kind;
    struct cfg_mark      mark;
    char                *text;      /* NODE_SCALAR: NUL-terminated copy */
    size_t               len;       /* may differ from strlen: \0 escapes */
    yaml_scalar_style_t  style;
    enum node_tag        tag;
    struct node        **kids;      /* map: key, value, key, value... */
    size_t               nkids;
    size_t               cap;
};

/* Parse text[0..len) into *rootp (NULL for an empty stream). On a syntax or
 * structure error, adds one error (path:line:col) to errs and returns -1. */
int cfg_yaml_parse(const char *text, size_t len, const char *path,
    struct cfg_errors *errs, struct node **rootp);

/* Free a tree, wiping scalar text (it may hold secrets). Accepts NULL. */
void cfg_yaml_node_free(struct node *n);

/* An explicit YAML null or an empty plain scalar: the key is "absent". */
bool cfg_yaml_node_is_null(const struct node *n);

#endif
