/* cmd_fit.c — `dcsim fit SCENARIO [--it-mw MW] [--per-site] ...`: the largest critical IT
 * load that meets the scenario's reliability target with its 95 % interval, whether a
 * requested load fits, its margin and what binds; with --per-site the same for each site
 * alone. Exit 0 when the requested load fits (or none was asked), 1 when it does not. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "run_output.h"
#include "fit.h"
#include "h5out.h"

const char cmd_fit_usage[] =
    "usage: dcsim fit SCENARIO.yaml [--it-mw MW] [--per-site] [-o OUT.h5] [--trials N]\n"
    "                 [-j THREADS] [--models DIR] [-q]\n\n"
    "Scales the firm IT pools by one factor and finds the largest critical IT load\n"
    "(nameplate MW) that meets the scenario's `reliability` target (firm unserved +\n"
    "throttled energy per year <= max_unserved_mwh and LOLE <= max_lole_h), to 0.1 %.\n"
    "With random outages or synthetic weather the answer is an estimate over Monte Carlo\n"
    "trials: without --trials, fit uses at least 100 and more (up to 400) until the 95 %\n"
    "interval on the answer is within +-2 %; the interval is printed. With --it-mw it says\n"
    "whether that load fits, the margin and the binding constraint. --per-site also fits\n"
    "each site alone. -o writes the fitted case (the requested load if given) to HDF5 with\n"
    "a /fit group. Exit 0: fits; 1: does not fit (or no load fits at all); 2: bad input;\n"
    "3: failure.\n";

#define FIT_ATTRS 7

struct fit_file {
    double attrs[FIT_ATTRS];
    const char *binding;
    size_t n_sites;               /* --per-site: each site's answer */
    const double *site_mw;
    char (*site_binding)[512];
};

static int write_fit_group(struct h5out *h, void *ctx, struct diag *d)
{
    static const char *const names[FIT_ATTRS] = {
        "max_critical_it_mw", "requested_it_mw", "fits", "margin_mw", "trials",
        "max_critical_it_mw_ci_low", "max_critical_it_mw_ci_high"};
    static const char *const units[FIT_ATTRS] = {"MW", "MW", "1", "MW", "1", "MW", "MW"};
    const struct fit_file *ff = ctx;
    int rc = h5out_write_attrs(h, "/fit", FIT_ATTRS, names, ff->attrs, units, d);
    if (!rc)
        rc = h5out_write_summary_text(h, H5OUT_FIT_GROUP, "binding", ff->binding, d);
    if (!rc)
        rc = h5out_write_summary_text(h, H5OUT_FIT_GROUP, "units",
                                      "max_critical_it_mw, requested_it_mw, margin_mw, *_ci_*: "
                                      "MW (critical IT nameplate); fits: 1/0; trials: count", d);
    for (size_t i = 0; !rc && i < ff->n_sites; i++) {
        static const char *const site_names[] = {"max_critical_it_mw"};
        static const char *const site_units[] = {"MW"};
        rc = h5out_write_summary(h, H5OUT_FIT_SITE(i), 1, site_names, &ff->site_mw[i], d);
        if (!rc)
            rc = h5out_write_summary_text(h, H5OUT_FIT_SITE(i), "max_critical_it_mw_units",
                                          site_units[0], d);
        if (!rc)
            rc = h5out_write_summary_text(h, H5OUT_FIT_SITE(i), "binding", ff->site_binding[i], d);
    }
    return rc;
}

/* What binds at factor x (a failing load): into buf. */
static int binding_at(struct fit_ctx *f, double x, char *buf, size_t len, double *econ,
                      struct diag *d)
{
    struct fit_eval e;
    struct fit_binding *b = calloc(f->sc->n_sites, sizeof *b);
    if (!b)
        return DCSIM_ENOMEM;
    int rc = fit_evaluate(f, x, &e, b, d);
    if (!rc) {
        fit_binding_text(f->sc, &e, b, buf, len);
        if (econ) {   /* what the load there earns: revenue, opex, NPV, per year and in all */
            econ[0] = e.summary.total[M_REVENUE_USD_PER_YEAR];
            econ[1] = e.summary.total[M_OPEX_USD_PER_YEAR];
            econ[2] = e.summary.total[M_NPV_USD];
            econ[3] = e.critical_it_mw;
        }
        sim_summary_release(&e.summary);
    }
    free(b);
    return rc;
}

/* Fits each site alone: a scenario of that site only (the same trials and seed; the streams
 * are keyed by ids, so the site draws what it draws in the whole scenario). */
static int fit_per_site(struct scenario *sc, const struct sim_options *opt, int auto_trials,
                        double *site_mw, char (*site_binding)[512], struct diag *d)
{
    printf("\nper site (each alone):\n  %-16s %14s %22s %8s  %s\n", "site", "max IT (MW)",
           "95 % interval (MW)", "trials", "binding");
    int trials0 = sc->trials;
    for (size_t i = 0; i < sc->n_sites; i++) {
        struct scenario one = *sc;
        one.sites = &sc->sites[i];
        one.n_sites = 1;
        one.trials = trials0;
        struct fit_ctx f;
        site_mw[i] = 0;
        snprintf(site_binding[i], 512, "no firm IT at this site");
        int rc = fit_init(&f, &one, opt, d);
        if (rc == DCSIM_EINPUT) {   /* a site without firm IT: nothing to fit */
            diag_release(d);
            diag_init(d);
            printf("  %-16.16s %14s %22s %8s  %s\n", sc->sites[i].id, "-", "-", "-",
                   site_binding[i]);
            continue;
        }
        struct fit_result r;
        if (!rc)
            rc = fit_solve(&f, auto_trials, NULL, &r, d);
        if (!rc) {
            site_mw[i] = r.max_factor * f.base_critical_it_mw;
            if (r.max_factor >= FIT_MAX_FACTOR)
                snprintf(site_binding[i], 512, "nothing binds up to the search limit");
            else
                rc = binding_at(&f, r.fail_factor, site_binding[i], 512, NULL, d);
        }
        if (!rc) {
            char ci[48];
            snprintf(ci, sizeof ci, "%.1f .. %.1f", r.ci_low_factor * f.base_critical_it_mw,
                     r.ci_high_factor * f.base_critical_it_mw);
            printf("  %-16.16s %14.1f %22s %8d  %s\n", sc->sites[i].id, site_mw[i], ci,
                   r.trials, site_binding[i]);
        }
        fit_release(&f);
        if (rc)
            return rc;
    }
    return 0;
}

int cmd_fit(int argc, char **argv)
{
    struct cli_opts a;
    if (cli_parse_opts(argc, argv, CLI_IT_MW | CLI_OUT | CLI_MODELS | CLI_TRIALS | CLI_THREADS |
                       CLI_QUIET | CLI_PER_SITE, 0, cmd_fit_usage, &a))
        return EXIT_BADINPUT;
    struct diag d;
    diag_init(&d);
    struct catalog cat;
    struct scenario *sc = NULL;
    struct fit_ctx f = {0};
    double *site_mw = NULL;
    char (*site_binding)[512] = NULL;
    int rc = cli_check_destination(a.out, a.input, &d), status = EXIT_DONE;
    if (!rc)
        rc = cli_load(a.input, a.models, &cat, &sc, &d);
    if (rc)
        goto done;
    if (a.trials > 0)
        sc->trials = (int)a.trials;
    int auto_trials = a.trials <= 0, trials0 = sc->trials;
    struct sim_options opt = {.threads = (int)a.threads, .stop = stop_catch_signals()};
    if ((rc = fit_init(&f, sc, &opt, &d)))
        goto done;
    struct fit_result r;
    if ((rc = fit_solve(&f, auto_trials, a.quiet ? NULL : stderr, &r, &d)))
        goto done;
    double base = f.base_critical_it_mw;
    double max_mw = r.max_factor * base;
    printf("fit %s: %d evaluations, target: firm unserved + throttled <= %g MWh/year and "
           "LOLE <= %g h/year\n", sc->name, f.evaluations, sc->max_unserved_mwh, sc->max_lole_h);
    if (r.random)
        printf("largest critical IT that fits: %.1f MW (95 %% interval %.1f .. %.1f MW, %d "
               "trials%s)\n", max_mw, r.ci_low_factor * base, r.ci_high_factor * base, r.trials,
               r.ci_met ? "" : auto_trials ? "; wider than +-2 % at the trial cap"
                                           : "; --trials fixed");
    else
        printf("largest critical IT that fits: %.1f MW (%.4f x the scenario's %.1f MW; no "
               "random outages or weather: exact to 0.1 %%)\n", max_mw, r.max_factor, base);

    if (r.max_factor <= 0) {
        printf("no firm IT load fits: even %.3g MW of critical IT misses the target\n",
               FIT_MIN_FACTOR * base);
        status = EXIT_NOFIT;
    }
    /* the verdict on the requested load, and what binds (there, or just past the maximum) */
    double probe = r.fail_factor;
    int fits = 1;
    double margin = 0;
    if (a.it_mw > 0) {
        struct fit_eval e;
        if ((rc = fit_evaluate(&f, a.it_mw / base, &e, NULL, &d)))
            goto done;
        fits = e.fits;
        sim_summary_release(&e.summary);
        margin = max_mw - a.it_mw;
        printf("requested %.1f MW: %s, margin %+.1f MW (%+.1f %%)\n", a.it_mw,
               fits ? "fits" : "does NOT fit", margin, 100.0 * margin / a.it_mw);
        if (!fits)
            probe = a.it_mw / base;
        status = fits ? EXIT_DONE : EXIT_NOFIT;
    }
    char binding[1024] = "nothing binds: every load up to the search limit fits";
    double econ[4] = {0, 0, NAN, 0};
    if (r.max_factor < FIT_MAX_FACTOR &&
        (rc = binding_at(&f, probe, binding, sizeof binding, econ, &d)))
        goto done;
    printf("binding%s: %s\n", a.it_mw > 0 && !fits ? "" : " (just above the answer)", binding);
    if (econ[0] > 0 && econ[3] > 0)   /* hosting or mining revenue in the scenario */
        printf("worth: %.1f M$/year of revenue at %.1f MW (%.0f k$ per MW of critical IT a year), "
               "opex %.1f M$/year\n", econ[0] / 1e6, econ[3], econ[0] / econ[3] / 1e3,
               econ[1] / 1e6);
    if (econ[0] > 0 && !isnan(econ[2]))
        printf("NPV there: %.1f M$ over the scenario's economics horizon\n", econ[2] / 1e6);

    if (a.per_site) {
        site_mw = calloc(sc->n_sites, sizeof *site_mw);
        site_binding = calloc(sc->n_sites, sizeof *site_binding);
        if (!site_mw || !site_binding) {
            rc = DCSIM_ENOMEM;
            goto done;
        }
        /* the pools' counts are the scenario's own again while each site is fitted */
        size_t k = 0;
        for (size_t i = 0; i < sc->n_sites; i++)
            for (size_t j = 0; j < sc->sites[i].n_pools; j++, k++)
                sc->sites[i].pools[j].count = f.base_count[k];
        sc->trials = trials0;
        if ((rc = fit_per_site(sc, &opt, auto_trials, site_mw, site_binding, &d)))
            goto done;
        sc->trials = r.trials;
    }

    if (a.out) {
        double factor = a.it_mw > 0 ? a.it_mw / base : r.max_factor;
        size_t k = 0;   /* the fitted case: counts at the chosen factor */
        for (size_t i = 0; i < sc->n_sites; i++)
            for (size_t j = 0; j < sc->sites[i].n_pools; j++, k++)
                if (!sc->sites[i].pools[j].flexible)
                    sc->sites[i].pools[j].count = f.base_count[k] * factor;
        struct fit_file ff = {{max_mw, a.it_mw > 0 ? a.it_mw : max_mw, fits, margin, r.trials,
                               r.ci_low_factor * base, r.ci_high_factor * base},
                              binding, a.per_site ? sc->n_sites : 0, site_mw, site_binding};
        struct run_file_opts fo = {.quiet = 1, .threads = (int)a.threads, .stop = opt.stop,
                                   .before_commit = write_fit_group, .ctx = &ff};
        struct sim *sim = NULL;
        struct sim_summary sum = {0};
        if (!(rc = sim_create(sc, &sim, &d)))
            rc = run_to_file(sc, sim, a.out, &fo, &sum, &d);
        sim_destroy(sim);
        sim_summary_release(&sum);
        if (!rc && !a.quiet)
            fprintf(stderr, "dcsim: wrote %s\n", a.out);
    }
done:
    if (rc == DCSIM_EINTERRUPTED)
        diag_error(&d, NULL, 0, 0, "interrupted: nothing was written%s%s", a.out ? " to " : "",
                   a.out ? a.out : "");
    free(site_mw);
    free(site_binding);
    fit_release(&f);
    diag_print(&d, stderr);
    diag_release(&d);
    if (sc) {
        scenario_destroy(sc);
        catalog_release(&cat);
    }
    return rc ? cli_exit_status(rc) : status;
}
