/* async_sink.h — the sim_sink that streams a run's series into an h5out: each block is
 * copied once into the writer's stage, and full chunks are compressed on the writer's pool
 * of threads while the solver goes on (h5out.h), so a run costs about the larger of the two
 * instead of their sum. Only the pool calls HDF5 while the run goes on. */
#ifndef DCSIM_ASYNC_SINK_H
#define DCSIM_ASYNC_SINK_H

#include <stddef.h>

#include "err.h"
#include "h5out.h"
#include "solver.h"

struct async_sink {
    struct h5out *h;             /* borrowed */
    struct diag d;               /* the writer's messages, merged by async_sink_finish */
    int rc;                      /* the first failure */
    struct sim_sink sink;        /* hand this to sim_run */
};

/** Makes the sink for h. Returns 0. */
int async_sink_start(struct async_sink *a, struct h5out *h);

/** Waits for every chunk to be written and moves the writer's messages into d. Returns the
 *  first write error or 0. */
int async_sink_finish(struct async_sink *a, struct diag *d);

#endif
