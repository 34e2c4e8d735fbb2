/*
 * Unit tests for log.c: value escaping (table-driven), the line cap and its
 * well-formed cut, redaction of secret keys, the full line layout, and
 * log_emit/log_fatal end to end through a pipe.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "log.h"

#define TS "2026-11-22T10:15:00.123Z"

struct escape_case {
    const char *in;
    const char *out;
};

static const struct escape_case escape_cases[] = {
    { "plain", "plain" },
    { "", "\"\"" },
    { "two words", "\"two words\"" },
    { " lead", "\" lead\"" },
    { "say \"hi\"", "\"say \\\"hi\\\"\"" },
    { "a=b", "\"a=b\"" },
    { "C:\\dir", "\"C:\\\\dir\"" },
    { "l1\nl2", "\"l1\\nl2\"" },
    { "cr\rx", "\"cr\\rx\"" },
    { "tab\tx", "\"tab\\tx\"" },
    { "bell\x07", "\"bell\\u0007\"" },
    { "\x1b[31m", "\"\\u001b[31m\"" },
    { "\x01", "\"\\u0001\"" },
    { "\x1f", "\"\\u001f\"" },
    { "del\x7f", "\"del\\u007f\"" },
    { "h\xc3\xa9llo", "h\xc3\xa9llo" },
    { "\xe2\x82\xac 5", "\"\xe2\x82\xac 5\"" },
    { "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
    { "/v1/ping?x", "/v1/ping?x" },
    { "[redacted]", "[redacted]" },
    { "tinyId:5120,rule", "tinyId:5120,rule" },
    /* Unicode line separators and bidirectional controls (issue 11 #9):
     * tools that split lines on them would see a forged event. */
    { "a\xe2\x80\xa8" "event=x", "\"a\\u2028event=x\"" },
    { "a\xe2\x80\xa9" "b", "\"a\\u2029b\"" },
    { "a\xc2\x85" "b", "\"a\\u0085b\"" },
    { "\xc2\x80\xc2\x9f", "\"\\u0080\\u009f\"" },
    { "\xe2\x80\xaa\xe2\x80\xae", "\"\\u202a\\u202e\"" },
    { "\xe2\x81\xa6\xe2\x81\xa9", "\"\\u2066\\u2069\"" },
    { "\xe2\x80\x8e\xe2\x80\x8f", "\"\\u200e\\u200f\"" },
    { "\xd8\x9c", "\"\\u061c\"" },
    /* Neighbours stay raw. */
    { "\xe2\x80\xa7\xe2\x80\xaf", "\xe2\x80\xa7\xe2\x80\xaf" },
    { "\xc2\xa0", "\xc2\xa0" },
};

static void
test_escape_table(void **state)
{
    char out[256];
    size_t i, n;

    (void)state;
    for (i = 0; i < NELEM(escape_cases); i++) {
        n = log_escape_value(out, sizeof(out), escape_cases[i].in);
        if (strcmp(out, escape_cases[i].out) != 0)
            print_error("case %zu: got [%s] want [%s]\n", i, out,
                escape_cases[i].out);
        assert_string_equal(out, escape_cases[i].out);
        assert_int_equal(n, strlen(escape_cases[i].out));
    }
}

static void
test_escape_null_is_empty(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(log_escape_value(out, sizeof(out), NULL), 2);
    assert_string_equal(out, "\"\"");
}

struct cut_case {
    const char *in;
    size_t dstlen;
    const char *out;
};

/* Values that do not fit: the result is a closed, well-formed prefix that
 * never ends inside an escape or a UTF-8 sequence. */
static const struct cut_case cut_cases[] = {
    { "abcdef", 4, "abc" },
    { "a b c d", 5, "\"a \"" },
    { "ab\ncd", 5, "\"ab\"" },          /* \n needs 2 bytes, 1 left */
    { "ab\ncd", 7, "\"ab\\n\"" },
    { "a\x01z", 7, "\"a\"" },            /* \u0001 needs 6 bytes */
    { "a\x01z", 10, "\"a\\u0001\"" },
    { "x\xe2\x82\xac", 4, "x" },         /* 3-byte char, 2 bytes left */
    { "x\xe2\x82\xacy", 5, "x\xe2\x82\xac" },
    { "q \xf0\x9f\x98\x80", 7, "\"q \"" },
    { "\"", 3, "\"\"" },                 /* escaped quote does not fit */
    { "a b", 2, "" },                    /* not even the quotes fit */
};

static void
test_escape_cut(void **state)
{
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(cut_cases); i++) {
        memset(out, 'X', sizeof(out));
        assert_true(log_escape_value(out, cut_cases[i].dstlen,
            cut_cases[i].in) == (size_t)-1);
        if (strcmp(out, cut_cases[i].out) != 0)
            print_error("cut case %zu: got [%s] want [%s]\n", i, out,
                cut_cases[i].out);
        assert_string_equal(out, cut_cases[i].out);
        assert_true(strlen(out) < cut_cases[i].dstlen);
        /* Nothing written past dstlen. */
        assert_int_equal(out[cut_cases[i].dstlen], 'X');
    }
}

static void
test_escape_exact_fit(void **state)
{
    char out[4];

    (void)state;
    assert_int_equal(log_escape_value(out, sizeof(out), "abc"), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(log_escape_value(out, sizeof(out), "a b"),
        (size_t)-1);
}

struct secret_case {
    const char *key;
    bool secret;
};

static const struct secret_case secret_cases[] = {
    { "token", true },
    { "Token", true },
    { "authorization", true },
    { "Authorization", true },
    { "api_key", true },
    { "password", true },
    { "passphrase", true },
    { "headers", true },
    { "feed_headers", true },
    { "private_key", true },
    { "runtime_token", true },
    { "ssh_key_data", true },
    { "tinyId", false },
    { "rule_name", false },
    { "token_file", false },
    { "requestor", false },
    { "api_key_file", false },
    { "_tokens", false },
    { "key", false },
};

static void
test_secret_keys(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < NELEM(secret_cases); i++) {
        if (log_key_is_secret(secret_cases[i].key) != secret_cases[i].secret)
            print_error("key %s\n", secret_cases[i].key);
        assert_int_equal(log_key_is_secret(secret_cases[i].key),
            secret_cases[i].secret);
    }
    assert_false(log_key_is_secret(NULL));
}

static void
test_redaction_in_line(void **state)
{
    char line[512];
    const struct kv kvs[] = {
        KV_STR("requestor", "poller"),
        KV_STR("token", "p0ll3r-7f3c9a1e5b2d"),
        KV_STR("Authorization", "Bearer p0ll3r-7f3c9a1e5b2d"),
        KV_STR("runtime_token", "p0ll3r-7f3c9a1e5b2d"),
        KV_INT("api_key", 12345),
        KV_END,
    };

    (void)state;
    log_format(line, sizeof(line), TS, LOG_INFO, "classifier",
        "request_done", kvs);
    assert_null(strstr(line, "p0ll3r"));
    assert_null(strstr(line, "12345"));
    assert_string_equal(line,
        "ts=" TS " level=info app=classifier event=request_done"
        " requestor=poller token=[redacted] Authorization=[redacted]"
        " runtime_token=[redacted] api_key=[redacted]\n");
}

static void
test_format_full_line(void **state)
{
    char line[512];
    size_t n;
    const struct kv kvs[] = {
        KV_STR("tinyId", "5120"),
        KV_STR("rule_name", "gc restart"),
        KV_BOOL("matched", 1),
        KV_BOOL("dry_run", 0),
        KV_INT("delta", -42),
        KV_UINT("bytes", 18446744073709551615ULL),
        KV_ERRNO(ENOENT),
        KV_ERR("host \"x\" down"),
        KV_STR("nothing", NULL),
        KV_END,
    };

    (void)state;
    n = log_format(line, sizeof(line), TS, LOG_WARN, "classifier",
        "rule_evaluated", kvs);
    assert_string_equal(line,
        "ts=" TS " level=warn app=classifier event=rule_evaluated"
        " tinyId=5120 rule_name=\"gc restart\" matched=true dry_run=false"
        " delta=-42 bytes=18446744073709551615"
        " errno=\"No such file or directory\""
        " error=\"host \\\"x\\\" down\" nothing=\"\"\n");
    assert_int_equal(n, strlen(line));
}

static void
test_format_no_fields(void **state)
{
    char line[128];
    size_t n;

    (void)state;
    n = log_format(line, sizeof(line), TS, LOG_DEBUG, "poller", "x", NULL);
    assert_string_equal(line,
        "ts=" TS " level=debug app=poller event=x\n");
    assert_int_equal(n, strlen(line));
}

static void
test_level_names(void **state)
{
    (void)state;
    assert_string_equal(log_level_name(LOG_DEBUG), "debug");
    assert_string_equal(log_level_name(LOG_INFO), "info");
    assert_string_equal(log_level_name(LOG_WARN), "warn");
    assert_string_equal(log_level_name(LOG_ERROR), "error");
}

/* Assert that line is one well-formed line cut with truncated=1. */
static void
assert_cut_line(const char *line, size_t n, size_t cap)
{
    static const char tail[] = " truncated=1\n";
    size_t tl = sizeof(tail) - 1;

    assert_int_equal(n, strlen(line));
    assert_true(n <= cap);
    assert_true(n > tl);
    assert_string_equal(line + n - tl, tail);
    assert_ptr_equal(strchr(line, '\n'), line + n - 1);
}

static void
test_cap_plain_value(void **state)
{
    char big[LOG_LINE_MAX * 2];
    char line[LOG_LINE_MAX + 1];
    size_t n;

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    n = log_format(line, sizeof(line), TS, LOG_INFO, "t", "big",
        (const struct kv[]){ KV_STR("v", big), KV_STR("after", "x"),
        KV_END });
    assert_cut_line(line, n, LOG_LINE_MAX);
    assert_int_equal(n, LOG_LINE_MAX);
    assert_null(strstr(line, "after="));
}

/* Check that [p, end) is the inside of a quoted value: every escape is
 * complete and every UTF-8 sequence is whole. */
static void
assert_well_formed_inside(const unsigned char *p, const unsigned char *end)
{
    size_t want, k;

    while (p < end) {
        if (*p == '\\') {
            assert_true(p + 1 < end);
            if (p[1] == 'u') {
                assert_true(p + 6 <= end);
                p += 6;
            } else {
                assert_non_null(strchr("\"\\nrt", p[1]));
                p += 2;
            }
            continue;
        }
        assert_int_not_equal(*p, '"');
        assert_true(*p >= 0x20 && *p != 0x7f);
        want = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
        assert_true(p + want <= end);
        for (k = 1; k < want; k++)
            assert_int_equal(p[k] & 0xc0, 0x80);
        p += want;
    }
}

/* Slide a multi-byte unit across the cut point: every position must give a
 * well-formed line whose value is a closed prefix, and at some position
 * the unit must be the last thing kept. */
static void
check_straddle(const char *unit, const char *expect_end)
{
    char line[200];
    char val[400];
    const char *v;
    size_t n, ulen = strlen(unit), i;
    bool seen_whole = false;

    for (i = 60; i < 140; i++) {
        memset(val, 'b', i);
        memcpy(val + i, unit, ulen);
        memset(val + i + ulen, 'c', 100);
        val[i + ulen + 100] = '\0';
        n = log_format(line, sizeof(line), TS, LOG_INFO, "t", "e",
            (const struct kv[]){ KV_STR("v", val), KV_END });
        assert_cut_line(line, n, sizeof(line) - 1);
        v = strstr(line, " v=\"");
        assert_non_null(v);
        v += 4;
        /* The quote closes right before " truncated=1". */
        assert_int_equal(line[n - 14], '"');
        assert_well_formed_inside((const unsigned char *)v,
            (const unsigned char *)line + n - 14);
        if (strstr(line, expect_end) != NULL)
            seen_whole = true;
    }
    assert_true(seen_whole);
}

static void
test_cap_utf8_straddle(void **state)
{
    (void)state;
    check_straddle(" \xe2\x82\xac", "\xe2\x82\xac\"");
    check_straddle(" \xf0\x9f\x98\x80", "\xf0\x9f\x98\x80\"");
}

static void
test_cap_escape_straddle(void **state)
{
    (void)state;
    check_straddle(" \x01", "\\u0001\"");
    check_straddle(" \n", "\\n\"");
    check_straddle(" \"", "\\\"\"");
}

/* A line that fits in LOG_LINE_MAX exactly is not cut, and one byte more
 * is. */
static void
test_cap_boundary(void **state)
{
    char line[LOG_LINE_MAX + 64];
    char val[LOG_LINE_MAX];
    size_t n, base;

    (void)state;
    base = log_format(line, sizeof(line), TS, LOG_INFO, "t", "e",
        (const struct kv[]){ KV_STR("v", "x"), KV_END });
    memset(val, 'x', LOG_LINE_MAX - base + 1);
    val[LOG_LINE_MAX - base + 1] = '\0';
    n = log_format(line, sizeof(line), TS, LOG_INFO, "t", "e",
        (const struct kv[]){ KV_STR("v", val), KV_END });
    assert_int_equal(n, LOG_LINE_MAX);
    assert_null(strstr(line, "truncated=1"));
    assert_int_equal(line[n - 1], '\n');

    val[LOG_LINE_MAX - base + 1] = 'x';
    val[LOG_LINE_MAX - base + 2] = '\0';
    n = log_format(line, sizeof(line), TS, LOG_INFO, "t", "e",
        (const struct kv[]){ KV_STR("v", val), KV_END });
    assert_cut_line(line, n, LOG_LINE_MAX);
}

/* When the cut falls inside a later short field, the line still ends with
 * a whole field and the tail. */
static void
test_cap_many_fields(void **state)
{
    char line[96];     /* cap 95, so a cut line keeps 82 bytes */
    size_t n;

    (void)state;
    n = log_format(line, sizeof(line), TS, LOG_INFO, "t", "e",
        (const struct kv[]){ KV_STR("a", "1111111111"),
        KV_STR("b", "2222222222"), KV_STR("c", "3333333333"),
        KV_STR("d", "4444444444"), KV_END });
    assert_cut_line(line, n, sizeof(line) - 1);
    assert_string_equal(line, "ts=" TS " level=info app=t event=e"
        " a=1111111111 b=2222222222 c=3 truncated=1\n");
}

static int side_effects;

static const char *
count_call(void)
{
    side_effects++;
    return "x";
}

/* Read what is in the pipe without blocking. */
static size_t
drain(int fd, char *buf, size_t len)
{
    size_t got = 0;
    ssize_t n;

    while (got < len - 1) {
        n = read(fd, buf + got, len - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    return got;
}

static void
test_emit_pipe(void **state)
{
    char out[LOG_LINE_MAX * 2];
    int fds[2];
    size_t got;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    log_init("tester", LOG_INFO, fds[1]);

    side_effects = 0;
    log_event(LOG_DEBUG, "hidden", KV_STR("x", count_call()));
    assert_int_equal(side_effects, 0);
    assert_int_equal(drain(fds[0], out, sizeof(out)), 0);

    errno = EAGAIN;
    log_event(LOG_INFO, "config_loaded", KV_STR("path", "/etc/a b.yaml"),
        KV_INT("rules", 3), KV_STR("x", count_call()));
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(side_effects, 1);
    got = drain(fds[0], out, sizeof(out));
    assert_true(got > 0);
    assert_int_equal(out[got - 1], '\n');
    assert_ptr_equal(strchr(out, '\n'), out + got - 1);
    assert_memory_equal(out, "ts=", 3);
    /* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
    assert_int_equal(out[7], '-');
    assert_int_equal(out[13], 'T');
    assert_int_equal(out[22], '.');
    assert_int_equal(out[26], 'Z');
    assert_int_equal(out[27], ' ');
    assert_non_null(strstr(out, " level=info app=tester event=config_loaded"
        " path=\"/etc/a b.yaml\" rules=3 x=x\n"));

    log_set_level(LOG_DEBUG);
    assert_true(log_enabled(LOG_DEBUG));
    log_event(LOG_DEBUG, "shown", KV_STR("x", count_call()));
    got = drain(fds[0], out, sizeof(out));
    assert_non_null(strstr(out, " level=debug app=tester event=shown x=x\n"));
    assert_ptr_equal(strchr(out, '\n'), out + got - 1);

    log_set_level(LOG_ERROR);
    assert_false(log_enabled(LOG_WARN));
    log_init("test_log", LOG_INFO, 2);
    close(fds[0]);
    close(fds[1]);
}

static void
test_fatal_exits(void **state)
{
    char out[1024];
    int fds[2], status;
    pid_t pid;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid != -1);
    if (pid == 0) {
        close(fds[0]);
        log_init("tester", LOG_INFO, fds[1]);
        log_fatal("bind_failed", KV_ERRNO(EADDRINUSE), KV_INT("port", 80));
    }
    close(fds[1]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    drain(fds[0], out, sizeof(out));
    close(fds[0]);
    assert_non_null(strstr(out, " level=error app=tester event=bind_failed"
        " errno=\"Address already in use\" port=80\n"));
}

#define THREADS         4
#define LINES_PER       40
#define LONG_VALUE      6000    /* more than PIPE_BUF */

static int thread_fd;

static void *
writer(void *arg)
{
    char val[LONG_VALUE + 1];
    int id = (int)(intptr_t)arg, i;

    memset(val, 'a' + id, LONG_VALUE);
    val[LONG_VALUE] = '\0';
    for (i = 0; i < LINES_PER; i++)
        log_event(LOG_INFO, "long", KV_INT("id", id), KV_STR("v", val));
    return NULL;
}

/* Lines longer than PIPE_BUF from several threads must not interleave. */
static void
test_emit_threads(void **state)
{
    pthread_t t[THREADS];
    char *acc, *line, *nl;
    size_t len = 0, cap, lines = 0, k;
    ssize_t n;
    int fds[2], i;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    thread_fd = fds[1];
    log_init("tester", LOG_INFO, thread_fd);
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer,
            (void *)(intptr_t)i), 0);
    cap = (size_t)THREADS * LINES_PER * (LONG_VALUE + 128);
    acc = malloc(cap + 1);
    assert_non_null(acc);
    while (lines < THREADS * LINES_PER) {
        n = read(fds[0], acc + len, cap - len);
        assert_true(n > 0);
        for (k = len; k < len + (size_t)n; k++)
            lines += acc[k] == '\n';
        len += (size_t)n;
    }
    acc[len] = '\0';
    for (i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    log_init("test_log", LOG_INFO, 2);
    close(fds[1]);
    close(fds[0]);

    lines = 0;
    for (line = acc; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        const char *v = strstr(line, " v=");

        assert_memory_equal(line, "ts=", 3);
        assert_non_null(v);
        v += 3;
        for (k = 0; k < LONG_VALUE; k++)
            assert_int_equal(v[k], v[0]);
        assert_ptr_equal(v + LONG_VALUE, nl);
        lines++;
    }
    assert_int_equal(lines, THREADS * LINES_PER);
    assert_ptr_equal(line, acc + len);
    free(acc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_table),
        cmocka_unit_test(test_escape_null_is_empty),
        cmocka_unit_test(test_escape_cut),
        cmocka_unit_test(test_escape_exact_fit),
        cmocka_unit_test(test_secret_keys),
        cmocka_unit_test(test_redaction_in_line),
        cmocka_unit_test(test_format_full_line),
        cmocka_unit_test(test_format_no_fields),
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_cap_plain_value),
        cmocka_unit_test(test_cap_utf8_straddle),
        cmocka_unit_test(test_cap_escape_straddle),
        cmocka_unit_test(test_cap_boundary),
        cmocka_unit_test(test_cap_many_fields),
        cmocka_unit_test(test_emit_pipe),
        cmocka_unit_test(test_fatal_exits),
        cmocka_unit_test(test_emit_threads),
    };

    log_init("test_log", LOG_INFO, 2);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
