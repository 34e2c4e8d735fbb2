/*
 * alexis-ssh-probe: run one command on one host through ssh_exec, exactly
 * as the action handler does, and print the result as one JSON object on
 * stdout. The integration tests and the SSH benchmark drive the client
 * through it; an operator can use it to try a host, key and known_hosts.
 *
 *   alexis-ssh-probe --host H --port P --user U --key F --known-hosts F
 *       [--passphrase-file F] [--connect-timeout-ms N] [--timeout-ms N]
 *       [--output-max N] -- COMMAND...
 *
 * Exit status: 0 when the command ran (whatever its own status), 1 when it
 * did not (see "outcome"), 2 on bad usage or a local setup error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "buf.h"
#include "file.h"
#include "json.h"
#include "ssh.h"
#include "str.h"
#include "xmem.h"

struct probe_args {
    const char *host;
    const char *user;
    const char *key;
    const char *known_hosts;
    const char *passphrase_file;
    uint64_t    port;
    uint64_t    connect_timeout_ms;
    uint64_t    timeout_ms;
    uint64_t    output_max;
    char       *command;    /* caller frees */
};

enum {
    OPT_HOST = 1, OPT_PORT, OPT_USER, OPT_KEY, OPT_KNOWN_HOSTS,
    OPT_PASSPHRASE_FILE, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT, OPT_OUTPUT_MAX,
    OPT_VERSION, OPT_HELP
};

static const struct option long_options[] = {
    { "host", required_argument, NULL, OPT_HOST },
    { "port", required_argument, NULL, OPT_PORT },
    { "user", required_argument, NULL, OPT_USER },
    { "key", required_argument, NULL, OPT_KEY },
    { "known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
    { "passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE },
    { "connect-timeout-ms", required_argument, NULL, OPT_CONNECT_TIMEOUT },
    { "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
    { "output-max", required_argument, NULL, OPT_OUTPUT_MAX },
    { "version", no_argument, NULL, OPT_VERSION },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
    fprintf(f, "usage: alexis-ssh-probe --host H --port P --user U --key F "
        "--known-hosts F\n"
        "           [--passphrase-file F] [--connect-timeout-ms N] "
        "[--timeout-ms N]\n"
        "           [--output-max N] -- COMMAND...\n"
        "       alexis-ssh-probe --version\n");
}

static int
number(const char *name, const char *s, uint64_t min, uint64_t max,
    uint64_t *out)
{
    const char *errstr = NULL;

    if (str_to_u64(s, min, max, out, &errstr) == -1) {
        fprintf(stderr, "alexis-ssh-probe: --%s: %s: %s\n", name, s, errstr);
        return -1;
    }
    return 0;
}

/* Apply one option; -1 on a bad value. */
static int
set_option(struct probe_args *a, int opt, const char *v)
{
    switch (opt) {
    case OPT_HOST:
        a->host = v;
        return 0;
    case OPT_PORT:
        return number("port", v, 1, 65535, &a->port);
    case OPT_USER:
        a->user = v;
        return 0;
    case OPT_KEY:
        a->key = v;
        return 0;
    case OPT_KNOWN_HOSTS:
        a->known_hosts = v;
        return 0;
    case OPT_PASSPHRASE_FILE:
        a->passphrase_file = v;
        return 0;
    case OPT_CONNECT_TIMEOUT:
        return number("connect-timeout-ms", v, 1, SSH_TIMEOUT_MS_MAX,
            &a->connect_timeout_ms);
    case OPT_TIMEOUT:
        return number("timeout-ms", v, 1, SSH_TIMEOUT_MS_MAX,
            &a->timeout_ms);
    case OPT_OUTPUT_MAX:
        return number("output-max", v, 1, SSH_OUTPUT_MAX_CEILING,
            &a->output_max);
    default:
        return -1;
    }
}

/* The words after "--" joined by spaces, as ssh(1) does. */
static char *
join_command(int argc, char **argv)
{
    struct buf b;
    int i;

    buf_init(&b, SSH_COMMAND_MAX);
    for (i = 0; i < argc; i++) {
        if ((i > 0 && buf_appends(&b, " ") == -1) ||
            buf_appends(&b, argv[i]) == -1) {
            buf_free(&b);
            return NULL;
        }
    }
    return buf_steal(&b);
}

/* 0 when the arguments are complete, 1 for --version/--help, -1 on error. */
static int
parse_args(int argc, char **argv, struct probe_args *a)
{
    int opt;

    memset(a, 0, sizeof(*a));
    a->port = 22;
    while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (opt == OPT_VERSION) {
            printf("alexis-ssh-probe (libssh2 %s)\n", ssh_library_version());
            return 1;
        }
        if (opt == OPT_HELP) {
            usage(stdout);
            return 1;
        }
        if (opt == '?' || set_option(a, opt, optarg) == -1)
            return -1;
    }
    if (a->host == NULL || a->user == NULL || a->key == NULL ||
        a->known_hosts == NULL || optind >= argc) {
        usage(stderr);
        return -1;
    }
    if ((a->command = join_command(argc - optind, argv + optind)) == NULL) {
        fprintf(stderr, "alexis-ssh-probe: command longer than %d bytes\n",
            SSH_COMMAND_MAX);
        return -1;
    }
    return 0;
}

/* The first line of the file, without its line end. Caller wipes, frees. */
static char *
read_passphrase(const char *path, size_t *lenp)
{
    char err[ALEXIS_ERR_MAX];
    char *p;

    if ((p = file_first_line(path, SSH_PASSPHRASE_FILE_MAX, lenp, err,
        sizeof(err))) == NULL)
        fprintf(stderr, "alexis-ssh-probe: %s\n", err);
    return p;
}

static int
print_result(const struct ssh_result *r)
{
    FILE *f = stdout;

    fprintf(f, "{\"outcome\":\"%s\",\"exit_status\":%d,\"signal\":",
        ssh_outcome_name(r->outcome), r->exit_status);
    json_write_string(f, r->signal, strlen(r->signal));
    fputs(",\"stdout\":", f);
    json_write_string(f, r->out, r->out_len);
    fputs(",\"stderr\":", f);
    json_write_string(f, r->err, r->err_len);
    fprintf(f, ",\"stdout_truncated\":%s,\"stderr_truncated\":%s,"
        "\"command_sent\":%s,\"duration_ms\":%llu,\"error\":",
        r->out_truncated ? "true" : "false",
        r->err_truncated ? "true" : "false",
        r->command_sent ? "true" : "false",
        (unsigned long long)r->duration_ms);
    json_write_string(f, r->error, strlen(r->error));
    fputs("}\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* Options not given stay 0, which ssh_exec reads as its defaults. */
static void
make_opts(const struct probe_args *a, const char *pass, struct ssh_opts *o)
{
    ssh_opts_init(o);
    o->user = a->user;
    o->key_path = a->key;
    o->known_hosts = a->known_hosts;
    o->passphrase = pass;
    o->connect_timeout_ms = (unsigned)a->connect_timeout_ms;
    o->command_timeout_ms = (unsigned)a->timeout_ms;
    o->output_max = (size_t)a->output_max;
}

int
main(int argc, char **argv)
{
    struct probe_args a;
    struct ssh_opts opts;
    struct ssh_result res;
    struct sigaction sa;
    char *pass = NULL;
    size_t passlen = 0;
    int rc = 2, parsed;

    /* A peer that goes away must never kill us on a write. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    (void)sigaction(SIGPIPE, &sa, NULL);
    if ((parsed = parse_args(argc, argv, &a)) != 0) {
        rc = parsed == 1 ? 0 : 2;
        goto out;
    }
    if (a.passphrase_file != NULL &&
        (pass = read_passphrase(a.passphrase_file, &passlen)) == NULL)
        goto out;
    /* Once per process, before any session (and any thread). */
    if (ssh_global_init() == -1) {
        fprintf(stderr, "alexis-ssh-probe: libssh2_init failed\n");
        goto out;
    }
    make_opts(&a, pass, &opts);
    rc = ssh_exec(a.host, (int)a.port, &opts, a.command, &res) == 0 ? 0 : 1;
    if (pass != NULL) {
        explicit_bzero(pass, passlen);
        free(pass);
        pass = NULL;
    }
    if (print_result(&res) == -1)
        rc = 2;
    ssh_result_free(&res);
    ssh_global_cleanup();
out:
    if (pass != NULL) {
        explicit_bzero(pass, passlen);
        free(pass);
    }
    free(a.command);
    return rc;
}
