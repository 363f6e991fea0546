/* h5in.h — reading dcsim's HDF5 results back (compare, fit, report, tests, sweep --resume). */
#ifndef DCSIM_H5IN_H
#define DCSIM_H5IN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* ---- Reader (for compare, fit and tests) ----
 * Each call opens the file read-only, reads, and closes it again. Errors go into `d` as
 * "PATH: error: cannot read result: ..." and come back as DCSIM_EIO (missing or unreadable
 * file, not HDF5, read failure), DCSIM_EINPUT (no such group, dataset or attribute, or one of
 * the wrong kind) or DCSIM_ENOMEM. On failure the outputs are left NULL / 0. */

/** Reads the numeric scalar attributes of `group` ("/summary", "/sites/<id>/summary") in
 *  creation order (name order if the file did not track it); string attributes are skipped.
 *  *names (n strings) and *values (n doubles) are owned by the caller: free them with
 *  h5in_free_summary. */
int h5in_read_summary(const char *path, const char *group, size_t *n, char ***names,
                      double **values, struct diag *d);

/** Frees what h5in_read_summary returned. NULL pointers are fine. */
void h5in_free_summary(size_t n, char **names, double *values);

/** Reads a 1-D numeric dataset ("/time", "/sites/<id>/series/<name>") as doubles.
 *  *values (n doubles; NULL when n is 0) is owned by the caller: free() it. */
int h5in_read_series(const char *path, const char *dataset_path, size_t *n, double **values,
                     struct diag *d);

/** Reads the string attribute `name` of the object at `object_path` ("/", a group or a
 *  dataset, e.g. the units of a series). *value is NUL-terminated, owned by the caller: free(). */
int h5in_read_attr_text(const char *path, const char *object_path, const char *name,
                        char **value, struct diag *d);

/** Reads the numeric scalar attribute `name` of the object at `object_path` as a double
 *  (e.g. "/" "steps"; exact for integers up to 2^53). */
int h5in_read_attr_double(const char *path, const char *object_path, const char *name,
                          double *value, struct diag *d);

/** A read of `path`, run first in a forked child and only then, if the child finished, in
 *  this process (HDF5 1.10.8 can crash on a crafted file; a crash then becomes DCSIM_EINPUT
 *  with "the file is damaged" in d). `op` must be deterministic and must not depend on state
 *  that other threads change. Every h5in_read_* goes through it; callers of
 *  h5in_open_dataset wrap their whole read in it. Nested calls in the child run directly. */
typedef int (*h5in_read_op)(void *ctx, struct diag *d);
int h5in_isolated(const char *path, h5in_read_op op, void *ctx, struct diag *d);

/** For readers of other tables (sweep_io): opens `path` read-only and the dataset at
 *  dataset_path, refusing external, soft and user-defined links on the way (not isolated:
 *  wrap the whole read in h5in_isolated). *file and
 *  *dataset are HDF5 ids (hid_t); close both with h5in_close_dataset. */
int h5in_open_dataset(const char *path, const char *dataset_path, int64_t *file,
                      int64_t *dataset, struct diag *d);
void h5in_close_dataset(int64_t *file, int64_t *dataset);

/** Reads the scalar variable-length string dataset at dataset_path ("/scenario": the
 *  scenario text as run). *text is NUL-terminated, owned by the caller: free(). */
int h5in_read_text(const char *path, const char *dataset_path, char **text, struct diag *d);

/** Reads the metrics of a summary group ("/summary", "/sites/<id>/summary") into
 *  m[N_METRICS] (results.h order), NaN for the metrics the file does not have. */
int h5in_read_metrics(const char *path, const char *group, double *m, struct diag *d);

/** 1 when `path` is a sweep's table (it has a readable /cases dataset), else 0. */
int h5in_is_sweep_table(const char *path);

#endif
