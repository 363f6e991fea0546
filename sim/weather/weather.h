/* weather.h — ambient dry bulb and wet bulb at any time of a run.
 *
 * Three sources (../shared/model.md "Weather"): a constant pair, a synthetic catalog climate
 * (monthly statistics + diurnal cosine + seeded AR(1) daily anomaly; the dew point is held
 * through each day at the value the monthly RH gives at the day's mean temperature, and the
 * wet bulb follows by Stull 2011 from the hourly RH),
 * or an EnergyPlus EPW file (hourly, wet bulb psychrometrically from dry bulb, dew point and
 * pressure, linearly interpolated, its year laid on the simulated calendar by day of year). */
#ifndef DCSIM_WEATHER_H
#define DCSIM_WEATHER_H

#include <stdint.h>

#include "catalog.h"
#include "err.h"

struct weather;   /* opaque */

/** Constant weather. Returns 0 or DCSIM_ENOMEM. */
int weather_create_constant(double drybulb_c, double wetbulb_c, struct weather **out);

/** Synthetic climate for a run starting at start_unix_s and lasting horizon_s seconds.
 *  The daily anomalies are drawn once here from a GSL RNG seeded with `seed` (the climate is
 *  copied; nothing is borrowed). Returns 0, DCSIM_ENOMEM or DCSIM_EINPUT. */
int weather_create_climate(const struct climate *climate, int64_t start_unix_s,
                           int64_t horizon_s, uint64_t seed, struct weather **out);

/** The same year weather_create_climate(climate, start, horizon, seed) gives, for the
 *  climate, start and horizon of `proto` (a synthetic climate): only the anomalies are drawn
 *  (the nodes and the calendar are copied). Returns 0, DCSIM_ENOMEM or DCSIM_EINPUT. */
int weather_create_climate_like(const struct weather *proto, uint64_t seed,
                                struct weather **out);

/** What a synthetic climate's weather at n run times t0_s + k·dt_s owes to the climate and
 *  the calendar alone (monthly mean and diurnal term, dew point, the day of the anomaly):
 *  the same for every year drawn for the same climate, start and horizon, so trials that
 *  each draw a year compute it once. */
struct weather_parts;

/** Tabulates the parts of `w` (a synthetic climate; DCSIM_EINPUT otherwise) at those times;
 *  with_wetbulb 0: the dry bulb's only. Returns 0, DCSIM_ENOMEM or DCSIM_EINPUT. */
int weather_parts_create(const struct weather *w, int64_t t0_s, int64_t dt_s, int64_t n,
                         int with_wetbulb, struct weather_parts **out);

/** Tabulates the parts of `w` at n <= the capacity p was made with (its n) other times,
 *  replacing those it held; w is a year p was made for (else DCSIM_EINPUT, as n too large).
 *  Lets a run keep one table per block of steps instead of one per run. Returns 0 or
 *  DCSIM_EINPUT. */
int weather_parts_refill(const struct weather *w, int64_t t0_s, int64_t dt_s, int64_t n,
                         struct weather_parts *p);

/** 1 when a and b are synthetic climates whose parts are the same at every time (the same
 *  climate nodes, start, time zone and calendar; their anomalies may differ), so one table of
 *  parts serves both; else 0. */
int weather_parts_shared(const struct weather *a, const struct weather *b);

/** weather_at of `w` at the parts' times into drybulb_c[n] and wetbulb_c[n] (NULL: the dry
 *  bulb alone, as weather_drybulb_at), the same values; w is a year of the climate, start and
 *  horizon the parts were made for (else DCSIM_EINPUT). */
int weather_parts_fill(const struct weather *w, const struct weather_parts *p, double *drybulb_c,
                       double *wetbulb_c);

/** Frees; NULL is a no-op. */
void weather_parts_destroy(struct weather_parts *p);

/** Mid-month node values of the synthetic climate. The curve is linear between mid-month
 *  nodes (model.md); dcsim chooses the node values so that each month's mean of the curve
 *  equals the catalog's monthly mean exactly (a 12 x 12 cyclic linear system), instead of
 *  putting the monthly mean itself at mid-month, which biases peaked months by up to 0.5 K. */
struct climate_nodes {
    double drybulb_c[12], range_k[12], rh[12];
};

/** Solves for the nodes. Returns 0, DCSIM_ENOMEM or DCSIM_ENUMERIC. */
int weather_climate_nodes(const struct climate *climate, struct climate_nodes *out);

/** Reads an EPW file. Bad content is reported into `d` as path:line:col errors and returns
 *  DCSIM_EINPUT; an unreadable file returns DCSIM_EIO (also reported). */
int weather_create_epw(const char *path, int64_t start_unix_s, struct weather **out,
                       struct diag *d);

/** Weather at t_s seconds after the run start. Pure: safe from several threads. */
void weather_at(const struct weather *w, int64_t t_s, double *drybulb_c, double *wetbulb_c);

/** The dry bulb of weather_at alone (the same value, without the wet bulb's cost). */
double weather_drybulb_at(const struct weather *w, int64_t t_s);

/** Local standard time offset of the weather source (UTC + offset = local), h. */
double weather_utc_offset_h(const struct weather *w);

/** Frees; NULL is a no-op. */
void weather_destroy(struct weather *w);

/* Psychrometrics (°C, %, Pa). */

/** Wet bulb from dry bulb and relative humidity, Stull (2011), J. Appl. Meteor. Climatol. 50. */
double psychro_wetbulb_stull_c(double drybulb_c, double rh_percent);
/** Stull's wet bulb for n steps at once, each the same bits as psychro_wetbulb_stull_c
 *  (vectorised where the CPU can; wetbulb_c may be rh_percent: element by element). */
void psychro_wetbulb_stull_n(const double *drybulb_c, const double *rh_percent,
                             double *wetbulb_c, size_t n);
/** atan(x) without libm's call: within 2 ulp of it, branch-free so that loops of it
 *  vectorise (the wet bulbs above). */
double psychro_atan(double x);

/** Thermodynamic wet bulb from dry bulb, dew point and station pressure (ASHRAE Fundamentals
 *  2017 ch. 1 eq. 33/35, solved by bracketing). Falls back to 101325 Pa if pressure <= 0. */
double psychro_wetbulb_c(double drybulb_c, double dewpoint_c, double pressure_pa);

/** Dew point from dry bulb and relative humidity, Magnus form (Alduchov & Eskridge 1996). */
double psychro_dewpoint_magnus_c(double drybulb_c, double rh_percent);

/** Relative humidity (%, at most 100) from dry bulb and dew point, Magnus form. */
double psychro_rh_magnus(double drybulb_c, double dewpoint_c);

/** Saturation vapour pressure over water/ice, Pa (ASHRAE Hyland-Wexler). */
double psychro_saturation_pa(double temp_c);

/** Humidity ratio of air saturated at temp_c, kg/kg (ASHRAE 2017 ch. 1 eq. 20, p_w = p_ws). */
double psychro_saturation_ratio(double temp_c, double pressure_pa);

/** Humidity ratio of air at dry bulb and thermodynamic wet bulb, kg/kg (ASHRAE 2017 ch. 1
 *  eq. 33, or eq. 35 below 0 °C); a wet bulb above the dry bulb counts as saturated, and a
 *  result below 0 (inconsistent input) as 0. Falls back to 101325 Pa if pressure <= 0. */
double psychro_ratio_from_wetbulb(double drybulb_c, double wetbulb_c, double pressure_pa);

/** Moist-air specific enthalpy, kJ per kg of dry air (ASHRAE 2017 ch. 1 eq. 32). */
double psychro_enthalpy_kj_per_kg(double drybulb_c, double ratio_kg_per_kg);

/** Standard sea-level pressure, Pa (ASHRAE 2017 ch. 1 eq. 3 at Z = 0). */
#define PSYCHRO_STANDARD_PRESSURE_PA 101325.0

#endif
