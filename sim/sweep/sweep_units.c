/* sweep_units.c — a sweep's cases in units of work that share their past (see sweep_units.h). */
#include "sweep_units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Whether var's path is `sites.<site id>.it.<pool id>.count` of a pool of sc; which one. */
static int var_pool(const struct sweep_var *var, const struct scenario *sc,
                    const struct it_pool **out)
{
    for (size_t i = 0; i < sc->n_sites; i++)
        for (size_t j = 0; j < sc->sites[i].n_pools; j++) {
            char path[3 * CATALOG_ID_MAX + 32];
            snprintf(path, sizeof path, "sites.%s.it.%s.count", sc->sites[i].id,
                     sc->sites[i].pools[j].id);
            if (strcmp(path, var->path) == 0) {
                *out = &sc->sites[i].pools[j];
                return 1;
            }
        }
    return 0;
}

/* The fork step of `pool` in sc (sweep_units_fork_step), or 0. */
static int64_t pool_fork_step(const struct scenario *sc, const struct it_pool *pool)
{
    if (sc->trials != 1 || pool->online_s <= 0 || sc->timestep_s <= 0)
        return 0;
    int64_t k = pool->online_s / sc->timestep_s + (pool->online_s % sc->timestep_s != 0);
    return k < sc->steps ? k : 0;
}

int64_t sweep_units_fork_step(const struct sweep *sw, const struct sweep_units *u,
                              const struct scenario *sc)
{
    const struct it_pool *pool;
    if (u->var < 0 || !var_pool(&sw->vars[u->var], sc, &pool))
        return 0;
    return pool_fork_step(sc, pool);
}

/* The count variable whose pool comes online last in case 0 (after the start, before the
 * end), or -1. */
static int shared_var(const struct sweep *sw, const struct catalog *cat)
{
    struct ydoc doc;
    char err[256];
    if (sweep_case_doc(sw, 0, &doc, err, sizeof err))
        return -1;
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    int rc = scenario_from_doc(&doc, cat, &sc, &d);
    ydoc_release(&doc);
    diag_release(&d);
    if (rc)
        return -1;
    if (sw->trials > 0)
        sc->trials = sw->trials;
    int best = -1;
    int64_t best_k = 0;
    for (size_t v = 0; v < sw->n_vars; v++) {
        const struct it_pool *pool;
        if (sw->vars[v].n_values < 2 || !var_pool(&sw->vars[v], sc, &pool))
            continue;
        int64_t k = pool_fork_step(sc, pool);
        if (k > best_k) {
            best_k = k;
            best = (int)v;
        }
    }
    scenario_destroy(sc);
    return best;
}

int sweep_units_plan(const struct sweep *sw, const struct catalog *cat, int share,
                     struct sweep_units *out)
{
    memset(out, 0, sizeof *out);
    out->var = -1;
    size_t n = sw->n_cases;
    out->first = malloc((n + 1) * sizeof *out->first);
    out->order = malloc((n ? n : 1) * sizeof *out->order);
    if (!out->first || !out->order) {
        sweep_units_release(out);
        return DCSIM_ENOMEM;
    }
    if (share && !sw->zip && !sw->series && n > 1)
        out->var = shared_var(sw, cat);
    if (out->var < 0) {
        for (size_t c = 0; c < n; c++)
            out->order[c] = out->first[c] = c;
        out->first[n] = n;
        out->n_units = n;
        return 0;
    }
    /* grid: the variable's values are `stride` cases apart (later variables vary faster) */
    size_t stride = 1, n_values = sw->vars[out->var].n_values, k = 0;
    for (size_t v = sw->n_vars; v-- > (size_t)out->var + 1;)
        stride *= sw->vars[v].n_values;
    for (size_t c = 0; c < n; c++) {
        if (sweep_value_index(sw, c, (size_t)out->var) != 0)
            continue;
        out->first[out->n_units++] = k;
        for (size_t i = 0; i < n_values; i++)
            out->order[k++] = c + i * stride;
    }
    out->first[out->n_units] = k;
    return 0;
}

void sweep_units_release(struct sweep_units *u)
{
    if (!u)
        return;
    free(u->first);
    free(u->order);
    memset(u, 0, sizeof *u);
    u->var = -1;
}
