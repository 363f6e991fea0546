/* fuzz_scenario.c — libFuzzer harness: scenario (and with a leading 'S', sweep) loading and
 * validation on arbitrary bytes. Build and run with `make fuzz`. The catalog is read once
 * from models/ (DCSIM_MODELS_DIR); every input must end in a clean success or a clean
 * DCSIM_EINPUT with messages, never a crash, a leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "catalog.h"
#include "err.h"
#include "scenario.h"
#include "sweep.h"

static struct catalog cat;
static int cat_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cat_ready) {
        struct diag d;
        diag_init(&d);
        if (catalog_load(DCSIM_MODELS_DIR, &cat, &d))
            abort();   /* the harness needs the catalog */
        diag_release(&d);
        cat_ready = 1;
    }
    struct diag d;
    diag_init(&d);
    if (size > 0 && data[0] == 'S') {
        /* a sweep file; its base resolves against tests/fuzz/ */
        struct sweep sw;
        if (sweep_parse("tests/fuzz/sweep.yaml", (const char *)data + 1, size - 1, &sw, &d) == 0)
            sweep_release(&sw);
    } else {
        struct scenario *sc = NULL;
        if (scenario_parse("fuzz.yaml", (const char *)data, size, &cat, &sc, &d) == 0)
            scenario_destroy(sc);
    }
    diag_release(&d);
    return 0;
}
