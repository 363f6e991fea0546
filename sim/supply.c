/* supply.c — supply availability, dispatch, batteries and generators (see supply.h). */
#include "supply.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

static int is_online(const struct supply *sp, int64_t t_s)
{
    return t_s >= sp->online_s && t_s < sp->offline_s;
}

struct hour_temp {
    int64_t hour;
    double drybulb_c;
};

static int hotter_first(const void *a, const void *b)
{
    const struct hour_temp *x = a, *y = b;
    if (x->drybulb_c != y->drybulb_c)
        return x->drybulb_c < y->drybulb_c ? 1 : -1;
    return x->hour < y->hour ? -1 : x->hour > y->hour;   /* ties: earlier hour first */
}

/* Marks the hours_per_year hottest hours of each 365-day block (pro rata in a last partial
 * block): the ERCOT 4CP-like rule of model.md. */
static int mark_hottest(const struct supply *sp, const struct weather *w, struct supply_state *s)
{
    const int64_t year_h = SECONDS_PER_YEAR / SECONDS_PER_HOUR;
    struct hour_temp *ht = malloc((size_t)(s->n_hours < year_h ? s->n_hours : year_h) * sizeof *ht);
    if (!ht)
        return DCSIM_ENOMEM;
    for (int64_t y0 = 0; y0 < s->n_hours; y0 += year_h) {
        int64_t len = s->n_hours - y0 < year_h ? s->n_hours - y0 : year_h;
        for (int64_t i = 0; i < len; i++) {
            double wb;
            ht[i].hour = y0 + i;
            weather_at(w, (y0 + i) * SECONDS_PER_HOUR + SECONDS_PER_HOUR / 2, &ht[i].drybulb_c, &wb);
        }
        qsort(ht, (size_t)len, sizeof *ht, hotter_first);
        int64_t n = llround(sp->curtail_hours_per_year * (double)len / (double)year_h);
        for (int64_t i = 0; i < n && i < len; i++)
            s->curtailed[ht[i].hour] = 1;
    }
    free(ht);
    return 0;
}

int supply_states_create(const struct site *site, const struct weather *w, int64_t duration_s,
                         struct supply_state **out)
{
    struct supply_state *st = calloc(site->n_supplies ? site->n_supplies : 1, sizeof *st);
    if (!st)
        return DCSIM_ENOMEM;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        if (sp->type == SUPPLY_BATTERY)
            st[j].soc_mwh = sp->initial_soc * sp->energy_mwh;
        if (sp->type == SUPPLY_GRID && sp->curtail_hours_per_year > 0) {
            st[j].n_hours = (duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR;
            st[j].curtailed = calloc((size_t)st[j].n_hours, 1);
            if (!st[j].curtailed || mark_hottest(sp, w, &st[j])) {
                supply_states_destroy(st, j + 1);
                return DCSIM_ENOMEM;
            }
        }
    }
    *out = st;
    return 0;
}

void supply_states_destroy(struct supply_state *st, size_t n)
{
    if (!st)
        return;
    for (size_t j = 0; j < n; j++)
        free(st[j].curtailed);
    free(st);
}

int supply_reactor_units_up(const struct supply *sp, int64_t t_s)
{
    if (!is_online(sp, t_s))
        return 0;
    const struct reactor *r = &sp->reactor;
    int64_t interval_s = (int64_t)llround(r->refuel_interval_d * SECONDS_PER_DAY);
    int64_t outage_s = (int64_t)llround(r->refuel_outage_d * SECONDS_PER_DAY);
    if (interval_s <= 0 || outage_s <= 0)
        return sp->units;
    int up = 0;
    for (int i = 0; i < sp->units; i++) {
        /* unit i refuels at first_refuel + i·interval/units + k·interval, for outage_s */
        int64_t x = t_s - (sp->first_refuel_s + (int64_t)i * interval_s / sp->units);
        up += !(x >= 0 && x % interval_s < outage_s);
    }
    return up;
}

static double generator_share(const struct supply_state *s, int64_t t_s, int64_t dt_s)
{
    double share = (double)(t_s + dt_s - s->gen_ready_s) / (double)dt_s;
    return fmin(1.0, fmax(0.0, share));
}

void supply_available(const struct site *site, struct supply_state *st, int64_t t_s,
                      int64_t dt_s, double demand_mw, struct supply_totals *tot)
{
    double dt_h = (double)dt_s / SECONDS_PER_HOUR;
    memset(tot, 0, sizeof *tot);
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        s->avail_mw = 0;
        s->used_mw = 0;
        s->online = is_online(sp, t_s);
        if (!s->online) {
            s->gen_running = 0;
            continue;
        }
        switch (sp->type) {
        case SUPPLY_REACTOR:
            s->avail_mw = supply_reactor_units_up(sp, t_s) * sp->reactor.net_mw;
            tot->reactor_mw += s->avail_mw;
            break;
        case SUPPLY_GRID: {
            int64_t hour = t_s / SECONDS_PER_HOUR;
            int curtailed = s->curtailed && hour < s->n_hours && s->curtailed[hour];
            s->avail_mw = curtailed ? sp->curtail_level_mw : sp->contract_mw;
            tot->grid_mw += s->avail_mw;
            break;
        }
        case SUPPLY_BATTERY:
            /* min(power, SOC·√RTE/Δt): what the stored energy can deliver over the step */
            s->avail_mw = fmin(sp->power_mw, s->soc_mwh * sqrt(sp->round_trip_efficiency) / dt_h);
            tot->battery_mw += s->avail_mw;
            break;
        case SUPPLY_GENERATOR:
            break;
        }
    }
    /* Generators: called when the rest falls short; potential otherwise (for the margin). */
    int needed = tot->reactor_mw + tot->grid_mw + tot->battery_mw < demand_mw;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        if (sp->type != SUPPLY_GENERATOR || !is_online(sp, t_s))
            continue;
        if (needed && !s->gen_running) {
            s->gen_running = 1;
            s->gen_ready_s = t_s + (int64_t)ceil(sp->start_s);
        } else if (!needed) {
            s->gen_running = 0;
        }
        int64_t ready = s->gen_running ? s->gen_ready_s : t_s + (int64_t)ceil(sp->start_s);
        struct supply_state probe = *s;
        probe.gen_ready_s = ready;
        s->avail_mw = sp->capacity_mw * generator_share(&probe, t_s, dt_s);
        tot->generator_mw += s->avail_mw;
    }
}

/* Takes up to `want` from every supply of one type, in list order. */
static double take(const struct site *site, struct supply_state *st, enum supply_type type,
                   double want)
{
    double got = 0;
    for (size_t j = 0; j < site->n_supplies && want - got > 0; j++) {
        if (site->supplies[j].type != type)
            continue;
        double x = fmin(st[j].avail_mw, want - got);
        st[j].used_mw += x;
        got += x;
    }
    return got;
}

void supply_dispatch(const struct site *site, struct supply_state *st, int64_t dt_s,
                     double served_mw, struct supply_flows *out)
{
    double dt_h = (double)dt_s / SECONDS_PER_HOUR;
    double rem = served_mw;
    rem -= take(site, st, SUPPLY_REACTOR, rem);
    rem -= take(site, st, SUPPLY_GRID, rem);
    rem -= take(site, st, SUPPLY_BATTERY, rem);
    rem -= take(site, st, SUPPLY_GENERATOR, rem);
    (void)rem;   /* the caller never asks for more than is available */

    /* Surplus of reactors, then grid, charges batteries that are not discharging. */
    memset(out, 0, sizeof *out);
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        if (sp->type != SUPPLY_BATTERY || s->used_mw > 0 || !s->online)
            continue;
        double eta = sqrt(sp->round_trip_efficiency);
        double room_mw = (sp->energy_mwh - s->soc_mwh) / (eta * dt_h);
        double want = fmin(sp->power_mw, room_mw);
        if (want <= 0)
            continue;
        double got = 0;
        for (int pass = 0; pass < 2 && want - got > 0; pass++) {
            enum supply_type from = pass == 0 ? SUPPLY_REACTOR : SUPPLY_GRID;
            for (size_t i = 0; i < site->n_supplies && want - got > 0; i++) {
                if (site->supplies[i].type != from)
                    continue;
                double spare = st[i].avail_mw - st[i].used_mw;
                double x = fmin(spare, want - got);
                if (x > 0) {
                    st[i].used_mw += x;
                    got += x;
                }
            }
        }
        s->used_mw = -got;
    }
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        switch (sp->type) {
        case SUPPLY_REACTOR:
            out->reactor_mw += s->used_mw;
            /* take-or-pay: all available output is paid */
            out->cost_usd += s->avail_mw * dt_h * sp->price_usd_per_mwh;
            break;
        case SUPPLY_GRID:
            out->grid_mw += s->used_mw;
            out->cost_usd += s->used_mw * dt_h * sp->price_usd_per_mwh;
            break;
        case SUPPLY_GENERATOR:
            out->generator_mw += s->used_mw;
            out->cost_usd += s->used_mw * dt_h * sp->price_usd_per_mwh;
            break;
        case SUPPLY_BATTERY: {
            double eta = sqrt(sp->round_trip_efficiency);
            if (s->used_mw > 0) {
                s->soc_mwh -= s->used_mw * dt_h / eta;
                out->cost_usd += s->used_mw * dt_h * sp->price_usd_per_mwh;
            } else {
                s->soc_mwh -= s->used_mw * dt_h * eta;
            }
            s->soc_mwh = fmin(sp->energy_mwh, fmax(0.0, s->soc_mwh));
            out->battery_mw += s->used_mw;
            out->battery_soc_mwh += s->soc_mwh;
            break;
        }
        }
    }
}
