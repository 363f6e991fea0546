/* it_load.c — pool utilization and power (see it_load.h). */
#include "it_load.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

int it_pool_online(const struct it_pool *p, int64_t t_s)
{
    return t_s >= p->online_s && t_s < p->offline_s;
}

/* Time spent in checkpoint dips during [0, x): dips of length dur every `every` seconds,
 * starting at 0. */
static double dip_time_before(double x, double every, double dur)
{
    double k = floor(x / every);
    return k * dur + fmin(x - k * every, dur);
}

double it_pool_utilization(const struct it_pool *p, int64_t t_s, int64_t dt_s, double local_hour)
{
    double u = p->utilization;
    switch (p->workload) {
    case WORKLOAD_MINING:
        return 1.0;
    case WORKLOAD_CONSTANT:
        return u;
    case WORKLOAD_TRACE:   /* the measured trace's time-weighted mean over the step */
        return p->util_series ? tseries_mean(p->util_series, t_s, t_s + dt_s) : u;
    case WORKLOAD_INFERENCE: {
        double x = u * (1.0 + p->diurnal_amplitude *
                                  cos(2.0 * M_PI * (local_hour - p->peak_hour) / 24.0));
        return fmin(1.0, fmax(0.0, x));
    }
    case WORKLOAD_TRAINING:
        break;
    }
    /* Training: phase measured from the pool's online time (or the run start). */
    double t0 = p->online_s == TIME_ALWAYS ? 0.0 : (double)p->online_s;
    double a = (double)t_s - t0, b = a + (double)dt_s;
    if (p->swing_period_s > 0 && p->swing_amplitude > 0) {
        /* mean of sin(2πt/T) over [a, b) = T/(2π(b−a))·(cos(2πa/T) − cos(2πb/T)) */
        double w = 2.0 * M_PI / (double)p->swing_period_s;
        double mean_sin = (cos(w * a) - cos(w * b)) / (w * (b - a));
        u = u * (1.0 + p->swing_amplitude * mean_sin);
    }
    if (p->checkpoint_every_s > 0) {
        double every = (double)p->checkpoint_every_s, dur = (double)p->checkpoint_duration_s;
        double f = (dip_time_before(b, every, dur) - dip_time_before(a, every, dur)) / (b - a);
        u = (1.0 - f) * u + f * p->checkpoint_level;
    }
    return fmin(1.0, fmax(0.0, u));
}

double it_pool_power_mw(const struct it_pool *p, double u)
{
    return p->count * (p->rack.power_idle_kw + (p->rack.power_max_kw - p->rack.power_idle_kw) * u) /
           1000.0;
}

double it_pool_nameplate_mw(const struct it_pool *p)
{
    return p->count * p->rack.power_max_kw / 1000.0;
}
