/*
 * Forwarding outcomes (see outcome.h).
 */
#include "outcome.h"

bool
outcome_definitive(long status)
{
    if (status == 503)
        return true;
    return status >= 400 && status <= 499 && status != 401 &&
        status != 408 && status != 429;
}

enum outcome_mark
outcome_decide(size_t matched, size_t forwarded, size_t definitive)
{
    if (forwarded == matched)
        return OUTCOME_DONE;
    if (definitive > 0 || forwarded > 0)
        return OUTCOME_INVESTIGATE;
    return OUTCOME_RETRY;
}
