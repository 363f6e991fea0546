/* cooling.c — cooling power and water (see cooling.h for the equations' source; the power
 * kernels are cooling.h's inline versions, which the solver's step calls directly; the tower's
 * psychrometric water balance lives here). */
#include "cooling.h"

#include "simd.h"
#include "weather.h"

/* Latent heat bound, kg/MJ: all heat leaving as evaporation at 2.43 MJ/kg (model.md). */
#define ALL_LATENT_KG_PER_MJ (1.0 / COOLING_LATENT_MJ_PER_KG)

double cooling_chiller_cop(double evap_c, double cond_c, double carnot_efficiency, double cop_max)
{
    return cooling_chiller_cop_i(evap_c, cond_c, carnot_efficiency, cop_max);
}

/* The same operations as cooling_liquid_at's for each step, every field for every type (the
 * ones a type does not use are not read): no branch in the loop (and cooling.c is built with
 * -fno-math-errno: sqrt without its errno branch). */
DCSIM_VECTOR_CLONES DCSIM_BRANCH_FREE
void cooling_liquid_at_n(const struct cooling_liquid *l, const double *drybulb_c,
                         const double *wetbulb_c, size_t n, struct cooling_at_n *out)
{
    const double *ambient_c = l->rejection == REJECT_COOLING_TOWER ? wetbulb_c : drybulb_c;
    double evap_c = l->supply_c - COOLING_LIQUID_EVAP_OFFSET_K;
    size_t m = n < COOLING_AT_N ? n : COOLING_AT_N;
    for (size_t k = 0; k < m; k++) {
        double cond_c = drybulb_c[k] + COOLING_CONDENSER_OFFSET_K;
        double cop = cooling_chiller_cop_i(evap_c, cond_c, l->carnot_efficiency, l->cop_max);
        double q_max = cooling_exchanger_capacity_mw_(l, ambient_c[k]);
        double denom = cooling_hybrid_bound_denom_(l, cop);
        out->q_max_mw[k] = q_max;
        out->cop[k] = cop;
        out->dry_capped[k] = denom > 0 ? 1.0 : 0.0;
        out->dry_cap_mw[k] = q_max * sqrt(q_max / denom);
    }
}

double cooling_liquid_capacity_mw(const struct cooling_liquid *l, double drybulb_c,
                                  double wetbulb_c)
{
    return cooling_liquid_capacity_mw_i(l, drybulb_c, wetbulb_c);
}

void cooling_liquid_power(const struct cooling_liquid *l, double heat_mw, double drybulb_c,
                          double wetbulb_c, double dt_s, struct cooling_power *out)
{
    cooling_liquid_power_i(l, heat_mw, drybulb_c, wetbulb_c, dt_s, out);
}

void cooling_air_power(const struct cooling_air *a, double heat_mw, double drybulb_c,
                       struct cooling_power *out)
{
    cooling_air_power_i(a, heat_mw, drybulb_c, out);
}

double cooling_hybrid_dry_mw(const struct cooling_liquid *l, double heat_mw, double drybulb_c)
{
    struct cooling_liquid hybrid = *l;   /* the split as a hybrid makes it, whatever l is */
    hybrid.rejection = REJECT_HYBRID;
    struct cooling_at w = {0};
    cooling_liquid_at(&hybrid, drybulb_c, drybulb_c, &w);   /* a hybrid needs no wet bulb */
    return cooling_hybrid_dry_mw_w(&hybrid, &w, heat_mw);
}

double cooling_air_chiller_share(const struct cooling_air *a, double drybulb_c)
{
    return cooling_air_chiller_share_i(a, drybulb_c);
}

/* The exit air of a tower at supply_c and approach_k: saturated at T_out, its humidity ratio
 * (kg/kg) and enthalpy (kJ/kg). A loop's constants, asked for at every step of a tower site:
 * each thread keeps the last loop's (a site steps a block at a time), computed the same way. */
struct tower_exit {
    double supply_c, approach_k;
    double ratio, enthalpy_kj_per_kg;
    int known;
};

static void tower_exit_air(const struct cooling_liquid *l, double *ratio, double *enthalpy)
{
    static _Thread_local struct tower_exit last;
    if (!last.known || last.supply_c != l->supply_c || last.approach_k != l->approach_k) {
        double out_c = l->supply_c + cooling_max_(0.0, COOLING_TOWER_RANGE_K - l->approach_k);
        last.supply_c = l->supply_c;
        last.approach_k = l->approach_k;
        last.ratio = psychro_saturation_ratio(out_c, PSYCHRO_STANDARD_PRESSURE_PA);
        last.enthalpy_kj_per_kg = psychro_enthalpy_kj_per_kg(out_c, last.ratio);
        last.known = 1;
    }
    *ratio = last.ratio;
    *enthalpy = last.enthalpy_kj_per_kg;
}

/* Air-side balance of a wet tower (EnergyPlus Engineering Reference, "Cooling towers:
 * evaporation loss", saturated-exit mode; psychrometrics ASHRAE Fundamentals 2017 ch. 1):
 * per kg of dry air the air takes the heat h_out − h_in and the water W_out − W_in, so the
 * water evaporated per heat is (W_out − W_in)/(h_out − h_in). The inlet state comes from the
 * dry and wet bulb at standard pressure; the exit air is saturated at T_out = T_s + max(0,
 * R − a): it leaves the fill approaching the hot water (T_s + R) by the approach a by which the
 * cold water approaches the wet bulb (a counterflow exchanger with balanced capacity rates has
 * the same approach at both ends). Air hotter than the exit air also gives up sensible heat
 * that evaporates water beyond Q/h_fg; dcsim caps the evaporation at the all-latent bound
 * there (docs/model.md §3). */
double cooling_tower_evaporation_kg_per_mj(const struct cooling_liquid *l, double drybulb_c,
                                           double wetbulb_c)
{
    double p_pa = PSYCHRO_STANDARD_PRESSURE_PA;
    double w_in = psychro_ratio_from_wetbulb(drybulb_c, wetbulb_c, p_pa);
    double h_in = psychro_enthalpy_kj_per_kg(drybulb_c, w_in);
    double w_out, h_out;
    tower_exit_air(l, &w_out, &h_out);
    double dh = h_out - h_in, dw = w_out - w_in;
    if (!(dh > 0))
        return ALL_LATENT_KG_PER_MJ;
    /* kg per kJ → kg per MJ */
    double e = 1000.0 * cooling_max_(0.0, dw) / dh;
    return cooling_min_(e, ALL_LATENT_KG_PER_MJ);
}
