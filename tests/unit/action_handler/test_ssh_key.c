/*
 * The public key line taken from an OpenSSH private key container's clear
 * header, as a table: a well-formed container (its private section is
 * zeros: only the header is read), and containers that must give NULL so
 * that libssh2 derives the key itself (PEM armour, wrong magic, two keys,
 * a length past the end, a missing end line, bad base64). Then ssh_key_load
 * on a file, with and without a matching "<path>.pub".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alexis_limits.h"
#include "ssh_key.h"

#define ARMOR_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define ARMOR_END   "-----END OPENSSH PRIVATE KEY-----\n"

/* ecdsa-sha2-nistp256 public key of the containers below. */
#define ECDSA_PUB \
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAA" \
    "BBBABaJqytE1MRJW4dly4oYy2TfJWbJYzMjFKp7Vfjq5SPc1YlqB9d2aR8hAmvPw8W3qwD" \
    "c7+wqveuov1xkd9PRg0="

#define GOOD_BODY \
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS\n" \
    "1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQAWiasrRNTESVuHZcuKGMtk3yVmyWM\n" \
    "zIxSqe1X46uUj3NWJagfXdmkfIQJrz8PFt6sA3O/sKr3rqL9cZHfT0YNAAAAQAAAAAAAAA\n" \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n" \
    "AAAAAAA=\n"

static const struct {
    const char *name;
    const char *text;
    const char *pub;        /* NULL: no public key line */
} rows[] = {
    { "ecdsa", ARMOR_BEGIN GOOD_BODY ARMOR_END, ECDSA_PUB },
    { "crlf and leading text", "comment\r\n" ARMOR_BEGIN
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS"
      "\r\n1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQAWiasrRNTESVuHZcuKGMtk3yVm"
      "yWM\r\nzIxSqe1X46uUj3NWJagfXdmkfIQJrz8PFt6sA3O/sKr3rqL9cZHfT0YNAAAAQAAA"
      "AAAAAA\r\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      "AAAAAAAA\r\n"
      "AAAAAAA=\r\n" ARMOR_END, ECDSA_PUB },
    { "wrong magic", ARMOR_BEGIN
      "b3BlbnNzaC1rZXktdjIAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS\n"
      "1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQAWiasrRNTESVuHZcuKGMtk3yVmyWM\n"
      "zIxSqe1X46uUj3NWJagfXdmkfIQJrz8PFt6sA3O/sKr3rqL9cZHfT0YNAAAAQAAAAAAAAA\n"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
      "AAAAAAA=\n" ARMOR_END, NULL },
    { "two keys", ARMOR_BEGIN
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAACAAAAaAAAABNlY2RzYS\n"
      "1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQAWiasrRNTESVuHZcuKGMtk3yVmyWM\n"
      "zIxSqe1X46uUj3NWJagfXdmkfIQJrz8PFt6sA3O/sKr3rqL9cZHfT0YNAAAAaAAAABNlY2\n"
      "RzYS1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQAWiasrRNTESVuHZcuKGMtk3yV\n"
      "myWMzIxSqe1X46uUj3NWJagfXdmkfIQJrz8PFt6sA3O/sKr3rqL9cZHfT0YNAAAAQAAAAA\n"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
      "AAAAAAAAAAA=\n" ARMOR_END, NULL },
    { "length past the end", ARMOR_BEGIN
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAB9AAAABNlY2RzYS\n"
      "1zaGEyLW5pc3Rw\n" ARMOR_END, NULL },
    { "no end line", ARMOR_BEGIN GOOD_BODY, NULL },
    { "bad base64", ARMOR_BEGIN "b3Blbn*zaC1rZXktdjEA\n" ARMOR_END, NULL },
    { "empty body", ARMOR_BEGIN ARMOR_END, NULL },
    { "PEM RSA", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n"
      "-----END RSA PRIVATE KEY-----\n", NULL },
    { "empty", "", NULL },
};

static void
test_public_line(void **state)
{
    size_t i;
    char *pub;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        pub = ssh_key_public_line(rows[i].text);
        if (rows[i].pub == NULL) {
            if (pub != NULL)
                fail_msg("row %s: got %s", rows[i].name, pub);
        } else {
            if (pub == NULL)
                fail_msg("row %s: no public key", rows[i].name);
            assert_string_equal(pub, rows[i].pub);
        }
        free(pub);
    }
}

/* Write (or with text NULL, remove) "<path>.pub". */
static void
write_pub(const char *path, const char *text)
{
    char pub[256];
    FILE *f;

    assert_true((size_t)snprintf(pub, sizeof(pub), "%s.pub", path) <
        sizeof(pub));
    if (text == NULL) {
        assert_int_equal(unlink(pub), 0);
        return;
    }
    assert_non_null(f = fopen(pub, "w"));
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void
test_load(void **state)
{
    char path[] = "/tmp/alexis-ssh-key-XXXXXX", err[ALEXIS_ERR_MAX];
    const char *text = ARMOR_BEGIN GOOD_BODY ARMOR_END;
    struct ssh_key *k;
    FILE *f;
    int fd;

    (void)state;
    assert_true((fd = mkstemp(path)) != -1);
    assert_non_null(f = fdopen(fd, "w"));
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_non_null(k = ssh_key_load(path, err, sizeof(err)));
    assert_int_equal(k->priv_len, strlen(text));
    assert_memory_equal(k->priv, text, k->priv_len);
    assert_string_equal(k->pub, ECDSA_PUB);
    assert_int_equal(k->pub_len, strlen(ECDSA_PUB));
    assert_null(k->pub_path);           /* no .pub file */
    ssh_key_free(k);
    write_pub(path, ECDSA_PUB " user@host\n");
    assert_non_null(k = ssh_key_load(path, err, sizeof(err)));
    assert_non_null(k->pub_path);
    assert_true(strncmp(k->pub_path, path, strlen(path)) == 0);
    assert_string_equal(k->pub_path + strlen(path), ".pub");
    ssh_key_free(k);
    /* A .pub of another key, or one that only starts like ours. */
    write_pub(path, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN\n");
    assert_non_null(k = ssh_key_load(path, err, sizeof(err)));
    assert_null(k->pub_path);
    ssh_key_free(k);
    write_pub(path, ECDSA_PUB "AAAA\n");
    assert_non_null(k = ssh_key_load(path, err, sizeof(err)));
    assert_null(k->pub_path);
    ssh_key_free(k);
    write_pub(path, NULL);
    assert_int_equal(unlink(path), 0);
    assert_null(ssh_key_load(path, err, sizeof(err)));
    assert_non_null(strstr(err, path));
    ssh_key_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_line),
        cmocka_unit_test(test_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
