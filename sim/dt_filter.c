/*
 * Problem filters of the Dynatrace problems API as alexis-sim implements
 * them: the v2 problemSelector (`status("open"),entityTags("env:prod")`:
 * criteria ANDed, quoted values within one criterion ORed) and the v1 feed
 * parameters, which map onto the same criteria.
 */
#include "dt_filter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dt_problem.h"
#include "simutil.h"
#include "str.h"
#include "xmem.h"

static const struct {
    const char         *name;
    enum dt_crit_kind   kind;
} crit_names[] = {
    { "status",             DT_CRIT_STATUS },
    { "severityLevel",      DT_CRIT_SEVERITY },
    { "impactLevel",        DT_CRIT_IMPACT },
    { "problemId",          DT_CRIT_PROBLEM_ID },
    { "displayId",          DT_CRIT_DISPLAY_ID },
    { "entityTags",         DT_CRIT_TAG },
    { "affectedEntities",   DT_CRIT_AFFECTED },
    { "impactedEntities",   DT_CRIT_IMPACTED },
    { "rootCauseEntity",    DT_CRIT_ROOT_CAUSE },
    { "text",               DT_CRIT_TEXT },
    { "managementZones",    DT_CRIT_MZ_NAME },
    { "managementZoneIds",  DT_CRIT_MZ_ID },
};

int
dt_filter_add(struct dt_filter *f, enum dt_crit_kind kind, const char *value)
{
    struct dt_criterion *c;

    if (f->ncrit >= SIM_DT_CRITERIA_MAX)
        return -1;
    c = &f->crit[f->ncrit++];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->values[c->nvalues++] = xstrdup(value);
    return 0;
}

void
dt_filter_cleanup(struct dt_filter *f)
{
    size_t i, j;

    for (i = 0; i < f->ncrit; i++) {
        for (j = 0; j < f->crit[i].nvalues; j++)
            free(f->crit[i].values[j]);
    }
    f->ncrit = 0;
}

/* One value: "quoted" (~ escapes the next byte) or bare up to , or ). */
static char *
sel_value(const char **sp, char *err, size_t errlen)
{
    const char *s = *sp;
    struct buf b;

    buf_init(&b, SIM_DT_SELECTOR_LEN_MAX);
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '"') {
        for (s++; *s != '"'; s++) {
            if (*s == '~' && s[1] != '\0')
                s++;
            if (*s == '\0' || buf_append(&b, s, 1) == -1)
                goto bad;
        }
        s++;
    } else {
        while (*s != '\0' && *s != ',' && *s != ')') {
            if (buf_append(&b, s, 1) == -1)
                goto bad;
            s++;
        }
    }
    *sp = s;
    return buf_steal(&b);
bad:
    snprintf(err, errlen, "problemSelector: unterminated value");
    buf_free(&b);
    return NULL;
}

static int
sel_criterion(struct dt_filter *f, const char **sp, char *err,
    size_t errlen)
{
    const char *s = *sp, *start;
    struct dt_criterion *c;
    size_t i, len;
    char *v;

    while (isspace((unsigned char)*s))
        s++;
    for (start = s; isalnum((unsigned char)*s) || *s == '.'; s++)
        ;
    len = (size_t)(s - start);
    if (*s != '(' || len == 0) {
        snprintf(err, errlen, "problemSelector: expected name(\"value\")");
        return -1;
    }
    for (i = 0; i < NELEM(crit_names); i++) {
        if (strlen(crit_names[i].name) == len &&
            strncmp(crit_names[i].name, start, len) == 0)
            break;
    }
    if (i == NELEM(crit_names)) {
        snprintf(err, errlen, "problemSelector: unsupported criterion "
            "%.*s", (int)len, start);
        return -1;
    }
    if (f->ncrit >= SIM_DT_CRITERIA_MAX) {
        snprintf(err, errlen, "problemSelector: too many criteria");
        return -1;
    }
    c = &f->crit[f->ncrit++];
    memset(c, 0, sizeof(*c));
    c->kind = crit_names[i].kind;
    for (s++;;) {
        if ((v = sel_value(&s, err, errlen)) == NULL)
            return -1;
        if (c->nvalues >= SIM_DT_VALUES_MAX) {
            free(v);
            snprintf(err, errlen, "problemSelector: too many values");
            return -1;
        }
        c->values[c->nvalues++] = v;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == ')')
            break;
        if (*s++ != ',') {
            snprintf(err, errlen, "problemSelector: expected , or )");
            return -1;
        }
    }
    *sp = s + 1;
    return 0;
}

int
dt_filter_parse_selector(struct dt_filter *f, const char *text, char *err,
    size_t errlen)
{
    const char *s = text;

    if (strlen(text) > SIM_DT_SELECTOR_LEN_MAX) {
        snprintf(err, errlen, "problemSelector: longer than %d characters",
            SIM_DT_SELECTOR_LEN_MAX);
        return -1;
    }
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            return 0;
        if (sel_criterion(f, &s, err, errlen) == -1)
            return -1;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == ',')
            s++;
        else if (*s != '\0') {
            snprintf(err, errlen, "problemSelector: expected , between "
                "criteria");
            return -1;
        }
    }
}

/* Split "[ctx]key:value" at the first unescaped ':' and drop '\'. */
static void
tag_split(const char *s, char *ctx, char *key, char *val, size_t len,
    bool *has_val)
{
    const char *close;
    char *dst = key;
    size_t n = 0;

    ctx[0] = key[0] = val[0] = '\0';
    *has_val = false;
    if (s[0] == '[' && (close = strchr(s, ']')) != NULL) {
        snprintf(ctx, len, "%.*s", (int)(close - s - 1), s + 1);
        s = close + 1;
    }
    for (; *s != '\0'; s++) {
        if (*s == '\\' && s[1] != '\0')
            s++;
        else if (*s == ':' && !*has_val) {
            dst[n] = '\0';
            dst = val;
            n = 0;
            *has_val = true;
            continue;
        }
        if (n + 1 < len)
            dst[n++] = *s;
    }
    dst[n] = '\0';
}

static bool
tag_match(const struct dt_problem *p, const char *want)
{
    char ctx[256], key[256], val[256];
    bool has_val;
    size_t i;

    tag_split(want, ctx, key, val, sizeof(key), &has_val);
    for (i = 0; i < p->ntags; i++) {
        const struct dt_tag *t = &p->tags[i];

        if (ctx[0] != '\0' && strcmp(ctx, t->context) != 0)
            continue;
        if (strcmp(key, t->key) != 0)
            continue;
        if (has_val && (t->value == NULL || strcmp(val, t->value) != 0))
            continue;
        return true;
    }
    return false;
}

static bool
entity_in(const struct dt_entity *v, size_t n, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(v[i].id, id) == 0)
            return true;
    }
    return false;
}

static bool
value_match(const struct dt_problem *p, enum dt_crit_kind kind,
    const char *v)
{
    size_t i;

    switch (kind) {
    case DT_CRIT_STATUS:
        return str_eq_nocase(v, p->status);
    case DT_CRIT_SEVERITY:
        return str_eq_nocase(v, p->severity);
    case DT_CRIT_IMPACT:
        return str_eq_nocase(v, p->impact) ||
            (str_eq_nocase(v, "SERVICES") &&
            strcmp(p->impact, "SERVICE") == 0);
    case DT_CRIT_PROBLEM_ID:
        return strcmp(v, p->id) == 0;
    case DT_CRIT_DISPLAY_ID:
        return strcmp(v, p->display_id) == 0;
    case DT_CRIT_TAG:
        return tag_match(p, v);
    case DT_CRIT_AFFECTED:
        return entity_in(p->affected, p->naffected, v);
    case DT_CRIT_IMPACTED:
        return entity_in(p->impacted, p->nimpacted, v);
    case DT_CRIT_ROOT_CAUSE:
        return p->root != NULL && strcmp(p->root->id, v) == 0;
    case DT_CRIT_TEXT:
        return simutil_contains_ci(p->title, v);
    case DT_CRIT_MZ_NAME:
    case DT_CRIT_MZ_ID:
        for (i = 0; i < p->nzones; i++) {
            const char *z = kind == DT_CRIT_MZ_ID ? p->zones[i].id :
                p->zones[i].name;

            if (z != NULL && strcmp(z, v) == 0)
                return true;
        }
        return false;
    }
    return false;
}

bool
dt_filter_problem_match(const struct dt_problem *p, const struct dt_filter *f,
    uint64_t now)
{
    uint64_t end = p->end_ms < 0 || (uint64_t)p->end_ms > now ? now :
        (uint64_t)p->end_ms;
    size_t i, j;
    bool any;

    if (p->start_ms > f->to_ms || end < f->from_ms)
        return false;
    for (i = 0; i < f->ncrit; i++) {
        any = false;
        for (j = 0; j < f->crit[i].nvalues && !any; j++)
            any = value_match(p, f->crit[i].kind, f->crit[i].values[j]);
        if (!any)
            return false;
    }
    return true;
}
