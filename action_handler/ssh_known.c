/*
 * known_hosts for the SSH client: bounded loading, host key algorithm
 * preference and the host key check, on top of libssh2's knownhost API.
 * Used only by ssh.c, once per connection (the file is re-read every time,
 * so an edited known_hosts takes effect on the next command).
 */
#include "ssh_known.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "file.h"
#include "ssh_err.h"
#include "str.h"
#include "xmem.h"

#define TYPE_LIST_MAX       256     /* "ssh-ed25519,ecdsa-sha2-...,..." */
#define HOST_LABEL_MAX      (SSH_HOST_MAX + 16)     /* "[host]:65535" */
#define FINGERPRINT_MAX     64      /* "SHA256:" + 43 base64 characters */
#define SHA256_LEN          32

/* The host key types we negotiate, in order of preference. */
static const struct keytype {
    int         hostkey;    /* LIBSSH2_HOSTKEY_TYPE_* */
    int         known;      /* LIBSSH2_KNOWNHOST_KEY_* */
    const char *name;       /* as written in known_hosts */
    const char *methods[4]; /* host key algorithms, NULL-terminated */
} keytypes[] = {
    { LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519,
      "ssh-ed25519", { "ssh-ed25519", NULL } },
    { LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256,
      "ecdsa-sha2-nistp256", { "ecdsa-sha2-nistp256", NULL } },
    { LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384,
      "ecdsa-sha2-nistp384", { "ecdsa-sha2-nistp384", NULL } },
    { LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521,
      "ecdsa-sha2-nistp521", { "ecdsa-sha2-nistp521", NULL } },
    { LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA,
      "ssh-rsa", { "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", NULL } },
};

/* The algorithms this libssh2 supports (libssh2_session_supported_algs). */
struct algs {
    const char **names;
    int          n;
};

/*
 * Add one line (trimmed and NUL-terminated in place); blank lines and
 * comments are skipped.
 */
static int
add_line(LIBSSH2_SESSION *session, LIBSSH2_KNOWNHOSTS *known,
    const char *path, unsigned lineno, char *line, size_t len,
    char *err, size_t errlen)
{
    while (len > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    /* libssh2 would keep a trailing '\r' as part of the key. */
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
        line[len - 1] == '\r'))
        len--;
    /* libssh2 1.10 reads the byte at line[len] and, if it is '\n', drops
     * the key's last character: the line must end with a NUL. */
    line[len] = '\0';
    if (len == 0 || *line == '#')
        return 0;
    if (*line == '@') {
        (void)snprintf(err, errlen, "%s:%u: marker lines (@revoked, "
            "@cert-authority) are not supported", path, lineno);
        return -1;
    }
    if (libssh2_knownhost_readline(known, line, len,
        LIBSSH2_KNOWNHOST_FILE_OPENSSH) != 0) {
        ssh_err_last(session, err, errlen, "%s:%u", path, lineno);
        return -1;
    }
    return 0;
}

LIBSSH2_KNOWNHOSTS *
ssh_known_load(LIBSSH2_SESSION *session, const char *path, char *err,
    size_t errlen)
{
    LIBSSH2_KNOWNHOSTS *known = NULL;
    char *text = NULL, *p, *end, *eol;
    size_t len = 0;
    unsigned lineno = 0;

    if ((text = file_slurp(path, SSH_KNOWN_HOSTS_MAX, &len, err,
        errlen)) == NULL)
        goto out;
    if ((known = libssh2_knownhost_init(session)) == NULL) {
        ssh_err_last(session, err, errlen, "%s", path);
        goto out;
    }
    for (p = text, end = text + len; p < end; p = eol + 1) {
        if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
            eol = end;
        if (add_line(session, known, path, ++lineno, p, (size_t)(eol - p),
            err, errlen) == -1) {
            libssh2_knownhost_free(known);
            known = NULL;
            goto out;
        }
    }
out:
    free(text);
    return known;
}

/*
 * True when known_hosts has an entry of this key type for host:port. The
 * probe key "x" never equals a real key, and libssh2 (>= 1.9) compares key
 * types, so a name-and-type match answers MISMATCH.
 */
static bool
knows_type(LIBSSH2_KNOWNHOSTS *known, const char *host, int port, int type)
{
    return libssh2_knownhost_checkp(known, host, port, "x", 1,
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type,
        NULL) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH;
}

static int
append_item(char *list, size_t size, size_t *len, const char *item)
{
    int n;

    n = snprintf(list + *len, size - *len, "%s%s", *len > 0 ? "," : "",
        item);
    if (n < 0 || (size_t)n >= size - *len)
        return -1;
    *len += (size_t)n;
    return 0;
}

static bool
supported(const struct algs *algs, const char *name)
{
    int i;

    for (i = 0; i < algs->n; i++) {
        if (strcmp(algs->names[i], name) == 0)
            return true;
    }
    return false;
}

/*
 * Append to list the key types known (want_known) or not known for
 * host:port: their known_hosts names, or with algs their host key
 * algorithms that this libssh2 supports.
 */
static int
type_list(LIBSSH2_KNOWNHOSTS *known, const char *host, int port,
    bool want_known, const struct algs *algs, char *list, size_t size,
    size_t *len)
{
    const char *const *m;
    size_t i;

    for (i = 0; i < NELEM(keytypes); i++) {
        if (knows_type(known, host, port, keytypes[i].known) != want_known)
            continue;
        if (algs == NULL) {
            if (append_item(list, size, len, keytypes[i].name) == -1)
                return -1;
            continue;
        }
        for (m = keytypes[i].methods; *m != NULL; m++) {
            if (supported(algs, *m) &&
                append_item(list, size, len, *m) == -1)
                return -1;
        }
    }
    return 0;
}

int
ssh_known_prefer(LIBSSH2_SESSION *session, LIBSSH2_KNOWNHOSTS *known,
    const char *host, int port, char *err, size_t errlen)
{
    struct algs algs = { NULL, 0 };
    char list[TYPE_LIST_MAX];
    size_t len = 0;
    int rc = -1;

    /* Only names libssh2 knows: its method_pref (1.10) strips unknown
     * ones with an overlapping memcpy. */
    if ((algs.n = libssh2_session_supported_algs(session,
        LIBSSH2_METHOD_HOSTKEY, &algs.names)) <= 0) {
        ssh_err_last(session, err, errlen, "host key algorithms");
        goto out;
    }
    list[0] = '\0';
    if (type_list(known, host, port, true, &algs, list, sizeof(list),
        &len) == -1 ||
        type_list(known, host, port, false, &algs, list, sizeof(list),
        &len) == -1) {
        (void)snprintf(err, errlen, "host key algorithm list too long");
        goto out;
    }
    if (libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY,
        list) != 0) {
        ssh_err_last(session, err, errlen, "host key algorithms");
        goto out;
    }
    rc = 0;
out:
    if (algs.names != NULL)
        libssh2_free(session, (void *)algs.names);
    return rc;
}

/* "SHA256:<base64 without padding>", as OpenSSH prints fingerprints. */
static void
fingerprint(LIBSSH2_SESSION *session, char *out, size_t outlen)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *h;
    size_t i, o;
    uint32_t v;

    h = (const unsigned char *)libssh2_hostkey_hash(session,
        LIBSSH2_HOSTKEY_HASH_SHA256);
    if (h == NULL || outlen < FINGERPRINT_MAX) {
        (void)snprintf(out, outlen, "SHA256:?");
        return;
    }
    o = (size_t)snprintf(out, outlen, "SHA256:");
    for (i = 0; i < SHA256_LEN; i += 3) {
        v = (uint32_t)h[i] << 16;
        if (i + 1 < SHA256_LEN)
            v |= (uint32_t)h[i + 1] << 8;
        if (i + 2 < SHA256_LEN)
            v |= h[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        if (i + 1 < SHA256_LEN)
            out[o++] = b64[(v >> 6) & 63];
        if (i + 2 < SHA256_LEN)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0';
}

static const struct keytype *
keytype_by_hostkey(int hostkey)
{
    size_t i;

    for (i = 0; i < NELEM(keytypes); i++) {
        if (keytypes[i].hostkey == hostkey)
            return &keytypes[i];
    }
    return NULL;
}

/* Explain an unknown host: which types, if any, we do know for it. */
static void
unknown_error(LIBSSH2_KNOWNHOSTS *known, const char *host, int port,
    const char *label, const char *type, const char *fp, const char *path,
    char *err, size_t errlen)
{
    char others[TYPE_LIST_MAX];
    size_t len = 0;

    others[0] = '\0';
    (void)type_list(known, host, port, true, NULL, others, sizeof(others),
        &len);
    (void)snprintf(err, errlen, "host key for %s unknown: no %s key for it "
        "in %s (offered %s)%s%s%s", label, type, path, fp,
        len > 0 ? "; known types " : "", others,
        len > 0 ? " were not agreed on" : "");
}

enum ssh_known_status
ssh_known_check(LIBSSH2_SESSION *session, LIBSSH2_KNOWNHOSTS *known,
    const char *host, int port, const char *path, char *err, size_t errlen)
{
    const struct keytype *kt;
    const char *key;
    char label[HOST_LABEL_MAX], fp[FINGERPRINT_MAX];
    size_t keylen = 0;
    int type = 0;

    if (port == 22)
        (void)snprintf(label, sizeof(label), "%s", host);
    else
        (void)snprintf(label, sizeof(label), "[%s]:%d", host, port);
    if ((key = libssh2_session_hostkey(session, &keylen, &type)) == NULL) {
        ssh_err_last(session, err, errlen, "host key");
        return SSH_KNOWN_ERROR;
    }
    fingerprint(session, fp, sizeof(fp));
    if ((kt = keytype_by_hostkey(type)) == NULL) {
        (void)snprintf(err, errlen, "host key for %s (%s) is of an "
            "unsupported type", label, fp);
        return SSH_KNOWN_UNKNOWN;
    }
    switch (libssh2_knownhost_checkp(known, host, port, key, keylen,
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
        kt->known, NULL)) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return SSH_KNOWN_MATCH;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        (void)snprintf(err, errlen, "host key for %s changed: the %s key "
            "offered (%s) differs from the one in %s", label, kt->name, fp,
            path);
        return SSH_KNOWN_CHANGED;
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        unknown_error(known, host, port, label, kt->name, fp, path, err,
            errlen);
        return SSH_KNOWN_UNKNOWN;
    default:
        ssh_err_last(session, err, errlen, "checking %s", path);
        return SSH_KNOWN_ERROR;
    }
}

struct ssh_known_set {
    LIBSSH2_SESSION    *session;
    LIBSSH2_KNOWNHOSTS *known;
};

struct ssh_known_set *
ssh_known_open(const char *path, char *err, size_t errlen)
{
    struct ssh_known_set *ks;

    ks = xcalloc(1, sizeof(*ks));
    if ((ks->session = libssh2_session_init()) == NULL) {
        (void)snprintf(err, errlen, "libssh2_session_init failed");
        ssh_known_close(ks);
        return NULL;
    }
    if ((ks->known = ssh_known_load(ks->session, path, err,
        errlen)) == NULL) {
        str_redact(err, errlen, path, "known_hosts");
        ssh_known_close(ks);
        return NULL;
    }
    return ks;
}

bool
ssh_known_listed(struct ssh_known_set *ks, const char *host, int port)
{
    size_t i;

    for (i = 0; i < NELEM(keytypes); i++) {
        if (knows_type(ks->known, host, port, keytypes[i].known))
            return true;
    }
    return false;
}

void
ssh_known_close(struct ssh_known_set *ks)
{
    if (ks == NULL)
        return;
    if (ks->known != NULL)
        libssh2_knownhost_free(ks->known);
    if (ks->session != NULL)
        libssh2_session_free(ks->session);
    free(ks);
}
