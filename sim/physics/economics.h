/* economics.h — capex, revenue, opex, NPV and payback of a plan (docs/model.md
 * "Economics"), from the scenario's rates and a run's summary metrics. */
#ifndef DCSIM_ECONOMICS_H
#define DCSIM_ECONOMICS_H

#include <stddef.h>

#include "results.h"
#include "scenario.h"

/** Fills M_CAPEX_USD, M_REVENUE_USD_PER_YEAR, M_OPEX_USD_PER_YEAR, M_NPV_USD and
 *  M_PAYBACK_YEARS of m (a finished metric set of the sites[0..n_sites) of sc):
 *  - capex: pools' capex_usd_per_mw × critical IT MW (count × power_max_kw), supplies' ×
 *    their MW (contract, units × net or unit capacity, battery power, generator capacity),
 *    loops' × design capacity;
 *  - revenue per year: revenue_usd_per_kw_month × critical IT kW × months online within the
 *    run, and revenue_usd_per_mwh × the pool's share of its group's (firm or flexible) IT
 *    energy served (shares by nameplate × time online), both over the simulated years;
 *  - opex per year: total_cost_usd over the simulated years;
 *  - NPV with an `economics` block: −capex + Σ_{y=1..years} (revenue − opex)/(1 + r)^y
 *    (the simulated period's yearly figures repeated); NaN without one;
 *  - payback: capex / (revenue − opex), undiscounted years; NaN when that is not positive. */
void economics_fill(const struct scenario *sc, const struct site *sites, size_t n_sites,
                    double *m);

#endif
