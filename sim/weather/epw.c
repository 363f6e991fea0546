/* epw.c — reads the hourly dry bulb and humidity of an EnergyPlus weather file (see epw.h).
 *
 * Field numbers and missing-value codes: EnergyPlus Auxiliary Programs, "Weather Converter",
 * EPW data dictionary. Wet bulb is computed per row here, once, so weather_at only
 * interpolates. Problems are reported like a compiler (path:line:col) and reading goes on
 * to collect them all; LF and CRLF line ends are both accepted. */
#include "epw.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "weather.h"

#define EPW_HEADER_LINES 8
#define EPW_LOCATION_FIELDS 10      /* LOCATION,city,state,country,source,WMO,lat,lon,tz,elev */
#define EPW_FIELD_TIMEZONE 9        /* 1-based, counting the LOCATION keyword as field 1 */
#define EPW_FIELD_RECORDS_PER_HOUR 3   /* of the DATA PERIODS line */
#define EPW_DATA_FIELDS 35
#define EPW_FIELD_HOUR 4            /* data row fields, 1-based */
#define EPW_FIELD_DRYBULB 7
#define EPW_FIELD_DEWPOINT 8
#define EPW_FIELD_RH 9
#define EPW_FIELD_PRESSURE 10
#define EPW_MISSING_TEMP_C 99.9     /* data dictionary: "missing value" of both temperatures */
#define EPW_MISSING_RH 999.0
#define EPW_MISSING_PRESSURE_PA 999999.0
#define EPW_DRYBULB_MIN_C -70.0     /* data dictionary: dry bulb minimum > -70, maximum < 70 */
#define EPW_DRYBULB_MAX_C 70.0
#define STANDARD_PRESSURE_PA 101325.0   /* stands in for a missing pressure (sea level) */
#define TIMEZONE_MIN_H -12.0        /* civil time zones span UTC-12 .. UTC+14 */
#define TIMEZONE_MAX_H 14.0
#define EPW_MAX_ERRORS DIAG_MAX_STORED  /* stop reading a file that is not an EPW at all */

struct reader {
    const char *path;
    FILE *f;
    char *buf;
    size_t cap;
    int lineno;
    int read_errno;             /* errno of a failed read (0: none) */
    size_t n_errors;
    struct diag *d;
};

#define READER_ERROR(r, col, ...) \
    ((r)->n_errors++, diag_error((r)->d, (r)->path, (r)->lineno, (col), __VA_ARGS__))

#define READ_END (-1)           /* reader_next: end of file */
#define READ_FAILED (-2)        /* reader_next: I/O error or out of memory (see read_errno) */
#define READ_TOO_LONG (-3)      /* reader_next: a line or the file beyond the limits below */
/* An EPW row is ~150 characters and a file ~1.6 MB; the limits only stop a reader that was
 * given something else (/dev/zero, a log that never ends) before it exhausts memory. */
#define EPW_MAX_LINE 65536
#define EPW_MAX_LINES (EPW_HEADER_LINES + EPW_HOURS + 100000)

/* Reads the next line without its "\n" or "\r\n"; returns its length, READ_END,
 * READ_FAILED or READ_TOO_LONG (with a message). */
static ssize_t reader_next(struct reader *r)
{
    if (!r->buf) {
        r->cap = 256;
        if (!(r->buf = malloc(r->cap))) {
            r->read_errno = ENOMEM;
            return READ_FAILED;
        }
    }
    if (r->lineno >= EPW_MAX_LINES) {
        READER_ERROR(r, 0, "more than %d lines: not an EPW file", EPW_MAX_LINES);
        return READ_TOO_LONG;
    }
    ssize_t n = 0;
    int ch = EOF;
    errno = 0;
    while ((ch = getc(r->f)) != EOF) {
        if ((size_t)n + 1 >= r->cap) {
            if (r->cap > EPW_MAX_LINE) {
                r->lineno++;
                READER_ERROR(r, 0, "line longer than %d characters: not an EPW file",
                             EPW_MAX_LINE);
                return READ_TOO_LONG;
            }
            char *nb = realloc(r->buf, r->cap * 2);
            if (!nb) {
                r->read_errno = ENOMEM;
                return READ_FAILED;
            }
            r->buf = nb;
            r->cap *= 2;
        }
        r->buf[n++] = (char)ch;
        if (ch == '\n')
            break;
    }
    r->buf[n] = '\0';
    if (ch == EOF && ferror(r->f)) {
        r->read_errno = errno ? errno : EIO;
        return READ_FAILED;
    }
    if (ch == EOF && n == 0)
        return READ_END;
    r->lineno++;
    while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
        r->buf[--n] = '\0';
    return n;
}

/* Splits a line in place at commas. Stores up to `max` fields with their 1-based columns and
 * returns the total number of fields. */
static int split_fields(char *line, char **text, int *col, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < max) {
            text[n] = p;
            col[n] = (int)(p - line) + 1;
        }
        n++;
        char *comma = strchr(p, ',');
        if (!comma)
            return n;
        *comma = '\0';
        p = comma + 1;
    }
}

/* Parses a whole field as a finite number (surrounding blanks allowed). */
static int parse_number(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static void read_location(struct reader *r, struct epw_series *out)
{
    char *text[EPW_LOCATION_FIELDS];
    int col[EPW_LOCATION_FIELDS];
    int n = split_fields(r->buf, text, col, EPW_LOCATION_FIELDS);
    if (strcmp(text[0], "LOCATION") != 0) {
        READER_ERROR(r, 1, "missing 'LOCATION' header: line 1 starts '%.20s'", text[0]);
        return;
    }
    if (n < EPW_LOCATION_FIELDS) {
        READER_ERROR(r, 0, "too few fields in the LOCATION line: %d of %d", n,
                     EPW_LOCATION_FIELDS);
        return;
    }
    int i = EPW_FIELD_TIMEZONE - 1;
    double tz_h;
    if (parse_number(text[i], &tz_h) != 0)
        READER_ERROR(r, col[i], "non-numeric time zone '%s'", text[i]);
    else if (tz_h < TIMEZONE_MIN_H || tz_h > TIMEZONE_MAX_H)
        READER_ERROR(r, col[i], "out-of-range time zone %g h (allowed %g..%g)", tz_h,
                     TIMEZONE_MIN_H, TIMEZONE_MAX_H);
    else
        out->utc_offset_h = tz_h;
}

static void read_data_periods(struct reader *r)
{
    char *text[EPW_FIELD_RECORDS_PER_HOUR];
    int col[EPW_FIELD_RECORDS_PER_HOUR];
    int n = split_fields(r->buf, text, col, EPW_FIELD_RECORDS_PER_HOUR);
    int i = EPW_FIELD_RECORDS_PER_HOUR - 1;
    double per_hour;
    if (strcmp(text[0], "DATA PERIODS") != 0)
        READER_ERROR(r, 1, "missing 'DATA PERIODS' header: line 8 starts '%.20s'", text[0]);
    else if (n < EPW_FIELD_RECORDS_PER_HOUR || parse_number(text[i], &per_hour) != 0)
        READER_ERROR(r, 0, "missing number of records per hour in DATA PERIODS");
    else if (per_hour != 1)
        READER_ERROR(r, col[i], "unsupported %s records per hour (only hourly files)",
                     text[i]);
}

/* Reads field `field` (1-based) as a number, reporting `what` when it is not one. */
static int row_number(struct reader *r, char **text, const int *col, int field,
                      const char *what, double *out)
{
    if (parse_number(text[field - 1], out) == 0)
        return 0;
    READER_ERROR(r, col[field - 1], "non-numeric %s '%s'", what, text[field - 1]);
    return -1;
}

/* Parses data row k (0-based) from r->buf into out. */
static void read_row(struct reader *r, int k, struct epw_series *out)
{
    char *text[EPW_DATA_FIELDS];
    int col[EPW_DATA_FIELDS];
    int line_len = (int)strlen(r->buf);
    int n = split_fields(r->buf, text, col, EPW_DATA_FIELDS);
    if (n != EPW_DATA_FIELDS) {
        READER_ERROR(r, n < EPW_DATA_FIELDS ? line_len + 1 : 0,
                     "wrong number of fields in data row: %d, expected %d", n, EPW_DATA_FIELDS);
        return;
    }
    double hour = 0, db_c = 0, dp_c = 0, rh = 0, p_pa = 0;
    int bad = row_number(r, text, col, EPW_FIELD_HOUR, "hour", &hour);
    bad |= row_number(r, text, col, EPW_FIELD_DRYBULB, "dry bulb", &db_c);
    bad |= row_number(r, text, col, EPW_FIELD_DEWPOINT, "dew point", &dp_c);
    bad |= row_number(r, text, col, EPW_FIELD_RH, "relative humidity", &rh);
    bad |= row_number(r, text, col, EPW_FIELD_PRESSURE, "pressure", &p_pa);
    if (bad)
        return;
    int db_col = col[EPW_FIELD_DRYBULB - 1];
    if (hour != k % 24 + 1) {
        READER_ERROR(r, col[EPW_FIELD_HOUR - 1], "out-of-sequence hour %g, expected %d", hour,
                     k % 24 + 1);
        return;
    }
    if (db_c >= EPW_MISSING_TEMP_C) {
        READER_ERROR(r, db_col, "missing dry bulb (%s)", text[EPW_FIELD_DRYBULB - 1]);
        return;
    }
    if (db_c <= EPW_DRYBULB_MIN_C || db_c >= EPW_DRYBULB_MAX_C) {
        READER_ERROR(r, db_col, "out-of-range dry bulb %g °C (allowed %g..%g)", db_c,
                     EPW_DRYBULB_MIN_C, EPW_DRYBULB_MAX_C);
        return;
    }
    if (p_pa >= EPW_MISSING_PRESSURE_PA || p_pa <= 0)
        p_pa = STANDARD_PRESSURE_PA;
    double wb_c;
    if (dp_c < EPW_MISSING_TEMP_C) {
        wb_c = psychro_wetbulb_c(db_c, dp_c, p_pa);
    } else if (rh < EPW_MISSING_RH) {
        wb_c = psychro_wetbulb_stull_c(db_c, rh);
    } else {
        READER_ERROR(r, col[EPW_FIELD_DEWPOINT - 1],
                     "missing dew point and relative humidity: no wet bulb");
        return;
    }
    if (!isfinite(wb_c)) {
        READER_ERROR(r, db_col, "no wet bulb solution for dry bulb %g °C, dew point %g °C, %g Pa",
                     db_c, dp_c, p_pa);
        return;
    }
    out->drybulb_c[k] = db_c;
    out->wetbulb_c[k] = wb_c;
}

/* Status of a failed read, reported once. */
static int reader_failure(struct reader *r)
{
    if (r->read_errno == ENOMEM)
        return DCSIM_ENOMEM;
    diag_error(r->d, r->path, r->lineno, 0, "cannot read: %s", strerror(r->read_errno));
    return r->read_errno == EISDIR ? DCSIM_EINPUT : DCSIM_EIO;   /* a directory: bad input */
}

static int read_all(struct reader *r, struct epw_series *out)
{
    for (int i = 1; i <= EPW_HEADER_LINES; i++) {
        ssize_t len = reader_next(r);
        if (len == READ_FAILED)
            return reader_failure(r);
        if (len == READ_TOO_LONG)
            return DCSIM_EINPUT;
        if (len == READ_END) {
            READER_ERROR(r, 0, "truncated header: file ends after %d of %d lines", i - 1,
                         EPW_HEADER_LINES);
            return DCSIM_EINPUT;
        }
        if (i == 1)
            read_location(r, out);
        else if (i == EPW_HEADER_LINES)
            read_data_periods(r);
    }
    int k = 0;
    ssize_t len;
    while (r->n_errors < EPW_MAX_ERRORS && (len = reader_next(r)) != READ_END) {
        if (len == READ_FAILED)
            return reader_failure(r);
        if (len == READ_TOO_LONG)
            return DCSIM_EINPUT;
        if (strspn(r->buf, " \t") == (size_t)len)
            continue;   /* blank lines (a trailing newline too many) are not rows */
        if (k == EPW_HOURS) {
            READER_ERROR(r, 0, "too many data rows: more than %d (leap-year or sub-hourly file?)",
                         EPW_HOURS);
            break;
        }
        read_row(r, k++, out);
    }
    if (k < EPW_HOURS && r->n_errors < EPW_MAX_ERRORS)
        READER_ERROR(r, 0, "too few data rows: file ends after %d of %d", k, EPW_HOURS);
    return r->n_errors ? DCSIM_EINPUT : 0;
}

int epw_read(const char *path, struct epw_series *out, struct diag *d)
{
    if (!path || !*path) {
        diag_error(d, NULL, 0, 0, "missing epw file name");
        return DCSIM_EINPUT;
    }
    struct reader r = {.path = path, .d = d};
    r.f = fopen(path, "r");
    if (!r.f) {
        /* a missing or unreadable weather file is bad input (exit 2), like a bad scenario */
        diag_error(d, path, 0, 0, "cannot open the EPW weather file: %s", strerror(errno));
        return DCSIM_EINPUT;
    }
    memset(out, 0, sizeof *out);
    int status = read_all(&r, out);
    free(r.buf);
    fclose(r.f);
    return status;
}
