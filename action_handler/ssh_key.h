/*
 * The SSH user key, read once and handed to every connection of a job
 * from memory. libssh2_userauth_publickey_fromfile re-reads and decodes the
 * private key file for every connection, and when no public key is given
 * it decodes it twice (once to derive the public key, through OpenSSL 3's
 * PEM decoder, which fails on OpenSSH-format keys only after a costly
 * search; once to sign). With the public key taken from the OpenSSH key
 * container's clear header, each connection decodes the private key once,
 * and a passphrase-protected key runs its bcrypt KDF once instead of twice.
 */
#ifndef ALEXIS_SSH_KEY_H
#define ALEXIS_SSH_KEY_H

#include <stddef.h>

#include "compat.h"

struct ssh_key {
    char   *priv;       /* the private key file, as read (maybe encrypted) */
    size_t  priv_len;
    char   *pub;        /* "<type> <base64 blob>", or NULL when the file is
                           not in OpenSSH format (PEM): libssh2 derives it */
    size_t  pub_len;
    char   *pub_path;   /* "<path>.pub" when it exists and holds pub, else
                           NULL (see ssh_key_load) */
};

/*
 * Read the private key file at path (at most SSH_KEY_FILE_MAX bytes) and,
 * for an OpenSSH-format key, its public key. The file is not decrypted.
 * When "<path>.pub" (as ssh-keygen writes it) holds that same public key,
 * pub_path names it: libssh2 1.10 decodes an ed25519 key from a file
 * without first trying OpenSSL's PEM decoders, which it does from memory,
 * so reading both files per connection is the cheaper path.
 * Returns the key (free with ssh_key_free) or NULL with one sentence in err.
 */
struct ssh_key *ssh_key_load(const char *path, char *err, size_t errlen);

/*
 * The public key line of an OpenSSH-format private key file's text (NUL-
 * terminated; "-----BEGIN OPENSSH PRIVATE KEY-----", openssh-key-v1 with
 * one key). Caller frees. NULL when text is not such a key or is
 * malformed.
 */
char *ssh_key_public_line(const char *text);

/* Wipe and free; accepts NULL. */
void ssh_key_free(struct ssh_key *k);

#endif
