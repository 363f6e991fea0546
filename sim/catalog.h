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
    char *dir;                  /* owned: the models directory it was read from */
};

/** Default lag-1 autocorrelation of daily temperature anomalies (see models/README.md). */
#define CLIMATE_DEFAULT_AUTOCORRELATION 0.7

#endif
