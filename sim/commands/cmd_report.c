/* cmd_report.c — `dcsim report F.h5`: prints a result file's summary table again, exactly as
 * `dcsim run` printed it. The table is rebuilt from the file alone: the scenario's name,
 * clock, reliability target and site order from its /scenario text (an outline: nothing
 * is resolved, so no catalog, weather or CSV file is needed), the trial count from the root
 * attribute `trials`, and the metrics from /summary and /sites/<id>/summary. */
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "h5in.h"
#include "results.h"

const char cmd_report_usage[] =
    "usage: dcsim report RESULT.h5 [-q]\n"
    "       dcsim report SWEEP.h5:case=N [-q]\n\n"
    "Prints the summary table of a result file (written by run, fit or a sweep's case\n"
    "with `series: true`) exactly as `dcsim run` printed it. A sweep's case is read from\n"
    "its case file (SWEEP-cases/case-NNNNNN.h5). -q is accepted; the table is the output.\n";

struct scenario_read {
    const char *path;
    char *text;   /* malloc'd, NUL-terminated */
};

/* Reads the scalar variable-length string dataset /scenario (the scenario text as run)
 * into r->text (an h5in_read_op: run by h5in_isolated, first in a child). */
static int read_scenario_op(void *ctx, struct diag *d)
{
    struct scenario_read *r = ctx;
    const char *path = r->path;
    char **text = &r->text;
    int64_t f = -1, ds = -1;
    free(*text);
    *text = NULL;
    int rc = h5in_open_dataset(path, "/scenario", &f, &ds, d);
    if (rc)
        return rc;
    hid_t ftype = H5Dget_type((hid_t)ds), space = H5Dget_space((hid_t)ds), mtype = -1;
    char *s = NULL;
    rc = DCSIM_EINPUT;
    if (ftype < 0 || space < 0 || H5Tget_class(ftype) != H5T_STRING ||
        H5Tis_variable_str(ftype) <= 0 || H5Sget_simple_extent_type(space) != H5S_SCALAR) {
        diag_error(d, path, 0, 0, "cannot read result: '/scenario' is not the scenario's text "
                                  "(a scalar string)");
        goto done;
    }
    mtype = H5Tcopy(H5T_C_S1);
    if (mtype < 0 || H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
        H5Tset_cset(mtype, H5Tget_cset(ftype)) < 0 ||
        H5Dread((hid_t)ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) < 0 || !s) {
        diag_error(d, path, 0, 0, "cannot read result: cannot read '/scenario'");
        rc = DCSIM_EIO;
        goto done;
    }
    if (!(*text = strdup(s))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    rc = 0;
done:
    if (s)
        H5free_memory(s);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    h5in_close_dataset(&f, &ds);
    return rc;
}

/* The scenario text of a result file; *text is malloc'd. HDF5 reads it in a child process
 * first, so a damaged file that crashes the library is a message, not a crash. */
static int read_scenario_text(const char *path, char **text, struct diag *d)
{
    struct scenario_read r = {path, NULL};
    int rc = h5in_isolated(path, read_scenario_op, &r, d);
    if (rc) {
        free(r.text);
        r.text = NULL;
    }
    *text = r.text;
    return rc;
}

/* The metrics of one summary group into m[N_METRICS], NaN where the file has none. */
static int read_metrics(const char *path, const char *group, double *m, struct diag *d)
{
    size_t n;
    char **names;
    double *values;
    for (int k = 0; k < N_METRICS; k++)
        m[k] = NAN;
    int rc = h5in_read_summary(path, group, &n, &names, &values, d);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < N_METRICS; k++)
            if (strcmp(names[i], metric_names[k]) == 0)
                m[k] = values[i];
    h5in_free_summary(n, names, values);
    return 0;
}

/* "S.h5:case=N" → the case file S-cases/case-NNNNNN.h5 (as the sweep names it); a plain
 * file name is copied. DCSIM_EUSAGE when N is not a whole number. */
static int resolve_case(const char *arg, char *path, size_t len, struct diag *d)
{
    const char *sel = strstr(arg, ":case=");
    if (!sel) {
        snprintf(path, len, "%s", arg);
        return 0;
    }
    char *end;
    long c = strtol(sel + 6, &end, 10);
    if (end == sel + 6 || *end || c < 0) {
        diag_error(d, arg, 0, 0, "a case is a whole number: FILE.h5:case=N");
        return DCSIM_EUSAGE;
    }
    size_t n = (size_t)(sel - arg);
    if (n > 3 && strncmp(sel - 3, ".h5", 3) == 0)
        n -= 3;
    snprintf(path, len, "%.*s-cases/case-%06ld.h5", (int)n, arg, c);
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_error(d, arg, 0, 0, "no series file for case %ld (%s): a sweep keeps a case's "
                   "results only with 'series: true'; 'dcsim compare %s ...' shows its totals",
                   c, path, arg);
        return DCSIM_EINPUT;
    }
    return 0;
}

int cmd_report(int argc, char **argv)
{
    struct cli_opts o;
    if (cli_parse_opts(argc, argv, 0, 0, cmd_report_usage, &o))
        return EXIT_BADINPUT;
    struct diag d;
    diag_init(&d);
    char path[PATH_MAX];
    char *text = NULL;
    struct scenario *sc = NULL;
    struct sim_summary sum = {0};
    double trials = 1;
    int rc = resolve_case(o.input, path, sizeof path, &d);
    if (rc)
        goto done;
    /* a sweep's table: say so, not "no object '/summary'" */
    int64_t tf, td;
    struct diag quiet;
    diag_init(&quiet);
    if (h5in_open_dataset(path, "/cases", &tf, &td, &quiet) == 0) {
        h5in_close_dataset(&tf, &td);
        diag_error(&d, path, 0, 0, "this is a sweep's table: name a case, e.g. '%s:case=0' "
                   "(its results are kept with 'series: true')", path);
        rc = DCSIM_EINPUT;
    }
    diag_release(&quiet);
    if (rc)
        goto done;
    if ((rc = read_scenario_text(path, &text, &d)))
        goto done;
    char where[PATH_MAX + 16];
    snprintf(where, sizeof where, "%s:/scenario", path);
    if ((rc = scenario_parse_outline(where, text, strlen(text), &sc, &d)))
        goto done;
    if ((rc = h5in_read_attr_double(path, "/", "trials", &trials, &d)))
        goto done;
    if (!(trials >= 1 && trials <= SCENARIO_MAX_TRIALS)) {
        diag_error(&d, path, 0, 0, "cannot read result: root attribute 'trials' is %g", trials);
        rc = DCSIM_EINPUT;
        goto done;
    }
    sum.trials = (int)trials;
    sum.n_sites = sc->n_sites;
    if (!(sum.site = calloc(sc->n_sites ? sc->n_sites : 1, sizeof *sum.site))) {
        rc = DCSIM_ENOMEM;
        goto done;
    }
    if ((rc = read_metrics(path, "/summary", sum.total, &d)))
        goto done;
    for (size_t i = 0; i < sc->n_sites && !rc; i++) {
        char group[CATALOG_ID_MAX + 32];
        snprintf(group, sizeof group, "/sites/%s/summary", sc->sites[i].id);
        rc = read_metrics(path, group, sum.site[i], &d);
    }
    if (rc)
        goto done;
    cli_print_heading(stdout, sc);
    cli_print_summary(stdout, sc, &sum);
done:
    free(text);
    scenario_destroy(sc);
    sim_summary_release(&sum);
    diag_print(&d, stderr);
    diag_release(&d);
    /* an unreadable or foreign file is bad input here (exit 2), as for compare */
    return rc ? (rc == DCSIM_EIO ? EXIT_BADINPUT : cli_exit_status(rc)) : EXIT_DONE;
}
