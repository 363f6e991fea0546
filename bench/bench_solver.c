/* bench_solver.c — solver throughput for `make bench`: loads a scenario, runs it with no
 * series (trials on -j threads as the scenario says) and prints site-steps per second, the
 * wall time and the peak memory (getrusage). Usage: bench_solver SCENARIO [TRIALS] [THREADS] */
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "catalog.h"
#include "scenario.h"
#include "solver.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_solver SCENARIO [TRIALS] [THREADS]\n");
        return 2;
    }
    H5dont_atexit();
    gsl_set_error_handler_off();
    struct diag d;
    diag_init(&d);
    struct catalog cat;
    struct scenario *sc = NULL;
    struct sim *sim = NULL;
    if (catalog_load(DCSIM_MODELS_DIR, &cat, &d) || scenario_load(argv[1], &cat, &sc, &d)) {
        diag_print(&d, stderr);
        return 2;
    }
    if (argc > 2)
        sc->trials = atoi(argv[2]);
    struct sim_options opt = {.threads = argc > 3 ? atoi(argv[3]) : 0};
    struct sim_summary sum;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = sim_create(sc, &sim, &d);
    if (!rc)
        rc = sim_run(sim, &opt, &sum, &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        diag_print(&d, stderr);
        return 3;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    double site_steps = (double)sc->steps * (double)sc->n_sites * sc->trials;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%.0f %.4f %.1f\n", site_steps / s, s, (double)ru.ru_maxrss / 1024.0);
    sim_summary_release(&sum);
    sim_destroy(sim);
    scenario_destroy(sc);
    catalog_release(&cat);
    diag_release(&d);
    return 0;
}
