/* site_step.c — one site, one step (see site_step.h). */
#include "site_step.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cachealign.h"
#include "cooling.h"
#include "electrical.h"
#include "it_load.h"
#include "loop_thermal.h"
#include "streams.h"
#include "timefmt.h"

/* Root finding of "facility power = supply": relative tolerance on the served fraction. */
#define SHED_FRACTION_TOL 1e-12
#define SHED_MAX_ITER 200
/* Relative (and MW) slack by which firm supply must exceed the full load's facility power
 * for the load with the flexible pools shed (at most as large, up to rounding) to be left
 * unevaluated: far above rounding (1e-16), far below any load. */
#define NO_FLEX_SLACK 1e-9
/* Inference pools' power by step of the local day: at most this many values per site. */
#define SITE_DAY_TABLE_MAX_VALUES (1 << 21)

static int pool_class(const struct it_pool *p)
{
    if (p->rack.liquid_fraction >= 1.0)
        return POOL_LIQUID;
    return p->rack.liquid_fraction > 0 ? POOL_MIXED : POOL_AIR;
}

/* The pools' constants. A pool whose utilization depends on nothing (mining, constant,
 * training without checkpoints or swings) keeps its power; an inference pool's depends only
 * on the local time of day, which takes SECONDS_PER_DAY / timestep values over the steps of
 * a run when the timestep divides the day: those are tabulated, when the run has more steps
 * than that. The values are the ones site_step would compute. */
static int site_pools_init(struct site_state *ss, const struct scenario *sc)
{
    const struct site *site = ss->site;
    ss->pools = calloc(site->n_pools ? site->n_pools : 1, sizeof *ss->pools);
    if (!ss->pools)
        return DCSIM_ENOMEM;
    int64_t dt = sc->timestep_s;
    int64_t slots = dt > 0 && SECONDS_PER_DAY % dt == 0 ? SECONDS_PER_DAY / dt : 0;
    size_t n_day = 0;
    for (size_t i = 0; i < site->n_pools; i++)
        n_day += site->pools[i].workload == WORKLOAD_INFERENCE;
    int trials = sc->trials > 1 ? sc->trials : 1;
    int tabulate = slots > 0 && (double)slots < (double)sc->steps * trials &&
                   (double)n_day * (double)slots <= SITE_DAY_TABLE_MAX_VALUES;
    /* local time (s into the day) of step 0, modulo the timestep */
    int64_t phase = (sc->start_unix_s + ss->utc_offset_s) % (dt > 0 ? dt : 1);
    if (phase < 0)
        phase += dt;
    if (tabulate && n_day) {
        int64_t local0 = (sc->start_unix_s + ss->utc_offset_s) % SECONDS_PER_DAY;
        ss->day_slots = slots;
        ss->slot0 = (local0 < 0 ? local0 + SECONDS_PER_DAY : local0) / dt;
    }
    for (size_t i = 0; i < site->n_pools; i++) {
        const struct it_pool *p = &site->pools[i];
        struct site_pool *sp = &ss->pools[i];
        sp->online_s = p->online_s;
        sp->offline_s = p->offline_s;
        sp->k = p->flexible ? LOAD_FLEX : LOAD_FIRM;
        sp->c = pool_class(p);
        sp->liquid_fraction = p->rack.liquid_fraction;
        sp->ups = p->ups;
        sp->nameplate_mw = it_pool_nameplate_mw(p);
        sp->shape = SITE_POOL_STEP;
        int shaped = (p->swing_period_s > 0 && p->swing_amplitude > 0) ||
                     p->checkpoint_every_s > 0;
        if (p->workload == WORKLOAD_MINING || p->workload == WORKLOAD_CONSTANT ||
            (p->workload == WORKLOAD_TRAINING && !shaped)) {
            sp->shape = SITE_POOL_CONSTANT;
            sp->mw = it_pool_power_mw(p, it_pool_utilization(p, 0, dt > 0 ? dt : 1, 0.0));
        } else if (p->workload == WORKLOAD_INFERENCE && tabulate) {
            if (!(sp->day_mw = malloc((size_t)slots * sizeof *sp->day_mw)))
                return DCSIM_ENOMEM;
            for (int64_t j = 0; j < slots; j++) {
                double local_h = (double)(j * dt + phase) / 3600.0;
                sp->day_mw[j] = it_pool_power_mw(p, it_pool_utilization(p, 0, dt, local_h));
            }
            sp->shape = SITE_POOL_DAY;
        }
    }
    ss->pools_constant = 1;
    ss->pools_by_slot = ss->day_slots > 0 && ss->day_slots <= SITE_SLOT_LOADS_MAX;
    for (size_t i = 0; i < site->n_pools; i++) {
        ss->pools_constant &= ss->pools[i].shape == SITE_POOL_CONSTANT;
        ss->pools_by_slot &= ss->pools[i].shape != SITE_POOL_STEP;
    }
    for (size_t e = 0; e < site->n_events; e++)
        ss->cooling_losses |= site->events[e].type == EVENT_COOLING_LOSS;
    if (!(ss->dc_supplies = malloc((site->n_supplies + 1) * sizeof *ss->dc_supplies)))
        return DCSIM_ENOMEM;
    for (size_t j = 0; j < site->n_supplies; j++)
        if (site->supplies[j].type == SUPPLY_GRID &&
            site->supplies[j].demand_charge_usd_per_kw_month > 0)
            ss->dc_supplies[ss->demand_charges++] = j;
    return 0;
}

uint64_t site_stream_key(uint64_t seed, int trial, const char *site_id)
{
    return stream_key(seed + (uint64_t)trial, site_id);
}

/* The key of the synthetic climate's year of one trial: anomalies keyed by
 * (seed + trial, site id), extended by "weather". */
static uint64_t climate_key(const struct site_state *ss, int trial)
{
    return stream_key(site_stream_key(ss->sc->seed, trial, ss->site->id), "weather");
}

/* The synthetic climate's year of one trial, built here. */
static int climate_for_trial(const struct site_state *ss, int trial, struct weather **out)
{
    const struct scenario *sc = ss->sc;
    return weather_create_climate(&ss->site->climate, sc->start_unix_s, sc->duration_s,
                                  climate_key(ss, trial), out);
}

/* The cached year of the site's climate in `trial`, or of EPW file `w`: *year borrowed from
 * the cache, or own (*own_year set) when the cache is full. */
static int cached_year(const struct site_state *ss, int trial, size_t w,
                       const struct weather_year **year, struct weather_year **own_year,
                       struct diag *d)
{
    const struct scenario *sc = ss->sc;
    struct weather_key key = {.start_unix_s = sc->start_unix_s, .duration_s = sc->duration_s,
                              .timestep_s = sc->timestep_s, .steps = sc->steps};
    if (ss->site->weather_source == WEATHER_CLIMATE) {
        key.climate = &ss->site->climate;
        key.stream_key = climate_key(ss, trial);
    } else {
        key.epw_path = ss->site->epw_paths[w];
    }
    int owned = 0;
    int rc = weather_cache_get(ss->cache, &key, year, &owned, d);
    *own_year = !rc && owned ? (struct weather_year *)*year : NULL;
    return rc;
}

/* Fills one shared weather: the supply prototype made with it and, with several trials,
 * its table of every step. */
static int site_weather_fill(struct site_weather *sw, const struct scenario *sc,
                             const struct site *site)
{
    if (sc->trials > 1 && sc->steps <= SITE_WEATHER_CACHE_MAX_STEPS) {
        sw->own_drybulb_c = malloc((size_t)sc->steps * sizeof *sw->own_drybulb_c);
        sw->own_wetbulb_c = malloc((size_t)sc->steps * sizeof *sw->own_wetbulb_c);
        if (!sw->own_drybulb_c || !sw->own_wetbulb_c)
            return DCSIM_ENOMEM;
        for (int64_t k = 0; k < sc->steps; k++)
            weather_at(sw->weather, k * sc->timestep_s, &sw->own_drybulb_c[k],
                       &sw->own_wetbulb_c[k]);
        sw->drybulb_c = sw->own_drybulb_c;
        sw->wetbulb_c = sw->own_wetbulb_c;
    }
    return supply_states_create(site, sw->weather, sc->duration_s, &sw->supplies);
}

/* A grid with a curtailment calendar: trials rank their year's hours. */
static int site_ranks_hours(const struct site *site)
{
    for (size_t j = 0; j < site->n_supplies; j++)
        if (site->supplies[j].type == SUPPLY_GRID && site->supplies[j].curtail_hours_per_year > 0)
            return 1;
    return 0;
}

/* What the trials' years of a synthetic climate share (from trial 0's year `w`): the
 * climate's parts at every step (when a table of the steps is small enough) and at the
 * middle of every hour (when a grid ranks them). */
static int trial_parts_init(struct site_state *ss, struct site_weather *sw)
{
    const struct scenario *sc = ss->sc;
    const struct weather *w = sw->weather;
    int rc = 0;
    if (sc->steps <= SITE_WEATHER_CACHE_MAX_STEPS) {
        rc = weather_parts_create(w, 0, sc->timestep_s, sc->steps, 1, &ss->trial_steps);
        /* trial 0's table too */
        size_t n = (size_t)(sc->steps > 0 ? sc->steps : 1);
        if (!rc && (!(sw->own_drybulb_c = malloc(n * sizeof *sw->own_drybulb_c)) ||
                    !(sw->own_wetbulb_c = malloc(n * sizeof *sw->own_wetbulb_c))))
            rc = DCSIM_ENOMEM;
        if (!rc)
            rc = weather_parts_fill(w, ss->trial_steps, sw->own_drybulb_c, sw->own_wetbulb_c);
        if (!rc) {
            sw->drybulb_c = sw->own_drybulb_c;
            sw->wetbulb_c = sw->own_wetbulb_c;
        }
    }
    if (!rc && site_ranks_hours(ss->site)) {
        int64_t n_hours = (sc->duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR;
        rc = weather_parts_create(w, SECONDS_PER_HOUR / 2, SECONDS_PER_HOUR, n_hours, 0,
                                  &ss->trial_hours);
    }
    return rc;
}

/* Whether the site's physics reads the wet bulb: an open cooling tower's capacity and
 * evaporation do; nothing else does (the series show it, but only trial 0 writes them). */
static int site_reads_wetbulb(const struct site *site)
{
    return site->liquid.present && site->liquid.rejection == REJECT_COOLING_TOWER;
}

/* Trial `trial`'s year of the site's climate (no cache): drawn like trial 0's, its table of
 * the steps from the shared parts, and its supplies with the curtailment calendar ranked on
 * it. */
static int trial_year(struct site_run *run, const struct site_state *ss, int trial)
{
    const struct scenario *sc = ss->sc;
    int rc = weather_create_climate_like(ss->weathers[0].weather, climate_key(ss, trial),
                                         &run->own_weather);
    if (rc)
        return rc;
    run->weather = run->own_weather;
    if (ss->trial_steps) {
        size_t n = (size_t)(sc->steps > 0 ? sc->steps : 1);
        run->own_drybulb_c = malloc(n * sizeof *run->own_drybulb_c);
        run->own_wetbulb_c = malloc(n * sizeof *run->own_wetbulb_c);
        if (!run->own_drybulb_c || !run->own_wetbulb_c)
            return DCSIM_ENOMEM;
        /* A trial after the first writes no series, and only an open cooling tower reads
         * the wet bulb (dry coolers, chillers and the air side go by the dry bulb): without
         * one, the Stull wet bulb of every step (most of a trial's weather) is not needed. */
        int wet = site_reads_wetbulb(ss->site);
        if ((rc = weather_parts_fill(run->own_weather, ss->trial_steps, run->own_drybulb_c,
                                     wet ? run->own_wetbulb_c : NULL)))
            return rc;
        for (size_t k = 0; !wet && k < n; k++)
            run->own_wetbulb_c[k] = NAN;
        run->drybulb_c = run->own_drybulb_c;
        run->wetbulb_c = run->own_wetbulb_c;
    }
    if (!ss->trial_hours)
        return supply_states_create(ss->site, run->own_weather, sc->duration_s, &run->supplies);
    int64_t n_hours = (sc->duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR;
    size_t m = (size_t)(n_hours > 0 ? n_hours : 1);
    double *db = malloc(m * sizeof *db);
    int32_t *ranked = malloc(m * sizeof *ranked);
    rc = db && ranked ? weather_parts_fill(run->own_weather, ss->trial_hours, db, NULL)
                      : DCSIM_ENOMEM;
    if (!rc)
        rc = weather_rank_drybulbs(db, n_hours, ranked);
    if (!rc)
        rc = supply_states_create_ranked(ss->site, run->own_weather, ranked, sc->duration_s,
                                         &run->supplies);
    free(db);
    free(ranked);
    return rc;
}

int site_state_init(struct site_state *ss, const struct scenario *sc, size_t index,
                    struct weather_cache *cache, struct diag *d)
{
    memset(ss, 0, sizeof *ss);
    const struct site *site = &sc->sites[index];
    ss->site = site;
    ss->sc = sc;
    ss->start_unix_s = sc->start_unix_s;
    ss->timestep_s = sc->timestep_s;
    ss->steps = sc->steps;
    ss->n_weathers = site->weather_source == WEATHER_EPW ? site->n_epw_paths : 1;
    ss->weather_per_trial = site->weather_source == WEATHER_CLIMATE;
    ss->cache = site->weather_source == WEATHER_CONSTANT ? NULL : cache;
    ss->weathers = calloc(ss->n_weathers, sizeof *ss->weathers);
    if (!ss->weathers)
        return DCSIM_ENOMEM;
    int rc = 0;
    for (size_t w = 0; w < ss->n_weathers && !rc; w++) {
        struct site_weather *sw = &ss->weathers[w];
        if (ss->cache) {
            /* a shared year: tables and the hours' ranking come with it */
            const struct weather_year *y = NULL;
            if (!(rc = cached_year(ss, 0, w, &y, &sw->own_year, d))) {
                sw->weather = y->weather;
                sw->drybulb_c = y->drybulb_c;
                sw->wetbulb_c = y->wetbulb_c;
                rc = supply_states_create_ranked(site, y->weather, y->ranked_hours,
                                                 sc->duration_s, &sw->supplies);
            }
            continue;
        }
        switch (site->weather_source) {
        case WEATHER_CONSTANT:
            rc = weather_create_constant(site->constant_drybulb_c, site->constant_wetbulb_c,
                                         &sw->own_weather);
            break;
        case WEATHER_EPW:
            rc = weather_create_epw(site->epw_paths[w], sc->start_unix_s, &sw->own_weather, d);
            break;
        default:
            rc = climate_for_trial(ss, 0, &sw->own_weather);
            break;
        }
        sw->weather = sw->own_weather;
        /* a climate's table serves trial 0 only: other trials draw their own years */
        if (!rc && !(ss->weather_per_trial && sc->trials > 1))
            rc = site_weather_fill(sw, sc, site);
        else if (!rc)
            rc = supply_states_create(site, sw->weather, sc->duration_s, &sw->supplies);
        if (!rc && ss->weather_per_trial && sc->trials > 1)
            rc = trial_parts_init(ss, sw);
    }
    if (rc) {
        site_state_release(ss);
        return rc;
    }
    ss->utc_offset_h = weather_utc_offset_h(ss->weathers[0].weather);
    ss->utc_offset_s = (int64_t)llround(ss->utc_offset_h * 3600.0);
    ss->loop_limit_c = INFINITY;
    for (size_t i = 0; i < site->n_pools; i++)
        if (site->pools[i].rack.liquid_fraction > 0)
            ss->loop_limit_c = fmin(ss->loop_limit_c, site->pools[i].rack.coolant_max_c);
    if ((rc = site_pools_init(ss, sc)))
        site_state_release(ss);
    return rc;
}

void site_state_release(struct site_state *ss)
{
    if (!ss || !ss->site)
        return;
    for (size_t w = 0; ss->weathers && w < ss->n_weathers; w++) {
        struct site_weather *sw = &ss->weathers[w];
        weather_destroy(sw->own_weather);
        weather_year_free(sw->own_year);
        supply_states_destroy(sw->supplies, ss->site->n_supplies);
        free(sw->own_drybulb_c);
        free(sw->own_wetbulb_c);
    }
    free(ss->weathers);
    weather_parts_destroy(ss->trial_steps);
    weather_parts_destroy(ss->trial_hours);
    for (size_t i = 0; ss->pools && i < ss->site->n_pools; i++)
        free(ss->pools[i].day_mw);
    free(ss->pools);
    free(ss->dc_supplies);
    memset(ss, 0, sizeof *ss);
}

int site_run_init(struct site_run *run, const struct site_state *ss, int trial)
{
    memset(run, 0, sizeof *run);
    run->ss = ss;
    run->loop_c = ss->site->liquid.supply_c;
    run->shortfall_start_s = -1;
    run->ride_through_s = NAN;
    run->next_slot = ss->slot0;
    const struct scenario *sc = ss->sc;
    uint64_t key = site_stream_key(sc->seed, trial, ss->site->id);
    int rc = 0;
    if (ss->weather_per_trial && trial > 0 && ss->cache) {
        /* the trial's year from the cache, with its table and ranked hours */
        const struct weather_year *y = NULL;
        struct diag d;
        diag_init(&d);
        if (!(rc = cached_year(ss, trial, 0, &y, &run->own_year, &d))) {
            run->weather = y->weather;
            run->drybulb_c = y->drybulb_c;
            run->wetbulb_c = y->wetbulb_c;
            rc = supply_states_create_ranked(ss->site, y->weather, y->ranked_hours,
                                             sc->duration_s, &run->supplies);
        }
        diag_release(&d);
    } else if (ss->weather_per_trial && trial > 0) {
        /* a year of its own, and the curtailment calendar ranked on it */
        rc = trial_year(run, ss, trial);
    } else {
        size_t w = 0;
        if (ss->n_weathers > 1)   /* a year sampled from the list */
            w = (size_t)(stream_key(key, "weather-year") % ss->n_weathers);
        const struct site_weather *sw = &ss->weathers[w];
        run->weather = sw->weather;
        run->drybulb_c = sw->drybulb_c;
        run->wetbulb_c = sw->wetbulb_c;
        rc = supply_states_clone(ss->site, sw->supplies, &run->supplies);
    }
    if (!rc)
        rc = supply_states_draw_outages(ss->site, run->supplies, sc->duration_s, key);
    if (!rc && !(run->pool_mw = aligned_calloc(ss->site->n_pools + 1, sizeof *run->pool_mw)))
        rc = DCSIM_ENOMEM;
    run->slot_epoch = 1;   /* the zeroed entries (epoch 0) are stale */
    if (!rc && ss->site->liquid.present &&
        !(run->liquid_at = aligned_calloc(1, sizeof *run->liquid_at)))
        rc = DCSIM_ENOMEM;
    if (!rc && ss->pools_by_slot &&
        !(run->slot_loads = aligned_calloc((size_t)ss->day_slots, sizeof *run->slot_loads)))
        rc = DCSIM_ENOMEM;
    if (rc)
        site_run_release(run);
    return rc;
}

int site_extra_columns(const struct site *site)
{
    int n = SITE_POOL_COLUMNS * (int)site->n_pools;
    for (size_t j = 0; j < site->n_supplies; j++)
        n += site->supplies[j].type == SUPPLY_BATTERY ? 3 : 2;
    return n;
}

void site_run_release(struct site_run *run)
{
    if (!run || !run->ss)
        return;
    supply_states_destroy(run->supplies, run->ss->site->n_supplies);
    weather_destroy(run->own_weather);
    weather_year_free(run->own_year);
    free(run->own_drybulb_c);
    free(run->own_wetbulb_c);
    free(run->pool_mw);
    free(run->slot_loads);
    free(run->liquid_at);
    memset(run, 0, sizeof *run);
}

int site_run_save(const struct site_run *run, struct site_run_saved *out)
{
    memset(out, 0, sizeof *out);
    const struct site *site = run->ss->site;
    out->loop_c = run->loop_c;
    out->ride_through_s = run->ride_through_s;
    out->shortfall_start_s = run->shortfall_start_s;
    out->dc_month = run->dc_month;
    out->dc_month_from_s = run->dc_month_from_s;
    out->dc_month_until_s = run->dc_month_until_s;
    size_t n = site->n_supplies, lists = 0;
    for (size_t j = 0; j < n; j++)
        lists += (size_t)run->supplies[j].n_outage_lists;
    out->supplies = malloc((n ? n : 1) * sizeof *out->supplies);
    out->types = malloc((n ? n : 1) * sizeof *out->types);
    out->outage_n = malloc((lists ? lists : 1) * sizeof *out->outage_n);
    out->outage_next = malloc((lists ? lists : 1) * sizeof *out->outage_next);
    if (!out->supplies || !out->types || !out->outage_n || !out->outage_next) {
        site_run_saved_release(out);
        return DCSIM_ENOMEM;
    }
    out->n_supplies = n;
    out->n_outage_lists = lists;
    size_t l = 0;
    for (size_t j = 0; j < n; j++) {
        const struct supply_state *st = &run->supplies[j];
        out->supplies[j] = *st;
        out->supplies[j].curtailed = NULL;   /* the run's: not the saved state's to keep */
        out->supplies[j].outages = NULL;
        out->types[j] = (int)site->supplies[j].type;
        for (int u = 0; u < st->n_outage_lists; u++, l++) {
            out->outage_n[l] = st->outages[u].n;
            out->outage_next[l] = st->outages[u].next;
        }
    }
    return 0;
}

int site_run_restore(struct site_run *run, const struct site_run_saved *in)
{
    const struct site *site = run->ss->site;
    if (site->n_supplies != in->n_supplies)
        return DCSIM_EINTERNAL;
    size_t l = 0;
    for (size_t j = 0; j < in->n_supplies; j++) {
        const struct supply_state *st = &run->supplies[j];
        if ((int)site->supplies[j].type != in->types[j] ||
            st->n_outage_lists != in->supplies[j].n_outage_lists ||
            st->n_hours != in->supplies[j].n_hours)
            return DCSIM_EINTERNAL;
        for (int u = 0; u < st->n_outage_lists; u++, l++)
            if (l >= in->n_outage_lists || st->outages[u].n != in->outage_n[l])
                return DCSIM_EINTERNAL;
    }
    run->loop_c = in->loop_c;
    run->ride_through_s = in->ride_through_s;
    run->shortfall_start_s = in->shortfall_start_s;
    run->dc_month = in->dc_month;
    run->dc_month_from_s = in->dc_month_from_s;
    run->dc_month_until_s = in->dc_month_until_s;
    l = 0;
    for (size_t j = 0; j < in->n_supplies; j++) {
        struct supply_state *st = &run->supplies[j];
        /* the values, but the run's own calendar and outage lists (the same, drawn alike) */
        unsigned char *curtailed = st->curtailed;
        int owns_curtailed = st->owns_curtailed;
        struct outage_list *outages = st->outages;
        *st = in->supplies[j];
        st->curtailed = curtailed;
        st->owns_curtailed = owns_curtailed;
        st->outages = outages;
        for (int u = 0; u < st->n_outage_lists; u++, l++)
            st->outages[u].next = in->outage_next[l];
    }
    return 0;
}

void site_run_saved_release(struct site_run_saved *s)
{
    if (!s)
        return;
    free(s->supplies);
    free(s->types);
    free(s->outage_n);
    free(s->outage_next);
    memset(s, 0, sizeof *s);
}

/* The cooling's part that depends on the weather, into l->at (once per span: every load
 * the span evaluates shares it). */
static void cooling_weather(struct step_load *l, const struct cooling_liquid *liquid,
                            const struct cooling_air *air)
{
    if (liquid->present && l->liquid_at && liquid == &l->site->liquid)
        cooling_at_from_n(l->liquid_at, l->liquid_at_i, &l->at);
    else if (liquid->present)
        cooling_liquid_at(liquid, l->drybulb_c, l->wetbulb_c, &l->at);
    if (air->present)
        cooling_air_at(air, l->drybulb_c, &l->at);
}

/* The rest of load_eval once the shares kept (k*) are known; always inline (gcc otherwise
 * makes it a function of its own when load_eval has several callers), and called with
 * literal 1.0s when nothing is throttled, so the compiler drops those products (x·1 is x). */
__attribute__((always_inline)) static inline void
load_served(const struct step_load *l, const struct cooling_liquid *liquid,
            const struct cooling_air *air, double s_flex, double s_firm,
            const double p[2][N_POOL_CLASSES], const double q[2][2], double kl0, double kl1,
            double ka0, double ka1, struct load_eval *e)
{
    double pL0 = p[0][POOL_LIQUID], pM0 = p[0][POOL_MIXED], pA0 = p[0][POOL_AIR];
    double pL1 = p[1][POOL_LIQUID], pM1 = p[1][POOL_MIXED], pA1 = p[1][POOL_AIR];
    double qL0 = q[0][POOL_LIQUID], qM0 = q[0][POOL_MIXED];
    double qL1 = q[1][POOL_LIQUID], qM1 = q[1][POOL_MIXED];
    double qa0 = kl0 * (pM0 - qM0) + pA0, qa1 = kl1 * (pM1 - qM1) + pA1;
    double after_liquid = (kl0 * (pL0 + pM0) + pA0) + (kl1 * (pL1 + pM1) + pA1);
    double served0 = kl0 * pL0 + kl0 * ka0 * pM0 + ka0 * pA0;
    double served1 = kl1 * pL1 + kl1 * ka1 * pM1 + ka1 * pA1;
    e->it_served_mw[0] = served0;
    e->it_served_mw[1] = served1;
    e->keep[0][POOL_LIQUID] = kl0;
    e->keep[0][POOL_MIXED] = kl0 * ka0;
    e->keep[0][POOL_AIR] = ka0;
    e->keep[1][POOL_LIQUID] = kl1;
    e->keep[1][POOL_MIXED] = kl1 * ka1;
    e->keep[1][POOL_AIR] = ka1;
    double it_total = served0 + served1;
    double liquid_out = (kl0 * qL0 + kl0 * ka0 * qM0) + (kl1 * qL1 + kl1 * ka1 * qM1);
    double air_out = ka0 * qa0 + ka1 * qa1;
    struct cooling_power cp = {0};
    if (liquid->present)
        cooling_liquid_power_w(liquid, &l->at, liquid_out, l->drybulb_c, l->wetbulb_c,
                               (double)l->dt_s, l->evap_kg_per_mj, &cp);
    if (air->present)
        cooling_air_power_w(air, &l->at, air_out, &cp);
    e->heat_liquid_mw = liquid_out;
    e->throttle_air_mw = after_liquid - it_total;
    e->cooling_mw = cp.pump_mw + cp.fan_mw + cp.chiller_mw + cp.air_fan_mw + cp.air_chiller_mw;
    e->water_m3 = cp.water_m3;
    /* the IT fed directly, not through the UPS (miners by default) */
    const double (*dm)[N_POOL_CLASSES] = l->direct_mw;
    double direct = s_firm * (kl0 * dm[0][POOL_LIQUID] + kl0 * ka0 * dm[0][POOL_MIXED] +
                              ka0 * dm[0][POOL_AIR]) +
                    s_flex * (kl1 * dm[1][POOL_LIQUID] + kl1 * ka1 * dm[1][POOL_MIXED] +
                              ka1 * dm[1][POOL_AIR]);
    struct electrical_power ep;
    electrical_facility_ups_i(&l->site->electrical, it_total, it_total - direct, e->cooling_mw,
                              &ep);
    e->facility_mw = ep.facility_mw;
    e->misc_mw = ep.misc_mw;
    e->losses_mw = ep.losses_mw;
}

/* step_load_eval with the loops resolved: inline, for the step and the root finding.
 * Written out per term (firm: 0, flexible: 1; liquid L, mixed M, air A) in the order of the
 * sums over [firm/flex][class] it stands for: gcc's vectorisation of those small arrays
 * stalled on store forwarding. Every term is >= 0 (no negative zeros), so sums that started
 * from 0 start from their first term. */
static inline void load_eval(const struct step_load *l, const struct cooling_liquid *liquid,
                             const struct cooling_air *air, double s_flex, double s_firm,
                             struct load_eval *e)
{
    const double (*it)[N_POOL_CLASSES] = l->it_mw, (*hl)[N_POOL_CLASSES] = l->heat_liquid_mw;
    double pL0 = s_firm * it[0][POOL_LIQUID], pM0 = s_firm * it[0][POOL_MIXED],
           pA0 = s_firm * it[0][POOL_AIR];
    double pL1 = s_flex * it[1][POOL_LIQUID], pM1 = s_flex * it[1][POOL_MIXED],
           pA1 = s_flex * it[1][POOL_AIR];
    double qL0 = s_firm * hl[0][POOL_LIQUID], qM0 = s_firm * hl[0][POOL_MIXED];
    double qL1 = s_flex * hl[1][POOL_LIQUID], qM1 = s_flex * hl[1][POOL_MIXED];
    e->it_load_mw[0] = pL0 + pM0 + pA0;
    e->it_load_mw[1] = pL1 + pM1 + pA1;
    /* Liquid heat beyond what the loop can reject throttles first the flexible pools with
     * liquid heat, then the firm ones, each class in proportion; then air heat beyond the air
     * side throttles the flexible pools with air heat, then the firm ones. k*: the share of a
     * class's load kept (0: firm, 1: flexible; l: by the liquid loop, a: by the air side). */
    double ql0 = qL0 + qM0, ql1 = qL1 + qM1;
    double over_l = ql0 + ql1 - l->cap_liquid_mw;
    double kl1 = 1.0, kl0 = 1.0;
    if (over_l > 0) {
        kl1 = ql1 > over_l ? 1.0 - over_l / ql1 : 0.0;
        double rest = over_l - (ql1 - kl1 * ql1);
        kl0 = rest > 0 && ql0 > 0 ? (ql0 > rest ? 1.0 - rest / ql0 : 0.0) : 1.0;
    }
    double qa0 = kl0 * (pM0 - qM0) + pA0, qa1 = kl1 * (pM1 - qM1) + pA1;
    double over_a = qa0 + qa1 - l->cap_air_mw;
    double ka1 = 1.0, ka0 = 1.0;
    if (over_a > 0) {
        ka1 = qa1 > over_a ? 1.0 - over_a / qa1 : 0.0;
        double rest = over_a - (qa1 - ka1 * qa1);
        ka0 = rest > 0 && qa0 > 0 ? (qa0 > rest ? 1.0 - rest / qa0 : 0.0) : 1.0;
    }
    const double p[2][N_POOL_CLASSES] = {{pL0, pM0, pA0}, {pL1, pM1, pA1}};
    const double q[2][2] = {{qL0, qM0}, {qL1, qM1}};
    if (kl0 == 1.0 && kl1 == 1.0 && ka0 == 1.0 && ka1 == 1.0)   /* nothing throttled */
        load_served(l, liquid, air, s_flex, s_firm, p, q, 1.0, 1.0, 1.0, 1.0, e);
    else
        load_served(l, liquid, air, s_flex, s_firm, p, q, kl0, kl1, ka0, ka1, e);
}

void step_load_eval(const struct step_load *l, double s_flex, double s_firm, struct load_eval *e)
{
    struct step_load own = *l;
    own.evap_kg_per_mj = NAN;   /* callers outside the step set no evaporation */
    const struct cooling_liquid *liquid = l->liquid ? l->liquid : &l->site->liquid;
    const struct cooling_air *air = l->air ? l->air : &l->site->air;
    cooling_weather(&own, liquid, air);
    load_eval(&own, liquid, air, s_flex, s_firm, e);
}

static inline uint64_t double_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* The root finding of the shed (or curtailed) fraction. Facility power is close to linear in
 * the fraction: the IT and its electrical losses are linear, and so are pumps, chillers and
 * the air side in the heat; only the dry coolers' fans (cubic) and throttling bend it. So
 * the secant through the last two points (at first the line between the loads at 0 and 1)
 * lands next to the root at once and then converges superlinearly. The bracket [lo, hi]
 * (gap <= 0 at lo, > 0 at hi) is kept exactly: each point replaces the end of its sign, so
 * lo always fits when the bracket is closed (Brent's lower end could sit on either side and
 * needed stepping down; this one never does). A point is kept SHED_EDGE inside the bracket:
 * once the secant sits next to one end, the next point lands that close on the other side
 * of the root and closes the bracket to less than SHED_FRACTION_TOL. Where the secant leaves
 * the bracket, the bracket's own line (regula falsi) is used; after SHED_SECANT_ITER points
 * it bisects, which closes any bracket within ~40 more. */
#define SHED_EDGE (0.25 * SHED_FRACTION_TOL)
#define SHED_SECANT_ITER 12

struct shed_solve {
    const struct step_load *l;
    const struct cooling_liquid *liquid;
    const struct cooling_air *air;
    int vary_flex;              /* 1: vary s_flex with firm at 1; 0: vary s_firm, flex at 0 */
};

static inline void shed_eval(const struct shed_solve *s, double x, struct load_eval *e)
{
    load_eval(s->l, s->liquid, s->air, s->vary_flex ? x : 0.0, s->vary_flex ? 1.0 : x, e);
}

/* The next point inside (lo, hi): the secant through (x0, g0), (x1, g1), else the bracket's
 * line, or its middle after SHED_SECANT_ITER points; SHED_EDGE from either end. */
static inline double shed_next(int i, double x0, double g0, double x1, double g1, double lo,
                               double g_lo, double hi, double g_hi)
{
    double x = x1 - g1 * (x1 - x0) / (g1 - g0);
    if (i >= SHED_SECANT_ITER)
        x = 0.5 * (lo + hi);
    else if (!(x > lo && x < hi))   /* NaN too */
        x = lo - g_lo * (hi - lo) / (g_hi - g_lo);
    if (!(x >= lo + SHED_EDGE))
        x = lo + SHED_EDGE;
    if (!(x <= hi - SHED_EDGE))
        x = hi - SHED_EDGE;
    return x;
}

/* Largest fraction in [0, 1] whose facility power does not exceed the supply, to within
 * SHED_FRACTION_TOL, given that the gap is negative or zero at 0 and positive at 1 (facility
 * power rises with load), and the load there into *e. at0: the load at 0 when known, or
 * NULL; at1: the load at 1. */
static int solve_fraction(const struct step_load *l, int vary_flex, double supply_mw,
                          const struct load_eval *at0, const struct load_eval *at1, double *out,
                          struct load_eval *e)
{
    struct shed_solve s = {l, l->liquid ? l->liquid : &l->site->liquid,
                           l->air ? l->air : &l->site->air, vary_flex};
    struct load_eval zero, own[2];   /* not zero-initialised: they are large */
    if (!at0) {
        shed_eval(&s, 0.0, &zero);
        at0 = &zero;
    }
    double lo = 0.0, g_lo = at0->facility_mw - supply_mw;
    double hi = 1.0, g_hi = at1->facility_mw - supply_mw;
    if (!(g_lo <= 0 && g_hi > 0))
        return DCSIM_ENUMERIC;
    const struct load_eval *e_lo = at0;
    double x0 = lo, g0 = g_lo, x1 = hi, g1 = g_hi;   /* the secant's points */
    int spare = 0;                                   /* own[] the next point goes into */
    for (int i = 0; hi - lo >= SHED_FRACTION_TOL; i++) {
        if (i == SHED_MAX_ITER)
            return DCSIM_ENUMERIC;
        double x = shed_next(i, x0, g0, x1, g1, lo, g_lo, hi, g_hi);
        shed_eval(&s, x, &own[spare]);
        double g = own[spare].facility_mw - supply_mw;
        if (isnan(g))
            return DCSIM_ENUMERIC;
        x0 = x1;
        g0 = g1;
        x1 = x;
        g1 = g;
        if (g <= 0) {
            lo = x;
            g_lo = g;
            e_lo = &own[spare];
            spare ^= 1;
        } else {
            hi = x;
            g_hi = g;
        }
    }
    *out = lo;
    *e = *e_lo;
    return 0;
}

int step_load_solve(const struct step_load *l, int vary_flex, double supply_mw,
                    double *fraction, struct load_eval *e)
{
    struct step_load own = *l;
    own.evap_kg_per_mj = NAN;   /* as step_load_eval */
    own.liquid = l->liquid ? l->liquid : &l->site->liquid;
    own.air = l->air ? l->air : &l->site->air;
    cooling_weather(&own, own.liquid, own.air);
    struct shed_solve s = {&own, own.liquid, own.air, vary_flex};
    struct load_eval at1;
    shed_eval(&s, 1.0, &at1);
    return solve_fraction(&own, vary_flex, supply_mw, NULL, &at1, fraction, e);
}

/* Share of a loop's capacity lost to scripted cooling_loss events at the instant t, 0..1;
 * *next gets the next edge of such an event after t. */
static double cooling_loss_at(const struct site *site, int liquid, int64_t t, int64_t *next)
{
    double lost = 0;
    for (size_t e = 0; e < site->n_events && site->events[e].start_s < *next; e++) {
        const struct event *ev = &site->events[e];
        if (ev->type != EVENT_COOLING_LOSS || ev->loop_liquid != liquid || ev->end_s <= t)
            continue;
        if (ev->start_s > t) {
            *next = ev->start_s < *next ? ev->start_s : *next;
            continue;
        }
        lost += ev->fraction;
        *next = ev->end_s < *next ? ev->end_s : *next;
    }
    return fmin(1.0, lost);
}

/* Liquid heat the loop lets the racks put in over the step (the throttle limit), MW, and
 * the loop's own step when it has thermal mass. cap_now_mw: what the loop rejects at its
 * setpoint now (cooling_liquid_capacity_mw of l->liquid). */
static int liquid_limit(struct site_run *run, const struct step_load *l, double heat_in_mw,
                        double available, double cap_now_mw, struct loop_step *ls,
                        double *cap_mw)
{
    const struct site *site = run->ss->site;
    if (!site->liquid.present) {
        *cap_mw = INFINITY;
        return 0;
    }
    if (site->liquid.volume_m3 <= 0) {
        *cap_mw = cap_now_mw;
        return 0;
    }
    double limit_c = run->ss->loop_limit_c;
    int rc = loop_integrate(&site->liquid, run->loop_c, heat_in_mw, l->drybulb_c, l->wetbulb_c,
                            available, limit_c, (double)l->dt_s, ls);
    if (rc)
        return rc;
    if (ls->reach_s < 0) {
        *cap_mw = INFINITY;   /* the loop absorbs what it cannot reject */
    } else {
        double at_limit = loop_rejection_capacity_mw(&site->liquid, limit_c, l->drybulb_c,
                                                     l->wetbulb_c, available);
        *cap_mw = (heat_in_mw * ls->reach_s + at_limit * ((double)l->dt_s - ls->reach_s)) /
                  (double)l->dt_s;
    }
    return 0;
}

/* The load's totals (struct load_totals): worked out where a load is made or kept, not at
 * every step that reuses it. */
static void load_totals_of(const struct step_load *l, struct load_totals *t)
{
    /* Without flexible load (every flexible term ±0, which s_flex scales to itself at 0 and
     * at 1) shedding it changes nothing: the evaluation with it shed is the same bits. */
    uint64_t flex_bits = 0;   /* ±0 everywhere: the bits but the sign's are all 0 */
    for (int c = 0; c < N_POOL_CLASSES; c++)
        flex_bits |= double_bits(l->it_mw[LOAD_FLEX][c]) |
                     double_bits(l->heat_liquid_mw[LOAD_FLEX][c]) |
                     double_bits(l->direct_mw[LOAD_FLEX][c]);
    t->no_flex = (flex_bits & ~(UINT64_C(1) << 63)) == 0;
    t->flex_mw = 0;
    t->firm_mw = 0;
    for (int c = 0; c < N_POOL_CLASSES; c++) {
        t->flex_mw += l->it_mw[LOAD_FLEX][c];
        t->firm_mw += l->it_mw[LOAD_FIRM][c];
    }
}

/* Keeps the load a step worked out (its pools' sums, demand, critical IT, liquid heat). */
static inline void kept_load_put(struct kept_load *k, const struct step_load *l, double demand_mw,
                                 double critical_mw, double heat_total_mw)
{
    load_totals_of(l, &k->totals);
    memcpy(k->it_mw, l->it_mw, sizeof k->it_mw);
    memcpy(k->heat_liquid_mw, l->heat_liquid_mw, sizeof k->heat_liquid_mw);
    memcpy(k->direct_mw, l->direct_mw, sizeof k->direct_mw);
    k->demand_mw = demand_mw;
    k->critical_mw = critical_mw;
    k->heat_total_mw = heat_total_mw;
}

/* The kept load into a step's l, demand, critical IT, liquid heat and totals. */
static inline void kept_load_get(const struct kept_load *k, struct step_load *l,
                                 double *demand_mw, double *critical_mw, double *heat_total_mw,
                                 struct load_totals *totals)
{
    *totals = k->totals;
    memcpy(l->it_mw, k->it_mw, sizeof l->it_mw);
    memcpy(l->heat_liquid_mw, k->heat_liquid_mw, sizeof l->heat_liquid_mw);
    memcpy(l->direct_mw, k->direct_mw, sizeof l->direct_mw);
    *demand_mw = k->demand_mw;
    *critical_mw = k->critical_mw;
    *heat_total_mw = k->heat_total_mw;
}

/* The pools' IT load of the step into l, their demand, critical (firm nameplate) and liquid
 * heat. With constant pools, keeps it in run for as long as the same pools are online. */
static void pools_load(struct site_run *run, struct step_load *l, int64_t t_s, int64_t dt_s,
                       int64_t local_s, int on_grid, int64_t slot, double *demand_out,
                       double *critical_out, double *heat_out, int64_t *from_out,
                       int64_t *until_out)
{
    const struct site_state *ss = run->ss;
    const struct site *site = ss->site;
    double demand_mw = 0, critical_mw = 0;
    int64_t from = INT64_MIN, until = INT64_MAX;   /* the online set holds over [from, until) */
    for (size_t i = 0; i < site->n_pools; i++) {
        const struct site_pool *sp = &ss->pools[i];
        run->pool_mw[i] = 0.0;
        if (sp->online_s > t_s) {
            until = sp->online_s < until ? sp->online_s : until;
            continue;
        }
        from = sp->online_s > from ? sp->online_s : from;
        if (sp->offline_s <= t_s) {
            from = sp->offline_s > from ? sp->offline_s : from;
            continue;
        }
        until = sp->offline_s < until ? sp->offline_s : until;
        double mw;
        if (sp->shape == SITE_POOL_CONSTANT)
            mw = sp->mw;
        else if (sp->shape == SITE_POOL_DAY && on_grid)
            mw = sp->day_mw[slot];
        else
            mw = it_pool_power_mw(&site->pools[i], it_pool_utilization(&site->pools[i], t_s, dt_s,
                                                                       (double)local_s / 3600.0));
        run->pool_mw[i] = mw;
        l->it_mw[sp->k][sp->c] += mw;
        l->heat_liquid_mw[sp->k][sp->c] += sp->liquid_fraction * mw;
        if (!sp->ups)
            l->direct_mw[sp->k][sp->c] += mw;
        demand_mw += mw;
        if (sp->k == LOAD_FIRM)
            critical_mw += sp->nameplate_mw;
    }
    double heat_liquid_mw = 0;
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < N_POOL_CLASSES; c++)
            heat_liquid_mw += l->heat_liquid_mw[k][c];
    *demand_out = demand_mw;
    *critical_out = critical_mw;
    *heat_out = heat_liquid_mw;
    *from_out = from;
    *until_out = until;
    if (ss->pools_constant) {
        run->load_from_s = from;
        run->load_until_s = until;
        kept_load_put(&run->load, l, demand_mw, critical_mw, heat_liquid_mw);
    }
}

/* Keeps the load of step `slot` of the local day, which holds while the pools online over
 * [from, until) stay online: a new window makes every kept slot stale. */
static void slot_load_keep(struct site_run *run, const struct step_load *l, int64_t slot,
                           int64_t from, int64_t until, double demand_mw, double critical_mw,
                           double heat_total_mw)
{
    if (from != run->slot_from_s || until != run->slot_until_s) {
        run->slot_from_s = from;
        run->slot_until_s = until;
        run->slot_epoch++;
    }
    struct slot_load *sl = &run->slot_loads[slot];
    kept_load_put(&sl->load, l, demand_mw, critical_mw, heat_total_mw);
    sl->epoch = run->slot_epoch;
}

/* A span of a step over which the load and the cooling are fixed: the load at full and with
 * the flexible pools shed, and the last load solved for a supply (pieces often repeat it).
 * A piece's loads point at full, no_flex or the piece's own evaluations (no copies). */
struct piece_load {
    double s_flex, s_firm;
    const struct load_eval *kept;       /* the load not shed: served + unserved */
    const struct load_eval *e;          /* what is served */
    struct load_eval kept_own, e_own;   /* solved loads, when kept/e are not full/no_flex */
};

struct span {
    struct step_load *l;
    const struct cooling_liquid *liquid;
    const struct cooling_air *air;
    struct load_eval full, no_flex;
    /* the load with the flexible pools shed: &full when there are none (no copy: the large
     * struct just written by load_eval, read back whole, stalled on store forwarding) */
    const struct load_eval *nf;
    int cached;
    double cached_firm_mw, cached_total_mw;
    struct piece_load cached_load;
};

/* The load served when reactors + grid give firm_mw and everything together total_mw:
 * flexible IT runs on reactors and grid only (batteries and generators back up firm load),
 * so it is shed first, to what they carry; firm IT beyond all supplies is curtailed.
 * *out points into sp (valid until the next call). */
static int serve(struct span *sp, double firm_mw, double total_mw, const struct piece_load **out)
{
    struct piece_load *o = &sp->cached_load;
    *out = o;
    if (sp->cached && firm_mw == sp->cached_firm_mw && total_mw == sp->cached_total_mw)
        return 0;
    sp->cached = 0;
    int rc = 0;
    o->s_flex = 1.0;
    o->s_firm = 1.0;
    if (firm_mw >= sp->full.facility_mw) {
        o->kept = o->e = &sp->full;
    } else if (firm_mw >= sp->nf->facility_mw) {
        rc = solve_fraction(sp->l, 1, firm_mw, sp->nf, &sp->full, &o->s_flex, &o->kept_own);
        o->kept = o->e = &o->kept_own;
    } else {
        o->s_flex = 0.0;
        o->kept = sp->nf;
        if (total_mw >= sp->nf->facility_mw) {
            o->e = sp->nf;
        } else {
            rc = solve_fraction(sp->l, 0, total_mw, NULL, sp->nf, &o->s_firm, &o->e_own);
            o->e = &o->e_own;
        }
    }
    if (rc)
        return rc;
    sp->cached = 1;
    sp->cached_firm_mw = firm_mw;
    sp->cached_total_mw = total_mw;
    return 0;
}

/* Records [a, b) as time with unserved load (merged with the last interval it touches). */
static void unserved_interval(struct site_run *run, double a, double b)
{
    int n = run->n_unserved_iv;
    if (n > 0 && run->unserved_iv[n - 1][1] >= a) {
        run->unserved_iv[n - 1][1] = b;
        return;
    }
    if (n == SITE_UNSERVED_IV_MAX) {   /* a full list: the last interval grows to cover it */
        run->unserved_iv[n - 1][1] = b;
        return;
    }
    run->unserved_iv[n][0] = a;
    run->unserved_iv[n][1] = b;
    run->n_unserved_iv = n + 1;
}

/* Adds a piece's per-supply and per-pool values, time-weighted by w, into x (the columns of
 * site_extra_columns). A pool's load is its share of its [firm/flex][class] cell, so its
 * served, shed and throttled parts follow the cell's fractions. */
static void add_extras(const struct site_run *run, const struct piece_load *p, double w,
                       double *x)
{
    const struct site *site = run->ss->site;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply_state *st = &run->supplies[j];
        *x++ += w * st->used_mw;
        *x++ += w * st->avail_mw;
        if (site->supplies[j].type == SUPPLY_BATTERY)
            *x++ = st->soc_mwh;   /* at the end of the piece, then of the step */
    }
    for (size_t i = 0; i < site->n_pools; i++, x += SITE_POOL_COLUMNS) {
        const struct site_pool *sp = &run->ss->pools[i];
        double mw = run->pool_mw[i];
        if (mw == 0.0)
            continue;
        double s = sp->k == LOAD_FIRM ? p->s_firm : p->s_flex;
        double keep = p->e->keep[sp->k][sp->c];
        x[0] += w * s * keep * mw;
        x[1] += w * (1.0 - s) * mw;
        x[2] += w * s * (1.0 - keep) * mw;
    }
}

/* Runs the span [a_s, a_s + len_s) of the step [t_s, t_s + dt_s): the cooling with the
 * scripted losses of that instant, then the supply piece by piece (each ends where some
 * supply's availability changes or a battery empties or fills), adding the time-weighted
 * results into v. */
static int step_span(struct site_run *run, struct step_load *l, const struct load_totals *tot,
                     int64_t a_s, int64_t len_s, int64_t dt_s, double heat_liquid_mw, double *v)
{
    const struct site_state *ss = run->ss;
    const struct site *site = ss->site;
    const struct cooling_liquid *liquid = &site->liquid;
    const struct cooling_air *air = &site->air;
    struct cooling_liquid liquid_left;
    struct cooling_air air_left;
    double liquid_avail = 1.0;
    if (ss->cooling_losses) {
        int64_t next = INT64_MAX;
        liquid_left = site->liquid;
        air_left = site->air;
        liquid_avail = 1.0 - cooling_loss_at(site, 1, a_s, &next);
        liquid_left.capacity_mw *= liquid_avail;
        air_left.capacity_mw *= 1.0 - cooling_loss_at(site, 0, a_s, &next);
        liquid = &liquid_left;
        air = &air_left;
    }
    l->liquid = liquid;
    l->air = air;
    l->dt_s = len_s;
    cooling_weather(l, liquid, air);
    /* the tower's evaporation per heat depends on the weather alone: once per span */
    l->evap_kg_per_mj = liquid->present && liquid->rejection == REJECT_COOLING_TOWER
                            ? cooling_tower_evaporation_kg_per_mj(liquid, l->drybulb_c,
                                                                  l->wetbulb_c)
                            : NAN;
    double cap_now_mw = liquid->present
                            ? cooling_liquid_capacity_mw_i(liquid, l->drybulb_c, l->wetbulb_c)
                            : 0.0;
    struct loop_step ls = {.end_c = liquid->supply_c, .reach_s = -1};
    int rc = liquid_limit(run, l, heat_liquid_mw, liquid_avail, cap_now_mw, &ls,
                          &l->cap_liquid_mw);
    if (rc)
        return rc;
    l->cap_air_mw = air->present ? air->capacity_mw : INFINITY;

    /* Ride-through: from the first instant the loop cannot reject its heat at the setpoint
     * to the first throttle (immediate without thermal mass). */
    int shortfall = liquid->present && heat_liquid_mw > cap_now_mw;
    if (shortfall && run->shortfall_start_s < 0)
        run->shortfall_start_s = a_s;
    if (heat_liquid_mw > l->cap_liquid_mw && isnan(run->ride_through_s) &&
        run->shortfall_start_s >= 0)
        run->ride_through_s = (double)(a_s - run->shortfall_start_s) +
                              (ls.reach_s > 0.0 ? ls.reach_s : 0.0);
    if (!shortfall && run->loop_c <= liquid->supply_c + 1e-6)
        run->shortfall_start_s = -1;

    struct span sp;   /* not zero-initialised: its evaluations are large */
    sp.l = l;
    sp.liquid = liquid;
    sp.air = air;
    sp.cached = 0;
    load_eval(l, liquid, air, 1.0, 1.0, &sp.full);
    int no_flex_ready = tot->no_flex;   /* else evaluated when a piece needs it (below) */
    sp.nf = tot->no_flex ? &sp.full : &sp.no_flex;
    double flex_demand = tot->flex_mw, firm_demand = tot->firm_mw;
    double t = (double)a_s, end = (double)(a_s + len_s), heat_served_mw_s = 0;
    for (int pieces = 1; t < end; pieces++) {
        struct supply_instant in;
        supply_available(site, run->supplies, t, &in);
        double firm_mw = in.reactor_mw + in.turbine_mw + in.grid_mw;
        /* The load with the flexible pools shed is the firm demand that calls the backups
         * and what is served when firm supply falls short of the full load. Facility power
         * rises with the load, so it is at most the full load's: when firm supply exceeds
         * that by more than rounding, nothing calls for it, and it is not evaluated (the
         * backups then see a firm demand they cover, as they would see the shed load's). */
        if (!no_flex_ready && !(firm_mw >= sp.full.facility_mw * (1.0 + NO_FLEX_SLACK) +
                                               NO_FLEX_SLACK)) {
            load_eval(l, liquid, air, 0.0, 1.0, &sp.no_flex);
            no_flex_ready = 1;
        }
        supply_call_backups(site, run->supplies, t,
                            no_flex_ready ? sp.nf->facility_mw : sp.full.facility_mw, &in);
        double piece_end = pieces < SITE_MAX_PIECES && in.next_s < end ? in.next_s : end;
        double total_mw = firm_mw + in.generator_mw + in.battery_mw;
        const struct piece_load *pl;
        if ((rc = serve(&sp, firm_mw, total_mw, &pl)))
            return rc;
        const struct load_eval *pe = pl->e, *pk = pl->kept;
        struct supply_flows fl;
        double len = supply_dispatch(site, run->supplies, piece_end - t, pe->facility_mw, &fl);
        double w = len / (double)dt_s;
        double it_served = pe->it_served_mw[LOAD_FIRM] + pe->it_served_mw[LOAD_FLEX];
        double unserved_mw = pk->facility_mw - pe->facility_mw;
        v[S_IT_SERVED_MW] += w * it_served;
        v[S_COOLING_MW] += w * pe->cooling_mw;
        v[S_LOSSES_MW] += w * pe->losses_mw;
        v[S_MISC_MW] += w * pe->misc_mw;
        v[S_FACILITY_MW] += w * pe->facility_mw;
        v[S_SUPPLY_AVAILABLE_MW] += w * total_mw;
        v[S_GRID_MW] += w * fl.grid_mw;
        v[S_REACTOR_MW] += w * fl.reactor_mw;
        v[S_BATTERY_MW] += w * fl.battery_mw;
        v[S_BATTERY_SOC_MWH] = fl.battery_soc_mwh;
        v[S_GENERATOR_MW] += w * fl.generator_mw;
        v[S_TURBINE_MW] += w * fl.turbine_mw;
        v[S_IT_FLEX_SERVED_MW] += w * pe->it_served_mw[LOAD_FLEX];
        v[S_CLEAN_MW] += w * fl.clean_mw;
        v[S_CO2_KG] += fl.co2_kg;
        v[S_FUEL_MMBTU] += fl.fuel_mmbtu;
        v[S_FUEL_COST_USD] += fl.fuel_usd;
        for (int g = 0; g < ss->demand_charges; g++) {   /* a grid's step-mean import */
            struct supply_state *st = &run->supplies[ss->dc_supplies[g]];
            st->step_import_mw += w * st->used_mw;
        }
        v[S_SHED_MW] += w * (1.0 - pl->s_flex) * flex_demand;
        v[S_UNSERVED_MW] += w * unserved_mw;
        v[S_THROTTLE_MW] += w * (pe->it_load_mw[LOAD_FIRM] + pe->it_load_mw[LOAD_FLEX] - it_served);
        v[S_WATER_M3] += len / (double)len_s * pe->water_m3;
        v[S_FACILITY_DEMAND_MW] += w * pk->facility_mw;
        double margin_mw = total_mw - sp.full.facility_mw;   /* fmin without libm's call */
        if (margin_mw < v[S_MARGIN_MW])
            v[S_MARGIN_MW] = margin_mw;
        v[S_CURTAILED_MW] += w * (1.0 - pl->s_firm) * firm_demand;
        v[S_COST_USD] += fl.cost_usd;
        v[S_THROTTLE_FIRM_MW] += w * (pe->it_load_mw[LOAD_FIRM] - pe->it_served_mw[LOAD_FIRM]);
        v[S_THROTTLE_AIR_MW] += w * pe->throttle_air_mw;
        if (unserved_mw > UNSERVED_EPS_MW) {
            v[S_UNSERVED_S] += len;
            unserved_interval(run, t, t + len);
        }
        heat_served_mw_s += len * pe->heat_liquid_mw;
        if (run->extras)
            add_extras(run, pl, w, v + N_SERIES);
        t = len < piece_end - t ? t + len : piece_end;
    }
    if (site->liquid.volume_m3 > 0) {
        /* the loop warms with the heat actually served (less than asked if load was shed) */
        double heat_served_mw = heat_served_mw_s / (double)len_s;
        if (ls.reach_s < 0 && fabs(heat_served_mw - heat_liquid_mw) > 1e-9 &&
            (rc = loop_integrate(&site->liquid, run->loop_c, heat_served_mw, l->drybulb_c,
                                 l->wetbulb_c, liquid_avail, ss->loop_limit_c, (double)len_s,
                                 &ls)))
            return rc;
        run->loop_c = ls.end_c;
    }
    return 0;
}

/* Grid demand charges (docs/model.md "Tariffs"): each calendar month (UTC) of the run is
 * billed on its highest step-mean import, kW × demand_charge_usd_per_kw_month, in the step
 * that closes it (the first step of the next month, or the run's last step). */
static double demand_charges(struct site_run *run, int64_t t_s, int64_t dt_s)
{
    const struct site_state *ss = run->ss;
    const struct site *site = ss->site;
    int64_t now_s = ss->start_unix_s + t_s;
    if (!(now_s >= run->dc_month_from_s && now_s < run->dc_month_until_s)) {
        /* a new calendar month: its number and bounds, so the next steps need no calendar */
        struct civil_time ct;
        timefmt_civil(now_s, &ct);
        run->dc_month = (int64_t)ct.year * 12 + (ct.month - 1);
        run->dc_month_from_s = timefmt_days_from_civil(ct.year, ct.month, 1) * SECONDS_PER_DAY;
        run->dc_month_until_s =
            timefmt_days_from_civil(ct.month == 12 ? ct.year + 1 : ct.year,
                                    ct.month == 12 ? 1 : ct.month + 1, 1) * SECONDS_PER_DAY;
    }
    int64_t month = run->dc_month;
    int last = t_s + dt_s >= ss->steps * ss->timestep_s;
    double usd = 0;
    for (int g = 0; g < ss->demand_charges; g++) {
        size_t j = ss->dc_supplies[g];
        const struct supply *sp = &site->supplies[j];
        struct supply_state *s = &run->supplies[j];
        if (s->dc_month != month && s->dc_started) {
            usd += s->dc_peak_mw * 1000.0 * sp->demand_charge_usd_per_kw_month;
            s->dc_peak_mw = 0;
        }
        s->dc_month = month;
        s->dc_started = 1;
        if (s->step_import_mw > s->dc_peak_mw)
            s->dc_peak_mw = s->step_import_mw;
        s->step_import_mw = 0;   /* the next step's sum starts here (states start zeroed) */
        if (last) {
            usd += s->dc_peak_mw * 1000.0 * sp->demand_charge_usd_per_kw_month;
            s->dc_peak_mw = 0;
            s->dc_started = 0;
        }
    }
    return usd;
}

/* Local standard time of day at run time t_s, s (offsets are whole seconds: no floating-point
 * modulo); only worked out where a step needs it (kept loads and the step's slot do not). */
static int64_t local_day_s(const struct site_state *ss, int64_t t_s)
{
    int64_t local_s = (ss->start_unix_s + t_s + ss->utc_offset_s) % SECONDS_PER_DAY;
    return local_s < 0 ? local_s + SECONDS_PER_DAY : local_s;
}

/* Points l at step k's entry of the run's table of the liquid loop's weather part, working
 * out the next COOLING_AT_N tabulated steps (of `tabulated` from db, wb) when k is not in it.
 * A tower reads the wet bulb: without its table, no entry. */
static void liquid_at_table(struct site_run *run, struct step_load *l, int64_t k,
                            const double *db, const double *wb, int64_t tabulated)
{
    const struct cooling_liquid *liquid = &l->site->liquid;
    if (!run->liquid_at || (!wb && liquid->rejection == REJECT_COOLING_TOWER))
        return;
    if ((uint64_t)(k - run->liquid_at_k0) >= (uint64_t)run->liquid_at_n) {
        int64_t n = tabulated < COOLING_AT_N ? tabulated : COOLING_AT_N;
        cooling_liquid_at_n(liquid, db, wb, (size_t)n, run->liquid_at);
        run->liquid_at_k0 = k;
        run->liquid_at_n = n;
    }
    l->liquid_at = run->liquid_at;
    l->liquid_at_i = (size_t)(k - run->liquid_at_k0);
}

int site_step(struct site_run *run, int64_t t_s, int64_t dt_s, double *v)
{
    const struct site_state *ss = run->ss;
    const struct site *site = ss->site;
    struct step_load l;
    l.site = site;
    l.dt_s = dt_s;
    /* On the run's grid of steps the tabulated weather and day profiles apply: step k and
     * step `slot` of the local day. */
    int on_grid = 0;
    int64_t step_k = 0, slot = 0;
    if (dt_s == ss->timestep_s) {
        if (t_s == run->next_t_s) {
            on_grid = 1;
            step_k = run->next_k;
            slot = run->next_slot;
        } else if (t_s % dt_s == 0) {
            on_grid = 1;
            step_k = t_s / dt_s;
            slot = ss->day_slots ? local_day_s(ss, t_s) / dt_s : 0;
        }
        if (on_grid) {
            run->next_t_s = t_s + dt_s;
            run->next_k = step_k + 1;
            run->next_slot = slot + 1 == ss->day_slots ? 0 : slot + 1;
        }
    }
    /* the weather of this step and the next ones, when tabulated */
    const double *db = NULL, *wb = NULL;
    int64_t tabulated = 0;
    if (run->drybulb_c && on_grid && step_k < ss->steps) {
        db = run->drybulb_c + step_k;
        wb = run->wetbulb_c ? run->wetbulb_c + step_k : NULL;
        tabulated = ss->steps - step_k;
    } else if (on_grid && (uint64_t)(step_k - run->block_k0) < (uint64_t)run->block_n) {
        db = run->block_drybulb_c + (step_k - run->block_k0);
        wb = run->block_wetbulb_c ? run->block_wetbulb_c + (step_k - run->block_k0) : NULL;
        tabulated = run->block_n - (step_k - run->block_k0);
    }
    l.liquid_at = NULL;
    if (db) {
        l.drybulb_c = db[0];
        l.wetbulb_c = wb ? wb[0] : NAN;
        liquid_at_table(run, &l, step_k, db, wb, tabulated);
    } else {
        weather_at(run->weather, t_s, &l.drybulb_c, &l.wetbulb_c);
    }
    double demand_mw, critical_mw, heat_liquid_mw;
    struct load_totals tot;
    if (t_s >= run->load_from_s && t_s < run->load_until_s) {
        kept_load_get(&run->load, &l, &demand_mw, &critical_mw, &heat_liquid_mw, &tot);
    } else if (run->slot_loads && !run->extras && on_grid && t_s >= run->slot_from_s &&
               t_s < run->slot_until_s && run->slot_loads[slot].epoch == run->slot_epoch) {
        kept_load_get(&run->slot_loads[slot].load, &l, &demand_mw, &critical_mw,
                      &heat_liquid_mw, &tot);
    } else {
        memset(l.it_mw, 0, sizeof l.it_mw);
        memset(l.heat_liquid_mw, 0, sizeof l.heat_liquid_mw);
        memset(l.direct_mw, 0, sizeof l.direct_mw);
        int64_t from, until;
        pools_load(run, &l, t_s, dt_s, local_day_s(ss, t_s), on_grid, slot, &demand_mw,
                   &critical_mw, &heat_liquid_mw, &from, &until);
        if (run->slot_loads && !run->extras && on_grid)
            slot_load_keep(run, &l, slot, from, until, demand_mw, critical_mw, heat_liquid_mw);
        load_totals_of(&l, &tot);
    }
    memset(v, 0, (N_SERIES + (run->extras ? (size_t)site_extra_columns(site) : 0)) * sizeof *v);
    v[S_MARGIN_MW] = INFINITY;
    run->n_unserved_iv = 0;
    supply_set_step(site, run->supplies, t_s, dt_s);
    /* The load and the weather are the step's; the cooling changes where a scripted
     * cooling loss starts or ends inside it, the supply wherever its availability does. */
    int rc = 0;
    for (int64_t a = t_s, end = t_s + dt_s; a < end && !rc;) {
        int64_t b = end;
        if (ss->cooling_losses) {
            cooling_loss_at(site, 1, a, &b);
            cooling_loss_at(site, 0, a, &b);
            if (b > end)
                b = end;
        }
        rc = step_span(run, &l, &tot, a, b - a, dt_s, heat_liquid_mw, v);
        a = b;
    }
    if (rc)
        return rc;
    if (ss->demand_charges)
        v[S_DEMAND_CHARGE_USD] = demand_charges(run, t_s, dt_s);
    double it_served = v[S_IT_SERVED_MW];
    v[S_AMBIENT_DRYBULB_C] = l.drybulb_c;
    v[S_AMBIENT_WETBULB_C] = l.wetbulb_c;
    v[S_IT_DEMAND_MW] = demand_mw;
    v[S_PUE] = it_served > 0 ? v[S_FACILITY_MW] / it_served : NAN;
    v[S_LIQUID_SUPPLY_C] = !site->liquid.present ? NAN
                           : site->liquid.volume_m3 > 0 ? run->loop_c : site->liquid.supply_c;
    v[S_CRITICAL_IT_MW] = critical_mw;
    return 0;
}
