/* supply.h — what each supply can give in a step, and the dispatch of a served load
 * (../shared/model.md "Supply and dispatch").
 *
 * Order: reactors (must-run), grid, battery, generators; a surplus of reactors and grid
 * charges the batteries (√RTE each way). A generator called at t0 delivers nothing before
 * t0 + start_s and the share of a straddling step after it; it runs while it is needed. */
#ifndef DCSIM_SUPPLY_H
#define DCSIM_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "scenario.h"
#include "weather.h"

/** Times a supply (or one reactor unit) is out, sorted and disjoint: [start_s, end_s). */
struct outage_list {
    int64_t *start_s, *end_s;       /* owned */
    size_t n, cap;
    size_t next;                    /* first interval not yet over (advances with the run) */
};

/** The most units a reactor supply may have (scenario validation allows 1000). */
#define SUPPLY_MAX_UNITS_STACK 1000

/** Mutable state of one supply during a run. */
struct supply_state {
    double soc_mwh;                 /* battery energy stored */
    int gen_running;                /* generator called and not yet released */
    int64_t gen_ready_s;            /* run time its output is available from */
    unsigned char *curtailed;       /* grid: 1 for each curtailed hour of the run */
    int owns_curtailed;             /* 0 in a clone: the calendar belongs to the prototype */
    int64_t n_hours;
    struct outage_list *outages;    /* random outages: one list per reactor unit, one for a
                                       grid; NULL when none are drawn. Owned. */
    int n_outage_lists;
    int online;                     /* this step: between its online and offline dates */
    double avail_mw;                /* this step: what it can deliver */
    double used_mw;                 /* this step: delivered (positive) or charged (negative) */
    double eta_of_rte, eta;         /* battery: eta = √RTE, computed for RTE eta_of_rte */
};

/** Available power of each kind this step, MW. */
struct supply_totals {
    double reactor_mw, grid_mw, battery_mw, generator_mw;
};

/** Builds the state of a site's supplies: initial battery charge and, for grids with
 *  `curtailment: {rule: hottest}`, the hottest hours of each 365-day year of the run
 *  (dry bulb sampled at each hour's middle). Returns 0 or DCSIM_ENOMEM. */
int supply_states_create(const struct site *site, const struct weather *w, int64_t duration_s,
                         struct supply_state **out);
void supply_states_destroy(struct supply_state *st, size_t n);

/** A fresh copy of `proto` (as made by supply_states_create, before any step) for another
 *  trial: batteries full again, generators off, the curtailment calendars shared (borrowed
 *  from proto, which must outlive the copy), no outages. Returns 0 or DCSIM_ENOMEM. */
int supply_states_clone(const struct site *site, const struct supply_state *proto,
                        struct supply_state **out);

/** Draws the random outages of one trial over [0, duration_s): each reactor unit alternates
 *  up ~ Exp(MTTF) and down ~ Exp(mean_repair_h), MTTF = MTTR·(1 − FOR)/FOR, starting down
 *  with probability FOR (the stationary state); each grid with `outages` has Poisson
 *  outages (`per_year`) of Exp(`mean_h`) length. `seed` is the trial's seed (scenario seed +
 *  trial); every supply and unit draws from its own stream derived from it, so a trial's
 *  outages do not depend on what else is drawn. Returns 0 or DCSIM_ENOMEM. */
int supply_states_draw_outages(const struct site *site, struct supply_state *st,
                               int64_t duration_s, uint64_t seed);

/** Time of [t_s, t_s + dt_s) covered by the list's intervals, s; advances list->next. */
int64_t outage_overlap_s(struct outage_list *list, int64_t t_s, int64_t dt_s);

/** Units of a reactor supply up at t_s (online and not refuelling). */
int supply_reactor_units_up(const struct supply *sp, int64_t t_s);

/** Computes every supply's avail_mw for the step [t_s, t_s + dt_s). `demand_mw` is the
 *  facility demand before shedding: generators are called when reactors, grid and batteries
 *  fall short of it. Totals by kind into *tot (generators: what they deliver this step). */
void supply_available(const struct site *site, struct supply_state *st, int64_t t_s,
                      int64_t dt_s, double demand_mw, struct supply_totals *tot);

struct supply_flows {
    double reactor_mw, grid_mw, battery_mw, generator_mw;   /* battery: + discharging */
    double battery_soc_mwh;
    double cost_usd;
};

/** Serves `served_mw` (<= total available) in dispatch order, charges batteries from the
 *  surplus, updates the states and returns the flows of the step. */
void supply_dispatch(const struct site *site, struct supply_state *st, int64_t dt_s,
                     double served_mw, struct supply_flows *out);

#endif
