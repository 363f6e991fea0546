/* catalog.h — the equipment catalog: racks, reactors and synthetic climates.
 *
 * Entries are read from models/{racks,reactors,climates}/<id>.yaml (one entry a file) and
 * may be added to or overridden by a scenario's `models:` section. The catalog is read-only
 * once loaded and is borrowed by every run. */
#ifndef DCSIM_CATALOG_H
#define DCSIM_CATALOG_H

#include <stddef.h>

#include "err.h"

#define CATALOG_ID_MAX 64

struct rack {
    char id[CATALOG_ID_MAX];
    char gpu[CATALOG_ID_MAX];   /* GPU or ASIC model name, informational */
    int gpus;                   /* GPUs (or ASIC boards) per rack */
    double power_max_kw;        /* rack power at full load, kW */
    double power_idle_kw;       /* rack power idle, kW */
    double liquid_fraction;     /* share of heat to the liquid loop, 0..1 */
    double coolant_max_c;       /* highest facility-water supply the rack takes, °C (INFINITY: n/a) */
};

struct reactor {
    char id[CATALOG_ID_MAX];
    double net_mw;              /* net electric output of one unit, MW */
    double forced_outage_rate;  /* FOR, 0..1 */
    double mean_repair_h;       /* mean forced outage duration, h */
    double refuel_interval_d;   /* days between refuelling outages (0: none) */
    double refuel_outage_d;     /* length of a refuelling outage, d */
};

struct turbine {
    char id[CATALOG_ID_MAX];
    double capacity_mw;         /* net output of one unit at ISO conditions, MW */
    double heat_rate_mmbtu_per_mwh;   /* fuel per MWh (HHV) at full load */
    double min_load_fraction;   /* lowest stable load, share of capacity */
    double start_s;             /* call to full output, s */
    double forced_outage_rate;  /* FOR, 0..1 */
    double mean_repair_h;       /* mean forced outage, h */
};

struct climate {
    char id[CATALOG_ID_MAX];
    double utc_offset_h;              /* local standard time - UTC, h */
    double monthly_drybulb_c[12];     /* monthly mean dry bulb, °C (Jan..Dec) */
    double monthly_range_k[12];       /* monthly mean daily range (max - min), K */
    double monthly_rh[12];            /* monthly mean relative humidity, % */
    double anomaly_sd_k;              /* standard deviation of the daily anomaly, K */
    double anomaly_autocorrelation;   /* lag-1 day autocorrelation of the anomaly, 0..1 */
};

struct catalog {
    struct rack *racks;         size_t n_racks;
    struct reactor *reactors;   size_t n_reactors;
    struct climate *climates;   size_t n_climates;
    struct turbine *turbines;   size_t n_turbines;
    char *dir;                  /* owned: the models directory it was read from */
};

/* Caps on the random outage draws (issue 11), so that no input makes the event draw of a
 * run unbounded; README "Limits". A reactor unit's forced outages alternate up times of
 * mean MTTF = MTTR(1 - FOR)/FOR and repairs of mean MTTR, so it cycles 8760 FOR/MTTR times a
 * year on average; refuelling cycles 365.25/refuel_interval_d times a year. */
#define REACTOR_MAX_CYCLES_PER_YEAR 10000.0   /* expected up+down cycles per unit and year */
#define GRID_MAX_OUTAGES_PER_YEAR 1000.0      /* grid outages per year */
#define GRID_MIN_OUTAGE_H (1.0 / 3600.0)      /* shortest mean grid outage: 1 s */
#define CATALOG_MAX_GPUS 1000000              /* GPUs per rack */

/** Default lag-1 autocorrelation of daily temperature anomalies (see models/README.md). */
#define CLIMATE_DEFAULT_AUTOCORRELATION 0.7

#endif

#ifndef DCSIM_CATALOG_API
#define DCSIM_CATALOG_API
#include "yget.h"

/** Reads every entry of models_dir/{racks,reactors,climates}/\*.yaml. Errors (with file
 *  positions) go to `d`; returns 0, DCSIM_EINPUT, DCSIM_EIO or DCSIM_ENOMEM. */
int catalog_load(const char *models_dir, struct catalog *cat, struct diag *d);

/** Frees what the catalog owns; safe on a zeroed or released catalog. */
void catalog_release(struct catalog *cat);

/** Finds the models directory: `explicit_dir` if given, else $DCSIM_MODELS, else beside the
 *  executable (./models, ../share/dcsim/models), else the build-time DCSIM_MODELS_DIR.
 *  Returns a pointer into `buf` or NULL when none exists. */
const char *catalog_find_dir(const char *explicit_dir, char *buf, size_t len);

const struct rack *catalog_find_rack(const struct catalog *cat, const char *id);
const struct reactor *catalog_find_reactor(const struct catalog *cat, const char *id);
const struct turbine *catalog_find_turbine(const struct catalog *cat, const char *id);
int catalog_put_turbine(struct catalog *cat, const struct turbine *t);
/** Parses a turbine entry over `base` (NULL: a new entry; capacity and heat rate required). */
int catalog_parse_turbine(const struct yctx *c, const struct ynode *map, const char *path,
                          const struct turbine *base, struct turbine *out);
const struct climate *catalog_find_climate(const struct catalog *cat, const char *id);

/** The nearest entry id to a misspelt one, or NULL. kind: 'r' racks, 'n' reactors, 'c' climates,
 *  't' turbines. */
const char *catalog_nearest(const struct catalog *cat, char kind, const char *id);

/** Parse one entry mapping. `base` (may be NULL) gives the values of keys left out, and
 *  when it is NULL every key without a default is required. Return 0 or DCSIM_EINPUT. */
int catalog_parse_rack(const struct yctx *c, const struct ynode *map, const char *path,
                       const struct rack *base, struct rack *out);
int catalog_parse_reactor(const struct yctx *c, const struct ynode *map, const char *path,
                          const struct reactor *base, struct reactor *out);
int catalog_parse_climate(const struct yctx *c, const struct ynode *map, const char *path,
                          const struct climate *base, struct climate *out);

/** Checks a reactor's outage parameters against REACTOR_MAX_CYCLES_PER_YEAR (forced
 *  outages and refuelling); reports at `at` (the key that set them, or the entry). 0 or
 *  DCSIM_EINPUT. */
int catalog_check_reactor_cycles(const struct yctx *c, const struct ynode *map,
                                 const char *path, const struct reactor *r);

/** Adds or replaces an entry (copied). Returns 0 or DCSIM_ENOMEM. */
int catalog_put_rack(struct catalog *cat, const struct rack *r);
int catalog_put_reactor(struct catalog *cat, const struct reactor *r);
int catalog_put_climate(struct catalog *cat, const struct climate *cl);
#endif
