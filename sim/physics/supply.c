/* supply.c — supply availability, dispatch, batteries and generators (see supply.h). */
#include "supply.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "cachealign.h"
#include "streams.h"
#include "tseries.h"
#include "timefmt.h"
#include "weather_cache.h"

static int is_online(const struct supply *sp, int64_t t_s)
{
    return t_s >= sp->online_s && t_s < sp->offline_s;
}

/* fmin(a, b) and fmax(a, b) for a that is not NaN (gcc calls libm for fmin and fmax) */
static inline double min_of(double a, double b)
{
    return b < a ? b : a;
}

static inline double max_of(double a, double b)
{
    return b > a ? b : a;
}

/* The supplies of each kind (turbines by role), and the backups, as lists in list order
 * through the states: dispatch and availability pass over the supplies of a kind only. */
enum {
    LIST_GRID,
    LIST_REACTOR,
    LIST_BATTERY,
    LIST_GENERATOR,
    LIST_TURBINE_PRIME,
    LIST_TURBINE_BACKUP,
    LIST_BACKUP,                /* generators and backup turbines together */
    LIST_SERIES,                /* supplies with a price, CO2 or CFE series */
    N_LISTS
};

static int list_of(const struct supply *sp)
{
    switch (sp->type) {
    case SUPPLY_GRID: return LIST_GRID;
    case SUPPLY_REACTOR: return LIST_REACTOR;
    case SUPPLY_BATTERY: return LIST_BATTERY;
    case SUPPLY_GENERATOR: return LIST_GENERATOR;
    case SUPPLY_TURBINE: break;
    }
    return sp->role == TURBINE_PRIME ? LIST_TURBINE_PRIME : LIST_TURBINE_BACKUP;
}

/* The first supply of each list, worked out at the first call and kept in the site's first
 * state (states are zeroed when made, whoever makes them). */
static const int *make_lists(const struct site *site, struct supply_state *st)
{
    static const int none[N_LISTS] = {-1, -1, -1, -1, -1, -1, -1, -1};
    if (site->n_supplies == 0)
        return none;
    for (int k = 0; k < N_LISTS; k++)
        st[0].first_of[k] = -1;
    for (size_t j = site->n_supplies; j-- > 0;) {   /* backwards: each list in list order */
        const struct supply *sp = &site->supplies[j];
        int k = list_of(sp);
        st[j].next_of_kind = st[0].first_of[k];
        st[0].first_of[k] = (int)j;
        st[j].next_backup = -1;
        if (k == LIST_GENERATOR || k == LIST_TURBINE_BACKUP) {
            st[j].next_backup = st[0].first_of[LIST_BACKUP];
            st[0].first_of[LIST_BACKUP] = (int)j;
        }
        st[j].next_series = -1;
        if (sp->price_series || sp->co2_series || sp->cfe_series) {
            st[j].next_series = st[0].first_of[LIST_SERIES];
            st[0].first_of[LIST_SERIES] = (int)j;
        }
    }
    st[0].lists_made = 1;
    return st[0].first_of;
}

static inline const int *site_lists(const struct site *site, struct supply_state *st)
{
    return site->n_supplies && st[0].lists_made ? st[0].first_of : make_lists(site, st);
}

/* √RTE of a battery (each way), kept in its state while the RTE stays the same */
static inline double battery_eta(const struct supply *sp, struct supply_state *s)
{
    if (s->eta_of_rte != sp->round_trip_efficiency) {
        s->eta = sqrt(sp->round_trip_efficiency);
        s->eta_of_rte = sp->round_trip_efficiency;
    }
    return s->eta;
}

/* Marks the hours_per_year hottest hours of each 365-day block (pro rata in a last partial
 * block): the ERCOT 4CP-like rule of model.md. `ranked`: weather_rank_hours of the weather. */
static void mark_hottest(const struct supply *sp, const int32_t *ranked, struct supply_state *s)
{
    const int64_t year_h = SECONDS_PER_YEAR / SECONDS_PER_HOUR;
    for (int64_t y0 = 0; y0 < s->n_hours; y0 += year_h) {
        int64_t len = s->n_hours - y0 < year_h ? s->n_hours - y0 : year_h;
        int64_t n = llround(sp->curtail_hours_per_year * (double)len / (double)year_h);
        for (int64_t i = 0; i < n && i < len; i++)
            s->curtailed[ranked[y0 + i]] = 1;
    }
}

int supply_states_create(const struct site *site, const struct weather *w, int64_t duration_s,
                         struct supply_state **out)
{
    return supply_states_create_ranked(site, w, NULL, duration_s, out);
}

int supply_states_create_ranked(const struct site *site, const struct weather *w,
                                const int32_t *ranked, int64_t duration_s,
                                struct supply_state **out)
{
    struct supply_state *st =
        aligned_calloc(site->n_supplies ? site->n_supplies : 1, sizeof *st);
    if (!st)
        return DCSIM_ENOMEM;
    int32_t *own = NULL;
    int64_t n_hours = (duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        if (sp->type == SUPPLY_BATTERY)
            st[j].soc_mwh = sp->initial_soc * sp->energy_mwh;
        if (sp->type == SUPPLY_GRID && sp->curtail_hours_per_year > 0) {
            int rc = 0;
            if (!ranked) {
                own = malloc((size_t)(n_hours ? n_hours : 1) * sizeof *own);
                rc = own ? weather_rank_hours(w, n_hours, own) : DCSIM_ENOMEM;
                ranked = own;
            }
            st[j].n_hours = n_hours;
            st[j].curtailed = rc ? NULL : calloc((size_t)(n_hours ? n_hours : 1), 1);
            st[j].owns_curtailed = 1;
            if (!st[j].curtailed) {
                supply_states_destroy(st, j + 1);
                free(own);
                return rc ? rc : DCSIM_ENOMEM;
            }
            mark_hottest(sp, ranked, &st[j]);
        }
    }
    free(own);
    *out = st;
    return 0;
}

static void outage_lists_free(struct outage_list *lists, int n)
{
    for (int i = 0; lists && i < n; i++) {
        free(lists[i].start_s);
        free(lists[i].end_s);
    }
    free(lists);
}

void supply_states_destroy(struct supply_state *st, size_t n)
{
    if (!st)
        return;
    for (size_t j = 0; j < n; j++) {
        if (st[j].owns_curtailed)
            free(st[j].curtailed);
        outage_lists_free(st[j].outages, st[j].n_outage_lists);
    }
    free(st);
}

int supply_states_clone(const struct site *site, const struct supply_state *proto,
                        struct supply_state **out)
{
    size_t n = site->n_supplies ? site->n_supplies : 1;
    struct supply_state *st = aligned_calloc(n, sizeof *st);
    if (!st)
        return DCSIM_ENOMEM;
    for (size_t j = 0; j < site->n_supplies; j++) {
        st[j].soc_mwh = proto[j].soc_mwh;
        st[j].curtailed = proto[j].curtailed;
        st[j].n_hours = proto[j].n_hours;
    }
    *out = st;
    return 0;
}

static int outage_push(struct outage_list *l, int64_t start_s, int64_t end_s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        int64_t *a = realloc(l->start_s, cap * sizeof *a);
        if (!a)
            return DCSIM_ENOMEM;
        l->start_s = a;
        int64_t *b = realloc(l->end_s, cap * sizeof *b);
        if (!b)
            return DCSIM_ENOMEM;
        l->end_s = b;
        l->cap = cap;
    }
    l->start_s[l->n] = start_s;
    l->end_s[l->n] = end_s;
    l->n++;
    return 0;
}

/* Each supply and unit draws from its own stream, keyed by the supply's id and the unit. */
static gsl_rng *stream_rng(uint64_t site_key, const char *supply_id, int unit)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, stream_seed32(stream_key_n(stream_key(site_key, supply_id), (uint64_t)unit)));
    return r;
}

/* Alternating renewal process: up ~ Exp(mean_up_s), down ~ Exp(mean_down_s), from the
 * stationary state (down with probability mean_down/(mean_up + mean_down)). */
static int draw_alternating(gsl_rng *r, double mean_up_s, double mean_down_s, int64_t horizon_s,
                            struct outage_list *l)
{
    double p_down = mean_down_s / (mean_up_s + mean_down_s);
    double t = 0;
    int down = gsl_rng_uniform(r) < p_down;
    while (t < (double)horizon_s) {
        double len = gsl_ran_exponential(r, down ? mean_down_s : mean_up_s);
        if (down) {
            int64_t a = (int64_t)llround(t), b = (int64_t)llround(fmin(t + len, (double)horizon_s));
            if (b > a && outage_push(l, a, b))
                return DCSIM_ENOMEM;
        }
        t += len;
        down = !down;
    }
    return 0;
}

/* Poisson arrivals at `rate_per_s`, each out for Exp(mean_s); overlapping outages merge. */
static int draw_poisson(gsl_rng *r, double rate_per_s, double mean_s, int64_t horizon_s,
                        struct outage_list *l)
{
    double t = gsl_ran_exponential(r, 1.0 / rate_per_s);
    while (t < (double)horizon_s) {
        double len = gsl_ran_exponential(r, mean_s);
        int64_t a = (int64_t)llround(t), b = (int64_t)llround(fmin(t + len, (double)horizon_s));
        if (l->n && a <= l->end_s[l->n - 1]) {
            if (b > l->end_s[l->n - 1])
                l->end_s[l->n - 1] = b;
        } else if (b > a && outage_push(l, a, b)) {
            return DCSIM_ENOMEM;
        }
        t += gsl_ran_exponential(r, 1.0 / rate_per_s);
    }
    return 0;
}

int supply_states_draw_outages(const struct site *site, struct supply_state *st,
                               int64_t duration_s, uint64_t site_key)
{
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        int lists = 0;
        if ((sp->type == SUPPLY_REACTOR || sp->type == SUPPLY_TURBINE) &&
            sp->reactor.forced_outage_rate > 0 && sp->reactor.mean_repair_h > 0)
            lists = sp->units;
        else if (sp->type == SUPPLY_GRID && sp->outages_per_year > 0)
            lists = 1;
        outage_lists_free(st[j].outages, st[j].n_outage_lists);
        st[j].outages = NULL;
        st[j].n_outage_lists = 0;
        if (!lists)
            continue;
        if (!(st[j].outages = calloc((size_t)lists, sizeof *st[j].outages)))
            return DCSIM_ENOMEM;
        st[j].n_outage_lists = lists;
        for (int u = 0; u < lists; u++) {
            gsl_rng *r = stream_rng(site_key, sp->id, u);
            if (!r)
                return DCSIM_ENOMEM;
            int rc;
            if (sp->type != SUPPLY_GRID) {   /* reactor or turbine units */
                double q = sp->reactor.forced_outage_rate;
                double mttr_s = sp->reactor.mean_repair_h * SECONDS_PER_HOUR;
                rc = draw_alternating(r, mttr_s * (1 - q) / q, mttr_s, duration_s,
                                      &st[j].outages[u]);
            } else {
                rc = draw_poisson(r, sp->outages_per_year / (double)SECONDS_PER_YEAR,
                                  sp->outage_mean_h * SECONDS_PER_HOUR, duration_s,
                                  &st[j].outages[u]);
            }
            gsl_rng_free(r);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int64_t outage_overlap_s(struct outage_list *l, int64_t t_s, int64_t dt_s)
{
    int64_t end = t_s + dt_s, covered = 0;
    while (l->next < l->n && l->end_s[l->next] <= t_s)
        l->next++;
    for (size_t i = l->next; i < l->n && l->start_s[i] < end; i++) {
        int64_t a = l->start_s[i] > t_s ? l->start_s[i] : t_s;
        int64_t b = l->end_s[i] < end ? l->end_s[i] : end;
        if (b > a)
            covered += b - a;
    }
    return covered;
}

/* The next instant after t among the edges of [a, b) (or none), for the next change. */
static inline double edge_after(int64_t a, int64_t b, double t)
{
    if ((double)a > t)
        return (double)a;
    if ((double)b > t)
        return (double)b;
    return INFINITY;
}

/* 1 when a scripted event of `type` on supply j covers the instant t (run s). *next gets the
 * earliest edge after t of such events (kept when it is earlier already). */
static int event_active(const struct site *site, size_t j, enum event_type type, double t,
                        double *next)
{
    int active = 0;
    for (size_t e = 0; e < site->n_events && (double)site->events[e].start_s < *next; e++) {
        const struct event *ev = &site->events[e];
        if (ev->type != type || ev->supply != j)
            continue;
        active |= (double)ev->start_s <= t && t < (double)ev->end_s;
        *next = min_of(*next, edge_after(ev->start_s, ev->end_s, t));
    }
    return active;
}

/* 1 when the list's intervals cover the instant t; *next gets the next edge after t.
 * Advances list->next past the intervals that are over (instants come in order). */
static int outage_at(struct outage_list *l, double t, double *next)
{
    while (l->next < l->n && (double)l->end_s[l->next] <= t)
        l->next++;
    if (l->next == l->n)
        return 0;
    *next = min_of(*next, edge_after(l->start_s[l->next], l->end_s[l->next], t));
    return (double)l->start_s[l->next] <= t;
}

/* 1 when unit i of the reactor supply refuels at the instant t; *next gets the next edge. */
static int refuelling_at(const struct supply *sp, int i, double t, double *next)
{
    const struct reactor *r = &sp->reactor;
    double interval_s = (double)llround(r->refuel_interval_d * SECONDS_PER_DAY);
    double outage_s = (double)llround(r->refuel_outage_d * SECONDS_PER_DAY);
    if (interval_s <= 0 || outage_s <= 0)
        return 0;
    double first = (double)(sp->first_refuel_s +
                            (int64_t)i * (int64_t)interval_s / sp->units);
    if (t < first) {
        *next = min_of(*next, first);
        return 0;
    }
    double k = floor((t - first) / interval_s);
    double cycle = first + k * interval_s;          /* this cycle's refuelling start */
    if (t - cycle < outage_s) {
        *next = min_of(*next, cycle + outage_s);
        return 1;
    }
    *next = min_of(*next, cycle + interval_s);
    return 0;
}

/* 1 when the grid is curtailed in the hour holding t; *next gets the next hour whose flag
 * differs. The span of equal flags is kept in the state, so a run scans each hour once. */
static int curtailed_at(struct supply_state *s, double t, double *next)
{
    if (!s->curtailed || t < 0)
        return 0;
    int64_t h = (int64_t)(t / SECONDS_PER_HOUR);   /* t >= 0: truncation is the floor */
    if (h >= s->n_hours)
        return 0;
    if (h < s->curt_from_h || h >= s->curt_until_h) {
        int64_t u = h + 1;
        while (u < s->n_hours && s->curtailed[u] == s->curtailed[h])
            u++;
        s->curt_from_h = h;
        s->curt_until_h = u;
    }
    if (s->curt_until_h < s->n_hours)
        *next = min_of(*next, (double)(s->curt_until_h * SECONDS_PER_HOUR));
    return s->curtailed[h];
}

/* Units of reactor supply j up at the instant t: not refuelling, not in a random outage,
 * less the units of scripted trips (several trips take off several units). */
static int reactor_units_at(const struct site *site, size_t j, struct supply_state *s, double t,
                            double *next)
{
    const struct supply *sp = &site->supplies[j];
    int up = 0;
    for (int i = 0; i < sp->units; i++) {
        int out = refuelling_at(sp, i, t, next);
        if (i < s->n_outage_lists)
            out |= outage_at(&s->outages[i], t, next);
        up += !out;
    }
    for (size_t e = 0; e < site->n_events && (double)site->events[e].start_s < *next; e++) {
        const struct event *ev = &site->events[e];
        if (ev->type != EVENT_REACTOR_TRIP || ev->supply != j)
            continue;
        if ((double)ev->start_s <= t && t < (double)ev->end_s)
            up -= ev->units;
        *next = min_of(*next, edge_after(ev->start_s, ev->end_s, t));
    }
    return up > 0 ? up : 0;
}

int supply_reactor_units_up(const struct supply *sp, int64_t t_s)
{
    if (!is_online(sp, t_s))
        return 0;
    double next = INFINITY;
    int up = 0;
    for (int i = 0; i < sp->units; i++)
        up += !refuelling_at(sp, i, (double)t_s, &next);
    return up;
}

void supply_instant(const struct site *site, struct supply_state *st, double t,
                    double firm_demand_mw, struct supply_instant *out)
{
    supply_available(site, st, t, out);
    supply_call_backups(site, st, t, firm_demand_mw, out);
}

/* supply_available while t is before the next instant the availability of reactors, prime
 * turbines and grids can change (the one supply_available last found): those hold; the
 * batteries' follows their charge and the backups' is made again by supply_call_backups. */
static void available_held(const struct site *site, struct supply_state *st, double t,
                           struct supply_instant *out)
{
    *out = (struct supply_instant){0};
    out->reactor_mw = st[0].held_reactor_mw;
    out->turbine_mw = st[0].held_turbine_mw;
    out->grid_mw = st[0].held_grid_mw;
    out->next_s = st[0].held_until_s;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        s->used_mw = 0;
        if (!s->online)
            continue;   /* avail_mw 0 and generators stopped when it was found offline */
        if (sp->type == SUPPLY_BATTERY) {
            if (s->soc_mwh <= SUPPLY_SOC_EMPTY_MWH)
                s->soc_mwh = 0;
            s->avail_mw = s->soc_mwh > 0 ? sp->power_mw : 0.0;
            out->battery_mw += s->avail_mw;
        } else if (sp->type == SUPPLY_GENERATOR ||
                   (sp->type == SUPPLY_TURBINE && sp->role == TURBINE_BACKUP)) {
            s->avail_mw = 0;
        }
    }
    (void)t;
}

void supply_available(const struct site *site, struct supply_state *st, double t,
                      struct supply_instant *out)
{
    if (site->n_supplies && t >= st[0].held_from_s && t < st[0].held_until_s) {
        available_held(site, st, t, out);
        return;
    }
    *out = (struct supply_instant){0};
    double next = INFINITY;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        s->avail_mw = 0;
        s->used_mw = 0;
        if ((double)sp->online_s > t)
            next = min_of(next, (double)sp->online_s);
        else if ((double)sp->offline_s > t)
            next = min_of(next, (double)sp->offline_s);
        s->online = (double)sp->online_s <= t && t < (double)sp->offline_s;
        if (!s->online) {
            s->gen_running = 0;
            continue;
        }
        switch (sp->type) {
        case SUPPLY_REACTOR:
            s->avail_mw = reactor_units_at(site, j, s, t, &next) * sp->reactor.net_mw;
            out->reactor_mw += s->avail_mw;
            break;
        case SUPPLY_GRID: {
            int down = s->n_outage_lists && outage_at(&s->outages[0], t, &next);
            if (site->n_events)
                down |= event_active(site, j, EVENT_GRID_OUTAGE, t, &next);
            int curtailed = curtailed_at(s, t, &next);
            s->avail_mw = down ? 0.0 : curtailed ? sp->curtail_level_mw : sp->contract_mw;
            out->grid_mw += s->avail_mw;
            break;
        }
        case SUPPLY_BATTERY:
            if (s->soc_mwh <= SUPPLY_SOC_EMPTY_MWH)
                s->soc_mwh = 0;
            s->avail_mw = s->soc_mwh > 0 ? sp->power_mw : 0.0;
            out->battery_mw += s->avail_mw;
            break;
        case SUPPLY_TURBINE:
            /* units up (forced outages drawn like a reactor's) × capacity; a backup turbine
             * delivers it only when called and started (below) */
            s->units_up = reactor_units_at(site, j, s, t, &next);
            if (sp->role == TURBINE_PRIME) {
                s->avail_mw = s->units_up * sp->capacity_mw;
                out->turbine_mw += s->avail_mw;
            }
            break;
        case SUPPLY_GENERATOR:
            break;
        }
    }
    out->next_s = next;
    if (site->n_supplies) {
        /* every edge of what the loop above found is in `next` (batteries add none) */
        st[0].held_from_s = t;
        st[0].held_until_s = next;
        st[0].held_reactor_mw = out->reactor_mw;
        st[0].held_turbine_mw = out->turbine_mw;
        st[0].held_grid_mw = out->grid_mw;
    }
}

void supply_call_backups(const struct site *site, struct supply_state *st, double t,
                         double firm_demand_mw, struct supply_instant *out)
{
    const int *first = site_lists(site, st);
    double next = out->next_s;
    /* Generators and backup turbines are called the instant firm supply (reactors, prime
     * turbines, grid) falls short of the firm load and run while it does; output from
     * start_s after the call. */
    int needed = out->reactor_mw + out->turbine_mw + out->grid_mw < firm_demand_mw;
    for (int jj = first[LIST_BACKUP]; jj >= 0; jj = st[jj].next_backup) {
        size_t j = (size_t)jj;
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        if (!s->online)
            continue;
        if (!needed) {
            s->gen_running = 0;
            continue;
        }
        if (!s->gen_running) {
            /* a start attempted inside a fail-to-start window fails; it is tried again the
             * instant the window ends */
            double fail_next = INFINITY;
            int fails = site->n_events &&
                        event_active(site, j, EVENT_GENERATOR_FAIL_TO_START, t, &fail_next);
            if (fails) {
                next = min_of(next, fail_next);
                continue;
            }
            s->gen_running = 1;
            s->gen_ready_s = t + sp->start_s;
        }
        if (t >= s->gen_ready_s) {
            s->avail_mw = sp->type == SUPPLY_TURBINE ? s->units_up * sp->capacity_mw
                                                     : sp->capacity_mw;
            out->generator_mw += s->avail_mw;
        } else {
            next = min_of(next, s->gen_ready_s);
        }
    }
    out->next_s = next;
}

/* Takes up to `want` from every supply of a list (from its first, j), in list order. */
static double take(struct supply_state *st, int j, double want)
{
    double got = 0;
    for (; j >= 0 && want - got > 0; j = st[j].next_of_kind) {
        double x = min_of(st[j].avail_mw, want - got);
        st[j].used_mw += x;
        got += x;
    }
    return got;
}

/* Prime turbines carry what reactors leave, before the grid; a turbine whose share would
 * be below one unit's minimum load stays off while the grid can carry that share. */
static double take_prime_turbines(const struct site *site, struct supply_state *st,
                                  const int *first, double want)
{
    double grid_mw = 0, got = 0;
    for (int j = first[LIST_GRID]; j >= 0; j = st[j].next_of_kind)
        grid_mw += st[j].avail_mw;
    for (int j = first[LIST_TURBINE_PRIME]; j >= 0 && want - got > 0; j = st[j].next_of_kind) {
        const struct supply *sp = &site->supplies[j];
        double x = min_of(st[j].avail_mw, want - got);
        if (x < sp->min_load_fraction * sp->capacity_mw && x <= grid_mw)
            x = 0;
        st[j].used_mw += x;
        got += x;
    }
    return got;
}

void supply_set_step(const struct site *site, struct supply_state *st, int64_t t_s, int64_t dt_s)
{
    /* only supplies with a series: the others' constants are read where they are used */
    for (int j = site_lists(site, st)[LIST_SERIES]; j >= 0; j = st[j].next_series) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        int64_t b_s = t_s + dt_s;
        s->price_now = sp->price_series
                           ? tseries_mean_next(sp->price_series, t_s, b_s, &s->series_at[0])
                           : sp->price_usd_per_mwh;
        s->co2_now = sp->co2_series
                         ? tseries_mean_next(sp->co2_series, t_s, b_s, &s->series_at[1])
                         : sp->co2_kg_per_mwh;
        s->cfe_now = sp->cfe_series
                         ? tseries_mean_next(sp->cfe_series, t_s, b_s, &s->series_at[2])
                         : sp->cfe_fraction;
    }
}

double supply_dispatch(const struct site *site, struct supply_state *st, double len_s,
                       double served_mw, struct supply_flows *out)
{
    const int *first = site_lists(site, st);
    double rem = served_mw;
    rem -= take(st, first[LIST_REACTOR], rem);
    if (first[LIST_TURBINE_PRIME] >= 0)
        rem -= take_prime_turbines(site, st, first, rem);
    rem -= take(st, first[LIST_GRID], rem);
    if (rem > 0) {   /* usually the grid carries it all: take() of nothing changes nothing */
        rem -= take(st, first[LIST_GENERATOR], rem);
        rem -= take(st, first[LIST_TURBINE_BACKUP], rem);
        rem -= take(st, first[LIST_BATTERY], rem);
    }
    (void)rem;   /* the caller never asks for more than is available */

    /* Surplus of reactors, then grid, charges batteries that are not discharging; the piece
     * ends where a battery empties or fills. */
    for (int j = first[LIST_BATTERY]; j >= 0; j = st[j].next_of_kind) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        if (!s->online)
            continue;
        double eta = battery_eta(sp, s);
        if (s->used_mw > 0) {
            double empty_s = s->soc_mwh * eta / s->used_mw * SECONDS_PER_HOUR;
            len_s = min_of(len_s, empty_s);
            continue;
        }
        if (sp->energy_mwh - s->soc_mwh <= 0)
            continue;
        double want = sp->power_mw, got = 0;
        for (int pass = 0; pass < 2 && want - got > 0; pass++) {
            for (int i = first[pass == 0 ? LIST_REACTOR : LIST_GRID]; i >= 0 && want - got > 0;
                 i = st[i].next_of_kind) {
                double x = min_of(st[i].avail_mw - st[i].used_mw, want - got);
                if (x > 0) {
                    st[i].used_mw += x;
                    got += x;
                }
            }
        }
        if (got > 0) {
            s->used_mw = -got;
            double full_s = (sp->energy_mwh - s->soc_mwh) / (got * eta) * SECONDS_PER_HOUR;
            len_s = min_of(len_s, full_s);
        }
    }
    double h = len_s / SECONDS_PER_HOUR;
    *out = (struct supply_flows){0};
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &st[j];
        /* A grid, generator or turbine that delivers nothing adds only zeros (its factors
         * are finite): the sums, which start at +0 and so are never -0, keep their bits. */
        if (s->used_mw == 0 && sp->type != SUPPLY_REACTOR && sp->type != SUPPLY_BATTERY)
            continue;
        switch (sp->type) {
        case SUPPLY_REACTOR:
            out->reactor_mw += s->used_mw;
            out->clean_mw += s->used_mw;
            /* take-or-pay: all available output is paid */
            out->cost_usd += s->avail_mw * h * sp->price_usd_per_mwh;
            break;
        case SUPPLY_GRID:
            out->grid_mw += s->used_mw;
            /* series: this step's means (supply_set_step); constants as given */
            out->clean_mw += s->used_mw * (sp->cfe_series ? s->cfe_now : sp->cfe_fraction);
            out->cost_usd += s->used_mw * h *
                             (sp->price_series ? s->price_now : sp->price_usd_per_mwh);
            out->co2_kg += s->used_mw * h * (sp->co2_series ? s->co2_now : sp->co2_kg_per_mwh);
            break;
        case SUPPLY_GENERATOR:
            out->generator_mw += s->used_mw;
            out->cost_usd += s->used_mw * h * sp->price_usd_per_mwh;
            out->co2_kg += s->used_mw * h * sp->co2_kg_per_mwh;
            break;
        case SUPPLY_TURBINE: {
            double fuel = s->used_mw * h * sp->heat_rate_mmbtu_per_mwh;
            out->turbine_mw += s->used_mw;
            out->cost_usd += s->used_mw * h * sp->price_usd_per_mwh;   /* O&M */
            out->fuel_mmbtu += fuel;
            out->fuel_usd += fuel * sp->fuel_usd_per_mmbtu;
            out->co2_kg += fuel * sp->co2_kg_per_mmbtu;
            break;
        }
        case SUPPLY_BATTERY: {
            if (s->used_mw > 0) {
                double eta = battery_eta(sp, s);
                s->soc_mwh -= s->used_mw * h / eta;
                out->cost_usd += s->used_mw * h * sp->price_usd_per_mwh;
                if (s->soc_mwh <= SUPPLY_SOC_EMPTY_MWH)
                    s->soc_mwh = 0;
            } else if (s->used_mw < 0) {
                s->soc_mwh -= s->used_mw * h * battery_eta(sp, s);
                if (sp->energy_mwh - s->soc_mwh <= SUPPLY_SOC_EMPTY_MWH)
                    s->soc_mwh = sp->energy_mwh;
            }
            s->soc_mwh = min_of(sp->energy_mwh, max_of(0.0, s->soc_mwh));
            out->battery_mw += s->used_mw;
            out->battery_soc_mwh += s->soc_mwh;
            break;
        }
        }
    }
    return len_s;
}
