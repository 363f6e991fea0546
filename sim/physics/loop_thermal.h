/* loop_thermal.h — thermal mass of a liquid loop (issue 3): the loop temperature T obeys
 *     C·dT/dt = Q_in − Q_rejected(T, ambient),   C = ρ·c_p·V,
 * integrated within a step with GSL's odeiv2. Heat rejection follows a proportional
 * controller that holds the setpoint T_s while it can:
 *     Q_rejected = clamp(Q_in + C·(T − T_s)/τ, 0, Q_cap(T)),
 * Q_cap(T) = Q_d·max(0, (T − T_amb)/a) for the dry cooler / tower (plus the chiller's Q_d).
 * When Q_cap < Q_in the loop warms; racks throttle once T reaches their coolant_max_c. */
#ifndef DCSIM_LOOP_THERMAL_H
#define DCSIM_LOOP_THERMAL_H

#include <stdint.h>

#include "scenario.h"

/** Loop water at ~35 °C: IAPWS-95 density 994.0 kg/m³, isobaric heat capacity 4178 J/(kg·K). */
#define LOOP_WATER_DENSITY_KG_M3 994.0
#define LOOP_WATER_CP_J_PER_KG_K 4178.0
/** Time constant of the heat-rejection controller, s (a heat exchanger plant settles in
 *  about a minute; it only matters when the loop recovers from above its setpoint). */
#define LOOP_CONTROL_TAU_S 60.0

/** Heat capacity of the loop, MJ/K. */
double loop_heat_capacity_mj_per_k(const struct cooling_liquid *l);

/** Heat the loop can reject with its water at loop_c, MW (capacity scaled by `available`,
 *  0..1, for a partial cooling loss). */
double loop_rejection_capacity_mw(const struct cooling_liquid *l, double loop_c,
                                  double drybulb_c, double wetbulb_c, double available);

struct loop_step {
    double end_c;          /* loop temperature at the end of the step, °C */
    double reach_s;        /* time into the step at which T reached limit_c; -1: it did not */
    double rejected_mw;    /* mean heat rejected over the step, MW */
};

/** Integrates the loop over dt_s seconds from start_c with a constant heat input, stopping
 *  the rise at limit_c (the throttle point: from then on the input equals what the loop
 *  rejects at limit_c). Returns 0 or DCSIM_ENUMERIC. */
int loop_integrate(const struct cooling_liquid *l, double start_c, double heat_in_mw,
                   double drybulb_c, double wetbulb_c, double available, double limit_c,
                   double dt_s, struct loop_step *out);

#endif
