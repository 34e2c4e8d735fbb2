/*
 * The rules directory as an immutable, refcounted snapshot (struct
 * rule_set) that ruledir_get brings up to date cheaply. inotify events mark
 * files dirty (or ask for a full rescan when the queue overflowed or the
 * directory itself went away); a rescan lists the directory, reuses rules
 * whose file is clean and has the same identity, and parses the rest. A
 * stat-validation rescan also runs at least once a second, and on every
 * call when inotify is unavailable. Changes are logged once, by comparing
 * the new snapshot with the old one.
 */
#include "ruledir.h"

#include <sys/stat.h>
#include <sys/types.h>
#if HAVE_INOTIFY
#include <sys/inotify.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alexis_limits.h"
#include "clock.h"
#include "file.h"
#include "log.h"
#include "path.h"
#include "rule_index.h"
#include "rules.h"
#include "str.h"
#include "xmem.h"

#define RULEDIR_REVALIDATE_MS   1000    /* stat-validation rescan period */

#if HAVE_INOTIFY
#define RULEDIR_WATCH_MASK  (IN_CREATE | IN_DELETE | IN_MODIFY | \
    IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | \
    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#endif

/* One candidate file of a snapshot, in file-name order. */
struct rule_file {
    char           *name;       /* name inside the directory */
    char           *path;       /* dir/name, as in messages */
    struct file_id  id;         /* identity at the time it was read */
    struct rule    *rule;       /* NULL when the file failed to load */
    char           *error;      /* why it failed, or NULL */
    char           *dup_error;  /* rule_name already taken, or NULL */
};

struct rule_set {
    int                     refs;
    struct rule_file       *files;
    size_t                  nfiles;
    const struct rule     **rules;      /* in use, file-name order */
    const struct rule     **by_name;    /* the same, sorted by name */
    size_t                  nrules;
    struct rule_file_error *errors;
    size_t                  nerrors;
    struct rule_index      *index;      /* of rules */
};

struct ruledir {
    char               *dir;
    pthread_mutex_t     mu;
    int                 ifd;        /* inotify instance, -1 without */
    int                 wd;         /* watch on dir, -1 without */
    struct rule_set    *cur;        /* NULL until loaded or when missing */
    uint64_t            last_scan_ms;
    bool                pending;    /* an event arrived since the scan */
    bool                full;       /* re-parse every file */
    bool                unreadable; /* rules_dir_unreadable was logged */
    char              **dirty;      /* names that changed, unsorted */
    size_t              ndirty;
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool
same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool
is_rule_file_name(const char *name)
{
    return name[0] != '.' && str_has_suffix(name, ".json");
}

static void
set_free(struct rule_set *rs)
{
    size_t i;

    for (i = 0; i < rs->nfiles; i++) {
        free(rs->files[i].name);
        free(rs->files[i].path);
        free(rs->files[i].error);
        free(rs->files[i].dup_error);
        rules_unref(rs->files[i].rule);
    }
    for (i = 0; i < rs->nerrors; i++) {
        free(rs->errors[i].path);
        free(rs->errors[i].message);
    }
    free(rs->files);
    free(rs->rules);
    free(rs->by_name);
    free(rs->errors);
    rule_index_free(rs->index);
    free(rs);
}

void
ruledir_set_release(struct rule_set *rs)
{
    if (rs == NULL)
        return;
    if (__atomic_sub_fetch(&rs->refs, 1, __ATOMIC_ACQ_REL) == 0)
        set_free(rs);
}

static struct rule_set *
set_ref(struct rule_set *rs)
{
    (void)__atomic_add_fetch(&rs->refs, 1, __ATOMIC_RELAXED);
    return rs;
}

size_t
ruledir_set_count(const struct rule_set *rs)
{
    return rs->nrules;
}

const struct rule *
ruledir_set_at(const struct rule_set *rs, size_t i)
{
    return i < rs->nrules ? rs->rules[i] : NULL;
}

const struct rule_index *
ruledir_set_index(const struct rule_set *rs)
{
    return rs->index;
}

static int
cmp_name_rule(const void *key, const void *elem)
{
    const struct rule *r = *(const struct rule *const *)elem;

    return strcmp(key, r->name);
}

const struct rule *
ruledir_set_find(const struct rule_set *rs, const char *name)
{
    const struct rule *const *p;

    if (rs->nrules == 0)
        return NULL;
    p = bsearch(name, rs->by_name, rs->nrules, sizeof(*rs->by_name),
        cmp_name_rule);
    return p == NULL ? NULL : *p;
}

size_t
ruledir_set_error_count(const struct rule_set *rs)
{
    return rs->nerrors;
}

const struct rule_file_error *
ruledir_set_error_at(const struct rule_set *rs, size_t i)
{
    return i < rs->nerrors ? &rs->errors[i] : NULL;
}

/* The file called name in rs (files are in name order), or NULL. */
static const struct rule_file *
set_file(const struct rule_set *rs, const char *name)
{
    size_t lo = 0, hi, mid;
    int c;

    if (rs == NULL)
        return NULL;
    hi = rs->nfiles;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if ((c = strcmp(name, rs->files[mid].name)) == 0)
            return &rs->files[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static bool
is_dirty(const struct ruledir *rd, const char *name)
{
    return rd->ndirty > 0 && bsearch(&name, rd->dirty, rd->ndirty,
        sizeof(*rd->dirty), cmp_str) != NULL;
}

static void
clear_dirty(struct ruledir *rd)
{
    size_t i;

    for (i = 0; i < rd->ndirty; i++)
        free(rd->dirty[i]);
    free(rd->dirty);
    rd->dirty = NULL;
    rd->ndirty = 0;
}

#if HAVE_INOTIFY
static void
mark_dirty(struct ruledir *rd, const char *name)
{
    if (!is_rule_file_name(name))
        return;
    /* Past this many, re-reading everything is as cheap as tracking. */
    if (rd->full || rd->ndirty >= RULES_MAX) {
        rd->full = true;
        return;
    }
    rd->dirty = xreallocarray(rd->dirty, rd->ndirty + 1,
        sizeof(*rd->dirty));
    rd->dirty[rd->ndirty++] = xstrdup(name);
}
#endif

/*
 * Fill f for the regular file name with identity st: reuse the current
 * snapshot's result when the file is clean and unchanged, else parse it.
 * st was taken before the read, so a change during the read shows up as a
 * different identity (or an event) next time.
 */
static void
file_load(struct ruledir *rd, struct rule_file *f, const char *name,
    const struct stat *st)
{
    const struct rule_file *old;
    char err[RULE_ERR_MAX];

    f->name = xstrdup(name);
    f->path = path_join(rd->dir, name);
    file_id_from_stat(&f->id, st);
    old = set_file(rd->cur, name);
    if (old != NULL && !rd->full && !is_dirty(rd, name) &&
        file_id_same(&old->id, &f->id)) {
        f->rule = rules_ref(old->rule);
        f->error = old->error == NULL ? NULL : xstrdup(old->error);
        return;
    }
    err[0] = '\0';
    if ((f->rule = rules_load_file(f->path, err, sizeof(err))) == NULL)
        f->error = xstrdup(err);
}

static int
cmp_file_by_rule(const void *a, const void *b)
{
    const struct rule_file *fa = *(const struct rule_file *const *)a;
    const struct rule_file *fb = *(const struct rule_file *const *)b;
    int c;

    if ((c = strcmp(fa->rule->name, fb->rule->name)) != 0)
        return c;
    /* Files sit in name order in one array: earlier file first. */
    return fa < fb ? -1 : fa > fb;
}

/*
 * Mark files whose rule_name an earlier file (in name order) already
 * uses, and fill the in-use lists: rules in file order, by_name sorted.
 */
static void
set_index(struct rule_set *rs)
{
    char msg[RULE_ERR_MAX];
    struct rule_file **v;
    size_t i, n = 0, k = 0;

    v = xcalloc(rs->nfiles + 1, sizeof(*v));
    for (i = 0; i < rs->nfiles; i++) {
        if (rs->files[i].rule != NULL)
            v[n++] = &rs->files[i];
    }
    qsort(v, n, sizeof(*v), cmp_file_by_rule);
    rs->by_name = xcalloc(n + 1, sizeof(*rs->by_name));
    for (i = 0; i < n; i++) {
        if (k > 0 && strcmp(rs->by_name[k - 1]->name, v[i]->rule->name) ==
            0) {
            (void)snprintf(msg, sizeof(msg), "%s:%d:%d: error: rule "
                "\"%s\": duplicate rule_name, already defined in %s",
                v[i]->path, v[i]->rule->name_line, v[i]->rule->name_col,
                v[i]->rule->name, rs->by_name[k - 1]->path);
            v[i]->dup_error = xstrdup(msg);
            continue;
        }
        rs->by_name[k++] = v[i]->rule;
    }
    rs->nrules = k;
    rs->rules = xcalloc(k + 1, sizeof(*rs->rules));
    for (i = 0, k = 0; i < rs->nfiles; i++) {
        if (rs->files[i].rule != NULL && rs->files[i].dup_error == NULL)
            rs->rules[k++] = rs->files[i].rule;
    }
    rs->index = rule_index_build(rs->rules, k);
    free(v);
}

static void
set_add_error(struct rule_set *rs, const char *path, const char *msg)
{
    rs->errors = xreallocarray(rs->errors, rs->nerrors + 1,
        sizeof(*rs->errors));
    rs->errors[rs->nerrors].path = xstrdup(path);
    rs->errors[rs->nerrors].message = xstrdup(msg);
    rs->nerrors++;
}

/* Why the file is not in use, or NULL when it is. */
static const char *
file_problem(const struct rule_file *f)
{
    return f->error != NULL ? f->error : f->dup_error;
}

/*
 * Build a snapshot from the sorted candidate names. Entries that are not
 * regular files (after following symlinks) or vanished are skipped.
 */
static struct rule_set *
set_build(struct ruledir *rd, int dfd, char **names, size_t nnames)
{
    struct rule_set *rs = xcalloc(1, sizeof(*rs));
    char msg[RULE_ERR_MAX];
    struct stat st;
    size_t i, next;

    rs->refs = 1;
    rs->files = xcalloc(nnames < RULES_MAX ? nnames + 1 : RULES_MAX,
        sizeof(*rs->files));
    for (next = 0; next < nnames && rs->nfiles < RULES_MAX; next++) {
        if (fstatat(dfd, names[next], &st, 0) == -1 ||
            !S_ISREG(st.st_mode))
            continue;
        file_load(rd, &rs->files[rs->nfiles++], names[next], &st);
    }
    set_index(rs);
    for (i = 0; i < rs->nfiles; i++) {
        if (file_problem(&rs->files[i]) != NULL) {
            set_add_error(rs, rs->files[i].path,
                file_problem(&rs->files[i]));
        }
    }
    if (next < nnames) {
        (void)snprintf(msg, sizeof(msg), "rules_dir %s: more than %d rule "
            "files; ignoring %s and later", rd->dir, RULES_MAX, names[next]);
        set_add_error(rs, rd->dir, msg);
    }
    return rs;
}

/* True when a snapshot holds the same files, states and identities. */
static bool
set_same(const struct rule_set *a, const struct rule_set *b)
{
    size_t i;

    if (a == NULL || a->nfiles != b->nfiles || a->nerrors != b->nerrors)
        return false;
    for (i = 0; i < a->nfiles; i++) {
        if (strcmp(a->files[i].name, b->files[i].name) != 0 ||
            a->files[i].rule != b->files[i].rule ||
            !file_id_same(&a->files[i].id, &b->files[i].id) ||
            !same_str(a->files[i].error, b->files[i].error) ||
            !same_str(a->files[i].dup_error, b->files[i].dup_error))
            return false;
    }
    return true;
}

static void
log_file(const struct rule_file *f, const struct rule_file *old)
{
    const char *problem = file_problem(f);

    if (old != NULL && same_str(problem, file_problem(old))) {
        if (problem != NULL || f->rule == old->rule ||
            strcmp(f->rule->json, old->rule->json) == 0)
            return;
    }
    if (problem != NULL) {
        log_event(LOG_ERROR, "rule_file_rejected", KV_STR("file", f->path),
            KV_ERR(problem));
    } else {
        log_event(LOG_INFO, "rule_file_loaded", KV_STR("file", f->path),
            KV_STR("rule_name", f->rule->name),
            KV_BOOL("enabled", f->rule->enabled));
    }
}

/* Log what differs between two snapshots (old may be NULL). */
static void
log_changes(const struct rule_set *old, const struct rule_set *cur)
{
    size_t i;

    for (i = 0; i < cur->nfiles; i++)
        log_file(&cur->files[i], set_file(old, cur->files[i].name));
    for (i = 0; old != NULL && i < old->nfiles; i++) {
        if (set_file(cur, old->files[i].name) == NULL) {
            log_event(LOG_INFO, "rule_file_removed",
                KV_STR("file", old->files[i].path));
        }
    }
}

/* Candidate names in d, sorted. -1 with errno set on a read error. */
static int
list_names(DIR *d, char ***namesp, size_t *np)
{
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;

    for (;;) {
        errno = 0;
        if ((de = readdir(d)) == NULL)
            break;
        if (!is_rule_file_name(de->d_name))
            continue;
        names = xreallocarray(names, n + 1, sizeof(*names));
        names[n++] = xstrdup(de->d_name);
    }
    if (errno != 0) {
        while (n > 0)
            free(names[--n]);
        free(names);
        return -1;
    }
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_str);
    *namesp = names;
    *np = n;
    return 0;
}

/* The directory cannot be read: drop the snapshot, log once per outage. */
static void
dir_failed(struct ruledir *rd, int errnum, char *err, size_t errlen)
{
    (void)snprintf(err, errlen, "rules_dir %s: %s", rd->dir,
        strerror(errnum));
    ruledir_set_release(rd->cur);
    rd->cur = NULL;
    if (!rd->unreadable) {
        log_event(LOG_ERROR, "rules_dir_unreadable",
            KV_STR("rules_dir", rd->dir), KV_ERR(err));
        rd->unreadable = true;
    }
}

static void
rescan(struct ruledir *rd, char *err, size_t errlen)
{
    struct rule_set *rs;
    char **names = NULL;
    size_t n = 0;
    DIR *d = NULL;

    rd->last_scan_ms = clock_mono_ms();
    if ((d = opendir(rd->dir)) == NULL) {
        dir_failed(rd, errno, err, errlen);
        goto out;
    }
    if (list_names(d, &names, &n) == -1) {
        dir_failed(rd, errno, err, errlen);
        goto out;
    }
    if (rd->ndirty > 1)
        qsort(rd->dirty, rd->ndirty, sizeof(*rd->dirty), cmp_str);
    rs = set_build(rd, dirfd(d), names, n);
    rd->unreadable = false;
    if (set_same(rd->cur, rs)) {
        ruledir_set_release(rs);
        goto out;
    }
    log_changes(rd->cur, rs);
    ruledir_set_release(rd->cur);
    rd->cur = rs;
out:
    while (n > 0)
        free(names[--n]);
    free(names);
    if (d != NULL)
        closedir(d);
    clear_dirty(rd);
    rd->pending = false;
    rd->full = false;
}

#if HAVE_INOTIFY
static void
handle_event(struct ruledir *rd, const struct inotify_event *ev)
{
    rd->pending = true;
    if (ev->mask & IN_Q_OVERFLOW) {
        rd->full = true;
        return;
    }
    if (ev->wd != rd->wd)
        return;     /* left over from a watch already dropped */
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        /* The path may name another directory now: watch it afresh. */
        (void)inotify_rm_watch(rd->ifd, rd->wd);
        rd->wd = -1;
        rd->full = true;
        return;
    }
    if (ev->len > 0)
        mark_dirty(rd, ev->name);
}

/* Read every queued event without blocking. */
static void
drain_events(struct ruledir *rd)
{
    union {
        struct inotify_event    ev;
        char                    b[16384];
    } u;
    const struct inotify_event *ev;
    ssize_t n;
    size_t off;

    for (;;) {
        n = read(rd->ifd, u.b, sizeof(u.b));
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (off = 0; off + sizeof(*ev) <= (size_t)n;
            off += sizeof(*ev) + ev->len) {
            ev = (const struct inotify_event *)(const void *)(u.b + off);
            handle_event(rd, ev);
        }
    }
    if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
        /* Broken instance: rely on stat validation from now on. */
        (void)close(rd->ifd);
        rd->ifd = -1;
        rd->wd = -1;
    }
}

static void
watch_add(struct ruledir *rd)
{
    rd->wd = inotify_add_watch(rd->ifd, rd->dir, RULEDIR_WATCH_MASK);
    /* Events between losing and regaining the watch are lost. */
    if (rd->wd != -1)
        rd->full = true;
}
#endif

struct ruledir *
ruledir_new(const char *dir)
{
    struct ruledir *rd = xcalloc(1, sizeof(*rd));

    rd->dir = xstrdup(dir);
    if (pthread_mutex_init(&rd->mu, NULL) != 0)
        abort();
    rd->ifd = -1;
    rd->wd = -1;
#if HAVE_INOTIFY
    rd->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#endif
    return rd;
}

void
ruledir_free(struct ruledir *rd)
{
    if (rd == NULL)
        return;
    if (rd->ifd != -1)
        (void)close(rd->ifd);
    ruledir_set_release(rd->cur);
    clear_dirty(rd);
    (void)pthread_mutex_destroy(&rd->mu);
    free(rd->dir);
    free(rd);
}

static bool
needs_rescan(const struct ruledir *rd)
{
    return rd->cur == NULL || rd->pending || rd->wd == -1 ||
        clock_mono_ms() - rd->last_scan_ms >= RULEDIR_REVALIDATE_MS;
}

struct rule_set *
ruledir_get(struct ruledir *rd, char *err, size_t errlen)
{
    struct rule_set *rs = NULL;

    if (pthread_mutex_lock(&rd->mu) != 0)
        abort();
#if HAVE_INOTIFY
    if (rd->ifd != -1)
        drain_events(rd);
    if (rd->ifd != -1 && rd->wd == -1)
        watch_add(rd);
#endif
    if (needs_rescan(rd))
        rescan(rd, err, errlen);
    if (rd->cur != NULL)
        rs = set_ref(rd->cur);
    (void)pthread_mutex_unlock(&rd->mu);
    return rs;
}
