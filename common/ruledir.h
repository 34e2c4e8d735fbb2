/*
 * A rules directory kept current cheaply: rules_dir is watched with inotify
 * (add, edit, delete, rename, and the directory itself) and, as a second
 * check that also covers inotify being unavailable, each file's identity
 * (inode, size, mtime, ctime) is compared on a rescan. A request that finds
 * no pending inotify event pays one non-blocking read(2); a changed file is
 * re-parsed, unchanged ones are reused by reference. The current set is an
 * immutable snapshot swapped under a mutex; readers hold a reference, so a
 * reload never mutates what a request is using.
 *
 * A stat-validation rescan also runs whenever more than a second has passed
 * since the last one, which covers what inotify does not report (NFS, some
 * bind and overlay mounts, edits to the target of a symlinked rule file
 * outside the directory): such a change is seen within about a second, or
 * at once after any other event. Without inotify (or when the watch cannot
 * be added) every call rescans. An inotify event naming a file forces that
 * file to be re-parsed even if its identity looks unchanged (timestamp
 * granularity can hide a quick same-size edit).
 */
#ifndef ALEXIS_RULEDIR_H
#define ALEXIS_RULEDIR_H

#include <stddef.h>

#include "compat.h"

struct rule;
struct ruledir;
struct rule_set;
struct rule_index;

struct rule_file_error {
    char   *path;
    char   *message;    /* "path:line:col: error: ..." */
};

/* Create a watcher for dir. Does not read it yet and never fails because
 * the directory is missing (it may appear later). */
struct ruledir *ruledir_new(const char *dir);
void ruledir_free(struct ruledir *rd);

/* Bring the snapshot up to date and return a reference to it (release with
 * ruledir_set_release). Logs rule_file_loaded / rule_file_rejected /
 * rule_file_removed once per change. When the directory is missing or
 * unreadable, returns NULL with the reason in err and keeps nothing stale:
 * callers treat it as a failed classification. Thread-safe. */
struct rule_set *ruledir_get(struct ruledir *rd, char *err, size_t errlen);

void ruledir_set_release(struct rule_set *rs);
size_t ruledir_set_count(const struct rule_set *rs);
/* Rules in file-name order. Borrowed while the set is held. */
const struct rule *ruledir_set_at(const struct rule_set *rs, size_t i);
/* The rule named name, or NULL. */
const struct rule *ruledir_set_find(const struct rule_set *rs,
    const char *name);
/* Its tag index (rule_index.h), over the rules in ruledir_set_at order. */
const struct rule_index *ruledir_set_index(const struct rule_set *rs);
size_t ruledir_set_error_count(const struct rule_set *rs);
const struct rule_file_error *ruledir_set_error_at(const struct rule_set *rs,
    size_t i);

#endif
