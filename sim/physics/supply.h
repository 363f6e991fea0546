/* supply.h — what each supply can give at an instant, when that next changes, and the
 * dispatch of a served load over a piece of time (../shared/model.md "Supply and dispatch";
 * docs/model.md "Event-exact steps").
 *
 * Availability is exact in time: supply_instant says what every supply can give at an
 * instant and the next instant that can change (an outage or event edge, a refuelling edge,
 * a curtailed hour's edge, an online date, a generator becoming ready); supply_dispatch
 * serves a load over a piece that ends no later, and shortens it where a battery empties or
 * fills. Order: reactors (must-run), grid, generators, battery; a surplus of reactors and
 * grid charges the batteries (√RTE each way). Generators are called the instant reactors +
 * grid fall short of the firm load, deliver from start_s later and run while it lasts. */
#ifndef DCSIM_SUPPLY_H
#define DCSIM_SUPPLY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "scenario.h"
#include "tseries.h"
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
    double gen_ready_s;             /* run time its output is available from, s */
    unsigned char *curtailed;       /* grid: 1 for each curtailed hour of the run */
    int owns_curtailed;             /* 0 in a clone: the calendar belongs to the prototype */
    int64_t n_hours;
    int64_t curt_from_h, curt_until_h;   /* hours [from, until) share one curtailed flag */
    struct outage_list *outages;    /* random outages: one list per reactor unit, one for a
                                       grid; NULL when none are drawn. Owned. */
    int n_outage_lists;
    int online;                     /* this piece: between its online and offline dates */
    double avail_mw;                /* this piece: what it can deliver */
    double used_mw;                 /* this piece: delivered (positive) or charged (negative) */
    double eta_of_rte, eta;         /* battery: eta = √RTE, computed for RTE eta_of_rte */
    int units_up;                   /* turbine: units not in a forced outage at the instant */
    double price_now, co2_now, cfe_now;   /* this step's price, CO2 and CFE (series means) */
    struct tseries_cursor series_at[3];   /* price, CO2, CFE series: where the last step ended */
    double step_import_mw;          /* grid: this step's mean import so far (demand charge) */
    int64_t dc_month;               /* grid: the month being billed (year·12 + month − 1) */
    int dc_started;
    double dc_peak_mw;              /* grid: that month's highest step-mean import */
    int next_of_kind, next_backup;  /* the next supply of its kind (turbines: of its role),
                                       and the next backup (generator or backup turbine), in
                                       list order; -1: none */
    int next_series;                /* the next supply with a price, CO2 or CFE series */
    /* in a site's first state only: */
    int lists_made;                 /* first_of is worked out (states are made zeroed) */
    int first_of[8];                /* the first supply of each list (supply.c), or -1 */
    double held_from_s, held_until_s;   /* the availability of all but batteries and backups
                                           holds over [from, until) ... */
    double held_reactor_mw, held_turbine_mw, held_grid_mw;   /* ... with these sums */
};

/** A battery holding less than this is empty, MWh (1 Wh). */
#define SUPPLY_SOC_EMPTY_MWH 1e-6

/** What the supplies of a site can give at an instant, MW, and until when. */
struct supply_instant {
    double reactor_mw, grid_mw;     /* firm supply */
    double turbine_mw;              /* prime turbines: firm supply too */
    double generator_mw;            /* generators called and ready */
    double battery_mw;              /* batteries' power, when they hold energy */
    double next_s;                  /* the next instant any of these can change, run s
                                       (INFINITY: none) */
};

/** Builds the state of a site's supplies: initial battery charge and, for grids with
 *  `curtailment: {rule: hottest}`, the hottest hours of each 365-day year of the run
 *  (dry bulb sampled at each hour's middle). Returns 0 or DCSIM_ENOMEM. */
int supply_states_create(const struct site *site, const struct weather *w, int64_t duration_s,
                         struct supply_state **out);
/** supply_states_create with the weather's hours already ranked (weather_rank_hours, e.g.
 *  shared by a weather cache; borrowed); NULL ranks them here. */
int supply_states_create_ranked(const struct site *site, const struct weather *w,
                                const int32_t *ranked, int64_t duration_s,
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
 *  outages do not depend on what else is drawn: `site_key` is the trial's key extended by
 *  the site's id (streams.h), and each stream extends it by the supply's id and the unit.
 *  Returns 0 or DCSIM_ENOMEM. */
int supply_states_draw_outages(const struct site *site, struct supply_state *st,
                               int64_t duration_s, uint64_t site_key);

/** Time of [t_s, t_s + dt_s) covered by the list's intervals, s; advances list->next. */
int64_t outage_overlap_s(struct outage_list *list, int64_t t_s, int64_t dt_s);

/** Units of a reactor supply up at t_s (online and not refuelling). */
int supply_reactor_units_up(const struct supply *sp, int64_t t_s);

/** Availability at the instant t (run seconds; instants must not go back in time within a
 *  run), into *out and each state's avail_mw. Generators not running are called when
 *  reactors + grid are below `firm_demand_mw` (the facility power of the firm load), unless
 *  a fail-to-start event covers t; running ones are released when they are not needed. */
void supply_instant(const struct site *site, struct supply_state *st, double t,
                    double firm_demand_mw, struct supply_instant *out);

/** supply_instant in two halves: what every supply but the backups (generators, backup
 *  turbines) can give at t, then the backups' call and output given the firm demand. The
 *  caller may work the firm demand out in between, from the firm supply (reactors, prime
 *  turbines, grid) the first half found. */
void supply_available(const struct site *site, struct supply_state *st, double t,
                      struct supply_instant *out);
void supply_call_backups(const struct site *site, struct supply_state *st, double t,
                         double firm_demand_mw, struct supply_instant *out);

struct supply_flows {
    double reactor_mw, grid_mw, battery_mw, generator_mw;   /* battery: + discharging */
    double turbine_mw;              /* prime and backup turbines */
    double clean_mw;                /* reactors + grid × its cfe_fraction */
    double battery_soc_mwh;         /* at the end of the piece */
    double cost_usd;                /* over the piece: energy (reactors take-or-pay) */
    double fuel_mmbtu, fuel_usd;    /* turbines' fuel over the piece */
    double co2_kg;                  /* over the piece: grid, generators, turbines */
};

/** Sets the price, CO2 factor and CFE share for the step [t_s, t_s + dt_s) of each supply
 *  with a series among them: the time-weighted means of its series, or its constants
 *  (supplies without series are left alone: dispatch reads their constants). */
void supply_set_step(const struct site *site, struct supply_state *st, int64_t t_s,
                     int64_t dt_s);

/** Serves `served_mw` (at most what supply_instant made available) over a piece of len_s
 *  seconds starting at the last instant: reactors, grid, generators, batteries; a surplus of
 *  reactors and grid charges the batteries. Returns the piece's length, shortened to the
 *  instant a battery empties or fills when that comes first; the states are advanced by it
 *  and the piece's flows go to *out. */
double supply_dispatch(const struct site *site, struct supply_state *st, double len_s,
                       double served_mw, struct supply_flows *out);

#endif
