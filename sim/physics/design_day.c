/* design_day.c — the cooling plant against the site's 0.4 % design conditions (design_day.h).
 *
 * Capacities are cooling.h's: an exchanger Q_d·max(0, (T_s − T_amb)/a), a chiller Q_d, a
 * hybrid both. The fixes are those equations solved for one parameter at a time. */
#include "design_day.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cooling.h"
#include "stop.h"
#include "timefmt.h"
#include "weather.h"

/* A shortfall under this share of the heat is rounding, not a warning. */
#define DESIGN_DAY_REL_EPS 1e-9
#define DESIGN_DAY_HOURS (SECONDS_PER_YEAR / SECONDS_PER_HOUR)

/* The run's weather of site `index` (site_step.c builds the same one). */
static int site_weather(const struct scenario *sc, size_t index, struct weather **w,
                        struct diag *d)
{
    const struct site *site = &sc->sites[index];
    switch (site->weather_source) {
    case WEATHER_CONSTANT:
        return weather_create_constant(site->constant_drybulb_c, site->constant_wetbulb_c, w);
    case WEATHER_EPW:
        return weather_create_epw(site->epw_path, sc->start_unix_s, w, d);
    default:
        return weather_create_climate(&site->climate, sc->start_unix_s, SECONDS_PER_YEAR,
                                      sc->seed * 1000003u + index, w);
    }
}

/* The p quantile of x[0..n) for p near 1, interpolated between order statistics as GSL's
 * gsl_stats_quantile_from_sorted_data does on sorted data (index p·(n − 1)), without sorting
 * all of x: only the n − ⌊p·(n − 1)⌋ largest values are kept, in order. NaN when out of
 * memory. */
static double upper_quantile(const double *x, size_t n, double p)
{
    if (n == 0)
        return 0;
    double index = p * (double)(n - 1);
    size_t lhs = (size_t)index;
    double delta = index - (double)lhs;
    size_t m = n - lhs;              /* keep sorted[lhs .. n) */
    double *top = malloc(m * sizeof *top);
    if (!top)
        return NAN;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {   /* top[] ascending; insert x[i] if among the m largest */
        double v = x[i];
        if (kept == m) {
            if (!(v > top[0]))
                continue;
            size_t j = 0;   /* drop the smallest, shift the smaller ones down */
            while (j + 1 < m && top[j + 1] < v) {
                top[j] = top[j + 1];
                j++;
            }
            top[j] = v;
        } else {
            size_t j = kept++;
            while (j > 0 && top[j - 1] > v) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = v;
        }
    }
    double q = lhs + 1 >= n ? top[0] : (1 - delta) * top[0] + delta * top[1];
    free(top);
    return q;
}

int design_day_conditions(const struct scenario *sc, size_t index,
                          struct design_conditions *out, struct diag *d)
{
    const struct site *site = &sc->sites[index];
    if (site->weather_source == WEATHER_CONSTANT) {
        out->drybulb_c = site->constant_drybulb_c;
        out->wetbulb_c = site->constant_wetbulb_c;
        return 0;
    }
    struct weather *w = NULL;
    int rc = site_weather(sc, index, &w, d);
    if (rc)
        return rc;
    size_t n = (size_t)DESIGN_DAY_HOURS;
    double *db = malloc(n * sizeof *db);
    if (!db) {
        weather_destroy(w);
        return DCSIM_ENOMEM;
    }
    /* at mid-hour: the hour's value; the dry bulbs of every hour, the wet bulbs (Stull's
     * formula: most of the work) only of the hours the coincident mean reads */
    for (size_t h = 0; h < n; h++)
        db[h] = weather_drybulb_at(w, (int64_t)h * SECONDS_PER_HOUR + SECONDS_PER_HOUR / 2);
    /* the 0.4 % dry bulb: the (1 − 0.004) quantile of the hourly dry bulbs */
    double design = upper_quantile(db, n, 1.0 - DESIGN_DAY_EXCEEDANCE);
    if (isnan(design)) {
        free(db);
        weather_destroy(w);
        return DCSIM_ENOMEM;
    }
    /* mean coincident wet bulb: the hours within the band around it (the nearest hour when
     * none is) */
    double sum = 0, db_h = NAN, wb_h = NAN, nearest_k = INFINITY;
    size_t k = 0, nearest = 0;
    for (size_t h = 0; h < n; h++) {
        double dist = fabs(db[h] - design);
        if (dist <= DESIGN_DAY_COINCIDENT_BAND_K) {
            weather_at(w, (int64_t)h * SECONDS_PER_HOUR + SECONDS_PER_HOUR / 2, &db_h, &wb_h);
            sum += wb_h;
            k++;
        }
        if (dist < nearest_k) {
            nearest_k = dist;
            nearest = h;
        }
    }
    if (k == 0)
        weather_at(w, (int64_t)nearest * SECONDS_PER_HOUR + SECONDS_PER_HOUR / 2, &db_h, &wb_h);
    free(db);
    weather_destroy(w);
    out->drybulb_c = design;
    out->wetbulb_c = k ? sum / (double)k : wb_h;
    return 0;
}

void design_day_heat_mw(const struct site *site, double *liquid_mw, double *air_mw)
{
    *liquid_mw = *air_mw = 0;
    /* the set of pools online changes only at their online times: try each (and the start) */
    for (size_t j = 0; j <= site->n_pools; j++) {
        int64_t t = j < site->n_pools ? site->pools[j].online_s : TIME_ALWAYS;
        double liquid = 0, air = 0;
        for (size_t i = 0; i < site->n_pools; i++) {
            const struct it_pool *p = &site->pools[i];
            if (p->online_s > t || p->offline_s <= t)
                continue;
            double mw = p->count * p->rack.power_max_kw / 1000.0;
            liquid += mw * p->rack.liquid_fraction;
            air += mw * (1.0 - p->rack.liquid_fraction);
        }
        *liquid_mw = fmax(*liquid_mw, liquid);
        *air_mw = fmax(*air_mw, air);
    }
}

/* Appends printf-style text to buf (of len) at *used, keeping it terminated. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
    if (*used >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, len - *used, fmt, ap);
    va_end(ap);
    if (k > 0)
        *used = *used + (size_t)k < len ? *used + (size_t)k : len;
}

/* Lowest coolant_max_c of the site's liquid-cooled racks (INFINITY: none given). */
static double rack_limit_c(const struct site *site)
{
    double lim = INFINITY;
    for (size_t i = 0; i < site->n_pools; i++)
        if (site->pools[i].rack.liquid_fraction > 0)
            lim = fmin(lim, site->pools[i].rack.coolant_max_c);
    return lim;
}

/* "supply_c >= X °C" or why that is not enough. */
static void fix_supply(char *buf, size_t len, size_t *used, double supply_c, double limit_c)
{
    if (supply_c <= limit_c)
        append(buf, len, used, "supply_c >= %.1f °C", supply_c);
    else
        append(buf, len, used, "supply_c %.1f °C (above the racks' coolant_max_c %.1f °C)",
               supply_c, limit_c);
}

/* The liquid loop's fixes for heat q_mw at ambient amb_c (dry bulb db_c for a trim chiller). */
static void liquid_fixes(const struct cooling_liquid *l, double q_mw, double amb_c, double db_c,
                         double limit_c, char *buf, size_t len, size_t *used)
{
    double q_d = l->capacity_mw, a = l->approach_k, lift = l->supply_c - amb_c;
    switch (l->rejection) {
    case REJECT_DRY_COOLER:
    case REJECT_COOLING_TOWER:
        fix_supply(buf, len, used, amb_c + a * q_mw / q_d, limit_c);
        if (lift > 0)
            append(buf, len, used, ", approach_k <= %.2f K or capacity_mw >= %.1f MW",
                   q_d * lift / q_mw, q_mw * a / lift);
        if (l->rejection == REJECT_DRY_COOLER)
            append(buf, len, used, ", or rejection: hybrid with capacity_mw >= %.1f MW",
                   q_mw / (1.0 + fmax(0.0, lift / a)));
        break;
    case REJECT_HYBRID:
        fix_supply(buf, len, used, db_c + a * (q_mw - q_d) / q_d, limit_c);
        if (lift > 0)
            append(buf, len, used, ", approach_k <= %.2f K", q_d * lift / (q_mw - q_d));
        append(buf, len, used, " or capacity_mw >= %.1f MW", q_mw / (1.0 + fmax(0.0, lift / a)));
        break;
    case REJECT_CHILLER:
        append(buf, len, used, "capacity_mw >= %.1f MW", q_mw);
        break;
    }
}

int design_day_check(const struct scenario *sc, struct diag *d, size_t *n_warnings)
{
    size_t count = 0;
    for (size_t i = 0; i < sc->n_sites; i++) {
        const struct site *site = &sc->sites[i];
        double q_liquid, q_air;
        design_day_heat_mw(site, &q_liquid, &q_air);
        int need_liquid = site->liquid.present && q_liquid > 0;
        int need_air = site->air.present && q_air > 0;
        if (!need_liquid && !need_air)
            continue;
        if (stop_requested())
            return DCSIM_EINTERRUPTED;
        struct design_conditions dc;
        int rc = design_day_conditions(sc, i, &dc, d);
        if (rc)
            return rc;
        char msg[1024];
        size_t used = 0;
        if (need_liquid) {
            const struct cooling_liquid *l = &site->liquid;
            double cap = cooling_liquid_capacity_mw(l, dc.drybulb_c, dc.wetbulb_c);
            double short_mw = q_liquid - cap;
            if (short_mw > DESIGN_DAY_REL_EPS * q_liquid) {
                double amb = l->rejection == REJECT_COOLING_TOWER ? dc.wetbulb_c : dc.drybulb_c;
                append(msg, sizeof msg, &used, "site '%s': liquid loop (%s) rejects %.1f MW at "
                       "the design day (0.4 %% dry bulb %.1f °C, coincident wet bulb %.1f °C) "
                       "against %.1f MW of liquid heat at nameplate: %.1f MW short; fix: ",
                       site->id, rejection_names[l->rejection], cap, dc.drybulb_c,
                       dc.wetbulb_c, q_liquid, short_mw);
                liquid_fixes(l, q_liquid, amb, dc.drybulb_c, rack_limit_c(site), msg,
                             sizeof msg, &used);
                diag_warning(d, sc->path, 0, 0, "%s", msg);
                count++;
            }
        }
        if (need_air && q_air > site->air.capacity_mw * (1 + DESIGN_DAY_REL_EPS)) {
            diag_warning(d, sc->path, 0, 0, "site '%s': air side rejects %.1f MW against %.1f "
                         "MW of air heat at nameplate: %.1f MW short; fix: capacity_mw >= "
                         "%.1f MW", site->id, site->air.capacity_mw, q_air,
                         q_air - site->air.capacity_mw, q_air);
            count++;
        }
    }
    if (n_warnings)
        *n_warnings = count;
    return 0;
}
