/* check_physics.c — unit tests of the step physics: IT load (sim/physics/it_load.h), cooling
 * (sim/physics/cooling.h), the electrical chain (sim/physics/electrical.h) and one step's load evaluation
 * with throttling (step_load_eval in sim/solver/site_step.h), and the hourly buckets of a
 * run's summary (sim/physics/results.h).
 *
 * Every expected number is worked out by hand in the comment beside it from the equations of
 * ../shared/model.md; tolerances only absorb floating-point rounding. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cooling.h"
#include "electrical.h"
#include "it_load.h"
#include "results.h"
#include "scenario.h"
#include "site_step.h"
#include "testutil.h"

#define TOL 1e-9
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static struct it_pool pool(enum workload wl, double count, double idle_kw, double max_kw,
                           double u)
{
    struct it_pool p;
    memset(&p, 0, sizeof p);
    strcpy(p.id, "p");
    strcpy(p.rack.id, "r");
    p.rack.power_idle_kw = idle_kw;
    p.rack.power_max_kw = max_kw;
    p.rack.liquid_fraction = 1.0;
    p.count = count;
    p.workload = wl;
    p.utilization = u;
    p.diurnal_amplitude = 0.3;
    p.peak_hour = 15;
    p.online_s = TIME_ALWAYS;
    p.offline_s = TIME_NEVER;
    return p;
}

/* ---- IT load ---- */

START_TEST(test_pool_power)
{
    /* 100 racks, 20 kW idle, 120 kW max: P = 100·(20 + 100·u)/1000 MW */
    struct it_pool p = pool(WORKLOAD_CONSTANT, 100, 20, 120, 0.8);
    ck_assert_double_eq_tol(it_pool_power_mw(&p, 0.8), 10.0, TOL);   /* 100·(20 + 80)/1000 */
    ck_assert_double_eq_tol(it_pool_power_mw(&p, 0.0), 2.0, TOL);    /* 100·20/1000 */
    ck_assert_double_eq_tol(it_pool_power_mw(&p, 1.0), 12.0, TOL);   /* 100·120/1000 */
    ck_assert_double_eq_tol(it_pool_power_mw(&p, 0.25), 4.5, TOL);   /* 100·(20 + 25)/1000 */
    ck_assert_double_eq_tol(it_pool_nameplate_mw(&p), 12.0, TOL);
    /* a fractional count (fit scales counts continuously) */
    p.count = 2.5;
    ck_assert_double_eq_tol(it_pool_power_mw(&p, 1.0), 0.3, TOL);    /* 2.5·120/1000 */
    /* online window [online, offline) */
    p.online_s = 100;
    p.offline_s = 200;
    ck_assert_int_eq(it_pool_online(&p, 99), 0);
    ck_assert_int_eq(it_pool_online(&p, 100), 1);
    ck_assert_int_eq(it_pool_online(&p, 199), 1);
    ck_assert_int_eq(it_pool_online(&p, 200), 0);
    p.online_s = TIME_ALWAYS;
    p.offline_s = TIME_NEVER;
    ck_assert_int_eq(it_pool_online(&p, INT64_MIN + 1), 1);
    ck_assert_int_eq(it_pool_online(&p, INT64_MAX - 1), 1);
}
END_TEST

START_TEST(test_mining_constant)
{
    struct it_pool m = pool(WORKLOAD_MINING, 1, 0, 1, 0.3);
    ck_assert_double_eq(it_pool_utilization(&m, 0, 900, 12.0), 1.0);   /* mining: u = 1 */
    struct it_pool c = pool(WORKLOAD_CONSTANT, 1, 0, 1, 0.37);
    ck_assert_double_eq(it_pool_utilization(&c, 0, 900, 3.0), 0.37);
    ck_assert_double_eq(it_pool_utilization(&c, 12345, 60, 21.0), 0.37);
}
END_TEST

START_TEST(test_inference_diurnal)
{
    /* u = 0.6·(1 + 0.3·cos(2π(h − 15)/24)) */
    struct it_pool p = pool(WORKLOAD_INFERENCE, 1, 0, 1, 0.6);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 15.0), 0.78, 1e-12);   /* 0.6·1.3 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 3.0), 0.42, 1e-12);    /* 0.6·0.7 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 9.0), 0.6, 1e-12);     /* cos(-π/2) = 0 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 21.0), 0.6, 1e-12);
    /* h = 19: cos(2π·4/24) = cos(π/3) = 0.5 -> 0.6·1.15 = 0.69 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 19.0), 0.69, 1e-12);
    /* peak hour moved to 3: the trough is now at 15 */
    p.peak_hour = 3;
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 15.0), 0.42, 1e-12);
    /* clipping at 1: 0.9·1.3 = 1.17 -> 1 */
    p = pool(WORKLOAD_INFERENCE, 1, 0, 1, 0.9);
    ck_assert_double_eq(it_pool_utilization(&p, 0, 900, 15.0), 1.0);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 3.0), 0.63, 1e-12);   /* 0.9·0.7 */
    /* amplitude 1: trough exactly 0, peak 2·0.5 = 1 */
    p = pool(WORKLOAD_INFERENCE, 1, 0, 1, 0.5);
    p.diurnal_amplitude = 1.0;
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 3.0), 0.0, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 15.0), 1.0, 1e-12);
    ck_assert(it_pool_utilization(&p, 0, 900, 3.0) >= 0.0);
}
END_TEST

START_TEST(test_training_checkpoint)
{
    /* checkpoints every 10 min lasting 1 min at level 0.2, u = 0.8 */
    struct it_pool p = pool(WORKLOAD_TRAINING, 1, 0, 1, 0.8);
    p.checkpoint_every_s = 600;
    p.checkpoint_duration_s = 60;
    p.checkpoint_level = 0.2;
    /* a 10-min step holds one dip: f = 60/600 = 0.1, u = 0.9·0.8 + 0.1·0.2 = 0.74 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 600, 0), 0.74, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 600, 600, 0), 0.74, 1e-12);
    /* an hour holds six: the same share, 0.74 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 3600, 0), 0.74, 1e-12);
    /* 1-min steps: inside the dip 0.2, after it 0.8 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 60, 0), 0.2, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 60, 60, 0), 0.8, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 540, 60, 0), 0.8, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 600, 60, 0), 0.2, 1e-12);
    /* a step straddling half a dip: [30, 90) is half in it: 0.5·0.2 + 0.5·0.8 = 0.5 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 30, 60, 0), 0.5, 1e-12);
    /* a 5-min step [300, 600) holds no dip */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 300, 300, 0), 0.8, 1e-12);
    /* phase from the pool's online time: online at 1000 s, its first dip is [1000, 1060) */
    p.online_s = 1000;
    ck_assert_double_eq_tol(it_pool_utilization(&p, 1000, 60, 0), 0.2, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 1060, 60, 0), 0.8, 1e-12);
}
END_TEST

START_TEST(test_training_swing)
{
    /* synchronous swing, amplitude 0.1, period 600 s, u = 0.8: u(t) = 0.8·(1 + 0.1·sin(2πt/600)) */
    struct it_pool p = pool(WORKLOAD_TRAINING, 1, 0, 1, 0.8);
    p.swing_amplitude = 0.1;
    p.swing_period_s = 600;
    /* a whole period, or several, carries the mean: u */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 600, 0), 0.8, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 3600, 0), 0.8, 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 150, 600, 0), 0.8, 1e-12);
    /* the rising half: mean of sin over [0, π] is 2/π: 0.8·(1 + 0.1·0.63662) = 0.85093 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 300, 0), 0.8 * (1 + 0.1 * 2 / M_PI), 1e-12);
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 300, 0), 0.8509296, 1e-7);
    /* the falling half: 0.8·(1 − 0.063662) = 0.74907 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 300, 300, 0), 0.7490704, 1e-7);
    /* 1.5 periods [0, 900): mean sin = (cos 0 − cos 3π)/(3π) = 2/(3π) = 0.212207 */
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 900, 0), 0.8 * (1 + 0.1 * 2 / (3 * M_PI)),
                            1e-12);
    /* combined with checkpoints: dips then apply to the swing mean (0.8 over 600 s): 0.74 */
    p.checkpoint_every_s = 600;
    p.checkpoint_duration_s = 60;
    p.checkpoint_level = 0.2;
    ck_assert_double_eq_tol(it_pool_utilization(&p, 0, 600, 0), 0.74, 1e-12);
    /* clipped to 1: u = 0.95, amplitude 0.2 over the rising half: 0.95·1.127 = 1.07 -> 1 */
    p = pool(WORKLOAD_TRAINING, 1, 0, 1, 0.95);
    p.swing_amplitude = 0.2;
    p.swing_period_s = 600;
    ck_assert_double_eq(it_pool_utilization(&p, 0, 300, 0), 1.0);
}
END_TEST

/* ---- cooling ---- */

static struct cooling_liquid loop(enum rejection rej, double cap, double supply_c,
                                  double approach_k)
{
    struct cooling_liquid l;
    memset(&l, 0, sizeof l);
    l.present = 1;
    l.rejection = rej;
    l.capacity_mw = cap;
    l.supply_c = supply_c;
    l.approach_k = approach_k;
    l.pump_fraction = 0.015;
    l.fan_fraction = 0.02;
    l.carnot_efficiency = 0.55;
    l.cop_max = 12;
    l.cycles = 4;
    return l;
}

START_TEST(test_chiller_cop)
{
    /* T_evap = 32 °C = 305.15 K, T_cond = 40 °C: 0.55·305.15/8 = 20.98 -> capped at 12 */
    ck_assert_double_eq(cooling_chiller_cop(32, 40, 0.55, 12), 12.0);
    /* T_cond = 55 °C: 0.55·305.15/23 = 167.8325/23 = 7.297065 */
    ck_assert_double_eq_tol(cooling_chiller_cop(32, 55, 0.55, 12), 7.297065217, 1e-8);
    /* T_evap 16 °C (289.15 K), T_cond 40 °C: 0.55·289.15/24 = 6.626354 */
    ck_assert_double_eq_tol(cooling_chiller_cop(16, 40, 0.55, 12), 0.55 * 289.15 / 24, 1e-12);
    /* no lift (condenser at or below the evaporator): COP_max */
    ck_assert_double_eq(cooling_chiller_cop(32, 32, 0.55, 12), 12.0);
    ck_assert_double_eq(cooling_chiller_cop(32, 20, 0.55, 12), 12.0);
    /* the COP falls as the lift grows */
    ck_assert(cooling_chiller_cop(32, 60, 0.55, 12) < cooling_chiller_cop(32, 55, 0.55, 12));
}
END_TEST

START_TEST(test_dry_cooler)
{
    struct cooling_liquid l = loop(REJECT_DRY_COOLER, 100, 35, 10);
    /* Q_max = Q_d·(T_s − T_db)/a = 100·(35 − 15)/10 = 200 MW */
    ck_assert_double_eq_tol(cooling_liquid_capacity_mw(&l, 15, 10), 200, TOL);
    ck_assert_double_eq_tol(cooling_liquid_capacity_mw(&l, 25, 10), 100, TOL);   /* 100·10/10 */
    ck_assert_double_eq(cooling_liquid_capacity_mw(&l, 35, 10), 0);    /* no approach left */
    ck_assert_double_eq(cooling_liquid_capacity_mw(&l, 40, 10), 0);    /* max(0, ·) */
    /* heat 50 at T_db 15: s = 50/200 = 0.25, fan = 0.02·100·0.25³ = 2·0.015625 = 0.03125 MW;
     * pumps 0.015·50 = 0.75 MW; no chiller, no water */
    struct cooling_power cp = {0};
    cooling_liquid_power(&l, 50, 15, 10, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 0.03125, TOL);
    ck_assert_double_eq_tol(cp.pump_mw, 0.75, TOL);
    ck_assert_double_eq(cp.chiller_mw, 0);
    ck_assert_double_eq(cp.water_m3, 0);
    /* at full capacity the fans run at k_fan·Q_d = 2 MW: heat 100 at T_db 25 */
    memset(&cp, 0, sizeof cp);
    cooling_liquid_power(&l, 100, 25, 10, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 2.0, TOL);
    ck_assert_double_eq_tol(cp.pump_mw, 1.5, TOL);
    /* results add into *out, and no heat adds nothing */
    cooling_liquid_power(&l, 0, 25, 10, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 2.0, TOL);
    cooling_liquid_power(&l, 50, 15, 10, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 2.03125, TOL);
    ck_assert_double_eq_tol(cp.pump_mw, 2.25, TOL);
}
END_TEST

START_TEST(test_cooling_tower)
{
    struct cooling_liquid l = loop(REJECT_COOLING_TOWER, 100, 35, 5);
    /* the wet bulb sets the capacity: 100·(35 − 20)/5 = 300 MW, whatever the dry bulb */
    ck_assert_double_eq_tol(cooling_liquid_capacity_mw(&l, 45, 20), 300, TOL);
    ck_assert_double_eq_tol(cooling_liquid_capacity_mw(&l, 20, 20), 300, TOL);
    /* Water from the air-side balance (docs/model.md §3), T_db 45, T_wb 20, standard pressure:
     * W_s(20) = 0.0147458, eq. 33: W_in = (2454.48·0.0147458 − 1.006·25)/(2501 + 83.7 − 83.72)
     * = 0.0043664; h_in = 1.006·45 + 0.0043664·2584.7 = 56.554 kJ/kg. Exit saturated at
     * T_s + R − a = 35 + 10 − 5 = 40 °C: W_out = 0.048883, h_out = 40.24 + 0.048883·2575.4
     * = 166.132 kJ/kg. Evaporation (0.048883 − 0.0043664)/109.578 = 0.406257 kg/MJ (below the
     * all-latent 1/2.43 = 0.41152); 36 000 MJ × 0.406257 × 4/3 (blowdown) = 19.5003 m³. */
    struct cooling_power cp = {0};
    cooling_liquid_power(&l, 10, 45, 20, 3600, &cp);
    ck_assert_double_eq_tol(cp.water_m3, 19.5003, 1e-3);
    ck_assert(cp.water_m3 < 36000.0 / 2.43 * 4.0 / 3.0 / 1000.0);   /* all-latent: 19.753 */
    /* fan: s = 10/300 = 1/30, 0.02·100·(1/30)³ = 2/27000 = 7.407e-5 MW; pumps 0.15 MW */
    ck_assert_double_eq_tol(cp.fan_mw, 2.0 / 27000.0, 1e-12);
    ck_assert_double_eq_tol(cp.pump_mw, 0.15, TOL);
    ck_assert_double_eq(cp.chiller_mw, 0);
    /* a 15-min step uses a quarter of the water; 5 cycles give × 5/4 instead of × 4/3 */
    double per_mj = cooling_tower_evaporation_kg_per_mj(&l, 45, 20);
    ck_assert_double_eq_tol(per_mj, 0.406257, 1e-6);
    l.cycles = 5;
    memset(&cp, 0, sizeof cp);
    cooling_liquid_power(&l, 10, 45, 20, 900, &cp);
    ck_assert_double_eq_tol(cp.water_m3, 9000.0 * per_mj * 5.0 / 4.0 / 1000.0, 1e-9);   /* 4.5704 */
}
END_TEST

START_TEST(test_chiller_rejection)
{
    struct cooling_liquid l = loop(REJECT_CHILLER, 100, 35, 10);
    ck_assert_double_eq(cooling_liquid_capacity_mw(&l, 50, 30), 100);   /* Q_d at any ambient */
    /* T_evap = 35 − 3 = 32 °C, T_cond = 30 + 10 = 40 °C: COP 12 (capped) -> 60/12 = 5 MW;
     * pumps 0.015·60 = 0.9 MW */
    struct cooling_power cp = {0};
    cooling_liquid_power(&l, 60, 30, 20, 3600, &cp);
    ck_assert_double_eq_tol(cp.chiller_mw, 5.0, TOL);
    ck_assert_double_eq_tol(cp.pump_mw, 0.9, TOL);
    ck_assert_double_eq(cp.fan_mw, 0);
    ck_assert_double_eq(cp.water_m3, 0);
    /* T_db 45 -> T_cond 55: COP 7.297065, 60/7.297065 = 8.22248 MW */
    memset(&cp, 0, sizeof cp);
    cooling_liquid_power(&l, 60, 45, 20, 3600, &cp);
    ck_assert_double_eq_tol(cp.chiller_mw, 60 / (0.55 * 305.15 / 23), 1e-9);
    ck_assert_double_eq_tol(cp.chiller_mw, 8.22248, 1e-5);
}
END_TEST

START_TEST(test_hybrid)
{
    struct cooling_liquid l = loop(REJECT_HYBRID, 100, 35, 10);
    /* T_db 30: dry part 100·(35 − 30)/10 = 50 MW, plus the trim chiller's Q_d = 100 */
    ck_assert_double_eq_tol(cooling_liquid_capacity_mw(&l, 30, 20), 150, TOL);
    ck_assert_double_eq_tol(cooling_liquid_capacity_mw(&l, 45, 20), 100, TOL);
    /* heat 80 at T_db 30: Q_max 50, COP 12 (T_cond 40, capped). Least power (docs/model.md §3):
     * x* = min(80, 50, 50·√(50/(3·0.02·100·12))) = 50·√(50/72) = 41.6667 MW on the dry cooler
     * at s = 5/6: fans 2·(5/6)³ = 1.157407 MW; chiller (80 − 41.6667)/12 = 3.194444 MW; pumps
     * 1.2 MW: 5.551852 MW (the old dry-cooler-first split at full speed paid 5.7 MW) */
    struct cooling_power cp = {0};
    cooling_liquid_power(&l, 80, 30, 20, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 2.0 * 125.0 / 216.0, TOL);
    ck_assert_double_eq_tol(cp.chiller_mw, (80 - 125.0 / 3.0) / 12.0, TOL);
    ck_assert_double_eq_tol(cp.pump_mw, 1.2, TOL);
    ck_assert_double_eq_tol(cp.fan_mw + cp.chiller_mw + cp.pump_mw, 5.551852, 1e-6);
    ck_assert_double_eq_tol(cooling_hybrid_dry_mw(&l, 80, 30), 125.0 / 3.0, TOL);
    /* T_db 15: the dry cooler alone (Q_max 200, s = 0.25): fan 0.03125, no chiller */
    memset(&cp, 0, sizeof cp);
    cooling_liquid_power(&l, 50, 15, 10, 3600, &cp);
    ck_assert_double_eq_tol(cp.fan_mw, 0.03125, TOL);
    ck_assert_double_eq(cp.chiller_mw, 0);
    /* T_db 45: no dry capacity; all 80 on the chiller at T_cond 55: 80/7.297065 = 10.96331 */
    memset(&cp, 0, sizeof cp);
    cooling_liquid_power(&l, 80, 45, 20, 3600, &cp);
    ck_assert_double_eq(cp.fan_mw, 0);
    ck_assert_double_eq_tol(cp.chiller_mw, 10.963311635, 1e-8);
    ck_assert_double_eq_tol(cp.pump_mw, 1.2, TOL);
}
END_TEST

START_TEST(test_air_side)
{
    struct cooling_air a;
    memset(&a, 0, sizeof a);
    a.present = 1;
    a.supply_c = 24;
    a.capacity_mw = 50;
    a.economizer = 1;
    a.crah_fraction = 0.02;
    a.carnot_efficiency = 0.55;
    a.cop_max = 12;
    /* T_db = T_a − 4 = 20 exactly: still economizer; CRAH fans 0.02·10 = 0.2 MW only */
    struct cooling_power cp = {0};
    cooling_air_power(&a, 10, 20.0, &cp);
    ck_assert_double_eq_tol(cp.air_fan_mw, 0.2, TOL);
    ck_assert_double_eq(cp.air_chiller_mw, 0);
    /* T_db 20.5: integrated economizer, chiller share φ = (20.5 − 20)/4 = 0.125; chiller with
     * T_evap = 24 − 8 = 16 °C (289.15 K), T_cond = 30.5 °C: COP = 0.55·289.15/14.5 = 10.96776
     * -> 0.125·10/10.96776 = 0.113970 MW */
    memset(&cp, 0, sizeof cp);
    cooling_air_power(&a, 10, 20.5, &cp);
    ck_assert_double_eq_tol(cp.air_fan_mw, 0.2, TOL);
    ck_assert_double_eq_tol(cp.air_chiller_mw, 0.125 * 0.9117633188, 1e-9);
    /* at and above T_a = 24 the chiller carries all: T_cond 34, COP 0.55·289.15/18 = 8.83514 */
    memset(&cp, 0, sizeof cp);
    cooling_air_power(&a, 10, 24.0, &cp);
    ck_assert_double_eq_tol(cp.air_chiller_mw, 10.0 / (0.55 * 289.15 / 18.0), 1e-9);
    ck_assert_double_eq(cooling_air_chiller_share(&a, 22.0), 0.5);
    ck_assert_double_eq(cooling_air_chiller_share(&a, 30.0), 1.0);
    /* without economizer, even at T_db 10: lift 20 − 16 = 4 K, COP 39.8 -> capped 12:
     * 10/12 = 0.83333 MW */
    a.economizer = 0;
    memset(&cp, 0, sizeof cp);
    cooling_air_power(&a, 10, 10.0, &cp);
    ck_assert_double_eq_tol(cp.air_chiller_mw, 10.0 / 12.0, TOL);
    /* nothing to cool: nothing added */
    memset(&cp, 0, sizeof cp);
    cooling_air_power(&a, 0, 40.0, &cp);
    ck_assert_double_eq(cp.air_fan_mw + cp.air_chiller_mw, 0);
    /* liquid power leaves the air fields alone and vice versa */
    ck_assert_double_eq(cp.pump_mw + cp.fan_mw + cp.chiller_mw, 0);
}
END_TEST

/* ---- electrical chain ---- */

START_TEST(test_electrical_chain)
{
    /* defaults: (100/0.96 + 10 + 0.01·100)/(0.985·0.99) = (104.16667 + 11)/0.97515
     * = 115.16667/0.97515 = 118.10149 MW; losses = 118.10149 − 100 − 10 − 1 = 7.10149 */
    struct electrical e = {0.96, 0.985, 0.01, 0.01};
    struct electrical_power ep;
    electrical_facility(&e, 100, 10, &ep);
    ck_assert_double_eq_tol(ep.facility_mw, 118.1014886599, 1e-9);
    ck_assert_double_eq_tol(ep.misc_mw, 1.0, TOL);
    ck_assert_double_eq_tol(ep.losses_mw, 7.1014886599, 1e-9);
    ck_assert_double_eq_tol(ep.facility_mw, 100 + 10 + ep.misc_mw + ep.losses_mw, 1e-12);
    /* round numbers: η_ups 0.8, η_tx 0.8, d 0.2, m 0.05, IT 40, cooling 6:
     * (40/0.8 + 6 + 2)/(0.8·0.8) = 58/0.64 = 90.625; losses 90.625 − 48 = 42.625 */
    struct electrical r = {0.8, 0.8, 0.2, 0.05};
    electrical_facility(&r, 40, 6, &ep);
    ck_assert_double_eq_tol(ep.facility_mw, 90.625, TOL);
    ck_assert_double_eq_tol(ep.misc_mw, 2.0, TOL);
    ck_assert_double_eq_tol(ep.losses_mw, 42.625, TOL);
    /* no IT: only cooling through the transformer, 6/0.64 = 9.375 */
    electrical_facility(&r, 0, 6, &ep);
    ck_assert_double_eq_tol(ep.facility_mw, 9.375, TOL);
    ck_assert_double_eq(ep.misc_mw, 0);
    /* a lossless chain passes IT + cooling + misc through */
    struct electrical ideal = {1, 1, 0, 0};
    electrical_facility(&ideal, 40, 6, &ep);
    ck_assert_double_eq_tol(ep.facility_mw, 46, TOL);
    ck_assert_double_eq_tol(ep.losses_mw, 0, TOL);
}
END_TEST

/* ---- one step's load: throttling, cooling and the chain together ---- */

static struct site site_with(struct cooling_liquid l, int air_present, struct electrical e)
{
    struct site s;
    memset(&s, 0, sizeof s);
    strcpy(s.id, "s");
    s.liquid = l;
    s.electrical = e;
    if (air_present) {
        s.air.present = 1;
        s.air.supply_c = 24;
        s.air.capacity_mw = 1000;
        s.air.economizer = 1;
        s.air.crah_fraction = 0.02;
        s.air.carnot_efficiency = 0.55;
        s.air.cop_max = 12;
    }
    return s;
}

/* Per-pool UPS: IT behind the UPS pays 1/η_ups, IT fed directly (`ups: false`, the mining
 * default) does not. Chiller loop at 30 °C (COP 12), 60 MW of liquid IT of which 20 MW are
 * miners without UPS: cooling 60/12 + 0.015·60 = 5.9 MW; facility
 * (40/0.96 + 20 + 5.9 + 0.6)/0.97515 = (41.66667 + 26.5)/0.97515 = 69.90378 MW, against
 * (62.5 + 6.5)/0.97515 = 70.75834 MW with every pool behind the UPS. */
START_TEST(test_step_ups_per_pool)
{
    struct site s = site_with(loop(REJECT_CHILLER, 80, 35, 10), 0,
                              (struct electrical){0.96, 0.985, 0.01, 0.01});
    struct step_load l = {.site = &s, .cap_liquid_mw = 80, .cap_air_mw = INFINITY,
                          .drybulb_c = 30, .wetbulb_c = 20, .dt_s = 3600};
    l.it_mw[LOAD_FIRM][POOL_LIQUID] = 40;
    l.heat_liquid_mw[LOAD_FIRM][POOL_LIQUID] = 40;
    l.it_mw[LOAD_FLEX][POOL_LIQUID] = 20;
    l.heat_liquid_mw[LOAD_FLEX][POOL_LIQUID] = 20;
    struct load_eval e;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.facility_mw, (60 / 0.96 + 5.9 + 0.6) / (0.985 * 0.99), 1e-9);
    l.direct_mw[LOAD_FLEX][POOL_LIQUID] = 20;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.cooling_mw, 5.9, 1e-9);
    ck_assert_double_eq_tol(e.facility_mw, (40 / 0.96 + 20 + 5.9 + 0.6) / (0.985 * 0.99), 1e-9);
    ck_assert_double_eq_tol(e.facility_mw, 69.90378, 1e-5);
    ck_assert_double_eq_tol(e.losses_mw, e.facility_mw - 60 - 5.9 - 0.6, 1e-9);
    /* half the miners shed: the direct share scales with them */
    step_load_eval(&l, 0.5, 1.0, &e);
    ck_assert_double_eq_tol(e.facility_mw, (40 / 0.96 + 10 + 50.0 / 12 + 0.75 + 0.5) /
                                               (0.985 * 0.99), 1e-9);
}
END_TEST

START_TEST(test_step_liquid_throttle)
{
    /* chiller loop of 80 MW at T_db 30 (COP 12), default electrical chain; firm liquid IT
     * 60 MW and flexible liquid IT 40 MW, all their heat to the liquid loop */
    struct site s = site_with(loop(REJECT_CHILLER, 80, 35, 10), 0,
                              (struct electrical){0.96, 0.985, 0.01, 0.01});
    struct step_load l = {.site = &s, .cap_liquid_mw = 80, .cap_air_mw = INFINITY,
                          .drybulb_c = 30, .wetbulb_c = 20, .dt_s = 3600};
    l.it_mw[LOAD_FIRM][POOL_LIQUID] = 60;
    l.heat_liquid_mw[LOAD_FIRM][POOL_LIQUID] = 60;
    l.it_mw[LOAD_FLEX][POOL_LIQUID] = 40;
    l.heat_liquid_mw[LOAD_FLEX][POOL_LIQUID] = 40;
    struct load_eval e;
    step_load_eval(&l, 1.0, 1.0, &e);
    /* 100 MW of heat, 80 rejectable: the flexible pool throttles first, by 20 MW: 60 + 20 =
     * 80 MW served, so the served liquid heat is the capacity exactly; throttle 20 MW, none
     * of it firm */
    ck_assert_double_eq_tol(e.it_load_mw[LOAD_FIRM], 60, TOL);
    ck_assert_double_eq_tol(e.it_load_mw[LOAD_FLEX], 40, TOL);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FIRM], 60, TOL);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FLEX], 20, TOL);
    ck_assert_double_eq_tol(e.heat_liquid_mw, 80, TOL);
    double load = e.it_load_mw[0] + e.it_load_mw[1];
    double served = e.it_served_mw[0] + e.it_served_mw[1];
    ck_assert_double_eq_tol(load - served, 20, TOL);
    /* cooling: 80/12 + 0.015·80 = 6.66667 + 1.2 = 7.86667 MW; facility
     * (80/0.96 + 7.86667 + 0.8)/0.97515 = (83.33333 + 8.66667)/0.97515 = 94.34446 MW */
    ck_assert_double_eq_tol(e.cooling_mw, 80.0 / 12 + 1.2, TOL);
    ck_assert_double_eq_tol(e.facility_mw, 94.3444598267, 1e-9);
    ck_assert_double_eq_tol(e.misc_mw, 0.8, TOL);
    ck_assert_double_eq_tol(e.losses_mw, e.facility_mw - 80 - e.cooling_mw - 0.8, 1e-12);
    ck_assert_double_eq(e.water_m3, 0);

    /* 50 MW of flexible heat short: all 40 flexible MW go first, then the firm pool loses
     * 10 of its 60 MW (a 50 MW loop) */
    l.cap_liquid_mw = 50;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FIRM], 50, TOL);
    ck_assert_double_eq(e.it_served_mw[LOAD_FLEX], 0);
    ck_assert_double_eq_tol(e.heat_liquid_mw, 50, TOL);
    l.cap_liquid_mw = 80;
    /* flexible load half shed: 60 + 20 = 80 MW of heat fits exactly, nothing throttled */
    step_load_eval(&l, 0.5, 1.0, &e);
    ck_assert_double_eq_tol(e.it_load_mw[LOAD_FLEX], 20, TOL);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FIRM], 60, TOL);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FLEX], 20, TOL);
    /* only half the firm load and no flexible: 30 MW, cooling 30/12 + 0.45 = 2.95 */
    step_load_eval(&l, 0.0, 0.5, &e);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FIRM], 30, TOL);
    ck_assert_double_eq(e.it_served_mw[LOAD_FLEX], 0);
    ck_assert_double_eq_tol(e.cooling_mw, 2.95, TOL);
    /* no rejection left at all (a dry cooler above the supply temperature): liquid IT is
     * throttled to nothing, an air pool is untouched */
    l.cap_liquid_mw = 0;
    l.it_mw[LOAD_FIRM][POOL_AIR] = 5;
    struct site s2 = site_with(loop(REJECT_DRY_COOLER, 80, 35, 10), 1,
                               (struct electrical){1, 1, 0, 0});
    l.site = &s2;
    l.drybulb_c = 40;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FIRM], 5, TOL);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FLEX], 0, TOL);
    ck_assert_double_eq_tol(e.heat_liquid_mw, 0, TOL);
    /* air side at 40 °C: CRAH 0.02·5 = 0.1 MW plus a chiller at T_evap 16, T_cond 50:
     * COP 0.55·289.15/34 = 4.67743, 5/4.67743 = 1.06896 MW; lossless chain: 5 + cooling */
    double cop = 0.55 * 289.15 / 34;
    ck_assert_double_eq_tol(e.cooling_mw, 0.1 + 5 / cop, 1e-9);
    ck_assert_double_eq_tol(e.facility_mw, 5 + 0.1 + 5 / cop, 1e-9);
}
END_TEST

START_TEST(test_step_mixed_and_air_throttle)
{
    /* a mixed pool, 100 MW with 80 % of its heat to liquid: liquid heat 80, air heat 20.
     * Capacities 60 liquid and 10 air: the largest share that fits both is
     * min(60/80, 10/20) = 0.5, so 50 MW are served (liquid 40, air 10). */
    struct site s = site_with(loop(REJECT_CHILLER, 60, 35, 10), 1,
                              (struct electrical){1, 1, 0, 0});
    struct step_load l = {.site = &s, .cap_liquid_mw = 60, .cap_air_mw = 10,
                          .drybulb_c = 15, .wetbulb_c = 10, .dt_s = 900};
    l.it_mw[LOAD_FIRM][POOL_MIXED] = 100;
    l.heat_liquid_mw[LOAD_FIRM][POOL_MIXED] = 80;
    struct load_eval e;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.it_load_mw[LOAD_FIRM], 100, TOL);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FIRM], 50, TOL);
    ck_assert_double_eq_tol(e.heat_liquid_mw, 40, TOL);
    /* cooling: chiller 40/12 + pumps 0.015·40 = 3.93333; air: economizer at 15 °C, CRAH
     * 0.02·10 = 0.2; total 4.13333 */
    ck_assert_double_eq_tol(e.cooling_mw, 40.0 / 12 + 0.6 + 0.2, TOL);
    /* an air pool alone: 30 MW, air capacity 24: served 24 (throttled 20 %) */
    memset(l.it_mw, 0, sizeof l.it_mw);
    memset(l.heat_liquid_mw, 0, sizeof l.heat_liquid_mw);
    l.it_mw[LOAD_FLEX][POOL_AIR] = 30;
    l.cap_air_mw = 24;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FLEX], 24, TOL);
    ck_assert_double_eq_tol(e.heat_liquid_mw, 0, TOL);
    /* with room for everything nothing is throttled: served = load */
    l.cap_air_mw = INFINITY;
    step_load_eval(&l, 1.0, 1.0, &e);
    ck_assert_double_eq_tol(e.it_served_mw[LOAD_FLEX], 30, TOL);
    /* facility through a lossless chain = IT + CRAH (0.6) */
    ck_assert_double_eq_tol(e.facility_mw, 30.6, TOL);
}
END_TEST

START_TEST(test_step_facility_monotone)
{
    /* the shedding solver relies on facility power rising with the served fractions */
    struct site s = site_with(loop(REJECT_HYBRID, 50, 35, 10), 1,
                              (struct electrical){0.96, 0.985, 0.01, 0.01});
    struct step_load l = {.site = &s, .cap_liquid_mw = 90, .cap_air_mw = 1000,
                          .drybulb_c = 27, .wetbulb_c = 20, .dt_s = 900};
    l.it_mw[LOAD_FIRM][POOL_LIQUID] = 40;
    l.heat_liquid_mw[LOAD_FIRM][POOL_LIQUID] = 40;
    l.it_mw[LOAD_FLEX][POOL_MIXED] = 60;
    l.heat_liquid_mw[LOAD_FLEX][POOL_MIXED] = 54;
    l.it_mw[LOAD_FLEX][POOL_AIR] = 10;
    double prev = -1;
    for (int i = 0; i <= 100; i++) {
        struct load_eval e;
        step_load_eval(&l, i / 100.0, 1.0, &e);
        ck_assert(e.facility_mw >= prev);
        ck_assert(e.it_served_mw[0] + e.it_served_mw[1] <=
                  e.it_load_mw[0] + e.it_load_mw[1] + 1e-12);
        ck_assert(e.heat_liquid_mw <= l.cap_liquid_mw + 1e-9);
        prev = e.facility_mw;
    }
}
END_TEST

/* The step's root finding (step_load_solve) returns the largest feasible fraction: the
 * facility power there fits the supply, and 1e-12 more does not. Loads that bend facility
 * power (the hybrid's cubic fans, the liquid and air throttles) and supplies across the
 * whole range, for the flexible pools (firm whole) and for the firm ones (flexible shed). */
static void check_largest_fraction(const struct step_load *l, int vary_flex, double supply_mw)
{
    double x = -1;
    struct load_eval e, at, past;
    ck_assert_int_eq(step_load_solve(l, vary_flex, supply_mw, &x, &e), 0);
    ck_assert(x >= 0 && x <= 1);
    step_load_eval(l, vary_flex ? x : 0.0, vary_flex ? 1.0 : x, &at);
    ck_assert(at.facility_mw == e.facility_mw);   /* the load returned is the one at x */
    ck_assert(at.facility_mw <= supply_mw);
    double beyond = fmin(1.0, x + 1e-12);
    step_load_eval(l, vary_flex ? beyond : 0.0, vary_flex ? 1.0 : beyond, &past);
    ck_assert_msg(past.facility_mw > supply_mw, "%.17g fits %.17g MW: %.17g is not the largest",
                  beyond, supply_mw, x);
}

START_TEST(test_step_solve_largest)
{
    struct site s = site_with(loop(REJECT_HYBRID, 50, 35, 10), 1,
                              (struct electrical){0.96, 0.985, 0.01, 0.01});
    s.air.capacity_mw = 12;
    struct step_load l = {.site = &s, .cap_liquid_mw = 90, .cap_air_mw = 12,
                          .drybulb_c = 27, .wetbulb_c = 20, .dt_s = 900};
    l.it_mw[LOAD_FIRM][POOL_LIQUID] = 40;
    l.heat_liquid_mw[LOAD_FIRM][POOL_LIQUID] = 40;
    l.it_mw[LOAD_FIRM][POOL_AIR] = 3;
    l.it_mw[LOAD_FLEX][POOL_MIXED] = 60;
    l.heat_liquid_mw[LOAD_FLEX][POOL_MIXED] = 54;
    l.it_mw[LOAD_FLEX][POOL_AIR] = 10;
    l.direct_mw[LOAD_FLEX][POOL_MIXED] = 60;
    const double caps[] = {90, 60, INFINITY};
    for (int c = 0; c < 3; c++) {
        l.cap_liquid_mw = caps[c];
        for (int vary_flex = 0; vary_flex < 2; vary_flex++) {
            struct load_eval e0, e1;
            step_load_eval(&l, 0.0, vary_flex ? 1.0 : 0.0, &e0);
            step_load_eval(&l, vary_flex ? 1.0 : 0.0, 1.0, &e1);
            ck_assert(e0.facility_mw < e1.facility_mw);
            for (int i = 0; i < 200; i++) {
                double f = i / 200.0;
                check_largest_fraction(&l, vary_flex,
                                       e0.facility_mw + f * (e1.facility_mw - e0.facility_mw));
            }
            /* just below the full load: the fraction is next to 1 */
            check_largest_fraction(&l, vary_flex, e1.facility_mw * (1 - 1e-15));
            /* a supply below the load at 0 has no fraction */
            double x;
            struct load_eval e;
            ck_assert_int_ne(step_load_solve(&l, vary_flex, e0.facility_mw - 1, &x, &e), 0);
        }
    }
}
END_TEST

/* One hour-long step of IT and facility power into a summary. */
static void add_hour(struct summary_acc *a, int64_t hour, double it_mw, double facility_mw)
{
    double v[N_SERIES] = {0};
    v[S_IT_SERVED_MW] = it_mw;
    v[S_IT_DEMAND_MW] = it_mw;
    v[S_FACILITY_MW] = facility_mw;
    v[S_MARGIN_MW] = 1.0;
    summary_add(a, v, hour * 3600, 3600);
}

/* The hourly buckets are zero for every hour a run reaches, the hours it skips included,
 * even in a block that an earlier summary filled (summaries reuse released blocks). */
START_TEST(test_summary_buckets_reused)
{
    const int64_t four_h = 4 * 3600;
    struct summary_acc first, second;
    double out[N_METRICS];
    ck_assert_int_eq(summary_init(&first, four_h), 0);
    for (int64_t h = 0; h < 4; h++)
        add_hour(&first, h, 100.0, 150.0);   /* 100 MWh of IT, 150 of facility, every hour */
    summary_release(&first);   /* unfinished (a run stopped): the block keeps those */
    /* the block just released: hours 0 and 3 only (1 and 2 skipped, so zero: no IT, left out
     * of the hourly PUE). Hourly IT 100, 0, 0, 100: median 50, so hours 0 and 3 count, PUE
     * 1.2 and 1.3; the peak is 1.3 and the p99 1.2 + 0.99 * 0.1 = 1.299 (a stale bucket
     * read would add an hour of PUE 1.5). */
    ck_assert_int_eq(summary_init(&second, four_h), 0);
    add_hour(&second, 0, 100.0, 120.0);
    add_hour(&second, 3, 100.0, 130.0);
    summary_finish(&second, four_h, out);
    ck_assert_double_eq(out[M_PUE_PEAK], 130.0 / 100.0);
    ck_assert_double_eq_tol(out[M_PUE_P99], 1.299, 1e-12);
    summary_release(&second);
}
END_TEST

static Suite *physics_suite(void)
{
    Suite *s = suite_create("physics");
    TCase *it = tcase_create("it_load");
    tcase_add_test(it, test_pool_power);
    tcase_add_test(it, test_mining_constant);
    tcase_add_test(it, test_inference_diurnal);
    tcase_add_test(it, test_training_checkpoint);
    tcase_add_test(it, test_training_swing);
    suite_add_tcase(s, it);
    TCase *c = tcase_create("cooling");
    tcase_add_test(c, test_chiller_cop);
    tcase_add_test(c, test_dry_cooler);
    tcase_add_test(c, test_cooling_tower);
    tcase_add_test(c, test_chiller_rejection);
    tcase_add_test(c, test_hybrid);
    tcase_add_test(c, test_air_side);
    suite_add_tcase(s, c);
    TCase *e = tcase_create("electrical");
    tcase_add_test(e, test_electrical_chain);
    suite_add_tcase(s, e);
    TCase *st = tcase_create("step");
    tcase_add_test(st, test_step_liquid_throttle);
    tcase_add_test(st, test_step_ups_per_pool);
    tcase_add_test(st, test_step_mixed_and_air_throttle);
    tcase_add_test(st, test_step_facility_monotone);
    tcase_add_test(st, test_step_solve_largest);
    suite_add_tcase(s, st);
    TCase *sm = tcase_create("summary");
    tcase_add_test(sm, test_summary_buckets_reused);
    suite_add_tcase(s, sm);
    return s;
}

TESTUTIL_MAIN(physics_suite)
