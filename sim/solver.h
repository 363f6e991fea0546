/* solver.h — the time loop: a run handle made from a scenario, stepped from start to end.
 *
 * sim_create builds what the run needs before the first step (weather sources, the
 * curtailment calendar); sim_run steps every site, dispatches supply, folds each step into
 * the summaries and hands blocks of series to an optional sink (the HDF5 writer). The
 * scenario is borrowed for the handle's lifetime. Several handles may run in parallel. */
#ifndef DCSIM_SOLVER_H
#define DCSIM_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "results.h"
#include "scenario.h"

struct sim;   /* opaque run handle */

/** Receives series a block at a time: time_s[n], values[(site * N_SERIES + series) * n + k].
 *  Returns 0 or a negative status, which stops the run. */
struct sim_sink {
    void *ctx;
    int (*append)(void *ctx, size_t n, const double *time_s, const double *values);
};

/** Called now and then with the steps done so far. */
struct sim_progress {
    void *ctx;
    void (*report)(void *ctx, int64_t done, int64_t total);
};

struct sim_options {
    size_t block_steps;                 /* steps per sink call (default 4096) */
    const struct sim_sink *sink;        /* NULL: no series kept */
    const struct sim_progress *progress;/* NULL: silent */
};

/** Summary of a run: per site and for the whole scenario. */
struct sim_summary {
    size_t n_sites;
    double (*site)[N_METRICS];          /* owned, [n_sites] */
    double total[N_METRICS];
};

/** Builds a run handle. Errors (e.g. an unreadable EPW file) go to `d`. */
int sim_create(const struct scenario *sc, struct sim **out, struct diag *d);

/** Runs every step. Fills *summary (release with sim_summary_release). */
int sim_run(struct sim *s, const struct sim_options *opt, struct sim_summary *summary,
            struct diag *d);

void sim_summary_release(struct sim_summary *sum);

void sim_destroy(struct sim *s);

#endif
