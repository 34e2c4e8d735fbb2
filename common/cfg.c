/*
 * Configuration loader: libyaml's event parser builds a small private node
 * tree (mappings, lists, scalars with their 1-based marks), which is then
 * walked against a daemon's field tables to fill typed structs. Syntax and
 * structure errors stop the load; semantic errors are all collected in one
 * pass. Secret values never reach an error message.
 */
#include "cfg.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alexis_limits.h"
#include "cfg_yaml.h"
#include "file.h"
#include "path.h"
#include "str.h"
#include "url.h"
#include "xmem.h"

#define KEYPATH_MAX     256     /* "a.b[3].c" in messages */
#define EXCERPT_MAX     96      /* bytes of a value echoed in a message */
#define SUGGEST_LEN_MAX 64      /* longer keys get no "did you mean" */
#define SUGGEST_DIST    2       /* edit distance still worth suggesting */


struct walk {
    const char          *path;      /* the config file, as named */
    char                *dir;       /* absolute; anchors relative paths */
    struct cfg_errors   *errs;
};

/* ---- Messages ---- */

/* An error about the value at keypath kp. */
static void ATTR_PRINTF(4, 5)
werr(struct walk *w, const struct cfg_mark *mark, const char *kp,
    const char *fmt, ...)
{
    char k[KEYPATH_MAX + 32], msg[ALEXIS_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cfg_error_add(w->errs, w->path, mark, "\"%s\": %s",
        str_quote(k, sizeof(k), kp), msg);
}

static const char *const kind_names[] = {
    [NODE_SCALAR] = "a scalar", [NODE_MAP] = "a mapping", [NODE_SEQ] = "a list",
};

/* ---- Scalars ---- */

static void *
slot(const struct cfg_field *f, void *base)
{
    return (char *)base + f->offset;
}

static void
set_str(const struct cfg_field *f, void *base, char *v)
{
    char **p = slot(f, base);

    if (*p != NULL && f->type == CFG_SECRET)
        explicit_bzero(*p, strlen(*p));
    free(*p);
    *p = v;
}

/* The conv_* functions store the scalar s into field f, or return -1 with
 * what was expected in want (the caller adds what it got). */
static int
conv_int(const struct cfg_field *f, void *base, const char *s, char *want,
    size_t wlen)
{
    const char *errstr, *digits = s[0] == '-' ? s + 1 : s;
    uint64_t u;
    long long v;

    snprintf(want, wlen, "expected an integer between %lld and %lld",
        f->min, f->max);
    if (str_to_u64(digits, 0, (uint64_t)LLONG_MAX + 1, &u, &errstr) == -1 ||
        (digits == s && u > (uint64_t)LLONG_MAX))
        return -1;
    if (digits == s)
        v = (long long)u;
    else
        v = u > (uint64_t)LLONG_MAX ? LLONG_MIN : -(long long)u;
    if (v < f->min || v > f->max)
        return -1;
    *(long long *)slot(f, base) = v;
    return 0;
}

static int
conv_bool(const struct cfg_field *f, void *base, const char *s, char *want,
    size_t wlen)
{
    static const char *const words[] = {
        "false", "true", "no", "yes", "off", "on", "0", "1",
    };
    size_t i;

    for (i = 0; i < NELEM(words); i++) {
        if (str_eq_nocase(s, words[i])) {
            *(bool *)slot(f, base) = i % 2 == 1;
            return 0;
        }
    }
    snprintf(want, wlen, "expected a boolean (true or false)");
    return -1;
}

/* ms as the largest unit up to hours that divides it: 500ms, 30s, 5m,
 * 2h, 24h; 0 as 0s. */
static const char *
fmt_ms(char *dst, size_t len, uint64_t ms)
{
    if (ms == 0) {
        snprintf(dst, len, "0s");
        return dst;
    }
    return str_format_duration_ms(ms, false, dst, len);
}

static int
conv_duration(const struct cfg_field *f, void *base, const char *s,
    char *want, size_t wlen)
{
    uint64_t min = f->min > 0 ? (uint64_t)f->min : 0;
    uint64_t max = f->max > 0 ? (uint64_t)f->max : 0;
    char lo[32], hi[32];
    const char *errstr;
    uint64_t v;

    if (str_to_duration_ms(s, UINT64_MAX, &v, &errstr) == -1) {
        snprintf(want, wlen, "expected a duration like 30s");
        return -1;
    }
    if (v < min || v > max) {
        snprintf(want, wlen, "expected a duration between %s and %s",
            fmt_ms(lo, sizeof(lo), min), fmt_ms(hi, sizeof(hi), max));
        return -1;
    }
    *(uint64_t *)slot(f, base) = v;
    return 0;
}

static int
conv_string(const struct cfg_field *f, void *base, const char *s,
    const struct walk *w, char *want, size_t wlen)
{
    size_t len = strlen(s);

    if (f->type == CFG_PATH) {
        set_str(f, base, path_join(w->dir, s));
        return 0;
    }
    if (f->type == CFG_URL) {
        if (url_check(s, want, wlen) == -1)
            return -1;
        if (s[len - 1] == '/')
            len--;
    }
    set_str(f, base, xstrndup(s, len));
    return 0;
}

/* Convert the scalar text s into the field; m is NULL for defaults. */
static void
set_scalar(const struct cfg_field *f, void *base, const char *s, size_t len,
    const struct cfg_mark *m, const char *kp, struct walk *w)
{
    char msg[ALEXIS_ERR_MAX], ex[EXCERPT_MAX];
    int rc = 0;

    if (strlen(s) != len) {
        werr(w, m, kp, "contains a NUL byte");
        return;
    }
    if (f->type == CFG_INT)
        rc = conv_int(f, base, s, msg, sizeof(msg));
    else if (f->type == CFG_BOOL)
        rc = conv_bool(f, base, s, msg, sizeof(msg));
    else if (f->type == CFG_DURATION)
        rc = conv_duration(f, base, s, msg, sizeof(msg));
    else if (f->type != CFG_IGNORE)
        rc = conv_string(f, base, s, w, msg, sizeof(msg));
    if (rc == -1) {
        /* Only non-secret types can fail here. */
        werr(w, m, kp, "%s, got \"%s\"", msg, str_quote(ex, sizeof(ex), s));
        return;
    }
    msg[0] = '\0';
    if (f->check == NULL || f->check(s, msg, sizeof(msg)) == 0)
        return;
    /* A check may quote what it saw, maybe cut short so that no search
     * would find it: a secret's check is never shown. */
    if (f->type == CFG_SECRET)
        werr(w, m, kp, "invalid value (secret, not shown)");
    else
        werr(w, m, kp, "%s", msg);
}

/* ---- Mappings, lists, sections ---- */

static void walk_map(const struct cfg_field *t, void *base,
    const struct node *map, const char *prefix, struct walk *w);

static int
expect(const struct node *v, enum node_kind kind, const char *kp,
    struct walk *w)
{
    if (v->kind == kind)
        return 0;
    werr(w, &v->mark, kp, "expected %s, got %s", kind_names[kind],
        kind_names[v->kind]);
    return -1;
}

/* prefix.key (or key at the top), for messages; cut with "..." when long. */
static void
keypath(char *dst, size_t len, const char *prefix, const char *key,
    const size_t *idx)
{
    int n;

    if (idx != NULL)
        n = snprintf(dst, len, "%s[%zu]", prefix, *idx);
    else if (prefix[0] == '\0')
        n = snprintf(dst, len, "%s", key);
    else
        n = snprintf(dst, len, "%s.%s", prefix, key);
    if (n < 0 || (size_t)n >= len)
        memcpy(dst + len - 4, "...", 4);
}

/* Check key i of map: a scalar, and not a repeat of an earlier key. Reports
 * and returns -1 otherwise; kp is the key's path. */
static int
key_ok(const struct node *map, size_t i, const char *kp, struct walk *w)
{
    const struct node *k = map->kids[i], *o;
    char ek[KEYPATH_MAX + 32];
    size_t j;

    if (k->kind != NODE_SCALAR) {
        cfg_error_add(w->errs, w->path, &k->mark,
            "expected a scalar key, got %s", kind_names[k->kind]);
        return -1;
    }
    for (j = 0; j < i; j += 2) {
        o = map->kids[j];
        if (o->kind == NODE_SCALAR && o->len == k->len &&
            memcmp(o->text, k->text, k->len) == 0) {
            cfg_error_add(w->errs, w->path, &k->mark,
                "duplicate key \"%s\" (first at line %d)",
                str_quote(ek, sizeof(ek), kp), o->mark.line);
            return -1;
        }
    }
    return 0;
}

static void
strmap_free(struct cfg_strmap *map)
{
    size_t i;

    for (i = 0; i < map->n; i++) {
        free(map->items[i].key);
        free(map->items[i].value);
    }
    free(map->items);
    map->items = NULL;
    map->n = 0;
}

static void
set_strmap(const struct cfg_field *f, void *base, const struct node *v,
    const char *kp, struct walk *w)
{
    struct cfg_strmap *map = slot(f, base);
    struct cfg_strmap_entry *e;
    const struct node *k, *val;
    char ekp[KEYPATH_MAX];
    struct cfg_field vf = { .type = CFG_STR, .check = f->check };
    size_t i;

    strmap_free(map);
    map->items = xcalloc(v->nkids / 2 + 1, sizeof(*map->items));
    for (i = 0; i + 1 < v->nkids; i += 2) {
        k = v->kids[i];
        val = v->kids[i + 1];
        keypath(ekp, sizeof(ekp), kp, k->kind == NODE_SCALAR ? k->text : "",
            NULL);
        if (key_ok(v, i, ekp, w) == -1)
            continue;
        if (expect(val, NODE_SCALAR, ekp, w) == -1)
            continue;
        if (cfg_yaml_node_is_null(val)) {
            werr(w, &val->mark, ekp, "expected a value");
            continue;
        }
        e = &map->items[map->n];
        vf.offset = (size_t)((char *)&e->value - (char *)e);
        set_scalar(&vf, e, val->text, val->len, &val->mark, ekp, w);
        if (e->value == NULL)
            continue;
        e->key = xstrdup(k->text);
        e->mark = k->mark;
        map->n++;
    }
}

static void apply_defaults(const struct cfg_field *t, void *base,
    const char *prefix, struct walk *w);

/* The list's array pointer has the element's struct type; it is read and
 * written through memcpy so no char ** lvalue aliases it. */
static void
list_set(const struct cfg_field *f, void *base, char *items, size_t n)
{
    memcpy(slot(f, base), &items, sizeof(items));
    memcpy((char *)base + f->count_offset, &n, sizeof(n));
}

static void
list_free(const struct cfg_field *f, void *base)
{
    char *items;
    size_t count, i;

    memcpy(&items, slot(f, base), sizeof(items));
    memcpy(&count, (char *)base + f->count_offset, sizeof(count));
    for (i = 0; items != NULL && i < count; i++)
        cfg_free(f->sub, items + i * f->elem_size);
    free(items);
    list_set(f, base, NULL, 0);
}

/* A CFG_LIST whose sub table starts with a scalar field keyed "" holds
 * scalars rather than mappings (e.g. a list of patterns). */
static bool
scalar_items(const struct cfg_field *sub)
{
    return sub[0].key != NULL && sub[0].key[0] == '\0' &&
        sub[0].type != CFG_MARK && sub[0].type != CFG_SECTION &&
        sub[0].type != CFG_LIST && sub[0].type != CFG_STRMAP;
}

static void
set_list(const struct cfg_field *f, void *base, const struct node *v,
    const char *kp, struct walk *w)
{
    long long max = f->max > 0 ? f->max : CFG_LIST_MAX;
    char ekp[KEYPATH_MAX];
    char *items, *elem;
    size_t i;

    list_free(f, base);
    if (v->nkids > (size_t)max) {
        werr(w, &v->mark, kp, "expected at most %lld items, got %zu", max,
            v->nkids);
        return;
    }
    if (v->nkids == 0)
        return;
    items = xcalloc(v->nkids, f->elem_size);
    list_set(f, base, items, v->nkids);
    for (i = 0; i < v->nkids; i++) {
        keypath(ekp, sizeof(ekp), kp, NULL, &i);
        elem = items + i * f->elem_size;
        apply_defaults(f->sub, elem, ekp, w);
        if (scalar_items(f->sub)) {
            /* A list of scalars: each item is the value of sub[0]. */
            if (expect(v->kids[i], NODE_SCALAR, ekp, w) == 0)
                set_scalar(f->sub, elem, v->kids[i]->text,
                    v->kids[i]->len, &v->kids[i]->mark, ekp, w);
        } else if (expect(v->kids[i], NODE_MAP, ekp, w) == 0) {
            walk_map(f->sub, elem, v->kids[i], ekp, w);
        }
    }
}

/* Store value node v into field f. Returns 1 when a value was present (even
 * an invalid one), 0 when v is null: the key then counts as absent. */
static int
set_value(const struct cfg_field *f, void *base, const struct node *v,
    const char *kp, struct walk *w)
{
    if (cfg_yaml_node_is_null(v))
        return 0;
    switch (f->type) {
    case CFG_IGNORE:
        if (f->check != NULL && expect(v, NODE_SCALAR, kp, w) == 0)
            set_scalar(f, base, v->text, v->len, &v->mark, kp, w);
        break;
    case CFG_SECTION:
        if (expect(v, NODE_MAP, kp, w) == 0)
            walk_map(f->sub, slot(f, base), v, kp, w);
        break;
    case CFG_LIST:
        if (expect(v, NODE_SEQ, kp, w) == 0)
            set_list(f, base, v, kp, w);
        break;
    case CFG_STRMAP:
        if (expect(v, NODE_MAP, kp, w) == 0)
            set_strmap(f, base, v, kp, w);
        break;
    case CFG_MARK:
        return 0;
    default:
        if (expect(v, NODE_SCALAR, kp, w) == 0)
            set_scalar(f, base, v->text, v->len, &v->mark, kp, w);
        break;
    }
    return 1;
}

/* Levenshtein distance, for "did you mean". Both shorter than
 * SUGGEST_LEN_MAX. */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t row[SUGGEST_LEN_MAX + 1], la = strlen(a), lb = strlen(b);
    size_t i, j, diag, up, best;

    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            up = row[j];
            best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static void
unknown_key(const struct cfg_field *t, const struct node *k, const char *kp,
    struct walk *w)
{
    const char *best = NULL;
    char ek[KEYPATH_MAX + 32], es[EXCERPT_MAX];
    size_t d, bestd = SUGGEST_DIST + 1;

    for (; t->key != NULL && k->len < SUGGEST_LEN_MAX; t++) {
        if (t->key[0] == '\0' || strlen(t->key) >= SUGGEST_LEN_MAX)
            continue;
        d = edit_distance(k->text, t->key);
        if (d < bestd && d < strlen(t->key)) {
            bestd = d;
            best = t->key;
        }
    }
    str_quote(ek, sizeof(ek), kp);
    if (best != NULL)
        cfg_error_add(w->errs, w->path, &k->mark,
            "unknown key \"%s\" (did you mean \"%s\"?)", ek,
            str_quote(es, sizeof(es), best));
    else
        cfg_error_add(w->errs, w->path, &k->mark, "unknown key \"%s\"", ek);
}

static const struct cfg_field *
field_find(const struct cfg_field *t, const struct node *k)
{
    for (; t->key != NULL; t++) {
        if (t->key[0] != '\0' && strlen(t->key) == k->len &&
            memcmp(t->key, k->text, k->len) == 0)
            return t;
    }
    return NULL;
}

static void
walk_pair(const struct cfg_field *t, void *base, const struct node *map,
    size_t i, const char *prefix, bool *seen, struct walk *w)
{
    const struct node *k = map->kids[i], *v = map->kids[i + 1];
    const struct cfg_field *f;
    char kp[KEYPATH_MAX];

    keypath(kp, sizeof(kp), prefix, k->kind == NODE_SCALAR ? k->text : "",
        NULL);
    if (key_ok(map, i, kp, w) == -1)
        return;
    if ((f = field_find(t, k)) == NULL) {
        unknown_key(t, k, kp, w);
        return;
    }
    if (set_value(f, base, v, kp, w) == 1)
        seen[f - t] = true;
}

static void
walk_map(const struct cfg_field *t, void *base, const struct node *map,
    const char *prefix, struct walk *w)
{
    char kp[KEYPATH_MAX];
    bool *seen;
    size_t nf, i;

    for (nf = 0; t[nf].key != NULL; nf++)
        continue;
    seen = xcalloc(nf + 1, sizeof(*seen));
    for (i = 0; i + 1 < map->nkids; i += 2)
        walk_pair(t, base, map, i, prefix, seen, w);
    for (i = 0; i < nf; i++) {
        if (t[i].type == CFG_MARK) {
            *(struct cfg_mark *)slot(&t[i], base) = map->mark;
        } else if (!seen[i] && (t[i].flags & CFG_REQUIRED)) {
            keypath(kp, sizeof(kp), prefix, t[i].key, NULL);
            werr(w, &map->mark, kp, "required");
        }
    }
    free(seen);
}

static void
apply_defaults(const struct cfg_field *t, void *base, const char *prefix,
    struct walk *w)
{
    char kp[KEYPATH_MAX];

    for (; t->key != NULL; t++) {
        keypath(kp, sizeof(kp), prefix, t->key, NULL);
        if (t->type == CFG_SECTION)
            apply_defaults(t->sub, slot(t, base), kp, w);
        else if (t->def != NULL && t->type != CFG_LIST &&
            t->type != CFG_STRMAP && t->type != CFG_MARK)
            set_scalar(t, base, t->def, strlen(t->def), NULL, kp, w);
    }
}

/* ---- Entry points ---- */

/* The absolute directory of path: realpath when it exists, else made
 * absolute lexically (cfg_load_string may name a file that is nowhere). */
static char *
config_dir(const char *path)
{
    char *dir = path_dirname(path), *abs, *joined;
    char cwd[PATH_MAX];

    if ((abs = realpath(dir, NULL)) != NULL) {
        free(dir);
        return abs;
    }
    if (dir[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
        return dir;
    joined = path_join(cwd, dir);
    free(dir);
    return joined;
}

int
cfg_load_string(const char *text, size_t len, const char *path,
    const struct cfg_field *root, void *out, struct cfg_errors *errs)
{
    struct walk w = { .path = path, .dir = NULL, .errs = errs };
    struct node *tree = NULL, empty = { .kind = NODE_MAP };

    w.dir = config_dir(path);
    apply_defaults(root, out, "", &w);
    if (len > CFG_FILE_MAX) {
        cfg_error_add(errs, path, NULL, "larger than %d bytes",
            CFG_FILE_MAX);
        goto out;
    }
    if (cfg_yaml_parse(text, len, w.path, errs, &tree) == -1)
        goto out;
    empty.mark.line = empty.mark.col = 1;
    if (tree != NULL && tree->kind != NODE_MAP && !cfg_yaml_node_is_null(tree))
        cfg_error_add(errs, path, &tree->mark,
            "expected a mapping at the top level, got %s",
            kind_names[tree->kind]);
    else
        walk_map(root, out, tree != NULL && tree->kind == NODE_MAP ? tree :
            &empty, "", &w);
out:
    cfg_yaml_node_free(tree);
    free(w.dir);
    return errs->n == 0 && errs->dropped == 0 ? 0 : -1;
}

int
cfg_load(const char *path, const struct cfg_field *root, void *out,
    struct cfg_errors *errs)
{
    char err[ALEXIS_ERR_MAX];
    const char *reason = err;
    size_t len = 0, plen = strlen(path);
    char *text;
    int rc;

    if ((text = file_slurp(path, CFG_FILE_MAX, &len, err,
        sizeof(err))) == NULL) {
        /* file_slurp says "<path>: <reason>"; the path leads anyway. */
        if (strncmp(err, path, plen) == 0 && strncmp(err + plen, ": ",
            2) == 0)
            reason = err + plen + 2;
        cfg_error_add(errs, path, NULL, "%s", reason);
        return -1;
    }
    rc = cfg_load_string(text, len, path, root, out, errs);
    explicit_bzero(text, len);
    free(text);
    return rc;
}

static void
free_field(const struct cfg_field *f, void *base)
{
    static const size_t sizes[] = {
        [CFG_INT] = sizeof(long long), [CFG_BOOL] = sizeof(bool),
        [CFG_DURATION] = sizeof(uint64_t), [CFG_MARK] = sizeof(struct cfg_mark),
    };

    if (f->type == CFG_STRMAP)
        strmap_free(slot(f, base));
    else if (f->type == CFG_SECTION)
        cfg_free(f->sub, slot(f, base));
    else if (f->type == CFG_LIST)
        list_free(f, base);
    else if (f->type == CFG_STR || f->type == CFG_PATH ||
        f->type == CFG_URL || f->type == CFG_SECRET)
        set_str(f, base, NULL);
    else if ((size_t)f->type < NELEM(sizes) && sizes[f->type] != 0)
        memset(slot(f, base), 0, sizes[f->type]);
}

void
cfg_free(const struct cfg_field *root, void *out)
{
    if (out == NULL)
        return;
    for (; root->key != NULL; root++)
        free_field(root, out);
}

const char *
cfg_strmap_get(const struct cfg_strmap *map, const char *key)
{
    size_t i;

    for (i = 0; i < map->n; i++) {
        if (strcmp(map->items[i].key, key) == 0)
            return map->items[i].value;
    }
    return NULL;
}
