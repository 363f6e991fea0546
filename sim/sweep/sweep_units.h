/* sweep_units.h — a sweep's cases in units of work that share their past.
 *
 * Cases of a grid that differ only in the rack count or the utilization of one pool that is
 * not yet online at the start step the same until it comes online: before that step the
 * pool adds nothing, and its count and utilization are read nowhere else. Such cases make
 * one unit: its first case runs from the start and saves the run's state before that step
 * (a solver snapshot); the others go on from there. Their results are the bits each would
 * get alone (tests: check_sweep and the e2e sweep tests, with `--no-share` as the reference).
 *
 * The pool chosen is the one that comes online last (in case 0) among those a vary path
 * `sites.<site>.it.<pool>.count` or `....utilization` names; a unit's cases differ in those
 * of its paths. Nothing is shared in a zip sweep, when the cases write their series
 * (`series: true`) or run several trials, or without such a path: each case is then a unit
 * of its own. */
#ifndef DCSIM_SWEEP_UNITS_H
#define DCSIM_SWEEP_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "scenario.h"
#include "sweep.h"

/** Bytes of a pool's path, "sites.<site id>.it.<pool id>". */
#define SWEEP_UNITS_POOL_MAX (2 * CATALOG_ID_MAX + 16)

struct sweep_units {
    size_t n_units;
    size_t *first;              /* owned, [n_units + 1]: unit u is
                                   order[first[u] .. first[u + 1]) */
    size_t *order;              /* owned, [n_cases]: the cases, unit by unit, each unit's in
                                   the order of the table */
    size_t n_vars;              /* the vary variables a unit's cases differ in (0: none) */
    size_t vars[2];             /* their indices: the pool's count and/or utilization */
    char pool[SWEEP_UNITS_POOL_MAX];   /* that pool's path, "sites.<site>.it.<pool>" */
};

/** Plans the units of `sw` (share: 0 makes every case a unit of its own). Case 0 is read to
 *  find the pools' online dates and the trials (a case that does not load: nothing shared).
 *  Returns 0 or DCSIM_ENOMEM. */
int sweep_units_plan(const struct sweep *sw, const struct catalog *cat, int share,
                     struct sweep_units *out);

void sweep_units_release(struct sweep_units *u);

/** The step before which a case of a unit saves (or takes) the shared state: the first step
 *  at or after which the shared pool is online in scenario sc, or 0 when sc has no such pool,
 *  the pool is online from the start, or sc runs more than one trial (nothing shared). */
int64_t sweep_units_fork_step(const struct sweep_units *u, const struct scenario *sc);

#endif
