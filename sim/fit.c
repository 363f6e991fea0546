/* fit.c — the largest firm IT load that meets the reliability target (see fit.h). */
#include "fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

int fit_init(struct fit_ctx *f, struct scenario *sc, const struct sim_options *opt,
             struct diag *d)
{
    memset(f, 0, sizeof *f);
    f->sc = sc;
    f->opt = *opt;
    f->opt.sink = NULL;
    f->opt.progress = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sc->n_sites; i++)
        n += sc->sites[i].n_pools;
    f->base_count = malloc((n ? n : 1) * sizeof *f->base_count);
    if (!f->base_count)
        return DCSIM_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < sc->n_sites; i++)
        for (size_t j = 0; j < sc->sites[i].n_pools; j++)
            f->base_count[k++] = sc->sites[i].pools[j].count;
    /* the largest firm nameplate online at once: it changes only at online/offline dates */
    int64_t when[2048];
    size_t nw = 0;
    when[nw++] = 0;
    for (size_t i = 0; i < sc->n_sites; i++)
        for (size_t j = 0; j < sc->sites[i].n_pools && nw < 2048; j++) {
            int64_t on = sc->sites[i].pools[j].online_s;
            if (on > 0 && on < sc->duration_s)
                when[nw++] = on;
        }
    for (size_t w = 0; w < nw; w++) {
        double mw = 0;
        for (size_t i = 0; i < sc->n_sites; i++)
            mw += site_firm_nameplate_mw(&sc->sites[i], when[w]);
        f->base_critical_it_mw = fmax(f->base_critical_it_mw, mw);
    }
    if (f->base_critical_it_mw <= 0) {
        diag_error(d, sc->path, 0, 0, "no firm IT to scale: every pool is flexible or offline");
        fit_release(f);
        return DCSIM_EINPUT;
    }
    return 0;
}

void fit_release(struct fit_ctx *f)
{
    if (!f)
        return;
    free(f->base_count);
    f->base_count = NULL;
}

static void scale_counts(struct fit_ctx *f, double factor)
{
    size_t k = 0;
    for (size_t i = 0; i < f->sc->n_sites; i++)
        for (size_t j = 0; j < f->sc->sites[i].n_pools; j++, k++) {
            struct it_pool *p = &f->sc->sites[i].pools[j];
            p->count = p->flexible ? f->base_count[k] : f->base_count[k] * factor;
        }
}

struct binding_sink {
    size_t n_sites;
    double step_s;
    struct fit_binding *b;
    double worst;
    int64_t done;                 /* steps seen */
};

static int binding_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    struct binding_sink *s = ctx;
    for (size_t i = 0; i < s->n_sites; i++) {
        const double *un = values + (i * N_SERIES + S_UNSERVED_MW) * n;
        const double *th = values + (i * N_SERIES + S_THROTTLE_FIRM_MW) * n;
        for (size_t k = 0; k < n; k++) {
            double x = un[k] + th[k];
            if (x > s->worst) {
                s->worst = x;
                s->b->found = 1;
                s->b->site = i;
                s->b->t_s = (int64_t)time_s[k];
                for (int j = 0; j < N_SERIES; j++)
                    s->b->v[j] = values[(i * N_SERIES + j) * n + k];
            }
        }
    }
    s->done += (int64_t)n;
    return 0;
}

int fit_evaluate(struct fit_ctx *f, double factor, struct fit_eval *out,
                 struct fit_binding *binding, struct diag *d)
{
    memset(out, 0, sizeof *out);
    scale_counts(f, factor);
    struct sim *sim = NULL;
    int rc = sim_create(f->sc, &sim, d);
    if (rc)
        return rc;
    struct sim_options opt = f->opt;
    struct binding_sink bs = {.n_sites = f->sc->n_sites, .b = binding, .worst = UNSERVED_EPS_MW};
    struct sim_sink sink = {&bs, binding_append};
    if (binding) {
        memset(binding, 0, sizeof *binding);
        opt.sink = &sink;
    }
    rc = sim_run(sim, &opt, &out->summary, d);
    sim_destroy(sim);
    f->evaluations++;
    if (rc)
        return rc;
    const double *m = out->summary.total;
    double throttle = 0;   /* firm throttled energy, summed over the trials */
    for (int t = 0; t < out->summary.trials; t++)
        throttle += out->summary.trial_total[t][M_THROTTLE_FIRM_ENERGY_MWH];
    out->factor = factor;
    out->critical_it_mw = factor * f->base_critical_it_mw;
    out->shortfall_mwh_per_year = m[M_EUE_MWH_PER_YEAR] +
                                  throttle / out->summary.trials / m[M_YEARS];
    out->lole_h_per_year = m[M_LOLE_H_PER_YEAR];
    /* a millionth of a MWh a year is numerical noise, not a shortfall */
    out->fits = out->shortfall_mwh_per_year <= f->sc->max_unserved_mwh + 1e-6 &&
                (out->summary.trials <= 1 || out->lole_h_per_year <= f->sc->max_lole_h);
    return 0;
}

static int fits_at(struct fit_ctx *f, double factor, int *fits, struct diag *d)
{
    struct fit_eval e;
    int rc = fit_evaluate(f, factor, &e, NULL, d);
    *fits = e.fits;
    sim_summary_release(&e.summary);
    return rc;
}

int fit_search(struct fit_ctx *f, double *max_factor, double *first_fail_factor,
               struct diag *d)
{
    double lo, hi;
    int ok, rc;
    if ((rc = fits_at(f, 1.0, &ok, d)))
        return rc;
    if (ok) {
        lo = 1.0;
        hi = 2.0;
        for (;;) {
            if ((rc = fits_at(f, hi, &ok, d)))
                return rc;
            if (!ok)
                break;
            lo = hi;
            if (hi >= FIT_MAX_FACTOR) {
                *max_factor = *first_fail_factor = hi;
                return 0;
            }
            hi *= 2;
        }
    } else {
        hi = 1.0;
        lo = 0.5;
        for (;;) {
            if ((rc = fits_at(f, lo, &ok, d)))
                return rc;
            if (ok)
                break;
            hi = lo;
            if (lo <= FIT_MIN_FACTOR) {
                *max_factor = 0;
                *first_fail_factor = lo;
                return 0;
            }
            lo /= 2;
        }
    }
    /* bisection: fits(lo), !fits(hi) */
    while (hi - lo > FIT_REL_TOL * lo) {
        double mid = 0.5 * (lo + hi);
        if ((rc = fits_at(f, mid, &ok, d)))
            return rc;
        if (ok)
            lo = mid;
        else
            hi = mid;
    }
    *max_factor = lo;
    *first_fail_factor = hi;
    return 0;
}

static double site_local_offset_h(const struct site *s)
{
    return s->weather_source == WEATHER_CLIMATE ? s->climate.utc_offset_h : 0.0;
}

void fit_describe(const struct scenario *sc, const struct fit_binding *b, char *buf, size_t len)
{
    if (!b->found) {
        snprintf(buf, len, "nothing binds within the horizon");
        return;
    }
    const struct site *site = &sc->sites[b->site];
    const double *v = b->v;
    char when[32], local[16] = "";
    timefmt_format_date(sc->start_unix_s + b->t_s, when, sizeof when);
    if (site->weather_source == WEATHER_CLIMATE) {
        struct civil_time ct;
        timefmt_civil(sc->start_unix_s + b->t_s + (int64_t)(site_local_offset_h(site) * 3600), &ct);
        snprintf(local, sizeof local, " (%02d:%02d local)", ct.hour, ct.minute);
    }
    char what[256];
    if (v[S_UNSERVED_MW] >= v[S_THROTTLE_FIRM_MW]) {
        /* supply binds: name the grid contract when it is fully used, else what is short */
        double contract = 0;
        const char *grid_id = NULL;
        int n_grid = 0;
        for (size_t j = 0; j < site->n_supplies; j++)
            if (site->supplies[j].type == SUPPLY_GRID && b->t_s >= site->supplies[j].online_s &&
                b->t_s < site->supplies[j].offline_s) {
                contract += site->supplies[j].contract_mw;
                grid_id = site->supplies[j].id;
                n_grid++;
            }
        if (n_grid > 0 && v[S_GRID_MW] >= contract * (1 - 1e-6))
            snprintf(what, sizeof what, "grid contract%s '%s'%s (%.0f MW)", n_grid > 1 ? "s" : "",
                     grid_id, n_grid > 1 ? " and others" : "", contract);
        else if (n_grid > 0 && v[S_REACTOR_MW] <= 0)
            snprintf(what, sizeof what, "grid '%s' cut to %.0f of %.0f MW (curtailment or outage)",
                     grid_id, v[S_GRID_MW], contract);
        else
            snprintf(what, sizeof what, "supply (%.0f MW available: reactors %.0f, grid %.0f, "
                     "battery %.0f, generators %.0f)", v[S_SUPPLY_AVAILABLE_MW], v[S_REACTOR_MW],
                     v[S_GRID_MW], v[S_BATTERY_MW], v[S_GENERATOR_MW]);
        snprintf(buf, len, "%s at '%s', %s%s, %.1f °C dry bulb, PUE %.2f, short %.1f MW",
                 what, site->id, when, local, v[S_AMBIENT_DRYBULB_C],
                 v[S_FACILITY_DEMAND_MW] / fmax(v[S_IT_SERVED_MW] + v[S_CURTAILED_MW], 1e-9),
                 v[S_UNSERVED_MW]);
    } else if (v[S_THROTTLE_AIR_MW] >= 0.5 * v[S_THROTTLE_MW]) {
        const struct cooling_air *a = &site->air;
        snprintf(buf, len, "air side at '%s' (%.0f MW capacity, %.0f °C supply air, economizer "
                 "%s) at %s%s, %.1f °C dry bulb, %.1f MW of firm IT throttled", site->id,
                 a->capacity_mw, a->supply_c, a->economizer ? "on" : "off", when, local,
                 v[S_AMBIENT_DRYBULB_C], v[S_THROTTLE_FIRM_MW]);
    } else {
        const struct cooling_liquid *l = &site->liquid;
        snprintf(buf, len, "liquid cooling at '%s' (%s, %.0f MW design, %.0f °C supply) at %s%s, "
                 "%.1f °C dry bulb / %.1f °C wet bulb, %.1f MW of firm IT throttled", site->id,
                 rejection_names[l->rejection], l->capacity_mw, l->supply_c, when, local,
                 v[S_AMBIENT_DRYBULB_C], v[S_AMBIENT_WETBULB_C], v[S_THROTTLE_FIRM_MW]);
    }
}
