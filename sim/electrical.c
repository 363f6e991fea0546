/* electrical.c — facility power from IT and cooling power (see electrical.h). */
#include "electrical.h"

void electrical_facility(const struct electrical *e, double it_mw, double cooling_mw,
                         struct electrical_power *out)
{
    out->misc_mw = e->misc_fraction * it_mw;
    out->facility_mw = (it_mw / e->ups_efficiency + cooling_mw + out->misc_mw) /
                       (e->transformer_efficiency * (1.0 - e->distribution_loss));
    out->losses_mw = out->facility_mw - it_mw - cooling_mw - out->misc_mw;
}
