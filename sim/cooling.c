/* cooling.c — cooling power and water (see cooling.h for the equations' source). */
#include "cooling.h"

#include <math.h>

#define KELVIN 273.15

double cooling_chiller_cop(double evap_c, double cond_c, double carnot_efficiency, double cop_max)
{
    double lift_k = cond_c - evap_c;
    if (lift_k <= 0)
        return cop_max;
    return fmin(cop_max, carnot_efficiency * (evap_c + KELVIN) / lift_k);
}

/* Dry cooler or tower: capacity Q_d·max(0, (T_s − T_amb)/a). */
static double exchanger_capacity_mw(const struct cooling_liquid *l, double ambient_c)
{
    return l->capacity_mw * fmax(0.0, (l->supply_c - ambient_c) / l->approach_k);
}

double cooling_liquid_capacity_mw(const struct cooling_liquid *l, double drybulb_c,
                                  double wetbulb_c)
{
    switch (l->rejection) {
    case REJECT_DRY_COOLER: return exchanger_capacity_mw(l, drybulb_c);
    case REJECT_COOLING_TOWER: return exchanger_capacity_mw(l, wetbulb_c);
    case REJECT_CHILLER: return l->capacity_mw;
    case REJECT_HYBRID: return exchanger_capacity_mw(l, drybulb_c) + l->capacity_mw;
    }
    return 0;
}

/* Carries min(heat, Q_max) on the exchanger; returns the heat carried and adds fan power
 * k_fan·Q_d·s³ with s = carried/Q_max (fan law). */
static double exchanger_carry(const struct cooling_liquid *l, double heat_mw, double ambient_c,
                              struct cooling_power *out)
{
    double q_max = exchanger_capacity_mw(l, ambient_c);
    if (q_max <= 0 || heat_mw <= 0)
        return 0;
    double carried = fmin(heat_mw, q_max);
    double s = carried / q_max;
    out->fan_mw += l->fan_fraction * l->capacity_mw * s * s * s;
    return carried;
}

void cooling_liquid_power(const struct cooling_liquid *l, double heat_mw, double drybulb_c,
                          double wetbulb_c, double dt_s, struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    out->pump_mw += l->pump_fraction * heat_mw;
    double evap_c = l->supply_c - COOLING_LIQUID_EVAP_OFFSET_K;
    double cond_c = drybulb_c + COOLING_CONDENSER_OFFSET_K;
    double chiller_heat = 0;
    switch (l->rejection) {
    case REJECT_DRY_COOLER:
        exchanger_carry(l, heat_mw, drybulb_c, out);
        break;
    case REJECT_COOLING_TOWER: {
        double q = exchanger_carry(l, heat_mw, wetbulb_c, out);
        /* evaporation: Q·Δt / 2.43 MJ/kg; blowdown: × c/(c − 1); kg → m³ at 1000 kg/m³ */
        out->water_m3 += q * dt_s / COOLING_LATENT_MJ_PER_KG * l->cycles / (l->cycles - 1) / 1000.0;
        break;
    }
    case REJECT_CHILLER:
        chiller_heat = fmin(heat_mw, l->capacity_mw);
        break;
    case REJECT_HYBRID:
        chiller_heat = fmin(heat_mw - exchanger_carry(l, heat_mw, drybulb_c, out), l->capacity_mw);
        break;
    }
    if (chiller_heat > 0)
        out->chiller_mw += chiller_heat /
                           cooling_chiller_cop(evap_c, cond_c, l->carnot_efficiency, l->cop_max);
}

void cooling_air_power(const struct cooling_air *a, double heat_mw, double drybulb_c,
                       struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    out->air_fan_mw += a->crah_fraction * heat_mw;
    if (a->economizer && drybulb_c <= a->supply_c - COOLING_ECONOMIZER_MARGIN_K)
        return;
    double evap_c = a->supply_c - COOLING_AIR_EVAP_OFFSET_K;
    double cond_c = drybulb_c + COOLING_CONDENSER_OFFSET_K;
    out->air_chiller_mw += heat_mw /
                           cooling_chiller_cop(evap_c, cond_c, a->carnot_efficiency, a->cop_max);
}
