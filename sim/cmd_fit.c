/* cmd_fit.c — `dcsim fit SCENARIO [--it-mw MW] ...`: the largest critical IT load that meets
 * the scenario's reliability target, whether a requested load fits, its margin and what
 * binds. Exit 0 when the requested load fits (or none was asked), 1 when it does not. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fit.h"
#include "h5out.h"

const char cmd_fit_usage[] =
    "usage: dcsim fit SCENARIO.yaml [--it-mw MW] [-o OUT.h5] [--trials N] [-j THREADS]\n"
    "                 [--models DIR] [-q]\n\n"
    "Scales the firm IT pools by one factor and finds the largest critical IT load\n"
    "(nameplate MW) that meets the scenario's `reliability` target (firm unserved +\n"
    "throttled energy per year <= max_unserved_mwh; with trials > 1 also LOLE <=\n"
    "max_lole_h), to 0.1 %. With --it-mw it says whether that load fits, the margin and the\n"
    "binding constraint. -o writes the fitted case (the requested load if given) to HDF5\n"
    "with a /fit group. Exit 0: fits; 1: does not fit; 2: bad input; 3: failure.\n";

struct fit_file {
    double attrs[4];              /* max_critical_it_mw, requested_it_mw, fits, margin_mw */
    const char *binding;
};

static int write_fit_group(struct h5out *h, void *ctx, struct diag *d)
{
    static const char *const names[] = {"max_critical_it_mw", "requested_it_mw", "fits",
                                        "margin_mw"};
    const struct fit_file *ff = ctx;
    int rc = h5out_write_summary(h, H5OUT_FIT_GROUP, 4, names, ff->attrs, d);
    if (!rc)
        rc = h5out_write_summary_text(h, H5OUT_FIT_GROUP, "binding", ff->binding, d);
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    struct cli_opts a;
    if (cli_parse_opts(argc, argv, CLI_IT_MW | CLI_OUT | CLI_MODELS | CLI_TRIALS | CLI_THREADS |
                       CLI_QUIET, 0, cmd_fit_usage, &a))
        return EXIT_BADINPUT;
    struct diag d;
    diag_init(&d);
    struct catalog cat;
    struct scenario *sc = NULL;
    struct fit_ctx f = {0};
    int rc = cli_load(a.input, a.models, &cat, &sc, &d), status = EXIT_DONE;
    if (rc)
        goto done;
    if (a.trials > 0)
        sc->trials = (int)a.trials;
    struct sim_options opt = {.threads = (int)a.threads, .stop = cli_catch_interrupts()};
    if ((rc = fit_init(&f, sc, &opt, &d)))
        goto done;
    double max_factor, fail_factor;
    if ((rc = fit_search(&f, &max_factor, &fail_factor, &d)))
        goto done;
    double max_mw = max_factor * f.base_critical_it_mw;
    printf("fit %s: %d evaluations, target: firm unserved + throttled <= %g MWh/year%s\n",
           sc->name, f.evaluations, sc->max_unserved_mwh,
           sc->trials > 1 ? " and LOLE <= max_lole_h over the trials" : "");
    printf("largest critical IT that fits: %.1f MW (%.4f x the scenario's %.1f MW)\n", max_mw,
           max_factor, f.base_critical_it_mw);

    /* the verdict on the requested load, and what binds (there, or just past the maximum) */
    double probe = fail_factor;
    int fits = 1;
    double margin = 0;
    if (a.it_mw > 0) {
        struct fit_eval e;
        if ((rc = fit_evaluate(&f, a.it_mw / f.base_critical_it_mw, &e, NULL, &d)))
            goto done;
        fits = e.fits;
        sim_summary_release(&e.summary);
        margin = max_mw - a.it_mw;
        printf("requested %.1f MW: %s, margin %+.1f MW (%+.1f %%)\n", a.it_mw,
               fits ? "fits" : "does NOT fit", margin, 100.0 * margin / a.it_mw);
        if (!fits)
            probe = a.it_mw / f.base_critical_it_mw;
        status = fits ? EXIT_DONE : EXIT_NOFIT;
    }
    struct fit_eval be;
    struct fit_binding b;
    char binding[512] = "nothing binds: every load up to the search limit fits";
    if (max_factor < FIT_MAX_FACTOR) {
        if ((rc = fit_evaluate(&f, probe, &be, &b, &d)))
            goto done;
        fit_describe(sc, &b, binding, sizeof binding);
        if (!b.found && be.summary.trials > 1 && be.lole_h_per_year > sc->max_lole_h)
            snprintf(binding, sizeof binding, "loss-of-load expectation %.2f h/year over %d "
                     "trials exceeds max_lole_h %.2f (random outages; trial 0 had no shortfall)",
                     be.lole_h_per_year, be.summary.trials, sc->max_lole_h);
        sim_summary_release(&be.summary);
    }
    printf("binding%s: %s\n", a.it_mw > 0 && !fits ? "" : " (next limit)", binding);

    if (a.out) {
        double factor = a.it_mw > 0 ? a.it_mw / f.base_critical_it_mw : max_factor;
        size_t k = 0;   /* the fitted case: counts at the chosen factor */
        for (size_t i = 0; i < sc->n_sites; i++)
            for (size_t j = 0; j < sc->sites[i].n_pools; j++, k++)
                if (!sc->sites[i].pools[j].flexible)
                    sc->sites[i].pools[j].count = f.base_count[k] * factor;
        struct fit_file ff = {{max_mw, a.it_mw > 0 ? a.it_mw : max_mw, fits, margin}, binding};
        struct run_file_opts fo = {.quiet = 1, .threads = (int)a.threads, .stop = opt.stop,
                                   .before_commit = write_fit_group, .ctx = &ff};
        struct sim *sim = NULL;
        struct sim_summary sum = {0};
        if (!(rc = sim_create(sc, &sim, &d)))
            rc = cli_run_to_file(sc, sim, a.out, &fo, &sum, &d);
        sim_destroy(sim);
        sim_summary_release(&sum);
        if (!rc && !a.quiet)
            fprintf(stderr, "dcsim: wrote %s\n", a.out);
    }
done:
    fit_release(&f);
    diag_print(&d, stderr);
    diag_release(&d);
    if (sc) {
        scenario_destroy(sc);
        catalog_release(&cat);
    }
    return rc ? cli_exit_status(rc) : status;
}
