/* scenario_parts.h — internal: shared pieces of the scenario reader (scenario.c and
 * scenario_site.c). Not part of the public API. */
#ifndef DCSIM_SCENARIO_PARTS_H
#define DCSIM_SCENARIO_PARTS_H

#include "scenario.h"
#include "yget.h"

/* Catalog lookups with the scenario's own `models:` entries first. */
struct lookup {
    const struct catalog *global;
    const struct catalog *local;
};

const struct rack *lookup_rack(const struct lookup *lk, const char *id);
const struct reactor *lookup_reactor(const struct lookup *lk, const char *id);
const struct climate *lookup_climate(const struct lookup *lk, const char *id);
const struct turbine *lookup_turbine(const struct lookup *lk, const char *id);
void unknown_entry(const struct yctx *c, const struct lookup *lk, const struct ynode *at,
                   char kind, const char *id, const char *path);

int get_id(const struct yctx *c, const struct ynode *map, const char *list_path, size_t index,
           char *out);
int check_duplicate(const struct yctx *c, const struct ynode *list, size_t index,
                    const char *id, const char *list_path);
int get_run_time(const struct yctx *c, const struct ynode *map, const char *path,
                 const char *key, const struct scenario *s, int64_t dflt, int64_t *out);
const struct ynode *get_list(const struct yctx *c, const struct ynode *map, const char *path,
                             const char *key, int required, int *bad);

/** `file` relative to the scenario's directory (absolute as is); malloc'd or NULL. */
char *scenario_resolve_path(const char *scenario_path, const char *file);

/** A number, or {csv: FILE, column: NAME} (then *series is the shared series, from
 *  tseries_get, and *value its value at the run start). Returns 0 or 1 (reported). */
int get_number_or_series(const struct yctx *c, const struct ynode *m, const char *path,
                         const char *key, unsigned flags, double dflt, double lo, double hi,
                         const struct scenario *s, double *value, const struct tseries **series);

int parse_supplies(const struct yctx *c, const struct ynode *site_map, const char *path,
                   const struct lookup *lk, const struct scenario *s, struct site *site);
int parse_pools(const struct yctx *c, const struct ynode *site_map, const char *path,
                const struct lookup *lk, const struct scenario *s, struct site *site);
int parse_events(const struct yctx *c, const struct ynode *root, struct scenario *s);
int parse_cooling(const struct yctx *c, const struct ynode *site_map, const char *path,
                  struct site *site);

/** Warnings (issue 10) for a scenario that parsed without errors: scripted events outside
 *  the run, supplies and pools never online, racks ten times outside the catalog's range
 *  of power_max_kw. Positioned at the key; they do not make the scenario invalid. */
void scenario_warn(const struct yctx *c, const struct ynode *root, const struct scenario *s,
                   const struct catalog *global, const struct catalog *local);

#endif
