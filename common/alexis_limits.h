/*
 * Every bound of the project in one place (OpenBSD httpd's SERVER_MAX*
 * habit). Values that make sense to tune are also config keys; these are
 * then their defaults and hard ceilings.
 */
#ifndef ALEXIS_LIMITS_H
#define ALEXIS_LIMITS_H

/* Logging */
#define LOG_LINE_MAX            8192    /* bytes per log line incl. newline */

/* Config */
#define CFG_FILE_MAX            (1024 * 1024)
#define CFG_MAX_ERRORS          64
#define CFG_ERROR_MAX           512     /* bytes per error message */
#define CFG_DEPTH_MAX           32      /* YAML nesting */
#define CFG_LIST_MAX            1024    /* items in any YAML list or map */

/* Tokens */
#define TOKEN_FILE_MAX          (256 * 1024)
#define TOKEN_MAX_CLIENTS       1024
#define TOKEN_LEN_MAX           512

/* HTTP server (libmicrohttpd) */
#define HTTP_BODY_MAX_DEFAULT   (1024 * 1024)        /* 413 above this */
#define HTTP_BODY_MAX_CEILING   (16 * 1024 * 1024)
#define HTTP_CONN_MAX_DEFAULT   256
#define HTTP_CONN_TIMEOUT_S     30
#define HTTP_SERVER_THREADS     4
#define HTTP_REASON_MAX         256     /* one-line error reason */
#define HTTP_CONN_MEMORY_MAX    (64 * 1024)  /* MHD per-connection memory */
/* Connections from one client address (MHD_OPTION_PER_IP_CONNECTION_LIMIT):
 * above the classifier's most workers (each keeps one alive to its action
 * handler) plus its pings. listener.max_connections_per_client. */
#define HTTP_CONN_PER_IP_MAX    80
/* MHD's own limit is this much above ours, so that a new connection is
 * accepted and makes room by evicting the longest-waiting one (see
 * http_conns.h) instead of waiting in the listen backlog. */
#define HTTP_CONN_HEADROOM      64
/* Headers and body of one request must arrive within this
 * (listener.request_timeout); inactivity alone is HTTP_CONN_TIMEOUT_S. */
#define HTTP_REQUEST_DEADLINE_MS    30000
#define HTTP_REQUEST_DEADLINE_MAX_MS (3600 * 1000)
#define HTTP_REAP_INTERVAL_MS   250     /* deadline sweep */
#define HTTP_CUT_LOG_INTERVAL_MS 1000   /* one http_connections_cut a second */
#define HTTP_TLS_PEM_MAX        (64 * 1024)  /* certificate or key file */

/* Metrics (metrics.h) */
#define METRICS_SERIES_MAX      128     /* label combinations per family */
#define METRICS_VALUE_MAX       128     /* bytes of a label value */
#define METRICS_BUCKETS_MAX     16      /* histogram bounds, +Inf aside */
#define METRICS_PAGE_MAX        (8 * 1024 * 1024)

/* HTTP client (libcurl) */
#define HTTP_CONNECT_TIMEOUT_MS 3000
#define HTTP_TOTAL_TIMEOUT_MS   10000
#define HTTP_RESPONSE_MAX       (4 * 1024 * 1024)
#define HTTP_RETRY_MAX          3       /* attempts after the first */
#define HTTP_RETRY_BASE_MS      200
#define HTTP_RETRY_CAP_MS       5000

/* Ticket systems (the APIs' own limits) */
#define OPSGENIE_NOTE_MAX       25000   /* characters in one note */
#define JSM_NOTE_MAX            25000   /* JSM publishes none: OpsGenie's */
#define TICKET_NOTE_PARTS_MAX   4       /* notes one long text may become */
#define JSM_SKIP_TAGS_MAX       32      /* a jsm feed's skip_tags */

/* Rules */
#define RULES_FILE_MAX          (256 * 1024)
#define RULES_MAX               10000   /* rule files per directory */
#define RULE_EVALS_MAX          64
#define RULE_TAGS_MAX           64
#define RULE_TASKS_MAX          64
#define RULE_ENTITIES_MAX       1024
#define RULE_PATH_DEPTH_MAX     16      /* dotted search_key / entity_keyvalue */
#define RULE_REGEX_MAX          4096    /* bytes of search_text */
#define RULE_MATCH_LIMIT        100000  /* pcre2_set_match_limit */
#define RULE_DEPTH_LIMIT        10000   /* pcre2_set_depth_limit */
#define RULE_JIT_STACK_MAX      (512 * 1024)
/* Guardrails (DESIGN §13). */
#define GUARD_WINDOW_MAX_MS     (30ULL * 24 * 3600 * 1000)  /* cooldown, storm */
#define GUARD_VERIFY_MAX_MS     (24ULL * 3600 * 1000)       /* verify.within */
#define GUARD_MAX_RUNS_MAX      10000   /* cooldown.max_runs */
#define GUARD_MAX_ENTITIES_MAX  100000  /* max_entities */
#define GUARD_STORM_MAX_JOBS    1000000 /* storm_breaker.max_jobs */
#define GUARD_VERIFY_POLL_MIN_MS 200    /* verify: first/least check gap */
#define GUARD_VERIFY_POLL_MAX_MS 30000  /* verify: largest check gap */
#define GUARD_RULE_PATTERNS_MAX 256     /* a token's "rules" entries */

/* Classifier */
#define CLASSIFIER_WORKERS_DEFAULT  16
#define CLASSIFIER_WORKERS_MAX      64
#define CLASSIFIER_QUEUE_DEFAULT    1024
#define CLASSIFIER_QUEUE_MAX        100000
#define CLASSIFIER_PING_TIMEOUT_MS  1000
/* /v1/ping answers from a report at most this old; one check at a time. */
#define CLASSIFIER_PING_CACHE_MS    2000

/* Poller webhook intake (POST /v1/webhook/<feed>) */
#define WEBHOOK_SECRET_FILE_MAX     4096    /* bytes of a webhook_secret_file */
#define WEBHOOK_SECRET_MIN          16      /* shortest secret accepted */
#define WEBHOOK_BODY_MAX            (256 * 1024)  /* 413 above this */
#define WEBHOOK_WORKERS             4       /* fetch + forward at once */
#define WEBHOOK_QUEUE_MAX           1024    /* waiting deliveries; 503 above */
/* (feed, id) pairs remembered as recently forwarded: a repeated delivery
 * or the next poll inside the window (config dedup_window, default 15m)
 * is not forwarded again. */
#define RECENT_MAX                  65536
#define RECENT_WINDOW_MAX_MS        (24LL * 3600 * 1000)

/* Action handler */
/* Its request limit: the classifier's intake limit plus the largest rule
 * (a rule file's size) and the bytes that join them, so an envelope the
 * classifier accepted is never refused when it forwards it with the rule
 * (issue 11 #5). A 413 anyway (limits changed) sends the alert to
 * investigation. */
#define AH_BODY_MAX_DEFAULT     (HTTP_BODY_MAX_DEFAULT + RULES_FILE_MAX + 64)
#define AH_WORKERS_DEFAULT          4       /* jobs run at once */
#define AH_WORKERS_MAX              64
#define AH_REPORT_WORKERS_DEFAULT   1       /* ticket reports at once */
/* Back-pressure (config queue_max, client_max_jobs): past them POST
 * /v1/action answers 503 / 429 with Retry-After, storing nothing. */
#define AH_QUEUE_MAX_DEFAULT        256     /* queued jobs */
#define AH_QUEUE_MAX_CEILING        100000
#define AH_CLIENT_JOBS_DEFAULT      64      /* unfinished jobs per client */
#define AH_RETRY_AFTER_S            30
/* Output one job stores over all its results (each stream of a result is
 * also capped by output_max): 64 entities x 64 tasks must not store GBs. */
#define AH_JOB_OUTPUT_MAX           (8 * 1024 * 1024)
#define AH_STORE_RETRY_MS           1000    /* workers retry a failing store */
#define AH_PARALLEL_DEFAULT         16      /* entities of a task at once */
#define AH_PARALLEL_MAX             256
#define AH_IDEMPOTENCY_DEFAULT_MS   (3600 * 1000)
#define AH_IDEMPOTENCY_MAX_MS       (30LL * 24 * 3600 * 1000)
#define AH_JOBS_LIST_DEFAULT        20
#define AH_JOBS_LIST_MAX            200
#define AH_ENTITY_ALLOW_MAX         256     /* entity_allow patterns */
#define AH_ENTITY_MAX               (255 + 8)   /* bytes: host + ":port" */
/* Entities one job may run on (config max_entities; the ceiling is
 * RULE_ENTITIES_MAX): alert content must not fan a job out to hundreds of
 * hosts. A rule's own max_entities may only lower it. */
#define AH_MAX_ENTITIES_DEFAULT     64
#define AH_NOTE_MAX                 24000   /* chars; OpsGenie's is 25,000 */
#define AH_NOTE_TAIL                1500    /* output bytes per entity */
#define AH_DB_BUSY_MS               5000    /* sqlite3_busy_timeout */
#define AH_JOB_ID_BYTES             16      /* from getrandom: 32 hex */

/* Job store on PostgreSQL (issue 14) and retention on both backends */
#define AH_RETENTION_DEFAULT        "30d"   /* job_retention */
#define AH_RETENTION_MIN_MS         (3600LL * 1000)
#define AH_PRUNE_INTERVAL_MS        (3600LL * 1000)  /* between prunes */
#define AH_LEASE_DEFAULT            "30s"   /* job_lease */
#define AH_LEASE_MIN_MS             1000
#define AH_LEASE_MAX_MS             (3600LL * 1000)
#define AH_PG_POLL_MS               500     /* idle workers look this often */
#define AH_PG_CONNECT_TIMEOUT_S     "5"     /* libpq connect_timeout */
#define AH_PG_STATEMENT_TIMEOUT_MS  "15000" /* per statement, server side */
#define AH_PG_TCP_TIMEOUT_MS        "10000" /* tcp_user_timeout */
#define AH_PG_WRITE_RETRY_MS        (30LL * 1000)   /* holder writes, then
                                                       jobs_defer_* */
#define AH_PG_BACKOFF_MIN_MS        100
#define AH_PG_BACKOFF_MAX_MS        2000
#define AH_PG_HOLDER_MAX            128     /* replica id bytes */
#define AH_PG_PASSWORD_MAX          1024    /* job_store_password_file */

#endif
