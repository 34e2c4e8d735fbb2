/*
 * Every bound of alexis-sim in one place. These belong beside the others in
 * common/alexis_limits.h; they live here until that header is extended, so
 * the simulator does not touch files its colleagues own.
 */
#ifndef ALEXIS_SIM_LIMITS_H
#define ALEXIS_SIM_LIMITS_H

/* State (defaults; overridable on the command line up to the ceilings). */
#define SIM_ALERTS_MAX_DEFAULT      50000
#define SIM_PROBLEMS_MAX_DEFAULT    20000
#define SIM_OBJECTS_MAX_CEILING     1000000
#define SIM_NOTES_MAX_DEFAULT       1000    /* per alert */
#define SIM_COMMENTS_MAX_DEFAULT    1000    /* per problem */
#define SIM_ANNOTATIONS_MAX_CEILING 100000
#define SIM_TEAMS_MAX               4096    /* team name <-> id registry */
#define SIM_ALERT_TEAMS_MAX         64
#define SIM_TAGS_MAX                20      /* OpsGenie: 20 tags ... */
#define SIM_TAG_LEN_MAX             50      /* ... of at most 50 chars */
#define SIM_DETAILS_MAX             200     /* key/value pairs per alert */
#define SIM_ACTIONS_MAX             10
#define SIM_PENDING_MAX             20000   /* async OpsGenie requests */
#define SIM_REQUESTS_KEPT           50000   /* request-status records */
#define SIM_DT_ENTITIES_MAX         256
#define SIM_DT_TAGS_MAX             256
#define SIM_DT_ZONES_MAX            64

/* OpsGenie field limits (api/opsgenie-dynatrace.md 1.0). */
#define SIM_OG_MESSAGE_MAX          130
#define SIM_OG_ALIAS_MAX            512
#define SIM_OG_DESCRIPTION_MAX      15000
#define SIM_OG_ENTITY_MAX           512
#define SIM_OG_NOTE_MAX             25000
#define SIM_OG_USER_MAX             100
#define SIM_OG_SOURCE_MAX           100
#define SIM_OG_DETAILS_CHARS_MAX    8000

/* OpsGenie paging. */
#define SIM_OG_LIMIT_DEFAULT        20
#define SIM_OG_LIMIT_MAX            100
#define SIM_OG_WINDOW_MAX           20000   /* offset + limit */

/* JSM operations (api/jsm-ops.md). */
#define SIM_JSM_SIZE_DEFAULT        20
#define SIM_JSM_SIZE_MAX            100
#define SIM_JSM_WINDOW_MAX          20000   /* offset + size stays under */
#define SIM_JSM_CLOUD_ID_MAX        64
#define SIM_JSM_EMAIL_MAX           254
#define SIM_JSM_NOTE_MAX            SIM_OG_NOTE_MAX

/* OpsGenie query language. */
#define SIM_QUERY_LEN_MAX           4096
#define SIM_QUERY_NODES_MAX         256
#define SIM_QUERY_DEPTH_MAX         32
#define SIM_QUERY_VALUE_MAX         512

/* Dynatrace. */
#define SIM_DT_PAGE_DEFAULT         50
#define SIM_DT_PAGE_MAX             500
#define SIM_DT_COMMENT_PAGE_DEFAULT 10
#define SIM_DT_FEED_MAX             5000
#define SIM_DT_SELECTOR_LEN_MAX     2000
#define SIM_DT_CRITERIA_MAX         16
#define SIM_DT_VALUES_MAX           16
#define SIM_DT_COMMENT_MAX          65536
#define SIM_DT_DEFAULT_FROM_MS      (2ULL * 3600 * 1000)   /* now-2h */

/* Timing. */
#define SIM_APPLY_DELAY_DEFAULT_MS  50
#define SIM_APPLY_DELAY_MAX_MS      60000
#define SIM_LATENCY_MAX_MS          60000
#define SIM_RETRY_AFTER_MAX_S       3600

/* Faults and rate limits. */
#define SIM_FAULTS_MAX              256
#define SIM_FAULT_COUNT_MAX         1000000
#define SIM_RATE_MAX                1000000 /* tokens per second */

/* Process. */
#define SIM_KEYS_MAX                16
#define SIM_KEY_LEN_MAX             512
#define SIM_SEED_FILE_MAX           (64 * 1024 * 1024)
#define SIM_BODY_MAX                (1024 * 1024)
#define SIM_ADMIN_BODY_MAX          (64 * 1024 * 1024)
#define SIM_CONN_MAX                512
#define SIM_CONN_TIMEOUT_S          30
#define SIM_RESP_HEADERS_MAX        12
#define SIM_JSON_OUT_MAX            (256 * 1024 * 1024)

#endif
