/* cmd_report.c — `dcsim report F.h5`: prints a result file's summary table again, exactly as
 * `dcsim run` printed it. The table is rebuilt from the file alone: the scenario's name,
 * clock, reliability target and site order from its /scenario text (an outline: nothing
 * is resolved, so no catalog, weather or CSV file is needed), the trial count from the root
 * attribute `trials`, and the metrics from /summary and /sites/<id>/summary. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "h5in.h"
#include "results.h"
#include "sweep_run.h"

const char cmd_report_usage[] =
    "usage: dcsim report RESULT.h5 [-q]\n"
    "       dcsim report SWEEP.h5:case=N [-q]\n\n"
    "Prints the summary table of a result file (written by run, fit or a sweep's case\n"
    "with `series: true`) exactly as `dcsim run` printed it. A sweep's case is read from\n"
    "its case file (SWEEP-cases/case-NNNNNN.h5). -q is accepted; the table is the output.\n";

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
    char table[PATH_MAX], dir[PATH_MAX];
    snprintf(table, sizeof table, "%.*s", (int)(sel - arg), arg);
    sweep_series_dir(table, dir, sizeof dir);
    sweep_case_file(dir, (size_t)c, path, len);
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
    if (h5in_is_sweep_table(path)) {
        diag_error(&d, path, 0, 0, "this is a sweep's table: name a case, e.g. '%s:case=0' "
                   "(its results are kept with 'series: true')", path);
        rc = DCSIM_EINPUT;
        goto done;
    }
    if ((rc = h5in_read_text(path, "/scenario", &text, &d)))
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
    if ((rc = h5in_read_metrics(path, "/summary", sum.total, &d)))
        goto done;
    for (size_t i = 0; i < sc->n_sites && !rc; i++) {
        char group[CATALOG_ID_MAX + 32];
        snprintf(group, sizeof group, "/sites/%s/summary", sc->sites[i].id);
        rc = h5in_read_metrics(path, group, sum.site[i], &d);
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
