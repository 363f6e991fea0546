/* timefmt.h — time spans ("15min", "1y") and ISO 8601 UTC dates.
 *
 * dcsim keeps time as int64_t seconds: absolute times are seconds since 1970-01-01T00:00:00Z
 * (proleptic Gregorian, no leap seconds); run times are seconds since the scenario start. */
#ifndef DCSIM_TIMEFMT_H
#define DCSIM_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400
#define SECONDS_PER_YEAR (365 * (int64_t)SECONDS_PER_DAY)   /* contract: a year is 365 days */

/** Parses a span: a positive number and a unit s, min, h, d, w, y ("15min", "1.5h").
 *  Returns 0 and the span in whole seconds, or DCSIM_EINPUT (also when not whole seconds). */
int timefmt_parse_span(const char *text, int64_t *out_s);

/** Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]Z" (also without Z, or with a space).
 *  Returns 0, or DCSIM_EINPUT for bad syntax or an impossible date. */
int timefmt_parse_date(const char *text, int64_t *out_unix_s);

/** Writes "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void timefmt_format_date(int64_t unix_s, char *buf, size_t len);

/** Writes a span compactly ("15min", "1h", "365d") into buf. */
void timefmt_format_span(int64_t span_s, char *buf, size_t len);

struct civil_time {
    int year, month, day;       /* month 1..12, day 1..31 */
    int hour, minute, second;
    int day_of_year;            /* 0-based */
    int leap;                   /* 1 in a leap year */
};

/** Breaks an absolute time into its UTC calendar fields. */
void timefmt_civil(int64_t unix_s, struct civil_time *out);

/** Days since 1970-01-01 of a calendar date (proleptic Gregorian). */
int64_t timefmt_days_from_civil(int year, int month, int day);

#endif
