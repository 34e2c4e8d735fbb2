/*
 * GET /metrics (see metrics_http.h).
 */
#include "metrics_http.h"

#include <stdbool.h>
#include <stdlib.h>

#include "auth.h"
#include "http_server.h"
#include "metrics.h"
#include "xmem.h"

struct metrics_http {
    struct auth_clients *clients;   /* NULL: open */
};

struct metrics_http *
metrics_http_new(const char *token_file, char *err, size_t errlen)
{
    struct metrics_http *mh;
    struct auth_clients *ac = NULL;

    if (token_file != NULL &&
        (ac = auth_clients_load(token_file, err, errlen)) == NULL)
        return NULL;
    mh = xcalloc(1, sizeof(*mh));
    mh->clients = ac;
    return mh;
}

void
metrics_http_free(struct metrics_http *mh)
{
    if (mh == NULL)
        return;
    auth_clients_free(mh->clients);
    free(mh);
}

int
metrics_http_check(const char *token_file, char *err, size_t errlen)
{
    struct metrics_http *mh;

    if ((mh = metrics_http_new(token_file, err, errlen)) == NULL)
        return -1;
    metrics_http_free(mh);
    return 0;
}

static bool
allowed(struct metrics_http *mh, const struct http_request *req)
{
    const char *token;

    if (mh->clients == NULL)
        return true;
    token = auth_presented(http_server_request_header(req, "Authorization"),
        http_server_request_query(req, "token"));
    return token != NULL && auth_clients_match(mh->clients, token, NULL);
}

void
metrics_http_reply(struct metrics_http *mh, const struct http_request *req,
    struct http_response *resp)
{
    char *page;

    if (mh == NULL || !allowed(mh, req)) {
        http_server_reply_error(resp, 401, "missing or invalid token");
        return;
    }
    if ((page = metrics_render()) == NULL) {
        http_server_reply_error(resp, 500,
            "metrics page larger than its limit");
        return;
    }
    resp->status = 200;
    resp->body = page;
    resp->content_type = METRICS_CONTENT_TYPE;
}
