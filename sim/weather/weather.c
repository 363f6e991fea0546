/* weather.c — ambient conditions at any run time: constant, synthetic climate or EPW file.
 *
 * The model is ../shared/model.md "Weather". All randomness is drawn in the constructor, so
 * weather_at only reads the handle and may be called from several threads at once.
 * Psychrometrics live in psychro.c, the EPW reader in epw.c. */
#include "weather.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "epw.h"
#include "timefmt.h"

#define DAYS_PER_YEAR 365               /* the climate table's year */
#define HOURS_PER_DAY 24.0
#define WARMEST_HOUR_LOCAL 15.0         /* model.md: the diurnal cosine peaks at 15:00 local */
#define ANOMALY_MARGIN_DAYS 2           /* anomalies drawn past the horizon, for the last step */
#define WEATHER_MAX_HORIZON_S (10000 * SECONDS_PER_YEAR)  /* sanity bound, keeps int64 safe */
#define WEATHER_MAX_ABS_TIME_S 1000000000000LL            /* |start|, ~31700 years */
#define UTC_OFFSET_MAX_H 24.0
#define FEB29_DAY_OF_YEAR 59            /* 0-based day of year of Feb 29 in a leap year */

/* Day of year (0-based, fractional, 365-day year) of the middle of each month: the month's
 * first day plus half its length. The nodes between which M, R and RH are interpolated. */
static const double MID_MONTH_DAY[12] = {15.5,  45.0,  74.5,  105.0, 135.5, 166.0,
                                         196.5, 227.5, 258.0, 288.5, 319.0, 349.5};

enum weather_kind { WEATHER_CONSTANT, WEATHER_CLIMATE, WEATHER_EPW };

struct weather {
    enum weather_kind kind;
    double drybulb_c, wetbulb_c;    /* constant weather, °C */
    int64_t start_unix_s;           /* run start, s since the epoch (UTC) */
    int64_t utc_offset_s;           /* local standard time - UTC, s */
    struct climate climate;         /* copy of the catalog entry */
    struct climate_nodes nodes;     /* mid-month node values that reproduce the monthly means */
    int64_t first_local_day;        /* local day (days since 1970-01-01) of anomaly_k[0] */
    size_t n_days;                  /* length of anomaly_k */
    double *anomaly_k;              /* owned: AR(1) daily anomaly a(day), K */
    short *day_of_year;             /* owned: [n_days] 0-based day of year of each local day */
    unsigned char *leap;            /* owned: [n_days] 1 in a leap year */
    struct epw_series *epw;         /* owned: hourly file data */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int weather_create_constant(double drybulb_c, double wetbulb_c, struct weather **out)
{
    struct weather *w = calloc(1, sizeof *w);
    if (!w)
        return DCSIM_ENOMEM;
    w->kind = WEATHER_CONSTANT;
    w->drybulb_c = drybulb_c;
    w->wetbulb_c = wetbulb_c;
    *out = w;
    return 0;
}

static int climate_valid(const struct climate *c)
{
    for (int m = 0; m < 12; m++) {
        if (!isfinite(c->monthly_drybulb_c[m]) || !isfinite(c->monthly_range_k[m])
            || c->monthly_range_k[m] < 0 || !(c->monthly_rh[m] >= 0 && c->monthly_rh[m] <= 100))
            return 0;
    }
    return isfinite(c->utc_offset_h) && fabs(c->utc_offset_h) <= UTC_OFFSET_MAX_H
           && c->anomaly_sd_k >= 0 && isfinite(c->anomaly_sd_k)
           && c->anomaly_autocorrelation >= 0 && c->anomaly_autocorrelation <= 1;
}

/* Draws the AR(1) series a_0 ~ N(0, sd²), a_d = φ·a_{d-1} + sd·√(1-φ²)·ε_d (model.md), which
 * keeps every a_d at variance sd² (stationary AR(1), e.g. Box & Jenkins, Time Series
 * Analysis, sec. 3.2.4). */
static int draw_anomalies(struct weather *w, uint64_t seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return DCSIM_ENOMEM;
    /* GSL's MT19937 keeps only 32 bits of its seed: fold the high half in so 64-bit seeds
     * that differ only there still give different weather. */
    gsl_rng_set(rng, (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffu));
    double sd = w->climate.anomaly_sd_k, phi = w->climate.anomaly_autocorrelation;
    double innovation_sd = sd * sqrt(1.0 - phi * phi);
    w->anomaly_k[0] = sd * gsl_ran_gaussian(rng, 1.0);
    for (size_t d = 1; d < w->n_days; d++)
        w->anomaly_k[d] = phi * w->anomaly_k[d - 1] + innovation_sd * gsl_ran_gaussian(rng, 1.0);
    gsl_rng_free(rng);
    return 0;
}

int weather_create_climate(const struct climate *climate, int64_t start_unix_s,
                           int64_t horizon_s, uint64_t seed, struct weather **out)
{
    if (!climate || !out || !climate_valid(climate) || horizon_s < 0
        || horizon_s > WEATHER_MAX_HORIZON_S || start_unix_s > WEATHER_MAX_ABS_TIME_S
        || start_unix_s < -WEATHER_MAX_ABS_TIME_S)
        return DCSIM_EINPUT;
    struct weather *w = calloc(1, sizeof *w);
    if (!w)
        return DCSIM_ENOMEM;
    w->kind = WEATHER_CLIMATE;
    w->climate = *climate;
    int node_rc = weather_climate_nodes(climate, &w->nodes);
    if (node_rc) {
        free(w);
        return node_rc;
    }
    w->start_unix_s = start_unix_s;
    w->utc_offset_s = llround(climate->utc_offset_h * SECONDS_PER_HOUR);
    int64_t local_start_s = start_unix_s + w->utc_offset_s;
    w->first_local_day = floor_div(local_start_s, SECONDS_PER_DAY);
    int64_t last_day = floor_div(local_start_s + horizon_s, SECONDS_PER_DAY);
    w->n_days = (size_t)(last_day - w->first_local_day + 1 + ANOMALY_MARGIN_DAYS);
    w->anomaly_k = malloc(w->n_days * sizeof *w->anomaly_k);
    w->day_of_year = malloc(w->n_days * sizeof *w->day_of_year);
    w->leap = malloc(w->n_days * sizeof *w->leap);
    int status = w->anomaly_k && w->day_of_year && w->leap ? draw_anomalies(w, seed)
                                                            : DCSIM_ENOMEM;
    /* the calendar of each local day, so a step needs no calendar arithmetic */
    for (size_t i = 0; status == 0 && i < w->n_days; i++) {
        struct civil_time ct;
        timefmt_civil(((int64_t)i + w->first_local_day) * SECONDS_PER_DAY, &ct);
        w->day_of_year[i] = (short)ct.day_of_year;
        w->leap[i] = (unsigned char)ct.leap;
    }
    if (status != 0) {
        weather_destroy(w);
        return status;
    }
    *out = w;
    return 0;
}

int weather_create_climate_like(const struct weather *proto, uint64_t seed,
                                struct weather **out)
{
    if (!proto || !out || proto->kind != WEATHER_CLIMATE)
        return DCSIM_EINPUT;
    struct weather *w = malloc(sizeof *w);
    if (!w)
        return DCSIM_ENOMEM;
    *w = *proto;
    w->epw = NULL;
    w->anomaly_k = malloc(w->n_days * sizeof *w->anomaly_k);
    w->day_of_year = malloc(w->n_days * sizeof *w->day_of_year);
    w->leap = malloc(w->n_days * sizeof *w->leap);
    int status = w->anomaly_k && w->day_of_year && w->leap ? draw_anomalies(w, seed)
                                                            : DCSIM_ENOMEM;
    if (status != 0) {
        weather_destroy(w);
        return status;
    }
    memcpy(w->day_of_year, proto->day_of_year, w->n_days * sizeof *w->day_of_year);
    memcpy(w->leap, proto->leap, w->n_days * sizeof *w->leap);
    *out = w;
    return 0;
}

int weather_create_epw(const char *path, int64_t start_unix_s, struct weather **out,
                       struct diag *d)
{
    if (!out)
        return DCSIM_EINPUT;
    struct weather *w = calloc(1, sizeof *w);
    if (!w)
        return DCSIM_ENOMEM;
    w->kind = WEATHER_EPW;
    w->start_unix_s = start_unix_s;
    w->epw = malloc(sizeof *w->epw);
    int status = w->epw ? epw_read(path, w->epw, d) : DCSIM_ENOMEM;
    if (status != 0) {
        weather_destroy(w);
        return status;
    }
    w->utc_offset_s = llround(w->epw->utc_offset_h * SECONDS_PER_HOUR);
    *out = w;
    return 0;
}

/* Forward declaration: the interpolation below is also used to build the nodes. */
static double monthly_interp(const double v[12], double day);

/* First day (0-based) of each month of a 365-day year, and the year's end. */
static const int MONTH_START_DAY[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

/* Sub-steps per day when integrating the interpolated curve: the breakpoints (mid-months at
 * whole or half days, month starts at whole days) fall on the grid, so the midpoint rule on
 * it is exact for the piecewise-linear curve. */
#define NODE_CELLS_PER_DAY 2

int weather_climate_nodes(const struct climate *c, struct climate_nodes *out)
{
    /* A[m][j]: mean over month m of the curve whose node j is 1 and the others 0. */
    gsl_matrix *a = gsl_matrix_calloc(12, 12);
    gsl_permutation *perm = gsl_permutation_alloc(12);
    gsl_vector *b = gsl_vector_alloc(12), *x = gsl_vector_alloc(12);
    int rc = (a && perm && b && x) ? 0 : DCSIM_ENOMEM;
    for (int j = 0; j < 12 && !rc; j++) {
        double unit[12] = {0};
        unit[j] = 1.0;
        for (int m = 0; m < 12; m++) {
            int cells = (MONTH_START_DAY[m + 1] - MONTH_START_DAY[m]) * NODE_CELLS_PER_DAY;
            double sum = 0;
            for (int k = 0; k < cells; k++)
                sum += monthly_interp(unit, MONTH_START_DAY[m] +
                                                (k + 0.5) / NODE_CELLS_PER_DAY);
            gsl_matrix_set(a, (size_t)m, (size_t)j, sum / cells);
        }
    }
    int signum;
    if (!rc && gsl_linalg_LU_decomp(a, perm, &signum))
        rc = DCSIM_ENUMERIC;
    const double *tables[3] = {c->monthly_drybulb_c, c->monthly_range_k, c->monthly_rh};
    double *nodes[3] = {out->drybulb_c, out->range_k, out->rh};
    for (int t = 0; t < 3 && !rc; t++) {
        for (int m = 0; m < 12; m++)
            gsl_vector_set(b, (size_t)m, tables[t][m]);
        if (gsl_linalg_LU_solve(a, perm, b, x)) {
            rc = DCSIM_ENUMERIC;
            break;
        }
        for (int m = 0; m < 12; m++)
            nodes[t][m] = gsl_vector_get(x, (size_t)m);
    }
    gsl_matrix_free(a);
    gsl_permutation_free(perm);
    gsl_vector_free(b);
    gsl_vector_free(x);
    return rc;
}

/* The mid-month nodes around a fractional day of a 365-day year and the weight of the upper
 * one: linear between mid-month nodes, cyclic across December -> January (model.md). */
static void month_bracket(double day, int *lo_out, int *hi_out, double *f_out)
{
    int hi = 0;
    while (hi < 12 && day >= MID_MONTH_DAY[hi])
        hi++;
    int lo = hi - 1;
    double x0, x1;
    if (hi == 0) {              /* before mid-January: from mid-December of the year before */
        lo = 11;
        x0 = MID_MONTH_DAY[11] - DAYS_PER_YEAR;
        x1 = MID_MONTH_DAY[0];
    } else if (hi == 12) {      /* after mid-December: towards mid-January of the next year */
        hi = 0;
        x0 = MID_MONTH_DAY[11];
        x1 = MID_MONTH_DAY[0] + DAYS_PER_YEAR;
    } else {
        x0 = MID_MONTH_DAY[lo];
        x1 = MID_MONTH_DAY[hi];
    }
    *lo_out = lo;
    *hi_out = hi;
    *f_out = (day - x0) / (x1 - x0);
}

/* Value of a monthly table at a fractional day of a 365-day year. */
static double monthly_interp(const double v[12], double day)
{
    int lo, hi;
    double f;
    month_bracket(day, &lo, &hi, &f);
    return v[lo] + f * (v[hi] - v[lo]);
}

/* fmax(lo, x) then fmin(., hi), as comparisons (gcc calls libm for fmin/fmax): a NaN x
 * gives lo, as fmax does */
static inline double clamp_to(double x, double lo, double hi)
{
    double y = x > lo ? x : lo;
    return y < hi ? y : hi;
}

/* The parts of the synthetic climate at local time local_s that do not depend on the
 * anomalies: the monthly mean M and RH of the instant, the diurnal term (R/2)·cos(...), the
 * day's index into the anomalies and the dew point. */
struct climate_parts {
    double mean_c, diurnal_k, rh, dewpoint_c;
    int64_t day;
};

static void climate_parts_at(const struct weather *w, int64_t local_s, int dewpoint,
                             struct climate_parts *cp)
{
    int64_t day_index = floor_div(local_s, SECONDS_PER_DAY);
    double sec_of_day = (double)(local_s - day_index * SECONDS_PER_DAY);
    int64_t in_table = day_index - w->first_local_day;
    int doy, leap;
    if (in_table >= 0 && in_table < (int64_t)w->n_days) {
        doy = w->day_of_year[in_table];
        leap = w->leap[in_table];
    } else {
        struct civil_time ct;
        timefmt_civil(local_s, &ct);
        doy = ct.day_of_year;
        leap = ct.leap;
    }
    /* leap years are squeezed onto the 365-day table by scaling the day of year */
    double day = (doy + sec_of_day / SECONDS_PER_DAY) * DAYS_PER_YEAR
                 / (leap ? DAYS_PER_YEAR + 1 : DAYS_PER_YEAR);
    const struct climate_nodes *nd = &w->nodes;
    /* monthly_interp of the three tables, sharing the search for the day's nodes */
    int lo, hi;
    double f;
    month_bracket(day, &lo, &hi, &f);
    double mean_c = nd->drybulb_c[lo] + f * (nd->drybulb_c[hi] - nd->drybulb_c[lo]);
    double range_k = nd->range_k[lo] + f * (nd->range_k[hi] - nd->range_k[lo]);
    range_k = range_k > 0.0 ? range_k : 0.0;
    double rh = clamp_to(nd->rh[lo] + f * (nd->rh[hi] - nd->rh[lo]), 1.0, 100.0);
    int64_t i = in_table;
    if (i < 0)                  /* outside the drawn days: hold the nearest one */
        i = 0;
    if (i >= (int64_t)w->n_days)
        i = (int64_t)w->n_days - 1;
    double hour = sec_of_day / SECONDS_PER_HOUR;
    /* model.md: T = M + (R/2)·cos(2π(h_local - 15)/24) + a(day) */
    double phase = 2.0 * M_PI * (hour - WARMEST_HOUR_LOCAL) / HOURS_PER_DAY;
    cp->mean_c = mean_c;
    cp->diurnal_k = 0.5 * range_k * cos(phase);
    cp->rh = rh;
    cp->day = i;
    /* Refinement of model.md (docs/model.md): the dew point is the one the monthly RH gives
     * at the monthly mean temperature, constant through the day and across the day-to-day
     * anomaly, as the humidity ratio is on ASHRAE design days (Fundamentals 2017 ch. 14);
     * so RH falls in the afternoon and on hot days instead of staying at its mean, which
     * overstated peak wet bulbs by 4-7 K. */
    cp->dewpoint_c = dewpoint ? psychro_dewpoint_magnus_c(mean_c, rh) : NAN;
}

/* The dry bulb from the parts and the day's anomaly. */
static inline double climate_drybulb(const struct weather *w, const struct climate_parts *cp)
{
    double day_mean_c = cp->mean_c + w->anomaly_k[cp->day];
    return day_mean_c + cp->diurnal_k;
}

/* The wet bulb at dry bulb db_c from the parts (Stull's is never above the dry bulb). */
static inline double climate_wetbulb(double db_c, const struct climate_parts *cp)
{
    return psychro_wetbulb_stull_c(db_c, psychro_rh_magnus(db_c, cp->dewpoint_c));
}

static void climate_at(const struct weather *w, int64_t local_s, double *db_c, double *wb_c)
{
    struct climate_parts cp;
    climate_parts_at(w, local_s, wb_c != NULL, &cp);
    *db_c = climate_drybulb(w, &cp);
    if (wb_c)                   /* else the dry bulb only (weather_drybulb_at) */
        *wb_c = climate_wetbulb(*db_c, &cp);
}

struct weather_parts {
    int64_t n, cap;                     /* times tabulated; room for (weather_parts_refill) */
    int64_t start_unix_s, utc_offset_s, first_local_day;   /* the year's, to check a match */
    size_t n_days;
    double *mean_c, *diurnal_k, *dewpoint_c;   /* [cap]; dewpoint_c NULL: dry bulb only */
    int32_t *day;
};

void weather_parts_destroy(struct weather_parts *p)
{
    if (!p)
        return;
    free(p->mean_c);
    free(p->diurnal_k);
    free(p->dewpoint_c);
    free(p->day);
    free(p);
}

int weather_parts_create(const struct weather *w, int64_t t0_s, int64_t dt_s, int64_t n,
                         int with_wetbulb, struct weather_parts **out)
{
    *out = NULL;
    if (w->kind != WEATHER_CLIMATE || n < 0 || (size_t)n > SIZE_MAX / sizeof(double) / 4 ||
        w->n_days > INT32_MAX)
        return DCSIM_EINPUT;
    struct weather_parts *p = calloc(1, sizeof *p);
    if (!p)
        return DCSIM_ENOMEM;
    size_t m = (size_t)(n > 0 ? n : 1);
    p->n = n;
    p->start_unix_s = w->start_unix_s;
    p->utc_offset_s = w->utc_offset_s;
    p->first_local_day = w->first_local_day;
    p->n_days = w->n_days;
    p->mean_c = malloc(m * sizeof *p->mean_c);
    p->diurnal_k = malloc(m * sizeof *p->diurnal_k);
    p->day = malloc(m * sizeof *p->day);
    if (with_wetbulb)
        p->dewpoint_c = malloc(m * sizeof *p->dewpoint_c);
    if (!p->mean_c || !p->diurnal_k || !p->day || (with_wetbulb && !p->dewpoint_c)) {
        weather_parts_destroy(p);
        return DCSIM_ENOMEM;
    }
    p->cap = n;
    int rc = weather_parts_refill(w, t0_s, dt_s, n, p);
    if (rc)
        weather_parts_destroy(p);
    else
        *out = p;
    return rc;
}

/* 1 when p was made for a year of w's climate, start and horizon. */
static int parts_fit(const struct weather *w, const struct weather_parts *p)
{
    return w->kind == WEATHER_CLIMATE && w->start_unix_s == p->start_unix_s &&
           w->utc_offset_s == p->utc_offset_s && w->first_local_day == p->first_local_day &&
           w->n_days == p->n_days;
}

int weather_parts_refill(const struct weather *w, int64_t t0_s, int64_t dt_s, int64_t n,
                         struct weather_parts *p)
{
    if (n < 0 || n > p->cap || !parts_fit(w, p))
        return DCSIM_EINPUT;
    int with_wetbulb = p->dewpoint_c != NULL;
    for (int64_t k = 0; k < n; k++) {
        struct climate_parts cp;
        climate_parts_at(w, w->start_unix_s + t0_s + k * dt_s + w->utc_offset_s, with_wetbulb,
                         &cp);
        p->mean_c[k] = cp.mean_c;
        p->diurnal_k[k] = cp.diurnal_k;
        p->day[k] = (int32_t)cp.day;
        if (with_wetbulb)
            p->dewpoint_c[k] = cp.dewpoint_c;
    }
    p->n = n;
    return 0;
}

int weather_parts_shared(const struct weather *a, const struct weather *b)
{
    return a->kind == WEATHER_CLIMATE && b->kind == WEATHER_CLIMATE &&
           a->start_unix_s == b->start_unix_s && a->utc_offset_s == b->utc_offset_s &&
           a->first_local_day == b->first_local_day && a->n_days == b->n_days &&
           memcmp(&a->nodes, &b->nodes, sizeof a->nodes) == 0;
}

int weather_parts_fill(const struct weather *w, const struct weather_parts *p, double *drybulb_c,
                       double *wetbulb_c)
{
    if (!parts_fit(w, p) || (wetbulb_c && !p->dewpoint_c))
        return DCSIM_EINPUT;
    for (int64_t k = 0; k < p->n; k++) {
        struct climate_parts cp = {.mean_c = p->mean_c[k], .diurnal_k = p->diurnal_k[k],
                                   .day = p->day[k]};
        drybulb_c[k] = climate_drybulb(w, &cp);
        if (wetbulb_c)   /* the relative humidity, for now */
            wetbulb_c[k] = psychro_rh_magnus(drybulb_c[k], p->dewpoint_c[k]);
    }
    if (!wetbulb_c)
        return 0;
    /* climate_wetbulb, the Stull part of a block at once (vectorised) */
    psychro_wetbulb_stull_n(drybulb_c, wetbulb_c, wetbulb_c, (size_t)p->n);
    return 0;
}

static void epw_at(const struct weather *w, int64_t local_s, double *db_c, double *wb_c)
{
    struct civil_time ct;
    timefmt_civil(local_s, &ct);
    int64_t doy = ct.day_of_year;
    if (ct.leap && doy >= FEB29_DAY_OF_YEAR)    /* Feb 29 repeats Feb 28; later days shift */
        doy--;
    int64_t sec_of_day = ct.hour * 3600 + ct.minute * 60 + ct.second;
    /* row k holds the hour ending at (k+1) h: seconds since row 0's time stamp */
    int64_t since_row0_s = doy * SECONDS_PER_DAY + sec_of_day - SECONDS_PER_HOUR;
    int64_t k = floor_div(since_row0_s, SECONDS_PER_HOUR);
    double f = (double)(since_row0_s - k * SECONDS_PER_HOUR) / SECONDS_PER_HOUR;
    int64_t k0 = (k + EPW_HOURS) % EPW_HOURS;   /* k = -1 before 01:00 Jan 1: the last row */
    int64_t k1 = (k + 1) % EPW_HOURS;
    const struct epw_series *e = w->epw;
    *db_c = e->drybulb_c[k0] + f * (e->drybulb_c[k1] - e->drybulb_c[k0]);
    if (wb_c)
        *wb_c = e->wetbulb_c[k0] + f * (e->wetbulb_c[k1] - e->wetbulb_c[k0]);
}

void weather_at(const struct weather *w, int64_t t_s, double *drybulb_c, double *wetbulb_c)
{
    int64_t local_s = w->start_unix_s + t_s + w->utc_offset_s;
    switch (w->kind) {
    case WEATHER_CONSTANT:
        *drybulb_c = w->drybulb_c;
        *wetbulb_c = w->wetbulb_c;
        return;
    case WEATHER_CLIMATE:
        climate_at(w, local_s, drybulb_c, wetbulb_c);
        return;
    case WEATHER_EPW:
        epw_at(w, local_s, drybulb_c, wetbulb_c);
        return;
    }
    *drybulb_c = *wetbulb_c = NAN;
}

double weather_drybulb_at(const struct weather *w, int64_t t_s)
{
    int64_t local_s = w->start_unix_s + t_s + w->utc_offset_s;
    double db = w->drybulb_c;
    if (w->kind == WEATHER_CLIMATE)
        climate_at(w, local_s, &db, NULL);
    else if (w->kind == WEATHER_EPW)
        epw_at(w, local_s, &db, NULL);
    return db;
}

double weather_utc_offset_h(const struct weather *w)
{
    return (double)w->utc_offset_s / SECONDS_PER_HOUR;   /* constant weather: 0 (UTC) */
}

void weather_destroy(struct weather *w)
{
    if (!w)
        return;
    free(w->anomaly_k);
    free(w->day_of_year);
    free(w->leap);
    free(w->epw);
    free(w);
}
