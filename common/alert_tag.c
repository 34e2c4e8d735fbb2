/*
 * An alert's tag list and the tag hash (see alert_tag.h).
 */
#include "alert_tag.h"

#include "alexis_limits.h"
#include "fnv.h"

uint32_t
alert_tag_hash(const char *tag)
{
    return fnv_str32(tag);
}

void
alert_tag_add(struct alert *a, const char *tag)
{
    if (tag == NULL || a->ntags >= ALERT_TAGS_MAX)
        return;
    a->tag_hashes[a->ntags] = alert_tag_hash(tag);
    a->tags[a->ntags++] = tag;
}
