/* fuzz_h5read.c — libFuzzer harness: the HDF5 readers on arbitrary file bytes, as `compare`
 * (a result's /summary, a sweep's FILE:case=N) and `sweep --resume` (the whole /cases of a
 * fixed sweep) meet them. Every input must end in success or a clean error code with a
 * message; never a crash, an overflow, a leak or undefined behaviour. Seeds:
 * tests/fuzz/corpus-h5 (a small result, a sweep table, hostile tables). */
#include <hdf5.h>
#include <math.h>

#include "fuzz_common.h"
#include "h5in.h"
#include "h5out.h"
#include "sweep.h"
#include "sweep_io.h"

/* The sweep whose table --resume expects (tests/fuzz/h5sweep.yaml: 4 cases). */
static const struct sweep *resume_sweep(void)
{
    static struct sweep sw;
    static int ready;
    if (!ready) {
        struct diag d;
        diag_init(&d);
        if (sweep_load("tests/fuzz/h5sweep.yaml", &sw, &d)) {
            diag_print(&d, stderr);
            abort();
        }
        diag_release(&d);
        ready = 1;
    }
    return &sw;
}

/* Every read dcsim makes of a result file, on one file. */
static int read_all(void *ctx, struct diag *dd)
{
    const char *path = ctx;
    const struct sweep *sw = resume_sweep();
    struct diag d;
    diag_init(&d);
    (void)dd;

    size_t n;
    char **names;
    double *values;
    if (h5in_read_summary(path, "/summary", &n, &names, &values, &d) == 0)
        h5in_free_summary(n, names, values);

    double m[N_METRICS];
    int status;
    (void)sweep_read_case(path, 0, m, &status, &d);
    (void)sweep_read_case(path, 3, m, &status, &d);

    struct sweep_results r;
    if (sweep_results_init(&r, sw->n_cases) == 0) {
        (void)sweep_read_h5(path, sw, &r, &d);
        sweep_results_release(&r);
    }

    char *text;
    if (h5in_read_attr_text(path, "/", "fingerprint", &text, &d) == 0)
        free(text);
    double x;
    (void)h5in_read_attr_double(path, "/", "steps", &x, &d);
    diag_release(&d);
    return 0;
}

/* As dcsim reads it: in a child process first (h5in_isolated), so a file that crashes HDF5
 * itself is a clean error here as in compare; the reads inside run once more in this process
 * (where the coverage is counted) only when the child finished. One child per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)resume_sweep();   /* loaded once, before any fork */
    const char *path = fuzz_write_file("in.h5", data, size);
    struct diag d;
    diag_init(&d);
    (void)h5in_isolated(path, read_all, (void *)path, &d);
    diag_release(&d);
    return 0;
}
