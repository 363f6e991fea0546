/* solver.c — the run handle, the time loop and the trials (see solver.h). */
#include "solver.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "site_step.h"
#include "timefmt.h"

#define SOLVER_DEFAULT_BLOCK 4096
#define SOLVER_PROGRESS_EVERY 0.01   /* report every 1 % of the steps */
#define SOLVER_MAX_THREADS 256

struct sim {
    const struct scenario *sc;       /* borrowed */
    struct site_state *sites;        /* owned, [sc->n_sites]: shared by all trials */
};

double sim_site_utc_offset_h(const struct sim *s, size_t i)
{
    return s->sites[i].utc_offset_h;
}

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
    free(sum->trial_total);
    memset(sum, 0, sizeof *sum);
}

static int cmp_interval(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Time of the step with unserved load at any site: the union of the sites' intervals. */
static double unserved_union_s(const struct site_run *runs, size_t n_sites, double *scratch)
{
    size_t n = 0;
    for (size_t i = 0; i < n_sites; i++)
        for (int k = 0; k < runs[i].n_unserved_iv; k++) {
            scratch[2 * n] = runs[i].unserved_iv[k][0];
            scratch[2 * n + 1] = runs[i].unserved_iv[k][1];
            n++;
        }
    if (n == 0)
        return 0;
    qsort(scratch, n, 2 * sizeof *scratch, cmp_interval);
    double total = 0, a = scratch[0], b = scratch[1];
    for (size_t k = 1; k < n; k++) {
        if (scratch[2 * k] > b) {
            total += b - a;
            a = scratch[2 * k];
            b = scratch[2 * k + 1];
        } else if (scratch[2 * k + 1] > b) {
            b = scratch[2 * k + 1];
        }
    }
    return total + (b - a);
}

/* The whole scenario's step: powers and energies add up across sites; PUE is recomputed;
 * the time with unserved load is the union of the sites'. */
static void aggregate_step(const double *site_v, size_t stride, const struct site_run *runs,
                           size_t n_sites, double *total, double *scratch)
{
    memset(total, 0, N_SERIES * sizeof *total);
    int any_unserved = 0;
    for (size_t i = 0; i < n_sites; i++) {
        for (int k = 0; k < N_SERIES; k++)
            total[k] += site_v[i * stride + k];
        any_unserved |= runs[i].n_unserved_iv > 0;
    }
    total[S_AMBIENT_DRYBULB_C] = site_v[S_AMBIENT_DRYBULB_C];
    total[S_AMBIENT_WETBULB_C] = site_v[S_AMBIENT_WETBULB_C];
    total[S_LIQUID_SUPPLY_C] = NAN;
    total[S_PUE] = total[S_IT_SERVED_MW] > 0 ? total[S_FACILITY_MW] / total[S_IT_SERVED_MW] : NAN;
    total[S_UNSERVED_S] = any_unserved ? unserved_union_s(runs, n_sites, scratch) : 0.0;
}

int sim_site_columns(const struct scenario *sc)
{
    int extra = 0;
    for (size_t i = 0; i < sc->n_sites; i++) {
        int n = site_extra_columns(&sc->sites[i]);
        extra = n > extra ? n : extra;
    }
    return N_SERIES + extra;
}

int sim_output_columns(const struct scenario *sc)
{
    int n = sim_site_columns(sc);
    return sc->output_every_s > sc->timestep_s ? 2 * n : n;
}

int64_t sim_output_rows(const struct scenario *sc)
{
    return sc->output_every_s > sc->timestep_s ? sc->duration_s / sc->output_every_s : sc->steps;
}

/* Buffers of one trial's series on their way to the sink. */
struct block {
    size_t steps, filled;           /* rows the block holds, rows filled */
    size_t cols;                    /* columns per site */
    size_t nv;                      /* values per site and step (N_SERIES + the extras) */
    double *values, *packed, *time_s;
    /* decimation: steps per row, steps folded so far, and per site and series the sum and
     * the maximum of the current interval */
    int64_t per_row, folded;
    double *sum, *max;
};

static int block_flush(const struct sim_options *opt, struct block *b, size_t n_sites)
{
    if (!opt->sink || b->filled == 0)
        return 0;
    const double *values = b->values;
    size_t n = b->filled;
    if (n < b->steps) {
        /* pack [site][col][steps] into [site][col][n] */
        for (size_t r = 0; r < n_sites * b->cols; r++)
            memcpy(b->packed + r * n, b->values + r * b->steps, n * sizeof *b->packed);
        values = b->packed;
    }
    b->filled = 0;
    return opt->sink->append(opt->sink->ctx, n, b->time_s, values);
}

/* Puts one site's step into the block: as a row, or folded into the current interval. */
static void block_put(struct block *b, size_t site, const double *v)
{
    double *row = b->values;
    if (b->per_row <= 1) {
        for (size_t j = 0; j < b->nv; j++)
            row[(site * b->cols + j) * b->steps + b->filled] = v[j];
        return;
    }
    double *sum = b->sum + site * b->nv, *max = b->max + site * b->nv;
    for (size_t j = 0; j < b->nv; j++) {
        double x = v[j];
        if (b->folded == 0) {
            sum[j] = x;
            max[j] = x;
        } else {
            sum[j] += x;
            if (x > max[j] || isnan(max[j]))
                max[j] = x;
        }
    }
}

/* Ends an output interval: means (sums for per-step quantities; PUE from the energies). */
static void block_row(struct block *b, size_t n_sites)
{
    double n = (double)b->per_row;
    for (size_t i = 0; i < n_sites; i++) {
        const double *sum = b->sum + i * b->nv, *max = b->max + i * b->nv;
        for (size_t j = 0; j < b->nv; j++) {
            double mean = (j == S_WATER_M3 || j == S_COST_USD || j == S_UNSERVED_S) ? sum[j]
                                                                                    : sum[j] / n;
            if (j == S_PUE)
                mean = sum[S_IT_SERVED_MW] > 0 ? sum[S_FACILITY_MW] / sum[S_IT_SERVED_MW] : NAN;
            b->values[(i * b->cols + j) * b->steps + b->filled] = mean;
            b->values[(i * b->cols + b->nv + j) * b->steps + b->filled] = max[j];
        }
    }
}

/* The scenario's least margin is the least of its sites' (sites do not share supply); its
 * ride-through the shortest of its sites'. */
static void finish_total(size_t n_sites, double (*site)[N_METRICS], double *total)
{
    total[M_MARGIN_MIN_MW] = NAN;
    total[M_RIDE_THROUGH_S] = NAN;
    for (size_t i = 0; i < n_sites; i++) {
        const double *m = site[i];
        if (isnan(total[M_MARGIN_MIN_MW]) || m[M_MARGIN_MIN_MW] < total[M_MARGIN_MIN_MW]) {
            total[M_MARGIN_MIN_MW] = m[M_MARGIN_MIN_MW];
            total[M_MARGIN_MIN_TIME_S] = m[M_MARGIN_MIN_TIME_S];
            total[M_MARGIN_MIN_DRYBULB_C] = m[M_MARGIN_MIN_DRYBULB_C];
        }
        if (!isnan(m[M_RIDE_THROUGH_S]) &&
            (isnan(total[M_RIDE_THROUGH_S]) || m[M_RIDE_THROUGH_S] < total[M_RIDE_THROUGH_S]))
            total[M_RIDE_THROUGH_S] = m[M_RIDE_THROUGH_S];
    }
}

/* Runs one trial; site_out[n_sites][N_METRICS] and total_out[N_METRICS] get its metrics.
 * `opt` may carry a sink (trial 0 only). Thread-safe for distinct trials. */
static int run_trial(const struct sim *s, int trial, const struct sim_options *opt,
                     double (*site_out)[N_METRICS], double *total_out, int64_t *failed_step)
{
    const struct scenario *sc = s->sc;
    size_t n_sites = sc->n_sites;
    struct site_run *runs = calloc(n_sites, sizeof *runs);
    struct summary_acc *acc = calloc(n_sites + 1, sizeof *acc);
    /* a run whose series are written: each site's per-supply and per-pool values too */
    size_t nv = opt->sink && opt->extras ? (size_t)sim_site_columns(sc) : N_SERIES;
    double *step_v = calloc((n_sites + 1) * nv, sizeof *step_v);
    double *iv_scratch = malloc(n_sites * SITE_UNSERVED_IV_MAX * 2 * sizeof *iv_scratch);
    struct block b = {0};
    int rc = (runs && acc && step_v && iv_scratch) ? 0 : DCSIM_ENOMEM;
    if (!rc && opt->sink) {
        int64_t rows = sim_output_rows(sc);
        b.nv = nv;
        b.cols = sc->output_every_s > sc->timestep_s ? 2 * nv : nv;
        b.per_row = sc->steps / rows;
        b.steps = opt->block_steps ? opt->block_steps : SOLVER_DEFAULT_BLOCK;
        if ((int64_t)b.steps > rows)
            b.steps = (size_t)rows;
        b.values = malloc(n_sites * b.cols * b.steps * sizeof *b.values);
        b.packed = malloc(n_sites * b.cols * b.steps * sizeof *b.packed);
        b.time_s = malloc(b.steps * sizeof *b.time_s);
        b.sum = malloc(n_sites * nv * sizeof *b.sum);
        b.max = malloc(n_sites * nv * sizeof *b.max);
        if (!b.values || !b.packed || !b.time_s || !b.sum || !b.max)
            rc = DCSIM_ENOMEM;
    }
    for (size_t i = 0; i < n_sites && !rc; i++) {
        rc = site_run_init(&runs[i], &s->sites[i], trial);
        runs[i].extras = nv > N_SERIES;
    }
    for (size_t i = 0; acc && i <= n_sites && !rc; i++)
        rc = summary_init(&acc[i], sc->duration_s);

    int64_t dt = sc->timestep_s;
    const struct sim_progress *progress = (trial == 0 && sc->trials == 1) ? opt->progress : NULL;
    int64_t report_every = (int64_t)((double)sc->steps * SOLVER_PROGRESS_EVERY) + 1;
    for (int64_t k = 0; k < sc->steps && !rc; k++) {
        int64_t t = k * dt;
        for (size_t i = 0; i < n_sites && !rc; i++) {
            double *v = step_v + i * nv;
            if ((rc = site_step(&runs[i], t, dt, v))) {
                *failed_step = k;
                break;
            }
            summary_add(&acc[i], v, t, dt);
            if (b.values)
                block_put(&b, i, v);
        }
        if (rc)
            break;
        if (n_sites > 1) {   /* one site: the scenario's summary is the site's */
            double *total = step_v + n_sites * nv;
            aggregate_step(step_v, nv, runs, n_sites, total, iv_scratch);
            summary_add(&acc[n_sites], total, t, dt);
        }
        if (b.values) {
            if (b.per_row > 1) {
                if (b.folded == 0)
                    b.time_s[b.filled] = (double)t;
                if (++b.folded < b.per_row)
                    goto next_step;
                block_row(&b, n_sites);
                b.folded = 0;
            } else {
                b.time_s[b.filled] = (double)t;
            }
            if (++b.filled == b.steps)
                rc = block_flush(opt, &b, n_sites);
        }
    next_step:
        if (progress && (k + 1) % report_every == 0)
            progress->report(progress->ctx, k + 1, sc->steps);
        if (opt->stop && *opt->stop && (k & 1023) == 0)
            rc = DCSIM_EINTERRUPTED;
    }
    if (!rc)
        rc = block_flush(opt, &b, n_sites);
    if (!rc) {
        for (size_t i = 0; i < n_sites; i++) {
            summary_finish(&acc[i], sc->duration_s, site_out[i]);
            site_out[i][M_RIDE_THROUGH_S] = runs[i].ride_through_s;
        }
        if (n_sites > 1)
            summary_finish(&acc[n_sites], sc->duration_s, total_out);
        else
            memcpy(total_out, site_out[0], sizeof site_out[0]);
        finish_total(n_sites, site_out, total_out);
    }
    for (size_t i = 0; runs && i < n_sites; i++)
        site_run_release(&runs[i]);
    free(runs);
    for (size_t i = 0; acc && i <= n_sites; i++)
        summary_release(&acc[i]);
    free(acc);
    free(step_v);
    free(iv_scratch);
    free(b.values);
    free(b.packed);
    free(b.time_s);
    free(b.sum);
    free(b.max);
    return rc;
}

/* Shared by the threads of one sim_run. */
struct trial_pool {
    const struct sim *s;
    const struct sim_options *opt;
    int trials;
    atomic_int next;                    /* next trial to take */
    atomic_int done;
    double (*site)[N_METRICS];          /* [trials * n_sites] */
    double (*total)[N_METRICS];         /* [trials] */
    int *status;                        /* [trials] */
    int64_t *failed_step;               /* [trials] */
};

static void pool_work(struct trial_pool *p)
{
    struct sim_options quiet = *p->opt;
    quiet.sink = NULL;
    quiet.progress = NULL;
    for (;;) {
        int trial = atomic_fetch_add(&p->next, 1);
        if (trial >= p->trials)
            return;
        size_t n_sites = p->s->sc->n_sites;
        p->status[trial] = run_trial(p->s, trial, &quiet, &p->site[(size_t)trial * n_sites],
                                     p->total[trial], &p->failed_step[trial]);
        atomic_fetch_add(&p->done, 1);
    }
}

static void *pool_thread(void *arg)
{
    pool_work(arg);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sample standard error of the mean of x[0..n), NaN for fewer than two values. */
static double stderr_of(const double *x, int n)
{
    if (n < 2)
        return NAN;
    return gsl_stats_sd(x, 1, (size_t)n) / sqrt((double)n);
}

/* Statistics over the trials of one metric set (a site's or the total), in trial order;
 * the verdict against the scenario's reliability target. */
static void trial_statistics(const struct scenario *sc, double (*m)[N_METRICS], size_t stride,
                             int trials, double *out, double *scratch)
{
    double years = out[M_YEARS];
    double hours = 0, energy = 0, throttle = 0;
    for (int t = 0; t < trials; t++) {
        const double *x = m[(size_t)t * stride];
        hours += x[M_UNSERVED_HOURS];
        energy += x[M_UNSERVED_ENERGY_MWH];
        throttle += x[M_THROTTLE_FIRM_ENERGY_MWH];
        scratch[t] = x[M_UNSERVED_HOURS] / years;
    }
    out[M_LOLE_H_PER_YEAR_STDERR] = stderr_of(scratch, trials);
    for (int t = 0; t < trials; t++)
        scratch[t] = m[(size_t)t * stride][M_UNSERVED_ENERGY_MWH] / years;
    out[M_EUE_MWH_PER_YEAR_STDERR] = stderr_of(scratch, trials);
    for (int t = 0; t < trials; t++)
        scratch[t] = m[(size_t)t * stride][M_UNSERVED_ENERGY_MWH];
    out[M_LOLE_H_PER_YEAR] = hours / trials / years;
    out[M_EUE_MWH_PER_YEAR] = energy / trials / years;
    out[M_SHORTFALL_MWH_PER_YEAR] = (energy + throttle) / trials / years;
    out[M_MEETS_TARGET] = out[M_SHORTFALL_MWH_PER_YEAR] <=
                              sc->max_unserved_mwh + shortfall_noise_mwh_per_year(out) &&
                          out[M_LOLE_H_PER_YEAR] <= sc->max_lole_h;
    out[M_UNSERVED_ENERGY_MWH_MEAN] = energy / trials;
    qsort(scratch, (size_t)trials, sizeof *scratch, cmp_double);
    out[M_UNSERVED_ENERGY_MWH_P50] = gsl_stats_quantile_from_sorted_data(scratch, 1, (size_t)trials, 0.50);
    out[M_UNSERVED_ENERGY_MWH_P95] = gsl_stats_quantile_from_sorted_data(scratch, 1, (size_t)trials, 0.95);
    out[M_UNSERVED_ENERGY_MWH_P99] = gsl_stats_quantile_from_sorted_data(scratch, 1, (size_t)trials, 0.99);
    out[M_N_TRIALS] = trials;
}

int sim_run(struct sim *s, const struct sim_options *opt, struct sim_summary *summary,
            struct diag *d)
{
    const struct scenario *sc = s->sc;
    size_t n_sites = sc->n_sites;
    int trials = sc->trials > 0 ? sc->trials : 1;
    memset(summary, 0, sizeof *summary);
    struct trial_pool p = {.s = s, .opt = opt, .trials = trials};
    atomic_init(&p.next, 1);   /* trial 0 runs on this thread, with the sink */
    atomic_init(&p.done, 0);
    p.site = calloc((size_t)trials * n_sites, sizeof *p.site);
    p.total = calloc((size_t)trials, sizeof *p.total);
    p.status = calloc((size_t)trials, sizeof *p.status);
    p.failed_step = calloc((size_t)trials, sizeof *p.failed_step);
    double *scratch = malloc((size_t)trials * sizeof *scratch);
    summary->site = calloc(n_sites, sizeof *summary->site);
    if (!p.site || !p.total || !p.status || !p.failed_step || !scratch || !summary->site) {
        free(p.site);
        free(p.total);
        free(p.status);
        free(p.failed_step);
        free(scratch);
        sim_summary_release(summary);
        return DCSIM_ENOMEM;
    }
    int threads = opt->threads > 0 ? opt->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (threads > trials)
        threads = trials;
    if (threads > SOLVER_MAX_THREADS)
        threads = SOLVER_MAX_THREADS;
    pthread_t tids[SOLVER_MAX_THREADS];
    int started = 0;
    for (int i = 1; i < threads; i++, started++)
        if (pthread_create(&tids[started], NULL, pool_thread, &p) != 0)
            break;   /* fewer threads: the work still gets done */

    p.status[0] = run_trial(s, 0, opt, &p.site[0], p.total[0], &p.failed_step[0]);
    atomic_fetch_add(&p.done, 1);
    if (p.status[0])
        atomic_store(&p.next, trials);   /* stop handing out trials */
    struct sim_options rest = *opt;
    rest.progress = NULL;
    if (!p.status[0]) {
        /* help with the remaining trials, reporting progress between them */
        struct trial_pool *pp = &p;
        for (;;) {
            int trial = atomic_fetch_add(&pp->next, 1);
            if (trial >= trials)
                break;
            struct sim_options quiet = rest;
            quiet.sink = NULL;
            p.status[trial] = run_trial(s, trial, &quiet, &p.site[(size_t)trial * n_sites],
                                        p.total[trial], &p.failed_step[trial]);
            int done = atomic_fetch_add(&p.done, 1) + 1;
            if (opt->progress && trials > 1)
                opt->progress->report(opt->progress->ctx, done, trials);
        }
    }
    for (int i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    if (opt->progress && trials > 1)
        opt->progress->report(opt->progress->ctx, trials, trials);

    int rc = 0;
    for (int t = 0; t < trials && !rc; t++) {
        if ((rc = p.status[t]) && rc != DCSIM_EINTERRUPTED)
            diag_error(d, sc->path, 0, 0, "trial %d failed at step %lld: %s", t,
                       (long long)p.failed_step[t], dcsim_strerror(rc));
    }
    if (!rc) {
        memcpy(summary->site, p.site, n_sites * sizeof *summary->site);
        memcpy(summary->total, p.total[0], sizeof summary->total);
        for (size_t i = 0; i < n_sites; i++)
            trial_statistics(sc, &p.site[i], n_sites, trials, summary->site[i], scratch);
        trial_statistics(sc, p.total, 1, trials, summary->total, scratch);
        summary->n_sites = n_sites;
        summary->trials = trials;
        summary->trial_total = p.total;
        p.total = NULL;
    }
    free(p.site);
    free(p.total);
    free(p.status);
    free(p.failed_step);
    free(scratch);
    if (rc)
        sim_summary_release(summary);
    return rc;
}
