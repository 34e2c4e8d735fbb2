/*
 * Building a simulated OpsGenie alert from JSON in the real shape (admin
 * API, seed file), with OpsGenie's limits checked.
 */
#ifndef ALEXIS_SIM_OG_PARSE_H
#define ALEXIS_SIM_OG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "og_alert.h"

/* Build an alert from an object in the real shape. Missing fields are
 * filled realistically: id "<uuid>-<createdAt ms>", alias = id, times =
 * now, status open, priority P3, count 1. tinyId stays NULL unless given
 * (the store assigns it); team names/ids may be "" (the store resolves
 * them). Time fields accept what simutil_parse_time accepts. An admin
 * extension "notes":[{"note","owner","createdAt"}] preloads notes. NULL
 * with one sentence in err when a field has the wrong type or breaks an
 * OpsGenie limit. Caller frees with og_alert_free. */
struct og_alert *og_parse_alert_from_json(const cJSON *obj, uint64_t now,
    size_t notes_max, char *err, size_t errlen);

#endif
