/* h5chunks.h — internal to sim/output: the series writer's staging and compression pool.
 *
 * Rows appended are copied once into a stage: one chunk of `chunk_rows` rows for each of
 * `n_cols` float64 columns. A full stage (or the run's last, partial one, zero-padded to a
 * whole chunk as HDF5 stores an edge chunk) is handed to a pool of threads that compress its
 * columns, a chunk each, exactly as HDF5's filter pipeline would (byte shuffle of the 8-byte
 * values, then zlib compress2 at the dataset's deflate level), and a writer thread hands them
 * to `write` one at a time, in order: column 0 .. n_cols-1 of chunk 0, then of chunk 1, and so on. So the calls
 * `write` sees, and the file they make, never depend on the number of threads.
 *
 * A stage is free again once its columns are compressed (or copied) into a ring of about a
 * stage's chunks, so the appending thread waits for the compression, not for the writes.
 * With one stage it waits while a stage is compressed (and compresses with the pool
 * meanwhile); with two it fills one while the pool works on the other. Memory: n_stages *
 * n_cols * chunk_rows doubles, plus the chunks in the ring (at most 32 MB; typical series
 * compress to a fifth of that or less). */
#ifndef DCSIM_H5CHUNKS_H
#define DCSIM_H5CHUNKS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* level: what a column chunk becomes before `write` sees it */
#define H5CHUNKS_RAW_ROWS (-1)  /* nothing: the stage's rows as they are (size rows * 8) */
#define H5CHUNKS_RAW_CHUNK 0    /* nothing: the whole zero-padded chunk (chunk_rows * 8) */
/* 1..9: shuffled and deflated at that level */

struct h5chunks_opts {
    size_t n_cols;              /* columns staged per row */
    size_t chunk_rows;          /* rows of a chunk (>= 1) */
    uint64_t total_rows;        /* rows over the run: the last stage is sent when reached */
    int n_stages;               /* 1 or 2 */
    int threads;                /* compressing threads; 0: none, nor a writer thread (inline:
                                   the appending thread compresses and writes each stage as
                                   it is sent, and runs the prologue in h5chunks_start) */
    int level;                  /* H5CHUNKS_RAW_ROWS, H5CHUNKS_RAW_CHUNK or 1..9 */
    volatile sig_atomic_t *stop;   /* optional: nonzero abandons the work (DCSIM_EINTERRUPTED) */
    /* Writes column `col` of chunk `chunk` (rows of data in it): `size` bytes at `data`.
     * Called from the pool's one writing thread, never from the appending one (inline:
     * from the appending one).
     * Returns 0 or a status, with a message in d. */
    int (*write)(void *ctx, size_t col, uint64_t chunk, size_t rows, const void *data,
                 size_t size, struct diag *d);
    /* Optional: called once on the writing thread before the first write (e.g. to make the
     * datasets written to); a failure is the pool's, as a write's. */
    int (*prologue)(void *ctx, struct diag *d);
    void *ctx;
};

struct h5chunks;

/** Allocates the stages and starts the threads. 0, DCSIM_ENOMEM (nothing allocated). */
int h5chunks_start(const struct h5chunks_opts *o, struct h5chunks **out);

/** Copies n rows: column 0 from time_s[n], column c >= 1 from values + map[c - 1] * n.
 *  Returns 0, or the first failure of the pool (its message moved into d), or
 *  DCSIM_EINTERRUPTED when the stop flag was raised. Appending past total_rows is a bug. */
int h5chunks_append(struct h5chunks *hc, size_t n, const double *time_s, const double *values,
                    const size_t *map, struct diag *d);

/** Waits until the prologue has run and every stage sent has been written; returns as
 *  h5chunks_append. */
int h5chunks_drain(struct h5chunks *hc, struct diag *d);

/** Stops the threads at once (work in flight is abandoned) and frees everything; messages
 *  not yet handed over go to d (may be NULL). NULL is a no-op. */
void h5chunks_close(struct h5chunks *hc, struct diag *d);

/** Byte shuffle of n 8-byte values (HDF5's shuffle filter for an 8-byte type): byte b of
 *  value i goes to out[b * n + i]. */
void h5chunks_shuffle8(const void *in, size_t n, void *out);

#endif
