/*
 * Unit tests for http_conns.c, the HTTP server's connection guard: which
 * connection is evicted over the soft limit (the one waiting longest,
 * never one being answered), and the whole-request deadline enforced by
 * the reaper (a kept-alive connection gets the idle time on top). Each
 * "connection" is one end of a socketpair; a cut shows on the other end
 * as end-of-file, waited for with poll(2).
 */
#include <sys/socket.h>

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "clock.h"
#include "http_conns.h"

#define NCONN       6
#define WAIT_MS     3000    /* bound on any wait for a cut */
#define QUICK_MS    50      /* "not cut": nothing within this */
#define LONG_MS     (3600 * 1000)

struct pair {
    int                     fd[2];  /* [0] the server's, [1] the peer's */
    struct http_conn_track *t;
};

static void
pairs_open(struct pair *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p[i].fd), 0);
}

/* n fresh socket pairs in p, and a guard of soft_max connections with
 * deadline_ms (idle: LONG_MS). */
static struct http_conns *
conns_new(struct pair *p, size_t n, unsigned soft_max, uint64_t deadline_ms)
{
    struct http_conns *g;
    char err[ALEXIS_ERR_MAX];

    memset(p, 0, n * sizeof(*p));
    pairs_open(p, n);
    g = http_conns_new(soft_max, deadline_ms, LONG_MS, err, sizeof(err));
    if (g == NULL)
        fail_msg("http_conns_new: %s", err);
    return g;
}

/* The guard is told first (as MHD does), then the sockets close. */
static void
pairs_close(struct http_conns *g, struct pair *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i].t != NULL)
            http_conns_closed(g, p[i].t);
        (void)close(p[i].fd[0]);
        (void)close(p[i].fd[1]);
    }
}

/* True when the peer sees the end of the stream within ms. */
static bool
cut_within(const struct pair *p, int ms)
{
    struct pollfd pfd = { .fd = p->fd[1], .events = POLLIN };
    char c;

    if (poll(&pfd, 1, ms) != 1)
        return false;
    return read(p->fd[1], &c, 1) == 0;
}

static void
test_evicts_the_longest_waiting(void **state)
{
    struct pair p[NCONN];
    struct http_conns *g;
    size_t i;

    (void)state;
    g = conns_new(p, NCONN, 4, LONG_MS);
    for (i = 0; i < 4; i++)
        p[i].t = http_conns_opened(g, p[i].fd[0]);
    /* The first is being answered: never a victim. */
    http_conns_answering(g, p[0].t);
    /* Over the limit: the oldest waiting one (1) makes room. */
    p[4].t = http_conns_opened(g, p[4].fd[0]);
    assert_true(cut_within(&p[1], WAIT_MS));
    assert_false(cut_within(&p[0], QUICK_MS));
    assert_false(cut_within(&p[2], QUICK_MS));
    /* A finished request starts waiting anew: 2 is now the oldest. */
    http_conns_done(g, p[0].t);
    p[5].t = http_conns_opened(g, p[5].fd[0]);
    assert_true(cut_within(&p[2], WAIT_MS));
    assert_false(cut_within(&p[0], QUICK_MS));
    assert_false(cut_within(&p[5], QUICK_MS));
    pairs_close(g, p, NCONN);
    http_conns_free(g);
}

static void
test_no_victim_when_all_are_answered(void **state)
{
    struct pair p[3];
    struct http_conns *g;
    size_t i;

    (void)state;
    g = conns_new(p, 3, 2, LONG_MS);
    for (i = 0; i < 2; i++) {
        p[i].t = http_conns_opened(g, p[i].fd[0]);
        http_conns_answering(g, p[i].t);
    }
    p[2].t = http_conns_opened(g, p[2].fd[0]);
    for (i = 0; i < 3; i++)
        assert_false(cut_within(&p[i], QUICK_MS));
    pairs_close(g, p, 3);
    http_conns_free(g);
}

static void
test_deadline_cuts_a_slow_request(void **state)
{
    struct pair p[3];
    struct http_conns *g;
    uint64_t t0;

    (void)state;
    /* A 200 ms deadline, and a long idle time for kept-alive ones. */
    g = conns_new(p, 3, 100, 200);
    t0 = clock_mono_ms();
    p[0].t = http_conns_opened(g, p[0].fd[0]);
    p[1].t = http_conns_opened(g, p[1].fd[0]);
    p[2].t = http_conns_opened(g, p[2].fd[0]);
    http_conns_answering(g, p[1].t);    /* being answered: exempt */
    http_conns_done(g, p[2].t);         /* kept alive: idle + deadline */
    assert_true(cut_within(&p[0], WAIT_MS));
    assert_true(clock_mono_ms() - t0 >= 200);
    assert_false(cut_within(&p[1], 300));
    assert_false(cut_within(&p[2], QUICK_MS));
    pairs_close(g, p, 3);
    http_conns_free(g);
}

static void
test_closed_in_any_order(void **state)
{
    struct pair p[NCONN];
    struct http_conns *g;
    size_t i;

    (void)state;
    g = conns_new(p, NCONN, NCONN, LONG_MS);
    for (i = 0; i < NCONN; i++)
        p[i].t = http_conns_opened(g, p[i].fd[0]);
    /* Middle, first, last: the table stays consistent (ASan checks). */
    http_conns_closed(g, p[2].t);
    http_conns_closed(g, p[0].t);
    http_conns_closed(g, p[NCONN - 1].t);
    p[2].t = p[0].t = p[NCONN - 1].t = NULL;
    p[0].t = http_conns_opened(g, p[0].fd[0]);
    for (i = 0; i < NCONN; i++)
        assert_false(cut_within(&p[i], 1));
    pairs_close(g, p, NCONN);
    http_conns_free(g);
    http_conns_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evicts_the_longest_waiting),
        cmocka_unit_test(test_no_victim_when_all_are_answered),
        cmocka_unit_test(test_deadline_cuts_a_slow_request),
        cmocka_unit_test(test_closed_in_any_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
