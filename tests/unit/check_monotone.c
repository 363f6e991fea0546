/* check_monotone.c — properties of the dispatch held over many generated scenarios
 * (docs/model.md "Dispatch that never gets worse with more equipment").
 *
 * Each scenario is drawn at random (seeded, so the suite is deterministic): a site with
 * constant weather, a firm pool and sometimes a flexible one, a grid with random outages and
 * a scripted outage, reactors with forced outages, a battery, generators, a chiller loop and
 * an air side, at a random step length. Then one thing is made larger and the run repeated
 * with the same seed (common random numbers: the outages are drawn from streams keyed by the
 * supplies' ids, so they are the same draws). For every trial:
 *  - more battery power, more battery energy or more generator capacity never increases the
 *    unserved energy (facility MWh of firm load not served);
 *  - a larger grid contract never increases it either, in scenarios without generators
 *    (with generators a larger contract can let a generator stop that would have been
 *    running at the next outage: docs/model.md states that exception);
 *  - more cooling capacity never increases the IT throttled (the unserved facility power
 *    and even the firm IT not served may grow when supply is short: IT that was throttled
 *    now draws power, and air-cooled IT, which costs more cooling power than liquid-cooled
 *    IT, no longer leaves its share of a short supply to the cheaper liquid-cooled racks).
 * (The firm IT not served, in IT MWh, is not held: a battery that serves load earlier serves
 * it at that hour's ratio of facility to IT power, which the throttling of some pools can
 * change from hour to hour.) Separately, the same scenarios at 1 min and at 1 h steps give the same unserved energy and
 * hours within 1 % when the load is constant (event-exact steps). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "catalog.h"
#include "err.h"
#include "results.h"
#include "scenario.h"
#include "solver.h"
#include "testutil.h"

#define N_SCENARIOS 200
#define TRIALS 3
#define REL_TOL 1e-9

struct gen_scenario {
    int step_min;                   /* timestep, min */
    double drybulb_c, wetbulb_c;
    double firm_racks, flex_racks;  /* 1 MW racks */
    double liquid_share;            /* of the firm racks that are liquid-cooled */
    double grid_mw, grid_per_year, grid_mean_h;
    int grid_event;                 /* a scripted grid outage */
    double event_h, event_len_min;
    int units;
    double unit_mw, forced_outage_rate, mean_repair_h;
    double battery_mw, battery_mwh;
    double generator_mw, start_s;
    double liquid_mw, air_mw;
};

static double uniform(gsl_rng *r, double a, double b)
{
    return a + (b - a) * gsl_rng_uniform(r);
}

static void draw(gsl_rng *r, struct gen_scenario *g)
{
    static const int steps[] = {1, 5, 15, 60};
    memset(g, 0, sizeof *g);
    g->step_min = steps[gsl_rng_uniform_int(r, 4)];
    g->drybulb_c = uniform(r, -5, 40);
    g->wetbulb_c = g->drybulb_c - uniform(r, 0, 10);
    g->firm_racks = (double)(20 + gsl_rng_uniform_int(r, 60));
    g->flex_racks = gsl_rng_uniform(r) < 0.5 ? (double)gsl_rng_uniform_int(r, 40) : 0;
    g->liquid_share = uniform(r, 0, 1);
    double f_mw = 1.15 * (g->firm_racks + g->flex_racks);   /* about the facility demand */
    g->grid_mw = uniform(r, 0.2, 1.1) * f_mw;
    g->grid_per_year = uniform(r, 50, 400);
    g->grid_mean_h = uniform(r, 0.05, 6);
    g->grid_event = gsl_rng_uniform(r) < 0.5;
    g->event_h = uniform(r, 0, 60);
    g->event_len_min = uniform(r, 1, 300);
    g->units = (int)gsl_rng_uniform_int(r, 3);
    g->unit_mw = uniform(r, 0.1, 0.6) * f_mw;
    g->forced_outage_rate = uniform(r, 0.02, 0.3);
    g->mean_repair_h = uniform(r, 0.5, 24);
    g->battery_mw = gsl_rng_uniform(r) < 0.8 ? uniform(r, 0, 0.5) * f_mw : 0;
    g->battery_mwh = uniform(r, 0, 2) * f_mw;
    g->generator_mw = gsl_rng_uniform(r) < 0.8 ? uniform(r, 0, 0.8) * f_mw : 0;
    g->start_s = uniform(r, 0, 900);
    g->liquid_mw = uniform(r, 0.3, 1.2) * g->firm_racks * g->liquid_share + 0.1;
    g->air_mw = uniform(r, 0.3, 1.5) * (g->firm_racks * (1 - g->liquid_share) + g->flex_racks) +
                0.1;
}

/* The scenario's YAML (static buffer). */
static const char *render(const struct gen_scenario *g, int step_min)
{
    static char text[8192];
    char supply[2048] = "", it[1024] = "", events[512] = "";
    size_t n = 0;
    n += (size_t)snprintf(supply + n, sizeof supply - n,
                          "      - {id: grid, type: grid, contract_mw: %.17g, price_usd_per_mwh: 50,"
                          " outages: {per_year: %.17g, mean_h: %.17g}}\n",
                          g->grid_mw, g->grid_per_year, g->grid_mean_h);
    if (g->units > 0)
        n += (size_t)snprintf(supply + n, sizeof supply - n,
                              "      - {id: smr, type: reactor, model: rx, units: %d, net_mw: %.17g,"
                              " forced_outage_rate: %.17g, mean_repair_h: %.17g}\n",
                              g->units, g->unit_mw, g->forced_outage_rate, g->mean_repair_h);
    if (g->battery_mw > 0)
        n += (size_t)snprintf(supply + n, sizeof supply - n,
                              "      - {id: bess, type: battery, power_mw: %.17g, energy_mwh: %.17g,"
                              " initial_soc: 0.7}\n", g->battery_mw, g->battery_mwh);
    if (g->generator_mw > 0)
        snprintf(supply + n, sizeof supply - n,
                 "      - {id: gens, type: generator, capacity_mw: %.17g, start_s: %.17g,"
                 " price_usd_per_mwh: 250}\n", g->generator_mw, g->start_s);
    double liquid = floor(g->firm_racks * g->liquid_share);
    n = 0;
    if (liquid > 0)
        n += (size_t)snprintf(it + n, sizeof it - n,
                              "      - {id: gpu, rack: liq, count: %.17g, workload: constant,"
                              " utilization: 1}\n", liquid);
    if (g->firm_racks - liquid > 0)
        n += (size_t)snprintf(it + n, sizeof it - n,
                              "      - {id: cpu, rack: box, count: %.17g, workload: constant,"
                              " utilization: 1}\n", g->firm_racks - liquid);
    if (g->flex_racks > 0)
        snprintf(it + n, sizeof it - n,
                 "      - {id: miners, rack: box, count: %.17g, workload: mining}\n",
                 g->flex_racks);
    if (g->grid_event) {
        int minutes = (int)(g->event_h * 60);
        snprintf(events, sizeof events,
                 "events:\n  - {type: grid_outage, at: 2027-01-0%dT%02d:%02d:17Z, duration: %ds,"
                 " site: s, supply: grid}\n", 1 + minutes / 1440, minutes / 60 % 24, minutes % 60,
                 (int)(g->event_len_min * 60));
    }
    snprintf(text, sizeof text,
             "name: mono\nstart: 2027-01-01\nduration: 3d\ntimestep: %dmin\nseed: 7\ntrials: %d\n"
             "sites:\n"
             "  - id: s\n"
             "    weather: {constant: {drybulb_c: %.17g, wetbulb_c: %.17g}}\n"
             "    supply:\n%s"
             "    it:\n%s"
             "    cooling:\n"
             "      liquid: {rejection: chiller, capacity_mw: %.17g}\n"
             "      air: {capacity_mw: %.17g}\n"
             "%s"
             "models:\n"
             "  racks:\n"
             "    - {id: box, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 0}\n"
             "    - {id: liq, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 1,"
             " coolant_max_c: 45}\n"
             "  reactors:\n"
             "    - {id: rx, net_mw: 100, forced_outage_rate: 0.05, mean_repair_h: 24,"
             " refuel_interval_d: 0, refuel_outage_d: 0}\n",
             step_min, TRIALS, g->drybulb_c, g->wetbulb_c, supply, it, g->liquid_mw, g->air_mw,
             events);
    return text;
}

struct outcome {
    double unserved_mwh[TRIALS];
    double unserved_h[TRIALS];
    double firm_short_mwh[TRIALS];   /* curtailed + throttled firm IT */
    double throttle_mwh[TRIALS];
};

static void run(const char *text, struct outcome *o)
{
    struct catalog cat;
    memset(&cat, 0, sizeof cat);
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    int rc = scenario_parse("mono.yaml", text, strlen(text), &cat, &sc, &d);
    if (rc)
        diag_print(&d, stderr);
    ck_assert_msg(rc == 0, "generated scenario does not load:\n%s", text);
    struct sim *sim = NULL;
    ck_assert_int_eq(sim_create(sc, &sim, &d), 0);
    struct sim_options opt = {.threads = 1};
    struct sim_summary sum;
    ck_assert_int_eq(sim_run(sim, &opt, &sum, &d), 0);
    for (int t = 0; t < TRIALS; t++) {
        const double *m = sum.trial_total[t];
        o->unserved_mwh[t] = m[M_UNSERVED_ENERGY_MWH];
        o->unserved_h[t] = m[M_UNSERVED_HOURS];
        o->firm_short_mwh[t] = m[M_CURTAILED_ENERGY_MWH] + m[M_THROTTLE_FIRM_ENERGY_MWH];
        o->throttle_mwh[t] = m[M_THROTTLE_ENERGY_MWH];
    }
    sim_summary_release(&sum);
    sim_destroy(sim);
    scenario_destroy(sc);
    diag_release(&d);
}

static int not_worse(double more, double base)
{
    return more <= base * (1 + REL_TOL) + 1e-9;
}

enum change { MORE_BATTERY_MW, MORE_BATTERY_MWH, MORE_GENERATOR_MW, MORE_GRID_MW,
              MORE_COOLING_MW, N_CHANGES };
static const char *const change_names[N_CHANGES] = {
    "battery power", "battery energy", "generator capacity", "grid contract", "cooling capacity"};

START_TEST(test_more_equipment_never_worse)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261201);
    int compared = 0, differed = 0;
    for (int i = 0; i < N_SCENARIOS; i++) {
        struct gen_scenario base;
        draw(r, &base);
        for (int c = 0; c < N_CHANGES; c++) {
            struct gen_scenario a = base, b;
            if (c == MORE_GRID_MW)
                a.generator_mw = 0;   /* the documented exception */
            b = a;
            double f = uniform(r, 1.05, 2.0);
            switch (c) {
            case MORE_BATTERY_MW:
                if (a.battery_mw == 0)
                    continue;
                b.battery_mw *= f;
                break;
            case MORE_BATTERY_MWH:
                if (a.battery_mw == 0)
                    continue;
                b.battery_mwh *= f;
                break;
            case MORE_GENERATOR_MW:
                if (a.generator_mw == 0)
                    continue;
                b.generator_mw *= f;
                break;
            case MORE_GRID_MW:
                b.grid_mw *= f;
                break;
            default:
                b.liquid_mw *= f;
                b.air_mw *= f;
                break;
            }
            struct outcome oa, ob;
            run(render(&a, a.step_min), &oa);
            run(render(&b, b.step_min), &ob);
            for (int t = 0; t < TRIALS; t++) {
                if (c == MORE_COOLING_MW) {
                    ck_assert_msg(not_worse(ob.throttle_mwh[t], oa.throttle_mwh[t]),
                                  "scenario %d, more %s (x%.3f), trial %d: throttled %.9g MWh, "
                                  "%.9g before\n%s", i, change_names[c], f, t, ob.throttle_mwh[t],
                                  oa.throttle_mwh[t], render(&a, a.step_min));
                    differed += ob.throttle_mwh[t] < oa.throttle_mwh[t] - 1e-6;
                    continue;
                }
                ck_assert_msg(not_worse(ob.unserved_mwh[t], oa.unserved_mwh[t]),
                              "scenario %d, more %s (x%.3f), trial %d: unserved %.9g MWh, "
                              "%.9g before\n%s", i, change_names[c], f, t,
                              ob.unserved_mwh[t], oa.unserved_mwh[t], render(&a, a.step_min));
                differed += ob.unserved_mwh[t] < oa.unserved_mwh[t] - 1e-6;
            }
            compared++;
        }
    }
    /* the property is not vacuous: the changes did help in many trials */
    ck_assert_int_ge(compared, 4 * N_SCENARIOS * 3 / 4);
    ck_assert_msg(differed > compared / 4, "only %d of %d comparisons changed anything",
                  differed, compared);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_step_length_does_not_matter)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 424242);
    int with_shortfall = 0;
    for (int i = 0; i < N_SCENARIOS / 3; i++) {
        struct gen_scenario g;
        draw(r, &g);
        struct outcome fine, coarse;
        run(render(&g, 1), &fine);
        run(render(&g, 60), &coarse);
        for (int t = 0; t < TRIALS; t++) {
            ck_assert_msg(fabs(coarse.unserved_mwh[t] - fine.unserved_mwh[t]) <=
                              0.01 * fine.unserved_mwh[t] + 1e-6,
                          "scenario %d trial %d: unserved %.9g MWh at 1 h, %.9g at 1 min\n%s", i,
                          t, coarse.unserved_mwh[t], fine.unserved_mwh[t], render(&g, 60));
            ck_assert_msg(fabs(coarse.unserved_h[t] - fine.unserved_h[t]) <=
                              0.01 * fine.unserved_h[t] + 1e-9,
                          "scenario %d trial %d: unserved %.9g h at 1 h, %.9g at 1 min\n%s", i, t,
                          coarse.unserved_h[t], fine.unserved_h[t], render(&g, 60));
            with_shortfall += fine.unserved_mwh[t] > 0;
        }
    }
    ck_assert_int_gt(with_shortfall, N_SCENARIOS / 3);
    gsl_rng_free(r);
}
END_TEST

static Suite *monotone_suite(void)
{
    Suite *s = suite_create("monotone");
    TCase *tc = tcase_create("properties");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_more_equipment_never_worse);
    tcase_add_test(tc, test_step_length_does_not_matter);
    suite_add_tcase(s, tc);
    return s;
}

TESTUTIL_MAIN(monotone_suite)
