/* cmd_check.c — `dcsim check SCENARIO [--models DIR]`: load and validate, print what the
 * scenario resolves to (sites, IT nameplate, supply, cooling capacity). Nothing is written. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cooling.h"
#include "design_day.h"
#include "timefmt.h"

const char cmd_check_usage[] =
    "usage: dcsim check SCENARIO.yaml [--models DIR] [-q]\n\n"
    "Validates the scenario without simulating and prints what it resolved: sites, IT\n"
    "nameplate MW, supply MW and cooling capacity MW. Exit 0 when valid, 2 otherwise.\n";

static void print_site(const struct scenario *sc, const struct site *site,
                       const struct design_conditions *dc)
{
    static const char *const weather_names[] = {"climate", "constant", "epw"};
    double firm = 0, flex = 0, liquid_heat = 0, air_heat = 0;
    for (size_t i = 0; i < site->n_pools; i++) {
        const struct it_pool *p = &site->pools[i];
        double mw = p->count * p->rack.power_max_kw / 1000.0;
        *(p->flexible ? &flex : &firm) += mw;
        liquid_heat += mw * p->rack.liquid_fraction;
        air_heat += mw * (1 - p->rack.liquid_fraction);
    }
    printf("site %s (%s)\n", site->id, site->kind == SITE_GREENFIELD ? "greenfield"
                                                                       : "converted_mining");
    printf("  weather          %s%s%s\n", weather_names[site->weather_source],
           site->weather_source == WEATHER_CLIMATE ? " " : "",
           site->weather_source == WEATHER_CLIMATE ? site->climate.id
           : site->weather_source == WEATHER_EPW ? "" : "");
    if (site->weather_source == WEATHER_EPW)
        printf("  epw file         %s\n", site->epw_path);
    printf("  IT nameplate     %.1f MW (firm %.1f MW, flexible %.1f MW) in %zu pools\n",
           firm + flex, firm, flex, site->n_pools);
    for (size_t i = 0; i < site->n_pools; i++) {
        const struct it_pool *p = &site->pools[i];
        char on[32] = "always", off[32] = "never";
        if (p->online_s != TIME_ALWAYS)
            timefmt_format_date(sc->start_unix_s + p->online_s, on, sizeof on);
        if (p->offline_s != TIME_NEVER)
            timefmt_format_date(sc->start_unix_s + p->offline_s, off, sizeof off);
        printf("    %-14s %6.0f x %-20s %8.1f MW  %-9s u=%.2f %s  online %s, offline %s\n",
               p->id, p->count, p->rack.id, p->count * p->rack.power_max_kw / 1000.0,
               workload_names[p->workload], p->utilization, p->flexible ? "flexible" : "firm",
               on, off);
    }
    double total = 0;
    for (size_t j = 0; j < site->n_supplies; j++) {
        const struct supply *sp = &site->supplies[j];
        double mw = sp->type == SUPPLY_GRID ? sp->contract_mw
                    : sp->type == SUPPLY_REACTOR ? sp->units * sp->reactor.net_mw
                    : sp->type == SUPPLY_BATTERY ? sp->power_mw : sp->capacity_mw;
        total += mw;
        printf("    %-14s %-9s %8.1f MW", sp->id, supply_type_names[sp->type], mw);
        if (sp->type == SUPPLY_REACTOR)
            printf("  (%d x %s %.0f MW)", sp->units, sp->reactor.id, sp->reactor.net_mw);
        if (sp->type == SUPPLY_BATTERY)
            printf("  (%.0f MWh)", sp->energy_mwh);
        if (sp->type == SUPPLY_GRID && sp->curtail_hours_per_year > 0)
            printf("  (curtailed to %.0f MW for the %.0f hottest h/year)", sp->curtail_level_mw,
                   sp->curtail_hours_per_year);
        putchar('\n');
    }
    printf("  supply           %.1f MW nameplate in %zu supplies\n", total, site->n_supplies);
    if (site->liquid.present)
        printf("  liquid cooling   %.1f MW design, %s, supply %.1f °C, approach %.1f K "
               "(liquid heat at nameplate %.1f MW)\n", site->liquid.capacity_mw,
               rejection_names[site->liquid.rejection], site->liquid.supply_c,
               site->liquid.approach_k, liquid_heat);
    if (site->air.present)
        printf("  air cooling      %.1f MW, supply air %.1f °C, economizer %s "
               "(air heat at nameplate %.1f MW)\n", site->air.capacity_mw, site->air.supply_c,
               site->air.economizer ? "on" : "off", air_heat);
    if (dc && site->liquid.present)
        printf("  design day       0.4 %% dry bulb %.1f °C, coincident wet bulb %.1f °C: liquid "
               "capacity %.1f MW\n", dc->drybulb_c, dc->wetbulb_c,
               cooling_liquid_capacity_mw(&site->liquid, dc->drybulb_c, dc->wetbulb_c));
}

int cmd_check(int argc, char **argv)
{
    struct cli_opts o;
    if (cli_parse_opts(argc, argv, CLI_MODELS, 0, cmd_check_usage, &o))
        return EXIT_BADINPUT;
    const char *path = o.input, *models = o.models;
    struct diag d;
    diag_init(&d);
    struct catalog cat;
    struct scenario *sc;
    int rc = cli_load(path, models, &cat, &sc, &d);
    diag_print(&d, stderr);
    diag_release(&d);
    if (rc)
        return cli_exit_status(rc);
    char start[32], span[32], step[32];
    timefmt_format_date(sc->start_unix_s, start, sizeof start);
    timefmt_format_span(sc->duration_s, span, sizeof span);
    timefmt_format_span(sc->timestep_s, step, sizeof step);
    if (!o.quiet)
        printf("scenario %s: %zu site%s, from %s for %s at %s steps (%lld steps), seed %llu, "
           "%d trial%s\n", sc->name, sc->n_sites, sc->n_sites == 1 ? "" : "s", start, span, step,
           (long long)sc->steps, (unsigned long long)sc->seed, sc->trials,
           sc->trials == 1 ? "" : "s");
    /* design-day conditions and the plant's warnings (printed after the listing) */
    diag_init(&d);
    double firm_total = 0;
    for (size_t i = 0; i < sc->n_sites && !rc; i++) {
        struct design_conditions dc;
        rc = design_day_conditions(sc, i, &dc, &d);
        if (rc)
            break;
        if (!o.quiet)   /* -q: nothing but errors (and the exit status) */
            print_site(sc, &sc->sites[i], &dc);
        for (size_t k = 0; k < sc->sites[i].n_pools; k++)
            if (!sc->sites[i].pools[k].flexible)
                firm_total += sc->sites[i].pools[k].count * sc->sites[i].pools[k].rack.power_max_kw /
                              1000.0;
    }
    if (!rc)
        rc = design_day_check(sc, &d, NULL);
    if (!rc && !o.quiet) {
        char size[32];
        cli_format_bytes(cli_estimate_bytes(sc), size, sizeof size);
        printf("output: %lld rows x %d series per site, about %s%s\n",
               (long long)sim_output_rows(sc), sim_output_columns(sc), size,
               cli_estimate_bytes(sc) > CLI_LARGE_OUTPUT_BYTES
                   ? " (large: output_every would shrink it)" : "");
        printf("firm IT nameplate over all sites: %.1f MW\nok\n", firm_total);
    }
    fflush(stdout);
    diag_print(&d, stderr);
    diag_release(&d);
    scenario_destroy(sc);
    catalog_release(&cat);
    return rc ? cli_exit_status(rc) : EXIT_DONE;
}
