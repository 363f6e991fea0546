/* site_step.h — internal: one site's state during a run and the physics of one step.
 *
 * A step: weather → pool demand → cooling limits and throttling → facility power →
 * supply available → flexible shedding, then firm curtailment (each solved so facility
 * power equals supply) → dispatch. Writes the step's series into v[N_SERIES]. */
#ifndef DCSIM_SITE_STEP_H
#define DCSIM_SITE_STEP_H

#include <stdint.h>

#include "cooling.h"
#include "results.h"
#include "scenario.h"
#include "supply.h"
#include "weather.h"
#include "weather_cache.h"

/** A pool's constants for the step, worked out once per site. */
struct site_pool {
    int64_t online_s, offline_s;
    int k, c;                           /* LOAD_FIRM/LOAD_FLEX, POOL_LIQUID/MIXED/AIR */
    int shape;                          /* SITE_POOL_CONSTANT: mw; SITE_POOL_DAY: day_mw by
                                           step of the local day; SITE_POOL_STEP: computed */
    double mw;                          /* SITE_POOL_CONSTANT: the pool's power, MW */
    double liquid_fraction, nameplate_mw;
    int ups;                            /* behind the UPS */
    double *day_mw;                     /* owned, SITE_POOL_DAY: [SECONDS_PER_DAY / timestep] */
};
enum { SITE_POOL_CONSTANT, SITE_POOL_DAY, SITE_POOL_STEP };

/** Weather that trials share: a weather source, the supply prototype made with it
 *  (curtailment calendars rank its hours) and, with several trials or a weather cache, its
 *  value at every step. */
struct site_weather {
    const struct weather *weather;      /* own_weather, or borrowed from a cached year */
    struct weather *own_weather;        /* owned, or NULL */
    struct weather_year *own_year;      /* owned: a year the full cache could not keep */
    struct supply_state *supplies;      /* owned prototype, [site->n_supplies] */
    const double *drybulb_c, *wetbulb_c;   /* weather at every step (NULL: computed as
                                              needed): own tables or a cached year's */
    double *own_drybulb_c, *own_wetbulb_c; /* owned tables, or NULL */
};

/** What every trial of a site shares, read-only once built: the pools' constants and the
 *  weathers. A constant or one EPW file: one weather for every trial. A list of EPW files:
 *  one per file, each trial samples one. A synthetic climate: trial 0's here; every other
 *  trial draws its own year (site_run_init). */
struct site_state {
    const struct site *site;            /* borrowed from the scenario */
    const struct scenario *sc;          /* borrowed */
    struct site_weather *weathers;      /* owned, [n_weathers] */
    size_t n_weathers;
    int weather_per_trial;              /* synthetic climate: a year drawn per trial */
    int64_t start_unix_s;
    double utc_offset_h;
    int64_t utc_offset_s;
    double loop_limit_c;                /* lowest coolant_max_c of the liquid-cooled racks */
    int64_t timestep_s, steps;
    struct site_pool *pools;            /* owned, [site->n_pools] */
    int64_t day_slots;                  /* steps per local day when day_mw tables are built */
    int64_t slot0;                      /* step of the local day of step 0 */
    int cooling_losses;                 /* the site has scripted cooling_loss events */
    int demand_charges;                 /* grids with a demand charge (how many) */
    size_t *dc_supplies;                /* owned, [demand_charges]: those grids' indices */
    int pools_constant;                 /* every pool is SITE_POOL_CONSTANT */
    int pools_by_slot;                  /* every pool is CONSTANT or DAY, with at most
                                           SITE_SLOT_LOADS_MAX steps a day: on the grid, the
                                           load depends on the online pools and the slot */
    struct weather_cache *cache;        /* borrowed, or NULL: years shared across runs */
    /* a synthetic climate drawn per trial without a cache: what its years share at every
     * step and at every hour's middle (the curtailment ranking), or NULL */
    struct weather_parts *trial_steps, *trial_hours;
};

/** Trials share the weather: it is tabulated per step when the run has more than one trial
 *  and at most this many steps (2 × 8 B × 4 M = 64 MB per site and weather). */
#define SITE_WEATHER_CACHE_MAX_STEPS (1LL << 22)

/** Steps of the local day up to which a run keeps the pools' load of each (96: 15 min). */
#define SITE_SLOT_LOADS_MAX 96

/** Pool classes by their heat: all to liquid, mixed, all to air. */
enum { POOL_LIQUID, POOL_MIXED, POOL_AIR, N_POOL_CLASSES };

/** What a step reads off its pools' load besides the cells: whether every flexible cell is
 *  ±0 (shedding them then changes nothing), and the flexible and firm IT demand, MW. */
struct load_totals {
    int no_flex;
    double flex_mw, firm_mw;
};
/** The pools' load of one step, as pools_load works it out: kept for the steps it holds. */
struct kept_load {
    double it_mw[2][N_POOL_CLASSES], heat_liquid_mw[2][N_POOL_CLASSES],
        direct_mw[2][N_POOL_CLASSES];
    double demand_mw, critical_mw, heat_total_mw;
    struct load_totals totals;
};

/** The kept load of one step of the local day. */
struct slot_load {
    struct kept_load load;
    int64_t epoch;                      /* valid when the run's slot_epoch */
};

/** Pieces of one span of a step at most (a safeguard; a step has a few at an event). */
#define SITE_MAX_PIECES 100000
/** Intervals with unserved load kept per step (for the scenario's union over sites). */
#define SITE_UNSERVED_IV_MAX 16

/** One trial's mutable state of a site. */
struct site_run {
    _Alignas(64) const struct site_state *ss;   /* borrowed (the struct on its own cache
                                                   lines: threads step neighbouring runs) */
    const struct weather *weather;      /* this trial's: borrowed or own_weather */
    struct weather *own_weather;        /* owned: a year drawn for this trial, or NULL */
    struct weather_year *own_year;      /* owned: this trial's year when the cache is full */
    const double *drybulb_c, *wetbulb_c;   /* tables of the weather, or NULL */
    /* without tables: the weather of the solver's current block of steps, made from climate
     * parts it shares with other sites (solver.c), steps block_k0 .. block_k0 + block_n - 1;
     * block_n 0: none */
    const double *block_drybulb_c, *block_wetbulb_c;
    int64_t block_k0, block_n;
    double *own_drybulb_c, *own_wetbulb_c; /* owned: this trial's year's tables, or NULL */
    /* the liquid loop's weather part (cooling_liquid_at_n) of steps liquid_at_k0 ..
     * liquid_at_k0 + liquid_at_n - 1, made from the tables above a block at a time; owned,
     * or NULL (no liquid loop) */
    struct cooling_at_n *liquid_at;
    int64_t liquid_at_k0, liquid_at_n;
    struct supply_state *supplies;      /* owned */
    double loop_c;                      /* liquid loop temperature (thermal mass), °C */
    int64_t shortfall_start_s;          /* start of the current cooling shortfall; -1: none */
    double ride_through_s;              /* first shortfall start to first throttle; NaN: none */
    /* the next step on the run's grid, when steps come in order: its time, index and step
     * of the local day (saves the divisions) */
    int64_t next_t_s, next_k, next_slot;
    /* with constant pools, their load is the same while the same pools are online: over
     * [load_from_s, load_until_s) it is `load` */
    int64_t load_from_s, load_until_s;
    struct kept_load load;
    /* with pools_by_slot and no extras: the load of each step of the local day while the
     * same pools are online, over [slot_from_s, slot_until_s); entries of another epoch
     * are stale. Owned, [day_slots], or NULL. */
    struct slot_load *slot_loads;
    int64_t slot_from_s, slot_until_s, slot_epoch;
    /* the last step's time with unserved load: run-second intervals [a, b) */
    double unserved_iv[SITE_UNSERVED_IV_MAX][2];
    int n_unserved_iv;
    /* per-supply and per-pool series (issue 10): only when `extras` is set (a run whose
     * series are written); then site_step writes site_extra_columns() more values after
     * the N_SERIES */
    int extras;
    double *pool_mw;                    /* owned, [n_pools]: each pool's IT demand this step */
    /* demand charges: the UTC calendar month of the last step, and its bounds (unix s) */
    int64_t dc_month, dc_month_from_s, dc_month_until_s;
};

/** Columns site_step adds after N_SERIES when run->extras is set: per supply (in the site's
 *  order) power_mw (delivered; a battery negative while charging), available_mw, and for a
 *  battery soc_mwh (at the end of the step); then per pool it_mw (served), shed_mw (not
 *  served for lack of power: flexible shed or firm curtailed) and throttle_mw. */
int site_extra_columns(const struct site *site);
#define SITE_POOL_COLUMNS 3

/** The key of site `site_id`'s random streams in trial `trial` (streams.h): the scenario
 *  seed + trial, extended by the site's id. */
uint64_t site_stream_key(uint64_t seed, int trial, const char *site_id);

/** Builds the shared state of site `index` of the scenario. With a weather cache (borrowed,
 *  may be NULL) the site's weather years come from it, tabulated. */
int site_state_init(struct site_state *ss, const struct scenario *sc, size_t index,
                    struct weather_cache *cache, struct diag *d);
void site_state_release(struct site_state *ss);

/** A trial's state: its weather (shared, or a year drawn for it) and fresh supplies with
 *  that trial's random outages, all keyed by site_stream_key(seed, trial, site id).
 *  Returns 0 or DCSIM_ENOMEM. */
int site_run_init(struct site_run *run, const struct site_state *ss, int trial);
void site_run_release(struct site_run *run);

/** What a trial of a site carries from one step to the next: the loop's temperature, the
 *  shortfall and demand-charge bookkeeping and the supplies' state (charge, generators,
 *  outage cursors, series cursors). Saved from one run, it goes on in a run of another
 *  scenario whose steps so far would have been the same (a sweep's cases that differ only
 *  in a pool not yet online): the caches of the load are not part of it (they hold the
 *  first run's pools) and start empty. */
struct site_run_saved {
    double loop_c, ride_through_s;
    int64_t shortfall_start_s;
    int64_t dc_month, dc_month_from_s, dc_month_until_s;
    size_t n_supplies;
    struct supply_state *supplies;      /* owned, [n_supplies]: their values (pointers NULL) */
    int *types;                         /* owned, [n_supplies]: the supplies' types */
    size_t n_outage_lists;
    size_t *outage_n, *outage_next;     /* owned: each outage list's length and cursor */
};

/** Saves run's state. Returns 0 or DCSIM_ENOMEM (out is then empty). */
int site_run_save(const struct site_run *run, struct site_run_saved *out);

/** Puts a saved state into a fresh run (site_run_init, no step taken) of a site with the
 *  same supplies. Returns 0, or DCSIM_EINTERNAL when the supplies or their outages differ
 *  (nothing is changed then). */
int site_run_restore(struct site_run *run, const struct site_run_saved *in);

void site_run_saved_release(struct site_run_saved *s);

/** Advances the site over [t_s, t_s + dt_s) and writes its series into v. */
int site_step(struct site_run *run, int64_t t_s, int64_t dt_s, double *v);

/* Exposed for unit tests: the load of one step at given served fractions. */
enum { LOAD_FIRM, LOAD_FLEX };

struct step_load {
    const struct site *site;
    const struct cooling_liquid *liquid;   /* NULL: the site's own (a cooling loss scales it) */
    const struct cooling_air *air;         /* NULL: the site's own */
    double it_mw[2][N_POOL_CLASSES];    /* IT demand by [firm/flex][class], MW */
    double heat_liquid_mw[2][N_POOL_CLASSES];   /* liquid share of it, MW */
    double direct_mw[2][N_POOL_CLASSES];   /* share of it not behind the UPS (`ups: false`) */
    double cap_liquid_mw, cap_air_mw;   /* heat the loops can reject now, MW */
    double drybulb_c, wetbulb_c;
    int64_t dt_s;
    double evap_kg_per_mj;              /* the tower's evaporation at this weather, or NaN:
                                           computed where needed */
    struct cooling_at at;               /* the cooling's part that depends on the weather
                                           (cooling_liquid_at, cooling_air_at of liquid, air) */
    /* the site's own liquid loop's part of this weather already worked out (entry
     * liquid_at_i of a site_run's table), or NULL */
    const struct cooling_at_n *liquid_at;
    size_t liquid_at_i;
};

struct load_eval {
    double it_load_mw[2];               /* after shedding/curtailment, before throttling */
    double it_served_mw[2];             /* after throttling */
    double heat_liquid_mw;              /* liquid heat of the served IT */
    double throttle_air_mw;             /* IT removed because of the air side's capacity */
    double cooling_mw, water_m3;
    double facility_mw, misc_mw, losses_mw;
    double keep[2][N_POOL_CLASSES];     /* share of each class's load left by throttling */
};

/** Evaluates the load with flexible pools at fraction s_flex and firm at s_firm. */
void step_load_eval(const struct step_load *l, double s_flex, double s_firm,
                    struct load_eval *e);
/** The step's root finding: the largest fraction in [0, 1] (of the flexible pools with the
 *  firm ones whole when vary_flex, else of the firm ones with the flexible shed) whose
 *  facility power does not exceed supply_mw, to within 1e-12, and the load there. The
 *  supply must be at least the facility power at 0 and below that at 1 (else
 *  DCSIM_ENUMERIC). */
int step_load_solve(const struct step_load *l, int vary_flex, double supply_mw,
                    double *fraction, struct load_eval *e);

#endif
