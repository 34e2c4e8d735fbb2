/*
 * One command on one host over SSH (libssh2). ssh_exec connects over TCP
 * without blocking, runs the SSH handshake, checks the host key against an
 * OpenSSH known_hosts file, authenticates with a private key file, runs the
 * command and reads stdout and stderr concurrently under a hard cap. Every
 * step runs on a non-blocking socket driven by poll() against a deadline.
 * The action handler calls it once per (task, entity), from worker threads.
 */
#ifndef ALEXIS_SSH_H
#define ALEXIS_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alexis_limits.h"
#include "compat.h"

struct ssh_key;

struct ssh_opts {
    const char *user;
    const char *key_path;       /* private key file (OpenSSH or PEM) */
    const struct ssh_key *key;  /* that file already read (ssh_key_load),
                                   or NULL to read key_path per call */
    const char *passphrase;     /* NULL if none; the caller wipes it */
    const char *known_hosts;    /* OpenSSH format; hashed entries work */
    unsigned    connect_timeout_ms; /* TCP connect + handshake + auth */
    unsigned    command_timeout_ms; /* exec until the channel is closed */
    size_t      output_max;     /* bytes kept per stream */
};

enum ssh_outcome {
    SSH_OK,                 /* the command ran: see exit_status, signal */
    SSH_CONNECT_FAILED,     /* DNS, refused, unreachable, timeout */
    SSH_HOSTKEY_UNKNOWN,    /* no known_hosts entry of the offered type */
    SSH_HOSTKEY_CHANGED,    /* an entry exists with a different key */
    SSH_AUTH_FAILED,        /* the server refused our key */
    SSH_COMMAND_TIMEOUT,    /* command_timeout_ms passed; channel closed */
    SSH_PROTOCOL_ERROR,     /* the SSH session failed after connecting */
    SSH_LOCAL_ERROR         /* bad options, unreadable key/known_hosts */
};

struct ssh_result {
    enum ssh_outcome outcome;
    int         exit_status;    /* -1 when none (signal, failure); libssh2
                                   says 0 if the server sent no status at
                                   all (OpenSSH always sends one) */
    char        signal[SSH_SIGNAL_MAX]; /* "TERM"; "" when none */
    char       *out;            /* stdout, NUL-terminated, may hold NULs */
    size_t      out_len;
    bool        out_truncated;  /* more than output_max bytes arrived */
    char       *err;            /* stderr, same rules */
    size_t      err_len;
    bool        err_truncated;
    bool        command_sent;   /* exec was requested: the command may
                                   have run even when outcome != SSH_OK */
    uint64_t    duration_ms;    /* wall time of the whole ssh_exec call */
    char        error[ALEXIS_ERR_MAX];   /* one sentence; "" on SSH_OK */
};

/*
 * Initialise libssh2 (and its crypto backend). Call once from main, before
 * any thread starts and before any ssh_exec. Returns 0 or -1.
 */
int ssh_global_init(void) ATTR_WUR;

/* Release what ssh_global_init set up; call once at exit. */
void ssh_global_cleanup(void);

/* The libssh2 version in use at run time, e.g. "1.10.0". */
const char *ssh_library_version(void);

/* Fill opts with the defaults and no credentials. */
void ssh_opts_init(struct ssh_opts *opts);

/* A stable snake_case name for logs and JSON ("ok", "hostkey_changed"). */
const char *ssh_outcome_name(enum ssh_outcome outcome);

/*
 * Run command on host:port (host: a name, an IPv4 or a bare IPv6 literal)
 * as opts->user, authenticating with opts->key (or, when NULL, the file
 * opts->key_path, read for this call). The host key must match
 * a known_hosts entry for "[host]:port" or "host" (libssh2_knownhost_checkp
 * semantics: a plain "host" entry is accepted on any port); the key type
 * negotiated is one known_hosts holds for that host when there is one. On
 * an unknown or changed key nothing is sent after the handshake.
 *
 * The command reads an empty stdin (EOF is sent at once). Both output
 * streams are read concurrently; past output_max bytes the rest is read and
 * discarded so the remote never blocks. When command_timeout_ms passes, the
 * command is sent SIGTERM where libssh2 supports it, the channel is closed
 * (waiting at most SSH_CLOSE_GRACE_MS) and the outcome is
 * SSH_COMMAND_TIMEOUT with the output read so far.
 *
 * Always fills *res (free it with ssh_result_free), including out/err,
 * which are never NULL. Returns 0 when the outcome is SSH_OK, -1 otherwise.
 * The error sentence names the step and carries libssh2's message; it never
 * contains key material or the passphrase.
 *
 * Limits: name resolution (getaddrinfo) is bounded by the resolver's own
 * timeouts, not by connect_timeout_ms. libssh2 < 1.11 can neither send
 * signals nor sign with rsa-sha2-*: an RSA user key is then refused by
 * OpenSSH >= 8.8 unless the server allows ssh-rsa.
 *
 * Thread-safe once ssh_global_init has run: each call owns its session.
 */
int ssh_exec(const char *host, int port, const struct ssh_opts *opts,
    const char *command, struct ssh_result *res) ATTR_WUR;

/* Free the output buffers of res; accepts NULL and a freed result. */
void ssh_result_free(struct ssh_result *res);

#endif
