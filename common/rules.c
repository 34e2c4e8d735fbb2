/*
 * Rule files in the original Alexis format (DESIGN §7). rules_parse turns
 * one file's text into an immutable struct rule, checking everything at
 * load time: structure and types, names, durations, entities, and every
 * regex (compiled with PCRE2 and JIT). Errors read
 * "path:line:col: error: rule "name": message"; cJSON keeps no positions,
 * so validation errors locate the offending key with json_locate along the
 * path to the object being read.
 * rules_regex_search runs a compiled regex with match and depth limits,
 * using per-thread match state so matching is thread-safe and does not
 * allocate in the steady state.
 */
#include "rules.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <pcre2.h>

#include "alert_tag.h"
#include "alexis_limits.h"
#include "file.h"
#include "json.h"
#include "rules_int.h"
#include "str.h"
#include "ticketsys.h"
#include "xmem.h"

/* Rule-format bounds that no operator needs to tune. */
#define JIT_STACK_START         (32 * 1024)

static int fail(struct parse_ctx *c, const char *key, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

/*
 * Where an error about key (NULL: about the current object itself) points:
 * the key's member in the current object (the object's own key when key is
 * absent from it), or -1 (line 1, column 1) for the document itself.
 */
static long
locate(const struct parse_ctx *c, const char *key)
{
    struct json_step p[RULES_CTX_DEPTH + 1];
    size_t n = c->depth;

    if (key == NULL && n == 0)
        return -1;
    memcpy(p, c->at, n * sizeof(p[0]));
    if (key != NULL)
        p[n++] = (struct json_step){ .key = key };
    return (long)json_locate(c->text, c->len, p, n);
}

static int
vfail(struct parse_ctx *c, const char *key, const char *fmt, va_list ap)
{
    char msg[ALEXIS_ERR_MAX], scope[64] = "";
    int line = 1, col = 1;
    long off;

    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    if ((off = locate(c, key)) >= 0)
        json_offset_to_linecol(c->text, (size_t)off, &line, &col);
    if (c->list != NULL)
        (void)snprintf(scope, sizeof(scope), "%s[%zu]: ", c->list, c->idx);
    if (c->name != NULL) {
        (void)snprintf(c->err, c->errlen,
            "%s:%d:%d: error: rule \"%s\": %s%s", c->path, line, col,
            c->name, scope, msg);
    } else {
        (void)snprintf(c->err, c->errlen, "%s:%d:%d: error: %s%s",
            c->path, line, col, scope, msg);
    }
    return -1;
}

static int
fail(struct parse_ctx *c, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vfail(c, key, fmt, ap);
    va_end(ap);
    return -1;
}

int
rules_fail(struct parse_ctx *c, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vfail(c, key, fmt, ap);
    va_end(ap);
    return -1;
}

/* A string member. Absent: *out stays NULL (an error when required). */
static int
get_str(struct parse_ctx *c, const cJSON *obj, const char *key,
    bool required, bool nonempty, char **out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    /* Explicit -1s: analyzers do not follow the variadic fail(). */
    if (it == NULL && !required)
        return 0;
    if (it == NULL) {
        (void)fail(c, NULL, "missing \"%s\"", key);
        return -1;
    }
    if (!cJSON_IsString(it) || (nonempty && it->valuestring[0] == '\0')) {
        (void)fail(c, key, "\"%s\" must be a %sstring", key,
            nonempty ? "non-empty " : "");
        return -1;
    }
    *out = xstrdup(it->valuestring);
    return 0;
}

/* An optional string or number kept as text ("" when absent). */
static int
get_text(struct parse_ctx *c, const cJSON *obj, const char *key, char **out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    if (it == NULL)
        *out = xstrdup("");
    else if (cJSON_IsString(it))
        *out = xstrdup(it->valuestring);
    else if (cJSON_IsNumber(it) && isfinite(it->valuedouble))
        *out = json_print(it);
    else if (cJSON_IsNumber(it))
        /* cJSON reads 1e999 as infinity and prints it as null: r->json,
         * which the action handler parses again, would no longer load. */
        return fail(c, key, "\"%s\" is a number out of range", key);
    else
        return fail(c, key, "\"%s\" must be a string or a number", key);
    return 0;
}

static void
free_list(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* An array of min..max non-empty strings; absent is an error if min > 0. */
static int
get_list(struct parse_ctx *c, const cJSON *obj, const char *key, size_t min,
    size_t max, char ***out, size_t *nout)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key), *s;
    size_t n = 0;

    if (it == NULL) {
        if (min > 0)
            return fail(c, NULL, "missing \"%s\"", key);
        return 0;
    }
    if (cJSON_IsArray(it))
        n = (size_t)cJSON_GetArraySize(it);
    if (!cJSON_IsArray(it) || n < min || n > max)
        goto bad;
    cJSON_ArrayForEach(s, it) {
        if (!cJSON_IsString(s) || s->valuestring[0] == '\0')
            goto bad;
    }
    *out = xcalloc(n == 0 ? 1 : n, sizeof(**out));
    cJSON_ArrayForEach(s, it)
        (*out)[(*nout)++] = xstrdup(s->valuestring);
    return 0;
bad:
    if (min == 0) {
        return fail(c, key, "\"%s\" must be an array of at most %zu "
            "non-empty strings", key, max);
    }
    return fail(c, key, "\"%s\" must be an array of %zu..%zu non-empty "
        "strings", key, min, max);
}

/* An optional duration: seconds as a number, or "500ms", "30s", "2m". */
static int
get_duration(struct parse_ctx *c, const cJSON *obj, const char *key,
    uint64_t *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    const char *errstr = "invalid";
    double v;

    *out = 0;
    if (it == NULL)
        return 0;
    if (cJSON_IsNumber(it)) {
        v = it->valuedouble;
        if (v >= 0 && v * 1000.0 <= (double)RULE_DURATION_MAX_MS) {
            *out = (uint64_t)(v * 1000.0 + 0.5);
            return 0;
        }
        if (v > 0)
            errstr = "too large";
    } else if (cJSON_IsString(it)) {
        if (str_to_duration_ms(it->valuestring, RULE_DURATION_MAX_MS, out,
            &errstr) == 0)
            return 0;
    }
    if (strcmp(errstr, "too large") == 0)
        return fail(c, key, "\"%s\" must be at most 1h", key);
    return fail(c, key, "\"%s\" must be a duration like 30, \"500ms\", "
        "\"30s\", \"2m\" or \"1h\"", key);
}

static bool
name_ok(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= RULE_NAME_MAX && strspn(s,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789_.-") == n;
}

static int
parse_name(struct parse_ctx *c, const cJSON *root, struct rule *r)
{
    long off;

    if (get_str(c, root, "rule_name", true, false, &r->name) == -1)
        return -1;
    if (!name_ok(r->name)) {
        return fail(c, "rule_name", "\"rule_name\" must be 1..%d "
            "characters of [A-Za-z0-9_.-]", RULE_NAME_MAX);
    }
    c->name = r->name;
    if ((off = locate(c, "rule_name")) >= 0)
        json_offset_to_linecol(c->text, (size_t)off, &r->name_line,
            &r->name_col);
    return 0;
}

static int
parse_enabled(struct parse_ctx *c, const cJSON *root, struct rule *r)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, "enabled");

    if (it == NULL)
        return fail(c, NULL, "missing \"enabled\"");
    if (cJSON_IsBool(it)) {
        r->enabled = cJSON_IsTrue(it);
        return 0;
    }
    if (cJSON_IsString(it) && (str_eq_nocase(it->valuestring, "true") ||
        str_eq_nocase(it->valuestring, "false"))) {
        r->enabled = str_eq_nocase(it->valuestring, "true");
        return 0;
    }
    return fail(c, "enabled", "\"enabled\" must be true or false");
}

static int
parse_header(struct parse_ctx *c, const cJSON *root, struct rule *r)
{
    const struct ticketsys *sys;

    if (parse_name(c, root, r) == -1 ||
        get_text(c, root, "rule_description", &r->description) == -1 ||
        get_text(c, root, "rule_version", &r->version) == -1 ||
        get_str(c, root, "alert_feed", true, false, &r->feed) == -1)
        return -1;
    if ((sys = ticketsys_find(r->feed)) == NULL) {
        char types[128];

        return fail(c, "alert_feed", "\"alert_feed\" must be %s",
            ticketsys_type_names(true, types, sizeof(types)));
    }
    r->feed_type = sys->feed_type;
    if (parse_enabled(c, root, r) == -1 ||
        get_str(c, root, "os_type", true, true, &r->os_type) == -1)
        return -1;
    return 0;
}

void
rules_start_info(struct rule_eval *ev)
{
    uint32_t type = 0, unit = 0, minlen = 0;
    const uint8_t *bitmap = NULL;

    ev->prefilter = false;
    ev->first_unit = ev->last_unit = -1;
    ev->first_bitmap = NULL;
    ev->min_len = 0;
    if (pcre2_pattern_info(ev->re, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 &&
        type == 1 &&
        pcre2_pattern_info(ev->re, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0)
        ev->first_unit = (int)unit;
    else if (pcre2_pattern_info(ev->re, PCRE2_INFO_FIRSTBITMAP,
        &bitmap) == 0)
        ev->first_bitmap = bitmap;
    if (pcre2_pattern_info(ev->re, PCRE2_INFO_LASTCODETYPE, &type) == 0 &&
        type == 1 &&
        pcre2_pattern_info(ev->re, PCRE2_INFO_LASTCODEUNIT, &unit) == 0)
        ev->last_unit = (int)unit;
    if (pcre2_pattern_info(ev->re, PCRE2_INFO_MINLENGTH, &minlen) == 0)
        ev->min_len = minlen;   /* characters: at least as many bytes */
    ev->prefilter = true;
}

static atomic_bool jit_on = true;

void
rules_set_jit(bool on)
{
    atomic_store(&jit_on, on);
}

static int
compile_regex(struct parse_ctx *c, struct rule_eval *ev)
{
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE erroff;
    pcre2_code *re;
    int ec;

    re = pcre2_compile((PCRE2_SPTR)ev->search_text,
        strlen(ev->search_text),
        PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec, &erroff, NULL);
    if (re == NULL) {
        if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
            (void)snprintf((char *)msg, sizeof(msg), "error %d", ec);
        return fail(c, "search_text", "bad regex at offset %zu: %s",
            (size_t)erroff, (const char *)msg);
    }
    /* Without JIT (support or wish) the interpreter runs the pattern. */
    if (atomic_load(&jit_on))
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    ev->re = re;
    rules_start_info(ev);
    return 0;
}

static int
parse_search(struct parse_ctx *c, const cJSON *obj, struct rule_eval *ev)
{
    const char *p;
    size_t segs = 1;

    if (get_str(c, obj, "search_key", false, true, &ev->search_key) == -1 ||
        get_str(c, obj, "search_text", false, false,
        &ev->search_text) == -1)
        return -1;
    if (ev->search_key == NULL && ev->search_text == NULL)
        return 0;
    if (ev->search_text == NULL) {
        return fail(c, "search_key",
            "\"search_key\" without \"search_text\"");
    }
    if (ev->search_key == NULL) {
        return fail(c, "search_text",
            "\"search_text\" without \"search_key\"");
    }
    for (p = ev->search_key; *p != '\0'; p++)
        segs += *p == '.';
    if (segs > RULE_PATH_DEPTH_MAX) {
        return fail(c, "search_key", "\"search_key\" must be a dotted "
            "path of at most %d segments", RULE_PATH_DEPTH_MAX);
    }
    if (strlen(ev->search_text) > RULE_REGEX_MAX) {
        return fail(c, "search_text", "\"search_text\" is longer than %d "
            "bytes", RULE_REGEX_MAX);
    }
    return compile_regex(c, ev);
}

static int
parse_eval(struct parse_ctx *c, const cJSON *obj, struct rule_eval *ev)
{
    size_t i;

    if (get_list(c, obj, "tags", 0, RULE_TAGS_MAX, &ev->tags,
        &ev->ntags) == -1 || parse_search(c, obj, ev) == -1)
        return -1;
    /* An evaluation that checks nothing would match every alert. */
    if (ev->ntags == 0 && ev->search_key == NULL)
        return fail(c, NULL, "needs \"tags\" or \"search_key\"");
    ev->tag_hashes = xcalloc(ev->ntags, sizeof(*ev->tag_hashes));
    for (i = 0; i < ev->ntags; i++)
        ev->tag_hashes[i] = alert_tag_hash(ev->tags[i]);
    return 0;
}

static int
parse_task(struct parse_ctx *c, const cJSON *obj, struct rule_task *t)
{
    if (get_str(c, obj, "task_type", true, false, &t->task_type) == -1)
        return -1;
    if (strcmp(t->task_type, "remote_ssh") != 0) {
        return fail(c, "task_type",
            "\"task_type\" must be \"remote_ssh\"");
    }
    if (get_str(c, obj, "run_command", true, true, &t->run_command) == -1 ||
        get_str(c, obj, "action", true, true, &t->action) == -1 ||
        get_str(c, obj, "action_reason", false, false,
        &t->action_reason) == -1 ||
        get_duration(c, obj, "delay_after", &t->delay_after_ms) == -1 ||
        get_duration(c, obj, "timeout", &t->timeout_ms) == -1)
        return -1;
    if (t->action_reason == NULL)
        t->action_reason = xstrdup("");
    return 0;
}

/* The array under key, checked for 1..max items; *np receives its size. */
static const cJSON *
get_array(struct parse_ctx *c, const cJSON *root, const char *key,
    size_t max, size_t *np)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);

    if (arr == NULL) {
        (void)fail(c, NULL, "missing \"%s\"", key);
        return NULL;
    }
    if (cJSON_IsArray(arr))
        *np = (size_t)cJSON_GetArraySize(arr);
    if (!cJSON_IsArray(arr) || *np < 1 || *np > max) {
        (void)fail(c, key, "\"%s\" must be an array of 1..%zu items", key,
            max);
        return NULL;
    }
    return arr;
}

/* The object under item's wrapper key ({"task": {...}}), or NULL. */
static const cJSON *
unwrap(struct parse_ctx *c, const cJSON *item, const char *list,
    const char *wrapper, size_t idx)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(item, wrapper);

    c->list = list;
    c->idx = idx;
    c->depth = 0;
    if (!cJSON_IsObject(item) || !cJSON_IsObject(obj)) {
        (void)fail(c, list, "expected {\"%s\": {...}}", wrapper);
        return NULL;
    }
    c->at[0] = (struct json_step){ .key = list };
    c->at[1] = (struct json_step){ .index = idx };
    c->at[2] = (struct json_step){ .key = wrapper };
    c->depth = 3;
    return obj;
}

static void
leave_scope(struct parse_ctx *c)
{
    c->list = NULL;
    c->depth = 0;
    c->idx = 0;
}

static int
parse_evals(struct parse_ctx *c, const cJSON *root, struct rule *r)
{
    const cJSON *arr, *item, *obj;
    size_t n = 0;

    if ((arr = get_array(c, root, "evaluation_list", RULE_EVALS_MAX,
        &n)) == NULL)
        return -1;
    r->evals = xcalloc(n, sizeof(*r->evals));
    cJSON_ArrayForEach(item, arr) {
        if ((obj = unwrap(c, item, "evaluation_list", "evaluation",
            r->nevals)) == NULL)
            return -1;
        if (parse_eval(c, obj, &r->evals[r->nevals++]) == -1)
            return -1;
    }
    leave_scope(c);
    return 0;
}

static int
parse_tasks(struct parse_ctx *c, const cJSON *root, struct rule *r)
{
    const cJSON *arr, *item, *obj;
    size_t n = 0;

    if ((arr = get_array(c, root, "task_list", RULE_TASKS_MAX, &n)) == NULL)
        return -1;
    r->tasks = xcalloc(n, sizeof(*r->tasks));
    cJSON_ArrayForEach(item, arr) {
        if ((obj = unwrap(c, item, "task_list", "task", r->ntasks)) == NULL)
            return -1;
        if (parse_task(c, obj, &r->tasks[r->ntasks++]) == -1)
            return -1;
    }
    leave_scope(c);
    return 0;
}

static int
parse_entities(struct parse_ctx *c, const cJSON *root, struct rule *r)
{
    char *type = NULL;
    int rc = -1;

    if (get_str(c, root, "entity_type", true, false, &type) == -1)
        goto out;
    if (strcmp(type, "explicit") == 0) {
        r->entity_type = RULE_ENTITY_EXPLICIT;
        rc = get_list(c, root, "entities", 1, RULE_ENTITIES_MAX,
            &r->entities, &r->nentities);
    } else if (strcmp(type, "keyvalue") == 0) {
        r->entity_type = RULE_ENTITY_KEYVALUE;
        rc = get_list(c, root, "entity_keyvalue", 1, RULE_PATH_DEPTH_MAX,
            &r->entity_keyvalue, &r->nkeyvalue);
    } else {
        (void)fail(c, "entity_type",
            "\"entity_type\" must be \"explicit\" or \"keyvalue\"");
    }
out:
    free(type);
    return rc;
}

static void
rule_free(struct rule *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->nevals; i++) {
        free_list(r->evals[i].tags, r->evals[i].ntags);
        free(r->evals[i].tag_hashes);
        free(r->evals[i].search_key);
        free(r->evals[i].search_text);
        pcre2_code_free(r->evals[i].re);
    }
    for (i = 0; i < r->ntasks; i++) {
        free(r->tasks[i].task_type);
        free(r->tasks[i].run_command);
        free(r->tasks[i].action);
        free(r->tasks[i].action_reason);
    }
    free(r->evals);
    free(r->tasks);
    free_list(r->entities, r->nentities);
    free_list(r->entity_keyvalue, r->nkeyvalue);
    free(r->path);
    free(r->name);
    free(r->description);
    free(r->version);
    free(r->feed);
    free(r->os_type);
    free(r->route_to_team);
    free(r->json);
    free(r);
}

struct rule *
rules_parse(const char *text, size_t len, const char *path, char *err,
    size_t errlen)
{
    struct parse_ctx c = {
        .text = text, .len = len, .path = path, .err = err, .errlen = errlen,
    };
    struct rule *r = NULL;
    cJSON *root = NULL;

    if (path == NULL)
        c.path = path = "input";
    if ((root = json_parse_located(text, len, path, err, errlen)) == NULL)
        goto out;
    if (!cJSON_IsObject(root)) {
        (void)fail(&c, NULL, "a rule file must hold one JSON object");
        goto out;
    }
    r = xcalloc(1, sizeof(*r));
    r->refs = 1;
    r->path = xstrdup(path);
    if (parse_header(&c, root, r) == -1 || parse_evals(&c, root, r) == -1 ||
        parse_tasks(&c, root, r) == -1 ||
        parse_entities(&c, root, r) == -1 ||
        get_str(&c, root, "route_to_team", false, false,
        &r->route_to_team) == -1 ||
        rules_guard_parse(&c, root, &r->guard) == -1) {
        rule_free(r);
        r = NULL;
        goto out;
    }
    r->json = json_print(root);
out:
    cJSON_Delete(root);
    return r;
}

struct rule *
rules_load_file(const char *path, char *err, size_t errlen)
{
    struct rule *r;
    size_t len = 0;
    char *text;

    if ((text = file_slurp(path, RULES_FILE_MAX, &len, err, errlen)) == NULL)
        return NULL;
    r = rules_parse(text, len, path, err, errlen);
    free(text);
    return r;
}

struct rule *
rules_ref(struct rule *r)
{
    if (r != NULL)
        (void)__atomic_add_fetch(&r->refs, 1, __ATOMIC_RELAXED);
    return r;
}

void
rules_unref(struct rule *r)
{
    if (r == NULL)
        return;
    if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
        rule_free(r);
}

bool
rules_feed_is(const char *rule_feed, const char *feed_type)
{
    /* Both are usually the same merged literal. */
    return rule_feed == feed_type || strcmp(rule_feed, feed_type) == 0;
}

bool
rules_for_feed(const struct rule *r, const char *feed_type)
{
    return rules_feed_is(r->feed_type, feed_type);
}

/*
 * Per-thread match state, created on a thread's first search and freed by
 * the key's destructor when the thread exits.
 */
struct match_tls {
    pcre2_match_data    *md;
    pcre2_match_context *mc;
    pcre2_jit_stack     *js;
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
/* Also reachable from here, so leak checkers see the main thread's state. */
static _Thread_local struct match_tls *tls_cur;

static void
tls_destroy(void *p)
{
    struct match_tls *t = p;

    pcre2_match_data_free(t->md);
    pcre2_match_context_free(t->mc);
    pcre2_jit_stack_free(t->js);
    free(t);
}

static void
tls_key_init(void)
{
    if (pthread_key_create(&tls_key, tls_destroy) != 0)
        abort();
}

static struct match_tls *
tls_get(void)
{
    struct match_tls *t;

    if (tls_cur != NULL)
        return tls_cur;
    if (pthread_once(&tls_once, tls_key_init) != 0)
        abort();
    t = xcalloc(1, sizeof(*t));
    t->md = pcre2_match_data_create(1, NULL);
    t->mc = pcre2_match_context_create(NULL);
    if (t->md == NULL || t->mc == NULL)
        abort();    /* out of memory: the xmalloc policy */
    (void)pcre2_set_match_limit(t->mc, RULE_MATCH_LIMIT);
    (void)pcre2_set_depth_limit(t->mc, RULE_DEPTH_LIMIT);
    /* NULL when JIT is unavailable; the interpreter then needs no stack. */
    t->js = pcre2_jit_stack_create(JIT_STACK_START, RULE_JIT_STACK_MAX, NULL);
    if (t->js != NULL)
        pcre2_jit_stack_assign(t->mc, NULL, t->js);
    if (pthread_setspecific(tls_key, t) != 0)
        abort();
    tls_cur = t;
    return t;
}

/*
 * Whether subject holds the code unit. PCRE2 may have recorded the unit as
 * caseless (from (?i), or from "a.|A"), which pattern_info does not say: an
 * ASCII letter is looked for in both cases, as pcre2_match's own start-up
 * check does with its default tables (other bytes have no other case
 * there).
 */
static bool
has_unit(const char *subject, size_t len, int unit)
{
    if (memchr(subject, unit, len) != NULL)
        return true;
    if ((unit >= 'a' && unit <= 'z') || (unit >= 'A' && unit <= 'Z'))
        return memchr(subject, unit ^ 0x20, len) != NULL;
    return false;
}

/* Whether PCRE2's start-up information allows a match in subject. */
static bool
start_possible(const struct rule_eval *ev, const char *subject, size_t len)
{
    const unsigned char *p = (const unsigned char *)subject;
    size_t i;

    if (len < ev->min_len)
        return false;
    if (ev->first_unit >= 0 && !has_unit(subject, len, ev->first_unit))
        return false;
    if (ev->first_bitmap != NULL) {
        for (i = 0; i < len; i++) {
            if (ev->first_bitmap[p[i] / 8] & (1u << (p[i] % 8)))
                break;
        }
        if (i == len)
            return false;
    }
    return ev->last_unit < 0 || has_unit(subject, len, ev->last_unit);
}

int
rules_regex_search(const struct rule_eval *ev, const char *subject,
    size_t len, char *err, size_t errlen)
{
    PCRE2_UCHAR msg[256];
    struct match_tls *t;
    int rc;

    if (ev->re == NULL) {
        (void)snprintf(err, errlen, "evaluation has no regex");
        return -1;
    }
    if (subject == NULL) {
        subject = "";
        len = 0;
    }
    /* Most rules of a large set fail here, for a memchr instead of a
     * pcre2_match. */
    if (ev->prefilter && !start_possible(ev, subject, len))
        return 0;
    t = tls_get();
    rc = pcre2_match(ev->re, (PCRE2_SPTR)subject, len, 0, 0, t->md, t->mc);
    /* 0 means the one-pair ovector was too small: still a match. */
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
        (void)snprintf((char *)msg, sizeof(msg), "error %d", rc);
    (void)snprintf(err, errlen, "regex match failed: %s", (const char *)msg);
    return -1;
}
