/* check_solver_cache.c — the solver's caches never change a result (issue 12).
 *
 * Invariant: a run's summaries, every trial's metrics and trial 0's series are the same bits
 * whichever way the weather reaches the step — computed by weather_at at every step, from a
 * sweep's weather cache (each trial's year built alone: weather_create_climate, weather_at,
 * weather_rank_hours), or from the parts the trials' years share (weather_parts, drawn with
 * weather_create_climate_like) — and whatever the thread count (trials on a pool, sites on a
 * team whose threads fold their own sites' output rows) and whichever thread of the team
 * steps a site (one held back has its sites taken by the others). The scenario exercises what those
 * paths touch: per-trial synthetic climates, a grid curtailment calendar ranked on each
 * trial's year, a cooling tower (evaporation computed once per span), flexible load shed by
 * the root finder, random outages, a demand charge (month bounds cached) and decimated
 * output. A run resumed from another scenario's snapshot (sim_options.resume: the two differ
 * in a pool not yet online there) gives the bits of its own run from the start, on that
 * scenario and on 30 generated ones (each mutation of what a snapshot carries tried so far —
 * the supplies' state, the loop temperature, the shortfall's start — fails them). */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "scenario.h"
#include "solver.h"
#include "testutil.h"
#include "weather_cache.h"

static struct catalog cat;

static void cat_setup(void)
{
    struct diag d;
    diag_init(&d);
    ck_assert_msg(catalog_load(DCSIM_MODELS_DIR, &cat, &d) == 0, "catalog: %s", diag_text(&d));
    diag_release(&d);
}

static void cat_teardown(void)
{
    catalog_release(&cat);
}

/* Two sites, 40 days from late June, hourly; `extra` is appended to the top level. */
static const char *SCENARIO =
    "name: cache-invariance\n"
    "start: 2027-06-20\n"
    "duration: 40d\n"
    "timestep: %s\n"
    "seed: 9\n"
    "trials: %d\n"
    "%s"
    "sites:\n"
    "  - id: hot\n"
    "    climate: west-texas\n"
    "    supply:\n"
    "      - {id: g, type: grid, contract_mw: 62, price_usd_per_mwh: 40,\n"
    "         demand_charge_usd_per_kw_month: 5,\n"
    "         outages: {per_year: 200, mean_h: 3},\n"
    "         curtailment: {hours_per_year: 300, rule: hottest, level_mw: 45}}\n"
    "      - {id: b, type: battery, power_mw: 8, energy_mwh: 20}\n"
    "    it:\n"
    "      - {id: firm, rack: gb300-nvl72, count: 250, workload: training, utilization: 0.8}\n"
    "      - {id: flex, rack: gb300-nvl72, count: 150, workload: inference, utilization: 0.7,\n"
    "         diurnal_amplitude: 0.3, flexible: true}\n"
    "    cooling:\n"
    "      liquid: {supply_c: 32, rejection: cooling_tower, capacity_mw: 80, approach_k: 5}\n"
    "      air: {supply_c: 24, economizer: true, capacity_mw: 20}\n"
    "  - id: cold\n"
    "    climate: north-dakota\n"
    "    supply:\n"
    "      - {id: g, type: grid, contract_mw: 40, outages: {per_year: 300, mean_h: 2}}\n"
    "    it:\n"
    "      - {id: p, rack: gb300-nvl72, count: 300, workload: training, utilization: 0.9}\n"
    "    cooling:\n"
    "      liquid: {supply_c: 35, rejection: hybrid, capacity_mw: 60}\n"
    "      air: {supply_c: 24, capacity_mw: 10}\n";

static struct scenario *parse_ok(const char *timestep, int trials, const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, SCENARIO, timestep, trials, extra);
    struct scenario *sc = NULL;
    struct diag d;
    diag_init(&d);
    int rc = scenario_parse("t.yaml", text, strlen(text), &cat, &sc, &d);
    ck_assert_msg(rc == 0, "scenario did not parse (%d):\n%s", rc, diag_text(&d));
    diag_release(&d);
    return sc;
}

/* Every value the sink gets, in order. */
struct capture {
    double *v;
    size_t n, cap;
};

static int capture_append(void *ctx, size_t n, const double *time_s, const double *values,
                          size_t per_row)
{
    struct capture *c = ctx;
    size_t add = n + n * per_row;
    if (c->n + add > c->cap) {
        size_t cap = 2 * (c->n + add);
        double *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return DCSIM_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    memcpy(c->v + c->n, time_s, n * sizeof *time_s);
    memcpy(c->v + c->n + n, values, n * per_row * sizeof *values);
    c->n += add;
    return 0;
}

struct sink_ctx {
    struct capture cap;
    size_t per_row;                     /* values per row: sites × columns */
};

static int sink_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    struct sink_ctx *s = ctx;
    return capture_append(&s->cap, n, time_s, values, s->per_row);
}

struct result {
    struct sim_summary sum;
    struct sink_ctx sink;
};

/* Runs sc with opt, with a weather cache or not, into r->sum. */
static void run_with(const struct scenario *sc, const struct sim_options *opt, int use_cache,
                     struct result *r)
{
    struct weather_cache *cache = NULL;
    if (use_cache)
        ck_assert_int_eq(weather_cache_create(&cache), 0);
    struct sim *s = NULL;
    struct diag d;
    diag_init(&d);
    ck_assert_msg(sim_create_shared(sc, cache, &s, &d) == 0, "sim_create: %s", diag_text(&d));
    int rc = sim_run(s, opt, &r->sum, &d);
    ck_assert_msg(rc == 0, "sim_run: %d %s", rc, diag_text(&d));
    sim_destroy(s);
    weather_cache_destroy(cache);
    diag_release(&d);
}

/* Runs sc on `threads` threads, with a weather cache or not, keeping trial 0's series; with
 * `hold`, the team's calling thread held back each block until another has taken one of
 * its sites, the sites taken from others' ranges added to *taken (when given). */
static void run_team(const struct scenario *sc, int threads, int use_cache, size_t block_steps,
                     int hold, atomic_size_t *taken, struct result *r)
{
    memset(r, 0, sizeof *r);
    r->sink.per_row = sc->n_sites * (size_t)sim_output_columns(sc);
    struct sim_sink sink = {&r->sink, sink_append};
    struct sim_options opt = {.block_steps = block_steps, .sink = &sink, .threads = threads,
                              .extras = 1, .test_hold_caller = hold,
                              .test_sites_taken = taken};
    run_with(sc, &opt, use_cache, r);
}

static void run_blocks(const struct scenario *sc, int threads, int use_cache, size_t block_steps,
                       struct result *r)
{
    run_team(sc, threads, use_cache, block_steps, 0, NULL, r);
}

static void run(const struct scenario *sc, int threads, int use_cache, struct result *r)
{
    run_blocks(sc, threads, use_cache, 100, r);
}

static void result_free(struct result *r)
{
    sim_summary_release(&r->sum);
    free(r->sink.cap.v);
}

/* The same bits (NaN included), with the first difference in the message. */
static void same_bits(const double *a, const double *b, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(memcmp(&a[i], &b[i], sizeof a[i]) == 0, "%s [%zu]: %.17g vs %.17g", what,
                      i, a[i], b[i]);
}

static void same_result(const struct result *a, const struct result *b, size_t n_sites)
{
    ck_assert_int_eq(a->sum.trials, b->sum.trials);
    same_bits(a->sum.total, b->sum.total, N_METRICS, "total");
    same_bits(&a->sum.site[0][0], &b->sum.site[0][0], n_sites * N_METRICS, "sites");
    same_bits(&a->sum.trial_total[0][0], &b->sum.trial_total[0][0],
              (size_t)a->sum.trials * N_METRICS, "trials");
    ck_assert_uint_eq(a->sink.cap.n, b->sink.cap.n);
    same_bits(a->sink.cap.v, b->sink.cap.v, a->sink.cap.n, "series");
}

/* Per-trial climate years: the shared parts and the weather cache give what weather_at gives
 * trial by trial, on any number of threads. */
START_TEST(test_trials_cache_and_threads)
{
    struct scenario *sc = parse_ok("1h", 6, "");
    struct result base, other;
    run(sc, 1, 0, &base);
    /* the trials really differ (each draws its own year and outages) */
    ck_assert(base.sum.trial_total[1][M_FACILITY_ENERGY_MWH] !=
              base.sum.trial_total[2][M_FACILITY_ENERGY_MWH]);
    ck_assert_uint_gt(base.sink.cap.n, 0);
    run(sc, 1, 1, &other);
    same_result(&base, &other, sc->n_sites);
    result_free(&other);
    for (int threads = 2; threads <= 3; threads++) {
        run(sc, threads, 0, &other);
        same_result(&base, &other, sc->n_sites);
        result_free(&other);
        run(sc, threads, 1, &other);
        same_result(&base, &other, sc->n_sites);
        result_free(&other);
    }
    result_free(&base);
    scenario_destroy(sc);
}
END_TEST

/* One trial, sites on a team, decimated rows folded by each thread for its own sites: the
 * same series and summaries as one thread, with and without the cache. */
START_TEST(test_sites_team_decimated)
{
    struct scenario *sc = parse_ok("5min", 1, "output_every: 1h\n");
    struct result base, other;
    run(sc, 1, 0, &base);
    /* rows: 40 days of hours, each a time and sites × columns values */
    ck_assert_uint_eq(base.sink.cap.n, 960 * (1 + base.sink.per_row));
    for (int threads = 2; threads <= 3; threads++) {
        run(sc, threads, threads == 3, &other);
        same_result(&base, &other, sc->n_sites);
        result_free(&other);
    }
    /* every site's rows are its steps' means: against the undecimated series (one block
     * each, so values[(site · columns + column) · rows + row]), summed in the same order */
    struct scenario *fine = parse_ok("5min", 1, "");
    struct result all, dec;
    run_blocks(fine, 2, 0, 20000, &all);
    run_blocks(sc, 2, 0, 20000, &dec);
    size_t cols_fine = (size_t)sim_output_columns(fine), cols_dec = (size_t)sim_output_columns(sc);
    ck_assert_uint_eq(cols_dec, 2 * cols_fine);   /* means, then maxima */
    const double *vf = all.sink.cap.v + 11520, *vd = dec.sink.cap.v + 960;
    for (size_t site = 0; site < sc->n_sites; site++)
        for (size_t h = 0; h < 960; h++) {
            const double *x = vf + (site * cols_fine + S_FACILITY_MW) * 11520 + 12 * h;
            double sum = x[0], max = x[0];
            for (int k = 1; k < 12; k++) {
                sum += x[k];
                max = x[k] > max ? x[k] : max;
            }
            ck_assert_double_eq(vd[(site * cols_dec + S_FACILITY_MW) * 960 + h], sum / 12);
            ck_assert_double_eq(vd[(site * cols_dec + cols_fine + S_FACILITY_MW) * 960 + h], max);
        }
    result_free(&all);
    result_free(&dec);
    scenario_destroy(fine);
    result_free(&base);
    scenario_destroy(sc);
}
END_TEST

/* Six sites (the two above, three times, under other ids), one trial, 5-minute steps with
 * hourly rows: the team's calling thread is held back every block until another thread,
 * through its own range, has taken the last site of the caller's. Whoever steps a site, the
 * series and summaries are the bits of one thread; and sites were taken (at least one a
 * block: a held range keeps all its sites, two or three, unstarted). */
START_TEST(test_sites_taken_by_others)
{
    char text[8192];
    size_t len = 0;
    const char *sites = strstr(SCENARIO, "sites:\n");
    ck_assert_ptr_nonnull(sites);
    const char *hot = strstr(sites, "  - id: hot\n"), *cold = strstr(sites, "  - id: cold\n");
    ck_assert(hot && cold);
    char head[1024];
    snprintf(head, sizeof head, "%.*s", (int)(sites - SCENARIO), SCENARIO);
    len += (size_t)snprintf(text + len, sizeof text - len, head, "5min", 1, "output_every: 1h\n");
    len += (size_t)snprintf(text + len, sizeof text - len, "sites:\n");
    for (int k = 0; k < 3; k++) {
        /* each template without its id line, under an id of its own */
        const char *hot_body = strchr(hot, '\n') + 1, *cold_body = strchr(cold, '\n') + 1;
        len += (size_t)snprintf(text + len, sizeof text - len, "  - id: hot%d\n%.*s", k,
                                (int)(cold - hot_body), hot_body);
        len += (size_t)snprintf(text + len, sizeof text - len, "  - id: cold%d\n%s", k,
                                cold_body);
    }
    ck_assert_uint_lt(len, sizeof text);
    struct scenario *sc = NULL;
    struct diag d;
    diag_init(&d);
    ck_assert_msg(scenario_parse("t.yaml", text, len, &cat, &sc, &d) == 0, "%s", diag_text(&d));
    diag_release(&d);
    ck_assert_uint_eq(sc->n_sites, 6);
    struct result base, other;
    run_team(sc, 1, 0, 100, 0, NULL, &base);
    for (int threads = 2; threads <= 3; threads++) {
        atomic_size_t taken;
        atomic_init(&taken, 0);
        run_team(sc, threads, 0, 100, 1, &taken, &other);
        same_result(&base, &other, sc->n_sites);
        result_free(&other);
        size_t n_taken = atomic_load(&taken);
        ck_assert_uint_gt(n_taken, 0);
    }
    result_free(&base);
    scenario_destroy(sc);
}
END_TEST

/* A summary-only run (no sink), with a weather cache, optionally starting from `resume` and
 * saving a snapshot before step save_at_k into *save_to. */
static void run_snapshot(const struct scenario *sc, int threads, const struct sim_snapshot *resume,
                         int64_t save_at_k, struct sim_snapshot **save_to, struct result *r)
{
    memset(r, 0, sizeof *r);
    struct sim_options opt = {.threads = threads, .resume = resume, .save_at_k = save_at_k,
                              .save_to = save_to};
    run_with(sc, &opt, 1, r);
}

/* The scenario with the flexible pool of `count` racks online from 2027-07-10 (day 20: step
 * 1920 at 15 min). */
static struct scenario *parse_late_pool(int count)
{
    char text[4096], pool[160];
    snprintf(text, sizeof text, SCENARIO, "15min", 1, "");
    snprintf(pool, sizeof pool, "count: %d, online: 2027-07-10, workload: inference", count);
    const char *from = "count: 150, workload: inference";
    char *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    char out[4096];
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, pool, at + strlen(from));
    struct scenario *sc = NULL;
    struct diag d;
    diag_init(&d);
    ck_assert_msg(scenario_parse("t.yaml", out, strlen(out), &cat, &sc, &d) == 0, "%s",
                  diag_text(&d));
    diag_release(&d);
    return sc;
}

/* A run that goes on from another scenario's snapshot taken before a pool of it comes online
 * (the two differ only in that pool's count) gives the bits of its own run from the start:
 * the supplies' state (battery charge, outage and series cursors, the curtailment calendar),
 * the loop, the demand-charge month and the summaries carry over; the load's caches do not.
 * Taken one day after the pool is online, the snapshot holds the other count's load, and the
 * results differ (the test can tell). */
START_TEST(test_snapshot_resume)
{
    struct scenario *a = parse_late_pool(150), *b = parse_late_pool(40);
    const int64_t online_k = 20 * 96;
    struct result b_full, a_full, a_saved, a_resumed, b_resumed, b_late;
    run_snapshot(b, 1, NULL, 0, NULL, &b_full);
    run_snapshot(a, 1, NULL, 0, NULL, &a_full);
    struct sim_snapshot *snap = NULL, *late = NULL;
    run_snapshot(a, 1, NULL, online_k, &snap, &a_saved);
    ck_assert_ptr_nonnull(snap);
    ck_assert_int_eq(sim_snapshot_step(snap), online_k);
    same_result(&a_full, &a_saved, a->n_sites);   /* taking one changes nothing */
    run_snapshot(a, 1, snap, 0, NULL, &a_resumed);
    same_result(&a_full, &a_resumed, a->n_sites);
    for (int threads = 1; threads <= 2; threads++) {   /* sites on a team too */
        run_snapshot(b, threads, snap, 0, NULL, &b_resumed);
        same_result(&b_full, &b_resumed, b->n_sites);
        result_free(&b_resumed);
    }
    /* the pools differ in what they served */
    ck_assert(a_full.sum.total[M_IT_ENERGY_MWH] != b_full.sum.total[M_IT_ENERGY_MWH]);
    struct result unused;
    run_snapshot(a, 1, NULL, online_k + 96, &late, &unused);
    ck_assert_ptr_nonnull(late);
    run_snapshot(b, 1, late, 0, NULL, &b_late);
    ck_assert(memcmp(b_late.sum.total, b_full.sum.total, sizeof b_full.sum.total) != 0);
    /* a snapshot is not taken where the run does not go */
    struct sim_snapshot *none = (struct sim_snapshot *)1;
    struct result past;
    run_snapshot(a, 1, NULL, a->steps, &none, &past);
    ck_assert_ptr_null(none);
    struct result *all[] = {&b_full, &a_full, &a_saved, &a_resumed, &b_late, &unused, &past};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        result_free(all[i]);
    sim_snapshot_destroy(snap);
    sim_snapshot_destroy(late);
    scenario_destroy(a);
    scenario_destroy(b);
}
END_TEST

/* ---- the same property over generated scenarios ---- */

#define N_GENERATED 30

static double draw_in(gsl_rng *r, double a, double b)
{
    return a + (b - a) * gsl_rng_uniform(r);
}

static int draw_int(gsl_rng *r, int n)
{
    return (int)gsl_rng_uniform_int(r, (unsigned long)n);
}

/* The random part of a generated scenario, drawn in this order (never in a function's
 * arguments: their order of evaluation is unspecified). */
struct generated {
    int step, summer, late_min, climate, rejection, supply_c, early_work, late_work, late_rack;
    int late_flexible, demand_charge, curtail, battery, generator, reactor, units, start_s;
    int volume, events, grid_min, grid_len_min, loss_min, loss_len_min, two_sites, seed;
    double early, miners, demand_mw, contract, per_year, mean_h, battery_mw, battery_mwh, soc;
    double generator_mw, reactor_mw, repair_h, early_util, liquid_mw, air_mw, loss_fraction;
};

static void draw_generated(gsl_rng *r, struct generated *g)
{
    memset(g, 0, sizeof *g);
    g->step = draw_int(r, 3);
    g->summer = draw_int(r, 2);
    g->late_min = 3 * 1440 + draw_int(r, 14 * 1440);
    g->climate = draw_int(r, 4);
    g->early = 40 + draw_int(r, 160);
    g->early_work = draw_int(r, 3);
    g->early_util = draw_in(r, 0.5, 1);
    g->miners = draw_int(r, 2) ? 5 + draw_int(r, 25) : 0;
    g->demand_mw = 0.14 * (g->early + 150) + 0.8 * g->miners;   /* not the late count's */
    g->contract = draw_in(r, 0.5, 1.3) * g->demand_mw;
    g->demand_charge = draw_int(r, 2) * 6;
    g->per_year = draw_in(r, 20, 300);
    g->mean_h = draw_in(r, 0.2, 5);
    g->curtail = draw_int(r, 2);
    g->battery = draw_int(r, 4) != 0;
    g->battery_mw = draw_in(r, 0.05, 0.5) * g->demand_mw;
    g->battery_mwh = draw_in(r, 0.1, 2) * g->demand_mw;
    g->soc = draw_in(r, 0.2, 1);
    g->generator = draw_int(r, 2);
    g->generator_mw = draw_in(r, 0.1, 0.6) * g->demand_mw;
    g->start_s = draw_int(r, 600);
    g->reactor = draw_int(r, 3) == 0;
    g->units = 1 + draw_int(r, 2);
    g->reactor_mw = draw_in(r, 0.1, 0.4) * g->demand_mw;
    g->repair_h = draw_in(r, 2, 48);
    g->late_rack = draw_int(r, 2);
    g->late_work = draw_int(r, 3);
    g->late_flexible = draw_int(r, 3) == 0;
    g->supply_c = 30 + draw_int(r, 10);
    g->rejection = draw_int(r, 4);
    g->liquid_mw = draw_in(r, 0.5, 1.3) * g->demand_mw;
    g->volume = draw_int(r, 4) != 0;
    g->air_mw = draw_in(r, 0.1, 0.3) * g->demand_mw;
    /* in most: a grid outage that ends before the late pool's online time (a battery
     * recharges across it) and a cooling loss across it (the loop warms) */
    g->events = draw_int(r, 3) != 0;
    g->grid_min = g->late_min - 300 + draw_int(r, 120);
    g->grid_len_min = 60 + draw_int(r, 120);
    g->loss_min = g->late_min - 20 - draw_int(r, 60);
    g->loss_len_min = 90 + draw_int(r, 60);
    g->loss_fraction = draw_in(r, 0.8, 1);
    g->two_sites = draw_int(r, 2);
    g->seed = 1 + draw_int(r, 1000);
}

/* "MM-DDTHH:MM" of `min` minutes into a month starting on day 1. */
static const char *day_time(int month, int min, char *buf, size_t len)
{
    snprintf(buf, len, "%02d-%02dT%02d:%02d", month, 1 + min / 1440, min / 60 % 24, min % 60);
    return buf;
}

/* A scenario drawn at random from `seed` whose pool `late` (on site s) has `count` racks at
 * `utilization` and comes online at *late_s (run seconds, mid-step at every step length),
 * into text[len]. */
static void render_generated(unsigned long seed, double count, double utilization, char *text,
                             size_t len, int64_t *late_s)
{
    static const char *const steps[] = {"5min", "15min", "1h"};
    static const char *const climates[] = {"west-texas", "north-dakota", "arizona", "louisiana"};
    static const char *const rejections[] = {"dry_cooler", "cooling_tower", "chiller", "hybrid"};
    static const char *const workloads[] = {"constant", "training", "inference"};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    struct generated g;
    draw_generated(r, &g);
    gsl_rng_free(r);
    int month = g.summer ? 6 : 1;
    *late_s = (int64_t)g.late_min * 60 + 17;
    char supply[1024], it[1024], events[512] = "", cooling[256], t1[32], t2[32];
    size_t n = (size_t)snprintf(supply, sizeof supply,
                                "      - {id: g, type: grid, contract_mw: %.1f,"
                                " price_usd_per_mwh: 45, demand_charge_usd_per_kw_month: %d,"
                                " outages: {per_year: %.1f, mean_h: %.2f}%s}\n",
                                g.contract, g.demand_charge, g.per_year, g.mean_h,
                                g.curtail ? ", curtailment: {hours_per_year: 150,"
                                            " rule: hottest, level_mw: 5}" : "");
    if (g.battery)
        n += (size_t)snprintf(supply + n, sizeof supply - n,
                              "      - {id: bess, type: battery, power_mw: %.2f,"
                              " energy_mwh: %.2f, initial_soc: %.2f}\n", g.battery_mw,
                              g.battery_mwh, g.soc);
    if (g.generator)
        n += (size_t)snprintf(supply + n, sizeof supply - n,
                              "      - {id: gen, type: generator, capacity_mw: %.2f,"
                              " start_s: %d, price_usd_per_mwh: 250}\n", g.generator_mw,
                              g.start_s);
    if (g.reactor)
        snprintf(supply + n, sizeof supply - n,
                 "      - {id: smr, type: reactor, model: rx, units: %d, net_mw: %.2f,"
                 " forced_outage_rate: 0.1, mean_repair_h: %.1f}\n", g.units, g.reactor_mw,
                 g.repair_h);
    n = (size_t)snprintf(it, sizeof it,
                         "      - {id: early, rack: gb300-nvl72, count: %.0f, workload: %s,"
                         " utilization: %.2f}\n", g.early, workloads[g.early_work], g.early_util);
    if (g.miners > 0)
        n += (size_t)snprintf(it + n, sizeof it - n,
                              "      - {id: miners, rack: s21-hydro-container, count: %.0f,"
                              " workload: mining}\n", g.miners);
    snprintf(it + n, sizeof it - n,
             "      - {id: late, rack: %s, count: %.17g, workload: %s, utilization: %.17g,"
             " flexible: %s, online: 2027-%s:17Z}\n",
             g.late_rack ? "gb300-nvl72" : "gb200-nvl72", count, workloads[g.late_work],
             utilization, g.late_flexible ? "true" : "false",
             day_time(month, g.late_min, t1, sizeof t1));
    snprintf(cooling, sizeof cooling,
             "      liquid: {supply_c: %d, rejection: %s, capacity_mw: %.1f, approach_k: 6%s}\n"
             "      air: {supply_c: 24, economizer: true, capacity_mw: %.1f}\n",
             g.supply_c, rejections[g.rejection], g.liquid_mw, g.volume ? ", volume_m3: 30" : "",
             g.air_mw);
    if (g.events)
        snprintf(events, sizeof events,
                 "events:\n"
                 "  - {type: grid_outage, at: 2027-%s:00Z, duration: %dmin, site: s, supply: g}\n"
                 "  - {type: cooling_loss, at: 2027-%s:00Z, duration: %dmin, site: s,"
                 " loop: liquid, fraction: %.2f}\n",
                 day_time(month, g.grid_min, t1, sizeof t1), g.grid_len_min,
                 day_time(month, g.loss_min, t2, sizeof t2), g.loss_len_min, g.loss_fraction);
    snprintf(text, len,
             "name: generated\nstart: 2027-%02d-01\nduration: 20d\ntimestep: %s\nseed: %d\n"
             "%s"
             "sites:\n"
             "  - id: s\n"
             "    climate: %s\n"
             "    supply:\n%s"
             "    it:\n%s"
             "    cooling:\n%s"
             "%s"
             "models:\n"
             "  reactors:\n"
             "    - {id: rx, net_mw: 100, forced_outage_rate: 0.05, mean_repair_h: 24,"
             " refuel_interval_d: 0, refuel_outage_d: 0}\n",
             month, steps[g.step], g.seed, events, climates[g.climate], supply, it, cooling,
             g.two_sites ? "  - id: t\n"
                           "    climate: north-dakota\n"
                           "    supply:\n"
                           "      - {id: g, type: grid, contract_mw: 9,"
                           " outages: {per_year: 100, mean_h: 2}}\n"
                           "    it:\n"
                           "      - {id: p, rack: gb300-nvl72, count: 60, workload: training}\n"
                           "    cooling: {liquid: {rejection: hybrid, capacity_mw: 10},"
                           " air: {capacity_mw: 2}}\n"
                         : "");
}

static struct scenario *parse_generated(unsigned long seed, double count, double utilization,
                                        int64_t *late_s)
{
    char text[8192];
    render_generated(seed, count, utilization, text, sizeof text, late_s);
    struct scenario *sc = NULL;
    struct diag d;
    diag_init(&d);
    int rc = scenario_parse("generated.yaml", text, strlen(text), &cat, &sc, &d);
    ck_assert_msg(rc == 0, "seed %lu does not load:\n%s\n%s", seed, diag_text(&d), text);
    diag_release(&d);
    return sc;
}

/* Over generated scenarios (a climate, a grid with outages and maybe a curtailment calendar
 * and a demand charge, maybe a battery, generators, reactor units with forced outages, each
 * rejection type, a loop with thermal mass or not, a grid outage and a cooling loss near the
 * fork, a second site): a run of the late pool at one count and utilization resumed from
 * the snapshot of a run at another, taken before the first step at or after its online
 * time, gives the bits of its own run from the start. */
START_TEST(test_snapshot_resume_generated)
{
    for (unsigned long seed = 1; seed <= N_GENERATED; seed++) {
        int64_t late_s;
        struct scenario *a = parse_generated(seed, 150, 0.8, &late_s);
        struct scenario *b = parse_generated(seed, 40 + 10 * (double)seed, 0.55, &late_s);
        ck_assert_int_eq(a->sites[0].pools[a->sites[0].n_pools - 1].online_s, late_s);
        int64_t k = late_s / a->timestep_s + 1;   /* late_s is mid-step */
        struct sim_snapshot *snap = NULL;
        struct result a_saved, b_full, b_resumed;
        run_snapshot(a, 1, NULL, k, &snap, &a_saved);
        ck_assert_msg(snap != NULL, "seed %lu: no snapshot before step %lld", seed,
                      (long long)k);
        run_snapshot(b, 1, NULL, 0, NULL, &b_full);
        run_snapshot(b, seed % 5 == 0 ? 2 : 1, snap, 0, NULL, &b_resumed);
        char what[64];
        snprintf(what, sizeof what, "seed %lu: total", seed);
        same_bits(b_full.sum.total, b_resumed.sum.total, N_METRICS, what);
        snprintf(what, sizeof what, "seed %lu: sites", seed);
        same_bits(&b_full.sum.site[0][0], &b_resumed.sum.site[0][0], b->n_sites * N_METRICS,
                  what);
        result_free(&a_saved);
        result_free(&b_full);
        result_free(&b_resumed);
        sim_snapshot_destroy(snap);
        scenario_destroy(a);
        scenario_destroy(b);
    }
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("solver_cache");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, cat_setup, cat_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_trials_cache_and_threads);
    tcase_add_test(tc, test_sites_team_decimated);
    tcase_add_test(tc, test_sites_taken_by_others);
    tcase_add_test(tc, test_snapshot_resume);
    tcase_add_test(tc, test_snapshot_resume_generated);
    suite_add_tcase(s, tc);
    return s;
}

TESTUTIL_MAIN(make_suite)
