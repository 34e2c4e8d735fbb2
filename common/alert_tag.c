/*
 * An alert's tag list and the tag hash (see alert_tag.h).
 */
#include "alert_tag.h"

#include "alexis_limits.h"

uint32_t
alert_tag_hash(const char *tag)
{
    uint32_t h = 2166136261u;

    for (; *tag != '\0'; tag++) {
        h ^= (unsigned char)*tag;
        h *= 16777619u;
    }
    return h;
}

void
alert_tag_add(struct alert *a, const char *tag)
{
    if (tag == NULL || a->ntags >= ALERT_TAGS_MAX)
        return;
    a->tag_hashes[a->ntags] = alert_tag_hash(tag);
    a->tags[a->ntags++] = tag;
}
