/*
 * JSON helpers over cJSON: parsing with file:line:col errors, dotted-path
 * lookup into nested objects, and typed getters. cJSON trees are
 * parse-time only: callers copy what they keep, then cJSON_Delete.
 */
#ifndef ALEXIS_JSON_H
#define ALEXIS_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "compat.h"

/* Parse text[0..len). On error returns NULL and writes
 * "<name>:<line>:<col>: error: invalid JSON near '<snippet>'" (name may be
 * e.g. "request body"). Trailing non-space after the value is an error.
 * Nesting deeper than cJSON's limit is an error, never a crash. */
cJSON *json_parse_located(const char *text, size_t len, const char *name,
    char *err, size_t errlen);

/* What json_parse_marking_nul puts where a string had an escaped NUL
 * (\u0000): U+FDD0, a Unicode noncharacter (reserved for a program's own
 * use), in UTF-8. cJSON would end the string at the NUL, so "noop\u0000x"
 * would pass for "noop". */
#define JSON_NUL_MARK   "\xef\xb7\x90"

/* json_parse_located, except that every \u0000 escape inside a string is
 * read as JSON_NUL_MARK (same length, so error positions hold): callers
 * refuse it in identifiers (json_has_nul) and keep it as data elsewhere. */
cJSON *json_parse_marking_nul(const char *text, size_t len, const char *name,
    char *err, size_t errlen);

/* Whether s (may be NULL) holds JSON_NUL_MARK. */
bool json_has_nul(const char *s);

/* 1-based line and column of byte offset off in text. */
void json_offset_to_linecol(const char *text, size_t off, int *line,
    int *col);

/* One step into a JSON document: an object member by key, or (key NULL)
 * an array element by index. */
struct json_step {
    const char *key;
    size_t      index;
};

/* Where the value at path[0..n) sits in text, a document cJSON accepted
 * (what json_parse_located parsed): the byte offset of the member's key
 * for a key step, of the element for an index step, of the document
 * itself for n == 0. A step that is not there (a missing member) leaves
 * the offset of the deepest step that is. Keys match as json_str's do:
 * exactly, the first of duplicates. For errors found after parsing; see
 * json.c for how it walks the text. */
size_t json_locate(const char *text, size_t len, const struct json_step *path,
    size_t n);

/* cJSON_Delete after wiping every string in the tree (secrets). */
void json_delete_wiped(cJSON *item);

/* Look up a dotted path ("details.host") in root. An object key equal to
 * the whole remaining path wins over splitting it (so the original's plain
 * keys that contain dots keep working); numeric segments index arrays.
 * Returns NULL when any segment is absent. Borrowed from root. */
const cJSON *json_path(const cJSON *root, const char *dotted);

/* Same, with the path given as a list of keys (the rules' entity_keyvalue).
 * Numeric keys index arrays. */
const cJSON *json_path_list(const cJSON *root, const char *const *keys,
    size_t nkeys);

/* Object member as string: NULL when absent or not a string. Borrowed. */
const char *json_str(const cJSON *obj, const char *key);

/* Original-style boolean: true, false, "true", "false" (any case).
 * Returns 1/0, or -1 when absent or anything else. */
int json_bool(const cJSON *obj, const char *key);

/* Compact serialisation (caller frees with free()). Aborts on OOM. */
char *json_print(const cJSON *item);

/* Write s[0..n) to f as one JSON string literal, quotes included, for
 * output streamed line by line (report tables, tool results): '"', '\\'
 * and newline escaped with a backslash, other control bytes and DEL as
 * \u00XX, a byte that is not valid UTF-8 as \ufffd. */
void json_write_string(FILE *f, const char *s, size_t n);

/* Hook cJSON's allocator to xmalloc/free. Call once from main. */
void json_init(void);

#endif
