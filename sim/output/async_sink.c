/* async_sink.c — double-buffered series writing on a thread of its own (see async_sink.h). */
#include "async_sink.h"

#include <stdlib.h>
#include <string.h>

static void *writer(void *arg)
{
    struct async_sink *a = arg;
    int cur = 0;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->rows[cur] && !a->closing)
            pthread_cond_wait(&a->changed, &a->lock);
        if (!a->rows[cur])
            break;   /* closing and nothing left */
        size_t n = a->rows[cur];
        pthread_mutex_unlock(&a->lock);
        int rc = a->rc ? 0 : h5out_append(a->h, n, a->time_s[cur], a->values[cur], &a->d);
        pthread_mutex_lock(&a->lock);
        if (rc && !a->rc)
            a->rc = rc;
        a->rows[cur] = 0;
        pthread_cond_broadcast(&a->changed);
        cur ^= 1;
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

/* The sink the solver calls: copies the block into the free buffer (waiting for one). */
static int async_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    struct async_sink *a = ctx;
    size_t per_row = a->cap_values / a->cap_rows;
    pthread_mutex_lock(&a->lock);
    while (a->rows[a->fill] && !a->rc)
        pthread_cond_wait(&a->changed, &a->lock);
    int rc = a->rc;
    pthread_mutex_unlock(&a->lock);
    if (rc)
        return rc;
    int b = a->fill;
    memcpy(a->time_s[b], time_s, n * sizeof *time_s);
    memcpy(a->values[b], values, n * per_row * sizeof *values);
    pthread_mutex_lock(&a->lock);
    a->rows[b] = n;
    a->fill ^= 1;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    return 0;
}

int async_sink_start(struct async_sink *a, struct h5out *h, size_t block_rows,
                     size_t values_per_row)
{
    memset(a, 0, sizeof *a);
    a->h = h;
    diag_init(&a->d);
    a->cap_rows = block_rows ? block_rows : 1;
    a->cap_values = a->cap_rows * values_per_row;
    for (int b = 0; b < 2; b++) {
        a->values[b] = malloc(a->cap_values * sizeof *a->values[b]);
        a->time_s[b] = malloc(a->cap_rows * sizeof *a->time_s[b]);
        if (!a->values[b] || !a->time_s[b]) {
            async_sink_finish(a, NULL);
            return DCSIM_ENOMEM;
        }
    }
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->changed, NULL);
    if (pthread_create(&a->thread, NULL, writer, a) != 0) {
        pthread_mutex_destroy(&a->lock);
        pthread_cond_destroy(&a->changed);
        async_sink_finish(a, NULL);
        return DCSIM_ENOMEM;
    }
    a->started = 1;
    a->sink.ctx = a;
    a->sink.append = async_append;
    return 0;
}

int async_sink_finish(struct async_sink *a, struct diag *d)
{
    if (a->started) {
        pthread_mutex_lock(&a->lock);
        a->closing = 1;
        pthread_cond_broadcast(&a->changed);
        pthread_mutex_unlock(&a->lock);
        pthread_join(a->thread, NULL);
        pthread_mutex_destroy(&a->lock);
        pthread_cond_destroy(&a->changed);
        a->started = 0;
    }
    for (size_t i = 0; d && i < a->d.n; i++) {
        const struct diag_msg *m = &a->d.msgs[i];
        diag_error(d, m->file, m->line, m->col, "%s", m->text);
    }
    diag_release(&a->d);
    for (int b = 0; b < 2; b++) {
        free(a->values[b]);
        free(a->time_s[b]);
        a->values[b] = a->time_s[b] = NULL;
    }
    return a->rc;
}
