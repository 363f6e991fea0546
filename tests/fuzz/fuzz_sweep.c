/* fuzz_sweep.c — libFuzzer harness: sweep files on arbitrary bytes, past parsing: each
 * case's scenario document is built and validated (up to SMALL_SWEEP cases), and the
 * /cases table is written, read back for --resume and written as CSV. The base path
 * resolves against tests/fuzz/ (seeds: tests/fuzz/corpus-sweep). */
#include "fuzz_common.h"
#include "scenario.h"
#include "sweep.h"
#include "sweep_io.h"

#define SMALL_SWEEP 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct catalog *cat = fuzz_catalog();
    struct diag d;
    diag_init(&d);
    struct sweep sw;
    if (sweep_parse("tests/fuzz/sweep.yaml", (const char *)data, size, &sw, &d) != 0) {
        diag_release(&d);
        return 0;
    }
    struct sweep_results r;
    if (sw.n_cases <= SMALL_SWEEP && sweep_results_init(&r, sw.n_cases) == 0) {
        for (size_t c = 0; c < sw.n_cases; c++) {
            struct ydoc doc;
            char err[256];
            if (sweep_case_doc(&sw, c, &doc, err, sizeof err) != 0)
                continue;
            struct scenario *sc = NULL;
            struct diag cd;
            diag_init(&cd);
            int rc = scenario_from_doc(&doc, cat, &sc, &cd);
            r.status[c] = rc ? CASE_INVALID : CASE_OK;
            if (rc && cd.n)
                snprintf(r.message[c], SWEEP_MESSAGE_MAX, "%s", cd.msgs[0].text);
            scenario_destroy(sc);
            diag_release(&cd);
            ydoc_release(&doc);
        }
        const char *out = fuzz_path("cases.h5");
        if (sweep_write_h5(out, &sw, &r, &d) == 0) {
            struct sweep_results back;
            if (sweep_results_init(&back, sw.n_cases) == 0) {
                if (sweep_read_h5(out, &sw, &back, &d) != 0)
                    abort();   /* our own table must read back */
                sweep_results_release(&back);
            }
        }
        (void)sweep_write_csv(fuzz_path("cases.csv"), &sw, &r, &d);
        sweep_results_release(&r);
    }
    sweep_release(&sw);
    diag_release(&d);
    return 0;
}
