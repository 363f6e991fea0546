/* solver.c — the run handle, the time loop and the trials (see solver.h). */
#include "solver.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cachealign.h"
#include "economics.h"
#include "simd.h"
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
    return sim_create_shared(sc, NULL, out, d);
}

int sim_create_shared(const struct scenario *sc, struct weather_cache *cache, struct sim **out,
                      struct diag *d)
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
        int rc = site_state_init(&s->sites[i], sc, i, cache, d);
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

/* Where a site's intervals with unserved load in one step were copied: `n` intervals at
 * `off` in the buffer of team thread `who` (most steps have none). */
struct iv_ref {
    uint32_t off;
    uint8_t n, who;
};

/* Time of the step with unserved load at any site: the union of the sites' intervals. */
static double unserved_union_s(const struct iv_ref *refs, size_t ref_stride, size_t n_sites,
                               double (*const *bufs)[2], double *scratch)
{
    size_t n = 0;
    for (size_t i = 0; i < n_sites; i++) {
        const struct iv_ref *r = &refs[i * ref_stride];
        const double (*iv)[2] = bufs[r->who] + r->off;
        for (int k = 0; k < r->n; k++) {
            scratch[2 * n] = iv[k][0];
            scratch[2 * n + 1] = iv[k][1];
            n++;
        }
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
    size_t acc_stride;              /* doubles per site in sum and max: whole cache lines */
};

/* The series block is laid out [site][col][steps]: a step writes one value into every column,
 * b->steps doubles apart. When that stride is an even number of cache lines (steps a
 * multiple of 16: 4096 steps are 32 KB) every column of a row falls in the same few sets of
 * the L1 and L2 caches, more columns than a set has ways, and each value written evicts
 * another: one site at 1 min with its per-supply and per-pool columns ran 2.3x slower in
 * the solver (0.257 s against 0.111 s with 4088 steps). 8 steps fewer make it an odd number
 * of lines, so the columns of a row fall in consecutive sets. The sink takes blocks of any
 * length. */
static size_t block_rows_unaliased(size_t rows)
{
    return rows >= 16 && rows % 16 == 0 ? rows - 8 : rows;
}

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

/* Adds x to sum and keeps the larger in max, element by element; without branches, so that
 * it vectorises: a NaN maximum (the interval started NaN) takes the next value, a NaN value
 * never replaces a number. */
DCSIM_VECTOR_CLONES
static void fold_sum_max(double *restrict sum, double *restrict max, const double *restrict x,
                         size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double a = x[j], m = max[j];
        sum[j] += a;
        max[j] = ((a > m) | (m != m)) ? a : m;
    }
}

/* Puts one site's step into the block: as row `filled`, or folded into the current
 * interval as its step `folded` (0: the first, which starts the sums and maxima). */
static void block_put(struct block *b, size_t site, const double *v, int64_t folded,
                      size_t filled)
{
    double *row = b->values;
    if (b->per_row <= 1) {
        for (size_t j = 0; j < b->nv; j++)
            row[(site * b->cols + j) * b->steps + filled] = v[j];
        return;
    }
    double *sum = b->sum + site * b->acc_stride, *max = b->max + site * b->acc_stride;
    if (folded == 0) {
        memcpy(sum, v, b->nv * sizeof *sum);
        memcpy(max, v, b->nv * sizeof *max);
    } else {
        fold_sum_max(sum, max, v, b->nv);
    }
}

/* Ends one site's output interval as row `filled`: means (sums for per-step quantities; PUE
 * from the energies) and maxima. */
static void block_row(struct block *b, size_t i, size_t filled)
{
    double n = (double)b->per_row;
    const double *sum = b->sum + i * b->acc_stride, *max = b->max + i * b->acc_stride;
    for (size_t j = 0; j < b->nv; j++) {
        int summed = j == S_WATER_M3 || j == S_COST_USD || j == S_UNSERVED_S ||
                     j == S_CO2_KG || j == S_FUEL_MMBTU || j == S_FUEL_COST_USD ||
                     j == S_DEMAND_CHARGE_USD;
        double mean = summed ? sum[j] : sum[j] / n;
        if (j == S_PUE)
            mean = sum[S_IT_SERVED_MW] > 0 ? sum[S_FACILITY_MW] / sum[S_IT_SERVED_MW] : NAN;
        b->values[(i * b->cols + j) * b->steps + filled] = mean;
        b->values[(i * b->cols + b->nv + j) * b->steps + filled] = max[j];
    }
}

/* One site's step j of a team block into the series block: the block starts `folded0` steps
 * into an interval (or at row `filled0`), and never runs past the block's last row. */
static void block_site_step(struct block *b, size_t site, const double *v, int64_t folded0,
                            size_t filled0, int64_t j)
{
    if (b->per_row <= 1) {
        block_put(b, site, v, 0, filled0 + (size_t)j);
        return;
    }
    int64_t f = folded0 + j;
    size_t row = filled0 + (size_t)(f / b->per_row);
    f %= b->per_row;
    block_put(b, site, v, f, row);
    if (f + 1 == b->per_row)
        block_row(b, site, row);
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

/* Polls of a count (or a gate) before yielding the core (or sleeping) while waiting for it: ~50
 * µs (a PAUSE is 10-40 ns), about the time another thread needs to finish a site's block. */
#define TEAM_SPIN 3000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The sites of one trial stepped by a team of threads: each thread owns a fixed range of
 * sites and steps them over a block of steps, writing each site-step's series and unserved
 * intervals into the block's buffers and folding them into that site's summary; a thread
 * through its own range takes the last sites not yet started of another's (one slowed by
 * the machine, or by the writer's threads sharing its core). Then each thread adds its own
 * range's rows to the scenario's totals, in site order, in turn. Every site sees the same
 * calls in the same order as with one thread, whichever thread steps it, and the totals are
 * summed in the same order, so results are bit-identical for any team size. */
/* A reusable barrier for `count` threads (mutex + condition variable, so the count can be
 * lowered when a thread could not start). A thread that is not the last polls the generation
 * TEAM_SPIN times before it sleeps: the team passes two gates a block, ~1,000 blocks a year of
 * 16 sites at 1 min, and a futex wake-up here takes ~50 µs, for which the other core sat idle
 * (16 hourly sites, solver only, -j 2: 0.58 -> 0.53 s; with the series 967 -> 940 ms). */
struct gate {
    pthread_mutex_t lock;
    pthread_cond_t open;
    unsigned count, waiting;
    atomic_uint generation;
};

static int gate_init(struct gate *g, unsigned count)
{
    g->count = count;
    g->waiting = 0;
    atomic_init(&g->generation, 0);
    if (pthread_mutex_init(&g->lock, NULL) != 0)
        return DCSIM_ENOMEM;
    if (pthread_cond_init(&g->open, NULL) != 0) {
        pthread_mutex_destroy(&g->lock);
        return DCSIM_ENOMEM;
    }
    return 0;
}

static void gate_release(struct gate *g)
{
    pthread_cond_destroy(&g->open);
    pthread_mutex_destroy(&g->lock);
}

static void gate_wait(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    unsigned gen = atomic_load_explicit(&g->generation, memory_order_relaxed);
    if (++g->waiting >= g->count) {
        g->waiting = 0;
        atomic_store_explicit(&g->generation, gen + 1, memory_order_release);
        pthread_cond_broadcast(&g->open);
        pthread_mutex_unlock(&g->lock);
        return;
    }
    pthread_mutex_unlock(&g->lock);
    for (int spin = 0; spin < TEAM_SPIN; spin++) {   /* acquire: the others' writes */
        if (atomic_load_explicit(&g->generation, memory_order_acquire) != gen)
            return;
        cpu_relax();
    }
    pthread_mutex_lock(&g->lock);
    while (gen == atomic_load_explicit(&g->generation, memory_order_relaxed))
        pthread_cond_wait(&g->open, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

/* Lowers the count (before the gate has been passed by anyone waiting on the old one). */
static void gate_resize(struct gate *g, unsigned count)
{
    pthread_mutex_lock(&g->lock);
    g->count = count;
    if (g->waiting >= count && g->waiting > 0) {
        g->waiting = 0;
        g->generation++;
        pthread_cond_broadcast(&g->open);
    }
    pthread_mutex_unlock(&g->lock);
}

/* The climate parts of one group of sites for the current block (see site_team.group). */
enum { PARTS_TO_DO, PARTS_BEING_MADE, PARTS_MADE, PARTS_FAILED };
struct parts_group {
    _Alignas(CACHE_LINE_BYTES) atomic_size_t state;   /* PARTS_*, this block */
    struct weather_parts *parts;                      /* owned, room for a block */
};

struct site_team {
    const struct sim *s;
    struct site_run *runs;
    struct summary_acc *acc;
    size_t n_sites;
    int n;                              /* threads, the caller included */
    struct gate go, done;
    struct {                            /* per thread's range of sites, this block: */
        _Alignas(CACHE_LINE_BYTES) atomic_uint_least64_t taken;   /* from the front (low 32
                                           bits, its owner) and from the back (high 32) */
        atomic_size_t stepped;          /* sites through the block */
        atomic_size_t summed;           /* pieces of the block's sums passed on (team_sum) */
    } range[SOLVER_MAX_THREADS];
    atomic_size_t taken_from_others;    /* sites stepped by a thread not their range's */
    int hold_caller;                    /* tests only (sim_options.test_hold_caller) */
    int64_t k0, nk;                     /* this block: its first step and length */
    int quit;                           /* set by the caller before `go`: workers return */
    size_t nv;                          /* values per site and step */
    double *v;                          /* [n_sites][block][nv] */
    struct iv_ref *iv;                  /* [n_sites][block] */
    double (*ivbuf[SOLVER_MAX_THREADS])[2];   /* each thread's intervals of this block */
    size_t ivcap[SOLVER_MAX_THREADS];
    int64_t cap_k;                      /* steps the buffers hold per site */
    struct block *b;                    /* the series block (a run with a sink), or NULL:
                                           each thread puts its own sites' values there */
    int64_t folded0;                    /* the series block's state at this team block's */
    size_t filled0;                     /* start (steps folded, rows filled) */
    int aggregate;                      /* several sites: the scenario's step is summed */
    int lean_sites;                     /* the sites' summaries keep only what the statistics
                                           over trials and the total read (summary_add_lean) */
    double *totals;                     /* [block][N_SERIES]: the scenario's steps */
    unsigned char *any_unserved;        /* [block]: a site had unserved load in the step */
    double *iv_scratch;                 /* [n_sites·SITE_UNSERVED_IV_MAX·2], the last thread's */
    /* Sites without weather tables whose synthetic climates share their parts (the monthly
     * curve, the diurnal cosine, the dew point: everything but the year's anomalies) form a
     * group: the group's parts of a block are computed once, by the first thread to step one
     * of its sites, and each site's weather of the block is made from them (the same values
     * as weather_at step by step). */
    int *group;                         /* [n_sites]: the site's group, or -1 */
    size_t n_groups;
    struct parts_group *groups;         /* [n_groups] */
    double *block_weather[SOLVER_MAX_THREADS];   /* each thread's [2][cap_k]: dry, wet bulb */
    int status[SOLVER_MAX_THREADS];
    int64_t failed_step[SOLVER_MAX_THREADS];
    size_t failed_site[SOLVER_MAX_THREADS];
};

/* Copies the run's intervals of this step into thread who's buffer (grown as needed). */
static int iv_keep(struct site_team *tm, int who, const struct site_run *run, size_t *len)
{
    size_t n = (size_t)run->n_unserved_iv;
    if (*len + n > tm->ivcap[who]) {
        size_t cap = 2 * (*len + n) + 64;
        if (cap > UINT32_MAX)
            return DCSIM_ENOMEM;
        double(*grown)[2] = realloc(tm->ivbuf[who], cap * sizeof *grown);
        if (!grown)
            return DCSIM_ENOMEM;
        tm->ivbuf[who] = grown;
        tm->ivcap[who] = cap;
    }
    memcpy(tm->ivbuf[who] + *len, run->unserved_iv, n * sizeof run->unserved_iv[0]);
    *len += n;
    return 0;
}

/* Thread who's sites of the team: a fixed range, so a site's state stays in one core's
 * cache from block to block. */
static void team_range(const struct site_team *tm, int who, size_t *i0, size_t *i1)
{
    *i0 = tm->n_sites * (size_t)who / (size_t)tm->n;
    *i1 = tm->n_sites * (size_t)(who + 1) / (size_t)tm->n;
}

#define TAKEN_BACK (UINT64_C(1) << 32)   /* a site taken from the back of a range */

/* Takes a site of range w: the next from the front (its owner), or from the back (another
 * thread) while any is left (moving a site's state to another core costs a few µs; waiting
 * for the owner to step one more site through the block costs ~100 µs, and taking even the
 * last was 3-4 % faster on 16 sites at 1 min, -j 2); returns it, or n_sites when there is
 * none to take. */
static size_t range_take(struct site_team *tm, int w, int back)
{
    size_t i0, i1;
    team_range(tm, w, &i0, &i1);
    uint64_t t = atomic_load_explicit(&tm->range[w].taken, memory_order_relaxed);
    for (;;) {
        uint64_t front = t & (TAKEN_BACK - 1), from_back = t >> 32;
        if (front + from_back >= i1 - i0)
            return tm->n_sites;
        if (atomic_compare_exchange_weak_explicit(&tm->range[w].taken, &t,
                                                  t + (back ? TAKEN_BACK : 1),
                                                  memory_order_relaxed, memory_order_relaxed))
            return back ? i1 - 1 - (size_t)from_back : i0 + (size_t)front;
    }
}

/* Waits until *count reaches at least `want`: spins TEAM_SPIN polls, then yields the core
 * between polls. */
static void wait_count(const atomic_size_t *count, size_t want)
{
    for (int spin = 0; atomic_load_explicit(count, memory_order_acquire) < want; spin++) {
        if (spin < TEAM_SPIN)
            cpu_relax();
        else
            sched_yield();
    }
}

/* Site i's weather through the team's current block, into thread who's buffer: its group's
 * parts of the block (made here by the first thread to come, waited for by the others), then
 * the site's own anomalies. Returns 0 or the failure of making the parts. */
static int block_weather(struct site_team *tm, int who, size_t i)
{
    struct parts_group *g = &tm->groups[tm->group[i]];
    struct site_run *run = &tm->runs[i];
    int64_t dt = tm->s->sc->timestep_s;
    size_t expect = PARTS_TO_DO;
    if (atomic_compare_exchange_strong_explicit(&g->state, &expect, PARTS_BEING_MADE,
                                                memory_order_acquire, memory_order_acquire)) {
        int rc = weather_parts_refill(run->weather, tm->k0 * dt, dt, tm->nk, g->parts);
        atomic_store_explicit(&g->state, rc ? PARTS_FAILED : PARTS_MADE, memory_order_release);
    } else {
        wait_count(&g->state, PARTS_MADE);   /* made or failed */
    }
    double *db = tm->block_weather[who], *wb = db + tm->cap_k;
    if (atomic_load_explicit(&g->state, memory_order_acquire) != PARTS_MADE ||
        weather_parts_fill(run->weather, g->parts, db, wb))
        return DCSIM_EINTERNAL;
    run->block_drybulb_c = db;
    run->block_wetbulb_c = wb;
    run->block_k0 = tm->k0;
    run->block_n = tm->nk;
    return 0;
}

/* Thread who's sites over the team's current block, site by site (each through every step
 * of the block before the next: one site's state in cache at a time): its own range from the
 * front, then others' from their back. The buffers are laid out site by site ([site][step]).
 * The thread's status, failing step and site, and interval count stay in locals until the
 * block ends: threads write no shared cache line step by step. */
static void team_step(struct site_team *tm, int who)
{
    size_t ivlen = 0;
    int64_t dt = tm->s->sc->timestep_s;
    int status = 0;
    int64_t failed = 0;
    size_t failed_site = 0, taken = 0;
    for (int r = 0; r < tm->n;) {
        int w = (who + r) % tm->n;
        size_t i = range_take(tm, w, r > 0);
        if (i == tm->n_sites) {
            r++;
            continue;
        }
        taken += r > 0;
        struct site_run *run = &tm->runs[i];
        int rc0 = tm->group && tm->group[i] >= 0 ? block_weather(tm, who, i) : 0;
        for (int64_t j = 0; j < tm->nk && !rc0; j++) {
            int64_t t = (tm->k0 + j) * dt;
            size_t at = i * (size_t)tm->cap_k + (size_t)j;
            double *v = tm->v + at * tm->nv;
            int rc = site_step(run, t, dt, v);
            if (!rc) {
                if (tm->lean_sites)
                    summary_add_lean(&tm->acc[i], v, t, dt);
                else
                    summary_add(&tm->acc[i], v, t, dt);
                if (tm->b)
                    block_site_step(tm->b, i, v, tm->folded0, tm->filled0, j);
                struct iv_ref *iv = &tm->iv[at];
                iv->n = (uint8_t)run->n_unserved_iv;
                iv->who = (uint8_t)who;
                iv->off = (uint32_t)ivlen;
                if (iv->n > 0)
                    rc = iv_keep(tm, who, run, &ivlen);
            }
            if (rc) {
                /* the run stops at the earliest failing step (the lowest site among those
                 * failing then): keep this thread's earliest */
                int64_t k = tm->k0 + j;
                if (!status || k < failed || (k == failed && i < failed_site)) {
                    status = rc;
                    failed = k;
                    failed_site = i;
                }
                break;
            }
        }
        run->block_n = 0;
        if (rc0 && (!status || tm->k0 < failed || (tm->k0 == failed && i < failed_site))) {
            status = rc0;
            failed = tm->k0;
            failed_site = i;
        }
        atomic_fetch_add_explicit(&tm->range[w].stepped, 1, memory_order_release);
    }
    if (taken)
        atomic_fetch_add_explicit(&tm->taken_from_others, taken, memory_order_relaxed);
    tm->status[who] = status;
    tm->failed_step[who] = failed;
    tm->failed_site[who] = failed_site;
}

/* Steps of a block summed as one piece of the relay (team_sum): ~10 µs of adds for 8 sites,
 * so a thread waits about that long for the one before it. */
#define TEAM_SUM_STEPS 64

/* Adds one site's rows x (nv values a step) to the scenario's running sums tot (N_SERIES a
 * step) for n steps, element by element (compiled for AVX2 too: the same IEEE adds on any
 * machine); first: the sums start with this site, as 0 + x. */
DCSIM_VECTOR_CLONES
static void add_site_rows(double *restrict tot, const double *restrict x, size_t nv, size_t n,
                          int first)
{
    for (size_t j = 0; j < n; j++) {
        double *t = tot + j * N_SERIES;
        const double *r = x + j * nv;
        if (first)
            for (int k = 0; k < N_SERIES; k++)
                t[k] = 0.0 + r[k];
        else
            for (int k = 0; k < N_SERIES; k++)
                t[k] += r[k];
    }
}

/* The scenario's steps of the block: every series summed over the sites in site order, as
 * one thread would, by each thread over its own sites' rows in thread order (thread 0
 * starts the sums as 0 + site 0's value, the same bits as adding to a zeroed row without
 * zeroing it first; thread w adds its sites to what threads 0..w-1 left), so no thread
 * reads another's rows, only the running sums. The sums go as a relay, TEAM_SUM_STEPS
 * steps at a time: thread w adds its sites to a piece once thread w - 1 has passed it on
 * (`summed`), while w - 1 goes on to the next piece, so the threads add at the same time and
 * wait for each other only a piece's worth. For each step and series the sites are added in
 * site order: the same bits as one thread summing the step. The last thread finishes the
 * steps (site 0's weather, PUE, the union of the unserved intervals). Nothing is finished
 * after a failed step (its site's rows were not all written). */
static void team_sum(struct site_team *tm, int who)
{
    size_t i0, i1, nk = (size_t)tm->nk;
    team_range(tm, who, &i0, &i1);
    double *tot = tm->totals;
    /* its range's sites stepped by others too */
    wait_count(&tm->range[who].stepped, i1 - i0);
    int last = who + 1 == tm->n, finish = last;
    for (size_t j0 = 0, piece = 1; j0 < nk; j0 += TEAM_SUM_STEPS, piece++) {
        size_t j1 = nk - j0 < TEAM_SUM_STEPS ? nk : j0 + TEAM_SUM_STEPS;
        if (who != 0)
            wait_count(&tm->range[who - 1].summed, piece);
        else if (tm->status[0]) {   /* nothing of the piece is summed: zeros */
            memset(tot + j0 * N_SERIES, 0, (j1 - j0) * N_SERIES * sizeof *tot);
            memset(tm->any_unserved + j0, 0, j1 - j0);
        }
        /* every thread's status is known once the piece has come through them all */
        for (int w = 0; finish && piece == 1 && w < tm->n; w++)
            finish = !tm->status[w];
        for (size_t i = i0; i < i1 && !tm->status[who]; i++) {
            const double *v = tm->v + i * (size_t)tm->cap_k * tm->nv;
            const struct iv_ref *iv = tm->iv + i * (size_t)tm->cap_k;
            /* site 0 (thread 0's first) starts the sums from zero: 0 + x */
            add_site_rows(tot + j0 * N_SERIES, v + j0 * tm->nv, tm->nv, j1 - j0, i == 0);
            for (size_t j = j0; j < j1; j++) {
                int any = iv[j].n > 0;
                tm->any_unserved[j] = (unsigned char)(i == 0 ? any : tm->any_unserved[j] | any);
            }
        }
        if (!last) {
            atomic_store_explicit(&tm->range[who].summed, piece, memory_order_release);
            continue;
        }
        const double *v0 = tm->v;   /* site 0's rows */
        for (size_t j = j0; finish && j < j1; j++) {
            double *t = tot + j * N_SERIES;
            const double *x = v0 + j * tm->nv;
            t[S_AMBIENT_DRYBULB_C] = x[S_AMBIENT_DRYBULB_C];
            t[S_AMBIENT_WETBULB_C] = x[S_AMBIENT_WETBULB_C];
            t[S_LIQUID_SUPPLY_C] = NAN;
            t[S_PUE] = t[S_IT_SERVED_MW] > 0 ? t[S_FACILITY_MW] / t[S_IT_SERVED_MW] : NAN;
            t[S_UNSERVED_S] = tm->any_unserved[j]
                                  ? unserved_union_s(tm->iv + j, (size_t)tm->cap_k, tm->n_sites,
                                                     (double (*const *)[2])tm->ivbuf,
                                                     tm->iv_scratch)
                                  : 0.0;
        }
    }
}

/* Tests only: waits until another thread has taken a site of range 0 from its back (once
 * through its own range), or a second has passed. */
static void hold_until_taken(struct site_team *tm)
{
    struct timespec pause = {0, 50000};
    for (int i = 0; i < 20000; i++) {
        if (atomic_load_explicit(&tm->range[0].taken, memory_order_relaxed) >= TAKEN_BACK)
            return;
        nanosleep(&pause, NULL);
    }
}

/* One block of the team, as every thread runs it (the caller's thread too). */
static void team_block(struct site_team *tm, int who)
{
    if (who == 0 && tm->hold_caller)
        hold_until_taken(tm);
    team_step(tm, who);
    if (tm->aggregate)
        team_sum(tm, who);
}

struct team_member {
    struct site_team *tm;
    int who;
};

static void *team_thread(void *arg)
{
    struct team_member *m = arg;
    for (;;) {
        gate_wait(&m->tm->go);
        if (m->tm->quit)
            return NULL;
        team_block(m->tm, m->who);
        gate_wait(&m->tm->done);
    }
}

/* Site-steps per block: enough work to make the two barriers cheap, buffers that stay in
 * cache (8·nv + 8 bytes per site-step, ~2 MB: 65536 cost -j 2 ~20 % more CPU than -j 1 in
 * cache misses on 16 sites at 1 min, 8192 none). */
#define SOLVER_TEAM_SITE_STEPS 8192
/* Site-steps per block with one thread: no barriers to amortise, but a block of one step
 * pays the block's bookkeeping every step (~3 % of a one-site sweep's instructions); 64
 * keep the buffer in L1. */
#define SOLVER_SOLO_SITE_STEPS 64

struct sim_snapshot {
    int64_t k;                          /* the state before this step */
    int64_t steps, timestep_s;          /* of the run it was taken from */
    size_t n_sites;
    struct site_run_saved *sites;       /* owned, [n_sites] */
    struct summary_acc *acc;            /* owned, [n_sites + 1]: the sites', the scenario's */
};

int64_t sim_snapshot_step(const struct sim_snapshot *snap)
{
    return snap->k;
}

void sim_snapshot_destroy(struct sim_snapshot *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; snap->sites && i < snap->n_sites; i++)
        site_run_saved_release(&snap->sites[i]);
    for (size_t i = 0; snap->acc && i <= snap->n_sites; i++)
        summary_release(&snap->acc[i]);
    free(snap->sites);
    free(snap->acc);
    free(snap);
}

/* The trial's state before step k: its sites' runs and the summaries. */
static int snapshot_take(const struct scenario *sc, const struct site_run *runs,
                         const struct summary_acc *acc, int64_t k, struct sim_snapshot **out)
{
    size_t n = sc->n_sites;
    struct sim_snapshot *snap = calloc(1, sizeof *snap);
    if (!snap)
        return DCSIM_ENOMEM;
    snap->k = k;
    snap->steps = sc->steps;
    snap->timestep_s = sc->timestep_s;
    snap->n_sites = n;
    snap->sites = calloc(n ? n : 1, sizeof *snap->sites);
    snap->acc = aligned_calloc(n + 1, sizeof *snap->acc);
    int rc = snap->sites && snap->acc ? 0 : DCSIM_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++)
        rc = site_run_save(&runs[i], &snap->sites[i]);
    for (size_t i = 0; i <= n && !rc; i++)
        if (!(rc = summary_init(&snap->acc[i], sc->duration_s)))
            rc = summary_copy(&snap->acc[i], &acc[i]);
    if (rc) {
        sim_snapshot_destroy(snap);
        return rc;
    }
    *out = snap;
    return 0;
}

/* Puts a snapshot's state into the trial's fresh runs and summaries (the same sites, step
 * grid and supplies, or DCSIM_EINTERNAL). */
static int snapshot_apply(const struct sim_snapshot *snap, const struct scenario *sc,
                          struct site_run *runs, struct summary_acc *acc)
{
    if (snap->n_sites != sc->n_sites || snap->steps != sc->steps ||
        snap->timestep_s != sc->timestep_s || snap->k <= 0 || snap->k >= sc->steps)
        return DCSIM_EINTERNAL;
    int rc = 0;
    for (size_t i = 0; i < sc->n_sites && !rc; i++)
        rc = site_run_restore(&runs[i], &snap->sites[i]);
    for (size_t i = 0; i <= sc->n_sites && !rc; i++)
        rc = summary_copy(&acc[i], &snap->acc[i]);
    return rc;
}

/* The team's groups of sites that share their climate parts (site_team.group): sites whose
 * weather has no tables and is a synthetic climate, grouped with the first earlier site whose
 * parts are the same; a table of parts for a block per group, and each of `threads` threads'
 * buffer of a block's weather. Nothing when no site is in a group. */
static int parts_groups_init(struct site_team *tm, const struct site_run *runs, int threads)
{
    size_t n = tm->n_sites;
    int *group = malloc(n * sizeof *group);
    size_t *first = malloc(n * sizeof *first);   /* [group]: its first site */
    if (!group || !first) {
        free(group);
        free(first);
        return DCSIM_ENOMEM;
    }
    size_t n_groups = 0;
    for (size_t i = 0; i < n; i++) {
        group[i] = -1;
        const struct weather *w = runs[i].weather;
        if (runs[i].drybulb_c || !weather_parts_shared(w, w))   /* tables, or no climate */
            continue;
        size_t g = 0;
        while (g < n_groups && !weather_parts_shared(runs[first[g]].weather, w))
            g++;
        if (g == n_groups)
            first[n_groups++] = i;
        group[i] = (int)g;
    }
    int rc = 0;
    if (n_groups > 0) {
        tm->groups = aligned_calloc(n_groups, sizeof *tm->groups);
        rc = tm->groups ? 0 : DCSIM_ENOMEM;
        for (size_t g = 0; g < n_groups && !rc; g++, tm->n_groups++)
            rc = weather_parts_create(runs[first[g]].weather, 0, tm->s->sc->timestep_s,
                                      tm->cap_k, 1, &tm->groups[g].parts);
        for (int w = 0; w < threads && !rc; w++)
            if (!(tm->block_weather[w] = malloc(2 * (size_t)tm->cap_k * sizeof(double))))
                rc = DCSIM_ENOMEM;
    }
    free(first);
    if (!rc && n_groups > 0)
        tm->group = group;
    else
        free(group);
    return rc;
}

static void parts_groups_release(struct site_team *tm)
{
    for (size_t g = 0; g < tm->n_groups; g++)
        weather_parts_destroy(tm->groups[g].parts);
    free(tm->groups);
    free(tm->group);
    for (int w = 0; w < SOLVER_MAX_THREADS; w++)
        free(tm->block_weather[w]);
}

/* Runs one trial; site_out[n_sites][N_METRICS] and total_out[N_METRICS] get its metrics.
 * `opt` may carry a sink (trial 0 only). Thread-safe for distinct trials. The sites are
 * stepped by `site_threads` threads (the caller and site_threads - 1 more). */
static int run_trial(const struct sim *s, int trial, const struct sim_options *opt,
                     int site_threads, double (*site_out)[N_METRICS], double *total_out,
                     int64_t *failed_step)
{
    const struct scenario *sc = s->sc;
    size_t n_sites = sc->n_sites;
    if (site_threads < 1 || n_sites < 2)
        site_threads = 1;
    if ((size_t)site_threads > n_sites)
        site_threads = (int)n_sites;
    if (site_threads > SOLVER_MAX_THREADS)
        site_threads = SOLVER_MAX_THREADS;
    int64_t block_k = (site_threads > 1 ? SOLVER_TEAM_SITE_STEPS : SOLVER_SOLO_SITE_STEPS) /
                      (int64_t)n_sites;
    if (block_k < 1)
        block_k = 1;
    if (block_k > sc->steps)
        block_k = sc->steps > 0 ? sc->steps : 1;
    /* a run whose series are written: each site's per-supply and per-pool values too */
    size_t nv = opt->sink && opt->extras ? (size_t)sim_site_columns(sc) : N_SERIES;
    struct site_team tm = {.s = s, .n_sites = n_sites, .n = site_threads, .nv = nv,
                           .cap_k = block_k,
                           .hold_caller = site_threads > 1 && opt->test_hold_caller};
    struct site_run *runs = aligned_calloc(n_sites, sizeof *runs);
    struct summary_acc *acc = aligned_calloc(n_sites + 1, sizeof *acc);
    tm.v = calloc((size_t)block_k * n_sites * nv, sizeof *tm.v);
    tm.iv = malloc((size_t)block_k * n_sites * sizeof *tm.iv);
    tm.runs = runs;
    tm.acc = acc;
    struct block b = {0};
    tm.aggregate = n_sites > 1;
    /* a trial after the first: sim_run reads of each site only what trial_statistics and
     * finish_total use (trial 0's sites are the ones written out whole) */
    tm.lean_sites = trial > 0 && n_sites > 1 && !opt->test_full_sites;
    if (tm.aggregate) {
        tm.totals = malloc((size_t)block_k * N_SERIES * sizeof *tm.totals);
        tm.any_unserved = malloc((size_t)block_k);
        tm.iv_scratch = malloc(n_sites * SITE_UNSERVED_IV_MAX * 2 * sizeof *tm.iv_scratch);
    }
    int rc = (runs && acc && tm.v && tm.iv &&
              (!tm.aggregate || (tm.totals && tm.any_unserved && tm.iv_scratch)))
                 ? 0
                 : DCSIM_ENOMEM;
    if (!rc && opt->sink) {
        int64_t rows = sim_output_rows(sc);
        b.nv = nv;
        b.cols = sc->output_every_s > sc->timestep_s ? 2 * nv : nv;
        b.per_row = sc->steps / rows;
        b.steps = block_rows_unaliased(opt->block_steps ? opt->block_steps
                                                        : SOLVER_DEFAULT_BLOCK);
        if ((int64_t)b.steps > rows)
            b.steps = (size_t)rows;
        b.values = malloc(n_sites * b.cols * b.steps * sizeof *b.values);
        b.packed = malloc(n_sites * b.cols * b.steps * sizeof *b.packed);
        b.time_s = malloc(b.steps * sizeof *b.time_s);
        /* each site's sums on lines of their own: threads fold neighbouring sites */
        size_t per_line = CACHE_LINE_BYTES / sizeof(double);
        b.acc_stride = (nv + per_line - 1) / per_line * per_line;
        b.sum = aligned_calloc(n_sites * b.acc_stride, sizeof *b.sum);
        b.max = aligned_calloc(n_sites * b.acc_stride, sizeof *b.max);
        if (!b.values || !b.packed || !b.time_s || !b.sum || !b.max)
            rc = DCSIM_ENOMEM;
    }
    for (size_t i = 0; i < n_sites && !rc; i++) {
        rc = site_run_init(&runs[i], &s->sites[i], trial);
        runs[i].extras = nv > N_SERIES;
    }
    for (size_t i = 0; acc && i <= n_sites && !rc; i++)
        rc = summary_init(&acc[i], sc->duration_s);
    if (!rc)
        rc = parts_groups_init(&tm, runs, tm.n);

    /* the team: site_threads - 1 threads besides this one (fewer if some cannot start:
     * the work is the same, on fewer threads) */
    pthread_t tids[SOLVER_MAX_THREADS];
    struct team_member members[SOLVER_MAX_THREADS];
    int started = 0, gates = 0;
    if (!rc && tm.n > 1) {
        if (gate_init(&tm.go, (unsigned)tm.n) == 0) {
            gates = gate_init(&tm.done, (unsigned)tm.n) == 0;
            if (!gates)
                gate_release(&tm.go);
        }
        for (int w = 1; gates && w < tm.n; w++, started++) {
            members[w] = (struct team_member){.tm = &tm, .who = w};
            if (pthread_create(&tids[w - 1], NULL, team_thread, &members[w]) != 0)
                break;
        }
        if (started < tm.n - 1) {
            /* nobody has passed `go` yet: they wait for the first block */
            tm.n = started + 1;
            if (gates) {
                gate_resize(&tm.go, (unsigned)tm.n);
                gate_resize(&tm.done, (unsigned)tm.n);
            }
        }
    }

    int64_t dt = sc->timestep_s;
    const struct sim_progress *progress = (trial == 0 && sc->trials == 1) ? opt->progress : NULL;
    int64_t report_every = (int64_t)((double)sc->steps * SOLVER_PROGRESS_EVERY) + 1;
    tm.b = b.values ? &b : NULL;
    /* a snapshot to start from, and one to take (sim_run allows them for one trial and no
     * sink only) */
    int64_t k_start = 0, save_k = -1;
    if (!rc && trial == 0 && opt->resume) {
        rc = snapshot_apply(opt->resume, sc, runs, acc);
        k_start = opt->resume->k;
    }
    if (trial == 0 && opt->save_to) {
        *opt->save_to = NULL;
        if (opt->save_at_k > k_start && opt->save_at_k < sc->steps)
            save_k = opt->save_at_k;
    }
    for (int64_t k0 = k_start; k0 < sc->steps && !rc; k0 += tm.nk) {
        if (k0 == save_k) {
            save_k = -1;
            if ((rc = snapshot_take(sc, runs, acc, k0, opt->save_to)))
                break;
        }
        tm.k0 = k0;
        tm.nk = sc->steps - k0 < block_k ? sc->steps - k0 : block_k;
        if (save_k > k0 && k0 + tm.nk > save_k)
            tm.nk = save_k - k0;   /* the block ends where the snapshot is taken */
        if (b.values) {
            /* the team block ends at the latest where the series block fills up */
            int64_t per_row = b.per_row > 1 ? b.per_row : 1;
            int64_t to_full = (int64_t)(b.steps - b.filled) * per_row - b.folded;
            tm.nk = tm.nk < to_full ? tm.nk : to_full;
            tm.folded0 = b.folded;
            tm.filled0 = b.filled;
        }
        for (int w = 0; w < tm.n; w++) {   /* `go` publishes the ranges' counts */
            atomic_store_explicit(&tm.range[w].taken, 0, memory_order_relaxed);
            atomic_store_explicit(&tm.range[w].stepped, 0, memory_order_relaxed);
            atomic_store_explicit(&tm.range[w].summed, 0, memory_order_relaxed);
        }
        for (size_t g = 0; g < tm.n_groups; g++)   /* and the groups' parts to make */
            atomic_store_explicit(&tm.groups[g].state, PARTS_TO_DO, memory_order_relaxed);
        if (tm.n > 1)
            gate_wait(&tm.go);
        team_block(&tm, 0);
        if (tm.n > 1)
            gate_wait(&tm.done);
        int64_t fail_k = -1;
        size_t fail_site = 0;
        for (int w = 0; w < tm.n; w++)
            if (tm.status[w] &&
                (fail_k < 0 || tm.failed_step[w] < fail_k ||
                 (tm.failed_step[w] == fail_k && tm.failed_site[w] < fail_site))) {
                fail_k = tm.failed_step[w];
                fail_site = tm.failed_site[w];
                rc = tm.status[w];
            }
        if (rc) {
            *failed_step = fail_k;
            break;
        }
        for (int64_t j = 0; j < tm.nk && !rc; j++) {
            int64_t k = k0 + j, t = k * dt;
            /* one site: the scenario's summary is the site's */
            if (tm.aggregate)
                summary_add(&acc[n_sites], tm.totals + (size_t)j * N_SERIES, t, dt);
            if (b.values) {
                if (b.per_row > 1) {
                    if (b.folded == 0)
                        b.time_s[b.filled] = (double)t;
                    if (++b.folded < b.per_row)
                        goto next_step;
                    b.folded = 0;   /* the team wrote the row */
                } else {
                    b.time_s[b.filled] = (double)t;
                }
                if (++b.filled == b.steps)
                    rc = block_flush(opt, &b, n_sites);
            }
        next_step:
            if (progress && (k + 1) % report_every == 0)
                progress->report(progress->ctx, k + 1, sc->steps);
            if (opt->stop && *opt->stop)   /* every step: a volatile read is cheap */
                rc = DCSIM_EINTERRUPTED;
        }
    }
    if (started > 0) {
        tm.quit = 1;
        gate_wait(&tm.go);
    }
    for (int w = 0; w < started; w++)
        pthread_join(tids[w], NULL);
    if (opt->test_sites_taken)
        atomic_fetch_add_explicit(opt->test_sites_taken,
                                  atomic_load_explicit(&tm.taken_from_others, memory_order_relaxed),
                                  memory_order_relaxed);
    if (gates) {
        gate_release(&tm.go);
        gate_release(&tm.done);
    }
    if (!rc)
        rc = block_flush(opt, &b, n_sites);
    if (!rc) {
        for (size_t i = 0; i < n_sites; i++) {
            if (tm.lean_sites)
                summary_finish_lean(&acc[i], sc->duration_s, site_out[i]);
            else
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
    parts_groups_release(&tm);
    free(tm.totals);
    free(tm.any_unserved);
    free(tm.iv_scratch);
    free(tm.v);
    free(tm.iv);
    for (int w = 0; w < SOLVER_MAX_THREADS; w++)
        free(tm.ivbuf[w]);
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
        p->status[trial] = run_trial(p->s, trial, &quiet, 1, &p->site[(size_t)trial * n_sites],
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
    if ((opt->save_to || opt->resume) && (trials != 1 || opt->sink)) {
        diag_error(d, sc->path, 0, 0, "internal: a snapshot of a run needs one trial and no "
                   "series written");
        return DCSIM_EINTERNAL;
    }
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
    int threads_asked = threads;
    if (threads > trials)
        threads = trials;
    if (threads > SOLVER_MAX_THREADS)
        threads = SOLVER_MAX_THREADS;
    pthread_t tids[SOLVER_MAX_THREADS];
    int started = 0;
    for (int i = 1; i < threads; i++, started++)
        if (pthread_create(&tids[started], NULL, pool_thread, &p) != 0)
            break;   /* fewer threads: the work still gets done */

    /* one trial: its sites on the threads instead */
    int site_threads = trials == 1 ? threads_asked : 1;
    p.status[0] = run_trial(s, 0, opt, site_threads, &p.site[0], p.total[0], &p.failed_step[0]);
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
            p.status[trial] = run_trial(s, trial, &quiet, 1, &p.site[(size_t)trial * n_sites],
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
        for (size_t i = 0; i < n_sites; i++)
            economics_fill(sc, &sc->sites[i], 1, summary->site[i]);
        economics_fill(sc, sc->sites, n_sites, summary->total);
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
