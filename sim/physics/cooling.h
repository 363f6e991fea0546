/* cooling.h — cooling power and water (../shared/model.md "Cooling", docs/model.md §3).
 *
 * Liquid loop: pumps k_pump·Q; dry cooler / cooling tower with capacity
 * Q_d·max(0, (T_s − T_amb)/a) and fan power k_fan·Q_d·s³; a chiller with
 * COP = min(COP_max, η·T_evap/(T_cond − T_evap)); hybrid = dry cooler and trim chiller sharing
 * the heat at the least power. Tower water from an air-side energy and moisture balance.
 * Air side: CRAH fans k_crah·Q, an integrated economizer mixing free and mechanical cooling
 * between T_a − 4 K and T_a. Every plant's power is continuous and never falls as the dry or
 * wet bulb rises (tests/unit/check_cooling.c). */
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
/** Economizer carries all air heat while dry bulb <= supply air − this, K (model.md). */
#define COOLING_ECONOMIZER_MARGIN_K 4.0
/** Width of the integrated economizer's mixing band below the supply air, K (model.md): the
 *  chiller's share rises linearly from 0 at T_a − 4 K to 1 at T_a. */
#define COOLING_ECONOMIZER_BAND_K 4.0
/** Tower range: hot water returns this much above the supply setpoint, K. figures.md
 *  "coolant flow": loops are sized for ΔT <= 10 K (OCP guideline); the design value is used. */
#define COOLING_TOWER_RANGE_K 10.0

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

/** Tower evaporation per heat rejected, kg/MJ, at this weather (docs/model.md §3, "tower
 *  water"): air-side energy and moisture balance with inlet air from (T_db, T_wb) at standard
 *  pressure and exit air saturated at T_s + max(0, R − a); at most the all-latent 1/2.43. */
double cooling_tower_evaporation_kg_per_mj(const struct cooling_liquid *l, double drybulb_c,
                                           double wetbulb_c);

/** Heat the hybrid plant's dry cooler carries at the least fan + chiller power, MW:
 *  x* = min(Q_L, Q_max, Q_max·√(Q_max/(3·k_fan·Q_d·COP))), raised to Q_L − Q_d when the
 *  chiller cannot take the rest (and at most Q_max). */
double cooling_hybrid_dry_mw(const struct cooling_liquid *l, double heat_mw, double drybulb_c);

/** Share of the air heat the air-side chiller carries at this dry bulb, 0..1 (1 without an
 *  economizer). */
double cooling_air_chiller_share(const struct cooling_air *a, double drybulb_c);

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
    /* a select, not an early return, so that loops of it vectorise (cooling_liquid_at_n); the
     * quotient of a lift <= 0 is not used */
    double ideal = carnot_efficiency * (evap_c + COOLING_KELVIN) / lift_k;
    return lift_k <= 0 ? cop_max : cooling_min_(cop_max, ideal);
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

/* Fan power of an exchanger of capacity q_max carrying carried_mw: k_fan·Q_d·s³, s = carried/Q_max
 * (fan law). */
static inline double cooling_fan_mw_(const struct cooling_liquid *l, double carried_mw,
                                     double q_max)
{
    if (q_max <= 0 || carried_mw <= 0)
        return 0;
    double s = cooling_min_(1.0, carried_mw / q_max);
    return l->fan_fraction * l->capacity_mw * s * s * s;
}

/* The hybrid's least-power bound's denominator 3·k·Q_d·COP (below), in this order: the step's
 * and the block's bounds are the same bits. */
static inline double cooling_hybrid_bound_denom_(const struct cooling_liquid *l, double cop)
{
    return 3.0 * l->fan_fraction * l->capacity_mw * cop;
}

/* Hybrid least-power split. P(x) = k·Q_d·(x/Q_max)³ + (Q_L − x)/COP is convex in x; its
 * stationary point is x² = Q_max³/(3·k·Q_d·COP). Constraints: 0 <= x <= min(Q_L, Q_max) and
 * Q_L − x <= Q_d (the trim chiller's capacity), so x >= Q_L − Q_d. */
/** The part of the cooling power that depends on the weather alone (and the loop's
 *  constants): worked out once per weather, so the several loads a step evaluates share it.
 *  Fields a rejection type does not use are left unset. */
struct cooling_at {
    double q_max_mw;        /* dry cooler, tower, hybrid: the exchanger's capacity now */
    double cop;             /* chiller, hybrid: the chiller's COP now */
    double dry_cap_mw;      /* hybrid: the least-power share's bound q_max·√(q_max/(3kQ_d·COP)) */
    int dry_capped;         /* hybrid: that bound applies (3kQ_d·COP > 0) */
    double air_share;       /* air side: the chiller's share φ */
    double air_cop;         /* air side: its COP (when φ > 0) */
};

/* The weather's part of the liquid loop's power (l present). */
static inline void cooling_liquid_at(const struct cooling_liquid *l, double drybulb_c,
                                     double wetbulb_c, struct cooling_at *w)
{
    double evap_c = l->supply_c - COOLING_LIQUID_EVAP_OFFSET_K;
    double cond_c = drybulb_c + COOLING_CONDENSER_OFFSET_K;
    switch (l->rejection) {
    case REJECT_DRY_COOLER:
        w->q_max_mw = cooling_exchanger_capacity_mw_(l, drybulb_c);
        break;
    case REJECT_COOLING_TOWER:
        w->q_max_mw = cooling_exchanger_capacity_mw_(l, wetbulb_c);
        break;
    case REJECT_CHILLER:
        w->cop = cooling_chiller_cop_i(evap_c, cond_c, l->carnot_efficiency, l->cop_max);
        break;
    case REJECT_HYBRID: {
        w->cop = cooling_chiller_cop_i(evap_c, cond_c, l->carnot_efficiency, l->cop_max);
        w->q_max_mw = cooling_exchanger_capacity_mw_(l, drybulb_c);
        double denom = cooling_hybrid_bound_denom_(l, w->cop);
        w->dry_capped = denom > 0;
        if (w->dry_capped)
            w->dry_cap_mw = w->q_max_mw * sqrt(w->q_max_mw / denom);
        break;
    }
    }
}

/* The weather's part of the liquid loop for up to COOLING_AT_N steps at once (cooling_at_n),
 * as arrays: each element the same bits as cooling_liquid_at's field of that step (fields a
 * rejection type does not use hold values nobody reads). */
#define COOLING_AT_N 64
struct cooling_at_n {
    double q_max_mw[COOLING_AT_N], cop[COOLING_AT_N], dry_cap_mw[COOLING_AT_N];
    double dry_capped[COOLING_AT_N];    /* 1 or 0 */
};

/** cooling_liquid_at of n <= COOLING_AT_N weathers at once, into *out (vectorised where the
 *  CPU can: the divisions and the square root of the hybrid's bound, one step's weather at a
 *  time, were ~5 % of a run of trials). wetbulb_c is read only for a cooling tower. */
void cooling_liquid_at_n(const struct cooling_liquid *l, const double *drybulb_c,
                         const double *wetbulb_c, size_t n, struct cooling_at_n *out);

/* Step i of a cooling_liquid_at_n table as cooling_liquid_at would give it. */
static inline void cooling_at_from_n(const struct cooling_at_n *t, size_t i, struct cooling_at *w)
{
    w->q_max_mw = t->q_max_mw[i];
    w->cop = t->cop[i];
    w->dry_cap_mw = t->dry_cap_mw[i];
    w->dry_capped = t->dry_capped[i] != 0;
}

/* The hybrid's dry-cooler share x* (docs/model.md §3) with the weather's part given. */
static inline double cooling_hybrid_dry_mw_w(const struct cooling_liquid *l,
                                             const struct cooling_at *w, double heat_mw)
{
    double q_max = w->q_max_mw;
    if (q_max <= 0 || heat_mw <= 0)
        return 0;
    double x = cooling_min_(heat_mw, q_max);
    if (w->dry_capped)
        x = cooling_min_(x, w->dry_cap_mw);
    double need = cooling_min_(q_max, heat_mw - l->capacity_mw);   /* chiller full */
    return cooling_max_(x, need);
}

/* The liquid loop's power for heat_mw, with the weather's part w (cooling_liquid_at of the
 * same weather). evap_kg_per_mj: the tower's evaporation per heat, or NaN: computed here. */
static inline void cooling_liquid_power_w(const struct cooling_liquid *l,
                                          const struct cooling_at *w, double heat_mw,
                                          double drybulb_c, double wetbulb_c, double dt_s,
                                          double evap_kg_per_mj, struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    out->pump_mw += l->pump_fraction * heat_mw;
    switch (l->rejection) {
    case REJECT_DRY_COOLER: {
        double q_max = w->q_max_mw;
        out->fan_mw += cooling_fan_mw_(l, cooling_min_(heat_mw, q_max), q_max);
        break;
    }
    case REJECT_COOLING_TOWER: {
        double q_max = w->q_max_mw;
        double q = cooling_min_(heat_mw, q_max);
        out->fan_mw += cooling_fan_mw_(l, q, q_max);
        /* evaporation (air-side balance) × c/(c − 1) for drift and blowdown; kg → m³ */
        if (q > 0) {
            double e = evap_kg_per_mj == evap_kg_per_mj
                           ? evap_kg_per_mj
                           : cooling_tower_evaporation_kg_per_mj(l, drybulb_c, wetbulb_c);
            out->water_m3 += q * dt_s * e * l->cycles / (l->cycles - 1) / 1000.0;
        }
        break;
    }
    case REJECT_CHILLER: {
        double chiller_heat = cooling_min_(heat_mw, l->capacity_mw);
        if (chiller_heat > 0)
            out->chiller_mw += chiller_heat / w->cop;
        break;
    }
    case REJECT_HYBRID: {
        double x = cooling_hybrid_dry_mw_w(l, w, heat_mw);
        out->fan_mw += cooling_fan_mw_(l, x, w->q_max_mw);
        double chiller_heat = cooling_min_(heat_mw - x, l->capacity_mw);
        if (chiller_heat > 0)
            out->chiller_mw += chiller_heat / w->cop;
        break;
    }
    }
}

static inline void cooling_liquid_power_e(const struct cooling_liquid *l, double heat_mw,
                                          double drybulb_c, double wetbulb_c, double dt_s,
                                          double evap_kg_per_mj, struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    struct cooling_at w = {0};
    cooling_liquid_at(l, drybulb_c, wetbulb_c, &w);
    cooling_liquid_power_w(l, &w, heat_mw, drybulb_c, wetbulb_c, dt_s, evap_kg_per_mj, out);
}

static inline void cooling_liquid_power_i(const struct cooling_liquid *l, double heat_mw,
                                          double drybulb_c, double wetbulb_c, double dt_s,
                                          struct cooling_power *out)
{
    cooling_liquid_power_e(l, heat_mw, drybulb_c, wetbulb_c, dt_s, NAN, out);
}

/* Integrated economizer: the chiller's share φ = clamp((T_db − (T_a − 4 K))/4 K, 0, 1). */
static inline double cooling_air_chiller_share_i(const struct cooling_air *a, double drybulb_c)
{
    if (!a->economizer)
        return 1.0;
    double phi = (drybulb_c - (a->supply_c - COOLING_ECONOMIZER_MARGIN_K)) /
                 COOLING_ECONOMIZER_BAND_K;
    return cooling_min_(1.0, cooling_max_(0.0, phi));
}

/* The weather's part of the air side's power (a present). */
static inline void cooling_air_at(const struct cooling_air *a, double drybulb_c,
                                  struct cooling_at *w)
{
    w->air_share = cooling_air_chiller_share_i(a, drybulb_c);
    if (w->air_share > 0)
        w->air_cop = cooling_chiller_cop_i(a->supply_c - COOLING_AIR_EVAP_OFFSET_K,
                                           drybulb_c + COOLING_CONDENSER_OFFSET_K,
                                           a->carnot_efficiency, a->cop_max);
}

/* The air side's power for heat_mw, with the weather's part w (cooling_air_at). */
static inline void cooling_air_power_w(const struct cooling_air *a, const struct cooling_at *w,
                                       double heat_mw, struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    out->air_fan_mw += a->crah_fraction * heat_mw;
    double phi = w->air_share;
    if (phi <= 0)
        return;
    out->air_chiller_mw += phi * heat_mw / w->air_cop;
}

static inline void cooling_air_power_i(const struct cooling_air *a, double heat_mw,
                                       double drybulb_c, struct cooling_power *out)
{
    if (heat_mw <= 0)
        return;
    struct cooling_at w = {0};
    cooling_air_at(a, drybulb_c, &w);
    cooling_air_power_w(a, &w, heat_mw, out);
}

#endif
