/* design_day.h — the cooling plant against the site's design conditions.
 *
 * The design conditions are ASHRAE's cooling design values taken from the run's own weather:
 * the dry bulb exceeded in 0.4 % of the hours of the first year and its mean coincident wet
 * bulb (ASHRAE Handbook — Fundamentals 2017, ch. 14, "Climatic design information").
 * Each loop's capacity there (cooling.h) is set against its heat at nameplate; a shortfall
 * becomes a warning naming the loop, the MW missing and what would fix it. `check` and `run`
 * both call design_day_check. */
#ifndef DCSIM_DESIGN_DAY_H
#define DCSIM_DESIGN_DAY_H

#include <stddef.h>

#include "err.h"
#include "scenario.h"

/** Share of the year's hours above the design dry bulb (ASHRAE's 0.4 % column). */
#define DESIGN_DAY_EXCEEDANCE 0.004
/** Half-width of the dry-bulb band whose hours' wet bulbs are averaged for the mean coincident
 *  wet bulb, K (ASHRAE tabulates it in bins of the design dry bulb). */
#define DESIGN_DAY_COINCIDENT_BAND_K 0.5

struct design_conditions {
    double drybulb_c;           /* 0.4 % dry bulb */
    double wetbulb_c;           /* mean coincident wet bulb */
};

/** Design conditions of site `index` of the scenario, from the weather the run uses (the same
 *  synthetic climate draw, EPW file or constant pair), hour by hour over the first 365 days.
 *  Returns 0, DCSIM_ENOMEM, or the weather's error (reported into d). */
int design_day_conditions(const struct scenario *sc, size_t index,
                          struct design_conditions *out, struct diag *d);

/** Liquid and air heat at nameplate, MW: the largest over the pools' online times of the
 *  heat of the pools online together (n·P_max·f and n·P_max·(1 − f)). */
void design_day_heat_mw(const struct site *site, double *liquid_mw, double *air_mw);

/** Warns (diag_warning on the scenario's path) for every loop of every site that cannot
 *  reject its nameplate heat at the design conditions. *n_warnings (may be NULL) gets the
 *  count. Returns 0 or an error of design_day_conditions. */
int design_day_check(const struct scenario *sc, struct diag *d, size_t *n_warnings);

#endif
