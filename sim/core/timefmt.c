/* timefmt.c — time spans and ISO 8601 dates (see timefmt.h).
 * Calendar arithmetic after Howard Hinnant's "chrono-compatible low-level date algorithms". */
#include "timefmt.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int64_t timefmt_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

void timefmt_civil(int64_t unix_s, struct civil_time *out)
{
    int64_t days = unix_s >= 0 ? unix_s / SECONDS_PER_DAY
                               : -((-unix_s + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
    int64_t secs = unix_s - days * SECONDS_PER_DAY;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += (m <= 2);
    out->year = (int)y;
    out->month = (int)m;
    out->day = (int)d;
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs % 3600 / 60);
    out->second = (int)(secs % 60);
    out->leap = is_leap(y);
    out->day_of_year = (int)(days - timefmt_days_from_civil((int)y, 1, 1));
}

int timefmt_parse_span(const char *text, int64_t *out_s)
{
    static const struct { const char *unit; double seconds; } units[] = {
        {"s", 1}, {"sec", 1}, {"min", 60}, {"h", 3600}, {"d", 86400},
        {"w", 7 * 86400.0}, {"y", 365 * 86400.0},
    };
    if (!text || !*text || isspace((unsigned char)*text))
        return DCSIM_EINPUT;
    size_t digits = strspn(text, "0123456789.eE+-");
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || (size_t)(end - text) > digits || !isfinite(v) || v <= 0)
        return DCSIM_EINPUT;
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            double s = v * units[i].seconds;
            if (s > 1e15 || fabs(s - nearbyint(s)) > 1e-6 * fmax(1.0, s) || nearbyint(s) < 1)
                return DCSIM_EINPUT;
            *out_s = (int64_t)nearbyint(s);
            return 0;
        }
    }
    return DCSIM_EINPUT;
}

static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int timefmt_parse_date(const char *text, int64_t *out_unix_s)
{
    if (!text)
        return DCSIM_EINPUT;
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-' ||
        read_digits(&p, 2, &d))
        return DCSIM_EINPUT;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi))
            return DCSIM_EINPUT;
        if (*p == ':') {
            p++;
            if (read_digits(&p, 2, &s))
                return DCSIM_EINPUT;
        }
        if (*p == 'Z')
            p++;
    }
    if (*p != '\0')
        return DCSIM_EINPUT;
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h > 23 || mi > 59 || s > 59)
        return DCSIM_EINPUT;
    *out_unix_s = timefmt_days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s;
    return 0;
}

void timefmt_format_date(int64_t unix_s, char *buf, size_t len)
{
    struct civil_time c;
    timefmt_civil(unix_s, &c);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
             c.minute, c.second);
}

void timefmt_format_span(int64_t span_s, char *buf, size_t len)
{
    if (span_s % SECONDS_PER_DAY == 0)
        snprintf(buf, len, "%lldd", (long long)(span_s / SECONDS_PER_DAY));
    else if (span_s % 3600 == 0)
        snprintf(buf, len, "%lldh", (long long)(span_s / 3600));
    else if (span_s % 60 == 0)
        snprintf(buf, len, "%lldmin", (long long)(span_s / 60));
    else
        snprintf(buf, len, "%llds", (long long)span_s);
}
