/*
 * One command on one host over libssh2. The session stays in non-blocking
 * mode from the first byte to the last: each libssh2 call that answers
 * LIBSSH2_ERROR_EAGAIN is retried after poll() says the socket is ready in
 * the direction libssh2_session_block_directions names, and poll() never
 * waits past the deadline of the current phase (connect: TCP, handshake,
 * host key, auth; command: channel, exec, output, close). Host keys come
 * from known_hosts (ssh_known.c).
 */
#include "ssh.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "buf.h"
#include "clock.h"
#include "ssh_key.h"
#include "ssh_known.h"
#include "str.h"

#define READ_CHUNK          (32 * 1024)
#define READ_ROUNDS         8       /* chunks per stream per turn */
#define FREE_ATTEMPTS       4       /* libssh2_session_free after shutdown */

struct conn {
    LIBSSH2_SESSION     *session;
    LIBSSH2_KNOWNHOSTS  *known;
    LIBSSH2_CHANNEL     *channel;
    int                  fd;
    bool                 handshaken;
    bool                 broken;    /* libssh2 failed: no goodbye */
    int                  poll_errno;    /* wait_io failed other than time */
    uint64_t             deadline;  /* monotonic ms, current phase */
    const char          *host;
    int                  port;
    struct ssh_opts      opts;      /* defaults applied */
    struct ssh_result   *res;
    struct buf           out;
    struct buf           err;
};

static const char *const outcome_names[] = {
    [SSH_OK] = "ok",
    [SSH_CONNECT_FAILED] = "connect_failed",
    [SSH_HOSTKEY_UNKNOWN] = "hostkey_unknown",
    [SSH_HOSTKEY_CHANGED] = "hostkey_changed",
    [SSH_AUTH_FAILED] = "auth_failed",
    [SSH_COMMAND_TIMEOUT] = "timeout",
    [SSH_PROTOCOL_ERROR] = "protocol_error",
    [SSH_LOCAL_ERROR] = "local_error",
};

int
ssh_global_init(void)
{
    /* Without OpenSSL's ENGINE modules, as http_client_global_init
     * (which runs first) does: OpenSSL 3 needs no explicit init. */
    return libssh2_init(LIBSSH2_INIT_NO_CRYPTO) == 0 ? 0 : -1;
}

void
ssh_global_cleanup(void)
{
    libssh2_exit();
}

const char *
ssh_library_version(void)
{
    return libssh2_version(0);
}

void
ssh_opts_init(struct ssh_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->connect_timeout_ms = SSH_CONNECT_TIMEOUT_MS_DEFAULT;
    opts->command_timeout_ms = SSH_COMMAND_TIMEOUT_MS_DEFAULT;
    opts->output_max = SSH_OUTPUT_MAX_DEFAULT;
}

const char *
ssh_outcome_name(enum ssh_outcome outcome)
{
    if ((size_t)outcome >= NELEM(outcome_names))
        return "unknown";
    return outcome_names[outcome];
}

void
ssh_result_free(struct ssh_result *res)
{
    if (res == NULL)
        return;
    free(res->out);
    res->out = NULL;
    res->out_len = 0;
    free(res->err);
    res->err = NULL;
    res->err_len = 0;
}

static int ATTR_PRINTF(3, 4)
fail(struct conn *c, enum ssh_outcome outcome, const char *fmt, ...)
{
    va_list ap;

    c->res->outcome = outcome;
    va_start(ap, fmt);
    (void)vsnprintf(c->res->error, sizeof(c->res->error), fmt, ap);
    va_end(ap);
    return -1;
}

/* Fail with "<step>: <libssh2's last error>". */
static int ATTR_PRINTF(3, 4)
fail_ssh(struct conn *c, enum ssh_outcome outcome, const char *fmt, ...)
{
    char step[128];
    char *msg = NULL;
    int len = 0;
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(step, sizeof(step), fmt, ap);
    va_end(ap);
    (void)libssh2_session_last_error(c->session, &msg, &len, 0);
    c->broken = true;
    if (msg == NULL || len <= 0)
        return fail(c, outcome, "%s: unknown libssh2 error", step);
    return fail(c, outcome, "%s: %.*s", step, len, msg);
}

static int
ms_left(uint64_t deadline)
{
    uint64_t now = clock_mono_ms();

    if (now >= deadline)
        return 0;
    if (deadline - now > INT_MAX)
        return INT_MAX;
    return (int)(deadline - now);
}

/*
 * Wait until the socket is ready in the direction libssh2 is blocked on.
 * Returns 0 when ready, -1 when the deadline passed or poll failed (then
 * poll_errno is set).
 */
static int
wait_io(struct conn *c)
{
    struct pollfd pfd = { .fd = c->fd, .events = 0, .revents = 0 };
    int dirs, left, n;

    dirs = libssh2_session_block_directions(c->session);
    if (dirs & LIBSSH2_SESSION_BLOCK_INBOUND)
        pfd.events |= POLLIN;
    if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        pfd.events |= POLLOUT;
    if (pfd.events == 0)
        pfd.events = POLLIN;
#ifdef TCP_QUICKACK
    /*
     * Acknowledge what we received now, not after the 40 ms delayed-ACK
     * timer: sshd writes with Nagle on until the session starts, so a
     * small answer it queued behind unacknowledged data waits for our ACK.
     * Linux leaves quick-ACK mode by itself, hence once per wait.
     */
    if (pfd.events & POLLIN) {
        int one = 1;

        (void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
            sizeof(one));
    }
#endif
    for (;;) {
        if ((left = ms_left(c->deadline)) == 0)
            return -1;
        n = poll(&pfd, 1, left);
        if (n > 0)
            return 0;
        if (n == -1 && errno != EINTR) {
            c->poll_errno = errno;
            return -1;
        }
    }
}

/* Thread-safe strerror (the XSI strerror_r). */
static const char *
errno_text(int e, char *buf, size_t len)
{
    if (strerror_r(e, buf, len) != 0)
        (void)snprintf(buf, len, "errno %d", e);
    return buf;
}

/* Fail after wait_io gave up: a timeout, or poll's own error. */
static int
fail_wait(struct conn *c, enum ssh_outcome outcome, const char *step,
    unsigned timeout_ms)
{
    char ebuf[128];

    if (c->poll_errno == 0)
        return fail(c, outcome, "%s: timed out after %u ms", step,
            timeout_ms);
    return fail(c, outcome, "%s: poll: %s", step,
        errno_text(c->poll_errno, ebuf, sizeof(ebuf)));
}

/*
 * Start a non-blocking connect to one address and wait for it until
 * deadline. Returns the socket, or -1 with *errp set (ETIMEDOUT on time).
 */
static int
connect_one(const struct addrinfo *ai, uint64_t deadline, int *errp)
{
    struct pollfd pfd;
    socklen_t len = sizeof(int);
    int fd, flags, one = 1, soerr = 0, n, rc = -1;

    if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
        ai->ai_protocol)) == -1)
        goto out;
    if ((flags = fcntl(fd, F_GETFL)) == -1 ||
        fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
        goto out;
    /* Handshake packets are small and answered one by one: no Nagle. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        rc = 0;
        goto out;
    }
    if (errno != EINPROGRESS)
        goto out;
    pfd.fd = fd;
    pfd.events = POLLOUT;
    do {
        n = poll(&pfd, 1, ms_left(deadline));
    } while (n == -1 && errno == EINTR);
    if (n == 0)
        errno = ETIMEDOUT;
    if (n <= 0)
        goto out;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
        goto out;
    errno = soerr;
    rc = soerr == 0 ? 0 : -1;
out:
    if (rc == -1) {
        *errp = errno;
        if (fd != -1)
            (void)close(fd);
        fd = -1;
    }
    return fd;
}

/*
 * Connect to the first address of host that answers. The time left is
 * shared among the addresses still to try, so one black hole cannot eat
 * the whole budget.
 */
static int
tcp_connect(struct conn *c)
{
    struct addrinfo hints, *ai = NULL, *p;
    char port[8], ebuf[128];
    int gai, n = 0, err = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    (void)snprintf(port, sizeof(port), "%d", c->port);
    if ((gai = getaddrinfo(c->host, port, &hints, &ai)) != 0)
        return fail(c, SSH_CONNECT_FAILED, "resolve %s: %s", c->host,
            gai == EAI_SYSTEM ? errno_text(errno, ebuf, sizeof(ebuf)) :
            gai_strerror(gai));
    for (p = ai; p != NULL; p = p->ai_next)
        n++;
    for (p = ai; p != NULL && c->fd == -1; p = p->ai_next, n--) {
        uint64_t slice = (uint64_t)ms_left(c->deadline) / (uint64_t)n;

        if (slice == 0)
            break;
        c->fd = connect_one(p, clock_mono_ms() + slice, &err);
    }
    freeaddrinfo(ai);
    if (c->fd != -1)
        return 0;
    if (err == ETIMEDOUT || err == 0)
        return fail(c, SSH_CONNECT_FAILED,
            "connect to %s port %d: timed out after %u ms", c->host,
            c->port, c->opts.connect_timeout_ms);
    return fail(c, SSH_CONNECT_FAILED, "connect to %s port %d: %s", c->host,
        c->port, errno_text(err, ebuf, sizeof(ebuf)));
}

/* Errors that mean the peer went away rather than spoke bad SSH. */
static bool
is_socket_error(int rc)
{
    return rc == LIBSSH2_ERROR_SOCKET_NONE ||
        rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_BANNER_SEND ||
        rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
        rc == LIBSSH2_ERROR_SOCKET_DISCONNECT;
}

/* A non-blocking session with known_hosts loaded and host key types set. */
static int
session_start(struct conn *c)
{
    char err[ALEXIS_ERR_MAX];

    if ((c->session = libssh2_session_init()) == NULL)
        return fail(c, SSH_LOCAL_ERROR, "libssh2_session_init failed");
    libssh2_session_set_blocking(c->session, 0);
    if ((c->known = ssh_known_load(c->session, c->opts.known_hosts, err,
        sizeof(err))) == NULL)
        return fail(c, SSH_LOCAL_ERROR, "%s", err);
    if (ssh_known_prefer(c->session, c->known, c->host, c->port, err,
        sizeof(err)) == -1)
        return fail(c, SSH_LOCAL_ERROR, "%s", err);
    return 0;
}

static int
handshake(struct conn *c)
{
    int rc;

    while ((rc = libssh2_session_handshake(c->session, c->fd)) ==
        LIBSSH2_ERROR_EAGAIN) {
        if (wait_io(c) == -1)
            return fail_wait(c, SSH_CONNECT_FAILED, "SSH handshake",
                c->opts.connect_timeout_ms);
    }
    if (rc != 0)
        return fail_ssh(c, is_socket_error(rc) ? SSH_CONNECT_FAILED :
            SSH_PROTOCOL_ERROR, "SSH handshake with %s port %d", c->host,
            c->port);
    c->handshaken = true;
    return 0;
}

static int
check_hostkey(struct conn *c)
{
    char err[ALEXIS_ERR_MAX];

    switch (ssh_known_check(c->session, c->known, c->host, c->port,
        c->opts.known_hosts, err, sizeof(err))) {
    case SSH_KNOWN_MATCH:
        return 0;
    case SSH_KNOWN_CHANGED:
        return fail(c, SSH_HOSTKEY_CHANGED, "%s", err);
    case SSH_KNOWN_UNKNOWN:
        return fail(c, SSH_HOSTKEY_UNKNOWN, "%s", err);
    default:
        return fail(c, SSH_PROTOCOL_ERROR, "%s", err);
    }
}

/* Whether libssh2 is given the public key, so that it decodes the private
 * key only to sign (see ssh_key.h). */
static bool
pub_given(const struct conn *c)
{
    return c->opts.key != NULL && c->opts.key->pub != NULL;
}

/*
 * One step of public key authentication: with the public key file when it
 * was found to match, else from memory when the key was read before, else
 * from the private key file alone (libssh2 derives the public key).
 */
static int
userauth(struct conn *c)
{
    const struct ssh_key *k = c->opts.key;
    const char *user = c->opts.user;

    if (k != NULL && k->pub_path != NULL)
        return libssh2_userauth_publickey_fromfile_ex(c->session, user,
            (unsigned)strlen(user), k->pub_path, c->opts.key_path,
            c->opts.passphrase);
    if (k == NULL)
        return libssh2_userauth_publickey_fromfile_ex(c->session, user,
            (unsigned)strlen(user), NULL, c->opts.key_path,
            c->opts.passphrase);
    return libssh2_userauth_publickey_frommemory(c->session, user,
        strlen(user), k->pub, k->pub != NULL ? k->pub_len : 0, k->priv,
        k->priv_len, c->opts.passphrase);
}

/*
 * With the public key given in memory, libssh2 decodes the private key
 * only to sign, after the server has accepted the public key: a wrong
 * passphrase then surfaces as LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED with this
 * message (libssh2 1.10 and 1.11), not as LIBSSH2_ERROR_FILE. A server
 * that refuses the signature gives the same code with another message.
 */
static bool
sign_failed(struct conn *c)
{
    char *msg = NULL;
    int len = 0;

    if (!pub_given(c))
        return false;
    (void)libssh2_session_last_error(c->session, &msg, &len, 0);
    return msg != NULL && len > 0 &&
        strstr(msg, "Callback returned error") != NULL;
}

static int
authenticate(struct conn *c)
{
    const char *user = c->opts.user;
    int rc;

    while ((rc = userauth(c)) == LIBSSH2_ERROR_EAGAIN) {
        if (wait_io(c) == -1)
            return fail_wait(c, SSH_CONNECT_FAILED, "authentication",
                c->opts.connect_timeout_ms);
    }
    switch (rc) {
    case 0:
        return 0;
    case LIBSSH2_ERROR_FILE:
        /* The key file is unreadable, malformed or the passphrase wrong. */
        return fail_ssh(c, SSH_LOCAL_ERROR, "private key %s",
            c->opts.key_path);
    case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
        if (sign_failed(c))
            return fail_ssh(c, SSH_LOCAL_ERROR, "private key %s cannot "
                "sign (unreadable, or wrong passphrase)", c->opts.key_path);
        /* FALLTHROUGH */
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
        return fail_ssh(c, SSH_AUTH_FAILED, "public key authentication as "
            "%s refused", user);
    default:
        return fail_ssh(c, is_socket_error(rc) ? SSH_CONNECT_FAILED :
            SSH_PROTOCOL_ERROR, "authentication as %s", user);
    }
}

/* Open a session channel, request exec and close our stdin. */
static int
start_command(struct conn *c, const char *command)
{
    unsigned tmo = c->opts.command_timeout_ms;
    int rc;

    while ((c->channel = libssh2_channel_open_session(c->session)) == NULL) {
        if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_EAGAIN)
            return fail_ssh(c, SSH_PROTOCOL_ERROR, "opening a channel");
        if (wait_io(c) == -1)
            return fail_wait(c, SSH_COMMAND_TIMEOUT, "opening a channel", tmo);
    }
    c->res->command_sent = true;
    while ((rc = libssh2_channel_exec(c->channel, command)) ==
        LIBSSH2_ERROR_EAGAIN) {
        if (wait_io(c) == -1)
            return fail_wait(c, SSH_COMMAND_TIMEOUT, "exec request", tmo);
    }
    if (rc != 0)
        return fail_ssh(c, SSH_PROTOCOL_ERROR, "exec request");
    /* The command reads an empty stdin: "cat" ends instead of hanging. */
    while ((rc = libssh2_channel_send_eof(c->channel)) ==
        LIBSSH2_ERROR_EAGAIN) {
        if (wait_io(c) == -1)
            return fail_wait(c, SSH_COMMAND_TIMEOUT, "closing stdin", tmo);
    }
    if (rc != 0)
        return fail_ssh(c, SSH_PROTOCOL_ERROR, "closing stdin");
    return 0;
}

/* Keep what fits under the cap; the rest is dropped and flagged. */
static void
keep(struct buf *b, bool *truncated, const char *p, size_t n)
{
    size_t room = b->max - b->len;

    if (n > room) {
        *truncated = true;
        n = room;
    }
    if (n > 0 && buf_append(b, p, n) == -1)
        *truncated = true;
}

/*
 * Read what is available on one stream, at most READ_ROUNDS chunks so the
 * other stream has its turn. Returns the number of chunks read (0 when
 * the stream would block or is at EOF) or -1 on error.
 */
static int
read_stream(struct conn *c, int stream, struct buf *b, bool *truncated)
{
    char chunk[READ_CHUNK];
    ssize_t n;
    int rounds;

    for (rounds = 0; rounds < READ_ROUNDS; rounds++) {
        n = libssh2_channel_read_ex(c->channel, stream, chunk, sizeof(chunk));
        if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
            break;
        if (n < 0)
            return fail_ssh(c, SSH_PROTOCOL_ERROR, "reading %s",
                stream == 0 ? "stdout" : "stderr");
        keep(b, truncated, chunk, (size_t)n);
    }
    return rounds;
}

/*
 * Read stdout and stderr in turns until the remote sends EOF. Past the cap
 * we keep reading and discarding, so the channel window stays open and the
 * remote command is never blocked on a full pipe.
 */
static int
read_output(struct conn *c)
{
    struct ssh_result *r = c->res;
    int nout, nerr;

    for (;;) {
        if (ms_left(c->deadline) == 0)
            return fail(c, SSH_COMMAND_TIMEOUT, "command timed out after %u ms",
                c->opts.command_timeout_ms);
        if ((nout = read_stream(c, 0, &c->out, &r->out_truncated)) == -1)
            return -1;
        if ((nerr = read_stream(c, SSH_EXTENDED_DATA_STDERR, &c->err,
            &r->err_truncated)) == -1)
            return -1;
        /* True only once EOF came and no data of either stream is left. */
        if (libssh2_channel_eof(c->channel) == 1)
            return 0;
        if (nout == 0 && nerr == 0 && wait_io(c) == -1) {
            if (c->poll_errno != 0)
                return fail_wait(c, SSH_PROTOCOL_ERROR, "reading output", 0);
            return fail(c, SSH_COMMAND_TIMEOUT, "command timed out after %u ms",
                c->opts.command_timeout_ms);
        }
    }
}

/* Copy the exit signal name, keeping only characters a name may have. */
static void
take_signal(struct conn *c, char *sig, size_t len)
{
    char *dst = c->res->signal;
    size_t i;

    if (len >= sizeof(c->res->signal))
        len = sizeof(c->res->signal) - 1;
    for (i = 0; i < len; i++) {
        char ch = sig[i];

        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
            (ch >= '0' && ch <= '9') || ch == '_')
            dst[i] = ch;
        else
            dst[i] = '?';
    }
    dst[len] = '\0';
}

/* Close the channel, wait for the remote close, then collect the status. */
static int
finish_command(struct conn *c)
{
    unsigned tmo = c->opts.command_timeout_ms;
    char *sig = NULL;
    size_t siglen = 0;
    int rc;

    while ((rc = libssh2_channel_close(c->channel)) == LIBSSH2_ERROR_EAGAIN) {
        if (wait_io(c) == -1)
            return fail_wait(c, SSH_COMMAND_TIMEOUT, "closing the channel",
                tmo);
    }
    if (rc == 0) {
        while ((rc = libssh2_channel_wait_closed(c->channel)) ==
            LIBSSH2_ERROR_EAGAIN) {
            if (wait_io(c) == -1)
                return fail_wait(c, SSH_COMMAND_TIMEOUT,
                    "closing the channel", tmo);
        }
    }
    if (rc != 0)
        return fail_ssh(c, SSH_PROTOCOL_ERROR, "closing the channel");
    (void)libssh2_channel_get_exit_signal(c->channel, &sig, &siglen, NULL,
        NULL, NULL, NULL);
    if (sig != NULL && siglen > 0) {
        take_signal(c, sig, siglen);
        c->res->exit_status = -1;
    } else {
        /* libssh2 reports 0 when the server sent no exit-status at all. */
        c->res->exit_status = libssh2_channel_get_exit_status(c->channel);
    }
    if (sig != NULL)
        libssh2_free(c->session, sig);
    return 0;
}

/*
 * After a timeout: send SIGTERM where libssh2 can (>= 1.11) and close the
 * channel, within SSH_CLOSE_GRACE_MS. OpenSSH answers our close only once
 * the command has exited, so without a signal there is no answer worth
 * waiting for: we stop once our close is sent, and the command runs on
 * until it ends by itself or writes to its closed output.
 */
static void
abort_command(struct conn *c)
{
    bool wait_reply = HAVE_LIBSSH2_CHANNEL_SIGNAL;

    c->deadline = clock_mono_ms() + SSH_CLOSE_GRACE_MS;
#if HAVE_LIBSSH2_CHANNEL_SIGNAL
    while (libssh2_channel_signal_ex(c->channel, "TERM", 4) ==
        LIBSSH2_ERROR_EAGAIN) {
        if (wait_io(c) == -1)
            return;
    }
#endif
    while (libssh2_channel_close(c->channel) == LIBSSH2_ERROR_EAGAIN) {
        if (!wait_reply && !(libssh2_session_block_directions(c->session) &
            LIBSSH2_SESSION_BLOCK_OUTBOUND))
            return;
        if (wait_io(c) == -1)
            return;
    }
}

static int
run_command(struct conn *c, const char *command)
{
    int rc = -1;

    if (start_command(c, command) == -1)
        goto out;
    if (read_output(c) == -1)
        goto out;
    if (finish_command(c) == -1)
        goto out;
    rc = 0;
out:
    if (rc == -1 && c->res->outcome == SSH_COMMAND_TIMEOUT &&
        c->channel != NULL)
        abort_command(c);
    return rc;
}

/*
 * Say goodbye when the session is healthy (bounded by SSH_CLOSE_GRACE_MS),
 * then shut the socket down before freeing the session: from then on every
 * libssh2 write fails at once instead of answering EAGAIN, so freeing
 * cannot block or spin.
 */
static void
teardown(struct conn *c)
{
    int i;

    if (c->session != NULL && c->handshaken && !c->broken) {
        c->deadline = clock_mono_ms() + SSH_CLOSE_GRACE_MS;
        while (libssh2_session_disconnect(c->session, "done") ==
            LIBSSH2_ERROR_EAGAIN) {
            if (wait_io(c) == -1)
                break;
        }
    }
    if (c->fd != -1)
        (void)shutdown(c->fd, SHUT_RDWR);
    if (c->channel != NULL) {
        for (i = 0; i < FREE_ATTEMPTS; i++) {
            if (libssh2_channel_free(c->channel) != LIBSSH2_ERROR_EAGAIN)
                break;
        }
        c->channel = NULL;
    }
    if (c->known != NULL)
        libssh2_knownhost_free(c->known);
    if (c->session != NULL) {
        for (i = 0; i < FREE_ATTEMPTS; i++) {
            if (libssh2_session_free(c->session) != LIBSSH2_ERROR_EAGAIN)
                break;
        }
    }
    if (c->fd != -1)
        (void)close(c->fd);
    c->known = NULL;
    c->session = NULL;
    c->fd = -1;
}

static unsigned
clamp_ms(unsigned v, unsigned def)
{
    if (v == 0)
        return def;
    return v > SSH_TIMEOUT_MS_MAX ? SSH_TIMEOUT_MS_MAX : v;
}

static void
conn_init(struct conn *c, const char *host, int port,
    const struct ssh_opts *opts, struct ssh_result *res)
{
    memset(res, 0, sizeof(*res));
    res->outcome = SSH_LOCAL_ERROR;
    res->exit_status = -1;
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->host = host;
    c->port = port;
    c->res = res;
    if (opts != NULL)
        c->opts = *opts;
    c->opts.connect_timeout_ms = clamp_ms(c->opts.connect_timeout_ms,
        SSH_CONNECT_TIMEOUT_MS_DEFAULT);
    c->opts.command_timeout_ms = clamp_ms(c->opts.command_timeout_ms,
        SSH_COMMAND_TIMEOUT_MS_DEFAULT);
    if (c->opts.output_max == 0)
        c->opts.output_max = SSH_OUTPUT_MAX_DEFAULT;
    if (c->opts.output_max > SSH_OUTPUT_MAX_CEILING)
        c->opts.output_max = SSH_OUTPUT_MAX_CEILING;
    buf_init(&c->out, c->opts.output_max);
    buf_init(&c->err, c->opts.output_max);
}

static int
check_args(struct conn *c, const char *command)
{
    const struct ssh_opts *o = &c->opts;

    if (c->host == NULL || c->host[0] == '\0' ||
        strlen(c->host) > SSH_HOST_MAX)
        return fail(c, SSH_LOCAL_ERROR, "invalid host");
    if (c->port < 1 || c->port > 65535)
        return fail(c, SSH_LOCAL_ERROR, "invalid port %d", c->port);
    if (o->user == NULL || o->user[0] == '\0' ||
        strlen(o->user) > SSH_USER_MAX)
        return fail(c, SSH_LOCAL_ERROR, "missing or oversized user name");
    if (o->key_path == NULL || o->key_path[0] == '\0')
        return fail(c, SSH_LOCAL_ERROR, "no private key given");
    if (o->known_hosts == NULL || o->known_hosts[0] == '\0')
        return fail(c, SSH_LOCAL_ERROR, "no known_hosts file given");
    if (command == NULL || strlen(command) > SSH_COMMAND_MAX)
        return fail(c, SSH_LOCAL_ERROR, "missing or oversized command");
    return 0;
}

int
ssh_exec(const char *host, int port, const struct ssh_opts *opts,
    const char *command, struct ssh_result *res)
{
    struct conn c;
    uint64_t start = clock_mono_ms();
    int rc = -1;

    conn_init(&c, host, port, opts, res);
    if (check_args(&c, command) == -1)
        goto out;
    if (session_start(&c) == -1)
        goto out;
    c.deadline = start + c.opts.connect_timeout_ms;
    if (tcp_connect(&c) == -1)
        goto out;
    if (handshake(&c) == -1)
        goto out;
    if (check_hostkey(&c) == -1)
        goto out;
    if (authenticate(&c) == -1)
        goto out;
    c.deadline = clock_mono_ms() + c.opts.command_timeout_ms;
    if (run_command(&c, command) == -1)
        goto out;
    res->outcome = SSH_OK;
    res->error[0] = '\0';
    rc = 0;
out:
    teardown(&c);
    /* Say what failed, not where our secrets live (issue 11): no key or
     * known_hosts path in an error that reaches jobs and tickets. */
    if (opts->key != NULL && opts->key->pub_path != NULL)
        str_redact(res->error, sizeof(res->error), opts->key->pub_path,
            "the public key (ssh_key.pub)");
    str_redact(res->error, sizeof(res->error), opts->key_path,
        "(ssh_key)");
    str_redact(res->error, sizeof(res->error), opts->known_hosts,
        "known_hosts");
    res->out_len = c.out.len;
    res->out = buf_steal(&c.out);
    res->err_len = c.err.len;
    res->err = buf_steal(&c.err);
    res->duration_ms = clock_mono_ms() - start;
    return rc;
}
