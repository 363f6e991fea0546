/* epw.h — internal to the weather module: reads an EnergyPlus weather (EPW) file.
 *
 * Format: EnergyPlus "Auxiliary Programs", ch. "Weather Converter", EPW data dictionary:
 * 8 header lines, then one comma-separated row of 35 fields per hour, 8760 rows. */
#ifndef DCSIM_EPW_H
#define DCSIM_EPW_H

#include "err.h"

#define EPW_HOURS 8760              /* rows of a 365-day hourly file */

struct epw_series {
    double utc_offset_h;            /* LOCATION time zone: local standard time - UTC, h */
    double drybulb_c[EPW_HOURS];    /* row k: the hour ending k+1 h after Jan 1 00:00 LST, °C */
    double wetbulb_c[EPW_HOURS];    /* thermodynamic wet bulb of the same row, °C */
};

/** Reads `path` into *out (caller-owned). Returns 0; DCSIM_EINPUT for bad content, every
 *  problem reported into `d` as path:line:col; DCSIM_EIO when unreadable (also reported). */
int epw_read(const char *path, struct epw_series *out, struct diag *d);

#endif
