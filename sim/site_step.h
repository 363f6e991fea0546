/* site_step.h — internal: one site's state during a run and the physics of one step.
 *
 * A step: weather → pool demand → cooling limits and throttling → facility power →
 * supply available → flexible shedding, then firm curtailment (each solved so facility
 * power equals supply) → dispatch. Writes the step's series into v[N_SERIES]. */
#ifndef DCSIM_SITE_STEP_H
#define DCSIM_SITE_STEP_H

#include <stdint.h>

#include "results.h"
#include "scenario.h"
#include "supply.h"
#include "weather.h"

struct site_state {
    const struct site *site;            /* borrowed from the scenario */
    struct weather *weather;            /* owned */
    struct supply_state *supplies;      /* owned, [site->n_supplies] */
    int64_t start_unix_s;
    double utc_offset_h;
};

/** Builds the state of site `index` of the scenario. */
int site_state_init(struct site_state *ss, const struct scenario *sc, size_t index,
                    struct diag *d);
void site_state_release(struct site_state *ss);

/** Advances the site over [t_s, t_s + dt_s) and writes its series into v. */
int site_step(struct site_state *ss, int64_t t_s, int64_t dt_s, double *v);

/* Exposed for unit tests: the load of one step at given served fractions. */
enum { POOL_LIQUID, POOL_MIXED, POOL_AIR, N_POOL_CLASSES };
enum { LOAD_FIRM, LOAD_FLEX };

struct step_load {
    const struct site *site;
    double it_mw[2][N_POOL_CLASSES];    /* IT demand by [firm/flex][class], MW */
    double heat_liquid_mw[2][N_POOL_CLASSES];   /* liquid share of it, MW */
    double cap_liquid_mw, cap_air_mw;   /* heat the loops can reject now, MW */
    double drybulb_c, wetbulb_c;
    int64_t dt_s;
};

struct load_eval {
    double it_load_mw[2];               /* after shedding/curtailment, before throttling */
    double it_served_mw[2];             /* after throttling */
    double cooling_mw, water_m3;
    double facility_mw, misc_mw, losses_mw;
};

/** Evaluates the load with flexible pools at fraction s_flex and firm at s_firm. */
void step_load_eval(const struct step_load *l, double s_flex, double s_firm,
                    struct load_eval *e);

#endif
