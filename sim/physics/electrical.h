/* electrical.h — the electrical chain (../shared/model.md "Electrical chain").
 * P_facility = (P_IT,ups/η_ups + P_IT,direct + P_cool + m·P_IT) / (η_tx·(1 − d)): the IT of
 * pools behind the UPS (`ups`, default true, false for mining) pays its loss. */
#ifndef DCSIM_ELECTRICAL_H
#define DCSIM_ELECTRICAL_H

#include "scenario.h"

struct electrical_power {
    double facility_mw;     /* at the meter */
    double misc_mw;         /* lighting, offices: m·P_IT */
    double losses_mw;       /* UPS, transformer and distribution: facility − IT − cooling − misc */
};

void electrical_facility(const struct electrical *e, double it_mw, double cooling_mw,
                         struct electrical_power *out);

/* The same inline with it_ups_mw of the IT behind the UPS (the rest feeds directly). */
static inline void electrical_facility_ups_i(const struct electrical *e, double it_mw,
                                             double it_ups_mw, double cooling_mw,
                                             struct electrical_power *out)
{
    out->misc_mw = e->misc_fraction * it_mw;
    out->facility_mw = (it_ups_mw / e->ups_efficiency + (it_mw - it_ups_mw) + cooling_mw +
                        out->misc_mw) /
                       (e->transformer_efficiency * (1.0 - e->distribution_loss));
    out->losses_mw = out->facility_mw - it_mw - cooling_mw - out->misc_mw;
}

/* All IT behind the UPS, inline, for the solver's step (electrical_facility calls it). */
static inline void electrical_facility_i(const struct electrical *e, double it_mw,
                                         double cooling_mw, struct electrical_power *out)
{
    electrical_facility_ups_i(e, it_mw, it_mw, cooling_mw, out);
}

#endif
