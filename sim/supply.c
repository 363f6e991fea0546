/* supply.c — supply availability, dispatch, batteries and generators (see supply.h). */
#include "supply.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "timefmt.h"

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

/* √RTE of a battery (each way), kept in its state while the RTE stays the same */
static inline double battery_eta(const struct supply *sp, struct supply_state *s)
{
    if (s->eta_of_rte != sp->round_trip_efficiency) {
        s->eta = sqrt(sp->round_trip_efficiency);
        s->eta_of_rte = sp->round_trip_efficiency;
    }
    return s->eta;
}

/* (int64_t)ceil(x) for finite x in range, without the libm call */
static inline int64_t ceil_i64(double x)
{
    int64_t c = (int64_t)x;
    return c + ((double)c < x);
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
            st[j].owns_curtailed = 1;
            if (!st[j].curtailed || mark_hottest(sp, w, &st[j])) {
                supply_states_destroy(st, j + 1);
                return DCSIM_ENOMEM;
            }
        }
    }
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
    struct supply_state *st = calloc(n, sizeof *st);
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

/* splitmix64 (Steele, Lea & Flood 2014): a well-mixed 64-bit hash, to derive one stream's
 * seed from the trial seed and the stream's place in the scenario. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static gsl_rng *stream_rng(uint64_t seed, size_t supply, int unit)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r) {
        uint64_t h = mix64(mix64(mix64(seed) ^ (uint64_t)supply) ^ (uint64_t)unit);
        gsl_rng_set(r, (unsigned long)(h & 0xffffffffUL) ^ (unsigned long)(h >> 32));
    }
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
                               int64_t duration_s, uint64_t seed)
{
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        int lists = 0;
        if (sp->type == SUPPLY_REACTOR && sp->reactor.forced_outage_rate > 0 &&
            sp->reactor.mean_repair_h > 0)
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
            gsl_rng *r = stream_rng(seed, j, u);
            if (!r)
                return DCSIM_ENOMEM;
            int rc;
            if (sp->type == SUPPLY_REACTOR) {
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

/* 1 when unit i of a reactor supply is in a planned refuelling outage at t_s. */
static int unit_refuelling(const struct supply *sp, int i, int64_t t_s)
{
    const struct reactor *r = &sp->reactor;
    int64_t interval_s = (int64_t)llround(r->refuel_interval_d * SECONDS_PER_DAY);
    int64_t outage_s = (int64_t)llround(r->refuel_outage_d * SECONDS_PER_DAY);
    if (interval_s <= 0 || outage_s <= 0)
        return 0;
    /* unit i refuels at first_refuel + i·interval/units + k·interval, for outage_s */
    int64_t x = t_s - (sp->first_refuel_s + (int64_t)i * interval_s / sp->units);
    return x >= 0 && x % interval_s < outage_s;
}

int supply_reactor_units_up(const struct supply *sp, int64_t t_s)
{
    if (!is_online(sp, t_s))
        return 0;
    int up = 0;
    for (int i = 0; i < sp->units; i++)
        up += !unit_refuelling(sp, i, t_s);
    return up;
}

/* 1 when a scripted event of `type` on supply j covers the instant t_s. */
static int event_active(const struct site *site, size_t j, enum event_type type, int64_t t_s)
{
    for (size_t e = 0; e < site->n_events && site->events[e].start_s <= t_s; e++) {
        const struct event *ev = &site->events[e];
        if (ev->type == type && ev->supply == j && t_s < ev->end_s)
            return 1;
    }
    return 0;
}

#define STEP_MAX_BREAKS 128

/* Adds the edges of [a, b) that fall inside the step to the break list. */
static void add_breaks(int64_t a, int64_t b, int64_t t_s, int64_t end_s, int64_t *br, int *n)
{
    if (a > t_s && a < end_s && *n < STEP_MAX_BREAKS)
        br[(*n)++] = a;
    if (b > t_s && b < end_s && *n < STEP_MAX_BREAKS)
        br[(*n)++] = b;
}

static int in_list(const struct outage_list *l, int64_t x)
{
    for (size_t i = l->next; i < l->n && l->start_s[i] <= x; i++)
        if (x < l->end_s[i])
            return 1;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Units (reactor) or availability 0/1 (grid) of supply j at time x (x inside the step; the
 * refuelling state is the step's). Scripted trips take units that are up. */
static double supply_up_at(const struct site *site, size_t j, const struct supply_state *s,
                           const int *refuelling, double x)
{
    const struct supply *sp = &site->supplies[j];
    int64_t xs = (int64_t)floor(x);
    if (sp->type == SUPPLY_GRID) {
        if (s->n_outage_lists && in_list(&s->outages[0], xs))
            return 0;
        return !event_active(site, j, EVENT_GRID_OUTAGE, xs);
    }
    int up = 0;
    for (int i = 0; i < sp->units; i++)
        up += !refuelling[i] && !(i < s->n_outage_lists && in_list(&s->outages[i], xs));
    for (size_t e = 0; e < site->n_events && site->events[e].start_s <= xs; e++) {
        const struct event *ev = &site->events[e];
        if (ev->type == EVENT_REACTOR_TRIP && ev->supply == j && xs < ev->end_s)
            up -= ev->units;   /* several trips take off several units */
    }
    return up > 0 ? up : 0;
}

/* The mean over the step of supply_up_at: the step is cut at every edge of a random outage
 * or scripted event inside it, so overlapping outages count once. */
static double supply_up_share(const struct site *site, size_t j, struct supply_state *s,
                              int64_t t_s, int64_t dt_s)
{
    const struct supply *sp = &site->supplies[j];
    int64_t end = t_s + dt_s, br[STEP_MAX_BREAKS + 2];
    int nb = 0, touched = 0;
    for (int u = 0; u < s->n_outage_lists; u++) {
        struct outage_list *l = &s->outages[u];
        while (l->next < l->n && l->end_s[l->next] <= t_s)
            l->next++;
        for (size_t i = l->next; i < l->n && l->start_s[i] < end; i++) {
            add_breaks(l->start_s[i], l->end_s[i], t_s, end, br, &nb);
            touched = 1;
        }
    }
    enum event_type type = sp->type == SUPPLY_GRID ? EVENT_GRID_OUTAGE : EVENT_REACTOR_TRIP;
    for (size_t e = 0; e < site->n_events && site->events[e].start_s < end; e++) {
        const struct event *ev = &site->events[e];
        if (ev->type == type && ev->supply == j && ev->end_s > t_s) {
            add_breaks(ev->start_s, ev->end_s, t_s, end, br, &nb);
            touched = 1;
        }
    }
    if (!touched && sp->type == SUPPLY_GRID)
        return 1;   /* the usual case: nothing happens in this step (supply_up_at says so) */
    int refuelling[SUPPLY_MAX_UNITS_STACK];
    int n_units = sp->type == SUPPLY_REACTOR ? sp->units : 0;
    for (int i = 0; i < n_units && i < SUPPLY_MAX_UNITS_STACK; i++)
        refuelling[i] = unit_refuelling(sp, i, t_s);
    if (!touched)
        return supply_up_at(site, j, s, refuelling, (double)t_s);
    br[nb++] = t_s;
    br[nb++] = end;
    qsort(br, (size_t)nb, sizeof *br, cmp_i64);
    double sum = 0;
    for (int k = 0; k + 1 < nb; k++)
        if (br[k + 1] > br[k])
            sum += (double)(br[k + 1] - br[k]) * supply_up_at(site, j, s, refuelling, (double)br[k]);
    return sum / (double)dt_s;
}

static double generator_share(int64_t ready_s, int64_t t_s, int64_t dt_s)
{
    double share = (double)(t_s + dt_s - ready_s) / (double)dt_s;
    return min_of(1.0, max_of(0.0, share));
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
            s->avail_mw = sp->units <= SUPPLY_MAX_UNITS_STACK
                              ? supply_up_share(site, j, s, t_s, dt_s) * sp->reactor.net_mw
                              : 0;
            tot->reactor_mw += s->avail_mw;
            break;
        case SUPPLY_GRID: {
            int64_t hour = t_s / SECONDS_PER_HOUR;
            int curtailed = s->curtailed && hour < s->n_hours && s->curtailed[hour];
            double up = supply_up_share(site, j, s, t_s, dt_s);
            s->avail_mw = up * (curtailed ? sp->curtail_level_mw : sp->contract_mw);
            tot->grid_mw += s->avail_mw;
            break;
        }
        case SUPPLY_BATTERY:
            /* min(power, SOC·√RTE/Δt): what the stored energy can deliver over the step */
            s->avail_mw = min_of(sp->power_mw, s->soc_mwh * battery_eta(sp, s) / dt_h);
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
        /* A start attempted inside a fail-to-start window fails (retried next step); a
         * generator already running keeps running. */
        int start_fails = !s->gen_running && site->n_events &&
                          event_active(site, j, EVENT_GENERATOR_FAIL_TO_START, t_s);
        int64_t start_s = ceil_i64(sp->start_s);
        if (needed && !s->gen_running && !start_fails) {
            s->gen_running = 1;
            s->gen_ready_s = t_s + start_s;
        } else if (!needed) {
            s->gen_running = 0;
        }
        int64_t ready = s->gen_running ? s->gen_ready_s : t_s + start_s;
        s->avail_mw = start_fails ? 0.0 : sp->capacity_mw * generator_share(ready, t_s, dt_s);
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
        double x = min_of(st[j].avail_mw, want - got);
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
        /* (a full battery has no room: want <= 0 below) */
        if (sp->type != SUPPLY_BATTERY || s->used_mw > 0 || !s->online ||
            sp->energy_mwh - s->soc_mwh <= 0)
            continue;
        double eta = battery_eta(sp, s);
        double room_mw = (sp->energy_mwh - s->soc_mwh) / (eta * dt_h);
        double want = min_of(sp->power_mw, room_mw);
        if (want <= 0)
            continue;
        double got = 0;
        for (int pass = 0; pass < 2 && want - got > 0; pass++) {
            enum supply_type from = pass == 0 ? SUPPLY_REACTOR : SUPPLY_GRID;
            for (size_t i = 0; i < site->n_supplies && want - got > 0; i++) {
                if (site->supplies[i].type != from)
                    continue;
                double spare = st[i].avail_mw - st[i].used_mw;
                double x = min_of(spare, want - got);
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
            /* idle (used_mw = ±0): the charge stays as it is */
            if (s->used_mw > 0) {
                s->soc_mwh -= s->used_mw * dt_h / battery_eta(sp, s);
                out->cost_usd += s->used_mw * dt_h * sp->price_usd_per_mwh;
            } else if (s->used_mw < 0) {
                s->soc_mwh -= s->used_mw * dt_h * battery_eta(sp, s);
            }
            s->soc_mwh = min_of(sp->energy_mwh, max_of(0.0, s->soc_mwh));
            out->battery_mw += s->used_mw;
            out->battery_soc_mwh += s->soc_mwh;
            break;
        }
        }
    }
}
