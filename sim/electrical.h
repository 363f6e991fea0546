/* electrical.h — the electrical chain (../shared/model.md "Electrical chain").
 * P_facility = (P_IT/η_ups + P_cool + m·P_IT) / (η_tx·(1 − d)). */
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

#endif
