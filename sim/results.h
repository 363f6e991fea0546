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

/** Hourly buckets of an accumulator: SCENARIO_MAX_YEARS (100) years of 8760 h, and one. */
#define SUMMARY_MAX_HOURS (100 * 8760 + 1)

struct summary_acc {
    double m[N_METRICS];        /* running sums and extremes */
    int64_t steps;
    int any_it;                 /* a step had IT served */
    double prev_facility_mw;    /* for the ramp: the previous step's facility power */
    size_t n_hours;             /* hourly buckets in use */
    int64_t end_s;              /* end of the latest step added, s from the start */
    int hourly_overflow;        /* a step beyond SUMMARY_MAX_HOURS: hourly metrics NaN */
    /* hourly buckets for pue_peak and pue_p99 (last, so that summary_init leaves them alone:
     * they are zeroed hour by hour as the run reaches them; in a calloc'ed accumulator only
     * the pages of hours reached become resident, 16 B an hour, 140 kB a year): IT and
     * facility energy by hour from the start, MWh */
    double hour_it_mwh[SUMMARY_MAX_HOURS];
    double hour_facility_mwh[SUMMARY_MAX_HOURS];
};

/** Empties the accumulator (its running fields; the hourly buckets are reset as reached).
 *  The accumulator is large (14 MB): allocate it on the heap, never on the stack. */
void summary_init(struct summary_acc *a);

/** Folds one step's series (v[N_SERIES]) of length dt_s (<= 1 h) starting at t_s into the
 *  metrics. */
void summary_add(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s);

/** Final metrics (ratios) into out[N_METRICS]; duration_s gives `years`. Sorts the hourly
 *  buckets in place: the accumulator must be re-initialised before it is used again. */
void summary_finish(struct summary_acc *a, int64_t duration_s, double *out);

/** A step's PUE counts for pue_peak / pue_p99 when its hour's served IT is at least this share
 *  of the median hourly served IT of the period (docs/model.md §6). */
#define SUMMARY_PUE_MIN_IT_SHARE 0.5

#endif
