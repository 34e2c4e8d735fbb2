/*
 * One simulated Dynatrace problem, held once and rendered in both API
 * generations: v1 (feed item / details: id, displayName,
 * tagsOfAffectedEntities, rankedEvents, impact level SERVICE) and v2
 * (problemId, displayId, entityTags, affectedEntities, SERVICES), plus its
 * comments (v1 userName, v2 authorName). Also the problem filters of the
 * v1 feed parameters and the v2 problemSelector. Pure data code: the
 * store holds the lock around every call.
 */
#ifndef ALEXIS_SIM_DT_PROBLEM_H
#define ALEXIS_SIM_DT_PROBLEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"
#include "sim_limits.h"

struct dt_entity {
    char   *id;
    char   *type;
    char   *name;       /* NULL when unknown */
};

struct dt_tag {
    char   *context;
    char   *key;
    char   *value;      /* NULL for a value-less tag */
};

struct dt_zone {
    char   *id;
    char   *name;
};

struct dt_comment {
    char       *id;
    uint64_t    created_ms;
    char       *content;
    char       *author;
    char       *context;    /* NULL renders as null */
};

struct dt_problem {
    char               *id;
    char               *display_id;
    char               *title;
    char               *impact;     /* v1 spelling (SERVICE) */
    char               *severity;
    char               *status;     /* OPEN | CLOSED */
    uint64_t            start_ms;
    int64_t             end_ms;     /* -1 while open */
    struct dt_tag      *tags;
    size_t              ntags;
    struct dt_entity   *affected;
    size_t              naffected;
    struct dt_entity   *impacted;
    size_t              nimpacted;
    struct dt_entity   *root;       /* NULL: no root cause */
    struct dt_zone     *zones;
    size_t              nzones;
    struct dt_comment  *comments;
    size_t              ncomments;
    char               *v1_extra;   /* JSON object text: rankedEvents ... */
    char               *v2_extra;   /* JSON object text: problemFilters ... */
};

/* Extra v2 fields asked for with ?fields=. */
#define DT_FIELD_EVIDENCE   0x1u
#define DT_FIELD_IMPACT     0x2u
#define DT_FIELD_COMMENTS   0x4u

enum dt_crit_kind {
    DT_CRIT_STATUS,
    DT_CRIT_SEVERITY,
    DT_CRIT_IMPACT,
    DT_CRIT_PROBLEM_ID,
    DT_CRIT_DISPLAY_ID,
    DT_CRIT_TAG,
    DT_CRIT_AFFECTED,
    DT_CRIT_IMPACTED,
    DT_CRIT_ROOT_CAUSE,
    DT_CRIT_TEXT,
    DT_CRIT_MZ_NAME,
    DT_CRIT_MZ_ID,
};

/* One criterion: its values are ORed. */
struct dt_criterion {
    enum dt_crit_kind   kind;
    char               *values[SIM_DT_VALUES_MAX];
    size_t              nvalues;
};

/* Criteria are ANDed; a problem matches when its [start, end or now]
 * overlaps [from_ms, to_ms]. */
struct dt_filter {
    uint64_t            from_ms;
    uint64_t            to_ms;
    struct dt_criterion crit[SIM_DT_CRITERIA_MAX];
    size_t              ncrit;
};

/* Build a problem from an object in the v1 shape, the v2 shape or a mix
 * of both (v1-only keys feed the v1 rendering, v2-only keys the v2 one).
 * Missing fields are filled: problem id "<int64>_<start>V2", display id
 * "P-<n>", start now, end -1, status OPEN. Admin extension "comments":
 * [{content, userName|authorName, context, createdAtTimestamp}]. NULL with
 * one sentence in err on a wrong type. Caller frees. */
struct dt_problem *dt_problem_from_json(const cJSON *obj, uint64_t now,
    size_t comments_max, char *err, size_t errlen);
void dt_problem_free(struct dt_problem *p);

/* v1 feed item (details=false) or details answer (details=true, with
 * rankedEvents). Caller owns the tree. */
cJSON *dt_problem_v1(const struct dt_problem *p, bool details);
/* v2 problem; fields is a mask of DT_FIELD_*. */
cJSON *dt_problem_v2(const struct dt_problem *p, unsigned fields);
/* {"problemId","displayId","status","v1":…,"v2":…,"comments":[…]}. */
cJSON *dt_problem_admin(const struct dt_problem *p);
/* A comment as v1 (userName) or v2 (authorName) renders it. */
cJSON *dt_problem_comment_json(const struct dt_comment *c, int api_version);

/* Append a comment; NULL when the problem holds comments_max already.
 * Borrowed pointer, valid until the next comment change. */
struct dt_comment *dt_problem_add_comment(struct dt_problem *p,
    const char *content, const char *author, const char *context,
    uint64_t now, size_t comments_max);

#endif
