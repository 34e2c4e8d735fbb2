/*
 * The action handler daemon's one context struct, passed explicitly to
 * every module (no globals but the logger). After start-up everything here
 * is read-only except the rules directory snapshot (ruledir swaps it under
 * its own lock), the client token set (refreshed under its own lock), the
 * job store (its own lock) and the runner (its own lock).
 */
#ifndef ALEXIS_AH_HANDLER_H
#define ALEXIS_AH_HANDLER_H

#include "ah_conf.h"

struct auth_clients;
struct http_server;
struct jobs;
struct metrics_http;
struct ruledir;
struct runner;

struct action_handler {
    const char             *config_path;
    struct ah_conf          conf;
    struct ruledir         *rules;
    struct auth_clients    *clients;
    struct jobs            *jobs;
    struct runner          *runner;
    struct http_server     *server;
    struct metrics_http    *metrics;        /* GET /metrics */
    char                   *passphrase;     /* wiped at exit; may be NULL */
};

#endif
