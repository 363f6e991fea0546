/* results.h — the names, units and accumulation of series and summary metrics.
 *
 * One table (series.def) lists every per-step series, another (metrics.def) every summary
 * metric; the solver fills a step's series, summary_add folds them into the metrics. */
#ifndef DCSIM_RESULTS_H
#define DCSIM_RESULTS_H

#include <stddef.h>
#include <stdint.h>

enum series_id {
#define SERIES(e, name, units, desc) S_##e,
#include "series.def"
#undef SERIES
    N_SERIES
};

enum metric_id {
#define METRIC(e, name, units, desc) M_##e,
#include "metrics.def"
#undef METRIC
    N_METRICS
};

extern const char *const series_names[N_SERIES];
extern const char *const series_units[N_SERIES];
extern const char *const series_descriptions[N_SERIES];
extern const char *const metric_names[N_METRICS];
extern const char *const metric_units[N_METRICS];
extern const char *const metric_descriptions[N_METRICS];

/* Threshold under which an unserved power counts as served, MW (1 W). */
#define UNSERVED_EPS_MW 1e-6

struct summary_acc {
    double m[N_METRICS];        /* running sums and extremes */
    int64_t steps;
    int any_it;                 /* a step had IT served */
    double prev_facility_mw;    /* for the ramp: the previous step's facility power */
    /* hourly buckets for pue_peak and pue_p99, by hour from the start (owned; NULL until the
     * first step): IT and facility energy, MWh, and scratch for summary_finish; 24 B a
     * simulated hour (0.2 MB a year) */
    double *hour_it_mwh, *hour_facility_mwh, *hour_scratch;
    size_t n_hours, cap_hours;
    int64_t end_s;              /* end of the latest step added, s from the start */
    int hourly_failed;          /* the buckets could not grow: hourly metrics are NaN */
};

/** Empties the accumulator (on a zeroed or released one: it owns no buffer yet). */
void summary_init(struct summary_acc *a);

/** Folds one step's series (v[N_SERIES]) of length dt_s (<= 1 h) starting at t_s into the
 *  metrics. Returns 0, or DCSIM_ENOMEM when the hourly buckets cannot grow (the other metrics
 *  are still folded; pue_peak and pue_p99 become NaN). */
int summary_add(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s);

/** Final metrics (ratios) into out[N_METRICS]; duration_s gives `years`. Releases the hourly
 *  buckets (the accumulator can only be released or re-initialised after). */
void summary_finish(struct summary_acc *a, int64_t duration_s, double *out);

/** Frees the hourly buckets; for accumulators dropped without summary_finish. Idempotent. */
void summary_release(struct summary_acc *a);

/** A step's PUE counts for pue_peak / pue_p99 when its hour's served IT is at least this share
 *  of the median hourly served IT of the period (docs/model.md §6). */
#define SUMMARY_PUE_MIN_IT_SHARE 0.5

#endif
