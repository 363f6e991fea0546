/* cooling.c — cooling power and water (see cooling.h for the equations' source; the bodies
 * are cooling.h's inline versions, which the solver's step calls directly). */
#include "cooling.h"

double cooling_chiller_cop(double evap_c, double cond_c, double carnot_efficiency, double cop_max)
{
    return cooling_chiller_cop_i(evap_c, cond_c, carnot_efficiency, cop_max);
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
