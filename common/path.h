/*
 * Path names. Results are allocated (caller frees); allocation failure
 * aborts (xmem.h).
 */
#ifndef ALEXIS_PATH_H
#define ALEXIS_PATH_H

/* Join dir and name with one '/' unless name is absolute (caller frees). */
char *path_join(const char *dir, const char *name);

/* Directory part of path ("." when none; caller frees). */
char *path_dirname(const char *path);

#endif
