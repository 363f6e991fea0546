/* cooling.h — cooling power and water (../shared/model.md "Cooling").
 *
 * Liquid loop: pumps k_pump·Q; dry cooler / cooling tower with capacity
 * Q_d·max(0, (T_s − T_amb)/a) and fan power k_fan·Q_d·s³; a chiller with
 * COP = min(COP_max, η·T_evap/(T_cond − T_evap)); hybrid = dry cooler then trim chiller.
 * Air side: CRAH fans k_crah·Q, economizer when T_db <= T_a − 4 K, else a chiller. */
#ifndef DCSIM_COOLING_H
#define DCSIM_COOLING_H

#include <math.h>

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

/* The same, inline for the solver's step (cooling.c's functions call these). fmin/fmax are
 * written as comparisons: gcc calls libm for them. Each keeps fmin/fmax's result for the
 * inputs that occur (a NaN second argument yields the first). */
#define COOLING_KELVIN 273.15

static inline double cooling_min_(double a, double b) { return b < a ? b : a; }
static inline double cooling_max_(double a, double b) { return b > a ? b : a; }

static inline double cooling_chiller_cop_i(double evap_c, double cond_c, double carnot_efficiency,
                                           double cop_max)
{
    double lift_k = cond_c - evap_c;
    if (lift_k <= 0)
        return cop_max;
    return cooling_min_(cop_max, carnot_efficiency * (evap_c + COOLING_KELVIN) / lift_k);
}

/* Dry cooler or tower: capacity Q_d·max(0, (T_s − T_amb)/a). */
static inline double cooling_exchanger_capacity_mw_(const struct cooling_liquid *l,
                                                    double ambient_c)
{
    return l->capacity_mw * cooling_max_(0.0, (l->supply_c - ambient_c) / l->approach_k);
}

static inline double cooling_liquid_capacity_mw_i(const struct cooling_liquid *l,
                                                  double drybulb_c, double wetbulb_c)
{
    switch (l->rejection) {
    case REJECT_DRY_COOLER: return cooling_exchanger_capacity_mw_(l, drybulb_c);
    case REJECT_COOLING_TOWER: return cooling_exchanger_capacity_mw_(l, wetbulb_c);
    case REJECT_CHILLER: return l->capacity_mw;
    case REJECT_HYBRID: return cooling_exchanger_capacity_mw_(l, drybulb_c) + l->capacity_mw;
    }
    return 0;
}

/* Carries min(heat, Q_max) on the exchanger; returns the heat carried and adds fan power
 * k_fan·Q_d·s³ with s = carried/Q_max (fan law). */
static inline double cooling_exchanger_carry_(const struct cooling_liquid *l, double heat_mw,
                                              double ambient_c, struct cooling_power *out)
{
    double q_max = cooling_exchanger_capacity_mw_(l, ambient_c);
    if (q_max <= 0 || heat_mw <= 0)
        return 0;
    double carried = cooling_min_(heat_mw, q_max);
    double s = carried / q_max;
    out->fan_mw += l->fan_fraction * l->capacity_mw * s * s * s;
    return carried;
}

static inline void cooling_liquid_power_i(const struct cooling_liquid *l, double heat_mw,
                                          double drybulb_c, double wetbulb_c, double dt_s,
                                          struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    out->pump_mw += l->pump_fraction * heat_mw;
    double evap_c = l->supply_c - COOLING_LIQUID_EVAP_OFFSET_K;
    double cond_c = drybulb_c + COOLING_CONDENSER_OFFSET_K;
    double chiller_heat = 0;
    switch (l->rejection) {
    case REJECT_DRY_COOLER:
        cooling_exchanger_carry_(l, heat_mw, drybulb_c, out);
        break;
    case REJECT_COOLING_TOWER: {
        double q = cooling_exchanger_carry_(l, heat_mw, wetbulb_c, out);
        /* evaporation: Q·Δt / 2.43 MJ/kg; blowdown: × c/(c − 1); kg → m³ at 1000 kg/m³ */
        out->water_m3 += q * dt_s / COOLING_LATENT_MJ_PER_KG * l->cycles / (l->cycles - 1) / 1000.0;
        break;
    }
    case REJECT_CHILLER:
        chiller_heat = cooling_min_(heat_mw, l->capacity_mw);
        break;
    case REJECT_HYBRID:
        chiller_heat = cooling_min_(heat_mw - cooling_exchanger_carry_(l, heat_mw, drybulb_c, out),
                                    l->capacity_mw);
        break;
    }
    if (chiller_heat > 0)
        out->chiller_mw += chiller_heat / cooling_chiller_cop_i(evap_c, cond_c,
                                                                l->carnot_efficiency, l->cop_max);
}

static inline void cooling_air_power_i(const struct cooling_air *a, double heat_mw,
                                       double drybulb_c, struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    out->air_fan_mw += a->crah_fraction * heat_mw;
    if (a->economizer && drybulb_c <= a->supply_c - COOLING_ECONOMIZER_MARGIN_K)
        return;
    double evap_c = a->supply_c - COOLING_AIR_EVAP_OFFSET_K;
    double cond_c = drybulb_c + COOLING_CONDENSER_OFFSET_K;
    out->air_chiller_mw += heat_mw / cooling_chiller_cop_i(evap_c, cond_c, a->carnot_efficiency,
                                                           a->cop_max);
}

#endif
