/* check_cooling.c — properties of the cooling plant (sim/physics/cooling.h) over many generated plants
 * and ambients: the hybrid split is the least fan + chiller power (against the closed form and
 * a brute-force search), every plant's power is continuous and never falls as the dry or wet
 * bulb rises, and tower water stays under the all-latent bound, rises in hot dry air and
 * falls in cold weather. Plants are drawn from a fixed-seed MT19937 stream, so a failure
 * reproduces; each assertion names the plant. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "cooling.h"
#include "testutil.h"

#define N_PLANTS 300
#define AMBIENT_MIN_C (-5.0)
#define AMBIENT_MAX_C 44.0
#define N_AMBIENTS 490                /* 0.1 K apart */
#define BISECTIONS 40                 /* continuity: a jump that survives this is a step */

static struct cooling_liquid plant_liquid(gsl_rng *r, enum rejection rej)
{
    struct cooling_liquid l;
    memset(&l, 0, sizeof l);
    l.present = 1;
    l.rejection = rej;
    l.capacity_mw = 1 + 499 * gsl_rng_uniform(r);
    l.supply_c = 25 + 25 * gsl_rng_uniform(r);
    l.approach_k = rej == REJECT_COOLING_TOWER ? 2 + 8 * gsl_rng_uniform(r)
                                               : 3 + 15 * gsl_rng_uniform(r);
    l.pump_fraction = 0.03 * gsl_rng_uniform(r);
    l.fan_fraction = 0.001 + 0.08 * gsl_rng_uniform(r);
    l.carnot_efficiency = 0.3 + 0.4 * gsl_rng_uniform(r);
    l.cop_max = 4 + 26 * gsl_rng_uniform(r);
    l.cycles = 1.5 + 8 * gsl_rng_uniform(r);
    return l;
}

static struct cooling_air plant_air(gsl_rng *r)
{
    struct cooling_air a;
    memset(&a, 0, sizeof a);
    a.present = 1;
    a.supply_c = 18 + 12 * gsl_rng_uniform(r);
    a.capacity_mw = 1e9;
    a.economizer = gsl_rng_uniform(r) < 0.8;
    a.crah_fraction = 0.04 * gsl_rng_uniform(r);
    a.carnot_efficiency = 0.3 + 0.4 * gsl_rng_uniform(r);
    a.cop_max = 4 + 26 * gsl_rng_uniform(r);
    return a;
}

/* One generated plant with its fixed heat: the cooling power at (dry bulb, wet bulb). */
struct plant {
    struct cooling_liquid l;
    struct cooling_air a;
    double heat_liquid_mw, heat_air_mw;
};

static double plant_power_mw(const struct plant *p, double db_c, double wb_c)
{
    struct cooling_power cp = {0};
    cooling_liquid_power(&p->l, p->heat_liquid_mw, db_c, wb_c, 3600, &cp);
    cooling_air_power(&p->a, p->heat_air_mw, db_c, &cp);
    return cp.pump_mw + cp.fan_mw + cp.chiller_mw + cp.air_fan_mw + cp.air_chiller_mw;
}

/* Ambient on a sweep: mode 0 raises the dry bulb at a fixed wet-bulb depression d (both rise),
 * mode 1 raises the dry bulb at a fixed wet bulb, mode 2 raises the wet bulb at a fixed dry
 * bulb. */
static void ambient(int mode, double x, double d, double fixed, double *db, double *wb)
{
    if (mode == 0) {
        *db = x;
        *wb = x - d;
    } else if (mode == 1) {
        *db = x;
        *wb = fmin(fixed, x);
    } else {
        *db = fixed;
        *wb = fmin(x, fixed);
    }
}

/* Bisects [lo, hi] towards the larger change BISECTIONS times; returns the change left. A
 * continuous function's change shrinks with the interval, a step's does not. */
static double jump_left(const struct plant *p, int mode, double d, double fixed, double lo,
                        double hi)
{
    double db, wb;
    ambient(mode, lo, d, fixed, &db, &wb);
    double f_lo = plant_power_mw(p, db, wb);
    ambient(mode, hi, d, fixed, &db, &wb);
    double f_hi = plant_power_mw(p, db, wb);
    for (int i = 0; i < BISECTIONS; i++) {
        double mid = 0.5 * (lo + hi);
        ambient(mode, mid, d, fixed, &db, &wb);
        double f_mid = plant_power_mw(p, db, wb);
        if (fabs(f_mid - f_lo) >= fabs(f_hi - f_mid)) {
            hi = mid;
            f_hi = f_mid;
        } else {
            lo = mid;
            f_lo = f_mid;
        }
    }
    return fabs(f_hi - f_lo);
}

/* Heat the liquid plant can take at every ambient of the sweeps (capacity at the hottest
 * ambient), times a share; at least a little so that every plant has heat. */
static double feasible_heat_mw(const struct cooling_liquid *l, double share)
{
    double cap = cooling_liquid_capacity_mw(l, AMBIENT_MAX_C, AMBIENT_MAX_C);
    return share * cap;
}

START_TEST(test_hybrid_closed_form)
{
    /* Q_d 100, T_s 35, a 10, k_fan 0.02, η 0.55, COP_max 12, heat 80 MW.
     * T_db 30: Q_max 50, COP 12 (T_cond 40 − T_evap 32 = 8 K: Carnot 20.98, capped);
     *   x* = 50·√(50/(3·0.02·100·12)) = 41.6667 MW; fans 2·(41.6667/50)³ = 1.157407 MW,
     *   chiller (80 − 41.6667)/12 = 3.194444 MW: 4.351852 MW.
     * T_db 33: Q_max 20, T_cond 43: COP 0.55·305.15/11 = 15.2575 -> 12; x* = 20·√(20/72)
     *   = 10.5409 MW; fans 2·(0.527046)³ = 0.292803 MW, chiller (80 − 10.5409)/12
     *   = 5.788256 MW: 6.081060 MW. */
    struct cooling_liquid l;
    memset(&l, 0, sizeof l);
    l.present = 1;
    l.rejection = REJECT_HYBRID;
    l.capacity_mw = 100;
    l.supply_c = 35;
    l.approach_k = 10;
    l.fan_fraction = 0.02;
    l.carnot_efficiency = 0.55;
    l.cop_max = 12;
    l.cycles = 4;
    const double db[2] = {30, 33}, expect[2] = {4.351852, 6.081060};
    for (int i = 0; i < 2; i++) {
        struct cooling_power cp = {0};
        cooling_liquid_power(&l, 80, db[i], db[i] - 10, 3600, &cp);
        double total = cp.fan_mw + cp.chiller_mw;
        ck_assert_msg(fabs(total - expect[i]) <= 0.003 * expect[i], "T_db %g: %.6f MW, closed form"
                      " %.6f MW", db[i], total, expect[i]);
        ck_assert_double_eq_tol(total, expect[i], 1e-6);
    }
    /* the chiller's capacity binds: heat 140 at T_db 30 -> the dry cooler must carry 40 of
     * its 50 although 41.67 would be cheaper... it carries max(41.67, 40) = 41.67; at heat 145
     * it must carry 45: fans 2·0.9³ = 1.458, chiller 100/12 */
    ck_assert_double_eq_tol(cooling_hybrid_dry_mw(&l, 140, 30), 125.0 / 3.0, 1e-9);
    ck_assert_double_eq_tol(cooling_hybrid_dry_mw(&l, 145, 30), 45.0, 1e-9);
    struct cooling_power cp = {0};
    cooling_liquid_power(&l, 145, 30, 20, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 2.0 * 0.729, 1e-9);
    ck_assert_double_eq_tol(cp.chiller_mw, 100.0 / 12.0, 1e-9);
    /* at or above the supply temperature the dry cooler is off and its fans with it */
    ck_assert_double_eq(cooling_hybrid_dry_mw(&l, 80, 35), 0);
    memset(&cp, 0, sizeof cp);
    cooling_liquid_power(&l, 80, 40, 20, 3600, &cp);
    ck_assert_double_eq(cp.fan_mw, 0);
}
END_TEST

START_TEST(test_hybrid_least_power_random)
{
    /* For generated plants, heats and dry bulbs: the split's fan + chiller power is no more
     * than the best of 4001 feasible splits on a grid (so it is the minimum). */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 9001);
    for (int n = 0; n < N_PLANTS; n++) {
        struct cooling_liquid l = plant_liquid(r, REJECT_HYBRID);
        double db = AMBIENT_MIN_C + (AMBIENT_MAX_C - AMBIENT_MIN_C) * gsl_rng_uniform(r);
        double cap = cooling_liquid_capacity_mw(&l, db, db);
        double heat = cap * gsl_rng_uniform(r);
        double q_max = cap - l.capacity_mw;
        double cop = cooling_chiller_cop(l.supply_c - 3, db + 10, l.carnot_efficiency, l.cop_max);
        struct cooling_power cp = {0};
        cooling_liquid_power(&l, heat, db, db, 3600, &cp);
        double got = cp.fan_mw + cp.chiller_mw;
        double lo = fmax(0.0, heat - l.capacity_mw), hi = fmin(heat, q_max);
        double best = INFINITY;
        for (int i = 0; i <= 4000 && hi >= lo; i++) {
            double x = lo + (hi - lo) * i / 4000.0;
            double s = q_max > 0 ? x / q_max : 0;
            best = fmin(best, l.fan_fraction * l.capacity_mw * s * s * s + (heat - x) / cop);
        }
        ck_assert_msg(got <= best * (1 + 1e-9) + 1e-12, "plant %d (T_db %g, heat %g): %.9g MW "
                      "above a grid split's %.9g MW", n, db, heat, got, best);
        ck_assert_msg(cp.chiller_mw * cop <= l.capacity_mw * (1 + 1e-12), "plant %d: chiller "
                      "over its capacity", n);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_power_monotone_continuous)
{
    /* Every rejection type, with and without air heat: at fixed heat (within the capacity at
     * 44 °C, so the IT does not change), the cooling power never falls as the ambient rises
     * over −5..44 °C and has no step (facility power is an increasing affine function of it
     * at fixed IT: electrical_facility). */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 4242);
    const enum rejection rej[4] = {REJECT_DRY_COOLER, REJECT_COOLING_TOWER, REJECT_CHILLER,
                                   REJECT_HYBRID};
    int checked = 0;
    for (int n = 0; n < N_PLANTS; n++) {
        struct plant p;
        p.l = plant_liquid(r, rej[n % 4]);
        if (p.l.rejection == REJECT_DRY_COOLER)   /* a dry cooler must have capacity at 44 °C */
            p.l.supply_c = 45 + 10 * gsl_rng_uniform(r);
        p.a = plant_air(r);
        p.heat_liquid_mw = feasible_heat_mw(&p.l, gsl_rng_uniform(r));
        p.heat_air_mw = gsl_rng_uniform(r) < 0.3 ? 0 : 50 * gsl_rng_uniform(r);
        double d = 25 * gsl_rng_uniform(r);                    /* wet-bulb depression, K */
        double fixed = AMBIENT_MIN_C + 49 * gsl_rng_uniform(r);
        for (int mode = 0; mode < 3; mode++) {
            double prev = NAN, prev_x = NAN, db, wb;
            for (int i = 0; i <= N_AMBIENTS; i++) {
                double x = AMBIENT_MIN_C + (AMBIENT_MAX_C - AMBIENT_MIN_C) * i / N_AMBIENTS;
                ambient(mode, x, d, fixed, &db, &wb);
                double pw = plant_power_mw(&p, db, wb);
                ck_assert_msg(isfinite(pw), "plant %d: power not finite", n);
                if (i > 0) {
                    ck_assert_msg(pw >= prev - 1e-12 * fmax(1.0, prev), "plant %d (%s, mode %d):"
                                  " power falls from %.12g to %.12g MW at %g °C", n,
                                  rejection_names[p.l.rejection], mode, prev, pw, x);
                    if (pw != prev) {
                        double left = jump_left(&p, mode, d, fixed, prev_x, x);
                        ck_assert_msg(left <= 1e-9 * fmax(1.0, pw), "plant %d (%s, mode %d): "
                                      "step of %.3g MW near %g °C", n,
                                      rejection_names[p.l.rejection], mode, left, x);
                    }
                }
                prev = pw;
                prev_x = x;
                checked++;
            }
        }
    }
    ck_assert_int_gt(checked, N_PLANTS * 3 * N_AMBIENTS);
    gsl_rng_free(r);
}
END_TEST

START_TEST(test_economizer_no_step)
{
    /* The case: 20.000 -> 20.008 °C at T_a = 24 moved PUE by ~0.018. Now the chiller's
     * share goes 0 -> 0.002 and its power 0 -> 0.002·Q/COP: with Q = 10 MW and COP 11.36
     * (T_cond 30, lift 14 K) that is 1.76 kW, not a jump. */
    struct cooling_air a;
    memset(&a, 0, sizeof a);
    a.present = 1;
    a.supply_c = 24;
    a.capacity_mw = 50;
    a.economizer = 1;
    a.carnot_efficiency = 0.55;
    a.cop_max = 12;
    struct cooling_power lo = {0}, hi = {0};
    cooling_air_power(&a, 10, 20.0, &lo);
    cooling_air_power(&a, 10, 20.008, &hi);
    ck_assert_double_eq(lo.air_chiller_mw, 0);
    double cop = 0.55 * 289.15 / 14.008;
    ck_assert_double_eq_tol(hi.air_chiller_mw, 0.002 * 10 / cop, 1e-12);
    ck_assert(hi.air_chiller_mw < 0.002);
}
END_TEST

START_TEST(test_tower_water)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 77);
    const double bound = 1.0 / COOLING_LATENT_MJ_PER_KG;   /* kg/MJ */
    for (int n = 0; n < N_PLANTS; n++) {
        struct cooling_liquid l = plant_liquid(r, REJECT_COOLING_TOWER);
        for (int k = 0; k < 50; k++) {
            double db = AMBIENT_MIN_C + 49 * gsl_rng_uniform(r);
            double wb = db - 25 * gsl_rng_uniform(r);
            double e = cooling_tower_evaporation_kg_per_mj(&l, db, wb);
            ck_assert_msg(e > 0 && e <= bound, "plant %d at %g/%g: %g kg/MJ", n, db, wb, e);
            /* hotter, drier air at the same wet bulb evaporates at least as much */
            double e_dry = cooling_tower_evaporation_kg_per_mj(&l, db + 3, wb);
            ck_assert_msg(e_dry >= e - 1e-12, "plant %d at %g/%g: drier air %g < %g", n, db,
                          wb, e_dry, e);
            /* colder air at the same depression evaporates no more */
            double e_cold = cooling_tower_evaporation_kg_per_mj(&l, db - 10, wb - 10);
            ck_assert_msg(e_cold <= e + 1e-12, "plant %d at %g/%g: colder air %g > %g", n, db,
                          wb, e_cold, e);
            /* the step's water: evaporation × c/(c − 1), never above the all-latent bound */
            double cap = cooling_liquid_capacity_mw(&l, db, wb);
            struct cooling_power cp = {0};
            cooling_liquid_power(&l, cap, db, wb, 3600, &cp);
            ck_assert(cp.water_m3 <= cap * 3600 * bound * l.cycles / (l.cycles - 1) / 1000 *
                                         (1 + 1e-12));
        }
    }
    gsl_rng_free(r);
    /* a hand case in cold weather: T_db −10, T_wb −11 (ice-bulb eq. 35): W_in 0.0011070,
     * h_in −7.3124 kJ/kg; exit 40 °C saturated: W 0.048883, h 166.132 kJ/kg:
     * (0.048883 − 0.001107)/173.445 = 0.275452 kg/MJ, 67 % of the all-latent 0.41152 */
    struct cooling_liquid l;
    memset(&l, 0, sizeof l);
    l.rejection = REJECT_COOLING_TOWER;
    l.supply_c = 35;
    l.approach_k = 5;
    ck_assert_double_eq_tol(cooling_tower_evaporation_kg_per_mj(&l, -10, -11), 0.275452, 1e-6);
}
END_TEST

/* The weather's part of a block at once (cooling_liquid_at_n, vectorised where the CPU can)
 * is, field by field, the same bits as cooling_liquid_at of each step, for every rejection
 * type over ambients from below freezing to above the supply (no lift, no exchanger
 * capacity), with blocks of every length up to COOLING_AT_N (the loop's tails). A plant
 * without fans has no least-power bound. */
START_TEST(test_liquid_at_block_same_bits)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    const enum rejection types[] = {REJECT_DRY_COOLER, REJECT_COOLING_TOWER, REJECT_CHILLER,
                                    REJECT_HYBRID};
    double db[COOLING_AT_N], wb[COOLING_AT_N];
    struct cooling_at_n t;
    for (int p = 0; p < N_PLANTS; p++) {
        struct cooling_liquid l = plant_liquid(r, types[p % 4]);
        if (p % 10 == 9)
            l.fan_fraction = 0;
        size_t n = 1 + (size_t)p % COOLING_AT_N;
        for (size_t k = 0; k < n; k++) {
            db[k] = -20 + 80 * gsl_rng_uniform(r);
            wb[k] = db[k] - 15 * gsl_rng_uniform(r);
        }
        cooling_liquid_at_n(&l, db, wb, n, &t);
        for (size_t k = 0; k < n; k++) {
            struct cooling_at one = {0}, many = {0};
            cooling_liquid_at(&l, db[k], wb[k], &one);
            cooling_at_from_n(&t, k, &many);
            int same = 1;
            if (l.rejection != REJECT_CHILLER)
                same &= memcmp(&one.q_max_mw, &many.q_max_mw, sizeof one.q_max_mw) == 0;
            if (l.rejection == REJECT_CHILLER || l.rejection == REJECT_HYBRID)
                same &= memcmp(&one.cop, &many.cop, sizeof one.cop) == 0;
            if (l.rejection == REJECT_HYBRID) {
                same &= one.dry_capped == many.dry_capped;
                if (one.dry_capped)
                    same &= memcmp(&one.dry_cap_mw, &many.dry_cap_mw, sizeof one.dry_cap_mw) == 0;
            }
            ck_assert_msg(same, "plant %d (type %d), step %zu of %zu: db %.17g wb %.17g", p,
                          (int)l.rejection, k, n, db[k], wb[k]);
        }
    }
    gsl_rng_free(r);
}
END_TEST

static Suite *cooling_suite(void)
{
    Suite *s = suite_create("cooling");
    TCase *tc = tcase_create("cooling");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_hybrid_closed_form);
    tcase_add_test(tc, test_hybrid_least_power_random);
    tcase_add_test(tc, test_power_monotone_continuous);
    tcase_add_test(tc, test_economizer_no_step);
    tcase_add_test(tc, test_tower_water);
    tcase_add_test(tc, test_liquid_at_block_same_bits);
    suite_add_tcase(s, tc);
    return s;
}

TESTUTIL_MAIN(cooling_suite)
