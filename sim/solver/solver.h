/* solver.h — the time loop: a run handle made from a scenario, stepped from start to end,
 * once per Monte Carlo trial.
 *
 * sim_create builds what every trial shares (weather, curtailment calendars); sim_run runs
 * the scenario's trials — in parallel on `threads` threads, each trial with its own random
 * outages drawn from seed + trial, so results never depend on the thread count — folds
 * each step into the summaries and hands trial 0's series, a block at a time, to an
 * optional sink (the HDF5 writer). The scenario is borrowed for the handle's lifetime. */
#ifndef DCSIM_SOLVER_H
#define DCSIM_SOLVER_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "results.h"
#include "scenario.h"

struct sim;   /* opaque run handle */

/** Receives series a block at a time: time_s[n], values[(site * cols + col) * n + k] with
 *  cols = sim_output_columns(sc): the N_SERIES series, and when the scenario decimates
 *  (output_every > timestep) then N_SERIES more holding each interval's maxima. A row is a
 *  step, or an output interval: means (sums for water_m3 and cost_usd; PUE as facility /
 *  IT energy), time_s its start. Returns 0 or a negative status, which stops the run.
 *  Called from one thread only. */
struct sim_sink {
    void *ctx;
    int (*append)(void *ctx, size_t n, const double *time_s, const double *values);
};

/** Called now and then from the calling thread: steps of trial 0 when there is one trial,
 *  else trials done. */
struct sim_progress {
    void *ctx;
    void (*report)(void *ctx, int64_t done, int64_t total);
};

struct sim_snapshot;   /* a one-trial run's state before one of its steps (below) */

struct sim_options {
    size_t block_steps;                 /* steps per sink call (default 4096) */
    const struct sim_sink *sink;        /* NULL: no series kept */
    const struct sim_progress *progress;/* NULL: silent */
    int threads;                        /* 0: all cores */
    volatile sig_atomic_t *stop;        /* optional: nonzero asks the run to stop (SIGINT) */
    int extras;                         /* with a sink: per-supply and per-pool values too
                                           (sim_site_columns per site; else N_SERIES) */
    /* tests only: the calling thread of a site team starts each block only once another
     * thread has taken a site of its range (or after a second), so that sites are taken;
     * and the count of sites taken from others' ranges is added to *test_sites_taken
     * (optional) */
    int test_hold_caller;
    atomic_size_t *test_sites_taken;
    /* tests only: every trial keeps its sites' summaries whole (else a trial after the first
     * keeps only what the statistics over trials and the total read: summary_add_lean) */
    int test_full_sites;
    /* A run of one trial without a sink may save its state before step save_at_k into
     * *save_to (NULL when the run does not get there), and may start at a snapshot's step
     * from its state (`resume`), saved by a run of another scenario whose steps before it
     * would have been the same: the results are then the same as a run from the start.
     * (A sweep's cases that differ only in a pool not yet online there share those steps.) */
    int64_t save_at_k;
    struct sim_snapshot **save_to;
    const struct sim_snapshot *resume;
};

/** Summary of a run: per site and for the whole scenario. The ordinary metrics are trial
 *  0's (the trial whose series are written); lole_h_per_year, eue_mwh_per_year and the
 *  unserved-energy quantiles are statistics over all trials. */
struct sim_summary {
    size_t n_sites;
    double (*site)[N_METRICS];          /* owned, [n_sites] */
    double total[N_METRICS];
    int trials;
    double (*trial_total)[N_METRICS];   /* owned, [trials]: each trial's scenario metrics */
};

/** Values per site and step handed to a sink: N_SERIES, then site_extra_columns() of the
 *  site (per supply and per pool), padded to the most any site has. */
int sim_site_columns(const struct scenario *sc);

/** Columns per site handed to a sink with opt.extras: sim_site_columns (n), or 2n when
 *  decimating (the interval means, then the maxima). Without extras n is N_SERIES. */
int sim_output_columns(const struct scenario *sc);

/** Rows a sink receives over the run: steps, or duration / output_every. */
int64_t sim_output_rows(const struct scenario *sc);

/** Builds a run handle. Errors (e.g. an unreadable EPW file) go to `d`. */
int sim_create(const struct scenario *sc, struct sim **out, struct diag *d);

struct weather_cache;
/** sim_create taking its weather years from `cache` (borrowed; it must outlive the handle):
 *  runs of a sweep share the years they have in common. Results are the same as
 *  sim_create's. */
int sim_create_shared(const struct scenario *sc, struct weather_cache *cache, struct sim **out,
                      struct diag *d);

/** Runs every trial of the scenario (sc->trials). Fills *summary (release with
 *  sim_summary_release). A handle may be run several times, never concurrently. */
int sim_run(struct sim *s, const struct sim_options *opt, struct sim_summary *summary,
            struct diag *d);

void sim_summary_release(struct sim_summary *sum);

/** The step a snapshot was taken before. */
int64_t sim_snapshot_step(const struct sim_snapshot *snap);

/** Frees a snapshot; NULL is a no-op. */
void sim_snapshot_destroy(struct sim_snapshot *snap);

/** Site i's time zone (local standard time - UTC, h) from its weather (issue 10). */
double sim_site_utc_offset_h(const struct sim *s, size_t i);

void sim_destroy(struct sim *s);

#endif
