/* check_sweep.c — unit tests of sweep files and their tables (sim/sweep/sweep.h, sim/sweep/sweep_io.h;
 * contract section 4): loading and expanding the values ({from, to, step} included), the
 * case order (grid: the last path varies fastest; zip: side by side), each case's document
 * (values set, a default key added, ids with '.'), errors with their positions, the
 * /cases table through HDF5 (write, read back for --resume) and CSV, and the units of cases
 * that share their first steps (sweep_units.h: which count, which cases, which step).
 *
 * Every file is written by the test into its own temporary directory; every expected line
 * and column is the test's own arithmetic on the text it wrote (col_of), never the parser's. */
#define _GNU_SOURCE 1   /* mkdtemp, fmemopen */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "err.h"
#include "results.h"
#include "scenario.h"
#include "sweep.h"
#include "sweep_io.h"
#include "sweep_units.h"
#include "testutil.h"
#include "yamlx.h"

/* ---- a directory of our own ---- */

static char dir[256];

static void dir_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/check_sweep.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(dp)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                unlink(path);
            }
        closedir(dp);
    }
    rmdir(dir);
}

/* The path of `name` in the test directory (static buffer, one of four in rotation). */
static const char *in_dir(const char *name)
{
    static char bufs[4][512];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, 512, "%s/%s", dir, name);
    return b;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(in_dir(name), "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Number of entries in the test directory (to see that no temporary file is left). */
static int dir_entries(void)
{
    DIR *dp = opendir(dir);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(dp);
    return n;
}

/* 1-based column where `needle` first starts in `line`. */
static int col_of(const char *line, const char *needle)
{
    const char *p = strstr(line, needle);
    ck_assert_msg(p != NULL, "test bug: '%s' not in '%s'", needle, line);
    return (int)(p - line) + 1;
}

/* ---- the base scenario (sweep_load reads it as YAML only: no catalog needed) ---- */

#define L_ELEC "    electrical: {misc_fraction: 0.01}\n"
#define L_GRID "      - {id: grid.a, type: grid, contract_mw: 100}\n"
#define L_POOL "      - {id: p.1, rack: r, count: 10, workload: constant}\n"
#define L_LIQ  "      liquid: {rejection: hybrid, capacity_mw: 10}\n"

static const char base_text[] =
    "name: unit-base\n"                                       /*  1 */
    "start: 2027-01-01\n"                                     /*  2 */
    "duration: 2d\n"                                          /*  3 */
    "sites:\n"                                                /*  4 */
    "  - id: west.tx\n"                                       /*  5 */
    L_ELEC                                                    /*  6 */
    "    supply:\n"                                           /*  7 */
    L_GRID                                                    /*  8 */
    "    it:\n"                                               /*  9 */
    L_POOL                                                    /* 10 */
    "    cooling:\n"                                          /* 11 */
    L_LIQ;                                                    /* 12 */

#define P_COUNT "sites.west.tx.it.p.1.count"
#define P_GRID  "sites.west.tx.supply.grid.a.contract_mw"
#define P_REJ   "sites.west.tx.cooling.liquid.rejection"
#define P_UPS   "sites.west.tx.electrical.ups_efficiency"

/* Loads sweep text (written as s.yaml beside base.yaml) that must be valid. */
static void load_ok(const char *text, struct sweep *sw)
{
    write_file("base.yaml", base_text);
    write_file("s.yaml", text);
    struct diag d;
    diag_init(&d);
    int rc = sweep_load(in_dir("s.yaml"), sw, &d);
    ck_assert_msg(rc == 0, "sweep_load failed (%d):\n%s", rc, diag_text(&d));
    ck_assert_uint_eq(d.n_errors, 0);
    diag_release(&d);
}

/* Loads sweep text that must fail with an error at line:col whose text holds `needle`. */
static void load_fails(const char *text, int line, int col, const char *needle)
{
    write_file("base.yaml", base_text);
    write_file("s.yaml", text);
    struct sweep sw;
    struct diag d;
    diag_init(&d);
    int rc = sweep_load(in_dir("s.yaml"), &sw, &d);
    ck_assert_msg(rc == DCSIM_EINPUT, "sweep_load returned %d for:\n%s", rc, text);
    int found = 0;
    for (size_t i = 0; i < d.n && !found; i++)
        found = d.msgs[i].severity == DIAG_ERROR && d.msgs[i].line == line &&
                d.msgs[i].col == col && d.msgs[i].file &&
                strcmp(d.msgs[i].file, in_dir("s.yaml")) == 0 && strstr(d.msgs[i].text, needle);
    ck_assert_msg(found, "no error at s.yaml:%d:%d with '%s'; got:\n%s", line, col, needle,
                  diag_text(&d));
    diag_release(&d);
}

/* The scalar at a path of plain keys and list ids ("sites", "west.tx", ...) in a doc. */
static const struct ynode *doc_at(const struct ynode *n, const char *const *keys)
{
    for (; *keys && n; keys++) {
        if (n->kind == YNODE_MAP) {
            n = ynode_get(n, *keys);
        } else if (n->kind == YNODE_SEQ) {
            const struct ynode *hit = NULL;
            for (size_t i = 0; i < n->n && !hit; i++) {
                const struct ynode *id = ynode_get(n->items[i], "id");
                if (id && strcmp(id->value, *keys) == 0)
                    hit = n->items[i];
            }
            n = hit;
        } else {
            return NULL;
        }
    }
    return n;
}

static const char *const K_COUNT[] = {"sites", "west.tx", "it", "p.1", "count", NULL};
static const char *const K_GRID[] = {"sites", "west.tx", "supply", "grid.a", "contract_mw", NULL};
static const char *const K_REJ[] = {"sites", "west.tx", "cooling", "liquid", "rejection", NULL};
static const char *const K_ELEC[] = {"sites", "west.tx", "electrical", NULL};
static const char *const K_UPS[] = {"sites", "west.tx", "electrical", "ups_efficiency", NULL};
static const char *const K_MISC[] = {"sites", "west.tx", "electrical", "misc_fraction", NULL};

/* ---- loading ---- */

START_TEST(test_load_values)
{
    static const char text[] =
        "base: base.yaml\n"
        "mode: grid\n"
        "trials: 20\n"
        "vary:\n"
        "  " P_COUNT ": [400, 800, 1200]\n"                        /* line 5 */
        "  " P_REJ ": [dry_cooler, hybrid]\n"                      /* line 6 */
        "  " P_GRID ": {from: 150, to: 350, step: 50}\n"           /* line 7 */
        "  " P_UPS ": {from: 0.9, to: 0.96, step: 0.02}\n"         /* line 8: 0.9..0.96 */
        "series: true\n";
    struct sweep sw;
    load_ok(text, &sw);
    ck_assert_int_eq(sw.zip, 0);
    ck_assert_int_eq(sw.trials, 20);
    ck_assert_int_eq(sw.series, 1);
    ck_assert_str_eq(sw.base_path, in_dir("base.yaml"));   /* relative to the sweep file */
    ck_assert_uint_eq(sw.n_vars, 4);
    ck_assert_str_eq(sw.vars[0].path, P_COUNT);
    ck_assert_str_eq(sw.vars[1].path, P_REJ);
    ck_assert_str_eq(sw.vars[2].path, P_GRID);
    ck_assert_str_eq(sw.vars[3].path, P_UPS);
    for (size_t v = 0; v < 4; v++) {
        ck_assert_int_eq(sw.vars[v].line, 5 + (int)v);
        ck_assert_int_eq(sw.vars[v].col, 3);
    }
    /* the lists as written */
    ck_assert_uint_eq(sw.vars[0].n_values, 3);
    ck_assert_str_eq(sw.vars[0].values[0], "400");
    ck_assert_str_eq(sw.vars[0].values[2], "1200");
    ck_assert_int_eq(sw.vars[0].numeric, 1);
    ck_assert_uint_eq(sw.vars[1].n_values, 2);
    ck_assert_str_eq(sw.vars[1].values[0], "dry_cooler");
    ck_assert_str_eq(sw.vars[1].values[1], "hybrid");
    ck_assert_int_eq(sw.vars[1].numeric, 0);
    /* ranges: 150, 200, ..., 350 (5 values); 0.9 + k·0.02 up to 0.96 despite rounding */
    ck_assert_uint_eq(sw.vars[2].n_values, 5);
    static const double grid[] = {150, 200, 250, 300, 350};
    for (size_t k = 0; k < 5; k++)
        ck_assert_double_eq(strtod(sw.vars[2].values[k], NULL), grid[k]);
    ck_assert_int_eq(sw.vars[2].numeric, 1);
    ck_assert_uint_eq(sw.vars[3].n_values, 4);
    static const double ups[] = {0.9, 0.92, 0.94, 0.96};
    for (size_t k = 0; k < 4; k++)
        ck_assert_double_eq_tol(strtod(sw.vars[3].values[k], NULL), ups[k], 1e-12);
    ck_assert_uint_eq(sw.n_cases, 3 * 2 * 5 * 4);
    sweep_release(&sw);
}
END_TEST

START_TEST(test_load_range_not_on_step)
{
    /* to is not reached exactly: 10, 13, 16, 19 */
    static const char text[] =
        "base: base.yaml\n"
        "vary:\n"
        "  " P_GRID ": {from: 10, to: 20, step: 3}\n";
    struct sweep sw;
    load_ok(text, &sw);
    ck_assert_int_eq(sw.zip, 0);                 /* mode defaults to grid */
    ck_assert_int_eq(sw.trials, 0);              /* the base's own */
    ck_assert_int_eq(sw.series, 0);
    ck_assert_uint_eq(sw.vars[0].n_values, 4);
    static const double want[] = {10, 13, 16, 19};
    for (size_t k = 0; k < 4; k++)
        ck_assert_double_eq(strtod(sw.vars[0].values[k], NULL), want[k]);
    ck_assert_uint_eq(sw.n_cases, 4);
    sweep_release(&sw);
}
END_TEST

START_TEST(test_value_index_grid)
{
    static const char text[] =
        "base: base.yaml\n"
        "mode: grid\n"
        "vary:\n"
        "  " P_COUNT ": [1, 2]\n"
        "  " P_GRID ": [10, 20, 30]\n"
        "  " P_REJ ": [chiller, hybrid]\n";
    struct sweep sw;
    load_ok(text, &sw);
    ck_assert_uint_eq(sw.n_cases, 12);
    /* the last path varies fastest: case c = ((i0·3) + i1)·2 + i2 */
    for (size_t c = 0; c < 12; c++) {
        ck_assert_uint_eq(sweep_value_index(&sw, c, 0), c / 6);
        ck_assert_uint_eq(sweep_value_index(&sw, c, 1), (c / 2) % 3);
        ck_assert_uint_eq(sweep_value_index(&sw, c, 2), c % 2);
    }
    /* every combination once */
    int seen[2][3][2] = {{{0}}};
    for (size_t c = 0; c < 12; c++)
        seen[sweep_value_index(&sw, c, 0)][sweep_value_index(&sw, c, 1)]
            [sweep_value_index(&sw, c, 2)]++;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int e = 0; e < 2; e++)
                ck_assert_int_eq(seen[a][b][e], 1);
    sweep_release(&sw);
}
END_TEST

START_TEST(test_value_index_zip)
{
    static const char text[] =
        "base: base.yaml\n"
        "mode: zip\n"
        "vary:\n"
        "  " P_COUNT ": [1, 2, 3]\n"
        "  " P_GRID ": {from: 10, to: 30, step: 10}\n"
        "  " P_REJ ": [chiller, hybrid, dry_cooler]\n";
    struct sweep sw;
    load_ok(text, &sw);
    ck_assert_int_eq(sw.zip, 1);
    ck_assert_uint_eq(sw.n_cases, 3);
    for (size_t c = 0; c < 3; c++)
        for (size_t v = 0; v < 3; v++)
            ck_assert_uint_eq(sweep_value_index(&sw, c, v), c);
    sweep_release(&sw);
}
END_TEST

/* ---- each case's document ---- */

START_TEST(test_case_doc)
{
    static const char text[] =
        "base: base.yaml\n"
        "vary:\n"
        "  " P_COUNT ": [20, 30]\n"
        "  " P_GRID ": [150.5]\n"
        "  " P_REJ ": [dry_cooler, chiller]\n"
        "  " P_UPS ": [0.9]\n";           /* not in the base: the key is added */
    struct sweep sw;
    load_ok(text, &sw);
    ck_assert_uint_eq(sw.n_cases, 4);
    static const char *const counts[] = {"20", "20", "30", "30"};
    static const char *const rejs[] = {"dry_cooler", "chiller", "dry_cooler", "chiller"};
    for (size_t c = 0; c < 4; c++) {
        struct ydoc doc;
        char err[256] = "";
        int rc = sweep_case_doc(&sw, c, &doc, err, sizeof err);
        ck_assert_msg(rc == 0, "case %zu: %d %s", c, rc, err);
        const struct ynode *n = doc_at(doc.root, K_COUNT);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_eq(n->value, counts[c]);
        ck_assert_int_eq(n->kind, YNODE_SCALAR);
        ck_assert_str_eq(doc_at(doc.root, K_GRID)->value, "150.5");
        ck_assert_str_eq(doc_at(doc.root, K_REJ)->value, rejs[c]);
        /* the added default, beside the key the base has */
        const struct ynode *ups = doc_at(doc.root, K_UPS);
        ck_assert_ptr_nonnull(ups);
        ck_assert_int_eq(ups->kind, YNODE_SCALAR);
        ck_assert_str_eq(ups->value, "0.9");
        ck_assert_int_eq(ups->quoted, 0);
        ck_assert_uint_eq(doc_at(doc.root, K_ELEC)->n, 2);
        ck_assert_str_eq(doc_at(doc.root, K_MISC)->value, "0.01");
        /* positions stay those of the base file (messages point into it) */
        ck_assert_int_eq(n->line, 10);
        ck_assert_int_eq(n->col, col_of(L_POOL, "10"));
        ck_assert_int_eq(doc_at(doc.root, K_REJ)->line, 12);
        ck_assert_int_eq(doc_at(doc.root, K_REJ)->col, col_of(L_LIQ, "hybrid"));
        ck_assert_int_eq(ups->line, 6);     /* the mapping it was added to */
        ck_assert_str_eq(doc.path, sw.base.path);
        ck_assert_str_eq(doc.text, base_text);
        ydoc_release(&doc);
    }
    /* the base's values are untouched by the cases (sweep_load may have added the missing
     * key to it while checking the path: an implementation detail, not checked) */
    ck_assert_str_eq(doc_at(sw.base.root, K_COUNT)->value, "10");
    ck_assert_str_eq(doc_at(sw.base.root, K_REJ)->value, "hybrid");
    ck_assert_str_eq(doc_at(sw.base.root, K_MISC)->value, "0.01");
    sweep_release(&sw);
}
END_TEST

START_TEST(test_case_doc_quoted_and_top_level)
{
    /* a top-level key and a value that was quoted in the sweep file */
    static const char text[] =
        "base: base.yaml\n"
        "vary:\n"
        "  duration: ['7d', 1y]\n"
        "  name: [\"x-1\"]\n";
    struct sweep sw;
    load_ok(text, &sw);
    ck_assert_uint_eq(sw.n_cases, 2);
    ck_assert_int_eq(sw.vars[0].numeric, 0);
    struct ydoc doc;
    char err[256] = "";
    ck_assert_int_eq(sweep_case_doc(&sw, 1, &doc, err, sizeof err), 0);
    ck_assert_str_eq(ynode_get(doc.root, "duration")->value, "1y");
    ck_assert_str_eq(ynode_get(doc.root, "name")->value, "x-1");
    ydoc_release(&doc);
    sweep_release(&sw);
}
END_TEST

/* ---- errors, with their positions ---- */

START_TEST(test_errors)
{
    /* a path that is not in the base: at the path's key */
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  " P_COUNT ": [1]\n"
               "  sites.west.tx.it.nosuch.count: [1, 2]\n", 4, 3, "nosuch");
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  sites.east.it.p.1.count: [1]\n", 3, 3, "east");
    /* a mapping is not a single value */
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  sites.west.tx.cooling.liquid: [1]\n", 3, 3, "mapping");
    /* zip lists of unequal length: at the second path */
    load_fails("base: base.yaml\n"
               "mode: zip\n"
               "vary:\n"
               "  " P_COUNT ": [1, 2, 3]\n"
               "  " P_GRID ": [5, 6]\n", 5, 3, "zip");
    /* an empty list, at the list */
    static const char empty[] = "  " P_COUNT ": []\n";
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  " P_COUNT ": []\n", 3, col_of(empty, "[]"), "empty");
    /* ranges: to < from; step 0; a missing key */
    static const char back[] = "  " P_GRID ": {from: 5, to: 1, step: 1}\n";
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  " P_GRID ": {from: 5, to: 1, step: 1}\n", 3, col_of(back, "{"), "from <= to");
    static const char zero[] = "  " P_GRID ": {from: 1, to: 5, step: 0}\n";
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  " P_GRID ": {from: 1, to: 5, step: 0}\n", 3, col_of(zero, "0}"), "step");
    /* a value that is not a single value */
    static const char nested[] = "  " P_COUNT ": [1, [2, 3]]\n";
    load_fails("base: base.yaml\n"
               "vary:\n"
               "  " P_COUNT ": [1, [2, 3]]\n", 3, col_of(nested, "[2"), "single values");
    /* the sweep's own keys */
    load_fails("base: base.yaml\n"
               "mode: grdi\n"
               "vary:\n"
               "  " P_COUNT ": [1]\n", 2, 7, "grid");
    load_fails("base: base.yaml\n"
               "vari:\n"
               "  " P_COUNT ": [1]\n", 2, 1, "vary");
    load_fails("base: nosuch.yaml\n"
               "vary:\n"
               "  " P_COUNT ": [1]\n", 1, 7, "nosuch.yaml");
    load_fails("base: base.yaml\n"
               "trials: 0\n"
               "vary:\n"
               "  " P_COUNT ": [1]\n", 2, 9, "trials");
}
END_TEST

START_TEST(test_errors_several)
{
    /* every bad path is reported, each at its own line */
    write_file("base.yaml", base_text);
    write_file("s.yaml", "base: base.yaml\n"
                         "vary:\n"
                         "  sites.west.tx.it.a.count: [1]\n"
                         "  " P_COUNT ": [1]\n"
                         "  sites.west.tx.it.b.count: [1]\n");
    struct sweep sw;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(sweep_load(in_dir("s.yaml"), &sw, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 2);
    ck_assert_int_eq(d.msgs[0].line, 3);
    ck_assert_int_eq(d.msgs[1].line, 5);
    diag_release(&d);
}
END_TEST

/* ---- the table: HDF5 and CSV ---- */

static const char table_sweep[] =
    "base: base.yaml\n"
    "vary:\n"
    "  " P_COUNT ": [10, 20, 30]\n"
    "  " P_REJ ": [chiller, hybrid]\n";

/* results of 6 cases: 0, 2, 3 ok; 1 invalid (a message with a comma and a quote); 4, 5
 * pending */
static void fill_results(struct sweep_results *r)
{
    ck_assert_int_eq(sweep_results_init(r, 6), 0);
    ck_assert_uint_eq(sweep_results_done(r), 0);
    for (size_t c = 0; c < 6; c++) {
        ck_assert_int_eq(r->status[c], CASE_PENDING);
        ck_assert(isnan(r->metrics[c][0]) && isnan(r->metrics[c][N_METRICS - 1]));
    }
    static const size_t ok[] = {0, 2, 3};
    for (size_t i = 0; i < 3; i++) {
        size_t c = ok[i];
        r->status[c] = CASE_OK;
        for (int k = 0; k < N_METRICS; k++)
            r->metrics[c][k] = (double)c * 1000 + k + 0.125;
    }
    r->metrics[2][M_PUE] = NAN;   /* a NaN metric of an ok case survives too */
    r->status[1] = CASE_INVALID;
    snprintf(r->message[1], SWEEP_MESSAGE_MAX, "base.yaml:12:31: unknown rejection, \"chillr\"");
    ck_assert_uint_eq(sweep_results_done(r), 4);
}

START_TEST(test_h5_round_trip)
{
    struct sweep sw;
    load_ok(table_sweep, &sw);
    ck_assert_uint_eq(sw.n_cases, 6);
    struct sweep_results r;
    fill_results(&r);
    struct diag d;
    diag_init(&d);
    int before = dir_entries();
    ck_assert_int_eq(sweep_write_h5(in_dir("t.h5"), &sw, &r, &d), 0);
    ck_assert_int_eq(dir_entries(), before + 1);   /* no temporary file left */

    struct sweep_results back;
    ck_assert_int_eq(sweep_results_init(&back, 6), 0);
    int rc = sweep_read_h5(in_dir("t.h5"), &sw, &back, &d);
    ck_assert_msg(rc == 0, "%s", diag_text(&d));
    ck_assert_uint_eq(sweep_results_done(&back), 4);
    for (size_t c = 0; c < 6; c++) {
        ck_assert_int_eq(back.status[c], r.status[c]);
        ck_assert_str_eq(back.message[c], r.message[c]);
        for (int k = 0; k < N_METRICS; k++) {
            double a = back.metrics[c][k], b = r.metrics[c][k];
            ck_assert_msg(a == b || (isnan(a) && isnan(b)), "case %zu metric %s: %g vs %g", c,
                          metric_names[k], a, b);
        }
    }
    /* pending rows stay pending */
    ck_assert_int_eq(back.status[4], CASE_PENDING);
    ck_assert_int_eq(back.status[5], CASE_PENDING);
    ck_assert(isnan(back.metrics[5][M_IT_ENERGY_MWH]));

    /* one case's metrics by number (compare FILE:case=N) */
    double m[N_METRICS];
    int status = 99;
    ck_assert_int_eq(sweep_read_case(in_dir("t.h5"), 3, m, &status, &d), 0);
    ck_assert_int_eq(status, CASE_OK);
    ck_assert_double_eq(m[M_IT_ENERGY_MWH], 3000 + M_IT_ENERGY_MWH + 0.125);
    ck_assert_int_eq(sweep_read_case(in_dir("t.h5"), 1, m, &status, &d), 0);
    ck_assert_int_eq(status, CASE_INVALID);
    ck_assert_uint_eq(d.n_errors, 0);
    ck_assert_int_eq(sweep_read_case(in_dir("t.h5"), 6, m, &status, &d), DCSIM_EINPUT);
    ck_assert_int_eq(sweep_read_case(in_dir("t.h5"), -1, m, &status, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 2);
    diag_release(&d);
    sweep_results_release(&back);
    sweep_results_release(&r);
    sweep_release(&sw);
}
END_TEST

START_TEST(test_h5_resume_other_sweep)
{
    struct sweep sw;
    load_ok(table_sweep, &sw);
    struct sweep_results r;
    fill_results(&r);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(sweep_write_h5(in_dir("t.h5"), &sw, &r, &d), 0);
    sweep_release(&sw);

    /* other values, same count: refused */
    struct sweep other;
    load_ok("base: base.yaml\n"
            "vary:\n"
            "  " P_COUNT ": [10, 20, 31]\n"
            "  " P_REJ ": [chiller, hybrid]\n", &other);
    struct sweep_results back;
    ck_assert_int_eq(sweep_results_init(&back, other.n_cases), 0);
    ck_assert_int_eq(sweep_read_h5(in_dir("t.h5"), &other, &back, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 1);
    ck_assert_uint_eq(sweep_results_done(&back), 0);
    sweep_results_release(&back);
    sweep_release(&other);

    /* another count of cases: refused */
    load_ok("base: base.yaml\n"
            "vary:\n"
            "  " P_COUNT ": [10, 20]\n"
            "  " P_REJ ": [chiller, hybrid]\n", &other);
    ck_assert_int_eq(sweep_results_init(&back, other.n_cases), 0);
    ck_assert_int_eq(sweep_read_h5(in_dir("t.h5"), &other, &back, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 2);
    sweep_results_release(&back);
    sweep_release(&other);

    /* another path (column), same values: refused */
    load_ok("base: base.yaml\n"
            "vary:\n"
            "  " P_GRID ": [10, 20, 30]\n"
            "  " P_REJ ": [chiller, hybrid]\n", &other);
    ck_assert_int_eq(sweep_results_init(&back, other.n_cases), 0);
    ck_assert_int_eq(sweep_read_h5(in_dir("t.h5"), &other, &back, &d), DCSIM_EINPUT);
    ck_assert_uint_eq(d.n_errors, 3);
    sweep_results_release(&back);
    sweep_release(&other);

    /* not a sweep file at all */
    write_file("x.h5", "not hdf5");
    load_ok(table_sweep, &other);
    ck_assert_int_eq(sweep_results_init(&back, other.n_cases), 0);
    ck_assert_int_eq(sweep_read_h5(in_dir("x.h5"), &other, &back, &d), DCSIM_EINPUT);
    sweep_results_release(&back);
    sweep_release(&other);
    diag_release(&d);
    sweep_results_release(&r);
}
END_TEST

/* Reads a whole file (malloc'd). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(test_csv)
{
    struct sweep sw;
    load_ok(table_sweep, &sw);
    struct sweep_results r;
    fill_results(&r);
    struct diag d;
    diag_init(&d);
    int before = dir_entries();
    ck_assert_int_eq(sweep_write_csv(in_dir("t.csv"), &sw, &r, &d), 0);
    ck_assert_int_eq(dir_entries(), before + 1);
    char *text = slurp(in_dir("t.csv"));

    /* the header: case, the paths, status, message, every metric in order */
    char header[8192];
    int n = snprintf(header, sizeof header, "case,%s,%s,status,message", P_COUNT, P_REJ);
    for (int k = 0; k < N_METRICS; k++)
        n += snprintf(header + n, sizeof header - (size_t)n, ",%s", metric_names[k]);
    char *eol = strchr(text, '\n');
    ck_assert_ptr_nonnull(eol);
    *eol = '\0';
    ck_assert_str_eq(text, header);

    /* 6 rows after the header */
    char *rows[6];
    char *p = eol + 1;
    for (int i = 0; i < 6; i++) {
        rows[i] = p;
        char *e = strchr(p, '\n');
        ck_assert_msg(e != NULL, "row %d missing", i);
        *e = '\0';
        p = e + 1;
    }
    ck_assert_str_eq(p, "");
    /* the invalid case: the message quoted, its quote doubled; no metrics (empty fields) */
    char want[1024];
    n = snprintf(want, sizeof want,
                 "1,10,\"hybrid\",2,\"base.yaml:12:31: unknown rejection, \"\"chillr\"\"\"");
    for (int k = 0; k < N_METRICS; k++)
        n += snprintf(want + n, sizeof want - (size_t)n, ",");
    ck_assert_str_eq(rows[1], want);
    /* a pending case */
    ck_assert(strncmp(rows[5], "5,30,\"hybrid\",-1,\"\",", 20) == 0);
    /* an ok case: the metrics to 17 significant digits */
    ck_assert(strncmp(rows[2], "2,20,\"chiller\",0,\"\",", 20) == 0);
    char *f = rows[2] + 20;
    for (int k = 0; k < N_METRICS; k++) {
        char *end;
        if (k == M_PUE) {
            ck_assert_msg(*f == ',' || *f == '\0', "NaN pue written as '%.10s'", f);
        } else {
            double x = strtod(f, &end);
            ck_assert_msg(end != f, "metric %s missing in '%s'", metric_names[k], rows[2]);
            ck_assert_double_eq(x, 2000 + k + 0.125);
            f = end;
        }
        if (k < N_METRICS - 1) {
            ck_assert_int_eq(*f, ',');
            f++;
        }
    }
    ck_assert_int_eq(*f, '\0');
    free(text);
    diag_release(&d);
    sweep_results_release(&r);
    sweep_release(&sw);
}
END_TEST

/* ---- units of cases that share their first steps (sweep_units.h) ---- */

/* A base with a pool online from the start, one from 2027-01-03T01:10Z (step 589 at 5 min:
 * 2 days 70 min = 588 steps and 10 min, so the first step it is online in is the 590th) and
 * one from 2027-01-02 (step 288). */
static const char units_base[] =
    "name: units\n"
    "start: 2027-01-01\n"
    "duration: 5d\n"
    "timestep: 5min\n"
    "%s"
    "sites:\n"
    "  - id: s.1\n"
    "    climate: west-texas\n"
    "    supply:\n"
    "      - {id: g, type: grid, contract_mw: 30}\n"
    "    it:\n"
    "      - {id: early, rack: gb300-nvl72, count: 50, workload: constant}\n"
    "      - {id: late, rack: gb300-nvl72, count: 50, workload: constant,\n"
    "         online: 2027-01-03T01:10:00Z}\n"
    "      - {id: mid, rack: gb300-nvl72, count: 50, workload: constant, online: 2027-01-02}\n"
    "    cooling: {liquid: {capacity_mw: 40, rejection: hybrid}, air: {capacity_mw: 5}}\n";

/* Plans the sweep `vary` (mode and more keys in `extra`) over units_base (`top`: top-level
 * keys added to it) and returns the plan; the catalog is the bundled one. */
static void plan_of(const char *top, const char *extra, const char *vary, int share,
                    struct sweep *sw, struct sweep_units *u)
{
    char base[2048], text[1024];
    snprintf(base, sizeof base, units_base, top);
    write_file("ubase.yaml", base);
    snprintf(text, sizeof text, "base: ubase.yaml\n%svary:\n%s", extra, vary);
    write_file("u.yaml", text);
    struct diag d;
    diag_init(&d);
    ck_assert_msg(sweep_load(in_dir("u.yaml"), sw, &d) == 0, "%s", diag_text(&d));
    struct catalog cat;
    ck_assert_msg(catalog_load(DCSIM_MODELS_DIR, &cat, &d) == 0, "%s", diag_text(&d));
    ck_assert_int_eq(sweep_units_plan(sw, &cat, share, u), 0);
    catalog_release(&cat);
    diag_release(&d);
}

/* Every case once, each unit's cases in the table's order. */
static void plan_covers(const struct sweep *sw, const struct sweep_units *u)
{
    ck_assert_uint_eq(u->first[0], 0);
    ck_assert_uint_eq(u->first[u->n_units], sw->n_cases);
    int seen[64] = {0};
    for (size_t un = 0; un < u->n_units; un++) {
        ck_assert_uint_lt(u->first[un], u->first[un + 1]);
        for (size_t i = u->first[un]; i < u->first[un + 1]; i++) {
            ck_assert_uint_lt(u->order[i], 64);
            seen[u->order[i]]++;
            if (i > u->first[un])
                ck_assert_uint_gt(u->order[i], u->order[i - 1]);
        }
    }
    for (size_t c = 0; c < sw->n_cases; c++)
        ck_assert_int_eq(seen[c], 1);
}

/* Each case a unit of its own. */
static void plan_alone(const char *top, const char *extra, const char *vary)
{
    struct sweep sw;
    struct sweep_units u;
    plan_of(top, extra, vary, 1, &sw, &u);
    ck_assert_uint_eq(u.n_vars, 0);
    ck_assert_uint_eq(u.n_units, sw.n_cases);
    plan_covers(&sw, &u);
    sweep_units_release(&u);
    sweep_release(&sw);
}

START_TEST(test_units_plan)
{
    /* contract (2) × the late count (3) × the early count (2): 4 units of 3 cases, 2 apart;
     * the late pool comes online last */
    const char *vary = "  sites.s.1.supply.g.contract_mw: [20, 30]\n"
                       "  sites.s.1.it.mid.count: [10, 20]\n"
                       "  sites.s.1.it.late.count: [10, 20, 30]\n"
                       "  sites.s.1.it.early.count: [10, 20]\n";
    struct sweep sw;
    struct sweep_units u;
    plan_of("", "", vary, 1, &sw, &u);
    ck_assert_uint_eq(sw.n_cases, 24);
    ck_assert_uint_eq(u.n_vars, 1);
    ck_assert_uint_eq(u.vars[0], 2);
    ck_assert_str_eq(u.pool, "sites.s.1.it.late");
    ck_assert_uint_eq(u.n_units, 8);
    plan_covers(&sw, &u);
    const size_t want[] = {0, 2, 4, 1, 3, 5, 6, 8, 10};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_uint_eq(u.order[i], want[i]);
    /* the step before which they part: the first at or after 2 d 70 min (5-min steps) */
    struct ydoc doc;
    char err[128];
    ck_assert_int_eq(sweep_case_doc(&sw, 5, &doc, err, sizeof err), 0);
    struct catalog cat;
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(catalog_load(DCSIM_MODELS_DIR, &cat, &d), 0);
    struct scenario *sc = NULL;
    ck_assert_msg(scenario_from_doc(&doc, &cat, &sc, &d) == 0, "%s", diag_text(&d));
    ck_assert_int_eq(sweep_units_fork_step(&u, sc), (2 * 1440 + 70) / 5);
    sc->trials = 2;   /* several trials: nothing shared */
    ck_assert_int_eq(sweep_units_fork_step(&u, sc), 0);
    scenario_destroy(sc);
    ydoc_release(&doc);
    catalog_release(&cat);
    diag_release(&d);
    sweep_units_release(&u);
    sweep_release(&sw);
    /* --no-share */
    plan_of("", "", vary, 0, &sw, &u);
    ck_assert_uint_eq(u.n_vars, 0);
    ck_assert_uint_eq(u.n_units, 24);
    sweep_units_release(&u);
    sweep_release(&sw);
    /* the late pool's utilization too, its count first among the variables: units of the
     * 2 × 3 cases that differ in those two (the contract's two values 6 cases apart) */
    const char *two_keys = "  sites.s.1.it.late.count: [10, 20]\n"
                           "  sites.s.1.supply.g.contract_mw: [20, 30]\n"
                           "  sites.s.1.it.late.utilization: [0.5, 0.7, 0.9]\n";
    plan_of("", "", two_keys, 1, &sw, &u);
    ck_assert_uint_eq(u.n_vars, 2);
    ck_assert_uint_eq(u.vars[0], 0);
    ck_assert_uint_eq(u.vars[1], 2);
    ck_assert_uint_eq(u.n_units, 2);
    const size_t want2[] = {0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11};
    for (size_t i = 0; i < sizeof want2 / sizeof want2[0]; i++)
        ck_assert_uint_eq(u.order[i], want2[i]);
    plan_covers(&sw, &u);
    sweep_units_release(&u);
    sweep_release(&sw);
    /* the mid pool alone: units of its 2 counts */
    const char *mid_contract = "  sites.s.1.it.mid.count: [10, 20]\n"
                               "  sites.s.1.supply.g.contract_mw: [20, 30]\n";
    plan_of("", "", mid_contract, 1, &sw, &u);
    ck_assert_uint_eq(u.n_vars, 1);
    ck_assert_uint_eq(u.vars[0], 0);
    ck_assert_uint_eq(u.n_units, 2);
    ck_assert_uint_eq(u.order[0], 0);
    ck_assert_uint_eq(u.order[1], 2);
    plan_covers(&sw, &u);
    sweep_units_release(&u);
    sweep_release(&sw);
    /* nothing to share: a pool online from the start, a key of the late pool other than its
     * count and utilization (the rack), a zip sweep, series written, several trials (the
     * sweep's or the base's) */
    const char *late = "  sites.s.1.it.late.count: [10, 20]\n";
    const char *contract = "  sites.s.1.supply.g.contract_mw: [20, 30]\n";
    char two[256];
    snprintf(two, sizeof two, "  sites.s.1.it.early.count: [10, 20]\n%s", contract);
    plan_alone("", "", two);
    plan_alone("", "", "  sites.s.1.it.late.rack: [gb300-nvl72, gb200-nvl72]\n");
    snprintf(two, sizeof two, "%s%s", late, contract);
    plan_alone("", "mode: zip\n", two);
    plan_alone("", "series: true\n", late);
    plan_alone("", "trials: 3\n", late);
    plan_alone("trials: 3\n", "", late);
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_values);
    tcase_add_test(tc, test_load_range_not_on_step);
    tcase_add_test(tc, test_value_index_grid);
    tcase_add_test(tc, test_value_index_zip);
    tcase_add_test(tc, test_case_doc);
    tcase_add_test(tc, test_case_doc_quoted_and_top_level);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_errors_several);
    tcase_add_test(tc, test_h5_round_trip);
    tcase_add_test(tc, test_h5_resume_other_sweep);
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_units_plan);
    suite_add_tcase(s, tc);
    return s;
}

TESTUTIL_MAIN(sweep_suite)
