/* fuzz_simulate.c — libFuzzer harness: a scenario parsed from arbitrary bytes and, when valid
 * and small (at most MAX_WORK site-steps over all trials), simulated on one thread; every
 * trial's random outages are drawn, so the outage caps are exercised too. Seeds:
 * tests/fuzz/corpus-scenario. */
#include <math.h>

#include "fuzz_common.h"
#include "scenario.h"
#include "solver.h"

#define MAX_WORK 20000.0

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct catalog *cat = fuzz_catalog();
    struct diag d;
    diag_init(&d);
    struct scenario *sc = NULL;
    if (scenario_parse("fuzz.yaml", (const char *)data, size, cat, &sc, &d) == 0 &&
        (double)sc->steps * (double)sc->n_sites * (double)sc->trials <= MAX_WORK) {
        struct sim *sim = NULL;
        if (sim_create(sc, &sim, &d) == 0) {
            struct sim_options opt = {.threads = 1};
            struct sim_summary sum = {0};
            (void)sim_run(sim, &opt, &sum, &d);
            sim_summary_release(&sum);
            sim_destroy(sim);
        }
    }
    scenario_destroy(sc);
    diag_release(&d);
    return 0;
}
