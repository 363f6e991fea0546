/* electrical.c — facility power from IT and cooling power (see electrical.h). */
#include "electrical.h"

void electrical_facility(const struct electrical *e, double it_mw, double cooling_mw,
                         struct electrical_power *out)
{
    electrical_facility_i(e, it_mw, cooling_mw, out);
}
