/*
 * The authentication_list entries' lookup and release (see cfg_auth.h).
 */
#include "cfg_auth.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"

void
cfg_auth_cleanup(struct cfg_auth *list, size_t n)
{
    size_t i, j;
    char *line;

    for (i = 0; i < n; i++) {
        for (j = 0; j < list[i].nheader_lines; j++) {
            line = list[i].header_lines[j];
            explicit_bzero(line, strlen(line));
            free(line);
        }
        free(list[i].header_lines);
        list[i].header_lines = NULL;
        list[i].nheader_lines = 0;
    }
}

/* Length of url without one trailing '/'. */
static size_t
url_len(const char *url)
{
    size_t len = strlen(url);

    return len > 0 && url[len - 1] == '/' ? len - 1 : len;
}

const struct cfg_auth *
cfg_auth_find(const struct cfg_auth *list, size_t n, const char *feed_type,
    const char *base_url)
{
    size_t i, len = base_url != NULL ? url_len(base_url) : 0;

    for (i = 0; i < n; i++) {
        if (feed_type == NULL || !str_eq_nocase(list[i].type, feed_type))
            continue;
        if (base_url == NULL)
            return &list[i];
        if (list[i].base_url != NULL && url_len(list[i].base_url) == len &&
            memcmp(list[i].base_url, base_url, len) == 0)
            return &list[i];
    }
    return NULL;
}
