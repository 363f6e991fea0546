/* cmd_sweep.c — `dcsim sweep SWEEP.yaml [-o OUT.h5] [--csv OUT.csv] [-j N] [--resume]
 * [--no-share]`: runs every case of a sweep (contract section 4) in parallel and writes one
 * /cases table.
 * The table is rewritten atomically every few seconds, so an interrupted sweep (SIGINT, or
 * a crash) keeps what it finished, and --resume runs only the rest. Under MPI (make MPI=1,
 * mpirun -n N) the ranks take units of cases (sim/sweep/sweep_units.h) from a shared
 * counter and rank 0 writes the file. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sweep.h"
#include "sweep_io.h"
#include "sweep_run.h"
#include "yamlx.h"

const char cmd_sweep_usage[] =
    "usage: dcsim sweep SWEEP.yaml [-o OUT.h5] [--csv OUT.csv] [-j N] [--resume]\n"
    "                  [--no-share] [--models DIR] [-q]\n\n"
    "Runs every case of the sweep in parallel (-j N threads, default all cores; under\n"
    "`mpirun -n N` on a build with `make MPI=1`, N ranks of -j threads each, default the\n"
    "cores the rank is bound to, or its share of the node's) and writes /cases: a row per case\n"
    "with the varied values, a status (0 ok, 2 invalid scenario, 3 failed) and message, and\n"
    "the summary metrics. Default OUT: results/<sweep file name>.h5. The table is saved\n"
    "every few seconds; --resume skips the cases OUT already holds. Cases that differ only\n"
    "in the count or utilization of a pool not yet online share their steps until it is (the\n"
    "same results); --no-share runs every case from the start.\n";

/* results/<sweep file stem>.h5; rank 0 makes results/ when it is missing. */
static int default_out(const char *file, char *buf, size_t len, int make_dir)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strcspn(base, ".");
    if (make_dir && mkdir("results", 0777) != 0 && errno != EEXIST)
        return DCSIM_EIO;
    snprintf(buf, len, "results/%.*s.h5", (int)n, base);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Progress: a bar on a terminal, a line every 10 % otherwise. */
struct progress {
    int tty, quiet;
    size_t total, start_done;
    double t0;
    int last_decile;
};

static void progress_show(struct progress *p, size_t done)
{
    if (p->quiet)
        return;
    double el = now_s() - p->t0;
    double rate = el > 0 ? (double)(done - p->start_done) / el * 60.0 : 0;
    double eta = rate > 0 ? (double)(p->total - done) / rate * 60.0 : 0;
    if (p->tty) {
        int width = 30, fill = p->total ? (int)(width * done / p->total) : width;
        fprintf(stderr, "\rdcsim sweep [%.*s%*s] %zu/%zu  %.0f cases/min  ETA %.0f s ",
                fill, "##############################", width - fill, "", done, p->total, rate,
                eta);
        if (done == p->total)
            fputc('\n', stderr);
    } else {
        int decile = p->total ? (int)(10 * done / p->total) : 10;
        if (decile == p->last_decile && done != p->total)
            return;
        p->last_decile = decile;
        fprintf(stderr, "dcsim sweep: %zu/%zu cases, %.0f cases/min, ETA %.0f s\n", done,
                p->total, rate, eta);
    }
}

int cmd_sweep(int argc, char **argv)
{
    struct cli_opts a;
    if (cli_parse_opts(argc, argv, CLI_OUT | CLI_CSV | CLI_MODELS | CLI_THREADS | CLI_RESUME |
                       CLI_QUIET | CLI_NO_SHARE, 0, cmd_sweep_usage, &a))
        return EXIT_BADINPUT;
    struct sweep_mpi mpi;
    if (sweep_mpi_init(&argc, &argv, &mpi))
        return EXIT_FAILURE_IO;
    struct diag d;
    diag_init(&d);
    struct sweep sw = {0};
    struct catalog cat = {0};
    struct sweep_results r = {0};
    char outbuf[PATH_MAX];
    int rc = cli_check_destination(a.out, a.input, &d);
    if (!rc)
        rc = cli_check_destination(a.csv, a.input, &d);
    if (!rc)
        rc = sweep_load(a.input, &sw, &d);
    if (!rc)   /* nor the base scenario */
        rc = cli_check_destination(a.out, sw.base_path, &d);
    if (!rc)
        rc = cli_check_destination(a.csv, sw.base_path, &d);
    if (!rc)
        rc = cli_load_catalog(a.models, &cat, &d);
    if (!rc)
        rc = sweep_check_paths(&sw, &cat, &d);
    if (!rc)
        rc = sweep_results_init(&r, sw.n_cases);
    const char *out = a.out;
    if (!rc && !out) {
        if (default_out(a.input, outbuf, sizeof outbuf, mpi.rank == 0)) {
            diag_error(&d, "results", 0, 0, "cannot create the results directory: %s",
                       strerror(errno));
            rc = DCSIM_EIO;
        }
        out = outbuf;
        if (!rc)
            rc = cli_check_destination(out, a.input, &d);
        if (!rc)
            rc = cli_check_destination(out, sw.base_path, &d);
    }
    if (!rc && a.resume && mpi.rank == 0 && access(out, F_OK) == 0)
        rc = sweep_read_h5(out, &sw, &r, &d);
    if (rc) {
        if (mpi.rank == 0)
            diag_print(&d, stderr);
        goto done;
    }
    volatile sig_atomic_t *interrupted = stop_catch_signals();

    struct progress prog = {.tty = isatty(STDERR_FILENO), .quiet = a.quiet || mpi.rank != 0,
                            .total = sw.n_cases, .start_done = sweep_results_done(&r),
                            .t0 = now_s(), .last_decile = -1};
    struct sweep_exec ex = {
        .sw = &sw, .cat = &cat, .results = &r, .threads = (int)a.threads,
        .out = out, .interrupted = interrupted, .mpi = &mpi, .no_share = a.no_share,
    };
    rc = sweep_execute(&ex, (void (*)(void *, size_t))progress_show, &prog, &d);
    /* every rank done and well: the table is whole on rank 0 and MPI ends here, so the
     * other ranks exit while rank 0 writes. After an error or a signal MPI lasts until rank
     * 0 has saved: mpirun stops the whole job when a rank exits with an error status. */
    if (sweep_mpi_all_ok(&mpi, rc == 0))
        sweep_mpi_finalize(&mpi);
    if (mpi.rank == 0) {
        /* whatever happened, save what is done */
        int wrc = sweep_write_h5(out, &sw, &r, &d);
        if (!wrc && a.csv)
            wrc = sweep_write_csv(a.csv, &sw, &r, &d);
        if (!rc)
            rc = wrc;
        size_t done = sweep_results_done(&r), ok = 0, invalid = 0;
        for (size_t c = 0; c < r.n_cases; c++) {
            ok += r.status[c] == CASE_OK;
            invalid += r.status[c] == CASE_INVALID;
        }
        diag_print(&d, stderr);
        if (rc == DCSIM_EINTERRUPTED)
            fprintf(stderr, "dcsim: interrupted: %zu of %zu cases done, saved in %s; run again "
                            "with --resume to finish\n", done, r.n_cases, out);
        else if (!rc && !a.quiet)
            fprintf(stderr, "dcsim: %zu cases (%zu ok, %zu invalid, %zu failed) in %.2f s (%zu "
                            "went on from another case's first steps); wrote %s%s%s\n",
                    r.n_cases, ok, invalid, done - ok - invalid, now_s() - prog.t0,
                    ex.resumed_cases, out, a.csv ? " and " : "", a.csv ? a.csv : "");
        size_t failed = done - ok - invalid;
        if (!rc)
            printf("%s: %zu cases, %zu ok, %zu invalid, %zu failed -> %s\n", a.input, r.n_cases,
                   ok, invalid, failed, out);
        /* a sweep with an invalid or failed case is not a success (the table still holds
         * every case, with its status): 3 when any failed, else 2 */
        if (!rc && failed > 0)
            rc = DCSIM_EIO;
        else if (!rc && invalid > 0)
            rc = DCSIM_EINPUT;
    }
done:
    sweep_results_release(&r);
    catalog_release(&cat);
    sweep_release(&sw);
    diag_release(&d);
    sweep_mpi_finalize(&mpi);
    return rc ? cli_exit_status(rc) : EXIT_DONE;
}
