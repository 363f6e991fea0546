/* fit.h — "does this IT load fit this campus?" (../shared/model.md "Reliability and fit",
 * docs/model.md "Fit").
 *
 * The firm IT pools' counts are scaled by one continuous factor f; a load fits when the
 * firm shortfall per year — (unserved + firm throttled energy) / years, averaged over the
 * trials — is at most `reliability.max_unserved_mwh` and LOLE is at most `max_lole_h`
 * (always: with one trial LOLE is that trial's). The largest fitting f is bracketed by
 * doubling/halving from a guess and bisected (the criterion is monotone in f) to
 * FIT_REL_TOL. Every evaluation uses the same seed (common random numbers), so the criterion
 * is a deterministic function of f for a given trial count.
 *
 * Confidence. With random outages or synthetic weather the answer is an estimate. Its 95 %
 * interval is found by inverting the test at each f: the interval runs from the largest f
 * that fits even at the upper end of the criteria's 95 % intervals (mean + 1.96 standard
 * errors over the trials) to the smallest f that fails even at their lower end. Without
 * `--trials`, fit_solve chooses the trial count: at least FIT_AUTO_MIN_TRIALS, more (up to
 * FIT_AUTO_MAX_TRIALS) until that interval is within ±FIT_CI_REL of the answer. */
#ifndef DCSIM_FIT_H
#define DCSIM_FIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "results.h"
#include "scenario.h"
#include "solver.h"

#define FIT_REL_TOL 1e-3          /* 0.1 % on the factor */
#define FIT_MAX_FACTOR 1e4
#define FIT_MIN_FACTOR 1e-6
#define FIT_AUTO_MIN_TRIALS 100
#define FIT_AUTO_MAX_TRIALS 400
#define FIT_CI_REL 0.02           /* the interval the automatic trial count aims for: ±2 % */
#define FIT_Z95 1.959963984540054 /* two-sided 95 % normal quantile */

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
    double shortfall_stderr, lole_stderr;   /* over the trials; 0 with one trial */
    int fits;
    int short_fails, lole_fails;  /* which part of the target fails */
    struct sim_summary summary;   /* owned: release with sim_summary_release */
};

/** What fit_solve found. */
struct fit_result {
    double max_factor;            /* largest fitting factor (0: none; FIT_MAX_FACTOR: all) */
    double fail_factor;           /* smallest failing factor found */
    double ci_low_factor, ci_high_factor;   /* 95 % interval of max_factor */
    int trials;                   /* trials behind the answer */
    int random;                   /* the scenario has random outages or weather */
    int ci_met;                   /* the interval is within ±FIT_CI_REL */
};

int fit_init(struct fit_ctx *f, struct scenario *sc, const struct sim_options *opt,
             struct diag *d);
void fit_release(struct fit_ctx *f);

/** Runs the scenario at factor `factor`; `binding` (may be NULL; else [n_sites]) gets each
 *  site's worst step of trial 0 (largest unserved + firm throttle). */
int fit_evaluate(struct fit_ctx *f, double factor, struct fit_eval *out,
                 struct fit_binding *binding, struct diag *d);

/** Finds the largest fitting factor (0 when even FIT_MIN_FACTOR fails, FIT_MAX_FACTOR when
 *  everything fits); *first_fail_factor gets the smallest failing factor found. */
int fit_search(struct fit_ctx *f, double *max_factor, double *first_fail_factor,
               struct diag *d);

/** 1 when the scenario's results vary between trials: random outages (grid outages,
 *  reactor forced outages), synthetic weather with anomalies, or a list of EPW years. */
int fit_scenario_is_random(const struct scenario *sc);

/** The whole answer: the trial count (chosen when auto_trials, else the scenario's), the
 *  largest fitting factor and its 95 % interval. Progress lines go to `progress` (may be
 *  NULL). */
int fit_solve(struct fit_ctx *f, int auto_trials, FILE *progress, struct fit_result *r,
              struct diag *d);

/** Says what binds in a failing evaluation: the failing part of the target (the firm
 *  shortfall, else LOLE), the site that falls shortest on it and that site's worst step. */
void fit_binding_text(const struct scenario *sc, const struct fit_eval *e,
                      const struct fit_binding *per_site, char *buf, size_t len);

/** Says in words what binds at the binding step ("grid contract 'oncor' (250 MW) at ..."). */
void fit_describe(const struct scenario *sc, const struct fit_binding *b, char *buf, size_t len);

#endif
