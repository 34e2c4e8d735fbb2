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
    uint32_t   *tag_hashes;     /* alert_tag_hash of each tag */
    size_t      ntags;
    char       *search_key;     /* dotted path; NULL when no regex check */
    char       *search_text;    /* the PCRE2 pattern as written */
    void       *re;             /* pcre2_code_8 * (JIT-compiled) or NULL */
    /* PCRE2's own start-up information (pcre2_pattern_info, read when the
     * rule is loaded), checked before pcre2_match is entered: a subject
     * shorter than min_len, without first_unit, without any byte of
     * first_bitmap or without last_unit cannot match. Set only when
     * prefilter is true (see rules_regex_search); -1 / NULL when PCRE2
     * recorded none. */
    bool        prefilter;
    int         first_unit;
    const uint8_t *first_bitmap;    /* 32 bytes inside re */
    int         last_unit;
    size_t      min_len;
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

/* The same test on a rule's feed_type string (the rule index keeps these
 * apart from the rules). */
bool rules_feed_is(const char *rule_feed, const char *feed_type);

/* Fill ev's prefilter fields from PCRE2's start-up information about
 * ev->re (first code unit or bitmap, last required code unit, minimum
 * length) and set ev->prefilter; rules_parse does this for every regex. */
void rules_start_info(struct rule_eval *ev);

/* Whether rules_parse JIT-compiles each regex (the default: on). A
 * process that never matches alerts against rules (the action handler
 * only reads them) turns it off before it loads any, and spares the JIT's
 * compile time and memory; the regexes are still compiled and checked,
 * and rules_regex_search still works (PCRE2's interpreter). */
void rules_set_jit(bool on);

/* Run eval's regex on subject. Returns 1 match, 0 no match, -1 when the
 * match failed (limit hit, bad UTF-8) with a reason in err. Thread-safe.
 * With ev->prefilter, a subject that PCRE2's start-up information rules
 * out is 0 without entering pcre2_match (the same answer: PCRE2 makes the
 * same checks first). */
int rules_regex_search(const struct rule_eval *ev, const char *subject,
    size_t len, char *err, size_t errlen);

#endif
