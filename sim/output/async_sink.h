/* async_sink.h — a sim_sink that writes on its own thread: the solver fills one block while
 * the previous one is compressed and written, so a run costs about the larger of the two
 * instead of their sum. Only the writer thread calls HDF5 while the run goes on. */
#ifndef DCSIM_ASYNC_SINK_H
#define DCSIM_ASYNC_SINK_H

#include <pthread.h>
#include <stddef.h>

#include "err.h"
#include "h5out.h"
#include "solver.h"

struct async_sink {
    struct h5out *h;             /* borrowed */
    struct diag d;               /* the writer's own messages, merged by async_sink_finish */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    double *values[2], *time_s[2];
    size_t rows[2];              /* rows waiting in each buffer (0: free) */
    size_t cap_values, cap_rows;
    int fill;                    /* the buffer the solver fills next */
    int closing, rc, started;
    struct sim_sink sink;        /* hand this to sim_run */
};

/** Starts the writer for blocks of up to block_rows rows of values_per_row doubles.
 *  Returns 0 or DCSIM_ENOMEM. */
int async_sink_start(struct async_sink *a, struct h5out *h, size_t block_rows,
                     size_t values_per_row);

/** Waits for every block to be written, stops the thread and moves the writer's messages
 *  into d. Returns the first write error or 0. */
int async_sink_finish(struct async_sink *a, struct diag *d);

#endif
