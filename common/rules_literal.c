/*
 * rules_required_literal (see rules_literal.h): the bytes every match of a regex
 * must contain, read off the pattern conservatively so that a memmem can
 * turn most non-matching rules away before PCRE2 runs. Checked against
 * PCRE2 itself by tests/unit/common/test_rules.c (random patterns, with and
 * without the prefilter).
 */
#include "rules_literal.h"

#include <string.h>

#include "alexis_limits.h"

/* The last byte of a POSIX class "[:name:]" at p (its ']'), or p itself
 * when PCRE2 takes p's '[' as a plain member: as in its
 * check_posix_syntax, a ']' or another "[:" before the ":]" means there
 * is no POSIX class. (Reading "[[:]a|b:]]x" as one class would hide its
 * top-level '|'.) */
static const char *
posix_class_last(const char *p)
{
    const char *q;

    for (q = p + 2; q[0] != '\0' && q[1] != '\0'; q++) {
        if (q[0] == '\\' && (q[1] == ']' || q[1] == '\\'))
            q++;
        else if ((q[0] == '[' && q[1] == ':') || q[0] == ']')
            return p;
        else if (q[0] == ':' && q[1] == ']')
            return q + 1;
    }
    return p;
}

/* Past a character class starting at p ('['); NULL when unterminated. */
static const char *
skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;                    /* a leading ']' is a member */
    for (; *p != '\0'; p++) {
        if (*p == '\\') {
            if (*++p == '\0')
                return NULL;
        } else if (p[0] == '[' && p[1] == ':') {
            p = posix_class_last(p);
        } else if (*p == ']') {
            return p + 1;
        }
    }
    return NULL;
}

/* Past a group starting at p ('('), nested groups and classes included;
 * NULL when unbalanced or when it is anything but a plain or (?: group. */
static const char *
skip_group(const char *p)
{
    int depth = 0;

    for (; *p != '\0'; p++) {
        switch (*p) {
        case '\\':
            if (*++p == '\0')
                return NULL;
            break;
        case '[':
            if ((p = skip_class(p)) == NULL)
                return NULL;
            p--;
            break;
        case '(':
            if (p[1] == '*' || (p[1] == '?' && p[2] != ':'))
                return NULL;    /* verbs, options, lookaround, names */
            depth++;
            break;
        case ')':
            if (--depth == 0)
                return p + 1;
            break;
        default:
            break;
        }
    }
    return NULL;
}

/* A {n}, {n,} or {n,m} quantifier at p: its end, else NULL. */
static const char *
quantifier_end(const char *p)
{
    const char *q = p + 1;

    if (*q < '0' || *q > '9')
        return NULL;
    while (*q >= '0' && *q <= '9')
        q++;
    if (*q == ',') {
        q++;
        while (*q >= '0' && *q <= '9')
            q++;
    }
    return *q == '}' ? q + 1 : NULL;
}

size_t
rules_required_literal(const char *pattern, char *out, size_t outlen)
{
    char run[RULE_LITERAL_MAX];
    size_t n = 0, best = 0;
    const char *p = pattern;

    if (outlen == 0)
        return 0;
    out[0] = '\0';
    if (strstr(pattern, "\\Q") != NULL)
        goto none;
/* Keep the run if it is the longest so far, then start a new one. */
#define END_RUN() do {                                                  \
    if (n > best && n < outlen) {                                       \
        memcpy(out, run, n);                                            \
        out[n] = '\0';                                                  \
        best = n;                                                       \
    }                                                                   \
    n = 0;                                                              \
} while (0)
    while (*p != '\0') {
        unsigned char ch = (unsigned char)*p;

        switch (ch) {
        case '|':
            goto none;           /* top-level alternation */
        case '(':
            END_RUN();
            if ((p = skip_group(p)) == NULL)
                goto none;
            continue;
        case ')':
            goto none;
        case '[':
            END_RUN();
            if ((p = skip_class(p)) == NULL)
                goto none;
            continue;
        case '?':
        case '*':
            if (n > 0)
                n--;            /* the atom before is optional */
            END_RUN();
            p++;
            continue;
        case '+':
            END_RUN();          /* the atom before occurs at least once */
            p++;
            continue;
        case '{':
            if ((p = quantifier_end(p)) == NULL)
                goto none;       /* a literal brace: not worth the risk */
            if (n > 0)
                n--;            /* {0} and {0,m} allow none */
            END_RUN();
            continue;
        case '.':
        case '^':
        case '$':
            END_RUN();
            p++;
            continue;
        case '\\':
            ch = (unsigned char)p[1];
            if (ch == '\0')
                goto none;
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                (ch >= '0' && ch <= '9')) {
                /* Escapes that take arguments would be misread. */
                if (strchr("xocpPgkNuUlLE0123456789", ch) != NULL)
                    goto none;
                END_RUN();      /* \d, \w, \b, \n...: not a plain byte */
                p += 2;
                continue;
            }
            p++;                /* an escaped punctuation byte is itself */
            break;
        default:
            break;
        }
        ch = (unsigned char)*p;
        if (ch < 0x20 || ch > 0x7e) {
            END_RUN();
        } else {
            if (n == sizeof(run))
                END_RUN();
            run[n++] = (char)ch;
        }
        p++;
    }
    END_RUN();
#undef END_RUN
    if (best >= 3)
        return best;
none:
    out[0] = '\0';
    return 0;
}
