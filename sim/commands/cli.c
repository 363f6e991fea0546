/* cli.c — helpers shared by the commands (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results.h"
#include "timefmt.h"

int cli_exit_status(int status)
{
    if (status == DCSIM_ENOMEM)   /* often nothing else could be said */
        fputs("dcsim: error: out of memory\n", stderr);
    return status == DCSIM_EINPUT || status == DCSIM_EUSAGE ? EXIT_BADINPUT : EXIT_FAILURE_IO;
}

int cli_load_catalog(const char *models_dir, struct catalog *cat, struct diag *d)
{
    char buf[PATH_MAX];
    memset(cat, 0, sizeof *cat);
    const char *dir = catalog_find_dir(models_dir, buf, sizeof buf);
    if (!dir) {
        diag_error(d, NULL, 0, 0, "cannot find the model catalog: pass --models DIR or set "
                                  "DCSIM_MODELS");
        return DCSIM_EINPUT;
    }
    int rc = catalog_load(dir, cat, d);
    return rc == DCSIM_EIO ? DCSIM_EINPUT : rc;   /* a missing catalog is the user's input problem */
}

int cli_load(const char *scenario_path, const char *models_dir, struct catalog *cat,
             struct scenario **sc, struct diag *d)
{
    *sc = NULL;
    int rc = cli_load_catalog(models_dir, cat, d);
    if (rc)
        return rc;
    rc = scenario_load(scenario_path, cat, sc, d);
    if (rc == DCSIM_EIO)
        rc = DCSIM_EINPUT;   /* an unreadable scenario is bad input: exit 2 */
    if (rc)
        catalog_release(cat);
    return rc;
}

double cli_estimate_bytes(const struct scenario *sc)
{
    double rows = (double)sim_output_rows(sc), cols = (double)sim_output_columns(sc);
    /* /time and each site's time scales, its series; metadata about 64 kB per site */
    double raw = rows * 8.0 * (1.0 + (double)sc->n_sites * (cols + 1.0));
    return CLI_DEFLATE_RATIO * raw + 65536.0 * (double)(sc->n_sites + 1);
}

void cli_format_bytes(double bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1000.0 && u < 4) {
        bytes /= 1000.0;
        u++;
    }
    snprintf(buf, len, bytes < 10 ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

int cli_check_destination(const char *out, const char *input, struct diag *d)
{
    struct stat so, si;
    if (!out)
        return 0;
    if (strcmp(out, "-") == 0) {
        diag_error(d, NULL, 0, 0, "'-' is not a possible output: HDF5 needs a file");
        return DCSIM_EUSAGE;
    }
    if (stat(out, &so) != 0)
        return 0;   /* nothing there yet (an unwritable directory is found when writing) */
    if (S_ISDIR(so.st_mode)) {
        diag_error(d, out, 0, 0, "the output is a directory: name a file (e.g. %s/result.h5)",
                   out);
        return DCSIM_EINPUT;
    }
    if (!S_ISREG(so.st_mode)) {
        diag_error(d, out, 0, 0, "the output exists and is not a regular file (a device, a "
                                 "pipe or a socket): it would be replaced by one");
        return DCSIM_EINPUT;
    }
    if (input && strcmp(input, "-") != 0 && stat(input, &si) == 0 &&
        si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
        diag_error(d, out, 0, 0, "the output is the input file '%s': it would be overwritten",
                   input);
        return DCSIM_EINPUT;
    }
    return 0;
}

int cli_parse_count(const char *opt, const char *text, long long min, long long max,
                    long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = text ? strtoll(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || v < min || v > max) {
        fprintf(stderr, "dcsim: error: %s needs a whole number from %lld to %lld, got '%s'\n",
                opt, min, max, text ? text : "");
        return DCSIM_EUSAGE;
    }
    *out = v;
    return 0;
}

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
    fputs("dcsim: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return DCSIM_EUSAGE;
}

int cli_parse_opts(int argc, char **argv, unsigned accept, int input_optional,
                   const char *usage, struct cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->trials = o->seed = o->deflate = -1;
    o->it_mw = -1;
    int options_done = 0;   /* after `--` every argument is positional */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        /* --opt=value: the value joined to a long option */
        char name[64];
        const char *eq = NULL;
        if (!options_done && strncmp(arg, "--", 2) == 0 && (eq = strchr(arg, '=')) != NULL) {
            size_t n = (size_t)(eq - arg);
            if (n >= sizeof name)
                return usage_error(usage, "unknown option '%s'", arg);
            memcpy(name, arg, n);
            name[n] = '\0';
            arg = name;
            val = eq + 1;
        }
        const char **text = NULL;
        long long *count = NULL, lo = 0, hi = 0;
        int flag = 0;   /* an option without a value */
        if (options_done || strcmp(arg, "-") == 0 || arg[0] != '-') {
            if (o->input)
                return usage_error(usage, "unexpected argument '%s'", arg);
            o->input = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0 && !eq) {
            options_done = 1;
            continue;
        }
        if ((accept & CLI_OUT) && (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0))
            text = &o->out;
        else if ((accept & CLI_CSV) && strcmp(arg, "--csv") == 0)
            text = &o->csv;
        else if ((accept & CLI_MODELS) && strcmp(arg, "--models") == 0)
            text = &o->models;
        else if ((accept & CLI_TRIALS) && strcmp(arg, "--trials") == 0)
            count = &o->trials, lo = 1, hi = SCENARIO_MAX_TRIALS;
        else if ((accept & CLI_SEED) && strcmp(arg, "--seed") == 0)
            count = &o->seed, lo = 0, hi = LLONG_MAX;
        else if ((accept & CLI_DEFLATE) && strcmp(arg, "--deflate") == 0)
            count = &o->deflate, lo = 0, hi = 9;
        else if ((accept & CLI_THREADS) && (strcmp(arg, "-j") == 0 || strcmp(arg, "--jobs") == 0))
            count = &o->threads, lo = 1, hi = 1024;
        else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0)
            o->quiet = flag = 1;   /* every command takes -q */
        else if ((accept & CLI_RESUME) && strcmp(arg, "--resume") == 0)
            o->resume = flag = 1;
        else if ((accept & CLI_PER_SITE) && strcmp(arg, "--per-site") == 0)
            o->per_site = flag = 1;
        else if ((accept & CLI_SUMMARY) && strcmp(arg, "--summary") == 0)
            o->summary = flag = 1;
        else if ((accept & CLI_NO_SHARE) && strcmp(arg, "--no-share") == 0)
            o->no_share = flag = 1;
        else if ((accept & CLI_IT_MW) && strcmp(arg, "--it-mw") == 0) {
            char *end = NULL;
            o->it_mw = val ? strtod(val, &end) : -1;
            if (!val || end == val || *end || !(o->it_mw > 0) || !isfinite(o->it_mw))
                return usage_error(usage, "%s needs a positive number of MW", arg);
            if (!eq)
                i++;
            continue;
        } else
            return usage_error(usage, "unknown option '%s'", eq ? argv[i] : arg);
        if (flag) {
            if (eq)
                return usage_error(usage, "%s takes no value", arg);
        } else if (text) {
            if (!val || !*val)
                return usage_error(usage, "%s needs a value", arg);
            *text = val;
            if (!eq)
                i++;
        } else if (count) {
            if (cli_parse_count(arg, val, lo, hi, count))
                return DCSIM_EUSAGE;
            if (!eq)
                i++;
        }
    }
    if (!o->input && !input_optional) {
        fputs(usage, stderr);
        return DCSIM_EUSAGE;
    }
    return 0;
}

/* The metrics printed, in order, with a short label. */
static const struct {
    int metric;
    const char *label;
    const char *fmt;
    double scale;             /* printed value = metric / scale (0: 1) */
    int optional;             /* printed only when some column is non-zero and not NaN */
    int fixed;                /* keep the format for small values (ratios such as PUE) */
} rows[] = {
    {M_CRITICAL_IT_MW, "critical IT (MW)", "%.1f", 0, 0, 0},
    {M_IT_ENERGY_MWH, "IT energy (MWh)", "%.0f", 0, 0, 0},
    {M_FACILITY_ENERGY_MWH, "facility energy (MWh)", "%.0f", 0, 0, 0},
    {M_PUE, "PUE", "%.3f", 0, 0, 1},
    {M_PUE_PEAK, "PUE peak", "%.3f", 0, 0, 1},
    {M_IT_PEAK_MW, "IT peak (MW)", "%.1f", 0, 0, 0},
    {M_FACILITY_PEAK_MW, "facility peak (MW)", "%.1f", 0, 0, 0},
    {M_MARGIN_MIN_MW, "least margin (MW)", "%.1f", 0, 0, 0},
    {M_UNSERVED_ENERGY_MWH, "unserved energy (MWh)", "%.1f", 0, 0, 0},
    {M_UNSERVED_HOURS, "unserved hours (h)", "%.2f", 0, 0, 0},
    {M_UNSERVED_PEAK_MW, "unserved peak (MW)", "%.1f", 0, 0, 0},
    {M_SHED_ENERGY_MWH, "flexible IT shed (MWh)", "%.1f", 0, 0, 0},
    {M_THROTTLE_ENERGY_MWH, "IT throttled (MWh)", "%.1f", 0, 0, 0},
    {M_THROTTLE_FIRM_ENERGY_MWH, "  of it firm (MWh)", "%.1f", 0, 0, 0},
    {M_WATER_M3, "water (m3)", "%.0f", 0, 0, 0},
    {M_WUE_L_PER_KWH, "WUE (L/kWh)", "%.3f", 0, 0, 0},
    {M_ENERGY_COST_USD, "energy cost (M$)", "%.2f", 1e6, 0, 0},
    {M_DEMAND_CHARGE_USD, "demand charges (M$)", "%.2f", 1e6, 1, 0},
    {M_FUEL_COST_USD, "turbine fuel (M$)", "%.2f", 1e6, 1, 0},
    {M_TOTAL_COST_USD, "total cost (M$)", "%.2f", 1e6, 0, 0},
    {M_CO2_T, "CO2 (t)", "%.0f", 0, 1, 0},
    {M_CFE_SHARE, "carbon-free share (hourly)", "%.3f", 0, 1, 0},
    {M_CAPEX_USD, "capex (M$)", "%.1f", 1e6, 1, 0},
    {M_REVENUE_USD_PER_YEAR, "revenue (M$/year)", "%.2f", 1e6, 1, 0},
    {M_NPV_USD, "NPV (M$)", "%.1f", 1e6, 1, 0},
    {M_PAYBACK_YEARS, "payback (years)", "%.1f", 0, 1, 0},
    {M_RIDE_THROUGH_S, "ride-through (s)", "%.0f", 0, 1, 0},
};

void cli_print_heading(FILE *out, const struct scenario *sc)
{
    char start[32], span[32], step[32];
    timefmt_format_date(sc->start_unix_s, start, sizeof start);
    timefmt_format_span(sc->duration_s, span, sizeof span);
    timefmt_format_span(sc->timestep_s, step, sizeof step);
    fprintf(out, "%s: %zu site%s, %s from %s at %s steps (%lld steps)\n", sc->name, sc->n_sites,
            sc->n_sites == 1 ? "" : "s", span, start, step, (long long)sc->steps);
}

void cli_print_summary(FILE *out, const struct scenario *sc, const struct sim_summary *sum)
{
    size_t ncol = sum->n_sites > 1 ? sum->n_sites + 1 : 1;
    double years = (double)sc->duration_s / (365.0 * 86400.0);
    if (years > 1.0 + 1e-9)
        fprintf(out, "energies, water and cost are totals over %.4g years (trial 0)\n", years);
    fprintf(out, "%-24s", "");
    for (size_t i = 0; i < sum->n_sites && ncol > 1; i++)
        fprintf(out, " %14.14s", sc->sites[i].id);
    fprintf(out, " %14s\n", ncol > 1 ? "total" : sc->sites[0].id);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (rows[r].optional) {   /* e.g. ride-through only when some loop has thermal mass */
            int any = 0;
            for (size_t c = 0; c < ncol; c++) {
                const double *m = (ncol > 1 && c < sum->n_sites) ? sum->site[c] : sum->total;
                double x = m[rows[r].metric];
                any |= !isnan(x) && x != 0;
            }
            if (!any)
                continue;
        }
        fprintf(out, "%-24s", rows[r].label);
        for (size_t c = 0; c < ncol; c++) {
            const double *m = (ncol > 1 && c < sum->n_sites) ? sum->site[c] : sum->total;
            double x = m[rows[r].metric];
            if (rows[r].scale > 0)
                x /= rows[r].scale;
            char cell[32];
            if (isnan(x))
                snprintf(cell, sizeof cell, "-");
            else if (x != 0 && fabs(x) < 1 && !rows[r].fixed)
                snprintf(cell, sizeof cell, "%.3g", x);   /* 0.00278 h, not 0.00 */
            else
                snprintf(cell, sizeof cell, rows[r].fmt, x);
            fprintf(out, " %14s", cell);
        }
        fputc('\n', out);
    }
    const double *m = sum->total;
    char lole_se[48] = "", eue_se[48] = "";
    if (sum->trials > 1) {
        snprintf(lole_se, sizeof lole_se, " ± %.3g", m[M_LOLE_H_PER_YEAR_STDERR]);
        snprintf(eue_se, sizeof eue_se, " ± %.4g", m[M_EUE_MWH_PER_YEAR_STDERR]);
    }
    const char *verdict_lole = m[M_LOLE_H_PER_YEAR] <= sc->max_lole_h ? "met" : "NOT met";
    const char *verdict_short =
        m[M_SHORTFALL_MWH_PER_YEAR] <= sc->max_unserved_mwh + shortfall_noise_mwh_per_year(m)
            ? "met" : "NOT met";
    fprintf(out, "\nreliability %s (%d trial%s%s):\n",
            m[M_MEETS_TARGET] == 1 ? "target met" : "target NOT met", sum->trials,
            sum->trials == 1 ? "" : "s",
            sum->trials == 1 ? ": no standard error; --trials N for one" : ", ± one standard error");
    fprintf(out, "  LOLE %.4g%s h/yr (target %g: %s)\n", m[M_LOLE_H_PER_YEAR], lole_se,
            sc->max_lole_h, verdict_lole);
    fprintf(out, "  EUE %.4g%s MWh/yr; firm shortfall %.4g MWh/yr (target %g: %s)\n",
            m[M_EUE_MWH_PER_YEAR], eue_se, m[M_SHORTFALL_MWH_PER_YEAR], sc->max_unserved_mwh,
            verdict_short);
    if (sum->trials > 1) {
        fprintf(out, "  unserved energy per trial (MWh): mean %.2f, p50 %.2f, p95 %.2f, p99 %.2f "
                "(the table above is trial 0's)\n",
                m[M_UNSERVED_ENERGY_MWH_MEAN], m[M_UNSERVED_ENERGY_MWH_P50],
                m[M_UNSERVED_ENERGY_MWH_P95], m[M_UNSERVED_ENERGY_MWH_P99]);
        for (size_t i = 0; sum->n_sites > 1 && i < sum->n_sites; i++)
            fprintf(out, "  %-14s LOLE %.4g ± %.3g h/yr, EUE %.4g ± %.4g MWh/yr\n",
                    sc->sites[i].id, sum->site[i][M_LOLE_H_PER_YEAR],
                    sum->site[i][M_LOLE_H_PER_YEAR_STDERR], sum->site[i][M_EUE_MWH_PER_YEAR],
                    sum->site[i][M_EUE_MWH_PER_YEAR_STDERR]);
    }
}
