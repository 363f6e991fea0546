/* check_weather_cache.c — the shared weather years: one build per key, the same values as a
 * year built alone (tables and hours' ranking), distinct keys kept apart, several threads
 * asking at once, and a failing EPW build reported to every asker. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "timefmt.h"
#include "weather_cache.h"

/* The ranking by a comparison sort, as supply.c once did it: the reference. */
struct hour_temp {
    int64_t hour;
    double drybulb_c;
};

static int hotter_first(const void *a, const void *b)
{
    const struct hour_temp *x = a, *y = b;
    if (x->drybulb_c != y->drybulb_c)
        return x->drybulb_c < y->drybulb_c ? 1 : -1;
    return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static int ref_rank_hours(const struct weather *w, int64_t n_hours, int32_t *ranked)
{
    const int64_t year_h = 8760;
    struct hour_temp *ht = malloc((size_t)year_h * sizeof *ht);
    for (int64_t y0 = 0; y0 < n_hours; y0 += year_h) {
        int64_t len = n_hours - y0 < year_h ? n_hours - y0 : year_h;
        for (int64_t i = 0; i < len; i++) {
            double wb;
            ht[i].hour = y0 + i;
            weather_at(w, (y0 + i) * 3600 + 1800, &ht[i].drybulb_c, &wb);
        }
        qsort(ht, (size_t)len, sizeof *ht, hotter_first);
        for (int64_t i = 0; i < len; i++)
            ranked[y0 + i] = (int32_t)ht[i].hour;
    }
    free(ht);
    return 0;
}

START_TEST(test_rank_ties_and_signs)
{
    /* constant weather: every hour ties, so the ranking is the hours in order; at 0 and -0 */
    for (int z = 0; z < 3; z++) {
        struct weather *w;
        double t = z == 0 ? 0.0 : z == 1 ? -0.0 : -12.5;
        ck_assert_int_eq(weather_create_constant(t, t - 1, &w), 0);
        int32_t ranked[9000];
        ck_assert_int_eq(weather_rank_hours(w, 9000, ranked), 0);
        for (int i = 0; i < 9000; i++)
            ck_assert_int_eq(ranked[i], i);
        double db, wb;
        weather_at(w, 0, &db, &wb);
        ck_assert(memcmp(&db, &t, sizeof db) == 0);
        ck_assert(weather_drybulb_at(w, 77) == t);
        weather_destroy(w);
    }
}
END_TEST

static struct climate test_climate(void)
{
    struct climate c = {.id = "t", .utc_offset_h = -6.0, .anomaly_sd_k = 2.7,
                        .anomaly_autocorrelation = 0.63};
    for (int m = 0; m < 12; m++) {
        c.monthly_drybulb_c[m] = 8.0 + 10.0 * sin((m - 3) * 0.5235987755982988);
        c.monthly_range_k[m] = 11.0 + 0.5 * m;
        c.monthly_rh[m] = 55.0 + 1.5 * m;
    }
    return c;
}

static struct weather_key climate_key(const struct climate *c, uint64_t stream)
{
    struct weather_key k = {.climate = c, .stream_key = stream, .start_unix_s = 1798761600,
                            .duration_s = 400 * 86400LL, .timestep_s = 900};
    k.steps = k.duration_s / k.timestep_s;
    return k;
}

START_TEST(test_same_key_once_same_values)
{
    struct climate c = test_climate();
    struct weather_key k = climate_key(&c, 0x1234abcdULL);
    struct weather_cache *cache;
    ck_assert_int_eq(weather_cache_create(&cache), 0);
    struct diag d;
    diag_init(&d);
    const struct weather_year *a, *b;
    int own_a, own_b;
    ck_assert_int_eq(weather_cache_get(cache, &k, &a, &own_a, &d), 0);
    struct climate c2 = c;   /* another copy, another id: the same numbers */
    strcpy(c2.id, "other");
    struct weather_key k2 = climate_key(&c2, 0x1234abcdULL);
    ck_assert_int_eq(weather_cache_get(cache, &k2, &b, &own_b, &d), 0);
    ck_assert(!own_a && !own_b);
    ck_assert_ptr_eq(a, b);
    /* a year built alone: the same table and ranking as weather_at / ref_rank_hours */
    struct weather *w;
    ck_assert_int_eq(weather_create_climate(&c, k.start_unix_s, k.duration_s, k.stream_key, &w), 0);
    for (int64_t s = 0; s < k.steps; s += 7) {
        double db, wb;
        weather_at(w, s * k.timestep_s, &db, &wb);
        ck_assert(memcmp(&db, &a->drybulb_c[s], sizeof db) == 0);
        ck_assert(memcmp(&wb, &a->wetbulb_c[s], sizeof wb) == 0);
    }
    int64_t n_hours = k.duration_s / SECONDS_PER_HOUR;
    ck_assert_int_eq(a->n_hours, n_hours);
    int32_t *ranked = malloc((size_t)n_hours * sizeof *ranked);
    ck_assert_int_eq(ref_rank_hours(w, n_hours, ranked), 0);
    ck_assert(memcmp(ranked, a->ranked_hours, (size_t)n_hours * sizeof *ranked) == 0);
    int32_t *mine = malloc((size_t)n_hours * sizeof *mine);
    ck_assert_int_eq(weather_rank_hours(w, n_hours, mine), 0);
    ck_assert(memcmp(ranked, mine, (size_t)n_hours * sizeof *ranked) == 0);
    for (int64_t s = 0; s < k.steps; s += 13) {
        double db, wb;
        weather_at(w, s * 450, &db, &wb);
        ck_assert(db == weather_drybulb_at(w, s * 450));
    }
    free(mine);
    /* each 365-day block is ranked hottest first */
    double prev = INFINITY, db, wb;
    for (int64_t i = 0; i < 8760; i++) {
        weather_at(w, ranked[i] * SECONDS_PER_HOUR + SECONDS_PER_HOUR / 2, &db, &wb);
        ck_assert(db <= prev);
        prev = db;
    }
    ck_assert_int_ge(ranked[8760], 8760);
    free(ranked);
    weather_destroy(w);
    diag_release(&d);
    weather_cache_destroy(cache);
}
END_TEST

/* Years drawn like a prototype and filled from shared parts: the same bits as a year built
 * alone and weather_at (steps beyond the drawn days, on a 7-minute grid that does not divide
 * the day, included), the same ranking from the parts' mid-hour dry bulbs; parts refuse a
 * year of another start. */
START_TEST(test_parts_same_values)
{
    struct climate c = test_climate();
    struct weather_key k = climate_key(&c, 5);
    struct weather *proto;
    ck_assert_int_eq(weather_create_climate(&c, k.start_unix_s, k.duration_s, 5, &proto), 0);
    int64_t n = k.duration_s / 420 + 500;   /* ~2.4 days past the horizon */
    struct weather_parts *steps, *hours;
    ck_assert_int_eq(weather_parts_create(proto, 0, 420, n, 1, &steps), 0);
    int64_t n_hours = k.duration_s / SECONDS_PER_HOUR;
    ck_assert_int_eq(weather_parts_create(proto, 1800, 3600, n_hours, 0, &hours), 0);
    double *db = malloc((size_t)n * sizeof *db), *wb = malloc((size_t)n * sizeof *wb);
    double *hdb = malloc((size_t)n_hours * sizeof *hdb);
    int32_t *ranked = malloc((size_t)n_hours * sizeof *ranked);
    int32_t *ref = malloc((size_t)n_hours * sizeof *ref);
    const uint64_t seeds[3] = {5, 6, 0xfeedface12345678ULL};
    for (int i = 0; i < 3; i++) {
        struct weather *alone, *like;
        ck_assert_int_eq(weather_create_climate(&c, k.start_unix_s, k.duration_s, seeds[i],
                                                &alone), 0);
        ck_assert_int_eq(weather_create_climate_like(proto, seeds[i], &like), 0);
        ck_assert_int_eq(weather_parts_fill(like, steps, db, wb), 0);
        for (int64_t s = 0; s < n; s++) {
            double a_db, a_wb, l_db, l_wb;
            weather_at(alone, s * 420, &a_db, &a_wb);
            weather_at(like, s * 420, &l_db, &l_wb);
            ck_assert(memcmp(&a_db, &db[s], sizeof a_db) == 0);
            ck_assert(memcmp(&a_wb, &wb[s], sizeof a_wb) == 0);
            ck_assert(memcmp(&a_db, &l_db, sizeof a_db) == 0);
            ck_assert(memcmp(&a_wb, &l_wb, sizeof a_wb) == 0);
        }
        ck_assert_int_eq(weather_parts_fill(like, hours, hdb, NULL), 0);
        ck_assert_int_eq(weather_rank_drybulbs(hdb, n_hours, ranked), 0);
        ck_assert_int_eq(ref_rank_hours(alone, n_hours, ref), 0);
        ck_assert(memcmp(ranked, ref, (size_t)n_hours * sizeof *ref) == 0);
        /* the dry-bulb-only parts cannot give wet bulbs */
        ck_assert_int_eq(weather_parts_fill(like, hours, hdb, wb), DCSIM_EINPUT);
        weather_destroy(alone);
        weather_destroy(like);
    }
    struct weather *later;
    ck_assert_int_eq(weather_create_climate(&c, k.start_unix_s + 86400, k.duration_s, 5, &later),
                     0);
    ck_assert_int_eq(weather_parts_fill(later, steps, db, wb), DCSIM_EINPUT);
    weather_destroy(later);
    free(db);
    free(wb);
    free(hdb);
    free(ranked);
    free(ref);
    weather_parts_destroy(steps);
    weather_parts_destroy(hours);
    weather_destroy(proto);
}
END_TEST

START_TEST(test_keys_apart)
{
    struct climate c = test_climate();
    struct weather_cache *cache;
    ck_assert_int_eq(weather_cache_create(&cache), 0);
    struct diag d;
    diag_init(&d);
    const struct weather_year *y[4];
    int own;
    struct weather_key k = climate_key(&c, 1);
    ck_assert_int_eq(weather_cache_get(cache, &k, &y[0], &own, &d), 0);
    k.stream_key = 2;   /* another trial or site */
    ck_assert_int_eq(weather_cache_get(cache, &k, &y[1], &own, &d), 0);
    k.stream_key = 1;
    k.timestep_s = 3600;
    k.steps = k.duration_s / 3600;
    ck_assert_int_eq(weather_cache_get(cache, &k, &y[2], &own, &d), 0);
    struct climate hot = c;
    hot.monthly_drybulb_c[6] += 1e-9;
    struct weather_key kh = climate_key(&hot, 1);
    ck_assert_int_eq(weather_cache_get(cache, &kh, &y[3], &own, &d), 0);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            ck_assert_ptr_ne(y[i], y[j]);
    ck_assert(y[0]->drybulb_c[10] != y[1]->drybulb_c[10]);
    diag_release(&d);
    weather_cache_destroy(cache);
    weather_cache_destroy(NULL);
    weather_year_free(NULL);
}
END_TEST

struct asker {
    struct weather_cache *cache;
    const struct climate *c;
    const struct weather_year *got[8];
    int rc;
};

static void *ask(void *arg)
{
    struct asker *a = arg;
    struct diag d;
    diag_init(&d);
    for (int i = 0; i < 8 && !a->rc; i++) {
        struct weather_key k = climate_key(a->c, (uint64_t)(i % 4));
        int own;
        a->rc = weather_cache_get(a->cache, &k, &a->got[i], &own, &d);
    }
    diag_release(&d);
    return NULL;
}

START_TEST(test_threads)
{
    struct climate c = test_climate();
    struct weather_cache *cache;
    ck_assert_int_eq(weather_cache_create(&cache), 0);
    struct asker as[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        as[i] = (struct asker){.cache = cache, .c = &c};
        ck_assert_int_eq(pthread_create(&t[i], NULL, ask, &as[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(as[i].rc, 0);
        for (int j = 0; j < 8; j++)
            ck_assert_ptr_eq(as[i].got[j], as[0].got[j % 4]);
    }
    weather_cache_destroy(cache);
}
END_TEST

START_TEST(test_epw_missing)
{
    struct weather_cache *cache;
    ck_assert_int_eq(weather_cache_create(&cache), 0);
    struct weather_key k = {.epw_path = "/nonexistent/dir/x.epw", .start_unix_s = 1798761600,
                            .duration_s = 86400, .timestep_s = 3600, .steps = 24};
    for (int i = 0; i < 2; i++) {   /* not cached: each asker gets the error and a message */
        struct diag d;
        diag_init(&d);
        const struct weather_year *y = NULL;
        int own;
        ck_assert_int_eq(weather_cache_get(cache, &k, &y, &own, &d), DCSIM_EINPUT);
        ck_assert_int_ge(d.n, 1);
        diag_release(&d);
    }
    weather_cache_destroy(cache);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("weather_cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_same_key_once_same_values);
    tcase_add_test(tc, test_rank_ties_and_signs);
    tcase_add_test(tc, test_keys_apart);
    tcase_add_test(tc, test_parts_same_values);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_epw_missing);
    suite_add_tcase(s, tc);
    return s;
}

TESTUTIL_MAIN(suite)
