/* check_weather.c — unit tests of weather.h: psychrometrics against published values,
 * the synthetic climate's statistics, and the EPW reader on generated files (values, time
 * zone, wrap, Feb 29, every error) and, when present, on the real TMY3 files of
 * ../shared/data/weather. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_math.h>

#include "testutil.h"
#include "timefmt.h"
#include "weather.h"

#define HOUR_S ((int64_t)SECONDS_PER_HOUR)
#define DAY_S ((int64_t)SECONDS_PER_DAY)

static int64_t date(const char *text)
{
    int64_t t = 0;
    ck_assert_int_eq(timefmt_parse_date(text, &t), 0);
    return t;
}

/* ---- psychrometrics ---- */

START_TEST(test_stull_check_value)
{
    /* Stull (2011), J. Appl. Meteor. Climatol. 50, p. 2267: T = 20 °C, RH = 50 % -> 13.7 °C */
    ck_assert_double_eq_tol(psychro_wetbulb_stull_c(20.0, 50.0), 13.7, 0.1);
    /* RH outside Stull's fit is clamped to 5..99 %, and the wet bulb never tops the dry bulb */
    ck_assert_double_eq(psychro_wetbulb_stull_c(20.0, 0.0), psychro_wetbulb_stull_c(20.0, 5.0));
    ck_assert(psychro_wetbulb_stull_c(20.0, 100.0) <= 20.0);
    ck_assert(psychro_wetbulb_stull_c(35.0, 99.0) <= 35.0);
}
END_TEST

/* ulps between two doubles of the same sign (0 when equal) */
static double ulps_apart(double a, double b)
{
    if (a == b)
        return 0;
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    int64_t d = ia > ib ? ia - ib : ib - ia;   /* exact: the same sign, no overflow */
    return (double)d;
}

START_TEST(test_psychro_atan)
{
    /* psychro_atan against libm's atan: within 2 ulp over every range it reduces (|x| up to
     * tan(pi/8), up to tan(3 pi/8), beyond, to 1e300 and past its cap), both signs; its
     * polynomial alone is good to 5e-18 (tools/atan_fit.py), the rest is rounding */
    uint64_t state = 12345;
    double worst = 0, worst_x = 0;
    for (int i = 0; i < 400000; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        double u01 = (double)(state >> 11) / 9007199254740992.0;
        double x = i % 3 == 0   ? 6.0 * (u01 - 0.5)
                   : i % 3 == 1 ? 400.0 * (u01 - 0.5)
                                : (i % 2 ? 1 : -1) * exp(1400.0 * (u01 - 0.5));
        double e = ulps_apart(psychro_atan(x), atan(x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    ck_assert_msg(worst <= 2, "psychro_atan(%.17g) is %g ulp from atan", worst_x, worst);
    /* the edges of the ranges, exact values and the special ones */
    const double edges[] = {0.41421356237309503, 0.41421356237309509, 2.4142135623730949,
                            2.4142135623730954, 1.0, 1e-300, 5e-324, 1e300, 1.7e308};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        ck_assert(ulps_apart(psychro_atan(edges[i]), atan(edges[i])) <= 2);
        ck_assert(ulps_apart(psychro_atan(-edges[i]), atan(-edges[i])) <= 2);
    }
    ck_assert(psychro_atan(0.0) == 0.0 && !signbit(psychro_atan(0.0)));
    ck_assert(psychro_atan(-0.0) == 0.0 && signbit(psychro_atan(-0.0)));
    ck_assert_double_eq(psychro_atan(INFINITY), M_PI_2);
    ck_assert_double_eq(psychro_atan(-INFINITY), -M_PI_2);
    ck_assert(isnan(psychro_atan(NAN)));
}
END_TEST

START_TEST(test_stull_block_same_bits)
{
    /* the block's wet bulbs (vectorised where the CPU can) are each the same bits as one
     * psychro_wetbulb_stull_c call, for humidities in, below and above Stull's 5..99 % and
     * for NaN, also with the result written over the humidities */
    enum { N = 4099 };   /* not a multiple of any vector width: the loop's tail too */
    static double db[N], rh[N], wb[N], inplace[N];
    uint64_t state = 99;
    for (int k = 0; k < N; k++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        double u01 = (double)(state >> 11) / 9007199254740992.0;
        db[k] = -40.0 + 95.0 * u01;
        rh[k] = k % 97 == 0 ? NAN : -10.0 + 120.0 * fmod(u01 * 7919.0, 1.0);
        inplace[k] = rh[k];
    }
    psychro_wetbulb_stull_n(db, rh, wb, N);
    psychro_wetbulb_stull_n(db, inplace, inplace, N);
    for (int k = 0; k < N; k++) {
        double one = psychro_wetbulb_stull_c(db[k], rh[k]);
        ck_assert_msg(memcmp(&one, &wb[k], sizeof one) == 0 &&
                          memcmp(&one, &inplace[k], sizeof one) == 0,
                      "step %d: %.17g vs %.17g", k, wb[k], one);
    }
}
END_TEST

START_TEST(test_magnus_dewpoint)
{
    /* Alduchov & Eskridge (1996) Magnus form: 20 °C at 50 % RH has a 9.26 °C dew point
     * (e = 0.5·2.3389 kPa = 1.1694 kPa, whose saturation temperature is 9.26 °C) */
    ck_assert_double_eq_tol(psychro_dewpoint_magnus_c(20.0, 50.0), 9.26, 0.05);
    /* round trip, and saturation at the dew point itself */
    ck_assert_double_eq_tol(psychro_rh_magnus(20.0, psychro_dewpoint_magnus_c(20.0, 37.0)), 37.0,
                            1e-9);
    ck_assert_double_eq_tol(psychro_rh_magnus(12.5, 12.5), 100.0, 1e-9);
    /* warming 10 K at a constant dew point roughly halves RH (e_s doubles per ~10 K) */
    double rh = psychro_rh_magnus(30.0, psychro_dewpoint_magnus_c(20.0, 60.0));
    ck_assert(rh > 0.5 * 60.0 * 0.9 && rh < 0.5 * 60.0 * 1.2);
}
END_TEST

START_TEST(test_saturation_pressure)
{
    /* ASHRAE Fundamentals 2017 ch. 1 Table 3: 2.3392 kPa at 20 °C, 0.6112 kPa at 0 °C;
     * water boils at 100 °C at about one atmosphere (steam tables: 101.42 kPa) */
    ck_assert_double_eq_tol(psychro_saturation_pa(20.0), 2339.0, 2.0);
    ck_assert_double_eq_tol(psychro_saturation_pa(0.0), 611.2, 1.0);
    ck_assert_double_eq_tol(psychro_saturation_pa(100.0), 101325.0, 0.005 * 101325.0);
    /* over ice, Table 3: 0.25987 kPa at -10 °C */
    ck_assert_double_eq_tol(psychro_saturation_pa(-10.0), 259.87, 0.5);
}
END_TEST

/* Independent wet bulb: the psychrometer equation e = e_w(t_w) - A·p·(t - t_w), over water
 * A = 6.53e-4·(1 + 0.000944·t_w) /K with Magnus e_w = 611.2·exp(17.62 t/(243.12 + t)) Pa,
 * over ice (t_w < 0) A = 5.75e-4 /K with e_i = 611.2·exp(22.46 t/(272.62 + t)) Pa
 * (WMO-No. 8, 2008, Annex 4.B); the vapour pressure is e_w or e_i at the dew point, like
 * ASHRAE eq. 5/6. Solved by bisection. An empirical instrument formula, so it agrees with
 * ASHRAE's thermodynamic wet bulb to ~0.1 K at small, ~0.25 K at large depressions. */
static double magnus_pa(double t_c)
{
    return t_c >= 0 ? 611.2 * exp(17.62 * t_c / (243.12 + t_c))
                    : 611.2 * exp(22.46 * t_c / (272.62 + t_c));
}

static double wmo_wetbulb_c(double db_c, double dp_c, double p_pa)
{
    double e_pa = magnus_pa(dp_c);
    double lo = dp_c, hi = db_c;
    for (int i = 0; i < 200; i++) {
        double tw = 0.5 * (lo + hi);
        double a_per_k = tw >= 0 ? 6.53e-4 * (1 + 0.000944 * tw) : 5.75e-4;
        if (magnus_pa(tw) - a_per_k * p_pa * (db_c - tw) - e_pa > 0)
            hi = tw;
        else
            lo = tw;
    }
    return 0.5 * (lo + hi);
}

START_TEST(test_wetbulb_psychrometric)
{
    /* 30 °C dry bulb, 20 °C dew point at sea level: ASHRAE eq. 33 gives 22.94 °C; the chart
     * reads about 23 °C, the WMO psychrometer formula 23.01 °C */
    double wb = psychro_wetbulb_c(30.0, 20.0, 101325.0);
    ck_assert_double_eq_tol(wb, 22.94, 0.02);
    ck_assert_double_eq_tol(wb, wmo_wetbulb_c(30.0, 20.0, 101325.0), 0.15);
    /* at altitude (80 kPa) the same dew point gives a lower wet bulb */
    double wb_high = psychro_wetbulb_c(30.0, 20.0, 80000.0);
    ck_assert(wb_high < wb);
    ck_assert_double_eq_tol(wb_high, wmo_wetbulb_c(30.0, 20.0, 80000.0), 0.15);
    /* saturated air, and a dew point above the dry bulb (bad data): wet bulb = dry bulb */
    ck_assert_double_eq(psychro_wetbulb_c(25.0, 25.0, 101325.0), 25.0);
    ck_assert_double_eq(psychro_wetbulb_c(25.0, 26.0, 101325.0), 25.0);
    /* no pressure: sea level */
    ck_assert_double_eq(psychro_wetbulb_c(30.0, 20.0, 0.0), wb);
    /* cold and across freezing (eq. 35): between dew point and dry bulb, near WMO */
    static const double cases[][2] = {{-10, -15}, {5, -10}, {1, -3}, {2, -1}, {40, 5},
                                      {45, 30}, {0.5, -20}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double w = psychro_wetbulb_c(cases[i][0], cases[i][1], 101325.0);
        ck_assert(w >= cases[i][1] && w <= cases[i][0]);
        ck_assert_double_eq_tol(w, wmo_wetbulb_c(cases[i][0], cases[i][1], 101325.0), 0.3);
    }
    /* no solution: saturation pressure at 110 °C exceeds the station pressure */
    ck_assert(isnan(psychro_wetbulb_c(120.0, 110.0, 101325.0)));
    ck_assert(isnan(psychro_wetbulb_c(NAN, 10.0, 101325.0)));
}
END_TEST

/* ---- constant ---- */

START_TEST(test_constant)
{
    struct weather *w = NULL;
    ck_assert_int_eq(weather_create_constant(31.5, 22.25, &w), 0);
    for (int64_t t = -DAY_S; t < 400 * DAY_S; t += 7777 * 13) {
        double db = 0, wb = 0;
        weather_at(w, t, &db, &wb);
        ck_assert_double_eq(db, 31.5);
        ck_assert_double_eq(wb, 22.25);
    }
    ck_assert_double_eq(weather_utc_offset_h(w), 0.0);
    weather_destroy(w);
    weather_destroy(NULL);
}
END_TEST

/* ---- synthetic climate ---- */

/* Abilene TX (figures.md, NOAA normals): M = (max + min)/2, R = max - min, RH = the mean of
 * the morning and afternoon values; UTC-6. */
static struct climate abilene(double sd_k, double phi)
{
    static const double max_c[12] = {14.9, 17.1, 21.6, 26.2, 30.2, 33.8,
                                     35.8, 35.6, 31.5, 26.3, 19.9, 15.2};
    static const double min_c[12] = {0.9, 3.0, 7.4, 11.6, 16.6, 20.8,
                                     22.8, 22.4, 18.3, 12.6, 6.3, 1.8};
    static const double rh_am[12] = {72, 73, 70, 73, 80, 80, 74, 74, 78, 76, 74, 72};
    static const double rh_pm[12] = {52, 52, 47, 46, 51, 50, 46, 45, 50, 50, 50, 51};
    struct climate c = {.id = "abilene", .utc_offset_h = -6.0, .anomaly_sd_k = sd_k,
                        .anomaly_autocorrelation = phi};
    for (int m = 0; m < 12; m++) {
        c.monthly_drybulb_c[m] = 0.5 * (max_c[m] + min_c[m]);
        c.monthly_range_k[m] = max_c[m] - min_c[m];
        c.monthly_rh[m] = 0.5 * (rh_am[m] + rh_pm[m]);
    }
    return c;
}

START_TEST(test_climate_invalid)
{
    struct weather *w = NULL;
    int64_t t0 = date("2019-01-01");
    struct climate c = abilene(2.0, 0.7);
    ck_assert_int_eq(weather_create_climate(NULL, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    ck_assert_int_eq(weather_create_climate(&c, t0, -1, 1, &w), DCSIM_EINPUT);
    c.monthly_range_k[3] = -1;
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    c = abilene(2.0, 0.7);
    c.monthly_drybulb_c[0] = NAN;
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    c = abilene(2.0, 0.7);
    c.monthly_rh[5] = 101;
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    c = abilene(-0.5, 0.7);
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    c = abilene(2.0, 1.5);
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    c = abilene(2.0, 0.7);
    c.utc_offset_h = INFINITY;
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), DCSIM_EINPUT);
    ck_assert_ptr_null(w);
    /* a zero horizon is a valid (one-instant) run */
    c = abilene(2.0, 0.0);
    ck_assert_int_eq(weather_create_climate(&c, t0, 0, 1, &w), 0);
    weather_destroy(w);
}
END_TEST

START_TEST(test_climate_node_value)
{
    /* July's node is mid-July, day 196.5 = 16 July 12:00 local = 18:00 UTC. There M, R and RH
     * are July's nodes, and the cosine at 12:00 is cos(-π/4). */
    struct climate c = abilene(0.0, 0.7);
    struct climate_nodes nd;
    ck_assert_int_eq(weather_climate_nodes(&c, &nd), 0);
    struct weather *w = NULL;
    int64_t t0 = date("2019-07-01");
    ck_assert_int_eq(weather_create_climate(&c, t0, 31 * DAY_S, 1, &w), 0);
    ck_assert_double_eq(weather_utc_offset_h(w), -6.0);
    double db, wb;
    weather_at(w, 15 * DAY_S + 18 * HOUR_S, &db, &wb);
    double expect = nd.drybulb_c[6] + 0.5 * nd.range_k[6] * cos(-M_PI / 4);
    ck_assert_double_eq_tol(db, expect, 1e-9);
    /* dew point from July's node mean and RH, held through the day (docs/model.md) */
    double dewpoint_c = psychro_dewpoint_magnus_c(nd.drybulb_c[6], nd.rh[6]);
    ck_assert_double_eq_tol(wb, psychro_wetbulb_stull_c(expect, psychro_rh_magnus(expect,
                                                                                  dewpoint_c)),
                            1e-9);
    /* the nodes sit within a fraction of a kelvin of the monthly means they reproduce */
    for (int m = 0; m < 12; m++)
        ck_assert_double_eq_tol(nd.drybulb_c[m], c.monthly_drybulb_c[m], 1.0);
    weather_destroy(w);
}
END_TEST

START_TEST(test_climate_diurnal)
{
    /* no anomaly, 15 July local: max - min is July's R (M drifts < 0.1 K a day there), the
     * maximum at 15:00 and the minimum at 03:00 local standard time */
    struct climate c = abilene(0.0, 0.7);
    struct weather *w = NULL;
    int64_t t0 = date("2019-07-15T06:00Z");   /* local midnight at UTC-6 */
    ck_assert_int_eq(weather_create_climate(&c, t0, DAY_S, 1, &w), 0);
    double max = -INFINITY, min = INFINITY;
    int64_t t_max = -1, t_min = -1;
    for (int64_t t = 0; t < DAY_S; t += 60) {
        double db, wb;
        weather_at(w, t, &db, &wb);
        ck_assert(wb <= db);
        if (db > max)
            max = db, t_max = t;
        if (db < min)
            min = db, t_min = t;
    }
    ck_assert_double_eq_tol(max - min, c.monthly_range_k[6], 0.2);
    ck_assert_int_le(llabs(t_max - 15 * HOUR_S), 5 * 60);
    ck_assert_int_le(llabs(t_min - 3 * HOUR_S), 5 * 60);
    weather_destroy(w);
}
END_TEST

START_TEST(test_climate_seeds)
{
    struct climate c = abilene(3.0, 0.7);
    struct weather *a = NULL, *b = NULL, *other = NULL;
    int64_t t0 = date("2019-01-01"), horizon = 365 * DAY_S;
    ck_assert_int_eq(weather_create_climate(&c, t0, horizon, 42, &a), 0);
    ck_assert_int_eq(weather_create_climate(&c, t0, horizon, 42, &b), 0);
    ck_assert_int_eq(weather_create_climate(&c, t0, horizon, 43, &other), 0);
    int differ = 0;
    for (int64_t t = 0; t <= horizon; t += 5 * HOUR_S) {
        double db1, wb1, db2, wb2, db3, wb3;
        weather_at(a, t, &db1, &wb1);
        weather_at(b, t, &db2, &wb2);
        weather_at(other, t, &db3, &wb3);
        ck_assert(db1 == db2 && wb1 == wb2);
        differ += db1 != db3;
    }
    ck_assert_int_gt(differ, 1700);   /* of 1753 samples: all but chance coincidences */
    weather_destroy(a);
    weather_destroy(b);
    weather_destroy(other);
}
END_TEST

/* One table of parts serves every year of a climate with the same start and horizon, block
 * by block (weather_parts_refill): each site's weather from it is weather_at's, bit for bit. */
START_TEST(test_climate_parts_blocks)
{
    struct climate c = abilene(3.0, 0.7), hot = abilene(3.0, 0.7);
    hot.monthly_drybulb_c[6] += 1.0;
    struct weather *a = NULL, *b = NULL, *other = NULL, *later = NULL, *konst = NULL;
    int64_t t0 = date("2024-01-01"), horizon = 365 * DAY_S, dt = 420;   /* a leap year */
    ck_assert_int_eq(weather_create_climate(&c, t0, horizon, 42, &a), 0);
    ck_assert_int_eq(weather_create_climate(&c, t0, horizon, 43, &b), 0);
    ck_assert_int_eq(weather_create_climate(&hot, t0, horizon, 42, &other), 0);
    ck_assert_int_eq(weather_create_climate(&c, t0 + DAY_S, horizon, 42, &later), 0);
    ck_assert_int_eq(weather_create_constant(20.0, 15.0, &konst), 0);
    ck_assert_int_eq(weather_parts_shared(a, b), 1);
    ck_assert_int_eq(weather_parts_shared(a, a), 1);
    ck_assert_int_eq(weather_parts_shared(a, other), 0);   /* another climate */
    ck_assert_int_eq(weather_parts_shared(a, later), 0);   /* another start */
    ck_assert_int_eq(weather_parts_shared(konst, konst), 0);
    ck_assert_int_eq(weather_parts_shared(a, konst), 0);

    enum { CAP = 500 };
    struct weather_parts *p = NULL;
    ck_assert_int_eq(weather_parts_create(a, 0, dt, CAP, 1, &p), 0);
    double db[CAP], wb[CAP];
    int64_t steps = horizon / dt;
    for (int64_t k0 = 0; k0 < steps; k0 += CAP) {
        int64_t n = steps - k0 < CAP ? steps - k0 : CAP;
        ck_assert_int_eq(weather_parts_refill(b, k0 * dt, dt, n, p), 0);
        for (int w = 0; w < 2; w++) {
            const struct weather *year = w ? b : a;
            ck_assert_int_eq(weather_parts_fill(year, p, db, wb), 0);
            for (int64_t j = 0; j < n; j++) {
                double db1, wb1;
                weather_at(year, (k0 + j) * dt, &db1, &wb1);
                ck_assert(db[j] == db1 && wb[j] == wb1);
            }
        }
    }
    ck_assert_int_eq(weather_parts_refill(a, 0, dt, CAP + 1, p), DCSIM_EINPUT);   /* no room */
    ck_assert_int_eq(weather_parts_refill(later, 0, dt, CAP, p), DCSIM_EINPUT);   /* not its year */
    ck_assert_int_eq(weather_parts_refill(konst, 0, dt, CAP, p), DCSIM_EINPUT);
    weather_parts_destroy(p);
    weather_destroy(a);
    weather_destroy(b);
    weather_destroy(other);
    weather_destroy(later);
    weather_destroy(konst);
}
END_TEST

/* Monthly mean of the noise-free curve: linear between mid-month nodes, so each half month
 * averages its end values; v_s, v_e are the values at the month's first and last instant. */
static double interpolated_month_mean(const double v[12], int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int p = (m + 11) % 12, n = (m + 1) % 12;
    double vs = v[p] + (v[m] - v[p]) * len[p] / (len[p] + len[m]);
    double ve = v[m] + (v[n] - v[m]) * len[m] / (len[m] + len[n]);
    return (vs + 2 * v[m] + ve) / 4;
}

START_TEST(test_climate_30_years)
{
    /* 30 years of hourly samples, without and with an anomaly (sd 2 K, φ 0.7, seed 1) */
    const double sd = 2.0, phi = 0.7;
    struct climate clean = abilene(0.0, phi), noisy = abilene(sd, phi);
    int64_t t0 = date("2001-01-01T06:00Z");   /* local midnight */
    int64_t horizon = date("2031-01-01T06:00Z") - t0;
    struct weather *wc = NULL, *wn = NULL;
    ck_assert_int_eq(weather_create_climate(&clean, t0, horizon, 1, &wc), 0);
    ck_assert_int_eq(weather_create_climate(&noisy, t0, horizon, 1, &wn), 0);
    double sum_c[12] = {0}, sum_n[12] = {0};
    long count[12] = {0};
    size_t n_days = (size_t)(horizon / DAY_S);
    double *anomaly = malloc(n_days * sizeof *anomaly);
    ck_assert_ptr_nonnull(anomaly);
    for (int64_t t = 0; t < horizon; t += HOUR_S) {
        double dbc, dbn, wb;
        weather_at(wc, t, &dbc, &wb);
        weather_at(wn, t, &dbn, &wb);
        struct civil_time ct;
        timefmt_civil(t0 - 6 * HOUR_S + t, &ct);
        sum_c[ct.month - 1] += dbc;
        sum_n[ct.month - 1] += dbn;
        count[ct.month - 1]++;
        size_t day = (size_t)(t / DAY_S);
        if (t % DAY_S == 0)
            anomaly[day] = dbn - dbc;
        else   /* a(day) is constant through the local day */
            ck_assert_double_eq_tol(dbn - dbc, anomaly[day], 1e-9);
    }
    for (int m = 0; m < 12; m++) {
        double mean_c = sum_c[m] / count[m], mean_n = sum_n[m] / count[m];
        /* the noise-free monthly mean reproduces M (the nodes are solved for it); hourly
         * sampling and the 365/366 day scaling of leap years leave < 0.03 K. With the raw
         * table as nodes it would be the interpolated mean instead, up to 0.51 K off. */
        ck_assert_double_eq_tol(mean_c, clean.monthly_drybulb_c[m], 0.03);
        struct climate_nodes nd;
        ck_assert_int_eq(weather_climate_nodes(&clean, &nd), 0);
        ck_assert_double_eq_tol(interpolated_month_mean(nd.drybulb_c, m),
                                clean.monthly_drybulb_c[m], 1e-9);
        /* anomaly mean over 30 Januaries etc.: sd·√((1+φ)/(1-φ)/(30·30 d)) ≈ 0.16 K; 3σ */
        ck_assert_double_eq_tol(mean_n, mean_c, 0.5);
    }
    /* the AR(1) anomaly itself: mean 0 (σ ≈ sd·√((1+φ)/(1-φ)/N) = 0.045 K), sd and lag-1
     * autocorrelation as asked (sampling errors ~1.6 % and ~0.007 for N = 10957 days) */
    double mean = 0, var = 0, cov = 0;
    for (size_t d = 0; d < n_days; d++)
        mean += anomaly[d] / n_days;
    for (size_t d = 0; d < n_days; d++) {
        var += (anomaly[d] - mean) * (anomaly[d] - mean) / n_days;
        if (d > 0)
            cov += (anomaly[d] - mean) * (anomaly[d - 1] - mean) / (n_days - 1);
    }
    ck_assert_double_eq_tol(mean, 0.0, 0.14);
    ck_assert_double_eq_tol(sqrt(var), sd, 0.05 * sd);
    ck_assert_double_eq_tol(cov / var, phi, 0.03);
    free(anomaly);
    weather_destroy(wc);
    weather_destroy(wn);
}
END_TEST

START_TEST(test_climate_leap_year)
{
    /* a steep table (December 31 °C, other months 0 °C): linear between the solved nodes; no
     * daily range or anomaly. A leap year's day of year is scaled by 365/366. */
    struct climate c = abilene(0.0, 0.7);
    for (int m = 0; m < 12; m++)
        c.monthly_drybulb_c[m] = m == 11 ? 31.0 : 0.0, c.monthly_range_k[m] = 0.0;
    struct weather *w = NULL;
    struct climate_nodes nd;
    ck_assert_int_eq(weather_climate_nodes(&c, &nd), 0);
    double dec = nd.drybulb_c[11], jan = nd.drybulb_c[0];
    double slope = (jan - dec) / 31.0;   /* per day from mid-December to mid-January */
    int64_t t0 = date("2019-01-01T06:00Z");   /* local midnight */
    ck_assert_int_eq(weather_create_climate(&c, t0, 3 * 366 * DAY_S, 1, &w), 0);
    double db, wb;
    /* 31 Dec 12:00 local: day 364.5 of a common year, 365.5·365/366 of a leap year */
    weather_at(w, date("2019-12-31T18:00Z") - t0, &db, &wb);
    ck_assert_double_eq_tol(db, dec + slope * (364.5 - 349.5), 1e-9);
    weather_at(w, date("2020-12-31T18:00Z") - t0, &db, &wb);
    ck_assert_double_eq_tol(db, dec + slope * (365.5 * 365 / 366 - 349.5), 1e-9);
    /* continuous over New Year after the leap year: halfway at 00:00 local */
    double before, after;
    weather_at(w, date("2021-01-01T05:59:59Z") - t0, &before, &wb);
    weather_at(w, date("2021-01-01T06:00Z") - t0, &after, &wb);
    ck_assert_double_eq_tol(after, dec + slope * 15.5, 1e-9);
    ck_assert_double_eq_tol(before, after, 0.002);
    weather_destroy(w);
}
END_TEST

/* ---- EPW ---- */

#define TEST_DEWPOINT_C -5.0
#define TEST_PRESSURE_PA 90000.0
#define TEST_LOCATION "LOCATION,Testville,TX,USA,TEST,999999,32.40,-99.68,-6.0,534.0"
#define DATA_LINE(k) (9 + (k))      /* file line of data row k: after 8 header lines */
#define PATTERN_C(hours) ((hours) / 200.0)   /* written dry bulb at `hours` into the year */

struct tmp {
    char dir[64], path[96];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/check_weather.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/site.epw", t->dir);
}

static void tmp_remove(struct tmp *t)
{
    remove(t->path);
    rmdir(t->dir);
}

struct epw_spec {
    int n_rows;                 /* data rows written */
    const char *eol;            /* line end, "\n" when NULL */
    int header_lines;           /* header lines written, 8 when 0 */
    int header_fix;             /* header line (1-based) replaced by header_text, 0: none */
    const char *header_text;
    struct { int row; const char *text; } bad[2];   /* data rows replaced (row -1: none) */
};

static struct epw_spec spec_rows(int n_rows)
{
    return (struct epw_spec){.n_rows = n_rows, .bad = {{-1, NULL}, {-1, NULL}}};
}

/* A synthetic EPW: row k (hour ending k+1 h after Jan 1 00:00) has dry bulb (k+1)/200 °C,
 * dew point -5 °C, RH 50 %, 90 kPa and zeros in fields 11..35. */
static void write_epw(const char *path, const struct epw_spec *sp)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *header[8] = {TEST_LOCATION, "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0",
                             "GROUND TEMPERATURES,0", "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
                             "COMMENTS 1,written by check_weather", "COMMENTS 2,",
                             "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"};
    const char *eol = sp->eol ? sp->eol : "\n";
    if (sp->header_fix)
        header[sp->header_fix - 1] = sp->header_text;
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < (sp->header_lines ? sp->header_lines : 8); i++)
        fprintf(f, "%s%s", header[i], eol);
    int month = 0, day = 1;
    for (int k = 0; k < sp->n_rows; k++) {
        const char *bad = k == sp->bad[0].row ? sp->bad[0].text
                          : k == sp->bad[1].row ? sp->bad[1].text : NULL;
        if (bad) {
            fprintf(f, "%s%s", bad, eol);
        } else {
            fprintf(f, "1999,%d,%d,%d,60,A7A7A7A7*0?9?9?9,%.3f,%.1f,50,%.0f", month + 1, day,
                    k % 24 + 1, PATTERN_C(k + 1), TEST_DEWPOINT_C, TEST_PRESSURE_PA);
            for (int i = 11; i <= 35; i++)
                fputs(",0", f);
            fputs(eol, f);
        }
        if (k % 24 == 23 && ++day > mdays[month]) {
            day = 1;
            month = (month + 1) % 12;
        }
    }
    ck_assert_int_eq(fclose(f), 0);
}

/* A data row for row k with the given texts in fields 7-10 and n_fields fields in all. */
static const char *make_row(char *buf, size_t len, int k, const char *db, const char *dp,
                            const char *rh, const char *p, int n_fields)
{
    int n = snprintf(buf, len, "1999,1,1,%d,60,A7A7A7A7*0?9?9?9,%s,%s,%s,%s", k % 24 + 1, db,
                     dp, rh, p);
    for (int i = 11; i <= n_fields; i++)
        n += snprintf(buf + n, len - (size_t)n, ",0");
    return buf;
}

/* 1-based column where field `field` (1-based) of a row starts. */
static int field_col(const char *row, int field)
{
    int col = 1;
    for (const char *c = row; *c && field > 1; c++, col++)
        field -= *c == ',';
    return col;
}

static struct weather *load_ok(const char *path, int64_t t0)
{
    struct diag d;
    diag_init(&d);
    struct weather *w = NULL;
    int status = weather_create_epw(path, t0, &w, &d);
    if (d.n)
        diag_print(&d, stderr);
    ck_assert_int_eq(status, 0);
    ck_assert_uint_eq(d.n, 0);
    diag_release(&d);
    return w;
}

static double row_wetbulb(int k)
{
    return psychro_wetbulb_c(PATTERN_C(k + 1), TEST_DEWPOINT_C, TEST_PRESSURE_PA);
}

static double db_at(const struct weather *w, int64_t t_s)
{
    double db, wb;
    weather_at(w, t_s, &db, &wb);
    ck_assert(wb <= db);
    return db;
}

START_TEST(test_epw_values)
{
    struct tmp t;
    tmp_make(&t);
    struct epw_spec sp = spec_rows(8760);
    write_epw(t.path, &sp);
    int64_t t0 = date("2019-01-01T06:00Z");   /* Jan 1 00:00 local standard time (UTC-6) */
    struct weather *w = load_ok(t.path, t0);
    double db, wb;
    /* 100 h into the year is row 99's time stamp; half an hour later, half way to row 100 */
    weather_at(w, 100 * HOUR_S, &db, &wb);
    ck_assert_double_eq_tol(db, PATTERN_C(100), 1e-12);
    ck_assert_double_eq_tol(wb, row_wetbulb(99), 1e-12);
    weather_at(w, 100 * HOUR_S + HOUR_S / 2, &db, &wb);
    ck_assert_double_eq_tol(db, PATTERN_C(100.5), 1e-12);
    ck_assert_double_eq_tol(wb, 0.5 * (row_wetbulb(99) + row_wetbulb(100)), 1e-12);
    /* cyclic: before 01:00 Jan 1 from the last row (hour ending 24:00 Dec 31) to the first */
    ck_assert_double_eq_tol(db_at(w, HOUR_S / 2), 0.5 * (PATTERN_C(8760) + PATTERN_C(1)),
                            1e-12);
    ck_assert_double_eq_tol(db_at(w, 0), PATTERN_C(8760), 1e-12);
    ck_assert_double_eq_tol(db_at(w, 8759 * HOUR_S + HOUR_S / 2), PATTERN_C(8759.5), 1e-12);
    ck_assert_double_eq_tol(db_at(w, 8760 * HOUR_S), PATTERN_C(8760), 1e-12);   /* New Year */
    ck_assert_double_eq_tol(db_at(w, 8761 * HOUR_S), PATTERN_C(1), 1e-12);
    weather_destroy(w);

    /* the same file read with its time zone: a UTC start 6 h earlier */
    w = load_ok(t.path, date("2019-01-01T00:00Z"));
    ck_assert_double_eq_tol(db_at(w, 106 * HOUR_S + HOUR_S / 2), PATTERN_C(100.5), 1e-12);
    weather_destroy(w);

    /* a half-hour zone, UTC+5:30: UTC midnight is 05:30 local */
    sp.header_fix = 1;
    sp.header_text = "LOCATION,Testpur,XX,IND,TEST,999999,20.0,78.0,5.5,300.0";
    write_epw(t.path, &sp);
    w = load_ok(t.path, date("2019-01-01T00:00Z"));
    ck_assert_double_eq(weather_utc_offset_h(w), 5.5);
    ck_assert_double_eq_tol(db_at(w, 95 * HOUR_S), PATTERN_C(100.5), 1e-12);
    weather_destroy(w);
    tmp_remove(&t);
}
END_TEST

START_TEST(test_epw_leap_year)
{
    struct tmp t;
    tmp_make(&t);
    struct epw_spec sp = spec_rows(8760);
    write_epw(t.path, &sp);
    int64_t t0 = date("2020-01-01T06:00Z");   /* local midnight of a leap year */
    struct weather *w = load_ok(t.path, t0);
    /* Feb 28 and Feb 29 12:00 both read Feb 28 12:00 (hour 58·24 + 12 = 1404); from March on
     * days shift back by one: Mar 1 12:00 is hour 59·24 + 12 = 1428, Dec 31 12:00 is 8748 */
    ck_assert_double_eq_tol(db_at(w, (58 * 24 + 12) * HOUR_S), PATTERN_C(1404), 1e-12);
    ck_assert_double_eq_tol(db_at(w, (59 * 24 + 12) * HOUR_S), PATTERN_C(1404), 1e-12);
    ck_assert_double_eq_tol(db_at(w, (60 * 24 + 12) * HOUR_S), PATTERN_C(1428), 1e-12);
    ck_assert_double_eq_tol(db_at(w, (365 * 24 + 12) * HOUR_S), PATTERN_C(8748), 1e-12);
    /* the common year after: Mar 1 12:00 again hour 1428 */
    ck_assert_double_eq_tol(db_at(w, ((366 + 59) * 24 + 12) * HOUR_S), PATTERN_C(1428),
                            1e-12);
    weather_destroy(w);
    tmp_remove(&t);
}
END_TEST

START_TEST(test_epw_crlf_and_missing)
{
    struct tmp t;
    tmp_make(&t);
    char pressure_row[256], dewpoint_row[256];
    struct epw_spec sp = spec_rows(8760);
    sp.eol = "\r\n";
    /* row 10: pressure missing -> 101325 Pa; row 20: dew point missing -> Stull from RH */
    sp.bad[0].row = 10;
    sp.bad[0].text = make_row(pressure_row, sizeof pressure_row, 10, "0.11", "-5.0", "50",
                              "999999", 35);
    sp.bad[1].row = 20;
    sp.bad[1].text = make_row(dewpoint_row, sizeof dewpoint_row, 20, "0.21", "99.9", "50",
                              "90000", 35);
    write_epw(t.path, &sp);
    struct weather *w = load_ok(t.path, date("2019-01-01T06:00Z"));
    double db, wb;
    weather_at(w, 11 * HOUR_S, &db, &wb);
    ck_assert_double_eq_tol(db, 0.11, 1e-12);
    ck_assert_double_eq_tol(wb, psychro_wetbulb_c(0.11, TEST_DEWPOINT_C, 101325.0), 1e-12);
    ck_assert(fabs(wb - row_wetbulb(10)) > 1e-3);   /* the pressure does matter */
    weather_at(w, 21 * HOUR_S, &db, &wb);
    ck_assert_double_eq_tol(wb, psychro_wetbulb_stull_c(0.21, 50.0), 1e-12);
    /* CRLF read like LF */
    weather_at(w, 5000 * HOUR_S + 1234, &db, &wb);
    ck_assert_double_eq_tol(db, PATTERN_C(5000 + 1234.0 / 3600), 1e-12);
    weather_destroy(w);
    tmp_remove(&t);
}
END_TEST

START_TEST(test_epw_errors)
{
    char r[6][256];
    const char *rows[] = {
        make_row(r[0], sizeof r[0], 100, "abc", "-5.0", "50", "90000", 35),
        make_row(r[1], sizeof r[1], 5, "0.06", "-5.0", "50", "90000", 34),
        make_row(r[2], sizeof r[2], 7, "99.9", "-5.0", "50", "90000", 35),
        make_row(r[3], sizeof r[3], 30, "0.31", "99.9", "999", "90000", 35),
        make_row(r[4], sizeof r[4], 8, "80.0", "-5.0", "50", "90000", 35),
        make_row(r[5], sizeof r[5], 4, "0.05", "-5.0", "50", "x9", 35),
    };
    static const char hour_row[] = "1999,1,1,9,60,A,0.04,-5.0,50,90000,0,0,0,0,0,0,0,0,0,0,"
                                   "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0";
    static const char bad_tz[] = "LOCATION,Testville,TX,USA,TEST,999999,32.40,-99.68,abc,534";
    const struct {
        int n_rows, header_lines, header_fix;
        const char *header_text;
        int bad_row;
        const char *bad_text;
        int line, col;          /* col -1: the start of field `field` of bad_text */
        int field;
        const char *needle;
    } cases[] = {
        {100, 0, 0, NULL, -1, NULL, DATA_LINE(99), 0, 0, "too few data rows"},
        {8761, 0, 0, NULL, -1, NULL, DATA_LINE(8760), 0, 0, "too many data rows: more than 8760"},
        {0, 3, 0, NULL, -1, NULL, 3, 0, 0, "truncated header"},
        {8760, 0, 0, NULL, 100, rows[0], DATA_LINE(100), -1, 7, "non-numeric dry bulb 'abc'"},
        {8760, 0, 0, NULL, 5, rows[1], DATA_LINE(5), (int)strlen(rows[1]) + 1, 0,
         "wrong number of fields"},
        {8760, 0, 0, NULL, 7, rows[2], DATA_LINE(7), -1, 7, "missing dry bulb"},
        {8760, 0, 0, NULL, 30, rows[3], DATA_LINE(30), -1, 8, "missing dew point and relative"},
        {8760, 0, 0, NULL, 8, rows[4], DATA_LINE(8), -1, 7, "out-of-range dry bulb 80 °C"},
        {8760, 0, 0, NULL, 4, rows[5], DATA_LINE(4), -1, 10, "non-numeric pressure 'x9'"},
        {8760, 0, 0, NULL, 3, hour_row, DATA_LINE(3), -1, 4, "out-of-sequence hour 9, expected 4"},
        {8760, 0, 1, bad_tz, -1, NULL, 1, -1, 9, "non-numeric time zone 'abc'"},
        {8760, 0, 1, "HELLO,world", -1, NULL, 1, 1, 0, "missing 'LOCATION' header"},
        {8760, 0, 8, "DATA PERIODS,1,4,Data,Sunday, 1/ 1,12/31", -1, NULL, 8, -1, 3,
         "unsupported 4 records per hour"},
    };
    struct tmp t;
    tmp_make(&t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct epw_spec sp = spec_rows(cases[i].n_rows);
        sp.header_lines = cases[i].header_lines;
        sp.header_fix = cases[i].header_fix;
        sp.header_text = cases[i].header_text;
        sp.bad[0].row = cases[i].bad_row;
        sp.bad[0].text = cases[i].bad_text;
        write_epw(t.path, &sp);
        struct diag d;
        diag_init(&d);
        struct weather *w = NULL;
        ck_assert_int_eq(weather_create_epw(t.path, 0, &w, &d), DCSIM_EINPUT);
        ck_assert_ptr_null(w);
        ck_assert_uint_eq(d.n_errors, 1);
        ck_assert_str_eq(d.msgs[0].file, t.path);
        ck_assert_msg(d.msgs[0].line == cases[i].line, "case %zu: line %d, expected %d", i,
                      d.msgs[0].line, cases[i].line);
        const char *text = cases[i].bad_text ? cases[i].bad_text : cases[i].header_text;
        int col = cases[i].col >= 0 ? cases[i].col : field_col(text, cases[i].field);
        ck_assert_msg(d.msgs[0].col == col, "case %zu: col %d, expected %d", i, d.msgs[0].col,
                      col);
        ck_assert_msg(diag_count_matching(&d, cases[i].needle) == 1, "case %zu: '%s'", i,
                      d.msgs[0].text);
        diag_release(&d);
    }
    /* several bad rows are all reported */
    struct epw_spec sp = spec_rows(8760);
    sp.bad[0].row = 7;
    sp.bad[0].text = rows[2];
    sp.bad[1].row = 100;
    sp.bad[1].text = rows[0];
    write_epw(t.path, &sp);
    struct diag d;
    diag_init(&d);
    struct weather *w = NULL;
    ck_assert_int_eq(weather_create_epw(t.path, 0, &w, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 2);
    ck_assert_int_eq(d.msgs[1].line, DATA_LINE(100));
    diag_release(&d);
    remove(t.path);

    /* unreadable: missing file, a directory (bad input, exit 2); no file name */
    diag_init(&d);
    ck_assert_int_eq(weather_create_epw(t.path, 0, &w, &d), DCSIM_EINPUT);
    ck_assert_int_eq(d.msgs[0].line, 0);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot open the EPW weather file: No such file"), 1);
    ck_assert_int_eq(weather_create_epw(t.dir, 0, &w, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot read"), 1);
    ck_assert_int_eq(weather_create_epw(NULL, 0, &w, &d), DCSIM_EINPUT);
    ck_assert_ptr_null(w);
    diag_release(&d);
    tmp_remove(&t);
}
END_TEST

static const char *weather_dir(void)
{
    const char *env = getenv("DCSIM_WEATHER_DIR");
    const char *dirs[] = {env, "../shared/data/weather", "/work/shared/data/weather"};
    struct stat st;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (dirs[i] && stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
            return dirs[i];
    return NULL;
}

START_TEST(test_epw_real_files)
{
    /* SOURCES.md: the four TMY3 files and their dry bulb extremes, °C */
    static const struct { const char *file; double min_c, max_c; } sites[] = {
        {"USA_IL_Chicago-OHare.Intl.AP.725300_TMY3.epw", -22.8, 35.0},
        {"USA_VA_Sterling-Washington.Dulles.Intl.AP.724030_TMY3.epw", -16.1, 37.2},
        {"USA_MN_Minneapolis-St.Paul.Intl.AP.726580_TMY3.epw", -31.1, 37.2},
        {"USA_AZ_Davis-Monthan.AFB.722745_TMY3.epw", -1.1, 42.0},   /* CRLF */
    };
    const char *dir = weather_dir();
    if (!dir) {
        printf("SKIPPED: test_epw_real_files: no weather directory (DCSIM_WEATHER_DIR, "
               "../shared/data/weather): real EPW files not checked\n");
        return;
    }
    for (size_t s = 0; s < sizeof sites / sizeof sites[0]; s++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, sites[s].file);
        /* the mean of the dry bulb column, read here independently of epw.c */
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        char *line = NULL;
        size_t cap = 0;
        int lineno = 0, rows = 0;
        double sum = 0;
        while (getline(&line, &cap, f) > 0) {
            if (++lineno <= 8)
                continue;
            const char *c = line;
            for (int commas = 0; commas < 6; c++)
                commas += *c == ',';
            sum += strtod(c, NULL);
            rows++;
        }
        free(line);
        fclose(f);
        ck_assert_int_eq(rows, 8760);

        /* 8760 hourly samples from a whole UTC hour in a common year meet every row once */
        struct weather *w = load_ok(path, date("2019-01-01T00:00Z"));
        double total = 0, min = INFINITY, max = -INFINITY;
        for (int64_t h = 0; h < 8760; h++) {
            double db, wb;
            weather_at(w, h * HOUR_S, &db, &wb);
            ck_assert_msg(wb <= db, "%s: wet bulb %g > dry bulb %g", sites[s].file, wb, db);
            total += db;
            min = fmin(min, db);
            max = fmax(max, db);
        }
        ck_assert_double_eq_tol(total / 8760, sum / rows, 0.5);
        ck_assert_double_eq_tol(total / 8760, sum / rows, 1e-9);
        ck_assert_double_eq_tol(min, sites[s].min_c, 1e-9);
        ck_assert_double_eq_tol(max, sites[s].max_c, 1e-9);
        weather_destroy(w);
    }
}
END_TEST

static TCase *epw_tcase(void)
{
    TCase *tc = tcase_create("epw");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_epw_values);
    tcase_add_test(tc, test_epw_leap_year);
    tcase_add_test(tc, test_epw_crlf_and_missing);
    tcase_add_test(tc, test_epw_errors);
    tcase_add_test(tc, test_epw_real_files);
    return tc;
}

static Suite *weather_suite(void)
{
    Suite *s = suite_create("weather");
    TCase *psy = tcase_create("psychro");
    tcase_add_test(psy, test_stull_check_value);
    tcase_add_test(psy, test_psychro_atan);
    tcase_add_test(psy, test_stull_block_same_bits);
    tcase_add_test(psy, test_magnus_dewpoint);
    tcase_add_test(psy, test_saturation_pressure);
    tcase_add_test(psy, test_wetbulb_psychrometric);
    suite_add_tcase(s, psy);
    TCase *syn = tcase_create("constant and climate");
    tcase_set_timeout(syn, 120);
    tcase_add_test(syn, test_constant);
    tcase_add_test(syn, test_climate_invalid);
    tcase_add_test(syn, test_climate_node_value);
    tcase_add_test(syn, test_climate_diurnal);
    tcase_add_test(syn, test_climate_seeds);
    tcase_add_test(syn, test_climate_parts_blocks);
    tcase_add_test(syn, test_climate_30_years);
    tcase_add_test(syn, test_climate_leap_year);
    suite_add_tcase(s, syn);
    suite_add_tcase(s, epw_tcase());
    return s;
}

TESTUTIL_MAIN(weather_suite)
