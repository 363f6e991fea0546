/* scenario.h — a scenario as typed structs, loaded and validated from YAML.
 *
 * scenario_load reads the file, resolves catalog references (racks, reactors, climates,
 * with the scenario's own `models:` entries first), fills every default of
 * ../shared/model.md and validates everything before any step is taken, reporting all
 * problems at once. The result owns all its memory and borrows nothing. */
#ifndef DCSIM_SCENARIO_H
#define DCSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "err.h"
#include "tseries.h"

#define SCENARIO_MAX_YEARS 100
#define SCENARIO_MAX_STEPS 1000000000LL
#define SCENARIO_MAX_TIMESTEP_S 3600
#define SITE_MAX_EPW_FILES 1000
#define SCENARIO_MAX_TRIALS 1000000      /* trials: in the scenario, --trials and a sweep */
#define SCENARIO_MAX_SEED 9007199254740992.0   /* 2^53: every seed exact as a YAML number */
#define TIME_NEVER INT64_MAX          /* offline default */
#define TIME_ALWAYS INT64_MIN         /* online default */

enum supply_type { SUPPLY_GRID, SUPPLY_REACTOR, SUPPLY_BATTERY, SUPPLY_GENERATOR, SUPPLY_TURBINE };
enum turbine_role { TURBINE_PRIME, TURBINE_BACKUP };
enum workload { WORKLOAD_TRAINING, WORKLOAD_INFERENCE, WORKLOAD_MINING, WORKLOAD_CONSTANT,
                WORKLOAD_TRACE };
enum rejection { REJECT_DRY_COOLER, REJECT_COOLING_TOWER, REJECT_CHILLER, REJECT_HYBRID };
enum weather_source { WEATHER_CLIMATE, WEATHER_CONSTANT, WEATHER_EPW };
enum site_kind { SITE_CONVERTED_MINING, SITE_GREENFIELD };

extern const char *const supply_type_names[];    /* NULL-terminated, by enum value */
extern const char *const workload_names[];
extern const char *const rejection_names[];

struct supply {
    char id[CATALOG_ID_MAX];
    enum supply_type type;
    int64_t online_s, offline_s;      /* run seconds; TIME_ALWAYS / TIME_NEVER when unset */
    double price_usd_per_mwh;
    const struct tseries *price_series;   /* price_usd_per_mwh from a CSV (tseries_get), or NULL */
    double capex_usd_per_mw;          /* per MW of the supply's capacity (economics) */
    /* grid */
    double co2_kg_per_mwh;            /* grid: emission factor (default 0); generator: diesel */
    double cfe_fraction;              /* grid: carbon-free share of its energy, 0..1 */
    const struct tseries *co2_series, *cfe_series;   /* from tseries_get, or NULL */
    double demand_charge_usd_per_kw_month;   /* on each month's highest step-mean import */
    double contract_mw;
    double curtail_hours_per_year;    /* 0: no curtailment */
    double curtail_level_mw;          /* available while curtailed, MW */
    double outages_per_year, outage_mean_h;   /* random outages (issue 3); 0: none */
    /* reactor */
    struct reactor reactor;           /* catalog entry with the scenario's overrides */
    int units;
    int64_t first_refuel_s;           /* run seconds of unit 0's first refuelling */
    /* battery */
    double power_mw, energy_mwh, round_trip_efficiency, initial_soc;
    /* generator; turbine (per unit, with `units`, and the outage fields of `reactor`) */
    double capacity_mw;
    double start_s;                   /* time from call to full output, s */
    /* turbine */
    enum turbine_role role;
    double heat_rate_mmbtu_per_mwh, fuel_usd_per_mmbtu, co2_kg_per_mmbtu, min_load_fraction;
};

struct it_pool {
    char id[CATALOG_ID_MAX];
    struct rack rack;                 /* copied from the catalog */
    double count;                     /* racks (a real number so `fit` can scale it) */
    enum workload workload;
    double utilization;               /* 0..1 */
    int flexible;                     /* may be shed when power is short */
    int ups;                          /* behind the double-conversion UPS (η_ups) */
    const struct tseries *util_series;   /* workload trace's utilization (tseries_get), or NULL */
    double capex_usd_per_mw;          /* per MW of critical IT (nameplate) */
    double revenue_usd_per_kw_month;  /* hosting: on critical IT while online */
    double revenue_usd_per_mwh;       /* mining: on the IT energy served */
    double diurnal_amplitude;         /* inference: A */
    double peak_hour;                 /* inference: local hour of the daily peak */
    int64_t online_s, offline_s;
    /* training shape (optional): checkpoint dips and synchronous swings */
    int64_t checkpoint_every_s, checkpoint_duration_s;   /* 0: none */
    double checkpoint_level;          /* utilization during a checkpoint */
    double swing_amplitude;           /* relative, 0..1 */
    int64_t swing_period_s;           /* 0: none */
};

enum event_type { EVENT_GRID_OUTAGE, EVENT_REACTOR_TRIP, EVENT_COOLING_LOSS,
                  EVENT_GENERATOR_FAIL_TO_START };
extern const char *const event_type_names[];

/** A scripted event (top-level `events:`), attached to its site. */
struct event {
    enum event_type type;
    int64_t start_s, end_s;           /* run seconds, [start, end) */
    size_t supply;                    /* index into the site's supplies (not cooling_loss) */
    int loop_liquid;                  /* cooling_loss: 1 the liquid loop, 0 the air side */
    int units;                        /* reactor_trip: units tripped */
    double fraction;                  /* cooling_loss: share of the capacity lost, 0..1 */
};

struct cooling_liquid {
    int present;
    double supply_c, capacity_mw, approach_k;
    enum rejection rejection;
    double pump_fraction, fan_fraction, carnot_efficiency, cop_max, cycles;
    double volume_m3;                 /* loop water volume for thermal mass; 0: quasi-steady */
    double capex_usd_per_mw;          /* per MW of design capacity (economics) */
};

struct cooling_air {
    int present;
    double supply_c, capacity_mw;
    int economizer;
    double crah_fraction, carnot_efficiency, cop_max;
    double capex_usd_per_mw;          /* per MW of capacity (economics) */
};

struct electrical {
    double ups_efficiency, transformer_efficiency, distribution_loss, misc_fraction;
};

struct site {
    char id[CATALOG_ID_MAX];
    enum site_kind kind;
    enum weather_source weather_source;
    struct climate climate;           /* WEATHER_CLIMATE */
    double constant_drybulb_c, constant_wetbulb_c;   /* WEATHER_CONSTANT */
    char **epw_paths;                 /* WEATHER_EPW: owned, resolved against the scenario;
                                         several: each trial samples one (a year per trial) */
    size_t n_epw_paths;
    const char *epw_path;             /* epw_paths[0] */
    struct electrical electrical;
    struct supply *supplies;          size_t n_supplies;
    struct it_pool *pools;            size_t n_pools;
    struct cooling_liquid liquid;
    struct cooling_air air;
    struct event *events;             size_t n_events;   /* sorted by start */
};

struct scenario {
    char *name, *description;         /* owned */
    char *path;                       /* owned: the file it was read from */
    char *text;  size_t text_len;     /* owned: the file exactly as read */
    int64_t start_unix_s;
    int64_t duration_s, timestep_s, steps;
    int64_t output_every_s;           /* series rows stand for this span (mean and max of its
                                         steps); equal to timestep_s when not decimated */
    uint64_t seed;
    int trials;                       /* 1..SCENARIO_MAX_TRIALS */
    double max_unserved_mwh;          /* reliability target, per year */
    double max_lole_h;                /* h per year */
    int has_economics;                /* an `economics:` block: NPV over econ_years */
    double econ_years, discount_rate;
    struct site *sites;               size_t n_sites;
};

/** Loads and validates `path`, resolving names in `cat` (borrowed during the call only).
 *  All problems go to `d`. Returns 0, DCSIM_EINPUT, DCSIM_EIO or DCSIM_ENOMEM. */
int scenario_load(const char *path, const struct catalog *cat, struct scenario **out,
                  struct diag *d);

/** The same from text in memory; `path` names it in messages and resolves relative files. */
int scenario_parse(const char *path, const char *text, size_t len, const struct catalog *cat,
                   struct scenario **out, struct diag *d);

/** Only what a result file's reader needs from its /scenario text (dcsim report): name,
 *  clock (start, duration, timestep, steps, output_every), trials, the reliability target and
 *  the site ids in order. Nothing is resolved (no catalog, weather or CSV files), so the
 *  sites hold their ids only. Free with scenario_destroy. 0, DCSIM_EINPUT or DCSIM_ENOMEM. */
int scenario_parse_outline(const char *path, const char *text, size_t len,
                           struct scenario **out, struct diag *d);

struct ydoc;
/** The same from a parsed (and possibly edited, e.g. by a sweep) YAML document; the
 *  scenario's text is the document's original text. */
int scenario_from_doc(const struct ydoc *doc, const struct catalog *cat, struct scenario **out,
                      struct diag *d);

void scenario_destroy(struct scenario *s);

/** Nameplate of the firm (non-flexible) IT online at run time t, MW. */
double site_firm_nameplate_mw(const struct site *site, int64_t t_s);

#endif
