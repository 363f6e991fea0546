/* check_time.c — unit tests of sim/core/timefmt.h: time spans ("15min", "1y"), ISO 8601 UTC dates,
 * the civil breakdown (day of year, leap flag) and formatting round trips.
 *
 * Every expected epoch value is worked out in the comment beside it from day counts
 * (cross-checked with Python's calendar.timegm). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "testutil.h"
#include "timefmt.h"

#define DAY ((int64_t)86400)

/* Days from 1970-01-01 to 2027-01-01: 57 years, of which 14 leap (1972, 1976, ..., 2024:
 * (2024 - 1972)/4 + 1 = 14), so 57·365 + 14 = 20819 days = 1 798 761 600 s. */
#define DAYS_1970_TO_2027 20819
#define UNIX_2027_01_01 ((int64_t)DAYS_1970_TO_2027 * DAY)

static int64_t span_ok(const char *text)
{
    int64_t s = -1;
    ck_assert_msg(timefmt_parse_span(text, &s) == 0, "span '%s' rejected", text);
    return s;
}

static void span_bad(const char *text)
{
    int64_t s = 12345;
    const char *shown = text ? text : "(null)";
    ck_assert_msg(timefmt_parse_span(text, &s) == DCSIM_EINPUT, "span '%s' accepted", shown);
    ck_assert_msg(s == 12345, "span '%s' wrote its output although rejected", shown);
}

static int64_t date_ok(const char *text)
{
    int64_t t = -1;
    ck_assert_msg(timefmt_parse_date(text, &t) == 0, "date '%s' rejected", text);
    return t;
}

static void date_bad(const char *text)
{
    int64_t t = 12345;
    const char *shown = text ? text : "(null)";
    ck_assert_msg(timefmt_parse_date(text, &t) == DCSIM_EINPUT, "date '%s' accepted", shown);
    ck_assert_msg(t == 12345, "date '%s' wrote its output although rejected", shown);
}

/* ---- spans ---- */

START_TEST(test_span_units)
{
    ck_assert_int_eq(span_ok("30s"), 30);
    ck_assert_int_eq(span_ok("15min"), 15 * 60);            /* 900 */
    ck_assert_int_eq(span_ok("1h"), 3600);
    ck_assert_int_eq(span_ok("7d"), 7 * 86400);             /* 604 800 */
    ck_assert_int_eq(span_ok("2w"), 2 * 7 * 86400);         /* 1 209 600 */
    ck_assert_int_eq(span_ok("1y"), 365 * 86400);           /* contract: a year is 365 days */
    ck_assert_int_eq(span_ok("1y"), 31536000);
    ck_assert_int_eq(span_ok("1.5h"), 5400);                /* 1.5·3600 */
    ck_assert_int_eq(span_ok("0.5min"), 30);                /* 0.5·60, whole seconds */
    ck_assert_int_eq(span_ok("0.1min"), 6);     /* 0.1·60 is 6.000000000000001 in binary */
    ck_assert_int_eq(span_ok("100y"), 100 * 31536000LL);    /* 3 153 600 000: beyond int32 */
    ck_assert_int_eq(SECONDS_PER_YEAR, 31536000);
}
END_TEST

START_TEST(test_span_rejects)
{
    span_bad("0s");             /* a span is positive */
    span_bad("0h");
    span_bad("-1h");
    span_bad("1.5s");           /* not whole seconds */
    span_bad("0.5s");
}
END_TEST

START_TEST(test_span_rejects_text)
{
    span_bad("1 hour");         /* unit words are not units */
    span_bad("15 minutes");
    span_bad("");
    span_bad("h");              /* no number */
    span_bad("1");              /* no unit */
    span_bad("1e400h");         /* overflows to inf */
    span_bad("nanh");
    span_bad("infh");
    span_bad(" 1h");            /* leading blank */
    span_bad("1h ");            /* trailing blank */
    span_bad("1hh");
    span_bad("1m");             /* ambiguous: minute or month; not a unit */
    span_bad(NULL);
}
END_TEST

START_TEST(test_span_format_roundtrip)
{
    char buf[32];
    timefmt_format_span(900, buf, sizeof buf);
    ck_assert_str_eq(buf, "15min");
    timefmt_format_span(3600, buf, sizeof buf);
    ck_assert_str_eq(buf, "1h");
    timefmt_format_span(86400, buf, sizeof buf);
    ck_assert_str_eq(buf, "1d");
    timefmt_format_span(31536000, buf, sizeof buf);   /* 365 days */
    ck_assert_str_eq(buf, "365d");
    timefmt_format_span(5400, buf, sizeof buf);       /* 90 minutes */
    ck_assert_str_eq(buf, "90min");
    timefmt_format_span(61, buf, sizeof buf);
    ck_assert_str_eq(buf, "61s");
    /* parse(format(x)) == x */
    const int64_t spans[] = {1, 30, 59, 60, 900, 3599, 3600, 5400, 86399, 86400, 604800,
                             31536000, 100 * 31536000LL};
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
        timefmt_format_span(spans[i], buf, sizeof buf);
        ck_assert_int_eq(span_ok(buf), spans[i]);
    }
}
END_TEST

/* ---- dates ---- */

START_TEST(test_date_values)
{
    ck_assert_int_eq(date_ok("1970-01-01"), 0);
    ck_assert_int_eq(UNIX_2027_01_01, 1798761600);
    ck_assert_int_eq(date_ok("2027-01-01"), UNIX_2027_01_01);
    /* 2027-03-01: + 31 (Jan) + 28 (Feb) = 59 days: (20819 + 59)·86400 = 20878·86400
     * = 1 803 859 200 */
    ck_assert_int_eq(date_ok("2027-03-01"), 1803859200);
    ck_assert_int_eq(date_ok("2027-03-01"), (int64_t)(DAYS_1970_TO_2027 + 59) * DAY);
    /* with a time: + 14·3600 = 50 400 s -> 1 803 909 600, in every accepted spelling */
    ck_assert_int_eq(date_ok("2027-03-01T14:00:00Z"), 1803909600);
    ck_assert_int_eq(date_ok("2027-03-01T14:00Z"), 1803909600);
    ck_assert_int_eq(date_ok("2027-03-01T14:00:00"), 1803909600);
    ck_assert_int_eq(date_ok("2027-03-01 14:00:00"), 1803909600);
    /* last second of 2027: 2028-01-01 is 20819 + 365 = 21184 days; minus 1 s */
    ck_assert_int_eq(date_ok("2027-12-31T23:59:59Z"), 21184 * DAY - 1);
    ck_assert_int_eq(date_ok("2027-12-31T23:59:59Z"), 1830297599);
    /* before 1970: 1900-01-01 is 70 years (17 leap: 1904..1968) = 25567 days earlier */
    ck_assert_int_eq(date_ok("1900-01-01"), -25567 * DAY);
    ck_assert_int_eq(date_ok("1900-01-01"), -2208988800LL);
}
END_TEST

START_TEST(test_date_leap_days)
{
    /* 2028 is a leap year: 2028-02-29 = 2028-01-01 (21184 days) + 31 + 28 = 21243 days */
    ck_assert_int_eq(date_ok("2028-02-29"), 21243 * DAY);
    ck_assert_int_eq(date_ok("2028-02-29"), 1835395200);
    ck_assert_int_eq(date_ok("2028-03-01"), date_ok("2028-02-29") + DAY);
    /* 2000 is a leap year (divisible by 400): 30 years, 7 leap (1972..1996) -> 10957 days,
     * + 59 -> 11016 days = 951 782 400 s */
    ck_assert_int_eq(date_ok("2000-02-29"), 951782400);
    date_bad("2027-02-29");     /* 2027 is not a leap year */
    date_bad("1900-02-29");     /* divisible by 100 but not by 400 */
    date_bad("2100-02-29");
}
END_TEST

START_TEST(test_date_rejects)
{
    date_bad("2027-02-30");
    date_bad("2027-04-31");     /* April has 30 days */
    date_bad("2027-13-01");
    date_bad("2027-00-10");
    date_bad("2027-01-00");
    date_bad("2027-01-32");
    date_bad("2027-03-01T24:00:00Z");
    date_bad("2027-03-01T23:60:00Z");
    date_bad("2027-03-01T23:59:60Z");   /* no leap seconds */
    date_bad("2027-3-1");
    date_bad("27-03-01");
    date_bad("2027/03/01");
    date_bad("2027-03-01X");
    date_bad("2027-03-01T14Z");
    date_bad("2027-03-01T14:00:00+02:00");   /* UTC only */
    date_bad("2027-03-01 ");
    date_bad("");
    date_bad(NULL);
}
END_TEST

START_TEST(test_days_from_civil)
{
    ck_assert_int_eq(timefmt_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(timefmt_days_from_civil(1970, 1, 2), 1);
    ck_assert_int_eq(timefmt_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(timefmt_days_from_civil(2027, 1, 1), DAYS_1970_TO_2027);
    ck_assert_int_eq(timefmt_days_from_civil(2027, 3, 1), 20878);
    ck_assert_int_eq(timefmt_days_from_civil(2000, 3, 1), 11017);   /* 10957 + 60 */
}
END_TEST

START_TEST(test_civil)
{
    struct civil_time c;
    /* 2027-03-01T14:00:00Z: day of year 31 + 28 = 59 (0-based), not leap */
    timefmt_civil(1803909600, &c);
    ck_assert_int_eq(c.year, 2027);
    ck_assert_int_eq(c.month, 3);
    ck_assert_int_eq(c.day, 1);
    ck_assert_int_eq(c.hour, 14);
    ck_assert_int_eq(c.minute, 0);
    ck_assert_int_eq(c.second, 0);
    ck_assert_int_eq(c.day_of_year, 59);
    ck_assert_int_eq(c.leap, 0);
    /* 2028-03-01 in a leap year: 31 + 29 = 60 */
    timefmt_civil(date_ok("2028-03-01T00:00:01Z"), &c);
    ck_assert_int_eq(c.day_of_year, 60);
    ck_assert_int_eq(c.leap, 1);
    ck_assert_int_eq(c.second, 1);
    /* last second of a leap year: day 365 */
    timefmt_civil(date_ok("2028-12-31T23:59:59Z"), &c);
    ck_assert_int_eq(c.day_of_year, 365);
    ck_assert_int_eq(c.month, 12);
    ck_assert_int_eq(c.day, 31);
    ck_assert_int_eq(c.hour, 23);
    ck_assert_int_eq(c.minute, 59);
    ck_assert_int_eq(c.second, 59);
    /* 2027-12-31: day 364 of a common year */
    timefmt_civil(date_ok("2027-12-31T12:34:56Z"), &c);
    ck_assert_int_eq(c.day_of_year, 364);
    ck_assert_int_eq(c.leap, 0);
    ck_assert_int_eq(c.minute, 34);
    /* one second before the epoch: 1969-12-31T23:59:59, day 364, 1969 not leap */
    timefmt_civil(-1, &c);
    ck_assert_int_eq(c.year, 1969);
    ck_assert_int_eq(c.month, 12);
    ck_assert_int_eq(c.day, 31);
    ck_assert_int_eq(c.hour, 23);
    ck_assert_int_eq(c.minute, 59);
    ck_assert_int_eq(c.second, 59);
    ck_assert_int_eq(c.day_of_year, 364);
    /* 2000 is leap, 1900 is not */
    timefmt_civil(951782400, &c);
    ck_assert_int_eq(c.month, 2);
    ck_assert_int_eq(c.day, 29);
    ck_assert_int_eq(c.leap, 1);
    timefmt_civil(-2208988800LL, &c);
    ck_assert_int_eq(c.year, 1900);
    ck_assert_int_eq(c.day_of_year, 0);
    ck_assert_int_eq(c.leap, 0);
}
END_TEST

START_TEST(test_date_format_roundtrip)
{
    char buf[32];
    timefmt_format_date(1803909600, buf, sizeof buf);
    ck_assert_str_eq(buf, "2027-03-01T14:00:00Z");
    timefmt_format_date(0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
    timefmt_format_date(-1, buf, sizeof buf);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
    const char *texts[] = {"2027-01-01T00:00:00Z", "2028-02-29T23:59:59Z", "2000-02-29T12:00:00Z",
                           "1900-03-01T01:02:03Z", "9999-12-31T23:59:59Z"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        timefmt_format_date(date_ok(texts[i]), buf, sizeof buf);
        ck_assert_str_eq(buf, texts[i]);
    }
    /* format then parse: every hour through 2027 and 2028 (a common and a leap year) */
    for (int64_t t = UNIX_2027_01_01; t < UNIX_2027_01_01 + 731 * DAY; t += 3600 + 17) {
        timefmt_format_date(t, buf, sizeof buf);
        ck_assert_int_eq(date_ok(buf), t);
    }
}
END_TEST

static Suite *time_suite(void)
{
    Suite *s = suite_create("time");
    TCase *spans = tcase_create("spans");
    tcase_add_test(spans, test_span_units);
    tcase_add_test(spans, test_span_rejects);
    tcase_add_test(spans, test_span_rejects_text);
    tcase_add_test(spans, test_span_format_roundtrip);
    suite_add_tcase(s, spans);
    TCase *dates = tcase_create("dates");
    tcase_add_test(dates, test_date_values);
    tcase_add_test(dates, test_date_leap_days);
    tcase_add_test(dates, test_date_rejects);
    tcase_add_test(dates, test_days_from_civil);
    tcase_add_test(dates, test_civil);
    tcase_add_test(dates, test_date_format_roundtrip);
    suite_add_tcase(s, dates);
    return s;
}

TESTUTIL_MAIN(time_suite)
