/* scenario_warn.c — warnings for input that is legal but almost surely not what was meant
 * (issue 10): a scripted event entirely outside the run, a supply or IT pool that is never
 * online during the run, a rack whose power is ten times outside the catalog's range.
 * They are `FILE:LINE:COL: warning: ...` lines at the key that causes them; the scenario
 * still loads (exit 0). Called once a scenario has parsed without errors, so a warning is
 * never the first message of an invalid scenario. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario_parts.h"
#include "timefmt.h"

/* A rack further than this factor from the catalog's range is reported. */
#define WARN_RACK_POWER_FACTOR 10.0
/* A catalog entry is held against the range of the others only when there are this many
 * (two racks 10x apart are a small catalog, not a mistake). */
#define WARN_RACK_MIN_OTHERS 3

static void warn_at(const struct yctx *c, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn_at(const struct yctx *c, const struct ynode *n, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_warning(c->d, c->file, n ? n->line : 1, n ? n->col : 1, "%s", buf);
}

/* The run's end as an ISO date (for messages). */
static void run_end(const struct scenario *s, char *buf, size_t len)
{
    timefmt_format_date(s->start_unix_s + s->duration_s, buf, len);
}

/* Events whose [at, at + duration) does not meet the run's [start, end). */
static void warn_events(const struct yctx *c, const struct ynode *root, const struct scenario *s)
{
    const struct ynode *list = ynode_get(root, "events");
    for (size_t i = 0; list && list->kind == YNODE_SEQ && i < list->n; i++) {
        const struct ynode *m = list->items[i];
        char path[48];
        snprintf(path, sizeof path, "events[%zu]", i + 1);
        int64_t at, dur;
        int present;
        /* already read without errors by parse_events: these reads cannot fail */
        if (yget_date(c, m, path, "at", &at, &present) || !present ||
            yget_span(c, m, path, "duration", 1, 0, &dur))
            continue;
        int64_t start = at - s->start_unix_s, end = start + dur;
        if (end > 0 && start < s->duration_s)
            continue;
        char from[32], to[32];
        timefmt_format_date(s->start_unix_s, from, sizeof from);
        run_end(s, to, sizeof to);
        warn_at(c, ynode_get(m, "at"), "%s lies entirely %s the run (%s to %s): it has no "
                "effect", path, end <= 0 ? "before" : "after", from, to);
    }
}

/* A supply or pool whose online date is at or after the run's end, or whose offline date
 * is at or before its start: never online while the run lasts. */
static void warn_never_online(const struct yctx *c, const struct ynode *m, const char *what,
                              const struct scenario *s, int64_t online_s, int64_t offline_s)
{
    char when[32], edge[32];
    if (online_s != TIME_ALWAYS && online_s >= s->duration_s) {
        timefmt_format_date(s->start_unix_s + online_s, when, sizeof when);
        run_end(s, edge, sizeof edge);
        warn_at(c, ynode_get(m, "online"), "%s comes online at %s, at or after the run ends "
                "(%s): it is never online", what, when, edge);
    } else if (offline_s != TIME_NEVER && offline_s <= 0) {
        timefmt_format_date(s->start_unix_s + offline_s, when, sizeof when);
        timefmt_format_date(s->start_unix_s, edge, sizeof edge);
        warn_at(c, ynode_get(m, "offline"), "%s goes offline at %s, at or before the run "
                "starts (%s): it is never online", what, when, edge);
    }
}

static void warn_sites(const struct yctx *c, const struct ynode *root, const struct scenario *s)
{
    const struct ynode *sites = ynode_get(root, "sites");
    for (size_t i = 0; sites && i < sites->n && i < s->n_sites; i++) {
        const struct site *site = &s->sites[i];
        const struct ynode *sup = ynode_get(sites->items[i], "supply");
        const struct ynode *it = ynode_get(sites->items[i], "it");
        char what[200];
        for (size_t j = 0; sup && j < sup->n && j < site->n_supplies; j++) {
            snprintf(what, sizeof what, "supply '%s' of site '%s'", site->supplies[j].id,
                     site->id);
            warn_never_online(c, sup->items[j], what, s, site->supplies[j].online_s,
                              site->supplies[j].offline_s);
        }
        for (size_t j = 0; it && j < it->n && j < site->n_pools; j++) {
            snprintf(what, sizeof what, "IT pool '%s' of site '%s'", site->pools[j].id,
                     site->id);
            warn_never_online(c, it->items[j], what, s, site->pools[j].online_s,
                              site->pools[j].offline_s);
        }
    }
}

/* The smallest and largest power_max_kw among the catalog's racks, other than `except`
 * when it is not NULL (their ids in *lo_id, *hi_id); returns how many there are. */
static size_t rack_range(const struct catalog *cat, const char *except, double *lo,
                         const char **lo_id, double *hi, const char **hi_id)
{
    size_t n = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; cat && i < cat->n_racks; i++) {
        const struct rack *r = &cat->racks[i];
        if ((except && strcmp(r->id, except) == 0) || !(r->power_max_kw > 0))
            continue;
        n++;
        if (r->power_max_kw < *lo) {
            *lo = r->power_max_kw;
            *lo_id = r->id;
        }
        if (r->power_max_kw > *hi) {
            *hi = r->power_max_kw;
            *hi_id = r->id;
        }
    }
    return n;
}

/* Whether catalog entry r's power is ten times above or below the catalog's other racks
 * (at least WARN_RACK_MIN_OTHERS of them). */
static int catalog_rack_out_of_range(const struct catalog *global, const struct rack *r)
{
    double lo, hi;
    const char *lo_id = "", *hi_id = "";
    return rack_range(global, r->id, &lo, &lo_id, &hi, &hi_id) >= WARN_RACK_MIN_OTHERS &&
           (r->power_max_kw > WARN_RACK_POWER_FACTOR * hi ||
            r->power_max_kw < lo / WARN_RACK_POWER_FACTOR);
}

/* Warns at `at` when rack r's power is ten times above or below the catalog's range (of
 * the racks other than `except`, when not NULL). */
static void warn_rack_power(const struct yctx *c, const struct ynode *at, const char *what,
                            const struct catalog *global, const char *except,
                            const struct rack *r)
{
    double lo, hi;
    const char *lo_id = "", *hi_id = "";
    if (rack_range(global, except, &lo, &lo_id, &hi, &hi_id) == 0)
        return;
    double p = r->power_max_kw;
    if (p > WARN_RACK_POWER_FACTOR * hi)
        warn_at(c, at, "%s: power_max_kw %g is over %g times the catalog's largest rack "
                "('%s', %g kW): is it in kW, for one rack?", what, p, WARN_RACK_POWER_FACTOR,
                hi_id, hi);
    else if (p < lo / WARN_RACK_POWER_FACTOR)
        warn_at(c, at, "%s: power_max_kw %g is under 1/%g of the catalog's smallest rack "
                "('%s', %g kW): is it in kW, for one rack?", what, p, WARN_RACK_POWER_FACTOR,
                lo_id, lo);
}

/* The scenario's own racks (models.racks, new or overriding) against the range of the
 * catalog's racks, and the catalog racks the pools use against the range of the others. */
static void warn_racks(const struct yctx *c, const struct ynode *root, const struct scenario *s,
                       const struct catalog *global, const struct catalog *local)
{
    const struct ynode *racks = ynode_get(ynode_get(root, "models"), "racks");
    for (size_t i = 0; racks && racks->kind == YNODE_SEQ && i < racks->n; i++) {
        const struct ynode *e = racks->items[i], *id = ynode_get(e, "id");
        const struct ynode *power = ynode_get(e, "power_max_kw");
        const struct rack *r = id ? catalog_find_rack(local, id->value) : NULL;
        if (!r || !power)
            continue;   /* power inherited from the catalog entry: checked with the catalog */
        char what[CATALOG_ID_MAX + 32];
        snprintf(what, sizeof what, "models.racks[%s]", r->id);
        warn_rack_power(c, power, what, global, NULL, r);
    }
    /* a catalog entry (--models DIR) out of line with the others: at the first pool using it */
    const struct ynode *sites = ynode_get(root, "sites");
    for (size_t i = 0; sites && i < sites->n && i < s->n_sites; i++) {
        const struct ynode *it = ynode_get(sites->items[i], "it");
        for (size_t j = 0; it && j < it->n && j < s->sites[i].n_pools; j++) {
            const struct it_pool *p = &s->sites[i].pools[j];
            const struct rack *r = catalog_find_rack(global, p->rack.id);
            if (!r || catalog_find_rack(local, p->rack.id) ||
                !catalog_rack_out_of_range(global, r))
                continue;   /* in line, or the scenario's own entry (checked above) */
            int first = 1;
            for (size_t a = 0; a <= i && first; a++)
                for (size_t b = 0; b < (a == i ? j : s->sites[a].n_pools) && first; b++)
                    first = strcmp(s->sites[a].pools[b].rack.id, r->id) != 0;
            if (!first)
                continue;
            char what[CATALOG_ID_MAX + 64];
            snprintf(what, sizeof what, "catalog rack '%s' (used by %s.it[%s])", r->id,
                     s->sites[i].id, p->id);
            warn_rack_power(c, ynode_get(it->items[j], "rack"), what, global, r->id, r);
        }
    }
}

void scenario_warn(const struct yctx *c, const struct ynode *root, const struct scenario *s,
                   const struct catalog *global, const struct catalog *local)
{
    if (!root || root->kind != YNODE_MAP)
        return;
    warn_events(c, root, s);
    warn_sites(c, root, s);
    warn_racks(c, root, s, global, local);
}
