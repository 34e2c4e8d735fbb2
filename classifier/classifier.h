/*
 * The classifier daemon's one context struct, passed explicitly to every
 * module (no globals but the logger). After start-up everything here is
 * read-only except the rules directory snapshot (ruledir swaps it under its
 * own lock), the client token set (refreshed under its own lock)
 * and the runtime token cache (its own lock).
 */
#ifndef ALEXIS_CLASSIFIER_H
#define ALEXIS_CLASSIFIER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "classifier_conf.h"
#include "file.h"

struct auth_clients;
struct http_server;
struct metrics_http;
struct retire_homes;
struct ruledir;
struct workq;

struct runtime_token {
    pthread_mutex_t  lock;
    char            *value;     /* wiped on change and at exit */
    struct file_id   id;        /* the file value was read from */
};

/* The last check of the action handlers, for /v1/ping (no token): reused
 * while fresh, and refreshed by one caller at a time, so a flood of pings
 * costs at most one outbound check per CLASSIFIER_PING_CACHE_MS. */
struct handler_health {
    pthread_mutex_t  lock;
    char            *report;    /* JSON text of the last check, or NULL */
    uint64_t         at_ms;     /* when it was taken (now_ms) */
    bool             busy;      /* a check is under way */
};

struct classifier {
    const char             *config_path;
    struct classifier_conf  conf;
    struct ruledir         *rules;
    struct auth_clients    *clients;
    struct workq           *queue;
    struct http_server     *server;
    struct metrics_http    *metrics;   /* GET /metrics */
    struct runtime_token    token;
    struct handler_health   health;
    /* The action_handler_destinations URLs, NULL-terminated: what
     * conf.ca_file verifies (http_client_opts.ca_for). */
    const char            **dest_urls;
    /* Finished jobs on their way back to the intake thread that made
     * them (retire.h). */
    struct retire_homes    *retired;
};

#endif
