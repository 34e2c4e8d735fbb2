/*
 * Unit tests for rules.c: a table of rule texts with the exact error each
 * must produce (or none), limits built at run time, the original sample
 * rules (copied under tests/fixtures/rules), reference counting, and
 * rules_regex_search including UTF-8, invalid UTF-8, the match limit and
 * concurrent use from several threads.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "alexis_limits.h"
#include "buf.h"
#include "clock.h"
#include "rules.h"

#define FIXTURES TEST_SRC_DIR "/fixtures/rules/"

/*
 * Rule texts are built from one key per line, so a key's position is easy
 * to read off: each top-level key starts at column 2 of its line.
 */
#define L_NAME  "{\"rule_name\": \"t1\",\n"
#define L_FEED  " \"alert_feed\": \"opsgenie\",\n"
#define L_EN    " \"enabled\": true,\n"
#define L_OS    " \"os_type\": \"linux\",\n"
/* Line 5: the evaluation object's "{" is at column 37. */
#define L_EV(x) " \"evaluation_list\": [{\"evaluation\": " x "}],\n"
/* Line 6: the task object's "{" is at column 25. */
#define L_TASK(x) " \"task_list\": [{\"task\": " x "}],\n"
#define L_ENT   " \"entity_type\": \"explicit\", \"entities\": [\"h1\"]}"
#define HEAD    L_NAME L_FEED L_EN L_OS
#define EV_OK   L_EV("{\"tags\": [\"a\"]}")
/* A task missing its closing brace, so rows can add keys at column 94. */
#define T_BASE  "{\"task_type\": \"remote_ssh\", \"run_command\": " \
                "\"uptime\", \"action\": \"up\""
#define T_OK    T_BASE "}"
#define TASK_OK L_TASK(T_OK)
#define TAIL    EV_OK TASK_OK L_ENT
#define RULE_OK HEAD TAIL

#define E(pos, msg)     "r.json:" pos ": error: " msg
#define ER(pos, msg)    "r.json:" pos ": error: rule \"t1\": " msg
#define A10     "aaaaaaaaaa"
#define A128    A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 "aaaaaaaa"

struct parse_case {
    const char *label;
    const char *text;
    const char *err;    /* NULL: must load */
    bool        prefix; /* err is only a prefix (cJSON's own wording) */
};

static const struct parse_case parse_cases[] = {
    { "ok", RULE_OK, NULL, false },
    { "feed any case", L_NAME " \"alert_feed\": \"DynaTrace\",\n" L_EN L_OS
        TAIL, NULL, false },
    { "feed upper", L_NAME " \"alert_feed\": \"OPSGENIE\",\n" L_EN L_OS
        TAIL, NULL, false },
    { "enabled false", L_NAME L_FEED " \"enabled\": false,\n" L_OS TAIL,
        NULL, false },
    { "enabled \"TRUE\"", L_NAME L_FEED " \"enabled\": \"TRUE\",\n" L_OS TAIL,
        NULL, false },
    { "enabled \"False\"", L_NAME L_FEED " \"enabled\": \"False\",\n" L_OS
        TAIL, NULL, false },
    { "version number", HEAD " \"rule_version\": 1.5,\n" TAIL, NULL,
        false },
    { "unknown keys", HEAD " \"duration\": \"0m\", \"delay_escalation\": "
        "\"20m\",\n" TAIL, NULL, false },
    { "durations", HEAD EV_OK L_TASK(T_BASE ", \"delay_after\": \"30s\", "
        "\"timeout\": 90}") L_ENT, NULL, false },
    { "keyvalue", HEAD EV_OK TASK_OK " \"entity_type\": \"keyvalue\", "
        "\"entity_keyvalue\": [\"details\", \"host\"]}", NULL, false },
    { "search only", HEAD L_EV("{\"search_key\": \"details.host\", "
        "\"search_text\": \"^db[0-9]+$\"}") TASK_OK L_ENT, NULL, false },
    { "name of 128", "{\"rule_name\": \"" A128 "\",\n" L_FEED L_EN L_OS TAIL,
        NULL, false },

    { "not an object", "[1]",
        E("1:1", "a rule file must hold one JSON object"), false },
    { "json syntax", "{\"rule_name\": \"t1\",\n \"x\": }",
        E("2:7", "invalid JSON near '}'"), true },
    { "json empty", "", "r.json:1:1: error: invalid JSON", true },
    { "name missing", "{\"comment\": \"none\",\n" L_FEED L_EN L_OS TAIL,
        E("1:1", "missing \"rule_name\""), false },
    { "name chars", "{\"rule_name\": \"a b\",\n" L_FEED L_EN L_OS TAIL,
        E("1:2", "\"rule_name\" must be 1..128 characters of "
        "[A-Za-z0-9_.-]"), false },
    { "name of 129", "{\"rule_name\": \"" A128 "a\",\n" L_FEED L_EN L_OS
        TAIL, E("1:2", "\"rule_name\" must be 1..128 characters of "
        "[A-Za-z0-9_.-]"), false },
    { "name empty", "{\"rule_name\": \"\",\n" L_FEED L_EN L_OS TAIL,
        E("1:2", "\"rule_name\" must be 1..128 characters of "
        "[A-Za-z0-9_.-]"), false },
    { "name number", "{\"rule_name\": 5,\n" L_FEED L_EN L_OS TAIL,
        E("1:2", "\"rule_name\" must be a string"), false },
    { "version array", L_NAME " \"rule_version\": [1],\n" L_FEED L_EN L_OS
        TAIL, ER("2:2", "\"rule_version\" must be a string or a number"),
        false },
    { "description bool", L_NAME " \"rule_description\": true,\n" L_FEED
        L_EN L_OS TAIL, ER("2:2", "\"rule_description\" must be a string "
        "or a number"), false },
    /* Read as infinity, it would print as null: not a rule again. */
    { "version out of range", L_NAME " \"rule_version\": 1e999,\n" L_FEED
        L_EN L_OS TAIL, ER("2:2", "\"rule_version\" is a number out of "
        "range"), false },
    { "feed missing", L_NAME L_EN L_OS TAIL,
        ER("1:1", "missing \"alert_feed\""), false },
    { "feed unknown", L_NAME " \"alert_feed\": \"splunk\",\n" L_EN L_OS TAIL,
        ER("2:2", "\"alert_feed\" must be \"opsgenie\", \"dynatrace\" "
            "or \"jsm\""),
        false },
    { "enabled yes", L_NAME L_FEED " \"enabled\": \"yes\",\n" L_OS TAIL,
        ER("3:2", "\"enabled\" must be true or false"), false },
    { "enabled 1", L_NAME L_FEED " \"enabled\": 1,\n" L_OS TAIL,
        ER("3:2", "\"enabled\" must be true or false"), false },
    { "enabled missing", L_NAME L_FEED L_OS TAIL,
        ER("1:1", "missing \"enabled\""), false },
    { "os_type missing", L_NAME L_FEED L_EN TAIL,
        ER("1:1", "missing \"os_type\""), false },
    { "os_type empty", L_NAME L_FEED L_EN " \"os_type\": \"\",\n" TAIL,
        ER("4:2", "\"os_type\" must be a non-empty string"), false },
    { "evals missing", HEAD TASK_OK L_ENT,
        ER("1:1", "missing \"evaluation_list\""), false },
    { "evals empty", HEAD " \"evaluation_list\": [],\n" TASK_OK L_ENT,
        ER("5:2", "\"evaluation_list\" must be an array of 1..64 items"),
        false },
    { "evals object", HEAD " \"evaluation_list\": {},\n" TASK_OK L_ENT,
        ER("5:2", "\"evaluation_list\" must be an array of 1..64 items"),
        false },
    { "eval unwrapped", HEAD " \"evaluation_list\": [{\"tags\": [\"a\"]}],\n"
        TASK_OK L_ENT, ER("5:2", "evaluation_list[0]: expected "
        "{\"evaluation\": {...}}"), false },
    { "eval checks nothing", HEAD L_EV("{}") TASK_OK L_ENT,
        ER("5:23", "evaluation_list[0]: needs \"tags\" or \"search_key\""),
        false },
    { "eval empty tags only", HEAD L_EV("{\"tags\": []}") TASK_OK L_ENT,
        ER("5:23", "evaluation_list[0]: needs \"tags\" or \"search_key\""),
        false },
    { "tags string", HEAD L_EV("{\"tags\": \"a\"}") TASK_OK L_ENT,
        ER("5:38", "evaluation_list[0]: \"tags\" must be an array of at "
        "most 64 non-empty strings"), false },
    { "tags empty string", HEAD L_EV("{\"tags\": [\"a\", \"\"]}") TASK_OK
        L_ENT, ER("5:38", "evaluation_list[0]: \"tags\" must be an array of "
        "at most 64 non-empty strings"), false },
    { "search_key alone", HEAD L_EV("{\"search_key\": \"message\"}") TASK_OK
        L_ENT, ER("5:38", "evaluation_list[0]: \"search_key\" without "
        "\"search_text\""), false },
    { "search_text alone", HEAD L_EV("{\"search_text\": \"x\"}") TASK_OK
        L_ENT, ER("5:38", "evaluation_list[0]: \"search_text\" without "
        "\"search_key\""), false },
    { "search_key deep", HEAD L_EV("{\"search_key\": "
        "\"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q\", \"search_text\": \"x\"}")
        TASK_OK L_ENT, ER("5:38", "evaluation_list[0]: \"search_key\" must "
        "be a dotted path of at most 16 segments"), false },
    { "search_key empty", HEAD L_EV("{\"search_key\": \"\", \"search_text\": "
        "\"x\"}") TASK_OK L_ENT, ER("5:38", "evaluation_list[0]: "
        "\"search_key\" must be a non-empty string"), false },
    { "search_text number", HEAD L_EV("{\"search_key\": \"m\", "
        "\"search_text\": 1}") TASK_OK L_ENT, ER("5:57", "evaluation_list[0]: "
        "\"search_text\" must be a string"), false },
    { "bad regex", HEAD L_EV("{\"search_key\": \"message\", \"search_text\": "
        "\"a(b\"}") TASK_OK L_ENT, ER("5:63", "evaluation_list[0]: bad regex "
        "at offset 3: missing closing parenthesis"), false },
    { "bad regex second eval", HEAD " \"evaluation_list\": [\n"
        "  {\"evaluation\": {\"tags\": [\"a\"]}},\n"
        "  {\"evaluation\": {\"search_key\": \"b\", \"search_text\": "
        "\"x{2,1}\"}}],\n" TASK_OK L_ENT, ER("7:38", "evaluation_list[1]: "
        "bad regex at offset 5: numbers out of order in {} quantifier"),
        false },
    { "tasks missing", HEAD EV_OK L_ENT,
        ER("1:1", "missing \"task_list\""), false },
    { "tasks empty", HEAD EV_OK " \"task_list\": [],\n" L_ENT,
        ER("6:2", "\"task_list\" must be an array of 1..64 items"), false },
    { "task unwrapped", HEAD EV_OK " \"task_list\": [{\"task_type\": "
        "\"remote_ssh\"}],\n" L_ENT, ER("6:2", "task_list[0]: expected "
        "{\"task\": {...}}"), false },
    { "task_type missing", HEAD EV_OK L_TASK("{\"run_command\": \"uptime\", "
        "\"action\": \"up\"}") L_ENT,
        ER("6:17", "task_list[0]: missing \"task_type\""), false },
    { "task_type ssh", HEAD EV_OK L_TASK("{\"task_type\": \"ssh\", "
        "\"run_command\": \"uptime\", \"action\": \"up\"}") L_ENT,
        ER("6:26", "task_list[0]: \"task_type\" must be \"remote_ssh\""),
        false },
    { "run_command missing", HEAD EV_OK L_TASK("{\"task_type\": "
        "\"remote_ssh\", \"action\": \"up\"}") L_ENT,
        ER("6:17", "task_list[0]: missing \"run_command\""), false },
    { "run_command empty", HEAD EV_OK L_TASK("{\"task_type\": "
        "\"remote_ssh\", \"run_command\": \"\", \"action\": \"up\"}") L_ENT,
        ER("6:53", "task_list[0]: \"run_command\" must be a non-empty "
        "string"), false },
    { "action missing", HEAD EV_OK L_TASK("{\"task_type\": \"remote_ssh\", "
        "\"run_command\": \"uptime\"}") L_ENT,
        ER("6:17", "task_list[0]: missing \"action\""), false },
    { "action_reason number", HEAD EV_OK L_TASK(T_BASE ", "
        "\"action_reason\": 5}") L_ENT, ER("6:94", "task_list[0]: "
        "\"action_reason\" must be a string"), false },
    { "delay_after abc", HEAD EV_OK L_TASK(T_BASE ", \"delay_after\": "
        "\"abc\"}") L_ENT, ER("6:94", "task_list[0]: \"delay_after\" must be "
        "a duration like 30, \"500ms\", \"30s\", \"2m\" or \"1h\""), false },
    { "delay_after 2h", HEAD EV_OK L_TASK(T_BASE ", \"delay_after\": "
        "\"2h\"}") L_ENT, ER("6:94", "task_list[0]: \"delay_after\" must be "
        "at most 1h"), false },
    { "timeout 3601", HEAD EV_OK L_TASK(T_BASE ", \"timeout\": 3601}") L_ENT,
        ER("6:94", "task_list[0]: \"timeout\" must be at most 1h"), false },
    { "timeout negative", HEAD EV_OK L_TASK(T_BASE ", \"timeout\": -1}")
        L_ENT, ER("6:94", "task_list[0]: \"timeout\" must be a duration "
        "like 30, \"500ms\", \"30s\", \"2m\" or \"1h\""), false },
    /* "task_type" also appears in the evaluation, as in an original file:
     * the error must still point into the second task. */
    { "second task", HEAD L_EV("{\"tags\": [\"a\"], \"task_type\": "
        "\"run_command\"}") " \"task_list\": [\n"
        "  {\"task\": " T_OK "},\n"
        "  {\"task\": {\"task_type\": \"ssh\", \"run_command\": \"x\", "
        "\"action\": \"y\"}}],\n" L_ENT, ER("8:13", "task_list[1]: "
        "\"task_type\" must be \"remote_ssh\""), false },
    /* The wrapper's and a key's names also appear as values earlier in
     * the file: errors still point into the object they are about. */
    { "task as a tag", HEAD L_EV("{\"tags\": [\"task\"]}")
        L_TASK("{\"run_command\": \"uptime\", \"action\": \"up\"}") L_ENT,
        ER("6:17", "task_list[0]: missing \"task_type\""), false },
    { "mode as a tag", HEAD L_EV("{\"tags\": [\"mode\"]}") TASK_OK
        " \"mode\": \"x\",\n" L_ENT, ER("7:2", "\"mode\" must be \"auto\", "
        "\"approve\" or \"notify\""), false },
    { "entity_type missing", HEAD EV_OK TASK_OK " \"entities\": [\"h1\"]}",
        ER("1:1", "missing \"entity_type\""), false },
    { "entity_type list", HEAD EV_OK TASK_OK " \"entity_type\": \"list\", "
        "\"entities\": [\"h1\"]}", ER("7:2", "\"entity_type\" must be "
        "\"explicit\" or \"keyvalue\""), false },
    { "entities missing", HEAD EV_OK TASK_OK " \"entity_type\": "
        "\"explicit\"}", ER("1:1", "missing \"entities\""), false },
    { "entities empty", HEAD EV_OK TASK_OK " \"entity_type\": \"explicit\", "
        "\"entities\": []}", ER("7:29", "\"entities\" must be an array of "
        "1..1024 non-empty strings"), false },
    { "entities empty string", HEAD EV_OK TASK_OK " \"entity_type\": "
        "\"explicit\", \"entities\": [\"\"]}", ER("7:29", "\"entities\" "
        "must be an array of 1..1024 non-empty strings"), false },
    { "keyvalue missing", HEAD EV_OK TASK_OK " \"entity_type\": "
        "\"keyvalue\", \"entities\": [\"h1\"]}",
        ER("1:1", "missing \"entity_keyvalue\""), false },
    { "keyvalue too deep", HEAD EV_OK TASK_OK " \"entity_type\": "
        "\"keyvalue\", \"entity_keyvalue\": [\"a\", \"b\", \"c\", \"d\", "
        "\"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\", \"l\", \"m\", "
        "\"n\", \"o\", \"p\", \"q\"]}", ER("7:29", "\"entity_keyvalue\" must "
        "be an array of 1..16 non-empty strings"), false },
    { "route_to_team number", HEAD EV_OK TASK_OK " \"entity_type\": "
        "\"explicit\", \"entities\": [\"h1\"], \"route_to_team\": 5}",
        ER("7:49", "\"route_to_team\" must be a string"), false },
};

static void
check_parse(const char *label, const char *text, const char *want,
    bool prefix)
{
    char err[RULE_ERR_MAX] = "";
    struct rule *r;

    r = rules_parse(text, strlen(text), "r.json", err, sizeof(err));
    if (want == NULL) {
        if (r == NULL)
            fail_msg("%s: unexpected error: %s", label, err);
        rules_unref(r);
        return;
    }
    if (r != NULL) {
        rules_unref(r);
        fail_msg("%s: loaded, expected: %s", label, want);
    }
    if (prefix ? strncmp(err, want, strlen(want)) != 0 :
        strcmp(err, want) != 0)
        fail_msg("%s:\n got: %s\nwant: %s", label, err, want);
}

static void
test_parse_table(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(parse_cases); i++) {
        check_parse(parse_cases[i].label, parse_cases[i].text,
            parse_cases[i].err, parse_cases[i].prefix);
    }
}

/* A rule whose one evaluation (line 5) is the JSON object text ev. */
static char *
rule_with_eval(const char *ev)
{
    struct buf b;

    buf_init(&b, RULES_FILE_MAX);
    assert_int_equal(buf_appendf(&b, "%s \"evaluation_list\": [{\"evaluation"
        "\": %s}],\n%s%s", HEAD, ev, TASK_OK, L_ENT), 0);
    return buf_steal(&b);
}

/* A rule whose evaluation_list holds n copies of a valid evaluation. */
static char *
rule_with_evals(size_t n)
{
    struct buf b;
    size_t i;

    buf_init(&b, RULES_FILE_MAX);
    assert_int_equal(buf_appends(&b, HEAD " \"evaluation_list\": ["), 0);
    for (i = 0; i < n; i++) {
        assert_int_equal(buf_appendf(&b, "%s{\"evaluation\": {\"tags\": "
            "[\"a\"]}}", i > 0 ? ", " : ""), 0);
    }
    assert_int_equal(buf_appends(&b, "],\n" TASK_OK L_ENT), 0);
    return buf_steal(&b);
}

/* A rule with n explicit entities. */
static char *
rule_with_entities(size_t n)
{
    struct buf b;
    size_t i;

    buf_init(&b, RULES_FILE_MAX);
    assert_int_equal(buf_appends(&b, HEAD EV_OK TASK_OK
        " \"entity_type\": \"explicit\", \"entities\": ["), 0);
    for (i = 0; i < n; i++)
        assert_int_equal(buf_appendf(&b, "%s\"h%zu\"", i ? "," : "", i), 0);
    assert_int_equal(buf_appends(&b, "]}"), 0);
    return buf_steal(&b);
}

/* A rule with a search_text of n 'a' characters. */
static char *
rule_with_regex_len(size_t n)
{
    char *pat = malloc(n + 1);
    struct buf b;
    char *out;

    assert_non_null(pat);
    memset(pat, 'a', n);
    pat[n] = '\0';
    buf_init(&b, RULES_FILE_MAX);
    assert_int_equal(buf_appendf(&b, "{\"search_key\": \"m\", "
        "\"search_text\": \"%s\"}", pat), 0);
    out = rule_with_eval(b.data);
    buf_free(&b);
    free(pat);
    return out;
}

static void
test_parse_limits(void **state)
{
    static const struct {
        char       *(*make)(size_t n);
        size_t      n;
        const char *label, *want;
    } rows[] = {
        { rule_with_evals, RULE_EVALS_MAX, "64 evals", NULL },
        { rule_with_evals, RULE_EVALS_MAX + 1, "65 evals",
          ER("5:2", "\"evaluation_list\" must be an array of 1..64 items") },
        { rule_with_entities, RULE_ENTITIES_MAX, "1024 entities", NULL },
        { rule_with_entities, RULE_ENTITIES_MAX + 1, "1025 entities",
          ER("7:29", "\"entities\" must be an array of 1..1024 non-empty "
            "strings") },
        { rule_with_regex_len, RULE_REGEX_MAX, "regex of 4096", NULL },
        { rule_with_regex_len, RULE_REGEX_MAX + 1, "regex of 4097",
          ER("5:57", "evaluation_list[0]: \"search_text\" is longer than "
            "4096 bytes") },
    };
    char *t;
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(rows); i++) {
        t = rows[i].make(rows[i].n);
        check_parse(rows[i].label, t, rows[i].want, false);
        free(t);
    }
}

static void
test_samples(void **state)
{
    char err[RULE_ERR_MAX] = "";
    struct rule *r;

    (void)state;
    r = rules_load_file(FIXTURES "ledger_gc_restart.json", err, sizeof(err));
    if (r == NULL)
        fail_msg("%s", err);
    assert_string_equal(r->name, "ledger_gc_restart");
    assert_string_equal(r->path, FIXTURES "ledger_gc_restart.json");
    assert_string_equal(r->feed, "OpsGenie");
    assert_true(rules_for_feed(r, "opsgenie"));
    assert_false(rules_for_feed(r, "dynatrace"));
    assert_true(r->enabled);
    assert_string_equal(r->os_type, "linux");
    assert_string_equal(r->version, "1.00");
    assert_int_equal(r->nevals, 1);
    assert_int_equal(r->evals[0].ntags, 2);
    assert_string_equal(r->evals[0].tags[1], "svc.ledger");
    assert_string_equal(r->evals[0].search_key, "message");
    assert_non_null(r->evals[0].re);
    assert_int_equal(r->ntasks, 1);
    assert_string_equal(r->tasks[0].task_type, "remote_ssh");
    assert_string_equal(r->tasks[0].action, "restart_service");
    assert_int_equal(r->tasks[0].delay_after_ms, 30000);
    assert_int_equal(r->tasks[0].timeout_ms, 0);
    assert_int_equal(r->entity_type, RULE_ENTITY_KEYVALUE);
    assert_int_equal(r->nkeyvalue, 2);
    assert_string_equal(r->entity_keyvalue[1], "host");
    assert_string_equal(r->route_to_team, "payments_oncall");
    assert_non_null(strstr(r->json, "\"delay_escalation\":\"20m\""));
    assert_null(strchr(r->json, '\n'));
    rules_unref(r);

    r = rules_load_file(FIXTURES "disabled_example.json", err, sizeof(err));
    if (r == NULL)
        fail_msg("%s", err);
    assert_false(r->enabled);
    assert_int_equal(r->evals[0].ntags, 0);
    assert_int_equal(r->entity_type, RULE_ENTITY_EXPLICIT);
    assert_int_equal(r->nentities, 1);
    assert_string_equal(r->entities[0], "localhost");
    assert_string_equal(r->tasks[0].action_reason, "example");
    rules_unref(r);

    r = rules_load_file(FIXTURES "dt_memory_saturation_dropcaches.json", err,
        sizeof(err));
    if (r == NULL)
        fail_msg("%s", err);
    /* Written "Dynatrace"; matched against the canonical feed type. */
    assert_string_equal(r->feed, "Dynatrace");
    assert_string_equal(r->feed_type, "dynatrace");
    assert_true(rules_for_feed(r, "dynatrace"));
    assert_false(rules_for_feed(r, "opsgenie"));
    assert_string_equal(r->entities[0], "ledger-worker-03.prod.example.net");
    rules_unref(r);

    r = rules_load_file(FIXTURES "db_var_journal_vacuum.json", err,
        sizeof(err));
    if (r == NULL)
        fail_msg("%s", err);
    assert_int_equal(r->nevals, 2);
    assert_string_equal(r->version, "1.02");
    assert_string_equal(r->evals[1].search_text, "db[0-9]+\\.prod");
    rules_unref(r);
}

static void
test_load_file_errors(void **state)
{
    char err[RULE_ERR_MAX] = "";

    (void)state;
    assert_null(rules_load_file(FIXTURES "nope.json", err, sizeof(err)));
    assert_string_equal(err, FIXTURES "nope.json: No such file or directory");
    assert_null(rules_load_file(FIXTURES, err, sizeof(err)));
    assert_non_null(strstr(err, FIXTURES));
}

static void
test_fields_and_defaults(void **state)
{
    static const char text[] = HEAD " \"rule_version\": 2,\n" EV_OK
        L_TASK(T_BASE ", \"delay_after\": 1.5, \"timeout\": \"500ms\"}")
        L_ENT;
    char err[RULE_ERR_MAX] = "";
    struct rule *r;

    (void)state;
    r = rules_parse(text, sizeof(text) - 1, "r.json", err, sizeof(err));
    if (r == NULL)
        fail_msg("%s", err);
    assert_string_equal(r->version, "2");
    assert_string_equal(r->description, "");
    assert_null(r->route_to_team);
    assert_string_equal(r->tasks[0].action_reason, "");
    assert_int_equal(r->tasks[0].delay_after_ms, 1500);
    assert_int_equal(r->tasks[0].timeout_ms, 500);
    assert_null(r->evals[0].search_key);
    assert_null(r->evals[0].re);
    assert_ptr_equal(rules_ref(r), r);
    assert_int_equal(r->refs, 2);
    rules_unref(r);
    assert_int_equal(r->refs, 1);
    rules_unref(r);
    rules_unref(NULL);
}

/* The first evaluation of a rule whose search_text is pattern (JSON). */
static struct rule *
regex_rule(const char *pattern)
{
    char ev[RULE_REGEX_MAX + 64], err[RULE_ERR_MAX] = "";
    struct rule *r;
    char *text;

    (void)snprintf(ev, sizeof(ev), "{\"search_key\": \"m\", \"search_text\": "
        "\"%s\"}", pattern);
    text = rule_with_eval(ev);
    r = rules_parse(text, strlen(text), "r.json", err, sizeof(err));
    free(text);
    if (r == NULL)
        fail_msg("%s: %s", pattern, err);
    return r;
}

struct search_case {
    const char *pattern;    /* as written in JSON */
    const char *subject;
    size_t      len;        /* 0: strlen(subject) */
    int         want;
};

static const struct search_case search_cases[] = {
    { "Long garbage-collection time", "x: Long garbage-collection time!", 0,
        1 },
    { "Long garbage-collection time", "Short garbage-collection time", 0,
        0 },
    { "^RESOURCE_CONTENTION$", "RESOURCE_CONTENTION", 0, 1 },
    { "^RESOURCE_CONTENTION$", "xRESOURCE_CONTENTION", 0, 0 },
    { "db[0-9]+\\\\.prod", "host db12.prod.example", 0, 1 },
    { "db[0-9]+\\\\.prod", "host db12xprod.example", 0, 0 },
    { "", "anything", 0, 1 },
    { "caf\\u00e9", "un caf\xc3\xa9 noir", 0, 1 },
    { "^.$", "\xc3\xa9", 0, 1 },
    { "^\\\\w+$", "h\xc3\xa9llo", 0, 1 },
    { "def", "abc\xff\xfe" "def", 0, 1 },
    { "^abc", "abc\xff\xfe" "def", 0, 1 },
    { "xyz", "abc\xff\xfe" "def", 0, 0 },
    { "^.+$", "\xc3", 0, 0 },
    { "b", "a\0b", 3, 1 },
    { "c", "a\0b", 3, 0 },
};

static void
run_search_table(void)
{
    const struct search_case *c;
    char err[ALEXIS_ERR_MAX];
    struct rule *r;
    size_t i, len;
    int rc;

    for (i = 0; i < NELEM(search_cases); i++) {
        c = &search_cases[i];
        r = regex_rule(c->pattern);
        len = c->len != 0 ? c->len : strlen(c->subject);
        err[0] = '\0';
        rc = rules_regex_search(&r->evals[0], c->subject, len, err,
            sizeof(err));
        if (rc != c->want) {
            fail_msg("case %zu /%s/: got %d want %d (%s)", i, c->pattern, rc,
                c->want, err);
        }
        rules_unref(r);
    }
}

static void
test_regex_search_table(void **state)
{
    (void)state;
    run_search_table();
}

static size_t
jit_size(const char *pattern)
{
    struct rule *r = regex_rule(pattern);
    size_t n = 1;

    assert_int_equal(pcre2_pattern_info(r->evals[0].re, PCRE2_INFO_JITSIZE,
        &n), 0);
    rules_unref(r);
    return n;
}

/* Without the JIT (the action handler's setting) nothing is JIT-compiled
 * and every search answers the same, through PCRE2's interpreter. */
static void
test_regex_without_jit(void **state)
{
    uint32_t jit = 0;

    (void)state;
    rules_set_jit(false);
    assert_int_equal(jit_size("GC (time|pause)"), 0);
    run_search_table();
    rules_set_jit(true);
    (void)pcre2_config(PCRE2_CONFIG_JIT, &jit);
    if (jit)
        assert_true(jit_size("GC (time|pause)") > 0);
}

static void
test_regex_limit(void **state)
{
    char subject[64], err[ALEXIS_ERR_MAX] = "";
    struct rule *r;
    uint64_t t0;
    int rc;

    (void)state;
    memset(subject, 'a', sizeof(subject) - 2);
    subject[sizeof(subject) - 2] = 'b';
    subject[sizeof(subject) - 1] = '\0';
    r = regex_rule("(a+)+$");
    t0 = clock_mono_ms();
    rc = rules_regex_search(&r->evals[0], subject, strlen(subject), err,
        sizeof(err));
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "limit"));
    assert_true(clock_mono_ms() - t0 < 5000);
    /* The thread's match state stays usable after a failure. */
    rc = rules_regex_search(&r->evals[0], "aaa", 3, err, sizeof(err));
    assert_int_equal(rc, 1);
    rules_unref(r);
}

static void
test_regex_no_regex(void **state)
{
    struct rule_eval ev = { .re = NULL };
    char err[ALEXIS_ERR_MAX] = "";

    (void)state;
    assert_int_equal(rules_regex_search(&ev, "x", 1, err, sizeof(err)), -1);
    assert_string_equal(err, "evaluation has no regex");
}

#define THREADS     8
#define ROUNDS      2000

static void *
search_thread(void *arg)
{
    const struct rule *r = arg;
    char err[ALEXIS_ERR_MAX];
    long bad = 0;
    int i;

    for (i = 0; i < ROUNDS; i++) {
        if (rules_regex_search(&r->evals[0], "Filesystem /var above 95%",
            25, err, sizeof(err)) != 1)
            bad++;
        if (rules_regex_search(&r->evals[0], "Filesystem /var above 85%",
            25, err, sizeof(err)) != 0)
            bad++;
    }
    return (void *)bad;
}

static void
test_regex_threads(void **state)
{
    pthread_t th[THREADS];
    struct rule *r;
    void *bad;
    size_t i;

    (void)state;
    r = regex_rule("Filesystem /var above 9[0-9]%");
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, search_thread, r), 0);
    for (i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], &bad), 0);
        assert_null(bad);
    }
    rules_unref(r);
}

struct prefilter_case {
    const char *pattern;
    const char *subject;
    bool        prefilter;  /* whether the eval gets one */
    int         want;       /* rules_regex_search */
};

/* PCRE2's start-up information as a prefilter, caseless units included
 * (pattern_info does not flag them). */
static const struct prefilter_case prefilter_cases[] = {
    { "Long garbage-collection time", "x Long garbage-collection time", true,
        1 },
    { "Long garbage-collection time", "long garbage-collection time", true,
        0 },
    { "Service 17 (latency|errors)", "no capital s here", true, 0 },
    { "(?:abc)def", "xxabcdef", true, 1 },
    { "(abc|abd)e", "abde", true, 1 },
    { "a*", "", true, 1 },
    { "(?i)error", "ERROR", true, 1 },      /* caseless first unit */
    { "x(?i)error", "xERROR", true, 1 },     /* caseless last unit */
    { "(?i:e)rror", "Error", true, 1 },
    { "a.|A", "xa.", true, 1 },             /* caseless without (?i) */
    { "(?i)error", "RROR", true, 0 },
    { "caf\\xe9", "caf\xc3\xa9", true, 1 },     /* UTF-8 code units */
};

static void
test_prefilter_table(void **state)
{
    const struct prefilter_case *c;
    struct rule_eval ev;
    PCRE2_SIZE off;
    char err[ALEXIS_ERR_MAX], pat[64];
    size_t i;
    int ec;

    (void)state;
    for (i = 0; i < NELEM(prefilter_cases); i++) {
        c = &prefilter_cases[i];
        memset(&ev, 0, sizeof(ev));
        (void)snprintf(pat, sizeof(pat), "%s", c->pattern);
        ev.search_text = pat;
        ev.re = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED,
            PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec, &off,
            NULL);
        assert_non_null(ev.re);
        rules_start_info(&ev);
        if (ev.prefilter != c->prefilter ||
            rules_regex_search(&ev, c->subject, strlen(c->subject), err,
            sizeof(err)) != c->want)
            fail_msg("/%s/ on \"%s\": prefilter %d, want %d and %d",
                c->pattern, c->subject, ev.prefilter, c->prefilter, c->want);
        pcre2_code_free(ev.re);
    }
}

/* xorshift: the same sequence on every run. */
static uint64_t
rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

#define DIFF_PATTERNS   20000
#define DIFF_SUBJECTS   60

/*
 * The prefilter never changes an answer: random patterns over a grammar
 * rich in inline options, classes, quantifiers and escapes, each run with
 * and without the prefilter over random subjects (half of them built
 * from the pattern's own bytes, so that matches happen).
 */
static void
test_prefilter_differential(void **state)
{
    static const char *const tokens[] = {
        "a", "b", "c", "ab", "abc", "bca", "cab", ".", "?", "*", "+", "{2}",
        "{1,2}", "{0,1}", "{0}", "(", ")", "(?:", "|", "[ab]", "[^a]",
        "[]a]", "\\d", "\\w", "\\.", "\\-", "-", "^", "$", "\\x61",
        "\\Qa.\\E", "(?i)", "{", "}", "]", "1", " ", "\\b", "\\s", "A",
        "(?=a)", "\\1", "\\K", "abca", "bcab", "cc",
    };
    static const char alphabet[] = "abcABC1-. x";
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    size_t with_pf = 0, matched = 0, i, j, k;
    char pat[128], subj[64], err[ALEXIS_ERR_MAX];

    (void)state;
    for (i = 0; i < DIFF_PATTERNS; i++) {
        struct rule_eval ev;
        PCRE2_SIZE off;
        int ec, a, b;
        size_t nt = 1 + rnd(&seed) % 8, len;

        for (j = 0, len = 0; j < nt; j++) {
            const char *t = tokens[rnd(&seed) % NELEM(tokens)];

            memcpy(pat + len, t, strlen(t));    /* 8 x 7 < sizeof(pat) */
            len += strlen(t);
        }
        pat[len] = '\0';
        memset(&ev, 0, sizeof(ev));
        ev.re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
            PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &ec, &off,
            NULL);
        if (ev.re == NULL)
            continue;
        ev.search_text = pat;
        rules_start_info(&ev);
        with_pf += ev.prefilter && (ev.first_unit >= 0 ||
            ev.first_bitmap != NULL || ev.last_unit >= 0);
        for (k = 0; k < DIFF_SUBJECTS; k++) {
            size_t n = rnd(&seed) % 12;

            /* Odd subjects: bytes of the pattern, so matches happen. */
            for (j = 0; j < n; j++)
                subj[j] = k % 2 == 1 ? pat[rnd(&seed) % strlen(pat)] :
                    alphabet[rnd(&seed) % (sizeof(alphabet) - 1)];
            subj[n] = '\0';
            a = rules_regex_search(&ev, subj, n, err, sizeof(err));
            ev.prefilter = !ev.prefilter;
            b = rules_regex_search(&ev, subj, n, err, sizeof(err));
            ev.prefilter = !ev.prefilter;
            if (a != b)
                fail_msg("/%s/ on \"%s\": %d and %d with and without the "
                    "prefilter", pat, subj, a, b);
            matched += b == 1;
        }
        pcre2_code_free(ev.re);
    }
    /* Not vacuous: many patterns had a prefilter, many subjects matched. */
    print_message("%zu patterns with a prefilter, %zu matches\n", with_pf,
        matched);
    assert_true(with_pf > 1000);
    assert_true(matched > DIFF_PATTERNS);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_load_file_errors),
        cmocka_unit_test(test_fields_and_defaults),
        cmocka_unit_test(test_regex_search_table),
        cmocka_unit_test(test_regex_without_jit),
        cmocka_unit_test(test_regex_limit),
        cmocka_unit_test(test_regex_no_regex),
        cmocka_unit_test(test_regex_threads),
        cmocka_unit_test(test_prefilter_table),
        cmocka_unit_test(test_prefilter_differential),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
