/* cmd_run.c — `dcsim run SCENARIO [-o OUT.h5] ...`: simulate, write HDF5, print a summary.
 * Input is validated fully before anything is written; the file appears only when complete. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "run_output.h"
#include "design_day.h"
#include "h5out.h"
#include "results.h"
#include "timefmt.h"

const char cmd_run_usage[] =
    "usage: dcsim run SCENARIO.yaml [-o OUT.h5] [--trials N] [--seed N] [-j THREADS]\n"
    "                 [--deflate N] [--models DIR] [-q] [--summary]\n\n"
    "Simulates the scenario step by step and writes the series and summaries to HDF5\n"
    "(default results/<scenario name>.h5), then prints a summary table.\n\n"
    "  -o OUT.h5      output file (written to a temporary name, renamed when complete)\n"
    "  --trials N     Monte Carlo trials (overrides the scenario's `trials`)\n"
    "  --seed N       random seed (overrides the scenario's `seed`)\n"
    "  -j THREADS     threads for trials, sites and compression (default: all cores; 1: one\n"
    "                 thread does everything; results never depend on it)\n"
    "  --deflate N    series compression 0 (none: fastest, ~6x larger) to 9 (default 1)\n"
    "  --models DIR   the equipment catalog (default: models/ beside the binary)\n"
    "  -q             print nothing but errors and warnings (no table, no progress)\n"
    "  --summary      print the summary table even with -q\n";

int cmd_run(int argc, char **argv)
{
    struct cli_opts a;
    int rc = cli_parse_opts(argc, argv, CLI_OUT | CLI_MODELS | CLI_TRIALS | CLI_SEED |
                            CLI_THREADS | CLI_QUIET | CLI_DEFLATE | CLI_SUMMARY, 0,
                            cmd_run_usage, &a);
    if (rc)
        return EXIT_BADINPUT;
    struct diag d;
    diag_init(&d);
    struct catalog cat;
    struct scenario *sc = NULL;
    struct sim *sim = NULL;
    struct sim_summary sum = {0};
    char outbuf[PATH_MAX];
    const char *out = a.out;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    volatile sig_atomic_t *stop = stop_catch_signals();
    if ((rc = cli_check_destination(a.out, a.input, &d)))
        goto done;
    rc = cli_load(a.input, a.models, &cat, &sc, &d);
    if (rc)
        goto done;
    if (a.trials > 0)
        sc->trials = (int)a.trials;
    if (a.seed >= 0)
        sc->seed = (uint64_t)a.seed;
    /* an undersized plant: warnings too */
    if ((rc = design_day_check(sc, &d, NULL)))
        goto done;
    /* the input's warnings before the run, not after it (each printed once) */
    diag_print(&d, stderr);
    diag_release(&d);
    diag_init(&d);
    if ((rc = sim_create(sc, &sim, &d)))
        goto done;
    if (*stop) {
        rc = DCSIM_EINTERRUPTED;
        goto done;
    }
    if (!out) {
        if (run_default_output(sc, outbuf, sizeof outbuf)) {
            diag_error(&d, "results", 0, 0, "cannot create the results directory: %s",
                       strerror(errno));
            rc = DCSIM_EIO;
            goto done;
        }
        out = outbuf;
        if ((rc = cli_check_destination(out, a.input, &d)))
            goto done;
    }
    double est = cli_estimate_bytes(sc);
    if (est > CLI_LARGE_OUTPUT_BYTES && !a.quiet) {
        char size[32];
        cli_format_bytes(est, size, sizeof size);
        diag_warning(&d, a.input, 0, 0, "the results will take about %s (%lld rows of every "
                     "series): 'output_every: 1h' (or 15min) keeps interval means and maxima "
                     "in far less", size, (long long)sim_output_rows(sc));
        if (isatty(STDERR_FILENO)) {   /* now, not after the run */
            diag_print(&d, stderr);
            diag_release(&d);
            diag_init(&d);
        }
    }
    struct run_file_opts fo = {.quiet = a.quiet, .threads = (int)a.threads, .stop = stop,
                               .deflate_level = a.deflate < 0    ? 0
                                                : a.deflate == 0 ? H5OUT_NO_DEFLATE
                                                                 : (int)a.deflate};
    if ((rc = run_to_file(sc, sim, out, &fo, &sum, &d)))
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (!a.quiet || a.summary) {   /* -q: nothing but errors, unless --summary */
        cli_print_heading(stdout, sc);
        cli_print_summary(stdout, sc, &sum);
    }
    if (!a.quiet)
        fprintf(stderr, "dcsim: wrote %s in %.2f s\n", out, secs);
done:
    if (rc == DCSIM_EINTERRUPTED)
        diag_error(&d, NULL, 0, 0, "interrupted: nothing was written%s%s", out ? " to " : "",
                   out ? out : "");
    sim_summary_release(&sum);
    sim_destroy(sim);
    diag_print(&d, stderr);
    diag_release(&d);
    if (sc) {
        scenario_destroy(sc);
        catalog_release(&cat);
    }
    return rc ? cli_exit_status(rc) : EXIT_DONE;
}
