/* check_dispatch.c — unit tests of supply availability and dispatch (sim/physics/supply.h) on
 * hand-built sites, and of the site-level shedding order through the whole solver
 * (sim/solver/solver.h) on scenarios parsed from YAML with constant weather.
 *
 * A round-trip efficiency of 0.81 makes √RTE = 0.9, so the battery arithmetic in the
 * comments comes out in round numbers. Every expected value is worked out beside it from
 * ../shared/model.md "Supply and dispatch". */
#include <math.h>
#include <stdint.h>
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
#include "weather.h"

#define TOL 1e-9
#define H ((int64_t)3600)
#define DAY ((int64_t)86400)

/* ---- hand-built sites ---- */

static struct supply supply_of(const char *id, enum supply_type type)
{
    struct supply s;
    memset(&s, 0, sizeof s);
    snprintf(s.id, sizeof s.id, "%s", id);
    s.type = type;
    s.online_s = TIME_ALWAYS;
    s.offline_s = TIME_NEVER;
    return s;
}

static struct supply grid(double contract_mw, double price)
{
    struct supply s = supply_of("grid", SUPPLY_GRID);
    s.contract_mw = contract_mw;
    s.price_usd_per_mwh = price;
    return s;
}

static struct supply battery(double power_mw, double energy_mwh, double rte, double soc0)
{
    struct supply s = supply_of("bess", SUPPLY_BATTERY);
    s.power_mw = power_mw;
    s.energy_mwh = energy_mwh;
    s.round_trip_efficiency = rte;
    s.initial_soc = soc0;
    return s;
}

static struct supply generator(double capacity_mw, double start_s, double price)
{
    struct supply s = supply_of("gen", SUPPLY_GENERATOR);
    s.capacity_mw = capacity_mw;
    s.start_s = start_s;
    s.price_usd_per_mwh = price;
    return s;
}

static struct supply reactor(double net_mw, int units, double price)
{
    struct supply s = supply_of("smr", SUPPLY_REACTOR);
    snprintf(s.reactor.id, sizeof s.reactor.id, "r");
    s.reactor.net_mw = net_mw;
    s.units = units;
    s.price_usd_per_mwh = price;
    return s;
}

/* A site holding copies of the given supplies; its states made by supply_states_create. */
struct rig {
    struct site site;
    struct supply sp[4];
    struct supply_state *st;
};

static void rig_init(struct rig *r, size_t n, const struct supply *sp)
{
    memset(r, 0, sizeof *r);
    snprintf(r->site.id, sizeof r->site.id, "s");
    memcpy(r->sp, sp, n * sizeof *sp);
    r->site.supplies = r->sp;
    r->site.n_supplies = n;
    /* no curtailment hours: the weather is not consulted (supply.c mark_hottest) */
    ck_assert_int_eq(supply_states_create(&r->site, NULL, 10 * DAY, &r->st), 0);
}

static void rig_release(struct rig *r)
{
    supply_states_destroy(r->st, r->site.n_supplies);
}

/* Time-mean availability of each kind over a step, MW. */
struct supply_totals {
    double reactor_mw, grid_mw, battery_mw, generator_mw;
};

/* One step [t0, t0 + dt) of a firm demand, piece by piece as the site step does it: at each
 * piece's start the availability, then dispatch of min(demand, available) until the next
 * change (or a battery empties or fills). Fills time-means of the availability and the flows
 * (the charge at the end, the cost summed) and returns the mean served power. Counts the
 * pieces into *pieces when not NULL. */
static double step_n(struct rig *r, int64_t t0, int64_t dt, double demand_mw,
                     struct supply_totals *tot, struct supply_flows *fl, int *pieces)
{
    memset(tot, 0, sizeof *tot);
    memset(fl, 0, sizeof *fl);
    double t = (double)t0, end = (double)(t0 + dt), served_mean = 0;
    int n = 0;
    while (t < end) {
        struct supply_instant in;
        supply_instant(&r->site, r->st, t, demand_mw, &in);
        ck_assert(in.next_s > t);
        double piece_end = fmin(end, in.next_s);
        double avail = in.reactor_mw + in.grid_mw + in.generator_mw + in.battery_mw;
        double served = fmin(demand_mw, avail);
        struct supply_flows p;
        double len = supply_dispatch(&r->site, r->st, piece_end - t, served, &p);
        ck_assert(len > 0 && len <= piece_end - t);
        double w = len / (double)dt;
        tot->reactor_mw += w * in.reactor_mw;
        tot->grid_mw += w * in.grid_mw;
        tot->battery_mw += w * in.battery_mw;
        tot->generator_mw += w * in.generator_mw;
        fl->reactor_mw += w * p.reactor_mw;
        fl->grid_mw += w * p.grid_mw;
        fl->battery_mw += w * p.battery_mw;
        fl->generator_mw += w * p.generator_mw;
        fl->battery_soc_mwh = p.battery_soc_mwh;
        fl->cost_usd += p.cost_usd;
        served_mean += w * served;
        t += len;
        n++;
    }
    if (pieces)
        *pieces = n;
    return served_mean;
}

static double step(struct rig *r, int64_t t, int64_t dt, double demand_mw, struct supply_totals *tot,
                   struct supply_flows *fl)
{
    return step_n(r, t, dt, demand_mw, tot, fl, NULL);
}

/* Availability at one instant (also advances generator calls: demand 0 releases them). */
static void instant(struct rig *r, int64_t t, struct supply_instant *in)
{
    supply_instant(&r->site, r->st, (double)t, 0, in);
}

/* ---- batteries ---- */

START_TEST(test_battery_discharge_limit)
{
    /* 10 MW / 5 MWh, RTE 0.81 (√ = 0.9), full, asked for 8 MW over 1 h: it gives 8 MW until
     * empty, after 5·0.9/8 = 0.5625 h (a piece ends there): 4.5 MWh, a mean of 4.5 MW; its
     * 10 MW were available for 0.5625 h, a mean of 5.625 MW */
    struct supply sp[] = {battery(10, 5, 0.81, 1.0)};
    struct rig r;
    rig_init(&r, 1, sp);
    ck_assert_double_eq_tol(r.st[0].soc_mwh, 5.0, TOL);   /* initial_soc 1 × 5 MWh */
    struct supply_totals tot;
    struct supply_flows fl;
    int pieces;
    double served = step_n(&r, 0, H, 8.0, &tot, &fl, &pieces);
    ck_assert_int_eq(pieces, 2);
    ck_assert_double_eq_tol(tot.battery_mw, 5.625, TOL);
    ck_assert_double_eq_tol(served, 4.5, TOL);
    ck_assert_double_eq_tol(fl.battery_mw, 4.5, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 0.0, TOL);
    ck_assert_double_eq_tol(r.st[0].soc_mwh, 0.0, TOL);
    step(&r, H, H, 8.0, &tot, &fl);
    ck_assert_double_eq_tol(tot.battery_mw, 0.0, TOL);
    rig_release(&r);

    /* the same at 1-min steps: the same energy (step-length independence) */
    rig_init(&r, 1, sp);
    double energy = 0;
    for (int64_t t = 0; t < H; t += 60)
        energy += step(&r, t, 60, 8.0, &tot, &fl) * 60.0 / 3600.0;
    ck_assert_double_eq_tol(energy, 4.5, 1e-9);
    rig_release(&r);

    /* half-hour steps: serving 3 MW draws 3·0.5/0.9 = 1.66667 MWh, leaving 3.33333 */
    rig_init(&r, 1, sp);
    step(&r, 0, 1800, 3.0, &tot, &fl);
    ck_assert_double_eq_tol(tot.battery_mw, 10.0, TOL);
    ck_assert_double_eq_tol(fl.battery_mw, 3.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 5.0 - 3.0 * 0.5 / 0.9, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 3.333333333, 1e-8);
    rig_release(&r);

    /* a big battery is limited by its power: 10 MW */
    struct supply big[] = {battery(10, 100, 0.81, 1.0)};
    rig_init(&r, 1, big);
    step(&r, 0, H, 50.0, &tot, &fl);
    ck_assert_double_eq_tol(tot.battery_mw, 10.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 100 - 10 / 0.9, TOL);   /* 88.8889 */
    rig_release(&r);

    /* initial_soc 0.25 of 40 MWh = 10 MWh */
    struct supply quarter[] = {battery(10, 40, 0.81, 0.25)};
    rig_init(&r, 1, quarter);
    ck_assert_double_eq_tol(r.st[0].soc_mwh, 10.0, TOL);
    rig_release(&r);
}
END_TEST

START_TEST(test_battery_charging)
{
    /* grid 20 MW, battery 4 MW / 10 MWh at half charge (5 MWh), demand 10 MW, 1-h steps */
    struct supply sp[] = {grid(20, 0), battery(4, 10, 0.81, 0.5)};
    struct rig r;
    rig_init(&r, 2, sp);
    struct supply_totals tot;
    struct supply_flows fl;
    step(&r, 0, H, 10.0, &tot, &fl);
    /* surplus 10; room (10 − 5)/(0.9·1) = 5.556 MW; power 4: charges 4 MW from the grid,
     * storing 4·0.9 = 3.6 MWh -> 8.6 MWh */
    ck_assert_double_eq_tol(fl.battery_mw, -4.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 14.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 8.6, TOL);
    /* next hour: room 1.4 MWh fills at 4·0.9 = 3.6 MWh/h in 0.3889 h, then the battery
     * idles: a mean of 4·0.3889 = 1.4/0.9 = 1.5556 MW; full at 10 exactly */
    step(&r, H, H, 10.0, &tot, &fl);
    ck_assert_double_eq_tol(fl.battery_mw, -1.4 / 0.9, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 10.0 + 1.4 / 0.9, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 10.0, TOL);
    /* full: nothing more */
    step(&r, 2 * H, H, 10.0, &tot, &fl);
    ck_assert_double_eq_tol(fl.battery_mw, 0.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 10.0, TOL);
    rig_release(&r);

    /* charging only from a surplus: grid 10, demand 10 -> no charge */
    sp[0] = grid(10, 0);
    rig_init(&r, 2, sp);
    step(&r, 0, H, 10.0, &tot, &fl);
    ck_assert_double_eq_tol(fl.battery_mw, 0.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 10.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 5.0, TOL);
    /* short of 2 MW: the battery discharges (and does not charge): 5 − 2/0.9 = 2.7778 */
    step(&r, H, H, 12.0, &tot, &fl);
    ck_assert_double_eq_tol(fl.battery_mw, 2.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 10.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 5.0 - 2.0 / 0.9, TOL);
    rig_release(&r);

    /* the reactor's surplus charges first: reactor 8, grid 10, demand 5: the reactor serves
     * 5 and gives its 3 spare, the grid the other 1 of the 4 MW charge */
    struct supply sp2[] = {reactor(8, 1, 0), grid(10, 0), battery(4, 10, 0.81, 0.0)};
    rig_init(&r, 3, sp2);
    step(&r, 0, H, 5.0, &tot, &fl);
    ck_assert_double_eq_tol(fl.reactor_mw, 8.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 1.0, TOL);
    ck_assert_double_eq_tol(fl.battery_mw, -4.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 3.6, TOL);   /* 4·0.9 */
    rig_release(&r);
}
END_TEST

/* ---- generators ---- */

START_TEST(test_generator_start)
{
    /* grid 10 MW, generator 5 MW starting in 10 s, 60-s steps, demand 12 MW */
    struct supply sp[] = {grid(10, 0), generator(5, 10, 0)};
    struct rig r;
    rig_init(&r, 2, sp);
    struct supply_totals tot;
    struct supply_flows fl;
    /* called at t0 = 0, ready at 10 s: available 5 MW over 50 of the 60 s (4.16667 MW mean);
     * it gives the missing 2 MW over those 50 s (1.66667 MW mean); 2 MW short for 10 s */
    int pieces;
    double served = step_n(&r, 0, 60, 12.0, &tot, &fl, &pieces);
    ck_assert_int_eq(pieces, 2);
    ck_assert_double_eq_tol(tot.generator_mw, 5.0 * 50.0 / 60.0, TOL);
    ck_assert_double_eq_tol(fl.generator_mw, 2.0 * 50.0 / 60.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 10.0, TOL);
    ck_assert_double_eq_tol(served, 12.0 - 2.0 * 10.0 / 60.0, TOL);
    /* still needed: full capacity */
    step(&r, 60, 60, 12.0, &tot, &fl);
    ck_assert_double_eq_tol(tot.generator_mw, 5.0, TOL);
    ck_assert_double_eq_tol(fl.generator_mw, 2.0, TOL);
    /* not needed (demand 8 < grid 10): it stops and delivers nothing */
    step(&r, 120, 60, 8.0, &tot, &fl);
    ck_assert_int_eq(r.st[1].gen_running, 0);
    ck_assert_double_eq_tol(fl.generator_mw, 0.0, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 8.0, TOL);
    /* needed again: a new start, the 10-s delay again; 4 MW over 50 s */
    step(&r, 180, 60, 14.0, &tot, &fl);
    ck_assert_int_eq(r.st[1].gen_running, 1);
    ck_assert_double_eq_tol(tot.generator_mw, 5.0 * 50.0 / 60.0, TOL);
    ck_assert_double_eq_tol(fl.generator_mw, 4.0 * 50.0 / 60.0, TOL);
    rig_release(&r);

    /* start_s 120 with 60-s steps: called at 0, ready at 120: nothing in [0, 60) nor in
     * [60, 120), full from the third step */
    sp[1] = generator(5, 120, 0);
    rig_init(&r, 2, sp);
    step(&r, 0, 60, 12.0, &tot, &fl);
    ck_assert_double_eq(tot.generator_mw, 0.0);
    ck_assert_double_eq(fl.generator_mw, 0.0);
    step(&r, 60, 60, 12.0, &tot, &fl);
    ck_assert_double_eq(tot.generator_mw, 0.0);
    step(&r, 120, 60, 12.0, &tot, &fl);
    ck_assert_double_eq_tol(tot.generator_mw, 5.0, TOL);
    ck_assert_double_eq_tol(fl.generator_mw, 2.0, TOL);
    rig_release(&r);

    /* with a battery: the generator is still called the instant the grid falls short (the
     * battery does not delay it); the battery bridges the 10-s start, then idles */
    struct supply sp3[] = {grid(10, 0), battery(5, 10, 0.81, 1.0), generator(5, 10, 0)};
    rig_init(&r, 3, sp3);
    served = step(&r, 0, 60, 12.0, &tot, &fl);
    ck_assert_int_eq(r.st[2].gen_running, 1);
    ck_assert_double_eq_tol(served, 12.0, TOL);
    ck_assert_double_eq_tol(fl.battery_mw, 2.0 * 10.0 / 60.0, TOL);
    ck_assert_double_eq_tol(fl.generator_mw, 2.0 * 50.0 / 60.0, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 10.0 - 2.0 * 10.0 / 3600.0 / 0.9, TOL);
    rig_release(&r);

    /* a generator short of the gap: the battery covers only what it cannot (7 − 5 = 2 MW) */
    struct supply sp4[] = {grid(10, 0), battery(20, 10, 0.81, 1.0), generator(5, 0, 0)};
    rig_init(&r, 3, sp4);
    step(&r, 0, H, 17.0, &tot, &fl);
    ck_assert_double_eq_tol(fl.generator_mw, 5.0, TOL);
    ck_assert_double_eq_tol(fl.battery_mw, 2.0, TOL);
    rig_release(&r);
}
END_TEST

/* Several edges inside one step: a 1-h step with a scripted grid outage over [600, 1500) s,
 * a generator (15 MW, start 300 s) and a full battery (5 MW / 10 MWh, √RTE 0.9), demand 12 MW
 * on a 20 MW grid. Pieces: [0, 600) the grid; at 600 the grid fails, the generator is called
 * (ready at 900) and the battery gives its 5 MW, 7 MW short, until 900; [900, 1500) the
 * generator carries the 12 MW; at 1500 the grid is back and the generator released; the
 * battery, short 5·300/3600/0.9 = 0.462963 MWh, charges at 5 MW (√RTE in: 4.5 MWh/h) for
 * 370.37 s; then idles: 5 pieces. */
START_TEST(test_several_edges_in_one_step)
{
    struct supply sp[] = {grid(20, 0), battery(5, 10, 0.81, 1.0), generator(15, 300, 0)};
    struct rig r;
    rig_init(&r, 3, sp);
    struct event ev = {.type = EVENT_GRID_OUTAGE, .start_s = 600, .end_s = 1500, .supply = 0};
    r.site.events = &ev;
    r.site.n_events = 1;
    struct supply_totals tot;
    struct supply_flows fl;
    int pieces;
    double served = step_n(&r, 0, H, 12.0, &tot, &fl, &pieces);
    double lost_mwh = 5.0 * 300 / 3600 / 0.9;
    double charge_s = lost_mwh / (5.0 * 0.9) * 3600;
    ck_assert_int_eq(pieces, 5);
    ck_assert_double_eq_tol(charge_s, 370.37037037, 1e-6);
    ck_assert_double_eq_tol(served, 12.0 - 7.0 * 300 / 3600, TOL);
    ck_assert_double_eq_tol(fl.generator_mw, 12.0 * 600 / 3600, TOL);
    ck_assert_double_eq_tol(fl.battery_mw, (5.0 * 300 - 5.0 * charge_s) / 3600, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, (12.0 * (3600 - 900) + 5.0 * charge_s) / 3600, TOL);
    ck_assert_double_eq_tol(fl.battery_soc_mwh, 10.0, TOL);
    ck_assert_int_eq(r.st[2].gen_running, 0);
    /* availability: the grid for 2700 s, the generator for 600 s, the battery all hour */
    ck_assert_double_eq_tol(tot.grid_mw, 20.0 * 2700 / 3600, TOL);
    ck_assert_double_eq_tol(tot.generator_mw, 15.0 * 600 / 3600, TOL);
    ck_assert_double_eq_tol(tot.battery_mw, 5.0, TOL);
    rig_release(&r);
}
END_TEST

/* ---- reactors ---- */

START_TEST(test_reactor_refuelling)
{
    /* 3 units of 100 MW, refuelling every 30 d for 3 d, unit 0 first at day 30: units are
     * staggered by 30/3 = 10 d, so unit 0 is out [30, 33), unit 1 [40, 43), unit 2 [50, 53),
     * then unit 0 again [60, 63) ... */
    struct supply rx = reactor(100, 3, 0);
    rx.reactor.refuel_interval_d = 30;
    rx.reactor.refuel_outage_d = 3;
    rx.first_refuel_s = 30 * DAY;
    ck_assert_int_eq(supply_reactor_units_up(&rx, 0), 3);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 30 * DAY - 1), 3);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 30 * DAY), 2);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 33 * DAY - 1), 2);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 33 * DAY), 3);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 40 * DAY), 2);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 45 * DAY), 3);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 52 * DAY), 2);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 53 * DAY), 3);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 60 * DAY), 2);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 72 * DAY), 2);   /* unit 1: 70 + 2 */
    ck_assert_int_eq(supply_reactor_units_up(&rx, 366 * DAY), 3);  /* 366 = 360 + 6: unit 0 done */
    /* availability through supply_instant: 2 units × 100 MW during unit 0's outage, until
     * its end at day 33; then 300 MW until unit 1 goes at day 40 */
    struct rig r;
    rig_init(&r, 1, &rx);
    struct supply_instant in;
    instant(&r, 31 * DAY, &in);
    ck_assert_double_eq_tol(in.reactor_mw, 200.0, TOL);
    ck_assert_double_eq(in.next_s, (double)(33 * DAY));
    instant(&r, 35 * DAY, &in);
    ck_assert_double_eq_tol(in.reactor_mw, 300.0, TOL);
    ck_assert_double_eq(in.next_s, (double)(40 * DAY));
    /* a step across the edge at day 33 is cut there: 200 MW for 1 h, 300 for 2 h */
    struct supply_totals tot;
    struct supply_flows fl;
    int pieces;
    step_n(&r, 33 * DAY - H, 3 * H, 1000, &tot, &fl, &pieces);
    ck_assert_int_eq(pieces, 2);
    ck_assert_double_eq_tol(tot.reactor_mw, (200.0 + 2 * 300.0) / 3, TOL);
    rig_release(&r);
    /* no refuelling outage: every unit */
    rx.reactor.refuel_outage_d = 0;
    ck_assert_int_eq(supply_reactor_units_up(&rx, 30 * DAY), 3);
    /* online window */
    rx.online_s = 10 * DAY;
    rx.offline_s = 20 * DAY;
    ck_assert_int_eq(supply_reactor_units_up(&rx, 10 * DAY - 1), 0);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 10 * DAY), 3);
    ck_assert_int_eq(supply_reactor_units_up(&rx, 20 * DAY), 0);
}
END_TEST

START_TEST(test_costs)
{
    /* reactor 300 MW at 90 $/MWh (take-or-pay), grid 100 MW at 45, generator 50 MW at 250
     * starting at once, 1-h steps */
    struct supply sp[] = {reactor(300, 1, 90), grid(100, 45), generator(50, 0, 250)};
    struct rig r;
    rig_init(&r, 3, sp);
    struct supply_totals tot;
    struct supply_flows fl;
    /* demand 100: the reactor serves it all, yet all 300 MW available are paid:
     * 300·1·90 = 27 000 $ */
    step(&r, 0, H, 100, &tot, &fl);
    ck_assert_double_eq_tol(fl.reactor_mw, 100, TOL);
    ck_assert_double_eq_tol(fl.grid_mw, 0, TOL);
    ck_assert_double_eq_tol(fl.cost_usd, 27000, 1e-6);
    /* demand 350: reactor 300 + grid 50: 27 000 + 50·45 = 29 250 $ */
    step(&r, H, H, 350, &tot, &fl);
    ck_assert_double_eq_tol(fl.grid_mw, 50, TOL);
    ck_assert_double_eq_tol(fl.cost_usd, 29250, 1e-6);
    /* demand 450: generator needed (300 + 100 < 450), 50 MW from it:
     * 27 000 + 100·45 + 50·250 = 27 000 + 4 500 + 12 500 = 44 000 $ */
    step(&r, 2 * H, H, 450, &tot, &fl);
    ck_assert_double_eq_tol(fl.generator_mw, 50, TOL);
    ck_assert_double_eq_tol(fl.cost_usd, 44000, 1e-6);
    /* a 15-min step costs a quarter: demand 100 -> 300·0.25·90 = 6 750 $ */
    step(&r, 3 * H, 900, 100, &tot, &fl);
    ck_assert_double_eq_tol(fl.cost_usd, 6750, 1e-6);
    rig_release(&r);
}
END_TEST

/* ---- grid curtailment: the hottest hours ---- */

START_TEST(test_curtailment_ties_earliest)
{
    /* constant weather: every hour ties, so the earliest hours go first: with 5 hours a
     * year, hours 0-4 of each 365-day year */
    struct supply g = grid(100, 0);
    g.curtail_hours_per_year = 5;
    g.curtail_level_mw = 10;
    struct site site;
    memset(&site, 0, sizeof site);
    site.supplies = &g;
    site.n_supplies = 1;
    struct weather *w = NULL;
    ck_assert_int_eq(weather_create_constant(30, 20, &w), 0);
    struct supply_state *st = NULL;
    ck_assert_int_eq(supply_states_create(&site, w, 2 * SECONDS_PER_YEAR, &st), 0);
    ck_assert_int_eq(st[0].n_hours, 2 * 8760);
    int count = 0;
    for (int64_t h = 0; h < st[0].n_hours; h++)
        count += st[0].curtailed[h];
    ck_assert_int_eq(count, 10);
    for (int64_t h = 0; h < 5; h++) {
        ck_assert_int_eq(st[0].curtailed[h], 1);
        ck_assert_int_eq(st[0].curtailed[8760 + h], 1);
    }
    ck_assert_int_eq(st[0].curtailed[5], 0);
    /* available: level_mw inside a curtailed hour (also a 15-min step within it), the
     * contract outside */
    struct supply_instant in;
    supply_instant(&site, st, (double)(3 * H + 900), 0, &in);
    ck_assert_double_eq(in.grid_mw, 10);
    ck_assert_double_eq(in.next_s, (double)(5 * H));   /* hours 0-4 curtailed */
    supply_instant(&site, st, (double)(5 * H), 0, &in);
    ck_assert_double_eq(in.grid_mw, 100);
    ck_assert_double_eq(in.next_s, (double)(8760 * H));
    supply_states_destroy(st, 1);
    weather_destroy(w);
}
END_TEST

/* An EPW whose row k (hour ending k+1 after Jan 1 00:00, UTC) has dry bulb (k+1)/200 °C:
 * a ramp through the year from 0.005 to 43.8 °C. */
static void write_ramp_epw(const char *path)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("LOCATION,Ramp,TX,USA,TEST,999999,32.40,-99.68,0.0,534.0\n"
          "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\n"
          "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,check_dispatch\nCOMMENTS 2,\n"
          "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n", f);
    int month = 0, day = 1;
    for (int k = 0; k < 8760; k++) {
        fprintf(f, "1999,%d,%d,%d,60,A7A7A7A7*0?9?9?9,%.3f,-5.0,50,90000", month + 1, day,
                k % 24 + 1, (k + 1) / 200.0);
        for (int i = 11; i <= 35; i++)
            fputs(",0", f);
        fputc('\n', f);
        if (k % 24 == 23 && ++day > mdays[month]) {
            day = 1;
            month++;
        }
    }
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_curtailment_hottest)
{
    char dir[] = "/tmp/check_dispatch.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[96];
    snprintf(path, sizeof path, "%s/ramp.epw", dir);
    write_ramp_epw(path);
    struct diag d;
    diag_init(&d);
    struct weather *w = NULL;
    int64_t start = timefmt_days_from_civil(2029, 1, 1) * DAY;   /* 2029 and 2030: not leap */
    ck_assert_int_eq(weather_create_epw(path, start, &w, &d), 0);
    /* The hour h is sampled at its middle, halfway between rows h−1 and h:
     * T(h) = ((h)/200 + (h+1)/200)/2 = (2h + 1)/400 for h >= 1, rising through the year;
     * hour 0 sits between the last row (43.8) and the first (0.005): 21.9025 °C. */
    double db, wb;
    weather_at(w, 1800, &db, &wb);
    ck_assert_double_eq_tol(db, 21.9025, 1e-9);
    weather_at(w, 100 * H + 1800, &db, &wb);
    ck_assert_double_eq_tol(db, 201.0 / 400, 1e-9);

    struct supply g = grid(100, 0);
    g.curtail_hours_per_year = 40;
    struct site site;
    memset(&site, 0, sizeof site);
    site.supplies = &g;
    site.n_supplies = 1;
    struct supply_state *st = NULL;
    /* 1.5 years: 13 140 hours, a full block of 8760 and a partial one of 4380 */
    ck_assert_int_eq(supply_states_create(&site, w, 13140 * H, &st), 0);
    ck_assert_int_eq(st[0].n_hours, 13140);
    /* first year: the 40 hottest are the last 40, hours 8720..8759 (43.6025 °C and up) */
    int count = 0;
    for (int64_t h = 0; h < 8760; h++) {
        ck_assert_msg(st[0].curtailed[h] == (h >= 8720), "hour %lld", (long long)h);
        count += st[0].curtailed[h];
    }
    ck_assert_int_eq(count, 40);
    /* the partial year gets llround(40·4380/8760) = 20 hours: its hour 0 (21.9025 °C) is
     * hotter than its last hour 4379 ((2·4379 + 1)/400 = 21.8975 °C), so hour 8760 and the
     * last 19 hours, 8760 + 4361 .. 8760 + 4379 = 13121..13139 */
    count = 0;
    for (int64_t h = 8760; h < 13140; h++) {
        int want = h == 8760 || h >= 13121;
        ck_assert_msg(st[0].curtailed[h] == want, "hour %lld", (long long)h);
        count += st[0].curtailed[h];
    }
    ck_assert_int_eq(count, 20);
    /* level_mw defaults to 0: nothing from the grid in a curtailed hour */
    struct supply_instant in;
    supply_instant(&site, st, (double)(8719 * H), 0, &in);
    ck_assert_double_eq(in.grid_mw, 100);
    supply_instant(&site, st, (double)(8730 * H), 0, &in);
    ck_assert_double_eq(in.grid_mw, 0);
    supply_states_destroy(st, 1);
    weather_destroy(w);
    diag_release(&d);
    remove(path);
    rmdir(dir);
}
END_TEST

/* ---- shedding through the whole solver ---- */

/* Keeps every step's series of site 0 (one site). */
struct keep {
    size_t n, cap;
    double (*v)[N_SERIES];
};

static int keep_append(void *ctx, size_t n, const double *time_s, const double *values)
{
    (void)time_s;
    struct keep *k = ctx;
    if (k->n + n > k->cap) {
        size_t cap = k->n + n;
        void *p = realloc(k->v, cap * sizeof *k->v);
        if (!p)
            return DCSIM_ENOMEM;
        k->v = p;
        k->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        for (int s = 0; s < N_SERIES; s++)
            k->v[k->n + i][s] = values[(size_t)s * n + i];
    k->n += n;
    return 0;
}

/* One box rack draws 1 MW flat (idle 0, max 1000 kW, utilization 1), all heat to air; a
 * lossless electrical chain and an economizer at 15 °C leave only the CRAH fans
 * (0.02 of the heat): facility = 1.02 × IT. 50 firm racks and 30 flexible ones: IT demand
 * 80 MW, facility 81.6 MW. */
static const char shed_fmt[] =
    "name: shed\n"
    "start: 2027-01-01\n"
    "duration: 2h\n"
    "timestep: 1h\n"
    "sites:\n"
    "  - id: s\n"
    "    weather: {constant: {drybulb_c: 15, wetbulb_c: 10}}\n"
    "    electrical: {ups_efficiency: 1, transformer_efficiency: 1, distribution_loss: 0,"
    " misc_fraction: 0}\n"
    "    supply:\n"
    "      - {id: g, type: grid, contract_mw: %s, price_usd_per_mwh: 50}\n"
    "%s"
    "    it:\n"
    "      - {id: firm, rack: box, count: 50, workload: constant, utilization: 1}\n"
    "      - {id: flex, rack: box, count: 30, workload: constant, utilization: 1,"
    " flexible: true}\n"
    "    cooling:\n"
    "      air: {capacity_mw: 1000}\n"
    "models:\n"
    "  racks:\n"
    "    - {id: box, power_max_kw: 1000, power_idle_kw: 0, liquid_fraction: 0}\n";

struct run {
    double m[N_METRICS];
    struct keep k;
};

static void run_shed(const char *grid_mw, const char *extra_supply, struct run *out)
{
    char text[2048];
    snprintf(text, sizeof text, shed_fmt, grid_mw, extra_supply);
    struct catalog empty;
    memset(&empty, 0, sizeof empty);
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    int rc = scenario_parse("shed.yaml", text, strlen(text), &empty, &sc, &d);
    if (rc)
        diag_print(&d, stderr);
    ck_assert_int_eq(rc, 0);
    struct sim *sim = NULL;
    ck_assert_int_eq(sim_create(sc, &sim, &d), 0);
    memset(out, 0, sizeof *out);
    struct sim_sink sink = {&out->k, keep_append};
    struct sim_options opt = {.sink = &sink, .threads = 1};
    struct sim_summary sum;
    ck_assert_int_eq(sim_run(sim, &opt, &sum, &d), 0);
    ck_assert_uint_eq(sum.n_sites, 1);
    memcpy(out->m, sum.site[0], sizeof out->m);
    ck_assert_uint_eq(out->k.n, 2);
    sim_summary_release(&sum);
    sim_destroy(sim);
    scenario_destroy(sc);
    diag_release(&d);
}

/* The invariants of every step. */
static void check_balance(const struct run *r)
{
    for (size_t i = 0; i < r->k.n; i++) {
        const double *v = r->k.v[i];
        /* served + unserved = facility demand (of the load not shed) */
        ck_assert_double_eq_tol(v[S_FACILITY_MW] + v[S_UNSERVED_MW], v[S_FACILITY_DEMAND_MW], 1e-9);
        /* IT served + shed + throttled + curtailed = IT demand */
        ck_assert_double_eq_tol(v[S_IT_SERVED_MW] + v[S_SHED_MW] + v[S_THROTTLE_MW] +
                                    v[S_CURTAILED_MW], v[S_IT_DEMAND_MW], 1e-9);
        /* supply used = facility served (no battery here) */
        ck_assert_double_eq_tol(v[S_GRID_MW] + v[S_GENERATOR_MW] + v[S_REACTOR_MW] +
                                    v[S_BATTERY_MW], v[S_FACILITY_MW], 1e-9);
        ck_assert(v[S_FACILITY_MW] <= v[S_SUPPLY_AVAILABLE_MW] + 1e-9);
    }
}

START_TEST(test_shed_flexible_first)
{
    struct run r;
    /* grid 71.4 MW = 1.02 × 70: all firm (50) and 20 of the 30 flexible MW; 10 MW shed */
    run_shed("71.4", "", &r);
    check_balance(&r);
    for (size_t i = 0; i < 2; i++) {
        const double *v = r.k.v[i];
        ck_assert_double_eq_tol(v[S_IT_DEMAND_MW], 80, 1e-9);
        ck_assert_double_eq_tol(v[S_IT_SERVED_MW], 70, 1e-6);
        ck_assert_double_eq_tol(v[S_SHED_MW], 10, 1e-6);
        ck_assert_double_eq_tol(v[S_UNSERVED_MW], 0, 1e-6);
        ck_assert_double_eq_tol(v[S_CURTAILED_MW], 0, 1e-9);
        ck_assert_double_eq_tol(v[S_THROTTLE_MW], 0, 1e-9);
        ck_assert_double_eq_tol(v[S_FACILITY_MW], 71.4, 1e-6);
        ck_assert_double_eq_tol(v[S_COOLING_MW], 1.4, 1e-6);       /* 0.02 × 70 */
        ck_assert_double_eq_tol(v[S_MARGIN_MW], 71.4 - 81.6, 1e-9); /* before shedding */
        ck_assert_double_eq_tol(v[S_CRITICAL_IT_MW], 50, 1e-9);
    }
    /* two hours of it */
    ck_assert_double_eq_tol(r.m[M_IT_ENERGY_MWH], 140, 1e-5);
    ck_assert_double_eq_tol(r.m[M_IT_DEMAND_ENERGY_MWH], 160, 1e-9);
    ck_assert_double_eq_tol(r.m[M_SHED_ENERGY_MWH], 20, 1e-5);
    ck_assert_double_eq_tol(r.m[M_UNSERVED_ENERGY_MWH], 0, 1e-5);
    ck_assert_double_eq(r.m[M_UNSERVED_HOURS], 0);
    ck_assert_double_eq_tol(r.m[M_CURTAILED_ENERGY_MWH], 0, 1e-9);
    ck_assert_double_eq_tol(r.m[M_FACILITY_ENERGY_MWH], 142.8, 1e-5);
    ck_assert_double_eq_tol(r.m[M_PUE], 1.02, 1e-9);
    ck_assert_double_eq_tol(r.m[M_ENERGY_COST_USD], 2 * 71.4 * 50, 1e-3);   /* 7 140 $ */
    ck_assert_double_eq_tol(r.m[M_MARGIN_MIN_MW], -10.2, 1e-9);
    ck_assert_double_eq_tol(r.m[M_CRITICAL_IT_MW], 50, 1e-9);
    free(r.k.v);
}
END_TEST

START_TEST(test_shed_then_curtail_firm)
{
    struct run r;
    /* grid 40.8 MW: all 30 flexible MW shed; firm 50 MW would need 51 MW, so firm IT is
     * curtailed to 40.8/1.02 = 40 MW (10 MW curtailed) and 51 − 40.8 = 10.2 MW unserved */
    run_shed("40.8", "", &r);
    check_balance(&r);
    for (size_t i = 0; i < 2; i++) {
        const double *v = r.k.v[i];
        ck_assert_double_eq_tol(v[S_SHED_MW], 30, 1e-9);
        ck_assert_double_eq_tol(v[S_IT_SERVED_MW], 40, 1e-6);
        ck_assert_double_eq_tol(v[S_CURTAILED_MW], 10, 1e-6);
        ck_assert_double_eq_tol(v[S_UNSERVED_MW], 10.2, 1e-6);
        ck_assert_double_eq_tol(v[S_FACILITY_DEMAND_MW], 51, 1e-9);
        ck_assert_double_eq_tol(v[S_FACILITY_MW], 40.8, 1e-6);
        ck_assert_double_eq_tol(v[S_GRID_MW], 40.8, 1e-6);
    }
    ck_assert_double_eq_tol(r.m[M_IT_ENERGY_MWH], 80, 1e-5);
    ck_assert_double_eq_tol(r.m[M_SHED_ENERGY_MWH], 60, 1e-9);
    ck_assert_double_eq_tol(r.m[M_CURTAILED_ENERGY_MWH], 20, 1e-5);
    ck_assert_double_eq_tol(r.m[M_UNSERVED_ENERGY_MWH], 20.4, 1e-5);
    ck_assert_double_eq_tol(r.m[M_UNSERVED_HOURS], 2, 1e-12);
    ck_assert_double_eq_tol(r.m[M_UNSERVED_PEAK_MW], 10.2, 1e-6);
    ck_assert_double_eq_tol(r.m[M_MARGIN_MIN_MW], 40.8 - 81.6, 1e-9);
    free(r.k.v);
}
END_TEST

START_TEST(test_enough_supply)
{
    struct run r;
    /* grid 100 MW: everything served, margin 100 − 81.6 = 18.4 */
    run_shed("100", "", &r);
    check_balance(&r);
    ck_assert_double_eq_tol(r.m[M_IT_ENERGY_MWH], 160, 1e-9);
    ck_assert_double_eq_tol(r.m[M_FACILITY_ENERGY_MWH], 163.2, 1e-9);
    ck_assert_double_eq(r.m[M_SHED_ENERGY_MWH], 0);
    ck_assert_double_eq(r.m[M_UNSERVED_ENERGY_MWH], 0);
    ck_assert_double_eq_tol(r.m[M_MARGIN_MIN_MW], 18.4, 1e-9);
    free(r.k.v);
    /* grid 71.4 and a 20 MW generator: the grid carries the firm load (51 MW), so the
     * generator is not called for the flexible pools (backups carry firm load only): the
     * same 10 MW shed as without it */
    run_shed("71.4", "      - {id: gen, type: generator, capacity_mw: 20, start_s: 10,"
                     " price_usd_per_mwh: 250}\n", &r);
    check_balance(&r);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_double_eq_tol(r.k.v[i][S_GENERATOR_MW], 0, 1e-12);
        ck_assert_double_eq_tol(r.k.v[i][S_SHED_MW], 10, 1e-6);
    }
    free(r.k.v);
    /* grid 40.8 and the generator (10-s start, 250 $/MWh): called at 0 as the grid is short
     * of the firm 51 MW, ready at 10 s. For those 10 s the firm load is curtailed to the
     * grid's 40.8 MW (10.2 MW unserved); then the generator gives the missing 10.2 MW. The
     * flexible 30 MW are shed throughout. */
    run_shed("40.8", "      - {id: gen, type: generator, capacity_mw: 20, start_s: 10,"
                     " price_usd_per_mwh: 250}\n", &r);
    check_balance(&r);
    const double *v0 = r.k.v[0], *v1 = r.k.v[1];
    ck_assert_double_eq_tol(v0[S_SUPPLY_AVAILABLE_MW], 40.8 + 20.0 * 3590 / 3600, 1e-9);
    ck_assert_double_eq_tol(v1[S_SUPPLY_AVAILABLE_MW], 60.8, 1e-9);
    ck_assert_double_eq_tol(v0[S_GENERATOR_MW], 10.2 * 3590 / 3600, 1e-9);
    ck_assert_double_eq_tol(v1[S_GENERATOR_MW], 10.2, 1e-9);
    ck_assert_double_eq_tol(v0[S_UNSERVED_MW], 10.2 * 10 / 3600, 1e-9);
    ck_assert_double_eq_tol(v0[S_UNSERVED_S], 10, 1e-9);
    ck_assert_double_eq(v1[S_UNSERVED_S], 0);
    ck_assert_double_eq_tol(v0[S_SHED_MW], 30, 1e-9);
    ck_assert_double_eq_tol(r.m[M_UNSERVED_HOURS], 10.0 / 3600, 1e-12);
    ck_assert_double_eq_tol(r.m[M_UNSERVED_ENERGY_MWH], 10.2 * 10 / 3600, 1e-9);
    ck_assert_double_eq_tol(r.m[M_GENERATOR_ENERGY_MWH], 10.2 * 7190 / 3600, 1e-9);
    ck_assert_double_eq_tol(r.m[M_ENERGY_COST_USD], 2 * 40.8 * 50 + 250 * 10.2 * 7190 / 3600,
                            1e-6);
    free(r.k.v);
}
END_TEST

static Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *b = tcase_create("supply");
    tcase_add_test(b, test_battery_discharge_limit);
    tcase_add_test(b, test_battery_charging);
    tcase_add_test(b, test_generator_start);
    tcase_add_test(b, test_several_edges_in_one_step);
    tcase_add_test(b, test_reactor_refuelling);
    tcase_add_test(b, test_costs);
    suite_add_tcase(s, b);
    TCase *c = tcase_create("curtailment");
    tcase_set_timeout(c, 60);
    tcase_add_test(c, test_curtailment_ties_earliest);
    tcase_add_test(c, test_curtailment_hottest);
    suite_add_tcase(s, c);
    TCase *site = tcase_create("site");
    tcase_set_timeout(site, 60);
    tcase_add_test(site, test_shed_flexible_first);
    tcase_add_test(site, test_shed_then_curtail_firm);
    tcase_add_test(site, test_enough_supply);
    suite_add_tcase(s, site);
    return s;
}

TESTUTIL_MAIN(dispatch_suite)
