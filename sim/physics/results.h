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

/** What counts as no firm shortfall per year, MWh/y: 1e-6 MWh, plus 1e-11 of the IT energy
 *  asked for per year (the root finding solves the served fraction to 1e-12; a generator's
 *  10-s start that a battery cannot bridge is ~1e-9 of a year's energy and counts).
 *  m: a finished metric set. */
static inline double shortfall_noise_mwh_per_year(const double *m)
{
    return 1e-6 + 1e-11 * m[M_IT_DEMAND_ENERGY_MWH] / m[M_YEARS];
}

struct summary_acc {
    _Alignas(64) double m[N_METRICS];   /* running sums and extremes (the struct on cache lines
                                           of its own: threads fill neighbouring ones) */
    int64_t steps;
    int any_it;                 /* a step had IT served */
    double prev_facility_mw;    /* for the ramp: the previous step's facility power */
    size_t n_hours;             /* hourly buckets in use */
    size_t cap_hours;           /* hourly buckets in use at most: the run's hours */
    size_t block_hours;         /* hourly buckets allocated (of a kept block: maybe more) */
    int64_t end_s;              /* end of the latest step added, s from the start */
    int hourly_overflow;        /* a step beyond the buckets: hourly metrics NaN */
    /* hourly buckets for pue_peak, pue_p99 and cfe_share (one owned block, hour_it_mwh its
     * start, [block_hours] each, zero until the run reaches them): IT, facility and clean
     * energy by hour from the start, MWh */
    double *hour_it_mwh, *hour_facility_mwh, *hour_clean_mwh;
};

/** Empties the accumulator and allocates hourly buckets for a run of duration_s seconds
 *  (16 B an hour). Returns 0 or DCSIM_ENOMEM; release with summary_release either way. */
int summary_init(struct summary_acc *a, int64_t duration_s);

/** Copies src's running state into dst, initialised by summary_init for a run at least as
 *  long (a run that goes on from src's last step). Returns 0, or DCSIM_EINTERNAL when
 *  dst's buckets are fewer than src has in use. */
int summary_copy(struct summary_acc *dst, const struct summary_acc *src);

/** Frees the hourly buckets (the accumulator itself is the caller's). */
void summary_release(struct summary_acc *a);

/** Folds one step's series (v[N_SERIES]) of length dt_s (<= 1 h) starting at t_s into the
 *  metrics. */
void summary_add(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s);

/** The part of summary_add that the statistics over trials read of a site (sim_run:
 *  unserved hours and energy, the firm throttle's energy) and that a scenario's total takes
 *  from its sites (the least margin, with its time and dry bulb): a trial after the first
 *  keeps only these for each site of a scenario with several. The same sums, in the same
 *  order, as summary_add's (which calls it). */
void summary_add_lean(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s);

/** Final metrics of an accumulator filled by summary_add_lean: the metrics above, `years`
 *  and the per-year figures summary_finish derives from them, the same bits; NaN elsewhere. */
void summary_finish_lean(const struct summary_acc *a, int64_t duration_s, double *out);

/** Final metrics (ratios) into out[N_METRICS]; duration_s gives `years`. Sorts the hourly
 *  buckets in place: the accumulator must be released and initialised again before reuse. */
void summary_finish(struct summary_acc *a, int64_t duration_s, double *out);

/** A step's PUE counts for pue_peak / pue_p99 when its hour's served IT is at least this share
 *  of the median hourly served IT of the period (docs/model.md §6). */
#define SUMMARY_PUE_MIN_IT_SHARE 0.5

#endif
