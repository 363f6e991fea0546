/* check_money.c — unit tests of the time-series inputs (sim/input/tseries.h), gas turbines'
 * dispatch (sim/physics/supply.h), monthly demand charges, emissions, the hourly carbon-free share
 * and the economics (through the solver on YAML scenarios with constant weather). Every
 * expected value is worked out beside it (docs/model.md "Money and carbon"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "err.h"
#include "results.h"
#include "scenario.h"
#include "solver.h"
#include "supply.h"
#include "testutil.h"
#include "timefmt.h"
#include "tseries.h"

#define TOL 1e-9
#define H ((int64_t)3600)
#define DAY ((int64_t)86400)

static char dir[64];

static void dir_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/check_money.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static int64_t t2027(void)
{
    return timefmt_days_from_civil(2027, 1, 1) * DAY;
}

/* ---- time series ---- */

START_TEST(test_series_irregular)
{
    /* rows at 0, 1 h, 3 h (a 2-h gap), 3.5 h: values hold until the next row; the last row
     * holds for as long as the interval before it (30 min): covers [0, 4 h) */
    const char *p = write_file("a.csv", "time,price,other\n"
                                        "2027-01-01T00:00:00Z,10,1\n"
                                        "2027-01-01T01:00:00Z,20,1\n"
                                        "2027-01-01T03:00:00Z,40,1\n"
                                        "2027-01-01T03:30:00Z,100,1\n");
    struct diag d;
    diag_init(&d);
    struct tseries s;
    ck_assert_int_eq(tseries_read_csv(p, "price", t2027(), 4 * H, -1e9, 1e9, &s, &d), 0);
    ck_assert_uint_eq(s.n, 4);
    ck_assert_int_eq(s.end_s, 4 * H);
    ck_assert_double_eq_tol(tseries_mean(&s, 0, H), 10, TOL);
    ck_assert_double_eq_tol(tseries_mean(&s, H, 3 * H), 20, TOL);     /* the gap holds 20 */
    /* [30 min, 1.5 h): half 10, half 20 */
    ck_assert_double_eq_tol(tseries_mean(&s, 1800, 5400), 15, TOL);
    /* [0, 4 h): (10 + 2·20 + 0.5·40 + 0.5·100)/4 = 30 */
    ck_assert_double_eq_tol(tseries_mean(&s, 0, 4 * H), 30, TOL);
    ck_assert_double_eq_tol(tseries_mean(&s, 3 * H + 1800, 4 * H), 100, TOL);
    tseries_release(&s);
    /* the run is longer than the series: an error that says what it covers */
    ck_assert_int_eq(tseries_read_csv(p, "price", t2027(), 5 * H, -1e9, 1e9, &s, &d),
                     DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "covers 2027-01-01T00:00:00Z to "
                                              "2027-01-01T04:00:00Z; the run needs"), 1);
    /* a run starting before the first row */
    ck_assert_int_eq(tseries_read_csv(p, "price", t2027() - 60, H, -1e9, 1e9, &s, &d),
                     DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 2);
    diag_release(&d);
}
END_TEST

START_TEST(test_series_errors)
{
    struct {
        const char *text, *column, *message;
        int line, col;
    } cases[] = {
        {"time,price\n2027-01-01T00:00:00Z,10\n", "cost", "no column 'cost'", 1, 1},
        {"when,price\n", "price", "the first column must be 'time'", 1, 1},
        {"time,price\n2027-01-01T00:00:00Z,10\n2027-01-01T01:00:00Z,abc\n", "price",
         "bad value 'abc'", 3, 22},
        {"time,price\n2027-01-01T00:00:00Z,10\n2027-13-01T01:00:00Z,11\n", "price",
         "bad time", 3, 1},
        {"time,price\n2027-01-01T01:00:00Z,10\n2027-01-01T01:00:00Z,11\n", "price",
         "is not after the row before", 3, 1},
        {"time,price\n2027-01-01T00:00:00Z,10\n2027-01-01T01:00:00Z\n", "price",
         "row has 1 fields", 3, 1},
        {"time,price\n", "price", "no rows after the header", 1, 1},
        {"time,u\n2027-01-01T00:00:00Z,1.5\n", "u", "a number from 0 to 1", 2, 22},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = write_file("e.csv", cases[i].text);
        struct diag d;
        diag_init(&d);
        struct tseries s;
        ck_assert_int_eq(tseries_read_csv(p, cases[i].column, t2027(), H, 0, 1e9 * (i != 7) + 1,
                                          &s, &d), DCSIM_EINPUT);
        ck_assert_msg(diag_count_matching(&d, cases[i].message) == 1, "case %zu: no '%s'", i,
                      cases[i].message);
        ck_assert_int_eq(d.msgs[0].line, cases[i].line);
        ck_assert_msg(d.msgs[0].col == cases[i].col, "case %zu: column %d, expected %d", i,
                      d.msgs[0].col, cases[i].col);
        diag_release(&d);
    }
    /* a missing file */
    struct diag d;
    diag_init(&d);
    struct tseries s;
    char missing[128];
    snprintf(missing, sizeof missing, "%s/none.csv", dir);
    ck_assert_int_eq(tseries_read_csv(missing, "x", t2027(), H, 0, 1, &s, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot open the CSV file"), 1);
    diag_release(&d);
}
END_TEST

/* A series is read once and shared by every scenario (sweep case) that names it. */
START_TEST(test_series_shared)
{
    const char *p = write_file("s.csv", "time,v\n2027-01-01T00:00:00Z,1\n2027-01-01T01:00:00Z,2\n");
    struct diag d;
    diag_init(&d);
    const struct tseries *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(tseries_get(p, "v", t2027(), 2 * H, 0, 10, &a, &d), 0);
    ck_assert_int_eq(tseries_get(p, "v", t2027(), 2 * H, 0, 10, &b, &d), 0);
    ck_assert_ptr_eq(a, b);                                  /* the same series */
    ck_assert_int_eq(tseries_get(p, "v", t2027(), H, 0, 10, &c, &d), 0);
    ck_assert_ptr_ne(a, c);                                  /* another run window */
    ck_assert_double_eq_tol(tseries_mean(a, 0, 2 * H), 1.5, TOL);
    tseries_put(a);
    ck_assert_double_eq_tol(tseries_mean(b, 0, 2 * H), 1.5, TOL);   /* still there */
    tseries_put(b);
    tseries_put(c);
    tseries_put(NULL);
    ck_assert_uint_eq(d.n_errors, 0);
    diag_release(&d);
}
END_TEST

/* ---- scenarios through the solver ---- */

struct outcome {
    double m[N_METRICS];
};

static void run_yaml(const char *text, struct outcome *o)
{
    const char *p = write_file("s.yaml", text);
    struct catalog empty;
    memset(&empty, 0, sizeof empty);
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    int rc = scenario_load(p, &empty, &sc, &d);
    if (rc)
        diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    struct sim *sim = NULL;
    ck_assert_int_eq(sim_create(sc, &sim, &d), 0);
    struct sim_options opt = {.threads = 1};
    struct sim_summary sum;
    ck_assert_int_eq(sim_run(sim, &opt, &sum, &d), 0);
    memcpy(o->m, sum.total, sizeof o->m);
    sim_summary_release(&sum);
    sim_destroy(sim);
    scenario_destroy(sc);
    diag_release(&d);
}

/* One box rack = 1 MW flat, all air heat, a lossless chain and an economizer at 15 °C:
 * facility = 1.02 × IT (CRAH fans 0.02). */
#define SITE_HEAD                                                                          \
    "start: 2027-01-01\n"                                                                  \
    "sites:\n"                                                                             \
    "  - id: s\n"                                                                          \
    "    weather: {constant: {drybulb_c: 15, wetbulb_c: 10}}\n"                            \
    "    electrical: {ups_efficiency: 1, transformer_efficiency: 1, distribution_loss: 0," \
    " misc_fraction: 0}\n"
#define BOX_MODELS                                                                         \
    "models:\n  racks:\n"                                                                  \
    "    - {id: box, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 0}\n"

START_TEST(test_demand_charge_monthly)
{
    /* 50 racks (51 MW facility) on a 100 MW grid over Jan 30 – Feb 2 (4 days at 1 h), with
     * the pool at 80 % from Feb 1 (40.8 MW): January is billed on 51 MW, February on 40.8
     * MW: (51 000 + 40 800) kW × 12 $/kW-month = 1 101 600 $ */
    const char *csv = write_file("u.csv", "time,u\n2027-01-30T00:00:00Z,1\n"
                                          "2027-02-01T00:00:00Z,0.8\n2027-02-03T00:00:00Z,0.8\n");
    (void)csv;
    static const char text[] =
        "name: dc\nduration: 4d\ntimestep: 1h\n"
        SITE_HEAD
        "    supply:\n"
        "      - {id: g, type: grid, contract_mw: 100, price_usd_per_mwh: 0,"
        " demand_charge_usd_per_kw_month: 12}\n"
        "    it:\n"
        "      - {id: p, rack: box, count: 50, workload: trace, utilization: {csv: u.csv, column: u}}\n"
        "    cooling:\n      air: {capacity_mw: 1000}\n"
        BOX_MODELS;
    char full[2048];
    snprintf(full, sizeof full, "%s", text);
    /* the run starts on Jan 30 */
    char *at = strstr(full, "start: 2027-01-01");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "start: 2027-01-30", 17);
    struct outcome o;
    run_yaml(full, &o);
    ck_assert_double_eq_tol(o.m[M_DEMAND_CHARGE_USD], (51000.0 + 40800.0) * 12, 1e-6);
    ck_assert_double_eq_tol(o.m[M_TOTAL_COST_USD], o.m[M_ENERGY_COST_USD] +
                            o.m[M_DEMAND_CHARGE_USD], 1e-6);
    /* IT energy: 2 days at 50 MW + 2 days at 40 MW = 4320 MWh; peak 50 */
    ck_assert_double_eq_tol(o.m[M_IT_ENERGY_MWH], 48 * 50.0 + 48 * 40.0, 1e-6);
    ck_assert_double_eq_tol(o.m[M_IT_PEAK_MW], 50, 1e-9);
}
END_TEST

START_TEST(test_turbines_prime_and_backup)
{
    /* 20 racks (20.4 MW facility) for a day at 1 h. A prime turbine of 2 units × 15 MW at
     * 9.5 MMBtu/MWh, 3 $/MMBtu, 53.06 kg/MMBtu, O&M 4 $/MWh carries all of it, before a
     * 50 MW grid at 50 $/MWh: fuel 20.4·24·9.5 = 4651.2 MMBtu, 13 953.6 $, CO2 246.79 t;
     * energy cost 20.4·24·4 = 1958.4 $; no grid energy. */
    static const char prime[] =
        "name: tp\nduration: 1d\ntimestep: 1h\n"
        SITE_HEAD
        "    supply:\n"
        "      - {id: g, type: grid, contract_mw: 50, price_usd_per_mwh: 50}\n"
        "      - {id: gt, type: turbine, role: prime, units: 2, capacity_mw: 15,"
        " heat_rate_mmbtu_per_mwh: 9.5, fuel_usd_per_mmbtu: 3, price_usd_per_mwh: 4}\n"
        "    it:\n"
        "      - {id: p, rack: box, count: 20, workload: constant, utilization: 1}\n"
        "    cooling:\n      air: {capacity_mw: 1000}\n"
        BOX_MODELS;
    struct outcome o;
    run_yaml(prime, &o);
    double e = 20.4 * 24;
    ck_assert_double_eq_tol(o.m[M_TURBINE_ENERGY_MWH], e, 1e-6);
    ck_assert_double_eq_tol(o.m[M_GRID_ENERGY_MWH], 0, 1e-9);
    ck_assert_double_eq_tol(o.m[M_FUEL_MMBTU], e * 9.5, 1e-6);
    ck_assert_double_eq_tol(o.m[M_FUEL_COST_USD], e * 9.5 * 3, 1e-6);
    ck_assert_double_eq_tol(o.m[M_CO2_T], e * 9.5 * 53.06 / 1000, 1e-6);
    ck_assert_double_eq_tol(o.m[M_ENERGY_COST_USD], e * 4, 1e-6);
    ck_assert_double_eq_tol(o.m[M_TOTAL_COST_USD], e * 4 + e * 9.5 * 3, 1e-6);

    /* min load: 0.8 of a 30 MW unit is 24 MW > 20.4 MW, so the grid carries it */
    char text[4096];
    snprintf(text, sizeof text, "%s", prime);
    char *u = strstr(text, "units: 2, capacity_mw: 15,");
    ck_assert_ptr_nonnull(u);
    memcpy(u, "units: 1, capacity_mw: 30,", 26);
    char *end = strstr(text, "price_usd_per_mwh: 4}");
    memmove(end + 24, end, strlen(end) + 1);
    memcpy(end, "min_load_fraction: 0.8, ", 24);
    run_yaml(text, &o);
    ck_assert_double_eq_tol(o.m[M_TURBINE_ENERGY_MWH], 0, 1e-9);
    ck_assert_double_eq_tol(o.m[M_GRID_ENERGY_MWH], e, 1e-6);

    /* backup: a 10 MW grid (short of 20.4) and a backup turbine of 20 MW starting in 10 min:
     * called at 0, ready at 600 s; the first 10 min 10.4 MW are unserved, then it gives
     * 10.4 MW: 10.4·(24 − 1/6) MWh */
    static const char backup[] =
        "name: tb\nduration: 1d\ntimestep: 1h\n"
        SITE_HEAD
        "    supply:\n"
        "      - {id: g, type: grid, contract_mw: 10, price_usd_per_mwh: 50}\n"
        "      - {id: gt, type: turbine, role: backup, capacity_mw: 20, start_s: 600,"
        " heat_rate_mmbtu_per_mwh: 10}\n"
        "    it:\n"
        "      - {id: p, rack: box, count: 20, workload: constant, utilization: 1}\n"
        "    cooling:\n      air: {capacity_mw: 1000}\n"
        BOX_MODELS;
    run_yaml(backup, &o);
    ck_assert_double_eq_tol(o.m[M_TURBINE_ENERGY_MWH], 10.4 * (24 - 1.0 / 6), 1e-6);
    ck_assert_double_eq_tol(o.m[M_UNSERVED_ENERGY_MWH], 10.4 / 6, 1e-6);
    ck_assert_double_eq_tol(o.m[M_UNSERVED_HOURS], 1.0 / 6, 1e-9);
    ck_assert_double_eq_tol(o.m[M_FUEL_MMBTU], 10.4 * (24 - 1.0 / 6) * 10, 1e-6);
}
END_TEST

START_TEST(test_cfe_and_npv)
{
    /* 50 MW facility (49 racks ·1.02 = 49.98... use 50 racks: 51 MW) on a 30 MW reactor and
     * a grid that is half carbon-free at 400 kg/MWh: each hour the clean supply is
     * 30 + 0.5·21 = 40.5 MW of 51: cfe_share = 40.5/51; CO2 = 21 MWh·0.4 t·24 h.
     * Economics: pool capex 10 M$/MW × 50 MW = 500 M$, hosting 150 $/kW-month ×
     * 50 000 kW × 12 = 90 M$/year; costs: grid 21·24·365·40 $ + reactor 30·8760·60 $ a
     * year; NPV over 3 years at 10 %. */
    static const char text[] =
        "name: cfe\nduration: 1y\ntimestep: 1h\n"
        "economics: {years: 3, discount_rate: 0.1}\n"
        SITE_HEAD
        "    supply:\n"
        "      - {id: g, type: grid, contract_mw: 100, price_usd_per_mwh: 40,"
        " co2_kg_per_mwh: 400, cfe_fraction: 0.5}\n"
        "      - {id: r, type: reactor, model: rx, units: 1, net_mw: 30,"
        " forced_outage_rate: 0, price_usd_per_mwh: 60}\n"
        "    it:\n"
        "      - {id: p, rack: box, count: 50, workload: constant, utilization: 1,"
        " capex_usd_per_mw: 10000000, revenue_usd_per_kw_month: 150}\n"
        "    cooling:\n      air: {capacity_mw: 1000}\n"
        BOX_MODELS
        "  reactors:\n"
        "    - {id: rx, net_mw: 30, forced_outage_rate: 0, mean_repair_h: 0,"
        " refuel_interval_d: 0, refuel_outage_d: 0}\n";
    struct outcome o;
    run_yaml(text, &o);
    ck_assert_double_eq_tol(o.m[M_CFE_SHARE], 40.5 / 51, 1e-9);
    ck_assert_double_eq_tol(o.m[M_CO2_T], 21 * 0.4 * 8760, 1e-6);
    double opex = 21 * 8760 * 40.0 + 30 * 8760 * 60.0;
    ck_assert_double_eq_tol(o.m[M_OPEX_USD_PER_YEAR], opex, 1e-3);
    ck_assert_double_eq_tol(o.m[M_CAPEX_USD], 500e6, 1e-3);
    ck_assert_double_eq_tol(o.m[M_REVENUE_USD_PER_YEAR], 90e6, 1e-3);
    double net = 90e6 - opex;
    double npv = -500e6 + net / 1.1 + net / (1.1 * 1.1) + net / (1.1 * 1.1 * 1.1);
    ck_assert_double_eq_tol(o.m[M_NPV_USD], npv, 1e-2);
    ck_assert_double_eq_tol(o.m[M_PAYBACK_YEARS], 500e6 / net, 1e-9);
}
END_TEST

static Suite *money_suite(void)
{
    Suite *s = suite_create("money");
    TCase *ts = tcase_create("tseries");
    tcase_add_checked_fixture(ts, dir_setup, dir_teardown);
    tcase_add_test(ts, test_series_irregular);
    tcase_add_test(ts, test_series_errors);
    tcase_add_test(ts, test_series_shared);
    suite_add_tcase(s, ts);
    TCase *run = tcase_create("runs");
    tcase_add_checked_fixture(run, dir_setup, dir_teardown);
    tcase_set_timeout(run, 60);
    tcase_add_test(run, test_demand_charge_monthly);
    tcase_add_test(run, test_turbines_prime_and_backup);
    tcase_add_test(run, test_cfe_and_npv);
    suite_add_tcase(s, run);
    return s;
}

TESTUTIL_MAIN(money_suite)
