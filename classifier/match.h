/*
 * Does a rule match an alert? DESIGN §7: every evaluation of the rule must
 * pass both of its checks (all its tags among the alert's; the regex
 * search_text found in the value at search_key). Pure and thread-safe: the
 * same code answers real classifications and dry runs. match_rule caches
 * search_key lookups in the alert, hence the non-const alert.
 */
#ifndef ALEXIS_MATCH_H
#define ALEXIS_MATCH_H

#include <stdbool.h>
#include <stddef.h>

struct alert;
struct rule;

/* Whether the rule is one of the alert's feed (checked by every caller
 * before match_rule; disabled rules are still "of the feed"). */
bool match_rule_applies(const struct rule *r, const struct alert *a);

/* 1 when r matches a; 0 when not, with the first failing check in why
 * ("evaluation 1: tag env.prod missing", "evaluation 2: search_key
 * details.host absent", "evaluation 1: search_key count is not a string",
 * "evaluation 1: regex did not match", "rule disabled"). A regex error
 * (match limit) is a non-match with the reason. why may be NULL when the
 * reason is not wanted (it is then not formatted: the hot path). */
int match_rule(const struct rule *r, struct alert *a, char *why,
    size_t whylen);

/* match_rule's answer for a rule whose tags the alert is known to carry
 * (rule_index_candidates said RULE_INDEX_TAGS_PRESENT): the tags are not
 * compared again, and no reason is formatted. */
int match_rule_tags_known(const struct rule *r, struct alert *a);

#endif
