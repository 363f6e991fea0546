/* loop_thermal.c — liquid loop temperature with thermal mass (see loop_thermal.h). */
#include "loop_thermal.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>

#define LOOP_ODE_ABS_TOL_K 1e-9
#define LOOP_ODE_REL_TOL 1e-9
#define LOOP_ODE_FIRST_STEP_S 1e-3
#define LOOP_ODE_MAX_STEPS 100000
#define LOOP_CROSSING_TOL_S 1e-6     /* the throttle time is found to a microsecond */
#define LOOP_CROSSING_ITER 60

double loop_heat_capacity_mj_per_k(const struct cooling_liquid *l)
{
    return LOOP_WATER_DENSITY_KG_M3 * LOOP_WATER_CP_J_PER_KG_K * l->volume_m3 / 1e6;
}

double loop_rejection_capacity_mw(const struct cooling_liquid *l, double loop_c,
                                  double drybulb_c, double wetbulb_c, double available)
{
    double ambient_c = l->rejection == REJECT_COOLING_TOWER ? wetbulb_c : drybulb_c;
    double exchanger = l->capacity_mw * fmax(0.0, (loop_c - ambient_c) / l->approach_k);
    double q;
    switch (l->rejection) {
    case REJECT_CHILLER: q = l->capacity_mw; break;
    case REJECT_HYBRID: q = exchanger + l->capacity_mw; break;
    default: q = exchanger; break;
    }
    return q * available;
}

struct loop_params {
    const struct cooling_liquid *l;
    double heat_in_mw, drybulb_c, wetbulb_c, available, c_mj_per_k;
};

static double rejected_mw(const struct loop_params *p, double t_c)
{
    double want = p->heat_in_mw + p->c_mj_per_k * (t_c - p->l->supply_c) / LOOP_CONTROL_TAU_S;
    double cap = loop_rejection_capacity_mw(p->l, t_c, p->drybulb_c, p->wetbulb_c, p->available);
    return fmin(fmax(want, 0.0), cap);
}

static int loop_rhs(double t, const double y[], double dydt[], void *params)
{
    (void)t;
    const struct loop_params *p = params;
    dydt[0] = (p->heat_in_mw - rejected_mw(p, y[0])) / p->c_mj_per_k;   /* MW / (MJ/K) = K/s */
    return GSL_SUCCESS;
}

int loop_integrate(const struct cooling_liquid *l, double start_c, double heat_in_mw,
                   double drybulb_c, double wetbulb_c, double available, double limit_c,
                   double dt_s, struct loop_step *out)
{
    struct loop_params p = {l, heat_in_mw, drybulb_c, wetbulb_c, available,
                            loop_heat_capacity_mj_per_k(l)};
    out->reach_s = -1;
    if (start_c >= limit_c && heat_in_mw >= rejected_mw(&p, limit_c)) {
        /* already at the limit and still short: held there by throttling all step */
        out->end_c = limit_c;
        out->reach_s = 0;
        out->rejected_mw = rejected_mw(&p, limit_c);
        return 0;
    }
    gsl_odeiv2_system sys = {loop_rhs, NULL, 1, &p};
    gsl_odeiv2_step *step = gsl_odeiv2_step_alloc(gsl_odeiv2_step_rkf45, 1);
    gsl_odeiv2_control *ctl = gsl_odeiv2_control_y_new(LOOP_ODE_ABS_TOL_K, LOOP_ODE_REL_TOL);
    gsl_odeiv2_evolve *evo = gsl_odeiv2_evolve_alloc(1);
    if (!step || !ctl || !evo) {
        gsl_odeiv2_evolve_free(evo);
        gsl_odeiv2_control_free(ctl);
        gsl_odeiv2_step_free(step);
        return DCSIM_ENOMEM;
    }
    double t = 0, h = fmin(LOOP_ODE_FIRST_STEP_S, dt_s), y[1] = {start_c};
    int rc = 0;
    for (int i = 0; t < dt_s && i < LOOP_ODE_MAX_STEPS; i++) {
        double t_prev = t, y_prev = y[0];
        if (gsl_odeiv2_evolve_apply(evo, ctl, step, &sys, &t, dt_s, &h, y) != GSL_SUCCESS) {
            rc = DCSIM_ENUMERIC;
            break;
        }
        if (y[0] >= limit_c && y_prev < limit_c) {
            /* crossing inside this internal step: bisect on the time, integrating afresh
             * from the step's start each time */
            double a = t_prev, b = t;
            for (int k = 0; k < LOOP_CROSSING_ITER && b - a > LOOP_CROSSING_TOL_S; k++) {
                double mid = 0.5 * (a + b), tt = t_prev, yy[1] = {y_prev};
                gsl_odeiv2_driver *drv = gsl_odeiv2_driver_alloc_y_new(
                    &sys, gsl_odeiv2_step_rkf45, fmin(LOOP_ODE_FIRST_STEP_S, mid - t_prev),
                    LOOP_ODE_ABS_TOL_K, LOOP_ODE_REL_TOL);
                if (!drv || gsl_odeiv2_driver_apply(drv, &tt, mid, yy) != GSL_SUCCESS) {
                    gsl_odeiv2_driver_free(drv);
                    rc = DCSIM_ENUMERIC;
                    break;
                }
                gsl_odeiv2_driver_free(drv);
                if (yy[0] >= limit_c)
                    b = mid;
                else
                    a = mid;
            }
            out->reach_s = 0.5 * (a + b);
            y[0] = limit_c;
            break;
        }
    }
    if (!rc && out->reach_s < 0 && t < dt_s)
        rc = DCSIM_ENUMERIC;
    gsl_odeiv2_evolve_free(evo);
    gsl_odeiv2_control_free(ctl);
    gsl_odeiv2_step_free(step);
    if (rc)
        return rc;
    out->end_c = y[0];
    /* energy balance over the step: rejected = input − stored; at the limit the rest of the
     * step rejects what the loop can at limit_c while the racks throttle to it */
    double stored_mj = p.c_mj_per_k * (out->end_c - start_c);
    if (out->reach_s >= 0) {
        double q_limit = rejected_mw(&p, limit_c);
        out->rejected_mw = (heat_in_mw * out->reach_s - stored_mj + q_limit * (dt_s - out->reach_s)) / dt_s;
    } else {
        out->rejected_mw = (heat_in_mw * dt_s - stored_mj) / dt_s;
    }
    return 0;
}
