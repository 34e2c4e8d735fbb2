/*
 * OpsGenie search queries: a small recursive-descent parser into a node
 * array (no pointers between nodes, bounded size and depth) and an
 * evaluator over struct og_query_alert. Used by the list and count
 * handlers of alexis-sim.
 */
#include "og_query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sim_limits.h"
#include "simutil.h"
#include "str.h"
#include "xmem.h"

enum node_kind {
    N_AND,
    N_OR,
    N_NOT,
    N_COND,
};

enum op {
    OP_EQ,      /* ':' and '=' */
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
};

enum ftype {
    FT_STR,     /* exact (with * wildcards) */
    FT_TEXT,    /* substring (with * wildcards) */
    FT_LIST,    /* any element exact */
    FT_NUM,
    FT_BOOL,
};

enum field {
    F_ID, F_TINY, F_ALIAS, F_MESSAGE, F_DESCRIPTION, F_STATUS, F_ENTITY,
    F_SOURCE, F_OWNER, F_PRIORITY, F_INTEG_NAME, F_INTEG_TYPE, F_TAGS,
    F_TEAMS, F_ACK, F_SEEN, F_SNOOZED, F_COUNT, F_CREATED, F_UPDATED,
    F_LAST,
};

static const struct field_def {
    const char  *name;
    enum field   field;
    enum ftype   type;
} fields[] = {
    { "alertId",            F_ID,           FT_STR },
    { "id",                 F_ID,           FT_STR },
    { "tinyId",             F_TINY,         FT_NUM },
    { "alias",              F_ALIAS,        FT_STR },
    { "message",            F_MESSAGE,      FT_TEXT },
    { "description",        F_DESCRIPTION,  FT_TEXT },
    { "status",             F_STATUS,       FT_STR },
    { "entity",             F_ENTITY,       FT_STR },
    { "source",             F_SOURCE,       FT_STR },
    { "owner",              F_OWNER,        FT_STR },
    { "priority",           F_PRIORITY,     FT_STR },
    { "integration.name",   F_INTEG_NAME,   FT_STR },
    { "integration.type",   F_INTEG_TYPE,   FT_STR },
    { "tag",                F_TAGS,         FT_LIST },
    { "tags",               F_TAGS,         FT_LIST },
    { "teams",              F_TEAMS,        FT_LIST },
    { "team",               F_TEAMS,        FT_LIST },
    { "acknowledged",       F_ACK,          FT_BOOL },
    { "isSeen",             F_SEEN,         FT_BOOL },
    { "seen",               F_SEEN,         FT_BOOL },
    { "snoozed",            F_SNOOZED,      FT_BOOL },
    { "count",              F_COUNT,        FT_NUM },
    { "createdAt",          F_CREATED,      FT_NUM },
    { "updatedAt",          F_UPDATED,      FT_NUM },
    { "lastOccurredAt",     F_LAST,         FT_NUM },
};

struct qnode {
    enum node_kind   kind;
    int              left;      /* child index, or -1 */
    int              right;
    const struct field_def *fd;
    enum op          op;
    char            *value;     /* owned; conditions only */
    uint64_t         num;
    bool             bval;
};

struct og_query {
    struct qnode    *nodes;
    size_t           n;
    int              root;      /* -1: match everything */
};

struct parser {
    const char      *s;
    size_t           pos;
    struct og_query *q;
    int              depth;
    char            *err;
    size_t           errlen;
    bool             failed;
};

static void
perr(struct parser *p, const char *fmt, ...) ATTR_PRINTF(2, 3);

static void
perr(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    if (p->failed)
        return;
    p->failed = true;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
}

static void
skip_ws(struct parser *p)
{
    while (p->s[p->pos] != '\0' && isspace((unsigned char)p->s[p->pos]))
        p->pos++;
}

/* True (and consumed) when the keyword kw stands at the cursor as a whole
 * word: followed by whitespace, '(' or the end of the text. */
static bool
accept_kw(struct parser *p, const char *kw)
{
    size_t n = strlen(kw);
    char next;

    skip_ws(p);
    if (strncmp(p->s + p->pos, kw, n) != 0)
        return false;
    next = p->s[p->pos + n];
    if (next != '\0' && !isspace((unsigned char)next) && next != '(')
        return false;
    p->pos += n;
    return true;
}

static int
new_node(struct parser *p, enum node_kind kind, int left, int right)
{
    struct qnode *nd;

    if (p->q->n >= SIM_QUERY_NODES_MAX) {
        perr(p, "query too complex (more than %d terms)",
            SIM_QUERY_NODES_MAX);
        return -1;
    }
    nd = &p->q->nodes[p->q->n];
    memset(nd, 0, sizeof(*nd));
    nd->kind = kind;
    nd->left = left;
    nd->right = right;
    return (int)p->q->n++;
}

static const struct field_def *
lookup_field(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < NELEM(fields); i++) {
        if (strlen(fields[i].name) == len &&
            strncmp(fields[i].name, name, len) == 0)
            return &fields[i];
    }
    return NULL;
}

static int
parse_op(struct parser *p, enum op *op)
{
    const char *c;

    skip_ws(p);
    c = p->s + p->pos;
    if (c[0] == ':' || c[0] == '=') {
        *op = OP_EQ;
        p->pos += 1;
    } else if (c[0] == '!' && c[1] == '=') {
        *op = OP_NE;
        p->pos += 2;
    } else if (c[0] == '<' && c[1] == '=') {
        *op = OP_LE;
        p->pos += 2;
    } else if (c[0] == '>' && c[1] == '=') {
        *op = OP_GE;
        p->pos += 2;
    } else if (c[0] == '<') {
        *op = OP_LT;
        p->pos += 1;
    } else if (c[0] == '>') {
        *op = OP_GT;
        p->pos += 1;
    } else {
        perr(p, "expected an operator (: = != < > <= >=) at offset %zu",
            p->pos);
        return -1;
    }
    return 0;
}

/* A bare word (up to whitespace or ')') or a "quoted string" with \"
 * and \\ escapes. Caller frees. */
static char *
parse_word(struct parser *p)
{
    struct buf b;
    size_t start;

    skip_ws(p);
    buf_init(&b, SIM_QUERY_VALUE_MAX);
    if (p->s[p->pos] == '"') {
        p->pos++;
        while (p->s[p->pos] != '"') {
            char c = p->s[p->pos];

            if (c == '\0') {
                perr(p, "unterminated quoted value");
                goto fail;
            }
            if (c == '\\' && p->s[p->pos + 1] != '\0')
                c = p->s[++p->pos];
            if (buf_append(&b, &c, 1) == -1)
                goto toolong;
            p->pos++;
        }
        p->pos++;
        return buf_steal(&b);
    }
    start = p->pos;
    while (p->s[p->pos] != '\0' && !isspace((unsigned char)p->s[p->pos]) &&
        p->s[p->pos] != ')' && p->s[p->pos] != '(')
        p->pos++;
    if (p->pos == start) {
        perr(p, "expected a value at offset %zu", start);
        goto fail;
    }
    if (buf_append(&b, p->s + start, p->pos - start) == -1)
        goto toolong;
    return buf_steal(&b);
toolong:
    perr(p, "value longer than %d bytes", SIM_QUERY_VALUE_MAX);
fail:
    buf_free(&b);
    return NULL;
}

static int
make_cond(struct parser *p, const struct field_def *fd, enum op op,
    char *value)
{
    const char *errstr;
    struct qnode *nd;
    int idx;

    if (fd->type != FT_NUM && op != OP_EQ && op != OP_NE) {
        perr(p, "field %s does not support ordering operators", fd->name);
        goto fail;
    }
    if ((idx = new_node(p, N_COND, -1, -1)) == -1)
        goto fail;
    nd = &p->q->nodes[idx];
    nd->fd = fd;
    nd->op = op;
    nd->value = value;
    if (fd->type == FT_NUM &&
        str_to_u64(value, 0, UINT64_MAX, &nd->num, &errstr) == -1) {
        perr(p, "field %s needs a number, got \"%s\"", fd->name, value);
        return -1;
    }
    if (fd->type == FT_BOOL) {
        if (str_eq_nocase(value, "true"))
            nd->bval = true;
        else if (!str_eq_nocase(value, "false")) {
            perr(p, "field %s needs true or false", fd->name);
            return -1;
        }
    }
    return idx;
fail:
    free(value);
    return -1;
}

/* `(v1 OR v2 AND v3)` after an operator: the same condition per value. */
static int
parse_value_group(struct parser *p, const struct field_def *fd, enum op op)
{
    int left, right;
    enum node_kind kind;
    char *v;

    p->pos++;   /* '(' */
    if ((v = parse_word(p)) == NULL)
        return -1;
    if ((left = make_cond(p, fd, op, v)) == -1)
        return -1;
    for (;;) {
        skip_ws(p);
        if (p->s[p->pos] == ')') {
            p->pos++;
            return left;
        }
        if (accept_kw(p, "OR"))
            kind = N_OR;
        else if (accept_kw(p, "AND"))
            kind = N_AND;
        else {
            perr(p, "expected OR, AND or ')' at offset %zu", p->pos);
            return -1;
        }
        if ((v = parse_word(p)) == NULL)
            return -1;
        if ((right = make_cond(p, fd, op, v)) == -1)
            return -1;
        if ((left = new_node(p, kind, left, right)) == -1)
            return -1;
    }
}

static int
parse_condition(struct parser *p)
{
    const struct field_def *fd;
    size_t start;
    enum op op;
    char *v;

    skip_ws(p);
    start = p->pos;
    while (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_' ||
        p->s[p->pos] == '.')
        p->pos++;
    if (p->pos == start) {
        if (p->s[start] == '\0')
            perr(p, "unexpected end of query");
        else
            perr(p, "expected a field name at offset %zu", start);
        return -1;
    }
    if ((fd = lookup_field(p->s + start, p->pos - start)) == NULL) {
        perr(p, "unknown field \"%.*s\"", (int)(p->pos - start),
            p->s + start);
        return -1;
    }
    if (parse_op(p, &op) == -1)
        return -1;
    skip_ws(p);
    if (p->s[p->pos] == '(')
        return parse_value_group(p, fd, op);
    if ((v = parse_word(p)) == NULL)
        return -1;
    return make_cond(p, fd, op, v);
}

static int parse_or(struct parser *p);

static int
parse_unary(struct parser *p)
{
    int child, rc;

    if (++p->depth > SIM_QUERY_DEPTH_MAX) {
        perr(p, "query nested deeper than %d", SIM_QUERY_DEPTH_MAX);
        return -1;
    }
    skip_ws(p);
    if (accept_kw(p, "NOT")) {
        if ((child = parse_unary(p)) == -1)
            return -1;
        rc = new_node(p, N_NOT, child, -1);
    } else if (p->s[p->pos] == '(') {
        p->pos++;
        if ((rc = parse_or(p)) == -1)
            return -1;
        skip_ws(p);
        if (p->s[p->pos] != ')') {
            perr(p, "expected ')' at offset %zu", p->pos);
            return -1;
        }
        p->pos++;
    } else
        rc = parse_condition(p);
    p->depth--;
    return rc;
}

static int
parse_and(struct parser *p)
{
    int left, right;

    if ((left = parse_unary(p)) == -1)
        return -1;
    while (accept_kw(p, "AND")) {
        if ((right = parse_unary(p)) == -1)
            return -1;
        if ((left = new_node(p, N_AND, left, right)) == -1)
            return -1;
    }
    return left;
}

static int
parse_or(struct parser *p)
{
    int left, right;

    if ((left = parse_and(p)) == -1)
        return -1;
    while (accept_kw(p, "OR")) {
        if ((right = parse_and(p)) == -1)
            return -1;
        if ((left = new_node(p, N_OR, left, right)) == -1)
            return -1;
    }
    return left;
}

struct og_query *
og_query_parse(const char *text, char *err, size_t errlen)
{
    struct og_query *q;
    struct parser p;

    q = xcalloc(1, sizeof(*q));
    q->root = -1;
    if (text == NULL)
        return q;
    if (strlen(text) > SIM_QUERY_LEN_MAX) {
        snprintf(err, errlen, "query longer than %d bytes",
            SIM_QUERY_LEN_MAX);
        goto fail;
    }
    q->nodes = xcalloc(SIM_QUERY_NODES_MAX, sizeof(*q->nodes));
    memset(&p, 0, sizeof(p));
    p.s = text;
    p.q = q;
    p.err = err;
    p.errlen = errlen;
    skip_ws(&p);
    if (text[p.pos] == '\0')
        return q;
    q->root = parse_or(&p);
    if (!p.failed) {
        skip_ws(&p);
        if (text[p.pos] != '\0')
            perr(&p, "unexpected \"%.20s\" at offset %zu", text + p.pos,
                p.pos);
    }
    if (p.failed)
        goto fail;
    return q;
fail:
    og_query_free(q);
    return NULL;
}

void
og_query_free(struct og_query *q)
{
    size_t i;

    if (q == NULL)
        return;
    for (i = 0; i < q->n; i++)
        free(q->nodes[i].value);
    free(q->nodes);
    free(q);
}

/* Case-insensitive glob where '*' matches any run; iterative with one
 * backtrack point, so linear in practice and never recursive. */
static bool
glob_ci(const char *pat, const char *s)
{
    const char *star = NULL, *resume = NULL;

    while (*s != '\0') {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (tolower((unsigned char)*pat) ==
            tolower((unsigned char)*s)) {
            pat++;
            s++;
        } else if (star != NULL) {
            pat = star + 1;
            s = ++resume;
        } else
            return false;
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static bool
contains_ci(const char *hay, const char *needle)
{
    if (strchr(needle, '*') != NULL) {
        struct buf b;
        bool r;

        buf_init(&b, SIM_QUERY_VALUE_MAX + 2);
        if (buf_appendf(&b, "*%s*", needle) == -1) {
            buf_free(&b);
            return false;
        }
        r = glob_ci(b.data, hay);
        buf_free(&b);
        return r;
    }
    return simutil_contains_ci(hay, needle);
}

static const char *
str_field(const struct og_query_alert *a, enum field f)
{
    const char *s = NULL;

    switch (f) {
    case F_ID:          s = a->id; break;
    case F_TINY:        s = a->tiny_id; break;
    case F_ALIAS:       s = a->alias; break;
    case F_MESSAGE:     s = a->message; break;
    case F_DESCRIPTION: s = a->description; break;
    case F_STATUS:      s = a->status; break;
    case F_ENTITY:      s = a->entity; break;
    case F_SOURCE:      s = a->source; break;
    case F_OWNER:       s = a->owner; break;
    case F_PRIORITY:    s = a->priority; break;
    case F_INTEG_NAME:  s = a->integration_name; break;
    case F_INTEG_TYPE:  s = a->integration_type; break;
    default:            break;
    }
    return s == NULL ? "" : s;
}

static uint64_t
num_field(const struct og_query_alert *a, enum field f)
{
    const char *errstr;
    uint64_t v = 0;

    switch (f) {
    case F_COUNT:   return a->count;
    case F_CREATED: return a->created_ms;
    case F_UPDATED: return a->updated_ms;
    case F_LAST:    return a->last_occurred_ms;
    case F_TINY:
        if (a->tiny_id == NULL ||
            str_to_u64(a->tiny_id, 0, UINT64_MAX, &v, &errstr) == -1)
            return 0;
        return v;
    default:
        return 0;
    }
}

static bool
list_has(const char *const *v, size_t n, const char *pat)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (v[i] != NULL && glob_ci(pat, v[i]))
            return true;
    }
    return false;
}

/* Equality of one condition, before `!=` negates it. */
static bool
cond_eq(const struct qnode *nd, const struct og_query_alert *a)
{
    enum field f = nd->fd->field;

    switch (nd->fd->type) {
    case FT_STR:
        return glob_ci(nd->value, str_field(a, f));
    case FT_TEXT:
        return contains_ci(str_field(a, f), nd->value);
    case FT_LIST:
        if (f == F_TAGS)
            return list_has(a->tags, a->ntags, nd->value);
        return list_has(a->team_names, a->nteam_names, nd->value) ||
            list_has(a->team_ids, a->nteam_ids, nd->value);
    case FT_BOOL:
        if (f == F_ACK)
            return a->acknowledged == nd->bval;
        if (f == F_SEEN)
            return a->seen == nd->bval;
        return a->snoozed == nd->bval;
    case FT_NUM:
        return num_field(a, f) == nd->num;
    }
    return false;
}

static bool
eval(const struct og_query *q, int idx, const struct og_query_alert *a)
{
    const struct qnode *nd = &q->nodes[idx];
    uint64_t v;

    switch (nd->kind) {
    case N_AND:
        return eval(q, nd->left, a) && eval(q, nd->right, a);
    case N_OR:
        return eval(q, nd->left, a) || eval(q, nd->right, a);
    case N_NOT:
        return !eval(q, nd->left, a);
    case N_COND:
        break;
    }
    switch (nd->op) {
    case OP_EQ:
        return cond_eq(nd, a);
    case OP_NE:
        return !cond_eq(nd, a);
    default:
        break;
    }
    v = num_field(a, nd->fd->field);
    switch (nd->op) {
    case OP_LT: return v < nd->num;
    case OP_LE: return v <= nd->num;
    case OP_GT: return v > nd->num;
    case OP_GE: return v >= nd->num;
    default:    return false;
    }
}

bool
og_query_match(const struct og_query *q, const struct og_query_alert *a)
{
    if (q->root < 0)
        return true;
    return eval(q, q->root, a);
}
