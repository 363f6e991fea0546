/* scenario.c — scenario YAML to validated structs (see scenario.h).
 * Top level, sites and weather here; supplies, IT pools and cooling in scenario_site.c. */
#include "scenario.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_parts.h"
#include "timefmt.h"
#include "yamlx.h"

const char *const supply_type_names[] = {"grid", "reactor", "battery", "generator", "turbine",
                                         NULL};
const char *const workload_names[] = {"training", "inference", "mining", "constant", "trace",
                                      NULL};
const char *const rejection_names[] = {"dry_cooler", "cooling_tower", "chiller", "hybrid", NULL};
const char *const event_type_names[] = {"grid_outage", "reactor_trip", "cooling_loss",
                                        "generator_fail_to_start", NULL};
static const char *const site_kind_names[] = {"converted_mining", "greenfield", NULL};

const struct rack *lookup_rack(const struct lookup *lk, const char *id)
{
    const struct rack *r = catalog_find_rack(lk->local, id);
    return r ? r : catalog_find_rack(lk->global, id);
}
const struct reactor *lookup_reactor(const struct lookup *lk, const char *id)
{
    const struct reactor *r = catalog_find_reactor(lk->local, id);
    return r ? r : catalog_find_reactor(lk->global, id);
}
const struct turbine *lookup_turbine(const struct lookup *lk, const char *id)
{
    const struct turbine *t = catalog_find_turbine(lk->local, id);
    return t ? t : catalog_find_turbine(lk->global, id);
}
const struct climate *lookup_climate(const struct lookup *lk, const char *id)
{
    const struct climate *r = catalog_find_climate(lk->local, id);
    return r ? r : catalog_find_climate(lk->global, id);
}

void unknown_entry(const struct yctx *c, const struct lookup *lk, const struct ynode *at,
                   char kind, const char *id, const char *path)
{
    static const char *const kind_text[] = {"rack", "reactor model", "climate", "turbine model"};
    const char *what = kind_text[kind == 'r' ? 0 : kind == 'n' ? 1 : kind == 't' ? 3 : 2];
    const char *near = catalog_nearest(lk->local, kind, id);
    if (!near)
        near = catalog_nearest(lk->global, kind, id);
    if (near)
        yget_error(c, at, "unknown %s '%.60s' in %s (did you mean '%s'? see 'dcsim models')", what,
                   id, path, near);
    else
        yget_error(c, at, "unknown %s '%.60s' in %s (see 'dcsim models')", what, id, path);
}

int get_id(const struct yctx *c, const struct ynode *map, const char *list_path, size_t index,
           char *out)
{
    const char *id;
    if (!map || map->kind != YNODE_MAP) {
        yget_error(c, map, "item %zu of %s must be a mapping with an 'id'", index + 1, list_path);
        return DCSIM_EINPUT;
    }
    char path[160];
    snprintf(path, sizeof path, "%s[%zu]", list_path, index + 1);
    if (yget_string(c, map, path, "id", 1, NULL, &id))
        return DCSIM_EINPUT;
    size_t len = strlen(id);
    int ok = len > 0 && len < CATALOG_ID_MAX;
    for (size_t i = 0; ok && i < len; i++)
        ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
             (id[i] >= '0' && id[i] <= '9') || strchr("-_.", id[i]);
    /* "." and ".." cannot name an HDF5 group (/sites/<id>, .../supplies/<id>): run would
     * fail after simulating, so they are refused here, where check sees them too */
    if (ok && (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)) {
        yget_error(c, ynode_get(map, "id"),
                   "'id' in %s cannot be '%s' (ids name HDF5 groups in the results)", path, id);
        return DCSIM_EINPUT;
    }
    if (!ok) {
        yget_error(c, ynode_get(map, "id"),
                   "'id' in %s must be 1 to %d letters, digits, '-', '_' or '.', got '%.60s'",
                   path, CATALOG_ID_MAX - 1, id);
        return DCSIM_EINPUT;
    }
    memcpy(out, id, len + 1);
    return 0;
}

int check_duplicate(const struct yctx *c, const struct ynode *list, size_t index,
                    const char *id, const char *list_path)
{
    for (size_t j = 0; j < index; j++) {
        const struct ynode *other = ynode_get(list->items[j], "id");
        if (other && other->kind == YNODE_SCALAR && strcmp(other->value, id) == 0) {
            yget_error(c, ynode_get(list->items[index], "id"),
                       "duplicate id '%s' in %s (first at line %d)", id, list_path, other->line);
            return DCSIM_EINPUT;
        }
    }
    return 0;
}

int get_run_time(const struct yctx *c, const struct ynode *map, const char *path,
                 const char *key, const struct scenario *s, int64_t dflt, int64_t *out)
{
    int64_t unix_s;
    int present;
    if (yget_date(c, map, path, key, &unix_s, &present))
        return DCSIM_EINPUT;
    *out = present ? unix_s - s->start_unix_s : dflt;
    return 0;
}

const struct ynode *get_list(const struct yctx *c, const struct ynode *map, const char *path,
                             const char *key, int required, int *bad)
{
    const struct ynode *v = ynode_get(map, key);
    if (!v) {
        if (required) {
            yget_error(c, map, "missing required key '%s' in %s", key, path);
            *bad = 1;
        }
        return NULL;
    }
    if (v->kind != YNODE_SEQ) {
        yget_error(c, v, "'%s' in %s must be a list", key, path);
        *bad = 1;
        return NULL;
    }
    return v;
}

/* `file` relative to the directory of the scenario (absolute paths as they are); malloc'd. */
char *scenario_resolve_path(const char *scenario_path, const char *file)
{
    const char *slash = strrchr(scenario_path, '/');
    size_t dirlen = (file[0] == '/' || !slash) ? 0 : (size_t)(slash - scenario_path + 1);
    char *p = malloc(dirlen + strlen(file) + 1);
    if (p) {
        memcpy(p, scenario_path, dirlen);
        strcpy(p + dirlen, file);
    }
    return p;
}

static int parse_weather(const struct yctx *c, const struct ynode *map, const char *path,
                         const struct lookup *lk, const char *scenario_path, struct site *site)
{
    const struct ynode *clim = ynode_get(map, "climate");
    const struct ynode *w = ynode_get(map, "weather");
    if (clim && w) {
        yget_error(c, w, "%s has both 'climate' and 'weather': give one", path);
        return DCSIM_EINPUT;
    }
    if (!clim && !w) {
        yget_error(c, map, "%s needs 'climate' (a catalog climate) or 'weather'", path);
        return DCSIM_EINPUT;
    }
    const char *clim_id = NULL;
    char wpath[200];
    snprintf(wpath, sizeof wpath, "%s.weather", path);
    if (w) {
        static const char *const keys[] = {"epw", "constant", "climate", NULL};
        if (yget_check_keys(c, w, wpath, keys))
            return DCSIM_EINPUT;
        if (w->n != 1) {
            yget_error(c, w, "%s must have exactly one of 'epw', 'constant' or 'climate'", wpath);
            return DCSIM_EINPUT;
        }
        const struct ynode *cst = ynode_get(w, "constant");
        const char *epw = NULL;
        if (cst) {
            static const char *const ckeys[] = {"drybulb_c", "wetbulb_c", NULL};
            char cpath[220];
            snprintf(cpath, sizeof cpath, "%s.constant", wpath);
            int bad = yget_check_keys(c, cst, cpath, ckeys);
            if (bad && cst->kind != YNODE_MAP)
                return DCSIM_EINPUT;
            bad |= yget_number(c, cst, cpath, "drybulb_c", YGET_REQUIRED, 0,
                               &site->constant_drybulb_c);
            bad |= yget_number(c, cst, cpath, "wetbulb_c", YGET_REQUIRED, 0,
                               &site->constant_wetbulb_c);
            if (bad)
                return DCSIM_EINPUT;
            if (site->constant_wetbulb_c > site->constant_drybulb_c ||
                fabs(site->constant_drybulb_c) > 70) {
                yget_error(c, cst, "%s: need wet bulb <= dry bulb and |dry bulb| <= 70 °C", cpath);
                return DCSIM_EINPUT;
            }
            site->weather_source = WEATHER_CONSTANT;
            return 0;
        }
        const struct ynode *epw_node = ynode_get(w, "epw");
        if (epw_node && epw_node->kind == YNODE_SEQ) {
            /* a list of files: each trial samples one year (docs/model.md "Trials") */
            if (epw_node->n == 0 || epw_node->n > SITE_MAX_EPW_FILES) {
                yget_error(c, epw_node, "%s.epw: a list of 1 to %d EPW files", wpath,
                           SITE_MAX_EPW_FILES);
                return DCSIM_EINPUT;
            }
            site->epw_paths = calloc(epw_node->n, sizeof *site->epw_paths);
            if (!site->epw_paths)
                return DCSIM_ENOMEM;
            for (size_t i = 0; i < epw_node->n; i++) {
                const struct ynode *item = epw_node->items[i];
                if (item->kind != YNODE_SCALAR || !item->value[0]) {
                    yget_error(c, item, "%s.epw[%zu]: expected a file name", wpath, i);
                    return DCSIM_EINPUT;
                }
                if (!(site->epw_paths[i] = scenario_resolve_path(scenario_path, item->value)))
                    return DCSIM_ENOMEM;
                site->n_epw_paths = i + 1;
            }
            site->epw_path = site->epw_paths[0];
            site->weather_source = WEATHER_EPW;
            return 0;
        }
        if (yget_string(c, w, wpath, "epw", 0, NULL, &epw))
            return DCSIM_EINPUT;
        if (epw) {
            site->epw_paths = calloc(1, sizeof *site->epw_paths);
            if (!site->epw_paths || !(site->epw_paths[0] = scenario_resolve_path(scenario_path, epw)))
                return DCSIM_ENOMEM;
            site->n_epw_paths = 1;
            site->epw_path = site->epw_paths[0];
            site->weather_source = WEATHER_EPW;
            return 0;
        }
        if (yget_string(c, w, wpath, "climate", 1, NULL, &clim_id))
            return DCSIM_EINPUT;
        clim = ynode_get(w, "climate");
    } else if (yget_string(c, map, path, "climate", 1, NULL, &clim_id)) {
        return DCSIM_EINPUT;
    }
    const struct climate *cl = lookup_climate(lk, clim_id);
    if (!cl) {
        unknown_entry(c, lk, clim, 'c', clim_id, path);
        return DCSIM_EINPUT;
    }
    site->climate = *cl;
    site->weather_source = WEATHER_CLIMATE;
    return 0;
}

static int parse_electrical(const struct yctx *c, const struct ynode *map, const char *path,
                            struct electrical *e)
{
    static const char *const keys[] = {"ups_efficiency", "transformer_efficiency",
                                       "distribution_loss", "misc_fraction", NULL};
    /* Defaults: ../shared/model.md parameter table (figures.md: Schneider WP157, DOE 2016). */
    *e = (struct electrical){0.96, 0.985, 0.01, 0.01};
    if (!map)
        return 0;
    char p[200];
    snprintf(p, sizeof p, "%s.electrical", path);
    int bad = yget_check_keys(c, map, p, keys);
    if (bad && map->kind != YNODE_MAP)
        return DCSIM_EINPUT;
    bad |= yget_number(c, map, p, "ups_efficiency", YGET_EFFICIENCY, e->ups_efficiency,
                       &e->ups_efficiency);
    bad |= yget_number(c, map, p, "transformer_efficiency", YGET_EFFICIENCY,
                       e->transformer_efficiency, &e->transformer_efficiency);
    bad |= yget_number(c, map, p, "distribution_loss", YGET_FRACTION, e->distribution_loss,
                       &e->distribution_loss);
    bad |= yget_number(c, map, p, "misc_fraction", YGET_FRACTION, e->misc_fraction,
                       &e->misc_fraction);
    if (!bad && e->distribution_loss >= 1) {
        yget_error(c, ynode_get(map, "distribution_loss"), "'distribution_loss' in %s must be below 1", p);
        bad = 1;
    }
    return bad ? DCSIM_EINPUT : 0;
}

static int parse_site(const struct yctx *c, const struct ynode *map, const char *path,
                      const struct lookup *lk, struct scenario *s, struct site *site)
{
    static const char *const keys[] = {"id", "name", "description", "kind", "climate", "weather",
                                       "electrical", "supply", "it", "cooling", NULL};
    int bad = yget_check_keys(c, map, path, keys) ? 1 : 0;
    int kind = SITE_CONVERTED_MINING;
    bad |= yget_choice(c, map, path, "kind", site_kind_names, SITE_CONVERTED_MINING, &kind) != 0;
    site->kind = (enum site_kind)kind;
    int rc = parse_weather(c, map, path, lk, s->path, site);
    if (rc == DCSIM_ENOMEM)
        return rc;
    bad |= rc != 0;
    bad |= parse_electrical(c, ynode_get(map, "electrical"), path, &site->electrical) != 0;
    rc = parse_supplies(c, map, path, lk, s, site);
    if (rc == DCSIM_ENOMEM)
        return rc;
    bad |= rc != 0;
    rc = parse_pools(c, map, path, lk, s, site);
    if (rc == DCSIM_ENOMEM)
        return rc;
    bad |= rc != 0;
    bad |= parse_cooling(c, map, path, site) != 0;
    return bad ? DCSIM_EINPUT : 0;
}

/* The scenario's own catalog entries: added to, or overriding, the shipped catalog. */
static int parse_models(const struct yctx *c, const struct ynode *map, const struct catalog *global,
                        struct catalog *local)
{
    static const char *const keys[] = {"racks", "reactors", "climates", "turbines", NULL};
    if (!map)
        return 0;
    int bad = yget_check_keys(c, map, "models", keys) ? 1 : 0;
    if (map->kind != YNODE_MAP)
        return DCSIM_EINPUT;
    static const char *const kinds[] = {"racks", "reactors", "climates", "turbines"};
    for (int k = 0; k < 4; k++) {
        char lpath[32];
        snprintf(lpath, sizeof lpath, "models.%s", kinds[k]);
        const struct ynode *list = get_list(c, map, "models", kinds[k], 0, &bad);
        for (size_t i = 0; list && i < list->n; i++) {
            const struct ynode *e = list->items[i];
            char id[CATALOG_ID_MAX], epath[128];
            if (get_id(c, e, lpath, i, id) || check_duplicate(c, list, i, id, lpath)) {
                bad = 1;
                continue;
            }
            snprintf(epath, sizeof epath, "%s[%s]", lpath, id);
            int rc;
            if (k == 0) {
                struct rack r;
                rc = catalog_parse_rack(c, e, epath, catalog_find_rack(global, id), &r);
                if (!rc)
                    rc = catalog_put_rack(local, &r);
            } else if (k == 1) {
                struct reactor r;
                rc = catalog_parse_reactor(c, e, epath, catalog_find_reactor(global, id), &r);
                if (!rc)
                    rc = catalog_put_reactor(local, &r);
            } else if (k == 3) {
                struct turbine t;
                rc = catalog_parse_turbine(c, e, epath, catalog_find_turbine(global, id), &t);
                if (!rc)
                    rc = catalog_put_turbine(local, &t);
            } else {
                struct climate cl;
                rc = catalog_parse_climate(c, e, epath, catalog_find_climate(global, id), &cl);
                if (!rc)
                    rc = catalog_put_climate(local, &cl);
            }
            if (rc == DCSIM_ENOMEM)
                return rc;
            bad |= rc != 0;
        }
    }
    return bad ? DCSIM_EINPUT : 0;
}

static int parse_clock(const struct yctx *c, const struct ynode *root, struct scenario *s)
{
    int bad = 0, present = 0;
    bad |= yget_date(c, root, "the scenario", "start", &s->start_unix_s, &present) != 0;
    if (!present && !bad) {
        yget_error(c, root, "missing required key 'start' in the scenario (a date like 2027-01-01)");
        bad = 1;
    }
    bad |= yget_span(c, root, "the scenario", "duration", 1, 0, &s->duration_s) != 0;
    bad |= yget_span(c, root, "the scenario", "timestep", 0, 900, &s->timestep_s) != 0;
    if (bad)
        return DCSIM_EINPUT;
    const struct ynode *ts = ynode_get(root, "timestep"), *du = ynode_get(root, "duration");
    if (s->timestep_s > SCENARIO_MAX_TIMESTEP_S) {
        yget_error(c, ts, "'timestep' must be at most 1h (steps from 1s to 1h), got %s",
                   ts->value);
        return DCSIM_EINPUT;
    }
    if (s->duration_s > SCENARIO_MAX_YEARS * SECONDS_PER_YEAR) {
        yget_error(c, du, "'duration' must be at most %d years, got %s", SCENARIO_MAX_YEARS,
                   du->value);
        return DCSIM_EINPUT;
    }
    if (s->duration_s % s->timestep_s != 0) {
        yget_error(c, ts ? ts : du, "'timestep' (%s) must divide 'duration' (%s) evenly",
                   ts ? ts->value : "15min", du->value);
        return DCSIM_EINPUT;
    }
    s->steps = s->duration_s / s->timestep_s;
    if (yget_span(c, root, "the scenario", "output_every", 0, s->timestep_s, &s->output_every_s))
        return DCSIM_EINPUT;
    const struct ynode *oe = ynode_get(root, "output_every");
    if (s->output_every_s % s->timestep_s != 0 || s->duration_s % s->output_every_s != 0) {
        yget_error(c, oe, "'output_every' (%s) must be a multiple of 'timestep' and divide "
                   "'duration'", oe->value);
        return DCSIM_EINPUT;
    }
    if (s->steps > SCENARIO_MAX_STEPS) {
        yget_error(c, ts ? ts : du, "the run would take %lld steps; the limit is %lld",
                   (long long)s->steps, SCENARIO_MAX_STEPS);
        return DCSIM_EINPUT;
    }
    return 0;
}

/* The `reliability` target (defaults: no firm shortfall, LOLE at most 2.4 h a year).
 * Returns 0 or 1 (reported). */
static int parse_reliability(const struct yctx *c, const struct ynode *root, struct scenario *s)
{
    const struct ynode *rel = ynode_get(root, "reliability");
    int bad = 0;
    s->max_unserved_mwh = 0;
    s->max_lole_h = 2.4;   /* 0.1 day/year, the common resource-adequacy criterion */
    if (rel) {
        static const char *const rkeys[] = {"max_unserved_mwh", "max_lole_h", NULL};
        bad |= yget_check_keys(c, rel, "reliability", rkeys) ? 1 : 0;
        bad |= yget_number(c, rel, "reliability", "max_unserved_mwh", YGET_NONNEG, 0,
                           &s->max_unserved_mwh) != 0;
        bad |= yget_number(c, rel, "reliability", "max_lole_h", YGET_NONNEG, 2.4,
                           &s->max_lole_h) != 0;
    }
    return bad;
}

static int parse_top(const struct yctx *c, const struct ynode *root, const struct catalog *cat,
                     struct catalog *local, struct scenario *s)
{
    static const char *const keys[] = {"name", "description", "start", "duration", "timestep",
                                       "output_every", "seed", "trials", "reliability", "economics", "sites",
                                       "models", "events", NULL};
    if (!root || root->kind != YNODE_MAP) {
        yget_error(c, root, "a scenario must be a mapping with 'name', 'start', 'duration' and "
                            "'sites'");
        return DCSIM_EINPUT;
    }
    int bad = yget_check_keys(c, root, "the scenario", keys) ? 1 : 0;
    const char *name = NULL, *desc = NULL;
    bad |= yget_string(c, root, "the scenario", "name", 1, NULL, &name) != 0;
    bad |= yget_string(c, root, "the scenario", "description", 0, "", &desc) != 0;
    if (name) {
        int ok = *name && strlen(name) < 128;
        for (const char *p = name; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || strchr("-_.", *p);
        if (!ok) {
            yget_error(c, ynode_get(root, "name"), "'name' must be 1 to 127 letters, digits, "
                       "'-', '_' or '.' (it names the result file), got '%.60s'", name);
            bad = 1;
        }
    }
    if (!(s->name = strdup(name ? name : "")) || !(s->description = strdup(desc ? desc : "")))
        return DCSIM_ENOMEM;
    int clock_bad = parse_clock(c, root, s) != 0;
    double seed, trials;
    bad |= yget_number(c, root, "the scenario", "seed", YGET_NONNEG | YGET_INTEGER, 1, &seed) != 0;
    bad |= yget_number(c, root, "the scenario", "trials", YGET_POSITIVE | YGET_INTEGER, 1,
                       &trials) != 0;
    if (trials > SCENARIO_MAX_TRIALS) {
        yget_error(c, ynode_get(root, "trials"), "'trials' must be at most %d",
                   SCENARIO_MAX_TRIALS);
        bad = 1;
    }
    if (seed > SCENARIO_MAX_SEED) {
        yget_error(c, ynode_get(root, "seed"), "'seed' must be at most 2^53 (%.0f)",
                   SCENARIO_MAX_SEED);
        bad = 1;
    }
    /* converted only when in range (a double out of an integer's range is undefined) */
    s->seed = seed >= 0 && seed <= SCENARIO_MAX_SEED ? (uint64_t)seed : 1;
    s->trials = trials >= 1 && trials <= SCENARIO_MAX_TRIALS ? (int)trials : 1;
    bad |= parse_reliability(c, root, s);
    const struct ynode *econ = ynode_get(root, "economics");
    if (econ) {
        static const char *const ekeys[] = {"years", "discount_rate", NULL};
        s->has_economics = 1;
        bad |= yget_check_keys(c, econ, "economics", ekeys) ? 1 : 0;
        bad |= yget_number(c, econ, "economics", "years", YGET_REQUIRED | YGET_POSITIVE |
                           YGET_INTEGER, 0, &s->econ_years) != 0;
        bad |= yget_number(c, econ, "economics", "discount_rate", YGET_REQUIRED | YGET_NONNEG, 0,
                           &s->discount_rate) != 0;
        if (!bad && (s->econ_years > 100 || s->discount_rate > 1)) {
            yget_error(c, econ, "economics: 'years' at most 100 and 'discount_rate' at most 1 "
                       "(a fraction: 0.08 for 8 %%)");
            bad = 1;
        }
    }
    int rc = parse_models(c, ynode_get(root, "models"), cat, local);
    if (rc == DCSIM_ENOMEM)
        return rc;
    bad |= rc != 0;
    if (clock_bad)   /* the clock is needed to place online dates; stop before sites */
        return DCSIM_EINPUT;

    struct lookup lk = {.global = cat, .local = local};
    const struct ynode *sites = get_list(c, root, "the scenario", "sites", 1, &bad);
    if (!sites)
        return DCSIM_EINPUT;
    if (sites->n == 0) {
        yget_error(c, sites, "'sites' must list at least one site");
        return DCSIM_EINPUT;
    }
    if (!(s->sites = calloc(sites->n, sizeof *s->sites)))
        return DCSIM_ENOMEM;
    s->n_sites = sites->n;
    for (size_t i = 0; i < sites->n; i++) {
        struct site *site = &s->sites[i];
        if (get_id(c, sites->items[i], "sites", i, site->id) ||
            check_duplicate(c, sites, i, site->id, "sites")) {
            bad = 1;
            continue;
        }
        char path[96];
        snprintf(path, sizeof path, "sites[%s]", site->id);
        rc = parse_site(c, sites->items[i], path, &lk, s, site);
        if (rc == DCSIM_ENOMEM)
            return rc;
        bad |= rc != 0;
    }
    if (bad)
        return DCSIM_EINPUT;
    rc = parse_events(c, root, s);
    if (!rc)
        scenario_warn(c, root, s, cat, local);
    return rc;
}

int scenario_from_doc(const struct ydoc *doc, const struct catalog *cat, struct scenario **out,
                      struct diag *d)
{
    *out = NULL;
    struct scenario *s = calloc(1, sizeof *s);
    struct catalog local = {0};
    int rc = 0;
    if (!s || !(s->path = strdup(doc->path)) || !(s->text = malloc(doc->text_len + 1))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    memcpy(s->text, doc->text, doc->text_len);
    s->text[doc->text_len] = '\0';
    s->text_len = doc->text_len;
    struct yctx c = {.file = doc->path, .d = d};
    rc = parse_top(&c, doc->root, cat, &local, s);
done:
    catalog_release(&local);
    if (rc) {
        scenario_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

int scenario_parse(const char *path, const char *text, size_t len, const struct catalog *cat,
                   struct scenario **out, struct diag *d)
{
    *out = NULL;
    struct ydoc doc;
    int rc = ydoc_parse(path, text, len, &doc, d);
    if (rc)
        return rc;
    rc = scenario_from_doc(&doc, cat, out, d);
    ydoc_release(&doc);
    return rc;
}

int scenario_parse_outline(const char *path, const char *text, size_t len,
                           struct scenario **out, struct diag *d)
{
    *out = NULL;
    struct ydoc doc;
    int rc = ydoc_parse(path, text, len, &doc, d);
    if (rc)
        return rc;
    struct scenario *s = calloc(1, sizeof *s);
    struct yctx c = {.file = doc.path, .d = d};
    const struct ynode *root = doc.root, *sites = NULL;
    const char *name = NULL;
    if (!s) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    if (!root || root->kind != YNODE_MAP) {
        yget_error(&c, root, "a scenario must be a mapping with 'name', 'start', 'duration' and "
                             "'sites'");
        rc = DCSIM_EINPUT;
        goto done;
    }
    double trials = 1;
    int bad = yget_string(&c, root, "the scenario", "name", 1, NULL, &name) != 0;
    bad |= parse_clock(&c, root, s) != 0;
    bad |= yget_number(&c, root, "the scenario", "trials", YGET_POSITIVE | YGET_INTEGER, 1,
                       &trials) != 0;
    bad |= parse_reliability(&c, root, s);
    s->trials = trials >= 1 && trials <= SCENARIO_MAX_TRIALS ? (int)trials : 1;
    if (!bad && !(sites = get_list(&c, root, "the scenario", "sites", 1, &bad)))
        bad = 1;
    if (bad) {
        rc = DCSIM_EINPUT;
        goto done;
    }
    if (!(s->name = strdup(name)) || !(s->description = strdup("")) ||
        !(s->path = strdup(doc.path)) ||
        (sites->n && !(s->sites = calloc(sites->n, sizeof *s->sites)))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    s->n_sites = sites->n;
    for (size_t i = 0; i < sites->n && !rc; i++)
        if (get_id(&c, sites->items[i], "sites", i, s->sites[i].id))
            rc = DCSIM_EINPUT;
done:
    ydoc_release(&doc);
    if (rc) {
        scenario_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

int scenario_load(const char *path, const struct catalog *cat, struct scenario **out,
                  struct diag *d)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = yamlx_read_file(path, &text, &len, d);
    if (rc)
        return rc;
    rc = scenario_parse(strcmp(path, "-") == 0 ? YAMLX_STDIN_NAME : path, text, len, cat, out,
                        d);
    free(text);
    return rc;
}

void scenario_destroy(struct scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_sites; i++) {
        free(s->sites[i].events);
        for (size_t k = 0; k < s->sites[i].n_epw_paths; k++)
            free(s->sites[i].epw_paths[k]);
        free(s->sites[i].epw_paths);
        for (size_t j = 0; j < s->sites[i].n_supplies; j++) {
            struct supply *sp = &s->sites[i].supplies[j];
            tseries_put(sp->price_series);
            tseries_put(sp->co2_series);
            tseries_put(sp->cfe_series);
        }
        for (size_t j = 0; j < s->sites[i].n_pools; j++)
            tseries_put(s->sites[i].pools[j].util_series);
        free(s->sites[i].supplies);
        free(s->sites[i].pools);
    }
    free(s->sites);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s->text);
    free(s);
}

double site_firm_nameplate_mw(const struct site *site, int64_t t_s)
{
    double mw = 0;
    for (size_t i = 0; i < site->n_pools; i++) {
        const struct it_pool *p = &site->pools[i];
        if (!p->flexible && t_s >= p->online_s && t_s < p->offline_s)
            mw += p->count * p->rack.power_max_kw / 1000.0;
    }
    return mw;
}
