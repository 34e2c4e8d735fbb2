/*
 * JSON helpers over cJSON for config-adjacent files (rules, tokens) and
 * request bodies: parsing that reports <name>:<line>:<col>, dotted-path
 * lookup with the original Alexis key semantics, and typed getters. Leaf
 * code: errors are returned in a caller-owned buffer, never logged.
 */
#include "json.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alexis_limits.h"
#include "log.h"
#include "utf8.h"
#include "xmem.h"

#define JSON_SNIPPET_MAX    20      /* bytes of input quoted in an error */

static bool
is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void
json_offset_to_linecol(const char *text, size_t off, int *line, int *col)
{
    size_t i;
    int l = 1, c = 1;

    for (i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (c < INT_MAX) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* cJSON's notion of whitespace: every byte up to and including ' '. */
static bool
is_cjson_space(char c)
{
    return (unsigned char)c <= ' ';
}

/*
 * cJSON's parse_string reports its failures one byte late: a missing
 * object key (`{"a":1,}`) or an unterminated string leave the end pointer
 * just past the byte where the string starts. Scan the prefix cJSON
 * already accepted to learn whether byte off-1 is such a start: the
 * opening quote of a string, or the first byte where an object expected a
 * key. A bad escape is reported on its backslash and needs no fix.
 */
static size_t
string_start_fixup(const char *text, size_t len, size_t off)
{
    unsigned char is_obj[(CJSON_NESTING_LIMIT + 8) / 8];
    size_t i, q, depth = 0;
    bool in_str = false, esc = false;
    char c, last = '\0';

    if (off == 0 || off > len)
        return off;
    q = off - 1;
    memset(is_obj, 0, sizeof(is_obj));
    for (i = 0; i < q; i++) {
        c = text[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (depth >= CJSON_NESTING_LIMIT)
                return off;
            if (c == '{')
                is_obj[depth / 8] |= (unsigned char)(1u << (depth % 8));
            else
                is_obj[depth / 8] &= (unsigned char)~(1u << (depth % 8));
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
        if (!is_cjson_space(c))
            last = c;
    }
    if (in_str)
        return off;
    if (text[q] == '"')
        return off < len && text[off] == '\\' ? off : q;
    if (depth > 0 && (is_obj[(depth - 1) / 8] >> ((depth - 1) % 8) & 1) &&
        !is_cjson_space(text[q]) &&
        (last == ',' || (last == '{' && text[q] != '}')))
        return q;
    return off;
}

/*
 * Where cJSON failed. cJSON 1.7.15 leaves the end pointer at the offending
 * byte (but see string_start_fixup), except that an error at the end of
 * the input is reported on the last byte: it clamps the offset to
 * length - 1. When that happens, parse a NUL-terminated copy once more:
 * cJSON then stops on the NUL, which tells the two cases apart. This only
 * runs on the error path.
 */
static size_t
failure_offset(const char *text, size_t len, const char *end)
{
    const char *end2 = NULL;
    char *copy;
    cJSON *again;
    size_t off;

    if (end == NULL || end < text || end > text + len)
        return 0;
    off = (size_t)(end - text);
    if (len > 0 && off == len - 1) {
        copy = xmalloc(len + 1);
        memcpy(copy, text, len);
        copy[len] = '\0';
        again = cJSON_ParseWithLengthOpts(copy, len + 1, &end2, 0);
        if (again == NULL && end2 != NULL && end2 >= copy &&
            end2 <= copy + len)
            off = (size_t)(end2 - copy);
        cJSON_Delete(again);
        free(copy);
    }
    return string_start_fixup(text, len, off);
}

static void
located_error(const char *text, size_t len, size_t off, const char *name,
    char *err, size_t errlen)
{
    char snip[JSON_SNIPPET_MAX + 1];
    size_t i, n;
    int line, col;

    json_offset_to_linecol(text, off, &line, &col);
    n = len - off < JSON_SNIPPET_MAX ? len - off : JSON_SNIPPET_MAX;
    /* Do not end the snippet inside a UTF-8 sequence. */
    if (off + n < len)
        n = utf8_cut(text + off, n);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[off + i];

        snip[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    snip[n] = '\0';
    (void)snprintf(err, errlen, "%s:%d:%d: error: invalid JSON near '%s'",
        name, line, col, snip);
}

cJSON *
json_parse_located(const char *text, size_t len, const char *name,
    char *err, size_t errlen)
{
    const char *end = NULL;
    cJSON *doc = NULL;
    size_t off;

    if (name == NULL)
        name = "input";
    if (text == NULL) {
        text = "";
        len = 0;
    }
    /* Empty input: cJSON fails on it too, but say where it ends. */
    for (off = 0; off < len && is_json_space(text[off]); off++)
        continue;
    if (off == len) {
        located_error(text, len, len, name, err, errlen);
        return NULL;
    }
    /* The length-bounded parser with its own end pointer: the global
     * cJSON_GetErrorPtr is shared between threads. */
    doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (doc == NULL) {
        off = failure_offset(text, len, end);
        located_error(text, len, off, name, err, errlen);
        return NULL;
    }
    off = (size_t)(end - text);
    while (off < len && is_json_space(text[off]))
        off++;
    if (off < len) {
        cJSON_Delete(doc);
        located_error(text, len, off, name, err, errlen);
        return NULL;
    }
    return doc;
}

/* Whether "\u0000" occurs anywhere in text[0..len) (escaped backslash or
 * not): when it does not, there is nothing to mark. */
static bool
may_have_nul_escape(const char *text, size_t len)
{
    const char *p = text, *end = text + len;

    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
        if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
            return true;
        p++;
    }
    return false;
}

cJSON *
json_parse_marking_nul(const char *text, size_t len, const char *name,
    char *err, size_t errlen)
{
    bool in_str = false;
    cJSON *doc;
    char *copy;
    size_t i;

    /* Most bodies have no \u0000 at all: parse them where they are. */
    if (text == NULL || !may_have_nul_escape(text, len))
        return json_parse_located(text, len, name, err, errlen);
    copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    /* Only string boundaries and escapes matter here; cJSON still parses
     * (and judges) the whole text. Outside a string a quote opens one;
     * inside, a backslash escapes the next byte. */
    for (i = 0; i < len; i++) {
        if (!in_str) {
            in_str = copy[i] == '"';
        } else if (copy[i] == '"') {
            in_str = false;
        } else if (copy[i] == '\\') {
            if (i + 5 < len && copy[i + 1] == 'u' &&
                memcmp(copy + i + 2, "0000", 4) == 0)
                memcpy(copy + i + 2, "fdd0", 4);
            i++;
        }
    }
    doc = json_parse_located(copy, len, name, err, errlen);
    free(copy);
    return doc;
}

/* Wipe every string of item, its siblings and their children. */
static void
wipe_tree(cJSON *item)
{
    for (; item != NULL; item = item->next) {
        if (item->valuestring != NULL)
            explicit_bzero(item->valuestring, strlen(item->valuestring));
        wipe_tree(item->child);
    }
}

void
json_delete_wiped(cJSON *item)
{
    wipe_tree(item);
    cJSON_Delete(item);
}

/*
 * json_locate's walk. cJSON keeps no positions, so the walk goes over the
 * text, but parses nothing itself: cJSON parses each key (a JSON string)
 * and each value to step over (cJSON_ParseWithLengthOpts reports where
 * the value ends); this code steps only over the whitespace, ':' and ','
 * between them. Values stepped over are parsed again, so this is for
 * error paths; their strings are wiped (a token file's secrets).
 */
static size_t
skip_cjson_space(const char *text, size_t len, size_t off)
{
    while (off < len && is_cjson_space(text[off]))
        off++;
    return off;
}

/* The value at text[off]: parsed (caller frees with json_delete_wiped),
 * its end offset in *end; NULL if there is none. */
static cJSON *
value_at(const char *text, size_t len, size_t off, size_t *end)
{
    const char *e = NULL;
    cJSON *v;

    if (off >= len)
        return NULL;
    v = cJSON_ParseWithLengthOpts(text + off, len - off, &e, 0);
    if (v != NULL)
        *end = (size_t)(e - text);
    return v;
}

/* Step over the value at *off and the separator after it: true when a
 * ',' followed (another member or element comes). */
static bool
skip_value(const char *text, size_t len, size_t *off)
{
    cJSON *v;
    size_t end;

    if ((v = value_at(text, len, *off, &end)) == NULL)
        return false;
    json_delete_wiped(v);
    end = skip_cjson_space(text, len, end);
    if (end >= len || text[end] != ',')
        return false;
    *off = skip_cjson_space(text, len, end + 1);
    return true;
}

/* In the object at *off, the member key: its key's offset in *at and its
 * value's in *off. */
static bool
find_member(const char *text, size_t len, const char *key, size_t *off,
    size_t *at)
{
    size_t o = *off, end;
    cJSON *k;
    bool match;

    if (o >= len || text[o] != '{')
        return false;
    o = skip_cjson_space(text, len, o + 1);
    for (;;) {
        if ((k = value_at(text, len, o, &end)) == NULL)
            return false;
        match = cJSON_IsString(k) && strcmp(k->valuestring, key) == 0;
        json_delete_wiped(k);
        end = skip_cjson_space(text, len, end);
        if (end >= len || text[end] != ':')
            return false;
        if (match) {
            *at = o;
            *off = skip_cjson_space(text, len, end + 1);
            return true;
        }
        o = skip_cjson_space(text, len, end + 1);
        if (!skip_value(text, len, &o))
            return false;
    }
}

/* In the array at *off, element index: its offset in *off. */
static bool
find_element(const char *text, size_t len, size_t index, size_t *off)
{
    size_t o = *off, i;

    if (o >= len || text[o] != '[')
        return false;
    o = skip_cjson_space(text, len, o + 1);
    if (o >= len || text[o] == ']')
        return false;
    for (i = 0; i < index; i++) {
        if (!skip_value(text, len, &o))
            return false;
    }
    *off = o;
    return true;
}

size_t
json_locate(const char *text, size_t len, const struct json_step *path,
    size_t n)
{
    size_t off = skip_cjson_space(text, len, 0), at = off, i;

    for (i = 0; i < n; i++) {
        if (path[i].key != NULL) {
            if (!find_member(text, len, path[i].key, &off, &at))
                break;
        } else {
            if (!find_element(text, len, path[i].index, &off))
                break;
            at = off;
        }
    }
    return at;
}

bool
json_has_nul(const char *s)
{
    return s != NULL && strstr(s, JSON_NUL_MARK) != NULL;
}

/* Parse a whole segment of decimal digits as an array index. */
static bool
segment_index(const char *seg, size_t n, int *idx)
{
    size_t i;
    long long v = 0;

    if (n == 0)
        return false;
    for (i = 0; i < n; i++) {
        if (seg[i] < '0' || seg[i] > '9')
            return false;
        v = v * 10 + (seg[i] - '0');
        if (v > INT_MAX)
            return false;
    }
    *idx = (int)v;
    return true;
}

/* One step: an object member named seg[0..n) or an array element. */
static const cJSON *
child(const cJSON *node, const char *seg, size_t n)
{
    const cJSON *c;
    int idx;

    if (cJSON_IsObject(node)) {
        for (c = node->child; c != NULL; c = c->next) {
            if (c->string != NULL && strlen(c->string) == n &&
                memcmp(c->string, seg, n) == 0)
                return c;
        }
        return NULL;
    }
    if (cJSON_IsArray(node) && segment_index(seg, n, &idx))
        return cJSON_GetArrayItem(node, idx);
    return NULL;
}

const cJSON *
json_path(const cJSON *root, const char *dotted)
{
    const cJSON *node = root, *whole;
    const char *rest = dotted, *dot;
    size_t depth;

    if (root == NULL || dotted == NULL)
        return NULL;
    for (depth = 0; depth < RULE_PATH_DEPTH_MAX; depth++) {
        /* The original looked keys up verbatim, so a member whose name is
         * the whole remaining path (dots included) takes precedence. */
        if (cJSON_IsObject(node) &&
            (whole = cJSON_GetObjectItemCaseSensitive(node, rest)) != NULL)
            return whole;
        if ((dot = strchr(rest, '.')) == NULL)
            return child(node, rest, strlen(rest));
        if ((node = child(node, rest, (size_t)(dot - rest))) == NULL)
            return NULL;
        rest = dot + 1;
    }
    return NULL;
}

const cJSON *
json_path_list(const cJSON *root, const char *const *keys, size_t nkeys)
{
    const cJSON *node = root;
    size_t i;

    if (root == NULL || nkeys > RULE_PATH_DEPTH_MAX ||
        (keys == NULL && nkeys > 0))
        return NULL;
    for (i = 0; i < nkeys && node != NULL; i++) {
        if (keys[i] == NULL)
            return NULL;
        node = child(node, keys[i], strlen(keys[i]));
    }
    return node;
}

const char *
json_str(const cJSON *obj, const char *key)
{
    const cJSON *item;

    if (obj == NULL || key == NULL)
        return NULL;
    item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

int
json_bool(const cJSON *obj, const char *key)
{
    const cJSON *item;

    if (obj == NULL || key == NULL)
        return -1;
    item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsTrue(item))
        return 1;
    if (cJSON_IsFalse(item))
        return 0;
    if (cJSON_IsString(item)) {
        if (strcasecmp(item->valuestring, "true") == 0)
            return 1;
        if (strcasecmp(item->valuestring, "false") == 0)
            return 0;
    }
    return -1;
}

char *
json_print(const cJSON *item)
{
    char *s;

    if (item == NULL)
        return xstrdup("null");
    /* cJSON wants a non-const pointer but does not modify the tree. */
    if ((s = cJSON_PrintUnformatted((cJSON *)(uintptr_t)item)) == NULL) {
        log_event(LOG_ERROR, "out_of_memory", KV_STR("where", "json_print"));
        abort();
    }
    return s;
}

void
json_init(void)
{
    cJSON_Hooks hooks = { .malloc_fn = xmalloc, .free_fn = free };

    cJSON_InitHooks(&hooks);
}

void
json_write_string(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;

    (void)putc('"', f);
    while (i < n) {
        if (p[i] == '"' || p[i] == '\\') {
            (void)putc('\\', f);
            (void)putc(p[i++], f);
        } else if (p[i] == '\n') {
            (void)fputs("\\n", f);
            i++;
        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            (void)fprintf(f, "\\u%04x", p[i++]);
        } else if ((k = utf8_decode(p + i, n - i, NULL)) > 0) {
            (void)fwrite(p + i, 1, k, f);
            i += k;
        } else {
            (void)fputs("\\ufffd", f);
            i++;
        }
    }
    (void)putc('"', f);
}
