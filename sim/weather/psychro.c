/* psychro.c — moist-air properties for the weather module (see weather.h).
 *
 * Saturation pressure and thermodynamic wet bulb follow ASHRAE Handbook — Fundamentals 2017,
 * ch. 1 (SI); the wet bulb is found with GSL's Brent bracketing solver. Stull's 2011 closed
 * form serves the synthetic climates, which only know dry bulb and relative humidity. */
#include "weather.h"

#include <math.h>

#include "simd.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#define KELVIN_OFFSET_K 273.15              /* °C -> K, exact (ASHRAE 2017 ch. 1 sec. 3) */
#define TRIPLE_POINT_C 0.01                 /* water/ice boundary of eq. 5/6 (ASHRAE 2017) */
#define FREEZING_C 0.0                      /* eq. 33 at and above, eq. 35 below */
#define STANDARD_PRESSURE_PA PSYCHRO_STANDARD_PRESSURE_PA
#define MOLAR_MASS_RATIO 0.621945           /* M_water / M_dry air (ASHRAE 2017 eq. 20) */
#define WETBULB_TOLERANCE_K 1e-6            /* Brent stops when the bracket is this narrow */
#define WETBULB_MAX_ITER 100                /* Brent needs ~10; a cap against a bad bracket */
#define STULL_RH_MIN 5.0                    /* Stull (2011) fit valid for RH 5..99 % */
#define STULL_RH_MAX 99.0

double psychro_saturation_pa(double temp_c)
{
    double t_k = temp_c + KELVIN_OFFSET_K;
    double ln_p;
    if (temp_c < TRIPLE_POINT_C) {
        /* over ice, -100..0 °C: ASHRAE 2017 ch. 1 eq. 5 (Hyland and Wexler 1983) */
        ln_p = -5.6745359e3 / t_k + 6.3925247 - 9.6778430e-3 * t_k + 6.2215701e-7 * t_k * t_k
               + 2.0747825e-9 * t_k * t_k * t_k - 9.4840240e-13 * t_k * t_k * t_k * t_k
               + 4.1635019 * log(t_k);
    } else {
        /* over liquid water, 0..200 °C: ASHRAE 2017 ch. 1 eq. 6 */
        ln_p = -5.8002206e3 / t_k + 1.3914993 - 4.8640239e-2 * t_k + 4.1764768e-5 * t_k * t_k
               - 1.4452093e-8 * t_k * t_k * t_k + 6.5459673 * log(t_k);
    }
    return exp(ln_p);
}

/* fmax(lo, x) then fmin(., hi), as comparisons (gcc calls libm for fmin/fmax): a NaN x
 * gives lo, as fmax does */
static inline double clamp_to(double x, double lo, double hi)
{
    double y = x > lo ? x : lo;
    return y < hi ? y : hi;
}

/* atan(x) (psychro_atan), for the Stull wet bulbs of a block at once: libm's atan is a call
 * with branches, so a loop of it cannot vectorise (it was ~13 % of a run at 1-min steps).
 * The argument is reduced to |u| <= tan(pi/8): |x| itself, (|x| - 1) / (|x| + 1) with pi/4
 * added back, or -1/|x| with pi/2 added back; then atan(u) = u + u z P(z), z = u^2, with P
 * of degree 10 interpolating (atan(sqrt z)/sqrt z - 1)/z at the Chebyshev nodes of
 * [0, tan^2(pi/8)] (tools/atan_fit.py, in 50-digit arithmetic: 5e-18 relative error before
 * rounding). Within 2 ulp of glibc's atan (check_weather: test_psychro_atan). The range is
 * chosen by exact 0/1 weights instead of branches, so that loops of it vectorise; |x| is
 * capped at 1e300 (atan is pi/2 there to the last bit) so that the weights never meet an
 * infinity. Plain multiplies and adds (the build contracts none into FMAs): the same bits in
 * every vector width. */
#define TAN_PI_8 0.41421356237309504880     /* tan(pi/8) = sqrt(2) - 1 */
#define TAN_3PI_8 2.41421356237309504880    /* tan(3 pi/8) = sqrt(2) + 1 */
#define ATAN_X_CAP 1e300
static const double ATAN_POLY[11] = {
    -0.333333333333333301597, 0.199999999999955206778, -0.142857142846665429225,
    0.111111110152563617275, -0.0909090457812390189048, 0.0769218319082608656369,
    -0.0666451144738194800010, 0.0585814891280220988165, -0.0508544973794025986132,
    0.0392316582955871913028, -0.0191768871190622589893};
static inline double atan_poly(double x)
{
    double a = fabs(x);
    a = a > ATAN_X_CAP ? ATAN_X_CAP : a;
    double hi = (double)(a > TAN_3PI_8), mid = (double)(a > TAN_PI_8) - hi, lo = 1.0 - hi - mid;
    double num = lo * a + mid * (a - 1.0) - hi;
    double den = lo + mid * (a + 1.0) + hi * a;
    double off = mid * 0.78539816339744830962 + hi * 1.57079632679489661923;   /* pi/4, pi/2 */
    double u = num / den, z = u * u;
    const double *c = ATAN_POLY;
    double z2 = z * z, z4 = z2 * z2, z8 = z4 * z4;   /* Estrin's scheme: short chains */
    double p01 = c[1] * z + c[0], p23 = c[3] * z + c[2], p45 = c[5] * z + c[4],
           p67 = c[7] * z + c[6], p89 = c[9] * z + c[8];
    double p03 = p23 * z2 + p01, p47 = p67 * z2 + p45, p8a = c[10] * z2 + p89;
    double p = p8a * z8 + (p47 * z4 + p03);
    return copysign(off + (u * z * p + u), x);
}

double psychro_atan(double x)
{
    return atan_poly(x);
}

DCSIM_BRANCH_FREE static inline double stull_c(double drybulb_c, double rh_percent)
{
    /* Stull, R. (2011): Wet-bulb temperature from relative humidity and air temperature.
     * J. Appl. Meteor. Climatol. 50, 2267-2269, eq. 1 (RH in %, T in °C, at 101.325 kPa). */
    double rh = clamp_to(rh_percent, STULL_RH_MIN, STULL_RH_MAX);
    double t = drybulb_c;
    double tw = t * atan_poly(0.151977 * sqrt(rh + 8.313659)) + atan_poly(t + rh) -
                atan_poly(rh - 1.676331) +
                0.00391838 * (rh * sqrt(rh)) * atan_poly(0.023101 * rh) - 4.686035;   /* rh^1.5 */
    return ((t < tw) | (tw != tw)) ? t : tw;   /* fmin(tw, t) */
}

double psychro_wetbulb_stull_c(double drybulb_c, double rh_percent)
{
    return stull_c(drybulb_c, rh_percent);
}

DCSIM_VECTOR_CLONES DCSIM_BRANCH_FREE   /* and -fno-math-errno (Makefile) */
void psychro_wetbulb_stull_n(const double *drybulb_c, const double *rh_percent,
                             double *wetbulb_c, size_t n)
{
    for (size_t k = 0; k < n; k++)
        wetbulb_c[k] = stull_c(drybulb_c[k], rh_percent[k]);
}

/* Humidity ratio of air saturated at temp_c, kg/kg: ASHRAE 2017 ch. 1 eq. 20 with p_w = p_ws. */
static double saturation_ratio(double temp_c, double pressure_pa)
{
    double pws = psychro_saturation_pa(temp_c);
    return MOLAR_MASS_RATIO * pws / (pressure_pa - pws);
}

double psychro_saturation_ratio(double temp_c, double pressure_pa)
{
    return saturation_ratio(temp_c, pressure_pa > 0 ? pressure_pa : STANDARD_PRESSURE_PA);
}

/* Humidity ratio of air at dry bulb t whose thermodynamic wet bulb is ts: ASHRAE 2017 ch. 1
 * eq. 33 (wet bulb at or above freezing) or eq. 35 (ice on the wick). */
static double ratio_at_wetbulb(double t, double ts, double pressure_pa)
{
    double ws = saturation_ratio(ts, pressure_pa);
    if (ts >= FREEZING_C)
        return ((2501.0 - 2.326 * ts) * ws - 1.006 * (t - ts)) / (2501.0 + 1.86 * t - 4.186 * ts);
    return ((2830.0 - 0.24 * ts) * ws - 1.006 * (t - ts)) / (2830.0 + 1.86 * t - 2.1 * ts);
}

double psychro_ratio_from_wetbulb(double drybulb_c, double wetbulb_c, double pressure_pa)
{
    if (!(pressure_pa > 0))
        pressure_pa = STANDARD_PRESSURE_PA;
    if (wetbulb_c > drybulb_c)
        wetbulb_c = drybulb_c;
    double w = ratio_at_wetbulb(drybulb_c, wetbulb_c, pressure_pa);
    return w > 0 ? w : 0.0;
}

double psychro_enthalpy_kj_per_kg(double drybulb_c, double ratio_kg_per_kg)
{
    /* ASHRAE 2017 ch. 1 eq. 32: h = 1.006·t + W·(2501 + 1.86·t), kJ/kg dry air */
    return 1.006 * drybulb_c + ratio_kg_per_kg * (2501.0 + 1.86 * drybulb_c);
}

struct wetbulb_problem {
    double drybulb_c, pressure_pa, ratio;   /* ratio: the air's humidity ratio, kg/kg */
};

/* Humidity ratio implied by a wet bulb t*, minus the air's: zero at the wet bulb. */
static double wetbulb_residual(double wetbulb_c, void *params)
{
    const struct wetbulb_problem *p = params;
    return ratio_at_wetbulb(p->drybulb_c, wetbulb_c, p->pressure_pa) - p->ratio;
}

/* Returns NAN when no wet bulb exists in [dew point, dry bulb] (e.g. saturation pressure
 * above the station pressure) or the solver fails; callers check isfinite(). */
double psychro_wetbulb_c(double drybulb_c, double dewpoint_c, double pressure_pa)
{
    if (!isfinite(drybulb_c) || !isfinite(dewpoint_c))
        return NAN;
    if (!(pressure_pa > 0))
        pressure_pa = STANDARD_PRESSURE_PA;
    if (dewpoint_c >= drybulb_c)    /* saturated (or inconsistent data): wet bulb = dry bulb */
        return drybulb_c;

    /* the air's humidity ratio: ASHRAE 2017 ch. 1 eq. 20 with p_w = p_ws(dew point), eq. 36 */
    struct wetbulb_problem prob = {drybulb_c, pressure_pa, 0};
    prob.ratio = saturation_ratio(dewpoint_c, pressure_pa);
    double lo = dewpoint_c, hi = drybulb_c;
    double f_lo = wetbulb_residual(lo, &prob), f_hi = wetbulb_residual(hi, &prob);
    if (!isfinite(prob.ratio) || prob.ratio < 0 || !isfinite(f_lo) || !isfinite(f_hi)
        || f_lo > 0 || f_hi < 0)
        return NAN;
    if (f_lo == 0)
        return lo;
    if (f_hi == 0)
        return hi;

    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_function fn = {wetbulb_residual, &prob};
    double root = NAN;
    int status = gsl_root_fsolver_set(s, &fn, lo, hi);
    for (int iter = 0; status == GSL_SUCCESS && iter < WETBULB_MAX_ITER; iter++) {
        status = gsl_root_fsolver_iterate(s);
        if (status != GSL_SUCCESS)
            break;
        lo = gsl_root_fsolver_x_lower(s);
        hi = gsl_root_fsolver_x_upper(s);
        status = gsl_root_test_interval(lo, hi, WETBULB_TOLERANCE_K, 0);
        if (status == GSL_SUCCESS) {
            root = gsl_root_fsolver_root(s);
            break;
        }
        if (status == GSL_CONTINUE)
            status = GSL_SUCCESS;
    }
    gsl_root_fsolver_free(s);
    return root;
}

/* Magnus form over water, coefficients of Alduchov & Eskridge (1996), J. Appl. Meteor. 35:
 * e_s(T) ∝ exp(a·T/(b + T)), a = 17.625, b = 243.04 °C; within 0.4 % from −40 to 50 °C. */
#define MAGNUS_A 17.625
#define MAGNUS_B_C 243.04

double psychro_dewpoint_magnus_c(double drybulb_c, double rh_percent)
{
    double rh = clamp_to(rh_percent, 1.0, 100.0);
    double gamma = log(rh / 100.0) + MAGNUS_A * drybulb_c / (MAGNUS_B_C + drybulb_c);
    return MAGNUS_B_C * gamma / (MAGNUS_A - gamma);
}

double psychro_rh_magnus(double drybulb_c, double dewpoint_c)
{
    double rh = 100.0 * exp(MAGNUS_A * dewpoint_c / (MAGNUS_B_C + dewpoint_c) -
                            MAGNUS_A * drybulb_c / (MAGNUS_B_C + drybulb_c));
    return rh < 100.0 ? rh : 100.0;   /* fmin(rh, 100): a NaN rh gives 100 */
}
