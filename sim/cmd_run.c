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
#include "h5out.h"
#include "results.h"
#include "timefmt.h"

const char cmd_run_usage[] =
    "usage: dcsim run SCENARIO.yaml [-o OUT.h5] [--trials N] [--seed N] [-j THREADS]\n"
    "                 [--models DIR] [-q]\n\n"
    "Simulates the scenario step by step and writes the series and summaries to HDF5\n"
    "(default results/<scenario name>.h5), then prints a summary table.\n\n"
    "  -o OUT.h5      output file (written to a temporary name, renamed when complete)\n"
    "  --trials N     Monte Carlo trials (overrides the scenario's `trials`)\n"
    "  --seed N       random seed (overrides the scenario's `seed`)\n"
    "  -j THREADS     threads for trials (default: all cores; results never depend on it)\n"
    "  --models DIR   the equipment catalog (default: models/ beside the binary)\n"
    "  -q             no progress or file messages on stderr\n";

#define RUN_CHUNK_STEPS 4096   /* steps per HDF5 chunk and per block handed over */

struct run_args {
    const char *scenario, *out, *models;
    long long trials, seed, threads;
    int quiet;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
    memset(a, 0, sizeof *a);
    a->trials = a->seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (strcmp(arg, "-o") == 0 && val) {
            if (!*val) {
                fprintf(stderr, "dcsim: error: -o needs a file name\n");
                return DCSIM_EUSAGE;
            }
            a->out = val;
            i++;
        } else if (strcmp(arg, "--models") == 0 && val) {
            a->models = val;
            i++;
        } else if (strcmp(arg, "--trials") == 0) {
            rc = cli_parse_count(arg, val, 1, 1000000, &a->trials);
            i++;
        } else if (strcmp(arg, "--seed") == 0) {
            rc = cli_parse_count(arg, val, 0, LLONG_MAX, &a->seed);
            i++;
        } else if (strcmp(arg, "-j") == 0) {
            rc = cli_parse_count(arg, val, 1, 1024, &a->threads);
            i++;
        } else if (strcmp(arg, "-q") == 0) {
            a->quiet = 1;
        } else if (arg[0] == '-' || a->scenario) {
            fprintf(stderr, "dcsim: error: unexpected argument '%s'\n%s", arg, cmd_run_usage);
            return DCSIM_EUSAGE;
        } else {
            a->scenario = arg;
        }
        if (rc)
            return rc;
    }
    if (!a->scenario) {
        fputs(cmd_run_usage, stderr);
        return DCSIM_EUSAGE;
    }
    return 0;
}

struct h5_sink_ctx {
    struct h5out *h;
    struct diag *d;
};

static int h5_sink_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    struct h5_sink_ctx *c = ctx;
    return h5out_append(c->h, n, time_s, values, c->d);
}

static void progress_tty(void *ctx, int64_t done, int64_t total)
{
    (void)ctx;
    fprintf(stderr, "\rdcsim: running %3d %% (%lld/%lld)", (int)(100 * done / total),
            (long long)done, (long long)total);
    if (done == total)
        fputs("\r                                        \r", stderr);
    fflush(stderr);
}

static int write_summaries(struct h5out *h, const struct sim_summary *sum, struct diag *d)
{
    int rc = 0;
    for (int i = -1; i < (int)sum->n_sites && !rc; i++)
        rc = h5out_write_summary(h, i, N_METRICS, metric_names,
                                 i < 0 ? sum->total : sum->site[i], d);
    return rc;
}

/* Runs the simulation into a new HDF5 file; the file exists only if all went well. */
static int run_to_file(const struct scenario *sc, struct sim *sim, const char *out,
                       const char *start, const struct run_args *a, struct sim_summary *sum,
                       struct diag *d)
{
    const char **site_ids = malloc(sc->n_sites * sizeof *site_ids);
    if (!site_ids)
        return DCSIM_ENOMEM;
    for (size_t i = 0; i < sc->n_sites; i++)
        site_ids[i] = sc->sites[i].id;
    struct h5out_series_def defs[N_SERIES];
    for (int k = 0; k < N_SERIES; k++)
        defs[k] = (struct h5out_series_def){series_names[k], series_units[k]};
    struct h5out_meta meta = {
        .dcsim_version = DCSIM_VERSION, .scenario_name = sc->name, .start_iso = start,
        .timestep_s = sc->timestep_s, .steps = sc->steps, .seed = sc->seed,
        .trials = sc->trials, .scenario_text = sc->text, .scenario_len = sc->text_len,
    };
    struct h5out *h = NULL;
    int rc = h5out_create(out, &meta, sc->n_sites, site_ids, N_SERIES, defs, RUN_CHUNK_STEPS,
                          &h, d);
    free(site_ids);
    if (rc)
        return rc;
    struct h5_sink_ctx sink_ctx = {h, d};
    struct sim_sink sink = {&sink_ctx, h5_sink_append};
    struct sim_progress progress = {NULL, progress_tty};
    struct sim_options opt = {
        .block_steps = RUN_CHUNK_STEPS, .sink = &sink,
        .progress = (!a->quiet && isatty(STDERR_FILENO)) ? &progress : NULL,
        .threads = (int)a->threads,
    };
    rc = sim_run(sim, &opt, sum, d);
    if (!rc)
        rc = write_summaries(h, sum, d);
    if (!rc && sum->trials > 1)
        rc = h5out_write_table(h, "trials", "trial", (size_t)sum->trials, N_METRICS,
                               metric_names, &sum->trial_total[0][0], d);
    if (rc) {
        h5out_abort(h);
        return rc;
    }
    return h5out_commit(h, d);
}

/* results/<name>.h5, creating results/ when it is missing. */
static int default_output(const struct scenario *sc, char *buf, size_t len)
{
    if (mkdir("results", 0777) != 0 && errno != EEXIST)
        return DCSIM_EIO;
    snprintf(buf, len, "results/%s.h5", sc->name);
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_args a;
    int rc = parse_args(argc, argv, &a);
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

    rc = cli_load(a.scenario, a.models, &cat, &sc, &d);
    if (rc)
        goto done;
    if (a.trials > 0)
        sc->trials = (int)a.trials;
    if (a.seed >= 0)
        sc->seed = (uint64_t)a.seed;
    if ((rc = sim_create(sc, &sim, &d)))
        goto done;
    if (!out) {
        if (default_output(sc, outbuf, sizeof outbuf)) {
            diag_error(&d, "results", 0, 0, "cannot create the results directory: %s",
                       strerror(errno));
            rc = DCSIM_EIO;
            goto done;
        }
        out = outbuf;
    }
    char start[32];
    timefmt_format_date(sc->start_unix_s, start, sizeof start);
    if ((rc = run_to_file(sc, sim, out, start, &a, &sum, &d)))
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    char span[32], step[32];
    timefmt_format_span(sc->duration_s, span, sizeof span);
    timefmt_format_span(sc->timestep_s, step, sizeof step);
    printf("%s: %zu site%s, %s from %s at %s steps (%lld steps)\n", sc->name, sc->n_sites,
           sc->n_sites == 1 ? "" : "s", span, start, step, (long long)sc->steps);
    cli_print_summary(stdout, sc, &sum);
    if (!a.quiet)
        fprintf(stderr, "dcsim: wrote %s in %.2f s\n", out, secs);
done:
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
