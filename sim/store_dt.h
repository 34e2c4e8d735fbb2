/*
 * The store's Dynatrace problems (store_dt.c): adding, listing, reading
 * and commenting.
 */
#ifndef ALEXIS_SIM_STORE_DT_H
#define ALEXIS_SIM_STORE_DT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "dt_problem.h"
#include "store.h"

enum store_rc store_dt_add(struct store *st, const cJSON *obj, cJSON **view,
    char *err, size_t errlen);
/* Matching problems, newest start first unless asc, rendered for api
 * version 1 (details: with rankedEvents) or 2 (fields mask). */
cJSON *store_dt_list(struct store *st, const struct dt_filter *f,
    int version, bool details, unsigned fields, bool asc, size_t offset,
    size_t limit, size_t *total);
/* One problem by problem id (admin: also display id), or NULL. */
cJSON *store_dt_get(struct store *st, const char *id, int version,
    unsigned fields);
cJSON *store_dt_admin(struct store *st, const char *id);
cJSON *store_dt_all(struct store *st);
enum store_rc store_dt_comment_add(struct store *st, const char *pid,
    const char *content, const char *author, const char *context,
    int version, cJSON **out);
enum store_rc store_dt_comments(struct store *st, const char *pid,
    int version, size_t offset, size_t limit, size_t *total, cJSON **out);

#endif
