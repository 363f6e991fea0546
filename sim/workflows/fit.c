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
    struct fit_binding *b;        /* [n_sites]: each site's worst step */
    double *worst;                /* [n_sites] */
};

static int binding_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    struct binding_sink *s = ctx;
    for (size_t i = 0; i < s->n_sites; i++) {
        const double *un = values + (i * N_SERIES + S_UNSERVED_MW) * n;
        const double *th = values + (i * N_SERIES + S_THROTTLE_FIRM_MW) * n;
        for (size_t k = 0; k < n; k++) {
            double x = un[k] + th[k];
            if (x > s->worst[i]) {
                s->worst[i] = x;
                s->b[i].found = 1;
                s->b[i].site = i;
                s->b[i].t_s = (int64_t)time_s[k];
                for (int j = 0; j < N_SERIES; j++)
                    s->b[i].v[j] = values[(i * N_SERIES + j) * n + k];
            }
        }
    }
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
    size_t n_sites = f->sc->n_sites;
    struct binding_sink bs = {.n_sites = n_sites, .b = binding};
    struct sim_sink sink = {&bs, binding_append};
    if (binding) {
        memset(binding, 0, n_sites * sizeof *binding);
        if (!(bs.worst = malloc(n_sites * sizeof *bs.worst))) {
            sim_destroy(sim);
            return DCSIM_ENOMEM;
        }
        for (size_t i = 0; i < n_sites; i++)
            bs.worst[i] = UNSERVED_EPS_MW;
        opt.sink = &sink;
    }
    rc = sim_run(sim, &opt, &out->summary, d);
    free(bs.worst);
    sim_destroy(sim);
    f->evaluations++;
    if (rc)
        return rc;
    const double *m = out->summary.total;
    out->factor = factor;
    out->critical_it_mw = factor * f->base_critical_it_mw;
    out->shortfall_mwh_per_year = m[M_SHORTFALL_MWH_PER_YEAR];
    out->lole_h_per_year = m[M_LOLE_H_PER_YEAR];
    /* the firm shortfall's standard error: per-trial (unserved + firm throttled) per year */
    int n = out->summary.trials;
    double s = 0, ss = 0;
    for (int t = 0; t < n; t++) {
        const double *x = out->summary.trial_total[t];
        s += (x[M_UNSERVED_ENERGY_MWH] + x[M_THROTTLE_FIRM_ENERGY_MWH]) / m[M_YEARS];
    }
    double mean = s / n;
    for (int t = 0; t < n; t++) {
        const double *x = out->summary.trial_total[t];
        double d_t = (x[M_UNSERVED_ENERGY_MWH] + x[M_THROTTLE_FIRM_ENERGY_MWH]) / m[M_YEARS] - mean;
        ss += d_t * d_t;
    }
    out->shortfall_stderr = n > 1 ? sqrt(ss / (n - 1) / n) : 0.0;
    out->lole_stderr = n > 1 ? m[M_LOLE_H_PER_YEAR_STDERR] : 0.0;
    /* rounding is not a shortfall; LOLE always counts (with one trial it is that trial's) */
    out->short_fails = out->shortfall_mwh_per_year >
                       f->sc->max_unserved_mwh + shortfall_noise_mwh_per_year(m);
    out->lole_fails = out->lole_h_per_year > f->sc->max_lole_h;
    out->fits = !out->short_fails && !out->lole_fails;
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

/* Brackets and bisects the largest fitting factor from `guess`, widening by `ratio`. */
static int search_from(struct fit_ctx *f, double guess, double ratio, double *max_factor,
                       double *first_fail_factor, struct diag *d)
{
    double lo, hi;
    int ok, rc;
    if ((rc = fits_at(f, guess, &ok, d)))
        return rc;
    if (ok) {
        lo = guess;
        hi = fmin(guess * ratio, FIT_MAX_FACTOR);
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
            hi = fmin(hi * ratio, FIT_MAX_FACTOR);
        }
    } else {
        hi = guess;
        lo = guess / ratio;
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
            lo /= ratio;
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

int fit_search(struct fit_ctx *f, double *max_factor, double *first_fail_factor,
               struct diag *d)
{
    return search_from(f, 1.0, 2.0, max_factor, first_fail_factor, d);
}

int fit_scenario_is_random(const struct scenario *sc)
{
    for (size_t i = 0; i < sc->n_sites; i++) {
        const struct site *s = &sc->sites[i];
        if ((s->weather_source == WEATHER_CLIMATE && s->climate.anomaly_sd_k > 0) ||
            (s->weather_source == WEATHER_EPW && s->n_epw_paths > 1))
            return 1;
        for (size_t j = 0; j < s->n_supplies; j++) {
            const struct supply *sp = &s->supplies[j];
            if ((sp->type == SUPPLY_GRID && sp->outages_per_year > 0) ||
                (sp->type == SUPPLY_REACTOR && sp->reactor.forced_outage_rate > 0 &&
                 sp->reactor.mean_repair_h > 0))
                return 1;
        }
    }
    return 0;
}

/* At factor x: 1 when the load fits even at the upper end of the criteria's 95 % intervals
 * (sure), -1 when it fails even at their lower end (surely not), 0 in between. */
static int confident_at(struct fit_ctx *f, double x, int *verdict, struct diag *d)
{
    struct fit_eval e;
    int rc = fit_evaluate(f, x, &e, NULL, d);
    if (rc)
        return rc;
    const struct scenario *sc = f->sc;
    double zs = FIT_Z95 * e.shortfall_stderr, zl = FIT_Z95 * e.lole_stderr;
    double noise = shortfall_noise_mwh_per_year(e.summary.total);
    if (e.shortfall_mwh_per_year + zs <= sc->max_unserved_mwh + noise &&
        e.lole_h_per_year + zl <= sc->max_lole_h)
        *verdict = 1;
    else if (e.shortfall_mwh_per_year - zs > sc->max_unserved_mwh + noise ||
             e.lole_h_per_year - zl > sc->max_lole_h)
        *verdict = -1;
    else
        *verdict = 0;
    sim_summary_release(&e.summary);
    return 0;
}

/* One end of the 95 % interval: from the answer x0 outward (dir −1: down, +1: up) in steps
 * of FIT_CI_REL·x0 to the first factor with the wanted verdict (at most `max_steps` steps;
 * *found 0 when none had it), then bisected 3 times. */
static int interval_end(struct fit_ctx *f, double x0, int dir, int max_steps, double *end,
                        int *found, struct diag *d)
{
    int want = dir < 0 ? 1 : -1, v, rc;
    double step = FIT_CI_REL * x0, inner = x0, outer = x0;
    *found = 0;
    for (int k = 1; k <= max_steps; k++) {
        outer = x0 + dir * k * step;
        if (outer <= FIT_MIN_FACTOR) {
            *end = 0;
            *found = 1;
            return 0;
        }
        if ((rc = confident_at(f, outer, &v, d)))
            return rc;
        if (v == want) {
            *found = 1;
            break;
        }
        inner = outer;
    }
    if (!*found) {
        *end = outer;   /* wider than max_steps·2 %: the number says so */
        return 0;
    }
    for (int i = 0; i < 3; i++) {
        double mid = 0.5 * (inner + outer);
        if ((rc = confident_at(f, mid, &v, d)))
            return rc;
        if (v == want)
            outer = mid;
        else
            inner = mid;
    }
    *end = outer;
    return 0;
}

int fit_solve(struct fit_ctx *f, int auto_trials, FILE *progress, struct fit_result *r,
              struct diag *d)
{
    struct scenario *sc = f->sc;
    memset(r, 0, sizeof *r);
    r->random = fit_scenario_is_random(sc);
    if (auto_trials && r->random && sc->trials < FIT_AUTO_MIN_TRIALS)
        sc->trials = FIT_AUTO_MIN_TRIALS;
    double guess = 1.0, ratio = 2.0;
    int rc;
    for (;;) {
        r->trials = sc->trials;
        if (progress)
            fprintf(progress, "fit: searching with %d trial%s\n", sc->trials,
                    sc->trials == 1 ? "" : "s");
        if ((rc = search_from(f, guess, ratio, &r->max_factor, &r->fail_factor, d)))
            return rc;
        if (!r->random || r->max_factor <= 0 || r->max_factor >= FIT_MAX_FACTOR) {
            /* deterministic: the answer is exact to the search's tolerance */
            r->ci_low_factor = r->max_factor;
            r->ci_high_factor = r->fail_factor;
            r->ci_met = 1;
            return 0;
        }
        /* within ±2 %: a sure fit 2 % below and a sure failure 2 % above; a round that will
         * be repeated with more trials looks no further */
        double x0 = r->max_factor;
        int last = !auto_trials || sc->trials >= FIT_AUTO_MAX_TRIALS;
        int found_lo, found_hi;
        if ((rc = interval_end(f, x0, -1, last ? 25 : 1, &r->ci_low_factor, &found_lo, d)) ||
            (rc = interval_end(f, x0, +1, last ? 25 : 1, &r->ci_high_factor, &found_hi, d)))
            return rc;
        r->ci_met = found_lo && found_hi && x0 - r->ci_low_factor <= FIT_CI_REL * x0 * 1.000001 &&
                    r->ci_high_factor - x0 <= FIT_CI_REL * x0 * 1.000001;
        if (progress)
            fprintf(progress, "fit: %d trials: factor %.4f, 95 %% interval %s%.4f..%.4f%s\n",
                    sc->trials, x0, found_lo ? "" : "< ", r->ci_low_factor,
                    r->ci_high_factor, found_hi ? "" : " <");
        if (last || r->ci_met)
            return 0;
        /* the interval shrinks as 1/√trials: four times the trials halve it */
        sc->trials = 4 * sc->trials > FIT_AUTO_MAX_TRIALS ? FIT_AUTO_MAX_TRIALS : 4 * sc->trials;
        guess = x0;
        ratio = 1.05;
    }
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

void fit_binding_text(const struct scenario *sc, const struct fit_eval *e,
                      const struct fit_binding *per_site, char *buf, size_t len)
{
    const struct sim_summary *s = &e->summary;
    if (e->fits) {
        snprintf(buf, len, "nothing binds: the load fits");
        return;
    }
    /* the site that falls shortest on the failing part of the target */
    int metric = e->short_fails ? M_SHORTFALL_MWH_PER_YEAR : M_LOLE_H_PER_YEAR;
    size_t worst = 0;
    for (size_t i = 1; i < s->n_sites; i++)
        if (s->site[i][metric] > s->site[worst][metric])
            worst = i;
    const struct site *site = &sc->sites[worst];
    char step[400] = "";
    if (per_site && per_site[worst].found)
        fit_describe(sc, &per_site[worst], step, sizeof step);
    if (e->short_fails) {
        if (step[0])
            snprintf(buf, len, "%s (firm shortfall %.4g MWh/yr%s over %d trial%s, target %g)",
                     step, e->shortfall_mwh_per_year, "", s->trials, s->trials == 1 ? "" : "s",
                     sc->max_unserved_mwh);
        else
            snprintf(buf, len, "firm shortfall %.4g MWh/yr over %d trials exceeds max_unserved_mwh "
                     "%g, most at '%s' (trial 0 had none)", e->shortfall_mwh_per_year, s->trials,
                     sc->max_unserved_mwh, site->id);
        return;
    }
    char se[32] = "";
    if (s->trials > 1)
        snprintf(se, sizeof se, " ± %.3g", e->lole_stderr);
    snprintf(buf, len, "LOLE %.4g%s h/yr over %d trial%s exceeds max_lole_h %g; highest at "
             "'%s' (%.4g h/yr)%s%s", e->lole_h_per_year, se, s->trials, s->trials == 1 ? "" : "s",
             sc->max_lole_h, site->id, s->site[worst][M_LOLE_H_PER_YEAR],
             step[0] ? "; in trial 0 its worst step: " : "", step);
}
