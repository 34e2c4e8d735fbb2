/*
 * A rule set's tag index: which rules an alert's tags allow at all. Every
 * tag of every evaluation must be among the alert's for a rule to match
 * (DESIGN §7), so each rule is filed under one of its tags, the one the
 * fewest rules of the set share, and an alert needs to look only under its
 * own tags' hashes. Built once per rule set (when the rules change), read
 * by any number of threads.
 */
#ifndef ALEXIS_RULE_INDEX_H
#define ALEXIS_RULE_INDEX_H

#include <stddef.h>

struct alert;
struct rule;
struct rule_index;

/* The index of rules[0..n), in that order. */
struct rule_index *rule_index_build(const struct rule *const *rules,
    size_t n);
void rule_index_free(struct rule_index *ix);

/* Set cand[i] to 1 for each rule i that the alert's tags allow and to 0
 * for the others: a 0 rule lacks one of its tags for certain (it would not
 * match); a 1 rule still needs match_rule. cand has room for n bytes. */
void rule_index_candidates(const struct rule_index *ix,
    const struct alert *a, unsigned char *cand);

#endif
