/*
 * Every bound of the project in one place (OpenBSD httpd's SERVER_MAX*
 * habit). Values that make sense to tune are also config keys; these are
 * then their defaults and hard ceilings.
 *
 * What belongs here: every bound on what a peer sends (a request, an API
 * answer, an alert, a webhook, a log line), on what a config, rule or
 * token file sets or holds, and the defaults and ceilings of config keys;
 * each defined once, with what it bounds and why that value. What stays
 * beside its code: sizes of the program's own output (a formatted time, a
 * quoted excerpt in a message, a chart's geometry), internal tuning that
 * no input reaches (poll intervals, read chunks), and the simulator's
 * imitations of the outside APIs' limits (sim/sim_limits.h: a test double,
 * not part of the pipeline).
 */
#ifndef ALEXIS_LIMITS_H
#define ALEXIS_LIMITS_H

/* Error messages */
/* Bytes of an error message buffer: one sentence naming its file and
 * position ("path:line:col: error: message"), cut, never overflowed,
 * past this. */
#define ALEXIS_ERR_MAX          512
/* Bytes of an error a result carries for a caller to quote in its own
 * sentence ("action handler <url>: <error>"): half of ALEXIS_ERR_MAX, so
 * the sentence around it fits. */
#define ALEXIS_ERR_PART_MAX     256
/* Bytes of one rule file's error: a path, a position, the rule's name (up
 * to RULE_NAME_MAX) and a message of up to ALEXIS_ERR_MAX. */
#define RULE_ERR_MAX            2048

/* Logging */
#define LOG_LINE_MAX            8192    /* bytes per log line incl. newline */

/* Config */
#define CFG_FILE_MAX            (1024 * 1024)   /* a config file; ours are
                                                   a few KB */
#define CFG_MAX_ERRORS          64      /* errors listed before "N more" */
#define CFG_DEPTH_MAX           32      /* YAML nesting; ours is 4 deep */
#define CFG_LIST_MAX            1024    /* items in any YAML list or map */
/* A secret file named by the authentication_list (a key or password):
 * one line, never more than a few hundred bytes. */
#define AUTH_KEY_FILE_MAX       4096
/* "headers" lines of one authentication_list entry sent with a ticket
 * request: APIs need one or two. */
#define TICKET_HEADERS_MAX      16
/* Longest duration string accepted anywhere (a hundred years): keeps the
 * milliseconds far from overflow. */
#define DURATION_MAX_MS         (100LL * 366 * 86400000LL)

/* Tokens */
#define TOKEN_FILE_MAX          (256 * 1024)    /* a token file: 1024
                                                   clients of ~200 bytes */
#define TOKEN_MAX_CLIENTS       1024    /* entries in an allowed_clients */
#define TOKEN_LEN_MAX           512     /* bytes of a token id; ours are 64 */

/* HTTP server (libmicrohttpd) */
#define HTTP_BODY_MAX_DEFAULT   (1024 * 1024)        /* 413 above this */
#define HTTP_BODY_MAX_CEILING   (16 * 1024 * 1024)   /* body_max's ceiling */
#define HTTP_BODY_MAX_MIN       1024    /* max_body_bytes: an alert fits */
#define HTTP_CONN_MAX_DEFAULT   256     /* connections at once */
#define HTTP_CONN_TIMEOUT_S     30      /* an idle connection is closed */
#define HTTP_SERVER_THREADS     4       /* MHD's own thread pool */
#define HTTP_REASON_MAX         256     /* one-line error reason */
/* MHD per-connection memory pool: request line, headers and the read
 * buffer (bodies are copied out as they arrive and do not count). */
#define HTTP_CONN_MEMORY_MAX    (64 * 1024)
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
#define HTTP_REQUEST_DEADLINE_MAX_MS (3600 * 1000)  /* its ceiling: an hour */
#define HTTP_REQUEST_DEADLINE_MIN_MS 1000   /* and floor: a second */
#define HTTP_REAP_INTERVAL_MS   250     /* deadline sweep */
#define HTTP_CUT_LOG_INTERVAL_MS 1000   /* one http_connections_cut a second */
#define HTTP_TLS_PEM_MAX        (64 * 1024)  /* certificate or key file */

/* Metrics (metrics.h) */
#define METRICS_SERIES_MAX      128     /* label combinations per family */
#define METRICS_VALUE_MAX       128     /* bytes of a label value */
#define METRICS_BUCKETS_MAX     16      /* histogram bounds, +Inf aside */
#define METRICS_PAGE_MAX        (8 * 1024 * 1024)   /* one /metrics page */

/* HTTP client (libcurl) */
#define HTTP_CONNECT_TIMEOUT_MS 3000    /* a peer on our network answers */
#define HTTP_TOTAL_TIMEOUT_MS   10000   /* one request, all of it */
#define HTTP_RESPONSE_MAX       (4 * 1024 * 1024)   /* one answer's body */
#define HTTP_RETRY_MAX          3       /* attempts after the first */
#define HTTP_RETRY_BASE_MS      200     /* first backoff, doubled each time */
#define HTTP_RETRY_CAP_MS       5000    /* longest backoff */
/* Shortest connect or request timeout a config may set: below it even a
 * local peer times out. */
#define HTTP_TIMEOUT_MIN_MS     100
/* Longest header line of an answer we look into; longer ones hold
 * nothing we read. */
#define HTTP_HEADER_LINE_MAX    512
/* Bound on any server-given wait (a day), before the retry cap applies. */
#define HTTP_RETRY_AFTER_MAX_S  86400

/* Ticket systems (the APIs' own limits) */
#define OPSGENIE_NOTE_MAX       25000   /* characters in one note */
#define JSM_NOTE_MAX            25000   /* JSM publishes none: OpsGenie's */
#define TICKET_NOTE_PARTS_MAX   4       /* notes one long text may become */
#define JSM_SKIP_TAGS_MAX       32      /* a jsm feed's skip_tags */
/* A JSM list query built from skip_tags: 32 tags of 50 characters,
 * escaped, with room to spare. */
#define JSM_QUERY_MAX           4096
#define TICKET_REASON_MAX       160     /* bytes of the API's refusal kept */
#define TICKET_URL_MAX          8192    /* a ticket write's URL (url_item) */

/* Alerts */
/* Tags per alert: a flood of tags cannot make matching slow (OpsGenie
 * allows 20). */
#define ALERT_TAGS_MAX          256

/* Rules */
#define RULES_FILE_MAX          (256 * 1024)    /* a rule file */
#define RULES_MAX               10000   /* rule files per directory */
#define RULE_NAME_MAX           128     /* bytes of a rule_name */
#define RULE_EVALS_MAX          64      /* evaluation_list entries */
#define RULE_TAGS_MAX           64      /* tags a rule may require */
#define RULE_TASKS_MAX          64      /* tasks of a rule */
#define RULE_ENTITIES_MAX       1024    /* entities one rule may name */
#define RULE_PATH_DEPTH_MAX     16      /* dotted search_key / entity_keyvalue */
#define RULE_REGEX_MAX          4096    /* bytes of search_text */
#define RULE_MATCH_LIMIT        100000  /* pcre2_set_match_limit */
#define RULE_DEPTH_LIMIT        10000   /* pcre2_set_depth_limit */
#define RULE_JIT_STACK_MAX      (512 * 1024)    /* PCRE2 JIT stack a thread */
/* A rule's own durations (a task's timeout, ...): an hour, as no remote
 * command should run longer. */
#define RULE_DURATION_MAX_MS    (3600u * 1000u)
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
#define CLASSIFIER_WORKERS_DEFAULT  16  /* matches and forwards at once */
/* The intake's MHD threads. Its handlers never block (parse, queue,
 * answer), so two keep up with the workers. On a quiet machine four did no
 * worse; with the cores busy with other work they cost 16% more CPU per
 * alert (docs/PERFORMANCE.md). */
#define CLASSIFIER_SERVER_THREADS   2
#define CLASSIFIER_WORKERS_MAX      64
#define CLASSIFIER_QUEUE_DEFAULT    1024    /* waiting alerts; 503 above */
#define CLASSIFIER_QUEUE_MAX        100000
#define CLASSIFIER_PING_TIMEOUT_MS  1000    /* an action handler's ping */
/* /v1/ping answers from a report at most this old; one check at a time. */
#define CLASSIFIER_PING_CACHE_MS    2000

/* Poller */
/* Detail fetches and classifier posts running at once (config concurrency). */
#define POLLER_CONCURRENCY_DEFAULT  8
#define POLLER_CONCURRENCY_MAX      64
/* OpsGenie list paging: limit is at most 100, and offset + limit must not
 * exceed 20000 (the API refuses deeper pages). */
#define OG_PAGE_SIZE_DEFAULT        100
#define OG_PAGE_SIZE_MAX            100
#define OG_OFFSET_LIMIT_MAX         20000
/* JSM list paging: size is at most 100, and offset + size must stay
 * under 20000. */
#define JSM_PAGE_SIZE_MAX           100
#define JSM_OFFSET_SIZE_MAX         19999
/* Pages of one feed per pass (config max_pages): OpsGenie offsets and
 * Dynatrace v2 nextPageKey pages alike. */
#define POLLER_MAX_PAGES_DEFAULT    200
#define POLLER_MAX_PAGES_MAX        10000
/* Items of one feed per pass; listing stops there (the rest waits for the
 * next pass). Also bounds the memory of one pass. */
#define POLLER_ITEMS_MAX            50000
/* Pages of comments read per Dynatrace problem, and their page size (the
 * API's largest). */
#define DT_COMMENT_PAGES_MAX        20
#define DT_COMMENT_PAGE_SIZE        500
/* Highest client-side pace (requests per second) list_rate_limit and
 * item_rate_limit accept. */
#define POLLER_RATE_MAX             100000
/* Attempts after the first for 429, 5xx and transport errors. */
#define POLLER_RETRIES_DEFAULT      3
#define POLLER_RETRIES_MAX          10
/* One answer (a list page, a problem) may be this large. */
#define POLLER_RESPONSE_MAX         (256 * 1024 * 1024)
#define POLLER_RESPONSE_MIN         65536   /* a page of 100 alerts fits */
/* connect_timeout and request_timeout ceilings: a minute to connect, ten
 * to answer (a large page of a slow API). */
#define POLLER_CONNECT_TIMEOUT_MAX_MS   60000
#define POLLER_REQUEST_TIMEOUT_MAX_MS   600000
/* Built URLs and ids taken from API answers. */
#define POLLER_URL_MAX              16384
#define POLLER_ID_MAX               512
/* Feeds in feed_list. */
#define POLLER_FEEDS_MAX            64
/* Longest lookback accepted (ten years in seconds). */
#define POLLER_LOOKBACK_MAX_S       315360000LL
/* loop_interval bounds in ms: one second to one day. */
#define POLLER_INTERVAL_MIN_MS      1000
#define POLLER_INTERVAL_MAX_MS      86400000
/* leader_store_password_file: bytes read at most. */
#define POLLER_PASSWORD_MAX         1024

/* Poller webhook intake (POST /v1/webhook/<feed>) */
#define WEBHOOK_SECRET_FILE_MAX     4096    /* bytes of a webhook_secret_file */
#define WEBHOOK_SECRET_MIN          16      /* shortest secret accepted */
#define WEBHOOK_BODY_MAX            (256 * 1024)  /* 413 above this */
#define WEBHOOK_WORKERS             4       /* fetch + forward at once */
#define WEBHOOK_QUEUE_MAX           1024    /* waiting deliveries; 503 above */
/* Bytes of a payload's action or State ("AddNote", "OPEN"), NUL included:
 * longer ones are no event we know. */
#define WEBHOOK_EVENT_MAX           64
/* (feed, id) pairs remembered as recently forwarded: a repeated delivery
 * or the next poll inside the window (config dedup_window, default 15m)
 * is not forwarded again. */
#define RECENT_MAX                  65536
#define RECENT_WINDOW_MAX_MS        (24LL * 3600 * 1000)
#define RECENT_WINDOW_MIN_MS        1000    /* dedup_window: a second */

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
#define AH_JOBS_LIST_DEFAULT        20      /* GET /v1/jobs page size */
#define AH_JOBS_LIST_MAX            200
#define AH_JOBS_QUERY_TEXT_MAX      256     /* bytes of ?rule= / ?alert= */
#define AH_ENTITY_ALLOW_MAX         256     /* entity_allow patterns */
#define AH_ENTITY_MAX               (255 + 8)   /* bytes: host + ":port" */
/* A host name taken from an alert as an entity, and one of its labels
 * (RFC 1035's limits). */
#define DNS_NAME_MAX                253
#define DNS_LABEL_MAX               63
/* Entities one job may run on (config max_entities; the ceiling is
 * RULE_ENTITIES_MAX): alert content must not fan a job out to hundreds of
 * hosts. A rule's own max_entities may only lower it. */
#define AH_MAX_ENTITIES_DEFAULT     64
#define AH_NOTE_MAX                 24000   /* chars; OpsGenie's is 25,000 */
#define AH_NOTE_TAIL                1500    /* output bytes per entity */
/* A note as built from a job's results, before it is cut to AH_NOTE_MAX:
 * the same bound as the output a job stores. */
#define AH_NOTE_BUILD_MAX           (8 * 1024 * 1024)
#define AH_DB_BUSY_MS               5000    /* sqlite3_busy_timeout */
#define AH_JOB_ID_BYTES             16      /* from getrandom: 32 hex */

/* SSH (ssh.h). A zero in struct ssh_opts means the default; larger values
 * are clamped to the maximum. */
#define SSH_CONNECT_TIMEOUT_MS_DEFAULT  10000
#define SSH_COMMAND_TIMEOUT_MS_DEFAULT  60000
#define SSH_TIMEOUT_MS_MAX              (24 * 3600 * 1000)  /* a day */
#define SSH_TIMEOUT_MS_MIN              100     /* a LAN round trip or so */
#define SSH_CONNECT_TIMEOUT_MS_MAX      600000  /* connect_timeout: 10 min */
#define SSH_OUTPUT_MAX_DEFAULT          (64 * 1024)     /* per stream */
#define SSH_OUTPUT_MAX_CEILING          (16 * 1024 * 1024)
#define SSH_OUTPUT_MAX_MIN              1024    /* output_max's floor */
#define SSH_CLOSE_GRACE_MS              250     /* closing after a timeout */
#define SSH_KNOWN_HOSTS_MAX             (4 * 1024 * 1024)   /* known_hosts */
#define SSH_HOST_MAX                    255     /* bytes of a host name */
#define SSH_USER_MAX                    255     /* bytes of a user name */
#define SSH_SIGNAL_MAX                  32      /* a signal's name, "KILL" */
#define SSH_COMMAND_MAX                 (64 * 1024) /* one task's command */
#define SSH_KEY_FILE_MAX                (64 * 1024) /* a private key file */
/* ssh_key_passphrase_file: one line. */
#define SSH_PASSPHRASE_FILE_MAX         4096

/* Job store on PostgreSQL (issue 14) and retention on both backends */
#define AH_RETENTION_DEFAULT        "30d"   /* job_retention */
#define AH_RETENTION_MIN_MS         (3600LL * 1000)
#define AH_RETENTION_MAX_MS         (100LL * 365 * 24 * 3600 * 1000)
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
#define AH_PG_BACKOFF_BASE_MS       200     /* backoff_ms: waits 100-200, */
#define AH_PG_BACKOFF_CAP_MS        4000    /* doubling up to 2000-4000 */
#define AH_PG_HOLDER_MAX            128     /* replica id bytes */
#define AH_PG_PASSWORD_MAX          1024    /* job_store_password_file */

/* alexis-report: every table it keeps is capped here, so its memory
 * depends on these numbers, never on the number of input lines. */
#define REPORT_READ_BUF         (1024 * 1024)   /* > LOG_LINE_MAX */
#define REPORT_GZ_BUF           (128 * 1024)    /* zlib's own buffer */
#define REPORT_FILES_MAX        1024    /* log files in one run */
/* Parser: "k=v" plus a space is 4 bytes, so a legal line holds at most
 * LOG_LINE_MAX / 4 fields; our daemons write fewer than 40. */
#define LOGFMT_FIELDS_MAX       256
/* Aggregation: distinct groups per table (rows); past the cap new keys are
 * folded into one "(other)" row and counted as overflow. */
#define REPORT_GROUPS_MAX       20000
#define REPORT_ACTIONS_MAX      512     /* groups that carry percentiles */
#define REPORT_DAYS_MAX         3660    /* ten years of days */
#define REPORT_VALUE_MAX        256     /* bytes kept of a key or reason */
/* Failed ActionResults kept until their ActionFinished: more than a job's
 * entities run at once. */
#define AGG_PENDING_MAX         256
#define AGG_KEY_MAX             128     /* bytes of a job id or action */
/* Percentiles: exact from the values up to PCTL_EXACT_MAX samples per
 * action, otherwise from a log-linear histogram (see pctl.h). */
#define PCTL_EXACT_MAX          4096
/* trace: lines kept for one alert, and job ids learnt from them */
#define REPORT_TRACE_LINES_MAX  20000
#define REPORT_TRACE_BYTES_MAX  (32 * 1024 * 1024)
#define REPORT_TRACE_JOBS_MAX   64
/* Output */
#define REPORT_CHART_BARS_MAX   120     /* most recent days in the chart */
#define REPORT_CHART_ACTIONS    20      /* actions in the success chart */

#endif
