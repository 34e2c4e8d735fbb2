/*
 * Path names: joining a directory and a name, and the directory part.
 */
#include "path.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmem.h"

char *
path_join(const char *dir, const char *name)
{
    struct buf b;
    size_t dl;

    if (name[0] == '/' || dir == NULL || dir[0] == '\0')
        return xstrdup(name);
    dl = strlen(dir);
    buf_init(&b, dl + strlen(name) + 2);
    if (buf_append(&b, dir, dl) == -1 ||
        (dir[dl - 1] != '/' && buf_append(&b, "/", 1) == -1) ||
        buf_appends(&b, name) == -1)
        abort();    /* sized exactly above: cannot happen */
    return buf_steal(&b);
}

char *
path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}
