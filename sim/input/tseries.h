/* tseries.h — time series read from CSV files: a step function of run time.
 *
 * A CSV with a header line whose first column is `time` (ISO 8601 UTC: 2027-01-01T00:00:00Z
 * or 2027-01-01), rows in increasing time; each value holds from its row's time until the
 * next row's; the last row holds for as long as the interval before it (one row: forever).
 * A step takes the time-weighted mean of the series over the step. Irregular spacing is
 * fine; UTC has no daylight saving. The series must cover the run: first row at or before
 * the start, coverage to at least the end (docs/model.md "Time-series inputs"). */
#ifndef DCSIM_TSERIES_H
#define DCSIM_TSERIES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/** Rows of a CSV file at most (a 1-minute year is 525,600). */
#define TSERIES_MAX_ROWS 10000000
/** Bytes of one CSV line at most. */
#define TSERIES_MAX_LINE 65536

struct tseries {
    int64_t *t_s;               /* owned: row times, run seconds, increasing */
    double *v;                  /* owned: values */
    double *cum;                /* owned: ∫v dt from t_s[0] to t_s[i], value·s */
    size_t n;
    int64_t end_s;              /* the series holds until here */
};

/** Reads `column` of `path` (relative paths as given) for a run starting at start_unix_s
 *  and lasting duration_s. Bad content, a missing column or a series that does not cover
 *  the run: FILE:LINE:COL errors into `d`, DCSIM_EINPUT; an unreadable file: DCSIM_EINPUT
 *  (bad input) with its reason. `lo`..`hi` bound every value (inclusive). */
int tseries_read_csv(const char *path, const char *column, int64_t start_unix_s,
                     int64_t duration_s, double lo, double hi, struct tseries *out,
                     struct diag *d);

/** Time-weighted mean over [a_s, b_s) (run seconds, inside the coverage; a_s < b_s). */
double tseries_mean(const struct tseries *s, int64_t a_s, int64_t b_s);

/** The last row at or before x (x >= t_s[0]), looked for first at *row and the row after it
 *  (calls in time order land there), then by bisection; *row gets it. */
static inline size_t tseries_row_at(const struct tseries *s, int64_t x, size_t *row)
{
    size_t lo = *row < s->n ? *row : 0;
    if (!(s->t_s[lo] <= x && (lo + 1 == s->n || s->t_s[lo + 1] > x))) {
        if (lo + 2 <= s->n && s->t_s[lo + 1] <= x && (lo + 2 == s->n || s->t_s[lo + 2] > x)) {
            lo++;
        } else {
            size_t hi = s->n;
            lo = 0;
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (s->t_s[mid] <= x)
                    lo = mid;
                else
                    hi = mid;
            }
        }
    }
    *row = lo;
    return lo;
}

/** The integral from t_s[0] to x (the series held over each row), with the row hint of
 *  tseries_row_at. */
static inline double tseries_integral_to(const struct tseries *s, int64_t x, size_t *row)
{
    size_t r = tseries_row_at(s, x, row);
    return s->cum[r] + s->v[r] * (double)(x - s->t_s[r]);
}

/** tseries_mean with the row hint of tseries_row_at (the same value): for a caller that
 *  asks for consecutive spans, step after step. */
static inline double tseries_mean_from(const struct tseries *s, int64_t a_s, int64_t b_s,
                                       size_t *row)
{
    if (s->n == 1)
        return s->v[0];
    double ia = tseries_integral_to(s, a_s, row);
    return (tseries_integral_to(s, b_s, row) - ia) / (double)(b_s - a_s);
}

/** A caller's place in a series as it asks for consecutive spans: the row of its last
 *  lookup, and the integral from t_s[0] to the end of its last span (when `have`). Zeroed:
 *  nothing known yet. */
struct tseries_cursor {
    size_t row;
    int have;
    int64_t end_s;
    double end_integral;
};

/** tseries_mean_from for spans that follow each other: where a span starts at the last
 *  one's end, the integral there is the one worked out for that end (the same row, the same
 *  expression: the same bits), so only the new end's is. */
static inline double tseries_mean_next(const struct tseries *s, int64_t a_s, int64_t b_s,
                                       struct tseries_cursor *c)
{
    if (s->n == 1)
        return s->v[0];
    double ia = c->have && c->end_s == a_s ? c->end_integral
                                           : tseries_integral_to(s, a_s, &c->row);
    double ib = tseries_integral_to(s, b_s, &c->row);
    c->have = 1;
    c->end_s = b_s;
    c->end_integral = ib;
    return (ib - ia) / (double)(b_s - a_s);
}

/** Frees; a zeroed series is fine. */
void tseries_release(struct tseries *s);

/** The same as tseries_read_csv into a series shared by every caller that asks for the
 *  same file, column, run window and bounds (a sweep's cases read a CSV once): *out is
 *  read-only; give it back with tseries_put. Thread-safe. */
int tseries_get(const char *path, const char *column, int64_t start_unix_s, int64_t duration_s,
                double lo, double hi, const struct tseries **out, struct diag *d);

/** Gives back a series from tseries_get (freed with its last user). NULL is a no-op. */
void tseries_put(const struct tseries *s);

#endif
