/* run_output.h — one simulation written to one HDF5 result: the layout, the series streamed
 * through the async sink, the summaries, the resolved catalog entries, then an atomic rename
 * onto the destination. Used by run, fit and the sweep's case files. */
#ifndef DCSIM_RUN_OUTPUT_H
#define DCSIM_RUN_OUTPUT_H

#include <signal.h>
#include <stddef.h>

#include "err.h"
#include "scenario.h"
#include "solver.h"

struct h5out;

struct run_file_opts {
    int quiet;                  /* no progress on stderr */
    int threads;                /* 0: all cores */
    volatile sig_atomic_t *stop;   /* optional: the stop flag (stop.h) */
    int deflate_level;          /* 0: default; H5OUT_NO_DEFLATE (-1): none */
    /* optional: writes more into the file before it is committed (e.g. /fit) */
    int (*before_commit)(struct h5out *h, void *ctx, struct diag *d);
    void *ctx;
};

/** Runs `sim` into a new HDF5 file at `out` (temporary name, renamed when complete). */
int run_to_file(const struct scenario *sc, struct sim *sim, const char *out,
                const struct run_file_opts *fo, struct sim_summary *sum, struct diag *d);

/** The default output path results/<name>.h5, creating results/ when missing. */
int run_default_output(const struct scenario *sc, char *buf, size_t len);

#endif
