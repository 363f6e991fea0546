/* economics.c — capex, revenue, opex, NPV and payback (see economics.h). */
#include "economics.h"

#include <math.h>

#include "it_load.h"
#include "timefmt.h"

/* Seconds of [online, offline) inside the run [0, duration). */
static double online_s(int64_t on, int64_t off, int64_t duration_s)
{
    double a = on == TIME_ALWAYS || on < 0 ? 0.0 : (double)on;
    double b = off == TIME_NEVER || off > duration_s ? (double)duration_s : (double)off;
    return b > a ? b - a : 0.0;
}

static double supply_mw(const struct supply *sp)
{
    switch (sp->type) {
    case SUPPLY_GRID: return sp->contract_mw;
    case SUPPLY_REACTOR: return sp->units * sp->reactor.net_mw;
    case SUPPLY_BATTERY: return sp->power_mw;
    case SUPPLY_GENERATOR: return sp->capacity_mw;
    case SUPPLY_TURBINE: return sp->units * sp->capacity_mw;
    }
    return 0;
}

void economics_fill(const struct scenario *sc, const struct site *sites, size_t n_sites,
                    double *m)
{
    double years = (double)sc->duration_s / SECONDS_PER_YEAR;
    double capex = 0, hosting = 0, weight[2] = {0, 0}, mwh_rate_weight[2] = {0, 0};
    for (size_t i = 0; i < n_sites; i++) {
        const struct site *s = &sites[i];
        for (size_t j = 0; j < s->n_pools; j++) {
            const struct it_pool *p = &s->pools[j];
            double mw = it_pool_nameplate_mw(p);
            double on = online_s(p->online_s, p->offline_s, sc->duration_s);
            capex += p->capex_usd_per_mw * mw;
            /* hosting: per kW-month of critical IT while online (a month: a 12th of 365 d) */
            hosting += p->revenue_usd_per_kw_month * mw * 1000.0 * on / (SECONDS_PER_YEAR / 12.0);
            int k = p->flexible ? 1 : 0;
            weight[k] += mw * on;
            mwh_rate_weight[k] += p->revenue_usd_per_mwh * mw * on;
        }
        for (size_t j = 0; j < s->n_supplies; j++)
            capex += s->supplies[j].capex_usd_per_mw * supply_mw(&s->supplies[j]);
        if (s->liquid.present)
            capex += s->liquid.capex_usd_per_mw * s->liquid.capacity_mw;
        if (s->air.present)
            capex += s->air.capex_usd_per_mw * s->air.capacity_mw;
    }
    /* per-MWh revenue on each group's served IT energy, shared by nameplate × time online */
    double flex_mwh = m[M_IT_FLEX_ENERGY_MWH], firm_mwh = m[M_IT_ENERGY_MWH] - flex_mwh;
    double energy_rev = 0;
    if (weight[0] > 0)
        energy_rev += firm_mwh * mwh_rate_weight[0] / weight[0];
    if (weight[1] > 0)
        energy_rev += flex_mwh * mwh_rate_weight[1] / weight[1];
    double revenue = (hosting + energy_rev) / years;
    double opex = m[M_TOTAL_COST_USD] / years;
    m[M_CAPEX_USD] = capex;
    m[M_REVENUE_USD_PER_YEAR] = revenue;
    m[M_OPEX_USD_PER_YEAR] = opex;
    double net = revenue - opex;
    m[M_PAYBACK_YEARS] = capex == 0 ? 0.0 : net > 0 ? capex / net : NAN;
    if (!sc->has_economics) {
        m[M_NPV_USD] = NAN;
        return;
    }
    double npv = -capex;
    for (int y = 1; y <= (int)sc->econ_years; y++)
        npv += net / pow(1.0 + sc->discount_rate, y);
    m[M_NPV_USD] = npv;
}
