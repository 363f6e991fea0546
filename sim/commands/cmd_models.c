/* cmd_models.c — `dcsim models [racks|reactors|turbines|climates] [--models DIR]`: the catalog. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char cmd_models_usage[] =
    "usage: dcsim models [racks|reactors|turbines|climates] [--models DIR]\n\n"
    "Lists the equipment catalog (models/ beside the binary, $DCSIM_MODELS, or --models).\n";

int cmd_models(int argc, char **argv)
{
    struct cli_opts o;
    if (cli_parse_opts(argc, argv, CLI_MODELS, 1, cmd_models_usage, &o))
        return EXIT_BADINPUT;
    const char *which = o.input, *models = o.models;
    if (which && strcmp(which, "racks") != 0 && strcmp(which, "reactors") != 0 &&
        strcmp(which, "turbines") != 0 &&
        strcmp(which, "climates") != 0) {
        fprintf(stderr, "dcsim: error: unknown catalog part '%s' (racks, reactors or climates)\n%s",
                which, cmd_models_usage);
        return EXIT_BADINPUT;
    }
    struct diag d;
    diag_init(&d);
    struct catalog cat;
    int rc = cli_load_catalog(models, &cat, &d);
    diag_print(&d, stderr);
    diag_release(&d);
    if (rc)
        return EXIT_BADINPUT;
    if (!which || strcmp(which, "racks") == 0) {
        printf("racks (%s/racks)\n  %-22s %5s %10s %10s %8s %10s  %s\n", cat.dir, "id", "gpus",
               "max kW", "idle kW", "liquid", "coolant C", "gpu");
        for (size_t i = 0; i < cat.n_racks; i++) {
            const struct rack *r = &cat.racks[i];
            char coolant[16] = "-";
            if (isfinite(r->coolant_max_c))
                snprintf(coolant, sizeof coolant, "%.1f", r->coolant_max_c);
            printf("  %-22s %5d %10.2f %10.2f %8.2f %10s  %s\n", r->id, r->gpus,
                   r->power_max_kw, r->power_idle_kw, r->liquid_fraction, coolant, r->gpu);
        }
    }
    if (!which || strcmp(which, "reactors") == 0) {
        printf("reactors (%s/reactors)\n  %-22s %8s %8s %10s %12s %10s\n", cat.dir, "id",
               "net MW", "FOR", "repair h", "refuel ev. d", "outage d");
        for (size_t i = 0; i < cat.n_reactors; i++) {
            const struct reactor *r = &cat.reactors[i];
            printf("  %-22s %8.1f %8.3f %10.1f %12.0f %10.1f\n", r->id, r->net_mw,
                   r->forced_outage_rate, r->mean_repair_h, r->refuel_interval_d,
                   r->refuel_outage_d);
        }
    }
    if (!which || strcmp(which, "turbines") == 0) {
        printf("turbines (%s/turbines)\n  %-22s %8s %12s %9s %8s %8s %9s\n", cat.dir, "id",
               "unit MW", "MMBtu/MWh", "min load", "start s", "FOR", "repair h");
        for (size_t i = 0; i < cat.n_turbines; i++) {
            const struct turbine *t = &cat.turbines[i];
            printf("  %-22s %8.1f %12.2f %9.2f %8.0f %8.3f %9.1f\n", t->id, t->capacity_mw,
                   t->heat_rate_mmbtu_per_mwh, t->min_load_fraction, t->start_s,
                   t->forced_outage_rate, t->mean_repair_h);
        }
    }
    if (!which || strcmp(which, "climates") == 0) {
        printf("climates (%s/climates)\n  %-22s %6s %9s %9s %9s\n", cat.dir, "id", "UTC",
               "Jan C", "Jul C", "anom. K");
        for (size_t i = 0; i < cat.n_climates; i++) {
            const struct climate *c = &cat.climates[i];
            printf("  %-22s %+6.1f %9.1f %9.1f %9.1f\n", c->id, c->utc_offset_h,
                   c->monthly_drybulb_c[0], c->monthly_drybulb_c[6], c->anomaly_sd_k);
        }
    }
    catalog_release(&cat);
    return EXIT_DONE;
}
