/*
 * The --html page: one self-contained HTML file with the command's tables
 * and three inline-SVG charts (runs per day, success rate by action,
 * duration distribution). No script at all, and a Content-Security-Policy
 * that forbids loading anything, so the page renders the same offline and
 * a value that slipped through could not fetch or run anything. Every
 * value, including those in SVG labels and titles, is HTML-escaped; invalid
 * UTF-8 and control characters become U+FFFD.
 */
#ifndef ALEXIS_HTML_H
#define ALEXIS_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "agg.h"
#include "compat.h"
#include "table.h"

/* Write the page to fp: heading with subtitle (e.g. the command and its
 * filters; escaped here), the charts drawn from a, then tables t[0..n).
 * Returns 0, or -1 when writing failed. */
int html_write(FILE *fp, const struct agg *a, struct table *const *t,
    size_t n, const char *subtitle) ATTR_WUR;

/* Write s HTML-escaped (for text and attribute values). For the tests. */
void html_escape(FILE *fp, const char *s);

#endif
