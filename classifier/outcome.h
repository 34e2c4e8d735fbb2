/*
 * What the classifier does with an alert once every matching rule was
 * offered to its action handler (issue 13: no endless loops, nothing
 * hidden). A forward that ended in a definitive answer (422: the action
 * handler has no such rule; 503 after the client's bounded retries; any
 * other 4xx but 401, 408 and 429) will not succeed on the next poll
 * either, and a rule that failed beside one that was forwarded would be
 * hidden by the remediation marker: both send the alert to the
 * investigation queue with the reason. Only when every forward failed in a
 * way that may pass (transport error, 401, 5xx other than 503) does the
 * ticket stay unmarked so the poller offers it again.
 */
#ifndef ALEXIS_CLASSIFIER_OUTCOME_H
#define ALEXIS_CLASSIFIER_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

enum outcome_mark {
    OUTCOME_DONE,           /* every match forwarded (and marked) */
    OUTCOME_INVESTIGATE,    /* investigation queue, with the reasons */
    OUTCOME_RETRY,          /* leave unmarked: the next poll retries */
};

/* Whether a failed forward's final HTTP status (0: no answer) is
 * definitive. */
bool outcome_definitive(long status);

/* The mark after matched rules, of which forwarded were accepted and
 * definitive failed definitively (the rest failed transiently). matched
 * must be at least 1 (no match is the classifier's own mark). */
enum outcome_mark outcome_decide(size_t matched, size_t forwarded,
    size_t definitive);

#endif
