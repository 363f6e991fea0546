/* results.c — series and metric tables and the summary accumulator (see results.h). */
#include "results.h"

#include <math.h>
#include <string.h>

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

void summary_init(struct summary_acc *a)
{
    memset(a, 0, sizeof *a);
    a->m[M_MARGIN_MIN_MW] = INFINITY;
    a->m[M_PUE_PEAK] = NAN;
}

/* max(m, x) with fmax's result when x is NaN (m), without the libm call gcc emits for fmax */
static inline double max_keep(double m, double x)
{
    return x > m ? x : m;
}

void summary_add(struct summary_acc *a, const double *v, int64_t t_s, int64_t dt_s)
{
    double h = (double)dt_s / SECONDS_PER_HOUR;
    double *m = a->m;
    double it = v[S_IT_SERVED_MW], facility = v[S_FACILITY_MW], unserved = v[S_UNSERVED_MW];
    m[M_IT_ENERGY_MWH] += it * h;
    m[M_FACILITY_ENERGY_MWH] += facility * h;
    if (it > 0) {
        if (!a->any_it || v[S_PUE] > m[M_PUE_PEAK])
            m[M_PUE_PEAK] = v[S_PUE];
        a->any_it = 1;
    }
    m[M_IT_PEAK_MW] = max_keep(m[M_IT_PEAK_MW], it);
    m[M_FACILITY_PEAK_MW] = max_keep(m[M_FACILITY_PEAK_MW], facility);
    if (a->steps > 0)
        m[M_FACILITY_RAMP_MAX_MW_PER_S] =
            max_keep(m[M_FACILITY_RAMP_MAX_MW_PER_S],
                     fabs(facility - a->prev_facility_mw) / (double)dt_s);
    a->prev_facility_mw = facility;
    m[M_CRITICAL_IT_MW] = max_keep(m[M_CRITICAL_IT_MW], v[S_CRITICAL_IT_MW]);
    m[M_UNSERVED_ENERGY_MWH] += unserved * h;
    m[M_UNSERVED_HOURS] += v[S_UNSERVED_S] / SECONDS_PER_HOUR;
    m[M_UNSERVED_PEAK_MW] = max_keep(m[M_UNSERVED_PEAK_MW], unserved);
    m[M_SHED_ENERGY_MWH] += v[S_SHED_MW] * h;
    m[M_THROTTLE_ENERGY_MWH] += v[S_THROTTLE_MW] * h;
    m[M_WATER_M3] += v[S_WATER_M3];
    m[M_ENERGY_COST_USD] += v[S_COST_USD];
    if (v[S_MARGIN_MW] < m[M_MARGIN_MIN_MW]) {
        m[M_MARGIN_MIN_MW] = v[S_MARGIN_MW];
        m[M_MARGIN_MIN_TIME_S] = (double)t_s;
        m[M_MARGIN_MIN_DRYBULB_C] = v[S_AMBIENT_DRYBULB_C];
    }
    m[M_IT_DEMAND_ENERGY_MWH] += v[S_IT_DEMAND_MW] * h;
    m[M_COOLING_ENERGY_MWH] += v[S_COOLING_MW] * h;
    m[M_LOSSES_ENERGY_MWH] += v[S_LOSSES_MW] * h;
    m[M_MISC_ENERGY_MWH] += v[S_MISC_MW] * h;
    m[M_GRID_ENERGY_MWH] += v[S_GRID_MW] * h;
    m[M_REACTOR_ENERGY_MWH] += v[S_REACTOR_MW] * h;
    m[M_BATTERY_NET_ENERGY_MWH] += v[S_BATTERY_MW] * h;
    m[M_GENERATOR_ENERGY_MWH] += v[S_GENERATOR_MW] * h;
    m[M_CURTAILED_ENERGY_MWH] += v[S_CURTAILED_MW] * h;
    m[M_THROTTLE_FIRM_ENERGY_MWH] += v[S_THROTTLE_FIRM_MW] * h;
    a->steps++;
}

void summary_finish(const struct summary_acc *a, int64_t duration_s, double *out)
{
    memcpy(out, a->m, sizeof a->m);
    double it = a->m[M_IT_ENERGY_MWH];
    out[M_PUE] = it > 0 ? a->m[M_FACILITY_ENERGY_MWH] / it : NAN;
    /* water m³ → L (×1000) over IT MWh → kWh (×1000): the factors cancel */
    out[M_WUE_L_PER_KWH] = it > 0 ? a->m[M_WATER_M3] / it : NAN;
    if (!isfinite(out[M_MARGIN_MIN_MW]))
        out[M_MARGIN_MIN_MW] = NAN;
    out[M_YEARS] = (double)duration_s / SECONDS_PER_YEAR;
    /* one trial's own reliability figures; sim_run replaces them with the statistics over
     * all trials */
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
