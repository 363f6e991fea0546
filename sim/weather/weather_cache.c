/* weather_cache.c — shared weather years (see weather_cache.h).
 *
 * A list of entries under one mutex. An entry is inserted before its year is built, marked
 * `building`; others asking for it wait on the condition variable, so a year is built once
 * while different years are built in parallel. A failed build (a bad EPW file) removes its
 * entry and the waiters retry, each reporting its own error. */
#include "weather_cache.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

struct entry {
    struct entry *next;
    /* the key, by value */
    int is_climate;
    struct climate climate;
    uint64_t stream_key;
    char *epw_path;                     /* owned */
    int64_t start_unix_s, duration_s, timestep_s, steps;
    int building;                       /* 1 while its builder works (outside the lock) */
    struct weather_year *year;          /* owned, once built */
};

struct weather_cache {
    pthread_mutex_t lock;
    pthread_cond_t built;
    struct entry *head;
    long long bytes;                    /* tables and rankings held */
};

/* The climate's numbers (everything after its id): all doubles, so no padding. */
static int climate_same(const struct climate *a, const struct climate *b)
{
    size_t off = offsetof(struct climate, utc_offset_h);
    return memcmp((const char *)a + off, (const char *)b + off, sizeof *a - off) == 0;
}

static int key_matches(const struct entry *e, const struct weather_key *k)
{
    if (e->start_unix_s != k->start_unix_s || e->duration_s != k->duration_s ||
        e->timestep_s != k->timestep_s || e->steps != k->steps)
        return 0;
    if (k->climate)
        return e->is_climate && e->stream_key == k->stream_key &&
               climate_same(&e->climate, k->climate);
    return !e->is_climate && strcmp(e->epw_path, k->epw_path) == 0;
}

static long long year_bytes(const struct weather_key *k)
{
    long long hours = (k->duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR;
    long long steps = k->steps <= WEATHER_CACHE_MAX_STEPS ? k->steps : 0;
    return 16 * steps + 4 * hours + 4096;
}

/* A sort key of a dry bulb: unsigned order = hottest first. -0 counts as +0 (they compare
 * equal, and equal dry bulbs keep the earlier hour first). */
static uint64_t hotter_key(double x)
{
    if (x == 0)
        x = 0.0;
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    u = (u >> 63) ? ~u : u | (1ULL << 63);   /* ascending in x */
    return ~u;                                /* descending */
}

static int rank_hours(const struct weather *w, const double *drybulb_c, int64_t n_hours,
                      int32_t *ranked);

int weather_rank_hours(const struct weather *w, int64_t n_hours, int32_t *ranked)
{
    return rank_hours(w, NULL, n_hours, ranked);
}

int weather_rank_drybulbs(const double *drybulb_c, int64_t n_hours, int32_t *ranked)
{
    return rank_hours(NULL, drybulb_c, n_hours, ranked);
}

/* The ranking from the weather w, or from the hours' dry bulbs when w is NULL. */
static int rank_hours(const struct weather *w, const double *drybulb_c, int64_t n_hours,
                      int32_t *ranked)
{
    const int64_t year_h = SECONDS_PER_YEAR / SECONDS_PER_HOUR;
    if (n_hours < 0 || n_hours > INT32_MAX)
        return DCSIM_EINTERNAL;
    size_t cap = (size_t)(n_hours < year_h ? (n_hours ? n_hours : 1) : year_h);
    uint64_t *key = malloc(2 * cap * sizeof *key);
    int32_t *tmp = malloc(cap * sizeof *tmp);
    if (!key || !tmp) {
        free(key);
        free(tmp);
        return DCSIM_ENOMEM;
    }
    uint64_t *key2 = key + cap;
    for (int64_t y0 = 0; y0 < n_hours; y0 += year_h) {
        size_t len = (size_t)(n_hours - y0 < year_h ? n_hours - y0 : year_h);
        int32_t *out = ranked + y0;
        for (size_t i = 0; i < len; i++) {
            int64_t h = y0 + (int64_t)i;
            key[i] = hotter_key(w ? weather_drybulb_at(w, h * SECONDS_PER_HOUR +
                                                              SECONDS_PER_HOUR / 2)
                                  : drybulb_c[h]);
            out[i] = (int32_t)h;
        }
        /* LSD radix sort, 8 passes of a byte: stable, so ties keep the earlier hour first
         * (the order of a comparison sort by (hotter, earlier)) */
        uint64_t *ka = key, *kb = key2;
        int32_t *ha = out, *hb = tmp;
        for (int shift = 0; shift < 64; shift += 8) {
            size_t count[257] = {0};
            for (size_t i = 0; i < len; i++)
                count[((ka[i] >> shift) & 0xff) + 1]++;
            if (count[((ka[0] >> shift) & 0xff) + 1] == len)
                continue;   /* every key has this byte: nothing moves */
            for (int b = 0; b < 256; b++)
                count[b + 1] += count[b];
            for (size_t i = 0; i < len; i++) {
                size_t at = count[(ka[i] >> shift) & 0xff]++;
                kb[at] = ka[i];
                hb[at] = ha[i];
            }
            uint64_t *kt = ka;
            ka = kb;
            kb = kt;
            int32_t *ht = ha;
            ha = hb;
            hb = ht;
        }
        if (ha != out)
            memcpy(out, ha, len * sizeof *out);
    }
    free(key);
    free(tmp);
    return 0;
}

void weather_year_free(struct weather_year *y)
{
    if (!y)
        return;
    weather_destroy(y->weather);
    free(y->drybulb_c);
    free(y->wetbulb_c);
    free(y->ranked_hours);
    free(y);
}

int weather_year_build(const struct weather_key *key, struct weather_year **out,
                       struct diag *d)
{
    struct weather_year *y = calloc(1, sizeof *y);
    if (!y)
        return DCSIM_ENOMEM;
    int rc = key->climate ? weather_create_climate(key->climate, key->start_unix_s,
                                                   key->duration_s, key->stream_key, &y->weather)
                          : weather_create_epw(key->epw_path, key->start_unix_s, &y->weather, d);
    if (!rc && key->steps <= WEATHER_CACHE_MAX_STEPS) {
        size_t n = (size_t)(key->steps > 0 ? key->steps : 1);
        y->drybulb_c = malloc(n * sizeof *y->drybulb_c);
        y->wetbulb_c = malloc(n * sizeof *y->wetbulb_c);
        if (!y->drybulb_c || !y->wetbulb_c)
            rc = DCSIM_ENOMEM;
        for (int64_t k = 0; !rc && k < key->steps; k++)
            weather_at(y->weather, k * key->timestep_s, &y->drybulb_c[k], &y->wetbulb_c[k]);
    }
    if (!rc) {
        y->n_hours = (key->duration_s + SECONDS_PER_HOUR - 1) / SECONDS_PER_HOUR;
        y->ranked_hours = malloc((size_t)(y->n_hours > 0 ? y->n_hours : 1) *
                                 sizeof *y->ranked_hours);
        rc = y->ranked_hours ? weather_rank_hours(y->weather, y->n_hours, y->ranked_hours)
                             : DCSIM_ENOMEM;
    }
    if (rc) {
        weather_year_free(y);
        return rc;
    }
    *out = y;
    return 0;
}

int weather_cache_create(struct weather_cache **out)
{
    struct weather_cache *c = calloc(1, sizeof *c);
    if (!c)
        return DCSIM_ENOMEM;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return DCSIM_ENOMEM;
    }
    if (pthread_cond_init(&c->built, NULL) != 0) {
        pthread_mutex_destroy(&c->lock);
        free(c);
        return DCSIM_ENOMEM;
    }
    *out = c;
    return 0;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    weather_year_free(e->year);
    free(e->epw_path);
    free(e);
}

void weather_cache_destroy(struct weather_cache *c)
{
    if (!c)
        return;
    for (struct entry *e = c->head, *next; e; e = next) {
        next = e->next;
        entry_free(e);
    }
    pthread_cond_destroy(&c->built);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* A new entry for key, marked building. NULL: out of memory. */
static struct entry *entry_new(const struct weather_key *key)
{
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->is_climate = key->climate != NULL;
    if (key->climate)
        e->climate = *key->climate;
    else if (!(e->epw_path = strdup(key->epw_path))) {
        free(e);
        return NULL;
    }
    e->stream_key = key->stream_key;
    e->start_unix_s = key->start_unix_s;
    e->duration_s = key->duration_s;
    e->timestep_s = key->timestep_s;
    e->steps = key->steps;
    e->building = 1;
    return e;
}

int weather_cache_get(struct weather_cache *c, const struct weather_key *key,
                      const struct weather_year **out, int *owned, struct diag *d)
{
    *owned = 0;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        struct entry *e = c->head;
        while (e && !key_matches(e, key))
            e = e->next;
        if (e && e->building) {
            pthread_cond_wait(&c->built, &c->lock);
            continue;   /* look again: it may have failed and gone */
        }
        if (e) {
            *out = e->year;
            pthread_mutex_unlock(&c->lock);
            return 0;
        }
        long long bytes = year_bytes(key);
        struct entry *fresh = c->bytes + bytes <= WEATHER_CACHE_MAX_BYTES ? entry_new(key) : NULL;
        if (!fresh) {
            /* full (or no memory for the entry): a year of the caller's own */
            pthread_mutex_unlock(&c->lock);
            struct weather_year *y = NULL;
            int rc = weather_year_build(key, &y, d);
            if (!rc) {
                *out = y;
                *owned = 1;
            }
            return rc;
        }
        fresh->next = c->head;
        c->head = fresh;
        c->bytes += bytes;
        pthread_mutex_unlock(&c->lock);

        struct weather_year *y = NULL;
        int rc = weather_year_build(key, &y, d);

        pthread_mutex_lock(&c->lock);
        if (rc) {
            struct entry **pp = &c->head;
            while (*pp != fresh)
                pp = &(*pp)->next;
            *pp = fresh->next;
            c->bytes -= bytes;
            entry_free(fresh);
        } else {
            fresh->year = y;
            fresh->building = 0;
            *out = y;
        }
        pthread_cond_broadcast(&c->built);
        pthread_mutex_unlock(&c->lock);
        return rc;
    }
}
