/* cooling.h — cooling power and water (../shared/model.md "Cooling").
 *
 * Liquid loop: pumps k_pump·Q; dry cooler / cooling tower with capacity
 * Q_d·max(0, (T_s − T_amb)/a) and fan power k_fan·Q_d·s³; a chiller with
 * COP = min(COP_max, η·T_evap/(T_cond − T_evap)); hybrid = dry cooler then trim chiller.
 * Air side: CRAH fans k_crah·Q, economizer when T_db <= T_a − 4 K, else a chiller. */
#ifndef DCSIM_COOLING_H
#define DCSIM_COOLING_H

#include "scenario.h"

/** Latent heat of vaporisation used for tower evaporation, MJ/kg (model.md). */
#define COOLING_LATENT_MJ_PER_KG 2.43
/** Chiller evaporator below the liquid supply setpoint, K (model.md). */
#define COOLING_LIQUID_EVAP_OFFSET_K 3.0
/** Air-cooled condenser above dry bulb, K (model.md). */
#define COOLING_CONDENSER_OFFSET_K 10.0
/** Chiller evaporator below the supply air temperature, K (model.md). */
#define COOLING_AIR_EVAP_OFFSET_K 8.0
/** Economizer works while dry bulb <= supply air − this, K (model.md). */
#define COOLING_ECONOMIZER_MARGIN_K 4.0

struct cooling_power {
    double pump_mw, fan_mw, chiller_mw, air_fan_mw, air_chiller_mw;
    double water_m3;        /* evaporation + blowdown over the step, m³ */
};

/** Chiller COP: min(cop_max, η·T_evap/(T_cond − T_evap)) in kelvin; cop_max when T_cond <= T_evap. */
double cooling_chiller_cop(double evap_c, double cond_c, double carnot_efficiency, double cop_max);

/** Most heat the liquid loop can reject at this ambient, MW. */
double cooling_liquid_capacity_mw(const struct cooling_liquid *l, double drybulb_c,
                                  double wetbulb_c);

/** Power and water to reject heat_mw (<= capacity) over dt_s seconds; adds into *out. */
void cooling_liquid_power(const struct cooling_liquid *l, double heat_mw, double drybulb_c,
                          double wetbulb_c, double dt_s, struct cooling_power *out);

/** Power to remove air heat_mw (<= capacity); adds into *out. */
void cooling_air_power(const struct cooling_air *a, double heat_mw, double drybulb_c,
                       struct cooling_power *out);

#endif
