/* it_load.h — IT power of a rack pool (../shared/model.md "IT load").
 * P = n·(P_idle + (P_max − P_idle)·u)/1000 MW, with u from the pool's workload. */
#ifndef DCSIM_IT_LOAD_H
#define DCSIM_IT_LOAD_H

#include <stdint.h>

#include "scenario.h"

/** 1 when the pool is online at run time t_s (online <= t < offline). */
int it_pool_online(const struct it_pool *p, int64_t t_s);

/** Utilization over the step [t_s, t_s + dt_s), 0..1. local_hour is the site's local
 *  standard time of day at t_s (inference). Training checkpoint dips and swings are
 *  averaged exactly over the step, so a step longer than a swing carries its mean. */
double it_pool_utilization(const struct it_pool *p, int64_t t_s, int64_t dt_s, double local_hour);

/** Pool power at utilization u, MW (n racks · kW → MW). */
double it_pool_power_mw(const struct it_pool *p, double u);

/** Nameplate (critical IT) of the pool, MW: n · P_max. */
double it_pool_nameplate_mw(const struct it_pool *p);

#endif
