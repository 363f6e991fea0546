/* h5out.h — the HDF5 result writer (contract section 3).
 *
 * Lifecycle: h5out_create (opens DEST.tmp.<pid> beside the destination, writes the root
 * attributes and the scenario text, creates the chunked, compressed, extendible series),
 * h5out_append (any number of times, a block of steps at a time), h5out_write_summary,
 * then h5out_commit (closes and renames onto the destination) or h5out_abort (closes and
 * removes the temporary file). Either one frees the handle.
 *
 * Every entry point turns off HDF5's automatic error printing for the calling thread (an
 * HDF5-wide setting, per thread in Debian's thread-safe build) and reports failures through
 * `struct diag` instead. Handles may be used from several threads, one thread per handle at a
 * time; the thread-safe HDF5 library serializes the calls themselves.
 *
 * A file whose cached data cannot be written (disk full) is unlinked but its HDF5 objects are
 * left open, because HDF5 1.10 frees an object whose close fails yet keeps its id, and crashes
 * when it meets that id again (at exit). So HDF5's cleanup at exit must be off: main() should
 * call H5dont_atexit() before any other HDF5 call (every entry point here calls it too, which
 * only helps when it comes first). */
#ifndef DCSIM_H5OUT_H
#define DCSIM_H5OUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct h5out;   /* opaque */

struct h5out_meta {
    const char *dcsim_version;
    const char *scenario_name;
    const char *start_iso;          /* "2027-01-01T00:00:00Z" */
    int64_t timestep_s;
    int64_t steps;                  /* simulation steps */
    int64_t rows;                   /* rows of every series (0: steps); fewer with output_every */
    int64_t output_every_s;         /* seconds a row stands for (0: timestep_s) */
    int deflate_level;              /* series compression: 0 the default (1), 1..9 (shuffle
                                       then deflate), or H5OUT_NO_DEFLATE (no filter at all:
                                       fastest, ~6x larger) */
    int threads;                    /* threads compressing the series: 0 all cores; 1 none (the
                                       appending thread compresses and writes) */
    volatile sig_atomic_t *stop;    /* optional: nonzero abandons the series (an abort) */
    int filter_pipeline;            /* tests only: write the series through HDF5's filter
                                       pipeline (H5Dwrite) instead of compressing chunks
                                       ourselves and writing them with H5Dwrite_chunk */
    uint64_t seed;
    int trials;
    const char *scenario_text;      /* the scenario exactly as read */
    size_t scenario_len;
};

struct h5out_series_def {
    const char *name;               /* e.g. "it_demand_mw" */
    const char *units;              /* e.g. "MW" */
    const char *long_name;          /* e.g. "IT power delivered"; NULL: the name */
    const char *group;              /* under /sites/<id>/: NULL "series", or e.g.
                                       "supplies/oncor" (created as needed) */
};

/** Creates the temporary file and its layout: /time and /sites/<id>/series/<name> for every
 *  site and series (all float64, extendible, sized to the run from the start, chunked by
 *  chunk_steps, shuffle + deflate level 1).
 *
 *  The series are staged a chunk at a time (one copy of each row), and every full chunk is
 *  compressed on a pool of meta.threads threads exactly as HDF5's filter pipeline would and
 *  written at once with H5Dwrite_chunk, in a fixed order: the file's bytes do not depend on
 *  the thread count, and nothing waits in a chunk cache until the end. Staging memory is
 *  bounded: chunk_steps shrinks (to a multiple of 256 rows when it can) when (series + 1) *
 *  chunk_steps doubles would exceed H5OUT_STAGE_MAX_BYTES, and a second stage (the appending thread fills one while the pool
 *  compresses the other) is used only while both fit in H5OUT_DOUBLE_STAGE_BYTES.
 *  The groups and series datasets are made by the series' writer thread while the caller goes
 *  on (thousands of sites take seconds): appended chunks are compressed meanwhile and written
 *  once they exist; a failure there is reported by the next append or the next entry point.
 *  Strings are borrowed only during the call. On failure writes a message into `d` and
 *  returns DCSIM_EIO (nothing is left on disk); bad arguments (duplicate or empty names, a
 *  '/' in a name, a NUL byte in the scenario text, negative steps) are DCSIM_EINTERNAL.
 *  chunk_steps 0 means one chunk for the whole run. The temporary name depends only on the
 *  destination and the pid: one process must not write the same destination twice at once. */
int h5out_create(const char *dest_path, const struct h5out_meta *meta,
                 size_t n_sites, const char *const *site_ids,
                 size_t n_series, const struct h5out_series_def *series,
                 size_t chunk_steps, struct h5out **out, struct diag *d);

/** The same with a layout per site: series[site * n_cols + col] describes column `col` of
 *  site `site` in the appended values (whose stride per site is n_cols); a NULL name is an
 *  unused column (not written). Every series is attached to its site's series/time scale. */
int h5out_create_sites(const char *dest_path, const struct h5out_meta *meta,
                       size_t n_sites, const char *const *site_ids,
                       size_t n_cols, const struct h5out_series_def *series,
                       size_t chunk_steps, struct h5out **out, struct diag *d);

#define H5OUT_STAGE_MAX_BYTES (48u << 20)
#define H5OUT_DOUBLE_STAGE_BYTES (32u << 20)

/** Rows of a series chunk (what h5out_create chose): appending a multiple of it at a time
 *  costs the least. */
size_t h5out_chunk_rows(const struct h5out *h);

/** Appends n_steps steps. time_s[n_steps]; values[(site * n_series + series) * n_steps + k].
 *  Copies the rows (the buffers may be reused on return); full chunks are compressed and
 *  written in the background, and every other entry point first waits for them.
 *  Appending past meta.steps is DCSIM_EINTERNAL; a failed write is DCSIM_EIO; a raised stop
 *  flag is DCSIM_EINTERRUPTED. After any failure the handle can only be aborted (commit
 *  refuses it). */
int h5out_append(struct h5out *h, size_t n_steps, const double *time_s, const double *values,
                 struct diag *d);

/** Waits until every chunk appended so far is written (the pool released once all rows are
 *  in). Returns the first write error, or DCSIM_EINTERRUPTED. */
int h5out_wait(struct h5out *h, struct diag *d);

#define H5OUT_NO_DEFLATE (-1)

/** `site` value that addresses the /fit group (fit -o) instead of a summary. */
#define H5OUT_FIT_GROUP (-2)
/** `site` value that addresses /fit/sites/<id of site i> (fit --per-site -o). */
#define H5OUT_FIT_SITE(i) (-3 - (int)(i))
/** `site` value that addresses the /economics group. */
#define H5OUT_ECONOMICS_GROUP (-1000000000)

/** Writes summary metrics as float64 scalar attributes of a group: site index `site` gives
 *  /sites/<id>/summary, site = -1 gives /summary, H5OUT_FIT_GROUP gives /fit,
 *  H5OUT_FIT_SITE(i) gives /fit/sites/<id>. Creates the group if needed. */
int h5out_write_summary(struct h5out *h, int site, size_t n, const char *const *names,
                        const double *values, struct diag *d);

/** Writes a string attribute on the same groups as h5out_write_summary (e.g. units). */
int h5out_write_summary_text(struct h5out *h, int site, const char *name, const char *value,
                             struct diag *d);

/** Writes float64 scalar attributes names[i] = values[i] on the group at `group_path`
 *  ("/models/racks/gb300-nvl72", "/sites/abilene"), creating it and its parents as needed;
 *  with `units` (may be NULL, or hold NULL entries) each gets a string companion
 *  attribute "<name>_units". */
int h5out_write_attrs(struct h5out *h, const char *group_path, size_t n,
                      const char *const *names, const double *values,
                      const char *const *units, struct diag *d);

/** Writes string attribute `name` on the group at `group_path` (created as needed). */
int h5out_write_attr_text(struct h5out *h, const char *group_path, const char *name,
                          const char *value, struct diag *d);

/** Writes an attribute on an existing object ("/scenario"): the string `text`, or when it
 *  is NULL the float64 `value`. */
int h5out_write_object_attr(struct h5out *h, const char *obj_path, const char *name,
                            const char *text, double value, struct diag *d);

/** Writes a float64 array attribute values[n] on the group at `group_path` ("/" the root). */
int h5out_write_attr_array(struct h5out *h, const char *group_path, const char *name,
                           size_t n, const double *values, struct diag *d);

/** Writes a compound table /<name>: a row per record with an int64 column `index_name`
 *  (0, 1, ...) and one float64 column per name; values are row-major [n_rows][n_cols]. */
int h5out_write_table(struct h5out *h, const char *name, const char *index_name, size_t n_rows,
                      size_t n_cols, const char *const *col_names, const double *values,
                      struct diag *d);

/** Flushes, closes and renames the temporary file onto the destination. Frees h. */
int h5out_commit(struct h5out *h, struct diag *d);

/** Stops the compressing threads at once, removes the temporary file, then closes it.
 *  Frees h. NULL is a no-op. */
void h5out_abort(struct h5out *h);

#endif
