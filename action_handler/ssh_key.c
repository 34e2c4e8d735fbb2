/*
 * The SSH user key in memory (see ssh_key.h). Only the clear header of the
 * OpenSSH key container is parsed here; the private part, encrypted or
 * not, stays libssh2's to decode.
 */
#include "ssh_key.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "compat.h"
#include "file.h"
#include "xmem.h"

#define ARMOR_BEGIN     "-----BEGIN OPENSSH PRIVATE KEY-----"
#define ARMOR_END       "-----END OPENSSH PRIVATE KEY-----"
#define KEY_MAGIC       "openssh-key-v1"    /* followed by a NUL */
#define KEY_TYPE_MAX    64                  /* "ecdsa-sha2-nistp256" */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64_value(char c)
{
    const char *p;

    if (c == '\0' || (p = strchr(b64, c)) == NULL)
        return -1;
    return (int)(p - b64);
}

/* Decode base64 in [s, end), skipping white space, into out (at least
 * 3/4 of the input). Returns the decoded length or -1. */
static long
b64_decode(const char *s, const char *end, unsigned char *out)
{
    uint32_t acc = 0;
    long n = 0;
    int bits = 0, v;
    bool pad = false;

    for (; s < end; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            continue;
        if (*s == '=') {
            pad = true;
            continue;
        }
        if (pad || (v = b64_value(*s)) == -1)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return n;
}

/* Encode len bytes of in into out (4 per 3, plus a NUL). */
static void
b64_encode(const unsigned char *in, size_t len, char *out)
{
    size_t i;
    uint32_t v;

    for (i = 0; i < len; i += 3) {
        v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        *out++ = b64[(v >> 18) & 63];
        *out++ = b64[(v >> 12) & 63];
        *out++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *out++ = i + 2 < len ? b64[v & 63] : '=';
    }
    *out = '\0';
}

/* An SSH "string" (uint32 length, bytes) at *p; advances *p. */
static int
take_string(const unsigned char **p, const unsigned char *end,
    const unsigned char **s, size_t *len)
{
    uint32_t n;

    if (end - *p < 4)
        return -1;
    n = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
        (uint32_t)(*p)[2] << 8 | (*p)[3];
    *p += 4;
    if ((size_t)(end - *p) < n)
        return -1;
    *s = *p;
    *len = n;
    *p += n;
    return 0;
}

/* The public key blob of a decoded openssh-key-v1 container. */
static int
container_public(const unsigned char *p, const unsigned char *end,
    const unsigned char **blob, size_t *bloblen)
{
    const unsigned char *s;
    size_t len;
    int i;

    if ((size_t)(end - p) < sizeof(KEY_MAGIC) ||
        memcmp(p, KEY_MAGIC, sizeof(KEY_MAGIC)) != 0)
        return -1;
    p += sizeof(KEY_MAGIC);
    /* ciphername, kdfname, kdfoptions */
    for (i = 0; i < 3; i++) {
        if (take_string(&p, end, &s, &len) == -1)
            return -1;
    }
    /* The number of keys: exactly one, as ssh-keygen writes. */
    if (end - p < 4 || p[0] != 0 || p[1] != 0 || p[2] != 0 || p[3] != 1)
        return -1;
    p += 4;
    return take_string(&p, end, blob, bloblen);
}

char *
ssh_key_public_line(const char *text)
{
    const char *begin, *stop;
    const unsigned char *blob, *type, *p;
    unsigned char *raw = NULL;
    size_t bloblen, typelen, rawcap = 0;
    char *line = NULL;
    long n;

    if ((begin = strstr(text, ARMOR_BEGIN)) == NULL)
        goto out;
    begin += strlen(ARMOR_BEGIN);
    if ((stop = strstr(begin, ARMOR_END)) == NULL)
        goto out;
    rawcap = (size_t)(stop - begin) / 4 * 3 + 3;
    raw = xmalloc(rawcap);
    if ((n = b64_decode(begin, stop, raw)) <= 0)
        goto out;
    if (container_public(raw, raw + n, &blob, &bloblen) == -1)
        goto out;
    p = blob;
    if (take_string(&p, blob + bloblen, &type, &typelen) == -1 ||
        typelen == 0 || typelen > KEY_TYPE_MAX ||
        memchr(type, ' ', typelen) != NULL ||
        memchr(type, '\0', typelen) != NULL)
        goto out;
    line = xmalloc(typelen + 1 + (bloblen + 2) / 3 * 4 + 1);
    memcpy(line, type, typelen);
    line[typelen] = ' ';
    b64_encode(blob, bloblen, line + typelen + 1);
out:
    /* An unencrypted key's private part was decoded too. */
    if (raw != NULL) {
        explicit_bzero(raw, rawcap);
        free(raw);
    }
    return line;
}

/*
 * "<path>.pub" when its first two fields are pub, else NULL. A missing or
 * stale .pub file is not an error: the key is then given from memory.
 */
static char *
matching_pub_file(const char *path, const char *pub, size_t pub_len)
{
    char *pub_path, *text = NULL, err[ALEXIS_ERR_MAX];
    const char *p;
    size_t len = 0, n;

    n = strlen(path) + sizeof(".pub");
    pub_path = xmalloc(n);
    (void)snprintf(pub_path, n, "%s.pub", path);
    if ((text = file_slurp(pub_path, SSH_KEY_FILE_MAX, &len, err,
        sizeof(err))) == NULL)
        goto fail;
    /* "<type> <base64>[ <comment>]\n": compare up to the second blank. */
    if (len < pub_len || memcmp(text, pub, pub_len) != 0)
        goto fail;
    p = text + pub_len;
    n = strcspn(p, " \t\r\n");
    if (n != 0)
        goto fail;
    free(text);
    return pub_path;
fail:
    free(text);
    free(pub_path);
    return NULL;
}

struct ssh_key *
ssh_key_load(const char *path, char *err, size_t errlen)
{
    struct ssh_key *k;
    char *text;
    size_t len = 0;

    if ((text = file_slurp(path, SSH_KEY_FILE_MAX, &len, err,
        errlen)) == NULL)
        return NULL;
    k = xcalloc(1, sizeof(*k));
    k->priv = text;
    k->priv_len = len;
    if ((k->pub = ssh_key_public_line(text)) != NULL) {
        k->pub_len = strlen(k->pub);
        k->pub_path = matching_pub_file(path, k->pub, k->pub_len);
    }
    return k;
}

void
ssh_key_free(struct ssh_key *k)
{
    if (k == NULL)
        return;
    if (k->priv != NULL) {
        explicit_bzero(k->priv, k->priv_len);
        free(k->priv);
    }
    free(k->pub);
    free(k->pub_path);
    free(k);
}
