/* yget.c — typed reading of YAML nodes with compiler-style errors (see yget.h). */
#include "yget.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

void yget_error(const struct yctx *c, const struct ynode *n, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* no node (an empty document): the start of the file */
    diag_error(c->d, c->file, n ? n->line : 1, n ? n->col : 1, "%s", buf);
}

size_t strdist(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXLEN) la = MAXLEN;
    if (lb > MAXLEN) lb = MAXLEN;
    size_t prev[MAXLEN + 1], cur[MAXLEN + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
                                        tolower((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

const char *strdist_nearest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        size_t dd = strdist(word, cands[i]);
        if (dd < best_d) {
            best_d = dd;
            best = cands[i];
        }
    }
    size_t len = strlen(word);
    size_t limit = len < 4 ? 1 : len / 3 + 1;
    if (best && (best_d <= limit || (strstr(best, word) && len >= 3)))
        return best;
    return NULL;
}

static const char *kind_name(const struct ynode *n)
{
    return n->kind == YNODE_MAP ? "a mapping" : n->kind == YNODE_SEQ ? "a list" : "a value";
}

int yget_check_keys(const struct yctx *c, const struct ynode *map, const char *path,
                    const char *const *allowed)
{
    if (!map || map->kind != YNODE_MAP) {
        if (map)
            yget_error(c, map, "%s must be a mapping of keys, not %s", path, kind_name(map));
        return 1;
    }
    size_t n_allowed = 0;
    while (allowed[n_allowed])
        n_allowed++;
    int unknown = 0;
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i]->value;
        int ok = 0;
        for (size_t j = 0; j < n_allowed && !ok; j++)
            ok = strcmp(key, allowed[j]) == 0;
        if (ok)
            continue;
        unknown++;
        const char *near = strdist_nearest(key, allowed, n_allowed);
        if (near)
            yget_error(c, map->keys[i], "unknown key '%s' in %s (did you mean '%s'?)", key, path,
                       near);
        else
            yget_error(c, map->keys[i], "unknown key '%s' in %s", key, path);
    }
    return unknown;
}

int yget_parse_number(const char *text, double *out)
{
    if (!text || !*text)
        return DCSIM_EINPUT;
    for (const char *p = text; *p; p++)   /* digits, sign, point, exponent, '_' separators */
        if (!isdigit((unsigned char)*p) && !strchr("+-.eE_", *p))
            return DCSIM_EINPUT;
    char buf[64];
    size_t k = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '_')
            continue;
        if (k + 1 >= sizeof buf)
            return DCSIM_EINPUT;
        buf[k++] = *p;
    }
    buf[k] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end == buf || *end || !isfinite(v))
        return DCSIM_EINPUT;
    *out = v;
    return 0;
}

static const struct ynode *scalar_at(const struct yctx *c, const struct ynode *map,
                                     const char *path, const char *key, int *rc)
{
    const struct ynode *v = ynode_get(map, key);
    *rc = 0;
    if (v && v->kind != YNODE_SCALAR) {
        yget_error(c, v, "'%s' in %s must be a single value, not %s", key, path, kind_name(v));
        *rc = DCSIM_EINPUT;
        return NULL;
    }
    return v;
}

static int missing(const struct yctx *c, const struct ynode *map, const char *path,
                   const char *key)
{
    yget_error(c, map, "missing required key '%s' in %s", key, path);
    return DCSIM_EINPUT;
}

int yget_number(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
                unsigned flags, double dflt, double *out)
{
    *out = dflt;                /* also on failure: callers may convert it before checking */
    int rc;
    const struct ynode *v = scalar_at(c, map, path, key, &rc);
    if (rc)
        return rc;
    if (!v) {
        *out = dflt;
        return (flags & YGET_REQUIRED) ? missing(c, map, path, key) : 0;
    }
    double x;
    if (v->quoted || yget_parse_number(v->value, &x)) {
        /* "300 MW", "35 C": a number with a unit after it */
        char *end = NULL;
        double lead = strtod(v->value, &end);
        const char *hint = "";
        if (!v->quoted && end != v->value && end && *end == ' ' && isfinite(lead))
            hint = " (units live in key names: write the number alone, e.g. contract_mw: 300)";
        yget_error(c, v, "'%s' in %s must be a finite number, got '%.40s'%s", key, path, v->value,
                   hint);
        return DCSIM_EINPUT;
    }
    const char *need = NULL;
    if ((flags & YGET_POSITIVE) && !(x > 0))
        need = "greater than 0";
    else if ((flags & YGET_NONNEG) && x < 0)
        need = "0 or more";
    else if ((flags & YGET_FRACTION) && (x < 0 || x > 1))
        need = "between 0 and 1";
    else if ((flags & YGET_EFFICIENCY) && (x <= 0 || x > 1))
        need = "in (0, 1]";
    else if ((flags & YGET_INTEGER) && (x != floor(x) || fabs(x) > 1e12))
        need = "a whole number";
    if (need) {
        int percent = (flags & (YGET_FRACTION | YGET_EFFICIENCY)) && x > 1 && x <= 100;
        yget_error(c, v, "'%s' in %s must be %s, got %s%s", key, path, need, v->value,
                   percent ? " (fractions are plain numbers: 85 % is 0.85)" : "");
        return DCSIM_EINPUT;
    }
    *out = x;
    return 0;
}

int yget_string(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
                int required, const char *dflt, const char **out)
{
    int rc;
    *out = dflt;   /* also on failure: callers may read it after reporting */
    const struct ynode *v = scalar_at(c, map, path, key, &rc);
    if (rc)
        return rc;
    if (!v)
        return required ? missing(c, map, path, key) : 0;
    *out = v->value;
    return 0;
}

int yget_bool(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
              int dflt, int *out)
{
    int rc;
    *out = dflt;   /* also on failure */
    const struct ynode *v = scalar_at(c, map, path, key, &rc);
    if (rc)
        return rc;
    if (!v)
        return 0;
    if (!v->quoted && (strcmp(v->value, "true") == 0 || strcmp(v->value, "yes") == 0)) {
        *out = 1;
        return 0;
    }
    if (!v->quoted && (strcmp(v->value, "false") == 0 || strcmp(v->value, "no") == 0)) {
        *out = 0;
        return 0;
    }
    yget_error(c, v, "'%s' in %s must be true or false, got '%.40s'", key, path, v->value);
    return DCSIM_EINPUT;
}

int yget_span(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
              int required, int64_t dflt, int64_t *out)
{
    int rc;
    *out = dflt;   /* also on failure */
    const struct ynode *v = scalar_at(c, map, path, key, &rc);
    if (rc)
        return rc;
    if (!v)
        return required ? missing(c, map, path, key) : 0;
    if (timefmt_parse_span(v->value, out)) {
        *out = dflt;
        yget_error(c, v,
                   "'%s' in %s must be a time span in whole seconds like 30s, 15min, 1h, 7d or "
                   "1y, got '%.40s'", key, path, v->value);
        return DCSIM_EINPUT;
    }
    return 0;
}

int yget_date(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
              int64_t *out, int *present)
{
    int rc;
    const struct ynode *v = scalar_at(c, map, path, key, &rc);
    *present = 0;
    if (rc)
        return rc;
    if (!v)
        return 0;
    if (timefmt_parse_date(v->value, out)) {
        yget_error(c, v,
                   "'%s' in %s must be a date like 2027-03-01 or 2027-03-01T14:00:00Z (UTC), "
                   "got '%.40s'", key, path, v->value);
        return DCSIM_EINPUT;
    }
    *present = 1;
    return 0;
}

int yget_choice(const struct yctx *c, const struct ynode *map, const char *path, const char *key,
                const char *const *choices, int dflt, int *out)
{
    const char *s;
    *out = dflt;   /* also on failure */
    int rc = yget_string(c, map, path, key, dflt < 0, NULL, &s);
    if (rc)
        return rc;
    if (!s) {
        *out = dflt;
        return 0;
    }
    size_t n = 0;
    for (; choices[n]; n++) {
        if (strcmp(s, choices[n]) == 0) {
            *out = (int)n;
            return 0;
        }
    }
    char list[256] = "";
    for (size_t i = 0; i < n; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    const char *near = strdist_nearest(s, choices, n);
    const struct ynode *v = ynode_get(map, key);
    if (near)
        yget_error(c, v, "unknown %s '%.40s' in %s (did you mean '%s'? one of: %s)", key, s, path,
                   near, list);
    else
        yget_error(c, v, "unknown %s '%.40s' in %s (one of: %s)", key, s, path, list);
    return DCSIM_EINPUT;
}
