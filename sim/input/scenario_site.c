/* scenario_site.c — a site's supplies, IT pools and cooling from YAML (see scenario.h).
 * Defaults are the parameter table of ../shared/model.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parts.h"
#include "timefmt.h"

static int parse_online(const struct yctx *c, const struct ynode *map, const char *path,
                        const struct scenario *s, int64_t *online_s, int64_t *offline_s)
{
    int bad = get_run_time(c, map, path, "online", s, TIME_ALWAYS, online_s) != 0;
    bad |= get_run_time(c, map, path, "offline", s, TIME_NEVER, offline_s) != 0;
    if (!bad && *offline_s <= *online_s) {
        yget_error(c, ynode_get(map, "offline"), "'offline' in %s must be after 'online'", path);
        bad = 1;
    }
    return bad ? DCSIM_EINPUT : 0;
}

int get_number_or_series(const struct yctx *c, const struct ynode *m, const char *path,
                         const char *key, unsigned flags, double dflt, double lo, double hi,
                         const struct scenario *s, double *value, const struct tseries **series)
{
    *series = NULL;
    const struct ynode *v = ynode_get(m, key);
    if (!v || v->kind != YNODE_MAP)
        return yget_number(c, m, path, key, flags, dflt, value) != 0;
    static const char *const keys[] = {"csv", "column", NULL};
    char p[220];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const char *file, *column;
    if (yget_check_keys(c, v, p, keys) || yget_string(c, v, p, "csv", 1, NULL, &file) ||
        yget_string(c, v, p, "column", 1, NULL, &column))
        return 1;
    char *full = scenario_resolve_path(s->path ? s->path : c->file, file);
    if (!full) {
        yget_error(c, v, "%s: out of memory", p);
        return 1;
    }
    const struct tseries *ts = NULL;
    int rc = tseries_get(full, column, s->start_unix_s, s->duration_s, lo, hi, &ts, c->d);
    free(full);
    if (rc) {
        yget_error(c, v, "%s: the series in '%.80s' cannot be used (above)", p, file);
        return 1;
    }
    *series = ts;
    *value = tseries_mean(ts, 0, 1);
    return 0;
}

static int parse_grid(const struct yctx *c, const struct ynode *m, const char *path,
                      const struct scenario *s, struct supply *sp)
{
    int bad = yget_number(c, m, path, "contract_mw", YGET_REQUIRED | YGET_POSITIVE, 0,
                          &sp->contract_mw) != 0;
    bad |= get_number_or_series(c, m, path, "price_usd_per_mwh", 0, 0, -1e5, 1e6, s,
                                &sp->price_usd_per_mwh, &sp->price_series);
    /* 0: dcsim does not guess a grid's emissions (eGRID subregion factors, e.g. ERCOT ~370
     * kg/MWh, are the user's to give) */
    bad |= get_number_or_series(c, m, path, "co2_kg_per_mwh", YGET_NONNEG, 0, 0, 5000, s,
                                &sp->co2_kg_per_mwh, &sp->co2_series);
    bad |= get_number_or_series(c, m, path, "cfe_fraction", YGET_FRACTION, 0, 0, 1, s,
                                &sp->cfe_fraction, &sp->cfe_series);
    bad |= yget_number(c, m, path, "demand_charge_usd_per_kw_month", YGET_NONNEG, 0,
                       &sp->demand_charge_usd_per_kw_month) != 0;
    const struct ynode *cur = ynode_get(m, "curtailment");
    if (cur) {
        static const char *const keys[] = {"hours_per_year", "rule", "level_mw", NULL};
        static const char *const rules[] = {"hottest", NULL};
        char p[200];
        snprintf(p, sizeof p, "%s.curtailment", path);
        int rule;
        bad |= yget_check_keys(c, cur, p, keys) ? 1 : 0;
        bad |= yget_number(c, cur, p, "hours_per_year", YGET_REQUIRED | YGET_NONNEG, 0,
                           &sp->curtail_hours_per_year) != 0;
        bad |= yget_choice(c, cur, p, "rule", rules, 0, &rule) != 0;
        bad |= yget_number(c, cur, p, "level_mw", YGET_NONNEG, 0, &sp->curtail_level_mw) != 0;
        if (!bad && sp->curtail_hours_per_year > 8760) {
            yget_error(c, ynode_get(cur, "hours_per_year"), "'hours_per_year' in %s must be at "
                       "most 8760", p);
            bad = 1;
        }
        if (!bad && sp->curtail_level_mw > sp->contract_mw) {
            yget_error(c, ynode_get(cur, "level_mw"), "'level_mw' in %s exceeds the contract (%g MW)",
                       p, sp->contract_mw);
            bad = 1;
        }
    }
    const struct ynode *out = ynode_get(m, "outages");
    if (out) {
        static const char *const keys[] = {"per_year", "mean_h", NULL};
        char p[200];
        snprintf(p, sizeof p, "%s.outages", path);
        bad |= yget_check_keys(c, out, p, keys) ? 1 : 0;
        bad |= yget_number(c, out, p, "per_year", YGET_REQUIRED | YGET_NONNEG, 0,
                           &sp->outages_per_year) != 0;
        bad |= yget_number(c, out, p, "mean_h", YGET_REQUIRED | YGET_POSITIVE, 1,
                           &sp->outage_mean_h) != 0;
        /* caps that keep the event draw bounded (catalog.h, README "Limits") */
        if (!bad && sp->outages_per_year > GRID_MAX_OUTAGES_PER_YEAR) {
            yget_error(c, ynode_get(out, "per_year"), "'per_year' in %s must be at most %g "
                       "outages a year", p, GRID_MAX_OUTAGES_PER_YEAR);
            bad = 1;
        }
        if (!bad && sp->outage_mean_h < GRID_MIN_OUTAGE_H) {
            yget_error(c, ynode_get(out, "mean_h"), "'mean_h' in %s must be at least 1 s "
                       "(%.6g h)", p, GRID_MIN_OUTAGE_H);
            bad = 1;
        }
    }
    return bad;
}

static int parse_reactor(const struct yctx *c, const struct ynode *m, const char *path,
                         const struct lookup *lk, const struct scenario *s, struct supply *sp)
{
    const char *model;
    if (yget_string(c, m, path, "model", 1, NULL, &model))
        return 1;
    const struct reactor *base = lookup_reactor(lk, model);
    if (!base) {
        unknown_entry(c, lk, ynode_get(m, "model"), 'n', model, path);
        return 1;
    }
    /* The catalog fields may be overridden on the supply itself: parse them over the base
     * with the reactor parser, on a view of the map without the supply's own keys. */
    static const char *const rkeys[] = {"net_mw", "forced_outage_rate", "mean_repair_h",
                                        "refuel_interval_d", "refuel_outage_d"};
    struct reactor r = *base;
    int bad = 0;
    double *fields[] = {&r.net_mw, &r.forced_outage_rate, &r.mean_repair_h,
                        &r.refuel_interval_d, &r.refuel_outage_d};
    unsigned flags[] = {YGET_POSITIVE, YGET_FRACTION, YGET_NONNEG, YGET_NONNEG, YGET_NONNEG};
    for (int i = 0; i < 5; i++)
        bad |= yget_number(c, m, path, rkeys[i], flags[i], *fields[i], fields[i]) != 0;
    if (!bad && r.forced_outage_rate >= 1) {
        yget_error(c, ynode_get(m, "forced_outage_rate"), "'forced_outage_rate' in %s must be "
                   "below 1", path);
        bad = 1;
    }
    if (!bad && r.refuel_interval_d > 0 && r.refuel_outage_d >= r.refuel_interval_d) {
        yget_error(c, m, "'refuel_outage_d' in %s must be shorter than 'refuel_interval_d'", path);
        bad = 1;
    }
    /* the catalog's values as overridden here: positioned at the override when there is one */
    if (!bad && catalog_check_reactor_cycles(c, m, path, &r))
        bad = 1;
    sp->reactor = r;
    double units;
    bad |= yget_number(c, m, path, "units", YGET_POSITIVE | YGET_INTEGER, 1, &units) != 0;
    if (!bad && units > 1000) {
        yget_error(c, ynode_get(m, "units"), "'units' in %s must be at most 1000", path);
        bad = 1;
    }
    sp->units = units >= 1 && units <= 1000 ? (int)units : 1;
    int64_t online_base = sp->online_s == TIME_ALWAYS ? 0 : sp->online_s;
    int64_t interval_s = (int64_t)llround(r.refuel_interval_d * SECONDS_PER_DAY);
    bad |= get_run_time(c, m, path, "first_refuel", s, online_base + interval_s,
                        &sp->first_refuel_s) != 0;
    return bad;
}

static int parse_battery(const struct yctx *c, const struct ynode *m, const char *path,
                         struct supply *sp)
{
    int bad = yget_number(c, m, path, "power_mw", YGET_REQUIRED | YGET_POSITIVE, 0,
                          &sp->power_mw) != 0;
    bad |= yget_number(c, m, path, "energy_mwh", YGET_REQUIRED | YGET_POSITIVE, 0,
                       &sp->energy_mwh) != 0;
    /* 0.82: EIA utility-scale batteries, 2019 (../shared/figures.md). */
    bad |= yget_number(c, m, path, "round_trip_efficiency", YGET_EFFICIENCY, 0.82,
                       &sp->round_trip_efficiency) != 0;
    bad |= yget_number(c, m, path, "initial_soc", YGET_FRACTION, 1.0, &sp->initial_soc) != 0;
    return bad;
}

/* Diesel gensets: EPA's 73.96 kg CO2/MMBtu for distillate fuel oil No. 2 (Emission Factors
 * for Greenhouse Gas Inventories, 2024) at 10 MMBtu/MWh (34 % efficient, a standby genset at
 * load; dcsim's assumption): 739.6 kg/MWh. */
#define DIESEL_CO2_KG_PER_MWH 739.6

static int parse_generator(const struct yctx *c, const struct ynode *m, const char *path,
                           struct supply *sp)
{
    int bad = yget_number(c, m, path, "capacity_mw", YGET_REQUIRED | YGET_POSITIVE, 0,
                          &sp->capacity_mw) != 0;
    bad |= yget_number(c, m, path, "co2_kg_per_mwh", YGET_NONNEG, DIESEL_CO2_KG_PER_MWH,
                       &sp->co2_kg_per_mwh) != 0;
    /* 10 s: NFPA 110 level 1 start time (../shared/figures.md). */
    bad |= yget_number(c, m, path, "start_s", YGET_NONNEG, 10, &sp->start_s) != 0;
    if (!bad && sp->start_s > 86400) {
        yget_error(c, ynode_get(m, "start_s"), "'start_s' in %s must be at most 86400", path);
        bad = 1;
    }
    return bad;
}

/* Gas turbines (docs/model.md "Turbines"): per-unit capacity, heat rate and fuel; prime
 * (carries load after reactors, before the grid) or backup (called like generators).
 * Natural gas 53.06 kg CO2/MMBtu: EPA, Emission Factors for Greenhouse Gas Inventories. */
static int parse_turbine(const struct yctx *c, const struct ynode *m, const char *path,
                         const struct lookup *lk, struct supply *sp)
{
    /* a catalog model (models/turbines) gives the defaults; the supply's keys override */
    struct turbine base = {.start_s = -1};
    const char *model = NULL;
    int bad = yget_string(c, m, path, "model", 0, NULL, &model) != 0;
    if (model) {
        const struct turbine *t = lookup_turbine(lk, model);
        if (!t) {
            unknown_entry(c, lk, ynode_get(m, "model"), 't', model, path);
            return 1;
        }
        base = *t;
    }
    unsigned need = model ? 0 : YGET_REQUIRED;
    static const char *const roles[] = {"prime", "backup", NULL};
    int role = TURBINE_PRIME;
    bad |= yget_choice(c, m, path, "role", roles, TURBINE_PRIME, &role) != 0;
    sp->role = (enum turbine_role)role;
    bad |= yget_number(c, m, path, "capacity_mw", need | YGET_POSITIVE, base.capacity_mw,
                       &sp->capacity_mw) != 0;
    double units = 1;
    bad |= yget_number(c, m, path, "units", YGET_POSITIVE | YGET_INTEGER, 1, &units) != 0;
    if (!bad && units > 1000) {
        yget_error(c, ynode_get(m, "units"), "'units' in %s must be at most 1000", path);
        bad = 1;
    }
    sp->units = units >= 1 && units <= 1000 ? (int)units : 1;
    bad |= yget_number(c, m, path, "heat_rate_mmbtu_per_mwh", need | YGET_POSITIVE,
                       base.heat_rate_mmbtu_per_mwh, &sp->heat_rate_mmbtu_per_mwh) != 0;
    bad |= yget_number(c, m, path, "fuel_usd_per_mmbtu", YGET_NONNEG, 0,
                       &sp->fuel_usd_per_mmbtu) != 0;
    bad |= yget_number(c, m, path, "co2_kg_per_mmbtu", YGET_NONNEG, 53.06,
                       &sp->co2_kg_per_mmbtu) != 0;
    bad |= yget_number(c, m, path, "min_load_fraction", YGET_FRACTION, base.min_load_fraction,
                       &sp->min_load_fraction) != 0;
    double start_default = base.start_s >= 0 ? base.start_s
                           : sp->role == TURBINE_BACKUP ? 600 : 0;
    bad |= yget_number(c, m, path, "start_s", YGET_NONNEG, start_default, &sp->start_s) != 0;
    if (!bad && sp->start_s > 86400) {
        yget_error(c, ynode_get(m, "start_s"), "'start_s' in %s must be at most 86400", path);
        bad = 1;
    }
    /* forced outages of each unit, drawn like a reactor unit's (no refuelling) */
    memset(&sp->reactor, 0, sizeof sp->reactor);
    snprintf(sp->reactor.id, sizeof sp->reactor.id, "%s", sp->id);
    sp->reactor.net_mw = sp->capacity_mw;
    bad |= yget_number(c, m, path, "forced_outage_rate", YGET_FRACTION, base.forced_outage_rate,
                       &sp->reactor.forced_outage_rate) != 0;
    bad |= yget_number(c, m, path, "mean_repair_h", YGET_NONNEG, base.mean_repair_h,
                       &sp->reactor.mean_repair_h) != 0;
    if (!bad && sp->reactor.forced_outage_rate >= 1) {
        yget_error(c, ynode_get(m, "forced_outage_rate"), "'forced_outage_rate' in %s must be "
                   "below 1", path);
        bad = 1;
    }
    if (!bad && catalog_check_reactor_cycles(c, m, path, &sp->reactor))
        bad = 1;
    return bad;
}

int parse_supplies(const struct yctx *c, const struct ynode *site_map, const char *path,
                   const struct lookup *lk, const struct scenario *s, struct site *site)
{
    static const char *const common[] = {"id", "type", "online", "offline", "price_usd_per_mwh",
                                         "capex_usd_per_mw"};
    static const char *const per_type[5][12] = {
        {"contract_mw", "curtailment", "outages", "co2_kg_per_mwh", "cfe_fraction",
         "demand_charge_usd_per_kw_month"},
        {"model", "units", "first_refuel", "net_mw", "forced_outage_rate", "mean_repair_h",
         "refuel_interval_d", "refuel_outage_d"},
        {"power_mw", "energy_mwh", "round_trip_efficiency", "initial_soc"},
        {"capacity_mw", "start_s", "co2_kg_per_mwh"},
        {"model", "role", "units", "capacity_mw", "heat_rate_mmbtu_per_mwh", "fuel_usd_per_mmbtu",
         "co2_kg_per_mmbtu", "min_load_fraction", "start_s", "forced_outage_rate",
         "mean_repair_h"},
    };
    int bad = 0;
    char lpath[128];
    snprintf(lpath, sizeof lpath, "%s.supply", path);
    const struct ynode *list = get_list(c, site_map, path, "supply", 1, &bad);
    if (!list)
        return DCSIM_EINPUT;
    if (list->n && !(site->supplies = calloc(list->n, sizeof *site->supplies)))
        return DCSIM_ENOMEM;
    site->n_supplies = list->n;
    for (size_t i = 0; i < list->n; i++) {
        const struct ynode *m = list->items[i];
        struct supply *sp = &site->supplies[i];
        if (get_id(c, m, lpath, i, sp->id) || check_duplicate(c, list, i, sp->id, lpath)) {
            bad = 1;
            continue;
        }
        char p[200];
        snprintf(p, sizeof p, "%s[%s]", lpath, sp->id);
        int type;
        if (yget_choice(c, m, p, "type", supply_type_names, -1, &type)) {
            bad = 1;
            continue;
        }
        sp->type = (enum supply_type)type;
        const char *allowed[24];
        size_t n = 0;
        for (size_t k = 0; k < 6; k++)
            allowed[n++] = common[k];
        for (size_t k = 0; k < 12 && per_type[type][k]; k++)
            allowed[n++] = per_type[type][k];
        allowed[n] = NULL;
        bad |= yget_check_keys(c, m, p, allowed) ? 1 : 0;
        bad |= parse_online(c, m, p, s, &sp->online_s, &sp->offline_s) != 0;
        if (sp->type != SUPPLY_GRID)   /* a grid's may be a series: parse_grid */
            bad |= yget_number(c, m, p, "price_usd_per_mwh", 0, 0, &sp->price_usd_per_mwh) != 0;
        bad |= yget_number(c, m, p, "capex_usd_per_mw", YGET_NONNEG, 0, &sp->capex_usd_per_mw) != 0;
        switch (sp->type) {
        case SUPPLY_GRID: bad |= parse_grid(c, m, p, s, sp); break;
        case SUPPLY_TURBINE: bad |= parse_turbine(c, m, p, lk, sp); break;
        case SUPPLY_REACTOR: bad |= parse_reactor(c, m, p, lk, s, sp); break;
        case SUPPLY_BATTERY: bad |= parse_battery(c, m, p, sp); break;
        case SUPPLY_GENERATOR: bad |= parse_generator(c, m, p, sp); break;
        }
    }
    return bad ? DCSIM_EINPUT : 0;
}

static int parse_training_shape(const struct yctx *c, const struct ynode *m, const char *path,
                                struct it_pool *p)
{
    int bad = 0;
    const struct ynode *ck = ynode_get(m, "checkpoint");
    if (ck) {
        static const char *const keys[] = {"every", "duration", "level", NULL};
        char cp[200];
        snprintf(cp, sizeof cp, "%s.checkpoint", path);
        bad |= yget_check_keys(c, ck, cp, keys) ? 1 : 0;
        bad |= yget_span(c, ck, cp, "every", 1, 0, &p->checkpoint_every_s) != 0;
        bad |= yget_span(c, ck, cp, "duration", 1, 0, &p->checkpoint_duration_s) != 0;
        bad |= yget_number(c, ck, cp, "level", YGET_FRACTION, 0.3, &p->checkpoint_level) != 0;
        if (!bad && p->checkpoint_duration_s >= p->checkpoint_every_s) {
            yget_error(c, ck, "'duration' in %s must be shorter than 'every'", cp);
            bad = 1;
        }
    }
    const struct ynode *sw = ynode_get(m, "swing");
    if (sw) {
        static const char *const keys[] = {"amplitude", "period", NULL};
        char sp[200];
        snprintf(sp, sizeof sp, "%s.swing", path);
        bad |= yget_check_keys(c, sw, sp, keys) ? 1 : 0;
        bad |= yget_number(c, sw, sp, "amplitude", YGET_REQUIRED | YGET_FRACTION, 0,
                           &p->swing_amplitude) != 0;
        bad |= yget_span(c, sw, sp, "period", 1, 0, &p->swing_period_s) != 0;
    }
    return bad;
}

int parse_pools(const struct yctx *c, const struct ynode *site_map, const char *path,
                const struct lookup *lk, const struct scenario *s, struct site *site)
{
    static const char *const keys[] = {"id", "rack", "count", "workload", "utilization",
                                       "flexible", "ups", "capex_usd_per_mw",
                                       "revenue_usd_per_kw_month", "revenue_usd_per_mwh",
                                       "diurnal_amplitude", "peak_hour", "online",
                                       "offline", "checkpoint", "swing", NULL};
    int bad = 0;
    char lpath[128];
    snprintf(lpath, sizeof lpath, "%s.it", path);
    const struct ynode *list = get_list(c, site_map, path, "it", 1, &bad);
    if (!list)
        return DCSIM_EINPUT;
    if (list->n && !(site->pools = calloc(list->n, sizeof *site->pools)))
        return DCSIM_ENOMEM;
    site->n_pools = list->n;
    for (size_t i = 0; i < list->n; i++) {
        const struct ynode *m = list->items[i];
        struct it_pool *p = &site->pools[i];
        if (get_id(c, m, lpath, i, p->id) || check_duplicate(c, list, i, p->id, lpath)) {
            bad = 1;
            continue;
        }
        char pp[200];
        snprintf(pp, sizeof pp, "%s[%s]", lpath, p->id);
        bad |= yget_check_keys(c, m, pp, keys) ? 1 : 0;
        const char *rack_id;
        if (!yget_string(c, m, pp, "rack", 1, NULL, &rack_id)) {
            const struct rack *r = lookup_rack(lk, rack_id);
            if (r) {
                p->rack = *r;
            } else {
                unknown_entry(c, lk, ynode_get(m, "rack"), 'r', rack_id, pp);
                bad = 1;
            }
        } else {
            bad = 1;
        }
        bad |= yget_number(c, m, pp, "count", YGET_REQUIRED | YGET_POSITIVE | YGET_INTEGER, 0,
                           &p->count) != 0;
        if (!bad && p->count > 1e7) {
            yget_error(c, ynode_get(m, "count"), "'count' in %s must be at most 10000000", pp);
            bad = 1;
        }
        int wl;
        if (yget_choice(c, m, pp, "workload", workload_names, -1, &wl)) {
            bad = 1;
            continue;
        }
        p->workload = (enum workload)wl;
        double util_default = wl == WORKLOAD_INFERENCE ? 0.6 : 0.8;
        if (wl == WORKLOAD_TRACE) {
            const struct ynode *u = ynode_get(m, "utilization");
            if (!u || u->kind != YNODE_MAP) {
                yget_error(c, u ? u : m, "%s: 'workload: trace' needs 'utilization: {csv: FILE, "
                           "column: NAME}' (a measured utilization, 0..1)", pp);
                bad = 1;
            } else {
                bad |= get_number_or_series(c, m, pp, "utilization", YGET_FRACTION, 0, 0, 1, s,
                                            &p->utilization, &p->util_series);
            }
        } else if (ynode_get(m, "utilization") &&
                   ynode_get(m, "utilization")->kind == YNODE_MAP) {
            yget_error(c, ynode_get(m, "utilization"), "%s: a utilization series needs "
                       "'workload: trace'", pp);
            bad = 1;
        } else {
            bad |= yget_number(c, m, pp, "utilization", YGET_FRACTION, util_default,
                               &p->utilization) != 0;
        }
        bad |= yget_number(c, m, pp, "capex_usd_per_mw", YGET_NONNEG, 0,
                           &p->capex_usd_per_mw) != 0;
        bad |= yget_number(c, m, pp, "revenue_usd_per_kw_month", YGET_NONNEG, 0,
                           &p->revenue_usd_per_kw_month) != 0;
        bad |= yget_number(c, m, pp, "revenue_usd_per_mwh", YGET_NONNEG, 0,
                           &p->revenue_usd_per_mwh) != 0;
        if (wl == WORKLOAD_MINING)
            p->utilization = 1.0;   /* model.md: mining runs flat out */
        bad |= yget_bool(c, m, pp, "flexible", wl == WORKLOAD_MINING, &p->flexible) != 0;
        /* miners ride on the utility feed: no double-conversion UPS unless asked */
        bad |= yget_bool(c, m, pp, "ups", wl != WORKLOAD_MINING, &p->ups) != 0;
        bad |= yget_number(c, m, pp, "diurnal_amplitude", YGET_FRACTION, 0.3,
                           &p->diurnal_amplitude) != 0;
        bad |= yget_number(c, m, pp, "peak_hour", YGET_NONNEG, 15, &p->peak_hour) != 0;
        if (p->peak_hour >= 24) {
            yget_error(c, ynode_get(m, "peak_hour"), "'peak_hour' in %s must be below 24", pp);
            bad = 1;
        }
        bad |= parse_online(c, m, pp, s, &p->online_s, &p->offline_s) != 0;
        if ((ynode_get(m, "checkpoint") || ynode_get(m, "swing")) && wl != WORKLOAD_TRAINING) {
            yget_error(c, m, "%s: 'checkpoint' and 'swing' apply to training pools only", pp);
            bad = 1;
        }
        bad |= parse_training_shape(c, m, pp, p);
    }
    return bad ? DCSIM_EINPUT : 0;
}

static int parse_liquid(const struct yctx *c, const struct ynode *m, const char *path,
                        struct cooling_liquid *l)
{
    static const char *const keys[] = {"supply_c", "rejection", "capacity_mw", "approach_k",
                                       "pump_fraction", "fan_fraction", "carnot_efficiency",
                                       "cop_max", "cycles", "volume_m3", "capex_usd_per_mw",
                                       NULL};
    int bad = yget_check_keys(c, m, path, keys) ? 1 : 0;
    if (m->kind != YNODE_MAP)
        return 1;
    int rej = REJECT_HYBRID;
    l->present = 1;
    bad |= yget_number(c, m, path, "supply_c", 0, 35, &l->supply_c) != 0;
    bad |= yget_choice(c, m, path, "rejection", rejection_names, REJECT_HYBRID, &rej) != 0;
    l->rejection = (enum rejection)rej;
    bad |= yget_number(c, m, path, "capacity_mw", YGET_REQUIRED | YGET_POSITIVE, 0,
                       &l->capacity_mw) != 0;
    /* Approach: median dry cooler 10 K above dry bulb, open tower 5 K above wet bulb
     * (Energies 2023, 16(9):3661, via ../shared/figures.md). */
    bad |= yget_number(c, m, path, "approach_k", YGET_POSITIVE,
                       rej == REJECT_COOLING_TOWER ? 5 : 10, &l->approach_k) != 0;
    bad |= yget_number(c, m, path, "pump_fraction", YGET_FRACTION, 0.015, &l->pump_fraction) != 0;
    bad |= yget_number(c, m, path, "fan_fraction", YGET_FRACTION, 0.02, &l->fan_fraction) != 0;
    bad |= yget_number(c, m, path, "carnot_efficiency", YGET_EFFICIENCY, 0.55,
                       &l->carnot_efficiency) != 0;
    bad |= yget_number(c, m, path, "cop_max", YGET_POSITIVE, 12, &l->cop_max) != 0;
    bad |= yget_number(c, m, path, "cycles", YGET_POSITIVE, 4, &l->cycles) != 0;
    bad |= yget_number(c, m, path, "volume_m3", YGET_NONNEG, 0, &l->volume_m3) != 0;
    bad |= yget_number(c, m, path, "capex_usd_per_mw", YGET_NONNEG, 0, &l->capex_usd_per_mw) != 0;
    if (!bad && l->cycles <= 1) {
        yget_error(c, ynode_get(m, "cycles"), "'cycles' in %s must be above 1 (blowdown "
                   "c/(c-1))", path);
        bad = 1;
    }
    if (!bad && (l->supply_c < 5 || l->supply_c > 70)) {
        yget_error(c, ynode_get(m, "supply_c"), "'supply_c' in %s must be from 5 to 70 °C", path);
        bad = 1;
    }
    return bad;
}

static int parse_air(const struct yctx *c, const struct ynode *m, const char *path,
                     struct cooling_air *a)
{
    static const char *const keys[] = {"supply_c", "economizer", "capacity_mw", "crah_fraction",
                                       "carnot_efficiency", "cop_max", "capex_usd_per_mw", NULL};
    int bad = yget_check_keys(c, m, path, keys) ? 1 : 0;
    if (m->kind != YNODE_MAP)
        return 1;
    a->present = 1;
    bad |= yget_number(c, m, path, "supply_c", 0, 24, &a->supply_c) != 0;
    bad |= yget_bool(c, m, path, "economizer", 1, &a->economizer) != 0;
    bad |= yget_number(c, m, path, "capacity_mw", YGET_REQUIRED | YGET_POSITIVE, 0,
                       &a->capacity_mw) != 0;
    bad |= yget_number(c, m, path, "crah_fraction", YGET_FRACTION, 0.02, &a->crah_fraction) != 0;
    bad |= yget_number(c, m, path, "carnot_efficiency", YGET_EFFICIENCY, 0.55,
                       &a->carnot_efficiency) != 0;
    bad |= yget_number(c, m, path, "cop_max", YGET_POSITIVE, 12, &a->cop_max) != 0;
    bad |= yget_number(c, m, path, "capex_usd_per_mw", YGET_NONNEG, 0, &a->capex_usd_per_mw) != 0;
    if (!bad && (a->supply_c < 10 || a->supply_c > 45)) {
        yget_error(c, ynode_get(m, "supply_c"), "'supply_c' in %s must be from 10 to 45 °C", path);
        bad = 1;
    }
    return bad;
}

int parse_cooling(const struct yctx *c, const struct ynode *site_map, const char *path,
                  struct site *site)
{
    static const char *const keys[] = {"liquid", "air", NULL};
    const struct ynode *m = ynode_get(site_map, "cooling");
    char cpath[160];
    snprintf(cpath, sizeof cpath, "%s.cooling", path);
    int bad = 0;
    if (m) {
        bad |= yget_check_keys(c, m, cpath, keys) ? 1 : 0;
        const struct ynode *l = ynode_get(m, "liquid"), *a = ynode_get(m, "air");
        char p[200];
        if (l) {
            snprintf(p, sizeof p, "%s.liquid", cpath);
            bad |= parse_liquid(c, l, p, &site->liquid);
        }
        if (a) {
            snprintf(p, sizeof p, "%s.air", cpath);
            bad |= parse_air(c, a, p, &site->air);
        }
    }
    if (bad)
        return DCSIM_EINPUT;
    /* Every pool's heat needs somewhere to go, and racks need water cool enough. */
    const struct ynode *list = ynode_get(site_map, "it");
    for (size_t i = 0; i < site->n_pools; i++) {
        const struct it_pool *p = &site->pools[i];
        const struct ynode *at = list && i < list->n ? list->items[i] : site_map;
        if (!p->rack.power_max_kw)
            continue;   /* rack unresolved: already reported */
        if (p->rack.liquid_fraction > 0 && !site->liquid.present) {
            yget_error(c, at, "%s.it[%s] uses liquid-cooled rack '%s' but %s has no "
                       "'cooling.liquid' loop", path, p->id, p->rack.id, path);
            bad = 1;
        } else if (p->rack.liquid_fraction > 0 && p->rack.coolant_max_c < site->liquid.supply_c) {
            const struct ynode *rk = ynode_get(at, "rack");
            yget_error(c, rk ? rk : at, "rack '%s' of %s.it[%s] takes coolant up to %g °C, below "
                       "the loop's supply_c %g °C", p->rack.id, path, p->id, p->rack.coolant_max_c,
                       site->liquid.supply_c);
            bad = 1;
        }
        if (p->rack.liquid_fraction < 1 && !site->air.present) {
            yget_error(c, at, "%s.it[%s] puts heat into air (rack '%s', liquid_fraction %g) but "
                       "%s has no 'cooling.air'", path, p->id, p->rack.id,
                       p->rack.liquid_fraction, path);
            bad = 1;
        }
    }
    return bad ? DCSIM_EINPUT : 0;
}
