/* sweep_units.c — a sweep's cases in units of work that share their past (see sweep_units.h). */
#include "sweep_units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* The keys of a pool that a unit's cases may differ in: read only while it is online. */
static const char *const shared_keys[] = {"count", "utilization"};
#define N_SHARED_KEYS (sizeof shared_keys / sizeof shared_keys[0])

/* The pool of sc whose path ("sites.<site id>.it.<pool id>") is `pool`, or NULL. */
static const struct it_pool *pool_at(const struct scenario *sc, const char *pool)
{
    for (size_t i = 0; i < sc->n_sites; i++)
        for (size_t j = 0; j < sc->sites[i].n_pools; j++) {
            char path[SWEEP_UNITS_POOL_MAX];
            snprintf(path, sizeof path, "sites.%s.it.%s", sc->sites[i].id,
                     sc->sites[i].pools[j].id);
            if (strcmp(path, pool) == 0)
                return &sc->sites[i].pools[j];
        }
    return NULL;
}

/* Whether var's path is one of shared_keys of a pool of sc; the pool's path into `pool`. */
static int var_pool(const struct sweep_var *var, const struct scenario *sc, char *pool,
                    size_t len)
{
    const char *dot = strrchr(var->path, '.');
    if (!dot || (size_t)(dot - var->path) >= len)
        return 0;
    int key = 0;
    for (size_t k = 0; k < N_SHARED_KEYS; k++)
        key |= strcmp(dot + 1, shared_keys[k]) == 0;
    if (!key)
        return 0;
    snprintf(pool, len, "%.*s", (int)(dot - var->path), var->path);
    return pool_at(sc, pool) != NULL;
}

/* The fork step of `pool` in sc (sweep_units_fork_step), or 0. */
static int64_t pool_fork_step(const struct scenario *sc, const struct it_pool *pool)
{
    if (sc->trials != 1 || pool->online_s <= 0 || sc->timestep_s <= 0)
        return 0;
    int64_t k = pool->online_s / sc->timestep_s + (pool->online_s % sc->timestep_s != 0);
    return k < sc->steps ? k : 0;
}

int64_t sweep_units_fork_step(const struct sweep_units *u, const struct scenario *sc)
{
    const struct it_pool *pool = u->n_vars ? pool_at(sc, u->pool) : NULL;
    return pool ? pool_fork_step(sc, pool) : 0;
}

/* The pool that comes online last in case 0 (after the start, before the end) among those
 * whose shared keys are varied, into u->pool, and those variables into u->vars. */
static void shared_pool(const struct sweep *sw, const struct catalog *cat,
                        struct sweep_units *u)
{
    struct ydoc doc;
    char err[256];
    if (sweep_case_doc(sw, 0, &doc, err, sizeof err))
        return;
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    int rc = scenario_from_doc(&doc, cat, &sc, &d);
    ydoc_release(&doc);
    diag_release(&d);
    if (rc)
        return;
    if (sw->trials > 0)
        sc->trials = sw->trials;
    int64_t best_k = 0;
    for (size_t v = 0; v < sw->n_vars; v++) {
        char pool[sizeof u->pool];
        if (sw->vars[v].n_values < 2 || !var_pool(&sw->vars[v], sc, pool, sizeof pool))
            continue;
        int64_t k = pool_fork_step(sc, pool_at(sc, pool));
        if (k > best_k) {
            best_k = k;
            snprintf(u->pool, sizeof u->pool, "%s", pool);
        }
    }
    for (size_t v = 0; best_k > 0 && v < sw->n_vars; v++) {
        char pool[sizeof u->pool];
        if (var_pool(&sw->vars[v], sc, pool, sizeof pool) && strcmp(pool, u->pool) == 0 &&
            u->n_vars < sizeof u->vars / sizeof u->vars[0])
            u->vars[u->n_vars++] = v;
    }
    scenario_destroy(sc);
}

int sweep_units_plan(const struct sweep *sw, const struct catalog *cat, int share,
                     struct sweep_units *out)
{
    memset(out, 0, sizeof *out);
    size_t n = sw->n_cases;
    out->first = malloc((n + 1) * sizeof *out->first);
    out->order = malloc((n ? n : 1) * sizeof *out->order);
    size_t *unit_of = malloc((n ? n : 1) * sizeof *unit_of);
    size_t *fill = malloc((n + 1) * sizeof *fill);
    if (!out->first || !out->order || !unit_of || !fill) {
        free(unit_of);
        free(fill);
        sweep_units_release(out);
        return DCSIM_ENOMEM;
    }
    if (share && !sw->zip && !sw->series && n > 1)
        shared_pool(sw, cat, out);
    /* grid: case c's key is c with the shared variables' values set to their first, and a
     * unit is the cases of one key (in the table's order: the first of them is the key) */
    size_t stride[SWEEP_MAX_VARS];
    for (size_t v = sw->n_vars, s = 1; v-- > 0;) {
        stride[v] = s;
        s *= sw->vars[v].n_values;
    }
    for (size_t c = 0; c <= n; c++)
        fill[c] = 0;
    for (size_t c = 0; c < n; c++) {
        size_t key = c;
        for (size_t i = 0; i < out->n_vars; i++)
            key -= sweep_value_index(sw, c, out->vars[i]) * stride[out->vars[i]];
        if (key == c)
            unit_of[c] = out->n_units++;   /* a unit's first case is its key */
        else
            unit_of[c] = unit_of[key];
        fill[unit_of[c] + 1]++;
    }
    /* each unit's cases, in order, after the units before it */
    for (size_t u = 0; u < out->n_units; u++)
        fill[u + 1] += fill[u];
    for (size_t u = 0; u <= out->n_units; u++)
        out->first[u] = fill[u];
    for (size_t c = 0; c < n; c++)
        out->order[fill[unit_of[c]]++] = c;
    free(unit_of);
    free(fill);
    return 0;
}

void sweep_units_release(struct sweep_units *u)
{
    if (!u)
        return;
    free(u->first);
    free(u->order);
    memset(u, 0, sizeof *u);
}
