/* cmd_compare.c — `dcsim compare A.h5 B.h5 [C.h5 ...]`: the summaries of several result
 * files side by side, each with its difference to the first (absolute and %). A sweep file
 * is addressed by case: `sweep.h5:case=3`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "h5in.h"
#include "h5out.h"
#include "results.h"
#include "sweep_io.h"
#include "timefmt.h"

const char cmd_compare_usage[] =
    "usage: dcsim compare A.h5 B.h5 [C.h5 ...]\n\n"
    "Prints the summary metrics of result files side by side, with each file's difference\n"
    "to the first (absolute and %). For a sweep file name a case: results/sweep.h5:case=3.\n";

#define COMPARE_MAX_FILES 16
#define COMPARE_LABEL_MAX 48   /* characters of a column label */

/* A time in seconds since a file's start as ISO 8601 UTC ("-" when unknown). */
static void format_when(double start_unix_s, double t_s, char *buf, size_t len)
{
    if (isnan(start_unix_s) || isnan(t_s) || fabs(t_s) > 1e12) {
        snprintf(buf, len, "-");
        return;
    }
    timefmt_format_date((int64_t)start_unix_s + (int64_t)llround(t_s), buf, len);
}

/* The start of a result file (unix s) from its root attribute; NaN for a sweep case. */
static double file_start(const char *arg)
{
    if (strstr(arg, ":case="))
        return NAN;   /* /cases holds no start */
    char *iso = NULL;
    struct diag q;
    diag_init(&q);
    int64_t t = 0;
    double r = NAN;
    if (h5in_read_attr_text(arg, "/", "start", &iso, &q) == 0 && timefmt_parse_date(iso, &t) == 0)
        r = (double)t;
    free(iso);
    diag_release(&q);
    return r;
}

/* Reads one file's scenario summary into m[N_METRICS] (NaN where absent). */
static int read_one(const char *arg, double *m, char *label, size_t label_len, struct diag *d)
{
    for (int k = 0; k < N_METRICS; k++)
        m[k] = NAN;
    char path[4096];
    snprintf(path, sizeof path, "%s", arg);
    char *sel = strstr(path, ":case=");
    snprintf(label, label_len, "%s", arg);   /* as named: file (and :case=N) in full */
    if (sel) {
        *sel = '\0';
        char *end;
        long c = strtol(sel + 6, &end, 10);
        if (end == sel + 6 || *end) {
            diag_error(d, arg, 0, 0, "a case is a whole number: FILE.h5:case=N");
            return DCSIM_EUSAGE;
        }
        int status;
        int rc = sweep_read_case(path, c, m, &status, d);
        if (!rc && status != CASE_OK)
            diag_warning(d, arg, 0, 0, "case %ld has status %d (no results)", c, status);
        return rc;
    }
    /* a sweep table without a case: say so, not "no object '/summary'" */
    if (h5in_is_sweep_table(path)) {
        diag_error(d, arg, 0, 0, "this is a sweep's table: name a case, e.g. '%s:case=0'", arg);
        return DCSIM_EUSAGE;
    }
    return h5in_read_metrics(path, "/summary", m, d);
}

int cmd_compare(int argc, char **argv)
{
    /* the files, after -q (taken and ignored: compare prints only its table) and `--` */
    char *files[COMPARE_MAX_FILES + 1];
    int n = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && strcmp(a, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (!options_done && (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0))
            continue;
        if (!options_done && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "dcsim: error: unknown option '%s'\n%s", a, cmd_compare_usage);
            return EXIT_BADINPUT;
        }
        if (n > COMPARE_MAX_FILES) {
            n++;
            continue;
        }
        files[n++] = argv[i];
    }
    if (n < 2 || n > COMPARE_MAX_FILES) {
        fprintf(stderr, "dcsim: error: compare needs 2 to %d result files\n%s",
                COMPARE_MAX_FILES, cmd_compare_usage);
        return EXIT_BADINPUT;
    }
    struct diag d;
    diag_init(&d);
    double m[COMPARE_MAX_FILES][N_METRICS], start[COMPARE_MAX_FILES];
    char label[COMPARE_MAX_FILES][COMPARE_LABEL_MAX + 512];
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = read_one(files[i], m[i], label[i], sizeof label[i], &d);
    for (int i = 0; i < n && !rc; i++)
        start[i] = file_start(files[i]);
    diag_print(&d, stderr);
    diag_release(&d);
    if (rc)
        return rc == DCSIM_EIO ? EXIT_BADINPUT : cli_exit_status(rc);
    /* columns as wide as the longest label (files named in full; a label longer than
     * COMPARE_LABEL_MAX keeps its start and end around '...') */
    int w = 16;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(label[i]);
        if (len > COMPARE_LABEL_MAX) {
            memmove(label[i] + COMPARE_LABEL_MAX / 2 - 1,
                    label[i] + len - (COMPARE_LABEL_MAX / 2 - 2), COMPARE_LABEL_MAX / 2 - 1);
            memcpy(label[i] + COMPARE_LABEL_MAX / 2 - 4, "...", 3);
            len = strlen(label[i]);
        }
        w = (int)len > w ? (int)len : w;
    }
    printf("%-28s %*s", "metric", w, label[0]);
    for (int i = 1; i < n; i++)
        printf(" %*s %12s %8s", w, label[i], "diff", "%");
    putchar('\n');
    for (int k = 0; k < N_METRICS; k++) {
        int any = 0;
        for (int i = 0; i < n; i++)
            any |= !isnan(m[i][k]);
        if (!any)
            continue;
        if (k == M_MARGIN_MIN_TIME_S) {   /* a time: ISO 8601, the difference in hours */
            char when[40];
            format_when(start[0], m[0][k], when, sizeof when);
            printf("%-28s %*s", "margin_min_time", w, when);
            for (int i = 1; i < n; i++) {
                format_when(start[i], m[i][k], when, sizeof when);
                double dh = (m[i][k] + start[i] - m[0][k] - start[0]) / 3600.0;
                printf(" %*s %+12.4g %8s", w, when, dh, "-");
            }
            printf("  %s\n", "UTC,diff_h");
            continue;
        }
        printf("%-28s %*.6g", metric_names[k], w, m[0][k]);
        for (int i = 1; i < n; i++) {
            double diff = m[i][k] - m[0][k];
            char pct[16] = "-";
            if (m[0][k] != 0 && !isnan(diff))
                snprintf(pct, sizeof pct, "%+.1f", 100.0 * diff / fabs(m[0][k]));
            printf(" %*.6g %+12.4g %8s", w, m[i][k], diff, pct);
        }
        printf("  %s\n", metric_units[k]);
    }
    return EXIT_DONE;
}
