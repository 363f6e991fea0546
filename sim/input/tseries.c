/* tseries.c — CSV time series (see tseries.h). */
#include "tseries.h"

#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "yget.h"

void tseries_release(struct tseries *s)
{
    if (!s)
        return;
    free(s->t_s);
    free(s->v);
    free(s->cum);
    memset(s, 0, sizeof *s);
}

/* Splits a CSV line in place at commas (no quoting: numbers and ISO times only); fields get
 * pointers and their 1-based columns. Returns the count, at most max. */
static size_t split(char *line, char **field, int *col, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        if (n < max) {
            field[n] = p;
            col[n] = (int)(p - line) + 1;
            n++;
        }
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    for (size_t i = 0; i < n; i++) {   /* trim blanks and a trailing CR */
        char *f = field[i];
        while (*f == ' ' || *f == '\t')
            f++, col[i]++;
        size_t len = strlen(f);
        while (len && (f[len - 1] == ' ' || f[len - 1] == '\t' || f[len - 1] == '\r' ||
                       f[len - 1] == '\n'))
            f[--len] = '\0';
        field[i] = f;
    }
    return n;
}

static int grow(struct tseries *s, size_t *cap)
{
    size_t c = *cap ? 2 * *cap : 1024;
    int64_t *t = realloc(s->t_s, c * sizeof *t);
    if (!t)
        return DCSIM_ENOMEM;
    s->t_s = t;
    double *v = realloc(s->v, c * sizeof *v);
    if (!v)
        return DCSIM_ENOMEM;
    s->v = v;
    *cap = c;
    return 0;
}

#define TSERIES_MAX_COLUMNS 256

int tseries_read_csv(const char *path, const char *column, int64_t start_unix_s,
                     int64_t duration_s, double lo, double hi, struct tseries *out,
                     struct diag *d)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        diag_error(d, path, 0, 0, "cannot open the CSV file: %s", strerror(errno));
        return DCSIM_EINPUT;
    }
    char *line = malloc(TSERIES_MAX_LINE + 2);
    if (!line) {
        fclose(f);
        return DCSIM_ENOMEM;
    }
    char *field[TSERIES_MAX_COLUMNS];
    int col[TSERIES_MAX_COLUMNS];
    int rc = 0, lineno = 0;
    size_t want = 0, cap = 0;
    int have_header = 0;
    while (!rc && fgets(line, TSERIES_MAX_LINE + 2, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > TSERIES_MAX_LINE && line[len - 1] != '\n') {
            diag_error(d, path, lineno, 1, "line longer than %d characters", TSERIES_MAX_LINE);
            rc = DCSIM_EINPUT;
            break;
        }
        if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n') || line[0] == '#')
            continue;   /* blank lines and comments */
        size_t nf = split(line, field, col, TSERIES_MAX_COLUMNS);
        if (!have_header) {
            have_header = 1;
            if (strcmp(field[0], "time") != 0) {
                diag_error(d, path, lineno, col[0], "the first column must be 'time', not '%.40s'",
                           field[0]);
                rc = DCSIM_EINPUT;
                break;
            }
            for (want = 1; want < nf && strcmp(field[want], column) != 0; want++)
                ;
            if (want == nf) {
                diag_error(d, path, lineno, 1, "no column '%.60s' in the header", column);
                rc = DCSIM_EINPUT;
            }
            continue;
        }
        if (out->n >= TSERIES_MAX_ROWS) {
            diag_error(d, path, lineno, 1, "more than %d rows", TSERIES_MAX_ROWS);
            rc = DCSIM_EINPUT;
            break;
        }
        int64_t unix_s;
        if (timefmt_parse_date(field[0], &unix_s)) {
            diag_error(d, path, lineno, col[0], "bad time '%.40s' (ISO 8601 UTC, e.g. "
                       "2027-01-01T00:00:00Z)", field[0]);
            rc = DCSIM_EINPUT;
            break;
        }
        if (want >= nf) {
            diag_error(d, path, lineno, 1, "row has %zu fields, no '%.60s'", nf, column);
            rc = DCSIM_EINPUT;
            break;
        }
        double v;
        if (yget_parse_number(field[want], &v) || !isfinite(v) || v < lo || v > hi) {
            diag_error(d, path, lineno, col[want], "bad value '%.40s' in column '%.60s' "
                       "(a number from %g to %g)", field[want], column, lo, hi);
            rc = DCSIM_EINPUT;
            break;
        }
        int64_t t = unix_s - start_unix_s;
        if (out->n && t <= out->t_s[out->n - 1]) {
            diag_error(d, path, lineno, col[0], "time '%.40s' is not after the row before",
                       field[0]);
            rc = DCSIM_EINPUT;
            break;
        }
        if (out->n == cap && (rc = grow(out, &cap)))
            break;
        out->t_s[out->n] = t;
        out->v[out->n] = v;
        out->n++;
    }
    if (!rc && ferror(f)) {
        diag_error(d, path, lineno, 0, "cannot read: %s", strerror(errno));
        rc = DCSIM_EINPUT;
    }
    fclose(f);
    free(line);
    if (!rc && out->n == 0) {
        diag_error(d, path, lineno ? lineno : 1, 1, "no rows after the header");
        rc = DCSIM_EINPUT;
    }
    if (!rc) {
        out->end_s = out->n > 1 ? 2 * out->t_s[out->n - 1] - out->t_s[out->n - 2] : INT64_MAX;
        if (out->t_s[0] > 0 || out->end_s < duration_s) {
            char a[32], b[32], s0[32], s1[32];
            timefmt_format_date(start_unix_s + out->t_s[0], a, sizeof a);
            if (out->end_s == INT64_MAX)
                snprintf(b, sizeof b, "ever");
            else
                timefmt_format_date(start_unix_s + out->end_s, b, sizeof b);
            timefmt_format_date(start_unix_s, s0, sizeof s0);
            timefmt_format_date(start_unix_s + duration_s, s1, sizeof s1);
            diag_error(d, path, out->t_s[0] > 0 ? 2 : lineno, 1, "column '%.60s' covers %s to "
                       "%s; the run needs %s to %s", column, a, b, s0, s1);
            rc = DCSIM_EINPUT;
        }
    }
    if (!rc && !(out->cum = malloc(out->n * sizeof *out->cum)))
        rc = DCSIM_ENOMEM;
    if (rc) {
        tseries_release(out);
        return rc;
    }
    out->cum[0] = 0;
    for (size_t i = 1; i < out->n; i++)
        out->cum[i] = out->cum[i - 1] + out->v[i - 1] * (double)(out->t_s[i] - out->t_s[i - 1]);
    return 0;
}

double tseries_mean(const struct tseries *s, int64_t a_s, int64_t b_s)
{
    size_t row = 0;
    return tseries_mean_from(s, a_s, b_s, &row);
}

/* The shared series: a short list (a scenario names a few CSV columns), under one lock. */
struct shared_series {
    struct tseries s;           /* first: tseries_put finds the entry from &s */
    char *path, *column;
    int64_t start_unix_s, duration_s;
    double lo, hi;
    int users;
    struct shared_series *next;
};

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_series *shared_head;

int tseries_get(const char *path, const char *column, int64_t start_unix_s, int64_t duration_s,
                double lo, double hi, const struct tseries **out, struct diag *d)
{
    *out = NULL;
    pthread_mutex_lock(&shared_lock);
    for (struct shared_series *e = shared_head; e; e = e->next)
        if (strcmp(e->path, path) == 0 && strcmp(e->column, column) == 0 &&
            e->start_unix_s == start_unix_s && e->duration_s == duration_s && e->lo == lo &&
            e->hi == hi) {
            e->users++;
            *out = &e->s;
            pthread_mutex_unlock(&shared_lock);
            return 0;
        }
    /* not there: read it under the lock (a second asker waits and then shares it) */
    struct shared_series *e = calloc(1, sizeof *e);
    int rc = e && (e->path = strdup(path)) && (e->column = strdup(column)) ? 0 : DCSIM_ENOMEM;
    if (!rc)
        rc = tseries_read_csv(path, column, start_unix_s, duration_s, lo, hi, &e->s, d);
    if (rc) {
        if (e) {
            free(e->path);
            free(e->column);
        }
        free(e);
        pthread_mutex_unlock(&shared_lock);
        return rc;
    }
    e->start_unix_s = start_unix_s;
    e->duration_s = duration_s;
    e->lo = lo;
    e->hi = hi;
    e->users = 1;
    e->next = shared_head;
    shared_head = e;
    *out = &e->s;
    pthread_mutex_unlock(&shared_lock);
    return 0;
}

void tseries_put(const struct tseries *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&shared_lock);
    for (struct shared_series **p = &shared_head; *p; p = &(*p)->next) {
        struct shared_series *e = *p;
        if (&e->s != s)
            continue;
        if (--e->users == 0) {
            *p = e->next;
            tseries_release(&e->s);
            free(e->path);
            free(e->column);
            free(e);
        }
        break;
    }
    pthread_mutex_unlock(&shared_lock);
}
