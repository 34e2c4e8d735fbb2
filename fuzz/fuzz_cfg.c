/*
 * Fuzz target: the YAML configuration loader (common/cfg.c, cfg_yaml.c,
 * cfg_common.c) on arbitrary bytes, through cfg_load_string. The table is
 * the classifier's (classifier_conf_fields, with the shared listener,
 * tokens and authentication_list tables from common) plus a "fuzz:"
 * section that holds every field type the daemons use elsewhere:
 * durations, secrets, paths, URLs, string maps without checks, scalar
 * lists and lists of mappings with marks. After loading, the classifier's
 * own steps run (classifier_conf_finish). Checked:
 *  - every error is "path:...error: ..." and fits, and the return value
 *    agrees with the error list;
 *  - a secret (headers, fuzz.secret) never appears in an error, when it
 *    is distinctive enough to tell;
 *  - cfg_auth_find finds each entry of a good config by its own type and
 *    base_url;
 *  - cfg_free leaves the struct all zero, as its contract says.
 * api_key_file entries are pointed at a memfd holding a made-up key, so
 * that the input cannot make the loader read the host's files.
 */
#define _GNU_SOURCE     /* memfd_create, memmem */
#include "alexis_limits.h"
#include "fuzz.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfg.h"
#include "cfg_common.h"
#include "cfg_yaml.h"
#include "classifier_conf.h"
#include "json.h"
#include "xmem.h"

#define CONF_PATH       "/fuzz/alexis.conf.yaml"
#define NEEDLE_LEN      16      /* bytes of a secret looked for in errors */
#define PATTERN_MAX     64

#define FC_OFF(f)   offsetof(struct fuzz_conf, f)
#define FX_OFF(f)   offsetof(struct fuzz_extra, f)
#define FT_OFF(f)   offsetof(struct fuzz_target, f)

struct fuzz_item {
    char               *text;
};

struct fuzz_target {
    char               *name;
    char               *url;
    uint64_t            interval_ms;
    long long           weight;
    bool                on;
    struct cfg_mark     mark;
};

struct fuzz_extra {
    uint64_t            interval_ms;
    uint64_t            timeout_ms;
    char               *secret;
    char               *path;
    char               *url;
    long long           offset;
    struct cfg_strmap   labels;
    struct fuzz_item   *patterns;
    size_t              npatterns;
    struct fuzz_target *targets;
    size_t              ntargets;
};

/* The classifier's configuration, plus the extra section. */
struct fuzz_conf {
    struct classifier_conf  cc;
    struct fuzz_extra       extra;
};

/* Printable ASCII, at most PATTERN_MAX bytes (a check that fails). */
static int
check_pattern(const char *text, char *err, size_t errlen)
{
    const char *p;

    for (p = text; *p != '\0'; p++) {
        if (*p < ' ' || *p > '~') {
            snprintf(err, errlen, "must be printable ASCII");
            return -1;
        }
    }
    if (p - text > PATTERN_MAX) {
        snprintf(err, errlen, "longer than %d bytes", PATTERN_MAX);
        return -1;
    }
    return 0;
}

/* A check on a secret; it must not quote the value. */
static int
check_secret(const char *text, char *err, size_t errlen)
{
    if (strchr(text, ' ') == NULL)
        return 0;
    snprintf(err, errlen, "must not contain a space");
    return -1;
}

static const struct cfg_field item_fields[] = {
    { .key = "", .type = CFG_STR, .offset = offsetof(struct fuzz_item, text),
      .check = check_pattern },
    { .key = NULL },
};

static const struct cfg_field target_fields[] = {
    { .key = "name", .type = CFG_STR, .offset = FT_OFF(name),
      .flags = CFG_REQUIRED },
    { .key = "url", .type = CFG_URL, .offset = FT_OFF(url) },
    { .key = "interval", .type = CFG_DURATION, .offset = FT_OFF(interval_ms),
      .min = 100, .max = 3600000, .def = "10" },
    { .key = "weight", .type = CFG_INT, .offset = FT_OFF(weight),
      .min = 0, .max = 100, .def = "1" },
    { .key = "on", .type = CFG_BOOL, .offset = FT_OFF(on), .def = "yes" },
    { .key = "", .type = CFG_MARK, .offset = FT_OFF(mark) },
    { .key = NULL },
};

static const struct cfg_field extra_fields[] = {
    { .key = "interval", .type = CFG_DURATION, .offset = FX_OFF(interval_ms),
      .min = 100, .max = 600000, .def = "30s" },
    { .key = "timeout", .type = CFG_DURATION, .offset = FX_OFF(timeout_ms),
      .min = 0, .max = 30LL * 24 * 3600 * 1000 },
    { .key = "secret", .type = CFG_SECRET, .offset = FX_OFF(secret),
      .check = check_secret },
    { .key = "path", .type = CFG_PATH, .offset = FX_OFF(path),
      .def = "state.db" },
    { .key = "url", .type = CFG_URL, .offset = FX_OFF(url) },
    { .key = "offset", .type = CFG_INT, .offset = FX_OFF(offset),
      .min = -1000000, .max = 1000000, .def = "-1" },
    { .key = "labels", .type = CFG_STRMAP, .offset = FX_OFF(labels) },
    { .key = "patterns", .type = CFG_LIST, .offset = FX_OFF(patterns),
      .sub = item_fields, .elem_size = sizeof(struct fuzz_item),
      .count_offset = FX_OFF(npatterns), .max = 16 },
    { .key = "targets", .type = CFG_LIST, .offset = FX_OFF(targets),
      .sub = target_fields, .elem_size = sizeof(struct fuzz_target),
      .count_offset = FX_OFF(ntargets), .max = 8 },
    { .key = NULL },
};

static const struct cfg_field root_fields[] = {
    { .key = "version", .type = CFG_IGNORE },
    { .key = "authentication_list", .type = CFG_LIST,
      .offset = FC_OFF(cc.auth), .sub = cfg_common_auth_fields,
      .elem_size = sizeof(struct cfg_auth),
      .count_offset = FC_OFF(cc.nauth) },
    { .key = "classifier", .type = CFG_SECTION, .offset = FC_OFF(cc),
      .sub = classifier_conf_fields, .flags = CFG_REQUIRED },
    { .key = "poller", .type = CFG_IGNORE },
    { .key = "action_handler", .type = CFG_IGNORE },
    { .key = "fuzz", .type = CFG_SECTION, .offset = FC_OFF(extra),
      .sub = extra_fields },
    { .key = NULL },
};

/* A file holding a made-up key, created once and never removed (a memfd
 * goes away with the process). */
static const char *
key_file(void)
{
    static const char key[] = "  fuzz-api-key-0123456789\n";
    static char path[64];
    int fd;

    if (path[0] != '\0')
        return path;
    if ((fd = memfd_create("fuzz-key", MFD_CLOEXEC)) == -1 ||
        write(fd, key, sizeof(key) - 1) != (ssize_t)(sizeof(key) - 1))
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return path;
}

/* Point every api_key_file at the made-up key; one whose name ends in
 * "missing" at a file that does not exist (the error path). */
static void
redirect_key_files(struct fuzz_conf *c)
{
    const char *to;
    size_t i, len;

    for (i = 0; i < c->cc.nauth; i++) {
        if (c->cc.auth[i].api_key_file == NULL)
            continue;
        len = strlen(c->cc.auth[i].api_key_file);
        to = len >= 7 && strcmp(c->cc.auth[i].api_key_file + len - 7,
            "missing") == 0 ? "/nonexistent/fuzz-key" : key_file();
        free(c->cc.auth[i].api_key_file);
        c->cc.auth[i].api_key_file = xstrdup(to);
    }
}

/* How many scalars of the tree contain needle. */
static size_t
scalars_with(const struct node *n, const char *needle)
{
    size_t i, count = 0;

    if (n == NULL)
        return 0;
    if (n->kind == NODE_SCALAR)
        return memmem(n->text, n->len, needle, strlen(needle)) != NULL;
    for (i = 0; i < n->nkids; i++)
        count += scalars_with(n->kids[i], needle);
    return count;
}

/* No error may quote the secret. Looked for: NEEDLE_LEN bytes of its
 * first run of at least that many letters and digits (so that no key
 * path, '.'-joined, can spell them), when only the secret's own scalar
 * holds them. */
static void
check_secret_hidden(const char *secret, const char *text, size_t len,
    const struct cfg_errors *errs)
{
    char needle[NEEDLE_LEN + 1];
    struct cfg_errors *perrs;
    struct node *tree = NULL;
    size_t i, run = 0;

    for (; secret != NULL && *secret != '\0' && run < NEEDLE_LEN; secret++)
        run = isalnum((unsigned char)*secret) ? run + 1 : 0;
    if (run < NEEDLE_LEN)
        return;
    memcpy(needle, secret - NEEDLE_LEN, NEEDLE_LEN);
    needle[NEEDLE_LEN] = '\0';
    perrs = xcalloc(1, sizeof(*perrs));
    if (cfg_yaml_parse(text, len, CONF_PATH, perrs, &tree) == 0 &&
        scalars_with(tree, needle) == 1) {
        for (i = 0; i < errs->n; i++)
            FUZZ_CHECK(strstr(errs->msgs[i], needle) == NULL);
    }
    cfg_yaml_node_free(tree);
    free(perrs);
}

static void
check_errors(const struct cfg_errors *errs)
{
    static FILE *devnull;
    size_t i, plen = strlen(CONF_PATH);

    FUZZ_CHECK(errs->n <= CFG_MAX_ERRORS);
    FUZZ_CHECK(errs->dropped == 0 || errs->n == CFG_MAX_ERRORS);
    for (i = 0; i < errs->n; i++) {
        FUZZ_CHECK(memchr(errs->msgs[i], '\0', ALEXIS_ERR_MAX) != NULL);
        FUZZ_CHECK(strncmp(errs->msgs[i], CONF_PATH, plen) == 0);
        FUZZ_CHECK(errs->msgs[i][plen] == ':');
        /* A long path or key may cut the message before "error:". */
        FUZZ_CHECK(strstr(errs->msgs[i], ": error: ") != NULL ||
            strlen(errs->msgs[i]) == ALEXIS_ERR_MAX - 1);
    }
    if (devnull == NULL) {
        if ((devnull = fopen("/dev/null", "w")) == NULL)
            abort();
    }
    cfg_error_print(errs, devnull);
}

/* In a good config, each entry is found by its own type and base_url. */
static void
check_auth_find(const struct fuzz_conf *c)
{
    const struct cfg_auth *a, *found;
    size_t i;

    for (i = 0; i < c->cc.nauth; i++) {
        a = &c->cc.auth[i];
        FUZZ_CHECK(a->nheader_lines > 0);
        found = cfg_auth_find(c->cc.auth, c->cc.nauth, a->type, a->base_url);
        FUZZ_CHECK(found != NULL && found <= a);
        FUZZ_CHECK(strcmp(found->type, a->type) == 0);
        if (a->base_url != NULL)
            FUZZ_CHECK(found->base_url != NULL);
    }
    (void)cfg_auth_find(c->cc.auth, c->cc.nauth, "opsgenie", NULL);
    (void)cfg_auth_find(c->cc.auth, c->cc.nauth, "dynatrace",
        "http://127.0.0.1:8090/");
    (void)cfg_strmap_get(&c->cc.destinations, "linux");
}

static bool
all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        if (b[i] != 0)
            return false;
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct cfg_errors *errs = xcalloc(1, sizeof(*errs));
    struct fuzz_conf *c = xcalloc(1, sizeof(*c));
    size_t i;
    int rc;

    /* The daemons' allocator for cJSON (auth headers are JSON). */
    json_init();
    c->cc.listener.port = 8083;
    rc = cfg_load_string(text, size, CONF_PATH, root_fields, c, errs);
    FUZZ_CHECK((rc == 0) == (errs->n == 0 && errs->dropped == 0));
    /* classifier_conf_load's steps after cfg_load, key files made up. */
    redirect_key_files(c);
    rc = classifier_conf_finish(&c->cc, CONF_PATH, rc, errs);
    check_errors(errs);
    for (i = 0; i < c->cc.nauth; i++)
        check_secret_hidden(c->cc.auth[i].headers, text, size, errs);
    check_secret_hidden(c->extra.secret, text, size, errs);
    if (rc == 0 && errs->n == 0)
        check_auth_find(c);
    cfg_auth_cleanup(c->cc.auth, c->cc.nauth);
    cfg_free(root_fields, c);
    FUZZ_CHECK(all_zero(c, sizeof(*c)));
    free(c);
    free(errs);
    return 0;
}
