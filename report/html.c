/*
 * HTML report page with inline SVG charts (see html.h). The page is built
 * with fprintf into one file; all text that is not a literal of this file
 * goes through html_escape.
 */
#include "html.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "utf8.h"

#define CHART_W     760.0
#define CHART_H     220.0
#define PAD_L       48.0
#define PAD_B       36.0
#define PAD_T       16.0
#define BAR_ROW     22.0
#define LABEL_W     220.0
#define LABEL_MAX   40      /* code points of an action in the chart */

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width\">\n"
    "<title>Alexis report</title>\n<style>\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\n"
    "table{border-collapse:collapse;margin:.4em 0}\n"
    "th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;"
    "vertical-align:top;unicode-bidi:isolate;white-space:pre-wrap;"
    "word-break:break-word;max-width:48em}\n"
    "th{background:#f0f0f0}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "svg{display:block;margin:.4em 0 1em}svg text{font:11px sans-serif}\n"
    ".ok{fill:#2e7d32}.bad{fill:#c62828}.bar{fill:#1565c0}"
    ".axis{stroke:#888}.note,.meta{color:#555}\n"
    "</style>\n</head>\n<body>\n";

void
html_escape(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    uint32_t cp;
    size_t k;

    while (p < end) {
        k = utf8_decode(p, (size_t)(end - p), &cp);
        if (k == 0 || (cp < 0x20 && cp != '\n' && cp != '\t') ||
            (cp >= 0x7f && cp <= 0x9f)) {
            (void)fputs("&#xfffd;", fp);
            p += k == 0 ? 1 : k;
            continue;
        }
        switch (cp) {
        case '&':
            (void)fputs("&amp;", fp);
            break;
        case '<':
            (void)fputs("&lt;", fp);
            break;
        case '>':
            (void)fputs("&gt;", fp);
            break;
        case '"':
            (void)fputs("&quot;", fp);
            break;
        case '\'':
            (void)fputs("&#39;", fp);
            break;
        default:
            (void)fwrite(p, 1, k, fp);
            break;
        }
        p += k;
    }
}

/* s cut to at most max code points (with an ellipsis), into out. */
static const char *
shorten(const char *s, size_t max, char *out, size_t outlen)
{
    size_t i = utf8_prefix(s, max);

    if (s[i] == '\0' || i + 4 > outlen)
        return s;
    memcpy(out, s, i);
    memcpy(out + i, "\xe2\x80\xa6", 4);
    return out;
}

static void
write_table(FILE *fp, const struct table *t)
{
    size_t r, c;

    (void)fputs("<section>\n<h2>", fp);
    html_escape(fp, t->title);
    (void)fputs("</h2>\n<table id=\"t-", fp);
    html_escape(fp, t->name);
    (void)fputs("\">\n<thead><tr>", fp);
    for (c = 0; c < t->ncols; c++) {
        (void)fputs("<th>", fp);
        html_escape(fp, t->cols[c]);
        (void)fputs("</th>", fp);
    }
    (void)fputs("</tr></thead>\n<tbody>\n", fp);
    for (r = 0; r < t->nrows; r++) {
        (void)fputs("<tr>", fp);
        for (c = 0; c < t->ncols; c++) {
            (void)fputs(t->types[c] == TABLE_NUM ? "<td class=\"n\">" :
                "<td>", fp);
            html_escape(fp, table_cell(t, r, c));
            (void)fputs("</td>", fp);
        }
        (void)fputs("</tr>\n", fp);
    }
    (void)fputs("</tbody>\n</table>\n", fp);
    if (t->nrows == 0)
        (void)fputs("<p class=\"note\">(no rows)</p>\n", fp);
    if (t->note != NULL) {
        (void)fputs("<p class=\"note\">", fp);
        html_escape(fp, t->note);
        (void)fputs("</p>\n", fp);
    }
    (void)fputs("</section>\n", fp);
}

static void
svg_open(FILE *fp, double h, const char *label)
{
    (void)fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
        "role=\"img\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f "
        "%.0f\" aria-label=\"%s\">\n", CHART_W, h, CHART_W, h, label);
}

static void
axes(FILE *fp, uint64_t ymax)
{
    double base = CHART_H - PAD_B;

    (void)fprintf(fp, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
        "x2=\"%.1f\" y2=\"%.1f\"/>\n<line class=\"axis\" x1=\"%.1f\" "
        "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", PAD_L, PAD_T, PAD_L,
        base, PAD_L, base, CHART_W - 4, base);
    (void)fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
        "%" PRIu64 "</text>\n<text x=\"%.1f\" y=\"%.1f\" "
        "text-anchor=\"end\">0</text>\n", PAD_L - 4, PAD_T + 8, ymax,
        PAD_L - 4, base);
}

static void
chart_days(FILE *fp, const struct agg *a)
{
    struct group **v;
    size_t n, i, from;
    uint64_t ymax = 1;
    double bw, x, hok, hbad, base = CHART_H - PAD_B;

    v = group_table_sorted(a->by_day, GROUP_BY_KEY, &n);
    from = n > REPORT_CHART_BARS_MAX ? n - REPORT_CHART_BARS_MAX : 0;
    (void)fputs("<h2>Runs per day (UTC)</h2>\n", fp);
    if (n == 0) {
        (void)fputs("<p class=\"note\">no runs with a time</p>\n", fp);
        goto out;
    }
    for (i = from; i < n; i++)
        ymax = v[i]->runs > ymax ? v[i]->runs : ymax;
    svg_open(fp, CHART_H, "runs per day, successful in green, failed in "
        "red");
    axes(fp, ymax);
    bw = (CHART_W - PAD_L - 8) / (double)(n - from);
    for (i = from; i < n; i++) {
        x = PAD_L + 2 + bw * (double)(i - from);
        hok = (base - PAD_T) * (double)v[i]->ok / (double)ymax;
        hbad = (base - PAD_T) * (double)v[i]->failed / (double)ymax;
        (void)fputs("<g class=\"day\"><title>", fp);
        html_escape(fp, v[i]->part[0]);
        (void)fprintf(fp, ": %" PRIu64 " runs, %" PRIu64 " failed</title>"
            "<rect class=\"ok\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"/><rect class=\"bad\" x=\"%.1f\" y=\"%.1f\" "
            "width=\"%.1f\" height=\"%.1f\"/></g>\n", v[i]->runs,
            v[i]->failed, x, base - hok, bw * 0.8, hok, x,
            base - hok - hbad, bw * 0.8, hbad);
    }
    (void)fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">", PAD_L, base + 16);
    html_escape(fp, v[from]->part[0]);
    (void)fprintf(fp, "</text>\n<text x=\"%.1f\" y=\"%.1f\" "
        "text-anchor=\"end\">", CHART_W - 4, base + 16);
    html_escape(fp, v[n - 1]->part[0]);
    (void)fputs("</text>\n</svg>\n", fp);
out:
    free(v);
}

static void
chart_success(FILE *fp, const struct agg *a)
{
    struct group **v;
    size_t n, i, shown;
    double w = CHART_W - LABEL_W - 130, y, wok;
    char label[LABEL_MAX * 4 + 4];

    v = group_table_sorted(a->by_action, GROUP_BY_RUNS, &n);
    shown = n > REPORT_CHART_ACTIONS ? REPORT_CHART_ACTIONS : n;
    (void)fputs("<h2>Success rate by action</h2>\n", fp);
    if (shown == 0) {
        (void)fputs("<p class=\"note\">no runs</p>\n", fp);
        goto out;
    }
    svg_open(fp, PAD_T + BAR_ROW * (double)shown + 8, "success rate by "
        "action");
    for (i = 0; i < shown; i++) {
        y = PAD_T + BAR_ROW * (double)i;
        wok = w * (double)v[i]->ok / (double)v[i]->runs;
        (void)fprintf(fp, "<g class=\"rate\"><text x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"end\">", LABEL_W - 6, y + 13);
        html_escape(fp, shorten(v[i]->part[0], LABEL_MAX, label,
            sizeof(label)));
        (void)fprintf(fp, "</text><rect class=\"bad\" x=\"%.1f\" y=\"%.1f\" "
            "width=\"%.1f\" height=\"16\"/><rect class=\"ok\" x=\"%.1f\" "
            "y=\"%.1f\" width=\"%.1f\" height=\"16\"/><text x=\"%.1f\" "
            "y=\"%.1f\">%.1f%% (%" PRIu64 "/%" PRIu64 ")</text></g>\n",
            LABEL_W, y, w, LABEL_W, y, wok, LABEL_W + w + 6, y + 13,
            100.0 * (double)v[i]->ok / (double)v[i]->runs, v[i]->ok,
            v[i]->runs);
    }
    (void)fputs("</svg>\n", fp);
out:
    free(v);
}

static void
chart_durations(FILE *fp, const struct agg *a)
{
    uint64_t ymax = 0;
    size_t i;
    double bw = (CHART_W - PAD_L - 8) / AGG_DUR_BINS, x, h;
    double base = CHART_H - PAD_B;

    (void)fputs("<h2>Duration distribution (app_elapsed_ms)</h2>\n", fp);
    for (i = 0; i < AGG_DUR_BINS; i++)
        ymax = a->dur_bins[i] > ymax ? a->dur_bins[i] : ymax;
    if (ymax == 0) {
        (void)fputs("<p class=\"note\">no durations</p>\n", fp);
        return;
    }
    svg_open(fp, CHART_H, "number of runs by duration");
    axes(fp, ymax);
    for (i = 0; i < AGG_DUR_BINS; i++) {
        x = PAD_L + 2 + bw * (double)i;
        h = (base - PAD_T) * (double)a->dur_bins[i] / (double)ymax;
        (void)fprintf(fp, "<g class=\"dur\"><title>%s: %" PRIu64
            " runs</title><rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
            "width=\"%.1f\" height=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"middle\">%s</text></g>\n", agg_dur_bin_label(i),
            a->dur_bins[i], x, base - h, bw * 0.8, h, x + bw * 0.4,
            base + 16, agg_dur_bin_label(i));
    }
    (void)fputs("</svg>\n", fp);
}

int
html_write(FILE *fp, const struct agg *a, struct table *const *t, size_t n,
    const char *subtitle)
{
    size_t i;

    (void)fputs(page_head, fp);
    (void)fputs("<h1>Alexis report</h1>\n<p class=\"meta\">", fp);
    html_escape(fp, subtitle);
    (void)fprintf(fp, "<br>%" PRIu64 " runs selected, %" PRIu64 " lines "
        "read, %" PRIu64 " malformed and %" PRIu64 " cut lines skipped</p>\n",
        a->cnt.runs, a->cnt.lines, a->cnt.malformed, a->cnt.cut);
    (void)fputs("<section id=\"charts\">\n", fp);
    chart_days(fp, a);
    chart_success(fp, a);
    chart_durations(fp, a);
    (void)fputs("</section>\n", fp);
    for (i = 0; i < n; i++)
        write_table(fp, t[i]);
    (void)fputs("</body>\n</html>\n", fp);
    return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}
