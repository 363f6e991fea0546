/* sweep_run.h — running a sweep's cases: on threads, and across MPI ranks in a build with
 * `make MPI=1` (DCSIM_MPI). Without MPI the sweep_mpi functions do nothing. */
#ifndef DCSIM_SWEEP_RUN_H
#define DCSIM_SWEEP_RUN_H

#include <signal.h>
#include <stddef.h>

#include "catalog.h"
#include "err.h"
#include "sweep.h"
#include "sweep_io.h"

struct sweep_mpi {
    int enabled;                 /* built with MPI and started under mpirun with > 1 rank */
    int rank, size;
    int finalized;               /* sweep_mpi_finalize has run (it runs once) */
    int serialized;              /* MPI takes calls from any thread, one at a time */
};

int sweep_mpi_init(int *argc, char ***argv, struct sweep_mpi *m);
/* 1 when ok is true on every rank (a collective: every rank calls it; it sleeps, not spins,
 * while it waits for the others). Without MPI, or on one rank: ok. */
int sweep_mpi_all_ok(struct sweep_mpi *m, int ok);
/* Ends MPI once (later calls do nothing); nothing after it may call MPI. */
void sweep_mpi_finalize(struct sweep_mpi *m);

#define SWEEP_CHECKPOINT_S 5.0   /* the table is saved at least this often while running */

struct sweep_exec {
    const struct sweep *sw;
    const struct catalog *cat;
    struct sweep_results *results;   /* pending rows are run; done rows are kept */
    int threads;                     /* 0: all cores */
    const char *out;                 /* the table, saved every SWEEP_CHECKPOINT_S */
    volatile sig_atomic_t *interrupted;
    struct sweep_mpi *mpi;
    int no_share;                    /* 1: every case from the start (sweep_units.h) */
    size_t resumed_cases;            /* out: cases that went on from another's steps (rank 0) */
};

/** Runs every pending case. Returns 0, DCSIM_EINTERRUPTED (the rows done are in results),
 *  or an I/O error from a checkpoint. On MPI, rank 0's results hold every rank's rows. */
/** Where a sweep written to `out` keeps its cases' result files (`series: true`): `out`
 *  without ".h5", plus "-cases" (results/x.h5 → results/x-cases). */
void sweep_series_dir(const char *out, char *buf, size_t len);

/** The result file of case `c` in that directory: DIR/case-NNNNNN.h5. */
void sweep_case_file(const char *series_dir, size_t c, char *buf, size_t len);

int sweep_execute(struct sweep_exec *ex, void (*progress)(void *ctx, size_t done), void *ctx,
                  struct diag *d);

#endif
