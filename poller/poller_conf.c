/*
 * Field tables of the poller's configuration (see conf.h), and the checks
 * that need more than one key: URL spellings, placeholders, the feed's
 * authentication entry and classifier, and the Dynatrace API version.
 * Defaults and bounds live here, next to their keys; ceilings come from
 * alexis_limits.h.
 */
#include "poller_conf.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "cfg_common.h"
#include "compat.h"
#include "leader.h"
#include "str.h"
#include "ticketsys.h"
#include "url.h"
#include "xmem.h"

#define PC_OFF(f) offsetof(struct poller_conf, f)
#define PF_OFF(f) offsetof(struct poller_feed, f)

static int
check_lookback_unit(const char *text, char *err, size_t errlen)
{
    if (strcmp(text, "s") == 0 || strcmp(text, "m") == 0 ||
        strcmp(text, "h") == 0)
        return 0;
    snprintf(err, errlen, "expected s, m or h");
    return -1;
}

/* Tags go into the search query inside double quotes. */
static int
check_tag(const char *text, char *err, size_t errlen)
{
    if (cfg_common_text_plain(text, "\"\\"))
        return 0;
    snprintf(err, errlen, "expected a tag (no quotes, backslashes or "
        "control characters)");
    return -1;
}

static const struct cfg_field tag_fields[] = {
    { .key = "", .type = CFG_STR, .offset = offsetof(struct poller_tag, text),
      .check = check_tag },
    { .key = NULL },
};

/* The tags a jsm feed leaves out unless it names its own: the original
 * queue names the classifier marks with. */
static const char *const default_skip_tags[] = {
    "queue_autoremediation", "queue_needsinvestigation",
};

static const struct cfg_field feed_fields[] = {
    { .key = "name", .type = CFG_STR, .offset = PF_OFF(name),
      .flags = CFG_REQUIRED },
    { .key = "authentication", .type = CFG_STR,
      .offset = PF_OFF(authentication), .flags = CFG_REQUIRED },
    { .key = "description", .type = CFG_STR, .offset = PF_OFF(description) },
    { .key = "type", .type = CFG_STR, .offset = PF_OFF(type),
      .flags = CFG_REQUIRED, .check = ticketsys_check_type },
    { .key = "base_url", .type = CFG_URL, .offset = PF_OFF(base_url) },
    { .key = "lookback", .type = CFG_INT, .offset = PF_OFF(lookback),
      .min = 1, .max = POLLER_LOOKBACK_MAX_S },
    { .key = "lookback_unit", .type = CFG_STR, .offset = PF_OFF(lookback_unit),
      .def = "s", .check = check_lookback_unit },
    { .key = "feed_url", .type = CFG_STR, .offset = PF_OFF(feed_url) },
    { .key = "url", .type = CFG_STR, .offset = PF_OFF(url) },
    { .key = "individual_url", .type = CFG_STR,
      .offset = PF_OFF(individual_url) },
    { .key = "url_individual", .type = CFG_STR,
      .offset = PF_OFF(url_individual) },
    { .key = "query", .type = CFG_STR, .offset = PF_OFF(query) },
    { .key = "skip_tags", .type = CFG_LIST, .offset = PF_OFF(skip_tags),
      .sub = tag_fields, .elem_size = sizeof(struct poller_tag),
      .count_offset = PF_OFF(nskip_tags), .max = JSM_SKIP_TAGS_MAX },
    { .key = "webhook_secret_file", .type = CFG_PATH,
      .offset = PF_OFF(webhook_secret_file) },
    { .key = "", .type = CFG_MARK, .offset = PF_OFF(mark) },
    { .key = NULL },
};

static const struct cfg_field poller_fields[] = {
    { .key = "classifier_destinations", .type = CFG_STRMAP,
      .offset = PC_OFF(destinations), .flags = CFG_REQUIRED,
      .check = url_check },
    { .key = "ca_file", .type = CFG_PATH, .offset = PC_OFF(ca_file) },
    { .key = "loop_interval", .type = CFG_DURATION,
      .offset = PC_OFF(loop_interval_ms), .min = POLLER_INTERVAL_MIN_MS,
      .max = POLLER_INTERVAL_MAX_MS, .def = "10" },
    { .key = "single_execution", .type = CFG_BOOL,
      .offset = PC_OFF(single_execution), .def = "false" },
    { .key = "debug", .type = CFG_BOOL, .offset = PC_OFF(debug),
      .def = "false" },
    { .key = "development", .type = CFG_BOOL, .offset = PC_OFF(development),
      .def = "false" },
    { .key = "leader_store", .type = CFG_STR,
      .offset = PC_OFF(leader_store), .check = leader_check_uri },
    { .key = "leader_store_password_file", .type = CFG_PATH,
      .offset = PC_OFF(leader_store_password_file) },
    { .key = "feed_list", .type = CFG_LIST, .offset = PC_OFF(feeds),
      .sub = feed_fields, .elem_size = sizeof(struct poller_feed),
      .count_offset = PC_OFF(nfeeds), .max = POLLER_FEEDS_MAX,
      .flags = CFG_REQUIRED },
    { .key = "tokens", .type = CFG_SECTION, .offset = PC_OFF(tokens),
      .sub = cfg_common_tokens_fields, .flags = CFG_REQUIRED },
    { .key = "listener", .type = CFG_SECTION, .offset = PC_OFF(listener),
      .sub = cfg_common_listener_fields },
    { .key = "dedup_window", .type = CFG_DURATION,
      .offset = PC_OFF(dedup_window_ms), .min = RECENT_WINDOW_MIN_MS,
      .max = RECENT_WINDOW_MAX_MS, .def = "15m" },
    { .key = "concurrency", .type = CFG_INT, .offset = PC_OFF(concurrency),
      .min = 1, .max = POLLER_CONCURRENCY_MAX,
      .def = XSTR(POLLER_CONCURRENCY_DEFAULT) },
    { .key = "page_size", .type = CFG_INT, .offset = PC_OFF(page_size),
      .min = 1, .max = OG_PAGE_SIZE_MAX, .def = XSTR(OG_PAGE_SIZE_DEFAULT) },
    { .key = "max_pages", .type = CFG_INT, .offset = PC_OFF(max_pages),
      .min = 1, .max = POLLER_MAX_PAGES_MAX,
      .def = XSTR(POLLER_MAX_PAGES_DEFAULT) },
    { .key = "max_retries", .type = CFG_INT, .offset = PC_OFF(max_retries),
      .min = 0, .max = POLLER_RETRIES_MAX,
      .def = XSTR(POLLER_RETRIES_DEFAULT) },
    { .key = "max_response_bytes", .type = CFG_INT,
      .offset = PC_OFF(max_response_bytes), .min = POLLER_RESPONSE_MIN,
      .max = POLLER_RESPONSE_MAX, .def = "16777216" },
    { .key = "list_rate_limit", .type = CFG_INT,
      .offset = PC_OFF(list_rate_limit), .min = 0, .max = POLLER_RATE_MAX,
      .def = "0" },
    { .key = "item_rate_limit", .type = CFG_INT,
      .offset = PC_OFF(item_rate_limit), .min = 0, .max = POLLER_RATE_MAX,
      .def = "0" },
    { .key = "connect_timeout", .type = CFG_DURATION,
      .offset = PC_OFF(connect_timeout_ms), .min = HTTP_TIMEOUT_MIN_MS,
      .max = POLLER_CONNECT_TIMEOUT_MAX_MS,
      .def = "3s" },
    { .key = "request_timeout", .type = CFG_DURATION,
      .offset = PC_OFF(request_timeout_ms), .min = HTTP_TIMEOUT_MIN_MS,
      .max = POLLER_REQUEST_TIMEOUT_MAX_MS,
      .def = "30s" },
    { .key = NULL },
};

static const struct cfg_field root_fields[] = {
    { .key = "version", .type = CFG_IGNORE },
    { .key = "authentication_list", .type = CFG_LIST, .offset = PC_OFF(auth),
      .sub = cfg_common_auth_fields, .elem_size = sizeof(struct cfg_auth),
      .count_offset = PC_OFF(nauth) },
    { .key = "poller", .type = CFG_SECTION, .offset = 0,
      .sub = poller_fields, .flags = CFG_REQUIRED },
    { .key = "classifier", .type = CFG_IGNORE },
    { .key = "action_handler", .type = CFG_IGNORE },
    { .key = NULL },
};

const char *
poller_conf_feed_api(const struct poller_feed *f)
{
    return f->sys != NULL ? f->sys->name : f->type;
}

/* The first "$name" in tmpl that is not one of the allowed placeholders,
 * copied into bad; 0 when all are known. */
static int
unknown_placeholder(const char *tmpl, const char *const *allowed,
    char *bad, size_t badlen)
{
    const char *p, *q;
    size_t i, n;

    for (p = strchr(tmpl, '$'); p != NULL; p = strchr(p + 1, '$')) {
        for (q = p + 1; isalnum((unsigned char)*q) || *q == '_'; q++)
            continue;
        n = (size_t)(q - p);
        for (i = 0; allowed[i] != NULL; i++) {
            if (strlen(allowed[i]) == n && memcmp(allowed[i], p, n) == 0)
                break;
        }
        if (allowed[i] == NULL) {
            snprintf(bad, badlen, "%.*s", (int)(n < 64 ? n : 64), p);
            return -1;
        }
    }
    return 0;
}

static const char *const list_vars[] = { "$base_url", "$lookback", NULL };
static const char *const item_vars[] = {
    "$base_url", "$lookback", "$uniqueid", "$tinyid", NULL,
};

/* A feed whose module builds its own URLs (JSM): query and skip_tags
 * instead of URL templates. */
static void
resolve_query(struct poller_feed *f, const char *path, struct cfg_errors *e)
{
    size_t i;

    if (f->feed_url != NULL || f->url != NULL || f->individual_url != NULL ||
        f->url_individual != NULL)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": a %s feed takes "
            "query and skip_tags, not feed_url or individual_url", f->name,
            f->type);
    if (f->nskip_tags > 0) {
        f->skip_list = xcalloc(f->nskip_tags, sizeof(*f->skip_list));
        for (i = 0; i < f->nskip_tags; i++)
            f->skip_list[i] = f->skip_tags[i].text;
    }
}

/* Choose between the original's two spellings of each URL key. */
static void
resolve_urls(struct poller_feed *f, const char *path, struct cfg_errors *e)
{
    const struct ticketsys *sys = ticketsys_find(f->type);
    char bad[80];

    if (sys != NULL && sys->builds_urls) {
        f->sys = sys;
        resolve_query(f, path, e);
        return;
    }
    if (f->query != NULL || f->nskip_tags > 0)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": query and "
            "skip_tags are for feeds of a type that builds its own URLs "
            "(jsm)", f->name);
    if (f->feed_url != NULL && f->url != NULL)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": set feed_url or url, "
            "not both", f->name);
    if (f->individual_url != NULL && f->url_individual != NULL)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": set individual_url "
            "or url_individual, not both", f->name);
    f->list_tmpl = f->feed_url != NULL ? f->feed_url : f->url;
    if (f->list_tmpl == NULL) {
        cfg_error_add(e, path, &f->mark, "feed \"%s\": feed_url (or url) "
            "is required", f->name);
        return;
    }
    if ((f->sys = ticketsys_for_url(f->type, f->list_tmpl)) == NULL &&
        sys != NULL) {
        char paths[160];

        cfg_error_add(e, path, &f->mark, "feed \"%s\": a %s feed_url must "
            "use %s", f->name, f->type, ticketsys_url_paths(f->type, paths,
            sizeof(paths)));
    }
    f->item_tmpl = f->individual_url != NULL ? f->individual_url :
        f->url_individual;
    /* Without a module the feed has its error already; a stand-in keeps
     * the checks below about the operator's own URLs. */
    if (f->item_tmpl == NULL)
        f->item_tmpl = f->sys != NULL ? f->sys->default_item_url :
            "$base_url/$uniqueid";
    if (unknown_placeholder(f->list_tmpl, list_vars, bad, sizeof(bad)) == -1)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": feed_url: unknown "
            "placeholder \"%s\"", f->name, bad);
    if (unknown_placeholder(f->item_tmpl, item_vars, bad, sizeof(bad)) == -1)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": individual_url: "
            "unknown placeholder \"%s\"", f->name, bad);
    if (strstr(f->item_tmpl, "$uniqueid") == NULL &&
        strstr(f->item_tmpl, "$tinyid") == NULL)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": individual_url must "
            "contain $uniqueid (or $tinyid)", f->name);
}

static uint64_t
unit_ms(const char *unit)
{
    if (strcmp(unit, "h") == 0)
        return 3600000;
    if (strcmp(unit, "m") == 0)
        return 60000;
    return 1000;
}

/* The authentication entry a feed names; it must be of the feed's type. */
static void
resolve_auth(struct poller_conf *c, struct poller_feed *f, const char *path,
    struct cfg_errors *e)
{
    size_t i;

    for (i = 0; i < c->nauth; i++) {
        if (c->auth[i].name != NULL &&
            strcmp(c->auth[i].name, f->authentication) == 0)
            break;
    }
    if (i == c->nauth) {
        cfg_error_add(e, path, &f->mark, "feed \"%s\": authentication "
            "\"%s\" is not in authentication_list", f->name,
            f->authentication);
        return;
    }
    if (c->auth[i].type == NULL || !str_eq_nocase(c->auth[i].type, f->type)) {
        cfg_error_add(e, path, &f->mark, "feed \"%s\": authentication "
            "\"%s\" is of type %s, the feed of type %s", f->name,
            f->authentication, c->auth[i].type != NULL ? c->auth[i].type :
            "(none)", f->type);
        return;
    }
    f->auth = &c->auth[i];
}

/* base_url: the feed's, else its authentication entry's. When both are set
 * they must agree, or the classifier (which trusts only its own
 * authentication_list base_urls) could not mark the tickets. */
static void
resolve_base_url(struct poller_feed *f, const char *path,
    struct cfg_errors *e)
{
    const char *ab = f->auth != NULL ? f->auth->base_url : NULL;
    size_t la, lf;

    if (f->base_url == NULL) {
        /* Without its entry the feed already has an error of its own. */
        if (ab == NULL && f->auth != NULL) {
            cfg_error_add(e, path, &f->mark, "feed \"%s\": base_url is "
                "required (here or in its authentication entry)", f->name);
            return;
        }
        if (ab != NULL)
            f->base_url = xstrdup(ab);
        return;
    }
    if (ab == NULL)
        return;
    la = strlen(ab);
    lf = strlen(f->base_url);
    if (la > 0 && ab[la - 1] == '/')
        la--;
    if (la != lf || memcmp(ab, f->base_url, lf) != 0)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": base_url %s differs "
            "from authentication \"%s\" base_url %s", f->name, f->base_url,
            f->auth->name, ab);
}

/* webhook_secret_file: read now (before any privilege drop, like the API
 * keys); a secret too short to resist guessing is refused. */
static void
resolve_webhook_secret(struct poller_feed *f, const char *path,
    struct cfg_errors *e)
{
    char err[ALEXIS_ERR_MAX];

    if (f->webhook_secret_file == NULL)
        return;
    if ((f->webhook_secret = cfg_common_secret_file_read(f->webhook_secret_file,
        WEBHOOK_SECRET_FILE_MAX, err, sizeof(err))) == NULL) {
        cfg_error_add(e, path, &f->mark, "feed \"%s\": webhook_secret_file "
            "%s", f->name, err);
        return;
    }
    if (strlen(f->webhook_secret) < WEBHOOK_SECRET_MIN)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": webhook_secret_file "
            "%s: the secret is shorter than %d bytes", f->name,
            f->webhook_secret_file, WEBHOOK_SECRET_MIN);
}

static void
resolve_feed(struct poller_conf *c, struct poller_feed *f, size_t idx,
    const char *path, struct cfg_errors *e)
{
    size_t j;

    if (f->name == NULL || f->type == NULL || f->authentication == NULL)
        return;
    for (j = 0; j < idx; j++) {
        if (c->feeds[j].name != NULL && strcmp(c->feeds[j].name, f->name) == 0)
            cfg_error_add(e, path, &f->mark, "feed \"%s\": duplicate name "
                "(first at line %d)", f->name, c->feeds[j].mark.line);
    }
    resolve_urls(f, path, e);
    resolve_auth(c, f, path, e);
    resolve_base_url(f, path, e);
    resolve_webhook_secret(f, path, e);
    if ((f->classifier = cfg_strmap_get(&c->destinations, f->type)) == NULL)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": no "
            "classifier_destinations entry for type %s", f->name, f->type);
    if (f->lookback > 0 && f->lookback_unit != NULL)
        f->lookback_ms = (uint64_t)f->lookback * unit_ms(f->lookback_unit);
    if (f->list_tmpl != NULL && strstr(f->list_tmpl, "$lookback") != NULL &&
        f->lookback_ms == 0)
        cfg_error_add(e, path, &f->mark, "feed \"%s\": feed_url uses "
            "$lookback but lookback is not set", f->name);
    f->def = (struct feed_def){
        .sys = f->sys, .name = f->name, .type = f->type,
        .base_url = f->base_url, .list_tmpl = f->list_tmpl,
        .item_tmpl = f->item_tmpl, .lookback_ms = f->lookback_ms,
        .auth = f->auth, .query = f->query,
        .skip_tags = f->skip_list != NULL ? f->skip_list : default_skip_tags,
        .nskip_tags = f->skip_list != NULL ? f->nskip_tags :
            NELEM(default_skip_tags),
    };
}

bool
poller_conf_listens(const struct poller_conf *conf)
{
    return conf->listener.port >= 0;
}

int
poller_conf_load(const char *path, struct poller_conf *conf,
    struct cfg_errors *errs)
{
    size_t i, j;
    int rc;

    /* No default port: the listener is on when a port is set. */
    conf->listener.port = -1;
    rc = cfg_load(path, root_fields, conf, errs);
    if (cfg_common_auth_resolve(conf->auth, conf->nauth, path, errs) == -1)
        rc = -1;
    /* Types compare in lower case from here on, like the auth entries'. */
    for (i = 0; i < conf->nfeeds; i++) {
        for (j = 0; conf->feeds[i].type != NULL &&
            conf->feeds[i].type[j] != '\0'; j++)
            conf->feeds[i].type[j] =
                (char)tolower((unsigned char)conf->feeds[i].type[j]);
    }
    for (i = 0; i < conf->nfeeds; i++)
        resolve_feed(conf, &conf->feeds[i], i, path, errs);
    for (i = 0; i < conf->nfeeds; i++) {
        if (conf->feeds[i].webhook_secret_file != NULL &&
            !poller_conf_listens(conf))
            cfg_error_add(errs, path, &conf->feeds[i].mark, "feed \"%s\": "
                "webhook_secret_file is set but poller.listener.port is not",
                conf->feeds[i].name);
    }
    if (conf->tokens.runtime == NULL)
        cfg_error_add(errs, path, NULL, "\"poller.tokens.runtime\": required");
    cfg_common_tokens_resolve(&conf->tokens);
    return errs->n == 0 && rc == 0 ? 0 : -1;
}

void
poller_conf_free(struct poller_conf *conf)
{
    size_t i;

    for (i = 0; i < conf->nfeeds; i++)
        free(conf->feeds[i].skip_list);
    for (i = 0; i < conf->nfeeds; i++) {
        if (conf->feeds[i].webhook_secret != NULL) {
            explicit_bzero(conf->feeds[i].webhook_secret,
                strlen(conf->feeds[i].webhook_secret));
            free(conf->feeds[i].webhook_secret);
            conf->feeds[i].webhook_secret = NULL;
        }
    }
    cfg_auth_cleanup(conf->auth, conf->nauth);
    cfg_free(root_fields, conf);
}
