/* streams.h — seeds of the random streams, keyed by names, never by positions.
 *
 * Every random stream of a run (a reactor unit's outages, a grid's outages, a site's weather
 * year) is seeded from (scenario seed + trial, site id, supply id, unit) through a 64-bit
 * hash, so a site draws the same whether it runs alone or among others, in any order, on any
 * thread or rank (../shared/design-events.md "Random streams"). */
#ifndef DCSIM_STREAMS_H
#define DCSIM_STREAMS_H

#include <stdint.h>

/** splitmix64's finaliser (Steele, Lea & Flood 2014): a well-mixed 64-bit hash. */
static inline uint64_t stream_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/** The key `key` extended by the name `name` (FNV-1a over its bytes, then mixed). */
static inline uint64_t stream_key(uint64_t key, const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return stream_mix64(stream_mix64(key) ^ h);
}

/** The key `key` extended by a number (a unit, a trial). */
static inline uint64_t stream_key_n(uint64_t key, uint64_t n)
{
    return stream_mix64(stream_mix64(key) ^ stream_mix64(n + 0x632be59bd9b4e019ULL));
}

/** A 32-bit seed for GSL's MT19937 (gsl_rng_set takes an unsigned long; MT uses 32 bits). */
static inline unsigned long stream_seed32(uint64_t key)
{
    return (unsigned long)((key & 0xffffffffUL) ^ (key >> 32));
}

#endif
