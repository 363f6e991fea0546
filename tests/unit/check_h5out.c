/* check_h5out.c — unit tests of the HDF5 result writer and reader (sim/output/h5out.c).
 *
 * Writes small results into a fresh mkdtemp directory, reads them back both through the
 * h5in_* reader and directly with the HDF5 C API, and checks every error path: abort, too
 * few or too many steps, an unwritable destination, a write failing inside HDF5 (file size
 * limit), a failing rename, bad arguments, and the reader's own errors; and that the
 * series' chunks, compressed by the writer's own threads, are the bytes HDF5's filter
 * pipeline stores, whatever the number of threads. */
#include "h5chunks.h"
#include "h5in.h"
#include "h5out.h"

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5_hl.h>
#include <zlib.h>

#include <hdf5.h>

#define N_SITES 2
#define N_SERIES 3
#define STEPS 1000
#define TIMESTEP_S 3600
#define SEED UINT64_C(0xFEDCBA9876543210)     /* above INT64_MAX: checks it stays unsigned */

static const char *const site_ids[N_SITES] = {"north", "south-1"};
static const struct h5out_series_def series[N_SERIES] = {
    {"it_demand_mw", "MW", "IT power asked for", NULL},
    {"pue", "1", NULL, NULL},
    {"ambient_drybulb_c", "°C", "outdoor dry bulb", NULL},
};
static const char scenario_text[] =
    "name: test-site\n"
    "# supply air 27 °C, ΔT 12 K\n"
    "sites:\n"
    "  - id: north\n"
    "\ttab\r\n"
    "end without newline";

/* The test directory of the running test. Check fixtures take no argument, so the checked
 * fixture and the tests share it through this file-local variable. */
static char test_dir[64];

static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *e;
        while (dir && (e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (dir)
            closedir(dir);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void setup(void)
{
    snprintf(test_dir, sizeof test_dir, "/tmp/check_h5out.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(test_dir));
}

static void teardown(void)
{
    rm_tree(test_dir);
}

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", test_dir, name);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries in the test directory. */
static int dir_entries(void)
{
    int n = 0;
    DIR *dir = opendir(test_dir);
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dir);
    return n;
}

static void tmp_path(char *buf, size_t len, const char *dest)
{
    snprintf(buf, len, "%s.tmp.%ld", dest, (long)getpid());
}

static double expected(size_t site, size_t ser, size_t k)
{
    return (double)site * 1000 + (double)ser * 100 + (double)k * 0.5;
}

static struct h5out_meta make_meta(int64_t steps, const char *text, size_t len)
{
    struct h5out_meta m = {
        .dcsim_version = "0.1.0",
        .scenario_name = "test-site",
        .start_iso = "2027-01-01T00:00:00Z",
        .timestep_s = TIMESTEP_S,
        .steps = steps,
        .seed = SEED,
        .trials = 1,
        .scenario_text = text,
        .scenario_len = len,
    };
    return m;
}

static struct h5out *create_ok(const char *dest, int64_t steps, size_t chunk, struct diag *d)
{
    struct h5out_meta m = make_meta(steps, scenario_text, strlen(scenario_text));
    struct h5out *h = NULL;
    int r = h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, chunk, &h, d);
    ck_assert_int_eq(r, 0);
    ck_assert_ptr_nonnull(h);
    return h;
}

/* Appends steps [from, from + n) with the known values; returns h5out_append's status. */
static int append_block(struct h5out *h, size_t from, size_t n, struct diag *d)
{
    double *t = malloc((n ? n : 1) * sizeof *t);
    double *v = malloc((n ? n : 1) * N_SITES * N_SERIES * sizeof *v);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(v);
    for (size_t k = 0; k < n; k++) {
        t[k] = (double)((from + k) * TIMESTEP_S);
        for (size_t s = 0; s < N_SITES; s++)
            for (size_t j = 0; j < N_SERIES; j++)
                v[(s * N_SERIES + j) * n + k] = expected(s, j, from + k);
    }
    int r = h5out_append(h, n, t, v, d);
    free(t);
    free(v);
    return r;
}

/* Open HDF5 objects of every kind in the process: a test must not change it. */
static ssize_t open_ids(void)
{
    return H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
}

/* 1 when the two files hold the same bytes. */
static int same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    ck_assert_ptr_nonnull(fa);
    ck_assert_ptr_nonnull(fb);
    int ca, cb;
    do {
        ca = getc(fa);
        cb = getc(fb);
    } while (ca == cb && ca != EOF);
    fclose(fa);
    fclose(fb);
    return ca == cb;
}

/* ---- reading with the plain HDF5 C API ---- */

/* A string attribute that must be variable-length UTF-8 (so h5py returns str). Caller frees. */
static char *attr_vlen_utf8(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    ck_assert_int_ge(a, 0);
    hid_t t = H5Aget_type(a);
    ck_assert_int_eq(H5Tget_class(t), H5T_STRING);
    ck_assert_int_gt(H5Tis_variable_str(t), 0);
    ck_assert_int_eq(H5Tget_cset(t), H5T_CSET_UTF8);
    char *s = NULL;
    ck_assert_int_ge(H5Aread(a, t, &s), 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

/* Reads an integer attribute checking its stored class and sign. */
static void attr_int(hid_t obj, const char *name, H5T_sign_t sign, hid_t mem, void *out)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    ck_assert_int_ge(a, 0);
    hid_t t = H5Aget_type(a);
    ck_assert_int_eq(H5Tget_class(t), H5T_INTEGER);
    ck_assert_int_eq(H5Tget_sign(t), sign);
    ck_assert_int_ge(H5Aread(a, mem, out), 0);
    H5Tclose(t);
    H5Aclose(a);
}

/* The /scenario dataset: scalar, variable-length UTF-8. Caller frees. */
static char *read_scenario(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    hid_t ds = H5Dopen2(f, "/scenario", H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    hid_t sp = H5Dget_space(ds);
    ck_assert_int_eq(H5Sget_simple_extent_type(sp), H5S_SCALAR);
    hid_t t = H5Dget_type(ds);
    ck_assert_int_gt(H5Tis_variable_str(t), 0);
    ck_assert_int_eq(H5Tget_cset(t), H5T_CSET_UTF8);
    char *s = NULL;
    ck_assert_int_ge(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s), 0);
    char *copy = strdup(s);
    H5free_memory(s);
    H5Tclose(t);
    H5Sclose(sp);
    H5Dclose(ds);
    H5Fclose(f);
    return copy;
}

struct names {
    int n;
    char name[8][64];
};

static herr_t collect_link(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    struct names *nm = data;
    if (nm->n < 8)
        snprintf(nm->name[nm->n++], sizeof nm->name[0], "%s", name);
    return 0;
}

/* Checks the root attributes, creation order, units and storage of a committed file. */
static void check_layout(const char *path, int64_t steps, hsize_t chunk_expected)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    char *s = attr_vlen_utf8(f, "dcsim_version");
    ck_assert_str_eq(s, "0.1.0");
    free(s);
    s = attr_vlen_utf8(f, "scenario_name");
    ck_assert_str_eq(s, "test-site");
    free(s);
    s = attr_vlen_utf8(f, "start");
    ck_assert_str_eq(s, "2027-01-01T00:00:00Z");
    free(s);
    int64_t i64;
    uint64_t u64;
    attr_int(f, "timestep_s", H5T_SGN_2, H5T_NATIVE_INT64, &i64);
    ck_assert_int_eq(i64, TIMESTEP_S);
    attr_int(f, "steps", H5T_SGN_2, H5T_NATIVE_INT64, &i64);
    ck_assert_int_eq(i64, steps);
    attr_int(f, "seed", H5T_SGN_NONE, H5T_NATIVE_UINT64, &u64);
    ck_assert_uint_eq(u64, SEED);
    attr_int(f, "trials", H5T_SGN_2, H5T_NATIVE_INT64, &i64);
    ck_assert_int_eq(i64, 1);

    /* Sites and series are listed in creation order, not name order. */
    struct names nm = {0};
    hid_t g = H5Gopen2(f, "/sites", H5P_DEFAULT);
    ck_assert_int_ge(g, 0);
    ck_assert_int_ge(H5Literate(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, collect_link, &nm), 0);
    ck_assert_int_eq(nm.n, N_SITES);
    for (int i = 0; i < N_SITES; i++)
        ck_assert_str_eq(nm.name[i], site_ids[i]);
    H5Gclose(g);
    memset(&nm, 0, sizeof nm);
    g = H5Gopen2(f, "/sites/south-1/series", H5P_DEFAULT);
    ck_assert_int_ge(g, 0);
    ck_assert_int_ge(H5Literate(g, H5_INDEX_CRT_ORDER, H5_ITER_INC, NULL, collect_link, &nm), 0);
    ck_assert_int_eq(nm.n, N_SERIES + 1);   /* the group's own time scale first */
    ck_assert_str_eq(nm.name[0], "time");
    for (int j = 0; j < N_SERIES; j++)
        ck_assert_str_eq(nm.name[j + 1], series[j].name);

    /* Every series: float64, 1-D, unlimited, chunked, shuffle + deflate 4, units. */
    for (int j = 0; j < N_SERIES; j++) {
        hid_t ds = H5Dopen2(g, series[j].name, H5P_DEFAULT);
        ck_assert_int_ge(ds, 0);
        hid_t t = H5Dget_type(ds);
        ck_assert_int_gt(H5Tequal(t, H5T_IEEE_F64LE), 0);
        H5Tclose(t);
        hid_t sp = H5Dget_space(ds);
        hsize_t dims, maxdims;
        ck_assert_int_eq(H5Sget_simple_extent_dims(sp, &dims, &maxdims), 1);
        ck_assert_uint_eq(dims, (hsize_t)steps);
        ck_assert(maxdims == H5S_UNLIMITED);
        H5Sclose(sp);
        hid_t dcpl = H5Dget_create_plist(ds);
        hsize_t chunk = 0;
        ck_assert_int_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
        ck_assert_int_eq(H5Pget_chunk(dcpl, 1, &chunk), 1);
        ck_assert_uint_eq(chunk, chunk_expected);
        ck_assert_int_eq(H5Pget_nfilters(dcpl), 2);
        unsigned flags, level = 0;
        size_t nelem = 1;
        ck_assert_int_eq(H5Pget_filter2(dcpl, 0, &flags, &(size_t){0}, NULL, 0, NULL, NULL),
                         H5Z_FILTER_SHUFFLE);
        ck_assert_int_eq(H5Pget_filter2(dcpl, 1, &flags, &nelem, &level, 0, NULL, NULL),
                         H5Z_FILTER_DEFLATE);
        ck_assert_uint_eq(level, 1);   /* H5OUT_DEFLATE_LEVEL */
        H5Pclose(dcpl);
        s = attr_vlen_utf8(ds, "units");
        ck_assert_str_eq(s, series[j].units);
        free(s);
        s = attr_vlen_utf8(ds, "long_name");
        ck_assert_str_eq(s, series[j].long_name ? series[j].long_name : series[j].name);
        free(s);
        /* attached to the group's time scale (netCDF-4 dimension) */
        hid_t gt = H5Dopen2(g, "time", H5P_DEFAULT);
        ck_assert_int_gt(H5DSis_attached(ds, gt, 0), 0);
        H5Dclose(gt);
        H5Dclose(ds);
    }
    H5Gclose(g);
    hid_t ds = H5Dopen2(f, "/time", H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    s = attr_vlen_utf8(ds, "units");
    ck_assert_str_eq(s, "seconds since 2027-01-01 00:00:00");   /* CF, from start_iso */
    free(s);
    s = attr_vlen_utf8(ds, "calendar");
    ck_assert_str_eq(s, "standard");
    free(s);
    ck_assert_int_gt(H5DSis_scale(ds), 0);
    H5Dclose(ds);
    /* Nothing of ours left open (only the file itself). */
    ck_assert_int_eq(H5Fget_obj_count(f, H5F_OBJ_ALL), 1);
    H5Fclose(f);
}

/* Reads every series and /time back through the reader and checks each value. */
static void check_values(const char *path, size_t steps)
{
    struct diag d;
    diag_init(&d);
    size_t n;
    double *v;
    ck_assert_int_eq(h5in_read_series(path, "/time", &n, &v, &d), 0);
    ck_assert_uint_eq(n, steps);
    for (size_t k = 0; k < n; k++)
        ck_assert_double_eq(v[k], (double)(k * TIMESTEP_S));
    free(v);
    for (size_t s = 0; s < N_SITES; s++) {
        for (size_t j = 0; j < N_SERIES; j++) {
            char ds[128];
            snprintf(ds, sizeof ds, "/sites/%s/series/%s", site_ids[s], series[j].name);
            ck_assert_int_eq(h5in_read_series(path, ds, &n, &v, &d), 0);
            ck_assert_uint_eq(n, steps);
            for (size_t k = 0; k < n; k++)
                ck_assert_double_eq(v[k], expected(s, j, k));
            free(v);
            char *units;
            snprintf(ds, sizeof ds, "/sites/%s/series/%s", site_ids[s], series[j].name);
            ck_assert_int_eq(h5in_read_attr_text(path, ds, "units", &units, &d), 0);
            ck_assert_str_eq(units, series[j].units);
            free(units);
        }
    }
    ck_assert_uint_eq(d.n_errors, 0);
    diag_release(&d);
}

/* ---- tests ---- */

START_TEST(test_roundtrip)
{
    ssize_t ids = open_ids();
    char dest[256], tmp[300];
    path_in(dest, sizeof dest, "out.h5");
    tmp_path(tmp, sizeof tmp, dest);
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, STEPS, 256, &d);
    ck_assert(exists(tmp));
    ck_assert(!exists(dest));
    ck_assert_int_eq(append_block(h, 0, 300, &d), 0);
    ck_assert_int_eq(append_block(h, 300, 300, &d), 0);
    ck_assert_int_eq(append_block(h, 600, 0, &d), 0);      /* an empty block is fine */
    ck_assert_int_eq(append_block(h, 600, 400, &d), 0);

    const char *const names[] = {"it_energy_mwh", "pue", "critical_it_mw"};
    const double vals[] = {1234.5, 1.25, -0.0};
    ck_assert_int_eq(h5out_write_summary(h, -1, 3, names, vals, &d), 0);
    ck_assert_int_eq(h5out_write_summary_text(h, -1, "units", "MWh, 1, MW", &d), 0);
    const double site_vals[] = {7.0, 8.0};
    ck_assert_int_eq(h5out_write_summary(h, 1, 2, names, site_vals, &d), 0);
    /* Writing a metric again replaces it. */
    const double again = 9.5;
    ck_assert_int_eq(h5out_write_summary(h, 1, 1, names, &again, &d), 0);
    ck_assert_int_eq(h5out_commit(h, &d), 0);
    ck_assert_uint_eq(d.n_errors, 0);

    ck_assert(exists(dest));
    ck_assert(!exists(tmp));
    ck_assert_int_eq(dir_entries(), 1);
    check_layout(dest, STEPS, 256);
    check_values(dest, STEPS);

    char *text = read_scenario(dest);
    ck_assert_uint_eq(strlen(text), strlen(scenario_text));
    ck_assert_mem_eq(text, scenario_text, strlen(scenario_text));
    free(text);

    size_t n;
    char **nm;
    double *v;
    ck_assert_int_eq(h5in_read_summary(dest, "/summary", &n, &nm, &v, &d), 0);
    ck_assert_uint_eq(n, 3);                /* the text attribute is not a metric */
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(nm[i], names[i]);  /* creation order */
        ck_assert_double_eq(v[i], vals[i]);
    }
    h5in_free_summary(n, nm, v);
    ck_assert_int_eq(h5in_read_summary(dest, "/sites/south-1/summary", &n, &nm, &v, &d), 0);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(nm[i], "it_energy_mwh") == 0)
            ck_assert_double_eq(v[i], 9.5);
        else
            ck_assert_double_eq(v[i], 8.0);
    }
    h5in_free_summary(n, nm, v);
    char *units;
    ck_assert_int_eq(h5in_read_attr_text(dest, "/summary", "units", &units, &d), 0);
    ck_assert_str_eq(units, "MWh, 1, MW");
    free(units);
    double steps;
    ck_assert_int_eq(h5in_read_attr_double(dest, "/", "steps", &steps, &d), 0);
    ck_assert_double_eq(steps, STEPS);
    ck_assert_uint_eq(d.n_errors, 0);
    ck_assert_int_eq(open_ids(), ids);
    diag_release(&d);
}
END_TEST

/* The same run gives the same bytes (no time stamps in the file). */
START_TEST(test_reproducible)
{
    char a[256], b[256];
    path_in(a, sizeof a, "a.h5");
    path_in(b, sizeof b, "b.h5");
    struct diag d;
    diag_init(&d);
    const char *dests[] = {a, b};
    for (int i = 0; i < 2; i++) {
        struct h5out *h = create_ok(dests[i], STEPS, 256, &d);
        ck_assert_int_eq(append_block(h, 0, 500, &d), 0);
        ck_assert_int_eq(append_block(h, 500, 500, &d), 0);
        const char *const names[] = {"pue"};
        const double pue = 1.3;
        ck_assert_int_eq(h5out_write_summary(h, -1, 1, names, &pue, &d), 0);
        ck_assert_int_eq(h5out_commit(h, &d), 0);
        if (i == 0)
            sleep(1);           /* a time stamp would now differ */
    }
    ck_assert(same_bytes(a, b));
    diag_release(&d);
}
END_TEST

/* An empty scenario text and a run of zero steps still make a valid file. */
START_TEST(test_empty)
{
    char dest[256];
    path_in(dest, sizeof dest, "empty.h5");
    struct diag d;
    diag_init(&d);
    struct h5out_meta m = make_meta(0, NULL, 0);
    struct h5out *h = NULL;
    ck_assert_int_eq(h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, 4096, &h, &d),
                     0);
    ck_assert_int_eq(h5out_commit(h, &d), 0);
    char *text = read_scenario(dest);
    ck_assert_str_eq(text, "");
    free(text);
    check_layout(dest, 0, 1);
    size_t n = 99;
    double *v = (double *)&n;
    ck_assert_int_eq(h5in_read_series(dest, "/sites/north/series/pue", &n, &v, &d), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(d.n_errors, 0);
    diag_release(&d);
}
END_TEST

/* The chunk never exceeds the run; chunk_steps 0 means one chunk for the run. */
START_TEST(test_chunk_clamp)
{
    struct diag d;
    diag_init(&d);
    size_t chunks[] = {4096, 0, 7};
    hsize_t want[] = {STEPS, STEPS, 7};
    for (int i = 0; i < 3; i++) {
        char dest[256];
        char name[32];
        snprintf(name, sizeof name, "chunk%d.h5", i);
        path_in(dest, sizeof dest, name);
        struct h5out *h = create_ok(dest, STEPS, chunks[i], &d);
        ck_assert_int_eq(append_block(h, 0, STEPS, &d), 0);
        ck_assert_int_eq(h5out_commit(h, &d), 0);
        check_layout(dest, STEPS, want[i]);
        check_values(dest, STEPS);
    }
    diag_release(&d);
}
END_TEST

START_TEST(test_abort)
{
    ssize_t ids = open_ids();
    char dest[256];
    path_in(dest, sizeof dest, "aborted.h5");
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, STEPS, 256, &d);
    ck_assert_int_eq(append_block(h, 0, 300, &d), 0);
    h5out_abort(h);
    ck_assert_int_eq(dir_entries(), 0);
    h5out_abort(NULL);
    ck_assert_uint_eq(d.n_errors, 0);
    ck_assert_int_eq(open_ids(), ids);
    diag_release(&d);
}
END_TEST

START_TEST(test_commit_too_few)
{
    ssize_t ids = open_ids();
    char dest[256];
    path_in(dest, sizeof dest, "short.h5");
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, STEPS, 256, &d);
    ck_assert_int_eq(append_block(h, 0, STEPS - 1, &d), 0);
    ck_assert_int_eq(h5out_commit(h, &d), DCSIM_EINTERNAL);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_uint_eq(diag_count_matching(&d, "999 steps written but 1000 declared"), 1);
    ck_assert_str_eq(d.msgs[0].file, dest);
    ck_assert_int_eq(dir_entries(), 0);
    ck_assert_int_eq(open_ids(), ids);
    diag_release(&d);
}
END_TEST

START_TEST(test_append_too_many)
{
    char dest[256];
    path_in(dest, sizeof dest, "long.h5");
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, STEPS, 256, &d);
    ck_assert_int_eq(append_block(h, 0, 600, &d), 0);
    ck_assert_int_eq(append_block(h, 600, 401, &d), DCSIM_EINTERNAL);
    ck_assert_uint_eq(diag_count_matching(&d, "would exceed the declared 1000"), 1);
    /* Nothing was written by the refused block: the rest still fits. */
    ck_assert_int_eq(append_block(h, 600, 400, &d), 0);
    ck_assert_int_eq(append_block(h, 1000, 1, &d), DCSIM_EINTERNAL);
    h5out_abort(h);
    ck_assert_int_eq(dir_entries(), 0);
    diag_release(&d);
}
END_TEST

START_TEST(test_unwritable_dir)
{
    const char *dest = "/nonexistent-dir/x.h5";
    struct diag d;
    diag_init(&d);
    struct h5out_meta m = make_meta(STEPS, scenario_text, strlen(scenario_text));
    struct h5out *h = (struct h5out *)&m;      /* any non-NULL value: must come back NULL */
    int r = h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, 256, &h, &d);
    ck_assert_int_eq(r, DCSIM_EIO);
    ck_assert_ptr_null(h);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_str_eq(d.msgs[0].file, dest);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot write result: "), 1);
    ck_assert_uint_eq(diag_count_matching(&d, "No such file or directory"), 1);
    ck_assert(!exists("/nonexistent-dir"));
    diag_release(&d);
}
END_TEST

/* A directory we may not write into (skipped as root, who may write anywhere). */
START_TEST(test_readonly_dir)
{
    /* root writes into a 0555 directory: then /sys stands in, which refuses new files to
     * root too (EACCES) */
    int root = geteuid() == 0;
    char sub[256], dest[300];
    struct stat st;
    if (root && (stat("/sys", &st) != 0 || !S_ISDIR(st.st_mode))) {
        printf("SKIPPED: test_readonly_dir: running as root and no /sys to stand in\n");
        return;
    }
    if (root) {
        snprintf(sub, sizeof sub, "/sys");
    } else {
        path_in(sub, sizeof sub, "ro");
        ck_assert_int_eq(mkdir(sub, 0555), 0);
    }
    snprintf(dest, sizeof dest, "%s/dcsim-check-readonly.h5", sub);
    struct diag d;
    diag_init(&d);
    struct h5out_meta m = make_meta(STEPS, scenario_text, strlen(scenario_text));
    struct h5out *h = NULL;
    int r = h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, 256, &h, &d);
    if (!root)
        chmod(sub, 0755);
    ck_assert_int_eq(r, DCSIM_EIO);
    ck_assert_uint_eq(diag_count_matching(&d, "Permission denied"), 1);
    if (!root)
        ck_assert_int_eq(rmdir(sub), 0);    /* still empty */
    else
        ck_assert_int_ne(access(dest, F_OK), 0);
    diag_release(&d);
}
END_TEST

/* A write that fails inside HDF5 (the file size limit stands in for a full disk) is an
 * I/O error carrying the system's reason, and leaves nothing behind: written by the pool's
 * writer thread (threads 0: all cores) or by the appending thread itself (1: inline). */
static void write_fails_with(int threads)
{
    enum { BLOCK = 1000, BLOCKS = 50 };
    char dest[256];
    path_in(dest, sizeof dest, "big.h5");
    struct diag d;
    diag_init(&d);
    double *t = malloc(BLOCK * sizeof *t);
    double *v = malloc(BLOCK * N_SITES * N_SERIES * sizeof *v);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(v);
    uint64_t x = 88172645463325252u;        /* xorshift: values that do not compress */

    struct rlimit old, low;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    low = old;
    low.rlim_cur = 64 * 1024;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &low), 0);

    struct h5out_meta m = make_meta((int64_t)BLOCK * BLOCKS, "x", 1);
    m.threads = threads;
    struct h5out *h = NULL;
    int r = h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, 256, &h, &d);
    for (int b = 0; r == 0 && b < BLOCKS; b++) {
        for (size_t k = 0; k < BLOCK * N_SITES * N_SERIES; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v[k] = (double)(x >> 11) / 9007199254740992.0;
        }
        for (size_t k = 0; k < BLOCK; k++)
            t[k] = (double)(((size_t)b * BLOCK + k) * TIMESTEP_S);
        r = h5out_append(h, BLOCK, t, v, &d);
    }
    if (r == 0)
        r = h5out_commit(h, &d);
    else
        h5out_abort(h);

    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    free(t);
    free(v);
    ck_assert_int_eq(r, DCSIM_EIO);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot write result: "), 1);
    ck_assert_uint_eq(diag_count_matching(&d, "File too large"), 1);
    ck_assert_int_eq(dir_entries(), 0);

    /* HDF5 still works for the next result in this process. */
    struct h5out *h2 = create_ok(dest, STEPS, 256, &d);
    ck_assert_int_eq(append_block(h2, 0, STEPS, &d), 0);
    ck_assert_int_eq(h5out_commit(h2, &d), 0);
    check_values(dest, STEPS);
    ck_assert_uint_eq(d.n_errors, 1);
    diag_release(&d);
    ck_assert_int_eq(unlink(dest), 0);
}

START_TEST(test_write_fails)
{
    write_fails_with(0);
    write_fails_with(1);
}
END_TEST

/* An existing result is untouched until commit, and replaced by it. */
START_TEST(test_replace_at_commit)
{
    char dest[256];
    path_in(dest, sizeof dest, "result.h5");
    static const char old[] = "an older result\n";
    FILE *f = fopen(dest, "w");
    ck_assert_ptr_nonnull(f);
    fputs(old, f);
    fclose(f);

    struct diag d;
    diag_init(&d);
    /* An aborted run leaves it as it was. */
    struct h5out *h = create_ok(dest, STEPS, 256, &d);
    h5out_abort(h);
    h = create_ok(dest, STEPS, 256, &d);
    ck_assert_int_eq(append_block(h, 0, STEPS, &d), 0);

    char buf[64] = "";
    f = fopen(dest, "r");
    ck_assert_ptr_nonnull(f);
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ck_assert_uint_eq(got, strlen(old));
    ck_assert_str_eq(buf, old);
    ck_assert_int_eq(dir_entries(), 2);     /* the old result and our temporary file */

    ck_assert_int_eq(h5out_commit(h, &d), 0);
    ck_assert_int_eq(dir_entries(), 1);
    check_values(dest, STEPS);
    ck_assert_uint_eq(d.n_errors, 0);
    diag_release(&d);
}
END_TEST

/* A temporary file left by an earlier process with our pid is replaced. */
START_TEST(test_stale_temp)
{
    char dest[256], tmp[300];
    path_in(dest, sizeof dest, "stale.h5");
    tmp_path(tmp, sizeof tmp, dest);
    FILE *f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fputs("junk", f);
    fclose(f);
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, STEPS, 256, &d);
    ck_assert_int_eq(append_block(h, 0, STEPS, &d), 0);
    ck_assert_int_eq(h5out_commit(h, &d), 0);
    ck_assert(!exists(tmp));
    check_values(dest, STEPS);
    diag_release(&d);
}
END_TEST

/* A rename that fails (the destination is a directory) is an I/O error and cleans up. */
START_TEST(test_rename_fails)
{
    ssize_t ids = open_ids();
    char dest[256], inside[300];
    path_in(dest, sizeof dest, "adir.h5");
    ck_assert_int_eq(mkdir(dest, 0777), 0);
    snprintf(inside, sizeof inside, "%s/keep", dest);
    FILE *f = fopen(inside, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, 10, 256, &d);
    ck_assert_int_eq(append_block(h, 0, 10, &d), 0);
    ck_assert_int_eq(h5out_commit(h, &d), DCSIM_EIO);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot write result: cannot rename"), 1);
    ck_assert_int_eq(dir_entries(), 1);     /* the directory only: no temporary file */
    ck_assert(exists(inside));
    ck_assert_int_eq(open_ids(), ids);
    diag_release(&d);
}
END_TEST

/* Caller bugs are DCSIM_EINTERNAL with a message, and leave nothing behind. */
START_TEST(test_bad_arguments)
{
    ssize_t ids = open_ids();
    char dest[256];
    path_in(dest, sizeof dest, "bad.h5");
    struct diag d;
    diag_init(&d);
    struct h5out_meta m = make_meta(STEPS, scenario_text, strlen(scenario_text));
    struct h5out *h = NULL;

    const char *const dup_sites[] = {"a", "a"};
    ck_assert_int_eq(h5out_create(dest, &m, 2, dup_sites, N_SERIES, series, 8, &h, &d),
                     DCSIM_EINTERNAL);
    ck_assert_uint_eq(diag_count_matching(&d, "duplicate site id 'a'"), 1);
    const char *const slash_sites[] = {"a/b"};
    ck_assert_int_eq(h5out_create(dest, &m, 1, slash_sites, N_SERIES, series, 8, &h, &d),
                     DCSIM_EINTERNAL);
    ck_assert_uint_eq(diag_count_matching(&d, "bad site id 'a/b'"), 1);
    const struct h5out_series_def dup_series[] = {{"x", "MW", NULL, NULL}, {"x", "MW", NULL, NULL}};
    ck_assert_int_eq(h5out_create(dest, &m, 1, site_ids, 2, dup_series, 8, &h, &d),
                     DCSIM_EINTERNAL);
    ck_assert_uint_eq(diag_count_matching(&d, "duplicate series 'x'"), 1);
    struct h5out_meta nul = make_meta(STEPS, "a\0b", 3);
    ck_assert_int_eq(h5out_create(dest, &nul, N_SITES, site_ids, N_SERIES, series, 8, &h, &d),
                     DCSIM_EINTERNAL);
    ck_assert_uint_eq(diag_count_matching(&d, "NUL byte"), 1);
    struct h5out_meta neg = make_meta(-1, "", 0);
    ck_assert_int_eq(h5out_create(dest, &neg, N_SITES, site_ids, N_SERIES, series, 8, &h, &d),
                     DCSIM_EINTERNAL);
    ck_assert_ptr_null(h);
    ck_assert_int_eq(dir_entries(), 0);

    h = create_ok(dest, STEPS, 256, &d);
    const char *const names[] = {"pue"};
    const double one = 1.0;
    ck_assert_int_eq(h5out_write_summary(h, N_SITES, 1, names, &one, &d), DCSIM_EINTERNAL);
    ck_assert_int_eq(h5out_write_summary(h, H5OUT_FIT_SITE(N_SITES), 1, names, &one, &d),
                     DCSIM_EINTERNAL);
    ck_assert_uint_eq(diag_count_matching(&d, "no site"), 2);
    ck_assert_int_eq(h5out_write_summary_text(h, 0, "", "x", &d), DCSIM_EINTERNAL);
    h5out_abort(h);
    ck_assert_int_eq(dir_entries(), 0);
    ck_assert_uint_eq(d.n_errors, 8);
    ck_assert_int_eq(open_ids(), ids);
    diag_release(&d);
}
END_TEST

START_TEST(test_reader_errors)
{
    ssize_t ids = open_ids();
    char dest[256], junk[256], missing[256];
    path_in(dest, sizeof dest, "r.h5");
    path_in(junk, sizeof junk, "junk.h5");
    path_in(missing, sizeof missing, "missing.h5");
    struct diag d;
    diag_init(&d);
    struct h5out *h = create_ok(dest, 5, 256, &d);
    ck_assert_int_eq(append_block(h, 0, 5, &d), 0);
    ck_assert_int_eq(h5out_commit(h, &d), 0);
    FILE *f = fopen(junk, "w");
    ck_assert_ptr_nonnull(f);
    fputs("not hdf5 at all", f);
    fclose(f);

    size_t n = 7;
    double *v = NULL;
    char **nm = NULL;
    char *s = NULL;
    double x = 1;
    ck_assert_int_eq(h5in_read_series(missing, "/time", &n, &v, &d), DCSIM_EIO);
    ck_assert_uint_eq(diag_count_matching(&d, "cannot read result: No such file"), 1);
    ck_assert_str_eq(d.msgs[0].file, missing);
    ck_assert_int_eq(h5in_read_series(junk, "/time", &n, &v, &d), DCSIM_EIO);
    ck_assert_uint_eq(diag_count_matching(&d, "not an HDF5 file"), 1);
    ck_assert_int_eq(h5in_read_series(dest, "/sites/nope/series/pue", &n, &v, &d),
                     DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "no object '/sites/nope/series/pue'"), 1);
    ck_assert_int_eq(h5in_read_series(dest, "/sites/north", &n, &v, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "is not a dataset"), 1);
    ck_assert_int_eq(h5in_read_series(dest, "/scenario", &n, &v, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "not a 1-D numeric series"), 1);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(h5in_read_summary(dest, "/summary", &n, &nm, &v, &d), DCSIM_EINPUT);
    ck_assert_int_eq(h5in_read_summary(dest, "/time", &n, &nm, &v, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "is not a group"), 1);
    ck_assert_ptr_null(nm);
    ck_assert_int_eq(h5in_read_attr_text(dest, "/", "steps", &s, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "is not one string"), 1);
    ck_assert_int_eq(h5in_read_attr_text(dest, "/", "nope", &s, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "has no attribute 'nope'"), 1);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(h5in_read_attr_double(dest, "/", "start", &x, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(diag_count_matching(&d, "is not one number"), 1);
    ck_assert_uint_eq(d.n_errors, 10);
    /* The good file still reads after all that. */
    ck_assert_int_eq(h5in_read_attr_double(dest, "/", "seed", &x, &d), 0);
    ck_assert_double_eq(x, (double)SEED);
    ck_assert_int_eq(h5in_read_attr_text(dest, "/", "start", &s, &d), 0);
    ck_assert_str_eq(s, "2027-01-01T00:00:00Z");
    free(s);
    ck_assert_int_eq(open_ids(), ids);
    diag_release(&d);
}
END_TEST


/* ---- the series' chunks: compressed by us on a pool, written directly (issue 12) ---- */

#define MIX_STEPS 2500      /* 9 chunks of 256 and a partial one of 196 rows */
#define MIX_CHUNK 256

/* Values of every kind a chunk meets: smooth, noisy (incompressible), all zero (a
 * shared compressed chunk), -0.0 and NaN (zero-looking but not zero bytes), and a column
 * equal to another. */
static double mixed(size_t site, size_t ser, size_t k)
{
    uint64_t x = (uint64_t)(site * 7919 + ser * 104729 + k) * UINT64_C(6364136223846793005) +
                 UINT64_C(1442695040888963407);
    x ^= x >> 29;
    switch ((site * N_SERIES + ser) % 6) {
    case 0: return 20.0 + 0.001 * (double)k;
    case 1: return (double)(x >> 11) / 9007199254740992.0;
    case 2: return 0.0;
    case 3: return k % 3 == 0 ? -0.0 : 0.0;
    case 4: return k == 700 ? NAN : 1.5;
    default: return 20.0 + 0.001 * (double)k;
    }
}

/* Writes the mixed values in uneven blocks: threads compressing (0: all cores), through
 * HDF5's own pipeline or not, at a deflate level (0 default, H5OUT_NO_DEFLATE). */
static void write_mixed(const char *dest, int threads, int pipeline, int level)
{
    struct diag d;
    diag_init(&d);
    struct h5out_meta m = make_meta(MIX_STEPS, scenario_text, strlen(scenario_text));
    m.threads = threads;
    m.filter_pipeline = pipeline;
    m.deflate_level = level;
    struct h5out *h = NULL;
    ck_assert_int_eq(h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, MIX_CHUNK, &h,
                                  &d), 0);
    ck_assert_uint_eq(h5out_chunk_rows(h), MIX_CHUNK);
    static const size_t blocks[] = {1, 300, 255, 1000, 512, 432};   /* sum MIX_STEPS */
    size_t from = 0;
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        size_t n = blocks[b];
        double *t = malloc(n * sizeof *t), *v = malloc(n * N_SITES * N_SERIES * sizeof *v);
        ck_assert(t && v);
        for (size_t k = 0; k < n; k++) {
            t[k] = (double)((from + k) * TIMESTEP_S);
            for (size_t s = 0; s < N_SITES; s++)
                for (size_t j = 0; j < N_SERIES; j++)
                    v[(s * N_SERIES + j) * n + k] = mixed(s, j, from + k);
        }
        ck_assert_int_eq(h5out_append(h, n, t, v, &d), 0);
        free(t);
        free(v);
        from += n;
    }
    ck_assert_uint_eq(from, MIX_STEPS);
    ck_assert_int_eq(h5out_commit(h, &d), 0);
    ck_assert_uint_eq(d.n, 0);
    diag_release(&d);
}

/* Every chunk of dataset `name` in both files: the same stored bytes and filter mask. */
static void same_chunks(hid_t fa, hid_t fb, const char *name, int compressed)
{
    hid_t a = H5Dopen2(fa, name, H5P_DEFAULT), b = H5Dopen2(fb, name, H5P_DEFAULT);
    ck_assert_int_ge(a, 0);
    ck_assert_int_ge(b, 0);
    hsize_t n_chunks = 0, nb = 0;
    hid_t sa = H5Dget_space(a), sb = H5Dget_space(b);
    ck_assert_int_ge(H5Dget_num_chunks(a, sa, &n_chunks), 0);
    ck_assert_int_ge(H5Dget_num_chunks(b, sb, &nb), 0);
    ck_assert_uint_eq(n_chunks, (MIX_STEPS + MIX_CHUNK - 1) / MIX_CHUNK);
    ck_assert_uint_eq(nb, n_chunks);
    unsigned char *ba = malloc(2 * MIX_CHUNK * 8 + 64), *bb = malloc(2 * MIX_CHUNK * 8 + 64);
    ck_assert(ba && bb);
    for (hsize_t c = 0; c < n_chunks; c++) {
        hsize_t off = c * MIX_CHUNK, size_a = 0, size_b = 0;
        uint32_t mask_a = 9, mask_b = 9;
        ck_assert_int_ge(H5Dget_chunk_storage_size(a, &off, &size_a), 0);
        ck_assert_int_ge(H5Dget_chunk_storage_size(b, &off, &size_b), 0);
        ck_assert_uint_eq(size_a, size_b);
        ck_assert_uint_le(size_a, 2 * MIX_CHUNK * 8 + 64);
        if (!compressed)   /* no filter: a whole chunk, edge chunk too */
            ck_assert_uint_eq(size_a, MIX_CHUNK * 8);
        ck_assert_int_ge(H5Dread_chunk(a, H5P_DEFAULT, &off, &mask_a, ba), 0);
        ck_assert_int_ge(H5Dread_chunk(b, H5P_DEFAULT, &off, &mask_b, bb), 0);
        ck_assert_uint_eq(mask_a, 0);   /* every filter applied */
        ck_assert_uint_eq(mask_b, 0);
        ck_assert(memcmp(ba, bb, size_a) == 0);
    }
    free(ba);
    free(bb);
    H5Sclose(sa);
    H5Sclose(sb);
    H5Dclose(a);
    H5Dclose(b);
}

/* The values of every series and time, read back through HDF5 (its filters undone). */
static void check_mixed_values(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    double *x = malloc(MIX_STEPS * sizeof *x);
    ck_assert_ptr_nonnull(x);
    char name[128];
    for (size_t s = 0; s < N_SITES; s++) {
        for (size_t j = 0; j <= N_SERIES; j++) {
            snprintf(name, sizeof name, "/sites/%s/series/%s", site_ids[s],
                     j < N_SERIES ? series[j].name : "time");
            ck_assert_int_ge(H5LTread_dataset_double(f, name, x), 0);
            for (size_t k = 0; k < MIX_STEPS; k++) {
                double want = j < N_SERIES ? mixed(s, j, k) : (double)(k * TIMESTEP_S);
                ck_assert_msg(memcmp(&x[k], &want, sizeof want) == 0 ||
                              (isnan(x[k]) && isnan(want)), "%s[%zu]", name, k);
            }
        }
    }
    free(x);
    H5Fclose(f);
}

/* One thread (inline: the appending thread compresses and writes), several, all cores: the
 * same file byte for byte; and every stored chunk is
 * what HDF5's own filter pipeline (shuffle + deflate) stores for it, partial last chunk
 * included, so any reader undoes it. */
START_TEST(test_chunks_threads_and_pipeline)
{
    char one[256], four[256], all[256], pipe[256];
    path_in(one, sizeof one, "one.h5");
    path_in(four, sizeof four, "four.h5");
    path_in(all, sizeof all, "all.h5");
    path_in(pipe, sizeof pipe, "pipe.h5");
    write_mixed(one, 1, 0, 0);
    write_mixed(four, 4, 0, 0);
    write_mixed(all, 0, 0, 0);
    write_mixed(pipe, 1, 1, 0);
    ck_assert(same_bytes(one, four));
    ck_assert(same_bytes(one, all));
    check_mixed_values(one);
    check_mixed_values(pipe);
    hid_t fa = H5Fopen(one, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t fb = H5Fopen(pipe, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(fa, 0);
    ck_assert_int_ge(fb, 0);
    char name[128];
    same_chunks(fa, fb, "/time", 1);
    for (size_t s = 0; s < N_SITES; s++)
        for (size_t j = 0; j <= N_SERIES; j++) {
            snprintf(name, sizeof name, "/sites/%s/series/%s", site_ids[s],
                     j < N_SERIES ? series[j].name : "time");
            same_chunks(fa, fb, name, 1);
        }
    H5Fclose(fa);
    H5Fclose(fb);
}
END_TEST

/* The same at deflate level 6, and without compression: no filter declared at all (no
 * shuffle either), whole raw chunks. */
START_TEST(test_chunks_levels)
{
    int levels[] = {6, H5OUT_NO_DEFLATE};
    for (int i = 0; i < 2; i++) {
        char a[256], b[256], p[256];
        path_in(a, sizeof a, i ? "raw1.h5" : "l6-1.h5");
        path_in(b, sizeof b, i ? "raw3.h5" : "l6-3.h5");
        path_in(p, sizeof p, i ? "rawp.h5" : "l6-p.h5");
        write_mixed(a, 1, 0, levels[i]);
        write_mixed(b, 3, 0, levels[i]);
        write_mixed(p, 1, 1, levels[i]);
        ck_assert(same_bytes(a, b));
        check_mixed_values(a);
        hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT);
        hid_t fp = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
        same_chunks(fa, fp, "/sites/north/series/pue", i == 0);
        same_chunks(fa, fp, "/sites/south-1/series/it_demand_mw", i == 0);
        hid_t ds = H5Dopen2(fa, "/sites/north/series/pue", H5P_DEFAULT);
        hid_t dcpl = H5Dget_create_plist(ds);
        ck_assert_int_eq(H5Pget_nfilters(dcpl), i ? 0 : 2);
        if (!i) {
            unsigned flags, level = 0;
            size_t nelem = 1;
            ck_assert_int_eq(H5Pget_filter2(dcpl, 1, &flags, &nelem, &level, 0, NULL, NULL),
                             H5Z_FILTER_DEFLATE);
            ck_assert_uint_eq(level, 6);
        }
        H5Pclose(dcpl);
        H5Dclose(ds);
        H5Fclose(fa);
        H5Fclose(fp);
    }
}
END_TEST

/* HDF5's shuffle for 8-byte values, by its definition: byte b of value i at b * n + i. */
START_TEST(test_shuffle8)
{
    for (size_t n = 0; n < 21; n++) {
        unsigned char in[21 * 8] = {0}, out[21 * 8] = {0};
        for (size_t i = 0; i < n * 8; i++)
            in[i] = (unsigned char)(i * 37 + 11);
        h5chunks_shuffle8(in, n, out);
        for (size_t i = 0; i < n; i++)
            for (size_t b = 0; b < 8; b++)
                ck_assert_uint_eq(out[b * n + i], in[i * 8 + b]);
    }
}
END_TEST

/* ---- dimension scales: written by the layout as H5DSattach_scale writes them ---- */

/* The type of attribute `name` of `loc` (caller closes). */
static hid_t attr_type(hid_t loc, const char *name)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    ck_assert_int_ge(a, 0);
    hid_t t = H5Aget_type(a);
    ck_assert_int_ge(t, 0);
    H5Aclose(a);
    return t;
}

/* The name of the object a reference points to, into buf. */
static void ref_name(hid_t loc, hobj_ref_t *ref, char *buf, size_t len)
{
    hid_t o = H5Rdereference2(loc, H5P_DEFAULT, H5R_OBJECT, ref);
    ck_assert_int_ge(o, 0);
    ck_assert_int_gt(H5Iget_name(o, buf, len), 0);
    H5Oclose(o);
}

/* The series of `time` (REFERENCE_LIST), in order, each on dimension 0: want[0..n-1]. */
static void check_reference_list(hid_t f, const char *time, const char *const *want, size_t n)
{
    struct entry {
        hobj_ref_t ref;
        int dim;
    } e[8];
    hid_t ds = H5Dopen2(f, time, H5P_DEFAULT);
    ck_assert_int_ge(ds, 0);
    ck_assert_int_gt(H5DSis_scale(ds), 0);
    hid_t a = H5Aopen(ds, "REFERENCE_LIST", H5P_DEFAULT);
    ck_assert_int_ge(a, 0);
    hid_t sp = H5Aget_space(a);
    ck_assert_int_eq(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    hid_t mt = H5Tcreate(H5T_COMPOUND, sizeof(struct entry));
    H5Tinsert(mt, "dataset", HOFFSET(struct entry, ref), H5T_STD_REF_OBJ);
    H5Tinsert(mt, "dimension", HOFFSET(struct entry, dim), H5T_NATIVE_INT);
    ck_assert_int_ge(H5Aread(a, mt, e), 0);
    char name[256];
    for (size_t i = 0; i < n; i++) {
        ref_name(f, &e[i].ref, name, sizeof name);
        ck_assert_str_eq(name, want[i]);
        ck_assert_int_eq(e[i].dim, 0);
        hid_t s = H5Dopen2(f, want[i], H5P_DEFAULT);
        ck_assert_int_gt(H5DSis_attached(s, ds, 0), 0);
        ck_assert_int_eq(H5DSget_num_scales(s, 0), 1);
        hid_t t = attr_type(s, "DIMENSION_LIST");
        hid_t want_t = H5Tvlen_create(H5T_STD_REF_OBJ);
        ck_assert_int_gt(H5Tequal(t, want_t), 0);
        H5Tclose(want_t);
        H5Tclose(t);
        H5Dclose(s);
    }
    H5Tclose(mt);
    H5Sclose(sp);
    H5Aclose(a);
    H5Dclose(ds);
}

/* A scale and a dataset attached by H5DSattach_scale in a scratch file: the types its
 * attributes have, to compare ours with. */
static void h5ds_types(hid_t *reflist, hid_t *dimlist)
{
    char path[256];
    path_in(path, sizeof path, "h5ds.h5");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 4;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t scale = H5Dcreate2(f, "time", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    hid_t ds = H5Dcreate2(f, "x", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ck_assert_int_ge(H5DSset_scale(scale, "time"), 0);
    ck_assert_int_ge(H5DSattach_scale(ds, scale, 0), 0);
    *reflist = attr_type(scale, "REFERENCE_LIST");
    *dimlist = attr_type(ds, "DIMENSION_LIST");
    H5Dclose(ds);
    H5Dclose(scale);
    H5Sclose(sp);
    H5Fclose(f);
    unlink(path);
}

/* Series in several groups of a site, one group entered twice: every series attached to its
 * group's time (h5py's ds.dims[0][0] is it), every scale listing its series in order, with
 * the attribute types H5DSattach_scale gives. */
START_TEST(test_dimension_scales)
{
    static const struct h5out_series_def defs[] = {
        {"a", "MW", NULL, NULL},
        {"p", "MW", NULL, "supplies/grid"},
        {"q", "MW", NULL, "supplies/grid"},
        {"b", "MW", NULL, NULL},              /* "series" again: appended to its list */
        {"r", "MW", NULL, "pools/x"},
    };
    const size_t n_defs = sizeof defs / sizeof *defs;
    struct h5out_series_def per_site[2 * 5];
    for (size_t i = 0; i < 2 * n_defs; i++)
        per_site[i] = defs[i % n_defs];
    per_site[n_defs + 4].name = NULL;   /* south-1 has no pool series */
    char dest[256];
    path_in(dest, sizeof dest, "scales.h5");
    struct diag d;
    diag_init(&d);
    struct h5out_meta m = make_meta(10, "x", 1);
    struct h5out *h = NULL;
    ck_assert_int_eq(h5out_create_sites(dest, &m, N_SITES, site_ids, n_defs, per_site, 4, &h,
                                        &d), 0);
    double t[10], v[10 * 2 * 5] = {0};
    for (int k = 0; k < 10; k++)
        t[k] = k * 3600.0;
    ck_assert_int_eq(h5out_append(h, 10, t, v, &d), 0);
    ck_assert_int_eq(h5out_commit(h, &d), 0);
    diag_release(&d);

    hid_t f = H5Fopen(dest, H5F_ACC_RDONLY, H5P_DEFAULT);
    ck_assert_int_ge(f, 0);
    const char *const north_series[] = {"/sites/north/series/a", "/sites/north/series/b"};
    const char *const north_grid[] = {"/sites/north/supplies/grid/p",
                                      "/sites/north/supplies/grid/q"};
    const char *const north_pool[] = {"/sites/north/pools/x/r"};
    const char *const south_series[] = {"/sites/south-1/series/a", "/sites/south-1/series/b"};
    check_reference_list(f, "/sites/north/series/time", north_series, 2);
    check_reference_list(f, "/sites/north/supplies/grid/time", north_grid, 2);
    check_reference_list(f, "/sites/north/pools/x/time", north_pool, 1);
    check_reference_list(f, "/sites/south-1/series/time", south_series, 2);
    ck_assert_int_eq(H5Lexists(f, "/sites/south-1/pools", H5P_DEFAULT), 0);
    hid_t time = H5Dopen2(f, "/time", H5P_DEFAULT);   /* no series of its own */
    ck_assert_int_gt(H5DSis_scale(time), 0);
    ck_assert_int_eq(H5Aexists(time, "REFERENCE_LIST"), 0);
    H5Dclose(time);

    hid_t reflist, dimlist;
    h5ds_types(&reflist, &dimlist);
    hid_t scale = H5Dopen2(f, "/sites/north/supplies/grid/time", H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/sites/north/supplies/grid/p", H5P_DEFAULT);
    hid_t ours = attr_type(scale, "REFERENCE_LIST");
    ck_assert_int_gt(H5Tequal(ours, reflist), 0);
    H5Tclose(ours);
    ours = attr_type(ds, "DIMENSION_LIST");
    ck_assert_int_gt(H5Tequal(ours, dimlist), 0);
    H5Tclose(ours);
    char *s = attr_vlen_utf8(ds, "units");
    ck_assert_str_eq(s, "MW");
    free(s);
    H5Tclose(reflist);
    H5Tclose(dimlist);
    H5Dclose(ds);
    H5Dclose(scale);
    ck_assert_int_eq(H5Fget_obj_count(f, H5F_OBJ_ALL), 1);
    H5Fclose(f);
}
END_TEST

/* ---- repeated columns: compressed once, the bytes copied (h5chunks.c) ---- */

#define REP_COLS 48
#define REP_ROWS 131072     /* 1 MB chunks: a ring of about 31 slots, fewer than the columns */
#define REP_TOTAL (REP_ROWS - 5)   /* one partial chunk, zero-padded */

/* The pattern of column c: 0..19 and again at 20..39 (a repeat 20 columns back, in the
 * ring), except 25 (its own); 40..47 their own, except 47, the same as 5 (42 columns back:
 * its slot is reused by then, so it is compressed again). Pattern 0 is all zeros. */
static size_t rep_pattern(size_t c)
{
    if (c == 47)
        return 5;
    if (c >= 20 && c < 40 && c != 25)
        return c - 20;
    return c;
}

static double rep_value(size_t pattern, size_t k)
{
    if (pattern == 0)
        return 0.0;
    uint64_t x = (uint64_t)(pattern * 104729 + k) * UINT64_C(6364136223846793005) + 1;
    x ^= x >> 31;
    return pattern % 2 ? (double)(x >> 11) / 9007199254740992.0   /* noisy */
                       : (double)pattern + 0.25 * (double)(k / 64);   /* smooth */
}

struct rep_out {
    unsigned char *bytes[REP_COLS];
    size_t size[REP_COLS];
};

static int rep_write(void *ctx, size_t col, uint64_t chunk, size_t rows, const void *data,
                     size_t size, struct diag *d)
{
    (void)d;
    struct rep_out *o = ctx;
    ck_assert_uint_eq(chunk, 0);
    ck_assert_uint_eq(rows, REP_TOTAL);
    ck_assert_ptr_null(o->bytes[col]);
    o->bytes[col] = malloc(size);
    ck_assert_ptr_nonnull(o->bytes[col]);
    memcpy(o->bytes[col], data, size);
    o->size[col] = size;
    return 0;
}

static void rep_run(int threads, struct rep_out *o)
{
    memset(o, 0, sizeof *o);
    struct h5chunks_opts opt = {.n_cols = REP_COLS, .chunk_rows = REP_ROWS,
                                .total_rows = REP_TOTAL, .n_stages = 1, .threads = threads,
                                .level = 1, .write = rep_write, .ctx = o};
    struct h5chunks *hc = NULL;
    ck_assert_int_eq(h5chunks_start(&opt, &hc), 0);
    size_t n = REP_TOTAL;
    double *t = malloc(n * sizeof *t), *v = malloc((REP_COLS - 1) * n * sizeof *v);
    size_t map[REP_COLS - 1];
    ck_assert(t && v);
    for (size_t k = 0; k < n; k++)
        t[k] = rep_value(rep_pattern(0), k);
    for (size_t c = 1; c < REP_COLS; c++) {
        map[c - 1] = c - 1;
        for (size_t k = 0; k < n; k++)
            v[(c - 1) * n + k] = rep_value(rep_pattern(c), k);
    }
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(h5chunks_append(hc, n, t, v, map, &d), 0);
    ck_assert_int_eq(h5chunks_drain(hc, &d), 0);
    h5chunks_close(hc, &d);
    ck_assert_uint_eq(d.n, 0);
    diag_release(&d);
    free(t);
    free(v);
}

/* Every column's bytes inflate and unshuffle to its values (zero-padded); a repeat's bytes
 * are its pattern's, near in the ring or not; any number of threads gives the same bytes, and
 * so does none (inline). */
START_TEST(test_chunks_repeats)
{
    static struct rep_out inl, one, four;
    rep_run(0, &inl);
    rep_run(1, &one);
    rep_run(4, &four);
    unsigned char *shuffled = malloc(REP_ROWS * 8);
    double *x = malloc(REP_ROWS * 8);
    ck_assert(shuffled && x);
    for (size_t c = 0; c < REP_COLS; c++) {
        ck_assert_uint_eq(one.size[c], four.size[c]);
        ck_assert(memcmp(one.bytes[c], four.bytes[c], one.size[c]) == 0);
        ck_assert_uint_eq(one.size[c], inl.size[c]);
        ck_assert(memcmp(one.bytes[c], inl.bytes[c], one.size[c]) == 0);
        size_t p = rep_pattern(c);
        ck_assert_uint_eq(one.size[c], one.size[p]);
        ck_assert(memcmp(one.bytes[c], one.bytes[p], one.size[c]) == 0);
        uLongf len = REP_ROWS * 8;
        ck_assert_int_eq(uncompress(shuffled, &len, one.bytes[c], one.size[c]), Z_OK);
        ck_assert_uint_eq(len, REP_ROWS * 8);
        size_t bad = REP_ROWS;   /* the first row that differs (one check per column: a
                                    ck_assert per row would take seconds) */
        for (size_t k = REP_ROWS; k-- > 0;) {
            uint64_t bits = 0;
            for (size_t b = 0; b < 8; b++)
                bits |= (uint64_t)shuffled[b * REP_ROWS + k] << (8 * b);
            double want = k < REP_TOTAL ? rep_value(p, k) : 0.0;
            memcpy(&x[k], &bits, sizeof bits);
            if (memcmp(&x[k], &want, 8) != 0)
                bad = k;
        }
        ck_assert_msg(bad == REP_ROWS, "column %zu row %zu", c, bad);
    }
    for (size_t c = 0; c < REP_COLS; c++) {
        free(inl.bytes[c]);
        free(one.bytes[c]);
        free(four.bytes[c]);
    }
    free(shuffled);
    free(x);
}
END_TEST

/* A raised stop flag: the append (or the pool) gives up with DCSIM_EINTERRUPTED and no
 * message; abort leaves nothing. */
START_TEST(test_chunks_stop)
{
    char dest[256];
    path_in(dest, sizeof dest, "stop.h5");
    struct diag d;
    diag_init(&d);
    volatile sig_atomic_t stop = 0;
    struct h5out_meta m = make_meta(STEPS, "x", 1);
    m.stop = &stop;
    struct h5out *h = NULL;
    ck_assert_int_eq(h5out_create(dest, &m, N_SITES, site_ids, N_SERIES, series, 100, &h, &d),
                     0);
    ck_assert_int_eq(append_block(h, 0, 300, &d), 0);
    stop = 1;
    int r = append_block(h, 300, 300, &d);
    ck_assert_int_eq(r, DCSIM_EINTERRUPTED);
    ck_assert_uint_eq(d.n, 0);
    h5out_abort(h);
    ck_assert_int_eq(dir_entries(), 0);
    diag_release(&d);
}
END_TEST

static Suite *h5out_suite(void)
{
    Suite *s = suite_create("h5out");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_roundtrip);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_chunk_clamp);
    tcase_add_test(tc, test_abort);
    tcase_add_test(tc, test_commit_too_few);
    tcase_add_test(tc, test_append_too_many);
    tcase_add_test(tc, test_unwritable_dir);
    tcase_add_test(tc, test_readonly_dir);
    tcase_add_test(tc, test_write_fails);
    tcase_add_test(tc, test_replace_at_commit);
    tcase_add_test(tc, test_stale_temp);
    tcase_add_test(tc, test_rename_fails);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_reader_errors);
    tcase_add_test(tc, test_chunks_threads_and_pipeline);
    tcase_add_test(tc, test_chunks_levels);
    tcase_add_test(tc, test_shuffle8);
    tcase_add_test(tc, test_chunks_repeats);
    tcase_add_test(tc, test_dimension_scales);
    tcase_add_test(tc, test_chunks_stop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    H5dont_atexit();            /* as dcsim's main does: see h5_setup in h5out.c */
    SRunner *sr = srunner_create(h5out_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
