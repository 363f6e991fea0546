/* run_output.c — a simulation run written to a new HDF5 file: series streamed as the run
 * goes, summaries and the trials table at the end, then renamed into place. Shared by
 * `run` and `fit -o`. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async_sink.h"
#include "run_output.h"
#include "stop.h"
#include "h5out.h"
#include "results.h"
#include "timefmt.h"

#define RUN_CHUNK_STEPS 4096   /* steps per HDF5 chunk (h5out lowers it for many sites) */
#define RUN_BLOCK_BYTES (2u << 20)   /* at most this in the solver's block of rows */

/* Rows per block the solver hands over: the writer's chunk (which the run's length and the
 * writer's byte budget bound already), fewer when a block of n_sites * cols doubles a row
 * would pass RUN_BLOCK_BYTES: the solver keeps a block (and a packed copy of the last), the
 * writer its own stage. At least one row. */
static size_t block_rows(const struct scenario *sc, int cols, size_t chunk_rows)
{
    size_t rows = chunk_rows;
    size_t row_bytes = sc->n_sites * (size_t)cols * sizeof(double);
    if (row_bytes > 0 && rows > RUN_BLOCK_BYTES / row_bytes)
        rows = RUN_BLOCK_BYTES / row_bytes;
    return rows ? rows : 1;
}

static void progress_tty(void *ctx, int64_t done, int64_t total)
{
    (void)ctx;
    fprintf(stderr, "\rdcsim: running %3d %% (%lld/%lld)", (int)(100 * done / total),
            (long long)done, (long long)total);
    if (done == total)
        fputs("\r                                        \r", stderr);
    fflush(stderr);
}

/* /summary and /sites/<id>/summary: each metric with its "<name>_units" companion. */
static int write_summaries(struct h5out *h, const struct scenario *sc,
                           const struct sim_summary *sum, volatile sig_atomic_t *stop,
                           struct diag *d)
{
    int rc = 0;
    char path[CATALOG_ID_MAX + 32];
    for (int i = -1; i < (int)sum->n_sites && !rc; i++) {
        if (stop && *stop)   /* thousands of sites take a while */
            return DCSIM_EINTERRUPTED;
        if (i < 0)
            snprintf(path, sizeof path, "/summary");
        else
            snprintf(path, sizeof path, "/sites/%s/summary", sc->sites[i].id);
        rc = h5out_write_attrs(h, path, N_METRICS, metric_names,
                               i < 0 ? sum->total : sum->site[i], metric_units, d);
    }
    /* /economics: the whole scenario's economics (also in /summary) */
    static const int econ[] = {M_CAPEX_USD, M_REVENUE_USD_PER_YEAR, M_OPEX_USD_PER_YEAR,
                               M_NPV_USD, M_PAYBACK_YEARS};
    const char *names[5], *units[5];
    double values[5];
    for (int k = 0; k < 5; k++) {
        names[k] = metric_names[econ[k]];
        units[k] = metric_units[econ[k]];
        values[k] = sum->total[econ[k]];
    }
    if (!rc)
        rc = h5out_write_attrs(h, "/economics", 5, names, values, units, d);
    return rc;
}

/* The model attributes write_models has written, by path: the last numbers (and text)
 * written under each. Sites share their models (16 sites of one catalog rack wrote it 16
 * times); a model is written again only when what it would write differs bit for bit from
 * the last written under its path (a scenario's override), so the file ends with what it
 * held when every site wrote its own. */
#define MODEL_VALUES_MAX 39   /* a climate: 3 numbers and 3 monthly arrays */

struct written {
    char path[2 * CATALOG_ID_MAX + 32];
    double v[MODEL_VALUES_MAX];
    size_t n;
    char text[CATALOG_ID_MAX];
};

struct written_set {
    struct written *w;
    size_t n, cap;
};

/* 1 when values v[n] and text (may be "") must be written at path, and notes them as the
 * last written there; 0 when they are the last written there; -1 out of memory. */
static int to_write(struct written_set *s, const char *path, const double *v, size_t n,
                    const char *text)
{
    struct written *w = NULL;
    for (size_t i = 0; i < s->n && !w; i++)
        if (strcmp(s->w[i].path, path) == 0)
            w = &s->w[i];
    if (w && w->n == n && memcmp(w->v, v, n * sizeof *v) == 0 && strcmp(w->text, text) == 0)
        return 0;
    if (!w) {
        if (s->n == s->cap) {
            size_t cap = 2 * s->cap + 8;
            struct written *grown = realloc(s->w, cap * sizeof *grown);
            if (!grown)
                return -1;
            s->w = grown;
            s->cap = cap;
        }
        w = &s->w[s->n++];
        snprintf(w->path, sizeof w->path, "%s", path);
    }
    memcpy(w->v, v, n * sizeof *v);
    w->n = n;
    snprintf(w->text, sizeof w->text, "%s", text);
    return 1;
}

/* The catalog entries the run used, resolved (scenario overrides included): /models/racks/<id>,
 * /models/reactors/<id>, /models/climates/<id>, numbers as attributes with units, each once
 * (see to_write); and each site's time zone as /sites/<id> utc_offset_h and the root's
 * utc_offset_h[site]. */
static int write_models(struct h5out *h, const struct scenario *sc, const struct sim *sim,
                        volatile sig_atomic_t *stop, struct diag *d)
{
    char path[2 * CATALOG_ID_MAX + 32];
    int rc = 0, needed;
    struct written_set done = {0};
    double *tz = malloc((sc->n_sites ? sc->n_sites : 1) * sizeof *tz);
    if (!tz)
        return DCSIM_ENOMEM;
    for (size_t i = 0; i < sc->n_sites && !rc; i++) {
        if (stop && *stop) {
            rc = DCSIM_EINTERRUPTED;
            break;
        }
        const struct site *s = &sc->sites[i];
        tz[i] = sim_site_utc_offset_h(sim, i);
        static const char *const tz_name[] = {"utc_offset_h"}, *const tz_unit[] = {"h"};
        snprintf(path, sizeof path, "/sites/%s", s->id);
        rc = h5out_write_attrs(h, path, 1, tz_name, &tz[i], tz_unit, d);
        for (size_t k = 0; k < s->n_pools && !rc; k++) {
            const struct rack *r = &s->pools[k].rack;
            static const char *const names[] = {"gpus", "power_max_kw", "power_idle_kw",
                                                "liquid_fraction", "coolant_max_c"};
            static const char *const units[] = {"1", "kW", "kW", "1", "degC"};
            double v[] = {r->gpus, r->power_max_kw, r->power_idle_kw, r->liquid_fraction,
                          r->coolant_max_c};
            snprintf(path, sizeof path, "/models/racks/%s", r->id);
            if ((needed = to_write(&done, path, v, 5, r->gpu)) <= 0) {
                rc = needed < 0 ? DCSIM_ENOMEM : 0;
                continue;
            }
            rc = h5out_write_attrs(h, path, 5, names, v, units, d);
            if (!rc && r->gpu[0])
                rc = h5out_write_attr_text(h, path, "gpu", r->gpu, d);
        }
        for (size_t k = 0; k < s->n_supplies && !rc; k++) {
            if (s->supplies[k].type != SUPPLY_REACTOR)
                continue;
            const struct reactor *r = &s->supplies[k].reactor;
            static const char *const names[] = {"net_mw", "forced_outage_rate", "mean_repair_h",
                                                "refuel_interval_d", "refuel_outage_d"};
            static const char *const units[] = {"MW", "1", "h", "d", "d"};
            double v[] = {r->net_mw, r->forced_outage_rate, r->mean_repair_h,
                          r->refuel_interval_d, r->refuel_outage_d};
            snprintf(path, sizeof path, "/models/reactors/%s", r->id);
            if ((needed = to_write(&done, path, v, 5, "")) <= 0) {
                rc = needed < 0 ? DCSIM_ENOMEM : 0;
                continue;
            }
            rc = h5out_write_attrs(h, path, 5, names, v, units, d);
        }
        if (!rc && s->weather_source == WEATHER_CLIMATE) {
            const struct climate *c = &s->climate;
            static const char *const names[] = {"utc_offset_h", "anomaly_sd_k",
                                                "anomaly_autocorrelation"};
            static const char *const units[] = {"h", "K", "1"};
            double v[MODEL_VALUES_MAX] = {c->utc_offset_h, c->anomaly_sd_k,
                                          c->anomaly_autocorrelation};
            double *db = v + 3, *range = db + 12, *rh = range + 12;   /* monthly */
            memcpy(db, c->monthly_drybulb_c, sizeof c->monthly_drybulb_c);
            memcpy(range, c->monthly_range_k, sizeof c->monthly_range_k);
            memcpy(rh, c->monthly_rh, sizeof c->monthly_rh);
            snprintf(path, sizeof path, "/models/climates/%s", c->id);
            if ((needed = to_write(&done, path, v, MODEL_VALUES_MAX, "")) <= 0) {
                rc = needed < 0 ? DCSIM_ENOMEM : 0;
                continue;
            }
            rc = h5out_write_attrs(h, path, 3, names, v, units, d);
            if (!rc)
                rc = h5out_write_attr_array(h, path, "monthly_drybulb_c", 12, db, d);
            if (!rc)
                rc = h5out_write_attr_array(h, path, "monthly_range_k", 12, range, d);
            if (!rc)
                rc = h5out_write_attr_array(h, path, "monthly_rh", 12, rh, d);
        }
    }
    if (!rc)
        rc = h5out_write_attr_array(h, "/", "utc_offset_h", sc->n_sites, tz, d);
    free(tz);
    free(done.w);
    return rc;
}

/* The columns of every site (h5out_create_sites): names live in `text`. */
struct layout {
    struct h5out_series_def *defs;      /* [n_sites * cols] */
    char (*text)[3][96];                /* [n_sites * cols]: name, long name, group */
};

static void layout_release(struct layout *lay)
{
    free(lay->defs);
    free(lay->text);
}

static void put_col(struct layout *lay, size_t at, const char *name, const char *units,
                    const char *long_name, const char *group, int max)
{
    char (*t)[96] = lay->text[at];
    snprintf(t[0], sizeof t[0], "%s%s", name, max ? "_max" : "");
    snprintf(t[1], sizeof t[1], "%s%s", long_name, max ? " (interval maximum)" : "");
    snprintf(t[2], sizeof t[2], "%s", group ? group : "");
    lay->defs[at] = (struct h5out_series_def){t[0], units, t[1], group ? t[2] : NULL};
}

static int layout_build(const struct scenario *sc, int cols, int nv, struct layout *lay)
{
    size_t n = sc->n_sites * (size_t)cols;
    lay->defs = calloc(n ? n : 1, sizeof *lay->defs);
    lay->text = malloc((n ? n : 1) * sizeof *lay->text);
    if (!lay->defs || !lay->text) {
        layout_release(lay);
        return DCSIM_ENOMEM;
    }
    for (size_t i = 0; i < sc->n_sites; i++) {
        const struct site *site = &sc->sites[i];
        for (int pass = 0; pass * nv < cols; pass++) {
            size_t at = i * (size_t)cols + (size_t)(pass * nv);
            for (int k = 0; k < N_SERIES; k++)
                put_col(lay, at++, series_names[k], series_units[k], series_descriptions[k],
                        NULL, pass);
            char group[CATALOG_ID_MAX + 16];
            for (size_t j = 0; j < site->n_supplies; j++) {
                const struct supply *sp = &site->supplies[j];
                snprintf(group, sizeof group, "supplies/%s", sp->id);
                put_col(lay, at++, "power_mw", "MW", "power delivered (battery: negative "
                        "while charging)", group, pass);
                put_col(lay, at++, "available_mw", "MW", "power it could deliver", group, pass);
                if (sp->type == SUPPLY_BATTERY)
                    put_col(lay, at++, "soc_mwh", "MWh", "energy stored at the end of the step",
                            group, pass);
            }
            for (size_t j = 0; j < site->n_pools; j++) {
                snprintf(group, sizeof group, "pools/%s", site->pools[j].id);
                put_col(lay, at++, "it_mw", "MW", "IT power served", group, pass);
                put_col(lay, at++, "shed_mw", "MW", "IT not served for lack of power (flexible "
                        "shed or firm curtailed)", group, pass);
                put_col(lay, at++, "throttle_mw", "MW", "IT reduced because cooling could not "
                        "reject the heat", group, pass);
            }
        }
    }
    return 0;
}

int run_to_file(const struct scenario *sc, struct sim *sim, const char *out,
                    const struct run_file_opts *fo, struct sim_summary *sum, struct diag *d)
{
    char start[32];
    timefmt_format_date(sc->start_unix_s, start, sizeof start);
    const char **site_ids = malloc(sc->n_sites * sizeof *site_ids);
    if (!site_ids)
        return DCSIM_ENOMEM;
    for (size_t i = 0; i < sc->n_sites; i++)
        site_ids[i] = sc->sites[i].id;
    /* per site: the series, then each supply's and pool's (padded to the most any site
     * has), and with output_every the same again as interval maxima <name>_max */
    int cols = sim_output_columns(sc), nv = sim_site_columns(sc);
    struct layout lay = {0};
    int rc = layout_build(sc, cols, nv, &lay);
    if (rc) {
        free(site_ids);
        return rc;
    }
    struct h5out_meta meta = {
        .dcsim_version = DCSIM_VERSION, .scenario_name = sc->name, .start_iso = start,
        .timestep_s = sc->timestep_s, .steps = sc->steps, .seed = sc->seed,
        .rows = sim_output_rows(sc), .output_every_s = sc->output_every_s,
        .deflate_level = fo->deflate_level, .threads = fo->threads, .stop = fo->stop,
        .trials = sc->trials, .scenario_text = sc->text, .scenario_len = sc->text_len,
    };
    struct h5out *h = NULL;
    rc = h5out_create_sites(out, &meta, sc->n_sites, site_ids, (size_t)cols, lay.defs,
                            RUN_CHUNK_STEPS, &h, d);
    free(site_ids);
    layout_release(&lay);
    if (rc)
        return rc;
    /* the series are compressed and written on the writer's threads while the run goes on */
    size_t block = block_rows(sc, cols, h5out_chunk_rows(h));
    struct async_sink writer;
    if ((rc = async_sink_start(&writer, h))) {
        h5out_abort(h);
        return rc;
    }
    struct sim_progress progress = {NULL, progress_tty};
    struct sim_options opt = {
        .block_steps = block, .sink = &writer.sink,
        .progress = (!fo->quiet && isatty(STDERR_FILENO)) ? &progress : NULL,
        .threads = fo->threads,
        .stop = fo->stop,
        .extras = 1,
    };
    rc = sim_run(sim, &opt, sum, d);
    int wrc = async_sink_finish(&writer, d);
    if (!rc)
        rc = wrc;
    if (!rc)
        rc = write_summaries(h, sc, sum, fo->stop, d);
    if (!rc)
        rc = write_models(h, sc, sim, fo->stop, d);
    if (!rc && sum->trials > 1)
        rc = h5out_write_table(h, "trials", "trial", (size_t)sum->trials, N_METRICS,
                               metric_names, &sum->trial_total[0][0], d);
    if (!rc && fo->before_commit)
        rc = fo->before_commit(h, fo->ctx, d);
    if (rc) {
        h5out_abort(h);
        return rc;
    }
    return h5out_commit(h, d);
}

/* results/<name>.h5, creating results/ when it is missing. */
int run_default_output(const struct scenario *sc, char *buf, size_t len)
{
    if (mkdir("results", 0777) != 0 && errno != EEXIST)
        return DCSIM_EIO;
    snprintf(buf, len, "results/%s.h5", sc->name);
    return 0;
}

