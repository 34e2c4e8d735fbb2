/*
 * Fuzz target: common/json.c on arbitrary bytes, as request bodies and
 * rule files reach it. json_parse_located must either give a tree or a
 * "name:line:col: error:" message; a tree must print (json_print) to text
 * that parses again and prints the same; and json_path / json_path_list
 * must find the node reached by walking first members, when no key on the
 * way holds a '.'.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "alexis_limits.h"
#include "json.h"

#define PATH_BYTES_MAX  4096

/* Paths the daemons look up (search_key, entity_keyvalue, envelope
 * fields), plus odd shapes. */
static const char *const paths[] = {
    "message", "alexis", "alexis.feed_type", "alexis.unique_value",
    "details.host", "details", "tags.0", "entityTags.0.key",
    "tagsOfAffectedEntities.1.value", "0", "0.0", "a.b.c", "", ".", "a..b",
    "a.", ".a", "999999999999", "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17",
};

/* True when a member of obj has a '.' in its name: json_path may then
 * take "a.b" as one key, as the original did. */
static bool
has_dotted_key(const cJSON *obj)
{
    const cJSON *c;

    for (c = obj->child; c != NULL; c = c->next) {
        if (c->string != NULL && strchr(c->string, '.') != NULL)
            return true;
    }
    return false;
}

/* Walk first members (or first elements) from root for up to
 * RULE_PATH_DEPTH_MAX steps, building the dotted path and the key list;
 * both lookups must then land on the node reached. */
static void
check_walk(const cJSON *root)
{
    const char *keys[RULE_PATH_DEPTH_MAX];
    char dotted[PATH_BYTES_MAX];
    const cJSON *node = root;
    size_t n = 0, off = 0, len;

    while (n < RULE_PATH_DEPTH_MAX && node->child != NULL) {
        if (cJSON_IsArray(node)) {
            keys[n] = "0";
        } else if (cJSON_IsObject(node) && !has_dotted_key(node) &&
            node->child->string != NULL) {
            keys[n] = node->child->string;
        } else {
            break;
        }
        len = strlen(keys[n]);
        if (off + len + 2 > sizeof(dotted))
            break;
        if (n > 0)
            dotted[off++] = '.';
        memcpy(dotted + off, keys[n], len);
        off += len;
        dotted[off] = '\0';
        node = node->child;
        n++;
    }
    if (n == 0)
        return;
    FUZZ_CHECK(json_path_list(root, keys, n) == node);
    FUZZ_CHECK(json_path(root, dotted) == node);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[ALEXIS_ERR_MAX];
    cJSON *doc, *again;
    char *text, *text2;
    size_t i;

    json_init();
    err[0] = '\0';
    doc = json_parse_located((const char *)data, size, "fuzz", err,
        sizeof(err));
    if (doc == NULL) {
        FUZZ_CHECK(strncmp(err, "fuzz:", 5) == 0);
        FUZZ_CHECK(strstr(err, ": error: invalid JSON near '") != NULL);
        return 0;
    }
    for (i = 0; i < NELEM(paths); i++) {
        (void)json_path(doc, paths[i]);
        (void)json_str(doc, paths[i]);
        (void)json_bool(doc, paths[i]);
    }
    check_walk(doc);
    text = json_print(doc);
    again = json_parse_located(text, strlen(text), "printed", err,
        sizeof(err));
    if (again == NULL)
        fprintf(stderr, "printed JSON does not parse: %s\n", err);
    FUZZ_CHECK(again != NULL);
    text2 = json_print(again);
    FUZZ_CHECK(strcmp(text, text2) == 0);
    free(text2);
    free(text);
    cJSON_Delete(again);
    cJSON_Delete(doc);
    return 0;
}
