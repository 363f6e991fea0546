/* main.c — dcsim's command table: `dcsim COMMAND ...` runs cmd_<command>.
 * Only main() and the commands decide exit statuses; everything below returns errors. */
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef DCSIM_VERSION
#define DCSIM_VERSION "dev"
#endif

static const struct command commands[] = {
    {"run", cmd_run, "simulate a scenario and write HDF5 results", cmd_run_usage},
    {"check", cmd_check, "validate a scenario and print what it resolves to", cmd_check_usage},
    {"fit", cmd_fit, "find the largest critical IT load that meets the reliability target",
     cmd_fit_usage},
    {"sweep", cmd_sweep, "run the cases of a sweep file in parallel into one table",
     cmd_sweep_usage},
    {"compare", cmd_compare, "print the summaries of result files side by side",
     cmd_compare_usage},
    {"report", cmd_report, "print a result file's summary table again", cmd_report_usage},
    {"models", cmd_models, "list the equipment catalog", cmd_models_usage},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    fprintf(out, "dcsim %s — data-center power and cooling capacity simulator\n\n"
                 "usage: dcsim COMMAND [ARGS]\n\ncommands:\n", DCSIM_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\n  dcsim help COMMAND    the usage of one command\n"
          "  dcsim --version | -V\n\n"
          "options: --opt=value and --opt value alike; `--` ends the options; `-` as the\n"
          "scenario reads standard input; every command takes -q (only errors and\n"
          "warnings, on stderr).\n\n"
          "exit status: 0 done, 1 load does not fit (fit), 2 bad input or usage,\n"
          "             3 I/O or internal failure\n", out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    /* HDF5 1.10 crashes in its exit-time cleanup after a failed write (HDFGroup/hdf5#2291):
     * skip that cleanup; it must be the first HDF5 call of the process. */
    H5dont_atexit();
    gsl_set_error_handler_off();   /* every GSL status is checked where it is returned */
    if (argc < 2) {
        print_help(stderr);
        return EXIT_BADINPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
        printf("dcsim %s\n", DCSIM_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        print_help(stdout);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            print_help(stdout);
            return EXIT_DONE;
        }
        const struct command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "dcsim: error: unknown command '%s'\n", argv[2]);
            return EXIT_BADINPUT;
        }
        fputs(c->usage, stdout);
        return EXIT_DONE;
    }
    const struct command *c = find_command(cmd);
    if (!c) {
        fprintf(stderr, "dcsim: error: unknown command '%s' (see 'dcsim --help')\n", cmd);
        return EXIT_BADINPUT;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->usage, stdout);
            return EXIT_DONE;
        }
    }
    return c->run(argc - 1, argv + 1);
}
