/* async_sink.c — the solver's blocks into h5out's staged, pooled writer (see async_sink.h). */
#include "async_sink.h"

#include <string.h>

/* The sink the solver calls: one copy into the writer's stage (waiting when the pool is
 * behind). */
static int async_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    struct async_sink *a = ctx;
    if (a->rc)
        return a->rc;
    a->rc = h5out_append(a->h, n, time_s, values, &a->d);
    return a->rc;
}

int async_sink_start(struct async_sink *a, struct h5out *h)
{
    memset(a, 0, sizeof *a);
    a->h = h;
    diag_init(&a->d);
    a->sink.ctx = a;
    a->sink.append = async_append;
    return 0;
}

int async_sink_finish(struct async_sink *a, struct diag *d)
{
    if (!a->rc)
        a->rc = h5out_wait(a->h, &a->d);
    for (size_t i = 0; d && i < a->d.n; i++) {
        const struct diag_msg *m = &a->d.msgs[i];
        diag_error(d, m->file, m->line, m->col, "%s", m->text);
    }
    diag_release(&a->d);
    return a->rc;
}
