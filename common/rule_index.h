/*
 * A rule set's index of the checks that need no regex: which feed each
 * rule is for, and whether an alert carries every tag of every evaluation
 * of a rule (DESIGN §7). The tags of the whole set are numbered once, as
 * text, when the set is built; an alert's tags are then compared with that
 * list once each, and a rule's tag check is a test of a few bits instead
 * of a string comparison per tag in the rule's own memory. Built once per
 * rule set (when the rules change), read by any number of threads. It
 * borrows the rules' strings: use it only while its rules are held.
 */
#ifndef ALEXIS_RULE_INDEX_H
#define ALEXIS_RULE_INDEX_H

#include <stddef.h>

struct alert;
struct rule;
struct rule_index;

/* What the index says of rule i for an alert. */
enum rule_index_verdict {
    RULE_INDEX_OTHER_FEED = 0,  /* for another feed type: not checked */
    RULE_INDEX_TAG_MISSING,     /* the feed's, but a tag is missing: no
                                 * match (match_rule says which) */
    RULE_INDEX_TAGS_PRESENT     /* the feed's, every tag present: its
                                 * regexes decide (match_rule_tags_known) */
};

/* The index of rules[0..n), in that order. */
struct rule_index *rule_index_build(const struct rule *const *rules,
    size_t n);
void rule_index_free(struct rule_index *ix);

/* Set out[i] to rule i's enum rule_index_verdict for alert a, for every
 * rule of the set; out has room for n bytes. */
void rule_index_candidates(const struct rule_index *ix,
    const struct alert *a, unsigned char *out);

#endif
