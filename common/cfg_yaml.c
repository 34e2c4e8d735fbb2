/*
 * The YAML half of the config loader: libyaml's event parser builds a small
 * private node tree (mappings, lists, scalars with their 1-based marks) that
 * cfg.c then walks against the field tables. Structure limits (depth, list
 * length, aliases, documents) are enforced here, while building.
 */
#include "cfg_yaml.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "utf8.h"
#include "xmem.h"

struct builder {
    struct node     *root;
    struct node     *stack[CFG_DEPTH_MAX];
    size_t           depth;
    int              docs;
    struct cfg_mark  mark;          /* where the structure error is */
    char             msg[ALEXIS_ERR_MAX];
};

/* ---- The node tree ---- */

void
cfg_yaml_node_free(struct node *n)
{
    size_t i;

    if (n == NULL)
        return;
    for (i = 0; i < n->nkids; i++)
        cfg_yaml_node_free(n->kids[i]);
    free(n->kids);
    if (n->text != NULL) {
        /* Scalars may be secrets (headers). */
        explicit_bzero(n->text, n->len);
        free(n->text);
    }
    free(n);
}

static struct cfg_mark
mark_of(const yaml_mark_t *ym)
{
    struct cfg_mark m;

    m.line = ym->line >= INT_MAX ? INT_MAX : (int)ym->line + 1;
    m.col = ym->column >= INT_MAX ? INT_MAX : (int)ym->column + 1;
    return m;
}

static struct node *
node_new(enum node_kind kind, const yaml_mark_t *ym)
{
    struct node *n = xcalloc(1, sizeof(*n));

    n->kind = kind;
    n->mark = mark_of(ym);
    return n;
}

static struct node *
scalar_new(const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    struct node *n = node_new(NODE_SCALAR, &ev->start_mark);

    n->len = ev->data.scalar.length;
    n->text = xmalloc(n->len + 1);
    memcpy(n->text, ev->data.scalar.value, n->len);
    n->text[n->len] = '\0';
    n->style = ev->data.scalar.style;
    if (tag == NULL)
        n->tag = TAG_NONE;
    else
        n->tag = strcmp(tag, YAML_NULL_TAG) == 0 ? TAG_NULL : TAG_OTHER;
    /* Block scalars lose their final line break: "feed_url: >" values. */
    if ((n->style == YAML_LITERAL_SCALAR_STYLE ||
        n->style == YAML_FOLDED_SCALAR_STYLE) && n->len > 0 &&
        n->text[n->len - 1] == '\n')
        n->text[--n->len] = '\0';
    return n;
}

/* YAML null or an empty scalar: the key counts as absent. */
bool
cfg_yaml_node_is_null(const struct node *n)
{
    if (n->kind != NODE_SCALAR)
        return false;
    if (n->len == 0 || n->tag == TAG_NULL)
        return true;
    if (n->tag != TAG_NONE || n->style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
        strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

static int ATTR_PRINTF(3, 4)
build_fail(struct builder *b, const yaml_mark_t *at, const char *fmt, ...)
{
    va_list ap;

    b->mark = mark_of(at);
    va_start(ap, fmt);
    (void)vsnprintf(b->msg, sizeof(b->msg), fmt, ap);
    va_end(ap);
    return -1;
}

/* Hang n under the open collection (or make it the root). Takes n. */
static int
build_attach(struct builder *b, struct node *n, const yaml_mark_t *ym)
{
    struct node *p;
    size_t max;

    if (b->depth == 0) {
        b->root = n;
        return 0;
    }
    p = b->stack[b->depth - 1];
    max = p->kind == NODE_MAP ? 2 * (size_t)CFG_LIST_MAX : CFG_LIST_MAX;
    if (p->nkids >= max) {
        build_fail(b, ym, "more than %d %s", CFG_LIST_MAX,
            p->kind == NODE_MAP ? "keys in a mapping" : "items in a list");
        cfg_yaml_node_free(n);
        return -1;
    }
    if (p->nkids == p->cap) {
        p->cap = p->cap == 0 ? 8 : p->cap * 2;
        p->kids = xreallocarray(p->kids, p->cap, sizeof(*p->kids));
    }
    p->kids[p->nkids++] = n;
    return 0;
}

static int
build_open(struct builder *b, const yaml_event_t *ev, enum node_kind kind)
{
    const yaml_mark_t *ym = &ev->start_mark;
    const yaml_char_t *anchor = kind == NODE_MAP ?
        ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    struct node *n;

    if (anchor != NULL)
        return build_fail(b, ym, "anchors and aliases are not supported");
    n = node_new(kind, ym);
    if (build_attach(b, n, ym) == -1)
        return -1;
    if (b->depth == CFG_DEPTH_MAX)
        return build_fail(b, ym, "nested deeper than %d levels",
            CFG_DEPTH_MAX);
    b->stack[b->depth++] = n;
    return 0;
}

static int
build_event(struct builder *b, const yaml_event_t *ev)
{
    const yaml_mark_t *ym = &ev->start_mark;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1)
            return build_fail(b, ym, "multiple documents are not supported");
        return 0;
    case YAML_ALIAS_EVENT:
        return build_fail(b, ym, "aliases are not supported");
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor != NULL)
            return build_fail(b, ym, "anchors and aliases are not supported");
        return build_attach(b, scalar_new(ev), ym);
    case YAML_MAPPING_START_EVENT:
        return build_open(b, ev, NODE_MAP);
    case YAML_SEQUENCE_START_EVENT:
        return build_open(b, ev, NODE_SEQ);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        /* libyaml balances start and end events; guard anyway. */
        if (b->depth > 0)
            b->depth--;
        return 0;
    default:
        return 0;
    }
}

/* libyaml's own error: problem at problem_mark (reader errors only have a
 * byte offset, converted here). */
static void
yaml_fail(const char *path, struct cfg_errors *errs, const yaml_parser_t *p,
    const char *text, size_t len)
{
    struct cfg_mark m = { 1, 1 };
    const char *problem = p->problem != NULL ? p->problem : "invalid YAML";
    size_t i;

    if (p->error == YAML_READER_ERROR) {
        for (i = 0; i < p->problem_offset && i < len; i++) {
            if (text[i] == '\n') {
                m.line++;
                m.col = 1;
            } else if (!utf8_is_cont((unsigned char)text[i])) {
                m.col++;
            }
        }
    } else {
        m = mark_of(&p->problem_mark);
    }
    cfg_error_add(errs, path, &m, "%s", problem);
}

int
cfg_yaml_parse(const char *text, size_t len, const char *path,
    struct cfg_errors *errs, struct node **rootp)
{
    struct builder b;
    yaml_parser_t parser;
    yaml_event_t ev;
    int done = 0, rc = -1, r;

    memset(&b, 0, sizeof(b));
    if (!yaml_parser_initialize(&parser)) {
        cfg_error_add(errs, path, NULL, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            yaml_fail(path, errs, &parser, text, len);
            goto out;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        r = build_event(&b, &ev);
        yaml_event_delete(&ev);
        if (r == -1) {
            cfg_error_add(errs, path, &b.mark, "%s", b.msg);
            goto out;
        }
    }
    rc = 0;
out:
    yaml_parser_delete(&parser);
    if (rc == -1) {
        cfg_yaml_node_free(b.root);
        b.root = NULL;
    }
    *rootp = b.root;
    return rc;
}
