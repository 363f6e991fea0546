/* sweep_io.h — a sweep's results: the /cases table in HDF5 (and CSV), written atomically
 * (temporary file renamed), and read back for --resume and `compare FILE:case=N`. */
#ifndef DCSIM_SWEEP_IO_H
#define DCSIM_SWEEP_IO_H

#include <stddef.h>

#include "err.h"
#include "results.h"
#include "sweep.h"

enum case_status { CASE_PENDING = -1, CASE_OK = 0, CASE_INVALID = 2, CASE_FAILED = 3 };
#define SWEEP_MESSAGE_MAX 160

struct sweep_results {
    size_t n_cases;
    int *status;                        /* [n_cases], enum case_status */
    double (*metrics)[N_METRICS];       /* [n_cases]: the scenario's summary (NaN if none) */
    char (*message)[SWEEP_MESSAGE_MAX]; /* [n_cases]: the first error of a failed case */
};

int sweep_results_init(struct sweep_results *r, size_t n_cases);
void sweep_results_release(struct sweep_results *r);
size_t sweep_results_done(const struct sweep_results *r);

/** Writes /cases (a row per case: case, each varied value, status, message, every metric)
 *  and root attributes to dest, through a temporary file renamed when complete. */
int sweep_write_h5(const char *dest, const struct sweep *sw, const struct sweep_results *r,
                   struct diag *d);

/** The same table as CSV (header row; strings quoted). */
int sweep_write_csv(const char *dest, const struct sweep *sw, const struct sweep_results *r,
                    struct diag *d);

/** For --resume: reads the finished rows of an earlier /cases at path into r. The file must
 *  have been written by the same sweep (same number of cases and varied values). */
int sweep_read_h5(const char *path, const struct sweep *sw, struct sweep_results *r,
                  struct diag *d);

/** Reads the metrics of one case of a sweep file: names[N_METRICS] order, NaN if absent. */
int sweep_read_case(const char *path, long case_index, double *metrics, int *status,
                    struct diag *d);

#endif
