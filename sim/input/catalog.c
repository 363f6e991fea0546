/* catalog.c — reading the equipment catalog (see catalog.h).
 * One YAML mapping per file under models/racks, models/reactors, models/climates. */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DCSIM_MODELS_DIR
#define DCSIM_MODELS_DIR "models"
#endif

static int copy_id(const struct yctx *c, const struct ynode *map, const char *path, char *dst,
                   const char *base_id)
{
    const char *id;
    int rc = yget_string(c, map, path, "id", base_id == NULL, base_id, &id);
    if (rc || !id)
        return rc ? rc : DCSIM_EINPUT;
    if (!*id || strlen(id) >= CATALOG_ID_MAX) {
        yget_error(c, ynode_get(map, "id"), "'id' in %s must be 1 to %d characters", path,
                   CATALOG_ID_MAX - 1);
        return DCSIM_EINPUT;
    }
    snprintf(dst, CATALOG_ID_MAX, "%s", id);
    return 0;
}

/* A key is required only when there is no base entry to inherit it from. */
#define REQ(base) ((base) ? 0u : (unsigned)YGET_REQUIRED)

int catalog_parse_rack(const struct yctx *c, const struct ynode *map, const char *path,
                       const struct rack *base, struct rack *out)
{
    static const char *const keys[] = {"id", "name", "gpu", "gpus", "power_max_kw",
                                       "power_idle_kw", "liquid_fraction", "coolant_max_c", NULL};
    struct rack r = base ? *base : (struct rack){.coolant_max_c = INFINITY};
    int bad = yget_check_keys(c, map, path, keys);
    if (bad && (!map || map->kind != YNODE_MAP))
        return DCSIM_EINPUT;
    bad |= copy_id(c, map, path, r.id, base ? base->id : NULL);
    const char *gpu, *name;
    bad |= yget_string(c, map, path, "gpu", 0, base ? base->gpu : "", &gpu);
    bad |= yget_string(c, map, path, "name", 0, "", &name);
    if (gpu != r.gpu)
        snprintf(r.gpu, sizeof r.gpu, "%s", gpu ? gpu : "");
    double gpus;
    bad |= yget_number(c, map, path, "gpus", YGET_NONNEG | YGET_INTEGER, base ? base->gpus : 0,
                       &gpus);
    if (!bad && gpus > CATALOG_MAX_GPUS) {
        yget_error(c, ynode_get(map, "gpus"), "'gpus' in %s must be at most %d", path,
                   CATALOG_MAX_GPUS);
        bad = 1;
    }
    r.gpus = gpus >= 0 && gpus <= CATALOG_MAX_GPUS ? (int)gpus : 0;
    bad |= yget_number(c, map, path, "power_max_kw", REQ(base) | YGET_POSITIVE, r.power_max_kw,
                       &r.power_max_kw);
    bad |= yget_number(c, map, path, "power_idle_kw", REQ(base) | YGET_NONNEG, r.power_idle_kw,
                       &r.power_idle_kw);
    bad |= yget_number(c, map, path, "liquid_fraction", REQ(base) | YGET_FRACTION,
                       r.liquid_fraction, &r.liquid_fraction);
    bad |= yget_number(c, map, path, "coolant_max_c", 0, r.coolant_max_c, &r.coolant_max_c);
    if (!bad && r.power_idle_kw > r.power_max_kw) {
        yget_error(c, map, "'power_idle_kw' (%g) in %s exceeds 'power_max_kw' (%g)",
                   r.power_idle_kw, path, r.power_max_kw);
        bad = 1;
    }
    if (bad)
        return DCSIM_EINPUT;
    *out = r;
    return 0;
}

int catalog_check_reactor_cycles(const struct yctx *c, const struct ynode *map,
                                 const char *path, const struct reactor *r)
{
    int bad = 0;
    double forced = r->mean_repair_h > 0 ? 8760.0 * r->forced_outage_rate / r->mean_repair_h
                                         : (r->forced_outage_rate > 0 ? INFINITY : 0);
    if (forced > REACTOR_MAX_CYCLES_PER_YEAR) {
        const struct ynode *at = ynode_get(map, "mean_repair_h");
        if (!at)
            at = ynode_get(map, "forced_outage_rate");
        yget_error(c, at ? at : map, "'forced_outage_rate' %g with 'mean_repair_h' %g in %s "
                   "means %.3g outages a year per unit (at most %g: raise mean_repair_h)",
                   r->forced_outage_rate, r->mean_repair_h, path, forced,
                   REACTOR_MAX_CYCLES_PER_YEAR);
        bad = 1;
    }
    if (r->refuel_interval_d > 0 && 365.25 / r->refuel_interval_d > REACTOR_MAX_CYCLES_PER_YEAR) {
        const struct ynode *at = ynode_get(map, "refuel_interval_d");
        yget_error(c, at ? at : map, "'refuel_interval_d' in %s must be at least %g days "
                   "(at most %g refuellings a year)", path,
                   365.25 / REACTOR_MAX_CYCLES_PER_YEAR, REACTOR_MAX_CYCLES_PER_YEAR);
        bad = 1;
    }
    return bad ? DCSIM_EINPUT : 0;
}

int catalog_parse_turbine(const struct yctx *c, const struct ynode *map, const char *path,
                          const struct turbine *base, struct turbine *out)
{
    static const char *const keys[] = {"id", "name", "capacity_mw", "heat_rate_mmbtu_per_mwh",
                                       "min_load_fraction", "start_s", "forced_outage_rate",
                                       "mean_repair_h", NULL};
    struct turbine t = base ? *base : (struct turbine){0};
    int bad = yget_check_keys(c, map, path, keys);
    if (bad && (!map || map->kind != YNODE_MAP))
        return DCSIM_EINPUT;
    bad |= copy_id(c, map, path, t.id, base ? base->id : NULL);
    const char *name;
    bad |= yget_string(c, map, path, "name", 0, "", &name);
    bad |= yget_number(c, map, path, "capacity_mw", REQ(base) | YGET_POSITIVE, t.capacity_mw,
                       &t.capacity_mw);
    bad |= yget_number(c, map, path, "heat_rate_mmbtu_per_mwh", REQ(base) | YGET_POSITIVE,
                       t.heat_rate_mmbtu_per_mwh, &t.heat_rate_mmbtu_per_mwh);
    bad |= yget_number(c, map, path, "min_load_fraction", YGET_FRACTION, t.min_load_fraction,
                       &t.min_load_fraction);
    bad |= yget_number(c, map, path, "start_s", YGET_NONNEG, t.start_s, &t.start_s);
    bad |= yget_number(c, map, path, "forced_outage_rate", YGET_FRACTION, t.forced_outage_rate,
                       &t.forced_outage_rate);
    bad |= yget_number(c, map, path, "mean_repair_h", YGET_NONNEG, t.mean_repair_h,
                       &t.mean_repair_h);
    if (!bad && t.forced_outage_rate >= 1) {
        yget_error(c, ynode_get(map, "forced_outage_rate"),
                   "'forced_outage_rate' in %s must be below 1", path);
        bad = 1;
    }
    if (bad)
        return DCSIM_EINPUT;
    *out = t;
    return 0;
}

int catalog_parse_reactor(const struct yctx *c, const struct ynode *map, const char *path,
                          const struct reactor *base, struct reactor *out)
{
    static const char *const keys[] = {"id", "name", "net_mw", "forced_outage_rate",
                                       "mean_repair_h", "refuel_interval_d", "refuel_outage_d",
                                       NULL};
    struct reactor r = base ? *base : (struct reactor){0};
    int bad = yget_check_keys(c, map, path, keys);
    if (bad && (!map || map->kind != YNODE_MAP))
        return DCSIM_EINPUT;
    bad |= copy_id(c, map, path, r.id, base ? base->id : NULL);
    const char *name;
    bad |= yget_string(c, map, path, "name", 0, "", &name);
    bad |= yget_number(c, map, path, "net_mw", REQ(base) | YGET_POSITIVE, r.net_mw, &r.net_mw);
    bad |= yget_number(c, map, path, "forced_outage_rate", YGET_FRACTION, r.forced_outage_rate,
                       &r.forced_outage_rate);
    bad |= yget_number(c, map, path, "mean_repair_h", YGET_NONNEG, base ? r.mean_repair_h : 72,
                       &r.mean_repair_h);
    bad |= yget_number(c, map, path, "refuel_interval_d", YGET_NONNEG, r.refuel_interval_d,
                       &r.refuel_interval_d);
    bad |= yget_number(c, map, path, "refuel_outage_d", YGET_NONNEG, r.refuel_outage_d,
                       &r.refuel_outage_d);
    if (!bad && r.forced_outage_rate >= 1) {
        yget_error(c, ynode_get(map, "forced_outage_rate"),
                   "'forced_outage_rate' in %s must be below 1", path);
        bad = 1;
    }
    if (!bad && r.refuel_interval_d > 0 && r.refuel_outage_d >= r.refuel_interval_d) {
        yget_error(c, map, "'refuel_outage_d' in %s must be shorter than 'refuel_interval_d'",
                   path);
        bad = 1;
    }
    if (!bad && catalog_check_reactor_cycles(c, map, path, &r))
        bad = 1;
    if (bad)
        return DCSIM_EINPUT;
    *out = r;
    return 0;
}

static int get_months(const struct yctx *c, const struct ynode *map, const char *path,
                      const char *key, int required, double lo, double hi, double out[12])
{
    const struct ynode *v = ynode_get(map, key);
    if (!v) {
        if (required) {
            yget_error(c, map, "missing required key '%s' in %s", key, path);
            return DCSIM_EINPUT;
        }
        return 0;
    }
    if (v->kind != YNODE_SEQ || v->n != 12) {
        yget_error(c, v, "'%s' in %s must be a list of 12 monthly values (January to December)",
                   key, path);
        return DCSIM_EINPUT;
    }
    for (size_t i = 0; i < 12; i++) {
        const struct ynode *it = v->items[i];
        double x;
        if (it->kind != YNODE_SCALAR || it->quoted || yget_parse_number(it->value, &x) ||
            x < lo || x > hi) {
            yget_error(c, it, "'%s' in %s: month %zu must be a number from %g to %g", key, path,
                       i + 1, lo, hi);
            return DCSIM_EINPUT;
        }
        out[i] = x;
    }
    return 0;
}

int catalog_parse_climate(const struct yctx *c, const struct ynode *map, const char *path,
                          const struct climate *base, struct climate *out)
{
    static const char *const keys[] = {"id", "name", "utc_offset_h", "monthly_drybulb_c",
                                       "monthly_range_k", "monthly_rh", "anomaly_sd_k",
                                       "anomaly_autocorrelation", NULL};
    struct climate cl = base ? *base
                             : (struct climate){.anomaly_autocorrelation =
                                                    CLIMATE_DEFAULT_AUTOCORRELATION};
    int bad = yget_check_keys(c, map, path, keys);
    if (bad && (!map || map->kind != YNODE_MAP))
        return DCSIM_EINPUT;
    bad |= copy_id(c, map, path, cl.id, base ? base->id : NULL);
    const char *name;
    bad |= yget_string(c, map, path, "name", 0, "", &name);
    bad |= yget_number(c, map, path, "utc_offset_h", REQ(base), cl.utc_offset_h, &cl.utc_offset_h);
    if (!bad && fabs(cl.utc_offset_h) > 14) {
        yget_error(c, ynode_get(map, "utc_offset_h"), "'utc_offset_h' in %s must be within ±14",
                   path);
        bad = 1;
    }
    bad |= get_months(c, map, path, "monthly_drybulb_c", !base, -60, 60, cl.monthly_drybulb_c);
    bad |= get_months(c, map, path, "monthly_range_k", !base, 0, 40, cl.monthly_range_k);
    bad |= get_months(c, map, path, "monthly_rh", !base, 1, 100, cl.monthly_rh);
    bad |= yget_number(c, map, path, "anomaly_sd_k", YGET_NONNEG, cl.anomaly_sd_k,
                       &cl.anomaly_sd_k);
    bad |= yget_number(c, map, path, "anomaly_autocorrelation", YGET_FRACTION,
                       cl.anomaly_autocorrelation, &cl.anomaly_autocorrelation);
    if (!bad && cl.anomaly_autocorrelation >= 1) {
        yget_error(c, ynode_get(map, "anomaly_autocorrelation"),
                   "'anomaly_autocorrelation' in %s must be below 1", path);
        bad = 1;
    }
    if (bad)
        return DCSIM_EINPUT;
    *out = cl;
    return 0;
}

/* One generic "put" over the three entry arrays: replace by id or append. */
static int put_entry(void **arr, size_t *n, size_t size, const void *entry)
{
    const char *id = entry;   /* every entry struct starts with its id */
    for (size_t i = 0; i < *n; i++) {
        char *slot = (char *)*arr + i * size;
        if (strcmp(slot, id) == 0) {
            memcpy(slot, entry, size);
            return 0;
        }
    }
    void *grown = realloc(*arr, (*n + 1) * size);
    if (!grown)
        return DCSIM_ENOMEM;
    *arr = grown;
    memcpy((char *)grown + *n * size, entry, size);
    (*n)++;
    return 0;
}

int catalog_put_rack(struct catalog *cat, const struct rack *r)
{
    return put_entry((void **)&cat->racks, &cat->n_racks, sizeof *r, r);
}
int catalog_put_reactor(struct catalog *cat, const struct reactor *r)
{
    return put_entry((void **)&cat->reactors, &cat->n_reactors, sizeof *r, r);
}
int catalog_put_turbine(struct catalog *cat, const struct turbine *t)
{
    return put_entry((void **)&cat->turbines, &cat->n_turbines, sizeof *t, t);
}
int catalog_put_climate(struct catalog *cat, const struct climate *cl)
{
    return put_entry((void **)&cat->climates, &cat->n_climates, sizeof *cl, cl);
}

static const void *find_entry(const void *arr, size_t n, size_t size, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp((const char *)arr + i * size, id) == 0)
            return (const char *)arr + i * size;
    return NULL;
}

const struct rack *catalog_find_rack(const struct catalog *cat, const char *id)
{
    return find_entry(cat->racks, cat->n_racks, sizeof *cat->racks, id);
}
const struct reactor *catalog_find_reactor(const struct catalog *cat, const char *id)
{
    return find_entry(cat->reactors, cat->n_reactors, sizeof *cat->reactors, id);
}
const struct turbine *catalog_find_turbine(const struct catalog *cat, const char *id)
{
    return find_entry(cat->turbines, cat->n_turbines, sizeof *cat->turbines, id);
}
const struct climate *catalog_find_climate(const struct catalog *cat, const char *id)
{
    return find_entry(cat->climates, cat->n_climates, sizeof *cat->climates, id);
}

const char *catalog_nearest(const struct catalog *cat, char kind, const char *id)
{
    const void *arr = kind == 'r' ? (const void *)cat->racks
                      : kind == 'n' ? (const void *)cat->reactors
                      : kind == 't' ? (const void *)cat->turbines : (const void *)cat->climates;
    size_t n = kind == 'r' ? cat->n_racks : kind == 'n' ? cat->n_reactors
               : kind == 't' ? cat->n_turbines : cat->n_climates;
    size_t size = kind == 'r' ? sizeof *cat->racks
                  : kind == 'n' ? sizeof *cat->reactors
                  : kind == 't' ? sizeof *cat->turbines : sizeof *cat->climates;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        const char *cand = (const char *)arr + i * size;
        size_t dd = strdist(id, cand);
        if (dd < best_d) {
            best_d = dd;
            best = cand;
        }
    }
    if (best && (best_d <= strlen(id) / 2 + 1 || strstr(best, id)))
        return best;
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads one kind's directory in sorted order (so the catalog does not depend on readdir). */
static int load_kind(struct catalog *cat, const char *dir, const char *sub, char kind,
                     struct diag *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    DIR *dp = opendir(path);
    if (!dp) {
        diag_error(d, path, 0, 0, "cannot open catalog directory: %s", strerror(errno));
        return DCSIM_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0 || e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = DCSIM_ENOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = DCSIM_ENOMEM;
            break;
        }
        n++;
    }
    closedir(dp);
    if (!rc)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) {
        char file[PATH_MAX];
        int w = snprintf(file, sizeof file, "%s/%s", path, names[i]);
        if (w < 0 || (size_t)w >= sizeof file)
            continue;   /* a name too long for a path cannot be opened anyway */
        struct ydoc doc;
        int lrc = ydoc_load(file, &doc, d);
        if (lrc) {
            rc = lrc == DCSIM_ENOMEM ? lrc : DCSIM_EINPUT;
            continue;
        }
        struct yctx c = {.file = file, .d = d};
        char stem[CATALOG_ID_MAX];
        snprintf(stem, sizeof stem, "%.*s", (int)(strlen(names[i]) - 5), names[i]);
        int prc;
        const char *id = NULL;
        if (kind == 'r') {
            struct rack r;
            prc = catalog_parse_rack(&c, doc.root, stem, NULL, &r);
            if (!prc && !(prc = catalog_put_rack(cat, &r)))
                id = catalog_find_rack(cat, r.id)->id;
        } else if (kind == 'n') {
            struct reactor r;
            prc = catalog_parse_reactor(&c, doc.root, stem, NULL, &r);
            if (!prc && !(prc = catalog_put_reactor(cat, &r)))
                id = catalog_find_reactor(cat, r.id)->id;
        } else if (kind == 't') {
            struct turbine t;
            prc = catalog_parse_turbine(&c, doc.root, stem, NULL, &t);
            if (!prc && !(prc = catalog_put_turbine(cat, &t)))
                id = catalog_find_turbine(cat, t.id)->id;
        } else {
            struct climate cl;
            prc = catalog_parse_climate(&c, doc.root, stem, NULL, &cl);
            if (!prc && !(prc = catalog_put_climate(cat, &cl)))
                id = catalog_find_climate(cat, cl.id)->id;
        }
        if (!prc && strcmp(id, stem) != 0) {
            yget_error(&c, ynode_get(doc.root, "id"), "id '%s' differs from the file name '%s'",
                       id, names[i]);
            prc = DCSIM_EINPUT;
        }
        if (prc)
            rc = prc == DCSIM_ENOMEM ? prc : DCSIM_EINPUT;
        ydoc_release(&doc);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int catalog_load(const char *models_dir, struct catalog *cat, struct diag *d)
{
    memset(cat, 0, sizeof *cat);
    if (!(cat->dir = strdup(models_dir)))
        return DCSIM_ENOMEM;
    int rc = load_kind(cat, models_dir, "racks", 'r', d);
    int rc2 = load_kind(cat, models_dir, "reactors", 'n', d);
    int rc3 = load_kind(cat, models_dir, "climates", 'c', d);
    /* turbines: optional (a catalog of an older layout has none) */
    char tdir[PATH_MAX];
    struct stat tst;
    snprintf(tdir, sizeof tdir, "%s/turbines", models_dir);
    int rc4 = stat(tdir, &tst) == 0 ? load_kind(cat, models_dir, "turbines", 't', d) : 0;
    rc = rc ? rc : rc2 ? rc2 : rc3 ? rc3 : rc4;
    if (rc)
        catalog_release(cat);
    return rc;
}

void catalog_release(struct catalog *cat)
{
    if (!cat)
        return;
    free(cat->racks);
    free(cat->reactors);
    free(cat->climates);
    free(cat->turbines);
    free(cat->dir);
    memset(cat, 0, sizeof *cat);
}

static int is_models_dir(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "%s/racks", dir);
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *catalog_find_dir(const char *explicit_dir, char *buf, size_t len)
{
    if (explicit_dir) {
        snprintf(buf, len, "%s", explicit_dir);
        return buf;
    }
    const char *env = getenv("DCSIM_MODELS");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return buf;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, len, "%s/models", exe);
            if (is_models_dir(buf))
                return buf;
            snprintf(buf, len, "%s/../share/dcsim/models", exe);
            if (is_models_dir(buf))
                return buf;
        }
    }
    snprintf(buf, len, "%s", DCSIM_MODELS_DIR);
    return is_models_dir(buf) ? buf : NULL;
}
