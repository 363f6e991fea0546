/* h5out.h — the HDF5 result writer (contract section 3).
 *
 * Lifecycle: h5out_create (opens DEST.tmp.<pid> beside the destination, writes the root
 * attributes and the scenario text, creates the chunked, compressed, extendible series),
 * h5out_append (any number of times, a block of steps at a time), h5out_write_summary,
 * then h5out_commit (closes and renames onto the destination) or h5out_abort (closes and
 * removes the temporary file). Either one frees the handle. */
#ifndef DCSIM_H5OUT_H
#define DCSIM_H5OUT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct h5out;   /* opaque */

struct h5out_meta {
    const char *dcsim_version;
    const char *scenario_name;
    const char *start_iso;          /* "2027-01-01T00:00:00Z" */
    int64_t timestep_s;
    int64_t steps;
    uint64_t seed;
    int trials;
    const char *scenario_text;      /* the scenario exactly as read */
    size_t scenario_len;
};

struct h5out_series_def {
    const char *name;               /* e.g. "it_demand_mw" */
    const char *units;              /* e.g. "MW" */
};

/** Creates the temporary file and its layout: /time and /sites/<id>/series/<name> for every
 *  site and series (all float64, extendible, chunked by chunk_steps, deflate level 4, shuffle).
 *  Strings are borrowed only during the call. On failure writes a message into `d` and
 *  returns DCSIM_EIO (nothing is left on disk). */
int h5out_create(const char *dest_path, const struct h5out_meta *meta,
                 size_t n_sites, const char *const *site_ids,
                 size_t n_series, const struct h5out_series_def *series,
                 size_t chunk_steps, struct h5out **out, struct diag *d);

/** Appends n_steps steps. time_s[n_steps]; values[(site * n_series + series) * n_steps + k]. */
int h5out_append(struct h5out *h, size_t n_steps, const double *time_s, const double *values,
                 struct diag *d);

/** Writes summary metrics as float64 scalar attributes of a group: site index `site` gives
 *  /sites/<id>/summary, site = -1 gives /summary. Creates the group if needed. */
int h5out_write_summary(struct h5out *h, int site, size_t n, const char *const *names,
                        const double *values, struct diag *d);

/** Writes a string attribute on the same groups as h5out_write_summary (e.g. units). */
int h5out_write_summary_text(struct h5out *h, int site, const char *name, const char *value,
                             struct diag *d);

/** Flushes, closes and renames the temporary file onto the destination. Frees h. */
int h5out_commit(struct h5out *h, struct diag *d);

/** Closes and removes the temporary file. Frees h. NULL is a no-op. */
void h5out_abort(struct h5out *h);

#endif
