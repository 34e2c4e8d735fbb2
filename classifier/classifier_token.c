/*
 * The runtime token the classifier sends to the action handlers, re-read
 * when its file changes (see classifier_token.h).
 */
#include "classifier_token.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "file.h"

int
classifier_token(struct classifier *c, char *buf, size_t len, char *err,
    size_t errlen)
{
    struct runtime_token *t = &c->token;
    const char *path = c->conf.tokens.runtime;
    struct file_id id;
    char *v;
    int rc = -1;

    /* The stat(2) outside the lock: workers do not queue behind it. */
    if (file_id_get(path, &id, err, errlen) == -1)
        return -1;
    pthread_mutex_lock(&t->lock);
    if (t->value == NULL || !file_id_same(&t->id, &id)) {
        if ((v = auth_runtime_load(path, err, errlen)) == NULL)
            goto out;
        if (t->value != NULL) {
            explicit_bzero(t->value, strlen(t->value));
            free(t->value);
        }
        t->value = v;
        t->id = id;
    }
    if (strlcpy(buf, t->value, len) >= len) {
        snprintf(err, errlen, "runtime token %s: token too long", path);
        goto out;
    }
    rc = 0;
out:
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void
classifier_token_cleanup(struct classifier *c)
{
    if (c->token.value != NULL) {
        explicit_bzero(c->token.value, strlen(c->token.value));
        free(c->token.value);
        c->token.value = NULL;
    }
}
