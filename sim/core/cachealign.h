/* cachealign.h — zeroed arrays on cache lines of their own.
 *
 * Threads that step neighbouring sites write neighbouring per-site structs every step; when
 * two of them share a 64-byte line, the line moves between the cores at each write (false
 * sharing). aligned_calloc starts the array on a line and rounds its size up to whole lines;
 * a struct whose first member is _Alignas(CACHE_LINE_BYTES) then fills whole lines. */
#ifndef DCSIM_CACHEALIGN_H
#define DCSIM_CACHEALIGN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_LINE_BYTES 64

/** n zeroed elements of `size` bytes, the first on a cache line, the whole on lines of its
 *  own; NULL when out of memory or n·size overflows. Freed with free(). */
static inline void *aligned_calloc(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - CACHE_LINE_BYTES) / size)
        return NULL;
    size_t bytes = n * size;
    bytes = (bytes + CACHE_LINE_BYTES - 1) / CACHE_LINE_BYTES * CACHE_LINE_BYTES;
    void *p = aligned_alloc(CACHE_LINE_BYTES, bytes ? bytes : CACHE_LINE_BYTES);
    if (p)
        memset(p, 0, bytes ? bytes : CACHE_LINE_BYTES);
    return p;
}

#endif
