/*
 * Unit tests for ruledir.c in a temporary directory: the initial load and
 * what counts as a rule file, changes seen by the very next get (add, edit
 * in place with the same size, delete, rename), broken and duplicate files,
 * a missing, removed or replaced directory, snapshots that stay valid after
 * a reload, an inotify queue overflow, and the once-per-change log lines.
 * No test sleeps: every change must be visible at once.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
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
#include "buf.h"
#include "file.h"
#include "log.h"
#include "path.h"
#include "ruledir.h"
#include "rules.h"

struct fx {
    char    base[64];       /* mkdtemp root */
    char   *dir;            /* base/rules, the watched directory */
    char   *logpath;
    int     logfd;
    off_t   logoff;         /* log bytes already looked at */
};

static char *
fx_path(const struct fx *f, const char *name)
{
    return path_join(f->dir, name);
}

static void
write_file(const char *path, const char *text)
{
    size_t len = strlen(text);
    int fd;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd != -1);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static void
write_in(const struct fx *f, const char *name, const char *text)
{
    char *p = fx_path(f, name);

    write_file(p, text);
    free(p);
}

/* A valid rule called rule_name whose one task runs cmd. */
static void
write_rule(const struct fx *f, const char *name, const char *rule_name,
    const char *cmd)
{
    char text[1024];

    (void)snprintf(text, sizeof(text), "{\"rule_name\": \"%s\", "
        "\"alert_feed\": \"opsgenie\", \"enabled\": true, \"os_type\": "
        "\"linux\", \"evaluation_list\": [{\"evaluation\": {\"tags\": "
        "[\"a\"]}}], \"task_list\": [{\"task\": {\"task_type\": "
        "\"remote_ssh\", \"run_command\": \"%s\", \"action\": \"x\"}}], "
        "\"entity_type\": \"explicit\", \"entities\": [\"h\"]}\n",
        rule_name, cmd);
    write_in(f, name, text);
}

static void
remove_in(const struct fx *f, const char *name)
{
    char *p = fx_path(f, name);

    assert_int_equal(unlink(p), 0);
    free(p);
}

static void
rename_in(const struct fx *f, const char *from, const char *to)
{
    char *a = fx_path(f, from), *b = fx_path(f, to);

    assert_int_equal(rename(a, b), 0);
    free(a);
    free(b);
}

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    /* tmpfs when there is one: test_queue_overflow rewrites a file 16,384
     * times, and ext4 flushes every truncate-and-rewrite on close
     * (auto_da_alloc), which took 12 s of the 60 s limit. */
    (void)snprintf(f->base, sizeof(f->base), "%s/alexis-ruledir-XXXXXX",
        access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(f->base) == NULL) {
        (void)snprintf(f->base, sizeof(f->base),
            "/tmp/alexis-ruledir-XXXXXX");
        assert_non_null(mkdtemp(f->base));
    }
    f->dir = path_join(f->base, "rules");
    assert_int_equal(mkdir(f->dir, 0755), 0);
    f->logpath = path_join(f->base, "log");
    f->logfd = open(f->logpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
        0644);
    assert_true(f->logfd != -1);
    log_init("test", LOG_INFO, f->logfd);
    *state = f;
    return 0;
}

/* Remove path and everything under it (symlinks are not followed). */
static void
rm_rf(const char *path)
{
    struct dirent *de;
    struct stat st;
    char *sub;
    DIR *d;

    if (lstat(path, &st) == -1)
        return;
    if (!S_ISDIR(st.st_mode)) {
        (void)unlink(path);
        return;
    }
    if ((d = opendir(path)) != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            sub = path_join(path, de->d_name);
            rm_rf(sub);
            free(sub);
        }
        (void)closedir(d);
    }
    (void)rmdir(path);
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    log_init("test", LOG_INFO, 2);
    (void)close(f->logfd);
    rm_rf(f->base);
    free(f->dir);
    free(f->logpath);
    free(f);
    return 0;
}

/*
 * The log lines written since the last call, summarised as
 * "event:file-basename" words ("unreadable" for rules_dir_unreadable).
 */
static void
expect_logs(struct fx *f, const char *want)
{
    char *text, *line, *nl, *p, *e;
    struct buf got;
    struct stat st;
    size_t n;

    assert_int_equal(fstat(f->logfd, &st), 0);
    n = (size_t)(st.st_size - f->logoff);
    text = calloc(1, n + 1);
    assert_non_null(text);
    assert_int_equal(pread(f->logfd, text, n, f->logoff), (ssize_t)n);
    f->logoff = st.st_size;
    buf_init(&got, 1 << 20);
    for (line = text; *line != '\0'; line = nl + 1) {
        assert_non_null(nl = strchr(line, '\n'));
        *nl = '\0';
        assert_non_null(p = strstr(line, " event="));
        p += strlen(" event=");
        e = p + strcspn(p, " ");
        assert_int_equal(buf_appendf(&got, "%s%.*s", got.len ? " " : "",
            (int)(e - p), p), 0);
        if ((p = strstr(line, " file=")) != NULL) {
            e = p + strcspn(p + 1, " ") + 1;
            while (e > p && e[-1] != '/')
                e--;
            assert_int_equal(buf_appendf(&got, ":%.*s",
                (int)strcspn(e, " "), e), 0);
        }
    }
    if (strcmp(got.data == NULL ? "" : got.data, want) != 0) {
        fail_msg("logs:\n got: %s\nwant: %s\nraw:\n%s", got.data, want,
            text);
    }
    buf_free(&got);
    free(text);
}

static struct rule_set *
get_ok(struct ruledir *rd)
{
    char err[RULE_ERR_MAX] = "";
    struct rule_set *rs;

    if ((rs = ruledir_get(rd, err, sizeof(err))) == NULL)
        fail_msg("ruledir_get: %s", err);
    return rs;
}

/* The rule set now: count rules, and the log lines since the last check
 * are logs (as expect_logs). The caller releases it. */
static struct rule_set *
get_expect(struct fx *f, struct ruledir *rd, size_t count, const char *logs)
{
    struct rule_set *rs = get_ok(rd);

    assert_int_equal(ruledir_set_count(rs), count);
    expect_logs(f, logs);
    return rs;
}

static const char *
cmd_of(const struct rule *r)
{
    return r->tasks[0].run_command;
}

static void
test_initial_load(void **state)
{
    struct fx *f = *state;
    struct rule_set *rs, *rs2;
    struct ruledir *rd;
    char *p, *q;

    write_rule(f, "b.json", "r_b", "b");
    write_rule(f, "a.json", "r_a", "a");
    write_rule(f, ".hidden.json", "r_h", "h");
    write_rule(f, "notes.txt", "r_t", "t");
    write_rule(f, "a.json~", "r_t2", "t");
    p = fx_path(f, "sub.json");
    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
    p = path_join(f->base, "elsewhere.json");
    q = fx_path(f, "link.json");
    write_file(p, "{\"rule_name\": \"r_link\", \"alert_feed\": \"dynatrace\", "
        "\"enabled\": \"false\", \"os_type\": \"linux\", \"evaluation_list\": "
        "[{\"evaluation\": {\"tags\": [\"a\"]}}], \"task_list\": [{\"task\": "
        "{\"task_type\": \"remote_ssh\", \"run_command\": \"l\", \"action\": "
        "\"x\"}}], \"entity_type\": \"explicit\", \"entities\": [\"h\"]}");
    assert_int_equal(symlink(p, q), 0);
    free(p);
    free(q);
    q = fx_path(f, "dangling.json");
    assert_int_equal(symlink("/nonexistent/alexis.json", q), 0);
    free(q);

    rd = ruledir_new(f->dir);
    rs = get_expect(f, rd, 3,
        "rule_file_loaded:a.json rule_file_loaded:b.json "
        "rule_file_loaded:link.json");
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_a");
    assert_string_equal(ruledir_set_at(rs, 1)->name, "r_b");
    assert_string_equal(ruledir_set_at(rs, 2)->name, "r_link");
    assert_false(ruledir_set_at(rs, 2)->enabled);
    assert_null(ruledir_set_at(rs, 3));
    assert_ptr_equal(ruledir_set_find(rs, "r_b"), ruledir_set_at(rs, 1));
    assert_ptr_equal(ruledir_set_find(rs, "r_link"), ruledir_set_at(rs, 2));
    assert_null(ruledir_set_find(rs, "r_h"));
    assert_null(ruledir_set_find(rs, "zzz"));
    assert_int_equal(ruledir_set_error_count(rs), 0);
    assert_null(ruledir_set_error_at(rs, 0));

    /* Nothing changed: the same snapshot, and nothing logged. */
    rs2 = get_ok(rd);
    assert_ptr_equal(rs2, rs);
    expect_logs(f, "");
    ruledir_set_release(rs2);
    ruledir_set_release(rs);
    ruledir_free(rd);
}

static void
test_add_edit_delete(void **state)
{
    struct fx *f = *state;
    struct rule_set *first, *prev, *rs;
    struct ruledir *rd;
    char cmd[32], prevcmd[32];
    int i;

    write_rule(f, "a.json", "r_a", "echo 00");
    rd = ruledir_new(f->dir);
    first = get_expect(f, rd, 1, "rule_file_loaded:a.json");

    write_rule(f, "b.json", "r_b", "b");
    rs = get_expect(f, rd, 2, "rule_file_loaded:b.json");
    assert_string_equal(cmd_of(ruledir_set_find(rs, "r_b")), "b");

    /* Same size, same inode, no pause: only the event can tell. */
    prev = rs;
    (void)snprintf(prevcmd, sizeof(prevcmd), "echo 00");
    for (i = 1; i <= 30; i++) {
        (void)snprintf(cmd, sizeof(cmd), "echo %02d", i);
        write_rule(f, "a.json", "r_a", cmd);
        rs = get_ok(rd);
        assert_string_equal(cmd_of(ruledir_set_find(rs, "r_a")), cmd);
        /* The set held from before the reload is intact. */
        assert_string_equal(cmd_of(ruledir_set_find(prev, "r_a")), prevcmd);
        ruledir_set_release(prev);
        prev = rs;
        (void)snprintf(prevcmd, sizeof(prevcmd), "%s", cmd);
        expect_logs(f, "rule_file_loaded:a.json");
    }

    remove_in(f, "b.json");
    rs = get_expect(f, rd, 1, "rule_file_removed:b.json");
    assert_null(ruledir_set_find(rs, "r_b"));
    assert_string_equal(cmd_of(ruledir_set_find(first, "r_a")), "echo 00");
    ruledir_set_release(first);
    ruledir_set_release(prev);
    ruledir_set_release(rs);
    ruledir_free(rd);
}

static void
test_rename(void **state)
{
    struct fx *f = *state;
    struct rule_set *rs;
    struct ruledir *rd;
    char *p;

    write_rule(f, "a.json", "r_a", "a");
    write_rule(f, "b.json", "r_b", "b");
    rd = ruledir_new(f->dir);
    ruledir_set_release(get_ok(rd));
    expect_logs(f, "rule_file_loaded:a.json rule_file_loaded:b.json");

    rename_in(f, "a.json", "c.json");
    rs = get_expect(f, rd, 2,
        "rule_file_loaded:c.json rule_file_removed:a.json");
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_b");
    assert_string_equal(ruledir_set_at(rs, 1)->name, "r_a");
    p = fx_path(f, "c.json");
    assert_string_equal(ruledir_set_at(rs, 1)->path, p);
    free(p);
    ruledir_set_release(rs);

    rename_in(f, "c.json", "c.json.disabled");
    rs = get_expect(f, rd, 1, "rule_file_removed:c.json");
    assert_null(ruledir_set_find(rs, "r_a"));
    ruledir_set_release(rs);

    /* Renaming over an existing file replaces its rule. */
    rename_in(f, "c.json.disabled", "b.json");
    rs = get_expect(f, rd, 1, "rule_file_loaded:b.json");
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_a");
    ruledir_set_release(rs);
    ruledir_free(rd);
}

static void
test_broken_file(void **state)
{
    struct fx *f = *state;
    const struct rule_file_error *e;
    struct rule_set *rs;
    struct ruledir *rd;
    char want[RULE_ERR_MAX], *bad, *z;

    write_rule(f, "a.json", "r_a", "a");
    write_in(f, "bad.json", "{\"rule_name\": \"x\",\n  oops}");
    write_in(f, "z.json", "{\"rule_name\": \"r_z\"}");
    bad = fx_path(f, "bad.json");
    z = fx_path(f, "z.json");
    rd = ruledir_new(f->dir);
    rs = get_expect(f, rd, 1,
        "rule_file_loaded:a.json rule_file_rejected:bad.json "
        "rule_file_rejected:z.json");
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_a");
    assert_int_equal(ruledir_set_error_count(rs), 2);
    e = ruledir_set_error_at(rs, 0);
    assert_string_equal(e->path, bad);
    (void)snprintf(want, sizeof(want), "%s:2:3: error: invalid JSON", bad);
    assert_memory_equal(e->message, want, strlen(want));
    e = ruledir_set_error_at(rs, 1);
    assert_string_equal(e->path, z);
    (void)snprintf(want, sizeof(want), "%s:1:1: error: rule \"r_z\": "
        "missing \"alert_feed\"", z);
    assert_string_equal(e->message, want);
    ruledir_set_release(rs);

    /* Another file's change rescans; the broken ones are not re-logged. */
    write_rule(f, "a.json", "r_a", "a");
    rs = get_ok(rd);
    assert_int_equal(ruledir_set_error_count(rs), 2);
    expect_logs(f, "");
    ruledir_set_release(rs);

    write_rule(f, "bad.json", "r_bad", "fixed");
    rs = get_expect(f, rd, 2, "rule_file_loaded:bad.json");
    assert_string_equal(cmd_of(ruledir_set_find(rs, "r_bad")), "fixed");
    assert_int_equal(ruledir_set_error_count(rs), 1);
    ruledir_set_release(rs);
    ruledir_free(rd);
    free(bad);
    free(z);
}

static void
test_duplicates(void **state)
{
    struct fx *f = *state;
    const struct rule_file_error *e;
    struct rule_set *rs;
    struct ruledir *rd;
    char want[RULE_ERR_MAX], *a, *b;

    write_rule(f, "b.json", "r_dup", "second");
    write_rule(f, "a.json", "r_dup", "first");
    write_rule(f, "c.json", "r_c", "c");
    a = fx_path(f, "a.json");
    b = fx_path(f, "b.json");
    rd = ruledir_new(f->dir);
    rs = get_expect(f, rd, 2,
        "rule_file_loaded:a.json rule_file_rejected:b.json "
        "rule_file_loaded:c.json");
    assert_string_equal(cmd_of(ruledir_set_find(rs, "r_dup")), "first");
    assert_string_equal(ruledir_set_find(rs, "r_dup")->path, a);
    assert_ptr_equal(ruledir_set_at(rs, 1), ruledir_set_find(rs, "r_c"));
    assert_int_equal(ruledir_set_error_count(rs), 1);
    e = ruledir_set_error_at(rs, 0);
    assert_string_equal(e->path, b);
    /* The rules here are one-line objects: "rule_name" is at 1:2. */
    (void)snprintf(want, sizeof(want), "%s:1:2: error: rule \"r_dup\": "
        "duplicate rule_name, already defined in %s", b, a);
    assert_string_equal(e->message, want);
    ruledir_set_release(rs);

    /* The later file takes over once the first one is gone. */
    remove_in(f, "a.json");
    rs = get_expect(f, rd, 2,
        "rule_file_loaded:b.json rule_file_removed:a.json");
    assert_string_equal(cmd_of(ruledir_set_find(rs, "r_dup")), "second");
    assert_int_equal(ruledir_set_error_count(rs), 0);
    ruledir_set_release(rs);
    ruledir_free(rd);
    free(a);
    free(b);
}

static void
test_missing_dir(void **state)
{
    struct fx *f = *state;
    struct rule_set *rs;
    struct ruledir *rd;
    char err[RULE_ERR_MAX], want[RULE_ERR_MAX];

    assert_int_equal(rmdir(f->dir), 0);
    rd = ruledir_new(f->dir);
    (void)snprintf(want, sizeof(want), "rules_dir %s: No such file or "
        "directory", f->dir);
    err[0] = '\0';
    assert_null(ruledir_get(rd, err, sizeof(err)));
    assert_string_equal(err, want);
    err[0] = '\0';
    assert_null(ruledir_get(rd, err, sizeof(err)));
    assert_string_equal(err, want);
    expect_logs(f, "rules_dir_unreadable");

    assert_int_equal(mkdir(f->dir, 0755), 0);
    write_rule(f, "a.json", "r_a", "a");
    rs = get_expect(f, rd, 1, "rule_file_loaded:a.json");
    ruledir_set_release(rs);

    /* Once watched, new files are seen at once. */
    write_rule(f, "b.json", "r_b", "b");
    rs = get_expect(f, rd, 2, "rule_file_loaded:b.json");
    ruledir_set_release(rs);
    ruledir_free(rd);
}

static void
test_dir_removed_and_replaced(void **state)
{
    struct fx *f = *state;
    struct rule_set *held, *rs;
    struct ruledir *rd;
    char err[RULE_ERR_MAX], *old, *p;

    write_rule(f, "a.json", "r_a", "a");
    rd = ruledir_new(f->dir);
    held = get_ok(rd);
    expect_logs(f, "rule_file_loaded:a.json");

    remove_in(f, "a.json");
    assert_int_equal(rmdir(f->dir), 0);
    err[0] = '\0';
    assert_null(ruledir_get(rd, err, sizeof(err)));
    assert_non_null(strstr(err, "No such file or directory"));
    expect_logs(f, "rules_dir_unreadable");

    assert_int_equal(mkdir(f->dir, 0755), 0);
    write_rule(f, "b.json", "r_b", "b");
    rs = get_expect(f, rd, 1, "rule_file_loaded:b.json");
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_b");
    ruledir_set_release(rs);

    /* Swap in another directory under the same name. */
    old = path_join(f->base, "rules.old");
    assert_int_equal(rename(f->dir, old), 0);
    assert_int_equal(mkdir(f->dir, 0755), 0);
    write_rule(f, "c.json", "r_c", "c");
    rs = get_expect(f, rd, 1,
        "rule_file_loaded:c.json rule_file_removed:b.json");
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_c");
    ruledir_set_release(rs);

    /* The watch follows the new directory, not the old one. */
    p = path_join(old, "ignored.json");
    write_file(p, "{}");
    free(p);
    write_rule(f, "d.json", "r_d", "d");
    rs = get_expect(f, rd, 2, "rule_file_loaded:d.json");
    assert_int_equal(ruledir_set_error_count(rs), 0);
    ruledir_set_release(rs);

    assert_string_equal(cmd_of(ruledir_set_at(held, 0)), "a");
    ruledir_set_release(held);
    ruledir_free(rd);
    free(old);
}

/* More events than the inotify queue holds: a full rescan must follow. */
static void
test_queue_overflow(void **state)
{
    struct fx *f = *state;
    struct rule_set *rs;
    struct ruledir *rd;
    char cmd[32], *text;
    long i, max = 16384;

    if ((text = file_slurp("/proc/sys/fs/inotify/max_queued_events", 64,
        NULL, cmd, sizeof(cmd))) != NULL) {
        max = strtol(text, NULL, 10);
        free(text);
    }
    if (max <= 0 || max > 1000000)
        max = 16384;
    write_rule(f, "x.json", "r_x", "x 0000000");
    write_rule(f, "y.json", "r_y", "y 0000000");
    rd = ruledir_new(f->dir);
    ruledir_set_release(get_ok(rd));
    expect_logs(f, "rule_file_loaded:x.json rule_file_loaded:y.json");
    for (i = 1; i <= max; i++) {
        (void)snprintf(cmd, sizeof(cmd), "%c %07ld", i % 2 ? 'x' : 'y', i);
        write_rule(f, i % 2 ? "x.json" : "y.json", i % 2 ? "r_x" : "r_y",
            cmd);
    }
    rs = get_ok(rd);
    (void)snprintf(cmd, sizeof(cmd), "%c %07ld", max % 2 ? 'x' : 'y', max);
    assert_string_equal(cmd_of(ruledir_set_find(rs, max % 2 ? "r_x" : "r_y")),
        cmd);
    (void)snprintf(cmd, sizeof(cmd), "%c %07ld", max % 2 ? 'y' : 'x',
        max - 1);
    assert_string_equal(cmd_of(ruledir_set_find(rs, max % 2 ? "r_y" : "r_x")),
        cmd);
    expect_logs(f, "rule_file_loaded:x.json rule_file_loaded:y.json");
    ruledir_set_release(rs);
    ruledir_free(rd);
}

static void
test_set_outlives_ruledir(void **state)
{
    struct fx *f = *state;
    struct rule_set *rs;
    struct ruledir *rd;

    write_rule(f, "a.json", "r_a", "a");
    rd = ruledir_new(f->dir);
    rs = get_ok(rd);
    ruledir_free(rd);
    assert_string_equal(ruledir_set_at(rs, 0)->name, "r_a");
    assert_non_null(strstr(ruledir_set_at(rs, 0)->json, "\"r_a\""));
    ruledir_set_release(rs);
    ruledir_set_release(NULL);
    expect_logs(f, "rule_file_loaded:a.json");
}

/* Past RULES_MAX files, the rest (in name order) are left out, loudly. */
static void
test_too_many_files(void **state)
{
    struct fx *f = *state;
    const struct rule_file_error *e;
    struct rule_set *rs;
    struct ruledir *rd;
    char name[32], rname[32], want[RULE_ERR_MAX];
    int i;

    for (i = 0; i < RULES_MAX + 2; i++) {
        (void)snprintf(name, sizeof(name), "r%05d.json", i);
        (void)snprintf(rname, sizeof(rname), "r%05d", i);
        write_rule(f, name, rname, "x");
    }
    log_set_level(LOG_ERROR);
    rd = ruledir_new(f->dir);
    rs = get_ok(rd);
    log_set_level(LOG_INFO);
    assert_int_equal(ruledir_set_count(rs), RULES_MAX);
    assert_non_null(ruledir_set_find(rs, "r09999"));
    assert_null(ruledir_set_find(rs, "r10000"));
    assert_int_equal(ruledir_set_error_count(rs), 1);
    e = ruledir_set_error_at(rs, 0);
    assert_string_equal(e->path, f->dir);
    (void)snprintf(want, sizeof(want), "rules_dir %s: more than %d rule "
        "files; ignoring r10000.json and later", f->dir, RULES_MAX);
    assert_string_equal(e->message, want);
    expect_logs(f, "");
    ruledir_set_release(rs);
    ruledir_free(rd);
}

#define READERS 4

struct reader {
    struct ruledir *rd;
    volatile int   *stop;
    long            bad;
};

static void *
reader_main(void *arg)
{
    struct reader *r = arg;
    struct rule_set *rs;
    const struct rule *a;
    char err[RULE_ERR_MAX];

    while (!__atomic_load_n(r->stop, __ATOMIC_ACQUIRE)) {
        if ((rs = ruledir_get(r->rd, err, sizeof(err))) == NULL) {
            r->bad++;
            continue;
        }
        a = ruledir_set_find(rs, "r_a");
        if (a == NULL || strncmp(cmd_of(a), "echo ", 5) != 0)
            r->bad++;
        ruledir_set_release(rs);
    }
    return NULL;
}

static void
test_concurrent_readers(void **state)
{
    struct fx *f = *state;
    struct reader rdr[READERS];
    pthread_t th[READERS];
    volatile int stop = 0;
    struct ruledir *rd;
    char cmd[32];
    int i;

    write_rule(f, "a.json", "r_a", "echo 000");
    rd = ruledir_new(f->dir);
    for (i = 0; i < READERS; i++) {
        rdr[i] = (struct reader){ .rd = rd, .stop = &stop };
        assert_int_equal(pthread_create(&th[i], NULL, reader_main, &rdr[i]),
            0);
    }
    /* Replace a.json atomically: an in-place write could be read half
     * done, and a half-written file rightly holds no rule. */
    for (i = 1; i <= 300; i++) {
        (void)snprintf(cmd, sizeof(cmd), "echo %03d", i);
        write_rule(f, ".a.json.tmp", "r_a", cmd);
        rename_in(f, ".a.json.tmp", "a.json");
        if (i % 3 == 0)
            write_rule(f, "b.json", "r_b", cmd);
        else if (i % 3 == 1 && i > 1)
            remove_in(f, "b.json");
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(rdr[i].bad, 0);
    }
    ruledir_free(rd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_initial_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_edit_delete, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_removed_and_replaced, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_queue_overflow, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_too_many_files, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_set_outlives_ruledir, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_readers, setup,
            teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
