/*
 * The runtime token (tokens.runtime) the classifier sends to the action
 * handlers: read from its file, cached, and read again when the file
 * changes.
 */
#ifndef ALEXIS_CLASSIFIER_TOKEN_H
#define ALEXIS_CLASSIFIER_TOKEN_H

#include <stddef.h>

#include "classifier.h"
#include "compat.h"

/* Copy the runtime token into buf (re-read when the file changed). -1 with
 * err when it cannot be read. Thread-safe. Callers wipe buf after use. */
int classifier_token(struct classifier *c, char *buf, size_t len, char *err,
    size_t errlen) ATTR_WUR;
void classifier_token_cleanup(struct classifier *c);

#endif
