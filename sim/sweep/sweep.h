/* sweep.h — a sweep file (contract section 4): a base scenario and the values to vary.
 *
 *   base: scenarios/abilene-conversion.yaml     (relative to the sweep file)
 *   mode: grid | zip                             (every combination | lists side by side)
 *   trials: 20                                   (optional: overrides the base's trials)
 *   vary: {PATH: [v1, v2, ...] | {from, to, step}, ...}
 *   series: false                                (true: each case's series in its own file)
 *
 * A PATH walks the scenario's keys, addressing list items by their id:
 * `sites.abilene.it.phase1.count`. Any scalar may be varied: numbers, names, catalog ids. */
#ifndef DCSIM_SWEEP_H
#define DCSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "yamlx.h"

#define SWEEP_MAX_CASES 10000000L
#define SWEEP_VALUE_MAX 64          /* characters of a varied value (table column width) */
#define SWEEP_MAX_VARS 64           /* vary paths (columns of /cases besides the fixed ones) */

struct sweep_var {
    char *path;                     /* owned: "sites.abilene.it.phase1.count" */
    char **values;                  /* owned: each value as scalar text */
    size_t n_values;
    int numeric;                    /* every value is a number (a float64 column) */
    int line, col;                  /* where the path is in the sweep file */
    int adds_key;                   /* the last key is not in the base: the case adds it */
};

struct sweep {
    char *path;                     /* owned: the sweep file */
    char *base_path;                /* owned: the base scenario, resolved */
    int zip;                        /* 0: grid, 1: zip */
    int trials;                     /* 0: the base's own */
    int series;
    struct sweep_var *vars;         size_t n_vars;
    size_t n_cases;
    struct ydoc base;               /* the base scenario, parsed */
    uint64_t fingerprint;           /* hash of the sweep and base texts: --resume checks it */
};

/** Reads and validates the sweep file and its base scenario (syntax; each path is checked
 *  against the base document). Errors into d. */
int sweep_load(const char *path, struct sweep *sw, struct diag *d);
/** The same from text in memory; `path` names it and anchors the relative base path. */
int sweep_parse(const char *path, const char *text, size_t len, struct sweep *sw,
                struct diag *d);
void sweep_release(struct sweep *sw);

struct catalog;

/** Resolves every vary path against the base before any case runs (issue 10): a path whose
 *  last key the base lacks must be a key the scenario format knows there. Builds case 0 and
 *  validates it; an "unknown key" at a key a vary path adds is reported at the path's line in
 *  the sweep file (DCSIM_EINPUT). Other problems of case 0 are left to the case itself. */
int sweep_check_paths(const struct sweep *sw, const struct catalog *cat, struct diag *d);

/** The value index of variable v in case `c` (grid: the last variable varies fastest). */
size_t sweep_value_index(const struct sweep *sw, size_t c, size_t v);

/** A copy of the base document with case c's values set (caller releases it). The copy
 *  keeps the base's text and positions, so messages point into the base file. */
int sweep_case_doc(const struct sweep *sw, size_t c, struct ydoc *out, char *err, size_t errlen);

#endif
