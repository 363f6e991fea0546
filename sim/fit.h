/* fit.h — "does this IT load fit this campus?" (../shared/model.md "Reliability and fit").
 *
 * The firm IT pools' counts are scaled by one continuous factor f; a load fits when the
 * firm shortfall per year — (unserved + firm throttled energy) / years, averaged over the
 * trials — is at most `reliability.max_unserved_mwh` and, with several trials, LOLE is at
 * most `max_lole_h`. The largest fitting f is bracketed by doubling/halving from f = 1 and
 * bisected (the criterion is monotone in f) to FIT_REL_TOL. Every evaluation uses the same
 * seed (common random numbers), so the criterion is a deterministic function of f. */
#ifndef DCSIM_FIT_H
#define DCSIM_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "results.h"
#include "scenario.h"
#include "solver.h"

#define FIT_REL_TOL 1e-3          /* 0.1 % on the factor */
#define FIT_MAX_FACTOR 1e4
#define FIT_MIN_FACTOR 1e-6

struct fit_ctx {
    struct scenario *sc;          /* borrowed; its firm pool counts are rewritten */
    double *base_count;           /* owned: the scenario's own counts */
    double base_critical_it_mw;   /* largest firm nameplate online at once at f = 1 */
    struct sim_options opt;       /* threads etc.; no sink */
    int evaluations;
};

/** The step where a failing load falls shortest (largest unserved + firm throttle). */
struct fit_binding {
    int found;
    size_t site;
    int64_t t_s;
    double v[N_SERIES];           /* the site's series at that step */
};

struct fit_eval {
    double factor, critical_it_mw;
    double shortfall_mwh_per_year, lole_h_per_year;
    int fits;
    struct sim_summary summary;   /* owned: release with sim_summary_release */
};

int fit_init(struct fit_ctx *f, struct scenario *sc, const struct sim_options *opt,
             struct diag *d);
void fit_release(struct fit_ctx *f);

/** Runs the scenario at factor `factor`; `binding` (may be NULL) gets the worst step. */
int fit_evaluate(struct fit_ctx *f, double factor, struct fit_eval *out,
                 struct fit_binding *binding, struct diag *d);

/** Finds the largest fitting factor (0 when even FIT_MIN_FACTOR fails, FIT_MAX_FACTOR when
 *  everything fits); *first_fail_factor gets the smallest failing factor found. */
int fit_search(struct fit_ctx *f, double *max_factor, double *first_fail_factor,
               struct diag *d);

/** Says in words what binds at the binding step ("grid contract 'oncor' (250 MW) at ..."). */
void fit_describe(const struct scenario *sc, const struct fit_binding *b, char *buf, size_t len);

#endif
