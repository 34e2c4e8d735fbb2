/*
 * Rules in the original Alexis JSON format (DESIGN §7): one object per
 * *.json file. rules_parse validates a file completely (structure, types,
 * regexes compiled with PCRE2 JIT and match/depth limits, tasks, entities)
 * so a bad rule is rejected with "path:line:col: error: message" and never
 * half-used. A parsed rule is immutable and shared by reference between
 * rule sets; the classifier and the action handler read the same files.
 */
#ifndef ALEXIS_RULES_H
#define ALEXIS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alexis_limits.h"
#include "compat.h"
#include "rules_guard.h"

struct rule_eval {
    char      **tags;           /* every tag must be among the alert's */
    uint32_t   *tag_hashes;     /* rules_tag_hash of each tag */
    size_t      ntags;
    char       *search_key;     /* dotted path; NULL when no regex check */
    char       *search_text;    /* the PCRE2 pattern as written */
    void       *re;             /* pcre2_code_8 * (JIT-compiled) or NULL */
    /* Bytes every match contains (rules_required_literal), checked with
     * memmem before the regex runs; lit_len 0 when none is known. */
    char        lit[RULE_LITERAL_MAX];
    size_t      lit_len;
};

enum rule_entity_type {
    RULE_ENTITY_EXPLICIT,
    RULE_ENTITY_KEYVALUE,
};

struct rule_task {
    char       *task_type;      /* "remote_ssh" */
    char       *run_command;
    char       *action;
    char       *action_reason;
    uint64_t    delay_after_ms; /* "30s", 30, "2m"; 0 when absent */
    uint64_t    timeout_ms;     /* "timeout": per-task override, 0 = default */
};

struct rule {
    char               *path;           /* file it came from */
    char               *name;           /* rule_name */
    char               *description;
    char               *version;
    char               *feed;           /* alert_feed as written */
    const char         *feed_type;      /* "opsgenie" | "dynatrace" */
    bool                enabled;
    char               *os_type;
    struct rule_eval   *evals;
    size_t              nevals;
    struct rule_task   *tasks;
    size_t              ntasks;
    enum rule_entity_type entity_type;
    char              **entities;       /* explicit */
    size_t              nentities;
    char              **entity_keyvalue; /* keyvalue path */
    size_t              nkeyvalue;
    char               *route_to_team;  /* may be NULL */
    struct rule_guard   guard;          /* mode, cooldown, ... (§13) */
    char               *json;           /* the rule object, compact JSON */
    int                 name_line;      /* where "rule_name" is, for */
    int                 name_col;       /* errors found later (1-based) */
    /* private */
    int                 refs;
};

/* Parse and validate one rule file's text. NULL with
 * "path:line:col: error: message" in err. The result has one reference. */
struct rule *rules_parse(const char *text, size_t len, const char *path,
    char *err, size_t errlen);

/* Read and parse the file at path (at most RULES_FILE_MAX bytes). */
struct rule *rules_load_file(const char *path, char *err, size_t errlen);

/* Reference counting (atomic; safe across threads). rules_unref frees at
 * zero and accepts NULL. */
struct rule *rules_ref(struct rule *r);
void rules_unref(struct rule *r);

/* True when the rule is for this feed type ("opsgenie" or "dynatrace",
 * lower case: compared exactly, the hot path of matching). */
bool rules_for_feed(const struct rule *r, const char *feed_type);

/* The hash matching compares tags by before comparing their text (FNV-1a). */
uint32_t rules_tag_hash(const char *tag);

/* Run eval's regex on subject. Returns 1 match, 0 no match, -1 when the
 * match failed (limit hit, bad UTF-8) with a reason in err. Thread-safe. */
int rules_regex_search(const struct rule_eval *ev, const char *subject,
    size_t len, char *err, size_t errlen);

#endif
