/* solver.c — the run handle and its time loop (see solver.h). */
#include "solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "site_step.h"
#include "timefmt.h"

#define SOLVER_DEFAULT_BLOCK 4096
#define SOLVER_PROGRESS_EVERY 0.01   /* report every 1 % of the steps */

struct sim {
    const struct scenario *sc;       /* borrowed */
    struct site_state *sites;        /* owned, [sc->n_sites] */
};

int sim_create(const struct scenario *sc, struct sim **out, struct diag *d)
{
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        return DCSIM_ENOMEM;
    s->sc = sc;
    s->sites = calloc(sc->n_sites, sizeof *s->sites);
    if (!s->sites) {
        free(s);
        return DCSIM_ENOMEM;
    }
    for (size_t i = 0; i < sc->n_sites; i++) {
        int rc = site_state_init(&s->sites[i], sc, i, d);
        if (rc) {
            sim_destroy(s);
            return rc;
        }
    }
    *out = s;
    return 0;
}

void sim_destroy(struct sim *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->sc->n_sites; i++)
        site_state_release(&s->sites[i]);
    free(s->sites);
    free(s);
}

void sim_summary_release(struct sim_summary *sum)
{
    if (!sum)
        return;
    free(sum->site);
    memset(sum, 0, sizeof *sum);
}

/* The whole scenario's step: powers and energies add up across sites; PUE is recomputed. */
static void aggregate_step(const double *site_v, size_t n_sites, double *total)
{
    memset(total, 0, N_SERIES * sizeof *total);
    for (size_t i = 0; i < n_sites; i++)
        for (int k = 0; k < N_SERIES; k++)
            total[k] += site_v[i * N_SERIES + k];
    total[S_AMBIENT_DRYBULB_C] = site_v[S_AMBIENT_DRYBULB_C];
    total[S_AMBIENT_WETBULB_C] = site_v[S_AMBIENT_WETBULB_C];
    total[S_LIQUID_SUPPLY_C] = NAN;
    total[S_PUE] = total[S_IT_SERVED_MW] > 0 ? total[S_FACILITY_MW] / total[S_IT_SERVED_MW] : NAN;
}

static int flush_block(const struct sim_options *opt, size_t n, const double *time_s,
                       const double *block, size_t n_sites, size_t block_steps, double *packed)
{
    if (!opt->sink || n == 0)
        return 0;
    const double *values = block;
    if (n < block_steps) {
        /* pack [site][series][block_steps] into [site][series][n] */
        for (size_t r = 0; r < n_sites * N_SERIES; r++)
            memcpy(packed + r * n, block + r * block_steps, n * sizeof *packed);
        values = packed;
    }
    return opt->sink->append(opt->sink->ctx, n, time_s, values);
}

int sim_run(struct sim *s, const struct sim_options *opt, struct sim_summary *summary,
            struct diag *d)
{
    const struct scenario *sc = s->sc;
    size_t n_sites = sc->n_sites;
    size_t block_steps = opt->block_steps ? opt->block_steps : SOLVER_DEFAULT_BLOCK;
    if ((int64_t)block_steps > sc->steps)
        block_steps = (size_t)sc->steps;
    memset(summary, 0, sizeof *summary);
    struct summary_acc *acc = calloc(n_sites + 1, sizeof *acc);
    double *step_v = malloc((n_sites + 1) * N_SERIES * sizeof *step_v);
    double *block = NULL, *packed = NULL, *time_s = NULL;
    summary->site = calloc(n_sites, sizeof *summary->site);
    int rc = 0;
    if (!acc || !step_v || !summary->site) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    if (opt->sink) {
        block = malloc(n_sites * N_SERIES * block_steps * sizeof *block);
        packed = malloc(n_sites * N_SERIES * block_steps * sizeof *packed);
        time_s = malloc(block_steps * sizeof *time_s);
        if (!block || !packed || !time_s) {
            rc = DCSIM_ENOMEM;
            goto done;
        }
    }
    for (size_t i = 0; i <= n_sites; i++)
        summary_init(&acc[i]);
    summary->n_sites = n_sites;

    int64_t dt = sc->timestep_s;
    int64_t report_every = (int64_t)(sc->steps * SOLVER_PROGRESS_EVERY) + 1;
    size_t kb = 0;
    for (int64_t k = 0; k < sc->steps; k++) {
        int64_t t = k * dt;
        for (size_t i = 0; i < n_sites; i++) {
            double *v = step_v + i * N_SERIES;
            rc = site_step(&s->sites[i], t, dt, v);
            if (rc) {
                diag_error(d, sc->path, 0, 0, "site '%s': the solver failed at step %lld: %s",
                           sc->sites[i].id, (long long)k, dcsim_strerror(rc));
                goto done;
            }
            summary_add(&acc[i], v, t, dt);
            if (block)
                for (int j = 0; j < N_SERIES; j++)
                    block[(i * N_SERIES + j) * block_steps + kb] = v[j];
        }
        double *total = step_v + n_sites * N_SERIES;
        aggregate_step(step_v, n_sites, total);
        summary_add(&acc[n_sites], total, t, dt);
        if (time_s)
            time_s[kb] = (double)t;
        if (++kb == block_steps) {
            if ((rc = flush_block(opt, kb, time_s, block, n_sites, block_steps, packed)))
                goto done;
            kb = 0;
        }
        if (opt->progress && (k + 1) % report_every == 0)
            opt->progress->report(opt->progress->ctx, k + 1, sc->steps);
    }
    if ((rc = flush_block(opt, kb, time_s, block, n_sites, block_steps, packed)))
        goto done;
    if (opt->progress)
        opt->progress->report(opt->progress->ctx, sc->steps, sc->steps);

    for (size_t i = 0; i < n_sites; i++)
        summary_finish(&acc[i], sc->duration_s, summary->site[i]);
    summary_finish(&acc[n_sites], sc->duration_s, summary->total);
    /* Sites do not share supply: the scenario's least margin is the least of its sites'. */
    summary->total[M_MARGIN_MIN_MW] = NAN;
    for (size_t i = 0; i < n_sites; i++) {
        const double *m = summary->site[i];
        if (isnan(summary->total[M_MARGIN_MIN_MW]) ||
            m[M_MARGIN_MIN_MW] < summary->total[M_MARGIN_MIN_MW]) {
            summary->total[M_MARGIN_MIN_MW] = m[M_MARGIN_MIN_MW];
            summary->total[M_MARGIN_MIN_TIME_S] = m[M_MARGIN_MIN_TIME_S];
            summary->total[M_MARGIN_MIN_DRYBULB_C] = m[M_MARGIN_MIN_DRYBULB_C];
        }
    }
done:
    free(acc);
    free(step_v);
    free(block);
    free(packed);
    free(time_s);
    if (rc)
        sim_summary_release(summary);
    return rc;
}
