/*
 * The JSM operations rendering of a simulated alert. JSM's alert API is
 * OpsGenie's in a new place, so a JSM alert is the same struct og_alert,
 * shown in JSM's shape: status open|acked|snoozed|closed, extraProperties
 * instead of details, responders instead of teams, every time an ISO-8601
 * string (lastOccuredAt spelled as JSM spells it), no report, no
 * integration object. Also the admin API's translation of a JSM-shaped
 * alert into the shape og_parse_alert_from_json takes. Pure data code.
 */
#ifndef ALEXIS_SIM_JSM_ALERT_H
#define ALEXIS_SIM_JSM_ALERT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "og_alert.h"

/* "closed", "snoozed", "acked" or "open", in that order of precedence. */
const char *jsm_alert_status(const struct og_alert *a);

/* Render as OG_VIEW_JSM_LIST (no description, entity, actions,
 * extraProperties), OG_VIEW_JSM (GET /v1/alerts/{id}) or
 * OG_VIEW_JSM_ADMIN (also the notes). Caller owns the tree. */
cJSON *jsm_alert_to_json(const struct og_alert *a, enum og_view view);

/* A note as JSM answers it: {id, createdAt, updatedAt, note, owner}; the
 * id is the note's paging offset. */
cJSON *jsm_alert_note_to_json(const struct og_note *n);

/* A copy of a JSM-shaped alert (extraProperties, lastOccuredAt, status
 * acked|snoozed, integrationName/Type, responders) in the OpsGenie shape.
 * NULL with one sentence in err when obj is not an object or its status
 * is not one JSM has (resolved is not simulated). */
cJSON *jsm_alert_admin_in(const cJSON *obj, char *err, size_t errlen);

#endif
