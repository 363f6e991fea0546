/* weather_cache.h — weather years built once and shared read-only by the runs that use them.
 *
 * A sweep's cases differ in their loads and supplies but mostly not in their weather: a
 * synthetic climate's year is a function of (climate, stream key, start, duration) and an EPW
 * file's of (path, start). The cache builds each such year once — the weather, its value at
 * every step of the run's timestep, and the hours of each 365-day block ranked hottest first
 * (for grid curtailment calendars) — and lends it to every run asking for the same key. The
 * stream key is site_stream_key(seed, trial, site id) extended by "weather" (streams.h), so a
 * case gets exactly the year it would draw alone. Thread-safe: several runs may ask at once;
 * a year is built by the first asker while the others wait for it. */
#ifndef DCSIM_WEATHER_CACHE_H
#define DCSIM_WEATHER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "err.h"
#include "weather.h"

struct weather_cache;   /* opaque */

/** What a year is built from. Exactly one of climate (synthetic) or epw_path is set. */
struct weather_key {
    const struct climate *climate;      /* borrowed: compared by value (not by id) */
    uint64_t stream_key;                /* the climate's anomalies' key (ignored for EPW) */
    const char *epw_path;               /* borrowed */
    int64_t start_unix_s, duration_s, timestep_s, steps;
};

/** A shared year: read-only while the cache lives. */
struct weather_year {
    struct weather *weather;            /* owned by the cache */
    double *drybulb_c, *wetbulb_c;      /* [steps] at k·timestep_s, or NULL (too many steps) */
    int32_t *ranked_hours;              /* [n_hours]: each 365-day block's hours, hottest first
                                           (mid-hour dry bulb; ties: earlier first) */
    int64_t n_hours;
};

/** The n_hours hours of a run ranked for curtailment calendars: each 365-day block's hours,
 *  hottest first by the dry bulb at the hour's middle (ties: earlier first), into
 *  ranked[n_hours]. Returns 0, DCSIM_ENOMEM or DCSIM_EINTERNAL (too many hours). */
int weather_rank_hours(const struct weather *w, int64_t n_hours, int32_t *ranked);

/** The same ranking from the hours' dry bulbs: drybulb_c[h] is the weather's dry bulb at
 *  h·3600 + 1800 s (e.g. from weather_parts_fill). */
int weather_rank_drybulbs(const double *drybulb_c, int64_t n_hours, int32_t *ranked);

/** Years of at most this many steps get a table (2 × 8 B × 4 M = 64 MB). */
#define WEATHER_CACHE_MAX_STEPS (1LL << 22)
/** The cache stops adding years beyond this many bytes; askers then build their own (a
 *  sweep over seeds draws new years in every case: they must not pile up). */
#define WEATHER_CACHE_MAX_BYTES (128LL << 20)

/** Makes an empty cache. Returns 0 or DCSIM_ENOMEM. */
int weather_cache_create(struct weather_cache **out);

/** Frees the cache and every year in it; NULL is a no-op. No run may still borrow a year. */
void weather_cache_destroy(struct weather_cache *c);

/** Finds or builds the year of `key`. *out is borrowed from the cache (valid until it is
 *  destroyed), or, when the cache is full, a year of the caller's own: *owned is then 1 and
 *  the caller frees it with weather_year_free. Errors (an unreadable EPW file) go to `d`. */
int weather_cache_get(struct weather_cache *c, const struct weather_key *key,
                      const struct weather_year **out, int *owned, struct diag *d);

/** Builds a year outside any cache (tables included). Returns 0 or an error (into d). */
int weather_year_build(const struct weather_key *key, struct weather_year **out,
                       struct diag *d);

/** Frees a year from weather_year_build; NULL is a no-op. */
void weather_year_free(struct weather_year *y);

#endif
