/* results.c — series and metric tables and the summary accumulator (see results.h). */
#include "results.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "err.h"
#include "scenario.h"
#include "timefmt.h"


const char *const series_names[N_SERIES] = {
#define SERIES(e, name, units, desc) name,
#include "series.def"
#undef SERIES
};
const char *const series_units[N_SERIES] = {
#define SERIES(e, name, units, desc) units,
#include "series.def"
#undef SERIES
};
const char *const series_descriptions[N_SERIES] = {
#define SERIES(e, name, units, desc) desc,
#include "series.def"
#undef SERIES
};
const char *const metric_names[N_METRICS] = {
#define METRIC(e, name, units, desc) name,
#include "metrics.def"
#undef METRIC
};
const char *const metric_units[N_METRICS] = {
#define METRIC(e, name, units, desc) units,
#include "metrics.def"
#undef METRIC
};
const char *const metric_descriptions[N_METRICS] = {
#define METRIC(e, name, units, desc) desc,
#include "metrics.def"
#undef METRIC
};

/* Bucket blocks kept between accumulators. A sweep or a run of trials makes and releases an
 * accumulator per case or trial: freed each time, their pages went back to the kernel (the
 * allocator trims its heap) and were faulted in again by the next (~7 % of a sweep's time,
 * in the kernel). Released blocks wait here for the next accumulator, at most
 * BUCKET_POOL_MAX of them (the largest kept). */
#define BUCKET_POOL_MAX 16
static pthread_mutex_t bucket_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket_block {
    double *mwh;                /* [3 × hours]: IT, facility, clean */
    size_t hours;
} bucket_pool[BUCKET_POOL_MAX];
static int bucket_pool_n;

/* A block of at least `hours` buckets: a kept one, else a new one. Their contents are
 * whatever they were: hour_add zeroes each hour as the run reaches it, so an accumulator
 * that never reaches one (a trial's site, summary_add_lean) costs nothing (zeroing every
 * kept block here was ~4 % of the instructions of a run of trials). */
static struct bucket_block bucket_block_get(size_t hours)
{
    struct bucket_block b = {NULL, 0};
    pthread_mutex_lock(&bucket_pool_lock);
    for (int i = 0; i < bucket_pool_n; i++)
        if (bucket_pool[i].hours >= hours) {
            b = bucket_pool[i];
            bucket_pool[i] = bucket_pool[--bucket_pool_n];
            break;
        }
    pthread_mutex_unlock(&bucket_pool_lock);
    if (!b.mwh && (b.mwh = malloc(3 * hours * sizeof *b.mwh)))
        b.hours = hours;
    return b;
}

/* Keeps a released block for the next accumulator (or frees it, or a smaller kept one). */
static void bucket_block_put(struct bucket_block b)
{
    pthread_mutex_lock(&bucket_pool_lock);
    if (bucket_pool_n < BUCKET_POOL_MAX) {
        bucket_pool[bucket_pool_n++] = b;
        b.mwh = NULL;
    } else {
        int least = 0;
        for (int i = 1; i < bucket_pool_n; i++)
            if (bucket_pool[i].hours < bucket_pool[least].hours)
                least = i;
        if (bucket_pool[least].hours < b.hours) {
            struct bucket_block out = bucket_pool[least];
            bucket_pool[least] = b;
            b = out;
        }
    }
    pthread_mutex_unlock(&bucket_pool_lock);
    free(b.mwh);
}

int summary_init(struct summary_acc *a, int64_t duration_s)
{
    memset(a, 0, sizeof *a);
    a->m[M_MARGIN_MIN_MW] = INFINITY;
    a->m[M_PUE_PEAK] = NAN;
    int64_t hours = duration_s > 0 ? (duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR : 1;
    struct bucket_block b = bucket_block_get((size_t)hours);
    if (!b.mwh)
        return DCSIM_ENOMEM;
    a->hour_it_mwh = b.mwh;
    a->hour_facility_mwh = b.mwh + b.hours;
    a->hour_clean_mwh = b.mwh + 2 * b.hours;
    a->block_hours = b.hours;
    a->cap_hours = (size_t)hours;
    return 0;
}

int summary_copy(struct summary_acc *dst, const struct summary_acc *src)
{
    if (src->n_hours > dst->cap_hours)
        return DCSIM_EINTERNAL;
    memcpy(dst->m, src->m, sizeof dst->m);
    dst->steps = src->steps;
    dst->any_it = src->any_it;
    dst->prev_facility_mw = src->prev_facility_mw;
    dst->end_s = src->end_s;
    dst->hourly_overflow = src->hourly_overflow;
    /* src's buckets in use (dst's beyond them are zeroed as the run reaches them) */
    double *to[3] = {dst->hour_it_mwh, dst->hour_facility_mwh, dst->hour_clean_mwh};
    const double *from[3] = {src->hour_it_mwh, src->hour_facility_mwh, src->hour_clean_mwh};
    for (int b = 0; b < 3; b++)
        memcpy(to[b], from[b], src->n_hours * sizeof *to[b]);
    dst->n_hours = src->n_hours;
    return 0;
}

void summary_release(struct summary_acc *a)
{
    if (!a)
        return;
    if (a->hour_it_mwh)
        bucket_block_put((struct bucket_block){a->hour_it_mwh, a->block_hours});
    a->hour_it_mwh = a->hour_facility_mwh = a->hour_clean_mwh = NULL;
    a->cap_hours = 0;
}

/* max(m, x) with fmax's result when x is NaN (m), without the libm call gcc emits for fmax */
static inline double max_keep(double m, double x)
{
    return x > m ? x : m;
}

/* Zeroes the buckets from the first not reached yet through hour h, now reached. */
static inline void reach_hour(struct summary_acc *a, size_t h)
{
    size_t from = a->n_hours;
    if (h == from) {   /* the next hour: the usual case */
        a->hour_it_mwh[h] = a->hour_facility_mwh[h] = a->hour_clean_mwh[h] = 0.0;
    } else {
        size_t bytes = (h + 1 - from) * sizeof(double);
        memset(a->hour_it_mwh + from, 0, bytes);
        memset(a->hour_facility_mwh + from, 0, bytes);
        memset(a->hour_clean_mwh + from, 0, bytes);
    }
    a->n_hours = h + 1;
}

/* Adds the step's IT and facility energy to the hours it covers (a step of at most an hour
 * covers at most two); n_hours counts the buckets the run has reached, each zeroed when
 * reached (those before it that the run skipped too). */
static void hour_add(struct summary_acc *a, double it_mw, double facility_mw, double clean_mw,
                     int64_t t_s,
                     int64_t dt_s)
{
    int64_t end = t_s + dt_s;
    for (int64_t t = t_s; t < end;) {
        int64_t h = t / SECONDS_PER_HOUR;
        int64_t next = (h + 1) * SECONDS_PER_HOUR;
        int64_t until = next < end ? next : end;
        if (h < 0 || (size_t)h >= a->cap_hours) {
            a->hourly_overflow = 1;
            return;
        }
        if (a->n_hours <= (size_t)h)
            reach_hour(a, (size_t)h);
        double frac_h = (double)(until - t) / SECONDS_PER_HOUR;
        a->hour_it_mwh[h] += it_mw * frac_h;
        a->hour_facility_mwh[h] += facility_mw * frac_h;
        a->hour_clean_mwh[h] += clean_mw * frac_h;
        t = until;
    }
    if (end > a->end_s)
        a->end_s = end;
}

void summary_add_lean(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s)
{
    double h = (double)dt_s / SECONDS_PER_HOUR;
    double *m = a->m;
    m[M_UNSERVED_ENERGY_MWH] += v[S_UNSERVED_MW] * h;
    m[M_UNSERVED_HOURS] += v[S_UNSERVED_S] / SECONDS_PER_HOUR;
    m[M_THROTTLE_FIRM_ENERGY_MWH] += v[S_THROTTLE_FIRM_MW] * h;
    if (v[S_MARGIN_MW] < m[M_MARGIN_MIN_MW]) {
        m[M_MARGIN_MIN_MW] = v[S_MARGIN_MW];
        m[M_MARGIN_MIN_TIME_S] = (double)t_s;
        m[M_MARGIN_MIN_DRYBULB_C] = v[S_AMBIENT_DRYBULB_C];
    }
}

void summary_add(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s)
{
    summary_add_lean(a, v, t_s, dt_s);
    double h = (double)dt_s / SECONDS_PER_HOUR;
    double *m = a->m;
    double it = v[S_IT_SERVED_MW], facility = v[S_FACILITY_MW], unserved = v[S_UNSERVED_MW];
    m[M_IT_ENERGY_MWH] += it * h;
    m[M_FACILITY_ENERGY_MWH] += facility * h;
    if (it > 0)
        a->any_it = 1;
    hour_add(a, it, facility, v[S_CLEAN_MW], t_s, dt_s);
    m[M_IT_PEAK_MW] = max_keep(m[M_IT_PEAK_MW], it);
    m[M_FACILITY_PEAK_MW] = max_keep(m[M_FACILITY_PEAK_MW], facility);
    if (a->steps > 0)
        m[M_FACILITY_RAMP_MAX_MW_PER_S] =
            max_keep(m[M_FACILITY_RAMP_MAX_MW_PER_S],
                     fabs(facility - a->prev_facility_mw) / (double)dt_s);
    a->prev_facility_mw = facility;
    m[M_CRITICAL_IT_MW] = max_keep(m[M_CRITICAL_IT_MW], v[S_CRITICAL_IT_MW]);
    m[M_UNSERVED_PEAK_MW] = max_keep(m[M_UNSERVED_PEAK_MW], unserved);
    m[M_SHED_ENERGY_MWH] += v[S_SHED_MW] * h;
    m[M_THROTTLE_ENERGY_MWH] += v[S_THROTTLE_MW] * h;
    m[M_WATER_M3] += v[S_WATER_M3];
    m[M_ENERGY_COST_USD] += v[S_COST_USD];
    m[M_DEMAND_CHARGE_USD] += v[S_DEMAND_CHARGE_USD];
    m[M_FUEL_MMBTU] += v[S_FUEL_MMBTU];
    m[M_FUEL_COST_USD] += v[S_FUEL_COST_USD];
    m[M_TURBINE_ENERGY_MWH] += v[S_TURBINE_MW] * h;
    m[M_IT_FLEX_ENERGY_MWH] += v[S_IT_FLEX_SERVED_MW] * h;
    m[M_CO2_T] += v[S_CO2_KG] / 1000.0;
    m[M_IT_DEMAND_ENERGY_MWH] += v[S_IT_DEMAND_MW] * h;
    m[M_COOLING_ENERGY_MWH] += v[S_COOLING_MW] * h;
    m[M_LOSSES_ENERGY_MWH] += v[S_LOSSES_MW] * h;
    m[M_MISC_ENERGY_MWH] += v[S_MISC_MW] * h;
    m[M_GRID_ENERGY_MWH] += v[S_GRID_MW] * h;
    m[M_REACTOR_ENERGY_MWH] += v[S_REACTOR_MW] * h;
    m[M_BATTERY_NET_ENERGY_MWH] += v[S_BATTERY_MW] * h;
    m[M_GENERATOR_ENERGY_MWH] += v[S_GENERATOR_MW] * h;
    m[M_CURTAILED_ENERGY_MWH] += v[S_CURTAILED_MW] * h;
    a->steps++;
}

/* Puts the pair whose x has rank r (0-based, ascending) at r, with smaller-or-equal x before
 * it and greater-or-equal after (Hoare's FIND with the middle element as pivot: ties split
 * evenly, so runs of equal values stay linear); y, when given, moves along with x. */
static void select_pairs(double *x, double *y, size_t n, size_t r)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, k = (ptrdiff_t)r;
    while (lo < hi) {
        double pivot = x[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        do {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j];
                x[j] = t;
                if (y) {
                    t = y[i];
                    y[i] = y[j];
                    y[j] = t;
                }
                i++;
                j--;
            }
        } while (i <= j);
        /* x[lo..j] <= pivot <= x[i..hi], and x between them equals the pivot */
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* The least of x[0..n). */
static double least_of(const double *x, size_t n)
{
    double m = x[0];
    for (size_t i = 1; i < n; i++)
        m = x[i] < m ? x[i] : m;
    return m;
}

/* pue_peak and pue_p99 from the hourly buckets (docs/model.md §6): hourly PUE = facility
 * energy / IT energy of the hour, over the hours whose mean served IT is at least half the
 * median hour's (and above 0); the peak is their maximum, p99 their 99th percentile (linear
 * between order statistics, as gsl_stats_quantile_from_sorted_data and numpy). The order
 * statistics are selected, not sorted: the same values in linear time. */
static void hourly_pue(struct summary_acc *a, double *peak, double *p99)
{
    *peak = *p99 = NAN;
    size_t n = a->n_hours;
    if (a->hourly_overflow || n == 0)
        return;
    double *it = a->hour_it_mwh, *pue = a->hour_facility_mwh;
    /* every hour is whole but the last, which ends with the run: mean served IT (MW) and PUE */
    double last_h = (double)(a->end_s - (int64_t)(n - 1) * SECONDS_PER_HOUR) / SECONDS_PER_HOUR;
    for (size_t i = 0; i < n; i++) {
        pue[i] = it[i] > 0 ? pue[i] / it[i] : NAN;
        if (i + 1 == n)
            it[i] /= last_h;
    }
    /* the median hour's IT (gsl_stats_median_from_sorted_data: the mean of the two middle
     * values when n is even) */
    size_t mid = n / 2;
    select_pairs(it, pue, n, mid);
    double median = it[mid];
    if (n % 2 == 0) {
        double below = it[0];   /* the largest of it[0..mid) */
        for (size_t i = 1; i < mid; i++)
            below = it[i] > below ? it[i] : below;
        median = (below + it[mid]) / 2.0;
    }
    double threshold = SUMMARY_PUE_MIN_IT_SHARE * median;
    /* the hours that count, their PUE gathered at the front */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i] > 0 && it[i] >= threshold)
            pue[k++] = pue[i];
    if (k == 0)
        return;
    double top = pue[0];
    for (size_t i = 1; i < k; i++)
        top = pue[i] > top ? pue[i] : top;
    *peak = top;
    /* gsl_stats_quantile_from_sorted_data(…, 0.99): index (k - 1)·0.99, linear between the
     * order statistics at its floor and the next */
    double index = (double)(k - 1) * 0.99;
    size_t lhs = (size_t)floor(index);
    double delta = index - (double)lhs;
    select_pairs(pue, NULL, k, lhs);
    if (lhs == k - 1)
        *p99 = pue[lhs];
    else
        *p99 = (1 - delta) * pue[lhs] + delta * least_of(pue + lhs + 1, k - lhs - 1);
}

/* What summary_finish and summary_finish_lean share: the least margin (NaN when no step
 * had one), the years, and one trial's own reliability figures (sim_run replaces them with
 * the statistics over all trials). */
static void finish_shortfall(const struct summary_acc *a, int64_t duration_s, double *out)
{
    if (!isfinite(out[M_MARGIN_MIN_MW]))
        out[M_MARGIN_MIN_MW] = NAN;
    out[M_YEARS] = (double)duration_s / SECONDS_PER_YEAR;
    out[M_RIDE_THROUGH_S] = NAN;
    out[M_LOLE_H_PER_YEAR] = a->m[M_UNSERVED_HOURS] / out[M_YEARS];
    out[M_EUE_MWH_PER_YEAR] = a->m[M_UNSERVED_ENERGY_MWH] / out[M_YEARS];
    out[M_UNSERVED_ENERGY_MWH_P50] = out[M_UNSERVED_ENERGY_MWH_P95] =
        out[M_UNSERVED_ENERGY_MWH_P99] = out[M_UNSERVED_ENERGY_MWH_MEAN] =
            a->m[M_UNSERVED_ENERGY_MWH];
    out[M_N_TRIALS] = 1;
    out[M_LOLE_H_PER_YEAR_STDERR] = out[M_EUE_MWH_PER_YEAR_STDERR] = NAN;
    out[M_SHORTFALL_MWH_PER_YEAR] =
        (a->m[M_UNSERVED_ENERGY_MWH] + a->m[M_THROTTLE_FIRM_ENERGY_MWH]) / out[M_YEARS];
    out[M_MEETS_TARGET] = NAN;   /* set by sim_run against the scenario's target */
}

void summary_finish(struct summary_acc *a, int64_t duration_s, double *out)
{
    memcpy(out, a->m, sizeof a->m);
    /* hourly matching (before hourly_pue reorders the buckets): Σ_h min(clean, facility) /
     * Σ_h facility */
    double matched = 0, consumed = 0;
    for (size_t i = 0; i < a->n_hours; i++) {
        matched += fmin(a->hour_clean_mwh[i], a->hour_facility_mwh[i]);
        consumed += a->hour_facility_mwh[i];
    }
    out[M_CFE_SHARE] = consumed > 0 && !a->hourly_overflow ? matched / consumed : NAN;
    out[M_TOTAL_COST_USD] = a->m[M_ENERGY_COST_USD] + a->m[M_DEMAND_CHARGE_USD] +
                            a->m[M_FUEL_COST_USD];
    /* economics: filled by sim_run from the scenario (economics.h) */
    out[M_CAPEX_USD] = out[M_REVENUE_USD_PER_YEAR] = out[M_OPEX_USD_PER_YEAR] = NAN;
    out[M_NPV_USD] = out[M_PAYBACK_YEARS] = NAN;
    hourly_pue(a, &out[M_PUE_PEAK], &out[M_PUE_P99]);
    double it = a->m[M_IT_ENERGY_MWH];
    out[M_PUE] = it > 0 ? a->m[M_FACILITY_ENERGY_MWH] / it : NAN;
    /* water m³ → L (×1000) over IT MWh → kWh (×1000): the factors cancel */
    out[M_WUE_L_PER_KWH] = it > 0 ? a->m[M_WATER_M3] / it : NAN;
    finish_shortfall(a, duration_s, out);
}

void summary_finish_lean(const struct summary_acc *a, int64_t duration_s, double *out)
{
    for (int k = 0; k < N_METRICS; k++)
        out[k] = NAN;
    out[M_UNSERVED_ENERGY_MWH] = a->m[M_UNSERVED_ENERGY_MWH];
    out[M_UNSERVED_HOURS] = a->m[M_UNSERVED_HOURS];
    out[M_THROTTLE_FIRM_ENERGY_MWH] = a->m[M_THROTTLE_FIRM_ENERGY_MWH];
    out[M_MARGIN_MIN_MW] = a->m[M_MARGIN_MIN_MW];
    out[M_MARGIN_MIN_TIME_S] = a->m[M_MARGIN_MIN_TIME_S];
    out[M_MARGIN_MIN_DRYBULB_C] = a->m[M_MARGIN_MIN_DRYBULB_C];
    finish_shortfall(a, duration_s, out);
}
