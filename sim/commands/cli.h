/* cli.h — what the commands share: the command table entry, exit statuses, loading a
 * scenario with its catalog, and the printed summary table. */
#ifndef DCSIM_CLI_H
#define DCSIM_CLI_H

#include <signal.h>
#include <stdio.h>

#include "catalog.h"
#include "err.h"
#include "scenario.h"
#include "solver.h"
#include "stop.h"

enum exit_status { EXIT_DONE = 0, EXIT_NOFIT = 1, EXIT_BADINPUT = 2, EXIT_FAILURE_IO = 3 };

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage;
};

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);

extern const char cmd_run_usage[], cmd_check_usage[], cmd_models_usage[], cmd_fit_usage[],
    cmd_sweep_usage[], cmd_compare_usage[], cmd_report_usage[];

/** Exit status for a status code: input and usage problems 2, everything else 3. */
int cli_exit_status(int status);

/** Finds and loads the catalog (models_dir may be NULL: the default search). Problems
 *  (none found, unreadable) are input errors: DCSIM_EINPUT. */
int cli_load_catalog(const char *models_dir, struct catalog *cat, struct diag *d);

/** Loads the catalog (models_dir may be NULL: the default search) and the scenario.
 *  Messages go to d. On success *sc is owned by the caller and cat must be released. */
int cli_load(const char *scenario_path, const char *models_dir, struct catalog *cat,
             struct scenario **sc, struct diag *d);

/* The options the commands share; each command says which it takes. */
enum cli_opt {
    CLI_OUT = 1 << 0,         /* -o FILE */
    CLI_MODELS = 1 << 1,      /* --models DIR */
    CLI_TRIALS = 1 << 2,      /* --trials N */
    CLI_SEED = 1 << 3,        /* --seed N */
    CLI_THREADS = 1 << 4,     /* -j N */
    CLI_QUIET = 1 << 5,       /* -q (every command accepts it: the flag is kept for callers) */
    CLI_IT_MW = 1 << 6,       /* --it-mw MW */
    CLI_CSV = 1 << 7,         /* --csv FILE */
    CLI_RESUME = 1 << 8,      /* --resume */
    CLI_DEFLATE = 1 << 9,     /* --deflate N */
    CLI_PER_SITE = 1 << 10,   /* --per-site */
    CLI_SUMMARY = 1 << 11,    /* --summary */
    CLI_NO_SHARE = 1 << 12,   /* --no-share */
};

struct cli_opts {
    const char *input;        /* the one positional argument (scenario or sweep file) */
    const char *out, *models, *csv;
    long long trials, seed, threads;   /* -1 (trials, seed) or 0 (threads) when not given */
    long long deflate;        /* -1 when not given */
    double it_mw;             /* -1 when not given */
    int quiet, resume, per_site, summary, no_share;
};

/** Parses argv[1..] (argv[0] is the command) allowing the options in `accept` (and -q, which
 *  every command takes); a long option's value may be joined (`--trials=5`), `--` ends the
 *  options, `-` is a positional argument (standard input). On a usage
 *  problem prints a message and `usage` to stderr and returns DCSIM_EUSAGE. With
 *  `input_optional` a missing positional argument is allowed. */
int cli_parse_opts(int argc, char **argv, unsigned accept, int input_optional,
                   const char *usage, struct cli_opts *o);

/** Compressed size the series of a run typically reach (shuffle + deflate 1 on dcsim's
 *  series, measured on the bundled scenarios: 0.1-0.3 of the raw float64 bytes). */
#define CLI_DEFLATE_RATIO 0.2
/** Above this estimate, run warns and suggests output_every. */
#define CLI_LARGE_OUTPUT_BYTES 1e9

/** The result file's estimated size in bytes (series, time scales, metadata). */
double cli_estimate_bytes(const struct scenario *sc);

/** "1.2 GB", "350 MB", ... (decimal units). */
void cli_format_bytes(double bytes, char *buf, size_t len);

/** Refuses an output path before anything is simulated (issue 10): an existing directory,
 *  anything but a regular file, or the input file itself (`input` may be NULL or "-").
 *  Nothing there yet is fine. Returns 0 or DCSIM_EINPUT / DCSIM_EUSAGE with a message in d. */
int cli_check_destination(const char *out, const char *input, struct diag *d);

/** Parses a whole non-negative integer option value; returns 0 or DCSIM_EUSAGE with a message. */
int cli_parse_count(const char *opt, const char *text, long long min, long long max,
                    long long *out);

/** Prints the line above the summary table: "NAME: N sites, SPAN from START at STEP steps
 *  (N steps)". */
void cli_print_heading(FILE *out, const struct scenario *sc);

/** Prints the summary table: one row per metric, one column per site and the total. */
void cli_print_summary(FILE *out, const struct scenario *sc, const struct sim_summary *sum);

#endif
